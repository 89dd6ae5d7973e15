//! Test harness: an in-process kubesim, a Tiller serving gRPC on
//! 127.0.0.1 against it, and a generated hapi client that sends the
//! `x-helm-api-client` header like Helm v2.17 does.

#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use helm_proto::hapi::chart::{Chart, Config};
use helm_proto::hapi::release::{Release, status::Code};
use helm_proto::hapi::services::tiller::release_service_client::ReleaseServiceClient;
use helm_proto::hapi::services::tiller::*;
use tiller::cluster::Cluster;
use tiller::service::ReleaseServer;
use tiller::storage::{ConfigMaps, Driver, Memory, Storage};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

pub type Client = ReleaseServiceClient<InterceptedService<Channel, Header>>;

#[derive(Clone)]
pub struct Header(pub Option<String>);

impl tonic::service::Interceptor for Header {
    fn call(&mut self, mut req: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
        if let Some(v) = &self.0 {
            req.metadata_mut().insert(
                "x-helm-api-client",
                v.parse()
                    .map_err(|_| tonic::Status::internal("bad header"))?,
            );
        }
        Ok(req)
    }
}

pub struct Env {
    pub sim: kubesim::Server,
    pub kube: kube::Client,
    pub server: ReleaseServer,
    pub addr: std::net::SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

pub enum Backend {
    ConfigMaps,
    Memory,
}

pub async fn start(backend: Backend) -> Env {
    start_with(backend, |s| s).await
}

pub async fn start_with(
    backend: Backend,
    tweak: impl FnOnce(ReleaseServer) -> ReleaseServer,
) -> Env {
    start_full(backend, false, tweak).await
}

/// With `legacy`, the simulator also serves the API versions old charts
/// use (`extensions/v1beta1`, `policy/v1beta1`, ...).
pub async fn start_full(
    backend: Backend,
    legacy: bool,
    tweak: impl FnOnce(ReleaseServer) -> ReleaseServer,
) -> Env {
    let sim = kubesim::Server::builder()
        .legacy_apis(legacy)
        .controllers(Some(kubesim::controllers::ControllerConfig {
            instant: true,
            ..Default::default()
        }))
        .start()
        .await
        .expect("start kubesim");
    let kubeconfig = kube::config::Kubeconfig::from_yaml(&sim.kubeconfig()).expect("kubeconfig");
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
        .await
        .expect("kube config");
    let kube = kube::Client::try_from(config).expect("kube client");
    let driver: Arc<dyn Driver> = match backend {
        Backend::ConfigMaps => Arc::new(ConfigMaps::new(kube.clone(), "kube-system")),
        Backend::Memory => Arc::new(Memory::new()),
    };
    let server = tweak(ReleaseServer::new(
        Storage::new(driver),
        Cluster::new(kube.clone()),
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let svc = server.clone();
    tokio::spawn(async move {
        tiller::server::serve_grpc(svc, listener, async {
            let _ = rx.await;
        })
        .await
        .expect("serve");
    });
    Env {
        sim,
        kube,
        server,
        addr,
        stop: Some(tx),
    }
}

impl Env {
    pub async fn client(&self) -> Client {
        self.client_as(Some("v2.17.0")).await
    }

    pub async fn client_as(&self, version: Option<&str>) -> Client {
        let channel = Channel::from_shared(format!("http://{}", self.addr))
            .expect("uri")
            .connect()
            .await
            .expect("connect");
        ReleaseServiceClient::with_interceptor(channel, Header(version.map(str::to_owned)))
            .max_decoding_message_size(helm_proto::transport::MAX_MESSAGE_SIZE)
    }

    /// The live object at `path` below the API root (None when absent).
    pub async fn get(&self, path: &str) -> Option<serde_json::Value> {
        let req = http::Request::get(path).body(Vec::new()).expect("request");
        match self.kube.request::<serde_json::Value>(req).await {
            Ok(v) => Some(v),
            Err(kube::Error::Api(s)) if s.code == 404 => None,
            Err(e) => panic!("GET {path}: {e}"),
        }
    }

    pub async fn configmap(&self, ns: &str, name: &str) -> Option<serde_json::Value> {
        self.get(&format!("/api/v1/namespaces/{ns}/configmaps/{name}"))
            .await
    }

    pub async fn post(&self, path: &str, body: serde_json::Value) {
        let req = http::Request::post(path)
            .header("content-type", "application/json")
            .body(serde_json::to_vec(&body).expect("json"))
            .expect("request");
        self.kube
            .request::<serde_json::Value>(req)
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

pub fn charts_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/charts")
}

/// The shared corpus: `SHARED_DIR` or `../../shared` beside the repository.
pub fn corpus_dir() -> PathBuf {
    let shared = std::env::var_os("SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"));
    shared.join("corpus")
}

pub fn load_chart(path: &std::path::Path) -> Chart {
    let c = chart::load(path).unwrap_or_else(|e| panic!("load {}: {e}", path.display()));
    chart::proto::to_proto(&c)
}

pub fn web_chart() -> Chart {
    load_chart(&charts_dir().join("web"))
}

pub fn values(raw: &str) -> Option<Config> {
    Some(Config {
        raw: raw.to_owned(),
        values: Default::default(),
    })
}

pub fn install_req(name: &str, chart: Chart, vals: &str) -> InstallReleaseRequest {
    InstallReleaseRequest {
        chart: Some(chart),
        values: values(vals),
        name: name.to_owned(),
        namespace: "apps".to_owned(),
        timeout: 30,
        ..Default::default()
    }
}

pub fn code_of(r: &Release) -> Code {
    r.info
        .as_ref()
        .and_then(|i| i.status.as_ref())
        .map_or(Code::Unknown, |s| s.code())
}

pub fn description(r: &Release) -> String {
    r.info
        .as_ref()
        .map(|i| i.description.clone())
        .unwrap_or_default()
}

pub async fn history(c: &mut Client, name: &str) -> Vec<Release> {
    c.get_history(GetHistoryRequest {
        name: name.to_owned(),
        max: 100,
    })
    .await
    .expect("history")
    .into_inner()
    .releases
}

/// History, or nothing when the release is unknown.
pub async fn history_or_empty(c: &mut Client, name: &str) -> Vec<Release> {
    match c
        .get_history(GetHistoryRequest {
            name: name.to_owned(),
            max: 100,
        })
        .await
    {
        Ok(r) => r.into_inner().releases,
        Err(e) if e.message() == format!("release: \"{name}\" not found") => Vec::new(),
        Err(e) => panic!("history: {e}"),
    }
}

pub async fn list(c: &mut Client, req: ListReleasesRequest) -> Vec<ListReleasesResponse> {
    use futures::StreamExt as _;
    let mut s = c.list_releases(req).await.expect("list").into_inner();
    let mut out = Vec::new();
    while let Some(m) = s.next().await {
        out.push(m.expect("list message"));
    }
    out
}

pub const SHORT: Duration = Duration::from_secs(5);
