//! The fake controllers driven through the store: workloads reach the states Helm's waiters,
//! kstatus and `kubectl rollout status` look for.

use std::time::Duration;

use kubesim::Registry;
use kubesim::controllers::{ControllerConfig, spawn_controllers};
use kubesim::store::{DeleteOptions, EventType, Store, WriteOptions};
use serde_json::{Value, json};

fn store() -> Store {
    Store::new(Registry::new(false))
}

fn start(store: &Store) -> tokio::task::JoinHandle<()> {
    spawn_controllers(store.clone(), ControllerConfig::instant())
}

fn create(store: &Store, group: &str, version: &str, plural: &str, ns: &str, obj: Value) -> Value {
    let ri = store.resource(group, version, plural).expect("resource");
    store
        .create(&ri, ns, obj, &WriteOptions::default())
        .expect("create")
}

fn list(store: &Store, group: &str, plural: &str, ns: &str) -> Vec<Value> {
    store
        .all_raw(&kubesim::GroupResource::new(group, plural))
        .into_iter()
        .filter(|o| o.pointer("/metadata/namespace").and_then(Value::as_str) == Some(ns))
        .map(|o| (*o).clone())
        .collect()
}

/// Polls `get` until `pred` holds; panics with the last state after `secs`.
async fn wait_until(
    secs: u64,
    what: &str,
    mut get: impl FnMut() -> Option<Value>,
    pred: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let cur = get();
        if let Some(v) = &cur
            && pred(v)
        {
            return v.clone();
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out waiting for {what}; last state: {cur:#?}");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn getter<'a>(
    store: &'a Store,
    group: &'a str,
    version: &'a str,
    plural: &'a str,
    ns: &'a str,
    name: &'a str,
) -> impl FnMut() -> Option<Value> + 'a {
    move || {
        let ri = store.resource(group, version, plural).ok()?;
        store.get(&ri, ns, name).ok()
    }
}

fn cond<'a>(o: &'a Value, ty: &str) -> Option<&'a Value> {
    o.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c["type"] == ty)
}

fn deployment(name: &str, replicas: i64, image: &str, annotations: Value) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}, "annotations": annotations},
                "spec": {"containers": [{"name": "c", "image": image}]},
            },
        },
    })
}

