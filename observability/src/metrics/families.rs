//! Tiller's own metric families: leadership, releases, forwarding,
//! Kubernetes API calls, storage writes and cache lag.
//!
//! Each family is a small struct of prometheus handles with methods that take
//! closed label sets, so the call sites stay short and cardinality stays
//! bounded by construction.

use std::time::Duration;

use prometheus::{
    Gauge, GaugeVec, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec,
    Opts, Registry,
};

use super::{MetricsError, NAMESPACE, register, register_error};

/// Buckets for release operations, which include waits and hooks and can take
/// minutes.
const OPERATION_BUCKETS: &[f64] = &[
    0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0,
];

/// Buckets for Kubernetes API calls, which are usually milliseconds.
const KUBE_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

fn opts(subsystem: &str, name: &str, help: &str) -> Opts {
    Opts::new(name, help)
        .namespace(NAMESPACE)
        .subsystem(subsystem)
}

fn full(subsystem: &str, name: &str) -> String {
    format!("{NAMESPACE}_{subsystem}_{name}")
}

fn counter_vec(
    reg: &Registry,
    sub: &str,
    name: &str,
    help: &str,
    labels: &[&str],
) -> Result<IntCounterVec, MetricsError> {
    let c = IntCounterVec::new(opts(sub, name, help), labels)
        .map_err(|e| register_error(&full(sub, name), e))?;
    register(reg, &full(sub, name), c.clone())?;
    Ok(c)
}

fn counter(reg: &Registry, sub: &str, name: &str, help: &str) -> Result<IntCounter, MetricsError> {
    let c = IntCounter::with_opts(opts(sub, name, help))
        .map_err(|e| register_error(&full(sub, name), e))?;
    register(reg, &full(sub, name), c.clone())?;
    Ok(c)
}

fn histogram_vec(
    reg: &Registry,
    sub: &str,
    name: &str,
    help: &str,
    labels: &[&str],
    buckets: &[f64],
) -> Result<HistogramVec, MetricsError> {
    let h = HistogramVec::new(
        HistogramOpts::new(name, help)
            .namespace(NAMESPACE)
            .subsystem(sub)
            .buckets(buckets.to_vec()),
        labels,
    )
    .map_err(|e| register_error(&full(sub, name), e))?;
    register(reg, &full(sub, name), h.clone())?;
    Ok(h)
}

/// Leader election: who leads, how often it changes, lease health.
#[derive(Debug, Clone)]
pub struct LeaderMetrics {
    master_status: IntGaugeVec,
    transitions: IntCounter,
    renew_failures: IntCounter,
    term: IntGauge,
}

impl LeaderMetrics {
    pub(crate) fn register(reg: &Registry) -> Result<Self, MetricsError> {
        // client-go's name and label, so existing alerts work unchanged.
        let master_status = IntGaugeVec::new(
            Opts::new(
                "leader_election_master_status",
                "1 while this replica holds the named lease, 0 otherwise",
            ),
            &["name"],
        )
        .map_err(|e| register_error("leader_election_master_status", e))?;
        register(reg, "leader_election_master_status", master_status.clone())?;
        let term = IntGauge::with_opts(opts(
            "leader",
            "term",
            "Leadership term (lease transitions count) this replica last observed",
        ))
        .map_err(|e| register_error("tiller_leader_term", e))?;
        register(reg, "tiller_leader_term", term.clone())?;
        Ok(Self {
            master_status,
            transitions: counter(
                reg,
                "leader",
                "transitions_total",
                "Times this replica saw the leader change (gained or lost leadership, or a new leader elsewhere)",
            )?,
            renew_failures: counter(
                reg,
                "leader",
                "lease_renew_failures_total",
                "Failed attempts by the leader to renew its lease",
            )?,
            term,
        })
    }

    /// Records whether this replica currently holds the lease `name`.
    pub fn set_leader(&self, name: &str, is_leader: bool) {
        self.master_status
            .with_label_values(&[name])
            .set(i64::from(is_leader));
    }

    /// Records a leadership change.
    pub fn transition(&self) {
        self.transitions.inc();
    }

    /// Records a failed lease renewal.
    pub fn renew_failed(&self) {
        self.renew_failures.inc();
    }

    /// Records the current leadership term.
    pub fn set_term(&self, term: i64) {
        self.term.set(term);
    }
}

