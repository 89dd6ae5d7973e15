//! PersistentVolumeClaim binding: after a delay a claim becomes `Bound` with `capacity`,
//! `accessModes` and `spec.volumeName`, backed (optionally) by a PersistentVolume `pvc-<uid>`
//! that is deleted with the claim. `sim.k8s.io/unbindable` keeps a claim Pending.

use serde_json::{Value, json};

use super::{Ctx, Key, UNBINDABLE, annotation, name, namespace, terminating, uid};
use crate::error::ApiError;

/// Reconciles one claim.
pub fn reconcile(ctx: &mut Ctx, key: &Key) -> Result<(), ApiError> {
    let ri = ctx.res.pvcs.clone();
    let pvc = match ctx.store.get(&ri, &key.ns, &key.name) {
        Ok(p) => p,
        Err(e) if e.code == 404 => return Ok(()),
        Err(e) => return Err(e),
    };
    if terminating(&pvc) || annotation(&pvc, UNBINDABLE).is_some_and(|v| v != "false") {
        return Ok(());
    }
    if pvc.pointer("/status/phase").and_then(Value::as_str) == Some("Bound") {
        return Ok(());
    }
    if !ctx.gate_random(&format!("{}/bind", uid(&pvc)), key) {
        return Ok(());
    }
    let storage = pvc
        .pointer("/spec/resources/requests/storage")
        .cloned()
        .unwrap_or_else(|| json!("1Gi"));
    let access_modes = pvc
        .pointer("/spec/accessModes")
        .cloned()
        .unwrap_or_else(|| json!(["ReadWriteOnce"]));
    let pv_name = pvc
        .pointer("/spec/volumeName")
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| format!("pvc-{}", uid(&pvc)));
    if ctx.config.create_volumes {
        ensure_volume(ctx, &pvc, &pv_name, &storage, &access_modes)?;
    }
    let bound = ctx.patch(
        &ri,
        &pvc,
        json!({
            "metadata": {"annotations": {
                "pv.kubernetes.io/bind-completed": "yes",
                "pv.kubernetes.io/bound-by-controller": "yes",
            }},
            "spec": {"volumeName": pv_name},
        }),
    )?;
    let status = json!({
        "phase": "Bound",
        "accessModes": access_modes,
        "capacity": {"storage": storage},
    });
    ctx.write_status(&ri, &bound, status)
}

fn ensure_volume(
    ctx: &mut Ctx,
    pvc: &Value,
    pv_name: &str,
    storage: &Value,
    access_modes: &Value,
) -> Result<(), ApiError> {
    let pvs = ctx.res.pvs.clone();
    let pv = match ctx.store.get(&pvs, "", pv_name) {
        Ok(pv) => pv,
        Err(e) if e.code == 404 => {
            let mut spec = json!({
                "capacity": {"storage": storage},
                "accessModes": access_modes,
                "persistentVolumeReclaimPolicy": "Delete",
                "volumeMode": pvc.pointer("/spec/volumeMode").cloned().unwrap_or_else(|| json!("Filesystem")),
                "hostPath": {"path": format!("/var/lib/kubesim/{pv_name}"), "type": ""},
                "claimRef": {
                    "apiVersion": "v1",
                    "kind": "PersistentVolumeClaim",
                    "namespace": namespace(pvc),
                    "name": name(pvc),
                    "uid": uid(pvc),
                },
            });
            if let Some(sc) = pvc.pointer("/spec/storageClassName") {
                spec["storageClassName"] = sc.clone();
            }
            let obj = json!({
                "apiVersion": "v1",
                "kind": "PersistentVolume",
                "metadata": {
                    "name": pv_name,
                    "annotations": {"pv.kubernetes.io/provisioned-by": "kubesim"},
                },
                "spec": spec,
            });
            match ctx.create(&pvs, "", obj) {
                Ok(pv) => pv,
                Err(e) if e.code == 409 => ctx.store.get(&pvs, "", pv_name)?,
                Err(e) => return Err(e),
            }
        }
        Err(e) => return Err(e),
    };
    ctx.write_status(&pvs, &pv, json!({"phase": "Bound"}))
}

/// A claim is gone: delete the volume provisioned for it.
pub fn on_deleted(ctx: &mut Ctx, pvc: &Value) {
    let pv_name = format!("pvc-{}", uid(pvc));
    let pvs = ctx.res.pvs.clone();
    if let Ok(pv) = ctx.store.get(&pvs, "", &pv_name)
        && pv
            .pointer("/spec/persistentVolumeReclaimPolicy")
            .and_then(Value::as_str)
            == Some("Delete")
        && let Err(e) = ctx.delete(&pvs, &pv)
    {
        tracing::debug!("deleting volume {pv_name}: {e}");
    }
}