#[tokio::test]
async fn deployment_becomes_available_and_rolls_out() {
    let s = store();
    let _c = start(&s);
    create(
        &s,
        "apps",
        "v1",
        "deployments",
        "default",
        deployment("web", 2, "nginx:1", json!({})),
    );
    let d = wait_until(
        10,
        "deployment available",
        getter(&s, "apps", "v1", "deployments", "default", "web"),
        |d| {
            cond(d, "Progressing").is_some_and(|c| c["reason"] == "NewReplicaSetAvailable")
                && d["status"]["availableReplicas"] == 2
        },
    )
    .await;
    assert_eq!(
        d["status"]["observedGeneration"],
        d["metadata"]["generation"]
    );
    assert_eq!(d["status"]["replicas"], 2);
    assert_eq!(d["status"]["updatedReplicas"], 2);
    assert_eq!(d["status"]["readyReplicas"], 2);
    assert_eq!(cond(&d, "Available").expect("Available")["status"], "True");
    assert_eq!(
        d["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "1"
    );

    let rss = list(&s, "apps", "replicasets", "default");
    assert_eq!(rss.len(), 1);
    let rs = &rss[0];
    let hash = rs["metadata"]["labels"]["pod-template-hash"]
        .as_str()
        .expect("hash")
        .to_owned();
    assert_eq!(rs["metadata"]["name"], format!("web-{hash}"));
    assert_eq!(
        rs["spec"]["selector"]["matchLabels"]["pod-template-hash"],
        hash.as_str()
    );
    assert_eq!(
        rs["spec"]["template"]["metadata"]["labels"]["pod-template-hash"],
        hash.as_str()
    );
    assert_eq!(
        rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "1"
    );
    let oref = &rs["metadata"]["ownerReferences"][0];
    assert_eq!(oref["kind"], "Deployment");
    assert_eq!(oref["controller"], true);
    assert_eq!(oref["blockOwnerDeletion"], true);
    assert_eq!(oref["uid"], d["metadata"]["uid"]);
    // The legacy waiter: the RS template equals the Deployment's apart from the hash label.
    let mut tmpl = rs["spec"]["template"].clone();
    if let Some(l) = tmpl["metadata"]["labels"].as_object_mut() {
        l.remove("pod-template-hash");
    }
    assert_eq!(tmpl, d["spec"]["template"]);
    assert_eq!(rs["status"]["readyReplicas"], 2);
    assert_eq!(rs["status"]["fullyLabeledReplicas"], 2);

    let pods = list(&s, "", "pods", "default");
    assert_eq!(pods.len(), 2);
    for p in &pods {
        assert!(
            p["metadata"]["name"]
                .as_str()
                .expect("name")
                .starts_with(&format!("web-{hash}-"))
        );
        assert_eq!(p["status"]["phase"], "Running");
        assert!(
            p["spec"]["nodeName"]
                .as_str()
                .expect("node")
                .starts_with("sim-node-")
        );
        assert!(
            p["status"]["podIP"]
                .as_str()
                .expect("ip")
                .starts_with("10.244.")
        );
        assert_eq!(cond(p, "Ready").expect("Ready")["status"], "True");
        assert_eq!(p["status"]["containerStatuses"][0]["ready"], true);
        assert!(p["status"]["containerStatuses"][0]["state"]["running"].is_object());
    }

    // A new template rolls out: a second ReplicaSet with revision 2, the old one scaled to 0.
    let ri = s.resource("apps", "v1", "deployments").expect("ri");
    s.merge_patch(&ri, "default", "web",
        &json!({"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx:2"}]}}}}),
        &WriteOptions::default())
        .expect("patch");
    let d = wait_until(
        10,
        "rollout",
        getter(&s, "apps", "v1", "deployments", "default", "web"),
        |d| {
            d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
                && cond(d, "Progressing").is_some_and(|c| c["reason"] == "NewReplicaSetAvailable")
                && d["status"]["replicas"] == 2
                && d["status"]["observedGeneration"] == d["metadata"]["generation"]
        },
    )
    .await;
    assert_eq!(d["status"]["updatedReplicas"], 2);
    let rss = list(&s, "apps", "replicasets", "default");
    assert_eq!(rss.len(), 2);
    let old = rss
        .iter()
        .find(|r| r["metadata"]["labels"]["pod-template-hash"] == hash.as_str())
        .expect("old rs");
    assert_eq!(old["spec"]["replicas"], 0);
    let new = rss
        .iter()
        .find(|r| r["metadata"]["labels"]["pod-template-hash"] != hash.as_str())
        .expect("new rs");
    assert_eq!(
        new["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "2"
    );
    wait_until(
        10,
        "old pods gone",
        || Some(json!(list(&s, "", "pods", "default").len())),
        |n| *n == 2,
    )
    .await;
}

#[tokio::test]
async fn never_ready_deployment_times_out_progressing() {
    let s = store();
    let _c = start(&s);
    let mut d = deployment(
        "slow",
        1,
        "nginx:1",
        json!({"sim.k8s.io/never-ready": "true"}),
    );
    d["spec"]["progressDeadlineSeconds"] = json!(1);
    create(&s, "apps", "v1", "deployments", "default", d);
    let d = wait_until(
        10,
        "deadline exceeded",
        getter(&s, "apps", "v1", "deployments", "default", "slow"),
        |d| cond(d, "Progressing").is_some_and(|c| c["reason"] == "ProgressDeadlineExceeded"),
    )
    .await;
    assert_eq!(cond(&d, "Progressing").expect("p")["status"], "False");
    assert_eq!(cond(&d, "Available").expect("a")["status"], "False");
    let pods = list(&s, "", "pods", "default");
    assert_eq!(pods[0]["status"]["phase"], "Running");
    assert_eq!(cond(&pods[0], "Ready").expect("Ready")["status"], "False");
    assert_eq!(
        cond(&pods[0], "Ready").expect("Ready")["reason"],
        "ContainersNotReady"
    );
}

