//! The `helm` binary against the real Tiller (in-process, gRPC on 127.0.0.1) backed by an
//! in-process kubesim: install → upgrade → rollback → history → list → delete → purge, checking
//! what Helm users see and what ends up in the cluster.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use tiller::cluster::Cluster;
use tiller::service::ReleaseServer;
use tiller::storage::{ConfigMaps, Storage};

struct Stack {
    _sim: kubesim::Server,
    kube: kube::Client,
    addr: std::net::SocketAddr,
    runtime: tokio::runtime::Runtime,
}

fn start() -> Stack {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (sim, kube, addr) = runtime.block_on(async {
        let sim = kubesim::Server::builder()
            .controllers(Some(kubesim::controllers::ControllerConfig {
                instant: true,
                ..Default::default()
            }))
            .start()
            .await
            .expect("start kubesim");
        let kubeconfig = kube::config::Kubeconfig::from_yaml(&sim.kubeconfig()).unwrap();
        let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
            .await
            .unwrap();
        let kube = kube::Client::try_from(config).unwrap();
        let server = ReleaseServer::new(
            Storage::new(Arc::new(ConfigMaps::new(kube.clone(), "kube-system"))),
            Cluster::new(kube.clone()),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(tiller::server::serve_grpc(
            server,
            listener,
            std::future::pending::<()>(),
        ));
        (sim, kube, addr)
    });
    Stack {
        _sim: sim,
        kube,
        addr,
        runtime,
    }
}

impl Stack {
    fn helm(&self, args: &[&str]) -> (String, String, i32) {
        let home = std::env::temp_dir().join("helm-e2e-home");
        let out = Command::new(env!("CARGO_BIN_EXE_helm"))
            .args(args)
            .env("HELM_HOST", self.addr.to_string())
            .env("HOME", &home)
            .env("KUBECONFIG", home.join("no-kubeconfig"))
            .env_remove("HELM_HOME")
            .output()
            .expect("running helm");
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.status.code().unwrap_or(-1),
        )
    }

    fn ok(&self, args: &[&str]) -> String {
        let (out, err, code) = self.helm(args);
        assert_eq!(
            (code, err.as_str()),
            (0, ""),
            "helm {args:?}\nstdout: {out}"
        );
        out
    }

    /// `data.value` of the release's ConfigMap in the cluster, if it exists.
    fn configmap_value(&self, name: &str) -> Option<String> {
        self.runtime.block_on(async {
            let req = http::Request::get(format!("/api/v1/namespaces/default/configmaps/{name}"))
                .body(Vec::new())
                .unwrap();
            match self.kube.request::<serde_json::Value>(req).await {
                Ok(v) => v["data"]["value"].as_str().map(str::to_owned),
                Err(kube::Error::Api(s)) if s.code == 404 => None,
                Err(e) => panic!("GET configmap {name}: {e}"),
            }
        })
    }
}

fn write_chart(dir: &Path) {
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v1\nname: e2e\nversion: 0.3.0\nappVersion: \"2.1\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("values.yaml"), "value: default\n").unwrap();
    std::fs::write(
        dir.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\ndata:\n  value: {{ .Values.value | quote }}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("templates/NOTES.txt"),
        "Release {{ .Release.Name }} holds {{ .Values.value }}.\n",
    )
    .unwrap();
}

