//! Tiller benchmark: one in-process kubesim, one in-process Tiller with
//! ConfigMap storage, driven through the generated hapi gRPC client.
//!
//! Prints figures and asserts none (see `tiller/BENCHMARKS.md`):
//! (a) install + purge-delete latency of a two-template chart,
//! (b) installs per second from 8 concurrent clients,
//! (c) a full `ListReleases` over many stored releases, and peak RSS.
//!
//! Run with `cargo run --release -p tiller --example bench`; the number
//! of releases for (c) can be changed with `BENCH_LIST_RELEASES`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use helm_proto::hapi::chart::{Chart, Config};
use helm_proto::hapi::release::Release;
use helm_proto::hapi::services::tiller::release_service_client::ReleaseServiceClient;
use helm_proto::hapi::services::tiller::{
    GetReleaseContentRequest, InstallReleaseRequest, ListReleasesRequest, UninstallReleaseRequest,
};
use tiller::cluster::Cluster;
use tiller::service::ReleaseServer;
use tiller::storage::{ConfigMaps, Driver, Storage};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

type Error = Box<dyn std::error::Error + Send + Sync>;
type Client = ReleaseServiceClient<InterceptedService<Channel, Header>>;

/// Sends the version header Helm v2.17 sends, which Tiller requires.
#[derive(Clone)]
struct Header;

impl tonic::service::Interceptor for Header {
    fn call(&mut self, mut req: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
        req.metadata_mut().insert(
            "x-helm-api-client",
            tonic::metadata::MetadataValue::from_static("v2.17.0"),
        );
        Ok(req)
    }
}

const CHART_YAML: &str = "apiVersion: v1\nname: tiny\nversion: 0.1.0\n";
const VALUES_YAML: &str = "port: 80\n";
const CONFIGMAP: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cfg\ndata:\n  greeting: hello\n";
const SERVICE: &str = "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}-svc\nspec:\n  selector:\n    app: {{ .Release.Name }}\n  ports:\n    - port: {{ .Values.port }}\n";

/// Writes the tiny chart into a fresh temporary directory (also used by
/// the Python driver, so both sides install the same files).
fn write_chart() -> Result<std::path::PathBuf, Error> {
    let dir = std::env::temp_dir().join(format!("tiller-bench-{}", std::process::id()));
    let root = dir.join("tiny");
    std::fs::create_dir_all(root.join("templates"))?;
    std::fs::write(root.join("Chart.yaml"), CHART_YAML)?;
    std::fs::write(root.join("values.yaml"), VALUES_YAML)?;
    std::fs::write(root.join("templates/configmap.yaml"), CONFIGMAP)?;
    std::fs::write(root.join("templates/service.yaml"), SERVICE)?;
    Ok(root)
}

fn install_req(name: &str, chart: &Chart) -> InstallReleaseRequest {
    InstallReleaseRequest {
        chart: Some(chart.clone()),
        values: Some(Config {
            raw: String::new(),
            values: Default::default(),
        }),
        name: name.to_owned(),
        namespace: "bench".to_owned(),
        timeout: 30,
        ..Default::default()
    }
}

fn delete_req(name: &str) -> UninstallReleaseRequest {
    UninstallReleaseRequest {
        name: name.to_owned(),
        purge: true,
        timeout: 30,
        ..Default::default()
    }
}

async fn connect(addr: std::net::SocketAddr) -> Result<Client, Error> {
    let channel = Channel::from_shared(format!("http://{addr}"))?
        .connect()
        .await?;
    Ok(ReleaseServiceClient::with_interceptor(channel, Header)
        .max_decoding_message_size(helm_proto::transport::MAX_MESSAGE_SIZE))
}

/// The `q` quantile (nearest rank) of sorted durations, in milliseconds.
fn quantile_ms(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1000.0
}

