//! Deployment: one ReplicaSet per pod template, `<name>-<pod-template-hash>`, carrying the
//! `pod-template-hash` label (in its labels, selector and template), a controller owner
//! reference and the `deployment.kubernetes.io/revision` annotation.
//!
//! The new ReplicaSet is scaled to `spec.replicas`; old ones are scaled to 0 once the new one is
//! fully available (so a rollout that never becomes ready keeps the old pods serving), or first
//! for the Recreate strategy. The status carries what kstatus, Helm's legacy waiter and
//! `kubectl rollout status` read: `observedGeneration`, `replicas`, `updatedReplicas`,
//! `readyReplicas`, `availableReplicas`, and the `Available` and `Progressing` conditions
//! (`NewReplicaSetAvailable` when done, `ProgressDeadlineExceeded` after
//! `progressDeadlineSeconds` without progress). A paused Deployment rolls nothing out and reports
//! `Progressing=Unknown` with reason `DeploymentPaused`.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};
use tokio::time::Instant;

use super::{
    Ctx, Key, annotation, condition, generation, int_at, int_or_percent, make_condition, name, now,
    omit_zero, owner_ref, template_hash, terminating, uid,
};
use crate::error::ApiError;

/// The label that ties a ReplicaSet and its pods to one template.
pub const HASH_LABEL: &str = "pod-template-hash";
/// The revision annotation on Deployments and their ReplicaSets.
pub const REVISION: &str = "deployment.kubernetes.io/revision";

