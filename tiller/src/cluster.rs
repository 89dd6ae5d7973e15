//! Applying release manifests to Kubernetes, the counterpart of Helm v2's
//! `pkg/kube`: building objects from manifest text (with discovery turning a
//! kind into a resource), creating them, updating them from one manifest to
//! the next with a three-way patch ([`crate::patch`]), deleting them in
//! uninstall order with `helm.sh/resource-policy: keep` honoured, waiting
//! for readiness (`--wait`) and for hooks, and the resource table of
//! `helm status`.
//!
//! Everything goes through kube's dynamic API (`Api<DynamicObject>`), so
//! custom resources work exactly like built-in kinds once their CRD is
//! served.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chart::engine::manifest::INSTALL_ORDER;
use kube::api::{
    Api, ApiResource, DeleteParams, DynamicObject, GroupVersionKind, ListParams, LogParams, Patch,
    PatchParams, PostParams, Preconditions, PropagationPolicy,
};
use kube::discovery::{self, Scope};
use serde_json::Value;
use tokio::sync::Mutex;

use crate::patch::{self, PatchType};

/// The annotation that keeps a resource when its release is deleted or
/// upgraded away from it.
pub const RESOURCE_POLICY_ANNOTATION: &str = "helm.sh/resource-policy";

/// How often readiness and hook waits look at the cluster again. Helm v2
/// polls readiness every 2 s; polling faster costs one GET per object and
/// makes `--wait` return as soon as things are ready.
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// Errors talking to the cluster, worded after Helm v2's where clients or
/// users match on them.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ClusterError {
    /// A manifest document is not YAML or not an object.
    #[error("error parsing {file}: {message}")]
    Parse {
        /// Template path (from the `# Source:` line) or document number.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A document lacks `apiVersion`, `kind` or `metadata.name`.
    #[error("error validating \"{file}\": error validating data: {missing} not set")]
    Missing {
        /// Template path.
        file: String,
        /// The missing field.
        missing: &'static str,
    },
    /// The cluster does not serve the kind.
    #[error(
        "unable to recognize \"{file}\": no matches for kind \"{kind}\" in version \"{api_version}\""
    )]
    UnknownKind {
        /// Template path.
        file: String,
        /// `kind`.
        kind: String,
        /// `apiVersion`.
        api_version: String,
    },
    /// An object the new manifest adds already exists and was not ours.
    #[error(
        "kind {kind} with the name \"{name}\" in \"{namespace}\" already exists in the cluster and wasn't defined in the previous release. Before upgrading, please either delete the resource from the cluster or remove it from the chart"
    )]
    Unowned {
        /// `kind`.
        kind: String,
        /// `metadata.name`.
        name: String,
        /// Namespace (empty for cluster-scoped objects).
        namespace: String,
    },
    /// The API server refused or failed a request. API errors read as the
    /// server wrote them (Helm v2 passes them through); transport errors
    /// say what was being done.
    #[error("{}", api_text(*.code, .action, .what, .message))]
    Api {
        /// The verb (`create`, `patch`, ...).
        action: &'static str,
        /// `[Kind] name`.
        what: String,
        /// The server's message.
        message: String,
        /// HTTP status code (0 for transport errors).
        code: u16,
    },
    /// A wait ran out of time.
    #[error("timed out waiting for the condition: {0}")]
    Timeout(String),
    /// A hook Job failed.
    #[error("Job failed: {0}")]
    JobFailed(String),
    /// A hook Pod failed.
    #[error("pod {0} failed")]
    PodFailed(String),
}

fn api_text(code: u16, action: &str, what: &str, message: &str) -> String {
    if code == 0 || message.is_empty() {
        format!("{action} {what}: {message}")
    } else {
        message.to_owned()
    }
}

impl ClusterError {
    fn api(action: &'static str, what: &str, e: kube::Error) -> Self {
        let (message, code) = match &e {
            kube::Error::Api(s) => (s.message.clone(), s.code),
            other => (other.to_string(), 0),
        };
        ClusterError::Api {
            action,
            what: what.to_owned(),
            message,
            code,
        }
    }

    /// HTTP 404 from the API server.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ClusterError::Api { code: 404, .. })
    }
}

/// One object of a manifest, resolved against the cluster.
#[derive(Debug, Clone)]
pub struct Object {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// The namespace it lives in (`None` for cluster-scoped kinds).
    pub namespace: Option<String>,
    /// The template it came from.
    pub source: String,
    /// The object as the manifest gives it (namespace filled in).
    pub body: Value,
    resource: ApiResource,
}

impl Object {
    /// `[Kind] name`, as Helm names objects in messages.
    pub fn display(&self) -> String {
        format!("[{}] {}", self.kind, self.name)
    }

    fn annotation(&self, key: &str) -> Option<&str> {
        self.body
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(key))
            .and_then(Value::as_str)
    }

    /// Helm's `isMatchingInfo`: kind, name and namespace (not the group,
    /// so moving a kind to a new API group is an update, not a conflict).
    fn same(&self, other: &Object) -> bool {
        self.kind == other.kind && self.name == other.name && self.namespace == other.namespace
    }
}

/// A manifest document, parsed but not yet resolved.
#[derive(Debug, Clone)]
pub struct Doc {
    /// Template path (`# Source:` line) or `document N`.
    pub source: String,
    /// The parsed object.
    pub body: Value,
}

