//! The ConfigMap and Secret drivers against kubesim, the in-process
//! Kubernetes API simulator: Helm v2's exact object format in both
//! directions (a golden record written the way Helm v2.17.0 writes it is
//! read back; our records are decoded by a test-only decoder), Helm's error
//! texts, label queries, paging, compare-and-swap updates, create
//! collisions, the size limit, pruning and retryable errors.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use helm_proto::hapi::release::{Info, Release, Status, status::Code};
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, PostParams};
use prost::Message as _;
use tiller::storage::{ConfigMaps, Driver, Record, RecordMeta, Secrets, Storage, StorageError};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const NS: &str = "kube-system";

struct Sim {
    server: kubesim::Server,
    client: kube::Client,
}

async fn sim() -> Sim {
    let server = kubesim::Server::builder()
        .start()
        .await
        .expect("start kubesim");
    let kubeconfig =
        kube::config::Kubeconfig::from_yaml(&server.kubeconfig()).expect("parse kubeconfig");
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
        .await
        .expect("kube config");
    let client = kube::Client::try_from(config).expect("kube client");
    Sim { server, client }
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    ConfigMap,
    Secret,
}

const KINDS: [Kind; 2] = [Kind::ConfigMap, Kind::Secret];

impl Sim {
    fn driver(&self, kind: Kind) -> Arc<dyn Driver> {
        match kind {
            Kind::ConfigMap => Arc::new(ConfigMaps::new(self.client.clone(), NS)),
            Kind::Secret => Arc::new(Secrets::new(self.client.clone(), NS)),
        }
    }

    fn storage(&self, kind: Kind) -> Storage {
        Storage::new(self.driver(kind))
    }

    /// Labels and the raw `data.release` text of a stored object.
    async fn raw(&self, kind: Kind, key: &str) -> (BTreeMap<String, String>, String) {
        match kind {
            Kind::ConfigMap => {
                let cm = Api::<ConfigMap>::namespaced(self.client.clone(), NS)
                    .get(key)
                    .await
                    .expect("get configmap");
                let text = cm.data.expect("data")["release"].clone();
                (cm.metadata.labels.unwrap_or_default(), text)
            }
            Kind::Secret => {
                let s = Api::<Secret>::namespaced(self.client.clone(), NS)
                    .get(key)
                    .await
                    .expect("get secret");
                assert_eq!(s.type_.as_deref(), Some("Opaque"), "server default type");
                let bytes = s.data.expect("data")["release"].0.clone();
                let text = String::from_utf8(bytes).expect("secret data is the base64 text");
                (s.metadata.labels.unwrap_or_default(), text)
            }
        }
    }

    /// Stores an object the way Helm v2's Tiller writes it.
    async fn put_helm_object(
        &self,
        kind: Kind,
        key: &str,
        labels: BTreeMap<String, String>,
        text: &str,
    ) {
        let meta = ObjectMeta {
            name: Some(key.to_owned()),
            labels: Some(labels),
            ..ObjectMeta::default()
        };
        match kind {
            Kind::ConfigMap => {
                let cm = ConfigMap {
                    metadata: meta,
                    data: Some(BTreeMap::from([("release".to_owned(), text.to_owned())])),
                    ..ConfigMap::default()
                };
                Api::<ConfigMap>::namespaced(self.client.clone(), NS)
                    .create(&PostParams::default(), &cm)
                    .await
                    .expect("create configmap");
            }
            Kind::Secret => {
                let s = Secret {
                    metadata: meta,
                    data: Some(BTreeMap::from([(
                        "release".to_owned(),
                        k8s_openapi::ByteString(text.as_bytes().to_vec()),
                    )])),
                    ..Secret::default()
                };
                Api::<Secret>::namespaced(self.client.clone(), NS)
                    .create(&PostParams::default(), &s)
                    .await
                    .expect("create secret");
            }
        }
    }

