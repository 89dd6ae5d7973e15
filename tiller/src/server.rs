//! Tiller's servers: gRPC (ReleaseService and health, behind the
//! `x-helm-api-client` version check) and the HTTP probe server, with
//! graceful shutdown. The `*_with_metrics` variants put
//! [`observability::GrpcServerLayer`] outside the version check, so refused
//! calls are counted too, and [`probe_router_with_metrics`] adds `/metrics`.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::Router;
use axum::routing::get;
use helm_proto::compat::{API_CLIENT_METADATA_KEY, check_call};
use helm_proto::hapi::services::tiller::release_service_server::ReleaseServiceServer;
use helm_proto::transport::MAX_MESSAGE_SIZE;
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::transport::Server;

use crate::service::ReleaseServer;

/// The service name Tiller registers with the gRPC health service.
pub const HEALTH_SERVICE_NAME: &str = "Tiller";

/// A tower layer refusing calls from incompatible clients, as Tiller's
/// unary and stream interceptors do (`GetVersion` exempt).
#[derive(Debug, Clone)]
pub struct VersionCheckLayer {
    server: Arc<str>,
}

impl VersionCheckLayer {
    /// Checks clients against server version `server`.
    pub fn new(server: &str) -> Self {
        Self {
            server: server.into(),
        }
    }
}

impl<S> tower::Layer<S> for VersionCheckLayer {
    type Service = VersionCheck<S>;

    fn layer(&self, inner: S) -> Self::Service {
        VersionCheck {
            inner,
            server: self.server.clone(),
        }
    }
}

/// The service [`VersionCheckLayer`] wraps around the gRPC routes.
#[derive(Debug, Clone)]
pub struct VersionCheck<S> {
    inner: S,
    server: Arc<str>,
}

impl<S, B> tower::Service<http::Request<B>> for VersionCheck<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<tonic::body::Body>> + Send,
    S::Future: Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let client = req
            .headers()
            .get(API_CLIENT_METADATA_KEY)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        match check_call(req.uri().path(), client.as_deref(), &self.server) {
            Ok(()) => Box::pin(self.inner.call(req)),
            Err(e) => {
                tracing::info!(path = req.uri().path(), error = %e, "refusing call");
                let resp = tonic::Status::unknown(e.to_string()).into_http();
                Box::pin(async move { Ok(resp) })
            }
        }
    }
}

/// The probe server's routes (`/liveness`, `/readiness`); others add
/// routes (`/metrics`) by merging into this router.
pub fn probe_router() -> Router {
    Router::new()
        .route("/liveness", get(|| async { "ok" }))
        .route("/readiness", get(|| async { "ok" }))
}

/// [`probe_router`] plus `GET /metrics` (Prometheus text format) from `metrics`.
pub fn probe_router_with_metrics(metrics: observability::Metrics) -> Router {
    probe_router().merge(observability::http::metrics_router(metrics))
}

/// Serves the ReleaseService and health service on `listener` until
/// `shutdown` completes, then drains in-flight calls.
pub async fn serve_grpc(
    service: ReleaseServer,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), tonic::transport::Error> {
    serve_grpc_incoming(service, accept_nodelay(listener), shutdown).await
}

/// Accepted connections with Nagle's algorithm off. gRPC answers are small writes; with Nagle on,
/// each one waits for the client's delayed ACK (about 40 ms per call on Linux), which the
/// benchmark showed as a flat 44 ms on every RPC.
fn accept_nodelay(
    listener: TcpListener,
) -> impl tokio_stream::Stream<Item = std::io::Result<tokio::net::TcpStream>> {
    use tokio_stream::StreamExt as _;
    TcpListenerStream::new(listener).map(|conn| {
        let conn = conn?;
        conn.set_nodelay(true)?;
        Ok(conn)
    })
}

/// [`serve_grpc`], counting every call (refused ones included) in `metrics`
/// and opening a server span per call.
pub async fn serve_grpc_with_metrics(
    service: ReleaseServer,
    listener: TcpListener,
    metrics: observability::Metrics,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), tonic::transport::Error> {
    serve_grpc_observed(service, accept_nodelay(listener), Some(metrics), shutdown).await
}

