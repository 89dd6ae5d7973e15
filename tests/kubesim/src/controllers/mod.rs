//! Fake controllers: the parts of kube-controller-manager, the scheduler and the kubelet that
//! Helm's waiters, kstatus and `kubectl rollout status` depend on.
//!
//! One tokio task ([`spawn_controllers`]) listens on the store's event bus and reconciles the
//! objects an event touches (the object itself, its controlling owner, and for pods the
//! Services of their namespace). Reconciles are level-triggered and idempotent: each one reads
//! the current state and writes only what differs, through the store's normal write paths, so
//! resourceVersions, watch events and generation rules stay exactly as for client writes.
//!
//! Time-based steps (scheduling, container start, completion after `run-duration`, removal of
//! terminating pods, volume binding, load-balancer addresses) wait a random delay between
//! `min_delay` and `max_delay`; [`ControllerConfig::instant`] makes them immediate (apart from
//! explicit `sim.k8s.io/run-duration` annotations), which is what tests want.
//!
//! Per-kind behaviour lives in one module per kind; the outcome annotations
//! (`sim.k8s.io/exit-code`, `run-duration`, `never-ready`, `crashloop`, `log`, `unbindable`) are
//! read in [`pod`] and [`pvc`].

pub mod daemonset;
pub mod deployment;
pub mod job;
pub mod node;
pub mod pod;
pub mod pvc;
pub mod replicaset;
pub mod revision;
pub mod service;
pub mod statefulset;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use serde_json::{Map, Value, json};
use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::error::ApiError;
use crate::registry::{GroupResource, ResourceInfo};
use crate::store::{DeleteOptions, Event, EventType, Store, WriteOptions};

/// Annotation: exit code of the pod's containers (non-zero fails run-to-completion pods).
pub const EXIT_CODE: &str = "sim.k8s.io/exit-code";
/// Annotation: how long run-to-completion containers run (Go duration, e.g. `2s`, `500ms`).
pub const RUN_DURATION: &str = "sim.k8s.io/run-duration";
/// Annotation: the pod runs but never becomes Ready.
pub const NEVER_READY: &str = "sim.k8s.io/never-ready";
/// Annotation: the containers are in CrashLoopBackOff.
pub const CRASHLOOP: &str = "sim.k8s.io/crashloop";
/// Annotation: the text the pod's `/log` returns (served by the HTTP layer).
pub const LOG: &str = "sim.k8s.io/log";
/// Annotation on a PVC: it never binds.
pub const UNBINDABLE: &str = "sim.k8s.io/unbindable";
/// kwok's equivalent of [`RUN_DURATION`].
pub const KWOK_RUN_DURATION: &str = "pod-complete.stage.kwok.x-k8s.io/delay";
/// kwok's equivalent of [`EXIT_CODE`].
pub const KWOK_EXIT_CODE: &str = "pod-container-failed.stage.kwok.x-k8s.io/exit-code";

/// How the controllers behave.
#[derive(Debug, Clone)]
pub struct ControllerConfig {
    /// Every delay is zero (run-duration annotations still apply).
    pub instant: bool,
    /// Shortest delay of a time-based step.
    pub min_delay: Duration,
    /// Longest delay of a time-based step.
    pub max_delay: Duration,
    /// How many fake nodes (`sim-node-0..N-1`) to create at start.
    pub nodes: usize,
    /// Seed of the delay jitter.
    pub seed: u64,
    /// Create a PersistentVolume `pvc-<uid>` for every bound claim.
    pub create_volumes: bool,
    /// Full resync period (a safety net; events drive everything).
    pub resync: Duration,
}

impl Default for ControllerConfig {
    fn default() -> Self {
        Self {
            instant: false,
            min_delay: Duration::from_millis(50),
            max_delay: Duration::from_millis(500),
            nodes: 3,
            seed: 1,
            create_volumes: true,
            resync: Duration::from_secs(10),
        }
    }
}

impl ControllerConfig {
    /// No delays: for tests.
    pub fn instant() -> Self {
        Self {
            instant: true,
            min_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
            ..Self::default()
        }
    }
}

