//! The release commands end to end against a fixed-response Tiller: a small `ReleaseService`
//! on 127.0.0.1 that answers from a fixed set of releases and records every request. Each test
//! runs the real `helm` binary and checks its exact stdout, stderr and exit code, and what it
//! sent.

use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use helm_proto::hapi::chart::{Chart, Config, Metadata};
use helm_proto::hapi::release::{
    Hook, Info, Release, Status, TestRun, TestSuite, status::Code, test_run,
};
use helm_proto::hapi::services::tiller as svc;
use helm_proto::hapi::services::tiller::release_service_server::{
    ReleaseService, ReleaseServiceServer,
};
use helm_proto::hapi::version::Version;
use prost_types::Timestamp;
use tokio_stream::Stream;
use tonic::{Request, Response};

/// Every request the fake received, in order, as `Debug` text (enough to assert on fields).
type Log = Arc<Mutex<Vec<String>>>;

struct Fake {
    log: Log,
}

fn ts(seconds: i64) -> Option<Timestamp> {
    Some(Timestamp { seconds, nanos: 0 })
}

fn chart(name: &str, version: &str, app: &str) -> Chart {
    Chart {
        metadata: Some(Metadata {
            name: name.to_owned(),
            version: version.to_owned(),
            app_version: app.to_owned(),
            ..Metadata::default()
        }),
        values: Some(Config {
            raw: "replicas: 1\nimage: nginx\n".to_owned(),
            ..Config::default()
        }),
        ..Chart::default()
    }
}

fn release(name: &str, version: i32, code: Code, description: &str) -> Release {
    Release {
        name: name.to_owned(),
        version,
        namespace: "default".to_owned(),
        chart: Some(chart("demo", "0.1.0", "1.0")),
        config: Some(Config {
            raw: "replicas: 2\n".to_owned(),
            ..Config::default()
        }),
        manifest: "\n---\n# Source: demo/templates/cm.yaml\nkind: ConfigMap\n".to_owned(),
        hooks: vec![Hook {
            name: "web-test".to_owned(),
            manifest: "kind: Pod\n".to_owned(),
            ..Hook::default()
        }],
        info: Some(Info {
            status: Some(Status {
                code: code as i32,
                notes: "Visit the web.".to_owned(),
                ..Status::default()
            }),
            first_deployed: ts(242_085_845),
            last_deployed: ts(242_085_845 + i64::from(version) * 60),
            description: description.to_owned(),
            ..Info::default()
        }),
    }
}

fn not_found(name: &str) -> tonic::Status {
    tonic::Status::unknown(format!("release: {name:?} not found"))
}

type Stream2<T> = Pin<Box<dyn Stream<Item = Result<T, tonic::Status>> + Send>>;

impl Fake {
    fn record<T: std::fmt::Debug>(&self, req: &Request<T>) -> Result<(), tonic::Status> {
        // Real Tiller refuses calls without a compatible client version.
        let version = req
            .metadata()
            .get("x-helm-api-client")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if version != "v2.17.0" {
            return Err(tonic::Status::unknown(format!(
                "incompatible versions client[{version}] server[v2.17.0]"
            )));
        }
        self.log
            .lock()
            .unwrap()
            .push(format!("{:?}", req.get_ref()));
        Ok(())
    }
}

#[tonic::async_trait]
impl ReleaseService for Fake {
    type ListReleasesStream = Stream2<svc::ListReleasesResponse>;
    type RunReleaseTestStream = Stream2<svc::TestReleaseResponse>;

    async fn list_releases(
        &self,
        request: Request<svc::ListReleasesRequest>,
    ) -> Result<Response<Self::ListReleasesStream>, tonic::Status> {
        self.record(&request)?;
        let messages = if request.get_ref().filter == "none" {
            vec![]
        } else {
            // Two chunks, as Tiller splits big lists; the first revision of "web" must be
            // dropped by the client in favour of the second.
            let head = |releases| svc::ListReleasesResponse {
                count: 3,
                next: "zeta".to_owned(),
                total: 9,
                releases,
            };
            vec![
                Ok(head(vec![
                    release("web", 1, Code::Deployed, "Install complete"),
                    release("db", 1, Code::Failed, "Release \"db\" failed"),
                ])),
                Ok(head(vec![release(
                    "web",
                    2,
                    Code::Deployed,
                    "Upgrade complete",
                )])),
            ]
        };
        Ok(Response::new(Box::pin(tokio_stream::iter(messages))))
    }

    async fn get_release_status(
        &self,
        request: Request<svc::GetReleaseStatusRequest>,
    ) -> Result<Response<svc::GetReleaseStatusResponse>, tonic::Status> {
        self.record(&request)?;
        let name = request.get_ref().name.clone();
        if name != "web" && name != "fresh" {
            return Err(not_found(&name));
        }
        let mut info = release(&name, 2, Code::Deployed, "x").info.unwrap();
        let status = info.status.as_mut().unwrap();
        status.resources = "==> v1/ConfigMap\nNAME      DATA  AGE\nweb-cm    1     5s\n\n==> v1/Pod(related)\nNAME         READY  STATUS   RESTARTS  AGE\nweb-1-abcde  1/1    Running  0         5s\n".to_owned();
        status.last_test_suite_run = Some(TestSuite {
            started_at: ts(242_085_900),
            completed_at: ts(242_085_910),
            results: vec![TestRun {
                name: "web-test".to_owned(),
                status: test_run::Status::Success as i32,
                info: String::new(),
                started_at: ts(242_085_900),
                completed_at: ts(242_085_910),
            }],
        });
        Ok(Response::new(svc::GetReleaseStatusResponse {
            name,
            info: Some(info),
            namespace: "default".to_owned(),
        }))
    }

