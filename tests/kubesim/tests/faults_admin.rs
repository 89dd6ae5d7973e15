//! The fault injector's admin API over HTTP: installing, listing and removing rules, and the
//! JSONL request log.

use std::sync::Arc;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use kubesim::RequestInfo;
use kubesim::faults::{FaultAction, FaultInjector, LogEntry};
use serde_json::Value;

type HttpClient = Client<HttpConnector, Full<Bytes>>;

async fn serve(inj: Arc<FaultInjector>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, inj.admin_router()).await;
    });
    format!("http://{addr}")
}

async fn call(c: &HttpClient, method: &str, url: &str, body: Option<&str>) -> (u16, String) {
    let req = http::Request::builder()
        .method(method)
        .uri(url)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.unwrap_or("").to_owned())))
        .expect("request");
    let resp = c.request(req).await.expect("response");
    let status = resp.status().as_u16();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

fn write_req() -> RequestInfo {
    RequestInfo {
        verb: "create".to_owned(),
        method: "POST".to_owned(),
        resource: "configmaps".to_owned(),
        namespace: "t1".to_owned(),
        is_resource_request: true,
        path: "/api/v1/namespaces/t1/configmaps".to_owned(),
        user_agent: "Helm/4.0.0".to_owned(),
        ..RequestInfo::default()
    }
}

#[tokio::test]
async fn rules_round_trip_through_the_admin_api() {
    let inj = Arc::new(FaultInjector::new(42));
    let base = serve(inj.clone()).await;
    let c: HttpClient = Client::builder(TokioExecutor::new()).build_http();

    let (code, body) = call(&c, "POST", &format!("{base}/faults"), Some(
        r#"{"id": "helm-writes", "match": {"client": {"user_agent": "Helm/*"}, "verbs": ["create"]},
            "count": 1, "action": {"type": "status", "code": 503, "retry_after_s": 1}}"#,
    ))
    .await;
    assert_eq!(code, 201, "{body}");
    let rule: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(rule["id"], "helm-writes");

    match inj.check(&write_req()) {
        Some(FaultAction::Respond(e)) => {
            assert_eq!(e.code, 503);
            assert_eq!(e.details.retry_after_seconds, Some(1));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(inj.check(&write_req()).is_none(), "count 1 is used up");

    let (code, body) = call(&c, "GET", &format!("{base}/faults"), None).await;
    assert_eq!(code, 200);
    let listed: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(listed["rules"][0]["fired"], 1);
    assert_eq!(listed["rules"][0]["expired"], true);

    let (code, _) = call(&c, "DELETE", &format!("{base}/faults/helm-writes"), None).await;
    assert_eq!(code, 200);
    let (code, body) = call(&c, "DELETE", &format!("{base}/faults/helm-writes"), None).await;
    assert_eq!(code, 404);
    assert!(body.contains("not found"), "{body}");

    let (code, body) = call(
        &c,
        "POST",
        &format!("{base}/faults"),
        Some(r#"{"action": {"type": "nope"}}"#),
    )
    .await;
    assert_eq!(code, 400);
    let status: Value = serde_json::from_str(&body).expect("status json");
    assert!(
        status["message"]
            .as_str()
            .expect("message")
            .starts_with("invalid fault rule"),
        "{body}"
    );
    let (code, _) = call(&c, "POST", &format!("{base}/faults"), Some("not json")).await;
    assert_eq!(code, 400);

    call(
        &c,
        "POST",
        &format!("{base}/faults"),
        Some(r#"{"action": {"type": "hang"}}"#),
    )
    .await;
    let (code, _) = call(&c, "POST", &format!("{base}/faults/clear"), None).await;
    assert_eq!(code, 200);
    assert!(inj.check(&write_req()).is_none());
}

#[tokio::test]
async fn log_is_served_as_jsonl() {
    let inj = Arc::new(FaultInjector::new(1));
    let base = serve(inj.clone()).await;
    let c: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    for code in [201, 409] {
        let mut e = LogEntry::for_request(&write_req());
        e.code = code;
        e.latency_ms = 1.5;
        inj.record(e);
    }
    let (code, body) = call(&c, "GET", &format!("{base}/log"), None).await;
    assert_eq!(code, 200);
    let lines: Vec<Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["code"], 201);
    assert_eq!(lines[1]["code"], 409);
    assert_eq!(lines[0]["verb"], "create");
    assert_eq!(lines[0]["user_agent"], "Helm/4.0.0");
    assert_eq!(lines[0]["path"], "/api/v1/namespaces/t1/configmaps");
    let (code, _) = call(&c, "POST", &format!("{base}/log/clear"), None).await;
    assert_eq!(code, 200);
    let (_, body) = call(&c, "GET", &format!("{base}/log"), None).await;
    assert!(body.is_empty());
}
