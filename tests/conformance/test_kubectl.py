"""kubectl (a client we did not write) against kubesim: the checks of kube-api-sim.md §6.1."""
from __future__ import annotations

import json
import os
import subprocess
import textwrap
import time

import pytest

from conftest import Sim, start_sim, wait_until


def apply(sim: Sim, manifest: str, *args: str, check: bool = True):
    return sim.kubectl("apply", "-f", "-", *args, input=textwrap.dedent(manifest), check=check)


# --- 1. Discovery -----------------------------------------------------------------------------

def test_version_reports_server(sim: Sim):
    out = json.loads(sim.kubectl("version", "-o", "json").stdout)
    assert out["serverVersion"]["major"] == "1"
    assert out["serverVersion"]["minor"].startswith("33")
    assert out["serverVersion"]["gitVersion"].startswith("v1.33.")


def test_api_resources_and_versions(sim: Sim):
    res = sim.kubectl("api-resources", "-o", "wide").stdout
    for needle in ["configmaps", "deployments", "leases", "customresourcedefinitions",
                   "clusterrolebindings", "horizontalpodautoscalers", "poddisruptionbudgets",
                   "ingresses", "cronjobs", "statefulsets", "networkpolicies", "storageclasses"]:
        assert needle in res, needle
    versions = sim.kubectl("api-versions").stdout.split()
    for gv in ["v1", "apps/v1", "batch/v1", "coordination.k8s.io/v1", "rbac.authorization.k8s.io/v1",
               "networking.k8s.io/v1", "policy/v1", "autoscaling/v2", "apiextensions.k8s.io/v1"]:
        assert gv in versions, gv


def test_raw_discovery_and_openapi(sim: Sim):
    apis = json.loads(sim.kubectl("get", "--raw", "/apis").stdout)
    assert apis["kind"] == "APIGroupList"
    assert any(g["name"] == "apps" for g in apis["groups"])
    oa = json.loads(sim.kubectl("get", "--raw", "/openapi/v3").stdout)
    assert "api/v1" in oa["paths"] and "apis/apps/v1" in oa["paths"]
    p = sim.kubectl("get", "--raw", "/openapi/v2", check=False)
    assert p.returncode != 0


# --- 2. Namespaces ----------------------------------------------------------------------------

def test_namespace_lifecycle(sim: Sim):
    sim.kubectl("create", "namespace", "t1-life")
    assert sim.json("get", "namespace", "t1-life")["status"]["phase"] == "Active"
    sim.kubectl("create", "configmap", "inside", "-n", "t1-life", "--from-literal=a=1")
    sim.kubectl("delete", "namespace", "t1-life", timeout=60)
    p = sim.kubectl("get", "namespace", "t1-life", check=False)
    assert p.returncode != 0 and "NotFound" in p.stderr
    p = sim.kubectl("get", "configmap", "inside", "-n", "t1-life", check=False)
    assert p.returncode != 0


def test_new_cluster_namespaces_and_service_accounts(sim: Sim):
    names = sim.kubectl("get", "ns", "-o", "name").stdout.split()
    for n in ["default", "kube-system", "kube-public", "kube-node-lease"]:
        assert f"namespace/{n}" in names
    sim.kubectl("get", "serviceaccount", "default", "-n", "kube-system")


# --- 3. CRUD, selectors, paging and errors ------------------------------------------------------

