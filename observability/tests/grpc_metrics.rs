//! The gRPC layer on a real tonic server on 127.0.0.1:0: unary success,
//! trailers-only errors, server streams with and without a final error, and
//! the `/metrics` exposition that results.

mod common;

use helm_proto::hapi::services::tiller as svc;
use observability::{BuildInfo, GrpcServerLayer, Metrics};
use tokio_stream::StreamExt;

fn line_value(text: &str, prefix: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

const RS: &str = "hapi.services.tiller.ReleaseService";

#[tokio::test]
async fn layer_counts_unary_errors_and_streams() {
    let metrics = Metrics::new(&BuildInfo::default()).expect("metrics");
    let layer = GrpcServerLayer::new()
        .with_metrics(metrics.grpc.clone())
        .with_tracing(true);
    let addr = common::serve(common::TestService::default(), Some(layer)).await;
    let mut client = common::connect(addr).await;

    for _ in 0..2 {
        client
            .get_version(svc::GetVersionRequest {})
            .await
            .expect("version");
    }
    let err = client
        .get_history(svc::GetHistoryRequest::default())
        .await
        .expect_err("history fails");
    assert_eq!(err.code(), tonic::Code::NotFound);

    let mut stream = client
        .list_releases(svc::ListReleasesRequest::default())
        .await
        .expect("list")
        .into_inner();
    let mut n = 0;
    while let Some(item) = stream.next().await {
        item.expect("item");
        n += 1;
    }
    assert_eq!(n, 3);

    let mut stream = client
        .run_release_test(svc::TestReleaseRequest::default())
        .await
        .expect("test")
        .into_inner();
    assert!(stream.next().await.expect("first").is_ok());
    let err = stream.next().await.expect("second").expect_err("fails");
    assert_eq!(err.code(), tonic::Code::Unavailable);

    let text = metrics.encode_text().expect("encode");
    let unary = |m: &str| format!(r#"grpc_method="{m}",grpc_service="{RS}",grpc_type="unary""#);
    let stream_ =
        |m: &str| format!(r#"grpc_method="{m}",grpc_service="{RS}",grpc_type="server_stream""#);
    let v = |s: String| line_value(&text, &s).unwrap_or_else(|| panic!("no `{s}` in\n{text}"));

    assert_eq!(
        v(format!(
            "grpc_server_started_total{{{}}}",
            unary("GetVersion")
        )),
        2.0
    );
    assert_eq!(
        v(format!(
            r#"grpc_server_handled_total{{grpc_code="OK",{}}}"#,
            unary("GetVersion")
        )),
        2.0
    );
    assert_eq!(
        v(format!(
            "grpc_server_msg_received_total{{{}}}",
            unary("GetVersion")
        )),
        2.0
    );
    assert_eq!(
        v(format!(
            "grpc_server_msg_sent_total{{{}}}",
            unary("GetVersion")
        )),
        2.0
    );
    assert_eq!(
        v(format!(
            "grpc_server_handling_seconds_count{{{}}}",
            unary("GetVersion")
        )),
        2.0
    );

    // Trailers-only error: no message sent, code from the headers.
    assert_eq!(
        v(format!(
            r#"grpc_server_handled_total{{grpc_code="NotFound",{}}}"#,
            unary("GetHistory")
        )),
        1.0
    );
    assert_eq!(
        v(format!(
            "grpc_server_msg_sent_total{{{}}}",
            unary("GetHistory")
        )),
        0.0
    );

    assert_eq!(
        v(format!(
            "grpc_server_msg_sent_total{{{}}}",
            stream_("ListReleases")
        )),
        3.0
    );
    assert_eq!(
        v(format!(
            r#"grpc_server_handled_total{{grpc_code="OK",{}}}"#,
            stream_("ListReleases")
        )),
        1.0
    );

    // Status in trailers after a message.
    assert_eq!(
        v(format!(
            "grpc_server_msg_sent_total{{{}}}",
            stream_("RunReleaseTest")
        )),
        1.0
    );
    assert_eq!(
        v(format!(
            r#"grpc_server_handled_total{{grpc_code="Unavailable",{}}}"#,
            stream_("RunReleaseTest")
        )),
        1.0
    );

    // Populate every other family so the format checks see all of them.
    use observability::metrics::*;
    use std::time::Duration;
    metrics.leader.set_leader("tiller", true);
    metrics.leader.transition();
    metrics.leader.renew_failed();
    metrics.leader.set_term(3);
    metrics.release.set_count(ReleaseStatus::Deployed, 4);
    metrics.release.operation(
        Operation::Install,
        OperationOutcome::Success,
        Duration::from_secs(2),
    );
    metrics.release.hook("post-install", HookOutcome::Success);
    metrics.release.pending_recovered(1);
    metrics
        .forward
        .forwarded("/hapi.services.tiller.ReleaseService/InstallRelease");
    metrics
        .forward
        .error("/hapi.services.tiller.ReleaseService/InstallRelease");
    metrics
        .kube
        .request("create", "secrets", 201, Duration::from_millis(3));
    metrics.storage.write(WriteOutcome::TooLarge);
    metrics.cache.set_lag(Duration::from_millis(20));
    metrics.cache.synced("configmaps", 1.7e9);
    let text = metrics.encode_text().expect("encode");
    check_exposition(&text);
    for family in [
        "leader_election_master_status",
        "tiller_leader_transitions_total",
        "tiller_release_operation_duration_seconds",
        "tiller_kube_request_duration_seconds",
        "tiller_storage_writes_total",
        "tiller_cache_lag_seconds",
    ] {
        assert!(text.contains(&format!("# TYPE {family} ")), "{family}");
    }
    promtool_check(&text);
}

#[tokio::test]
async fn cancelled_calls_end_as_canceled() {
    let metrics = Metrics::new(&BuildInfo::default()).expect("metrics");
    let layer = GrpcServerLayer::new().with_metrics(metrics.grpc.clone());
    let addr = common::serve(common::TestService::default(), Some(layer)).await;
    let mut client = common::connect(addr).await;
    let call = client.get_release_status(svc::GetReleaseStatusRequest::default());
    // Dropping the call resets the HTTP/2 stream; the server drops the
    // handler future.
    let timed_out = tokio::time::timeout(std::time::Duration::from_millis(100), call).await;
    assert!(timed_out.is_err(), "the test service must not answer");
    let want = format!(
        r#"grpc_server_handled_total{{grpc_code="Canceled",grpc_method="GetReleaseStatus",grpc_service="{RS}",grpc_type="unary"}} 1"#
    );
    for _ in 0..100 {
        if metrics.encode_text().expect("encode").contains(&want) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("no `{want}` in\n{}", metrics.encode_text().expect("encode"));
}

#[tokio::test]
async fn unknown_paths_are_bounded_and_probe_routes_serve() {
    let metrics = Metrics::new(&BuildInfo::default()).expect("metrics");
    let layer = GrpcServerLayer::new().with_metrics(metrics.grpc.clone());
    let addr = common::serve(common::TestService::default(), Some(layer)).await;
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .expect("endpoint")
        .connect()
        .await
        .expect("connect");
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.expect("ready");
    let path = http::uri::PathAndQuery::from_static("/attacker.Chosen/Name123");
    let res: Result<tonic::Response<svc::GetVersionResponse>, _> = grpc
        .unary(
            tonic::Request::new(svc::GetVersionRequest {}),
            path,
            tonic_prost::ProstCodec::default(),
        )
        .await;
    assert_eq!(
        res.expect_err("unimplemented").code(),
        tonic::Code::Unimplemented
    );
    let text = metrics.encode_text().expect("encode");
    assert!(
        text.contains(r#"grpc_server_handled_total{grpc_code="Unimplemented",grpc_method="unknown",grpc_service="unknown",grpc_type="unary"} 1"#),
        "{text}"
    );
    assert!(!text.contains("Name123"));

    // The probe routes on a plain axum server.
    let ready = observability::http::Readiness::new();
    let app = observability::http::probe_router(metrics.clone(), ready.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let probe = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let get = |path: &'static str| async move { http_get(probe, path).await };
    let (status, _) = get("/readiness").await;
    assert_eq!(status, 503);
    ready.set(true);
    assert_eq!(get("/readiness").await.0, 200);
    assert_eq!(get("/liveness").await.0, 200);
    let (status, body) = get("/metrics").await;
    assert_eq!(status, 200);
    assert!(
        body.contains("# TYPE grpc_server_handled_total counter"),
        "{body}"
    );
}

/// A minimal HTTP/1.1 GET, to avoid an HTTP client dependency.
async fn http_get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .expect("write");
    let mut buf = String::new();
    s.read_to_string(&mut buf).await.expect("read");
    let status = buf
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("status line");
    (status, buf)
}

/// Structural checks of the text format: every sample belongs to a family
/// declared with HELP and TYPE, names and labels are well formed.
fn check_exposition(text: &str) {
    use std::collections::HashMap;
    let mut types: HashMap<&str, &str> = HashMap::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, ty) = rest.split_once(' ').expect("type line");
            assert!(
                ["counter", "gauge", "histogram", "summary", "untyped"].contains(&ty),
                "{line}"
            );
            assert!(types.insert(name, ty).is_none(), "duplicate TYPE {name}");
            continue;
        }
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let name_end = line.find(['{', ' ']).expect("sample");
        let name = &line[..name_end];
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "bad name {name}"
        );
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| {
                name.strip_suffix(s)
                    .filter(|f| types.get(f) == Some(&"histogram"))
            })
            .unwrap_or(name);
        assert!(types.contains_key(family), "sample {name} without TYPE");
        let value = line.rsplit(' ').next().expect("value");
        assert!(
            value.parse::<f64>().is_ok() || value == "+Inf",
            "bad value in {line}"
        );
    }
    for (name, ty) in [
        ("grpc_server_started_total", "counter"),
        ("grpc_server_handled_total", "counter"),
        ("grpc_server_msg_received_total", "counter"),
        ("grpc_server_msg_sent_total", "counter"),
        ("grpc_server_handling_seconds", "histogram"),
        ("tiller_build_info", "gauge"),
    ] {
        assert_eq!(types.get(name), Some(&ty), "{name}");
    }
}

/// `promtool check metrics` when promtool is installed (Debian package
/// `prometheus`); skipped with a message otherwise.
fn promtool_check(text: &str) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            eprintln!("skipping promtool check: promtool not runnable ({e})");
            return;
        }
    };
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("promtool");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "promtool check metrics failed:\n{report}"
    );
}
