//! Fault injection through the real request pipeline: error statuses with Retry-After,
//! per-listener partitions, watch faults, and the request log with both identities.

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

async fn send(
    c: &HttpClient,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Result<http::Response<hyper::body::Incoming>, hyper_util::client::legacy::Error> {
    let mut b = http::Request::builder()
        .method(method)
        .uri(url)
        .header("content-type", "application/json");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let body = body.map(|v| v.to_string()).unwrap_or_default();
    c.request(b.body(Full::new(Bytes::from(body))).expect("request"))
        .await
}

async fn call(
    c: &HttpClient,
    method: &str,
    url: &str,
    body: Option<Value>,
) -> (u16, http::HeaderMap, String) {
    let resp = send(c, method, url, &[], body).await.expect("response");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

async fn add_rule(c: &HttpClient, admin: &str, rule: Value) {
    let (code, _, body) = call(c, "POST", &format!("{admin}/faults"), Some(rule)).await;
    assert_eq!(code, 201, "{body}");
}

#[tokio::test]
async fn status_faults_carry_retry_after_and_expire_by_count() {
    let sim = kubesim::Server::builder().start().await.expect("server");
    let c = client();
    let admin = sim.admin_url();
    add_rule(
        &c,
        &admin,
        json!({"id": "busy", "match": {"verbs": ["list"], "resources": ["configmaps"]},
        "count": 1, "action": {"type": "status", "code": 429, "retry_after_s": 2}}),
    )
    .await;
    let url = format!("{}/api/v1/namespaces/default/configmaps", sim.url());
    let (code, headers, body) = call(&c, "GET", &url, None).await;
    assert_eq!(code, 429);
    assert_eq!(headers["retry-after"], "2");
    let status: Value = serde_json::from_str(&body).expect("status");
    assert_eq!(status["details"]["retryAfterSeconds"], 2);
    assert_eq!(status["reason"], "TooManyRequests");
    let (code, _, _) = call(&c, "GET", &url, None).await;
    assert_eq!(code, 200);

    add_rule(
        &c,
        &admin,
        json!({"id": "cas", "match": {"resources": ["configmaps"]}, "count": 1,
        "action": {"type": "conflict"}}),
    )
    .await;
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}});
    let (code, _, body) = call(&c, "POST", &url, Some(cm.clone())).await;
    assert_eq!(code, 409);
    assert!(body.contains("the object has been modified"), "{body}");
    let (code, _, _) = call(&c, "POST", &url, Some(cm)).await;
    assert_eq!(code, 201);

    let (_, _, log) = call(&c, "GET", &format!("{admin}/log"), None).await;
    let entries: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).expect("jsonl"))
        .collect();
    assert!(
        entries
            .iter()
            .any(|e| e["fault"] == "busy" && e["code"] == 429)
    );
    assert!(
        entries
            .iter()
            .any(|e| e["fault"] == "cas" && e["code"] == 409)
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn partition_cuts_one_listener_only() {
    let sim = kubesim::Server::builder()
        .api_ports(2)
        .start()
        .await
        .expect("server");
    let c = client();
    let admin = sim.admin_url();
    let urls = sim.api_urls();
    add_rule(
        &c,
        &admin,
        json!({"id": "split", "match": {"client": {"listener": 1}},
        "action": {"type": "partition", "reset": true}}),
    )
    .await;
    let path = "/api/v1/namespaces/default/configmaps";
    let (code, _, _) = call(&c, "GET", &format!("{}{path}", urls[0]), None).await;
    assert_eq!(code, 200);
    let cut = send(&c, "GET", &format!("{}{path}", urls[1]), &[], None).await;
    assert!(cut.is_err(), "listener 1 must be cut off");
    let (code, _, _) = call(&c, "DELETE", &format!("{admin}/faults/split"), None).await;
    assert_eq!(code, 200);
    let (code, _, _) = call(&c, "GET", &format!("{}{path}", urls[1]), None).await;
    assert_eq!(code, 200);
    sim.shutdown().await;
}

/// Reads watch event lines until the stream ends, breaks, `max` lines arrived, or nothing
/// arrives for `idle`.
async fn watch_lines(
    resp: http::Response<hyper::body::Incoming>,
    max: usize,
    idle: Duration,
) -> (Vec<Value>, &'static str) {
    let mut body = resp.into_body();
    let mut buf = String::new();
    let mut lines = Vec::new();
    loop {
        let frame = match tokio::time::timeout(idle, body.frame()).await {
            Err(_) => return (lines, "stalled"),
            Ok(None) => return (lines, "ended"),
            Ok(Some(Err(_))) => return (lines, "broken"),
            Ok(Some(Ok(f))) => f,
        };
        if let Ok(data) = frame.into_data() {
            buf.push_str(&String::from_utf8_lossy(&data));
            while let Some(i) = buf.find('\n') {
                let line: String = buf.drain(..=i).collect();
                if !line.trim().is_empty() {
                    lines.push(serde_json::from_str(line.trim()).expect("event json"));
                }
                if lines.len() >= max {
                    return (lines, "enough");
                }
            }
        }
    }
}

#[tokio::test]
async fn watch_faults() {
    let sim = kubesim::Server::builder().start().await.expect("server");
    let c = client();
    let admin = sim.admin_url();
    let url = format!("{}/api/v1/namespaces/default/configmaps?watch=1", sim.url());

    add_rule(
        &c,
        &admin,
        json!({"id": "exp", "count": 1, "action": {"type": "watch_expire"}}),
    )
    .await;
    let resp = send(&c, "GET", &url, &[], None).await.expect("watch");
    assert_eq!(resp.status(), 200);
    let (lines, end) = watch_lines(resp, 10, Duration::from_secs(5)).await;
    assert_eq!(end, "ended");
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["type"], "ERROR");
    assert_eq!(lines[0]["object"]["code"], 410);

    // The namespace has kube-root-ca.crt, so a fresh watch starts with one ADDED event.
    add_rule(
        &c,
        &admin,
        json!({"id": "close", "count": 1,
        "action": {"type": "watch_close", "after_events": 1, "abrupt": true}}),
    )
    .await;
    let resp = send(&c, "GET", &url, &[], None).await.expect("watch");
    let (lines, end) = watch_lines(resp, 10, Duration::from_secs(5)).await;
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["type"], "ADDED");
    assert_eq!(end, "broken");

    add_rule(
        &c,
        &admin,
        json!({"id": "stall", "count": 1,
        "action": {"type": "watch_stall", "after_events": 1}}),
    )
    .await;
    let resp = send(&c, "GET", &url, &[], None).await.expect("watch");
    let (lines, end) = watch_lines(resp, 10, Duration::from_millis(500)).await;
    assert_eq!(lines.len(), 1);
    assert_eq!(end, "stalled");
    sim.shutdown().await;
}

#[tokio::test]
async fn log_records_impersonation() {
    let sim = kubesim::Server::builder().start().await.expect("server");
    let c = client();
    let url = format!("{}/api/v1/namespaces/default/configmaps", sim.url());
    let resp = send(
        &c,
        "GET",
        &url,
        &[
            ("impersonate-user", "tiller-user"),
            ("user-agent", "Tiller/2.17"),
            ("x-sim-client", "tiller-0"),
        ],
        None,
    )
    .await
    .expect("response");
    assert_eq!(resp.status(), 200);
    let (_, _, log) = call(&c, "GET", &format!("{}/log", sim.admin_url()), None).await;
    let entry: Value = log
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("jsonl"))
        .find(|e| e["user_agent"] == "Tiller/2.17")
        .expect("logged");
    assert_eq!(entry["user"], "tiller-user");
    assert_eq!(entry["impersonator"], "system:admin");
    assert_eq!(entry["sim_client"], "tiller-0");
    assert_eq!(entry["verb"], "list");
    assert_eq!(entry["code"], 200);
    sim.shutdown().await;
}