def test_crud_and_errors(sim: Sim, ns: str):
    sim.kubectl("create", "cm", "c1", "-n", ns, "--from-literal=a=1")
    p = sim.kubectl("create", "cm", "c1", "-n", ns, "--from-literal=a=1", check=False)
    assert p.returncode != 0 and 'configmaps "c1" already exists' in p.stderr
    obj = sim.json("get", "cm", "c1", "-n", ns)
    md = obj["metadata"]
    assert md["uid"] and md["resourceVersion"] and md["creationTimestamp"].endswith("Z")
    assert obj["data"] == {"a": "1"}

    sim.kubectl("label", "cm", "c1", "-n", ns, "x=y")
    sim.kubectl("annotate", "cm", "c1", "-n", ns, "note=hello")
    sim.kubectl("create", "cm", "c2", "-n", ns)
    sim.kubectl("label", "cm", "c2", "-n", ns, "z=1")
    names = lambda *sel: sim.kubectl("get", "cm", "-n", ns, "-o", "name", *sel).stdout.split()  # noqa: E731
    assert names("-l", "x in (y)") == ["configmap/c1"]
    assert "configmap/c1" in names("-l", "!z") and "configmap/c2" not in names("-l", "!z")
    assert names("--field-selector", "metadata.name=c2") == ["configmap/c2"]
    assert sim.json("get", "cm", "c1", "-n", ns)["metadata"]["annotations"]["note"] == "hello"

    for i in range(5):
        sim.kubectl("create", "cm", f"page-{i}", "-n", ns)
    paged = sim.kubectl("get", "cm", "-n", ns, "--chunk-size=1", "-o", "name").stdout.split()
    assert [n for n in paged if n.startswith("configmap/page-")] == [f"configmap/page-{i}" for i in range(5)]

    p = sim.kubectl("create", "cm", "Bad_Name", "-n", ns, check=False)
    assert p.returncode != 0 and "Invalid" in p.stderr
    p = sim.kubectl("create", "cm", "x", "-n", "no-such-namespace", check=False)
    assert p.returncode != 0 and 'namespaces "no-such-namespace" not found' in p.stderr

    sim.kubectl("delete", "cm", "c1", "-n", ns)
    p = sim.kubectl("get", "cm", "c1", "-n", ns, check=False)
    assert p.returncode != 0 and "NotFound" in p.stderr


# --- 4. Client-side apply -----------------------------------------------------------------------

DEPLOY = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: nginx:1.25
        env:
        - {name: A, value: "1"}
        - {name: B, value: "2"}
      - name: sidecar
        image: busybox:1.36
        env:
        - {name: S, value: "s"}