fn job(name: &str, backoff: i64, annotations: Value) -> Value {
    json!({
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": name},
        "spec": {
            "backoffLimit": backoff,
            "template": {
                "metadata": {"annotations": annotations},
                "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]},
            },
        },
    })
}

#[tokio::test]
async fn job_completes() {
    let s = store();
    let _c = start(&s);
    create(
        &s,
        "batch",
        "v1",
        "jobs",
        "default",
        job("ok", 2, json!({})),
    );
    let j = wait_until(
        10,
        "job complete",
        getter(&s, "batch", "v1", "jobs", "default", "ok"),
        |j| cond(j, "Complete").is_some_and(|c| c["status"] == "True"),
    )
    .await;
    assert_eq!(j["status"]["succeeded"], 1);
    assert!(j["status"]["startTime"].is_string());
    assert!(j["status"]["completionTime"].is_string());
    assert_eq!(
        cond(&j, "SuccessCriteriaMet").expect("criteria")["status"],
        "True"
    );
    assert!(j["status"].get("active").is_none());
    let pods = list(&s, "", "pods", "default");
    assert_eq!(pods.len(), 1);
    assert_eq!(pods[0]["status"]["phase"], "Succeeded");
    assert_eq!(pods[0]["metadata"]["labels"]["job-name"], "ok");
    assert_eq!(
        pods[0]["status"]["containerStatuses"][0]["state"]["terminated"]["reason"],
        "Completed"
    );
}

#[tokio::test]
async fn job_fails_after_backoff_limit() {
    let s = store();
    let _c = start(&s);
    create(
        &s,
        "batch",
        "v1",
        "jobs",
        "default",
        job("bad", 1, json!({"sim.k8s.io/exit-code": "1"})),
    );
    let j = wait_until(
        10,
        "job failed",
        getter(&s, "batch", "v1", "jobs", "default", "bad"),
        |j| cond(j, "Failed").is_some_and(|c| c["status"] == "True"),
    )
    .await;
    assert_eq!(j["status"]["failed"], 2);
    assert_eq!(
        cond(&j, "Failed").expect("failed")["reason"],
        "BackoffLimitExceeded"
    );
    assert_eq!(cond(&j, "FailureTarget").expect("target")["status"], "True");
    assert!(cond(&j, "Complete").is_none());
    assert!(j["status"].get("completionTime").is_none());
    let pods = list(&s, "", "pods", "default");
    assert_eq!(pods.len(), 2);
    assert!(pods.iter().all(|p| p["status"]["phase"] == "Failed"));
}

#[tokio::test]
async fn test_pods_succeed_or_fail_per_exit_code() {
    let s = store();
    let _c = start(&s);
    for (name, code) in [("pass", "0"), ("fail", "1")] {
        create(
            &s,
            "",
            "v1",
            "pods",
            "default",
            json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": name, "annotations": {"helm.sh/hook": "test", "sim.k8s.io/exit-code": code}},
                "spec": {"restartPolicy": "Never", "containers": [{"name": "t", "image": "busybox"}]},
            }),
        );
    }
    let failed = wait_until(
        10,
        "test pod failed",
        getter(&s, "", "v1", "pods", "default", "fail"),
        |p| p["status"]["phase"] == "Failed",
    )
    .await;
    let term = &failed["status"]["containerStatuses"][0]["state"]["terminated"];
    assert_eq!(term["exitCode"], 1);
    assert_eq!(term["reason"], "Error");
    let passed = wait_until(
        10,
        "test pod passed",
        getter(&s, "", "v1", "pods", "default", "pass"),
        |p| p["status"]["phase"] == "Succeeded",
    )
    .await;
    assert_eq!(
        passed["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"],
        0
    );
    assert_eq!(
        cond(&passed, "Ready").expect("ready")["reason"],
        "PodCompleted"
    );
}

