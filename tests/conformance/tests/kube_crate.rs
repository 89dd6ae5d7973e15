//! The `kube` crate against kubesim: typed CRUD, the runtime watcher, aggregated discovery,
//! server-side apply of a dynamic object, and a Lease update conflict.

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{
    Api, ApiResource, DeleteParams, DynamicObject, GroupVersionKind, ListParams, ObjectMeta, Patch,
    PatchParams, PostParams,
};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::discovery::{Discovery, Scope};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Client, Config};

/// Starts an in-process kubesim and a client configured from the kubeconfig it writes, so the
/// kubeconfig itself is part of what is checked.
async fn start() -> anyhow::Result<(kubesim::Server, Client)> {
    let sim = kubesim::Server::builder().start().await?;
    let kubeconfig = Kubeconfig::from_yaml(&sim.kubeconfig())?;
    let config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default()).await?;
    Ok((sim, Client::try_from(config)?))
}

fn api_error(err: kube::Error) -> Box<kube::core::Status> {
    match err {
        kube::Error::Api(status) => status,
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn config_map(name: &str, value: &str) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            labels: Some([("suite".to_owned(), "kube".to_owned())].into()),
            ..ObjectMeta::default()
        },
        data: Some([("key".to_owned(), value.to_owned())].into()),
        ..ConfigMap::default()
    }
}

#[tokio::test]
async fn typed_crud() -> anyhow::Result<()> {
    let (_sim, client) = start().await?;
    let api: Api<ConfigMap> = Api::namespaced(client, "default");

    let created = api
        .create(&PostParams::default(), &config_map("typed", "1"))
        .await?;
    let md = &created.metadata;
    assert!(md.uid.is_some() && md.resource_version.is_some() && md.creation_timestamp.is_some());

    let err = api_error(
        api.create(&PostParams::default(), &config_map("typed", "1"))
            .await
            .unwrap_err(),
    );
    assert_eq!((err.code, err.reason.as_str()), (409, "AlreadyExists"));

    let mut fetched = api.get("typed").await?;
    fetched.data = Some([("key".to_owned(), "2".to_owned())].into());
    let replaced = api
        .replace("typed", &PostParams::default(), &fetched)
        .await?;
    assert_ne!(
        replaced.metadata.resource_version,
        created.metadata.resource_version
    );

    let listed = api
        .list(&ListParams::default().labels("suite=kube"))
        .await?;
    assert_eq!(listed.items.len(), 1);
    assert!(listed.metadata.resource_version.is_some());

    api.delete("typed", &DeleteParams::default()).await?;
    let err = api_error(api.get("typed").await.unwrap_err());
    assert_eq!((err.code, err.reason.as_str()), (404, "NotFound"));
    Ok(())
}

#[tokio::test]
async fn runtime_watcher_sees_changes() -> anyhow::Result<()> {
    let (_sim, client) = start().await?;
    let api: Api<ConfigMap> = Api::namespaced(client, "default");
    api.create(&PostParams::default(), &config_map("before", "1"))
        .await?;

    let stream =
        watcher(api.clone(), watcher::Config::default().labels("suite=kube")).applied_objects();
    let mut stream = Box::pin(stream);
    let first = tokio::time::timeout(Duration::from_secs(10), stream.try_next()).await??;
    assert_eq!(
        first.and_then(|cm| cm.metadata.name).as_deref(),
        Some("before")
    );

    api.create(&PostParams::default(), &config_map("after", "1"))
        .await?;
    let next = tokio::time::timeout(Duration::from_secs(10), stream.try_next()).await??;
    assert_eq!(
        next.and_then(|cm| cm.metadata.name).as_deref(),
        Some("after")
    );
    Ok(())
}

#[tokio::test]
async fn aggregated_discovery() -> anyhow::Result<()> {
    let (_sim, client) = start().await?;
    let discovery = Discovery::new(client).run_aggregated().await?;
    for (group, version, kind) in [
        ("", "v1", "ConfigMap"),
        ("apps", "v1", "Deployment"),
        ("coordination.k8s.io", "v1", "Lease"),
    ] {
        let (resource, caps) = discovery
            .resolve_gvk(&GroupVersionKind::gvk(group, version, kind))
            .unwrap_or_else(|| panic!("{group}/{version} {kind} missing from discovery"));
        assert_eq!(caps.scope, Scope::Namespaced, "{kind}");
        assert!(!resource.plural.is_empty());
    }
    let (nodes, caps) = discovery
        .resolve_gvk(&GroupVersionKind::gvk("", "v1", "Node"))
        .expect("nodes in discovery");
    assert_eq!(
        (nodes.plural.as_str(), caps.scope),
        ("nodes", Scope::Cluster)
    );
    Ok(())
}