/// The kinds the controllers reconcile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// apps/v1 Deployment.
    Deployment,
    /// apps/v1 ReplicaSet.
    ReplicaSet,
    /// v1 ReplicationController.
    ReplicationController,
    /// apps/v1 StatefulSet.
    StatefulSet,
    /// apps/v1 DaemonSet.
    DaemonSet,
    /// batch/v1 Job.
    Job,
    /// v1 Pod.
    Pod,
    /// v1 PersistentVolumeClaim.
    Pvc,
    /// v1 Service.
    Service,
}

impl Kind {
    fn from_key(key: &GroupResource) -> Option<Self> {
        Some(match (key.group.as_str(), key.resource.as_str()) {
            ("apps", "deployments") => Kind::Deployment,
            ("apps", "replicasets") => Kind::ReplicaSet,
            ("", "replicationcontrollers") => Kind::ReplicationController,
            ("apps", "statefulsets") => Kind::StatefulSet,
            ("apps", "daemonsets") => Kind::DaemonSet,
            ("batch", "jobs") => Kind::Job,
            ("", "pods") => Kind::Pod,
            ("", "persistentvolumeclaims") => Kind::Pvc,
            ("", "services") => Kind::Service,
            _ => return None,
        })
    }

    fn from_owner_kind(kind: &str) -> Option<Self> {
        Some(match kind {
            "Deployment" => Kind::Deployment,
            "ReplicaSet" => Kind::ReplicaSet,
            "ReplicationController" => Kind::ReplicationController,
            "StatefulSet" => Kind::StatefulSet,
            "DaemonSet" => Kind::DaemonSet,
            "Job" => Kind::Job,
            _ => return None,
        })
    }

    const ALL: [Kind; 9] = [
        Kind::Deployment,
        Kind::ReplicaSet,
        Kind::ReplicationController,
        Kind::StatefulSet,
        Kind::DaemonSet,
        Kind::Job,
        Kind::Pod,
        Kind::Pvc,
        Kind::Service,
    ];
}

/// One object to reconcile.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    /// Its kind.
    pub kind: Kind,
    /// Namespace.
    pub ns: String,
    /// Name.
    pub name: String,
}

impl Key {
    fn new(kind: Kind, ns: &str, name: &str) -> Self {
        Self {
            kind,
            ns: ns.to_owned(),
            name: name.to_owned(),
        }
    }
}

/// The resources the controllers read and write.
#[derive(Debug, Clone)]
pub struct Resources {
    /// deployments.apps
    pub deployments: Arc<ResourceInfo>,
    /// replicasets.apps
    pub replicasets: Arc<ResourceInfo>,
    /// replicationcontrollers
    pub rcs: Arc<ResourceInfo>,
    /// statefulsets.apps
    pub statefulsets: Arc<ResourceInfo>,
    /// daemonsets.apps
    pub daemonsets: Arc<ResourceInfo>,
    /// jobs.batch
    pub jobs: Arc<ResourceInfo>,
    /// pods
    pub pods: Arc<ResourceInfo>,
    /// persistentvolumeclaims
    pub pvcs: Arc<ResourceInfo>,
    /// persistentvolumes
    pub pvs: Arc<ResourceInfo>,
    /// services
    pub services: Arc<ResourceInfo>,
    /// endpoints
    pub endpoints: Arc<ResourceInfo>,
    /// nodes
    pub nodes: Arc<ResourceInfo>,
}

impl Resources {
    /// Looks the resources up in the store's registry.
    pub fn lookup(store: &Store) -> Result<Self, ApiError> {
        Ok(Self {
            deployments: store.resource("apps", "v1", "deployments")?,
            replicasets: store.resource("apps", "v1", "replicasets")?,
            rcs: store.resource("", "v1", "replicationcontrollers")?,
            statefulsets: store.resource("apps", "v1", "statefulsets")?,
            daemonsets: store.resource("apps", "v1", "daemonsets")?,
            jobs: store.resource("batch", "v1", "jobs")?,
            pods: store.resource("", "v1", "pods")?,
            pvcs: store.resource("", "v1", "persistentvolumeclaims")?,
            pvs: store.resource("", "v1", "persistentvolumes")?,
            services: store.resource("", "v1", "services")?,
            endpoints: store.resource("", "v1", "endpoints")?,
            nodes: store.resource("", "v1", "nodes")?,
        })
    }