#[tokio::test]
async fn run_duration_delays_completion() {
    let s = store();
    let _c = start(&s);
    create(
        &s,
        "",
        "v1",
        "pods",
        "default",
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "slow", "annotations": {"sim.k8s.io/run-duration": "400ms"}},
            "spec": {"restartPolicy": "Never", "containers": [{"name": "t", "image": "busybox"}]},
        }),
    );
    let t0 = tokio::time::Instant::now();
    wait_until(
        10,
        "pod running",
        getter(&s, "", "v1", "pods", "default", "slow"),
        |p| p["status"]["phase"] == "Running",
    )
    .await;
    wait_until(
        10,
        "pod done",
        getter(&s, "", "v1", "pods", "default", "slow"),
        |p| p["status"]["phase"] == "Succeeded",
    )
    .await;
    assert!(
        t0.elapsed() >= Duration::from_millis(400),
        "{:?}",
        t0.elapsed()
    );
}

#[tokio::test]
async fn crashloop_pods_wait_in_backoff() {
    let s = store();
    let _c = start(&s);
    create(
        &s,
        "",
        "v1",
        "pods",
        "default",
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "crash", "annotations": {"sim.k8s.io/crashloop": "true"}},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]},
        }),
    );
    let p = wait_until(
        10,
        "crashloop",
        getter(&s, "", "v1", "pods", "default", "crash"),
        |p| p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "CrashLoopBackOff",
    )
    .await;
    assert_eq!(p["status"]["phase"], "Running");
    assert_eq!(cond(&p, "Ready").expect("ready")["status"], "False");
}