/// Peak resident set size of this process in MiB (Linux `VmHWM`).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Runs `tiller/benches/helm_ops.py` (the real Helm library through
/// helm-sdkpy) against the same kubesim and parses its JSON line.
fn run_helm_library(
    sim: &kubesim::Server,
    chart_dir: &std::path::Path,
    rounds: usize,
    clients: usize,
    installs: usize,
) -> Result<serde_json::Value, Error> {
    let manifest_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = match std::env::var("HELM_BENCH_PYTHON") {
        Ok(p) => p,
        Err(_) => {
            let out =
                std::process::Command::new(manifest_dir.join("../scripts/python312")).output()?;
            if !out.status.success() {
                return Err(format!(
                    "scripts/python312 failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                )
                .into());
            }
            String::from_utf8(out.stdout)?.trim().to_owned()
        }
    };
    let kubeconfig = chart_dir.with_file_name("kubeconfig");
    sim.write_kubeconfig(&kubeconfig)?;
    let out = std::process::Command::new(python)
        .arg(manifest_dir.join("benches/helm_ops.py"))
        .arg(&kubeconfig)
        .arg(chart_dir)
        .arg(rounds.to_string())
        .arg(clients.to_string())
        .arg(installs.to_string())
        .output()?;
    if !out.status.success() {
        return Err(format!(
            "helm_ops.py failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    let stdout = String::from_utf8(out.stdout)?;
    let line = stdout.lines().last().ok_or("helm_ops.py printed nothing")?;
    Ok(serde_json::from_str(line).map_err(|e| format!("helm_ops.py output {line:?}: {e}"))?)
}

fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "NOT met" }
}

/// Returns p50/p99 of the round trip, then p50 of install and of delete
/// alone (to show which half dominates).
async fn bench_install_delete(
    client: &mut Client,
    chart: &Chart,
    rounds: usize,
) -> Result<(f64, f64, f64, f64), Error> {
    let mut times = Vec::with_capacity(rounds);
    let mut inst = Vec::with_capacity(rounds);
    let mut del = Vec::with_capacity(rounds);
    for i in 0..rounds {
        let name = format!("rt-{i}");
        let start = Instant::now();
        client.install_release(install_req(&name, chart)).await?;
        let installed = start.elapsed();
        client.uninstall_release(delete_req(&name)).await?;
        let total = start.elapsed();
        times.push(total);
        inst.push(installed);
        del.push(total - installed);
    }
    times.sort();
    inst.sort();
    del.sort();
    Ok((
        quantile_ms(&times, 0.5),
        quantile_ms(&times, 0.99),
        quantile_ms(&inst, 0.5),
        quantile_ms(&del, 0.5),
    ))
}

async fn bench_concurrent_installs(
    addr: std::net::SocketAddr,
    chart: &Chart,
    clients: usize,
    total: usize,
) -> Result<f64, Error> {
    let per_client = total / clients;
    let mut conns = Vec::with_capacity(clients);
    for _ in 0..clients {
        conns.push(connect(addr).await?);
    }
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(clients);
    for (c, mut client) in conns.into_iter().enumerate() {
        let chart = chart.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..per_client {
                client
                    .install_release(install_req(&format!("cc-{c}-{i}"), &chart))
                    .await?;
            }
            Ok::<(), Error>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok((per_client * clients) as f64 / start.elapsed().as_secs_f64())
}

/// Stores `count` one-revision releases straight through `Storage` (the
/// same ConfigMap records Tiller writes), copying a release Tiller really
/// installed; going through install for each would only measure (b) again.
async fn seed_releases(
    storage: Arc<Storage>,
    template: &Release,
    count: usize,
) -> Result<(), Error> {
    let workers = 16;
    let mut tasks = Vec::with_capacity(workers);
    for w in 0..workers {
        let storage = storage.clone();
        let template = template.clone();
        tasks.push(tokio::spawn(async move {
            let mut i = w;
            while i < count {
                let mut r = template.clone();
                r.name = format!("ls-{i:05}");
                r.version = 1;
                storage.create(&r).await?;
                i += workers;
            }
            Ok::<(), Error>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(())
}

async fn full_list(client: &mut Client) -> Result<(Duration, usize), Error> {
    let start = Instant::now();
    let mut stream = client
        .list_releases(ListReleasesRequest {
            limit: i64::from(i32::MAX),
            ..Default::default()
        })
        .await?
        .into_inner();
    let mut n = 0;
    while let Some(msg) = stream.next().await {
        n += msg?.releases.len();
    }
    Ok((start.elapsed(), n))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let rounds = 50;
    let clients = 8;
    let installs = 200;
    let list_count: usize = match std::env::var("BENCH_LIST_RELEASES") {
        Ok(v) => v
            .parse()
            .map_err(|e| format!("BENCH_LIST_RELEASES {v:?}: not a count: {e}"))?,
        Err(_) => 10_000,
    };

    let sim = kubesim::Server::builder().start().await?;
    let kubeconfig = kube::config::Kubeconfig::from_yaml(&sim.kubeconfig())?;
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default()).await?;
    let kube = kube::Client::try_from(config)?;
    let driver: Arc<dyn Driver> = Arc::new(ConfigMaps::new(kube.clone(), "kube-system"));
    let storage = Arc::new(Storage::new(driver.clone()));
    let server = ReleaseServer::new(Storage::new(driver), Cluster::new(kube.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    // BENCH_NODELAY=1 sets TCP_NODELAY on accepted connections, which
    // `serve_grpc` does not, to show what Nagle's algorithm costs per call.
    let nodelay = std::env::var_os("BENCH_NODELAY").is_some();
    let serving = tokio::spawn(async move {
        let stop = async {
            let _ = stop_rx.await;
        };
        if nodelay {
            let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener).map(|conn| {
                conn.inspect(|s| {
                    let _ = s.set_nodelay(true);
                })
            });
            tiller::server::serve_grpc_incoming(server, incoming, stop).await
        } else {
            tiller::server::serve_grpc(server, listener, stop).await
        }
    });

    let chart_dir = write_chart()?;
    let chart = chart::proto::to_proto(&chart::load(&chart_dir)?);
    let mut client = connect(addr).await?;

    // Warm-up: discovery caches and connections, as a long-running Tiller has them.
    client
        .install_release(install_req("warmup", &chart))
        .await?;
    client.uninstall_release(delete_req("warmup")).await?;

    println!(
        "tiller benchmark (in-process kubesim, ConfigMap storage, gRPC client{})",
        if nodelay {
            ", TCP_NODELAY on Tiller's side"
        } else {
            ""
        }
    );
    let (p50, p99, inst50, del50) = bench_install_delete(&mut client, &chart, rounds).await?;
    println!(
        "(a) install+purge, {rounds} rounds: p50 {p50:.1} ms, p99 {p99:.1} ms (install p50 {inst50:.1} ms, delete p50 {del50:.1} ms)  [target p50 < 50 ms: {}]",
        met(p50 < 50.0)
    );

    let rate = bench_concurrent_installs(addr, &chart, clients, installs).await?;
    println!(
        "(b) {installs} installs from {clients} clients: {rate:.1} installs/s  [target >= 50/s: {}]",
        met(rate >= 50.0)
    );

    // Runs before (c) so both sides install into an equally small cluster.
    if std::env::var_os("BENCH_SKIP_HELM").is_none() {
        match run_helm_library(&sim, &chart_dir, rounds, clients, installs) {
            Ok(v) => {
                let field = |k: &str| {
                    v.get(k)
                        .and_then(serde_json::Value::as_f64)
                        .unwrap_or(f64::NAN)
                };
                let (h50, h99, hrate) = (field("p50_ms"), field("p99_ms"), field("installs_per_s"));
                println!(
                    "real Helm library (helm-sdkpy, Helm v3 actions, ConfigMap driver) on the same kubesim:"
                );
                println!(
                    "(a') install+uninstall, {rounds} rounds: p50 {h50:.1} ms, p99 {h99:.1} ms; Tiller/Helm p50 ratio {:.2}  [at least as fast: {}]",
                    p50 / h50,
                    met(p50 <= h50)
                );
                println!(
                    "(b') {installs} installs from {clients} clients: {hrate:.1} installs/s; Tiller/Helm ratio {:.2}  [at least as fast: {}]",
                    rate / hrate,
                    met(rate >= hrate)
                );
            }
            Err(e) => println!("real Helm library comparison skipped: {e}"),
        }
    }

    if list_count > 0 {
        let template = client
            .get_release_content(GetReleaseContentRequest {
                name: "cc-0-0".to_owned(),
                version: 0,
            })
            .await?
            .into_inner()
            .release
            .ok_or("GetReleaseContent of cc-0-0 returned no release")?;
        let seed_start = Instant::now();
        seed_releases(storage, &template, list_count).await?;
        let seeded = seed_start.elapsed();
        let (first, _) = full_list(&mut client).await?;
        let mut times = Vec::new();
        let mut listed = 0;
        for _ in 0..5 {
            let (t, n) = full_list(&mut client).await?;
            times.push(t);
            listed = n;
        }
        times.sort();
        let p50 = quantile_ms(&times, 0.5);
        let rss = peak_rss_mib().unwrap_or(f64::NAN);
        println!(
            "(c) seeded {list_count} releases in {:.1} s; full list of {listed} releases: first {:.1} ms, median of 5 {p50:.1} ms  [target < 200 ms: {}]",
            seeded.as_secs_f64(),
            first.as_secs_f64() * 1000.0,
            met(p50 < 200.0)
        );
        println!(
            "    peak RSS (VmHWM, kubesim + Tiller + client in one process): {rss:.1} MiB  [target < 150 MB: {}]",
            met(rss * 1.048_576 < 150.0)
        );
    }

    let _ = stop_tx.send(());
    serving.await??;
    let _ = std::fs::remove_dir_all(chart_dir.parent().unwrap_or(&chart_dir));
    Ok(())
}