    fn for_kind(&self, kind: Kind) -> &Arc<ResourceInfo> {
        match kind {
            Kind::Deployment => &self.deployments,
            Kind::ReplicaSet => &self.replicasets,
            Kind::ReplicationController => &self.rcs,
            Kind::StatefulSet => &self.statefulsets,
            Kind::DaemonSet => &self.daemonsets,
            Kind::Job => &self.jobs,
            Kind::Pod => &self.pods,
            Kind::Pvc => &self.pvcs,
            Kind::Service => &self.services,
        }
    }
}

/// A queue of keys, each due at an instant; a key is held once, at its earliest due time.
#[derive(Debug, Default)]
struct Queue {
    by_time: BTreeMap<(Instant, u64), Key>,
    due: HashMap<Key, (Instant, u64)>,
    seq: u64,
}

impl Queue {
    fn push(&mut self, key: Key, at: Instant) {
        if let Some(&(t, s)) = self.due.get(&key) {
            if t <= at {
                return;
            }
            self.by_time.remove(&(t, s));
        }
        self.seq += 1;
        self.by_time.insert((at, self.seq), key.clone());
        self.due.insert(key, (at, self.seq));
    }

    fn pop_due(&mut self, now: Instant) -> Option<Key> {
        let (&(t, s), _) = self.by_time.iter().next()?;
        if t > now {
            return None;
        }
        let key = self.by_time.remove(&(t, s))?;
        self.due.remove(&key);
        Some(key)
    }

    fn next_due(&self) -> Option<Instant> {
        self.by_time.keys().next().map(|(t, _)| *t)
    }
}

/// Shared state of the reconcilers.
#[derive(Debug)]
pub struct Ctx {
    /// The store everything is read from and written to.
    pub store: Store,
    /// The configuration.
    pub config: ControllerConfig,
    /// Resolved resources.
    pub res: Resources,
    rng: StdRng,
    queue: Queue,
    /// Per-object "not before" instants of time-based steps: uid → step → instant.
    gates: HashMap<String, HashMap<String, Instant>>,
    /// Per-deployment progress marks: (signature of the rollout state, when it last changed).
    progress: HashMap<String, (String, Instant)>,
    /// Consecutive failed reconciles per key, for retry backoff.
    failures: HashMap<Key, u32>,
    next_pod_ip: u32,
    next_lb_ip: u32,
    next_node: usize,
}

impl Ctx {
    /// A context over `store` (used by [`spawn_controllers`]; public so tests can drive
    /// reconciles step by step).
    pub fn new(store: Store, config: ControllerConfig) -> Result<Self, ApiError> {
        let res = Resources::lookup(&store)?;
        let rng = StdRng::seed_from_u64(config.seed);
        Ok(Self {
            store,
            config,
            res,
            rng,
            queue: Queue::default(),
            gates: HashMap::new(),
            progress: HashMap::new(),
            failures: HashMap::new(),
            next_pod_ip: 0,
            next_lb_ip: 0,
            next_node: 0,
        })
    }

    /// A random delay within the configured bounds.
    pub fn delay(&mut self) -> Duration {
        if self.config.instant || self.config.max_delay <= self.config.min_delay {
            return self.config.min_delay;
        }
        let lo = self.config.min_delay.as_millis() as u64;
        let hi = self.config.max_delay.as_millis() as u64;
        Duration::from_millis(self.rng.random_range(lo..=hi))
    }

    /// Reconciles `key` again at `at`.
    pub fn requeue_at(&mut self, key: Key, at: Instant) {
        self.queue.push(key, at);
    }

    /// Reconciles `key` again soon.
    pub fn requeue(&mut self, key: Key) {
        self.queue.push(key, Instant::now());
    }

    /// Time gate for step `gate` (`"<uid>/<step>"`): the first call arms it `delay` from now;
    /// returns `true` once that instant has passed, otherwise requeues `key` for then and
    /// returns `false`.
    pub fn gate(&mut self, gate: &str, delay: Duration, key: &Key) -> bool {
        let now = Instant::now();
        let (owner, step) = gate.split_once('/').unwrap_or((gate, ""));
        let at = *self
            .gates
            .entry(owner.to_owned())
            .or_default()
            .entry(step.to_owned())
            .or_insert_with(|| after(delay));
        if at <= now {
            true
        } else {
            self.queue.push(key.clone(), at);
            false
        }
    }

    /// [`Ctx::gate`] with a random configured delay.
    pub fn gate_random(&mut self, gate: &str, key: &Key) -> bool {
        let (owner, step) = gate.split_once('/').unwrap_or((gate, ""));
        if self.gates.get(owner).is_some_and(|g| g.contains_key(step)) {
            return self.gate(gate, Duration::ZERO, key);
        }
        let d = self.delay();
        self.gate(gate, d, key)
    }