#[tokio::test]
async fn statefulset_creates_ordered_pods_and_claims() {
    let s = store();
    let mut events = s.subscribe();
    let _c = start(&s);
    create(
        &s,
        "apps",
        "v1",
        "statefulsets",
        "default",
        json!({
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "db"},
            "spec": {
                "replicas": 3, "serviceName": "db",
                "selector": {"matchLabels": {"app": "db"}},
                "template": {"metadata": {"labels": {"app": "db"}},
                             "spec": {"containers": [{"name": "c", "image": "postgres"}]}},
                "volumeClaimTemplates": [{"metadata": {"name": "data"},
                    "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "2Gi"}}}}],
            },
        }),
    );
    let sts = wait_until(
        10,
        "statefulset ready",
        getter(&s, "apps", "v1", "statefulsets", "default", "db"),
        |o| {
            o["status"]["readyReplicas"] == 3
                && o["status"]["currentRevision"] == o["status"]["updateRevision"]
        },
    )
    .await;
    assert_eq!(sts["status"]["replicas"], 3);
    assert_eq!(sts["status"]["updatedReplicas"], 3);
    assert_eq!(sts["status"]["currentReplicas"], 3);
    assert_eq!(sts["status"]["observedGeneration"], 1);
    let rev_name = sts["status"]["updateRevision"]
        .as_str()
        .expect("revision")
        .to_owned();
    let rev = getter(
        &s,
        "apps",
        "v1",
        "controllerrevisions",
        "default",
        &rev_name,
    )()
    .expect("controllerrevision");
    assert_eq!(rev["revision"], 1);
    assert_eq!(rev["metadata"]["ownerReferences"][0]["kind"], "StatefulSet");
    assert_eq!(rev["data"]["spec"]["template"]["$patch"], "replace");

    // Pods were created strictly in ordinal order, each after the previous became ready.
    let mut order = Vec::new();
    let mut ready: Vec<String> = Vec::new();
    while let Ok(ev) = events.try_recv() {
        if ev.key.resource != "pods" {
            continue;
        }
        if ev.event_type == EventType::Added {
            if let Some(i) = ev
                .name
                .strip_prefix("db-")
                .and_then(|i| i.parse::<usize>().ok())
                && i > 0
            {
                assert!(
                    ready.contains(&format!("db-{}", i - 1)),
                    "{} created before db-{} was ready",
                    ev.name,
                    i - 1
                );
            }
            order.push(ev.name.clone());
        }
        if cond(&ev.object, "Ready").is_some_and(|c| c["status"] == "True") {
            ready.push(ev.name.clone());
        }
    }
    assert_eq!(order, vec!["db-0", "db-1", "db-2"]);
    for i in 0..3 {
        let pod = getter(&s, "", "v1", "pods", "default", &format!("db-{i}"))().expect("pod");
        assert_eq!(pod["spec"]["hostname"], format!("db-{i}"));
        assert_eq!(pod["spec"]["subdomain"], "db");
        assert_eq!(
            pod["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"],
            format!("data-db-{i}")
        );
        let pvc = wait_until(
            10,
            "claim bound",
            getter(
                &s,
                "",
                "v1",
                "persistentvolumeclaims",
                "default",
                &format!("data-db-{i}"),
            ),
            |c| c["status"]["phase"] == "Bound",
        )
        .await;
        assert_eq!(pvc["status"]["capacity"]["storage"], "2Gi");
        assert_eq!(pvc["metadata"]["labels"]["app"], "db");
        let pv_name = pvc["spec"]["volumeName"]
            .as_str()
            .expect("volume")
            .to_owned();
        let pv = getter(&s, "", "v1", "persistentvolumes", "", &pv_name)().expect("pv");
        assert_eq!(pv["spec"]["claimRef"]["name"], format!("data-db-{i}"));
        assert_eq!(pv["status"]["phase"], "Bound");
    }

    // Scaling down removes the highest ordinal.
    let ri = s.resource("apps", "v1", "statefulsets").expect("ri");
    s.merge_patch(
        &ri,
        "default",
        "db",
        &json!({"spec": {"replicas": 2}}),
        &WriteOptions::default(),
    )
    .expect("scale");
    wait_until(
        10,
        "db-2 gone",
        || {
            Some(json!(
                getter(&s, "", "v1", "pods", "default", "db-2")().is_none()
            ))
        },
        |g| *g == true,
    )
    .await;
    assert!(getter(&s, "", "v1", "pods", "default", "db-1")().is_some());
}

#[tokio::test]
async fn daemonset_runs_one_pod_per_node() {
    let s = store();
    let _c = start(&s);
    create(
        &s,
        "apps",
        "v1",
        "daemonsets",
        "default",
        json!({
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "agent"},
            "spec": {
                "selector": {"matchLabels": {"app": "agent"}},
                "template": {"metadata": {"labels": {"app": "agent"}},
                             "spec": {"containers": [{"name": "c", "image": "agent"}]}},
            },
        }),
    );
    let ds = wait_until(
        10,
        "daemonset ready",
        getter(&s, "apps", "v1", "daemonsets", "default", "agent"),
        |o| o["status"]["numberReady"] == 3,
    )
    .await;
    assert_eq!(ds["status"]["desiredNumberScheduled"], 3);
    assert_eq!(ds["status"]["currentNumberScheduled"], 3);
    assert_eq!(ds["status"]["updatedNumberScheduled"], 3);
    assert_eq!(ds["status"]["numberAvailable"], 3);
    assert_eq!(ds["status"]["observedGeneration"], 1);
    let revs = list(&s, "apps", "controllerrevisions", "default");
    assert_eq!(revs.len(), 1);
    assert_eq!(revs[0]["revision"], 1);
    let mut nodes: Vec<String> = list(&s, "", "pods", "default")
        .iter()
        .map(|p| p["spec"]["nodeName"].as_str().expect("node").to_owned())
        .collect();
    nodes.sort();
    assert_eq!(nodes, vec!["sim-node-0", "sim-node-1", "sim-node-2"]);
    let node = getter(&s, "", "v1", "nodes", "", "sim-node-0")().expect("node");
    assert_eq!(
        node["metadata"]["labels"]["kubernetes.io/hostname"],
        "sim-node-0"
    );
    assert_eq!(cond(&node, "Ready").expect("ready")["status"], "True");
}

