//! ControllerRevisions for StatefulSets and DaemonSets: one `<owner>-<hash>` object per pod
//! template, numbered like the real controllers do (a template seen again gets the next
//! number), which `kubectl rollout history` and `kubectl rollout undo` read.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{Ctx, int_at, name, namespace, owner_ref, uid};
use crate::error::ApiError;

/// How many old revisions are kept (the workloads' default `revisionHistoryLimit`).
const DEFAULT_HISTORY: i64 = 10;

/// Ensures the ControllerRevision `rev_name` for `owner`'s current `template` exists and has
/// the highest revision number; prunes old ones beyond the history limit.
pub fn ensure(
    ctx: &mut Ctx,
    owner: &Value,
    owner_kind: &str,
    template: &Value,
    rev_name: &str,
    hash: &str,
) -> Result<(), ApiError> {
    let Ok(ri) = ctx.store.resource("apps", "v1", "controllerrevisions") else {
        return Ok(());
    };
    let ns = namespace(owner).to_owned();
    let owned: Vec<Arc<Value>> = ctx.owned(&ri.storage_key(), &ns, uid(owner));
    let max = owned
        .iter()
        .map(|r| int_at(r, "/revision", 0))
        .max()
        .unwrap_or(0);
    match owned.iter().find(|r| name(r) == rev_name) {
        Some(cur) => {
            if int_at(cur, "/revision", 0) < max {
                ctx.patch(&ri, cur, json!({"revision": max.saturating_add(1)}))?;
            }
        }
        None => {
            let mut labels = template
                .pointer("/metadata/labels")
                .cloned()
                .unwrap_or_else(|| json!({}));
            if labels.is_object() {
                labels["controller-revision-hash"] = json!(hash);
            }
            let mut tmpl = template.clone();
            if tmpl.is_object() {
                tmpl["$patch"] = json!("replace");
            }
            let obj = json!({
                "apiVersion": "apps/v1",
                "kind": "ControllerRevision",
                "metadata": {
                    "name": rev_name,
                    "labels": labels,
                    "ownerReferences": [owner_ref(owner, "apps/v1", owner_kind)],
                },
                "data": {"spec": {"template": tmpl}},
                "revision": max.saturating_add(1),
            });
            match ctx.create(&ri, &ns, obj) {
                Ok(_) => {}
                Err(e) if e.code == 409 => {}
                Err(e) => return Err(e),
            }
        }
    }
    let limit = int_at(owner, "/spec/revisionHistoryLimit", DEFAULT_HISTORY).max(0) as usize;
    let mut old: Vec<Arc<Value>> = ctx
        .owned(&ri.storage_key(), &ns, uid(owner))
        .into_iter()
        .filter(|r| name(r) != rev_name)
        .collect();
    if old.len() > limit {
        old.sort_by_key(|r| int_at(r, "/revision", 0));
        let excess = old.len() - limit;
        for r in old.into_iter().take(excess) {
            ctx.delete(&ri, &r)?;
        }
    }
    Ok(())
}
