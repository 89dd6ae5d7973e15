//! The generated gRPC stubs over a real HTTP/2 connection on 127.0.0.1:
//! every `ReleaseService` method through the generated client and server,
//! the method paths of `helm_proto::methods` against the server's routing,
//! the `x-helm-api-client` metadata and the 20 MiB message limit.

use std::net::SocketAddr;
use std::pin::Pin;

use helm_proto::hapi::release::{Info, Release, Status, status, test_run};
use helm_proto::hapi::services::rudder;
use helm_proto::hapi::services::rudder::release_module_service_client::ReleaseModuleServiceClient;
use helm_proto::hapi::services::rudder::release_module_service_server::{
    ReleaseModuleService, ReleaseModuleServiceServer,
};
use helm_proto::hapi::services::tiller::release_service_client::ReleaseServiceClient;
use helm_proto::hapi::services::tiller::release_service_server::{
    ReleaseService, ReleaseServiceServer,
};
use helm_proto::hapi::services::tiller::*;
use helm_proto::hapi::version::Version;
use helm_proto::methods;
use helm_proto::transport::MAX_MESSAGE_SIZE;
use helm_proto::{API_CLIENT_METADATA_KEY, HELM_VERSION};
use tokio::sync::oneshot;
use tokio_stream::Stream;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::codegen::http::uri::PathAndQuery;
use tonic::transport::{Channel, Server};
use tonic::{Code, Request, Response};

type Streamed<T> = Pin<Box<dyn Stream<Item = Result<T, tonic::Status>> + Send>>;

/// A tiny in-memory stand-in for Tiller: answers are derived from the
/// requests so each test can see its inputs arrive intact.
#[derive(Debug, Default)]
struct FakeTiller;

fn release(name: &str, version: i32, code: status::Code) -> Release {
    Release {
        name: name.to_owned(),
        version,
        namespace: "default".to_owned(),
        info: Some(Info {
            status: Some(Status {
                code: code as i32,
                ..Status::default()
            }),
            ..Info::default()
        }),
        ..Release::default()
    }
}