#[tokio::test]
async fn services_get_load_balancer_and_endpoints() {
    let s = store();
    let _c = start(&s);
    create(
        &s,
        "",
        "v1",
        "pods",
        "default",
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "backend", "labels": {"app": "be"}},
            "spec": {"containers": [{"name": "c", "image": "x", "ports": [{"name": "http", "containerPort": 8080}]}]},
        }),
    );
    create(
        &s,
        "",
        "v1",
        "services",
        "default",
        json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "lb"},
            "spec": {"type": "LoadBalancer", "selector": {"app": "be"},
                     "ports": [{"name": "web", "port": 80, "targetPort": "http"}]},
        }),
    );
    let svc = wait_until(
        10,
        "lb ingress",
        getter(&s, "", "v1", "services", "default", "lb"),
        |o| o["status"]["loadBalancer"]["ingress"][0]["ip"].is_string(),
    )
    .await;
    assert!(svc["spec"]["clusterIP"].is_string());
    let ep = wait_until(
        10,
        "endpoints",
        getter(&s, "", "v1", "endpoints", "default", "lb"),
        |e| e["subsets"][0]["addresses"][0]["ip"].is_string(),
    )
    .await;
    assert_eq!(ep["subsets"][0]["ports"][0]["port"], 8080);
    assert_eq!(
        ep["subsets"][0]["addresses"][0]["targetRef"]["name"],
        "backend"
    );
    let slices = list(&s, "discovery.k8s.io", "endpointslices", "default");
    let slice = slices
        .iter()
        .find(|e| e["metadata"]["labels"]["kubernetes.io/service-name"] == "lb")
        .expect("endpointslice");
    assert_eq!(slice["addressType"], "IPv4");
    assert_eq!(slice["endpoints"][0]["conditions"]["ready"], true);
    assert_eq!(slice["ports"][0]["port"], 8080);
    assert_eq!(slice["metadata"]["ownerReferences"][0]["kind"], "Service");
}

#[tokio::test]
async fn terminating_pods_are_removed_and_replaced() {
    let s = store();
    let _c = start(&s);
    create(
        &s,
        "apps",
        "v1",
        "replicasets",
        "default",
        json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": "rs"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "rs"}},
                     "template": {"metadata": {"labels": {"app": "rs"}},
                                  "spec": {"containers": [{"name": "c", "image": "x"}]}}},
        }),
    );
    let rs = wait_until(
        10,
        "rs ready",
        getter(&s, "apps", "v1", "replicasets", "default", "rs"),
        |o| o["status"]["readyReplicas"] == 1,
    )
    .await;
    assert_eq!(rs["status"]["availableReplicas"], 1);
    let first = list(&s, "", "pods", "default")[0]["metadata"]["name"]
        .as_str()
        .expect("name")
        .to_owned();
    let pods_ri = s.resource("", "v1", "pods").expect("ri");
    s.delete(&pods_ri, "default", &first, &DeleteOptions::default())
        .expect("delete");
    wait_until(
        10,
        "replacement",
        || Some(json!(list(&s, "", "pods", "default"))),
        |pods| {
            let pods = pods.as_array().expect("array");
            pods.len() == 1
                && pods[0]["metadata"]["name"] != first.as_str()
                && pods[0]["status"]["phase"] == "Running"
        },
    )
    .await;
}

#[tokio::test]
async fn controllers_settle_without_writing() {
    let s = store();
    let _c = start(&s);
    create(
        &s,
        "apps",
        "v1",
        "deployments",
        "default",
        deployment("calm", 2, "nginx:1", json!({})),
    );
    create(
        &s,
        "batch",
        "v1",
        "jobs",
        "default",
        job("once", 0, json!({})),
    );
    wait_until(
        10,
        "deployment available",
        getter(&s, "apps", "v1", "deployments", "default", "calm"),
        |d| cond(d, "Progressing").is_some_and(|c| c["reason"] == "NewReplicaSetAvailable"),
    )
    .await;
    wait_until(
        10,
        "job complete",
        getter(&s, "batch", "v1", "jobs", "default", "once"),
        |j| cond(j, "Complete").is_some(),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let rev = s.revision();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        s.revision(),
        rev,
        "controllers keep writing after the objects settled"
    );
}