/// The release statuses of Helm v2 (`hapi.release.Status.Code`), used as the
/// `status` label of `tiller_releases`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReleaseStatus {
    /// `UNKNOWN`
    Unknown,
    /// `DEPLOYED`
    Deployed,
    /// `DELETED`
    Deleted,
    /// `SUPERSEDED`
    Superseded,
    /// `FAILED`
    Failed,
    /// `DELETING`
    Deleting,
    /// `PENDING_INSTALL`
    PendingInstall,
    /// `PENDING_UPGRADE`
    PendingUpgrade,
    /// `PENDING_ROLLBACK`
    PendingRollback,
}

impl ReleaseStatus {
    /// Every status, for resetting gauges.
    pub const ALL: [ReleaseStatus; 9] = [
        Self::Unknown,
        Self::Deployed,
        Self::Deleted,
        Self::Superseded,
        Self::Failed,
        Self::Deleting,
        Self::PendingInstall,
        Self::PendingUpgrade,
        Self::PendingRollback,
    ];

    /// The label value: Helm's enum name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "UNKNOWN",
            Self::Deployed => "DEPLOYED",
            Self::Deleted => "DELETED",
            Self::Superseded => "SUPERSEDED",
            Self::Failed => "FAILED",
            Self::Deleting => "DELETING",
            Self::PendingInstall => "PENDING_INSTALL",
            Self::PendingUpgrade => "PENDING_UPGRADE",
            Self::PendingRollback => "PENDING_ROLLBACK",
        }
    }
}

/// A release operation, the `operation` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `helm install`
    Install,
    /// `helm upgrade`
    Upgrade,
    /// `helm rollback`
    Rollback,
    /// `helm delete`
    Uninstall,
    /// `helm test`
    Test,
}

impl Operation {
    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Install => "install",
            Self::Upgrade => "upgrade",
            Self::Rollback => "rollback",
            Self::Uninstall => "uninstall",
            Self::Test => "test",
        }
    }
}

/// How a release operation ended, the `result` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperationOutcome {
    /// The operation completed.
    Success,
    /// The operation failed.
    Failure,
    /// Another operation on the same release was in progress.
    Conflict,
}

impl OperationOutcome {
    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
            Self::Conflict => "conflict",
        }
    }
}

/// How a hook ended, the `result` label of `tiller_release_hooks_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HookOutcome {
    /// The hook resource reached its success condition.
    Success,
    /// The hook failed.
    Failure,
    /// The hook did not finish within the operation timeout.
    Timeout,
}

impl HookOutcome {
    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
            Self::Timeout => "timeout",
        }
    }
}

/// The hook kinds Helm v2 knows (`helm.sh/hook` values); anything else is
/// counted as `other` so annotations cannot create series.
const HOOK_KINDS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test-success",
    "test-failure",
    "crd-install",
];

/// Releases: how many in each status, operations, durations and hooks.
#[derive(Debug, Clone)]
pub struct ReleaseMetrics {
    by_status: IntGaugeVec,
    operations: IntCounterVec,
    duration: HistogramVec,
    hooks: IntCounterVec,
    pending_recovered: IntCounter,
}

impl ReleaseMetrics {
    pub(crate) fn register(reg: &Registry) -> Result<Self, MetricsError> {
        // `tiller_releases{status}`: no subsystem, the name reads better bare.
        let by_status = IntGaugeVec::new(
            Opts::new(
                "releases",
                "Releases whose latest revision is in each status",
            )
            .namespace(NAMESPACE),
            &["status"],
        )
        .map_err(|e| register_error("tiller_releases", e))?;
        register(reg, "tiller_releases", by_status.clone())?;
        Ok(Self {
            by_status,
            operations: counter_vec(
                reg,
                "release",
                "operations_total",
                "Release operations by kind and outcome",
                &["operation", "result"],
            )?,
            duration: histogram_vec(
                reg,
                "release",
                "operation_duration_seconds",
                "Duration of release operations, hooks and waits included",
                &["operation"],
                OPERATION_BUCKETS,
            )?,
            hooks: counter_vec(
                reg,
                "release",
                "hooks_total",
                "Release hooks run, by kind and outcome",
                &["hook", "result"],
            )?,
            pending_recovered: counter(
                reg,
                "release",
                "pending_recovered_total",
                "Orphaned PENDING_* revisions moved to FAILED (after a crash, a deadline or a leader change)",
            )?,
        })
    }

    /// Sets the number of releases in `status`.
    pub fn set_count(&self, status: ReleaseStatus, count: i64) {
        self.by_status
            .with_label_values(&[status.as_str()])
            .set(count);
    }