    async fn get_release_content(
        &self,
        request: Request<svc::GetReleaseContentRequest>,
    ) -> Result<Response<svc::GetReleaseContentResponse>, tonic::Status> {
        self.record(&request)?;
        let req = request.get_ref();
        if req.name != "web" {
            return Err(not_found(&req.name));
        }
        let version = if req.version == 0 { 2 } else { req.version };
        Ok(Response::new(svc::GetReleaseContentResponse {
            release: Some(release("web", version, Code::Deployed, "Upgrade complete")),
        }))
    }

    async fn update_release(
        &self,
        request: Request<svc::UpdateReleaseRequest>,
    ) -> Result<Response<svc::UpdateReleaseResponse>, tonic::Status> {
        self.record(&request)?;
        let req = request.get_ref();
        if req.name != "web" || req.description == "explode" {
            return Err(tonic::Status::unknown(
                "an upgrade failed: deployment web had an error",
            ));
        }
        Ok(Response::new(svc::UpdateReleaseResponse {
            release: Some(release("web", 3, Code::Deployed, "Upgrade complete")),
        }))
    }

    async fn install_release(
        &self,
        request: Request<svc::InstallReleaseRequest>,
    ) -> Result<Response<svc::InstallReleaseResponse>, tonic::Status> {
        self.record(&request)?;
        let req = request.get_ref();
        if req.name == "broken" {
            return Err(tonic::Status::unknown(
                "release broken failed: timed out waiting for the condition",
            ));
        }
        let name = if req.name.is_empty() {
            "fresh".to_owned()
        } else {
            req.name.clone()
        };
        let description = if req.dry_run {
            "Validation skipped because CRDs are not installed"
        } else {
            "Install complete"
        };
        Ok(Response::new(svc::InstallReleaseResponse {
            release: Some(release(&name, 1, Code::Deployed, description)),
        }))
    }

    async fn uninstall_release(
        &self,
        request: Request<svc::UninstallReleaseRequest>,
    ) -> Result<Response<svc::UninstallReleaseResponse>, tonic::Status> {
        self.record(&request)?;
        let req = request.get_ref();
        match req.name.as_str() {
            "web" => Ok(Response::new(svc::UninstallReleaseResponse {
                release: Some(release("web", 2, Code::Deleted, "Deletion complete")),
                info: "These resources were kept due to the resource policy:\n[ConfigMap] keep\n"
                    .to_owned(),
            })),
            "broken" => Ok(Response::new(svc::UninstallReleaseResponse::default())),
            other => Err(not_found(other)),
        }
    }

    async fn get_version(
        &self,
        request: Request<svc::GetVersionRequest>,
    ) -> Result<Response<svc::GetVersionResponse>, tonic::Status> {
        self.record(&request)?;
        Ok(Response::new(svc::GetVersionResponse {
            version: Some(Version {
                sem_ver: "v2.17.0".to_owned(),
                git_commit: "a690bad98af45b015bd3da1a41f6218b1a451dbe".to_owned(),
                git_tree_state: "clean".to_owned(),
            }),
        }))
    }

    async fn rollback_release(
        &self,
        request: Request<svc::RollbackReleaseRequest>,
    ) -> Result<Response<svc::RollbackReleaseResponse>, tonic::Status> {
        self.record(&request)?;
        let req = request.get_ref();
        if req.name != "web" {
            return Err(not_found(&req.name));
        }
        Ok(Response::new(svc::RollbackReleaseResponse {
            release: Some(release("web", 3, Code::Deployed, "Rollback to 1")),
        }))
    }

    async fn get_history(
        &self,
        request: Request<svc::GetHistoryRequest>,
    ) -> Result<Response<svc::GetHistoryResponse>, tonic::Status> {
        self.record(&request)?;
        let req = request.get_ref();
        if req.name != "web" {
            return Err(not_found(&req.name));
        }
        // Newest first, as Tiller answers.
        let all = vec![
            release("web", 2, Code::Deployed, "Upgrade complete"),
            release("web", 1, Code::Superseded, "Install complete"),
        ];
        let max = usize::try_from(req.max).unwrap_or(0);
        Ok(Response::new(svc::GetHistoryResponse {
            releases: all.into_iter().take(max).collect(),
        }))
    }