#[tokio::test]
async fn replication_controller_keeps_replicas() {
    let s = store();
    let _c = start(&s);
    create(
        &s,
        "",
        "v1",
        "replicationcontrollers",
        "default",
        json!({
            "apiVersion": "v1", "kind": "ReplicationController",
            "metadata": {"name": "rc"},
            "spec": {"replicas": 2, "selector": {"app": "rc"},
                     "template": {"metadata": {"labels": {"app": "rc"}},
                                  "spec": {"containers": [{"name": "c", "image": "x"}]}}},
        }),
    );
    let rc = wait_until(
        10,
        "rc ready",
        getter(&s, "", "v1", "replicationcontrollers", "default", "rc"),
        |o| o["status"]["readyReplicas"] == 2,
    )
    .await;
    assert_eq!(rc["status"]["replicas"], 2);
    assert_eq!(rc["status"]["observedGeneration"], 1);
    let pods = list(&s, "", "pods", "default");
    assert_eq!(pods.len(), 2);
    assert_eq!(
        pods[0]["metadata"]["ownerReferences"][0]["kind"],
        "ReplicationController"
    );
    let ri = s.resource("", "v1", "replicationcontrollers").expect("ri");
    s.merge_patch(
        &ri,
        "default",
        "rc",
        &json!({"spec": {"replicas": 0}}),
        &WriteOptions::default(),
    )
    .expect("scale");
    wait_until(
        10,
        "pods gone",
        || Some(json!(list(&s, "", "pods", "default").len())),
        |n| *n == 0,
    )
    .await;
    let rc = wait_until(
        10,
        "rc status",
        getter(&s, "", "v1", "replicationcontrollers", "default", "rc"),
        |o| o["status"]["replicas"] == 0 && o["status"]["observedGeneration"] == 2,
    )
    .await;
    assert!(rc["status"].get("readyReplicas").is_none());
}

#[tokio::test]
async fn realistic_delays_still_converge() {
    let s = store();
    let config = ControllerConfig {
        min_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(80),
        ..ControllerConfig::default()
    };
    let _c = spawn_controllers(s.clone(), config);
    let t0 = tokio::time::Instant::now();
    create(
        &s,
        "apps",
        "v1",
        "deployments",
        "default",
        deployment("paced", 2, "nginx:1", json!({})),
    );
    wait_until(
        10,
        "deployment available",
        getter(&s, "apps", "v1", "deployments", "default", "paced"),
        |d| cond(d, "Progressing").is_some_and(|c| c["reason"] == "NewReplicaSetAvailable"),
    )
    .await;
    // Scheduling and starting each wait at least the minimum delay.
    assert!(
        t0.elapsed() >= Duration::from_millis(40),
        "{:?}",
        t0.elapsed()
    );
}

#[tokio::test]
async fn on_failure_jobs_restart_containers_until_the_backoff_limit() {
    let s = store();
    let mut events = s.subscribe();
    let _c = start(&s);
    let mut j = job("retry", 2, json!({"sim.k8s.io/exit-code": "3"}));
    j["spec"]["template"]["spec"]["restartPolicy"] = json!("OnFailure");
    create(&s, "batch", "v1", "jobs", "default", j);
    let j = wait_until(
        10,
        "job failed",
        getter(&s, "batch", "v1", "jobs", "default", "retry"),
        |j| cond(j, "Failed").is_some_and(|c| c["status"] == "True"),
    )
    .await;
    assert_eq!(
        cond(&j, "Failed").expect("failed")["reason"],
        "BackoffLimitExceeded"
    );
    assert_eq!(j["status"]["failed"], 1);
    // One pod, restarted in place rather than replaced, then removed with the failed Job's
    // remaining pods.
    let mut pod_names = std::collections::BTreeSet::new();
    let mut max_restarts = 0;
    let mut last_exit = Value::Null;
    while let Ok(ev) = events.try_recv() {
        if ev.key.resource != "pods" {
            continue;
        }
        pod_names.insert(ev.name.clone());
        let c = &ev.object["status"]["containerStatuses"][0];
        if let Some(n) = c["restartCount"].as_i64()
            && n > max_restarts
        {
            max_restarts = n;
            last_exit = c["lastState"]["terminated"]["exitCode"].clone();
        }
    }
    assert_eq!(pod_names.len(), 1, "{pod_names:?}");
    assert_eq!(max_restarts, 3);
    assert_eq!(last_exit, 3);
    wait_until(
        10,
        "pod removed",
        || Some(json!(list(&s, "", "pods", "default").len())),
        |n| *n == 0,
    )
    .await;
}