    /// Sets the instant of step `step` of object `uid` (re-arming a gate).
    pub fn set_gate(&mut self, uid: &str, step: &str, at: Instant) {
        self.gates
            .entry(uid.to_owned())
            .or_default()
            .insert(step.to_owned(), at);
    }

    /// Forgets the gates of an object (after it is gone).
    fn forget(&mut self, uid: &str) {
        self.gates.remove(uid);
        self.progress.remove(uid);
    }

    /// The next pod IP (10.244.0.0/16).
    pub fn alloc_pod_ip(&mut self) -> String {
        let n = self.next_pod_ip;
        self.next_pod_ip = self.next_pod_ip.wrapping_add(1);
        format!("10.244.{}.{}", (n / 250) % 256, n % 250 + 2)
    }

    /// The next load-balancer IP (172.18.255.0/24).
    pub fn alloc_lb_ip(&mut self) -> String {
        let n = self.next_lb_ip;
        self.next_lb_ip = self.next_lb_ip.wrapping_add(1);
        format!("172.18.255.{}", n % 250 + 1)
    }

    /// Writes `status` to the object if it differs from the stored one.
    pub fn write_status(
        &self,
        ri: &ResourceInfo,
        obj: &Value,
        status: Value,
    ) -> Result<(), ApiError> {
        if obj.get("status") == Some(&status) {
            return Ok(());
        }
        self.store
            .update_status(ri, namespace(obj), name(obj), status)
            .map(|_| ())
    }

    /// Applies a JSON merge patch to the main resource (not the status).
    pub fn patch(&self, ri: &ResourceInfo, obj: &Value, patch: Value) -> Result<Value, ApiError> {
        self.store.merge_patch(
            ri,
            namespace(obj),
            name(obj),
            &patch,
            &WriteOptions::default(),
        )
    }

    /// Creates an object.
    pub fn create(&self, ri: &ResourceInfo, ns: &str, obj: Value) -> Result<Value, ApiError> {
        self.store.create(ri, ns, obj, &WriteOptions::default())
    }

    /// Deletes an object (background propagation, the object's own grace period), guarded by
    /// its uid; a missing object is not an error.
    pub fn delete(&self, ri: &ResourceInfo, obj: &Value) -> Result<(), ApiError> {
        self.delete_with(ri, obj, None)
    }

    /// Deletes an object with an explicit grace period.
    pub fn delete_with(
        &self,
        ri: &ResourceInfo,
        obj: &Value,
        grace: Option<i64>,
    ) -> Result<(), ApiError> {
        let opts = DeleteOptions {
            precondition_uid: Some(uid(obj).to_owned()),
            grace_period_seconds: grace,
            ..DeleteOptions::default()
        };
        match self.store.delete(ri, namespace(obj), name(obj), &opts) {
            Ok(_) => Ok(()),
            Err(e) if e.code == 404 || e.code == 409 => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Pods in `ns` whose controlling owner has uid `owner_uid`.
    pub fn owned_pods(&self, ns: &str, owner_uid: &str) -> Vec<Arc<Value>> {
        self.owned(&self.res.pods.storage_key(), ns, owner_uid)
    }

    /// Objects of `key` in `ns` whose controlling owner has uid `owner_uid`.
    pub fn owned(&self, key: &GroupResource, ns: &str, owner_uid: &str) -> Vec<Arc<Value>> {
        self.store
            .all_raw(key)
            .into_iter()
            .filter(|o| namespace(o) == ns && controller_uid(o) == Some(owner_uid))
            .collect()
    }

    fn node_names(&self) -> Vec<(String, Arc<Value>)> {
        self.store
            .all_raw(&self.res.nodes.storage_key())
            .into_iter()
            .map(|n| (name(&n).to_owned(), n))
            .collect()
    }
}

/// Starts the controllers on `store`: creates the fake nodes, then reconciles on every store
/// event until the store's event bus closes or the task is aborted.
pub fn spawn_controllers(store: Store, config: ControllerConfig) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut rx = store.subscribe();
        let mut ctx = match Ctx::new(store, config) {
            Ok(c) => c,
            Err(e) => {
                tracing::error!("controllers not started: {e}");
                return;
            }
        };
        if let Err(e) = node::ensure_nodes(&ctx) {
            tracing::warn!("creating fake nodes: {e}");
        }
        enqueue_all(&mut ctx);
        let mut resync = tokio::time::interval(ctx.config.resync);
        resync.tick().await;
        loop {
            run_due(&mut ctx);
            let next = ctx.queue.next_due();
            tokio::select! {
                ev = rx.recv() => match ev {
                    Ok(ev) => route(&mut ctx, &ev),
                    Err(RecvError::Lagged(_)) => enqueue_all(&mut ctx),
                    Err(RecvError::Closed) => break,
                },
                () = sleep_until_opt(next) => {}
                _ = resync.tick() => enqueue_all(&mut ctx),
            }
            // Drain whatever else is already buffered before reconciling, so a burst of
            // events costs one reconcile per object.
            loop {
                match rx.try_recv() {
                    Ok(ev) => route(&mut ctx, &ev),
                    Err(tokio::sync::broadcast::error::TryRecvError::Lagged(_)) => {
                        enqueue_all(&mut ctx);
                    }
                    Err(_) => break,
                }
            }
        }
    })
}