fn revision(rs: &Value) -> i64 {
    annotation(rs, REVISION)
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

/// Reconciles one Deployment.
pub fn reconcile(ctx: &mut Ctx, key: &Key) -> Result<(), ApiError> {
    let ri = ctx.res.deployments.clone();
    let rs_ri = ctx.res.replicasets.clone();
    let d = match ctx.store.get(&ri, &key.ns, &key.name) {
        Ok(d) => d,
        Err(e) if e.code == 404 => return Ok(()),
        Err(e) => return Err(e),
    };
    if terminating(&d) {
        return Ok(());
    }
    let desired = int_at(&d, "/spec/replicas", 1).max(0);
    let template = d
        .pointer("/spec/template")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let hash = template_hash(&template);
    let rs_name = format!("{}-{hash}", name(&d));
    let owned: Vec<Arc<Value>> = ctx.owned(&rs_ri.storage_key(), &key.ns, uid(&d));
    let max_rev = owned.iter().map(|r| revision(r)).max().unwrap_or(0);
    let recreate = d.pointer("/spec/strategy/type").and_then(Value::as_str) == Some("Recreate");
    let new_rs = owned
        .iter()
        .find(|r| super::labels(r).get(HASH_LABEL).and_then(Value::as_str) == Some(hash.as_str()))
        .cloned();
    let olds: Vec<Arc<Value>> = owned
        .iter()
        .filter(|r| new_rs.as_ref().is_none_or(|n| uid(n) != uid(r)))
        .cloned()
        .collect();
    let old_pods_left = olds
        .iter()
        .any(|r| int_at(r, "/spec/replicas", 0) > 0 || int_at(r, "/status/replicas", 0) > 0);
    let new_target = if recreate && old_pods_left {
        0
    } else {
        desired
    };

    let paused = d.pointer("/spec/paused").and_then(Value::as_bool) == Some(true);
    if paused && new_rs.is_none() {
        // A paused Deployment does not roll out a new template; it only keeps the newest
        // ReplicaSet at the desired scale.
        if let Some(current) = owned.iter().max_by_key(|r| revision(r)).cloned() {
            if int_at(&current, "/spec/replicas", 1) != desired {
                ctx.patch(&rs_ri, &current, json!({"spec": {"replicas": desired}}))?;
            }
            let rest: Vec<Arc<Value>> = owned
                .iter()
                .filter(|r| uid(r) != uid(&current))
                .cloned()
                .collect();
            return write_status(ctx, key, &d, &current, &rest, desired);
        }
    }
    let new_rs = match new_rs {
        None => {
            if ctx.store.get(&rs_ri, &key.ns, &rs_name).is_ok() {
                // A ReplicaSet of that name exists but is not ours: a hash collision in the
                // real controller; here it is a user's object, so leave things be.
                return Err(ApiError::internal(format!(
                    "replicaset {rs_name} exists and is not owned by deployment {}",
                    name(&d)
                )));
            }
            let rs = new_replica_set(
                &d,
                &template,
                &hash,
                &rs_name,
                new_target,
                max_rev.saturating_add(1),
            );
            Arc::new(ctx.create(&rs_ri, &key.ns, rs)?)
        }
        Some(rs) => {
            let mut patch = Map::new();
            if int_at(&rs, "/spec/replicas", 1) != new_target {
                patch.insert("spec".to_owned(), json!({"replicas": new_target}));
            }
            let rev = revision(&rs);
            let want_rev = if olds.iter().any(|o| revision(o) > rev) {
                max_rev.saturating_add(1)
            } else {
                rev.max(1)
            };
            if rev != want_rev
                || annotation(&rs, "deployment.kubernetes.io/desired-replicas")
                    != Some(desired.to_string().as_str())
            {
                patch.insert(
                    "metadata".to_owned(),
                    json!({"annotations": {
                        REVISION: want_rev.to_string(),
                        "deployment.kubernetes.io/desired-replicas": desired.to_string(),
                        "deployment.kubernetes.io/max-replicas": desired.saturating_add(max_surge(&d, desired)).to_string(),
                    }}),
                );
            }
            if patch.is_empty() {
                rs
            } else {
                Arc::new(ctx.patch(&rs_ri, &rs, Value::Object(patch))?)
            }
        }
    };

    // Old ReplicaSets go to zero once the new one is fully available (or at once for Recreate).
    let new_available = int_at(&new_rs, "/status/availableReplicas", 0);
    let new_synced = int_at(&new_rs, "/status/observedGeneration", 0) >= generation(&new_rs);
    if recreate || (new_synced && new_available >= desired) {
        for old in &olds {
            if int_at(old, "/spec/replicas", 1) != 0 {
                ctx.patch(&rs_ri, old, json!({"spec": {"replicas": 0}}))?;
            }
        }
    }
    prune_history(ctx, &d, &olds)?;

    let new_rev = revision(&new_rs).to_string();
    if annotation(&d, REVISION) != Some(new_rev.as_str()) {
        ctx.patch(
            &ri,
            &d,
            json!({"metadata": {"annotations": {REVISION: new_rev}}}),
        )?;
    }
    write_status(ctx, key, &d, &new_rs, &olds, desired)
}

fn max_surge(d: &Value, desired: i64) -> i64 {
    int_or_percent(
        d.pointer("/spec/strategy/rollingUpdate/maxSurge"),
        desired,
        0,
        true,
    )
}

fn new_replica_set(
    d: &Value,
    template: &Value,
    hash: &str,
    rs_name: &str,
    replicas: i64,
    revision: i64,
) -> Value {
    let mut tmpl = template.clone();
    if !tmpl.get("metadata").is_some_and(Value::is_object) {
        tmpl["metadata"] = json!({});
    }
    if !tmpl["metadata"].get("labels").is_some_and(Value::is_object) {
        tmpl["metadata"]["labels"] = json!({});
    }
    tmpl["metadata"]["labels"][HASH_LABEL] = json!(hash);
    let mut labels = template
        .pointer("/metadata/labels")
        .cloned()
        .unwrap_or_else(|| json!({}));
    labels[HASH_LABEL] = json!(hash);
    let mut selector = d
        .pointer("/spec/selector")
        .cloned()
        .unwrap_or_else(|| json!({}));
    if !selector.get("matchLabels").is_some_and(Value::is_object) {
        selector["matchLabels"] = json!({});
    }
    selector["matchLabels"][HASH_LABEL] = json!(hash);
    let desired = int_at(d, "/spec/replicas", 1);
    let mut spec = json!({
        "replicas": replicas,
        "selector": selector,
        "template": tmpl,
    });
    if let Some(m) = d.pointer("/spec/minReadySeconds") {
        spec["minReadySeconds"] = m.clone();
    }
    json!({
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": rs_name,
            "labels": labels,
            "annotations": {
                REVISION: revision.to_string(),
                "deployment.kubernetes.io/desired-replicas": desired.to_string(),
                "deployment.kubernetes.io/max-replicas": desired.saturating_add(max_surge(d, desired)).to_string(),
            },
            "ownerReferences": [owner_ref(d, "apps/v1", "Deployment")],
        },
        "spec": spec,
    })
}

/// Deletes the oldest scaled-down ReplicaSets beyond `revisionHistoryLimit`.
fn prune_history(ctx: &mut Ctx, d: &Value, olds: &[Arc<Value>]) -> Result<(), ApiError> {
    let limit = int_at(d, "/spec/revisionHistoryLimit", 10).max(0) as usize;
    let mut idle: Vec<&Arc<Value>> = olds
        .iter()
        .filter(|r| {
            int_at(r, "/spec/replicas", 1) == 0
                && int_at(r, "/status/replicas", 0) == 0
                && !terminating(r)
        })
        .collect();
    if idle.len() <= limit {
        return Ok(());
    }
    idle.sort_by_key(|r| revision(r));
    let excess = idle.len() - limit;
    let rs_ri = ctx.res.replicasets.clone();
    for r in idle.into_iter().take(excess) {
        ctx.delete(&rs_ri, r)?;
    }
    Ok(())
}