    /// Records one finished operation and its duration.
    pub fn operation(&self, op: Operation, outcome: OperationOutcome, elapsed: Duration) {
        self.operations
            .with_label_values(&[op.as_str(), outcome.as_str()])
            .inc();
        self.duration
            .with_label_values(&[op.as_str()])
            .observe(elapsed.as_secs_f64());
    }

    /// Records a hook run; `hook` is the `helm.sh/hook` value (unknown
    /// values are counted as `other`).
    pub fn hook(&self, hook: &str, outcome: HookOutcome) {
        let hook = HOOK_KINDS
            .iter()
            .find(|k| **k == hook)
            .copied()
            .unwrap_or("other");
        self.hooks
            .with_label_values(&[hook, outcome.as_str()])
            .inc();
    }

    /// Records `count` pending revisions recovered.
    pub fn pending_recovered(&self, count: u64) {
        self.pending_recovered.inc_by(count);
    }
}

/// Follower → leader forwarding.
#[derive(Debug, Clone)]
pub struct ForwardMetrics {
    requests: IntCounterVec,
    errors: IntCounterVec,
}

impl ForwardMetrics {
    pub(crate) fn register(reg: &Registry) -> Result<Self, MetricsError> {
        Ok(Self {
            requests: counter_vec(
                reg,
                "forward",
                "requests_total",
                "Requests this follower forwarded to the leader, by gRPC method",
                &["grpc_method"],
            )?,
            errors: counter_vec(
                reg,
                "forward",
                "errors_total",
                "Forwarded requests that failed to reach the leader, by gRPC method",
                &["grpc_method"],
            )?,
        })
    }

    /// Records a forwarded request for the full method path.
    pub fn forwarded(&self, path: &str) {
        self.requests
            .with_label_values(&[bounded_method(path)])
            .inc();
    }

    /// Records a forwarding failure for the full method path.
    pub fn error(&self, path: &str) {
        self.errors.with_label_values(&[bounded_method(path)]).inc();
    }
}

/// The method name of a known hapi path, or `unknown`.
fn bounded_method(path: &str) -> &'static str {
    helm_proto::methods::find(path).map_or("unknown", |m| m.name)
}

/// Kubernetes API calls made by Tiller.
#[derive(Debug, Clone)]
pub struct KubeMetrics {
    requests: IntCounterVec,
    latency: HistogramVec,
}

impl KubeMetrics {
    pub(crate) fn register(reg: &Registry) -> Result<Self, MetricsError> {
        Ok(Self {
            requests: counter_vec(
                reg,
                "kube",
                "requests_total",
                "Kubernetes API requests by verb, resource and HTTP status code (0: no response)",
                &["verb", "resource", "code"],
            )?,
            latency: histogram_vec(
                reg,
                "kube",
                "request_duration_seconds",
                "Kubernetes API request latency by verb and resource",
                &["verb", "resource"],
                KUBE_BUCKETS,
            )?,
        })
    }

    /// Records one API call. `verb` is the Kubernetes verb (`get`, `list`,
    /// `create`, …), `resource` the plural resource (`configmaps`), `code`
    /// the HTTP status or 0 when no response arrived. Both strings come from
    /// Tiller's code, never from user input, which keeps them bounded.
    pub fn request(&self, verb: &str, resource: &str, code: u16, elapsed: Duration) {
        let code = code.to_string();
        self.requests
            .with_label_values(&[verb, resource, &code])
            .inc();
        self.latency
            .with_label_values(&[verb, resource])
            .observe(elapsed.as_secs_f64());
    }
}

/// How a release storage write ended, the `outcome` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WriteOutcome {
    /// Written.
    Ok,
    /// Lost a resourceVersion or create-exists race.
    Conflict,
    /// Refused because this replica no longer holds the lease.
    Fenced,
    /// The encoded release exceeds the object size limit.
    TooLarge,
    /// Any other failure.
    Error,
}

impl WriteOutcome {
    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Conflict => "conflict",
            Self::Fenced => "fenced",
            Self::TooLarge => "too_large",
            Self::Error => "error",
        }
    }
}

/// Release storage writes.
#[derive(Debug, Clone)]
pub struct StorageMetrics {
    writes: IntCounterVec,
}

impl StorageMetrics {
    pub(crate) fn register(reg: &Registry) -> Result<Self, MetricsError> {
        Ok(Self {
            writes: counter_vec(
                reg,
                "storage",
                "writes_total",
                "Release storage writes by outcome",
                &["outcome"],
            )?,
        })
    }