async fn sleep_until_opt(at: Option<Instant>) {
    match at {
        Some(t) => tokio::time::sleep_until(t).await,
        None => std::future::pending().await,
    }
}

/// Runs every reconcile that is due (and those they make due at once), with a cap so a
/// reconcile loop that never settles cannot starve the event loop.
pub fn run_due(ctx: &mut Ctx) {
    for _ in 0..10_000 {
        let Some(key) = ctx.queue.pop_due(Instant::now()) else {
            return;
        };
        match reconcile(ctx, &key) {
            Ok(()) => {
                ctx.failures.remove(&key);
            }
            Err(e) => {
                tracing::debug!("reconcile {key:?}: {e}");
                // Conflicts and races with client writes resolve on a quick retry; errors that
                // persist back off up to a few seconds.
                let n = ctx.failures.entry(key.clone()).or_insert(0);
                *n = n.saturating_add(1);
                let backoff = Duration::from_millis(50u64 << (*n - 1).min(7));
                ctx.requeue_at(key, after(backoff));
            }
        }
    }
}

/// Reconciles one object now.
pub fn reconcile(ctx: &mut Ctx, key: &Key) -> Result<(), ApiError> {
    match key.kind {
        Kind::Deployment => deployment::reconcile(ctx, key),
        Kind::ReplicaSet | Kind::ReplicationController => replicaset::reconcile(ctx, key),
        Kind::StatefulSet => statefulset::reconcile(ctx, key),
        Kind::DaemonSet => daemonset::reconcile(ctx, key),
        Kind::Job => job::reconcile(ctx, key),
        Kind::Pod => pod::reconcile(ctx, key),
        Kind::Pvc => pvc::reconcile(ctx, key),
        Kind::Service => service::reconcile(ctx, key),
    }
}

/// Queues every object of every reconciled kind.
pub fn enqueue_all(ctx: &mut Ctx) {
    for kind in Kind::ALL {
        let key = ctx.res.for_kind(kind).storage_key();
        for o in ctx.store.all_raw(&key) {
            ctx.requeue(Key::new(kind, namespace(&o), name(&o)));
        }
    }
}