/// Splits manifest text into documents, parsing each as YAML, and checks
/// that each has `apiVersion`, `kind` and `metadata.name`.
pub fn parse_manifest(manifest: &str) -> Result<Vec<Doc>, ClusterError> {
    let mut docs = Vec::new();
    for (i, text) in goyaml::split_manifests(manifest).into_iter().enumerate() {
        let source = text
            .lines()
            .find_map(|l| l.strip_prefix("# Source: "))
            .map_or_else(|| format!("document {}", i + 1), str::to_owned);
        // The exact JSON text keeps integers integers (`replicas: 2` must not
        // reach the API server as 2.0).
        let body = goyaml::yaml_to_json(&text)
            .map_err(|e| e.to_string())
            .and_then(|json| serde_json::from_str::<Value>(&json).map_err(|e| e.to_string()))
            .map_err(|message| ClusterError::Parse {
                file: source.clone(),
                message,
            })?;
        match &body {
            Value::Null => continue,
            Value::Object(_) => {}
            _ => {
                return Err(ClusterError::Parse {
                    file: source,
                    message: "a manifest document must be a YAML mapping".to_owned(),
                });
            }
        }
        for (field, pointer) in [
            ("apiVersion", "/apiVersion"),
            ("kind", "/kind"),
            ("metadata.name", "/metadata/name"),
        ] {
            if body
                .pointer(pointer)
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                return Err(ClusterError::Missing {
                    file: source,
                    missing: field,
                });
            }
        }
        docs.push(Doc { source, body });
    }
    Ok(docs)
}

/// Options of an update from one manifest to another.
#[derive(Debug, Clone, Copy, Default)]
pub struct UpdateOptions {
    /// Delete and re-create objects whose patch fails (`--force`).
    pub force: bool,
    /// Delete the pods of patched workloads (`--recreate-pods`).
    pub recreate: bool,
    /// Delete the objects this update created if it (or the wait) fails
    /// (`--cleanup-on-fail`).
    pub cleanup_on_fail: bool,
    /// Wait for the new objects to be ready, at most this long (`--wait`).
    pub wait: Option<Duration>,
}

/// The result of a delete of a whole manifest.
#[derive(Debug, Default)]
pub struct DeleteReport {
    /// `[Kind] name` of objects kept because of their resource policy.
    pub kept: Vec<String>,
    /// Errors, one per object that could not be deleted.
    pub errors: Vec<String>,
}

/// The Kubernetes side of Tiller.
#[derive(Clone)]
pub struct Cluster {
    client: kube::Client,
    kinds: Arc<Mutex<KindCache>>,
}

/// (apiVersion, kind) → resource and whether it is namespaced.
type KindCache = HashMap<(String, String), (ApiResource, bool)>;

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster").finish_non_exhaustive()
    }
}

impl Cluster {
    /// A cluster reached through `client`.
    pub fn new(client: kube::Client) -> Self {
        Self {
            client,
            kinds: Arc::default(),
        }
    }

    /// The kube client.
    pub fn client(&self) -> &kube::Client {
        &self.client
    }

    /// The group/version strings the cluster serves (`.Capabilities.APIVersions`).
    pub async fn api_versions(&self) -> Result<Vec<String>, ClusterError> {
        let mut out = Vec::new();
        let core = self
            .client
            .list_core_api_versions()
            .await
            .map_err(|e| ClusterError::api("discover", "core API versions", e))?;
        out.extend(core.versions);
        let groups = self
            .client
            .list_api_groups()
            .await
            .map_err(|e| ClusterError::api("discover", "API groups", e))?;
        for g in groups.groups {
            for v in g.versions {
                out.push(v.group_version);
            }
        }
        Ok(out)
    }

    /// The cluster's version (`gitVersion`, e.g. `v1.33.0`).
    pub async fn server_version(&self) -> Result<String, ClusterError> {
        self.client
            .apiserver_version()
            .await
            .map(|v| v.git_version)
            .map_err(|e| ClusterError::api("get", "server version", e))
    }

    async fn resolve_kind(
        &self,
        api_version: &str,
        kind: &str,
        source: &str,
    ) -> Result<(ApiResource, bool), ClusterError> {
        let key = (api_version.to_owned(), kind.to_owned());
        if let Some(found) = self.kinds.lock().await.get(&key) {
            return Ok(found.clone());
        }
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let gvk = GroupVersionKind::gvk(group, version, kind);
        let unknown = || ClusterError::UnknownKind {
            file: source.to_owned(),
            kind: kind.to_owned(),
            api_version: api_version.to_owned(),
        };
        let (ar, caps) = match discovery::pinned_kind(&self.client, &gvk).await {
            Ok(found) => found,
            Err(kube::Error::Api(s)) if s.code == 404 => return Err(unknown()),
            Err(kube::Error::Discovery(_)) => return Err(unknown()),
            Err(e) => return Err(ClusterError::api("discover", &format!("[{kind}]"), e)),
        };
        let entry = (ar, caps.scope == Scope::Namespaced);
        self.kinds.lock().await.insert(key, entry.clone());
        Ok(entry)
    }

