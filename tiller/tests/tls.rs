//! Tiller over TLS and mutual TLS (`-tls`, `-tls-verify`): a client with
//! the CA connects; with verification on, a client without a certificate
//! signed by the CA is refused during the handshake.

use std::sync::Arc;

use helm_proto::hapi::services::tiller::GetVersionRequest;
use helm_proto::hapi::services::tiller::release_service_client::ReleaseServiceClient;
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use tiller::cluster::Cluster;
use tiller::service::ReleaseServer;
use tiller::storage::{Memory, Storage};

struct Pki {
    dir: std::path::PathBuf,
    ca_der: CertificateDer<'static>,
    client: (CertificateDer<'static>, PrivateKeyDer<'static>),
}

fn pki(tag: &str) -> Pki {
    let dir = std::env::temp_dir().join(format!("tiller-tls-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let ca_key = KeyPair::generate().expect("ca key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).expect("ca");
    let issuer = Issuer::new(ca_params, ca_key);
    let server_key = KeyPair::generate().expect("server key");
    let server = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .expect("server params")
        .signed_by(&server_key, &issuer)
        .expect("server cert");
    let client_key = KeyPair::generate().expect("client key");
    let client = CertificateParams::new(vec!["helm".to_owned()])
        .expect("client params")
        .signed_by(&client_key, &issuer)
        .expect("client cert");
    std::fs::write(dir.join("ca.crt"), ca.pem()).expect("write");
    std::fs::write(dir.join("tls.crt"), server.pem()).expect("write");
    std::fs::write(dir.join("tls.key"), server_key.serialize_pem()).expect("write");
    Pki {
        dir,
        ca_der: ca.der().clone(),
        client: (
            client.der().clone(),
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(client_key.serialize_der())),
        ),
    }
}

async fn serve(pki: &Pki, verify: bool) -> std::net::SocketAddr {
    let config = tiller::tls::server_config(
        &pki.dir.join("tls.crt"),
        &pki.dir.join("tls.key"),
        verify.then(|| pki.dir.join("ca.crt")).as_deref(),
    )
    .expect("server config");
    let sim = kubesim::Server::builder().start().await.expect("kubesim");
    let kubeconfig = kube::config::Kubeconfig::from_yaml(&sim.kubeconfig()).expect("kubeconfig");
    let kc = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
        .await
        .expect("config");
    let client = kube::Client::try_from(kc).expect("client");
    let server = ReleaseServer::new(Storage::new(Arc::new(Memory::new())), Cluster::new(client));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _sim = sim;
        tiller::server::serve_grpc_tls(server, listener, config, std::future::pending())
            .await
            .expect("serve");
    });
    addr
}

async fn call(addr: std::net::SocketAddr, pki: &Pki, with_cert: bool) -> Result<String, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(pki.ca_der.clone()).expect("root");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots);
    let mut config = if with_cert {
        builder
            .with_client_auth_cert(vec![pki.client.0.clone()], pki.client.1.clone_key())
            .expect("client auth")
    } else {
        builder.with_no_client_auth()
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let channel = tonic::transport::Endpoint::from_static("http://localhost")
        .connect_with_connector(tower::service_fn(move |_uri| {
            let connector = connector.clone();
            async move {
                let tcp = tokio::net::TcpStream::connect(addr).await?;
                let name = ServerName::try_from("localhost").map_err(std::io::Error::other)?;
                let tls = connector.connect(name, tcp).await?;
                Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(tls))
            }
        }))
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let mut c = ReleaseServiceClient::new(channel);
    c.get_version(GetVersionRequest {})
        .await
        .map(|r| {
            r.into_inner()
                .version
                .map(|v| v.sem_ver)
                .unwrap_or_default()
        })
        .map_err(|e| format!("call: {e}"))
}

#[tokio::test]
async fn tls_serves_clients_that_trust_the_ca() {
    let pki = pki("tls");
    let addr = serve(&pki, false).await;
    assert_eq!(call(addr, &pki, false).await, Ok("v2.17.0".to_owned()));
    let _ = std::fs::remove_dir_all(&pki.dir);
}

#[tokio::test]
async fn tls_verify_requires_a_client_certificate_from_the_ca() {
    let pki = pki("verify");
    let addr = serve(&pki, true).await;
    assert_eq!(call(addr, &pki, true).await, Ok("v2.17.0".to_owned()));
    assert!(
        call(addr, &pki, false).await.is_err(),
        "no client certificate"
    );
    let _ = std::fs::remove_dir_all(&pki.dir);
}