"""


def test_client_side_apply_merges_lists_by_key(sim: Sim, ns: str):
    apply(sim, DEPLOY, "-n", ns)
    obj = sim.json("get", "deploy", "web", "-n", ns)
    assert "kubectl.kubernetes.io/last-applied-configuration" in obj["metadata"]["annotations"]
    changed = DEPLOY.replace("nginx:1.25", "nginx:1.26").replace('        - {name: B, value: "2"}\n', "")
    apply(sim, changed, "-n", ns)
    obj = sim.json("get", "deploy", "web", "-n", ns)
    containers = {c["name"]: c for c in obj["spec"]["template"]["spec"]["containers"]}
    assert containers["app"]["image"] == "nginx:1.26"
    assert [e["name"] for e in containers["app"]["env"]] == ["A"]
    assert containers["sidecar"]["image"] == "busybox:1.36"
    assert containers["sidecar"]["env"] == [{"name": "S", "value": "s"}]
    assert obj["metadata"]["generation"] == 2


# --- 5. Server-side apply -------------------------------------------------------------------------

def test_server_side_apply(sim: Sim, ns: str):
    def cm(**data: str) -> str:
        body = "".join(f"  {k}: {v!r}\n" for k, v in data.items())
        return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n{body}"

    apply(sim, cm(a="1", b="2"), "-n", ns, "--server-side")
    obj = json.loads(sim.kubectl("get", "cm", "ssa", "-n", ns, "-o", "json", "--show-managed-fields").stdout)
    managers = [(m["manager"], m["operation"]) for m in obj["metadata"]["managedFields"]]
    assert ("kubectl", "Apply") in managers
    p = apply(sim, cm(a="changed"), "-n", ns, "--server-side", "--field-manager=other", check=False)
    assert p.returncode != 0 and "Apply failed with 1 conflict" in p.stderr, p.stderr
    apply(sim, cm(a="changed"), "-n", ns, "--server-side", "--field-manager=other", "--force-conflicts")
    data = sim.json("get", "cm", "ssa", "-n", ns)["data"]
    # `b` is still owned by the first manager, so the second manager's apply leaves it alone.
    assert data == {"a": "changed", "b": "2"}
    # The first manager drops `b` (it lost `a` to the forced apply, so it re-takes it by force).
    apply(sim, cm(a="1"), "-n", ns, "--server-side", "--force-conflicts")
    assert sim.json("get", "cm", "ssa", "-n", ns)["data"] == {"a": "1"}


def test_kubectl_diff_exit_codes(sim: Sim, ns: str):
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\ndata:\n  a: '1'\n"
    apply(sim, cm, "-n", ns, "--server-side")
    p = sim.kubectl("diff", "-n", ns, "--server-side", "-f", "-", input=cm, check=False)
    assert p.returncode == 0, p.stderr
    p = sim.kubectl("diff", "-n", ns, "--server-side", "-f", "-", input=cm.replace("'1'", "'2'"), check=False)
    assert p.returncode == 1, p.stderr


# --- 6. Patch types ---------------------------------------------------------------------------------

def test_patch_types(sim: Sim, ns: str):
    apply(sim, DEPLOY, "-n", ns)
    sim.kubectl("patch", "deploy", "web", "-n", ns, "--type=strategic", "-p",
                json.dumps({"spec": {"template": {"spec": {"containers": [{"name": "extra", "image": "x:1"}]}}}}))
    names = [c["name"] for c in sim.json("get", "deploy", "web", "-n", ns)["spec"]["template"]["spec"]["containers"]]
    assert names == ["extra", "app", "sidecar"] or sorted(names) == ["app", "extra", "sidecar"]
    sim.kubectl("patch", "deploy", "web", "-n", ns, "--type=merge", "-p", '{"metadata":{"labels":{"m":"1"}}}')
    sim.kubectl("patch", "deploy", "web", "-n", ns, "--type=json", "-p",
                '[{"op":"replace","path":"/spec/replicas","value":2}]')
    obj = sim.json("get", "deploy", "web", "-n", ns)
    assert obj["metadata"]["labels"]["m"] == "1" and obj["spec"]["replicas"] == 2
    gen = obj["metadata"]["generation"]
    sim.kubectl("patch", "deploy", "web", "-n", ns, "--subresource=status", "--type=merge", "-p",
                '{"status":{"collisionCount":7}}')
    obj = sim.json("get", "deploy", "web", "-n", ns)
    assert obj["metadata"]["generation"] == gen and obj["spec"]["replicas"] == 2


# --- 7. Concurrency -------------------------------------------------------------------------------

def test_replace_with_stale_resource_version(sim: Sim, ns: str):
    sim.kubectl("create", "cm", "cc", "-n", ns, "--from-literal=a=1")
    stale = sim.json("get", "cm", "cc", "-n", ns)
    sim.kubectl("patch", "cm", "cc", "-n", ns, "--type=merge", "-p", '{"data":{"a":"2"}}')
    stale["data"]["a"] = "3"
    p = sim.kubectl("replace", "-f", "-", input=json.dumps(stale), check=False)
    assert p.returncode != 0 and "the object has been modified" in p.stderr


# --- 8. Watch ---------------------------------------------------------------------------------------

def test_watch_events(sim: Sim, ns: str):
    cmd = ["kubectl", "--kubeconfig", sim.kubeconfig, "--cache-dir", os.path.join(sim.workdir, "kcache"),
           "get", "cm", "-n", ns, "-w", "--output-watch-events", "-o", "json", "--request-timeout=20s"]
    w = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=dict(os.environ, HOME=sim.workdir))
    try:
        time.sleep(1.5)
        sim.kubectl("create", "cm", "watched", "-n", ns)
        sim.kubectl("label", "cm", "watched", "-n", ns, "k=v")
        sim.kubectl("delete", "cm", "watched", "-n", ns)
        time.sleep(1.5)
    finally:
        w.terminate()
        out, err = w.communicate(timeout=10)
    events = [(e["type"], e["object"]["metadata"]["name"]) for e in _json_stream(out)]
    watched = [t for t, name in events if name == "watched"]
    assert watched == ["ADDED", "MODIFIED", "DELETED"], (events, err)


def _json_stream(text: str):
    """Decodes the concatenated JSON documents kubectl prints with `-w -o json`."""
    dec, i = json.JSONDecoder(), 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return
        obj, i = dec.raw_decode(text, i)
        yield obj


# --- 9. Controllers -----------------------------------------------------------------------------------

def test_deployment_rollout_scale_and_gc(sim: Sim, ns: str):
    apply(sim, DEPLOY, "-n", ns)
    sim.kubectl("rollout", "status", "deploy/web", "-n", ns, "--timeout=60s")
    sim.kubectl("wait", "--for=condition=Available", "deploy/web", "-n", ns, "--timeout=60s")
    sim.kubectl("scale", "deploy/web", "-n", ns, "--replicas=3")
    sim.kubectl("rollout", "status", "deploy/web", "-n", ns, "--timeout=60s")
    wait_until(lambda: len(sim.kubectl("get", "pods", "-n", ns, "-l", "app=web", "-o", "name").stdout.split()) == 3,
               what="3 pods")
    assert sim.kubectl("get", "rs", "-n", ns, "-l", "app=web", "-o", "name").stdout.strip()
    sim.kubectl("delete", "deploy", "web", "-n", ns)
    wait_until(lambda: not sim.kubectl("get", "rs,pods", "-n", ns, "-l", "app=web", "-o", "name").stdout.strip(),
               what="garbage collection of the ReplicaSet and Pods")


def test_job_pvc_and_logs(sim: Sim, ns: str):
    apply(sim, """
    apiVersion: batch/v1
    kind: Job
    metadata: {name: j}
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, image: busybox}]
    ---
    apiVersion: v1
    kind: PersistentVolumeClaim
    metadata: {name: p}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
    ---
    apiVersion: v1
    kind: Pod
    metadata:
      name: talker
      annotations: {sim.k8s.io/log: "hello from the simulator"}
    spec:
      containers: [{name: c, image: busybox}]
    """, "-n", ns)
    sim.kubectl("wait", "--for=condition=complete", "job/j", "-n", ns, "--timeout=60s")
    sim.kubectl("wait", "--for=jsonpath={.status.phase}=Bound", "pvc/p", "-n", ns, "--timeout=60s")
    sim.kubectl("wait", "--for=condition=Ready", "pod/talker", "-n", ns, "--timeout=60s")
    assert "hello from the simulator" in sim.kubectl("logs", "pod/talker", "-n", ns).stdout


# --- 10. Finalizers -----------------------------------------------------------------------------------

def test_finalizers(sim: Sim, ns: str):
    apply(sim, """
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: fin, finalizers: [example.com/hold]}
    """, "-n", ns)
    sim.kubectl("delete", "cm", "fin", "-n", ns, "--wait=false")
    assert sim.json("get", "cm", "fin", "-n", ns)["metadata"].get("deletionTimestamp")
    sim.kubectl("patch", "cm", "fin", "-n", ns, "--type=merge", "-p", '{"metadata":{"finalizers":null}}')
    wait_until(lambda: sim.kubectl("get", "cm", "fin", "-n", ns, check=False).returncode != 0, what="deletion")


# --- 11. Dry run --------------------------------------------------------------------------------------

def test_server_dry_run(sim: Sim, ns: str):
    sim.kubectl("create", "cm", "dry", "-n", ns, "--dry-run=server")
    p = sim.kubectl("get", "cm", "dry", "-n", ns, check=False)
    assert p.returncode != 0 and "NotFound" in p.stderr


# --- 12. CRDs -----------------------------------------------------------------------------------------

CRD = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
"""


