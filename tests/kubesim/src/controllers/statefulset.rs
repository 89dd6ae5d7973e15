//! StatefulSet: pods `<sts>-0..N-1` with stable names, created in order (each waits for the
//! previous one to be Running and Ready under `OrderedReady`; all at once under `Parallel`),
//! PVCs `<claim>-<sts>-<i>` from `volumeClaimTemplates`, scale-down from the highest ordinal,
//! and rolling updates that replace old-revision pods from the highest ordinal down.
//!
//! Status: `observedGeneration`, `replicas`, `readyReplicas`, `availableReplicas`,
//! `currentReplicas`, `updatedReplicas`, `currentRevision`, `updateRevision` (equal once the
//! rollout is done) and `collisionCount`.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::{
    Ctx, Key, generation, int_at, labels, name, owner_ref, pod_phase, pod_ready, template_hash,
    terminating, uid,
};
use crate::error::ApiError;

/// Pod label naming the revision a pod was created from.
pub const REVISION_LABEL: &str = "controller-revision-hash";

fn ordinal(sts_name: &str, pod: &Value) -> Option<i64> {
    name(pod)
        .strip_prefix(sts_name)?
        .strip_prefix('-')?
        .parse()
        .ok()
}

/// Reconciles one StatefulSet.
pub fn reconcile(ctx: &mut Ctx, key: &Key) -> Result<(), ApiError> {
    let ri = ctx.res.statefulsets.clone();
    let pods_ri = ctx.res.pods.clone();
    let sts = match ctx.store.get(&ri, &key.ns, &key.name) {
        Ok(s) => s,
        Err(e) if e.code == 404 => return Ok(()),
        Err(e) => return Err(e),
    };
    if terminating(&sts) {
        return Ok(());
    }
    let sts_name = name(&sts).to_owned();
    let desired = int_at(&sts, "/spec/replicas", 1).max(0);
    let template = sts
        .pointer("/spec/template")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let update_revision = format!("{sts_name}-{}", template_hash(&template));
    let parallel = sts
        .pointer("/spec/podManagementPolicy")
        .and_then(Value::as_str)
        == Some("Parallel");
    let hash = update_revision
        .rsplit('-')
        .next()
        .unwrap_or_default()
        .to_owned();
    super::revision::ensure(ctx, &sts, "StatefulSet", &template, &update_revision, &hash)?;
    let on_delete = sts
        .pointer("/spec/updateStrategy/type")
        .and_then(Value::as_str)
        == Some("OnDelete");
    let partition = int_at(&sts, "/spec/updateStrategy/rollingUpdate/partition", 0);

    let mut by_ordinal: Vec<(i64, Arc<Value>)> = ctx
        .owned_pods(&key.ns, uid(&sts))
        .into_iter()
        .filter_map(|p| ordinal(&sts_name, &p).map(|i| (i, p)))
        .collect();
    by_ordinal.sort_by_key(|(i, _)| *i);
    let any_terminating = by_ordinal.iter().any(|(_, p)| terminating(p));

    // Failed pods are replaced.
    for (_, p) in &by_ordinal {
        if !terminating(p) && pod_phase(p) == "Failed" {
            ctx.delete(&pods_ri, p)?;
        }
    }

    // Create missing pods in order (in bounded batches under Parallel).
    let mut created = 0;
    for i in 0..desired {
        if created >= 500 {
            break;
        }
        let existing = by_ordinal
            .iter()
            .find(|(o, _)| *o == i)
            .map(|(_, p)| p.clone());
        match existing {
            None => {
                if any_terminating && !parallel {
                    break;
                }
                ensure_claims(ctx, &sts, i)?;
                let pod = stateful_pod(&sts, &template, i, &update_revision);
                match ctx.create(&pods_ri, &key.ns, pod) {
                    Ok(_) => created += 1,
                    // The previous incarnation is still being removed; its deletion event
                    // brings us back.
                    Err(e) if e.code == 409 => {}
                    Err(e) => return Err(e),
                }
                if !parallel {
                    break;
                }
            }
            Some(p) => {
                if !parallel && (terminating(&p) || !(pod_phase(&p) == "Running" && pod_ready(&p)))
                {
                    break;
                }
            }
        }
    }

    // Scale down from the highest ordinal, one at a time unless Parallel.
    let mut extra: Vec<&(i64, Arc<Value>)> = by_ordinal
        .iter()
        .filter(|(i, p)| *i >= desired && !terminating(p))
        .collect();
    extra.sort_by_key(|(i, _)| std::cmp::Reverse(*i));
    for (_, p) in extra.iter().take(if parallel { usize::MAX } else { 1 }) {
        if !parallel && any_terminating {
            break;
        }
        ctx.delete(&pods_ri, p)?;
    }

    // Rolling update: once every pod is up and ready, replace the highest old-revision pod.
    let all_ready = (0..desired).all(|i| {
        by_ordinal
            .iter()
            .any(|(o, p)| *o == i && !terminating(p) && pod_ready(p))
    });
    if !on_delete && all_ready && !any_terminating {
        let stale = by_ordinal
            .iter()
            .rev()
            .find(|(i, p)| *i < desired && *i >= partition && pod_revision(p) != update_revision);
        if let Some((_, p)) = stale {
            ctx.delete(&pods_ri, p)?;
        }
    }

    write_status(ctx, &sts, desired, &update_revision)
}

fn pod_revision(p: &Value) -> String {
    labels(p)
        .get(REVISION_LABEL)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned()
}

