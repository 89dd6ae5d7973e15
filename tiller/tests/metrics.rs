//! `/metrics` on the probe port: a Tiller served with
//! `serve_grpc_with_metrics` against kubesim counts its gRPC calls, and the
//! scrape is valid Prometheus text (checked by `promtool` when installed).

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::*;
use helm_proto::hapi::services::tiller::GetVersionRequest;
use helm_proto::hapi::services::tiller::release_service_client::ReleaseServiceClient;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tonic::transport::Channel;

/// The body of `GET path` over plain HTTP/1.1 (status checked).
async fn http_get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .expect("write request");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await.expect("read response");
    let text = String::from_utf8(raw).expect("utf-8 response");
    let (head, body) = text.split_once("\r\n\r\n").expect("http response");
    assert!(head.starts_with("HTTP/1.1 200"), "GET {path}: {head}");
    body.to_owned()
}

/// The line of the `grpc_server_handled_total` series with these labels.
fn handled<'a>(scrape: &'a str, method: &str, code: &str) -> Option<&'a str> {
    scrape.lines().find(|l| {
        l.starts_with("grpc_server_handled_total{")
            && l.contains(&format!("grpc_method=\"{method}\""))
            && l.contains(&format!("grpc_code=\"{code}\""))
    })
}

#[tokio::test]
async fn metrics_count_grpc_calls_and_scrape_is_valid() {
    let env = start(Backend::Memory).await;
    let metrics = observability::Metrics::new(&tiller::build_info()).expect("metrics");

    let grpc = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind grpc");
    let grpc_addr = grpc.local_addr().expect("addr");
    let probe = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind probe");
    let probe_addr = probe.local_addr().expect("addr");
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let grpc_task = tokio::spawn(tiller::server::serve_grpc_with_metrics(
        env.server.clone(),
        grpc,
        metrics.clone(),
        stopped(stop_rx.clone()),
    ));
    let probe_task = tokio::spawn(tiller::server::serve_http(
        tiller::server::probe_router_with_metrics(metrics.clone()),
        probe,
        stopped(stop_rx),
    ));

    let channel = Channel::from_shared(format!("http://{grpc_addr}"))
        .expect("uri")
        .connect()
        .await
        .expect("connect");
    let mut client =
        ReleaseServiceClient::with_interceptor(channel.clone(), Header(Some("v2.17.0".to_owned())))
            .max_decoding_message_size(helm_proto::transport::MAX_MESSAGE_SIZE);
    client
        .get_version(GetVersionRequest {})
        .await
        .expect("GetVersion");
    client
        .install_release(install_req("metrics1", web_chart(), ""))
        .await
        .expect("InstallRelease");
    // An incompatible client is refused by the version check, which sits
    // inside the metrics layer: the refusal must be counted as well.
    let mut old =
        ReleaseServiceClient::with_interceptor(channel, Header(Some("v1.0.0".to_owned())));
    let refused = old
        .install_release(install_req("metrics2", web_chart(), ""))
        .await
        .expect_err("old client refused");
    assert_eq!(refused.code(), tonic::Code::Unknown, "{refused:?}");

    let scrape = http_get(probe_addr, "/metrics").await;
    assert!(
        handled(&scrape, "GetVersion", "OK").is_some(),
        "no GetVersion OK series in:\n{scrape}"
    );
    let install_ok = handled(&scrape, "InstallRelease", "OK").expect("InstallRelease OK series");
    assert!(install_ok.ends_with(" 1"), "{install_ok}");
    assert!(
        handled(&scrape, "InstallRelease", "Unknown").is_some(),
        "refused call not counted:\n{scrape}"
    );
    assert!(
        scrape
            .lines()
            .any(|l| l.starts_with("tiller_build_info{") && l.ends_with(" 1")),
        "no build info:\n{scrape}"
    );
    assert_eq!(http_get(probe_addr, "/liveness").await, "ok");

    match Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(mut child) => {
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(scrape.as_bytes())
                .expect("feed promtool");
            let out = child.wait_with_output().expect("promtool");
            assert!(
                out.status.success(),
                "promtool check metrics failed:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Err(e) => println!("note: promtool not run ({e}); the scrape was not linted"),
    }

    let _ = stop_tx.send(true);
    grpc_task.await.expect("join").expect("grpc server");
    probe_task.await.expect("join").expect("probe server");
}