fn write_status(
    ctx: &mut Ctx,
    key: &Key,
    d: &Value,
    new_rs: &Value,
    olds: &[Arc<Value>],
    desired: i64,
) -> Result<(), ApiError> {
    let all: Vec<&Value> = std::iter::once(new_rs)
        .chain(olds.iter().map(|r| r.as_ref()))
        .collect();
    let sum = |ptr: &str| all.iter().map(|r| int_at(r, ptr, 0)).sum::<i64>();
    let replicas = sum("/status/replicas");
    let ready = sum("/status/readyReplicas");
    let available = sum("/status/availableReplicas");
    let updated = int_at(new_rs, "/status/replicas", 0);
    let new_available = int_at(new_rs, "/status/availableReplicas", 0);
    let max_unavailable =
        if d.pointer("/spec/strategy/type").and_then(Value::as_str) == Some("Recreate") {
            0
        } else {
            int_or_percent(
                d.pointer("/spec/strategy/rollingUpdate/maxUnavailable"),
                desired,
                0,
                false,
            )
        };
    let ts = now();
    let rs_name = name(new_rs).to_owned();
    let available_cond = if available >= desired.saturating_sub(max_unavailable) {
        make_condition(
            condition(d, "Available"),
            "Available",
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
            true,
            &ts,
        )
    } else {
        make_condition(
            condition(d, "Available"),
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
            true,
            &ts,
        )
    };
    let complete = updated == desired
        && replicas == desired
        && new_available == desired
        && int_at(new_rs, "/status/observedGeneration", 0) >= generation(new_rs);
    let paused = d.pointer("/spec/paused").and_then(Value::as_bool) == Some(true);
    let progressing_cond = if paused {
        ctx.progress.remove(uid(d));
        make_condition(
            condition(d, "Progressing"),
            "Progressing",
            "Unknown",
            "DeploymentPaused",
            "Deployment is paused",
            true,
            &ts,
        )
    } else if complete {
        make_condition(
            condition(d, "Progressing"),
            "Progressing",
            "True",
            "NewReplicaSetAvailable",
            &format!("ReplicaSet \"{rs_name}\" has successfully progressed."),
            true,
            &ts,
        )
    } else {
        let signature = format!(
            "{}/{rs_name}/{updated}/{ready}/{available}/{replicas}",
            generation(d)
        );
        let now_i = Instant::now();
        let entry = ctx
            .progress
            .entry(uid(d).to_owned())
            .or_insert_with(|| (signature.clone(), now_i));
        if entry.0 != signature {
            *entry = (signature, now_i);
        }
        let since = entry.1;
        let deadline =
            Duration::from_secs(int_at(d, "/spec/progressDeadlineSeconds", 600).max(0) as u64);
        if now_i.duration_since(since) >= deadline {
            make_condition(
                condition(d, "Progressing"),
                "Progressing",
                "False",
                "ProgressDeadlineExceeded",
                &format!("ReplicaSet \"{rs_name}\" has timed out progressing."),
                true,
                &ts,
            )
        } else {
            ctx.requeue_at(
                key.clone(),
                since
                    .checked_add(deadline)
                    .unwrap_or_else(|| super::after(deadline)),
            );
            make_condition(
                condition(d, "Progressing"),
                "Progressing",
                "True",
                "ReplicaSetUpdated",
                &format!("ReplicaSet \"{rs_name}\" is progressing."),
                true,
                &ts,
            )
        }
    };
    let mut m = Map::new();
    m.insert("observedGeneration".to_owned(), json!(generation(d)));
    m.insert("replicas".to_owned(), json!(replicas));
    m.insert("updatedReplicas".to_owned(), json!(updated));
    m.insert("readyReplicas".to_owned(), json!(ready));
    m.insert("availableReplicas".to_owned(), json!(available));
    m.insert(
        "unavailableReplicas".to_owned(),
        json!(replicas.max(desired).saturating_sub(available).max(0)),
    );
    omit_zero(&mut m);
    m.insert(
        "conditions".to_owned(),
        json!([available_cond, progressing_cond]),
    );
    ctx.write_status(&ctx.res.deployments.clone(), d, Value::Object(m))
}
