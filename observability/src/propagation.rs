//! W3C trace-context propagation over gRPC metadata and HTTP headers.
//!
//! The CLI injects the context of its current span into each request; a
//! follower forwarding a call injects the context of the server span it is
//! running in, and the leader's [`crate::grpc::GrpcServerLayer`] extracts it,
//! so one `helm upgrade` is one trace across all three processes. When no
//! OpenTelemetry layer is installed the current span has no trace context
//! and nothing is injected.

use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::TraceContextExt;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tonic::metadata::{MetadataKey, MetadataMap, MetadataValue};
use tracing_opentelemetry::OpenTelemetrySpanExt;

struct MetadataInjector<'a>(&'a mut MetadataMap);

impl Injector for MetadataInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        // The propagator only produces valid lowercase keys and visible
        // ASCII values; anything else is skipped rather than sent mangled.
        if let (Ok(key), Ok(value)) = (
            MetadataKey::from_bytes(key.as_bytes()),
            MetadataValue::try_from(value),
        ) {
            self.0.insert(key, value);
        }
    }
}

struct HeaderInjector<'a>(&'a mut http::HeaderMap);

impl Injector for HeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(key), Ok(value)) = (
            http::HeaderName::from_bytes(key.as_bytes()),
            http::HeaderValue::try_from(value),
        ) {
            self.0.insert(key, value);
        }
    }
}

struct HeaderExtractor<'a>(&'a http::HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(http::HeaderName::as_str).collect()
    }
}

/// Writes the current span's trace context (`traceparent`, `tracestate`)
/// into outgoing gRPC metadata.
pub fn inject_current(metadata: &mut MetadataMap) {
    let cx = tracing::Span::current().context();
    TraceContextPropagator::new().inject_context(&cx, &mut MetadataInjector(metadata));
}

/// Writes the current span's trace context into HTTP headers.
pub fn inject_current_headers(headers: &mut http::HeaderMap) {
    let cx = tracing::Span::current().context();
    TraceContextPropagator::new().inject_context(&cx, &mut HeaderInjector(headers));
}

/// Reads a trace context from incoming HTTP/2 headers (gRPC metadata are
/// headers); an empty context when there is none or it is malformed.
pub fn extract_headers(headers: &http::HeaderMap) -> opentelemetry::Context {
    TraceContextPropagator::new().extract(&HeaderExtractor(headers))
}

/// Reads a trace context from a tonic request's metadata.
pub fn extract_metadata(metadata: &MetadataMap) -> opentelemetry::Context {
    // MetadataMap shares the header encoding; go through a header map copy of
    // only the two propagation keys to stay independent of tonic internals.
    let mut headers = http::HeaderMap::new();
    for key in ["traceparent", "tracestate"] {
        if let Some(v) = metadata.get(key)
            && let Ok(v) = http::HeaderValue::from_bytes(v.as_bytes())
        {
            headers.insert(key, v);
        }
    }
    extract_headers(&headers)
}

/// A tonic client interceptor that injects the current trace context:
/// `ReleaseServiceClient::with_interceptor(channel, observability::propagation::inject_interceptor)`.
pub fn inject_interceptor(
    mut req: tonic::Request<()>,
) -> Result<tonic::Request<()>, tonic::Status> {
    inject_current(req.metadata_mut());
    Ok(req)
}

/// The current span's trace id as 32 hex digits, when it is part of a trace
/// (for log lines and error messages users can quote).
pub fn current_trace_id() -> Option<String> {
    let cx = tracing::Span::current().context();
    let span = cx.span();
    let sc = span.span_context();
    sc.is_valid().then(|| sc.trace_id().to_string())
}

/// A `CLIENT` span for an outgoing call to `path` (`/pkg.Service/Method`),
/// with the RPC semantic-convention fields; finish it with
/// [`record_client_status`].
pub fn client_span(path: &str) -> tracing::Span {
    let (service, method) = helm_proto::methods::split_path(path).unwrap_or(("unknown", "unknown"));
    tracing::info_span!(
        "grpc.client",
        otel.name = path.trim_start_matches('/'),
        otel.kind = "client",
        rpc.system = "grpc",
        rpc.service = service,
        rpc.method = method,
        rpc.grpc.status_code = tracing::field::Empty,
        otel.status_code = tracing::field::Empty,
    )
}

/// Records how a call under a [`client_span`] ended. Unlike server spans,
/// a client span is an error for every code but `OK`.
pub fn record_client_status(span: &tracing::Span, code: tonic::Code) {
    span.record("rpc.grpc.status_code", code as i32);
    if code != tonic::Code::Ok {
        span.record("otel.status_code", "ERROR");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn extracts_w3c_traceparent() {
        let mut h = http::HeaderMap::new();
        h.insert("traceparent", http::HeaderValue::from_static(PARENT));
        let cx = extract_headers(&h);
        let span = cx.span();
        let sc = span.span_context();
        assert!(sc.is_valid());
        assert_eq!(
            sc.trace_id().to_string(),
            "4bf92f3577b34da6a3ce929d0e0e4736"
        );
        assert!(sc.is_remote());
    }

    #[test]
    fn malformed_traceparent_is_ignored() {
        let mut h = http::HeaderMap::new();
        h.insert("traceparent", http::HeaderValue::from_static("00-zz-yy-01"));
        assert!(!extract_headers(&h).span().span_context().is_valid());
    }

    #[test]
    fn metadata_roundtrip_through_injector() {
        let mut h = http::HeaderMap::new();
        h.insert("traceparent", http::HeaderValue::from_static(PARENT));
        let cx = extract_headers(&h);
        let mut md = MetadataMap::new();
        TraceContextPropagator::new().inject_context(&cx, &mut MetadataInjector(&mut md));
        assert_eq!(
            md.get("traceparent").and_then(|v| v.to_str().ok()),
            Some(PARENT)
        );
        let back = extract_metadata(&md);
        assert_eq!(
            back.span().span_context().trace_id().to_string(),
            "4bf92f3577b34da6a3ce929d0e0e4736"
        );
    }

    #[test]
    fn nothing_injected_without_a_trace() {
        let mut md = MetadataMap::new();
        inject_current(&mut md);
        assert!(md.get("traceparent").is_none());
        assert_eq!(current_trace_id(), None);
    }
}
