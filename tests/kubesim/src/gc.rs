//! Built-in background work of the API server itself: garbage collection by ownerReferences,
//! foreground and orphan propagation, namespace termination, CRD establishment and cleanup, and
//! removal of gracefully deleted pods.
//!
//! One task follows the store's event bus. Deleted owners trigger a scan for dependents; objects
//! that start deleting are remembered and revisited on a short tick until they are gone, because
//! their progress depends on other objects (dependents, namespace contents, custom resources).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use crate::registry::{GroupResource, ResourceInfo};
use crate::store::{
    CRD_CLEANUP_FINALIZER, DeleteOptions, EventType, Store, WriteOptions, owner_uids,
};

/// How long a gracefully deleted pod lingers before the simulator removes it.
const POD_REMOVAL_DELAY: Duration = Duration::from_millis(150);
const TICK: Duration = Duration::from_millis(50);

type Key = (GroupResource, String, String);

fn meta<'a>(o: &'a Value, f: &str) -> Option<&'a str> {
    o.get("metadata")?.get(f)?.as_str()
}

fn fins(o: &Value) -> Vec<String> {
    o.pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn crd_key() -> GroupResource {
    GroupResource::new("apiextensions.k8s.io", "customresourcedefinitions")
}

/// Who owns whom, kept from the event bus so deletes need not scan every object.
#[derive(Debug, Default)]
struct Index {
    /// Owner uid → dependents.
    dependents: HashMap<String, HashSet<Key>>,
    /// Object → the owner uids it lists.
    owners_of: HashMap<Key, Vec<String>>,
    /// uid → object, for every live object.
    uids: HashMap<String, Key>,
}

impl Index {
    fn rebuild(store: &Store) -> Self {
        let mut idx = Self::default();
        for key in store.keys() {
            for o in store.all_raw(&key) {
                let k = (
                    key.clone(),
                    meta(&o, "namespace").unwrap_or_default().to_owned(),
                    meta(&o, "name").unwrap_or_default().to_owned(),
                );
                idx.upsert(k, &o);
            }
        }
        idx
    }

    fn upsert(&mut self, key: Key, obj: &Value) {
        self.unlink(&key);
        if let Some(uid) = meta(obj, "uid") {
            self.uids.insert(uid.to_owned(), key.clone());
        }
        let owners = owner_uids(obj);
        for u in &owners {
            self.dependents
                .entry(u.clone())
                .or_default()
                .insert(key.clone());
        }
        if !owners.is_empty() {
            self.owners_of.insert(key, owners);
        }
    }

    fn remove(&mut self, key: &Key, uid: Option<&str>) {
        self.unlink(key);
        if let Some(u) = uid
            && self.uids.get(u) == Some(key)
        {
            self.uids.remove(u);
        }
    }

    fn unlink(&mut self, key: &Key) {
        if let Some(owners) = self.owners_of.remove(key) {
            for u in owners {
                if let Some(set) = self.dependents.get_mut(&u) {
                    set.remove(key);
                    if set.is_empty() {
                        self.dependents.remove(&u);
                    }
                }
            }
        }
    }

    fn live(&self, uid: &str) -> bool {
        self.uids.contains_key(uid)
    }

    /// Current dependents of `uid` (re-read from the store).
    fn dependents(&self, store: &Store, uid: &str) -> Vec<(GroupResource, Arc<Value>)> {
        let Some(keys) = self.dependents.get(uid) else {
            return Vec::new();
        };
        keys.iter()
            .filter_map(|(k, ns, name)| {
                let o = store.get_raw(k, ns, name)?;
                owner_uids(&o)
                    .iter()
                    .any(|u| u == uid)
                    .then(|| (k.clone(), o))
            })
            .collect()
    }
}

/// Spawns the background task; it ends when the runtime shuts down.
pub fn spawn(store: Store) -> tokio::task::JoinHandle<()> {
    // Subscribe before the task first runs so no event between now and then is missed.
    let rx = store.subscribe();
    tokio::spawn(async move { run(store, rx).await })
}

async fn run(store: Store, mut rx: tokio::sync::broadcast::Receiver<Arc<crate::store::Event>>) {
    let mut pending: HashMap<Key, Instant> = HashMap::new();
    let mut index = Index::rebuild(&store);
    rescan(&store, &mut pending);
    let mut tick = tokio::time::interval(TICK);
    loop {
        tokio::select! {
            ev = rx.recv() => match ev {
                Ok(ev) => {
                    let key = (ev.key.clone(), ev.namespace.clone(), ev.name.clone());
                    match ev.event_type {
                        EventType::Deleted => {
                            pending.remove(&key);
                            let uid = meta(&ev.object, "uid");
                            index.remove(&key, uid);
                            if let Some(uid) = uid {
                                collect_dependents(&store, &index, uid);
                            }
                        }
                        EventType::Added | EventType::Modified => {
                            index.upsert(key.clone(), &ev.object);
                            let owners = owner_uids(&ev.object);
                            // A dependent created after all its owners were deleted (or with
                            // owners that never existed) is collected, as the real GC does.
                            if ev.event_type == EventType::Added
                                && !owners.is_empty()
                                && owners.iter().all(|u| !index.live(u))
                                && let Some(ri) = ri_for(&store, &ev.key)
                            {
                                let _ = store.delete(&ri, &ev.namespace, &ev.name, &DeleteOptions::default());
                            }
                            if ev.object.pointer("/metadata/deletionTimestamp").is_some() {
                                pending.entry(key).or_insert_with(Instant::now);
                            }
                            if ev.key == crd_key() {
                                establish_crd(&store, &ev.object);
                            }
                        }
                    }
                }
                Err(RecvError::Lagged(_)) => {
                    index = Index::rebuild(&store);
                    rescan(&store, &mut pending);
                    sweep_orphans(&store, &index);
                }
                Err(RecvError::Closed) => return,
            },
            _ = tick.tick() => {
                if !pending.is_empty() {
                    progress(&store, &index, &mut pending);
                }
            }
        }
    }
}

fn ri_for(store: &Store, key: &GroupResource) -> Option<Arc<ResourceInfo>> {
    store.registry().lookup_storage(key)
}

/// Finds every object with a deletionTimestamp (after a lag or at start).
fn rescan(store: &Store, pending: &mut HashMap<Key, Instant>) {
    for key in store.keys() {
        for o in store.all_raw(&key) {
            if o.pointer("/metadata/deletionTimestamp").is_some() {
                let k = (
                    key.clone(),
                    meta(&o, "namespace").unwrap_or_default().to_owned(),
                    meta(&o, "name").unwrap_or_default().to_owned(),
                );
                pending.entry(k).or_insert_with(Instant::now);
            }
            if key == crd_key() {
                establish_crd(store, &o);
            }
        }
    }
}

/// Background propagation: dependents whose owners are all gone are deleted; others lose the
/// reference to the deleted owner.
fn collect_dependents(store: &Store, index: &Index, uid: &str) {
    for (key, o) in index.dependents(store, uid) {
        let Some(ri) = ri_for(store, &key) else {
            continue;
        };
        let ns = meta(&o, "namespace").unwrap_or_default().to_owned();
        let name = meta(&o, "name").unwrap_or_default().to_owned();
        let others_alive = owner_uids(&o).iter().any(|u| u != uid && index.live(u));
        if others_alive {
            strip_owner(store, &ri, &ns, &name, uid);
        } else if let Err(e) = store.delete(&ri, &ns, &name, &DeleteOptions::default())
            && e.code != 404
        {
            tracing::warn!("gc: deleting {}/{name}: {e}", ri.plural);
        }
    }
}

/// After a lag: delete objects whose owners are all missing.
fn sweep_orphans(store: &Store, index: &Index) {
    for key in store.keys() {
        for o in store.all_raw(&key) {
            let owners = owner_uids(&o);
            if owners.is_empty() || owners.iter().any(|u| index.live(u)) {
                continue;
            }
            let Some(ri) = ri_for(store, &key) else {
                continue;
            };
            let ns = meta(&o, "namespace").unwrap_or_default();
            let name = meta(&o, "name").unwrap_or_default();
            let _ = store.delete(&ri, ns, name, &DeleteOptions::default());
        }
    }
}

fn strip_owner(store: &Store, ri: &ResourceInfo, ns: &str, name: &str, uid: &str) {
    let res = store.write(ri, ns, name, &WriteOptions::default(), false, |cur| {
        let mut out = cur.cloned().unwrap_or(Value::Null);
        if let Some(refs) = out
            .pointer_mut("/metadata/ownerReferences")
            .and_then(Value::as_array_mut)
        {
            refs.retain(|r| r.get("uid").and_then(Value::as_str) != Some(uid));
            if refs.is_empty()
                && let Some(m) = out.get_mut("metadata").and_then(Value::as_object_mut)
            {
                m.remove("ownerReferences");
            }
        }
        Ok(out)
    });
    if let Err(e) = res
        && e.code != 404
    {
        tracing::warn!("gc: orphaning {}/{name}: {e}", ri.plural);
    }
}

fn remove_finalizer(store: &Store, ri: &ResourceInfo, ns: &str, name: &str, f: &str) {
    let res = store.write(ri, ns, name, &WriteOptions::default(), false, |cur| {
        let mut out = cur.cloned().unwrap_or(Value::Null);
        if let Some(list) = out
            .pointer_mut("/metadata/finalizers")
            .and_then(Value::as_array_mut)
        {
            list.retain(|x| x.as_str() != Some(f));
        }
        Ok(out)
    });
    if let Err(e) = res
        && e.code != 404
    {
        tracing::warn!("gc: removing finalizer {f} from {}/{name}: {e}", ri.plural);
    }
}

/// Moves pending deletions forward; finished ones leave `pending`.
fn progress(store: &Store, index: &Index, pending: &mut HashMap<Key, Instant>) {
    let keys: Vec<(Key, Instant)> = pending.iter().map(|(k, v)| (k.clone(), *v)).collect();
    for ((key, ns, name), since) in keys {
        let Some(o) = store.get_raw(&key, &ns, &name) else {
            pending.remove(&(key, ns, name));
            continue;
        };
        let Some(ri) = ri_for(store, &key) else {
            continue;
        };
        let f = fins(&o);
        if key == GroupResource::new("", "namespaces") {
            terminate_namespace(store, &ri, &name);
            continue;
        }
        if key == crd_key() && f.iter().any(|x| x == CRD_CLEANUP_FINALIZER) {
            cleanup_crd(store, &ri, &o, &name);
            continue;
        }
        if f.iter().any(|x| x == "foregroundDeletion") {
            let uid = meta(&o, "uid").unwrap_or_default().to_owned();
            let deps = index.dependents(store, &uid);
            if deps.is_empty() {
                remove_finalizer(store, &ri, &ns, &name, "foregroundDeletion");
            } else {
                for (dk, d) in deps {
                    if d.pointer("/metadata/deletionTimestamp").is_some() {
                        continue;
                    }
                    if let Some(dri) = ri_for(store, &dk) {
                        let opts = DeleteOptions {
                            propagation_policy: Some("Foreground".to_owned()),
                            ..DeleteOptions::default()
                        };
                        let _ = store.delete(
                            &dri,
                            meta(&d, "namespace").unwrap_or_default(),
                            meta(&d, "name").unwrap_or_default(),
                            &opts,
                        );
                    }
                }
            }
            continue;
        }
        if f.iter().any(|x| x == "orphan") {
            let uid = meta(&o, "uid").unwrap_or_default().to_owned();
            for (dk, d) in index.dependents(store, &uid) {
                if let Some(dri) = ri_for(store, &dk) {
                    strip_owner(
                        store,
                        &dri,
                        meta(&d, "namespace").unwrap_or_default(),
                        meta(&d, "name").unwrap_or_default(),
                        &uid,
                    );
                }
            }
            remove_finalizer(store, &ri, &ns, &name, "orphan");
            continue;
        }
        if key == GroupResource::new("", "pods")
            && f.is_empty()
            && since.elapsed() >= POD_REMOVAL_DELAY
        {
            let opts = DeleteOptions {
                grace_period_seconds: Some(0),
                precondition_uid: meta(&o, "uid").map(str::to_owned),
                ..DeleteOptions::default()
            };
            let _ = store.delete(&ri, &ns, &name, &opts);
        }
    }
}

fn terminate_namespace(store: &Store, ns_ri: &ResourceInfo, ns: &str) {
    let mut remaining = 0usize;
    for key in store.keys() {
        let Some(ri) = ri_for(store, &key) else {
            continue;
        };
        if !ri.namespaced {
            continue;
        }
        for o in store.all_raw(&key) {
            if meta(&o, "namespace") != Some(ns) {
                continue;
            }
            remaining += 1;
            if o.pointer("/metadata/deletionTimestamp").is_some() {
                continue;
            }
            let name = meta(&o, "name").unwrap_or_default();
            let opts = DeleteOptions {
                grace_period_seconds: Some(0),
                ..DeleteOptions::default()
            };
            let _ = store.delete(&ri, ns, name, &opts);
        }
    }
    if remaining > 0 {
        return;
    }
    let res = store.write(ns_ri, "", ns, &WriteOptions::default(), false, |cur| {
        let mut out = cur.cloned().unwrap_or(Value::Null);
        crate::store::set_in(&mut out, &["spec", "finalizers"], json!([]));
        Ok(out)
    });
    if let Err(e) = res
        && e.code != 404
    {
        tracing::warn!("namespace {ns}: finalize: {e}");
    }
}

fn cleanup_crd(store: &Store, crd_ri: &ResourceInfo, crd: &Value, name: &str) {
    let group = crd
        .pointer("/spec/group")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let plural = crd
        .pointer("/spec/names/plural")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let key = GroupResource::new(group, plural);
    let objs = store.all_raw(&key);
    if objs.is_empty() {
        remove_finalizer(store, crd_ri, "", name, CRD_CLEANUP_FINALIZER);
        return;
    }
    let Some(ri) = ri_for(store, &key) else {
        return;
    };
    for o in objs {
        if o.pointer("/metadata/deletionTimestamp").is_some() {
            continue;
        }
        let _ = store.delete(
            &ri,
            meta(&o, "namespace").unwrap_or_default(),
            meta(&o, "name").unwrap_or_default(),
            &DeleteOptions::default(),
        );
    }
}

/// Sets NamesAccepted/Established, acceptedNames and storedVersions on a new or changed CRD.
fn establish_crd(store: &Store, crd: &Value) {
    let established = crd
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|c| {
            c.iter().any(|x| {
                x.get("type").and_then(Value::as_str) == Some("Established")
                    && x.get("status").and_then(Value::as_str) == Some("True")
            })
        });
    let names = crd.pointer("/spec/names").cloned().unwrap_or(json!({}));
    let accepted_same = crd.pointer("/status/acceptedNames") == Some(&names);
    if (established && accepted_same) || crd.pointer("/metadata/deletionTimestamp").is_some() {
        return;
    }
    let Some(ri) = ri_for(store, &crd_key()) else {
        return;
    };
    let name = meta(crd, "name").unwrap_or_default();
    let storage: Vec<Value> = crd
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .map(|vs| {
            vs.iter()
                .filter(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
                .filter_map(|v| v.get("name").cloned())
                .collect()
        })
        .or_else(|| crd.pointer("/spec/version").map(|v| vec![v.clone()]))
        .unwrap_or_default();
    let now = crate::store::now_rfc3339();
    let status = json!({
        "acceptedNames": names,
        "conditions": [
            {"type": "NamesAccepted", "status": "True", "lastTransitionTime": now,
             "reason": "NoConflicts", "message": "no conflicts found"},
            {"type": "Established", "status": "True", "lastTransitionTime": now,
             "reason": "InitialNamesAccepted", "message": "the initial names have been accepted"},
        ],
        "storedVersions": storage,
    });
    if let Err(e) = store.update_status(&ri, "", name, status)
        && e.code != 404
    {
        tracing::warn!("crd {name}: establish: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Registry;
    use crate::store::DeleteOutcome;

    async fn eventually<F: Fn() -> bool>(f: F) -> bool {
        for _ in 0..100 {
            if f() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        false
    }

    #[tokio::test]
    async fn background_gc_deletes_dependents() {
        let store = Store::new(Registry::new(false));
        let _h = spawn(store.clone());
        let cm = store.registry().lookup("", "v1", "configmaps").expect("cm");
        let owner = store
            .create(
                &cm,
                "default",
                json!({"metadata": {"name": "owner"}}),
                &WriteOptions::default(),
            )
            .expect("owner");
        let uid = owner["metadata"]["uid"].as_str().expect("uid").to_owned();
        store
            .create(
                &cm,
                "default",
                json!({"metadata": {"name": "dep", "ownerReferences": [
                    {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": uid}]}}),
                &WriteOptions::default(),
            )
            .expect("dep");
        store
            .delete(&cm, "default", "owner", &DeleteOptions::default())
            .expect("delete owner");
        assert!(eventually(|| store.get(&cm, "default", "dep").is_err()).await);
    }

    #[tokio::test]
    async fn dangling_and_shared_owners() {
        let store = Store::new(Registry::new(false));
        let _h = spawn(store.clone());
        let cm = store.registry().lookup("", "v1", "configmaps").expect("cm");
        let opts = WriteOptions::default();
        let a = store
            .create(&cm, "default", json!({"metadata": {"name": "a"}}), &opts)
            .expect("a");
        let b = store
            .create(&cm, "default", json!({"metadata": {"name": "b"}}), &opts)
            .expect("b");
        let r = |o: &Value| json!({"apiVersion": "v1", "kind": "ConfigMap", "name": o["metadata"]["name"], "uid": o["metadata"]["uid"]});
        store
            .create(
                &cm,
                "default",
                json!({"metadata": {"name": "shared", "ownerReferences": [r(&a), r(&b)]}}),
                &opts,
            )
            .expect("shared");
        store
            .create(
                &cm,
                "default",
                json!({"metadata": {"name": "dangling", "ownerReferences": [
                    {"apiVersion": "v1", "kind": "ConfigMap", "name": "gone", "uid": "no-such-uid"}]}}),
                &opts,
            )
            .expect("dangling");
        assert!(eventually(|| store.get(&cm, "default", "dangling").is_err()).await);
        store
            .delete(&cm, "default", "a", &DeleteOptions::default())
            .expect("delete a");
        assert!(
            eventually(|| store.get(&cm, "default", "shared").is_ok_and(|o| {
                o["metadata"]["ownerReferences"].as_array().map(Vec::len) == Some(1)
            }))
            .await,
            "the reference to the deleted owner is removed, the object stays"
        );
        store
            .delete(&cm, "default", "b", &DeleteOptions::default())
            .expect("delete b");
        assert!(eventually(|| store.get(&cm, "default", "shared").is_err()).await);
    }

    #[tokio::test]
    async fn namespace_termination_and_crd_establishment() {
        let store = Store::new(Registry::new(false));
        let _h = spawn(store.clone());
        let nsr = store.registry().lookup("", "v1", "namespaces").expect("ns");
        store
            .create(
                &nsr,
                "",
                json!({"metadata": {"name": "t1"}}),
                &WriteOptions::default(),
            )
            .expect("ns");
        let out = store
            .delete(&nsr, "", "t1", &DeleteOptions::default())
            .expect("delete");
        assert!(matches!(out, DeleteOutcome::Pending(_)));
        assert!(eventually(|| store.get(&nsr, "", "t1").is_err()).await);

        let crd_ri = store
            .registry()
            .lookup("apiextensions.k8s.io", "v1", "customresourcedefinitions")
            .expect("crd");
        let crd = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "foos.example.com"},
            "spec": {"group": "example.com", "scope": "Namespaced",
                "names": {"plural": "foos", "singular": "foo", "kind": "Foo"},
                "versions": [{"name": "v1", "served": true, "storage": true,
                    "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}});
        store
            .create(&crd_ri, "", crd, &WriteOptions::default())
            .expect("crd");
        assert!(
            store
                .registry()
                .lookup("example.com", "v1", "foos")
                .is_some()
        );
        assert!(
            eventually(
                || store.get(&crd_ri, "", "foos.example.com").is_ok_and(|c| c
                    .pointer("/status/conditions/1/type")
                    == Some(&json!("Established")))
            )
            .await
        );
        store
            .delete(&crd_ri, "", "foos.example.com", &DeleteOptions::default())
            .expect("delete crd");
        assert!(
            eventually(|| store
                .registry()
                .lookup("example.com", "v1", "foos")
                .is_none())
            .await
        );
    }
}
