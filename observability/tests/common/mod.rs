//! A tiny `ReleaseService` for tests and the benchmark: `GetVersion`
//! answers (or forwards to a leader), `GetHistory` fails before any message
//! (a trailers-only answer), `GetReleaseStatus` hangs, `ListReleases`
//! streams three messages and `RunReleaseTest` streams one message and then
//! fails.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::pin::Pin;

use helm_proto::hapi::services::tiller as svc;
use helm_proto::hapi::services::tiller::release_service_client::ReleaseServiceClient;
use helm_proto::hapi::services::tiller::release_service_server::{
    ReleaseService, ReleaseServiceServer,
};
use helm_proto::hapi::version::Version;
use observability::GrpcServerLayer;
use tokio_stream::Stream;
use tonic::{Request, Response, Status};

type Stream_<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send>>;

#[derive(Debug, Clone, Default)]
pub struct TestService {
    /// When set, `GetVersion` is forwarded here (a follower's behaviour).
    pub leader: Option<SocketAddr>,
}

#[tonic::async_trait]
impl ReleaseService for TestService {
    type ListReleasesStream = Stream_<svc::ListReleasesResponse>;
    type RunReleaseTestStream = Stream_<svc::TestReleaseResponse>;

    async fn list_releases(
        &self,
        _: Request<svc::ListReleasesRequest>,
    ) -> Result<Response<Self::ListReleasesStream>, Status> {
        let items = (0..3).map(|i| {
            Ok(svc::ListReleasesResponse {
                count: i,
                ..Default::default()
            })
        });
        Ok(Response::new(Box::pin(tokio_stream::iter(items))))
    }
    /// Never answers in time: callers time out and cancel.
    async fn get_release_status(
        &self,
        _: Request<svc::GetReleaseStatusRequest>,
    ) -> Result<Response<svc::GetReleaseStatusResponse>, Status> {
        tokio::time::sleep(std::time::Duration::from_secs(30)).await;
        Err(Status::deadline_exceeded("test service waited too long"))
    }
    async fn get_release_content(
        &self,
        _: Request<svc::GetReleaseContentRequest>,
    ) -> Result<Response<svc::GetReleaseContentResponse>, Status> {
        Err(Status::unimplemented("not in the test service"))
    }
    async fn update_release(
        &self,
        _: Request<svc::UpdateReleaseRequest>,
    ) -> Result<Response<svc::UpdateReleaseResponse>, Status> {
        Err(Status::unimplemented("not in the test service"))
    }
    async fn install_release(
        &self,
        _: Request<svc::InstallReleaseRequest>,
    ) -> Result<Response<svc::InstallReleaseResponse>, Status> {
        Err(Status::unimplemented("not in the test service"))
    }
    async fn uninstall_release(
        &self,
        _: Request<svc::UninstallReleaseRequest>,
    ) -> Result<Response<svc::UninstallReleaseResponse>, Status> {
        Err(Status::unimplemented("not in the test service"))
    }
    async fn get_version(
        &self,
        req: Request<svc::GetVersionRequest>,
    ) -> Result<Response<svc::GetVersionResponse>, Status> {
        if let Some(leader) = self.leader {
            let mut client = connect(leader).await;
            return client.get_version(req.into_inner()).await;
        }
        Ok(Response::new(svc::GetVersionResponse {
            version: Some(Version {
                sem_ver: "v2.17.0".to_owned(),
                ..Default::default()
            }),
        }))
    }
    async fn rollback_release(
        &self,
        _: Request<svc::RollbackReleaseRequest>,
    ) -> Result<Response<svc::RollbackReleaseResponse>, Status> {
        Err(Status::unimplemented("not in the test service"))
    }
    async fn get_history(
        &self,
        _: Request<svc::GetHistoryRequest>,
    ) -> Result<Response<svc::GetHistoryResponse>, Status> {
        Err(Status::not_found("release: \"x\" not found"))
    }
    async fn run_release_test(
        &self,
        _: Request<svc::TestReleaseRequest>,
    ) -> Result<Response<Self::RunReleaseTestStream>, Status> {
        let items = vec![
            Ok(svc::TestReleaseResponse {
                msg: "running".to_owned(),
                ..Default::default()
            }),
            Err(Status::unavailable("lost the leader")),
        ];
        Ok(Response::new(Box::pin(tokio_stream::iter(items))))
    }
}

pub type Client = ReleaseServiceClient<
    tonic::service::interceptor::InterceptedService<
        tonic::transport::Channel,
        fn(Request<()>) -> Result<Request<()>, Status>,
    >,
>;

/// A client that injects the current trace context into every call.
pub async fn connect(addr: SocketAddr) -> Client {
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .expect("endpoint")
        .connect()
        .await
        .expect("connect");
    ReleaseServiceClient::with_interceptor(
        channel,
        observability::propagation::inject_interceptor
            as fn(Request<()>) -> Result<Request<()>, Status>,
    )
}

/// Serves `service` on 127.0.0.1:0, with `layer` when given.
pub async fn serve(service: TestService, layer: Option<GrpcServerLayer>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
    let svc = ReleaseServiceServer::new(service);
    match layer {
        Some(layer) => {
            let router = tonic::transport::Server::builder()
                .layer(layer)
                .add_service(svc);
            tokio::spawn(router.serve_with_incoming(incoming));
        }
        None => {
            let router = tonic::transport::Server::builder().add_service(svc);
            tokio::spawn(router.serve_with_incoming(incoming));
        }
    }
    addr
}