/// Queues the reconciles one store event calls for.
pub fn route(ctx: &mut Ctx, ev: &Event) {
    if ev.key == ctx.res.nodes.storage_key() {
        for ds in ctx.store.all_raw(&ctx.res.daemonsets.storage_key()) {
            ctx.requeue(Key::new(Kind::DaemonSet, namespace(&ds), name(&ds)));
        }
        return;
    }
    let Some(kind) = Kind::from_key(&ev.key) else {
        return;
    };
    if ev.event_type == EventType::Deleted {
        let u = uid(&ev.object).to_owned();
        ctx.forget(&u);
        match kind {
            Kind::Pvc => pvc::on_deleted(ctx, &ev.object),
            Kind::Service => service::on_deleted(ctx, &ev.object),
            _ => {}
        }
    } else {
        ctx.requeue(Key::new(kind, &ev.namespace, &ev.name));
    }
    if let Some((owner_kind, owner_name)) = controller_ref(&ev.object)
        && let Some(k) = Kind::from_owner_kind(&owner_kind)
    {
        ctx.requeue(Key::new(k, &ev.namespace, &owner_name));
    }
    if kind == Kind::Pod {
        for svc in ctx.store.all_raw(&ctx.res.services.storage_key()) {
            if namespace(&svc) == ev.namespace {
                ctx.requeue(Key::new(Kind::Service, &ev.namespace, name(&svc)));
            }
        }
        // StatefulSets and DaemonSets wait for a pod to be gone before replacing it.
        if ev.event_type == EventType::Deleted {
            for sts in ctx.store.all_raw(&ctx.res.statefulsets.storage_key()) {
                if namespace(&sts) == ev.namespace {
                    ctx.requeue(Key::new(Kind::StatefulSet, &ev.namespace, name(&sts)));
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// JSON helpers shared by the reconcilers
// ---------------------------------------------------------------------------------------------

/// `metadata.name`.
pub fn name(o: &Value) -> &str {
    o.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `metadata.namespace`.
pub fn namespace(o: &Value) -> &str {
    o.pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `metadata.uid`.
pub fn uid(o: &Value) -> &str {
    o.pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `metadata.generation` (0 when absent).
pub fn generation(o: &Value) -> i64 {
    o.pointer("/metadata/generation")
        .and_then(Value::as_i64)
        .unwrap_or(0)
}

/// Whether `metadata.deletionTimestamp` is set.
pub fn terminating(o: &Value) -> bool {
    o.pointer("/metadata/deletionTimestamp")
        .is_some_and(|v| !v.is_null())
}

/// A metadata annotation.
pub fn annotation<'a>(o: &'a Value, key: &str) -> Option<&'a str> {
    o.pointer("/metadata/annotations")
        .and_then(|a| a.get(key))
        .and_then(Value::as_str)
}

/// `metadata.labels` as a map (empty when absent).
pub fn labels(o: &Value) -> Map<String, Value> {
    o.pointer("/metadata/labels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// An integer at a JSON pointer, or `default`.
pub fn int_at(o: &Value, ptr: &str, default: i64) -> i64 {
    o.pointer(ptr).and_then(Value::as_i64).unwrap_or(default)
}

/// The uid of the controlling owner reference.
pub fn controller_uid(o: &Value) -> Option<&str> {
    owner_refs(o)
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
        .and_then(|r| r.get("uid"))
        .and_then(Value::as_str)
}

/// Kind and name of the controlling owner reference.
pub fn controller_ref(o: &Value) -> Option<(String, String)> {
    let r = owner_refs(o)
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))?;
    Some((
        r.get("kind")?.as_str()?.to_owned(),
        r.get("name")?.as_str()?.to_owned(),
    ))
}

fn owner_refs(o: &Value) -> &[Value] {
    o.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// The controlling owner reference pointing at `owner`.
pub fn owner_ref(owner: &Value, api_version: &str, kind: &str) -> Value {
    json!({
        "apiVersion": api_version,
        "kind": kind,
        "name": name(owner),
        "uid": uid(owner),
        "controller": true,
        "blockOwnerDeletion": true,
    })
}

/// Whether a pod counts as ready (condition `Ready=True`).
pub fn pod_ready(pod: &Value) -> bool {
    condition_status(pod, "Ready") == Some("True")
}

/// `status.phase` of a pod.
pub fn pod_phase(pod: &Value) -> &str {
    pod.pointer("/status/phase")
        .and_then(Value::as_str)
        .unwrap_or("Pending")
}

/// Whether a pod still runs or will run (not finished, not terminating).
pub fn pod_active(pod: &Value) -> bool {
    !terminating(pod) && !matches!(pod_phase(pod), "Succeeded" | "Failed")
}

/// The `status` of condition `ty`.
pub fn condition_status<'a>(o: &'a Value, ty: &str) -> Option<&'a str> {
    condition(o, ty)
        .and_then(|c| c.get("status"))
        .and_then(Value::as_str)
}

/// Condition `ty` of `status.conditions`.
pub fn condition<'a>(o: &'a Value, ty: &str) -> Option<&'a Value> {
    o.pointer("/status/conditions")
        .and_then(Value::as_array)?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(ty))
}

/// Builds condition `ty`, keeping the old timestamps when nothing about it changed and the
/// old transition time when only reason or message changed.
pub fn make_condition(
    old: Option<&Value>,
    ty: &str,
    status: &str,
    reason: &str,
    message: &str,
    with_update_time: bool,
    now: &str,
) -> Value {
    let same_status = old.and_then(|c| c.get("status")).and_then(Value::as_str) == Some(status);
    let same_all = same_status
        && old.and_then(|c| c.get("reason")).and_then(Value::as_str) == Some(reason)
        && old.and_then(|c| c.get("message")).and_then(Value::as_str) == Some(message);
    if same_all && let Some(c) = old {
        return c.clone();
    }
    let transition = if same_status {
        old.and_then(|c| c.get("lastTransitionTime"))
            .cloned()
            .unwrap_or_else(|| json!(now))
    } else {
        json!(now)
    };
    let mut c = Map::new();
    c.insert("type".to_owned(), json!(ty));
    c.insert("status".to_owned(), json!(status));
    if with_update_time {
        c.insert("lastUpdateTime".to_owned(), json!(now));
    }
    c.insert("lastTransitionTime".to_owned(), transition);
    if !reason.is_empty() {
        c.insert("reason".to_owned(), json!(reason));
    }
    if !message.is_empty() {
        c.insert("message".to_owned(), json!(message));
    }
    Value::Object(c)
}

/// Whether `labels` satisfy a LabelSelector (`matchLabels` and `matchExpressions`).
pub fn selector_matches(selector: &Value, labels: &Map<String, Value>) -> bool {
    if let Some(ml) = selector.get("matchLabels").and_then(Value::as_object)
        && !ml.iter().all(|(k, v)| labels.get(k) == Some(v))
    {
        return false;
    }
    let exprs = selector
        .get("matchExpressions")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    exprs.iter().all(|e| {
        let key = e.get("key").and_then(Value::as_str).unwrap_or("");
        let values: Vec<&str> = e
            .get("values")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let have = labels.get(key).and_then(Value::as_str);
        match e.get("operator").and_then(Value::as_str).unwrap_or("") {
            "In" => have.is_some_and(|h| values.contains(&h)),
            "NotIn" => have.is_none_or(|h| !values.contains(&h)),
            "Exists" => have.is_some(),
            "DoesNotExist" => have.is_none(),
            _ => false,
        }
    })
}

/// A JSON value serialized with object keys sorted at every level, so equal objects hash
/// equally whatever order their keys were stored in.
pub fn canonical_json(v: &Value) -> String {
    fn write(v: &Value, out: &mut String) {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String((*k).clone()).to_string());
                    out.push(':');
                    if let Some(x) = m.get(*k) {
                        write(x, out);
                    }
                }
                out.push('}');
            }
            Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(x, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut s = String::new();
    write(v, &mut s);
    s
}

/// The short hash Kubernetes uses for `pod-template-hash` and `controller-revision-hash`:
/// FNV-1a (32 bit) of the template, its decimal digits mapped onto the "safe" alphabet.
pub fn template_hash(template: &Value) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut h: u32 = 0x811c_9dc5;
    for b in canonical_json(template).bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h.to_string()
        .bytes()
        .map(|d| ALPHABET[usize::from(d) % ALPHABET.len()] as char)
        .collect()
}