#[test]
fn install_upgrade_rollback_history_delete() {
    let stack = start();
    let dir = tempfile::tempdir().unwrap();
    let chart_dir = dir.path().join("e2e");
    write_chart(&chart_dir);
    let chart = chart_dir.to_str().unwrap();

    let out = stack.ok(&["install", chart, "--name", "shop", "--set", "value=one"]);
    assert!(out.starts_with("NAME:   shop\nLAST DEPLOYED: "), "{out}");
    assert!(
        out.contains("\nNAMESPACE: default\nSTATUS: DEPLOYED\n\n"),
        "{out}"
    );
    assert!(out.contains("RESOURCES:\n==> v1/ConfigMap\n"), "{out}");
    // NOTES.txt keeps its newline and Helm adds one.
    assert!(
        out.ends_with("NOTES:\nRelease shop holds one.\n\n"),
        "{out}"
    );
    assert_eq!(stack.configmap_value("shop-cm").as_deref(), Some("one"));

    let out = stack.ok(&["upgrade", "shop", chart, "--set", "value=two"]);
    assert!(
        out.starts_with("Release \"shop\" has been upgraded.\nLAST DEPLOYED: "),
        "{out}"
    );
    assert_eq!(stack.configmap_value("shop-cm").as_deref(), Some("two"));
    assert_eq!(stack.ok(&["get", "values", "shop"]), "value: two\n\n");
    assert_eq!(
        stack.ok(&[
            "get",
            "values",
            "shop",
            "--revision",
            "1",
            "--output",
            "json"
        ]),
        "{\"value\":\"one\"}\n"
    );
    assert_eq!(
        stack.ok(&["get", "notes", "shop"]),
        "NOTES:\nRelease shop holds two.\n\n"
    );

    assert_eq!(
        stack.ok(&["rollback", "shop", "1"]),
        "Rollback was a success.\n"
    );
    assert_eq!(stack.configmap_value("shop-cm").as_deref(), Some("one"));

    let history: serde_json::Value =
        serde_json::from_str(&stack.ok(&["history", "shop", "-o", "json"])).unwrap();
    let rows: Vec<(i64, &str, &str, &str)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["revision"].as_i64().unwrap(),
                r["status"].as_str().unwrap(),
                r["chart"].as_str().unwrap(),
                r["description"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (1, "SUPERSEDED", "e2e-0.3.0", "Install complete"),
            (2, "SUPERSEDED", "e2e-0.3.0", "Upgrade complete"),
            (3, "DEPLOYED", "e2e-0.3.0", "Rollback to 1"),
        ]
    );
    let table = stack.ok(&["history", "shop", "--max", "1"]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 2, "{table}");
    assert!(lines[0].starts_with("REVISION\tUPDATED"), "{table}");
    assert!(lines[1].starts_with("3       \t"), "{table}");
    assert!(
        lines[1].ends_with("\tDEPLOYED\te2e-0.3.0\t2.1        \tRollback to 1"),
        "{table}"
    );

    // upgrade --install of a new name installs it.
    let out = stack.ok(&["upgrade", "--install", "cart", chart]);
    assert!(
        out.starts_with("Release \"cart\" does not exist. Installing it now.\nNAME:   cart\n"),
        "{out}"
    );
    assert_eq!(stack.ok(&["list", "-q"]), "cart\nshop\n");
    let list = stack.ok(&["list"]);
    assert!(list.starts_with("NAME\tREVISION\tUPDATED"), "{list}");
    assert!(list.contains("\nshop\t3       \t"), "{list}");

    assert_eq!(stack.ok(&["delete", "shop"]), "release \"shop\" deleted\n");
    assert_eq!(stack.configmap_value("shop-cm"), None);
    assert_eq!(stack.ok(&["list", "-q"]), "cart\n");
    assert_eq!(stack.ok(&["list", "--deleted", "-q"]), "shop\n");
    let (_, err, code) = stack.helm(&["delete", "shop"]);
    assert_eq!(
        (code, err.as_str()),
        (1, "Error: the release named \"shop\" is already deleted\n")
    );
    assert_eq!(
        stack.ok(&["delete", "--purge", "shop", "cart"]),
        "release \"shop\" deleted\nrelease \"cart\" deleted\n"
    );
    let (_, err, code) = stack.helm(&["history", "shop"]);
    assert_eq!(
        (code, err.as_str()),
        (1, "Error: release: \"shop\" not found\n")
    );
    assert_eq!(stack.ok(&["list", "--all"]), "");

    let version = stack.ok(&["version", "--server", "--short"]);
    assert!(version.starts_with("Server: v2.17.0"), "{version}");
}
