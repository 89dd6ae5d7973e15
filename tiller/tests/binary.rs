//! The `tiller` binary: Go-style flags, KUBECONFIG, the probe server,
//! gRPC with the version check, and a clean exit on SIGTERM.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use helm_proto::hapi::services::tiller::GetVersionRequest;
use helm_proto::hapi::services::tiller::release_service_client::ReleaseServiceClient;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

async fn http_get(port: u16, path: &str) -> Option<String> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .ok()?;
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).await.ok()?;
    Some(out)
}

#[tokio::test]
async fn binary_serves_probes_and_grpc_and_stops_on_sigterm() {
    let sim = kubesim::Server::builder().start().await.expect("kubesim");
    let dir = std::env::temp_dir().join(format!("tiller-bin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let kubeconfig = dir.join("kubeconfig");
    sim.write_kubeconfig(&kubeconfig).expect("kubeconfig");
    let (grpc, probe) = (free_port(), free_port());
    let mut child = Command::new(env!("CARGO_BIN_EXE_tiller"))
        .args([
            "-listen",
            &format!("127.0.0.1:{grpc}"),
            &format!("--probe-listen=127.0.0.1:{probe}"),
            "-storage=memory",
        ])
        .env("KUBECONFIG", &kubeconfig)
        .env("TILLER_NAMESPACE", "tiller-ns")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn tiller");

    let mut live = None;
    for _ in 0..100 {
        live = http_get(probe, "/liveness").await;
        if live.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let live = live.expect("probe server up");
    assert!(live.starts_with("HTTP/1.1 200"), "{live}");
    let ready = http_get(probe, "/readiness").await.expect("readiness");
    assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");

    let channel = tonic::transport::Channel::from_shared(format!("http://127.0.0.1:{grpc}"))
        .expect("uri")
        .connect()
        .await
        .expect("connect grpc");
    let mut c = ReleaseServiceClient::with_interceptor(channel.clone(), common::Header(None));
    let v = c
        .get_version(GetVersionRequest {})
        .await
        .expect("version")
        .into_inner();
    assert_eq!(v.version.expect("version").sem_ver, "v2.17.0");
    let err = c
        .get_history(helm_proto::hapi::services::tiller::GetHistoryRequest {
            name: "x".into(),
            max: 1,
        })
        .await
        .expect_err("no header");
    assert_eq!(
        err.message(),
        "incompatible versions client[] server[v2.17.0]"
    );

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let mut exited = None;
    for _ in 0..100 {
        if let Some(s) = child.try_wait().expect("wait") {
            exited = Some(s);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let exited = exited.unwrap_or_else(|| {
        let _ = child.kill();
        panic!("tiller did not stop on SIGTERM");
    });
    assert!(exited.success(), "{exited:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn binary_refuses_bad_flags_and_prints_its_version() {
    let out = Command::new(env!("CARGO_BIN_EXE_tiller"))
        .arg("-bogus")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "flag provided but not defined: -bogus"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_tiller"))
        .arg("--version")
        .output()
        .expect("run");
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "v2.17.0");
    let out = Command::new(env!("CARGO_BIN_EXE_tiller"))
        .args(["-storage=memory", "-tls"])
        .env("TILLER_TLS_CERTS", "/nonexistent")
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("reading certificate from /nonexistent/tls.crt"),
        "{err}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_tiller"))
        .arg("-trace")
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not implemented: -trace"));
}