fn client_version<T>(request: &Request<T>) -> String {
    request
        .metadata()
        .get(API_CLIENT_METADATA_KEY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

#[tonic::async_trait]
impl ReleaseService for FakeTiller {
    type ListReleasesStream = Streamed<ListReleasesResponse>;
    type RunReleaseTestStream = Streamed<TestReleaseResponse>;

    async fn list_releases(
        &self,
        request: Request<ListReleasesRequest>,
    ) -> Result<Response<Self::ListReleasesStream>, tonic::Status> {
        let req = request.into_inner();
        // One release per stream message, as Tiller does when releases are big.
        let chunks: Vec<Result<ListReleasesResponse, tonic::Status>> = (1..=req.limit)
            .map(|i| {
                Ok(ListReleasesResponse {
                    count: req.limit,
                    next: String::new(),
                    total: req.limit,
                    releases: vec![release(&format!("r{i}"), 1, status::Code::Deployed)],
                })
            })
            .collect();
        Ok(Response::new(Box::pin(tokio_stream::iter(chunks))))
    }

    async fn get_release_status(
        &self,
        request: Request<GetReleaseStatusRequest>,
    ) -> Result<Response<GetReleaseStatusResponse>, tonic::Status> {
        let req = request.into_inner();
        if req.name == "missing" {
            // Tiller's errors are plain Go errors: gRPC code Unknown.
            return Err(tonic::Status::unknown(r#"release: "missing" not found"#));
        }
        let rel = release(&req.name, req.version, status::Code::Deployed);
        Ok(Response::new(GetReleaseStatusResponse {
            name: req.name,
            info: rel.info,
            namespace: rel.namespace,
        }))
    }

    async fn get_release_content(
        &self,
        request: Request<GetReleaseContentRequest>,
    ) -> Result<Response<GetReleaseContentResponse>, tonic::Status> {
        let req = request.into_inner();
        Ok(Response::new(GetReleaseContentResponse {
            release: Some(release(&req.name, req.version, status::Code::Superseded)),
        }))
    }

    async fn update_release(
        &self,
        request: Request<UpdateReleaseRequest>,
    ) -> Result<Response<UpdateReleaseResponse>, tonic::Status> {
        let req = request.into_inner();
        let mut rel = release(&req.name, 2, status::Code::Deployed);
        rel.chart = req.chart;
        rel.config = req.values;
        Ok(Response::new(UpdateReleaseResponse { release: Some(rel) }))
    }

    async fn install_release(
        &self,
        request: Request<InstallReleaseRequest>,
    ) -> Result<Response<InstallReleaseResponse>, tonic::Status> {
        let client = client_version(&request);
        let req = request.into_inner();
        let mut rel = release(&req.name, 1, status::Code::Deployed);
        rel.namespace = req.namespace;
        rel.config = req.values;
        rel.manifest = req
            .chart
            .and_then(|c| c.templates.into_iter().next())
            .map(|t| String::from_utf8_lossy(&t.data).into_owned())
            .unwrap_or_default();
        if let Some(info) = rel.info.as_mut() {
            info.description = format!("installed for {client}");
        }
        Ok(Response::new(InstallReleaseResponse { release: Some(rel) }))
    }

    async fn uninstall_release(
        &self,
        request: Request<UninstallReleaseRequest>,
    ) -> Result<Response<UninstallReleaseResponse>, tonic::Status> {
        let req = request.into_inner();
        Ok(Response::new(UninstallReleaseResponse {
            release: Some(release(&req.name, 1, status::Code::Deleted)),
            info: if req.purge {
                "purged".to_owned()
            } else {
                String::new()
            },
        }))
    }

    async fn get_version(
        &self,
        _request: Request<GetVersionRequest>,
    ) -> Result<Response<GetVersionResponse>, tonic::Status> {
        Ok(Response::new(GetVersionResponse {
            version: Some(Version {
                sem_ver: HELM_VERSION.to_owned(),
                git_commit: String::new(),
                git_tree_state: String::new(),
            }),
        }))
    }

    async fn rollback_release(
        &self,
        request: Request<RollbackReleaseRequest>,
    ) -> Result<Response<RollbackReleaseResponse>, tonic::Status> {
        let req = request.into_inner();
        Ok(Response::new(RollbackReleaseResponse {
            release: Some(release(&req.name, req.version + 10, status::Code::Deployed)),
        }))
    }

    async fn get_history(
        &self,
        request: Request<GetHistoryRequest>,
    ) -> Result<Response<GetHistoryResponse>, tonic::Status> {
        let req = request.into_inner();
        Ok(Response::new(GetHistoryResponse {
            releases: (1..=req.max)
                .rev()
                .map(|v| release(&req.name, v, status::Code::Superseded))
                .collect(),
        }))
    }

    async fn run_release_test(
        &self,
        request: Request<TestReleaseRequest>,
    ) -> Result<Response<Self::RunReleaseTestStream>, tonic::Status> {
        let req = request.into_inner();
        let msgs = vec![
            Ok(TestReleaseResponse {
                msg: format!("RUNNING: {}-test", req.name),
                status: test_run::Status::Running as i32,
            }),
            Ok(TestReleaseResponse {
                msg: format!("PASSED: {}-test", req.name),
                status: test_run::Status::Success as i32,
            }),
        ];
        Ok(Response::new(Box::pin(tokio_stream::iter(msgs))))
    }
}

#[derive(Debug, Default)]
struct FakeRudder;

#[tonic::async_trait]
impl ReleaseModuleService for FakeRudder {
    async fn version(
        &self,
        _request: Request<rudder::VersionReleaseRequest>,
    ) -> Result<Response<rudder::VersionReleaseResponse>, tonic::Status> {
        Ok(Response::new(rudder::VersionReleaseResponse {
            name: "fake-rudder".to_owned(),
            version: HELM_VERSION.to_owned(),
        }))
    }

    async fn install_release(
        &self,
        request: Request<rudder::InstallReleaseRequest>,
    ) -> Result<Response<rudder::InstallReleaseResponse>, tonic::Status> {
        Ok(Response::new(rudder::InstallReleaseResponse {
            release: request.into_inner().release,
            result: Some(rudder::Result {
                info: "installed".to_owned(),
                log: vec![],
            }),
        }))
    }

    async fn delete_release(
        &self,
        _request: Request<rudder::DeleteReleaseRequest>,
    ) -> Result<Response<rudder::DeleteReleaseResponse>, tonic::Status> {
        Err(tonic::Status::unknown("delete refused by the fake"))
    }

    async fn rollback_release(
        &self,
        _request: Request<rudder::RollbackReleaseRequest>,
    ) -> Result<Response<rudder::RollbackReleaseResponse>, tonic::Status> {
        Err(tonic::Status::unknown("rollback refused by the fake"))
    }

    async fn upgrade_release(
        &self,
        _request: Request<rudder::UpgradeReleaseRequest>,
    ) -> Result<Response<rudder::UpgradeReleaseResponse>, tonic::Status> {
        Err(tonic::Status::unknown("upgrade refused by the fake"))
    }

    async fn release_status(
        &self,
        _request: Request<rudder::ReleaseStatusRequest>,
    ) -> Result<Response<rudder::ReleaseStatusResponse>, tonic::Status> {
        Err(tonic::Status::unknown("status refused by the fake"))
    }
}

/// A running server on an ephemeral port; stops when dropped.
struct Running {
    addr: SocketAddr,
    _stop: oneshot::Sender<()>,
}

async fn serve() -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local addr");
    let (stop, stopped) = oneshot::channel::<()>();
    let tiller = ReleaseServiceServer::new(FakeTiller)
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE);
    tokio::spawn(async move {
        Server::builder()
            .add_service(tiller)
            .add_service(ReleaseModuleServiceServer::new(FakeRudder))
            .serve_with_incoming_shutdown(TcpListenerStream::new(listener), async {
                drop(stopped.await);
            })
            .await
            .expect("test server");
    });
    Running { addr, _stop: stop }
}

async fn channel(addr: SocketAddr) -> Channel {
    Channel::from_shared(format!("http://{addr}"))
        .expect("endpoint")
        .connect()
        .await
        .expect("connect")
}

fn with_version<T>(message: T) -> Request<T> {
    let mut req = Request::new(message);
    req.metadata_mut().insert(
        API_CLIENT_METADATA_KEY,
        HELM_VERSION.parse().expect("ascii metadata"),
    );
    req
}

#[tokio::test]
async fn every_release_service_method_round_trips() {
    let server = serve().await;
    let mut client = ReleaseServiceClient::new(channel(server.addr).await)
        .max_decoding_message_size(MAX_MESSAGE_SIZE);

    let listed: Vec<ListReleasesResponse> = {
        let mut stream = client
            .list_releases(ListReleasesRequest {
                limit: 3,
                ..ListReleasesRequest::default()
            })
            .await
            .expect("list")
            .into_inner();
        let mut out = Vec::new();
        while let Some(msg) = stream.message().await.expect("list message") {
            out.push(msg);
        }
        out
    };
    let names: Vec<&str> = listed
        .iter()
        .flat_map(|m| m.releases.iter().map(|r| r.name.as_str()))
        .collect();
    assert_eq!(names, ["r1", "r2", "r3"]);
    assert!(listed.iter().all(|m| m.count == 3 && m.total == 3));

    let st = client
        .get_release_status(GetReleaseStatusRequest {
            name: "web".to_owned(),
            version: 4,
        })
        .await
        .expect("status")
        .into_inner();
    assert_eq!(st.name, "web");
    assert_eq!(
        st.info.and_then(|i| i.status).map(|s| s.code()),
        Some(status::Code::Deployed)
    );

    let err = client
        .get_release_status(GetReleaseStatusRequest {
            name: "missing".to_owned(),
            version: 0,
        })
        .await
        .expect_err("missing release");
    assert_eq!(err.code(), Code::Unknown);
    assert_eq!(err.message(), r#"release: "missing" not found"#);

    let content = client
        .get_release_content(GetReleaseContentRequest {
            name: "web".to_owned(),
            version: 2,
        })
        .await
        .expect("content")
        .into_inner();
    assert_eq!(content.release.map(|r| r.version), Some(2));

    let updated = client
        .update_release(UpdateReleaseRequest {
            name: "web".to_owned(),
            values: Some(helm_proto::hapi::chart::Config {
                raw: "a: 1\n".to_owned(),
                ..Default::default()
            }),
            ..UpdateReleaseRequest::default()
        })
        .await
        .expect("update")
        .into_inner();
    assert_eq!(
        updated.release.and_then(|r| r.config).map(|c| c.raw),
        Some("a: 1\n".to_owned())
    );

    let installed = client
        .install_release(with_version(InstallReleaseRequest {
            name: "web".to_owned(),
            namespace: "team-a".to_owned(),
            chart: Some(helm_proto::hapi::chart::Chart {
                templates: vec![helm_proto::hapi::chart::Template {
                    name: "templates/cm.yaml".to_owned(),
                    data: b"kind: ConfigMap\n".to_vec(),
                }],
                ..Default::default()
            }),
            ..InstallReleaseRequest::default()
        }))
        .await
        .expect("install")
        .into_inner()
        .release
        .expect("release");
    assert_eq!(installed.namespace, "team-a");
    assert_eq!(installed.manifest, "kind: ConfigMap\n");
    assert_eq!(
        installed.info.map(|i| i.description),
        Some(format!("installed for {HELM_VERSION}"))
    );

    let uninstalled = client
        .uninstall_release(UninstallReleaseRequest {
            name: "web".to_owned(),
            purge: true,
            ..UninstallReleaseRequest::default()
        })
        .await
        .expect("uninstall")
        .into_inner();
    assert_eq!(uninstalled.info, "purged");

    let version = client
        .get_version(GetVersionRequest {})
        .await
        .expect("version")
        .into_inner();
    assert_eq!(
        version.version.map(|v| v.sem_ver),
        Some(HELM_VERSION.to_owned())
    );

    let rolled = client
        .rollback_release(RollbackReleaseRequest {
            name: "web".to_owned(),
            version: 1,
            ..RollbackReleaseRequest::default()
        })
        .await
        .expect("rollback")
        .into_inner();
    assert_eq!(rolled.release.map(|r| r.version), Some(11));

    let history = client
        .get_history(GetHistoryRequest {
            name: "web".to_owned(),
            max: 3,
        })
        .await
        .expect("history")
        .into_inner();
    let revisions: Vec<i32> = history.releases.iter().map(|r| r.version).collect();
    assert_eq!(revisions, [3, 2, 1]);

    let mut tests = client
        .run_release_test(TestReleaseRequest {
            name: "web".to_owned(),
            ..TestReleaseRequest::default()
        })
        .await
        .expect("test")
        .into_inner();
    let mut seen = Vec::new();
    while let Some(msg) = tests.message().await.expect("test message") {
        seen.push((msg.msg.clone(), msg.status()));
    }
    assert_eq!(
        seen,
        [
            ("RUNNING: web-test".to_owned(), test_run::Status::Running),
            ("PASSED: web-test".to_owned(), test_run::Status::Success),
        ]
    );
}

#[tokio::test]
async fn method_paths_reach_the_generated_server() {
    let server = serve().await;
    let mut grpc = tonic::client::Grpc::new(channel(server.addr).await);

    // Unary paths answer with a decodable message; an unknown path is
    // rejected as unimplemented by the same router.
    grpc.ready().await.expect("ready");
    let version: Response<GetVersionResponse> = grpc
        .unary(
            Request::new(GetVersionRequest {}),
            PathAndQuery::from_static(methods::tiller::GET_VERSION),
            tonic_prost::ProstCodec::default(),
        )
        .await
        .expect("GetVersion by path");
    assert_eq!(
        version.into_inner().version.map(|v| v.sem_ver),
        Some(HELM_VERSION.to_owned())
    );

    for method in methods::tiller::ALL
        .iter()
        .chain(methods::rudder::ALL.iter())
    {
        grpc.ready().await.expect("ready");
        // An empty message is a valid encoding of every request type, so the
        // handler runs; what matters is that the router knows the path.
        let outcome = if method.server_streaming {
            grpc.server_streaming(
                Request::new(Empty {}),
                PathAndQuery::from_static(method.path),
                any_reply(),
            )
            .await
            .map(|r| r.map(|_| ()))
        } else {
            grpc.unary(
                Request::new(Empty {}),
                PathAndQuery::from_static(method.path),
                any_reply(),
            )
            .await
            .map(|r| r.map(|_| ()))
        };
        if let Err(status) = outcome {
            assert_ne!(
                status.code(),
                Code::Unimplemented,
                "{} is not routed: {status:?}",
                method.path
            );
        }
    }

    grpc.ready().await.expect("ready");
    let unknown = grpc
        .unary(
            Request::new(Empty {}),
            PathAndQuery::from_static("/hapi.services.tiller.ReleaseService/NoSuchMethod"),
            any_reply(),
        )
        .await;
    assert_eq!(
        unknown.expect_err("unknown method").code(),
        Code::Unimplemented
    );
}

#[tokio::test]
async fn messages_up_to_twenty_mebibytes_pass() {
    let server = serve().await;
    // Helm's client limits only what it receives; the server limits both.
    let mut client = ReleaseServiceClient::new(channel(server.addr).await)
        .max_decoding_message_size(MAX_MESSAGE_SIZE);
    // Well above gRPC's 4 MiB default, below Helm's 20 MiB.
    let big = "x".repeat(12 * 1024 * 1024);
    let reply = client
        .update_release(UpdateReleaseRequest {
            name: "big".to_owned(),
            values: Some(helm_proto::hapi::chart::Config {
                raw: big.clone(),
                ..Default::default()
            }),
            ..UpdateReleaseRequest::default()
        })
        .await
        .expect("12 MiB round trip")
        .into_inner();
    assert_eq!(
        reply.release.and_then(|r| r.config).map(|c| c.raw.len()),
        Some(big.len())
    );

    let too_big = "x".repeat(MAX_MESSAGE_SIZE + 1);
    let err = client
        .update_release(UpdateReleaseRequest {
            name: "too-big".to_owned(),
            values: Some(helm_proto::hapi::chart::Config {
                raw: too_big,
                ..Default::default()
            }),
            ..UpdateReleaseRequest::default()
        })
        .await
        .expect_err("over the limit");
    assert_eq!(err.code(), Code::OutOfRange, "{err:?}");
}

#[tokio::test]
async fn rudder_client_and_server_talk() {
    let server = serve().await;
    let mut client = ReleaseModuleServiceClient::new(channel(server.addr).await);
    let v = client
        .version(rudder::VersionReleaseRequest {})
        .await
        .expect("version")
        .into_inner();
    assert_eq!(v.name, "fake-rudder");
    let installed = client
        .install_release(rudder::InstallReleaseRequest {
            release: Some(release("web", 1, status::Code::PendingInstall)),
        })
        .await
        .expect("install")
        .into_inner();
    assert_eq!(installed.release.map(|r| r.name), Some("web".to_owned()));
    assert_eq!(
        installed.result.map(|r| r.info),
        Some("installed".to_owned())
    );
}

/// A message with no fields: its encoding (zero bytes) is a valid request of
/// every method, and decoding any reply into it succeeds by skipping fields.
type Empty = GetVersionRequest;

fn any_reply() -> tonic_prost::ProstCodec<Empty, Empty> {
    tonic_prost::ProstCodec::default()
}