    /// Adds a kubesim fault rule through the admin listener.
    async fn fault(&self, rule: serde_json::Value) {
        let addr = self
            .server
            .admin_url()
            .trim_start_matches("http://")
            .to_owned();
        let body = rule.to_string();
        let mut stream = tokio::net::TcpStream::connect(&addr)
            .await
            .expect("connect admin");
        let req = format!(
            "POST /faults HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(req.as_bytes()).await.expect("send rule");
        let mut resp = String::new();
        stream.read_to_string(&mut resp).await.expect("read answer");
        assert!(
            resp.starts_with("HTTP/1.1 200") || resp.starts_with("HTTP/1.1 201"),
            "fault rule refused: {resp}"
        );
    }
}

fn rel(name: &str, version: i32, code: Code) -> Release {
    Release {
        name: name.to_owned(),
        version,
        namespace: "default".to_owned(),
        manifest: format!(
            "---\n# Source: demo/templates/cm.yaml\nkind: ConfigMap\nmetadata:\n  name: {name}\n"
        ),
        info: Some(Info {
            status: Some(Status {
                code: code as i32,
                ..Status::default()
            }),
            description: "Install complete".to_owned(),
            ..Info::default()
        }),
        ..Release::default()
    }
}

/// Decodes a stored release text without the crate's codec: base64, gzip
/// magic check, gunzip, protobuf.
fn independent_decode(text: &str) -> Release {
    let bytes = STANDARD.decode(text).expect("standard padded base64");
    assert_eq!(&bytes[..3], &[0x1f, 0x8b, 0x08], "gzip with deflate");
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(bytes.as_slice())
        .read_to_end(&mut raw)
        .expect("gunzip");
    Release::decode(raw.as_slice()).expect("hapi.release.Release protobuf")
}

fn golden_stored_release() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../proto/testdata/helm-v2.17.0-golden.txt"
    );
    let text = std::fs::read_to_string(path).expect("golden file");
    text.lines()
        .find_map(|l| l.strip_prefix("release.stored "))
        .expect("release.stored line")
        .trim()
        .to_owned()
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[tokio::test]
async fn helm_v2_records_are_read() {
    let sim = sim().await;
    let golden = golden_stored_release();
    let expected = independent_decode(&golden);
    let status = Code::try_from(
        expected
            .info
            .as_ref()
            .and_then(|i| i.status.as_ref())
            .map_or(0, |s| s.code),
    )
    .expect("known status")
    .as_str_name();
    for kind in KINDS {
        let key = format!("{}.v{}", expected.name, expected.version);
        let version = expected.version.to_string();
        sim.put_helm_object(
            kind,
            &key,
            labels(&[
                ("NAME", &expected.name),
                ("OWNER", "TILLER"),
                ("STATUS", status),
                ("VERSION", &version),
                ("CREATED_AT", "1700000000"),
            ]),
            &golden,
        )
        .await;
        let storage = sim.storage(kind);
        let got = storage
            .get(&expected.name, expected.version)
            .await
            .expect("get golden");
        assert_eq!(got.release, expected, "{kind:?}");
        assert_eq!(got.labels["CREATED_AT"], "1700000000");
        assert!(!got.resource_version.is_empty());
        let history = storage.history(&expected.name).await.expect("history");
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].release, expected);
        let last = storage.last(&expected.name).await.expect("last");
        assert_eq!(last.release, expected);
        assert_eq!(storage.list_releases().await.expect("list").len(), 1);

        // An update of a Helm-written record keeps Helm's format.
        let mut rec = got.clone();
        rec.release.manifest = "changed".to_owned();
        storage.update(&rec).await.expect("update golden");
        let (labels, text) = sim.raw(kind, &key).await;
        assert_eq!(independent_decode(&text).manifest, "changed");
        assert!(labels.contains_key("MODIFIED_AT") && !labels.contains_key("CREATED_AT"));
        storage
            .delete(&expected.name, expected.version)
            .await
            .expect("delete");
    }
}

