//! Shared metrics, logging and tracing for Tiller and the helm CLI.
//!
//! # Integration points
//!
//! **Tiller** (`tiller/src/main.rs` and its server wiring):
//! 1. Flatten [`LogArgs`] into the clap arguments and call
//!    [`init("tiller", &args.log)`](init) first thing in `main`; keep the
//!    returned [`Telemetry`] alive until exit (its drop flushes spans).
//! 2. Build one [`Metrics`] with [`Metrics::new`] and a [`BuildInfo`]; clone
//!    it into whatever records leadership, releases, storage, Kubernetes
//!    calls, forwarding and cache lag (`metrics.leader.set_leader(..)`,
//!    `metrics.release.operation(..)`, `metrics.storage.write(..)`, …).
//! 3. Wrap the gRPC server, as the first `.layer(..)` so calls that later
//!    layers reject (the version check) are counted and traced too:
//!    `Server::builder().layer(GrpcServerLayer::new().with_metrics(metrics.grpc.clone()).with_tracing(true)).layer(VersionCheckLayer::new(..))`.
//!    The layer's service takes `http::Request<tonic::body::Body>` and needs
//!    an inner service of that request type (any layer generic over the
//!    body, like Tiller's `VersionCheck`, fits).
//! 4. Merge [`http::metrics_router`] into the axum router of the probe
//!    listener on `:44135` (`tiller::server::probe_router().merge(..)`), or
//!    use [`http::probe_router`] for `/metrics`, `/liveness` and a
//!    [`http::Readiness`]-driven `/readiness` together.
//! 5. When a follower forwards a call to the leader, run the forwarding
//!    inside the server span (it already is when called from the handler)
//!    and build the client with
//!    `with_interceptor(channel, propagation::inject_interceptor)`.
//!
//! **helm CLI**: flatten [`LogArgs`], call [`init("helm", &args.log)`](init),
//! open a root span per command, create clients with
//! [`propagation::inject_interceptor`], and call [`Telemetry::shutdown`]
//! before exiting (from outside the async runtime or via `spawn_blocking`)
//! so the command's spans reach the collector.
//!
//! Tracing export is configured only through the standard `OTEL_*`
//! variables (see [`otel`]) and is off when they are unset, so tests of other
//! crates need no collector.

pub mod grpc;
pub mod http;
pub mod logging;
pub mod metrics;
pub mod otel;
pub mod propagation;

pub use grpc::GrpcServerLayer;
pub use logging::{LogArgs, LogFormat, LogHandle};
pub use metrics::{BuildInfo, Metrics};
pub use otel::{OtelGuard, OtelSettings};

/// Errors of [`init`].
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    /// Logging could not be set up.
    #[error(transparent)]
    Log(#[from] logging::LogError),
    /// Tracing could not be set up.
    #[error(transparent)]
    Otel(#[from] otel::OtelError),
}

/// Logging and tracing of a running process; keep it alive until exit.
#[derive(Debug)]
pub struct Telemetry {
    /// Changes the log filter at run time.
    pub log: LogHandle,
    otel: Option<OtelGuard>,
}

impl Telemetry {
    /// Whether spans are exported.
    pub fn exporting(&self) -> bool {
        self.otel.is_some()
    }

    /// Flushes and stops span export; blocking, see [`OtelGuard::shutdown`].
    pub fn shutdown(mut self) -> Result<(), TelemetryError> {
        match self.otel.take() {
            Some(g) => g.shutdown().map_err(TelemetryError::from),
            None => Ok(()),
        }
    }
}

/// Installs the global subscriber: the log filter and format of `log`, plus
/// OpenTelemetry export when the `OTEL_*` environment asks for it, naming
/// the service `service` unless `OTEL_SERVICE_NAME` says otherwise.
pub fn init(service: &str, log: &LogArgs) -> Result<Telemetry, TelemetryError> {
    let settings = OtelSettings::from_env()?;
    let pipeline = settings
        .as_ref()
        .map(|s| otel::OtelPipeline::start(s, service))
        .transpose()?;
    let extra = pipeline.iter().map(otel::OtelPipeline::layer).collect();
    let handle = logging::init(log, extra)?;
    if let Some(s) = &settings {
        tracing::info!(endpoint = %s.endpoint, protocol = ?s.protocol, "exporting traces over otlp");
    }
    Ok(Telemetry {
        log: handle,
        otel: pipeline.map(otel::OtelPipeline::guard),
    })
}
