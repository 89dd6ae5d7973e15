//! `kubesim-bench`: ConfigMap create/get/list throughput and watch fan-out latency on loopback.
//!
//! Starts an in-process simulator (no fake controllers), then drives it over HTTP/1.1 with
//! concurrent clients and prints the figures. It asserts nothing; see tests/kubesim/README.md
//! for the command and recorded numbers.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Parser;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::json;

type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// Benchmark settings.
#[derive(Debug, Parser)]
#[command(
    name = "kubesim-bench",
    about = "Throughput and latency figures for kubesim"
)]
struct Args {
    /// Objects to create.
    #[arg(long, default_value_t = 10_000)]
    objects: usize,
    /// Concurrent client tasks.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// GET requests to issue.
    #[arg(long, default_value_t = 50_000)]
    gets: usize,
    /// Full LIST requests to issue.
    #[arg(long, default_value_t = 20)]
    lists: usize,
    /// Concurrent watchers for the fan-out measurement.
    #[arg(long, default_value_t = 100)]
    watchers: usize,
    /// Writes observed by every watcher.
    #[arg(long, default_value_t = 200)]
    watch_writes: usize,
}

async fn request(
    c: &HttpClient,
    method: &str,
    url: &str,
    body: Option<String>,
) -> anyhow::Result<(u16, Bytes)> {
    let req = http::Request::builder()
        .method(method)
        .uri(url)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.unwrap_or_default())))
        .context("building request")?;
    let resp = c.request(req).await.context("sending request")?;
    let status = resp.status().as_u16();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .context("reading body")?
        .to_bytes();
    Ok((status, bytes))
}

/// Runs `total` operations over `concurrency` tasks; returns the elapsed time.
async fn run_parallel<F, Fut>(total: usize, concurrency: usize, op: F) -> anyhow::Result<Duration>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let op = Arc::new(op);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let next = next.clone();
        let op = op.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return Ok::<(), anyhow::Error>(());
                }
                op(i).await?;
            }
        }));
    }
    for t in tasks {
        t.await.context("worker panicked")??;
    }
    Ok(start.elapsed())
}

fn rate(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let sim = kubesim::Server::builder()
        .controllers(None)
        .start()
        .await
        .context("starting kubesim")?;
    let url = sim.url();
    let client: HttpClient = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(args.concurrency * 2)
        .build_http();
    let base = format!("{url}/api/v1/namespaces/default/configmaps");
    println!(
        "kubesim-bench: {} objects, {} clients, {} cores",
        args.objects,
        args.concurrency,
        std::thread::available_parallelism().map_or(1, usize::from)
    );

    let (c, b) = (client.clone(), base.clone());
    let d = run_parallel(args.objects, args.concurrency, move |i| {
        let (c, b) = (c.clone(), b.clone());
        async move {
            let body = json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": format!("cm-{i}"), "labels": {"bench": "yes", "n": (i % 10).to_string()}},
                "data": {"key": "value", "index": i.to_string()}})
            .to_string();
            let (s, _) = request(&c, "POST", &b, Some(body)).await?;
            anyhow::ensure!(s == 201, "create returned {s}");
            Ok(())
        }
    })
    .await?;
    println!(
        "create: {:>10.0} req/s ({} in {:.2?})",
        rate(args.objects, d),
        args.objects,
        d
    );

    let (c, b, n) = (client.clone(), base.clone(), args.objects);
    let d = run_parallel(args.gets, args.concurrency, move |i| {
        let (c, b) = (c.clone(), b.clone());
        async move {
            let (s, _) = request(&c, "GET", &format!("{b}/cm-{}", i % n), None).await?;
            anyhow::ensure!(s == 200, "get returned {s}");
            Ok(())
        }
    })
    .await?;
    println!(
        "get:    {:>10.0} req/s ({} in {:.2?})",
        rate(args.gets, d),
        args.gets,
        d
    );

    let (c, b) = (client.clone(), base.clone());
    let d = run_parallel(args.lists, args.concurrency.min(4), move |_| {
        let (c, b) = (c.clone(), b.clone());
        async move {
            let (s, body) = request(&c, "GET", &b, None).await?;
            anyhow::ensure!(s == 200, "list returned {s}");
            anyhow::ensure!(!body.is_empty(), "empty list body");
            Ok(())
        }
    })
    .await?;
    println!(
        "list:   {:>10.1} req/s of {} items ({:.0} items/s)",
        rate(args.lists, d),
        args.objects,
        rate(args.lists * args.objects, d)
    );

    let (c, b) = (client.clone(), base.clone());
    let d = run_parallel(args.lists, args.concurrency.min(4), move |_| {
        let (c, b) = (c.clone(), b.clone());
        async move {
            let (s, _) = request(
                &c,
                "GET",
                &format!("{b}?labelSelector=n%3D3&limit=500"),
                None,
            )
            .await?;
            anyhow::ensure!(s == 200, "selector list returned {s}");
            Ok(())
        }
    })
    .await?;
    println!(
        "list with labelSelector (1/10 match): {:>8.1} req/s",
        rate(args.lists, d)
    );

    // Watch fan-out: W watchers on the namespace; each write's delivery latency to every watcher.
    let rev = sim.store().revision();
    let mut watchers = Vec::new();
    for _ in 0..args.watchers {
        let c = client.clone();
        let url = format!("{base}?watch=1&resourceVersion={rev}&labelSelector=bench%3Dwatch");
        let expected = args.watch_writes;
        watchers.push(tokio::spawn(async move {
            let req = http::Request::builder()
                .uri(url)
                .body(Full::new(Bytes::new()))
                .context("watch request")?;
            let resp = c.request(req).await.context("watch")?;
            let mut body = resp.into_body();
            let mut buf = Vec::new();
            let mut lat = Vec::with_capacity(expected);
            while lat.len() < expected {
                let Some(frame) = body.frame().await else {
                    break;
                };
                let frame = frame.context("watch frame")?;
                if let Some(d) = frame.data_ref() {
                    buf.extend_from_slice(d);
                    while let Some(pos) = buf.iter().position(|b| *b == b'\n') {
                        let line: Vec<u8> = buf.drain(..=pos).collect();
                        let ev: serde_json::Value = serde_json::from_slice(&line)?;
                        let sent = ev["object"]["data"]["sent_ns"]
                            .as_str()
                            .and_then(|s| s.parse::<u128>().ok())
                            .unwrap_or(0);
                        let now = std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .map_or(0, |d| d.as_nanos());
                        lat.push(Duration::from_nanos(now.saturating_sub(sent) as u64));
                    }
                }
            }
            Ok::<Vec<Duration>, anyhow::Error>(lat)
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let start = Instant::now();
    for i in 0..args.watch_writes {
        let sent = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let body = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": format!("w-{i}"), "labels": {"bench": "watch"}},
            "data": {"sent_ns": sent.to_string()}})
        .to_string();
        let (s, _) = request(&client, "POST", &base, Some(body)).await?;
        anyhow::ensure!(s == 201, "watch write returned {s}");
    }
    let mut all = Vec::new();
    for w in watchers {
        all.extend(w.await.context("watcher panicked")??);
    }
    let total = start.elapsed();
    all.sort();
    println!(
        "watch fan-out: {} watchers x {} writes = {} events in {:.2?}; latency p50 {:.2?} p99 {:.2?} max {:.2?}",
        args.watchers,
        args.watch_writes,
        all.len(),
        total,
        percentile(&all, 0.5),
        percentile(&all, 0.99),
        all.last().copied().unwrap_or_default()
    );
    sim.shutdown().await;
    Ok(())
}
