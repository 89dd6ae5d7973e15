//! The fake scheduler and kubelet.
//!
//! A pod moves Pending → scheduled (`nodeName`, `PodScheduled`) → Running (IPs, `startTime`,
//! all conditions True, containers running and ready), each step after a delay. Pods with
//! `restartPolicy` Never or OnFailure then finish after their run duration as Succeeded
//! (`terminated{exitCode:0,reason:Completed}`) or Failed (`exitCode:N, reason:Error`) per
//! `sim.k8s.io/exit-code`. `sim.k8s.io/never-ready` keeps the pod unready;
//! `sim.k8s.io/crashloop` leaves its containers waiting in CrashLoopBackOff. A pod with a
//! `deletionTimestamp` is removed after a short delay (its finalizers still hold it).

use std::time::Duration;

use serde_json::{Map, Value, json};

use super::{
    CRASHLOOP, Ctx, EXIT_CODE, KWOK_EXIT_CODE, KWOK_RUN_DURATION, Key, NEVER_READY, RUN_DURATION,
    annotation, condition, make_condition, name, node, now, parse_duration, pod_phase,
    selector_matches, terminating, uid,
};
use crate::error::ApiError;

/// Reconciles one pod.
pub fn reconcile(ctx: &mut Ctx, key: &Key) -> Result<(), ApiError> {
    let pods = ctx.res.pods.clone();
    let pod = match ctx.store.get(&pods, &key.ns, &key.name) {
        Ok(p) => p,
        Err(e) if e.code == 404 => return Ok(()),
        Err(e) => return Err(e),
    };
    let id = uid(&pod).to_owned();
    if terminating(&pod) {
        let gate = format!("{id}/remove");
        if !ctx.gate_random(&gate, key) {
            return Ok(());
        }
        return ctx.delete_with(&pods, &pod, Some(0));
    }
    match pod_phase(&pod) {
        "Succeeded" | "Failed" => return Ok(()),
        _ => {}
    }
    let node_name = pod
        .pointer("/spec/nodeName")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    if node_name.is_empty() {
        if !ctx.gate_random(&format!("{id}/schedule"), key) {
            return Ok(());
        }
        return schedule(ctx, &pod);
    }
    let started = pod.pointer("/status/startTime").is_some();
    if !started {
        if !ctx.gate_random(&format!("{id}/start"), key) {
            return Ok(());
        }
        return start(ctx, &pod, &node_name, key);
    }
    if runs_to_completion(&pod) && !has(&pod, CRASHLOOP) {
        let run = run_duration(&pod).unwrap_or_else(|| ctx.delay());
        if !ctx.gate(&format!("{id}/finish"), run, key) {
            return Ok(());
        }
        return finish(ctx, &pod, key);
    }
    Ok(())
}

fn has(pod: &Value, key: &str) -> bool {
    annotation(pod, key).is_some_and(|v| v != "false")
}

fn runs_to_completion(pod: &Value) -> bool {
    matches!(
        pod.pointer("/spec/restartPolicy").and_then(Value::as_str),
        Some("Never" | "OnFailure")
    )
}

fn run_duration(pod: &Value) -> Option<Duration> {
    annotation(pod, RUN_DURATION)
        .or_else(|| annotation(pod, KWOK_RUN_DURATION))
        .and_then(parse_duration)
}

