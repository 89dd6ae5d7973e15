//! `kubesim`: run the Kubernetes API server simulator until SIGINT/SIGTERM.
//!
//! Prints one line per listener (`api http://…`, then `admin http://…`) so scripts can read the
//! ports, and writes a kubeconfig per listener when asked.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Parser;

/// Command-line flags.
#[derive(Debug, Parser)]
#[command(name = "kubesim", about = "A Kubernetes API server simulator")]
struct Args {
    /// Address of the first API listener.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
    /// Write a kubeconfig for the first listener here (listener i>0 gets FILE.i).
    #[arg(long)]
    kubeconfig_out: Option<PathBuf>,
    /// Number of API listeners sharing one store.
    #[arg(long, default_value_t = 1)]
    api_ports: usize,
    /// Address of the admin listener.
    #[arg(long)]
    admin_listen: Option<String>,
    /// kube-apiserver style token file (token,user,uid,"group1,group2").
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// Authorization mode: `rbac` enforces RBAC, `always-allow` (default) does not.
    #[arg(long, default_value = "always-allow")]
    authorization: String,
    /// Persist objects here and restore them on start.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Also serve the pre-1.16 beta group-versions (extensions/v1beta1, apps/v1beta1, ...).
    #[arg(long)]
    legacy_apis: bool,
    /// Answer streaming-list watches (sendInitialEvents) with 422 so clients fall back.
    #[arg(long)]
    no_streaming_lists: bool,
    /// Serve the API over TLS with a self-signed certificate (default: on with --token-file,
    /// because kubectl sends tokens only over https).
    #[arg(long)]
    tls: Option<bool>,
    /// Do not run the fake controllers (Deployments, Pods, Jobs, ...).
    #[arg(long)]
    no_controllers: bool,
    /// Run the fake controllers without delays.
    #[arg(long)]
    instant_controllers: bool,
    /// Seed of the fault injector's RNG.
    #[arg(long, default_value_t = 1)]
    fault_seed: u64,
    /// Append the request log (JSONL) to this file.
    #[arg(long)]
    audit_log: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let rbac = match args.authorization.as_str() {
        "rbac" | "RBAC" => true,
        "always-allow" | "AlwaysAllow" => false,
        other => {
            anyhow::bail!("--authorization: unknown mode {other:?} (use rbac or always-allow)")
        }
    };
    let mut b = kubesim::Server::builder()
        .listen(args.listen.clone())
        .api_ports(args.api_ports)
        .legacy_apis(args.legacy_apis)
        .authorization_rbac(rbac)
        .streaming_lists(!args.no_streaming_lists)
        .fault_seed(args.fault_seed)
        .controllers(if args.no_controllers {
            None
        } else if args.instant_controllers {
            Some(kubesim::controllers::ControllerConfig::instant())
        } else {
            Some(kubesim::controllers::ControllerConfig::default())
        });
    if let Some(t) = args.tls {
        b = b.tls(t);
    }
    if let Some(p) = &args.audit_log {
        b = b.audit_log(p.clone());
    }
    if let Some(a) = &args.admin_listen {
        b = b.admin_listen(a.clone());
    }
    if let Some(t) = &args.token_file {
        b = b.token_file(t.clone());
    }
    if let Some(d) = &args.data_dir {
        b = b.data_dir(d.clone());
    }
    let sim = b.start().await.context("starting kubesim")?;
    if let Some(path) = &args.kubeconfig_out {
        for i in 0..sim.api_urls().len() {
            let p = if i == 0 {
                path.clone()
            } else {
                PathBuf::from(format!("{}.{i}", path.display()))
            };
            std::fs::write(&p, sim.kubeconfig_for(i))
                .with_context(|| format!("writing kubeconfig {}", p.display()))?;
        }
    }
    for u in sim.api_urls() {
        println!("api {u}");
    }
    println!("admin {}", sim.admin_url());
    wait_for_signal().await?;
    sim.shutdown().await;
    Ok(())
}

async fn wait_for_signal() -> anyhow::Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("installing SIGTERM handler")?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r.context("waiting for SIGINT")?,
        _ = term.recv() => {}
    }
    Ok(())
}
