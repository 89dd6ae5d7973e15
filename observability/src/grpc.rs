//! A tower layer for tonic servers: go-grpc-prometheus metrics and an
//! OpenTelemetry server span per call.
//!
//! Install it with `tonic::transport::Server::builder().layer(layer)`. It sits
//! on the HTTP level, below tonic's codecs, so it sees every call the way a
//! client does:
//! * the method comes from the `:path` (`/pkg.Service/Method`);
//! * messages are counted by their 5-byte gRPC length prefixes in both
//!   directions, so streaming calls count each message;
//! * the final status is read from the response headers for trailers-only
//!   answers (errors returned before any message) and from the trailers
//!   otherwise; a response dropped before its trailers (client went away)
//!   ends as `Canceled`.
//!
//! Method paths not known to the lookup are counted as service and method
//! `unknown`, so probing random paths cannot create series.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use http_body::{Body, Frame, SizeHint};
use prometheus::IntCounter;
use tonic::codegen::Bytes;
use tower::{Layer, Service};
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::metrics::CallSeries;
use crate::metrics::grpc_code_name;
use crate::metrics::{GrpcServerMetrics, GrpcType};

/// Resolves a full method path to `(service, method, type)`; `None` for
/// paths the server does not serve.
pub type MethodLookup = fn(&str) -> Option<(&'static str, &'static str, GrpcType)>;

/// The hapi services of [`helm_proto::methods`] (Tiller's `ReleaseService`,
/// Rudder and `grpc.health.v1.Health`).
pub fn hapi_methods(path: &str) -> Option<(&'static str, &'static str, GrpcType)> {
    helm_proto::methods::find(path).map(|m| {
        let kind = if m.server_streaming {
            GrpcType::ServerStream
        } else {
            GrpcType::Unary
        };
        (m.service, m.name, kind)
    })
}

/// Server status codes that mark a server span as an error, per the
/// OpenTelemetry gRPC conventions: the server's fault, not the client's.
fn is_server_error(code: i32) -> bool {
    matches!(code, 2 | 4 | 12 | 13 | 14 | 15)
}

/// Metrics and tracing for a tonic server; see the module docs.
#[derive(Debug, Clone)]
pub struct GrpcServerLayer {
    metrics: Option<GrpcServerMetrics>,
    trace: bool,
    lookup: MethodLookup,
}

impl Default for GrpcServerLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl GrpcServerLayer {
    /// A layer that does nothing until metrics or tracing are turned on;
    /// methods are looked up with [`hapi_methods`].
    pub fn new() -> Self {
        Self {
            metrics: None,
            trace: false,
            lookup: hapi_methods,
        }
    }

    /// Counts calls into `metrics` (usually `Metrics::grpc`).
    pub fn with_metrics(mut self, metrics: GrpcServerMetrics) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// Opens a `SERVER` span per call, a child of the W3C `traceparent` the
    /// client sent, if any.
    pub fn with_tracing(mut self, on: bool) -> Self {
        self.trace = on;
        self
    }

    /// Replaces the method table (for servers of other services).
    pub fn with_method_lookup(mut self, lookup: MethodLookup) -> Self {
        self.lookup = lookup;
        self
    }
}

impl<S> Layer<S> for GrpcServerLayer {
    type Service = GrpcServerService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        GrpcServerService {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service [`GrpcServerLayer`] wraps around a tonic router.
#[derive(Debug, Clone)]
pub struct GrpcServerService<S> {
    inner: S,
    layer: GrpcServerLayer,
}

impl<S, ResBody> Service<http::Request<tonic::body::Body>> for GrpcServerService<S>
where
    S: Service<http::Request<tonic::body::Body>, Response = http::Response<ResBody>>,
    ResBody: Body<Data = Bytes>,
{
    type Response = http::Response<ResponseBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<tonic::body::Body>) -> Self::Future {
        let start = Instant::now();
        let path = req.uri().path();
        let known = (self.layer.lookup)(path);
        let (service, method, kind) = known.unwrap_or(("unknown", "unknown", GrpcType::Unary));
        let span = if self.layer.trace {
            let span = server_span(path, known.is_some());
            // Without an OpenTelemetry layer there is nothing to attach the
            // parent to; the span still serves the log output.
            let _ = span.set_parent(crate::propagation::extract_headers(req.headers()));
            span
        } else {
            Span::none()
        };
        let series = self
            .layer
            .metrics
            .as_ref()
            .map(|m| m.start(kind, service, method));
        let received = series.as_ref().map(|s| s.received.clone());
        let req = req.map(|body| {
            tonic::body::Body::new(RequestBody {
                inner: body,
                counter: MsgCounter::default(),
                received,
            })
        });
        let fut = {
            let _entered = span.enter();
            self.inner.call(req)
        };
        ResponseFuture {
            inner: fut,
            call: Some(Call {
                sent: series.as_ref().map(|s| s.sent.clone()),
                series,
                span,
                start,
                done: false,
                counter: MsgCounter::default(),
            }),
        }
    }
}

fn server_span(path: &str, known: bool) -> Span {
    let (service, method) = helm_proto::methods::split_path(path).unwrap_or(("unknown", "unknown"));
    let name = if known {
        path.trim_start_matches('/')
    } else {
        "_OTHER"
    };
    tracing::info_span!(
        "grpc.server",
        otel.name = name,
        otel.kind = "server",
        rpc.system = "grpc",
        rpc.service = service,
        rpc.method = method,
        rpc.grpc.status_code = tracing::field::Empty,
        otel.status_code = tracing::field::Empty,
    )
}

/// Counts gRPC messages in a byte stream by their length prefixes
/// (1 flag byte, 4 length bytes, then the payload).
#[derive(Debug, Default)]
struct MsgCounter {
    header: [u8; 5],
    have: usize,
    remaining: usize,
}

impl MsgCounter {
    /// Feeds the next bytes; returns how many messages started in them.
    fn feed(&mut self, mut data: &[u8]) -> u64 {
        let mut started = 0;
        while !data.is_empty() {
            if self.remaining > 0 {
                let take = self.remaining.min(data.len());
                data = &data[take..];
                self.remaining -= take;
                continue;
            }
            let take = (5 - self.have).min(data.len());
            self.header[self.have..self.have + take].copy_from_slice(&data[..take]);
            self.have += take;
            data = &data[take..];
            if self.have == 5 {
                started += 1;
                self.have = 0;
                let len = u32::from_be_bytes([
                    self.header[1],
                    self.header[2],
                    self.header[3],
                    self.header[4],
                ]);
                self.remaining = usize::try_from(len).unwrap_or(usize::MAX);
            }
        }
        started
    }
}

/// Per-call state: finished exactly once, by a status or by being dropped.
#[derive(Debug)]
struct Call {
    series: Option<CallSeries>,
    sent: Option<IntCounter>,
    span: Span,
    start: Instant,
    done: bool,
    counter: MsgCounter,
}

impl Call {
    fn finish(&mut self, code: i32) {
        if self.done {
            return;
        }
        self.done = true;
        if let Some(series) = &self.series {
            series.handled(code, self.start.elapsed().as_secs_f64());
        }
        self.span.record("rpc.grpc.status_code", code);
        if is_server_error(code) {
            self.span.record("otel.status_code", "ERROR");
        }
        tracing::debug!(parent: &self.span, grpc_code = grpc_code_name(code), "grpc call finished");
    }