#[tokio::test]
async fn rolling_back_reuses_the_old_replica_set() {
    let s = store();
    let _c = start(&s);
    create(
        &s,
        "apps",
        "v1",
        "deployments",
        "default",
        deployment("rb", 1, "app:1", json!({})),
    );
    let done = |rev: &'static str| {
        move |d: &Value| {
            d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == rev
                && cond(d, "Progressing").is_some_and(|c| c["reason"] == "NewReplicaSetAvailable")
                && d["status"]["observedGeneration"] == d["metadata"]["generation"]
                && d["status"]["replicas"] == 1
        }
    };
    wait_until(
        10,
        "revision 1",
        getter(&s, "apps", "v1", "deployments", "default", "rb"),
        done("1"),
    )
    .await;
    let first_rs = list(&s, "apps", "replicasets", "default")[0]["metadata"]["name"].clone();
    let ri = s.resource("apps", "v1", "deployments").expect("ri");
    let set_image = |image: &str| {
        s.merge_patch(&ri, "default", "rb",
            &json!({"spec": {"template": {"spec": {"containers": [{"name": "c", "image": image}]}}}}),
            &WriteOptions::default())
            .expect("patch");
    };
    set_image("app:2");
    wait_until(
        10,
        "revision 2",
        getter(&s, "apps", "v1", "deployments", "default", "rb"),
        done("2"),
    )
    .await;
    set_image("app:1");
    wait_until(
        10,
        "revision 3",
        getter(&s, "apps", "v1", "deployments", "default", "rb"),
        done("3"),
    )
    .await;
    let rss = list(&s, "apps", "replicasets", "default");
    assert_eq!(
        rss.len(),
        2,
        "the first ReplicaSet is reused, not recreated"
    );
    let first = rss
        .iter()
        .find(|r| r["metadata"]["name"] == first_rs)
        .expect("first rs");
    assert_eq!(
        first["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "3"
    );
    assert_eq!(first["spec"]["replicas"], 1);
    let second = rss
        .iter()
        .find(|r| r["metadata"]["name"] != first_rs)
        .expect("second rs");
    assert_eq!(second["spec"]["replicas"], 0);
}

#[tokio::test]
async fn paused_deployments_do_not_roll_out() {
    let s = store();
    let _c = start(&s);
    create(
        &s,
        "apps",
        "v1",
        "deployments",
        "default",
        deployment("p", 1, "app:1", json!({})),
    );
    wait_until(
        10,
        "available",
        getter(&s, "apps", "v1", "deployments", "default", "p"),
        |d| cond(d, "Progressing").is_some_and(|c| c["reason"] == "NewReplicaSetAvailable"),
    )
    .await;
    let ri = s.resource("apps", "v1", "deployments").expect("ri");
    s.merge_patch(
        &ri,
        "default",
        "p",
        &json!({"spec": {"paused": true, "replicas": 2,
                         "template": {"spec": {"containers": [{"name": "c", "image": "app:2"}]}}}}),
        &WriteOptions::default(),
    )
    .expect("patch");
    let d = wait_until(
        10,
        "paused",
        getter(&s, "apps", "v1", "deployments", "default", "p"),
        |d| {
            cond(d, "Progressing").is_some_and(|c| c["reason"] == "DeploymentPaused")
                && d["status"]["readyReplicas"] == 2
        },
    )
    .await;
    assert_eq!(cond(&d, "Progressing").expect("p")["status"], "Unknown");
    assert_eq!(
        list(&s, "apps", "replicasets", "default").len(),
        1,
        "no new ReplicaSet while paused"
    );
    s.merge_patch(
        &ri,
        "default",
        "p",
        &json!({"spec": {"paused": false}}),
        &WriteOptions::default(),
    )
    .expect("resume");
    wait_until(
        10,
        "rolled out",
        getter(&s, "apps", "v1", "deployments", "default", "p"),
        |d| {
            cond(d, "Progressing").is_some_and(|c| c["reason"] == "NewReplicaSetAvailable")
                && d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
                && d["status"]["replicas"] == 2
        },
    )
    .await;
}
