"""Fixtures for the kubesim conformance suites: real clients (kubectl, the Helm library) against
a kubesim process started from the workspace build.

The binary is taken from $KUBESIM_BIN, else built with `cargo build -p kubesim`.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _kubesim_binary() -> str:
    env = os.environ.get("KUBESIM_BIN")
    if env:
        return env
    subprocess.run(["cargo", "build", "-q", "-p", "kubesim"], cwd=REPO, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", str(REPO / "target"))
    return str(Path(target) / "debug" / "kubesim")


@dataclass
class Sim:
    """A running kubesim process."""

    proc: subprocess.Popen
    api: list[str]
    admin: str | None
    kubeconfig: str
    workdir: str
    log: list[str] = field(default_factory=list)

    def kubectl(self, *args: str, check: bool = True, input: str | None = None,
                timeout: float = 60, token: str | None = None) -> subprocess.CompletedProcess:
        """Runs kubectl against this simulator with a fresh cache, returning the completed process."""
        cmd = ["kubectl", "--kubeconfig", self.kubeconfig,
               "--cache-dir", os.path.join(self.workdir, "kcache")]
        if token is not None:
            cmd += ["--token", token]
        cmd += list(args)
        env = dict(os.environ, HOME=self.workdir)
        p = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout, env=env)
        if check and p.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({p.returncode}):\n"
                                 f"stdout: {p.stdout}\nstderr: {p.stderr}")
        return p

    def json(self, *args: str) -> dict:
        return json.loads(self.kubectl(*args, "-o", "json").stdout)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_sim(extra_args: list[str] | None = None) -> Sim:
    """Starts kubesim on loopback and waits for the listener lines it prints."""
    workdir = tempfile.mkdtemp(prefix="kubesim-conf-")
    kubeconfig = os.path.join(workdir, "kubeconfig")
    cmd = [_kubesim_binary(), "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
           "--kubeconfig-out", kubeconfig] + (extra_args or [])
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=open(os.path.join(workdir, "stderr"), "w"),
                            text=True)
    api, admin = [], None
    deadline = time.time() + 60
    assert proc.stdout is not None
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        parts = line.split()
        if len(parts) == 2 and parts[0] == "api":
            api.append(parts[1])
        elif len(parts) == 2 and parts[0] == "admin":
            admin = parts[1]
            break
    if not api:
        proc.kill()
        raise RuntimeError(f"kubesim did not start: {open(os.path.join(workdir, 'stderr')).read()}")
    return Sim(proc=proc, api=api, admin=admin, kubeconfig=kubeconfig, workdir=workdir)


@pytest.fixture(scope="module")
def sim():
    s = start_sim()
    yield s
    s.stop()
    shutil.rmtree(s.workdir, ignore_errors=True)


@pytest.fixture
def ns(sim: Sim):
    """A fresh namespace for one test."""
    name = "t-" + uuid.uuid4().hex[:8]
    sim.kubectl("create", "namespace", name)
    yield name


def wait_until(pred, timeout: float = 30, interval: float = 0.2, what: str = "condition"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = pred()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")
