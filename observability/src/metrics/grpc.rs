//! gRPC server metrics with the go-grpc-prometheus names and labels, so the
//! public "Go gRPC" dashboards read Tiller unchanged.
//!
//! The family only counts; [`crate::grpc::GrpcServerLayer`] decides when a
//! call starts, which messages pass and which status ends it.

use prometheus::{HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts, Registry};

use super::{MetricsError, register, register_error};

/// The shape of a gRPC method, the `grpc_type` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GrpcType {
    /// One request, one response.
    Unary,
    /// A request stream, one response.
    ClientStream,
    /// One request, a response stream.
    ServerStream,
    /// Streams both ways.
    BidiStream,
}

impl GrpcType {
    /// The label value go-grpc-prometheus uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unary => "unary",
            Self::ClientStream => "client_stream",
            Self::ServerStream => "server_stream",
            Self::BidiStream => "bidi_stream",
        }
    }
}

/// The name Go's `codes.Code.String()` gives a status code (`OK`,
/// `InvalidArgument`, …); codes outside the 17 defined map to `Unknown`, as
/// gRPC itself treats them.
pub fn grpc_code_name(code: i32) -> &'static str {
    match code {
        0 => "OK",
        1 => "Canceled",
        3 => "InvalidArgument",
        4 => "DeadlineExceeded",
        5 => "NotFound",
        6 => "AlreadyExists",
        7 => "PermissionDenied",
        8 => "ResourceExhausted",
        9 => "FailedPrecondition",
        10 => "Aborted",
        11 => "OutOfRange",
        12 => "Unimplemented",
        13 => "Internal",
        14 => "Unavailable",
        15 => "DataLoss",
        16 => "Unauthenticated",
        _ => "Unknown",
    }
}

/// go-grpc-prometheus uses the Prometheus default buckets.
const HANDLING_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The `grpc_server_*` family.
#[derive(Debug, Clone)]
pub struct GrpcServerMetrics {
    started: IntCounterVec,
    handled: IntCounterVec,
    received: IntCounterVec,
    sent: IntCounterVec,
    handling: HistogramVec,
}

/// The series of one call, resolved once when it starts so each message
/// costs one atomic add.
#[derive(Debug, Clone)]
pub(crate) struct CallSeries {
    pub(crate) received: IntCounter,
    pub(crate) sent: IntCounter,
    labels: [&'static str; 3],
    family: GrpcServerMetrics,
}

impl CallSeries {
    /// Records the end of the call.
    pub(crate) fn handled(&self, code: i32, seconds: f64) {
        let [t, s, m] = self.labels;
        self.family
            .handled
            .with_label_values(&[t, s, m, grpc_code_name(code)])
            .inc();
        self.family
            .handling
            .with_label_values(&self.labels)
            .observe(seconds);
    }
}

impl GrpcServerMetrics {
    pub(crate) fn register(reg: &Registry) -> Result<Self, MetricsError> {
        const LABELS: &[&str] = &["grpc_type", "grpc_service", "grpc_method"];
        const CODE_LABELS: &[&str] = &["grpc_type", "grpc_service", "grpc_method", "grpc_code"];
        let counter =
            |name: &str, help: &str, labels: &[&str]| -> Result<IntCounterVec, MetricsError> {
                let c = IntCounterVec::new(Opts::new(name, help), labels)
                    .map_err(|e| register_error(name, e))?;
                register(reg, name, c.clone())?;
                Ok(c)
            };
        let started = counter(
            "grpc_server_started_total",
            "Total number of RPCs started on the server.",
            LABELS,
        )?;
        let handled = counter(
            "grpc_server_handled_total",
            "Total number of RPCs completed on the server, regardless of success or failure.",
            CODE_LABELS,
        )?;
        let received = counter(
            "grpc_server_msg_received_total",
            "Total number of RPC stream messages received on the server.",
            LABELS,
        )?;
        let sent = counter(
            "grpc_server_msg_sent_total",
            "Total number of gRPC stream messages sent by the server.",
            LABELS,
        )?;
        let handling = HistogramVec::new(
            HistogramOpts::new(
                "grpc_server_handling_seconds",
                "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.",
            )
            .buckets(HANDLING_BUCKETS.to_vec()),
            LABELS,
        )
        .map_err(|e| register_error("grpc_server_handling_seconds", e))?;
        register(reg, "grpc_server_handling_seconds", handling.clone())?;
        Ok(Self {
            started,
            handled,
            received,
            sent,
            handling,
        })
    }

    /// Records the start of a call and returns its series.
    pub(crate) fn start(
        &self,
        kind: GrpcType,
        service: &'static str,
        method: &'static str,
    ) -> CallSeries {
        let labels = [kind.as_str(), service, method];
        self.started.with_label_values(&labels).inc();
        CallSeries {
            received: self.received.with_label_values(&labels),
            sent: self.sent.with_label_values(&labels),
            labels,
            family: self.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_names_match_go() {
        assert_eq!(grpc_code_name(0), "OK");
        assert_eq!(grpc_code_name(2), "Unknown");
        assert_eq!(grpc_code_name(14), "Unavailable");
        assert_eq!(grpc_code_name(16), "Unauthenticated");
        assert_eq!(grpc_code_name(99), "Unknown");
        assert_eq!(grpc_code_name(-1), "Unknown");
    }
}