fn claim_name(claim: &Value, sts_name: &str, i: i64) -> String {
    format!("{}-{sts_name}-{i}", name(claim))
}

fn claim_templates(sts: &Value) -> Vec<Value> {
    sts.pointer("/spec/volumeClaimTemplates")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// Creates the PVCs of ordinal `i` that do not exist yet.
fn ensure_claims(ctx: &mut Ctx, sts: &Value, i: i64) -> Result<(), ApiError> {
    let pvcs = ctx.res.pvcs.clone();
    let ns = super::namespace(sts).to_owned();
    let selector_labels = sts
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for claim in claim_templates(sts) {
        let cname = claim_name(&claim, name(sts), i);
        if ctx.store.get(&pvcs, &ns, &cname).is_ok() {
            continue;
        }
        let mut l = labels(&claim);
        for (k, v) in &selector_labels {
            l.insert(k.clone(), v.clone());
        }
        let mut meta = Map::new();
        meta.insert("name".to_owned(), json!(cname));
        meta.insert("labels".to_owned(), Value::Object(l));
        if let Some(a) = claim.pointer("/metadata/annotations") {
            meta.insert("annotations".to_owned(), a.clone());
        }
        let pvc = json!({
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": Value::Object(meta),
            "spec": claim.get("spec").cloned().unwrap_or_else(|| json!({})),
        });
        match ctx.create(&pvcs, &ns, pvc) {
            Ok(_) => {}
            Err(e) if e.code == 409 => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn stateful_pod(sts: &Value, template: &Value, i: i64, revision: &str) -> Value {
    let sts_name = name(sts);
    let pod_name = format!("{sts_name}-{i}");
    let mut l = template
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    l.insert(REVISION_LABEL.to_owned(), json!(revision));
    l.insert(
        "statefulset.kubernetes.io/pod-name".to_owned(),
        json!(pod_name),
    );
    l.insert(
        "apps.kubernetes.io/pod-index".to_owned(),
        json!(i.to_string()),
    );
    let mut meta = Map::new();
    meta.insert("name".to_owned(), json!(pod_name));
    meta.insert("labels".to_owned(), Value::Object(l));
    if let Some(a) = template.pointer("/metadata/annotations") {
        meta.insert("annotations".to_owned(), a.clone());
    }
    meta.insert(
        "ownerReferences".to_owned(),
        json!([owner_ref(sts, "apps/v1", "StatefulSet")]),
    );
    let mut spec = template.get("spec").cloned().unwrap_or_else(|| json!({}));
    if !spec.is_object() {
        spec = json!({});
    }
    spec["hostname"] = json!(pod_name);
    if let Some(svc) = sts.pointer("/spec/serviceName").and_then(Value::as_str)
        && !svc.is_empty()
    {
        spec["subdomain"] = json!(svc);
    }
    let claims = claim_templates(sts);
    if !claims.is_empty() {
        let mut volumes: Vec<Value> = spec
            .get("volumes")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for claim in &claims {
            let vname = name(claim);
            volumes.retain(|v| v.get("name").and_then(Value::as_str) != Some(vname));
            volumes.push(json!({
                "name": vname,
                "persistentVolumeClaim": {"claimName": claim_name(claim, sts_name, i)},
            }));
        }
        spec["volumes"] = json!(volumes);
    }
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": Value::Object(meta),
        "spec": spec,
    })
}

fn write_status(
    ctx: &mut Ctx,
    sts: &Value,
    desired: i64,
    update_revision: &str,
) -> Result<(), ApiError> {
    let sts_name = name(sts).to_owned();
    let pods: Vec<Arc<Value>> = ctx
        .owned_pods(super::namespace(sts), uid(sts))
        .into_iter()
        .filter(|p| ordinal(&sts_name, p).is_some() && !terminating(p))
        .collect();
    let replicas = pods.len() as i64;
    let ready = pods.iter().filter(|p| pod_ready(p)).count() as i64;
    let updated = pods
        .iter()
        .filter(|p| pod_revision(p) == update_revision)
        .count() as i64;
    let old_current = sts
        .pointer("/status/currentRevision")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let done = updated == desired && ready == desired && replicas == desired;
    let current_revision = if done || old_current.is_empty() {
        update_revision.to_owned()
    } else {
        old_current
    };
    let current = pods
        .iter()
        .filter(|p| pod_revision(p) == current_revision)
        .count() as i64;
    let mut m = Map::new();
    m.insert("observedGeneration".to_owned(), json!(generation(sts)));
    m.insert("replicas".to_owned(), json!(replicas));
    m.insert("readyReplicas".to_owned(), json!(ready));
    m.insert("availableReplicas".to_owned(), json!(ready));
    m.insert("currentReplicas".to_owned(), json!(current));
    m.insert("updatedReplicas".to_owned(), json!(updated));
    m.insert("currentRevision".to_owned(), json!(current_revision));
    m.insert("updateRevision".to_owned(), json!(update_revision));
    m.insert("collisionCount".to_owned(), json!(0));
    let mut status = Value::Object(m);
    if let Some(obj) = status.as_object_mut() {
        for k in ["readyReplicas", "currentReplicas", "updatedReplicas"] {
            if obj.get(k).and_then(Value::as_i64) == Some(0) {
                obj.remove(k);
            }
        }
    }
    ctx.write_status(&ctx.res.statefulsets.clone(), sts, status)
}
