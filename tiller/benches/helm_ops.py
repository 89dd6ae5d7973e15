"""Benchmark driver for the real Helm library (helm-sdkpy), run by tiller/examples/bench.rs.

Usage: helm_ops.py KUBECONFIG CHART_DIR ROUNDS CLIENTS INSTALLS
Measures (a) install + uninstall latency (no wait) and (b) installs per second from CLIENTS
concurrent workers, against the same kubesim as the Tiller benchmark, and prints one JSON line:
{"p50_ms": .., "p99_ms": .., "installs_per_s": ..}.
"""
from __future__ import annotations

import asyncio
import json
import math
import os
import sys
import tempfile
import time

# The Go runtime inside the library reads the environment once when it loads, so Helm's home
# must point at a scratch folder before the import.
_HOME = tempfile.mkdtemp(prefix="helm-bench-home-")
for _k in ("HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME",
           "HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME"):
    os.environ[_k] = os.path.join(_HOME, _k.lower())
    os.makedirs(os.environ[_k], exist_ok=True)
os.environ["HELM_DRIVER"] = "configmap"
os.environ["NO_PROXY"] = "127.0.0.1,localhost"

import helm_sdkpy as helm  # noqa: E402

NAMESPACE = "bench-helm"


def quantile_ms(sorted_s: list[float], q: float) -> float:
    rank = min(max(math.ceil(q * len(sorted_s)), 1), len(sorted_s))
    return sorted_s[rank - 1] * 1000.0


async def main() -> None:
    if len(sys.argv) != 6:
        sys.exit("usage: helm_ops.py KUBECONFIG CHART_DIR ROUNDS CLIENTS INSTALLS")
    kubeconfig_path, chart, rounds, clients, installs = sys.argv[1:]
    rounds, clients, installs = int(rounds), int(clients), int(installs)
    with open(kubeconfig_path) as f:
        kubeconfig = f.read()

    def cfg():
        return helm.Configuration(namespace=NAMESPACE, kubeconfig=kubeconfig)

    # Warm-up, and the namespace is created once here as Tiller creates it on first install.
    await helm.Install(cfg()).run("warmup", chart, wait=False, create_namespace=True)
    await helm.Uninstall(cfg()).run("warmup", wait=False)

    times = []
    for i in range(rounds):
        name = f"rt-{i}"
        start = time.perf_counter()
        await helm.Install(cfg()).run(name, chart, wait=False)
        await helm.Uninstall(cfg()).run(name, wait=False)
        times.append(time.perf_counter() - start)
    times.sort()

    per_client = installs // clients

    async def worker(c: int) -> None:
        conf = cfg()
        for i in range(per_client):
            await helm.Install(conf).run(f"cc-{c}-{i}", chart, wait=False)

    start = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in range(clients)))
    rate = per_client * clients / (time.perf_counter() - start)
    print(json.dumps({"p50_ms": quantile_ms(times, 0.5), "p99_ms": quantile_ms(times, 0.99),
                      "installs_per_s": rate}))


if __name__ == "__main__":
    asyncio.run(main())
