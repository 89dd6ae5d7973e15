//! Latency of a trivial unary RPC (`GetVersion`) on loopback with the
//! metrics and tracing layer off, metrics only, and metrics plus
//! OpenTelemetry tracing exported over OTLP/HTTP to an in-process sink.
//!
//! Run: `cargo run --release -p observability --example grpc_overhead [calls-per-round] [--no-otel]`

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use helm_proto::hapi::services::tiller as svc;
use observability::logging::{self, LogArgs};
use observability::otel::{OtelPipeline, OtelSettings, Protocol};
use observability::{BuildInfo, GrpcServerLayer, Metrics};

const ROUNDS: usize = 5;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let calls: usize = match std::env::args().nth(1).filter(|a| !a.starts_with("--")) {
        Some(n) => n
            .parse()
            .map_err(|e| format!("calls-per-round `{n}`: {e}"))?,
        None => 2000,
    };
    // A sink that accepts OTLP/HTTP exports and drops them.
    let sink = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let sink_addr = sink.local_addr()?;
    let app = axum::Router::new().route(
        "/v1/traces",
        axum::routing::post(|| async { Vec::<u8>::new() }),
    );
    tokio::spawn(async move { axum::serve(sink, app).await });
    let pipeline = OtelPipeline::start(
        &OtelSettings {
            endpoint: format!("http://{sink_addr}/v1/traces"),
            protocol: Protocol::HttpProtobuf,
            service_name: Some("bench".to_owned()),
        },
        "bench",
    )?;
    let log = LogArgs {
        log_level: "warn,observability=info".to_owned(),
        ..LogArgs::default()
    };
    // `--no-otel` keeps the spans but drops the OpenTelemetry layer, to
    // separate span bookkeeping from export costs.
    let otel_layer = !std::env::args().any(|a| a == "--no-otel");
    let extra = if otel_layer {
        vec![pipeline.layer()]
    } else {
        Vec::new()
    };
    let (subscriber, _handle) = logging::subscriber(&log, extra)?;
    let _default = tracing::subscriber::set_default(subscriber);

    let metrics = Metrics::new(&BuildInfo::default())?;
    let configs = [
        ("off", None),
        (
            "metrics",
            Some(GrpcServerLayer::new().with_metrics(metrics.grpc.clone())),
        ),
        (
            "metrics+tracing",
            Some(
                GrpcServerLayer::new()
                    .with_metrics(metrics.grpc.clone())
                    .with_tracing(true),
            ),
        ),
    ];
    let mut clients = Vec::new();
    for (name, layer) in configs {
        let addr = common::serve(common::TestService::default(), layer).await;
        clients.push((
            name,
            common::connect(addr).await,
            Vec::with_capacity(calls * ROUNDS),
        ));
    }
    // Warm up connections and allocations.
    for (_, client, _) in &mut clients {
        for _ in 0..200 {
            client.get_version(svc::GetVersionRequest {}).await?;
        }
    }
    // Interleave rounds so drift (CPU frequency, other load) hits every
    // configuration alike.
    for _ in 0..ROUNDS {
        for (_, client, samples) in &mut clients {
            for _ in 0..calls {
                let start = Instant::now();
                client.get_version(svc::GetVersionRequest {}).await?;
                samples.push(start.elapsed());
            }
        }
    }
    let mut base_p50 = None;
    println!(
        "{:<16} {:>10} {:>10} {:>10}",
        "layer", "p50 µs", "p99 µs", "p50 vs off"
    );
    for (name, _, mut samples) in clients {
        samples.sort();
        let p50 = percentile(&samples, 0.50);
        let p99 = percentile(&samples, 0.99);
        let base = *base_p50.get_or_insert(p50);
        let overhead = (p50.as_secs_f64() / base.as_secs_f64() - 1.0) * 100.0;
        println!(
            "{name:<16} {:>10.1} {:>10.1} {:>9.1}%",
            p50.as_secs_f64() * 1e6,
            p99.as_secs_f64() * 1e6,
            overhead
        );
    }
    println!("({} calls per configuration on 127.0.0.1)", calls * ROUNDS);
    drop(_default);
    let guard = pipeline.guard();
    tokio::task::spawn_blocking(move || guard.shutdown()).await??;
    Ok(())
}
