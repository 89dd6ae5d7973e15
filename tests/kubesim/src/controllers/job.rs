//! Job: runs pods (labelled `job-name` and `controller-uid` by the template defaults) until
//! `completions` succeed, retrying failed ones up to `backoffLimit`.
//!
//! Status: `startTime` at once (kstatus reports "not started" without it), `active`, `ready`,
//! `succeeded`, `failed`; on success `completionTime` plus `SuccessCriteriaMet` and
//! `Complete=True`; on failure `FailureTarget` and `Failed=True` with reason
//! `BackoffLimitExceeded` (or `DeadlineExceeded` past `activeDeadlineSeconds`), after which the
//! remaining pods are deleted. `ttlSecondsAfterFinished` deletes a finished Job.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::{
    Ctx, Key, condition, condition_status, int_at, make_condition, name, now, pod_active,
    pod_phase, pod_ready, terminating, uid,
};
use crate::controllers::replicaset::pod_from_template;
use crate::error::ApiError;
use crate::store::DeleteOptions;

fn finished(job: &Value) -> Option<&'static str> {
    if condition_status(job, "Complete") == Some("True") {
        Some("Complete")
    } else if condition_status(job, "Failed") == Some("True") {
        Some("Failed")
    } else {
        None
    }
}

fn parse_time(s: Option<&str>) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s?)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// Reconciles one Job.
pub fn reconcile(ctx: &mut Ctx, key: &Key) -> Result<(), ApiError> {
    let ri = ctx.res.jobs.clone();
    let pods_ri = ctx.res.pods.clone();
    let job = match ctx.store.get(&ri, &key.ns, &key.name) {
        Ok(j) => j,
        Err(e) if e.code == 404 => return Ok(()),
        Err(e) => return Err(e),
    };
    if terminating(&job) {
        return Ok(());
    }
    let pods: Vec<Arc<Value>> = ctx.owned_pods(&key.ns, uid(&job));
    if let Some(outcome) = finished(&job) {
        if outcome == "Failed" {
            for p in pods.iter().filter(|p| pod_active(p)) {
                ctx.delete(&pods_ri, p)?;
            }
        }
        return ttl_cleanup(ctx, key, &job);
    }
    let ts = now();
    let succeeded = pods.iter().filter(|p| pod_phase(p) == "Succeeded").count() as i64;
    let mut failed = pods.iter().filter(|p| pod_phase(p) == "Failed").count() as i64;
    let active: Vec<&Arc<Value>> = pods.iter().filter(|p| pod_active(p)).collect();
    let ready = active.iter().filter(|p| pod_ready(p)).count() as i64;
    // With restartPolicy OnFailure containers restart in place, and each restart counts
    // against backoffLimit.
    let on_failure = job
        .pointer("/spec/template/spec/restartPolicy")
        .and_then(Value::as_str)
        == Some("OnFailure");
    let restarts: i64 = if on_failure {
        active
            .iter()
            .filter_map(|p| {
                p.pointer("/status/containerStatuses")
                    .and_then(Value::as_array)
            })
            .flatten()
            .filter_map(|c| c.get("restartCount").and_then(Value::as_i64))
            .sum()
    } else {
        0
    };
    let completions = job
        .pointer("/spec/completions")
        .and_then(Value::as_i64)
        .unwrap_or(1)
        .max(1);
    let parallelism = int_at(&job, "/spec/parallelism", 1).max(0);
    let backoff_limit = int_at(&job, "/spec/backoffLimit", 6).max(0);
    let suspended = job.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true);
    let start_time = job
        .pointer("/status/startTime")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| ts.clone());

    let mut status = job
        .get("status")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if !suspended {
        status.insert("startTime".to_owned(), json!(start_time));
    }
    let mut conds: Vec<Value> = job
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let push = |job: &Value, conds: &mut Vec<Value>, ty: &str, reason: &str, msg: &str| {
        let c = make_condition(condition(job, ty), ty, "True", reason, msg, false, &ts);
        let mut c = c;
        if let Some(m) = c.as_object_mut() {
            m.insert("lastProbeTime".to_owned(), json!(ts));
        }
        conds.retain(|x| x.get("type").and_then(Value::as_str) != Some(ty));
        conds.push(c);
    };

    let deadline_passed = job
        .pointer("/spec/activeDeadlineSeconds")
        .and_then(Value::as_i64)
        .and_then(|secs| {
            let started = parse_time(Some(&start_time))?;
            let elapsed = chrono::Utc::now().signed_duration_since(started);
            let limit = super::chrono_secs(secs);
            if elapsed >= limit {
                Some(true)
            } else {
                let left = (limit - elapsed).to_std().unwrap_or(Duration::ZERO);
                ctx.requeue_at(
                    key.clone(),
                    super::after(left.saturating_add(Duration::from_millis(10))),
                );
                Some(false)
            }
        })
        .unwrap_or(false);

    let mut done = false;
    if succeeded >= completions {
        let msg = "Reached expected number of succeeded pods";
        push(
            &job,
            &mut conds,
            "SuccessCriteriaMet",
            "CompletionsReached",
            msg,
        );
        push(&job, &mut conds, "Complete", "CompletionsReached", msg);
        status.insert("completionTime".to_owned(), json!(ts));
        done = true;
    } else if failed.saturating_add(restarts) > backoff_limit || deadline_passed {
        let (reason, msg) = if deadline_passed {
            (
                "DeadlineExceeded",
                "Job was active longer than specified deadline",
            )
        } else {
            (
                "BackoffLimitExceeded",
                "Job has reached the specified backoff limit",
            )
        };
        push(&job, &mut conds, "FailureTarget", reason, msg);
        push(&job, &mut conds, "Failed", reason, msg);
        done = true;
        for p in &active {
            ctx.delete(&pods_ri, p)?;
        }
        // The pods terminated for the failure count as failed, as the real controller counts.
        failed += active.len() as i64;
    } else if !suspended {
        let want = parallelism.min(completions.saturating_sub(succeeded));
        let missing = want - active.len() as i64;
        if missing > 0 {
            // Retries after a failure wait a little, like the real controller's backoff.
            let gate = format!("{}/retry-{failed}", uid(&job));
            if failed == 0 || ctx.gate_random(&gate, key) {
                let template = job
                    .pointer("/spec/template")
                    .cloned()
                    .unwrap_or_else(|| json!({}));
                for _ in 0..missing.min(500) {
                    let pod = pod_from_template(
                        &template,
                        &job,
                        "batch/v1",
                        "Job",
                        &format!("{}-", name(&job)),
                    );
                    ctx.create(&pods_ri, &key.ns, pod)?;
                }
            }
        }
    }

    let active_now = if done {
        0
    } else {
        ctx.owned_pods(&key.ns, uid(&job))
            .iter()
            .filter(|p| pod_active(p))
            .count() as i64
    };
    set_count(&mut status, "active", active_now);
    set_count(&mut status, "succeeded", succeeded);
    set_count(&mut status, "failed", failed);
    status.insert("ready".to_owned(), json!(if done { 0 } else { ready }));
    status.insert("terminating".to_owned(), json!(0));
    status.insert("uncountedTerminatedPods".to_owned(), json!({}));
    if !conds.is_empty() {
        status.insert("conditions".to_owned(), json!(conds));
    }
    ctx.write_status(&ri, &job, Value::Object(status))?;
    if done {
        let fresh = ctx.store.get(&ri, &key.ns, &key.name)?;
        ttl_cleanup(ctx, key, &fresh)?;
    }
    Ok(())
}