/// The exit code the pod's containers end with.
pub fn exit_code(pod: &Value) -> i64 {
    annotation(pod, EXIT_CODE)
        .or_else(|| annotation(pod, KWOK_EXIT_CODE))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

fn conditions(pod: &Value) -> Vec<Value> {
    pod.pointer("/status/conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// Replaces condition `ty` in `list` (keeping timestamps where nothing changed).
fn set_condition(
    pod: &Value,
    list: &mut Vec<Value>,
    ty: &str,
    status: &str,
    reason: &str,
    message: &str,
    ts: &str,
) {
    let mut c = make_condition(condition(pod, ty), ty, status, reason, message, false, ts);
    if let Some(m) = c.as_object_mut() {
        m.insert("lastProbeTime".to_owned(), Value::Null);
    }
    match list
        .iter_mut()
        .find(|x| x.get("type").and_then(Value::as_str) == Some(ty))
    {
        Some(slot) => *slot = c,
        None => list.push(c),
    }
}

fn schedule(ctx: &mut Ctx, pod: &Value) -> Result<(), ApiError> {
    let selector = pod
        .pointer("/spec/nodeSelector")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let nodes: Vec<String> = ctx
        .node_names()
        .into_iter()
        .filter(|(_, n)| {
            let node_labels = super::labels(n);
            selector.iter().all(|(k, v)| node_labels.get(k) == Some(v))
                && n.pointer("/spec/unschedulable").and_then(Value::as_bool) != Some(true)
        })
        .map(|(name, _)| name)
        .collect();
    let ts = now();
    let mut status = pod.get("status").cloned().unwrap_or_else(|| json!({}));
    let mut conds = conditions(pod);
    if nodes.is_empty() {
        let total = ctx.node_names().len();
        set_condition(
            pod,
            &mut conds,
            "PodScheduled",
            "False",
            "Unschedulable",
            &format!(
                "0/{total} nodes are available: {total} node(s) didn't match Pod's node affinity/selector."
            ),
            &ts,
        );
        status["phase"] = json!("Pending");
        status["conditions"] = json!(conds);
        return ctx.write_status(&ctx.res.pods.clone(), pod, status);
    }
    let node = nodes[ctx.next_node % nodes.len()].clone();
    ctx.next_node = ctx.next_node.wrapping_add(1);
    let scheduled = ctx.patch(
        &ctx.res.pods.clone(),
        pod,
        json!({"spec": {"nodeName": node}}),
    )?;
    set_condition(&scheduled, &mut conds, "PodScheduled", "True", "", "", &ts);
    status["phase"] = json!("Pending");
    status["conditions"] = json!(conds);
    status["qosClass"] = json!(qos_class(pod));
    ctx.write_status(&ctx.res.pods.clone(), &scheduled, status)
}

fn container_names(pod: &Value, field: &str) -> Vec<(String, String)> {
    pod.pointer(&format!("/spec/{field}"))
        .and_then(Value::as_array)
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    (
                        c.get("name")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_owned(),
                        c.get("image")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn container_id(pod_uid: &str, container: &str) -> String {
    format!(
        "containerd://{}",
        super::template_hash(&json!([pod_uid, container]))
    )
}

fn image_id(image: &str) -> String {
    let bare = image.split('@').next().unwrap_or(image);
    format!("{bare}@sha256:{:0>64}", super::template_hash(&json!(image)))
}

fn start(ctx: &mut Ctx, pod: &Value, node_name: &str, key: &Key) -> Result<(), ApiError> {
    let ts = now();
    let host_ip = ctx
        .store
        .get(&ctx.res.nodes.clone(), "", node_name)
        .ok()
        .and_then(|n| node::ip_of(&n))
        .unwrap_or_else(|| "172.18.0.2".to_owned());
    let host_network = pod.pointer("/spec/hostNetwork").and_then(Value::as_bool) == Some(true);
    let pod_ip = if host_network {
        host_ip.clone()
    } else {
        ctx.alloc_pod_ip()
    };
    let never_ready = has(pod, NEVER_READY);
    let crashloop = has(pod, CRASHLOOP);
    let ready = !never_ready && !crashloop;
    let pod_uid = uid(pod).to_owned();
    let pod_name = name(pod).to_owned();
    let statuses: Vec<Value> = container_names(pod, "containers")
        .into_iter()
        .map(|(cname, image)| {
            let mut s = json!({
                "name": cname,
                "image": image,
                "imageID": image_id(&image),
                "containerID": container_id(&pod_uid, &cname),
                "ready": ready,
                "started": !crashloop,
                "restartCount": 0,
                "state": {"running": {"startedAt": ts}},
            });
            if crashloop {
                s["restartCount"] = json!(1);
                s["state"] = json!({"waiting": {
                    "reason": "CrashLoopBackOff",
                    "message": format!("back-off 10s restarting failed container={cname} pod={pod_name}_{}(...)", super::namespace(pod)),
                }});
                let code = match exit_code(pod) {
                    0 => 1,
                    c => c,
                };
                s["lastState"] = json!({"terminated": {
                    "exitCode": code, "reason": "Error", "startedAt": ts, "finishedAt": ts,
                    "containerID": container_id(&pod_uid, &cname),
                }});
            }
            s
        })
        .collect();
    let init_statuses: Vec<Value> = container_names(pod, "initContainers")
        .into_iter()
        .map(|(cname, image)| {
            json!({
                "name": cname, "image": image, "imageID": image_id(&image),
                "containerID": container_id(&pod_uid, &cname),
                "ready": true, "started": false, "restartCount": 0,
                "state": {"terminated": {"exitCode": 0, "reason": "Completed",
                          "startedAt": ts, "finishedAt": ts,
                          "containerID": container_id(&pod_uid, &cname)}},
            })
        })
        .collect();
    let unready: Vec<String> = statuses
        .iter()
        .filter(|s| s.get("ready") != Some(&json!(true)))
        .filter_map(|s| s.get("name").and_then(Value::as_str).map(str::to_owned))
        .collect();
    let unready_msg = format!("containers with unready status: [{}]", unready.join(" "));
    let mut conds = conditions(pod);
    set_condition(
        pod,
        &mut conds,
        "PodReadyToStartContainers",
        "True",
        "",
        "",
        &ts,
    );
    set_condition(pod, &mut conds, "Initialized", "True", "", "", &ts);
    if ready {
        set_condition(pod, &mut conds, "Ready", "True", "", "", &ts);
        set_condition(pod, &mut conds, "ContainersReady", "True", "", "", &ts);
    } else {
        set_condition(
            pod,
            &mut conds,
            "Ready",
            "False",
            "ContainersNotReady",
            &unready_msg,
            &ts,
        );
        set_condition(
            pod,
            &mut conds,
            "ContainersReady",
            "False",
            "ContainersNotReady",
            &unready_msg,
            &ts,
        );
    }
    set_condition(pod, &mut conds, "PodScheduled", "True", "", "", &ts);
    let mut status = pod.get("status").cloned().unwrap_or_else(|| json!({}));
    let Some(m) = status.as_object_mut() else {
        return Err(ApiError::internal("pod status is not an object"));
    };
    m.insert("phase".to_owned(), json!("Running"));
    m.insert("conditions".to_owned(), json!(conds));
    m.insert("hostIP".to_owned(), json!(host_ip));
    m.insert("hostIPs".to_owned(), json!([{"ip": host_ip}]));
    m.insert("podIP".to_owned(), json!(pod_ip));
    m.insert("podIPs".to_owned(), json!([{"ip": pod_ip}]));
    m.insert("startTime".to_owned(), json!(ts));
    m.insert("qosClass".to_owned(), json!(qos_class(pod)));
    m.insert("containerStatuses".to_owned(), json!(statuses));
    if !init_statuses.is_empty() {
        m.insert("initContainerStatuses".to_owned(), json!(init_statuses));
    }
    ctx.write_status(&ctx.res.pods.clone(), pod, status)?;
    if runs_to_completion(pod) {
        // The run-duration clock starts now.
        ctx.requeue(key.clone());
    }
    Ok(())
}

fn finish(ctx: &mut Ctx, pod: &Value, key: &Key) -> Result<(), ApiError> {
    let ts = now();
    let code = exit_code(pod);
    if code != 0 && pod.pointer("/spec/restartPolicy").and_then(Value::as_str) == Some("OnFailure")
    {
        return restart_failed(ctx, pod, key, code, &ts);
    }
    let (phase, reason) = if code == 0 {
        ("Succeeded", "Completed")
    } else {
        ("Failed", "Error")
    };
    let pod_uid = uid(pod).to_owned();
    let started_at = pod
        .pointer("/status/startTime")
        .cloned()
        .unwrap_or_else(|| json!(ts));
    let statuses: Vec<Value> = container_names(pod, "containers")
        .into_iter()
        .map(|(cname, image)| {
            json!({
                "name": cname, "image": image, "imageID": image_id(&image),
                "containerID": container_id(&pod_uid, &cname),
                "ready": false, "started": false, "restartCount": 0,
                "state": {"terminated": {"exitCode": code, "reason": reason,
                          "startedAt": started_at, "finishedAt": ts,
                          "containerID": container_id(&pod_uid, &cname)}},
            })
        })
        .collect();
    let mut conds = conditions(pod);
    set_condition(
        pod,
        &mut conds,
        "PodReadyToStartContainers",
        "False",
        "",
        "",
        &ts,
    );
    set_condition(pod, &mut conds, "Ready", "False", "PodCompleted", "", &ts);
    set_condition(
        pod,
        &mut conds,
        "ContainersReady",
        "False",
        "PodCompleted",
        "",
        &ts,
    );
    let mut status = pod.get("status").cloned().unwrap_or_else(|| json!({}));
    let Some(m) = status.as_object_mut() else {
        return Err(ApiError::internal("pod status is not an object"));
    };
    m.insert("phase".to_owned(), json!(phase));
    m.insert("conditions".to_owned(), json!(conds));
    m.insert("containerStatuses".to_owned(), json!(statuses));
    ctx.write_status(&ctx.res.pods.clone(), pod, status)
}

/// A failed container of an `OnFailure` pod restarts in place: its `restartCount` grows, the
/// failed run becomes `lastState`, and the next run is timed afresh. The pod stays Running.
fn restart_failed(
    ctx: &mut Ctx,
    pod: &Value,
    key: &Key,
    code: i64,
    ts: &str,
) -> Result<(), ApiError> {
    let pod_uid = uid(pod).to_owned();
    let mut status = pod.get("status").cloned().unwrap_or_else(|| json!({}));
    let Some(list) = status
        .get_mut("containerStatuses")
        .and_then(Value::as_array_mut)
    else {
        return Err(ApiError::internal(
            "pod has no container statuses to restart",
        ));
    };
    for c in list.iter_mut() {
        let cname = c
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let started = c
            .pointer("/state/running/startedAt")
            .cloned()
            .unwrap_or_else(|| json!(ts));
        let restarts = c.get("restartCount").and_then(Value::as_i64).unwrap_or(0) + 1;
        c["restartCount"] = json!(restarts);
        c["lastState"] = json!({"terminated": {
            "exitCode": code, "reason": "Error", "startedAt": started, "finishedAt": ts,
            "containerID": container_id(&pod_uid, &cname),
        }});
        c["state"] = json!({"running": {"startedAt": ts}});
    }
    ctx.write_status(&ctx.res.pods.clone(), pod, status)?;
    // The next run starts after a crash-loop style backoff that grows with the restarts, so
    // the owning Job sees each failure before the next one.
    let restarts = u32::try_from(
        pod.pointer("/status/containerStatuses/0/restartCount")
            .and_then(Value::as_i64)
            .unwrap_or(0)
            + 1,
    )
    .unwrap_or(u32::MAX);
    let step = ctx.delay().max(Duration::from_millis(20));
    let backoff = (step * restarts.min(50)).min(Duration::from_secs(10));
    let run = run_duration(pod).unwrap_or(Duration::ZERO);
    ctx.set_gate(
        &pod_uid,
        "finish",
        super::after(backoff.saturating_add(run)),
    );
    ctx.requeue(key.clone());
    Ok(())
}

/// The QoS class of a pod: Guaranteed when every container's cpu and memory limits equal its
/// requests, BestEffort when none sets any, Burstable otherwise.
pub fn qos_class(pod: &Value) -> &'static str {
    let containers: Vec<&Value> = ["containers", "initContainers"]
        .iter()
        .filter_map(|f| pod.pointer(&format!("/spec/{f}")).and_then(Value::as_array))
        .flatten()
        .collect();
    let res = |c: &Value, kind: &str| -> Map<String, Value> {
        c.pointer(&format!("/resources/{kind}"))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let any = containers
        .iter()
        .any(|c| !res(c, "requests").is_empty() || !res(c, "limits").is_empty());
    if !any {
        return "BestEffort";
    }
    let guaranteed = containers.iter().all(|c| {
        let limits = res(c, "limits");
        let requests = res(c, "requests");
        ["cpu", "memory"].iter().all(|r| {
            limits.get(*r).is_some() && requests.get(*r).is_none_or(|q| Some(q) == limits.get(*r))
        })
    });
    if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

/// Whether `pod` matches a Service or DaemonSet style selector (a plain label map).
pub fn matches_label_map(pod: &Value, selector: &Map<String, Value>) -> bool {
    selector_matches(&json!({ "matchLabels": selector }), &super::labels(pod))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qos() {
        let be = json!({"spec": {"containers": [{"name": "a"}]}});
        assert_eq!(qos_class(&be), "BestEffort");
        let g = json!({"spec": {"containers": [{"name": "a", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]}});
        assert_eq!(qos_class(&g), "Guaranteed");
        let b = json!({"spec": {"containers": [{"name": "a", "resources": {"requests": {"cpu": "1"}}}]}});
        assert_eq!(qos_class(&b), "Burstable");
    }

    #[test]
    fn exit_codes() {
        assert_eq!(exit_code(&json!({})), 0);
        assert_eq!(
            exit_code(&json!({"metadata": {"annotations": {EXIT_CODE: "3"}}})),
            3
        );
        assert_eq!(
            exit_code(&json!({"metadata": {"annotations": {KWOK_EXIT_CODE: "2"}}})),
            2
        );
        assert_eq!(
            exit_code(&json!({"metadata": {"annotations": {EXIT_CODE: "x"}}})),
            0
        );
    }
}