/// Parses a Go duration such as `2s`, `500ms`, `1m30s` or `1.5s`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s == "0" {
        return Some(Duration::ZERO);
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return None;
        }
        let n: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += n * factor;
    }
    Duration::try_from_secs_f64(total).ok()
}

/// An int-or-percent (`maxUnavailable`) against a total, rounding as `round_up` says.
pub fn int_or_percent(v: Option<&Value>, total: i64, default: i64, round_up: bool) -> i64 {
    match v {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(default),
        Some(Value::String(s)) => match s.strip_suffix('%').and_then(|p| p.parse::<f64>().ok()) {
            Some(p) => {
                let x = p * total as f64 / 100.0;
                if round_up {
                    x.ceil() as i64
                } else {
                    x.floor() as i64
                }
            }
            None => s.parse().unwrap_or(default),
        },
        _ => default,
    }
}

/// The instant `d` from now; durations from object fields can be absurdly long, so this
/// saturates at about a year instead of overflowing.
pub fn after(d: Duration) -> Instant {
    let cap = Duration::from_secs(365 * 24 * 3600);
    let now = Instant::now();
    now.checked_add(d.min(cap)).unwrap_or(now)
}

/// `n` seconds as a chrono duration, saturating for values chrono cannot hold.
pub fn chrono_secs(n: i64) -> chrono::Duration {
    chrono::Duration::try_seconds(n).unwrap_or(chrono::Duration::MAX)
}

