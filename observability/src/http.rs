//! The probe server routes: `/metrics` (Prometheus text exposition),
//! `/liveness` and `/readiness`, as an axum `Router` Tiller merges into its
//! probe listener on `:44135`, where Helm v2 served them.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::metrics::Metrics;

/// The content type of the text exposition format.
pub const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// A readiness flag shared between the server and `/readiness`.
#[derive(Debug, Clone, Default)]
pub struct Readiness(Arc<AtomicBool>);

impl Readiness {
    /// A flag that starts not ready.
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks the server ready or not.
    pub fn set(&self, ready: bool) {
        self.0.store(ready, Ordering::Release);
    }

    /// Whether the server is ready.
    pub fn is_ready(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// `GET /metrics` alone.
pub fn metrics_router(metrics: Metrics) -> Router {
    Router::new()
        .route("/metrics", get(serve_metrics))
        .with_state(metrics)
}

/// `GET /metrics`, `GET /liveness` (always 200 while the process serves) and
/// `GET /readiness` (200 when `ready` is set, 503 otherwise).
pub fn probe_router(metrics: Metrics, ready: Readiness) -> Router {
    Router::new()
        .route("/liveness", get(|| async { (StatusCode::OK, "ok\n") }))
        .route("/readiness", get(serve_readiness))
        .with_state(ready)
        .merge(metrics_router(metrics))
}

async fn serve_metrics(State(metrics): State<Metrics>) -> Response {
    match metrics.encode_text() {
        Ok(text) => ([(header::CONTENT_TYPE, TEXT_FORMAT)], text).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "encoding metrics failed");
            (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response()
        }
    }
}

async fn serve_readiness(State(ready): State<Readiness>) -> Response {
    if ready.is_ready() {
        (StatusCode::OK, "ok\n").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready\n").into_response()
    }
}
