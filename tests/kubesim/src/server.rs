//! Starting and stopping a simulator: listeners, background tasks, persistence, kubeconfigs.
//!
//! Each API listener runs its own accept loop (hyper's auto HTTP/1+2 connection builder over a
//! tokio `TcpListener`), so every request knows the listener index it arrived on. All listeners
//! share one [`Store`].

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::api::{self, ApiState, ConnInfo};
use crate::auth::Authenticator;
use crate::controllers::ControllerConfig;
use crate::faults::FaultInjector;
use crate::registry::Registry;
use crate::store::{Store, WriteOptions};

/// Errors starting or stopping a simulator.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// A listener could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The token file is unreadable or malformed.
    #[error("token file {path}: {message}")]
    TokenFile {
        /// The path.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The data directory could not be used.
    #[error("data dir {path}: {message}")]
    DataDir {
        /// The path.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// TLS could not be set up.
    #[error(transparent)]
    Tls(#[from] crate::tls::TlsError),
    /// Writing a kubeconfig failed.
    #[error("cannot write kubeconfig {path}: {source}")]
    Kubeconfig {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// Configures and starts a simulator.
#[derive(Debug, Clone)]
pub struct Builder {
    listen: String,
    api_ports: usize,
    admin_listen: Option<String>,
    legacy_apis: bool,
    data_dir: Option<PathBuf>,
    token_file: Option<PathBuf>,
    rbac: bool,
    streaming_lists: bool,
    bookmark_interval: Duration,
    tls: Option<bool>,
    controllers: Option<ControllerConfig>,
    fault_seed: u64,
    audit_log: Option<PathBuf>,
}

impl Default for Builder {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:0".to_owned(),
            api_ports: 1,
            admin_listen: None,
            legacy_apis: false,
            data_dir: None,
            token_file: None,
            rbac: false,
            streaming_lists: true,
            bookmark_interval: Duration::from_secs(45),
            tls: None,
            controllers: Some(ControllerConfig::default()),
            fault_seed: 1,
            audit_log: None,
        }
    }
}

impl Builder {
    /// Address of the first API listener (`127.0.0.1:0` by default); further listeners use
    /// the same host with port 0.
    pub fn listen(mut self, addr: impl Into<String>) -> Self {
        self.listen = addr.into();
        self
    }

    /// Number of API listeners sharing the store (at least 1).
    pub fn api_ports(mut self, n: usize) -> Self {
        self.api_ports = n.max(1);
        self
    }

    /// Address of the admin listener (default: `127.0.0.1:0`).
    pub fn admin_listen(mut self, addr: impl Into<String>) -> Self {
        self.admin_listen = Some(addr.into());
        self
    }

    /// Serve the pre-1.16 beta group-versions too.
    pub fn legacy_apis(mut self, on: bool) -> Self {
        self.legacy_apis = on;
        self
    }

    /// Persist objects and the revision in this directory (restored on start).
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// Authenticate bearer tokens from a kube-apiserver `--token-auth-file` CSV.
    pub fn token_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.token_file = Some(path.into());
        self
    }

    /// Enforce RBAC authorization.
    pub fn authorization_rbac(mut self, on: bool) -> Self {
        self.rbac = on;
        self
    }

    /// Serve `sendInitialEvents` streaming lists (default on); off answers 422 so clients
    /// fall back to list+watch.
    pub fn streaming_lists(mut self, on: bool) -> Self {
        self.streaming_lists = on;
        self
    }

    /// Interval between watch bookmarks (default 45 s).
    pub fn bookmark_interval(mut self, d: Duration) -> Self {
        self.bookmark_interval = d;
        self
    }

    /// Serve the API over TLS with a generated self-signed certificate. Defaults to on when a
    /// token file is configured, because client-go sends bearer tokens only over https.
    pub fn tls(mut self, on: bool) -> Self {
        self.tls = Some(on);
        self
    }

    /// Fake controllers (Deployments, ReplicaSets, Pods, Jobs, ...): `None` turns them off.
    /// Default: on, with [`ControllerConfig::default`].
    pub fn controllers(mut self, config: Option<ControllerConfig>) -> Self {
        self.controllers = config;
        self
    }

    /// Seed of the fault injector's RNG (default 1).
    pub fn fault_seed(mut self, seed: u64) -> Self {
        self.fault_seed = seed;
        self
    }

    /// Also append the request log (JSONL) to this file.
    pub fn audit_log(mut self, path: impl Into<PathBuf>) -> Self {
        self.audit_log = Some(path.into());
        self
    }

    /// Binds the listeners and starts serving.
    pub async fn start(self) -> Result<Server, ServerError> {
        let registry = Registry::new(self.legacy_apis);
        let snapshot_path = self.data_dir.as_ref().map(|d| d.join("kubesim-state.json"));
        let store = match &snapshot_path {
            Some(p) if p.exists() => {
                let text = std::fs::read_to_string(p).map_err(|e| ServerError::DataDir {
                    path: p.display().to_string(),
                    message: e.to_string(),
                })?;
                let v: Value = serde_json::from_str(&text).map_err(|e| ServerError::DataDir {
                    path: p.display().to_string(),
                    message: format!("corrupt snapshot: {e}"),
                })?;
                let s = Store::empty(registry);
                s.restore(&v).map_err(|e| ServerError::DataDir {
                    path: p.display().to_string(),
                    message: e.message,
                })?;
                s
            }
            _ => {
                let s = Store::new(registry);
                load_bootstrap_policy(&s);
                s
            }
        };
        if let Some(d) = &self.data_dir {
            std::fs::create_dir_all(d).map_err(|e| ServerError::DataDir {
                path: d.display().to_string(),
                message: e.to_string(),
            })?;
        }
        let (auth, admin_token) = match &self.token_file {
            Some(p) => {
                let a = Authenticator::from_token_file(p).map_err(|e| ServerError::TokenFile {
                    path: p.display().to_string(),
                    message: e.to_string(),
                })?;
                (a, admin_token_from_file(p))
            }
            None => (Authenticator::disabled(), None),
        };
        let tls = if self.tls.unwrap_or(self.token_file.is_some()) {
            Some(crate::tls::Tls::self_signed()?)
        } else {
            None
        };
        let faults = Arc::new(match &self.audit_log {
            Some(p) => FaultInjector::new(self.fault_seed)
                .with_log_file(p.clone())
                .map_err(|e| ServerError::DataDir {
                    path: p.display().to_string(),
                    message: format!("audit log: {e}"),
                })?,
            None => FaultInjector::new(self.fault_seed),
        });
        let state = Arc::new(ApiState {
            store: store.clone(),
            auth,
            rbac: self.rbac,
            streaming_lists: self.streaming_lists,
            bookmark_interval: self.bookmark_interval,
            faults: faults.clone(),
        });
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let mut tasks = Vec::new();
        let mut api_addrs = Vec::new();
        let host = self
            .listen
            .rsplit_once(':')
            .map_or("127.0.0.1", |(h, _)| h)
            .to_owned();
        for i in 0..self.api_ports {
            let addr = if i == 0 {
                self.listen.clone()
            } else {
                format!("{host}:0")
            };
            let l = TcpListener::bind(&addr)
                .await
                .map_err(|e| ServerError::Bind {
                    addr: addr.clone(),
                    source: e,
                })?;
            let local = l.local_addr().map_err(|e| ServerError::Bind {
                addr: addr.clone(),
                source: e,
            })?;
            api_addrs.push(local);
            tasks.push(tokio::spawn(accept_loop(
                l,
                i,
                state.clone(),
                tls.clone(),
                shutdown_rx.clone(),
            )));
        }
        let admin_addr_s = self
            .admin_listen
            .clone()
            .unwrap_or_else(|| format!("{host}:0"));
        let admin_l = TcpListener::bind(&admin_addr_s)
            .await
            .map_err(|e| ServerError::Bind {
                addr: admin_addr_s.clone(),
                source: e,
            })?;
        let admin_addr = admin_l.local_addr().map_err(|e| ServerError::Bind {
            addr: admin_addr_s,
            source: e,
        })?;
        tasks.push(tokio::spawn(admin_loop(
            admin_l,
            store.clone(),
            state.clone(),
            shutdown_rx.clone(),
        )));
        tasks.push(crate::gc::spawn(store.clone()));
        if let Some(cfg) = self.controllers.clone() {
            tasks.push(crate::controllers::spawn_controllers(store.clone(), cfg));
        }
        if let Some(p) = &snapshot_path {
            tasks.push(tokio::spawn(persist_loop(
                store.clone(),
                p.clone(),
                shutdown_rx.clone(),
            )));
        }
        Ok(Server {
            store,
            tls,
            api_addrs,
            admin_addr,
            admin_token,
            shutdown_tx,
            tasks,
            snapshot_path,
        })
    }
}

/// Loads the bootstrap RBAC policy objects into a fresh store.
fn load_bootstrap_policy(store: &Store) {
    for obj in crate::rbac::bootstrap_objects() {
        let api_version = obj
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let kind = obj
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        match store.resource_for_kind(&api_version, &kind) {
            Ok(ri) => {
                let ns = obj
                    .pointer("/metadata/namespace")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                if let Err(e) = store.create(&ri, &ns, obj, &WriteOptions::default()) {
                    tracing::warn!("bootstrap policy {kind}: {e}");
                }
            }
            Err(e) => tracing::warn!("bootstrap policy {kind}: {e}"),
        }
    }
}

/// The first token in the file whose groups include `system:masters` (else the first token).
fn admin_token_from_file(p: &Path) -> Option<String> {
    let text = std::fs::read_to_string(p).ok()?;
    let mut first = None;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let token = line.split(',').next()?.trim().to_owned();
        if line.contains("system:masters") {
            return Some(token);
        }
        if first.is_none() {
            first = Some(token);
        }
    }
    first
}

