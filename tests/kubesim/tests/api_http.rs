//! End-to-end tests of the simulator over HTTP: CRUD, conflicts, watch resume and 410, paging,
//! CRD discovery, finalizers and garbage collection, namespace deletion, limits and the status
//! codes of bad input.

use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

type HttpClient = Client<HttpConnector, Full<Bytes>>;

fn client() -> HttpClient {
    Client::builder(TokioExecutor::new()).build_http()
}

struct Resp {
    status: u16,
    headers: http::HeaderMap,
    body: String,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

async fn call(
    c: &HttpClient,
    method: &str,
    url: &str,
    body: Option<Vec<u8>>,
    content_type: &str,
    accept: Option<&str>,
) -> Resp {
    let mut b = http::Request::builder()
        .method(method)
        .uri(url)
        .header("content-type", content_type);
    if let Some(a) = accept {
        b = b.header("accept", a);
    }
    let req = b
        .body(Full::new(Bytes::from(body.unwrap_or_default())))
        .expect("request");
    let resp = c.request(req).await.expect("response");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    Resp {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

async fn send(c: &HttpClient, method: &str, url: &str, body: Option<Value>) -> Resp {
    call(
        c,
        method,
        url,
        body.map(|b| b.to_string().into_bytes()),
        "application/json",
        None,
    )
    .await
}

async fn start() -> (kubesim::Server, HttpClient, String) {
    let sim = kubesim::Server::builder()
        .bookmark_interval(Duration::from_millis(200))
        .start()
        .await
        .expect("start");
    let url = sim.url();
    (sim, client(), url)
}

fn cm(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"a": "1"}})
}

/// Reads watch lines until `n` arrived or the timeout passes.
async fn watch_lines(c: &HttpClient, url: &str, n: usize) -> (u16, Vec<Value>) {
    let req = http::Request::builder()
        .uri(url)
        .body(Full::new(Bytes::new()))
        .expect("request");
    let resp = c.request(req).await.expect("response");
    let status = resp.status().as_u16();
    let mut body = resp.into_body();
    let mut buf = String::new();
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while out.len() < n {
        let frame = tokio::time::timeout_at(deadline, body.frame()).await;
        let Ok(Some(Ok(frame))) = frame else { break };
        if let Some(d) = frame.data_ref() {
            buf.push_str(&String::from_utf8_lossy(d));
            while let Some(i) = buf.find('\n') {
                let line: String = buf.drain(..=i).collect();
                out.push(serde_json::from_str(line.trim()).expect("one JSON event per line"));
            }
        }
    }
    (status, out)
}

async fn eventually<F, Fut>(f: F) -> bool
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..100 {
        if f().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    false
}

#[tokio::test]
async fn crud_and_conflicts() {
    let (sim, c, url) = start().await;
    let base = format!("{url}/api/v1/namespaces/default/configmaps");
    let r = send(&c, "POST", &base, Some(cm("c1"))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let created = r.json();
    assert!(created["metadata"]["uid"].is_string());
    let r = send(&c, "POST", &base, Some(cm("c1"))).await;
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["reason"], "AlreadyExists");
    assert_eq!(r.json()["message"], "configmaps \"c1\" already exists");

    let mut upd = created.clone();
    upd["data"]["a"] = json!("2");
    let r = send(&c, "PUT", &format!("{base}/c1"), Some(upd.clone())).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // The same (now stale) resourceVersion conflicts.
    upd["data"]["a"] = json!("3");
    let r = send(&c, "PUT", &format!("{base}/c1"), Some(upd)).await;
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["reason"], "Conflict");

    let r = call(
        &c,
        "PATCH",
        &format!("{base}/c1"),
        Some(br#"{"data":{"b":"x"}}"#.to_vec()),
        "application/merge-patch+json",
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["data"], json!({"a": "2", "b": "x"}));

    let r = call(
        &c,
        "PATCH",
        &format!("{base}/c1"),
        Some(br#"[{"op":"test","path":"/data/a","value":"nope"}]"#.to_vec()),
        "application/json-patch+json",
        None,
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.body);

    // A resourceVersion inside a patch is a precondition.
    let r = call(
        &c,
        "PATCH",
        &format!("{base}/c1"),
        Some(br#"{"metadata":{"resourceVersion":"1"},"data":{"a":"9"}}"#.to_vec()),
        "application/merge-patch+json",
        None,
    )
    .await;
    assert_eq!(r.status, 409);

    // Lease: PUT creates, PUT without resourceVersion is 422.
    let lease_url = format!("{url}/apis/coordination.k8s.io/v1/namespaces/default/leases/l1");
    let lease = json!({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
        "metadata": {"name": "l1"}, "spec": {"holderIdentity": "a", "renewTime": "2026-01-01T00:00:00.123456Z"}});
    let r = send(&c, "PUT", &lease_url, Some(lease.clone())).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["spec"]["renewTime"], "2026-01-01T00:00:00.123456Z");
    let r = send(&c, "PUT", &lease_url, Some(lease)).await;
    assert_eq!(r.status, 422);

    // Dry run stores nothing.
    let r = send(&c, "POST", &format!("{base}?dryRun=All"), Some(cm("dry"))).await;
    assert_eq!(r.status, 201);
    assert_eq!(
        send(&c, "GET", &format!("{base}/dry"), None).await.status,
        404
    );
    assert_eq!(
        send(&c, "POST", &format!("{base}?dryRun=Some"), Some(cm("dry")))
            .await
            .status,
        400
    );

    let r = send(
        &c,
        "DELETE",
        &format!("{base}/c1"),
        Some(json!({"propagationPolicy": "Background"})),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["status"], "Success");
    let r = send(&c, "GET", &format!("{base}/c1"), None).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["message"], "configmaps \"c1\" not found");
    sim.shutdown().await;
}

