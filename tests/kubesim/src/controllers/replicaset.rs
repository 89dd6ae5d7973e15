//! ReplicaSet and ReplicationController: keep `spec.replicas` pods `<name>-<5 chars>` owned by
//! the set, deleting extras, and report `replicas`, `fullyLabeledReplicas`, `readyReplicas`,
//! `availableReplicas` and `observedGeneration`.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::{
    Ctx, Key, Kind, condition, generation, int_at, labels, name, omit_zero, owner_ref, pod_active,
    pod_ready, terminating,
};
use crate::error::ApiError;

/// Most pods one reconcile creates.
const MAX_BURST: i64 = 500;

/// Reconciles one ReplicaSet or ReplicationController.
pub fn reconcile(ctx: &mut Ctx, key: &Key) -> Result<(), ApiError> {
    let (ri, api_version, kind) = match key.kind {
        Kind::ReplicationController => (ctx.res.rcs.clone(), "v1", "ReplicationController"),
        _ => (ctx.res.replicasets.clone(), "apps/v1", "ReplicaSet"),
    };
    let set = match ctx.store.get(&ri, &key.ns, &key.name) {
        Ok(s) => s,
        Err(e) if e.code == 404 => return Ok(()),
        Err(e) => return Err(e),
    };
    if terminating(&set) {
        return Ok(());
    }
    let desired = int_at(&set, "/spec/replicas", 1).max(0);
    let pods = ctx.owned_pods(&key.ns, super::uid(&set));
    let mut active: Vec<Arc<Value>> = pods.iter().filter(|p| pod_active(p)).cloned().collect();
    let count = active.len() as i64;
    if count < desired {
        let template = set
            .pointer("/spec/template")
            .cloned()
            .unwrap_or_else(|| json!({}));
        // Like the real controller's slow start, create in bounded batches; the pod events
        // bring us back for the rest.
        for _ in count..desired.min(count.saturating_add(MAX_BURST)) {
            let pod = pod_from_template(
                &template,
                &set,
                api_version,
                kind,
                &format!("{}-", name(&set)),
            );
            ctx.create(&ctx.res.pods.clone(), &key.ns, pod)?;
        }
    } else if count > desired {
        // Remove the least useful pods first: unscheduled, then unready, then the newest.
        active.sort_by_key(|p| {
            (
                p.pointer("/spec/nodeName").is_some(),
                pod_ready(p),
                std::cmp::Reverse(
                    p.pointer("/metadata/creationTimestamp")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_owned(),
                ),
            )
        });
        let extra = (count - desired) as usize;
        for p in active.iter().take(extra) {
            ctx.delete(&ctx.res.pods.clone(), p)?;
        }
    }
    // Status reflects the pods as they are now; the pod events of the writes above bring us
    // back here to count again.
    let pods = ctx.owned_pods(&key.ns, super::uid(&set));
    let active: Vec<&Arc<Value>> = pods.iter().filter(|p| pod_active(p)).collect();
    let template_labels = set
        .pointer("/spec/template/metadata/labels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let min_ready = int_at(&set, "/spec/minReadySeconds", 0);
    let ready = active.iter().filter(|p| pod_ready(p)).count() as i64;
    let mut available = 0i64;
    for p in &active {
        match available_since(p, min_ready) {
            Availability::Yes => available += 1,
            Availability::After(d) => {
                ctx.requeue_at(key.clone(), super::after(d));
            }
            Availability::No => {}
        }
    }
    let fully_labeled = active
        .iter()
        .filter(|p| {
            let l = labels(p);
            template_labels.iter().all(|(k, v)| l.get(k) == Some(v))
        })
        .count() as i64;
    let mut m = Map::new();
    m.insert("replicas".to_owned(), json!(active.len()));
    m.insert("fullyLabeledReplicas".to_owned(), json!(fully_labeled));
    m.insert("readyReplicas".to_owned(), json!(ready));
    m.insert("availableReplicas".to_owned(), json!(available));
    m.insert("observedGeneration".to_owned(), json!(generation(&set)));
    omit_zero(&mut m);
    // `replicas` is not omitempty in the API types.
    m.insert("replicas".to_owned(), json!(active.len()));
    ctx.write_status(&ri, &set, Value::Object(m))
}

/// Whether a ready pod counts as available after `min_ready` seconds.
#[derive(Debug, PartialEq)]
pub enum Availability {
    /// Available now.
    Yes,
    /// Ready, available after this long.
    After(Duration),
    /// Not ready.
    No,
}

/// Availability of `pod` for a set with `minReadySeconds = min_ready`.
pub fn available_since(pod: &Value, min_ready: i64) -> Availability {
    if !pod_ready(pod) {
        return Availability::No;
    }
    if min_ready <= 0 {
        return Availability::Yes;
    }
    let since = condition(pod, "Ready")
        .and_then(|c| c.get("lastTransitionTime"))
        .and_then(Value::as_str)
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
    let Some(since) = since else {
        return Availability::Yes;
    };
    let elapsed = chrono::Utc::now().signed_duration_since(since);
    let need = super::chrono_secs(min_ready);
    if elapsed >= need {
        Availability::Yes
    } else {
        let left = (need - elapsed).to_std().unwrap_or(Duration::ZERO);
        Availability::After(left + Duration::from_millis(10))
    }
}

/// A pod for a workload: the template's metadata and spec, owned by `owner`.
pub fn pod_from_template(
    template: &Value,
    owner: &Value,
    api_version: &str,
    kind: &str,
    generate_name: &str,
) -> Value {
    let mut meta = Map::new();
    meta.insert("generateName".to_owned(), json!(generate_name));
    for field in ["labels", "annotations", "finalizers"] {
        if let Some(v) = template.pointer(&format!("/metadata/{field}")) {
            meta.insert(field.to_owned(), v.clone());
        }
    }
    meta.insert(
        "ownerReferences".to_owned(),
        json!([owner_ref(owner, api_version, kind)]),
    );
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": Value::Object(meta),
        "spec": template.get("spec").cloned().unwrap_or_else(|| json!({})),
    })
}