    fn count_sent(&mut self, data: &[u8]) {
        let n = self.counter.feed(data);
        if let Some(sent) = &self.sent {
            sent.inc_by(n);
        }
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        // Dropped before a status: the client cancelled or the connection
        // went away.
        self.finish(1);
    }
}

fn status_of(headers: &http::HeaderMap) -> Option<i32> {
    headers
        .get("grpc-status")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().parse::<i32>().unwrap_or(2))
}

pin_project_lite::pin_project! {
    /// The future of [`GrpcServerService`].
    #[derive(Debug)]
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        call: Option<Call>,
    }
}

impl<F, ResBody, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<http::Response<ResBody>, E>>,
{
    type Output = Result<http::Response<ResponseBody<ResBody>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = {
            let _entered = this.call.as_ref().map(|c| c.span.enter());
            match this.inner.poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(r) => r,
            }
        };
        let Some(mut call) = this.call.take() else {
            // Polled after completion: a caller bug, answered like tonic
            // answers it, by never finishing.
            return Poll::Pending;
        };
        Poll::Ready(match result {
            Ok(resp) => {
                if let Some(code) = status_of(resp.headers()) {
                    call.finish(code);
                }
                Ok(resp.map(|inner| ResponseBody { inner, call }))
            }
            Err(e) => {
                call.finish(2);
                Err(e)
            }
        })
    }
}

pin_project_lite::pin_project! {
    /// A response body that counts sent messages and reads the final status.
    #[derive(Debug)]
    pub struct ResponseBody<B> {
        #[pin]
        inner: B,
        call: Call,
    }
}

impl<B> Body for ResponseBody<B>
where
    B: Body<Data = Bytes>,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        let this = self.project();
        let call = this.call;
        let polled = {
            let _entered = call.span.enter();
            this.inner.poll_frame(cx)
        };
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    call.count_sent(data);
                } else if let Some(trailers) = frame.trailers_ref() {
                    call.finish(status_of(trailers).unwrap_or(2));
                }
            }
            Poll::Ready(Some(Err(_))) => call.finish(2),
            // A stream that ends without a status is malformed; gRPC clients
            // report it as Unknown too. No-op after a trailers-only answer.
            Poll::Ready(None) => call.finish(2),
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

pin_project_lite::pin_project! {
    /// A request body that counts received messages.
    struct RequestBody<B> {
        #[pin]
        inner: B,
        counter: MsgCounter,
        received: Option<IntCounter>,
    }
}

impl<B> Body for RequestBody<B>
where
    B: Body<Data = Bytes>,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        let this = self.project();
        let polled = this.inner.poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
        {
            let n = this.counter.feed(data);
            if let Some(received) = this.received.as_ref() {
                received.inc_by(n);
            }
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_messages_across_chunk_boundaries() {
        let mut c = MsgCounter::default();
        // Two messages: 3-byte payload and empty payload, split oddly.
        let bytes = [0u8, 0, 0, 0, 3, 9, 9, 9, 0, 0, 0, 0, 0];
        assert_eq!(c.feed(&bytes[..2]), 0);
        assert_eq!(c.feed(&bytes[2..6]), 1);
        assert_eq!(c.feed(&bytes[6..9]), 0);
        assert_eq!(c.feed(&bytes[9..]), 1);
        assert_eq!(c.feed(&[]), 0);
    }

    #[test]
    fn status_header_parses() {
        let mut h = http::HeaderMap::new();
        assert_eq!(status_of(&h), None);
        h.insert("grpc-status", http::HeaderValue::from_static("5"));
        assert_eq!(status_of(&h), Some(5));
        h.insert("grpc-status", http::HeaderValue::from_static("x"));
        assert_eq!(status_of(&h), Some(2));
    }

    #[test]
    fn unknown_paths_are_not_looked_up() {
        assert!(hapi_methods("/hapi.services.tiller.ReleaseService/ListReleases").is_some());
        assert!(hapi_methods("/random/path").is_none());
    }
}