#[tokio::test]
async fn bad_input_status_codes() {
    let (sim, c, url) = start().await;
    let base = format!("{url}/api/v1/namespaces/default/configmaps");
    let r = call(
        &c,
        "POST",
        &base,
        Some(b"{not json".to_vec()),
        "application/json",
        None,
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["kind"], "Status");
    let r = send(&c, "GET", &format!("{url}/apis/nope.io/v1/things"), None).await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.json()["message"],
        "the server could not find the requested resource"
    );
    assert_eq!(
        send(&c, "GET", &format!("{url}/openapi/v2"), None)
            .await
            .status,
        404
    );
    let big = vec![b' '; 3 * 1024 * 1024 + 10];
    let r = call(&c, "POST", &base, Some(big), "application/json", None).await;
    assert_eq!(r.status, 413);
    let r = call(
        &c,
        "POST",
        &base,
        Some(b"\xa1".to_vec()),
        "application/cbor",
        None,
    )
    .await;
    assert_eq!(r.status, 415);
    send(&c, "POST", &base, Some(cm("p"))).await;
    let r = call(
        &c,
        "PATCH",
        &format!("{base}/p"),
        Some(b"{}".to_vec()),
        "text/plain",
        None,
    )
    .await;
    assert_eq!(r.status, 415);
    let r = send(&c, "POST", &base, Some(cm("Bad_Name"))).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["details"]["causes"][0]["field"], "metadata.name");
    let mut huge = cm("huge");
    huge["data"]["a"] = json!("x".repeat(1024 * 1024 + 1));
    let r = send(&c, "POST", &base, Some(huge)).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Too long: must have at most 1048576 bytes"));
    let r = call(
        &c,
        "GET",
        &base,
        None,
        "application/json",
        Some("application/vnd.kubernetes.protobuf"),
    )
    .await;
    assert_eq!(r.status, 406);
    let r = send(&c, "GET", &format!("{base}?labelSelector=a+in+b"), None).await;
    assert_eq!(r.status, 400);
    let r = send(
        &c,
        "GET",
        &format!("{base}?fieldSelector=status.phase%3DRunning"),
        None,
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("field label not supported"));
    let r = send(
        &c,
        "POST",
        &format!("{url}/api/v1/namespaces/missing/configmaps"),
        Some(cm("x")),
    )
    .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["message"], "namespaces \"missing\" not found");
    assert_eq!(
        send(&c, "POST", &format!("{base}/p"), Some(cm("p")))
            .await
            .status,
        405
    );
    assert_eq!(send(&c, "PUT", &base, Some(cm("p"))).await.status, 405);
    // Quirks: an empty first query pair, names with colons, unknown parameters.
    let r = send(
        &c,
        "GET",
        &format!("{base}?&limit=500&timeout=32s&bogus=1"),
        None,
    )
    .await;
    assert_eq!(r.status, 200);
    let r = send(
        &c,
        "GET",
        &format!("{url}/apis/rbac.authorization.k8s.io/v1/clusterroles/system:basic-user"),
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    sim.shutdown().await;
}