    /// Resolves every document of `manifest`, namespaced objects without a
    /// namespace going to `namespace` (Helm's `Build`). This is also the
    /// validation of install and upgrade.
    pub async fn build(
        &self,
        namespace: &str,
        manifest: &str,
    ) -> Result<Vec<Object>, ClusterError> {
        let mut out = Vec::new();
        for doc in parse_manifest(manifest)? {
            out.push(self.resolve(namespace, doc).await?);
        }
        Ok(out)
    }

    /// Resolves one parsed document.
    pub async fn resolve(&self, namespace: &str, doc: Doc) -> Result<Object, ClusterError> {
        let Doc { source, mut body } = doc;
        let field = |p: &str| {
            body.pointer(p)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        let (api_version, kind, name) = (
            field("/apiVersion"),
            field("/kind"),
            field("/metadata/name"),
        );
        let (resource, namespaced) = self.resolve_kind(&api_version, &kind, &source).await?;
        let ns = if namespaced {
            let given = field("/metadata/namespace");
            let ns = if given.is_empty() {
                namespace.to_owned()
            } else {
                given
            };
            if let Some(meta) = body.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.insert("namespace".to_owned(), Value::String(ns.clone()));
            }
            Some(ns)
        } else {
            None
        };
        Ok(Object {
            api_version,
            kind,
            name,
            namespace: ns,
            source,
            body,
            resource,
        })
    }

    fn api(&self, o: &Object) -> Api<DynamicObject> {
        match &o.namespace {
            Some(ns) => Api::namespaced_with(self.client.clone(), ns, &o.resource),
            None => Api::all_with(self.client.clone(), &o.resource),
        }
    }

    /// The live object, `None` when absent.
    pub async fn get(&self, o: &Object) -> Result<Option<Value>, ClusterError> {
        match self.api(o).get_opt(&o.name).await {
            Ok(Some(d)) => serde_json::to_value(d)
                .map(Some)
                .map_err(|e| ClusterError::Api {
                    action: "decode",
                    what: o.display(),
                    message: e.to_string(),
                    code: 0,
                }),
            Ok(None) => Ok(None),
            Err(e) => Err(ClusterError::api("get", &o.display(), e)),
        }
    }

    /// Creates one object.
    pub async fn create_object(&self, o: &Object) -> Result<(), ClusterError> {
        let d: DynamicObject =
            serde_json::from_value(o.body.clone()).map_err(|e| ClusterError::Parse {
                file: o.source.clone(),
                message: e.to_string(),
            })?;
        self.api(o)
            .create(&PostParams::default(), &d)
            .await
            .map(drop)
            .map_err(|e| ClusterError::api("create", &o.display(), e))
    }

    /// Makes sure `namespace` exists (Helm creates the release namespace).
    pub async fn ensure_namespace(&self, namespace: &str) -> Result<(), ClusterError> {
        let api: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(self.client.clone());
        let what = format!("[Namespace] {namespace}");
        match api.get_opt(namespace).await {
            Ok(Some(_)) => Ok(()),
            Ok(None) => {
                let ns = k8s_openapi::api::core::v1::Namespace {
                    metadata: kube::api::ObjectMeta {
                        name: Some(namespace.to_owned()),
                        ..Default::default()
                    },
                    ..Default::default()
                };
                match api.create(&PostParams::default(), &ns).await {
                    Ok(_) => Ok(()),
                    Err(kube::Error::Api(s)) if s.code == 409 => Ok(()),
                    Err(e) => Err(ClusterError::api("create", &what, e)),
                }
            }
            Err(e) => Err(ClusterError::api("get", &what, e)),
        }
    }

    /// Creates every object in order (Helm's `Create`).
    pub async fn create_all(
        &self,
        namespace: &str,
        objects: &[Object],
    ) -> Result<(), ClusterError> {
        self.ensure_namespace(namespace).await?;
        // Consecutive objects of one kind go in parallel, kinds in order.
        for batch in objects.chunk_by(|a, b| a.kind == b.kind) {
            futures::future::try_join_all(batch.iter().map(|o| self.create_object(o))).await?;
        }
        Ok(())
    }

    /// Moves the cluster from `old` to `new` (Helm's `Update`): creates what
    /// is new, patches what exists, deletes what the new manifest dropped
    /// unless its live object asks to be kept.
    pub async fn update(
        &self,
        namespace: &str,
        old: &[Object],
        new: &[Object],
        opts: UpdateOptions,
    ) -> Result<(), ClusterError> {
        self.ensure_namespace(namespace).await?;
        let mut created: Vec<&Object> = Vec::new();
        let mut result = self.update_inner(old, new, opts, &mut created).await;
        if result.is_ok()
            && let Some(limit) = opts.wait
        {
            result = self.wait_ready(new, limit).await;
        }
        if result.is_err() && opts.cleanup_on_fail {
            for o in created {
                if let Err(e) = self.delete_object(o, None).await {
                    tracing::warn!(object = o.display(), error = %e, "cleanup on fail");
                }
            }
        }
        result
    }