fn set_count(status: &mut Map<String, Value>, key: &str, n: i64) {
    if n == 0 {
        status.remove(key);
    } else {
        status.insert(key.to_owned(), json!(n));
    }
}

/// Deletes a finished Job `ttlSecondsAfterFinished` after it finished.
fn ttl_cleanup(ctx: &mut Ctx, key: &Key, job: &Value) -> Result<(), ApiError> {
    let Some(ttl) = job
        .pointer("/spec/ttlSecondsAfterFinished")
        .and_then(Value::as_i64)
    else {
        return Ok(());
    };
    let finished_at = ["Complete", "Failed"]
        .iter()
        .filter_map(|t| condition(job, t))
        .filter_map(|c| c.get("lastTransitionTime").and_then(Value::as_str))
        .filter_map(|t| parse_time(Some(t)))
        .max();
    let Some(finished_at) = finished_at else {
        return Ok(());
    };
    let Some(due) = finished_at.checked_add_signed(super::chrono_secs(ttl.max(0))) else {
        return Ok(());
    };
    let left = due.signed_duration_since(chrono::Utc::now());
    if left > chrono::Duration::zero() {
        let wait = left.to_std().unwrap_or(Duration::ZERO);
        ctx.requeue_at(
            key.clone(),
            super::after(wait.saturating_add(Duration::from_millis(10))),
        );
        return Ok(());
    }
    let opts = DeleteOptions {
        precondition_uid: Some(uid(job).to_owned()),
        propagation_policy: Some("Background".to_owned()),
        ..DeleteOptions::default()
    };
    match ctx
        .store
        .delete(&ctx.res.jobs.clone(), &key.ns, &key.name, &opts)
    {
        Ok(_) => Ok(()),
        Err(e) if e.code == 404 || e.code == 409 => Ok(()),
        Err(e) => Err(e),
    }
}