#[tokio::test]
async fn watch_resume_and_expiry() {
    let (sim, c, url) = start().await;
    let base = format!("{url}/api/v1/namespaces/default/configmaps");
    let r = send(&c, "POST", &base, Some(cm("w"))).await;
    let rv = r.json()["metadata"]["resourceVersion"]
        .as_str()
        .expect("rv")
        .to_owned();
    send(&c, "DELETE", &format!("{base}/w"), None).await;
    let (status, events) =
        watch_lines(&c, &format!("{base}?watch=1&resourceVersion={rv}"), 1).await;
    assert_eq!(status, 200);
    assert_eq!(events[0]["type"], "DELETED");
    assert_eq!(events[0]["object"]["kind"], "ConfigMap");

    // Bookmarks carry kind and apiVersion.
    let (_, events) = watch_lines(
        &c,
        &format!("{base}?watch=true&allowWatchBookmarks=true&resourceVersion={rv}"),
        2,
    )
    .await;
    let bm = events
        .iter()
        .find(|e| e["type"] == "BOOKMARK")
        .expect("bookmark");
    assert_eq!(bm["object"]["kind"], "ConfigMap");
    assert_eq!(bm["object"]["apiVersion"], "v1");

    // Compaction expires old resourceVersions: a 410 ERROR event inside a 200 stream.
    let admin = sim.admin_url();
    assert_eq!(
        send(&c, "POST", &format!("{admin}/compact"), None)
            .await
            .status,
        200
    );
    let (status, events) =
        watch_lines(&c, &format!("{base}?watch=1&resourceVersion={rv}"), 1).await;
    assert_eq!(status, 200);
    assert_eq!(events[0]["type"], "ERROR");
    assert_eq!(events[0]["object"]["code"], 410);
    assert_eq!(events[0]["object"]["reason"], "Expired");

    // Streaming list: ADDED for the current objects, then the initial-events-end bookmark.
    send(&c, "POST", &base, Some(cm("s1"))).await;
    let (_, events) = watch_lines(
        &c,
        &format!("{base}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true"),
        3,
    )
    .await;
    assert_eq!(events[0]["type"], "ADDED");
    let end = events
        .iter()
        .find(|e| e["type"] == "BOOKMARK")
        .expect("end bookmark");
    assert_eq!(
        end["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"],
        "true"
    );
    let r = send(
        &c,
        "GET",
        &format!("{base}?watch=1&sendInitialEvents=true"),
        None,
    )
    .await;
    assert_eq!(r.status, 422);

    // Selector transitions: an object leaving the selector is DELETED for that watcher.
    let r = send(&c, "GET", &base, None).await;
    let list_rv = r.json()["metadata"]["resourceVersion"]
        .as_str()
        .expect("rv")
        .to_owned();
    let mut labelled = cm("lab");
    labelled["metadata"]["labels"] = json!({"app": "x"});
    send(&c, "POST", &base, Some(labelled)).await;
    call(
        &c,
        "PATCH",
        &format!("{base}/lab"),
        Some(br#"{"metadata":{"labels":{"app":"y"}}}"#.to_vec()),
        "application/merge-patch+json",
        None,
    )
    .await;
    let (_, events) = watch_lines(
        &c,
        &format!("{base}?watch=1&labelSelector=app%3Dx&resourceVersion={list_rv}"),
        2,
    )
    .await;
    let types: Vec<&str> = events.iter().filter_map(|e| e["type"].as_str()).collect();
    assert_eq!(types, vec!["ADDED", "DELETED"]);
    sim.shutdown().await;
}

#[tokio::test]
async fn paging_with_continue() {
    let (sim, c, url) = start().await;
    let base = format!("{url}/api/v1/namespaces/default/configmaps");
    for i in 0..5 {
        send(&c, "POST", &base, Some(cm(&format!("p{i}")))).await;
    }
    let mut names = Vec::new();
    let mut next = format!("{base}?limit=2");
    let mut first_token = None;
    loop {
        let r = send(&c, "GET", &next, None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let v = r.json();
        for i in v["items"].as_array().expect("items") {
            names.push(i["metadata"]["name"].as_str().expect("name").to_owned());
        }
        match v["metadata"]["continue"].as_str() {
            Some(t) => {
                first_token.get_or_insert_with(|| t.to_owned());
                next = format!("{base}?limit=2&continue={t}");
            }
            None => break,
        }
    }
    assert_eq!(names.len(), 6, "{names:?}");
    send(&c, "POST", &format!("{}/compact", sim.admin_url()), None).await;
    send(&c, "POST", &base, Some(cm("later"))).await;
    let token = first_token.expect("paged");
    let r = send(&c, "GET", &format!("{base}?limit=2&continue={token}"), None).await;
    assert_eq!(r.status, 410);
    assert_eq!(r.json()["reason"], "Expired");
    sim.shutdown().await;
}

#[tokio::test]
async fn crd_discovery_and_custom_resources() {
    let (sim, c, url) = start().await;
    let crd = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "subresources": {"status": {}},
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}});
    let crds = format!("{url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions");
    assert_eq!(send(&c, "POST", &crds, Some(crd)).await.status, 201);
    let r = send(&c, "GET", &format!("{url}/apis/example.com/v1"), None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["resources"][0]["name"], "widgets");
    let agg = call(
        &c,
        "GET",
        &format!("{url}/apis"),
        None,
        "application/json",
        Some(
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json",
        ),
    )
    .await;
    assert!(
        agg.headers["content-type"]
            .to_str()
            .unwrap_or_default()
            .contains("as=APIGroupDiscoveryList")
    );
    assert!(
        agg.json()["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|i| i["metadata"]["name"] == "example.com")
    );
    let idx = send(&c, "GET", &format!("{url}/openapi/v3"), None)
        .await
        .json();
    assert!(idx["paths"]["apis/example.com/v1"].is_object());
    let established = eventually(|| async {
        let r = send(&c, "GET", &format!("{crds}/widgets.example.com"), None).await;
        r.json()["status"]["conditions"]
            .as_array()
            .is_some_and(|cs| {
                cs.iter()
                    .any(|x| x["type"] == "Established" && x["status"] == "True")
            })
    })
    .await;
    assert!(established);

    let wurl = format!("{url}/apis/example.com/v1/namespaces/default/widgets");
    let w = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w1"}, "spec": {"size": 1}});
    let r = send(&c, "POST", &wurl, Some(w)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["metadata"]["generation"], 1);
    // CR PUT needs a resourceVersion; SMP is 415.
    let mut w2 = r.json();
    w2["metadata"]
        .as_object_mut()
        .expect("meta")
        .remove("resourceVersion");
    assert_eq!(
        send(&c, "PUT", &format!("{wurl}/w1"), Some(w2))
            .await
            .status,
        422
    );
    let r = call(
        &c,
        "PATCH",
        &format!("{wurl}/w1"),
        Some(b"{}".to_vec()),
        "application/strategic-merge-patch+json",
        None,
    )
    .await;
    assert_eq!(r.status, 415);
    // Status writes leave generation alone.
    let r = call(
        &c,
        "PATCH",
        &format!("{wurl}/w1/status"),
        Some(br#"{"status":{"ok":true},"spec":{"size":9}}"#.to_vec()),
        "application/merge-patch+json",
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["metadata"]["generation"], 1);
    assert_eq!(r.json()["spec"]["size"], 1);
    let r = call(
        &c,
        "PATCH",
        &format!("{wurl}/w1"),
        Some(br#"{"spec":{"size":2}}"#.to_vec()),
        "application/merge-patch+json",
        None,
    )
    .await;
    assert_eq!(r.json()["metadata"]["generation"], 2);

    assert_eq!(
        send(&c, "DELETE", &format!("{crds}/widgets.example.com"), None)
            .await
            .status,
        200
    );
    let gone = eventually(|| async {
        send(&c, "GET", &format!("{url}/apis/example.com/v1"), None)
            .await
            .status
            == 404
    })
    .await;
    assert!(gone, "CRD group still served after delete");
    sim.shutdown().await;
}

#[tokio::test]
async fn finalizers_gc_and_namespace_deletion() {
    let (sim, c, url) = start().await;
    let base = format!("{url}/api/v1/namespaces/default/configmaps");
    let mut f = cm("fin");
    f["metadata"]["finalizers"] = json!(["example.com/hold"]);
    send(&c, "POST", &base, Some(f)).await;
    let r = send(&c, "DELETE", &format!("{base}/fin"), None).await;
    assert_eq!(r.status, 200);
    assert!(r.json()["metadata"]["deletionTimestamp"].is_string());
    assert_eq!(
        send(&c, "GET", &format!("{base}/fin"), None).await.status,
        200
    );
    call(
        &c,
        "PATCH",
        &format!("{base}/fin"),
        Some(br#"{"metadata":{"finalizers":null}}"#.to_vec()),
        "application/merge-patch+json",
        None,
    )
    .await;
    assert_eq!(
        send(&c, "GET", &format!("{base}/fin"), None).await.status,
        404
    );

    // Background garbage collection by ownerReferences.
    let owner = send(&c, "POST", &base, Some(cm("owner"))).await.json();
    let mut dep = cm("dep");
    dep["metadata"]["ownerReferences"] = json!([{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner["metadata"]["uid"]}]);
    send(&c, "POST", &base, Some(dep)).await;
    send(&c, "DELETE", &format!("{base}/owner"), None).await;
    assert!(
        eventually(|| async { send(&c, "GET", &format!("{base}/dep"), None).await.status == 404 })
            .await
    );

    // Namespace deletion: Terminating, creates refused, contents removed, then the namespace.
    let ns_url = format!("{url}/api/v1/namespaces");
    let r = send(
        &c,
        "POST",
        &ns_url,
        Some(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "t1"}})),
    )
    .await;
    assert_eq!(r.json()["status"]["phase"], "Active");
    let t1 = format!("{url}/api/v1/namespaces/t1/configmaps");
    let mut held = cm("held");
    held["metadata"]["finalizers"] = json!(["example.com/hold"]);
    send(&c, "POST", &t1, Some(held)).await;
    let r = send(&c, "DELETE", &format!("{ns_url}/t1"), None).await;
    assert_eq!(r.json()["status"]["phase"], "Terminating");
    let r = send(&c, "POST", &t1, Some(cm("new"))).await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("because it is being terminated"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        send(&c, "GET", &format!("{ns_url}/t1"), None).await.status,
        200,
        "held by a finalizer"
    );
    call(
        &c,
        "PATCH",
        &format!("{t1}/held"),
        Some(br#"{"metadata":{"finalizers":[]}}"#.to_vec()),
        "application/merge-patch+json",
        None,
    )
    .await;
    assert!(
        eventually(|| async { send(&c, "GET", &format!("{ns_url}/t1"), None).await.status == 404 })
            .await
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn persistence_survives_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = kubesim::Server::builder()
        .data_dir(dir.path())
        .start()
        .await
        .expect("start");
    let c = client();
    let base = format!("{}/api/v1/namespaces/default/configmaps", sim.url());
    send(&c, "POST", &base, Some(cm("kept"))).await;
    let rev = sim.store().revision();
    sim.shutdown().await;
    let sim = kubesim::Server::builder()
        .data_dir(dir.path())
        .start()
        .await
        .expect("restart");
    assert_eq!(sim.store().revision(), rev);
    let base = format!("{}/api/v1/namespaces/default/configmaps", sim.url());
    assert_eq!(
        send(&c, "GET", &format!("{base}/kept"), None).await.status,
        200
    );
    let kc = sim.kubeconfig();
    assert!(kc.contains(&sim.url()));
    sim.shutdown().await;
}

#[tokio::test]
async fn listeners_share_one_store() {
    let sim = kubesim::Server::builder()
        .api_ports(2)
        .start()
        .await
        .expect("start");
    let urls = sim.api_urls();
    assert_eq!(urls.len(), 2);
    let c = client();
    send(
        &c,
        "POST",
        &format!("{}/api/v1/namespaces/default/configmaps", urls[0]),
        Some(cm("shared")),
    )
    .await;
    let r = send(
        &c,
        "GET",
        &format!("{}/api/v1/namespaces/default/configmaps/shared", urls[1]),
        None,
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(sim.kubeconfig_for(1).contains(&urls[1]));
    let v = send(&c, "GET", &format!("{}/version", urls[1]), None)
        .await
        .json();
    assert_eq!(v["major"], "1");
    sim.shutdown().await;
}