    async fn run_release_test(
        &self,
        request: Request<svc::TestReleaseRequest>,
    ) -> Result<Response<Self::RunReleaseTestStream>, tonic::Status> {
        self.record(&request)?;
        let name = request.get_ref().name.clone();
        let msg = |msg: &str, status: test_run::Status| {
            Ok(svc::TestReleaseResponse {
                msg: msg.to_owned(),
                status: status as i32,
            })
        };
        let messages = match name.as_str() {
            "web" => vec![
                msg("RUNNING: web-ok", test_run::Status::Running),
                msg("PASSED: web-ok", test_run::Status::Success),
                msg("RUNNING: web-bad", test_run::Status::Running),
                msg(
                    "FAILED: web-bad, run `kubectl logs web-bad --namespace default` for more info",
                    test_run::Status::Failure,
                ),
            ],
            "quiet" => vec![msg("No Tests Found", test_run::Status::Unknown)],
            other => vec![Err(not_found(other))],
        };
        Ok(Response::new(Box::pin(tokio_stream::iter(messages))))
    }
}

/// Starts the fake on a free port in a thread of its own.
fn start() -> (SocketAddr, Log) {
    let log: Log = Arc::default();
    let fake = Fake { log: log.clone() };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            tonic::transport::Server::builder()
                .add_service(ReleaseServiceServer::new(fake))
                .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener))
                .await
                .unwrap();
        });
    });
    (rx.recv().unwrap(), log)
}

struct Run {
    stdout: String,
    stderr: String,
    code: i32,
}

