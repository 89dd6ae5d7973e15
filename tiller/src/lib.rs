//! Tiller, the server half of Helm v2, re-implemented for high availability.
//!
//! * [`storage`]: release storage in Helm v2.17.0's exact ConfigMap, Secret
//!   and Memory formats, with create-only revisions, compare-and-swap
//!   updates and a fencing hook.
//! * [`service`]: the hapi `ReleaseService` (install, upgrade, rollback,
//!   delete, test, status, content, history, list, version).
//! * [`cluster`] and [`patch`]: applying manifests to Kubernetes through
//!   kube's dynamic API (create, three-way patch, delete, readiness waits).
//! * [`release`]: rendering and hooks (the wire chart becomes the engine's
//!   through `chart::proto`); [`names`]: release name rules.
//! * [`server`] and [`config`]: the gRPC and probe servers, the version
//!   check, Helm v2's flags; [`tls`] for `-tls`/`-tls-verify`; [`run`] ties
//!   them together for the binary, with the `observability` crate's
//!   metrics on the gRPC server and `/metrics` on the probe port.

pub mod cluster;
pub mod config;
pub mod error;
pub mod names;
pub mod patch;
pub mod release;
pub mod server;
pub mod service;
pub mod storage;
pub mod tls;

use std::sync::Arc;

use crate::config::Config;
use crate::storage::{ConfigMaps, Driver, Memory, Secrets, Storage};

/// Why Tiller could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A feature of Helm v2's Tiller this one does not have.
    #[error("not implemented: {0}")]
    NotImplemented(&'static str),
    /// The TLS files are unusable.
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    /// An unknown storage driver.
    #[error("unknown storage driver {0:?} (use configmap, secret or memory)")]
    UnknownStorage(String),
    /// No Kubernetes client could be built.
    #[error("cannot reach Kubernetes: {0}")]
    Kube(#[from] kube::Error),
    /// A listener could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: String,
        /// The error.
        source: std::io::Error,
    },
    /// The metrics registry could not be built.
    #[error("metrics: {0}")]
    Metrics(#[from] observability::metrics::MetricsError),
    /// The gRPC server failed.
    #[error("gRPC server: {0}")]
    Grpc(#[from] tonic::transport::Error),
}

/// The facts `tiller_build_info` exports: the crate version, plus the
/// commit and compiler when the build environment names them
/// (`TILLER_GIT_COMMIT`, `TILLER_RUSTC_VERSION` at compile time).
pub fn build_info() -> observability::BuildInfo {
    observability::BuildInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        commit: option_env!("TILLER_GIT_COMMIT").unwrap_or("").to_owned(),
        rust_version: option_env!("TILLER_RUSTC_VERSION").unwrap_or("").to_owned(),
    }
}

/// Runs Tiller with `config` until SIGINT/SIGTERM.
pub async fn run(config: Config) -> Result<(), RunError> {
    if config.trace {
        return Err(RunError::NotImplemented("-trace"));
    }
    if config.experimental_release {
        return Err(RunError::NotImplemented("-experimental-release (Rudder)"));
    }
    // -tls-verify implies -tls; it adds client certificate verification.
    let tls = if config.tls || config.tls_verify {
        let ca = config
            .tls_verify
            .then(|| std::path::Path::new(&config.tls_ca_cert));
        Some(tls::server_config(
            std::path::Path::new(&config.tls_cert),
            std::path::Path::new(&config.tls_key),
            ca,
        )?)
    } else {
        None
    };
    let metrics = observability::Metrics::new(&build_info())?;
    let client = kube::Client::try_default().await?;
    let driver: Arc<dyn Driver> = match config.storage.as_str() {
        "configmap" => Arc::new(ConfigMaps::new(client.clone(), &config.namespace)),
        "secret" => Arc::new(Secrets::new(client.clone(), &config.namespace)),
        "memory" => Arc::new(Memory::new()),
        "sql" => return Err(RunError::NotImplemented("the sql storage driver")),
        other => return Err(RunError::UnknownStorage(other.to_owned())),
    };
    let storage = Storage::new(driver).with_max_history(config.history_max);
    let service = service::ReleaseServer::new(storage, cluster::Cluster::new(client));
    let grpc = server::bind(&config.listen)
        .await
        .map_err(|source| RunError::Bind {
            addr: config.listen.clone(),
            source,
        })?;
    tracing::info!(addr = %config.listen, storage = config.storage, namespace = config.namespace, "Tiller listening");
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = move |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let probes = if config.probe {
        let l = server::bind(&config.probe_listen)
            .await
            .map_err(|source| RunError::Bind {
                addr: config.probe_listen.clone(),
                source,
            })?;
        let fut = server::serve_http(
            server::probe_router_with_metrics(metrics.clone()),
            l,
            stopped(stop_rx.clone()),
        );
        Some(tokio::spawn(fut))
    } else {
        None
    };
    tokio::spawn(async move {
        server::shutdown_signal().await;
        let _ = stop_tx.send(true);
    });
    match tls {
        Some(cfg) => {
            server::serve_grpc_tls_with_metrics(service, grpc, cfg, metrics, stopped(stop_rx))
                .await?
        }
        None => server::serve_grpc_with_metrics(service, grpc, metrics, stopped(stop_rx)).await?,
    }
    if let Some(p) = probes
        && let Ok(Err(e)) = p.await
    {
        tracing::warn!(error = %e, "probe server");
    }
    Ok(())
}