/// [`serve_grpc`] over TLS (`-tls`; with a client CA in `config`, `-tls-verify`).
pub async fn serve_grpc_tls(
    service: ReleaseServer,
    listener: TcpListener,
    config: Arc<rustls::ServerConfig>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), tonic::transport::Error> {
    serve_grpc_incoming(service, crate::tls::incoming(listener, config), shutdown).await
}

/// [`serve_grpc_tls`] with the metrics of [`serve_grpc_with_metrics`].
pub async fn serve_grpc_tls_with_metrics(
    service: ReleaseServer,
    listener: TcpListener,
    config: Arc<rustls::ServerConfig>,
    metrics: observability::Metrics,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), tonic::transport::Error> {
    serve_grpc_observed(
        service,
        crate::tls::incoming(listener, config),
        Some(metrics),
        shutdown,
    )
    .await
}

/// [`serve_grpc`] over any stream of connections.
pub async fn serve_grpc_incoming<I, IO, IE>(
    service: ReleaseServer,
    incoming: I,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), tonic::transport::Error>
where
    I: tokio_stream::Stream<Item = Result<IO, IE>> + Send + 'static,
    IO: tokio::io::AsyncRead
        + tokio::io::AsyncWrite
        + tonic::transport::server::Connected
        + Unpin
        + Send
        + 'static,
    IO::ConnectInfo: Clone + Send + Sync + 'static,
    IE: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    serve_grpc_observed(service, incoming, None, shutdown).await
}

/// [`serve_grpc_incoming`], counting calls in `metrics` when given.
pub async fn serve_grpc_observed<I, IO, IE>(
    service: ReleaseServer,
    incoming: I,
    metrics: Option<observability::Metrics>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), tonic::transport::Error>
where
    I: tokio_stream::Stream<Item = Result<IO, IE>> + Send + 'static,
    IO: tokio::io::AsyncRead
        + tokio::io::AsyncWrite
        + tonic::transport::server::Connected
        + Unpin
        + Send
        + 'static,
    IO::ConnectInfo: Clone + Send + Sync + 'static,
    IE: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let (reporter, health) = tonic_health::server::health_reporter();
    reporter
        .set_service_status(HEALTH_SERVICE_NAME, tonic_health::ServingStatus::Serving)
        .await;
    let version = service.version().sem_ver.clone();
    let svc = ReleaseServiceServer::new(service)
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE);
    // Outermost, so the version check's refusals are counted and traced too.
    let mut observe = observability::GrpcServerLayer::new();
    if let Some(m) = metrics {
        observe = observe.with_metrics(m.grpc.clone()).with_tracing(true);
    }
    Server::builder()
        .http2_keepalive_interval(None)
        .layer(observe)
        .layer(VersionCheckLayer::new(&version))
        .add_service(health)
        .add_service(svc)
        .serve_with_incoming_shutdown(incoming, shutdown)
        .await
}

/// Serves `router` on `listener` until `shutdown`.
pub async fn serve_http(
    router: Router,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Binds `addr`, accepting Go's `:port` form for "all interfaces".
pub async fn bind(addr: &str) -> std::io::Result<TcpListener> {
    let addr = if addr.starts_with(':') {
        format!("0.0.0.0{addr}")
    } else {
        addr.to_owned()
    };
    let parsed: SocketAddr = match addr.parse() {
        Ok(a) => a,
        Err(_) => {
            return TcpListener::bind(addr.as_str()).await;
        }
    };
    TcpListener::bind(parsed).await
}

/// Completes on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: draining in-flight calls");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bind_accepts_go_port_form() {
        let l = bind(":0").await.expect("bind");
        assert!(l.local_addr().expect("addr").port() > 0);
        let l = bind("127.0.0.1:0").await.expect("bind");
        assert!(l.local_addr().expect("addr").ip().is_loopback());
    }
}
