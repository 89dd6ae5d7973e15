//! Real charts through the whole lifecycle against kubesim: the
//! conformance fixture chart (its CRD installed first, since Helm v2 does
//! not read `crds/`) and charts of the shared corpus (found through
//! `SHARED_DIR`, default `../../shared` beside the repository).

mod common;

use common::*;
use helm_proto::hapi::release::status::Code;
use helm_proto::hapi::services::tiller::*;

async fn lifecycle(
    env: &Env,
    c: &mut Client,
    name: &str,
    chart: helm_proto::hapi::chart::Chart,
    ns: &str,
) {
    let mut req = install_req(name, chart.clone(), "");
    req.namespace = ns.to_owned();
    let rel = c
        .install_release(req)
        .await
        .unwrap_or_else(|e| panic!("install {name}: {}", e.message()))
        .into_inner()
        .release
        .expect("release");
    assert_eq!(
        code_of(&rel),
        Code::Deployed,
        "{name}: {}",
        description(&rel)
    );
    let st = c
        .get_release_status(GetReleaseStatusRequest {
            name: name.into(),
            version: 0,
        })
        .await
        .unwrap_or_else(|e| panic!("status {name}: {}", e.message()))
        .into_inner();
    let resources = st
        .info
        .and_then(|i| i.status)
        .map(|s| s.resources)
        .unwrap_or_default();
    assert!(!resources.contains("MISSING"), "{name}: {resources}");
    let rel = c
        .update_release(UpdateReleaseRequest {
            name: name.into(),
            chart: Some(chart),
            timeout: 60,
            ..Default::default()
        })
        .await
        .unwrap_or_else(|e| panic!("upgrade {name}: {}", e.message()))
        .into_inner()
        .release
        .expect("release");
    assert_eq!((rel.version, code_of(&rel)), (2, Code::Deployed), "{name}");
    let rel = c
        .rollback_release(RollbackReleaseRequest {
            name: name.into(),
            version: 1,
            timeout: 60,
            ..Default::default()
        })
        .await
        .unwrap_or_else(|e| panic!("rollback {name}: {}", e.message()))
        .into_inner()
        .release
        .expect("release");
    assert_eq!((rel.version, code_of(&rel)), (3, Code::Deployed), "{name}");
    c.uninstall_release(UninstallReleaseRequest {
        name: name.into(),
        purge: true,
        timeout: 60,
        ..Default::default()
    })
    .await
    .unwrap_or_else(|e| panic!("delete {name}: {}", e.message()));
    assert!(history_or_empty(c, name).await.is_empty(), "{name}: purged");
    let _ = env;
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

#[tokio::test]
async fn conformance_fixture_chart() {
    let env = start(Backend::ConfigMaps).await;
    let fixture = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/conformance/charts/fixture");
    let crd = std::fs::read_to_string(fixture.join("crds/foo.yaml")).expect("crd");
    let crd: serde_json::Value =
        serde_json::from_str(&goyaml::yaml_to_json(&crd).expect("crd yaml")).expect("crd json");
    env.post(
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        crd,
    )
    .await;
    let mut c = env.client().await;
    // The fixture is written for Helm 3 (`apiVersion: v2`); Helm v2 loads
    // only v1 charts, so the test loads a copy declared as v1.
    let copy = std::env::temp_dir().join(format!("tiller-fixture-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&copy);
    copy_dir(&fixture, &copy);
    let meta = std::fs::read_to_string(copy.join("Chart.yaml")).expect("Chart.yaml");
    std::fs::write(
        copy.join("Chart.yaml"),
        meta.replace("apiVersion: v2", "apiVersion: v1"),
    )
    .expect("write");
    let fixture = copy.clone();
    let chart = load_chart(&fixture);
    lifecycle(&env, &mut c, "fx", chart.clone(), "fixture").await;

    // Installed again, its objects are all there, the custom resource included.
    let rel = c
        .install_release({
            let mut r = install_req("fx2", chart, "");
            r.namespace = "fixture".into();
            r
        })
        .await
        .expect("install")
        .into_inner()
        .release
        .expect("release");
    assert!(rel.manifest.contains("kind: Foo"));
    assert!(
        env.get("/apis/fixture.example.com/v1/namespaces/fixture/foos/fx2-foo")
            .await
            .is_some()
    );
    // Upgrading a custom resource goes through a JSON merge patch.
    c.update_release(UpdateReleaseRequest {
        name: "fx2".into(),
        chart: Some(load_chart(&fixture)),
        values: values("replicas: 3\n"),
        timeout: 60,
        ..Default::default()
    })
    .await
    .expect("upgrade");
    let foo = env
        .get("/apis/fixture.example.com/v1/namespaces/fixture/foos/fx2-foo")
        .await
        .expect("foo");
    assert_eq!(foo["spec"]["size"], 3);
    let _ = std::fs::remove_dir_all(&copy);
}

#[tokio::test]
async fn corpus_charts_through_the_lifecycle() {
    let corpus = corpus_dir();
    if !corpus.join("charts").is_dir() {
        // CI has the shared directory beside the repository; say loudly when it is missing.
        panic!("corpus not found at {} (set SHARED_DIR)", corpus.display());
    }
    let env = start_full(Backend::Memory, true, |s| s).await;
    let mut c = env.client().await;
    for (i, chart) in [
        "stable/mysql",
        "stable/redis",
        "stable/memcached",
        "stable/grafana",
        "stable/postgresql",
    ]
    .iter()
    .enumerate()
    {
        let path = corpus.join("charts").join(chart);
        let name = format!("corpus{i}");
        lifecycle(&env, &mut c, &name, load_chart(&path), "corpus").await;
    }
}
