//! The object store: raw JSON objects, one global revision, an event ring and list snapshots.
//!
//! Every write goes through [`Store`] methods that implement the API server's object semantics
//! (server-set metadata, generation, optimistic concurrency, finalizers, status subresource
//! rules, namespace lifecycle), so the HTTP layer, the fake controllers and tests all see the same
//! behaviour. The state sits behind one mutex whose critical sections only touch in-memory maps;
//! events are published on a broadcast channel while the lock is held so subscribers see them in
//! revision order.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use parking_lot::Mutex;
use rand::Rng as _;
use serde_json::{Map, Value, json};
use tokio::sync::{Notify, broadcast};

use crate::error::ApiError;
use crate::registry::{GroupResource, Registry, ResourceInfo, resources_from_crd};
use crate::selector::{FieldSelector, LabelSelector};
use crate::validation;

/// How many events the ring keeps for watch resume.
pub const EVENT_RING_CAPACITY: usize = 50_000;
/// How many list snapshots are kept for `continue` paging.
const SNAPSHOT_CAPACITY: usize = 64;
/// How long a list snapshot lives.
const SNAPSHOT_TTL: Duration = Duration::from_secs(300);
/// Broadcast buffer; a watcher that falls further behind is closed and must resume.
const BROADCAST_CAPACITY: usize = 16_384;

/// The CRD finalizer that deletes a CRD's objects before the CRD goes away.
pub const CRD_CLEANUP_FINALIZER: &str = "customresourcecleanup.apiextensions.k8s.io";

/// Watch event type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// Object created.
    Added,
    /// Object changed.
    Modified,
    /// Object removed (the object carries the deletion revision).
    Deleted,
}

impl EventType {
    /// The wire name (`ADDED`, `MODIFIED`, `DELETED`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "ADDED",
            Self::Modified => "MODIFIED",
            Self::Deleted => "DELETED",
        }
    }
}

/// One change in the store.
#[derive(Debug, Clone)]
pub struct Event {
    /// Revision of the change.
    pub rev: u64,
    /// What happened.
    pub event_type: EventType,
    /// Which resource.
    pub key: GroupResource,
    /// Namespace ("" for cluster-scoped).
    pub namespace: String,
    /// Name.
    pub name: String,
    /// The new object (for Deleted: the last state, stamped with the deletion revision).
    pub object: Arc<Value>,
    /// The previous object for Modified and Deleted.
    pub old: Option<Arc<Value>>,
}

/// Options of a write.
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// `dryRun=All`: validate and compute, but do not persist.
    pub dry_run: bool,
    /// `fieldManager` (explicit or derived from the User-Agent).
    pub field_manager: Option<String>,
    /// `status` or `scale` when writing a subresource.
    pub subresource: Option<String>,
    /// `force` for server-side apply.
    pub force: bool,
}

/// DeleteOptions.
#[derive(Debug, Clone, Default)]
pub struct DeleteOptions {
    /// Background (default), Foreground or Orphan.
    pub propagation_policy: Option<String>,
    /// Precondition on the uid.
    pub precondition_uid: Option<String>,
    /// Precondition on the resourceVersion.
    pub precondition_resource_version: Option<String>,
    /// Grace period; 0 deletes pods at once.
    pub grace_period_seconds: Option<i64>,
    /// `dryRun=All`.
    pub dry_run: bool,
}

/// Result of a delete.
#[derive(Debug, Clone)]
pub enum DeleteOutcome {
    /// The object is gone; this is its last state.
    Deleted(Value),
    /// Deletion is pending (finalizers, graceful pod deletion, namespace termination).
    Pending(Value),
}

/// Options of a list.
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    /// Label selector.
    pub label_selector: LabelSelector,
    /// Field selector.
    pub field_selector: FieldSelector,
    /// Page size.
    pub limit: Option<usize>,
    /// Continue token from a previous page.
    pub continue_token: Option<String>,
    /// `resourceVersion`.
    pub resource_version: Option<String>,
    /// `resourceVersionMatch` (`Exact` or `NotOlderThan`).
    pub resource_version_match: Option<String>,
}

/// A list result.
#[derive(Debug, Clone)]
pub struct ObjectList {
    /// The snapshot revision.
    pub resource_version: u64,
    /// Items sorted by namespace, then name.
    pub items: Vec<Arc<Value>>,
    /// Continue token if more items remain.
    pub continue_token: Option<String>,
    /// How many matching items remain after this page.
    pub remaining_item_count: Option<usize>,
}

/// A watch registration: replayed or synthetic initial events, then live events.
#[derive(Debug)]
pub struct WatchStart {
    /// Events to send first (synthetic ADDED for a fresh watch, or ring replay on resume).
    pub initial: Vec<Arc<Event>>,
    /// Revision the initial events are consistent with.
    pub start_rev: u64,
    /// Live events after `start_rev`.
    pub rx: broadcast::Receiver<Arc<Event>>,
}

/// Why a watch could not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchError {
    /// The resourceVersion is older than the event ring (`too old resource version: N (M)`).
    Expired {
        /// Requested revision.
        requested: u64,
        /// Oldest revision still available.
        oldest: u64,
    },
    /// The resourceVersion is not a number.
    BadResourceVersion(String),
}

type ObjKey = (String, String);
type Table = BTreeMap<ObjKey, Arc<Value>>;

#[derive(Debug, Default)]
struct State {
    rev: u64,
    tables: HashMap<GroupResource, Table>,
    ring: VecDeque<Arc<Event>>,
    /// All events with rev > ring_floor are in the ring.
    ring_floor: u64,
    snapshots: VecDeque<(GroupResource, u64, Instant, Arc<Table>)>,
}

#[derive(Debug)]
struct Shared {
    registry: Registry,
    state: Mutex<State>,
    tx: broadcast::Sender<Arc<Event>>,
    changed: Notify,
}

/// A handle to the store; cheap to clone and thread-safe.
#[derive(Debug, Clone)]
pub struct Store {
    shared: Arc<Shared>,
}

/// The current time as RFC 3339 with seconds and `Z`.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The current time with microseconds (MicroTime), for managedFields and leases.
pub fn now_micro() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

fn meta_str<'a>(obj: &'a Value, field: &str) -> Option<&'a str> {
    obj.get("metadata")?.get(field)?.as_str()
}

fn meta_mut(obj: &mut Value) -> &mut Map<String, Value> {
    if !obj.get("metadata").is_some_and(Value::is_object) {
        obj["metadata"] = json!({});
    }
    match obj.get_mut("metadata") {
        Some(Value::Object(m)) => m,
        // The branch above guarantees an object; this arm only satisfies the type checker.
        _ => unreachable!("metadata was just set to an object"),
    }
}

/// Sets a nested field, replacing any non-object value on the way (input objects may carry, say,
/// a string where a map is expected; indexing such a value would panic).
pub fn set_in(obj: &mut Value, path: &[&str], v: Value) {
    let Some((last, parents)) = path.split_last() else {
        *obj = v;
        return;
    };
    let mut cur = obj;
    for p in parents {
        if !cur.is_object() {
            *cur = json!({});
        }
        let Some(m) = cur.as_object_mut() else { return };
        cur = m.entry((*p).to_owned()).or_insert_with(|| json!({}));
    }
    if !cur.is_object() {
        *cur = json!({});
    }
    if let Some(m) = cur.as_object_mut() {
        m.insert((*last).to_owned(), v);
    }
}

