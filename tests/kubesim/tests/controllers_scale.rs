//! Scale check: a large Deployment converges in reasonable time with instant controllers.

use std::time::{Duration, Instant};

use kubesim::Registry;
use kubesim::controllers::{ControllerConfig, spawn_controllers};
use kubesim::store::{Store, WriteOptions};
use serde_json::json;

#[tokio::test]
async fn a_large_deployment_converges() {
    let replicas: i64 = std::env::var("KUBESIM_SCALE_REPLICAS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let store = Store::new(Registry::new(false));
    let _c = spawn_controllers(store.clone(), ControllerConfig::instant());
    let ri = store.resource("apps", "v1", "deployments").expect("ri");
    store
        .create(
            &ri,
            "default",
            json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "big"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "big"}},
                     "template": {"metadata": {"labels": {"app": "big"}},
                                  "spec": {"containers": [{"name": "c", "image": "x"}]}}}}),
            &WriteOptions::default(),
        )
        .expect("create");
    let t0 = Instant::now();
    loop {
        let d = store.get(&ri, "default", "big").expect("get");
        if d["status"]["availableReplicas"] == replicas {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "not available after 60s: {}",
            d["status"]
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    eprintln!("{replicas} replicas available after {:?}", t0.elapsed());
}