fn helm_at(addr: &SocketAddr, args: &[&str]) -> Run {
    let home = std::env::temp_dir().join("helm-release-commands-home");
    let out: Output = Command::new(env!("CARGO_BIN_EXE_helm"))
        .args(args)
        .env("HELM_HOST", addr.to_string())
        .env("TZ", "UTC")
        .env("HOME", &home)
        .env("KUBECONFIG", home.join("no-kubeconfig"))
        .env_remove("HELM_HOME")
        .env_remove("TILLER_NAMESPACE")
        .env_remove("HELM_TLS_ENABLE")
        .env_remove("HELM_TLS_VERIFY")
        .output()
        .expect("running helm");
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

fn ok(run: &Run, stdout: &str) {
    assert_eq!(run.stderr, "", "stderr");
    assert_eq!(run.code, 0, "exit code");
    pretty_eq(&run.stdout, stdout);
}

fn fails(run: &Run, stdout: &str, stderr: &str) {
    pretty_eq(&run.stdout, stdout);
    pretty_eq(&run.stderr, stderr);
    assert_eq!(run.code, 1, "exit code");
}

fn pretty_eq(got: &str, want: &str) {
    assert!(
        got == want,
        "\n--- got ---\n{got}\n--- want ---\n{want}\n--- got (debug) ---\n{got:?}\n"
    );
}

fn write_chart(dir: &Path) {
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v1\nname: demo\nversion: 0.1.0\nappVersion: \"1.0\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("values.yaml"), "replicas: 1\n").unwrap();
    std::fs::write(
        dir.join("templates/cm.yaml"),
        "kind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n",
    )
    .unwrap();
}

const STATUS_TABLE: &str = "LAST DEPLOYED: Fri Sep  2 22:06:05 1977
NAMESPACE: default
STATUS: DEPLOYED

RESOURCES:
==> v1/ConfigMap
NAME    DATA  AGE
web-cm  1     5s

==> v1/Pod(related)
NAME         READY  STATUS   RESTARTS  AGE
web-1-abcde  1/1    Running  0         5s

TEST SUITE:
Last Started: Fri Sep  2 22:05:00 1977
Last Completed: Fri Sep  2 22:05:10 1977

TEST    \tSTATUS    \tINFO\tSTARTED                 \tCOMPLETED               
web-test\tSUCCESS   \t    \tFri Sep  2 22:05:00 1977\tFri Sep  2 22:05:10 1977
NOTES:
Visit the web.
";

#[test]
fn status_table_json_yaml() {
    let (addr, log) = start();
    ok(&helm_at(&addr, &["status", "web"]), STATUS_TABLE);
    assert_eq!(
        log.lock().unwrap().as_slice(),
        [r#"GetReleaseStatusRequest { name: "web", version: 0 }"#]
    );
    let json = helm_at(&addr, &["status", "web", "-o", "json", "--revision", "2"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    assert!(
        json.stdout.starts_with(
            r#"{"name":"web","info":{"status":{"code":1,"resources":"==\u003e v1/ConfigMap\n"#
        ),
        "{}",
        json.stdout
    );
    assert!(json.stdout.ends_with("\"namespace\":\"default\"}\n"));
    assert!(
        json.stdout
            .contains(r#""first_deployed":{"seconds":242085845}"#)
    );
    let yaml = helm_at(&addr, &["status", "web", "--output", "yaml"]);
    assert_eq!(yaml.code, 0, "{}", yaml.stderr);
    assert!(
        yaml.stdout
            .starts_with("info:\n  Description: x\n  first_deployed:\n    seconds: 242085845\n"),
        "{}",
        yaml.stdout
    );
    assert!(
        yaml.stdout.ends_with("name: web\nnamespace: default\n\n"),
        "{}",
        yaml.stdout
    );
    fails(
        &helm_at(&addr, &["status", "nope"]),
        "",
        "Error: release: \"nope\" not found\n",
    );
    fails(
        &helm_at(&addr, &["status"]),
        "",
        "Error: release name is required\n",
    );
    let bad = helm_at(&addr, &["status", "web", "-o", "xml"]);
    assert_eq!(bad.code, 1);
    assert!(
        bad.stderr.contains("unsupported format xml"),
        "{}",
        bad.stderr
    );
}

#[test]
fn list_formats() {
    let (addr, log) = start();
    ok(
        &helm_at(&addr, &["list"]),
        "\tnext: zeta\n\
         NAME\tREVISION\tUPDATED                 \tSTATUS  \tCHART     \tAPP VERSION\tNAMESPACE\n\
         db  \t1       \tFri Sep  2 22:05:05 1977\tFAILED  \tdemo-0.1.0\t1.0        \tdefault  \n\
         web \t2       \tFri Sep  2 22:06:05 1977\tDEPLOYED\tdemo-0.1.0\t1.0        \tdefault  \n",
    );
    assert_eq!(
        log.lock().unwrap()[0],
        r#"ListReleasesRequest { limit: 256, offset: "", sort_by: Name, filter: "", sort_order: Asc, status_codes: [Deployed, Failed], namespace: "" }"#
    );
    ok(&helm_at(&addr, &["ls", "-q"]), "db\nweb\n");
    ok(
        &helm_at(&addr, &["ls", "--col-width", "4"]),
        "\tnext: zeta\n\
         NAME\tR...\tU...\tS...\tC...\tA...\tN...\n\
         db  \t1   \tF...\tF...\td...\t1.0 \td...\n\
         web \t2   \tF...\tD...\td...\t1.0 \td...\n",
    );
    ok(
        &helm_at(&addr, &["list", "--output", "json", "-q"]),
        "[\"db\",\"web\"]\n",
    );
    ok(
        &helm_at(&addr, &["list", "--output", "json"]),
        "{\"Next\":\"zeta\",\"Releases\":[{\"Name\":\"db\",\"Revision\":1,\"Updated\":\"Fri Sep  2 22:05:05 1977\",\"Status\":\"FAILED\",\"Chart\":\"demo-0.1.0\",\"AppVersion\":\"1.0\",\"Namespace\":\"default\"},{\"Name\":\"web\",\"Revision\":2,\"Updated\":\"Fri Sep  2 22:06:05 1977\",\"Status\":\"DEPLOYED\",\"Chart\":\"demo-0.1.0\",\"AppVersion\":\"1.0\",\"Namespace\":\"default\"}]}\n",
    );
    ok(
        &helm_at(&addr, &["list", "--output", "yaml"]),
        "Next: zeta\nReleases:\n- AppVersion: \"1.0\"\n  Chart: demo-0.1.0\n  Name: db\n  Namespace: default\n  Revision: 1\n  Status: FAILED\n  Updated: Fri Sep  2 22:05:05 1977\n- AppVersion: \"1.0\"\n  Chart: demo-0.1.0\n  Name: web\n  Namespace: default\n  Revision: 2\n  Status: DEPLOYED\n  Updated: Fri Sep  2 22:06:05 1977\n\n",
    );
    // No release at all: Tiller sends no message and helm prints nothing.
    ok(&helm_at(&addr, &["list", "none"]), "");
    log.lock().unwrap().clear();
    ok(
        &helm_at(
            &addr,
            &[
                "list",
                "-a",
                "-d",
                "-r",
                "-m",
                "5",
                "-o",
                "web",
                "--namespace",
                "prod",
                "-q",
            ],
        ),
        "db\nweb\n",
    );
    assert_eq!(
        log.lock().unwrap()[0],
        r#"ListReleasesRequest { limit: 5, offset: "web", sort_by: LastReleased, filter: "", sort_order: Desc, status_codes: [Unknown, Deployed, Deleted, Deleting, Failed, PendingInstall, PendingUpgrade, PendingRollback], namespace: "prod" }"#
    );
    log.lock().unwrap().clear();
    helm_at(&addr, &["list", "--pending", "--deleted", "-c", "we", "b"]);
    assert_eq!(
        log.lock().unwrap()[0],
        r#"ListReleasesRequest { limit: 256, offset: "", sort_by: ChartName, filter: "we b", sort_order: Asc, status_codes: [Deleted, PendingInstall, PendingUpgrade, PendingRollback], namespace: "" }"#
    );
    fails(
        &helm_at(&addr, &["list", "--output", "xml"]),
        "",
        "Error: Unknown output format \"xml\"\n",
    );
}

#[test]
fn history_formats() {
    let (addr, log) = start();
    ok(
        &helm_at(&addr, &["history", "web"]),
        "REVISION\tUPDATED                 \tSTATUS    \tCHART     \tAPP VERSION\tDESCRIPTION     \n\
         1       \tFri Sep  2 22:05:05 1977\tSUPERSEDED\tdemo-0.1.0\t1.0        \tInstall complete\n\
         2       \tFri Sep  2 22:06:05 1977\tDEPLOYED  \tdemo-0.1.0\t1.0        \tUpgrade complete\n",
    );
    assert_eq!(
        log.lock().unwrap()[0],
        r#"GetHistoryRequest { name: "web", max: 256 }"#
    );
    ok(
        &helm_at(&addr, &["hist", "web", "--max", "1", "-o", "json"]),
        "[{\"revision\":2,\"updated\":\"Fri Sep  2 22:06:05 1977\",\"status\":\"DEPLOYED\",\"chart\":\"demo-0.1.0\",\"appVersion\":\"1.0\",\"description\":\"Upgrade complete\"}]\n",
    );
    ok(
        &helm_at(&addr, &["history", "web", "--max", "1", "-o", "yaml"]),
        "- appVersion: \"1.0\"\n  chart: demo-0.1.0\n  description: Upgrade complete\n  revision: 2\n  status: DEPLOYED\n  updated: Fri Sep  2 22:06:05 1977\n\n",
    );
    // max 0: Tiller returns nothing and helm prints nothing.
    ok(&helm_at(&addr, &["history", "web", "--max", "0"]), "");
    fails(
        &helm_at(&addr, &["history", "gone"]),
        "",
        "Error: release: \"gone\" not found\n",
    );
}

#[test]
fn install_flags_output_and_atomic() {
    let (addr, log) = start();
    let dir = tempfile::tempdir().unwrap();
    let chart_dir = dir.path().join("demo");
    write_chart(&chart_dir);
    let chart = chart_dir.to_str().unwrap();
    let run = helm_at(
        &addr,
        &[
            "install",
            chart,
            "--name",
            "fresh",
            "--set",
            "replicas=3",
            "--namespace",
            "team",
            "--timeout",
            "60",
            "--wait",
            "--description",
            "first",
        ],
    );
    ok(&run, &format!("NAME:   fresh\n{STATUS_TABLE}"));
    let log_now = log.lock().unwrap().clone();
    assert_eq!(log_now.len(), 2, "{log_now:?}");
    let install = &log_now[0];
    for field in [
        r#"raw: "replicas: 3\n""#,
        r#"name: "fresh""#,
        r#"namespace: "team""#,
        "timeout: 60",
        "wait: true",
        "dry_run: false",
        r#"description: "first""#,
        r#"name: "demo""#,
    ] {
        assert!(install.contains(field), "{field} not in {install}");
    }
    assert_eq!(
        log_now[1],
        r#"GetReleaseStatusRequest { name: "fresh", version: 0 }"#
    );

    // Tiller names the release; without values the client sends "{}\n"; the namespace
    // defaults to "default" without a kubeconfig.
    log.lock().unwrap().clear();
    let run = helm_at(&addr, &["install", chart, "--dry-run"]);
    ok(
        &run,
        "NAME:   fresh\nWARNING: Validation skipped because CRDs are not installed\n",
    );
    let install = log.lock().unwrap()[0].clone();
    assert!(install.contains(r#"raw: "{}\n""#), "{install}");
    assert!(install.contains(r#"namespace: "default""#), "{install}");
    assert!(install.contains("dry_run: true"), "{install}");
    assert_eq!(log.lock().unwrap().len(), 1);

    // --debug prints the whole release after its name, as `helm get` does.
    let run = helm_at(&addr, &["install", chart, "-n", "fresh", "--debug"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with(&format!(
            "[debug] SERVER: \"{addr}\"\n\n[debug] Original chart version: \"\"\n[debug] CHART PATH: {chart}\n\nNAME:   fresh\nREVISION: 1\nRELEASED: Fri Sep  2 22:05:05 1977\nCHART: demo-0.1.0\nUSER-SUPPLIED VALUES:\nreplicas: 2\n\nCOMPUTED VALUES:\nimage: nginx\nreplicas: 2\n\nHOOKS:\n"
        )),
        "{}",
        run.stdout
    );

    // JSON output prints only the status.
    let run = helm_at(&addr, &["install", chart, "-n", "fresh", "-o", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("{\"name\":\"fresh\""),
        "{}",
        run.stdout
    );

    // --atomic: a failed install is purged.
    log.lock().unwrap().clear();
    let run = helm_at(&addr, &["install", chart, "-n", "broken", "--atomic"]);
    fails(
        &run,
        "INSTALL FAILED\nPURGING CHART\nError: release broken failed: timed out waiting for the condition\nSuccessfully purged a chart!\n",
        "Error: release broken failed: timed out waiting for the condition\n",
    );
    let log_now = log.lock().unwrap().clone();
    assert!(log_now[0].contains("wait: true"), "{}", log_now[0]);
    assert!(
        log_now[1].starts_with(
            r#"UninstallReleaseRequest { name: "broken", disable_hooks: false, purge: true"#
        ),
        "{}",
        log_now[1]
    );

    fails(
        &helm_at(&addr, &["install"]),
        "",
        "Error: This command needs 1 argument: chart name\n",
    );
    fails(
        &helm_at(&addr, &["install", chart, "--name", "Bad_Name"]),
        "",
        "Error: release name Bad_Name is invalid: a DNS-1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n",
    );
    fails(
        &helm_at(&addr, &["install", "./missing-chart"]),
        "",
        "Error: path \"./missing-chart\" not found\n",
    );
    fails(
        &helm_at(&addr, &["install", "stable/mysql"]),
        "",
        "Error: not implemented: chart repositories (no chart at local path \"stable/mysql\")\n",
    );
    let run = helm_at(
        &addr,
        &[
            "install",
            chart,
            "--name-template",
            "{{ \"abc\" | upper | lower }}-x",
            "--dry-run",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("FINAL NAME: abc-x\nNAME:   abc-x\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn upgrade_install_and_atomic() {
    let (addr, log) = start();
    let dir = tempfile::tempdir().unwrap();
    let chart_dir = dir.path().join("demo");
    write_chart(&chart_dir);
    let chart = chart_dir.to_str().unwrap();

    let run = helm_at(
        &addr,
        &[
            "upgrade",
            "web",
            chart,
            "--reuse-values",
            "--force",
            "--recreate-pods",
            "--cleanup-on-fail",
            "--no-hooks",
        ],
    );
    ok(
        &run,
        &format!("Release \"web\" has been upgraded.\n{STATUS_TABLE}"),
    );
    let log_now = log.lock().unwrap().clone();
    assert_eq!(log_now[0], r#"GetHistoryRequest { name: "web", max: 1 }"#);
    for field in [
        "reuse_values: true",
        "force: true",
        "recreate: true",
        "cleanup_on_fail: true",
        "disable_hooks: true",
        "reset_values: false",
        "timeout: 300",
    ] {
        assert!(log_now[1].contains(field), "{field} not in {}", log_now[1]);
    }

    // --install on a release Tiller does not know: install instead.
    log.lock().unwrap().clear();
    let run = helm_at(
        &addr,
        &[
            "upgrade",
            "--install",
            "fresh",
            chart,
            "--namespace",
            "team",
        ],
    );
    ok(
        &run,
        &format!(
            "Release \"fresh\" does not exist. Installing it now.\nNAME:   fresh\n{STATUS_TABLE}"
        ),
    );
    let log_now = log.lock().unwrap().clone();
    assert!(
        log_now[1].starts_with("InstallReleaseRequest"),
        "{}",
        log_now[1]
    );
    assert!(
        log_now[1].contains(r#"namespace: "team""#),
        "{}",
        log_now[1]
    );

    // --install on an existing release in another namespace: warn, upgrade in place.
    let run = helm_at(
        &addr,
        &["upgrade", "-i", "web", chart, "--namespace", "team"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("WARNING: Namespace \"team\" doesn't match with previous. Release will be deployed to default\nRelease \"web\" has been upgraded.\n"),
        "{}",
        run.stdout
    );

    // A failed upgrade, without and with --atomic.
    fails(
        &helm_at(&addr, &["upgrade", "other", chart]),
        "UPGRADE FAILED\nError: an upgrade failed: deployment web had an error\n",
        "Error: UPGRADE FAILED: an upgrade failed: deployment web had an error\n",
    );
    let run = helm_at(&addr, &["upgrade", "other", chart, "--atomic"]);
    fails(
        &run,
        "UPGRADE FAILED\nError: an upgrade failed: deployment web had an error\nROLLING BACK",
        "Error: cannot roll back \"other\": its history could not be read before the upgrade\n",
    );
    // --atomic on a known release: roll back to the revision that was current (2), with
    // Helm's missing newline after "ROLLING BACK".
    log.lock().unwrap().clear();
    fails(
        &helm_at(
            &addr,
            &[
                "upgrade",
                "web",
                chart,
                "--atomic",
                "--description",
                "explode",
            ],
        ),
        "UPGRADE FAILED\nError: an upgrade failed: deployment web had an error\nROLLING BACKRollback was a success.\n",
        "Error: UPGRADE FAILED: an upgrade failed: deployment web had an error\n",
    );
    let log_now = log.lock().unwrap().clone();
    assert!(log_now[1].contains("wait: true"), "{}", log_now[1]);
    assert_eq!(
        log_now[2],
        r#"RollbackReleaseRequest { name: "web", dry_run: false, disable_hooks: false, version: 2, recreate: false, timeout: 300, wait: true, force: false, description: "", cleanup_on_fail: false }"#
    );
    fails(
        &helm_at(&addr, &["upgrade", "web"]),
        "",
        "Error: This command needs 2 arguments: release name, chart path\n",
    );
}

#[test]
fn rollback_delete_get_test_version() {
    let (addr, log) = start();
    ok(
        &helm_at(
            &addr,
            &["rollback", "web", "1", "--wait", "--timeout", "10"],
        ),
        "Rollback was a success.\n",
    );
    assert_eq!(
        log.lock().unwrap()[0],
        r#"RollbackReleaseRequest { name: "web", dry_run: false, disable_hooks: false, version: 1, recreate: false, timeout: 10, wait: true, force: false, description: "", cleanup_on_fail: false }"#
    );
    fails(
        &helm_at(&addr, &["rollback", "web", "one"]),
        "",
        "Error: invalid revision number '\"one\"': strconv.ParseInt: parsing \"one\": invalid syntax\n",
    );
    fails(
        &helm_at(&addr, &["rollback", "gone", "1"]),
        "",
        "Error: release: \"gone\" not found\n",
    );

    ok(
        &helm_at(&addr, &["delete", "web", "broken"]),
        "These resources were kept due to the resource policy:\n[ConfigMap] keep\n\nrelease \"web\" deleted\nrelease \"broken\" deleted\n",
    );
    fails(
        &helm_at(&addr, &["del", "--purge", "gone", "web"]),
        "",
        "Error: release: \"gone\" not found\n",
    );
    ok(
        &helm_at(&addr, &["delete", "--dry-run", "web"]),
        "release \"web\" deleted\n",
    );
    fails(
        &helm_at(&addr, &["delete"]),
        "",
        "Error: command 'delete' requires a release name\n",
    );

    ok(
        &helm_at(&addr, &["get", "web", "--revision", "1"]),
        "REVISION: 1\nRELEASED: Fri Sep  2 22:05:05 1977\nCHART: demo-0.1.0\nUSER-SUPPLIED VALUES:\nreplicas: 2\n\nCOMPUTED VALUES:\nimage: nginx\nreplicas: 2\n\nHOOKS:\n---\n# web-test\nkind: Pod\n\nMANIFEST:\n\n---\n# Source: demo/templates/cm.yaml\nkind: ConfigMap\n\n",
    );
    ok(
        &helm_at(&addr, &["get", "values", "web"]),
        "replicas: 2\n\n",
    );
    ok(
        &helm_at(&addr, &["get", "values", "web", "-a", "--output", "json"]),
        "{\"image\":\"nginx\",\"replicas\":2}\n",
    );
    ok(
        &helm_at(&addr, &["get", "manifest", "web"]),
        "\n---\n# Source: demo/templates/cm.yaml\nkind: ConfigMap\n\n",
    );
    ok(
        &helm_at(&addr, &["get", "hooks", "web"]),
        "---\n# web-test\nkind: Pod\n\n",
    );
    fails(
        &helm_at(&addr, &["get", "hooks", "gone"]),
        "gone\n",
        "Error: release: \"gone\" not found\n",
    );
    ok(
        &helm_at(&addr, &["get", "notes", "web"]),
        "NOTES:\nVisit the web.\n",
    );
    ok(
        &helm_at(
            &addr,
            &[
                "get",
                "web",
                "--template",
                "{{.Release.Name}} v{{.Release.Version}} {{.Release.Chart.Metadata.Name}}",
            ],
        ),
        "web v2 demo",
    );

    fails(
        &helm_at(&addr, &["test", "web", "--cleanup"]),
        "RUNNING: web-ok\nPASSED: web-ok\nRUNNING: web-bad\nFAILED: web-bad, run `kubectl logs web-bad --namespace default` for more info\n",
        "Error: 1 test(s) failed\n",
    );
    assert_eq!(
        log.lock().unwrap().last().unwrap(),
        r#"TestReleaseRequest { name: "web", timeout: 300, cleanup: true, parallel: false, max_parallel: 20, logs: false }"#
    );
    ok(
        &helm_at(
            &addr,
            &[
                "test",
                "quiet",
                "--parallel",
                "--max",
                "3",
                "--logs",
                "--timeout",
                "9",
            ],
        ),
        "No Tests Found\n",
    );
    assert_eq!(
        log.lock().unwrap().last().unwrap(),
        r#"TestReleaseRequest { name: "quiet", timeout: 9, cleanup: false, parallel: true, max_parallel: 3, logs: true }"#
    );
    fails(
        &helm_at(&addr, &["test", "gone"]),
        "",
        "Error: release: \"gone\" not found\n",
    );

    let run = helm_at(&addr, &["version"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("Client: &version.Version{SemVer:\"v2.17.0\""),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.ends_with("Server: &version.Version{SemVer:\"v2.17.0\", GitCommit:\"a690bad98af45b015bd3da1a41f6218b1a451dbe\", GitTreeState:\"clean\"}\n"),
        "{}",
        run.stdout
    );
    ok(
        &helm_at(&addr, &["version", "-s", "--short"]),
        "Server: v2.17.0+ga690bad\n",
    );
    ok(
        &helm_at(
            &addr,
            &["version", "-s", "--template", "{{.Server.SemVer}}"],
        ),
        "v2.17.0",
    );
}

#[test]
fn connection_errors() {
    // A port nobody listens on.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = free.local_addr().unwrap();
    drop(free);
    let run = helm_at(
        &addr,
        &["status", "web", "--tiller-connection-timeout", "2"],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .starts_with(&format!("Error: cannot connect to Tiller at {addr}: ")),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    fails(
        &helm_at(&addr, &["version", "-s"]),
        "",
        "Error: cannot connect to Tiller\n",
    );

    // No --host at all.
    let out = Command::new(env!("CARGO_BIN_EXE_helm"))
        .args(["list"])
        .env_remove("HELM_HOST")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "Error: not implemented: port-forwarding to Tiller; set --host or HELM_HOST\n"
    );

    // TLS files that do not exist: exit code 2, as Helm v2.
    let (addr, _log) = start();
    let run = helm_at(
        &addr,
        &["list", "--tls", "--home", "/nonexistent-helm-home"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("Error: reading certificate /nonexistent-helm-home/cert.pem"),
        "{}",
        run.stderr
    );
}

/// A TLS connection for tonic's server: the accepted stream plus the `Connected` tonic needs.
struct TlsConn(tokio_rustls::server::TlsStream<tokio::net::TcpStream>);

impl tonic::transport::server::Connected for TlsConn {
    type ConnectInfo = ();
    fn connect_info(&self) {}
}

impl tokio::io::AsyncRead for TlsConn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for TlsConn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }
    fn poll_flush(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

/// Starts the fake behind TLS that requires a client certificate signed by the same CA.
fn start_tls(config: rustls::ServerConfig) -> SocketAddr {
    let fake = Fake {
        log: Arc::default(),
    };
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            let (conns, incoming) = tokio::sync::mpsc::channel::<std::io::Result<TlsConn>>(8);
            tokio::spawn(async move {
                loop {
                    let Ok((tcp, _)) = listener.accept().await else {
                        return;
                    };
                    let acceptor = acceptor.clone();
                    let conns = conns.clone();
                    tokio::spawn(async move {
                        // Failed handshakes are what some tests expect; drop them.
                        if let Ok(tls) = acceptor.accept(tcp).await {
                            let _ = conns.send(Ok(TlsConn(tls))).await;
                        }
                    });
                }
            });
            tonic::transport::Server::builder()
                .add_service(ReleaseServiceServer::new(fake))
                .serve_with_incoming(tokio_stream::wrappers::ReceiverStream::new(incoming))
                .await
                .unwrap();
        });
    });
    rx.recv().unwrap()
}

#[test]
fn mutual_tls() {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};

    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server_cert = CertificateParams::new(vec!["tiller.example".to_owned()])
        .unwrap()
        .signed_by(&server_key, &ca)
        .unwrap();
    let client_key = KeyPair::generate().unwrap();
    let client_cert = CertificateParams::new(vec!["helm".to_owned()])
        .unwrap()
        .signed_by(&client_key, &ca)
        .unwrap();

    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("ca.pem"), ca.pem()).unwrap();
    std::fs::write(home.path().join("cert.pem"), client_cert.pem()).unwrap();
    std::fs::write(home.path().join("key.pem"), client_key.serialize_pem()).unwrap();

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.der().clone()).unwrap();
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .unwrap();
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![CertificateDer::from_pem_slice(server_cert.pem().as_bytes()).unwrap()],
            PrivateKeyDer::from_pem_slice(server_key.serialize_pem().as_bytes()).unwrap(),
        )
        .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec()];
    let addr = start_tls(config);
    let home_arg = home.path().to_str().unwrap();
    let server_line = "Server: v2.17.0+ga690bad\n";

    // Verified, with the certificate's name.
    ok(
        &helm_at(
            &addr,
            &[
                "version",
                "-s",
                "--short",
                "--tls-verify",
                "--tls-hostname",
                "tiller.example",
                "--home",
                home_arg,
            ],
        ),
        server_line,
    );
    // Verified against the address's host, which the certificate does not name.
    let run = helm_at(
        &addr,
        &[
            "list",
            "--tls-verify",
            "--home",
            home_arg,
            "--tiller-connection-timeout",
            "5",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with(&format!("Error: cannot connect to Tiller at {addr}: ")),
        "{}",
        run.stderr
    );
    // --tls alone skips the server's verification, as Helm v2 does (the client certificate is
    // still presented, and required by this server).
    ok(
        &helm_at(
            &addr,
            &["version", "-s", "--short", "--tls", "--home", home_arg],
        ),
        server_line,
    );
    // Without TLS the server cannot be talked to.
    let run = helm_at(
        &addr,
        &["version", "-s", "--tiller-connection-timeout", "3"],
    );
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "Error: cannot connect to Tiller\n");
    // A certificate the server's CA did not sign is refused by the server.
    let other_ca_params = {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p
    };
    let other_ca =
        CertifiedIssuer::self_signed(other_ca_params, KeyPair::generate().unwrap()).unwrap();
    let stranger_key = KeyPair::generate().unwrap();
    let stranger = CertificateParams::new(vec!["helm".to_owned()])
        .unwrap()
        .signed_by(&stranger_key, &other_ca)
        .unwrap();
    std::fs::write(home.path().join("stranger.pem"), stranger.pem()).unwrap();
    std::fs::write(
        home.path().join("stranger.key"),
        stranger_key.serialize_pem(),
    )
    .unwrap();
    let stranger_cert = home.path().join("stranger.pem");
    let stranger_key_path = home.path().join("stranger.key");
    let run = helm_at(
        &addr,
        &[
            "list",
            "--tls",
            "--home",
            home_arg,
            "--tiller-connection-timeout",
            "3",
            "--tls-cert",
            stranger_cert.to_str().unwrap(),
            "--tls-key",
            stranger_key_path.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.starts_with("Error: "), "{}", run.stderr);
}
