//! One trace across a client, a follower that forwards and a leader,
//! exported over OTLP (HTTP/protobuf and gRPC) to receivers inside the test.

#![cfg(feature = "otel")]

mod common;

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use helm_proto::hapi::services::tiller as svc;
use observability::logging::{self, LogArgs};
use observability::otel::{OtelPipeline, OtelSettings, Protocol};
use observability::{BuildInfo, GrpcServerLayer, Metrics};
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message;
use tracing::Instrument;

type Collected = Arc<Mutex<Vec<(String, Span)>>>;

fn keep(store: &Collected, req: ExportTraceServiceRequest) {
    let mut out = store.lock().expect("lock");
    for rs in req.resource_spans {
        let service = rs
            .resource
            .iter()
            .flat_map(|r| r.attributes.iter())
            .find(|kv| kv.key == "service.name")
            .and_then(|kv| kv.value.as_ref())
            .map(|v| format!("{v:?}"))
            .unwrap_or_default();
        for ss in rs.scope_spans {
            for span in ss.spans {
                out.push((service.clone(), span));
            }
        }
    }
}

/// An OTLP/gRPC trace receiver.
#[derive(Debug, Clone)]
struct GrpcReceiver(Collected);

#[tonic::async_trait]
impl TraceService for GrpcReceiver {
    async fn export(
        &self,
        req: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        keep(&self.0, req.into_inner());
        Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
    }
}

async fn grpc_receiver() -> (std::net::SocketAddr, Collected) {
    let spans: Collected = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tonic::transport::Server::builder()
        .add_service(TraceServiceServer::new(GrpcReceiver(spans.clone())))
        .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener));
    tokio::spawn(server);
    (addr, spans)
}

/// An OTLP/HTTP trace receiver on 127.0.0.1:0 that keeps every span with
/// its resource's `service.name`.
async fn receiver() -> (std::net::SocketAddr, Collected) {
    let spans: Collected = Arc::default();
    let store = spans.clone();
    let app = axum::Router::new().route(
        "/v1/traces",
        axum::routing::post(move |body: Bytes| {
            let store = store.clone();
            async move {
                keep(
                    &store,
                    ExportTraceServiceRequest::decode(body).expect("otlp protobuf"),
                );
                // An empty ExportTraceServiceResponse.
                Vec::<u8>::new()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, spans)
}

fn attr(span: &Span, key: &str) -> Option<String> {
    span.attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
        .and_then(|v| v.value.as_ref())
        .map(|v| {
            use opentelemetry_proto::tonic::common::v1::any_value::Value;
            match v {
                Value::StringValue(s) => s.clone(),
                Value::IntValue(i) => i.to_string(),
                other => format!("{other:?}"),
            }
        })
}

#[tokio::test]
async fn one_trace_over_otlp_http() {
    let (otlp, collected) = receiver().await;
    let settings = OtelSettings {
        endpoint: format!("http://{otlp}/v1/traces"),
        protocol: Protocol::HttpProtobuf,
        service_name: Some("tiller-test".to_owned()),
    };
    one_trace_spans_client_follower_and_leader(settings, collected).await;
}

#[tokio::test]
async fn one_trace_over_otlp_grpc() {
    let (otlp, collected) = grpc_receiver().await;
    let settings = OtelSettings {
        endpoint: format!("http://{otlp}"),
        protocol: Protocol::Grpc,
        service_name: Some("tiller-test".to_owned()),
    };
    one_trace_spans_client_follower_and_leader(settings, collected).await;
}

async fn one_trace_spans_client_follower_and_leader(settings: OtelSettings, collected: Collected) {
    let pipeline = OtelPipeline::start(&settings, "tiller").expect("pipeline");
    let (subscriber, _log) =
        logging::subscriber(&LogArgs::default(), vec![pipeline.layer()]).expect("subscriber");
    // The test runtime is single-threaded, so the thread-local default
    // covers the client, both servers and every spawned task.
    let _default = tracing::subscriber::set_default(subscriber);

    let metrics = Metrics::new(&BuildInfo::default()).expect("metrics");
    let layer = GrpcServerLayer::new()
        .with_metrics(metrics.grpc.clone())
        .with_tracing(true);
    let leader = common::serve(common::TestService::default(), Some(layer.clone())).await;
    let follower = common::serve(
        common::TestService {
            leader: Some(leader),
        },
        Some(layer),
    )
    .await;

    let root = tracing::info_span!("helm version");
    let trace_id = async {
        let mut client = common::connect(follower).await;
        let span = observability::propagation::client_span(
            "/hapi.services.tiller.ReleaseService/GetVersion",
        );
        let resp = client
            .get_version(svc::GetVersionRequest {})
            .instrument(span.clone())
            .await;
        observability::propagation::record_client_status(
            &span,
            resp.as_ref()
                .map_or_else(tonic::Status::code, |_| tonic::Code::Ok),
        );
        drop(span);
        let resp = resp.expect("version through the follower");
        assert_eq!(
            resp.into_inner().version.map(|v| v.sem_ver).as_deref(),
            Some("v2.17.0")
        );
        observability::propagation::current_trace_id().expect("trace id")
    }
    .instrument(root)
    .await;

    let guard = pipeline.guard();
    tokio::task::spawn_blocking(move || guard.shutdown())
        .await
        .expect("join")
        .expect("flush");

    let spans = collected.lock().expect("lock").clone();
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let named = |n: &str| -> Vec<&Span> {
        spans
            .iter()
            .map(|(_, s)| s)
            .filter(|s| s.name == n)
            .collect()
    };
    assert!(
        spans.iter().all(|(_, s)| hex(&s.trace_id) == trace_id),
        "all spans in one trace {trace_id}: {spans:#?}"
    );
    assert!(spans.iter().all(|(svc, _)| svc.contains("tiller-test")));
    let root = named("helm version");
    assert_eq!(root.len(), 1, "{spans:#?}");
    let client = named("hapi.services.tiller.ReleaseService/GetVersion");
    // Two client spans' worth of names: the explicit client span and the two
    // server spans share the RPC name; tell them apart by kind.
    let by_kind = |k: i32| {
        client
            .iter()
            .copied()
            .filter(|s| s.kind == k)
            .collect::<Vec<_>>()
    };
    let clients = by_kind(3);
    let servers = by_kind(2);
    assert_eq!(clients.len(), 1, "{spans:#?}");
    assert_eq!(servers.len(), 2, "{spans:#?}");
    assert_eq!(clients[0].parent_span_id, root[0].span_id);
    assert_eq!(
        attr(clients[0], "rpc.grpc.status_code").as_deref(),
        Some("0")
    );
    let follower_span = servers
        .iter()
        .find(|s| s.parent_span_id == clients[0].span_id)
        .expect("follower server span is a child of the client span");
    let leader_span = servers
        .iter()
        .find(|s| s.parent_span_id == follower_span.span_id)
        .expect("leader server span is a child of the follower's span");
    for s in [follower_span, leader_span] {
        assert_eq!(attr(s, "rpc.system").as_deref(), Some("grpc"));
        assert_eq!(
            attr(s, "rpc.service").as_deref(),
            Some("hapi.services.tiller.ReleaseService")
        );
        assert_eq!(attr(s, "rpc.method").as_deref(), Some("GetVersion"));
        assert_eq!(attr(s, "rpc.grpc.status_code").as_deref(), Some("0"));
    }
}