#[tokio::test]
async fn dynamic_server_side_apply() -> anyhow::Result<()> {
    let (_sim, client) = start().await?;
    let gvk = GroupVersionKind::gvk("apps", "v1", "Deployment");
    let api: Api<DynamicObject> =
        Api::namespaced_with(client, "default", &ApiResource::from_gvk(&gvk));
    let manifest = |replicas: i64| -> anyhow::Result<DynamicObject> {
        Ok(serde_json::from_value(serde_json::json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "applied"},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {"app": "applied"}},
                "template": {
                    "metadata": {"labels": {"app": "applied"}},
                    "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]}
                }
            }
        }))?)
    };

    let first = api
        .patch(
            "applied",
            &PatchParams::apply("conformance"),
            &Patch::Apply(manifest(1)?),
        )
        .await?;
    assert_eq!(first.data["spec"]["replicas"], 1);
    let managers: Vec<_> = first
        .metadata
        .managed_fields
        .iter()
        .flatten()
        .map(|m| (m.manager.clone(), m.operation.clone()))
        .collect();
    assert!(
        managers.contains(&(Some("conformance".into()), Some("Apply".into()))),
        "{managers:?}"
    );

    // Another manager changing an owned field conflicts, unless it forces.
    let err = api_error(
        api.patch(
            "applied",
            &PatchParams::apply("intruder"),
            &Patch::Apply(manifest(2)?),
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(err.code, 409, "{err:?}");
    let forced = api
        .patch(
            "applied",
            &PatchParams::apply("intruder").force(),
            &Patch::Apply(manifest(2)?),
        )
        .await?;
    assert_eq!(forced.data["spec"]["replicas"], 2);
    Ok(())
}

#[tokio::test]
async fn lease_update_conflict() -> anyhow::Result<()> {
    let (_sim, client) = start().await?;
    let api: Api<Lease> = Api::namespaced(client, "kube-node-lease");
    let lease = Lease {
        metadata: ObjectMeta {
            name: Some("holder".to_owned()),
            ..ObjectMeta::default()
        },
        ..Lease::default()
    };
    api.create(&PostParams::default(), &lease).await?;
    let mut a = api.get("holder").await?;
    let mut b = a.clone();

    a.spec.get_or_insert_with(Default::default).holder_identity = Some("a".to_owned());
    api.replace("holder", &PostParams::default(), &a).await?;

    // The second writer read the same resourceVersion: compare-and-swap must fail.
    b.spec.get_or_insert_with(Default::default).holder_identity = Some("b".to_owned());
    let err = api_error(
        api.replace("holder", &PostParams::default(), &b)
            .await
            .unwrap_err(),
    );
    assert_eq!((err.code, err.reason.as_str()), (409, "Conflict"));

    // A Lease rejects an unconditional update.
    let mut unconditional = api.get("holder").await?;
    unconditional.metadata.resource_version = None;
    let err = api_error(
        api.replace("holder", &PostParams::default(), &unconditional)
            .await
            .unwrap_err(),
    );
    assert_eq!(err.code, 422, "{err:?}");

    let current = api.get("holder").await?;
    assert_eq!(
        current.spec.and_then(|s| s.holder_identity).as_deref(),
        Some("a")
    );
    Ok(())
}

#[tokio::test]
async fn watch_stream_lists_all_configmaps() -> anyhow::Result<()> {
    let (_sim, client) = start().await?;
    let api: Api<ConfigMap> = Api::namespaced(client, "default");
    for i in 0..5 {
        api.create(
            &PostParams::default(),
            &config_map(&format!("paged-{i}"), "x"),
        )
        .await?;
    }
    // Paging through a list one object at a time.
    let mut seen = Vec::new();
    let mut params = ListParams::default().labels("suite=kube").limit(2);
    loop {
        let page = api.list(&params).await?;
        seen.extend(page.items.into_iter().filter_map(|cm| cm.metadata.name));
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => break,
        }
    }
    assert_eq!(
        seen,
        (0..5).map(|i| format!("paged-{i}")).collect::<Vec<_>>()
    );
    let all: Vec<_> = watcher(api, watcher::Config::default().labels("suite=kube"))
        .applied_objects()
        .take(5)
        .try_collect()
        .await?;
    assert_eq!(all.len(), 5);
    Ok(())
}