    async fn update_inner<'a>(
        &self,
        old: &[Object],
        new: &'a [Object],
        opts: UpdateOptions,
        created: &mut Vec<&'a Object>,
    ) -> Result<(), ClusterError> {
        for target in new {
            let Some(live) = self.get(target).await? else {
                self.create_object(target).await?;
                created.push(target);
                continue;
            };
            let Some(previous) = old.iter().find(|o| o.same(target)) else {
                return Err(ClusterError::Unowned {
                    kind: target.kind.clone(),
                    name: target.name.clone(),
                    namespace: target.namespace.clone().unwrap_or_default(),
                });
            };
            let ty = patch::patch_type_for(&target.api_version);
            let Some(p) = patch::three_way(&previous.body, &target.body, &live, &target.kind, ty)
            else {
                // Nothing to patch, but --recreate-pods still restarts the pods.
                if opts.recreate {
                    self.recreate_pods(target).await?;
                }
                continue;
            };
            let params = PatchParams::default();
            let sent = match ty {
                PatchType::Strategic => {
                    self.api(target)
                        .patch(&target.name, &params, &Patch::Strategic(p))
                        .await
                }
                PatchType::Merge => {
                    self.api(target)
                        .patch(&target.name, &params, &Patch::Merge(p))
                        .await
                }
            };
            if let Err(e) = sent {
                if !opts.force {
                    return Err(ClusterError::api("patch", &target.display(), e));
                }
                tracing::info!(object = target.display(), error = %e, "patch failed, replacing (--force)");
                self.delete_object(target, Some(Duration::from_secs(60)))
                    .await?;
                self.create_object(target).await?;
            }
            if opts.recreate {
                self.recreate_pods(target).await?;
            }
        }
        for gone in old.iter().filter(|o| !new.iter().any(|n| n.same(o))) {
            let live = match self.get(gone).await {
                Ok(Some(l)) => l,
                Ok(None) => continue,
                Err(e) => {
                    tracing::warn!(object = gone.display(), error = %e, "reading an object to delete");
                    continue;
                }
            };
            let policy = live
                .pointer("/metadata/annotations")
                .and_then(|a| a.get(RESOURCE_POLICY_ANNOTATION))
                .and_then(Value::as_str);
            if policy.is_some_and(|p| p != "delete") {
                tracing::info!(object = gone.display(), "kept by resource policy");
                continue;
            }
            if let Err(e) = self.delete_object(gone, None).await
                && !e.is_not_found()
            {
                tracing::warn!(object = gone.display(), error = %e, "deleting an object the release dropped");
            }
        }
        Ok(())
    }

    async fn recreate_pods(&self, o: &Object) -> Result<(), ClusterError> {
        let Some(labels) = o
            .body
            .pointer("/spec/selector/matchLabels")
            .or_else(|| {
                (o.kind == "ReplicationController")
                    .then(|| o.body.pointer("/spec/selector"))
                    .flatten()
            })
            .and_then(Value::as_object)
        else {
            return Ok(());
        };
        let selector = labels
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|v| format!("{k}={v}")))
            .collect::<Vec<_>>()
            .join(",");
        if selector.is_empty() {
            return Ok(());
        }
        let ns = o.namespace.clone().unwrap_or_default();
        let pods: Api<k8s_openapi::api::core::v1::Pod> = Api::namespaced(self.client.clone(), &ns);
        let list = pods
            .list(&ListParams::default().labels(&selector))
            .await
            .map_err(|e| ClusterError::api("list pods of", &o.display(), e))?;
        for pod in list {
            let Some(name) = pod.metadata.name.clone() else {
                continue;
            };
            let dp = DeleteParams {
                preconditions: Some(Preconditions {
                    uid: pod.metadata.uid.clone(),
                    resource_version: None,
                }),
                ..Default::default()
            };
            match pods.delete(&name, &dp).await {
                Ok(_) => {}
                Err(kube::Error::Api(s)) if s.code == 404 || s.code == 409 => {}
                Err(e) => return Err(ClusterError::api("delete", &format!("[Pod] {name}"), e)),
            }
        }
        Ok(())
    }

    /// Deletes one object with background propagation; with `wait`, until
    /// it is gone or the time is up.
    pub async fn delete_object(
        &self,
        o: &Object,
        wait: Option<Duration>,
    ) -> Result<(), ClusterError> {
        let dp = DeleteParams {
            propagation_policy: Some(PropagationPolicy::Background),
            ..Default::default()
        };
        self.api(o)
            .delete(&o.name, &dp)
            .await
            .map(drop)
            .map_err(|e| ClusterError::api("delete", &o.display(), e))?;
        if let Some(limit) = wait {
            let deadline = Instant::now() + limit;
            while self.get(o).await?.is_some() {
                if Instant::now() >= deadline {
                    return Err(ClusterError::Timeout(format!(
                        "deletion of {}",
                        o.display()
                    )));
                }
                tokio::time::sleep(POLL_INTERVAL).await;
            }
        }
        Ok(())
    }

    /// Deletes every object of a release manifest in uninstall order,
    /// keeping those whose manifest says `helm.sh/resource-policy` other
    /// than `delete` (Helm's `Delete` of a whole release).
    pub async fn delete_release(&self, release: &str, objects: Vec<Object>) -> DeleteReport {
        let mut report = DeleteReport::default();
        let mut objects = objects;
        objects.sort_by_key(|o| uninstall_rank(&o.kind));
        for o in &objects {
            if o.annotation(RESOURCE_POLICY_ANNOTATION)
                .is_some_and(|p| p != "delete")
            {
                if matches!(self.get(o).await, Ok(Some(_))) {
                    report.kept.push(o.display());
                }
                continue;
            }
            match self.delete_object(o, None).await {
                Ok(()) => {}
                Err(e) if e.is_not_found() => report.errors.push(format!(
                    "release \"{release}\": object \"{}\" not found, skipping delete",
                    o.display()
                )),
                Err(e) => report.errors.push(e.to_string()),
            }
        }
        report
    }

    /// Waits until every object is ready (`--wait`), or the time is up.
    pub async fn wait_ready(
        &self,
        objects: &[Object],
        timeout: Duration,
    ) -> Result<(), ClusterError> {
        let deadline = Instant::now() + timeout;
        for o in objects {
            loop {
                let live = self.get(o).await?;
                let verdict = match &live {
                    Some(l) if o.kind == "Deployment" => Some(self.deployment_ready(o, l).await?),
                    Some(l) => Some(readiness(&o.kind, l)),
                    None => None,
                };
                match verdict {
                    Some(Ready::Yes) => break,
                    Some(Ready::Failed(why)) => return Err(ClusterError::JobFailed(why)),
                    Some(Ready::No(_)) | None => {}
                }
                if Instant::now() >= deadline {
                    let why = match verdict {
                        Some(Ready::No(why)) => why,
                        _ => "not found".to_owned(),
                    };
                    return Err(ClusterError::Timeout(format!("{}: {why}", o.display())));
                }
                tokio::time::sleep(POLL_INTERVAL).await;
            }
        }
        Ok(())
    }

    /// Helm v2's Deployment rule: the Deployment's own status must be
    /// current, and its *new* ReplicaSet (the one carrying the Deployment's
    /// revision) must have `replicas − maxUnavailable` ready pods; old
    /// ReplicaSets' pods do not count.
    async fn deployment_ready(&self, o: &Object, live: &Value) -> Result<Ready, ClusterError> {
        if let Ready::No(why) = readiness("Deployment", live) {
            return Ok(Ready::No(why));
        }
        let uid = live
            .pointer("/metadata/uid")
            .and_then(Value::as_str)
            .unwrap_or("");
        let revision = live
            .pointer("/metadata/annotations/deployment.kubernetes.io~1revision")
            .and_then(Value::as_str);
        let ns = o.namespace.clone().unwrap_or_default();
        let rss: Api<k8s_openapi::api::apps::v1::ReplicaSet> =
            Api::namespaced(self.client.clone(), &ns);
        let list = rss
            .list(&ListParams::default())
            .await
            .map_err(|e| ClusterError::api("list replica sets of", &o.display(), e))?;
        let new_rs = list.items.into_iter().find(|rs| {
            let owned = rs.metadata.owner_references.as_ref().is_some_and(|refs| {
                refs.iter()
                    .any(|r| r.uid == uid && r.controller == Some(true))
            });
            let rev = rs
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("deployment.kubernetes.io/revision"))
                .map(String::as_str);
            owned && (revision.is_none() || rev == revision)
        });
        let Some(rs) = new_rs else {
            return Ok(Ready::No("no new replica set yet".to_owned()));
        };
        let replicas = int_at(live, "/spec/replicas").unwrap_or(1);
        let need = replicas - max_unavailable(live, "strategy", replicas, 25);
        let ready = i64::from(rs.status.and_then(|s| s.ready_replicas).unwrap_or(0));
        Ok(if ready >= need {
            Ready::Yes
        } else {
            Ready::No(format!(
                "{ready} of {need} needed pods of the new replica set ready"
            ))
        })
    }

    /// Waits for a hook object (Helm's `WatchUntilReady`): Jobs until
    /// Complete, Pods until Succeeded, anything else until it exists.
    pub async fn wait_hook(&self, o: &Object, timeout: Duration) -> Result<(), ClusterError> {
        let deadline = Instant::now() + timeout;
        loop {
            let live = self.get(o).await?;
            let Some(live) = live else {
                // Deleted while we watched: Helm counts that as done.
                return Ok(());
            };
            match o.kind.as_str() {
                "Job" => {
                    if condition_true(&live, "Complete") {
                        return Ok(());
                    }
                    if let Some(reason) = condition_reason(&live, "Failed") {
                        return Err(ClusterError::JobFailed(reason));
                    }
                }
                "Pod" => match live.pointer("/status/phase").and_then(Value::as_str) {
                    Some("Succeeded") => return Ok(()),
                    Some("Failed") => return Err(ClusterError::PodFailed(o.name.clone())),
                    _ => {}
                },
                _ => return Ok(()),
            }
            if Instant::now() >= deadline {
                return Err(ClusterError::Timeout(format!("hook {}", o.display())));
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// The phase of a test pod once it finished (`Succeeded`/`Failed`).
    pub async fn wait_pod_done(
        &self,
        o: &Object,
        timeout: Duration,
    ) -> Result<String, ClusterError> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(live) = self.get(o).await?
                && let Some(p @ ("Succeeded" | "Failed")) =
                    live.pointer("/status/phase").and_then(Value::as_str)
            {
                return Ok(p.to_owned());
            }
            if Instant::now() >= deadline {
                return Err(ClusterError::Timeout(format!("pod {}", o.name)));
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// The log of a pod.
    pub async fn pod_logs(&self, namespace: &str, name: &str) -> Result<String, ClusterError> {
        let pods: Api<k8s_openapi::api::core::v1::Pod> =
            Api::namespaced(self.client.clone(), namespace);
        pods.logs(name, &LogParams::default())
            .await
            .map_err(|e| ClusterError::api("get logs of", &format!("[Pod] {name}"), e))
    }

    /// The `resources` text of `helm status`: the release's objects grouped
    /// by `<apiVersion>/<Kind>`, each group a kubectl-style table (the API
    /// server's own Table columns when it offers them, else NAME and AGE),
    /// with objects missing from the cluster listed last.
    pub async fn status_table(
        &self,
        namespace: &str,
        manifest: &str,
    ) -> Result<String, ClusterError> {
        let now = chrono::Utc::now();
        // group → (header, rows)
        let mut groups: BTreeMap<String, (Vec<String>, Vec<Vec<String>>)> = BTreeMap::new();
        let mut missing = Vec::new();
        for doc in parse_manifest(manifest)? {
            let o = self.resolve(namespace, doc).await?;
            let group = format!("{}/{}", o.api_version, o.kind);
            if let Some((header, row)) = self.table_row(&o).await {
                let entry = groups.entry(group).or_insert_with(|| (header, Vec::new()));
                entry.1.push(row);
                if let Some((header, rows)) = self.related_pods(&o).await {
                    let entry = groups
                        .entry("v1/Pod(related)".to_owned())
                        .or_insert_with(|| (header, Vec::new()));
                    for r in rows {
                        if !entry.1.contains(&r) {
                            entry.1.push(r);
                        }
                    }
                }
                continue;
            }
            match self.get(&o).await? {
                Some(live) => {
                    let age = live
                        .pointer("/metadata/creationTimestamp")
                        .and_then(Value::as_str)
                        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                        .map_or_else(|| "<unknown>".to_owned(), |t| short_age(now - t.to_utc()));
                    let entry = groups
                        .entry(group)
                        .or_insert_with(|| (vec!["NAME".to_owned(), "AGE".to_owned()], Vec::new()));
                    let mut row = vec![o.name.clone()];
                    row.resize(entry.0.len().saturating_sub(1), String::new());
                    row.push(age);
                    entry.1.push(row);
                }
                None => missing.push((o.kind.clone(), o.name.clone())),
            }
        }
        let mut out = String::new();
        for (group, (header, rows)) in groups {
            out.push_str(&format!("==> {group}\n"));
            let mut all = vec![header];
            all.extend(rows);
            out.push_str(&tabulate(&all));
            out.push('\n');
        }
        if !missing.is_empty() {
            out.push_str("==> MISSING\nKIND\t\tNAME\n");
            for (kind, name) in missing {
                out.push_str(&format!("{kind}\t\t{name}\n"));
            }
        }
        Ok(out)
    }

    /// The pods a workload selects, as Table rows (Helm's `v1/Pod(related)`).
    async fn related_pods(&self, o: &Object) -> Option<(Vec<String>, Vec<Vec<String>>)> {
        if !matches!(
            o.kind.as_str(),
            "Deployment"
                | "DaemonSet"
                | "StatefulSet"
                | "ReplicaSet"
                | "ReplicationController"
                | "Job"
        ) {
            return None;
        }
        let labels = o
            .body
            .pointer("/spec/selector/matchLabels")
            .or_else(|| {
                (o.kind == "ReplicationController")
                    .then(|| o.body.pointer("/spec/selector"))
                    .flatten()
            })
            .and_then(Value::as_object)?;
        let selector = labels
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|v| format!("{k}={v}")))
            .collect::<Vec<_>>()
            .join(",");
        if selector.is_empty() {
            return None;
        }
        let ns = o.namespace.as_deref()?;
        let path = format!(
            "/api/v1/namespaces/{ns}/pods?labelSelector={}",
            percent_encode(&selector)
        );
        let table = self.get_table(&path).await?;
        let (header, rows) = table_rows(&table)?;
        (!rows.is_empty()).then_some((header, rows))
    }

    async fn get_table(&self, path: &str) -> Option<Value> {
        let req = http::Request::get(path)
            .header(
                http::header::ACCEPT,
                "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
            )
            .body(Vec::new())
            .ok()?;
        let table: Value = self.client.request(req).await.ok()?;
        (table.get("kind").and_then(Value::as_str) == Some("Table")).then_some(table)
    }

    /// The object's row of the API server's Table (priority-0 columns,
    /// upper-cased headers), or `None` when the object is absent or the
    /// server offers no Table.
    async fn table_row(&self, o: &Object) -> Option<(Vec<String>, Vec<String>)> {
        use kube::Resource as _;
        let path = format!(
            "{}/{}",
            DynamicObject::url_path(&o.resource, o.namespace.as_deref()),
            o.name
        );
        let table = self.get_table(&path).await?;
        let (header, mut rows) = table_rows(&table)?;
        (!rows.is_empty()).then(|| (header, rows.swap_remove(0)))
    }
}

/// Priority-0 columns of a Table: upper-cased headers and the rows' cells.
fn table_rows(table: &Value) -> Option<(Vec<String>, Vec<Vec<String>>)> {
    let defs = table.get("columnDefinitions")?.as_array()?;
    let keep: Vec<bool> = defs
        .iter()
        .map(|d| d.get("priority").and_then(Value::as_i64).unwrap_or(0) == 0)
        .collect();
    let header = defs
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(d, _)| {
            d.get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_uppercase()
        })
        .collect();
    let rows = table
        .get("rows")?
        .as_array()?
        .iter()
        .filter_map(|r| r.get("cells").and_then(Value::as_array))
        .map(|cells| {
            cells
                .iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .map(|(c, _)| match c {
                    Value::String(s) => s.clone(),
                    Value::Null => "<none>".to_owned(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    Some((header, rows))
}

fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Aligns columns as kubectl's tab writer does (two spaces between columns).
fn tabulate(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            if c + 1 < r.len() {
                line.push_str(&format!("{cell:<w$}  ", w = widths[c]));
            } else {
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn short_age(d: chrono::TimeDelta) -> String {
    let s = d.num_seconds().max(0);
    match s {
        0..120 => format!("{s}s"),
        120..7200 => format!("{}m", s / 60),
        7200..172_800 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86400),
    }
}

/// Position of a kind in Helm v2's uninstall order (unknown kinds last).
pub fn uninstall_rank(kind: &str) -> usize {
    INSTALL_ORDER
        .iter()
        .rev()
        .position(|k| *k == kind)
        .unwrap_or(INSTALL_ORDER.len())
}

enum Ready {
    Yes,
    No(String),
    Failed(String),
}

fn int_at(v: &Value, pointer: &str) -> Option<i64> {
    v.pointer(pointer).and_then(Value::as_i64)
}

fn condition(v: &Value, ty: &str) -> Option<Value> {
    v.pointer("/status/conditions")
        .and_then(Value::as_array)?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(ty))
        .cloned()
}

fn condition_true(v: &Value, ty: &str) -> bool {
    condition(v, ty).is_some_and(|c| c.get("status").and_then(Value::as_str) == Some("True"))
}

fn condition_reason(v: &Value, ty: &str) -> Option<String> {
    let c = condition(v, ty)?;
    if c.get("status").and_then(Value::as_str) != Some("True") {
        return None;
    }
    Some(
        c.get("reason")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
    )
}

/// `maxUnavailable` of a rolling update, resolved against `replicas`
/// (percentages round down, as Kubernetes does for this field).
fn max_unavailable(v: &Value, strategy: &str, replicas: i64, default_pct: i64) -> i64 {
    let kind = v
        .pointer(&format!("/spec/{strategy}/type"))
        .and_then(Value::as_str);
    if kind.is_some_and(|k| k != "RollingUpdate") || replicas == 0 {
        return 0;
    }
    let field = v.pointer(&format!("/spec/{strategy}/rollingUpdate/maxUnavailable"));
    let n = match field {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        Some(Value::String(s)) => s
            .strip_suffix('%')
            .and_then(|p| p.parse::<i64>().ok())
            .map_or(0, |p| replicas * p / 100),
        _ => replicas * default_pct / 100,
    };
    n.clamp(0, replicas)
}

/// Helm v2's readiness rules (pkg/kube/wait.go), on the live object.
fn readiness(kind: &str, v: &Value) -> Ready {
    let generation_seen = || match (
        int_at(v, "/metadata/generation"),
        int_at(v, "/status/observedGeneration"),
    ) {
        (Some(g), Some(o)) => o >= g,
        (Some(_), None) => false,
        _ => true,
    };
    match kind {
        "Pod" => {
            if condition_true(v, "Ready")
                || v.pointer("/status/phase").and_then(Value::as_str) == Some("Succeeded")
            {
                Ready::Yes
            } else {
                Ready::No("pod is not ready".to_owned())
            }
        }
        "Deployment" => {
            let replicas = int_at(v, "/spec/replicas").unwrap_or(1);
            let need = replicas - max_unavailable(v, "strategy", replicas, 25);
            let updated = int_at(v, "/status/updatedReplicas").unwrap_or(0);
            let available = int_at(v, "/status/availableReplicas").unwrap_or(0);
            if generation_seen() && updated >= need && available >= need {
                Ready::Yes
            } else {
                Ready::No(format!("{available} of {need} needed replicas available"))
            }
        }
        "StatefulSet" => {
            let replicas = int_at(v, "/spec/replicas").unwrap_or(1);
            let ready = int_at(v, "/status/readyReplicas").unwrap_or(0);
            if generation_seen() && ready >= replicas {
                Ready::Yes
            } else {
                Ready::No(format!("{ready} of {replicas} replicas ready"))
            }
        }
        "DaemonSet" => {
            let desired = int_at(v, "/status/desiredNumberScheduled").unwrap_or(0);
            let need = desired
                - max_unavailable(v, "updateStrategy", desired, 0).max(i64::from(desired > 0));
            let ready = int_at(v, "/status/numberReady").unwrap_or(0);
            if generation_seen()
                && v.pointer("/status/observedGeneration").is_some()
                && ready >= need
            {
                Ready::Yes
            } else {
                Ready::No(format!("{ready} of {desired} pods ready"))
            }
        }
        "ReplicaSet" | "ReplicationController" => {
            let replicas = int_at(v, "/spec/replicas").unwrap_or(1);
            let ready = int_at(v, "/status/readyReplicas").unwrap_or(0);
            if generation_seen() && ready >= replicas {
                Ready::Yes
            } else {
                Ready::No(format!("{ready} of {replicas} replicas ready"))
            }
        }
        "Job" => {
            if condition_true(v, "Complete") {
                Ready::Yes
            } else if let Some(reason) = condition_reason(v, "Failed") {
                Ready::Failed(reason)
            } else {
                Ready::No("job has not completed".to_owned())
            }
        }
        "PersistentVolumeClaim" => {
            if v.pointer("/status/phase").and_then(Value::as_str) == Some("Bound") {
                Ready::Yes
            } else {
                Ready::No("claim is not bound".to_owned())
            }
        }
        "Service" => {
            let ty = v
                .pointer("/spec/type")
                .and_then(Value::as_str)
                .unwrap_or("ClusterIP");
            if ty == "ExternalName" {
                return Ready::Yes;
            }
            let ip = v
                .pointer("/spec/clusterIP")
                .and_then(Value::as_str)
                .unwrap_or("");
            if ip.is_empty() {
                return Ready::No("service has no cluster IP".to_owned());
            }
            if ty == "LoadBalancer"
                && v.pointer("/status/loadBalancer/ingress")
                    .and_then(Value::as_array)
                    .is_none_or(Vec::is_empty)
            {
                return Ready::No("load balancer has no ingress".to_owned());
            }
            Ready::Yes
        }
        _ => Ready::Yes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parse_checks_required_fields() {
        let m = "\n---\n# Source: c/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n";
        let docs = parse_manifest(m).expect("parse");
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].source, "c/templates/a.yaml");
        let bad = "# Source: c/templates/b.yaml\nkind: ConfigMap\nmetadata:\n  name: b\n";
        assert_eq!(
            parse_manifest(bad).expect_err("no apiVersion").to_string(),
            "error validating \"c/templates/b.yaml\": error validating data: apiVersion not set"
        );
        let bad = "# Source: c/templates/c.yaml\na: [\n";
        assert!(matches!(
            parse_manifest(bad),
            Err(ClusterError::Parse { .. })
        ));
        let ints =
            "apiVersion: v1\nkind: X\nmetadata:\n  name: x\nspec:\n  replicas: 2\n  f: 1.5\n";
        let docs = parse_manifest(ints).expect("parse");
        assert_eq!(docs[0].body["spec"]["replicas"].as_i64(), Some(2));
        assert_eq!(docs[0].body["spec"]["f"].as_f64(), Some(1.5));
        let bad = "- 1\n- 2\n";
        assert!(matches!(
            parse_manifest(bad),
            Err(ClusterError::Parse { .. })
        ));
    }

    #[test]
    fn api_errors_read_as_the_server_wrote_them() {
        let e = ClusterError::Api {
            action: "create",
            what: "[ConfigMap] x".to_owned(),
            message: "configmaps \"x\" already exists".to_owned(),
            code: 409,
        };
        assert_eq!(e.to_string(), "configmaps \"x\" already exists");
        let e = ClusterError::Api {
            action: "get",
            what: "[ConfigMap] x".to_owned(),
            message: "connection refused".to_owned(),
            code: 0,
        };
        assert_eq!(e.to_string(), "get [ConfigMap] x: connection refused");
    }

    #[test]
    fn tables_align_like_kubectl() {
        let rows = vec![
            vec!["NAME".to_owned(), "DATA".to_owned(), "AGE".to_owned()],
            vec!["web1-config".to_owned(), "2".to_owned(), "5s".to_owned()],
        ];
        assert_eq!(
            tabulate(&rows),
            "NAME         DATA  AGE\nweb1-config  2     5s\n"
        );
    }

    #[test]
    fn uninstall_order_reverses_install_order() {
        assert!(uninstall_rank("Service") < uninstall_rank("ConfigMap"));
        assert!(uninstall_rank("Namespace") < uninstall_rank("Widget"));
        assert_eq!(uninstall_rank("APIService"), 0);
    }

    #[test]
    fn deployment_readiness_honours_max_unavailable() {
        let mut d = json!({"metadata": {"generation": 2}, "spec": {"replicas": 4},
            "status": {"observedGeneration": 2, "updatedReplicas": 3, "availableReplicas": 3}});
        assert!(
            matches!(readiness("Deployment", &d), Ready::Yes),
            "25% of 4 may be unavailable"
        );
        d["spec"]["strategy"] =
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0}});
        assert!(matches!(readiness("Deployment", &d), Ready::No(_)));
        d["status"]["observedGeneration"] = json!(1);
        d["spec"]["strategy"] = json!({"type": "Recreate"});
        d["status"]["availableReplicas"] = json!(4);
        d["status"]["updatedReplicas"] = json!(4);
        assert!(
            matches!(readiness("Deployment", &d), Ready::No(_)),
            "old generation"
        );
    }

    #[test]
    fn other_readiness_rules() {
        let svc = json!({"spec": {"type": "LoadBalancer", "clusterIP": "10.0.0.1"}});
        assert!(matches!(readiness("Service", &svc), Ready::No(_)));
        let svc = json!({"spec": {"clusterIP": "10.0.0.1"}});
        assert!(matches!(readiness("Service", &svc), Ready::Yes));
        let pvc = json!({"status": {"phase": "Pending"}});
        assert!(matches!(
            readiness("PersistentVolumeClaim", &pvc),
            Ready::No(_)
        ));
        let job = json!({"status": {"conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}]}});
        assert!(matches!(readiness("Job", &job), Ready::Failed(r) if r == "BackoffLimitExceeded"));
        let pod = json!({"status": {"conditions": [{"type": "Ready", "status": "True"}]}});
        assert!(matches!(readiness("Pod", &pod), Ready::Yes));
        assert!(matches!(readiness("ConfigMap", &json!({})), Ready::Yes));
    }
}