/// The current time as the API server writes it.
pub fn now() -> String {
    crate::store::now_rfc3339()
}

/// Drops zero-valued integer fields, as Go's `omitempty` does for status counters.
pub fn omit_zero(m: &mut Map<String, Value>) {
    m.retain(|_, v| v.as_i64() != Some(0));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("2s"), Some(Duration::from_secs(2)));
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("1m30s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("0"), Some(Duration::ZERO));
        assert_eq!(parse_duration("abc"), None);
        assert_eq!(parse_duration("5"), None);
        assert_eq!(parse_duration(""), None);
    }

    #[test]
    fn hashes_ignore_key_order() {
        let a = json!({"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"x": [1, {"k": "v", "j": 0}]}});
        let b: Value = serde_json::from_str(
            r#"{"spec": {"x": [1, {"j": 0, "k": "v"}]}, "metadata": {"labels": {"b": "2", "a": "1"}}}"#,
        )
        .expect("json");
        assert_eq!(template_hash(&a), template_hash(&b));
        assert_ne!(template_hash(&a), template_hash(&json!({})));
        assert!(
            template_hash(&a)
                .chars()
                .all(|c| "bcdfghjklmnpqrstvwxz2456789".contains(c))
        );
    }

    #[test]
    fn selectors() {
        let l: Map<String, Value> =
            serde_json::from_value(json!({"app": "a", "tier": "web"})).expect("map");
        assert!(selector_matches(&json!({"matchLabels": {"app": "a"}}), &l));
        assert!(!selector_matches(&json!({"matchLabels": {"app": "b"}}), &l));
        assert!(selector_matches(
            &json!({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["web", "db"]}]}),
            &l
        ));
        assert!(!selector_matches(
            &json!({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["web"]}]}),
            &l
        ));
        assert!(selector_matches(
            &json!({"matchExpressions": [{"key": "x", "operator": "DoesNotExist"}]}),
            &l
        ));
        assert!(!selector_matches(
            &json!({"matchExpressions": [{"key": "x", "operator": "Exists"}]}),
            &l
        ));
        assert!(selector_matches(&json!({}), &l));
    }

    #[test]
    fn absurd_durations_do_not_panic() {
        assert_eq!(parse_duration("1e300h"), None);
        assert_eq!(parse_duration("99999999999999999999999h"), None);
        let later = after(Duration::MAX);
        assert!(later > Instant::now());
        assert_eq!(chrono_secs(i64::MAX), chrono::Duration::MAX);
    }

    #[test]
    fn percents() {
        assert_eq!(int_or_percent(Some(&json!("25%")), 3, 0, false), 0);
        assert_eq!(int_or_percent(Some(&json!("25%")), 4, 0, false), 1);
        assert_eq!(int_or_percent(Some(&json!("25%")), 3, 0, true), 1);
        assert_eq!(int_or_percent(Some(&json!(2)), 3, 0, false), 2);
        assert_eq!(int_or_percent(None, 3, 1, false), 1);
    }

    #[test]
    fn conditions_keep_times() {
        let old = make_condition(None, "Ready", "True", "R", "m", false, "t1");
        assert_eq!(
            make_condition(Some(&old), "Ready", "True", "R", "m", false, "t2"),
            old
        );
        let changed = make_condition(Some(&old), "Ready", "True", "R2", "m", true, "t2");
        assert_eq!(changed["lastTransitionTime"], "t1");
        assert_eq!(changed["lastUpdateTime"], "t2");
        let flipped = make_condition(Some(&old), "Ready", "False", "R", "m", false, "t3");
        assert_eq!(flipped["lastTransitionTime"], "t3");
    }

    #[test]
    fn queue_keeps_earliest() {
        let mut q = Queue::default();
        let now = Instant::now();
        let k = Key::new(Kind::Pod, "a", "p");
        q.push(k.clone(), now + Duration::from_secs(5));
        q.push(k.clone(), now);
        q.push(k.clone(), now + Duration::from_secs(9));
        assert_eq!(q.pop_due(now), Some(k));
        assert_eq!(q.pop_due(now + Duration::from_secs(60)), None);
    }
}