#[tokio::test]
async fn written_records_have_helm_v2_format() {
    let sim = sim().await;
    for kind in KINDS {
        let storage = sim.storage(kind);
        let r = rel("happy-panda", 3, Code::Deployed);
        let before = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs();
        let created = storage.create(&r).await.expect("create");
        assert_eq!(created.key, "happy-panda.v3");
        let (labels, text) = sim.raw(kind, "happy-panda.v3").await;
        assert_eq!(independent_decode(&text), r, "{kind:?}");
        let keys: Vec<&str> = labels.keys().map(String::as_str).collect();
        assert_eq!(keys, ["CREATED_AT", "NAME", "OWNER", "STATUS", "VERSION"]);
        assert_eq!(labels["NAME"], "happy-panda");
        assert_eq!(labels["OWNER"], "TILLER");
        assert_eq!(labels["STATUS"], "DEPLOYED");
        assert_eq!(labels["VERSION"], "3");
        let created_at: u64 = labels["CREATED_AT"].parse().expect("unix seconds");
        assert!(created_at >= before && created_at <= before + 60);

        // Update: fresh labels, MODIFIED_AT instead of CREATED_AT.
        let mut rec = storage.get("happy-panda", 3).await.expect("get");
        rec.release = rel("happy-panda", 3, Code::Superseded);
        let updated = storage.update(&rec).await.expect("update");
        assert_ne!(updated.resource_version, rec.resource_version);
        let (labels, text) = sim.raw(kind, "happy-panda.v3").await;
        assert_eq!(
            independent_decode(&text).info,
            rel("happy-panda", 3, Code::Superseded).info
        );
        let keys: Vec<&str> = labels.keys().map(String::as_str).collect();
        assert_eq!(keys, ["MODIFIED_AT", "NAME", "OWNER", "STATUS", "VERSION"]);
        assert_eq!(labels["STATUS"], "SUPERSEDED");
        storage.delete("happy-panda", 3).await.expect("delete");
    }
}

#[tokio::test]
async fn secret_wire_value_is_base64_of_the_base64_text() {
    let sim = sim().await;
    let storage = sim.storage(Kind::Secret);
    let r = rel("wire", 1, Code::Deployed);
    storage.create(&r).await.expect("create");
    let req = http::Request::get(format!("/api/v1/namespaces/{NS}/secrets/wire.v1"))
        .body(Vec::new())
        .expect("request");
    let body = sim.client.request_text(req).await.expect("raw get");
    let stored: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert!(stored.get("type").is_none_or(|t| t == "Opaque"), "{stored}");
    let wire = stored["data"]["release"].as_str().expect("wire string");
    let once = STANDARD.decode(wire).expect("outer base64");
    let text = String::from_utf8(once).expect("inner text");
    assert_eq!(independent_decode(&text), r);
}