async fn accept_loop(
    l: TcpListener,
    index: usize,
    state: Arc<ApiState>,
    tls: Option<crate::tls::Tls>,
    mut shutdown: watch::Receiver<bool>,
) {
    let local = match l.local_addr() {
        Ok(a) => a,
        Err(_) => return,
    };
    loop {
        let (stream, peer) = tokio::select! {
            _ = shutdown.changed() => return,
            r = l.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!("accept on listener {index}: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        let mut shutdown = shutdown.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let conn = ConnInfo {
                listener: index,
                peer,
                local,
            };
            let svc = hyper::service::service_fn(move |req| {
                let state = state.clone();
                async move { api::handle(state, conn, req).await }
            });
            let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
            match tls {
                Some(tls) => {
                    let stream = match tls.acceptor.accept(stream).await {
                        Ok(s) => s,
                        Err(e) => {
                            tracing::debug!("TLS handshake from {peer}: {e}");
                            return;
                        }
                    };
                    let serve = builder.serve_connection(TokioIo::new(stream), svc);
                    tokio::select! {
                        _ = serve => {}
                        _ = shutdown.changed() => {}
                    }
                }
                None => {
                    let serve = builder.serve_connection(TokioIo::new(stream), svc);
                    tokio::select! {
                        _ = serve => {}
                        _ = shutdown.changed() => {}
                    }
                }
            }
        });
    }
}