fn finalizers(obj: &Value) -> Vec<String> {
    obj.pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The owner uids in `metadata.ownerReferences`.
pub fn owner_uids(obj: &Value) -> Vec<String> {
    obj.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|r| r.get("uid").and_then(Value::as_str))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn generate_suffix() -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut rng = rand::rng();
    (0..5)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Whether a PUT to a missing object of this resource creates it.
fn creates_on_update(ri: &ResourceInfo) -> bool {
    matches!(
        (ri.storage_group.as_str(), ri.plural.as_str()),
        ("coordination.k8s.io", "leases")
            | ("", "events")
            | ("events.k8s.io", "events")
            | ("", "endpoints")
            | ("discovery.k8s.io", "endpointslices")
    )
}

/// The parts of an object that count for generation tracking.
fn generation_view(ri: &ResourceInfo, obj: &Value) -> Value {
    if ri.custom {
        let mut o = obj.clone();
        if let Some(m) = o.as_object_mut() {
            m.remove("metadata");
            m.remove("apiVersion");
            m.remove("kind");
            if ri.has_subresource("status") {
                m.remove("status");
            }
        }
        o
    } else {
        obj.get("spec").cloned().unwrap_or(Value::Null)
    }
}

/// Equality ignoring resourceVersion (for the no-op write check).
fn same_ignoring_rv(a: &Value, b: &Value) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("resourceVersion");
        }
        v
    };
    strip(a) == strip(b)
}

fn encode_continue(rev: u64, ns: &str, name: &str) -> String {
    let body = json!({"v": "meta.k8s.io/v1", "rv": rev, "start": format!("{ns}/{name}\u{0}")});
    base64::engine::general_purpose::URL_SAFE.encode(body.to_string())
}

fn decode_continue(token: &str) -> Result<(u64, ObjKey), ApiError> {
    let bad = || ApiError::bad_request(format!("continue key is not valid: {token:?}"));
    let raw = base64::engine::general_purpose::URL_SAFE
        .decode(token)
        .or_else(|_| base64::engine::general_purpose::STANDARD.decode(token))
        .map_err(|_| bad())?;
    let v: Value = serde_json::from_slice(&raw).map_err(|_| bad())?;
    let rev = v.get("rv").and_then(Value::as_u64).ok_or_else(bad)?;
    let start = v.get("start").and_then(Value::as_str).ok_or_else(bad)?;
    let start = start.trim_end_matches('\u{0}');
    let (ns, name) = start.split_once('/').ok_or_else(bad)?;
    Ok((rev, (ns.to_owned(), name.to_owned())))
}

fn expired_continue() -> ApiError {
    ApiError::expired(
        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
    )
}

fn parse_rv(s: &str) -> Result<u64, ApiError> {
    s.parse::<u64>().map_err(|_| {
        ApiError::bad_request(format!(
            "resourceVersion: Invalid value: \"{s}\": must be a non-negative integer"
        ))
    })
}

impl State {
    fn table(&mut self, key: &GroupResource) -> &mut Table {
        self.tables.entry(key.clone()).or_default()
    }

    fn get(&self, key: &GroupResource, ns: &str, name: &str) -> Option<Arc<Value>> {
        self.tables
            .get(key)?
            .get(&(ns.to_owned(), name.to_owned()))
            .cloned()
    }

    fn emit(&mut self, tx: &broadcast::Sender<Arc<Event>>, ev: Event) {
        let ev = Arc::new(ev);
        self.ring.push_back(ev.clone());
        while self.ring.len() > EVENT_RING_CAPACITY {
            if let Some(old) = self.ring.pop_front() {
                self.ring_floor = old.rev;
            }
        }
        // No receivers is fine: nobody is watching.
        let _ = tx.send(ev);
    }

    /// Stores `obj` at a new revision and emits an event.
    fn put(
        &mut self,
        tx: &broadcast::Sender<Arc<Event>>,
        key: &GroupResource,
        mut obj: Value,
        event_type: EventType,
        old: Option<Arc<Value>>,
    ) -> Arc<Value> {
        self.rev += 1;
        let rev = self.rev;
        meta_mut(&mut obj).insert("resourceVersion".to_owned(), json!(rev.to_string()));
        let ns = meta_str(&obj, "namespace").unwrap_or_default().to_owned();
        let name = meta_str(&obj, "name").unwrap_or_default().to_owned();
        let obj = Arc::new(obj);
        self.table(key)
            .insert((ns.clone(), name.clone()), obj.clone());
        self.emit(
            tx,
            Event {
                rev,
                event_type,
                key: key.clone(),
                namespace: ns,
                name,
                object: obj.clone(),
                old,
            },
        );
        obj
    }

    /// Removes an object at a new revision and emits DELETED.
    fn remove(
        &mut self,
        tx: &broadcast::Sender<Arc<Event>>,
        key: &GroupResource,
        ns: &str,
        name: &str,
    ) -> Option<Value> {
        let old = self
            .tables
            .get_mut(key)?
            .remove(&(ns.to_owned(), name.to_owned()))?;
        self.rev += 1;
        let rev = self.rev;
        let mut last = (*old).clone();
        meta_mut(&mut last).insert("resourceVersion".to_owned(), json!(rev.to_string()));
        let last_arc = Arc::new(last.clone());
        self.emit(
            tx,
            Event {
                rev,
                event_type: EventType::Deleted,
                key: key.clone(),
                namespace: ns.to_owned(),
                name: name.to_owned(),
                object: last_arc,
                old: Some(old),
            },
        );
        Some(last)
    }

    fn snapshot(&mut self, key: &GroupResource, rev: u64) -> Option<Arc<Table>> {
        let now = Instant::now();
        self.snapshots
            .retain(|(_, _, at, _)| now.duration_since(*at) < SNAPSHOT_TTL);
        self.snapshots
            .iter()
            .find(|(k, r, _, _)| k == key && *r == rev)
            .map(|(_, _, _, t)| t.clone())
    }

    fn save_snapshot(&mut self, key: &GroupResource) -> Arc<Table> {
        let rev = self.rev;
        if let Some(t) = self.snapshot(key, rev) {
            return t;
        }
        let t = Arc::new(self.tables.get(key).cloned().unwrap_or_default());
        self.snapshots
            .push_back((key.clone(), rev, Instant::now(), t.clone()));
        while self.snapshots.len() > SNAPSHOT_CAPACITY {
            self.snapshots.pop_front();
        }
        t
    }
}

impl Store {
    /// A store with the bootstrap objects of a fresh cluster (namespaces default, kube-system,
    /// kube-public and kube-node-lease, each with a `default` ServiceAccount and the
    /// `kube-root-ca.crt` ConfigMap; the `default/kubernetes` Service).
    pub fn new(registry: Registry) -> Self {
        let store = Self::empty(registry);
        store.bootstrap();
        store
    }

    /// A store with no objects at all.
    pub fn empty(registry: Registry) -> Self {
        let (tx, _) = broadcast::channel(BROADCAST_CAPACITY);
        Self {
            shared: Arc::new(Shared {
                registry,
                state: Mutex::new(State::default()),
                tx,
                changed: Notify::new(),
            }),
        }
    }