def test_crd_lifecycle(sim: Sim, ns: str):
    apply(sim, CRD)
    sim.kubectl("wait", "--for=condition=established", "crd/widgets.example.com", "--timeout=30s")
    apply(sim, "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3}\n", "-n", ns)
    obj = sim.json("get", "widgets", "w1", "-n", ns)
    assert obj["spec"]["size"] == 3 and obj["metadata"]["generation"] == 1
    sim.kubectl("patch", "widget", "w1", "-n", ns, "--subresource=status", "--type=merge", "-p",
                '{"status":{"ready":true}}')
    obj = sim.json("get", "wd", "w1", "-n", ns)
    assert obj["status"]["ready"] is True and obj["metadata"]["generation"] == 1
    p = sim.kubectl("patch", "widget", "w1", "-n", ns, "--type=strategic", "-p", '{"spec":{"size":4}}',
                    check=False)
    assert p.returncode != 0
    sim.kubectl("delete", "crd", "widgets.example.com")
    wait_until(lambda: "widgets" not in sim.kubectl("api-resources").stdout, what="CRD removal from discovery")


# --- 13. Authentication and authorization ---------------------------------------------------------------

@pytest.fixture(scope="module")
def authsim(tmp_path_factory):
    d = tmp_path_factory.mktemp("auth")
    tokens = d / "tokens.csv"
    tokens.write_text('admin-token,admin,uid-admin,"system:masters"\n'
                      'alice-token,alice,uid-alice,"devs"\n'
                      'bob-token,bob,uid-bob,""\n')
    s = start_sim(["--token-file", str(tokens), "--authorization", "rbac"])
    yield s
    s.stop()