#[tokio::test]
async fn helm_error_texts() {
    let sim = sim().await;
    for kind in KINDS {
        let storage = sim.storage(kind);
        let err = storage.get("nope", 1).await.expect_err("missing");
        assert_eq!(err.to_string(), r#"release: "nope.v1" not found"#);
        let err = storage.history("nope").await.expect_err("no history");
        assert_eq!(err.to_string(), r#"release: "nope" not found"#);
        let err = storage.last("nope").await.expect_err("no last");
        assert_eq!(err.to_string(), r#"release: "nope" not found"#);
        let err = storage.deployed("nope").await.expect_err("no deployed");
        assert_eq!(err.to_string(), r#""nope" has no deployed releases"#);
        let err = storage.delete("nope", 1).await.expect_err("delete missing");
        assert_eq!(err.to_string(), r#"release: "nope.v1" not found"#);

        storage
            .create(&rel("dup", 1, Code::Deployed))
            .await
            .expect("create");
        let err = storage
            .create(&rel("dup", 1, Code::Failed))
            .await
            .expect_err("exists");
        let want = match kind {
            Kind::ConfigMap => r#"release: "dup.v1" already exists"#,
            Kind::Secret => r#"release: "dup" already exists"#,
        };
        assert_eq!(err.to_string(), want);
        // The first record was not replaced.
        let got = storage.get("dup", 1).await.expect("get");
        assert_eq!(got.status(), Code::Deployed);
        storage.delete("dup", 1).await.expect("delete");

        let err = storage.history("bad name").await.expect_err("bad label");
        assert!(
            err.to_string().starts_with(
                r#"invalid label value: "bad name": a valid label must be an empty string"#
            ),
            "{err}"
        );
    }
}

#[tokio::test]
async fn queries_use_labels_and_ignore_foreign_objects() {
    let sim = sim().await;
    for kind in KINDS {
        let storage = sim.storage(kind);
        for (name, v, code) in [
            ("web", 1, Code::Superseded),
            ("web", 2, Code::Deployed),
            ("web", 3, Code::Deployed),
            ("web", 4, Code::Failed),
            ("db", 1, Code::Deployed),
            ("old", 1, Code::Deleted),
        ] {
            storage.create(&rel(name, v, code)).await.expect("create");
        }
        // Not Tiller's: no OWNER label. Helm's selector skips it.
        sim.put_helm_object(kind, "stranger.v1", labels(&[("NAME", "web")]), "garbage")
            .await;
        // Tiller's but undecodable: logged and skipped.
        sim.put_helm_object(
            kind,
            "broken.v1",
            labels(&[
                ("NAME", "broken"),
                ("OWNER", "TILLER"),
                ("STATUS", "DEPLOYED"),
                ("VERSION", "1"),
            ]),
            "%%% not base64",
        )
        .await;

        let versions = |recs: Vec<Record>| recs.iter().map(Record::version).collect::<Vec<_>>();
        assert_eq!(
            versions(storage.history("web").await.expect("history")),
            [1, 2, 3, 4]
        );
        assert_eq!(
            storage.deployed("web").await.expect("deployed").version(),
            3
        );
        assert_eq!(storage.deployed_all("web").await.expect("all").len(), 2);
        assert_eq!(storage.last("web").await.expect("last").version(), 4);
        assert_eq!(storage.list_releases().await.expect("list").len(), 6);
        assert_eq!(storage.list_deployed().await.expect("deployed").len(), 3);
        assert_eq!(storage.list_deleted().await.expect("deleted").len(), 1);
        // A query whose only match is undecodable: Helm skips it and
        // returns an empty list (no not-found error either).
        assert!(storage.history("broken").await.expect("history").is_empty());
        let err = storage.get("broken", 1).await.expect_err("undecodable");
        assert!(
            err.to_string()
                .starts_with(r#"release record "broken.v1": stored release is not valid base64"#),
            "{err}"
        );

        for (name, v) in [
            ("web", 1),
            ("web", 2),
            ("web", 3),
            ("web", 4),
            ("db", 1),
            ("old", 1),
        ] {
            storage.delete(name, v).await.expect("cleanup");
        }
        match kind {
            Kind::ConfigMap => {
                let api = Api::<ConfigMap>::namespaced(sim.client.clone(), NS);
                api.delete("stranger.v1", &Default::default())
                    .await
                    .expect("cleanup");
                api.delete("broken.v1", &Default::default())
                    .await
                    .expect("cleanup");
            }
            Kind::Secret => {
                let api = Api::<Secret>::namespaced(sim.client.clone(), NS);
                api.delete("stranger.v1", &Default::default())
                    .await
                    .expect("cleanup");
                api.delete("broken.v1", &Default::default())
                    .await
                    .expect("cleanup");
            }
        }
    }
}

#[tokio::test]
async fn lists_are_read_in_pages() {
    let sim = sim().await;
    for kind in KINDS {
        let driver: Arc<dyn Driver> = match kind {
            Kind::ConfigMap => Arc::new(ConfigMaps::new(sim.client.clone(), NS).with_page_size(4)),
            Kind::Secret => Arc::new(Secrets::new(sim.client.clone(), NS).with_page_size(4)),
        };
        let storage = Storage::new(driver);
        for i in 0..23 {
            storage
                .create(&rel(&format!("r{i:02}"), 1, Code::Deployed))
                .await
                .expect("create");
        }
        for v in 2..=9 {
            storage
                .create(&rel("many", v, Code::Superseded))
                .await
                .expect("create");
        }
        let all = storage.list_releases().await.expect("list");
        assert_eq!(all.len(), 31, "{kind:?}");
        let mut keys: Vec<String> = all.into_iter().map(|r| r.key).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), 31, "no duplicates across pages");
        assert_eq!(storage.history("many").await.expect("history").len(), 8);
        assert_eq!(storage.list_deployed().await.expect("deployed").len(), 23);
    }
    let log: Vec<serde_json::Value> = sim_log(&sim).await;
    let paged = log
        .iter()
        .filter(|e| {
            e["verb"] == "list" && e["path"].as_str().is_some_and(|p| p.contains("configmaps"))
        })
        .count();
    assert!(
        paged >= 8,
        "31 objects in pages of 4 need at least 8 list requests, saw {paged}"
    );
}

/// The kubesim request log, read from the admin listener.
async fn sim_log(sim: &Sim) -> Vec<serde_json::Value> {
    let addr = sim
        .server
        .admin_url()
        .trim_start_matches("http://")
        .to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect admin");
    let req = format!("GET /log HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(req.as_bytes()).await.expect("send");
    let mut resp = Vec::new();
    stream.read_to_end(&mut resp).await.expect("read");
    let resp = String::from_utf8_lossy(&resp);
    let body = resp.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    body.lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

#[tokio::test]
async fn two_writers_from_one_read_exactly_one_wins() {
    let sim = sim().await;
    for kind in KINDS {
        // Two replicas: separate drivers over the same API server.
        let a = sim.storage(kind);
        let b = sim.storage(kind);
        a.create(&rel("race", 1, Code::Deployed))
            .await
            .expect("create");
        let read_a = a.get("race", 1).await.expect("read a");
        let read_b = b.get("race", 1).await.expect("read b");
        assert_eq!(read_a.resource_version, read_b.resource_version);
        let mut wa = read_a.clone();
        wa.release = rel("race", 1, Code::Superseded);
        let mut wb = read_b.clone();
        wb.release = rel("race", 1, Code::Failed);
        let (ra, rb) = tokio::join!(a.update(&wa), b.update(&wb));
        let (winner, loser) = match (ra, rb) {
            (Ok(w), Err(l)) => (w, l),
            (Err(l), Ok(w)) => (w, l),
            other => panic!("{kind:?}: expected exactly one winner, got {other:?}"),
        };
        assert!(matches!(loser, StorageError::Conflict { .. }), "{loser}");
        assert!(loser.retryable());
        let stored = a.get("race", 1).await.expect("get");
        assert_eq!(stored.release, winner.release);
        assert_eq!(stored.resource_version, winner.resource_version);

        // Two writers creating the same new revision: one create wins.
        let next = rel("race", 2, Code::PendingUpgrade);
        let (ca, cb) = tokio::join!(a.create(&next), b.create(&next));
        assert_eq!(
            [ca.is_ok(), cb.is_ok()].iter().filter(|ok| **ok).count(),
            1,
            "{kind:?}"
        );
        let err = ca.err().or(cb.err()).expect("one lost");
        assert!(matches!(err, StorageError::AlreadyExists(_)), "{err}");

        // A delete from a stale read is refused too.
        let stale = a.get("race", 2).await.expect("get");
        let mut fresh = stale.clone();
        fresh.release = rel("race", 2, Code::Deployed);
        b.update(&fresh).await.expect("update");
        let err = a.delete_record(&stale).await.expect_err("stale delete");
        assert!(matches!(err, StorageError::Conflict { .. }), "{err}");
        a.delete("race", 1).await.expect("cleanup");
        a.delete("race", 2).await.expect("cleanup");
    }
}

/// Incompressible text: a xorshift stream printed as hex (about 0.67 bytes
/// of encoded release per byte).
fn noise(bytes: usize) -> String {
    use std::fmt::Write as _;
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut s = String::with_capacity(bytes + 16);
    while s.len() < bytes {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let _ = write!(s, "{x:016x}");
    }
    s
}

#[tokio::test]
async fn too_large_releases_fail_before_anything_is_written() {
    let sim = sim().await;
    for kind in KINDS {
        let storage = sim.storage(kind);
        for v in 1..=3 {
            let code = if v == 3 {
                Code::Deployed
            } else {
                Code::Superseded
            };
            storage.create(&rel("huge", v, code)).await.expect("create");
        }
        let storage = storage.with_max_history(2);
        let mut big = rel("huge", 4, Code::PendingUpgrade);
        big.manifest = noise(2_000_000);
        let err = storage.create(&big).await.expect_err("too large");
        let kind_name = match kind {
            Kind::ConfigMap => "ConfigMap",
            Kind::Secret => "Secret",
        };
        match &err {
            StorageError::TooLarge {
                name,
                version,
                size,
                kind,
                ..
            } => {
                assert_eq!((name.as_str(), *version, *kind), ("huge", 4, kind_name));
                assert!(*size > 1_048_576);
            }
            other => panic!("unexpected error {other}"),
        }
        assert!(
            err.to_string()
                .contains(&format!("the {kind_name} limit is 1 MiB")),
            "{err}"
        );
        // Nothing written, nothing pruned.
        let err = storage.get("huge", 4).await.expect_err("not written");
        assert!(matches!(err, StorageError::NotFound(_)));
        assert_eq!(storage.history("huge").await.expect("history").len(), 3);
        for v in 1..=3 {
            storage.delete("huge", v).await.expect("cleanup");
        }
    }
}

#[tokio::test]
async fn api_server_size_refusal_maps_to_the_size_error() {
    let sim = sim().await;
    sim.fault(serde_json::json!({
        "id": "too-long",
        "match": {"verbs": ["create"], "resources": ["configmaps"]},
        "count": 1,
        "action": {
            "type": "status",
            "code": 422,
            "reason": "Invalid",
            "message": "ConfigMap \"sized.v1\" is invalid: []: Too long: must have at most 1048576 bytes"
        }
    }))
    .await;
    let storage = sim.storage(Kind::ConfigMap);
    let err = storage
        .create(&rel("sized", 1, Code::Deployed))
        .await
        .expect_err("refused");
    assert!(matches!(err, StorageError::TooLarge { .. }), "{err}");
    assert!(!err.retryable());
    // The rule fired once; the next attempt goes through.
    storage
        .create(&rel("sized", 1, Code::Deployed))
        .await
        .expect("create");
}

#[tokio::test]
async fn server_errors_are_retryable_and_conflicts_too() {
    let sim = sim().await;
    let storage = sim.storage(Kind::ConfigMap);
    storage
        .create(&rel("flaky", 1, Code::Deployed))
        .await
        .expect("create");
    sim.fault(serde_json::json!({
        "id": "boom",
        "match": {"verbs": ["get"], "resources": ["configmaps"]},
        "count": 1,
        "action": {"type": "status", "code": 500, "reason": "InternalError", "message": "etcd hiccup"}
    }))
    .await;
    let err = storage.get("flaky", 1).await.expect_err("500");
    assert!(matches!(err, StorageError::Kube { .. }), "{err}");
    assert!(err.retryable(), "{err}");
    storage.get("flaky", 1).await.expect("recovered");

    sim.fault(serde_json::json!({
        "id": "denied",
        "match": {"verbs": ["get"], "resources": ["configmaps"]},
        "count": 1,
        "action": {"type": "status", "code": 403, "reason": "Forbidden", "message": "no"}
    }))
    .await;
    let err = storage.get("flaky", 1).await.expect_err("403");
    assert!(!err.retryable(), "{err}");
}

#[tokio::test]
async fn pruning_with_history_max() {
    let sim = sim().await;
    for kind in KINDS {
        let storage = sim.storage(kind);
        for (v, code) in [
            (1, Code::Superseded),
            (2, Code::Deployed),
            (3, Code::Failed),
            (4, Code::Failed),
        ] {
            storage
                .create(&rel("pruned", v, code))
                .await
                .expect("create");
        }
        let storage = storage.with_max_history(3);
        storage
            .create(&rel("pruned", 5, Code::Failed))
            .await
            .expect("create");
        let versions: Vec<i32> = storage
            .history("pruned")
            .await
            .expect("history")
            .iter()
            .map(Record::version)
            .collect();
        assert_eq!(versions, [2, 4, 5], "{kind:?}");
        for v in versions {
            storage.delete("pruned", v).await.expect("cleanup");
        }
    }
}

#[tokio::test]
async fn extra_metadata_is_stored_and_kept() {
    let sim = sim().await;
    for kind in KINDS {
        let storage = sim.storage(kind);
        let mut meta = RecordMeta::default();
        meta.labels.insert("tiller.sh/term".into(), "9".into());
        meta.annotations
            .insert("tiller.sh/holder".into(), "tiller-0".into());
        storage
            .create_with_meta(&rel("meta", 1, Code::PendingInstall), meta)
            .await
            .expect("create");
        let mut rec = storage.get("meta", 1).await.expect("get");
        assert_eq!(rec.labels["tiller.sh/term"], "9");
        assert_eq!(rec.annotations["tiller.sh/holder"], "tiller-0");
        rec.release = rel("meta", 1, Code::Deployed);
        let updated = storage.update(&rec).await.expect("update");
        assert_eq!(updated.labels["tiller.sh/term"], "9");
        assert_eq!(updated.annotations["tiller.sh/holder"], "tiller-0");
        // Helm's selectors still find it.
        assert_eq!(
            storage.deployed("meta").await.expect("deployed").version(),
            1
        );
        storage.delete("meta", 1).await.expect("cleanup");
    }
}

#[tokio::test]
async fn selectors_on_the_wire_are_helms() {
    let sim = sim().await;
    let storage = sim.storage(Kind::ConfigMap);
    storage
        .create(&rel("sel", 1, Code::Deployed))
        .await
        .expect("create");
    storage.list_releases().await.expect("list");
    storage.history("sel").await.expect("history");
    storage.deployed("sel").await.expect("deployed");
    let selectors: Vec<String> = sim_log(&sim)
        .await
        .iter()
        .filter(|e| e["verb"] == "list")
        .filter_map(|e| e["query"].as_str().map(str::to_owned))
        .filter_map(|q| {
            q.split('&')
                .find_map(|kv| kv.strip_prefix("labelSelector=").map(str::to_owned))
        })
        .map(|sel| sel.replace("%3D", "=").replace("%2C", ","))
        .collect();
    assert_eq!(
        selectors,
        [
            "OWNER=TILLER",
            "NAME=sel,OWNER=TILLER",
            "NAME=sel,OWNER=TILLER,STATUS=DEPLOYED"
        ]
    );
}

#[tokio::test]
async fn an_expired_continue_token_restarts_the_list() {
    let sim = sim().await;
    let driver = Arc::new(ConfigMaps::new(sim.client.clone(), NS).with_page_size(2));
    let storage = Storage::new(driver);
    for i in 0..7 {
        storage
            .create(&rel(&format!("c{i}"), 1, Code::Deployed))
            .await
            .expect("create");
    }
    // The second list request (the first continue) gets 410 Gone.
    sim.fault(serde_json::json!({
        "id": "expired",
        "match": {"verbs": ["list"], "resources": ["configmaps"]},
        "after_n": 1,
        "count": 1,
        "action": {"type": "status", "code": 410, "reason": "Expired", "message": "continue token too old"}
    }))
    .await;
    let all = storage.list_releases().await.expect("list restarted");
    assert_eq!(all.len(), 7);
    let mut keys: Vec<String> = all.into_iter().map(|r| r.key).collect();
    keys.dedup();
    assert_eq!(keys.len(), 7, "no duplicates after the restart");
    let lists = sim_log(&sim)
        .await
        .iter()
        .filter(|e| e["verb"] == "list")
        .count();
    // One page, the 410, then four pages of a fresh list.
    assert_eq!(lists, 6);
}

#[tokio::test]
async fn an_injected_create_conflict_is_retryable_not_already_exists() {
    let sim = sim().await;
    sim.fault(serde_json::json!({
        "id": "c",
        "match": {"verbs": ["create"], "resources": ["configmaps"]},
        "count": 1,
        "action": {"type": "conflict"}
    }))
    .await;
    let storage = sim.storage(Kind::ConfigMap);
    let err = storage
        .create(&rel("cc", 1, Code::Deployed))
        .await
        .expect_err("conflict");
    assert!(!matches!(err, StorageError::AlreadyExists(_)), "{err}");
    assert!(err.retryable(), "{err}");
    storage
        .create(&rel("cc", 1, Code::Deployed))
        .await
        .expect("retry");
}

#[tokio::test]
async fn slow_requests_time_out_as_retryable_errors() {
    let sim = sim().await;
    let driver = ConfigMaps::new(sim.client.clone(), NS)
        .with_request_timeout(Some(std::time::Duration::from_millis(200)));
    let storage = Storage::new(Arc::new(driver));
    storage
        .create(&rel("slow", 1, Code::Deployed))
        .await
        .expect("create");
    sim.fault(serde_json::json!({
        "id": "slow",
        "match": {"verbs": ["get"], "resources": ["configmaps"]},
        "count": 1,
        "action": {"type": "delay", "ms": 3000}
    }))
    .await;
    let started = std::time::Instant::now();
    let err = storage.get("slow", 1).await.expect_err("timeout");
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    assert!(matches!(err, StorageError::Timeout { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        r#"get "slow.v1": no answer from the Kubernetes API within 200ms"#
    );
    assert!(err.retryable());
    storage.get("slow", 1).await.expect("next request is fine");
}