async fn admin_loop(
    l: TcpListener,
    store: Store,
    state: Arc<ApiState>,
    mut shutdown: watch::Receiver<bool>,
) {
    let router = crate::admin::router(store)
        .merge(state.faults.clone().admin_router())
        .merge(crate::auth::admin_router(state, |s| &s.auth));
    let serve = axum::serve(l, router).with_graceful_shutdown(async move {
        let _ = shutdown.changed().await;
    });
    if let Err(e) = serve.await {
        tracing::warn!("admin listener: {e}");
    }
}

/// Writes the store to `path` atomically (temp file + rename).
pub fn persist(store: &Store, path: &Path) -> std::io::Result<()> {
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, store.dump().to_string())?;
    std::fs::rename(&tmp, path)
}

async fn persist_loop(store: Store, path: PathBuf, mut shutdown: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = shutdown.changed() => return,
            _ = store.changed().notified() => {}
        }
        // Debounce bursts of writes into one snapshot.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let (s, p) = (store.clone(), path.clone());
        match tokio::task::spawn_blocking(move || persist(&s, &p)).await {
            Ok(Err(e)) => tracing::warn!("persist {}: {e}", path.display()),
            Err(e) => tracing::warn!("persist task: {e}"),
            Ok(Ok(())) => {}
        }
    }
}