    /// Records one write.
    pub fn write(&self, outcome: WriteOutcome) {
        self.writes.with_label_values(&[outcome.as_str()]).inc();
    }
}

/// Freshness of the release cache fed by a Kubernetes watch.
#[derive(Debug, Clone)]
pub struct CacheMetrics {
    lag: Gauge,
    resyncs: GaugeVec,
}

impl CacheMetrics {
    pub(crate) fn register(reg: &Registry) -> Result<Self, MetricsError> {
        let lag = Gauge::with_opts(opts(
            "cache",
            "lag_seconds",
            "Seconds between the newest storage write this replica knows of and the moment its cache saw it",
        ))
        .map_err(|e| register_error("tiller_cache_lag_seconds", e))?;
        register(reg, "tiller_cache_lag_seconds", lag.clone())?;
        let resyncs = GaugeVec::new(
            opts(
                "cache",
                "last_sync_timestamp_seconds",
                "Unix time of the last complete list of each cached resource",
            ),
            &["resource"],
        )
        .map_err(|e| register_error("tiller_cache_last_sync_timestamp_seconds", e))?;
        register(
            reg,
            "tiller_cache_last_sync_timestamp_seconds",
            resyncs.clone(),
        )?;
        Ok(Self { lag, resyncs })
    }

    /// Records the current cache lag.
    pub fn set_lag(&self, lag: Duration) {
        self.lag.set(lag.as_secs_f64());
    }

    /// Records a complete list of `resource` at `unix_seconds`.
    pub fn synced(&self, resource: &str, unix_seconds: f64) {
        self.resyncs
            .with_label_values(&[resource])
            .set(unix_seconds);
    }
}

#[cfg(test)]
mod tests {
    use super::super::{BuildInfo, Metrics};
    use super::*;

    fn text(m: &Metrics) -> String {
        m.encode_text().expect("encode")
    }

    #[test]
    fn families_record_with_bounded_labels() {
        let m = Metrics::new(&BuildInfo::default()).expect("metrics");
        m.leader.set_leader("tiller-leader", true);
        m.leader.transition();
        m.leader.renew_failed();
        m.leader.set_term(7);
        m.release.set_count(ReleaseStatus::PendingUpgrade, 2);
        m.release.operation(
            Operation::Upgrade,
            OperationOutcome::Failure,
            Duration::from_millis(300),
        );
        m.release.hook("pre-upgrade", HookOutcome::Timeout);
        m.release.hook("my-own-hook", HookOutcome::Success);
        m.release.pending_recovered(3);
        m.forward
            .forwarded("/hapi.services.tiller.ReleaseService/UpdateRelease");
        m.forward.error("/evil/path");
        m.kube
            .request("update", "configmaps", 409, Duration::from_millis(4));
        m.storage.write(WriteOutcome::Fenced);
        m.cache.set_lag(Duration::from_millis(1500));
        let t = text(&m);
        for line in [
            r#"leader_election_master_status{name="tiller-leader"} 1"#,
            "tiller_leader_transitions_total 1",
            "tiller_leader_lease_renew_failures_total 1",
            "tiller_leader_term 7",
            r#"tiller_releases{status="PENDING_UPGRADE"} 2"#,
            r#"tiller_release_operations_total{operation="upgrade",result="failure"} 1"#,
            r#"tiller_release_operation_duration_seconds_bucket{operation="upgrade",le="0.5"} 1"#,
            r#"tiller_release_hooks_total{hook="pre-upgrade",result="timeout"} 1"#,
            r#"tiller_release_hooks_total{hook="other",result="success"} 1"#,
            "tiller_release_pending_recovered_total 3",
            r#"tiller_forward_requests_total{grpc_method="UpdateRelease"} 1"#,
            r#"tiller_forward_errors_total{grpc_method="unknown"} 1"#,
            r#"tiller_kube_requests_total{code="409",resource="configmaps",verb="update"} 1"#,
            r#"tiller_kube_request_duration_seconds_count{resource="configmaps",verb="update"} 1"#,
            r#"tiller_storage_writes_total{outcome="fenced"} 1"#,
            "tiller_cache_lag_seconds 1.5",
        ] {
            assert!(t.contains(line), "missing `{line}` in\n{t}");
        }
        m.leader.set_leader("tiller-leader", false);
        assert!(text(&m).contains(r#"leader_election_master_status{name="tiller-leader"} 0"#));
    }
}