def test_auth(authsim: Sim):
    s = authsim
    adm = "admin-token"
    p = s.kubectl("get", "pods", token="bad", check=False)
    # kubectl 1.33 reads the 401 during discovery and words it this way for a real API server too.
    assert p.returncode != 0 and "You must be logged in to the server" in p.stderr, p.stderr
    who = s.kubectl("auth", "whoami", "-o", "json", token="alice-token").stdout
    assert json.loads(who)["status"]["userInfo"]["username"] == "alice"
    s.kubectl("create", "ns", "t2", token=adm)
    s.kubectl("create", "rolebinding", "alice-edit", "--clusterrole=edit", "--user=alice", "-n", "t2", token=adm)
    assert s.kubectl("auth", "can-i", "create", "configmaps", "-n", "t2", "--as=alice", token=adm).stdout.strip() == "yes"
    p = s.kubectl("auth", "can-i", "create", "configmaps", "-n", "t2", "--as=bob", token=adm, check=False)
    assert p.stdout.strip() == "no"
    p = s.kubectl("--as=bob", "get", "pods", "-n", "t2", token=adm, check=False)
    assert p.returncode != 0
    assert 'pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "t2"' in p.stderr
    s.kubectl("create", "configmap", "alice-cm", "-n", "t2", token="alice-token")
    s.kubectl("create", "serviceaccount", "robot", "-n", "t2", token=adm)
    s.kubectl("create", "rolebinding", "robot-view", "--clusterrole=view", "--serviceaccount=t2:robot", "-n", "t2",
              token=adm)
    tok = s.kubectl("create", "token", "robot", "-n", "t2", token=adm).stdout.strip()
    assert "alice-cm" in s.kubectl("get", "cm", "-n", "t2", token=tok).stdout
    p = s.kubectl("delete", "cm", "alice-cm", "-n", "t2", token=tok, check=False)
    assert p.returncode != 0 and "forbidden" in p.stderr
