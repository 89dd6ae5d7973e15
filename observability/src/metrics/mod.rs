//! The process-wide metrics registry and its typed families.
//!
//! One [`Metrics`] value owns one `prometheus::Registry`. Every family is
//! registered exactly once when `Metrics` is built, so callers never deal with
//! registration errors at run time; they get cheap clonable handles instead.
//! Subsystems keep their names apart with a namespace and subsystem prefix
//! (`tiller_release_…`, `tiller_kube_…`), except the families whose names are
//! fixed by existing dashboards (`grpc_server_…`, `leader_election_…`,
//! `process_…`).
//!
//! Label values are always chosen from closed sets (enums, known method
//! paths, HTTP status codes) so a misbehaving client cannot grow the series
//! count; release names never become labels.

mod families;
mod grpc;

pub use families::{
    CacheMetrics, ForwardMetrics, HookOutcome, KubeMetrics, LeaderMetrics, Operation,
    OperationOutcome, ReleaseMetrics, ReleaseStatus, StorageMetrics, WriteOutcome,
};
pub(crate) use grpc::CallSeries;
pub use grpc::{GrpcServerMetrics, GrpcType, grpc_code_name};

use prometheus::{Encoder, IntGaugeVec, Opts, Registry, TextEncoder};

/// Errors building or exporting metrics.
#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    /// A family could not be registered (a duplicate name or bad label set).
    #[error("registering metric `{name}`: {source}")]
    Register {
        /// The metric family name.
        name: String,
        /// What prometheus reported.
        #[source]
        source: prometheus::Error,
    },
    /// The text exposition could not be produced.
    #[error("encoding metrics: {0}")]
    Encode(#[source] prometheus::Error),
}

/// Version facts exported as `tiller_build_info{version,commit,rust_version} 1`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildInfo {
    /// The program version, e.g. `env!("CARGO_PKG_VERSION")`.
    pub version: String,
    /// The git commit the binary was built from, or empty when unknown.
    pub commit: String,
    /// The Rust compiler version, or empty when unknown.
    pub rust_version: String,
}

/// Every metric family Tiller exports, registered once on one registry.
///
/// Cloning is cheap and clones share the same series.
#[derive(Debug, Clone)]
pub struct Metrics {
    registry: Registry,
    /// gRPC server metrics, with go-grpc-prometheus names.
    pub grpc: GrpcServerMetrics,
    /// Leader election.
    pub leader: LeaderMetrics,
    /// Release operations, statuses and hooks.
    pub release: ReleaseMetrics,
    /// Requests a follower forwards to the leader.
    pub forward: ForwardMetrics,
    /// Kubernetes API calls.
    pub kube: KubeMetrics,
    /// Release storage writes.
    pub storage: StorageMetrics,
    /// Informer cache freshness.
    pub cache: CacheMetrics,
}

/// Namespace of every Tiller-specific family.
pub(crate) const NAMESPACE: &str = "tiller";

impl Metrics {
    /// Builds the registry with every family, the build-info gauge and, with
    /// the `process` feature on Linux, the `process_*` collector.
    pub fn new(build: &BuildInfo) -> Result<Self, MetricsError> {
        let registry = Registry::new();
        let metrics = Self {
            grpc: GrpcServerMetrics::register(&registry)?,
            leader: LeaderMetrics::register(&registry)?,
            release: ReleaseMetrics::register(&registry)?,
            forward: ForwardMetrics::register(&registry)?,
            kube: KubeMetrics::register(&registry)?,
            storage: StorageMetrics::register(&registry)?,
            cache: CacheMetrics::register(&registry)?,
            registry,
        };
        let info = IntGaugeVec::new(
            Opts::new("build_info", "Build facts of the running binary; always 1")
                .namespace(NAMESPACE),
            &["version", "commit", "rust_version"],
        )
        .map_err(|source| register_error("tiller_build_info", source))?;
        info.with_label_values(&[&build.version, &build.commit, &build.rust_version])
            .set(1);
        register(&metrics.registry, "tiller_build_info", info)?;
        #[cfg(all(feature = "process", target_os = "linux"))]
        register(
            &metrics.registry,
            "process_*",
            prometheus::process_collector::ProcessCollector::for_self(),
        )?;
        Ok(metrics)
    }

    /// The underlying registry, for callers that add their own collectors.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The Prometheus text exposition (format 0.0.4) of every family.
    pub fn encode_text(&self) -> Result<String, MetricsError> {
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .map_err(MetricsError::Encode)?;
        // The encoder writes only UTF-8 names, help strings and label values.
        String::from_utf8(out).map_err(|e| {
            MetricsError::Encode(prometheus::Error::Msg(format!(
                "exposition is not utf-8: {e}"
            )))
        })
    }
}

pub(crate) fn register_error(name: &str, source: prometheus::Error) -> MetricsError {
    MetricsError::Register {
        name: name.to_owned(),
        source,
    }
}

pub(crate) fn register<C>(registry: &Registry, name: &str, collector: C) -> Result<(), MetricsError>
where
    C: prometheus::core::Collector + 'static,
{
    registry
        .register(Box::new(collector))
        .map_err(|source| register_error(name, source))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build() -> BuildInfo {
        BuildInfo {
            version: "1.2.3".to_owned(),
            commit: "abc".to_owned(),
            rust_version: "1.89.0".to_owned(),
        }
    }

    #[test]
    fn build_info_is_exported() {
        let m = Metrics::new(&build()).expect("metrics");
        let text = m.encode_text().expect("encode");
        assert!(
            text.contains(
                r#"tiller_build_info{commit="abc",rust_version="1.89.0",version="1.2.3"} 1"#
            ),
            "{text}"
        );
    }

    #[test]
    fn two_instances_do_not_collide() {
        let a = Metrics::new(&build()).expect("first");
        let b = Metrics::new(&build()).expect("second");
        a.storage.write(WriteOutcome::Conflict);
        assert!(
            a.encode_text()
                .expect("a")
                .contains(r#"tiller_storage_writes_total{outcome="conflict"} 1"#)
        );
        assert!(
            !b.encode_text()
                .expect("b")
                .contains(r#"outcome="conflict"} 1"#)
        );
    }

    #[cfg(all(feature = "process", target_os = "linux"))]
    #[test]
    fn process_metrics_are_exported() {
        let text = Metrics::new(&build())
            .expect("metrics")
            .encode_text()
            .expect("encode");
        for name in [
            "process_cpu_seconds_total",
            "process_resident_memory_bytes",
            "process_open_fds",
            "process_start_time_seconds",
        ] {
            assert!(text.contains(&format!("# TYPE {name} ")), "missing {name}");
        }
    }
}
