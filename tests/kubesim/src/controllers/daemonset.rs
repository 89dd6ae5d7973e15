//! DaemonSet: one pod per eligible node (its `nodeSelector` matches the node's labels and the
//! node is schedulable), bound to the node directly; pods of an old template are replaced.
//!
//! Status: `observedGeneration` (kstatus insists on it), `desiredNumberScheduled`,
//! `currentNumberScheduled`, `updatedNumberScheduled`, `numberReady`, `numberAvailable`,
//! `numberMisscheduled` and `numberUnavailable`.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::{
    Ctx, Key, generation, labels, name, pod_active, pod_ready, template_hash, terminating, uid,
};
use crate::controllers::replicaset::{Availability, available_since, pod_from_template};
use crate::error::ApiError;

/// Reconciles one DaemonSet.
pub fn reconcile(ctx: &mut Ctx, key: &Key) -> Result<(), ApiError> {
    let ri = ctx.res.daemonsets.clone();
    let pods_ri = ctx.res.pods.clone();
    let ds = match ctx.store.get(&ri, &key.ns, &key.name) {
        Ok(d) => d,
        Err(e) if e.code == 404 => return Ok(()),
        Err(e) => return Err(e),
    };
    if terminating(&ds) {
        return Ok(());
    }
    let template = ds
        .pointer("/spec/template")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let hash = template_hash(&template);
    let rev_name = format!("{}-{hash}", name(&ds));
    super::revision::ensure(ctx, &ds, "DaemonSet", &template, &rev_name, &hash)?;
    let node_selector = template
        .pointer("/spec/nodeSelector")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let eligible: Vec<String> = ctx
        .node_names()
        .into_iter()
        .filter(|(_, n)| {
            let l = labels(n);
            node_selector.iter().all(|(k, v)| l.get(k) == Some(v))
                && n.pointer("/spec/unschedulable").and_then(Value::as_bool) != Some(true)
        })
        .map(|(n, _)| n)
        .collect();
    let mut by_node: BTreeMap<String, Vec<Arc<Value>>> = BTreeMap::new();
    for p in ctx.owned_pods(&key.ns, uid(&ds)) {
        let node = p
            .pointer("/spec/nodeName")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        by_node.entry(node).or_default().push(p);
    }
    let rolling = ds
        .pointer("/spec/updateStrategy/type")
        .and_then(Value::as_str)
        != Some("OnDelete");
    for node in &eligible {
        let pods = by_node.get(node).cloned().unwrap_or_default();
        if pods.is_empty() {
            let mut pod = pod_from_template(
                &template,
                &ds,
                "apps/v1",
                "DaemonSet",
                &format!("{}-", name(&ds)),
            );
            pod["spec"]["nodeName"] = json!(node);
            pod["metadata"]["labels"]["controller-revision-hash"] = json!(hash);
            pod["metadata"]["labels"]["pod-template-generation"] =
                json!(generation(&ds).to_string());
            ctx.create(&pods_ri, &key.ns, pod)?;
            continue;
        }
        for p in &pods {
            let stale = labels(p)
                .get("controller-revision-hash")
                .and_then(Value::as_str)
                != Some(hash.as_str());
            let finished = !terminating(p) && !pod_active(p);
            if (rolling && stale && !terminating(p)) || finished {
                ctx.delete(&pods_ri, p)?;
            }
        }
    }
    for (node, pods) in &by_node {
        if !eligible.contains(node) {
            for p in pods.iter().filter(|p| !terminating(p)) {
                ctx.delete(&pods_ri, p)?;
            }
        }
    }

    let pods: Vec<Arc<Value>> = ctx
        .owned_pods(&key.ns, uid(&ds))
        .into_iter()
        .filter(|p| pod_active(p))
        .collect();
    let on_eligible = |p: &&Arc<Value>| {
        p.pointer("/spec/nodeName")
            .and_then(Value::as_str)
            .is_some_and(|n| eligible.iter().any(|e| e == n))
    };
    let scheduled = pods.iter().filter(on_eligible).count() as i64;
    let misscheduled = pods.len() as i64 - scheduled;
    let ready = pods.iter().filter(|p| pod_ready(p)).count() as i64;
    let min_ready = super::int_at(&ds, "/spec/minReadySeconds", 0);
    let mut available = 0;
    for p in &pods {
        match available_since(p, min_ready) {
            Availability::Yes => available += 1,
            Availability::After(d) => ctx.requeue_at(key.clone(), super::after(d)),
            Availability::No => {}
        }
    }
    let updated = pods
        .iter()
        .filter(|p| {
            labels(p)
                .get("controller-revision-hash")
                .and_then(Value::as_str)
                == Some(hash.as_str())
        })
        .count() as i64;
    let desired = eligible.len() as i64;
    let mut m = Map::new();
    m.insert("currentNumberScheduled".to_owned(), json!(scheduled));
    m.insert("desiredNumberScheduled".to_owned(), json!(desired));
    m.insert("numberMisscheduled".to_owned(), json!(misscheduled));
    m.insert("numberReady".to_owned(), json!(ready));
    m.insert("observedGeneration".to_owned(), json!(generation(&ds)));
    m.insert("updatedNumberScheduled".to_owned(), json!(updated));
    m.insert("numberAvailable".to_owned(), json!(available));
    let unavailable = desired.saturating_sub(available).max(0);
    if unavailable > 0 {
        m.insert("numberUnavailable".to_owned(), json!(unavailable));
    }
    if available == 0 {
        m.remove("numberAvailable");
    }
    if updated == 0 {
        m.remove("updatedNumberScheduled");
    }
    ctx.write_status(&ri, &ds, Value::Object(m))
}