    fn bootstrap(&self) {
        let opts = WriteOptions::default();
        let Some(ns_ri) = self.shared.registry.lookup("", "v1", "namespaces") else {
            return;
        };
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            let obj = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
            if let Err(e) = self.create(&ns_ri, "", obj, &opts) {
                tracing::warn!("bootstrap namespace {ns}: {e}");
            }
        }
        if let Some(svc) = self.shared.registry.lookup("", "v1", "services") {
            let obj = json!({"apiVersion": "v1", "kind": "Service",
                "metadata": {"name": "kubernetes", "namespace": "default",
                    "labels": {"component": "apiserver", "provider": "kubernetes"}},
                "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.1", "clusterIPs": ["10.96.0.1"],
                    "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack", "sessionAffinity": "None",
                    "internalTrafficPolicy": "Cluster",
                    "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]},
                "status": {"loadBalancer": {}}});
            if let Err(e) = self.create(&svc, "default", obj, &opts) {
                tracing::warn!("bootstrap service: {e}");
            }
        }
    }

    /// The registry of served resources.
    pub fn registry(&self) -> &Registry {
        &self.shared.registry
    }

    /// Looks up a served resource by `apiVersion` and kind (e.g. `"apps/v1"`, `"Deployment"`).
    pub fn resource_for_kind(
        &self,
        api_version: &str,
        kind: &str,
    ) -> Result<Arc<ResourceInfo>, ApiError> {
        self.shared
            .registry
            .lookup_kind(api_version, kind)
            .ok_or_else(|| {
                ApiError::new(
                    404,
                    "NotFound",
                    format!("no matches for kind \"{kind}\" in version \"{api_version}\""),
                )
            })
    }

    /// Looks up a served resource by group, version and plural.
    pub fn resource(
        &self,
        group: &str,
        version: &str,
        plural: &str,
    ) -> Result<Arc<ResourceInfo>, ApiError> {
        self.shared
            .registry
            .lookup(group, version, plural)
            .ok_or_else(ApiError::unknown_path)
    }

    /// The current global revision.
    pub fn revision(&self) -> u64 {
        self.shared.state.lock().rev
    }

    /// A notifier signalled after every committed write (used for persistence).
    pub fn changed(&self) -> &Notify {
        &self.shared.changed
    }

    /// Subscribes to every event in the store (the controllers' event bus). Events arrive in
    /// revision order; a receiver that lags more than the buffer gets `RecvError::Lagged`.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.shared.tx.subscribe()
    }

    /// Reads one object.
    pub fn get(&self, ri: &ResourceInfo, ns: &str, name: &str) -> Result<Value, ApiError> {
        let ns = if ri.namespaced { ns } else { "" };
        let st = self.shared.state.lock();
        st.get(&ri.storage_key(), ns, name)
            .map(|o| present(ri, &o))
            .ok_or_else(|| ApiError::not_found(&ri.group, &ri.plural, name))
    }

    /// Reads one object without converting its apiVersion (cheap; shares the stored value).
    pub fn get_raw(&self, key: &GroupResource, ns: &str, name: &str) -> Option<Arc<Value>> {
        self.shared.state.lock().get(key, ns, name)
    }

    /// Every stored object of a resource (all namespaces), in namespace/name order.
    pub fn all_raw(&self, key: &GroupResource) -> Vec<Arc<Value>> {
        let st = self.shared.state.lock();
        st.tables
            .get(key)
            .map(|t| t.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The storage keys that currently hold objects.
    pub fn keys(&self) -> Vec<GroupResource> {
        let st = self.shared.state.lock();
        st.tables
            .iter()
            .filter(|(_, t)| !t.is_empty())
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// Lists objects; `ns` of `None` lists across namespaces. Items carry the requested
    /// version's `apiVersion` and `kind`.
    pub fn list(
        &self,
        ri: &ResourceInfo,
        ns: Option<&str>,
        opts: &ListOptions,
    ) -> Result<ObjectList, ApiError> {
        let mut l = self.list_raw(ri, ns, opts)?;
        l.items = l.items.iter().map(|o| Arc::new(present(ri, o))).collect();
        Ok(l)
    }

    /// Like [`Store::list`], but the items are the stored values as they are (shared, not
    /// copied; their `apiVersion` may name another served version). The lock is held only
    /// while the matching entries are collected.
    pub fn list_raw(
        &self,
        ri: &ResourceInfo,
        ns: Option<&str>,
        opts: &ListOptions,
    ) -> Result<ObjectList, ApiError> {
        let key = ri.storage_key();
        let ns = if ri.namespaced { ns } else { None };
        let (table, rev, start) = {
            let mut st = self.shared.state.lock();
            if let Some(token) = &opts.continue_token {
                let (rev, start) = decode_continue(token)?;
                let table = match st.snapshot(&key, rev) {
                    Some(t) => t,
                    None if rev == st.rev => {
                        Arc::new(st.tables.get(&key).cloned().unwrap_or_default())
                    }
                    None => return Err(expired_continue()),
                };
                (table, rev, Some(start))
            } else {
                if opts.resource_version_match.as_deref() == Some("Exact")
                    && let Some(rv) = opts.resource_version.as_deref()
                {
                    let want = parse_rv(rv)?;
                    if want != st.rev {
                        let t = st.snapshot(&key, want).ok_or_else(|| {
                            ApiError::expired(format!(
                                "too old resource version: {want} ({})",
                                st.rev
                            ))
                        })?;
                        return Ok(page(ri, &t, want, ns, opts, None));
                    }
                }
                // Avoid copying the table unless a page boundary forces a snapshot.
                let rev = st.rev;
                let empty = Table::new();
                let live = st.tables.get(&key).unwrap_or(&empty);
                let count_matches_more_than_limit = opts.limit.is_some_and(|l| {
                    live.values()
                        .filter(|o| matches(ri, o, ns, opts))
                        .nth(l)
                        .is_some()
                });
                if !count_matches_more_than_limit {
                    let items: Vec<Arc<Value>> = live
                        .values()
                        .filter(|o| matches(ri, o, ns, opts))
                        .cloned()
                        .collect();
                    return Ok(ObjectList {
                        resource_version: rev,
                        items,
                        continue_token: None,
                        remaining_item_count: None,
                    });
                }
                (st.save_snapshot(&key), rev, None)
            }
        };
        Ok(page(ri, &table, rev, ns, opts, start))
    }

    /// Creates an object in namespace `ns` (ignored for cluster-scoped resources).
    pub fn create(
        &self,
        ri: &ResourceInfo,
        ns: &str,
        obj: Value,
        opts: &WriteOptions,
    ) -> Result<Value, ApiError> {
        let mut st = self.shared.state.lock();
        let out = self.create_locked(&mut st, ri, ns, obj, opts)?;
        drop(st);
        if !opts.dry_run {
            self.shared.changed.notify_one();
        }
        Ok(out)
    }

    fn create_locked(
        &self,
        st: &mut State,
        ri: &ResourceInfo,
        ns: &str,
        mut obj: Value,
        opts: &WriteOptions,
    ) -> Result<Value, ApiError> {
        if !obj.is_object() {
            return Err(ApiError::bad_request(format!(
                "the body of the request must be a {} object",
                ri.kind
            )));
        }
        check_kind(ri, &obj)?;
        obj["apiVersion"] = json!(ri.api_version());
        obj["kind"] = json!(ri.kind);
        let meta = meta_mut(&mut obj);
        if meta
            .get("resourceVersion")
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
        {
            return Err(ApiError::internal(
                "resourceVersion should not be set on objects to be created",
            ));
        }
        if ri.namespaced {
            match meta.get("namespace").and_then(Value::as_str) {
                Some(n) if !n.is_empty() && !ns.is_empty() && n != ns => {
                    return Err(ApiError::bad_request(
                        "the namespace of the provided object does not match the namespace sent on the request",
                    ));
                }
                Some(n) if !n.is_empty() => {}
                _ => {
                    let ns = if ns.is_empty() { "default" } else { ns };
                    meta.insert("namespace".to_owned(), json!(ns));
                }
            }
        } else {
            meta.remove("namespace");
        }
        let has_name = meta
            .get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| !n.is_empty());
        if !has_name
            && let Some(prefix) = meta.get("generateName").and_then(Value::as_str)
            && !prefix.is_empty()
        {
            let name = format!("{prefix}{}", generate_suffix());
            meta.insert("name".to_owned(), json!(name));
        }
        meta.insert("uid".to_owned(), json!(uuid::Uuid::new_v4().to_string()));
        meta.insert("creationTimestamp".to_owned(), json!(now_rfc3339()));
        meta.remove("deletionTimestamp");
        meta.remove("deletionGracePeriodSeconds");
        if ri.tracks_generation {
            meta.insert("generation".to_owned(), json!(1));
        } else {
            meta.remove("generation");
        }
        if meta
            .get("managedFields")
            .is_some_and(|m| m.as_array().is_some_and(Vec::is_empty) || m.is_null())
        {
            meta.remove("managedFields");
        }
        crate::defaults::on_create(ri, &mut obj);
        validation::validate(ri, &obj, None)?;
        let ns = meta_str(&obj, "namespace").unwrap_or_default().to_owned();
        let name = meta_str(&obj, "name").unwrap_or_default().to_owned();
        if ri.namespaced {
            let ns_key = GroupResource::new("", "namespaces");
            match st.get(&ns_key, "", &ns) {
                None => return Err(ApiError::not_found("", "namespaces", &ns)),
                Some(n) if n.pointer("/metadata/deletionTimestamp").is_some() => {
                    return Err(ApiError::forbidden(format!(
                        "{} \"{}\" is forbidden: unable to create new content in namespace {} because it is being terminated",
                        ri.plural, name, ns
                    ))
                    .with_details(&name, &ri.group, &ri.plural));
                }
                Some(_) => {}
            }
        }
        let key = ri.storage_key();
        if st.get(&key, &ns, &name).is_some() {
            return Err(ApiError::already_exists(&ri.group, &ri.plural, &name));
        }
        if is_crd(ri) {
            crd_prepare(&mut obj)?;
        }
        if let Some(m) = &opts.field_manager {
            crate::patch::record_update(None, &mut obj, m, opts.subresource.as_deref());
        }
        if opts.dry_run {
            return Ok(present(ri, &obj));
        }
        if is_crd(ri) {
            self.register_crd(&obj);
        }
        let stored = st.put(&self.shared.tx, &key, obj, EventType::Added, None);
        if key == GroupResource::new("", "namespaces") {
            self.seed_namespace(st, &name);
        }
        Ok(present(ri, &stored))
    }

    /// The `default` ServiceAccount and `kube-root-ca.crt` ConfigMap of a new namespace.
    fn seed_namespace(&self, st: &mut State, ns: &str) {
        let sa = json!({"apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": {"name": "default", "namespace": ns,
                "uid": uuid::Uuid::new_v4().to_string(), "creationTimestamp": now_rfc3339()}});
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "kube-root-ca.crt", "namespace": ns,
                "annotations": {"kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."},
                "uid": uuid::Uuid::new_v4().to_string(), "creationTimestamp": now_rfc3339()},
            "data": {"ca.crt": "-----BEGIN CERTIFICATE-----\nkubesim has no TLS; this bundle is a placeholder\n-----END CERTIFICATE-----\n"}});
        st.put(
            &self.shared.tx,
            &GroupResource::new("", "serviceaccounts"),
            sa,
            EventType::Added,
            None,
        );
        st.put(
            &self.shared.tx,
            &GroupResource::new("", "configmaps"),
            cm,
            EventType::Added,
            None,
        );
    }

    fn register_crd(&self, crd: &Value) {
        let Some(name) = meta_str(crd, "name") else {
            return;
        };
        match resources_from_crd(crd) {
            Ok(rs) => self.shared.registry.set_crd(name, rs),
            Err(e) => tracing::warn!("crd {name}: {e}"),
        }
    }

    /// Replaces an object (PUT). Returns the stored object and whether it was created.
    pub fn update(
        &self,
        ri: &ResourceInfo,
        ns: &str,
        name: &str,
        obj: Value,
        opts: &WriteOptions,
    ) -> Result<(Value, bool), ApiError> {
        if !obj.is_object() {
            return Err(ApiError::bad_request(format!(
                "the body of the request must be a {} object",
                ri.kind
            )));
        }
        check_kind(ri, &obj)?;
        let body_name = meta_str(&obj, "name").unwrap_or_default();
        if body_name != name {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({body_name}) does not match the name on the URL ({name})"
            )));
        }
        if ri.namespaced
            && let Some(bns) = meta_str(&obj, "namespace")
            && !bns.is_empty()
            && bns != ns
        {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        let creates = creates_on_update(ri);
        let ri_name = name.to_owned();
        let (group, plural) = (ri.group.clone(), ri.plural.clone());
        self.write(ri, ns, name, opts, true, move |cur| {
            if cur.is_none() && !creates {
                return Err(ApiError::not_found(&group, &plural, &ri_name));
            }
            Ok(obj)
        })
    }

    /// The generic read-modify-write used by update, patch and subresource writes: `f` gets the
    /// current object (or `None`) and returns the candidate; the store applies the server rules
    /// atomically. A `None` current object with an `Ok` candidate creates the object.
    /// `put` selects PUT semantics (an empty resourceVersion needs an unconditional-update kind).
    pub fn write<F>(
        &self,
        ri: &ResourceInfo,
        ns: &str,
        name: &str,
        opts: &WriteOptions,
        put: bool,
        f: F,
    ) -> Result<(Value, bool), ApiError>
    where
        F: FnOnce(Option<&Value>) -> Result<Value, ApiError>,
    {
        let ns = if ri.namespaced { ns } else { "" };
        let key = ri.storage_key();
        let mut st = self.shared.state.lock();
        let cur = st.get(&key, ns, name);
        let cur_presented = cur.as_ref().map(|c| present(ri, c));
        let mut candidate = f(cur_presented.as_ref())?;
        let Some(cur) = cur else {
            if let Some(m) = candidate.get_mut("metadata").and_then(Value::as_object_mut) {
                m.remove("resourceVersion");
                if !m.contains_key("name") {
                    m.insert("name".to_owned(), json!(name));
                }
            }
            let out = self.create_locked(&mut st, ri, ns, candidate, opts)?;
            drop(st);
            if !opts.dry_run {
                self.shared.changed.notify_one();
            }
            return Ok((out, true));
        };
        if !candidate.is_object() {
            return Err(ApiError::bad_request(
                "the patched object is not a JSON object",
            ));
        }
        candidate["apiVersion"] = json!(ri.api_version());
        candidate["kind"] = json!(ri.kind);
        // Optimistic concurrency: a resourceVersion in the candidate is a precondition.
        let cur_rv = meta_str(&cur, "resourceVersion").unwrap_or_default();
        match meta_str(&candidate, "resourceVersion") {
            Some(rv) if !rv.is_empty() => {
                if rv != cur_rv {
                    return Err(ApiError::modified(&ri.group, &ri.plural, name));
                }
            }
            _ => {
                if put && !ri.unconditional_update {
                    return Err(ApiError::invalid_field(
                        &ri.kind,
                        &ri.group,
                        name,
                        "FieldValueInvalid",
                        "metadata.resourceVersion",
                        "Invalid value: 0x0: must be specified for an update",
                    ));
                }
            }
        }
        let new = merge_server_fields(ri, &cur, candidate, opts)?;
        let mut new = new;
        if let Some(m) = &opts.field_manager {
            crate::patch::record_update(Some(&cur), &mut new, m, opts.subresource.as_deref());
        }
        if same_ignoring_rv(&new, &cur) {
            return Ok((present(ri, &cur), false));
        }
        validation::validate(ri, &new, Some(&cur))?;
        if is_crd(ri) {
            crd_prepare(&mut new)?;
        }
        if opts.dry_run {
            let mut out = new;
            meta_mut(&mut out).insert("resourceVersion".to_owned(), json!(cur_rv));
            return Ok((present(ri, &out), false));
        }
        let out = if deletion_complete(ri, &new) {
            self.finish_delete(&mut st, ri, ns, name)
                .unwrap_or_else(|| (*cur).clone())
        } else {
            if is_crd(ri) {
                self.register_crd(&new);
            }
            (*st.put(
                &self.shared.tx,
                &key,
                new,
                EventType::Modified,
                Some(cur.clone()),
            ))
            .clone()
        };
        drop(st);
        self.shared.changed.notify_one();
        Ok((present(ri, &out), false))
    }

    /// Replaces only `.status` of an object (what the `/status` subresource does), keeping the
    /// stored resourceVersion check out of the way: the last writer wins.
    pub fn update_status(
        &self,
        ri: &ResourceInfo,
        ns: &str,
        name: &str,
        status: Value,
    ) -> Result<Value, ApiError> {
        let opts = WriteOptions {
            subresource: Some("status".to_owned()),
            ..WriteOptions::default()
        };
        let (group, plural, n) = (ri.group.clone(), ri.plural.clone(), name.to_owned());
        self.write(ri, ns, name, &opts, false, move |cur| {
            let Some(cur) = cur else {
                return Err(ApiError::not_found(&group, &plural, &n));
            };
            let mut new = cur.clone();
            new["status"] = status;
            if let Some(m) = new.get_mut("metadata").and_then(Value::as_object_mut) {
                m.remove("resourceVersion");
            }
            Ok(new)
        })
        .map(|(v, _)| v)
    }

    /// Applies a JSON merge patch (RFC 7386) to the latest version, atomically.
    pub fn merge_patch(
        &self,
        ri: &ResourceInfo,
        ns: &str,
        name: &str,
        patch: &Value,
        opts: &WriteOptions,
    ) -> Result<Value, ApiError> {
        let (group, plural, n) = (ri.group.clone(), ri.plural.clone(), name.to_owned());
        self.write(ri, ns, name, opts, false, move |cur| {
            let Some(cur) = cur else {
                return Err(ApiError::not_found(&group, &plural, &n));
            };
            let mut new = cur.clone();
            if let Some(m) = new.get_mut("metadata").and_then(Value::as_object_mut) {
                m.remove("resourceVersion");
            }
            json_patch::merge(&mut new, patch);
            Ok(new)
        })
        .map(|(v, _)| v)
    }

    /// Deletes an object, honouring finalizers, propagation policy and preconditions.
    pub fn delete(
        &self,
        ri: &ResourceInfo,
        ns: &str,
        name: &str,
        opts: &DeleteOptions,
    ) -> Result<DeleteOutcome, ApiError> {
        let ns = if ri.namespaced { ns } else { "" };
        let key = ri.storage_key();
        let mut st = self.shared.state.lock();
        let cur = st
            .get(&key, ns, name)
            .ok_or_else(|| ApiError::not_found(&ri.group, &ri.plural, name))?;
        if let Some(uid) = &opts.precondition_uid
            && meta_str(&cur, "uid") != Some(uid.as_str())
        {
            return Err(ApiError::conflict(
                &ri.group,
                &ri.plural,
                name,
                &format!(
                    "Precondition failed: UID in precondition: {uid}, UID in object meta: {}",
                    meta_str(&cur, "uid").unwrap_or_default()
                ),
            ));
        }
        if let Some(rv) = &opts.precondition_resource_version
            && meta_str(&cur, "resourceVersion") != Some(rv.as_str())
        {
            return Err(ApiError::conflict(
                &ri.group,
                &ri.plural,
                name,
                &format!(
                    "Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {}",
                    meta_str(&cur, "resourceVersion").unwrap_or_default()
                ),
            ));
        }
        let is_ns = key == GroupResource::new("", "namespaces");
        let is_pod = key == GroupResource::new("", "pods");
        if is_ns && matches!(name, "default" | "kube-system" | "kube-public") {
            return Err(ApiError::forbidden(format!(
                "namespaces \"{name}\" is forbidden: this namespace may not be deleted"
            ))
            .with_details(name, "", "namespaces"));
        }
        let mut fins = finalizers(&cur);
        match opts.propagation_policy.as_deref() {
            Some("Foreground") if !fins.iter().any(|f| f == "foregroundDeletion") => {
                fins.push("foregroundDeletion".to_owned());
            }
            Some("Orphan") if !fins.iter().any(|f| f == "orphan") => {
                fins.push("orphan".to_owned());
            }
            Some("Foreground" | "Orphan" | "Background") | None => {}
            Some(other) => {
                return Err(ApiError::invalid_field(
                    "DeleteOptions",
                    "",
                    name,
                    "FieldValueNotSupported",
                    "propagationPolicy",
                    format!(
                        "Unsupported value: \"{other}\": supported values: \"Foreground\", \"Background\", \"Orphan\""
                    ),
                ));
            }
        }
        let grace = if is_pod {
            opts.grace_period_seconds.unwrap_or_else(|| {
                cur.pointer("/spec/terminationGracePeriodSeconds")
                    .and_then(Value::as_i64)
                    .unwrap_or(30)
            })
        } else {
            0
        };
        let pending = !fins.is_empty() || is_ns || (is_pod && grace > 0);
        if pending {
            let already = cur.pointer("/metadata/deletionTimestamp").is_some();
            let mut new = (*cur).clone();
            {
                let meta = meta_mut(&mut new);
                if !already {
                    meta.insert("deletionTimestamp".to_owned(), json!(now_rfc3339()));
                    meta.insert(
                        "deletionGracePeriodSeconds".to_owned(),
                        json!(if is_pod { grace } else { 0 }),
                    );
                    if ri.tracks_generation
                        && let Some(g) = meta.get("generation").and_then(Value::as_i64)
                    {
                        meta.insert("generation".to_owned(), json!(g + 1));
                    }
                }
                if !fins.is_empty() {
                    meta.insert("finalizers".to_owned(), json!(fins));
                }
            }
            if is_ns {
                set_in(&mut new, &["status", "phase"], json!("Terminating"));
            }
            if opts.dry_run {
                return Ok(DeleteOutcome::Pending(present(ri, &new)));
            }
            if same_ignoring_rv(&new, &cur) {
                return Ok(DeleteOutcome::Pending(present(ri, &cur)));
            }
            let stored = st.put(&self.shared.tx, &key, new, EventType::Modified, Some(cur));
            drop(st);
            self.shared.changed.notify_one();
            return Ok(DeleteOutcome::Pending(present(ri, &stored)));
        }
        if opts.dry_run {
            return Ok(DeleteOutcome::Deleted(present(ri, &cur)));
        }
        let last = self
            .finish_delete(&mut st, ri, ns, name)
            .unwrap_or_else(|| (*cur).clone());
        drop(st);
        self.shared.changed.notify_one();
        Ok(DeleteOutcome::Deleted(present(ri, &last)))
    }

    /// Removes an object for real (finalizers done); unregisters CRDs.
    fn finish_delete(
        &self,
        st: &mut State,
        ri: &ResourceInfo,
        ns: &str,
        name: &str,
    ) -> Option<Value> {
        let last = st.remove(&self.shared.tx, &ri.storage_key(), ns, name)?;
        if is_crd(ri) {
            self.shared.registry.remove_crd(name);
        }
        Some(last)
    }

    /// Deletes every object matching the list options; returns what was deleted or marked.
    pub fn delete_collection(
        &self,
        ri: &ResourceInfo,
        ns: Option<&str>,
        list: &ListOptions,
        opts: &DeleteOptions,
    ) -> Result<Vec<Value>, ApiError> {
        let items = self.list(
            ri,
            ns,
            &ListOptions {
                limit: None,
                continue_token: None,
                ..list.clone()
            },
        )?;
        let mut out = Vec::new();
        for item in items.items {
            let ins = meta_str(&item, "namespace").unwrap_or_default().to_owned();
            let name = meta_str(&item, "name").unwrap_or_default().to_owned();
            match self.delete(ri, &ins, &name, opts) {
                Ok(DeleteOutcome::Deleted(v) | DeleteOutcome::Pending(v)) => out.push(v),
                Err(e) if e.code == 404 => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Starts a watch. `resource_version` of `None`, `""` or `"0"` gives synthetic ADDED events
    /// for the current objects; `N` replays events after N from the ring. Filtering by
    /// namespace and selectors is the caller's job (see [`WatchFilter`]).
    pub fn watch(
        &self,
        ri: &ResourceInfo,
        resource_version: Option<&str>,
        filter: &WatchFilter,
    ) -> Result<WatchStart, WatchError> {
        let key = ri.storage_key();
        let st = self.shared.state.lock();
        let rx = self.shared.tx.subscribe();
        match resource_version.filter(|r| !r.is_empty() && *r != "0") {
            None => {
                let rev = st.rev;
                let initial = st
                    .tables
                    .get(&key)
                    .map(|t| {
                        t.values()
                            .filter(|o| filter.matches_obj(o))
                            .map(|o| {
                                Arc::new(Event {
                                    rev,
                                    event_type: EventType::Added,
                                    key: key.clone(),
                                    namespace: meta_str(o, "namespace")
                                        .unwrap_or_default()
                                        .to_owned(),
                                    name: meta_str(o, "name").unwrap_or_default().to_owned(),
                                    object: o.clone(),
                                    old: None,
                                })
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                Ok(WatchStart {
                    initial,
                    start_rev: rev,
                    rx,
                })
            }
            Some(rv) => {
                let n: u64 = rv
                    .parse()
                    .map_err(|_| WatchError::BadResourceVersion(rv.to_owned()))?;
                if n < st.ring_floor {
                    return Err(WatchError::Expired {
                        requested: n,
                        oldest: st.ring_floor + 1,
                    });
                }
                let initial = st
                    .ring
                    .iter()
                    .filter(|e| e.rev > n && e.key == key)
                    .cloned()
                    .collect();
                Ok(WatchStart {
                    initial,
                    start_rev: st.rev.max(n),
                    rx,
                })
            }
        }
    }

    /// Drops the event ring and list snapshots (the `compact` fault): later resumes and
    /// continue tokens from before now get 410.
    pub fn compact(&self) {
        let mut st = self.shared.state.lock();
        st.ring.clear();
        st.ring_floor = st.rev;
        st.snapshots.clear();
    }

    /// Serializes every object and the revision (for `--data-dir` persistence).
    pub fn dump(&self) -> Value {
        let st = self.shared.state.lock();
        let mut objects = Vec::new();
        let mut keys: Vec<&GroupResource> = st.tables.keys().collect();
        keys.sort();
        for k in keys {
            if let Some(t) = st.tables.get(k) {
                for o in t.values() {
                    objects.push(json!({"group": k.group, "resource": k.resource, "object": **o}));
                }
            }
        }
        json!({"revision": st.rev, "objects": objects})
    }

    /// Replaces the contents with a [`Store::dump`] (CRDs are re-registered).
    pub fn restore(&self, dump: &Value) -> Result<(), ApiError> {
        let rev = dump
            .get("revision")
            .and_then(Value::as_u64)
            .ok_or_else(|| ApiError::bad_request("snapshot: missing revision"))?;
        let objects = dump
            .get("objects")
            .and_then(Value::as_array)
            .ok_or_else(|| ApiError::bad_request("snapshot: missing objects"))?;
        let mut tables: HashMap<GroupResource, Table> = HashMap::new();
        for o in objects {
            let (Some(g), Some(r), Some(obj)) = (
                o.get("group").and_then(Value::as_str),
                o.get("resource").and_then(Value::as_str),
                o.get("object"),
            ) else {
                return Err(ApiError::bad_request("snapshot: malformed object entry"));
            };
            let ns = meta_str(obj, "namespace").unwrap_or_default().to_owned();
            let name = meta_str(obj, "name").unwrap_or_default().to_owned();
            let key = GroupResource::new(g, r);
            if key == GroupResource::new("apiextensions.k8s.io", "customresourcedefinitions") {
                self.register_crd(obj);
            }
            tables
                .entry(key)
                .or_default()
                .insert((ns, name), Arc::new(obj.clone()));
        }
        let mut st = self.shared.state.lock();
        st.tables = tables;
        st.rev = rev;
        st.ring.clear();
        st.ring_floor = rev;
        st.snapshots.clear();
        Ok(())
    }
}

fn is_crd(ri: &ResourceInfo) -> bool {
    ri.storage_group == "apiextensions.k8s.io" && ri.plural == "customresourcedefinitions"
}

/// Validates a CRD and adds its cleanup finalizer.
fn crd_prepare(obj: &mut Value) -> Result<(), ApiError> {
    let name = meta_str(obj, "name").unwrap_or_default().to_owned();
    let invalid = |field: &str, msg: String| {
        ApiError::invalid_field(
            "CustomResourceDefinition",
            "apiextensions.k8s.io",
            &name,
            "FieldValueInvalid",
            field,
            msg,
        )
    };
    let res = resources_from_crd(obj).map_err(|e| invalid("spec", e.0))?;
    let first = &res[0];
    let want = format!("{}.{}", first.plural, first.group);
    if name != want {
        return Err(invalid(
            "metadata.name",
            format!("Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group"),
        ));
    }
    if let Some(vs) = obj.pointer("/spec/versions").and_then(Value::as_array) {
        let storage = vs
            .iter()
            .filter(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
            .count();
        if storage != 1 {
            return Err(invalid(
                "spec.versions",
                "Invalid value: must have exactly one version marked as storage version".to_owned(),
            ));
        }
        if obj.get("apiVersion").and_then(Value::as_str) == Some("apiextensions.k8s.io/v1") {
            for v in vs {
                if v.pointer("/schema/openAPIV3Schema").is_none() {
                    return Err(ApiError::invalid_field(
                        "CustomResourceDefinition",
                        "apiextensions.k8s.io",
                        &name,
                        "FieldValueRequired",
                        "spec.versions[0].schema.openAPIV3Schema",
                        "Required value: schemas are required",
                    ));
                }
            }
        }
    }
    if obj.pointer("/metadata/deletionTimestamp").is_none() {
        let meta = meta_mut(obj);
        let mut fins: Vec<Value> = meta
            .get("finalizers")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if !fins.iter().any(|f| f == CRD_CLEANUP_FINALIZER) {
            fins.push(json!(CRD_CLEANUP_FINALIZER));
            meta.insert("finalizers".to_owned(), Value::Array(fins));
        }
    }
    Ok(())
}

fn check_kind(ri: &ResourceInfo, obj: &Value) -> Result<(), ApiError> {
    if let Some(k) = obj.get("kind").and_then(Value::as_str)
        && !k.is_empty()
        && k != ri.kind
    {
        return Err(ApiError::bad_request(format!(
            "the body of the request was of kind {k:?}, but the URL addresses kind {:?}",
            ri.kind
        )));
    }
    Ok(())
}

/// Whether an updated object has finished deleting (deletionTimestamp, no finalizers left).
fn deletion_complete(ri: &ResourceInfo, obj: &Value) -> bool {
    if obj.pointer("/metadata/deletionTimestamp").is_none() || !finalizers(obj).is_empty() {
        return false;
    }
    if ri.storage_group.is_empty() && ri.plural == "namespaces" {
        return obj
            .pointer("/spec/finalizers")
            .and_then(Value::as_array)
            .is_none_or(Vec::is_empty);
    }
    if ri.storage_group.is_empty() && ri.plural == "pods" {
        // Gracefully deleting pods leave when the kubelet (or grace period) says so.
        return false;
    }
    true
}

/// Applies the server-owned-field rules of an update to a candidate.
fn merge_server_fields(
    ri: &ResourceInfo,
    cur: &Value,
    mut new: Value,
    opts: &WriteOptions,
) -> Result<Value, ApiError> {
    let name = meta_str(cur, "name").unwrap_or_default().to_owned();
    let sub = opts.subresource.as_deref();
    if sub == Some("status") {
        // Status writes keep everything but .status (and managedFields).
        let mut out = cur.clone();
        match new.get("status") {
            Some(s) => out["status"] = s.clone(),
            None => {
                if let Some(m) = out.as_object_mut() {
                    m.remove("status");
                }
            }
        }
        if let Some(mf) = new.pointer("/metadata/managedFields") {
            meta_mut(&mut out).insert("managedFields".to_owned(), mf.clone());
        }
        if let Some(rv) = new.pointer("/metadata/resourceVersion") {
            meta_mut(&mut out).insert("resourceVersion".to_owned(), rv.clone());
        }
        new = out;
    } else if ri.has_subresource("status") {
        match cur.get("status") {
            Some(s) => new["status"] = s.clone(),
            None => {
                if let Some(m) = new.as_object_mut() {
                    m.remove("status");
                }
            }
        }
    }
    let cur_meta = cur.get("metadata").cloned().unwrap_or_else(|| json!({}));
    let was_deleting = cur_meta.get("deletionTimestamp").is_some();
    let old_fins = finalizers(cur);
    {
        let meta = meta_mut(&mut new);
        for f in [
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "generation",
        ] {
            match cur_meta.get(f) {
                Some(v) => {
                    meta.insert(f.to_owned(), v.clone());
                }
                None => {
                    meta.remove(f);
                }
            }
        }
        meta.insert("name".to_owned(), json!(name));
        match cur_meta.get("namespace") {
            Some(n) => {
                meta.insert("namespace".to_owned(), n.clone());
            }
            None => {
                meta.remove("namespace");
            }
        }
        match meta.get("managedFields") {
            None => {
                if let Some(mf) = cur_meta.get("managedFields") {
                    meta.insert("managedFields".to_owned(), mf.clone());
                }
            }
            Some(Value::Array(a)) if a.is_empty() => {
                // An empty list keeps the stored value, like the real server.
                if let Some(mf) = cur_meta.get("managedFields") {
                    meta.insert("managedFields".to_owned(), mf.clone());
                } else {
                    meta.remove("managedFields");
                }
            }
            Some(Value::Null) => {
                meta.remove("managedFields");
            }
            Some(_) => {}
        }
        if matches!(meta.get("finalizers"), Some(Value::Null)) {
            meta.remove("finalizers");
        }
        if matches!(meta.get("labels"), Some(Value::Null)) {
            meta.remove("labels");
        }
        if matches!(meta.get("annotations"), Some(Value::Null)) {
            meta.remove("annotations");
        }
    }
    if was_deleting {
        let added: Vec<String> = finalizers(&new)
            .into_iter()
            .filter(|f| !old_fins.contains(f))
            .collect();
        if !added.is_empty() {
            return Err(ApiError::invalid_field(
                &ri.kind,
                &ri.group,
                &name,
                "FieldValueForbidden",
                "metadata.finalizers",
                format!(
                    "Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{{{}}}",
                    added
                        .iter()
                        .map(|f| format!("{f:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
    if sub != Some("status") {
        crate::defaults::on_update(ri, cur, &mut new);
    }
    if ri.tracks_generation && sub != Some("status") {
        let changed = generation_view(ri, cur) != generation_view(ri, &new);
        if changed {
            let g = cur_meta
                .get("generation")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            meta_mut(&mut new).insert("generation".to_owned(), json!(g + 1));
        }
    }
    Ok(new)
}

/// Whether a stored object matches a list's namespace and selectors.
fn matches(ri: &ResourceInfo, o: &Value, ns: Option<&str>, opts: &ListOptions) -> bool {
    let _ = ri;
    if let Some(ns) = ns
        && !ns.is_empty()
        && meta_str(o, "namespace") != Some(ns)
    {
        return false;
    }
    opts.label_selector.matches(o) && opts.field_selector.matches(o)
}

fn page(
    ri: &ResourceInfo,
    table: &Table,
    rev: u64,
    ns: Option<&str>,
    opts: &ListOptions,
    start: Option<ObjKey>,
) -> ObjectList {
    let iter: Box<dyn Iterator<Item = (&ObjKey, &Arc<Value>)>> = match &start {
        Some(s) => Box::new(table.range(s.clone()..).filter(move |(k, _)| *k != s)),
        None => Box::new(table.iter()),
    };
    let mut items = Vec::new();
    let mut last: Option<ObjKey> = None;
    let mut remaining = 0usize;
    for (k, o) in iter {
        if !matches(ri, o, ns, opts) {
            continue;
        }
        if opts.limit.is_some_and(|l| items.len() >= l) {
            remaining += 1;
            continue;
        }
        last = Some(k.clone());
        items.push(o.clone());
    }
    let continue_token = if remaining > 0 {
        last.map(|(ns, name)| encode_continue(rev, &ns, &name))
    } else {
        None
    };
    ObjectList {
        resource_version: rev,
        items,
        continue_token,
        remaining_item_count: (remaining > 0).then_some(remaining),
    }
}

/// Converts a stored object to the requested version's `apiVersion`/`kind`.
pub fn present(ri: &ResourceInfo, o: &Value) -> Value {
    let mut v = o.clone();
    if let Some(m) = v.as_object_mut() {
        m.insert("apiVersion".to_owned(), json!(ri.api_version()));
        m.insert("kind".to_owned(), json!(ri.kind));
    }
    v
}

/// Namespace and selector filter of a watch, with selector-transition handling.
#[derive(Debug, Clone, Default)]
pub struct WatchFilter {
    /// Namespace, or empty for all.
    pub namespace: String,
    /// Label selector.
    pub labels: LabelSelector,
    /// Field selector.
    pub fields: FieldSelector,
}

impl WatchFilter {
    /// Whether an object passes the filter.
    pub fn matches_obj(&self, o: &Value) -> bool {
        (self.namespace.is_empty() || meta_str(o, "namespace") == Some(self.namespace.as_str()))
            && self.labels.matches(o)
            && self.fields.matches(o)
    }

    /// What this watcher sees of an event: objects that start matching arrive as ADDED and
    /// objects that stop matching as DELETED.
    pub fn classify(&self, ev: &Event) -> Option<EventType> {
        let now = self.matches_obj(&ev.object);
        let before = ev.old.as_deref().is_some_and(|o| self.matches_obj(o));
        match ev.event_type {
            EventType::Added => now.then_some(EventType::Added),
            EventType::Deleted => (now || before).then_some(EventType::Deleted),
            EventType::Modified => match (before, now) {
                (true, true) => Some(EventType::Modified),
                (false, true) => Some(EventType::Added),
                (true, false) => Some(EventType::Deleted),
                (false, false) => None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Store {
        Store::new(Registry::new(false))
    }

    fn ri(s: &Store, g: &str, v: &str, r: &str) -> Arc<ResourceInfo> {
        s.registry().lookup(g, v, r).expect("resource")
    }

    fn cm(name: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"a": "1"}})
    }

    #[test]
    fn bootstrap_objects_exist() {
        let s = store();
        let sa = ri(&s, "", "v1", "serviceaccounts");
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            assert!(s.get(&sa, ns, "default").is_ok(), "{ns}");
        }
        let svc = ri(&s, "", "v1", "services");
        assert!(s.get(&svc, "default", "kubernetes").is_ok());
    }

    #[test]
    fn create_sets_metadata_and_conflicts() {
        let s = store();
        let r = ri(&s, "", "v1", "configmaps");
        let o = s
            .create(&r, "default", cm("a"), &WriteOptions::default())
            .expect("create");
        assert!(o.pointer("/metadata/uid").is_some());
        assert!(o.pointer("/metadata/creationTimestamp").is_some());
        assert_eq!(o.pointer("/metadata/namespace"), Some(&json!("default")));
        let err = s
            .create(&r, "default", cm("a"), &WriteOptions::default())
            .expect_err("dup");
        assert_eq!(err.code, 409);
        assert_eq!(err.reason, "AlreadyExists");
        let err = s
            .create(&r, "nope", cm("b"), &WriteOptions::default())
            .expect_err("no ns");
        assert_eq!(err.message, "namespaces \"nope\" not found");
        let g = json!({"metadata": {"generateName": "x-"}});
        let o = s
            .create(&r, "default", g, &WriteOptions::default())
            .expect("generateName");
        let n = o
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .expect("name");
        assert!(n.starts_with("x-") && n.len() == 7);
    }

    #[test]
    fn update_rules() {
        let s = store();
        let r = ri(&s, "", "v1", "configmaps");
        let o = s
            .create(&r, "default", cm("a"), &WriteOptions::default())
            .expect("create");
        let rv = o["metadata"]["resourceVersion"].clone();
        // No-op keeps the resourceVersion.
        let (same, _) = s
            .update(&r, "default", "a", o.clone(), &WriteOptions::default())
            .expect("noop");
        assert_eq!(same["metadata"]["resourceVersion"], rv);
        let mut changed = o.clone();
        changed["data"]["a"] = json!("2");
        let (new, created) = s
            .update(
                &r,
                "default",
                "a",
                changed.clone(),
                &WriteOptions::default(),
            )
            .expect("update");
        assert!(!created);
        assert_ne!(new["metadata"]["resourceVersion"], rv);
        // Stale resourceVersion conflicts.
        changed["data"]["a"] = json!("3");
        let err = s
            .update(
                &r,
                "default",
                "a",
                changed.clone(),
                &WriteOptions::default(),
            )
            .expect_err("stale");
        assert_eq!(err.code, 409);
        // Unconditional update of a ConfigMap is fine.
        changed["metadata"]
            .as_object_mut()
            .expect("meta")
            .remove("resourceVersion");
        s.update(&r, "default", "a", changed, &WriteOptions::default())
            .expect("unconditional");
    }

    #[test]
    fn lease_put_rules() {
        let s = store();
        let r = ri(&s, "coordination.k8s.io", "v1", "leases");
        let lease = json!({"metadata": {"name": "l", "namespace": "default"}, "spec": {"holderIdentity": "a"}});
        let (o, created) = s
            .update(&r, "default", "l", lease.clone(), &WriteOptions::default())
            .expect("put-create");
        assert!(created);
        let err = s
            .update(&r, "default", "l", lease, &WriteOptions::default())
            .expect_err("needs rv");
        assert_eq!(err.code, 422);
        let mut upd = o.clone();
        upd["spec"]["holderIdentity"] = json!("b");
        s.update(&r, "default", "l", upd, &WriteOptions::default())
            .expect("guarded put");
    }

    #[test]
    fn generation_and_status() {
        let s = store();
        let r = ri(&s, "apps", "v1", "deployments");
        let d = json!({"metadata": {"name": "d"}, "spec": {"selector": {"matchLabels": {"a": "b"}},
            "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "x:1"}]}}}});
        let o = s
            .create(&r, "default", d, &WriteOptions::default())
            .expect("create");
        assert_eq!(o["metadata"]["generation"], 1);
        assert_eq!(o["spec"]["replicas"], 1);
        let st = s
            .update_status(&r, "default", "d", json!({"replicas": 1}))
            .expect("status");
        assert_eq!(st["metadata"]["generation"], 1);
        assert_eq!(st["status"]["replicas"], 1);
        let mut labels = st.clone();
        labels["metadata"]["labels"] = json!({"x": "y"});
        labels["status"] = json!({"replicas": 5});
        let (o, _) = s
            .update(&r, "default", "d", labels, &WriteOptions::default())
            .expect("labels");
        assert_eq!(o["metadata"]["generation"], 1);
        assert_eq!(o["status"]["replicas"], 1, "main endpoint keeps status");
        let p = s
            .merge_patch(
                &r,
                "default",
                "d",
                &json!({"spec": {"replicas": 3}}),
                &WriteOptions::default(),
            )
            .expect("patch");
        assert_eq!(p["metadata"]["generation"], 2);
    }

    #[test]
    fn finalizers_hold_deletion() {
        let s = store();
        let r = ri(&s, "", "v1", "configmaps");
        let mut o = cm("f");
        o["metadata"]["finalizers"] = json!(["example.com/x"]);
        s.create(&r, "default", o, &WriteOptions::default())
            .expect("create");
        let out = s
            .delete(&r, "default", "f", &DeleteOptions::default())
            .expect("delete");
        let DeleteOutcome::Pending(p) = out else {
            panic!("expected pending")
        };
        assert!(p.pointer("/metadata/deletionTimestamp").is_some());
        let err = s
            .merge_patch(
                &r,
                "default",
                "f",
                &json!({"metadata": {"finalizers": ["a", "example.com/x"]}}),
                &WriteOptions::default(),
            )
            .expect_err("no new finalizers");
        assert_eq!(err.code, 422);
        s.merge_patch(
            &r,
            "default",
            "f",
            &json!({"metadata": {"finalizers": null}}),
            &WriteOptions::default(),
        )
        .expect("clear finalizers");
        assert_eq!(s.get(&r, "default", "f").expect_err("gone").code, 404);
    }

    #[test]
    fn terminating_namespace_rejects_creates() {
        let s = store();
        let nsr = ri(&s, "", "v1", "namespaces");
        s.create(
            &nsr,
            "",
            json!({"metadata": {"name": "t1"}}),
            &WriteOptions::default(),
        )
        .expect("ns");
        let r = ri(&s, "", "v1", "configmaps");
        assert!(s.get(&r, "t1", "kube-root-ca.crt").is_ok());
        let out = s
            .delete(&nsr, "", "t1", &DeleteOptions::default())
            .expect("delete ns");
        let DeleteOutcome::Pending(p) = out else {
            panic!("expected pending")
        };
        assert_eq!(p["status"]["phase"], "Terminating");
        let err = s
            .create(&r, "t1", cm("x"), &WriteOptions::default())
            .expect_err("terminating");
        assert_eq!(err.code, 403);
        assert!(err.message.contains("because it is being terminated"));
    }

    #[test]
    fn system_namespaces_are_protected() {
        let s = store();
        let nsr = ri(&s, "", "v1", "namespaces");
        let err = s
            .delete(&nsr, "", "default", &DeleteOptions::default())
            .expect_err("protected");
        assert_eq!(err.code, 403);
        assert!(err.message.contains("may not be deleted"));
    }

    #[test]
    fn paging_is_consistent() {
        let s = store();
        let r = ri(&s, "", "v1", "configmaps");
        for i in 0..5 {
            s.create(
                &r,
                "default",
                cm(&format!("p{i}")),
                &WriteOptions::default(),
            )
            .expect("create");
        }
        let opts = ListOptions {
            limit: Some(2),
            ..ListOptions::default()
        };
        let first = s.list(&r, Some("default"), &opts).expect("page 1");
        assert_eq!(first.items.len(), 2);
        let token = first.continue_token.clone().expect("continue");
        // A write between pages does not show up in later pages.
        s.create(&r, "default", cm("p9"), &WriteOptions::default())
            .expect("create");
        let mut names = Vec::new();
        let mut next = Some(token);
        while let Some(t) = next {
            let page = s
                .list(
                    &r,
                    Some("default"),
                    &ListOptions {
                        limit: Some(2),
                        continue_token: Some(t),
                        ..ListOptions::default()
                    },
                )
                .expect("page");
            assert_eq!(page.resource_version, first.resource_version);
            names.extend(page.items.iter().map(|o| {
                o["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            }));
            next = page.continue_token;
        }
        assert!(!names.contains(&"p9".to_owned()));
        assert_eq!(names.len(), 4, "{names:?}");
        s.compact();
        let err = s
            .list(
                &r,
                Some("default"),
                &ListOptions {
                    limit: Some(2),
                    continue_token: first.continue_token,
                    ..ListOptions::default()
                },
            )
            .expect_err("expired");
        assert_eq!(err.code, 410);
    }

    #[test]
    fn watch_resume_and_expiry() {
        let s = store();
        let r = ri(&s, "", "v1", "configmaps");
        let o = s
            .create(&r, "default", cm("w"), &WriteOptions::default())
            .expect("create");
        let rv = o["metadata"]["resourceVersion"]
            .as_str()
            .expect("rv")
            .to_owned();
        s.merge_patch(
            &r,
            "default",
            "w",
            &json!({"data": {"a": "2"}}),
            &WriteOptions::default(),
        )
        .expect("patch");
        let w = s
            .watch(&r, Some(&rv), &WatchFilter::default())
            .expect("watch");
        assert_eq!(w.initial.len(), 1);
        assert_eq!(w.initial[0].event_type, EventType::Modified);
        s.compact();
        let err = s
            .watch(&r, Some(&rv), &WatchFilter::default())
            .expect_err("expired");
        assert!(matches!(err, WatchError::Expired { .. }));
    }

    #[test]
    fn set_in_replaces_non_objects() {
        let mut v = json!({"status": "weird"});
        set_in(&mut v, &["status", "phase"], json!("Terminating"));
        assert_eq!(v, json!({"status": {"phase": "Terminating"}}));
        let mut s = json!("scalar");
        set_in(&mut s, &["a", "b"], json!(1));
        assert_eq!(s, json!({"a": {"b": 1}}));
    }

    #[test]
    fn dump_and_restore() {
        let s = store();
        let r = ri(&s, "", "v1", "configmaps");
        s.create(&r, "default", cm("keep"), &WriteOptions::default())
            .expect("create");
        let dump = s.dump();
        let t = Store::empty(Registry::new(false));
        t.restore(&dump).expect("restore");
        assert_eq!(t.revision(), s.revision());
        assert!(t.get(&r, "default", "keep").is_ok());
    }
}