/// A running simulator.
#[derive(Debug)]
pub struct Server {
    store: Store,
    tls: Option<crate::tls::Tls>,
    api_addrs: Vec<SocketAddr>,
    admin_addr: SocketAddr,
    admin_token: Option<String>,
    shutdown_tx: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    snapshot_path: Option<PathBuf>,
}

impl Server {
    /// A builder with the defaults (one API listener on 127.0.0.1:0, no auth, no persistence).
    pub fn builder() -> Builder {
        Builder::default()
    }

    fn scheme(&self) -> &'static str {
        if self.tls.is_some() { "https" } else { "http" }
    }

    /// URL of the first API listener.
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme(), self.api_addrs[0])
    }

    /// URLs of all API listeners, by listener index.
    pub fn api_urls(&self) -> Vec<String> {
        self.api_addrs
            .iter()
            .map(|a| format!("{}://{a}", self.scheme()))
            .collect()
    }

    /// PEM of the self-signed server certificate when serving TLS.
    pub fn ca_pem(&self) -> Option<&str> {
        self.tls.as_ref().map(|t| t.cert_pem.as_str())
    }

    /// URL of the admin listener.
    pub fn admin_url(&self) -> String {
        format!("http://{}", self.admin_addr)
    }

    /// The store, for direct inspection in tests.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// A kubeconfig (YAML) for the first listener.
    pub fn kubeconfig(&self) -> String {
        self.kubeconfig_for(0)
    }

    /// A kubeconfig (YAML) for listener `index` (clamped to the last listener).
    pub fn kubeconfig_for(&self, index: usize) -> String {
        let i = index.min(self.api_addrs.len() - 1);
        let server = format!("{}://{}", self.scheme(), self.api_addrs[i]);
        let ca = match &self.tls {
            Some(t) => format!(
                "    certificate-authority-data: {}\n",
                base64::engine::general_purpose::STANDARD.encode(&t.cert_pem)
            ),
            None => String::new(),
        };
        let user = match &self.admin_token {
            Some(t) => format!("    token: {}\n", yaml_quote(t)),
            None => "    {}\n".to_owned(),
        };
        let user_block = if self.admin_token.is_some() {
            format!("  user:\n{user}")
        } else {
            "  user: {}\n".to_owned()
        };
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: kubesim\n  cluster:\n    server: {server}\n{ca}contexts:\n- name: kubesim\n  context:\n    cluster: kubesim\n    user: kubesim-admin\n    namespace: default\ncurrent-context: kubesim\npreferences: {{}}\nusers:\n- name: kubesim-admin\n{user_block}"
        )
    }

    /// Writes [`Server::kubeconfig`] to a file.
    pub fn write_kubeconfig(&self, path: impl AsRef<Path>) -> Result<(), ServerError> {
        let p = path.as_ref();
        std::fs::write(p, self.kubeconfig()).map_err(|e| ServerError::Kubeconfig {
            path: p.display().to_string(),
            source: e,
        })
    }

    /// Stops all listeners and tasks, persisting the store first if a data dir is set.
    pub async fn shutdown(self) {
        let _ = self.shutdown_tx.send(true);
        if let Some(p) = &self.snapshot_path {
            let (s, p2) = (self.store.clone(), p.clone());
            match tokio::task::spawn_blocking(move || persist(&s, &p2)).await {
                Ok(Err(e)) => tracing::warn!("persist {}: {e}", p.display()),
                Err(e) => tracing::warn!("persist task: {e}"),
                Ok(Ok(())) => {}
            }
        }
        for t in self.tasks {
            t.abort();
        }
    }
}

fn yaml_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}
