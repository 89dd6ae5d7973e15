//! Pieces every release operation shares: rendering a chart into a release,
//! running hooks, timestamps and status helpers.

use std::time::Duration;

use chart::engine::{CapabilitiesData, KubeVersion, ReleaseOptions, RenderOptions};
use helm_proto::hapi::chart::{Chart as PbChart, Config};
use helm_proto::hapi::release::{Hook, Info, Release, Status, hook, status};
use prost_types::Timestamp;

use crate::cluster::{Cluster, ClusterError, parse_manifest};
use crate::error::TillerError;

/// The hook delete-timeout annotation.
pub const HOOK_DELETE_TIMEOUT_ANNOTATION: &str = "helm.sh/hook-delete-timeout";

/// Now, as a protobuf timestamp.
pub fn now() -> Timestamp {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp {
        seconds: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        nanos: i32::try_from(d.subsec_nanos()).unwrap_or(0),
    }
}

/// The status code of a release.
pub fn code(rel: &Release) -> status::Code {
    rel.info
        .as_ref()
        .and_then(|i| i.status.as_ref())
        .map_or(status::Code::Unknown, Status::code)
}

/// Sets the status code and description of a release.
pub fn set_status(rel: &mut Release, code: status::Code, description: impl Into<String>) {
    let info = rel.info.get_or_insert_with(Info::default);
    info.status
        .get_or_insert_with(Status::default)
        .set_code(code);
    info.description = description.into();
}

/// Whether a code means an operation was under way.
pub fn is_pending(code: status::Code) -> bool {
    matches!(
        code,
        status::Code::PendingInstall | status::Code::PendingUpgrade | status::Code::PendingRollback
    )
}

/// A request timeout in seconds as a duration (0 means Helm's default 300 s).
pub fn timeout(seconds: i64) -> Duration {
    if seconds <= 0 {
        Duration::from_secs(300)
    } else {
        Duration::from_secs(seconds.unsigned_abs())
    }
}

/// Whether request values count as "none given" (Helm: nil, "" or "{}\n").
pub fn values_empty(config: Option<&Config>) -> bool {
    config.is_none_or(|c| c.raw.is_empty() || c.raw == "{}\n" || c.raw.trim() == "{}")
}

/// What rendering produced, ready to become a release.
#[derive(Debug)]
pub struct Rendered {
    /// Release manifest text.
    pub manifest: String,
    /// Hooks.
    pub hooks: Vec<Hook>,
    /// NOTES.txt.
    pub notes: String,
}

/// Inputs of a render.
#[derive(Debug)]
pub struct RenderInput<'a> {
    /// The chart.
    pub chart: &'a PbChart,
    /// User values.
    pub values: Option<&'a Config>,
    /// Release name.
    pub name: &'a str,
    /// Release namespace.
    pub namespace: &'a str,
    /// Revision.
    pub revision: i32,
    /// Upgrade (not install).
    pub is_upgrade: bool,
    /// Keep subchart notes.
    pub sub_notes: bool,
}

/// Renders a chart for a release (Tiller's `renderResources`).
pub async fn render(cluster: &Cluster, input: RenderInput<'_>) -> Result<Rendered, TillerError> {
    let chart = chart::proto::from_proto(input.chart.clone())?;
    let user = match input.values {
        Some(c) if !c.raw.trim().is_empty() => chart::values::read_values(&c.raw)
            .map_err(|e| TillerError::msg(format!("cannot parse values: {e}")))?,
        _ => chart::Values::new(),
    };
    let git_version = cluster.server_version().await?;
    let caps = CapabilitiesData {
        api_versions: cluster.api_versions().await?,
        kube_version: KubeVersion::from_git_version(&git_version),
        ..CapabilitiesData::default()
    };
    let t = now();
    let options = RenderOptions {
        release: ReleaseOptions {
            name: input.name.to_owned(),
            namespace: input.namespace.to_owned(),
            revision: i64::from(input.revision),
            is_install: !input.is_upgrade,
            is_upgrade: input.is_upgrade,
            time: chart::engine::objects::Timestamp {
                seconds: t.seconds,
                nanos: t.nanos,
            },
        },
        capabilities: caps,
        lint_mode: false,
        subchart_notes: input.sub_notes,
    };
    // Rendering is CPU work (and may recurse deeply); keep it off the async workers.
    let rendered =
        tokio::task::spawn_blocking(move || chart::engine::render_release(&chart, &user, &options))
            .await
            .map_err(|e| TillerError::msg(format!("render task failed: {e}")))?
            .map_err(|e| TillerError::msg(e.to_string()))?;
    let manifest = chart::engine::manifest::manifest_text(&rendered.manifests);
    let hooks = rendered.hooks.iter().map(hook_from_engine).collect();
    Ok(Rendered {
        manifest,
        hooks,
        notes: rendered.notes,
    })
}

fn hook_from_engine(h: &chart::engine::Hook) -> Hook {
    let events = h
        .events
        .iter()
        .filter_map(|e| event_from_str(e))
        .map(|e| e as i32)
        .collect();
    let delete_policies: Vec<i32> = h
        .delete_policies
        .iter()
        .filter_map(|p| match p.as_str() {
            "hook-succeeded" => Some(hook::DeletePolicy::Succeeded as i32),
            "hook-failed" => Some(hook::DeletePolicy::Failed as i32),
            "before-hook-creation" => Some(hook::DeletePolicy::BeforeHookCreation as i32),
            _ => None,
        })
        .collect();
    let annotated = goyaml::to_json(&h.content).ok().and_then(|v| {
        v.pointer("/metadata/annotations")
            .and_then(|a| a.get(HOOK_DELETE_TIMEOUT_ANNOTATION))
            .and_then(serde_json::Value::as_str)
            .and_then(|s| s.trim().parse::<i64>().ok())
    });
    let delete_timeout = match annotated {
        Some(t) => t,
        None if !delete_policies.is_empty() => 60,
        None => 0,
    };
    Hook {
        name: h.name.clone(),
        kind: h.kind.clone(),
        path: h.source.clone(),
        manifest: h.content.clone(),
        events,
        last_run: None,
        weight: i32::try_from(h.weight).unwrap_or(0),
        delete_policies,
        delete_timeout,
    }
}

fn event_from_str(e: &str) -> Option<hook::Event> {
    Some(match e {
        "pre-install" => hook::Event::PreInstall,
        "post-install" => hook::Event::PostInstall,
        "pre-delete" => hook::Event::PreDelete,
        "post-delete" => hook::Event::PostDelete,
        "pre-upgrade" => hook::Event::PreUpgrade,
        "post-upgrade" => hook::Event::PostUpgrade,
        "pre-rollback" => hook::Event::PreRollback,
        "post-rollback" => hook::Event::PostRollback,
        "test-success" => hook::Event::ReleaseTestSuccess,
        "test-failure" => hook::Event::ReleaseTestFailure,
        "crd-install" => hook::Event::CrdInstall,
        _ => return None,
    })
}

fn has_policy(h: &Hook, p: hook::DeletePolicy) -> bool {
    h.delete_policies.contains(&(p as i32))
}

/// Runs the hooks of `event` (Tiller's `execHook`): by weight then name,
/// each created and waited for, deleted first with `before-hook-creation`,
/// deleted on failure with `hook-failed` and after all succeeded with
/// `hook-succeeded`. Hook objects are not part of the release.
pub async fn exec_hooks(
    cluster: &Cluster,
    hooks: &mut [Hook],
    namespace: &str,
    event: hook::Event,
    timeout: Duration,
) -> Result<(), TillerError> {
    let mut selected: Vec<usize> = (0..hooks.len())
        .filter(|&i| hooks[i].events.contains(&(event as i32)))
        .collect();
    selected.sort_by(|&a, &b| {
        hooks[a]
            .weight
            .cmp(&hooks[b].weight)
            .then_with(|| hooks[a].name.cmp(&hooks[b].name))
    });
    if !selected.is_empty() {
        // Helm's kube client creates the release namespace on every create,
        // so pre-install hooks work in a namespace that does not exist yet.
        cluster.ensure_namespace(namespace).await?;
    }
    let mut executed = Vec::new();
    for i in selected {
        let h = &hooks[i];
        let mut objects = Vec::new();
        for mut doc in parse_manifest(&h.manifest)? {
            // Hook manifests carry no `# Source:` line; name the template.
            doc.source = h.path.clone();
            objects.push(cluster.resolve(namespace, doc).await?);
        }
        if has_policy(h, hook::DeletePolicy::BeforeHookCreation) {
            let wait = (h.delete_timeout > 0)
                .then(|| Duration::from_secs(h.delete_timeout.unsigned_abs()));
            for o in &objects {
                match cluster.delete_object(o, wait).await {
                    Ok(()) => {}
                    Err(e) if e.is_not_found() => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
        for o in &objects {
            if let Err(e) = cluster.create_object(o).await {
                tracing::warn!(hook = h.path, event = event_name(event), error = %e, "creating hook");
                return Err(e.into());
            }
        }
        let mut failure: Option<ClusterError> = None;
        for o in &objects {
            let waited = if event == hook::Event::CrdInstall {
                wait_established(cluster, o, timeout).await
            } else {
                cluster.wait_hook(o, timeout).await
            };
            if let Err(e) = waited {
                failure = Some(e);
                break;
            }
        }
        if let Some(e) = failure {
            tracing::warn!(hook = h.path, event = event_name(event), error = %e, "hook failed");
            if has_policy(h, hook::DeletePolicy::Failed) && event != hook::Event::CrdInstall {
                delete_hook_objects(cluster, &objects, h.delete_timeout).await;
            }
            return Err(e.into());
        }
        executed.push((i, objects));
    }
    let ran = now();
    for (i, objects) in executed {
        let h = &mut hooks[i];
        if has_policy(h, hook::DeletePolicy::Succeeded) {
            delete_hook_objects(cluster, &objects, h.delete_timeout).await;
        }
        h.last_run = Some(ran);
    }
    Ok(())
}

async fn delete_hook_objects(cluster: &Cluster, objects: &[crate::cluster::Object], timeout: i64) {
    let wait = (timeout > 0).then(|| Duration::from_secs(timeout.unsigned_abs()));
    for o in objects {
        if let Err(e) = cluster.delete_object(o, wait).await
            && !e.is_not_found()
        {
            tracing::warn!(object = o.display(), error = %e, "deleting hook object");
        }
    }
}

async fn wait_established(
    cluster: &Cluster,
    o: &crate::cluster::Object,
    timeout: Duration,
) -> Result<(), ClusterError> {
    if o.kind != "CustomResourceDefinition" {
        return Ok(());
    }
    let deadline = std::time::Instant::now() + timeout;
    loop {
        if let Some(live) = cluster.get(o).await? {
            let established = live
                .pointer("/status/conditions")
                .and_then(serde_json::Value::as_array)
                .is_some_and(|cs| {
                    cs.iter().any(|c| {
                        c.get("type").and_then(serde_json::Value::as_str) == Some("Established")
                            && c.get("status").and_then(serde_json::Value::as_str) == Some("True")
                    })
                });
            if established {
                return Ok(());
            }
        }
        if std::time::Instant::now() >= deadline {
            return Err(ClusterError::Timeout(format!(
                "CRD {} to be established",
                o.name
            )));
        }
        tokio::time::sleep(crate::cluster::POLL_INTERVAL).await;
    }
}

/// Helm's lower-case name of a hook event.
pub fn event_name(e: hook::Event) -> &'static str {
    match e {
        hook::Event::Unknown => "unknown",
        hook::Event::PreInstall => "pre-install",
        hook::Event::PostInstall => "post-install",
        hook::Event::PreDelete => "pre-delete",
        hook::Event::PostDelete => "post-delete",
        hook::Event::PreUpgrade => "pre-upgrade",
        hook::Event::PostUpgrade => "post-upgrade",
        hook::Event::PreRollback => "pre-rollback",
        hook::Event::PostRollback => "post-rollback",
        hook::Event::ReleaseTestSuccess => "test-success",
        hook::Event::ReleaseTestFailure => "test-failure",
        hook::Event::CrdInstall => "crd-install",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hooks_convert_with_delete_timeouts() {
        let h = chart::engine::Hook {
            source: "c/templates/job.yaml".to_owned(),
            kind: "Job".to_owned(),
            name: "j".to_owned(),
            events: vec!["pre-install".to_owned(), "post-upgrade".to_owned()],
            weight: 5,
            delete_policies: vec!["hook-succeeded".to_owned()],
            content: "kind: Job\nmetadata:\n  name: j\n".to_owned(),
        };
        let p = hook_from_engine(&h);
        assert_eq!(
            p.events,
            vec![
                hook::Event::PreInstall as i32,
                hook::Event::PostUpgrade as i32
            ]
        );
        assert_eq!(
            p.delete_policies,
            vec![hook::DeletePolicy::Succeeded as i32]
        );
        assert_eq!(p.delete_timeout, 60);
        assert_eq!(p.weight, 5);
        assert_eq!(p.path, "c/templates/job.yaml");
        let mut h2 = h.clone();
        h2.content = "kind: Job\nmetadata:\n  name: j\n  annotations:\n    helm.sh/hook-delete-timeout: \"7\"\n".to_owned();
        assert_eq!(hook_from_engine(&h2).delete_timeout, 7);
        h2.delete_policies.clear();
        h2.content = h.content;
        assert_eq!(hook_from_engine(&h2).delete_timeout, 0);
    }

    #[test]
    fn values_emptiness_and_timeouts() {
        assert!(values_empty(None));
        assert!(values_empty(Some(&Config {
            raw: "{}\n".to_owned(),
            values: Default::default()
        })));
        assert!(!values_empty(Some(&Config {
            raw: "a: 1\n".to_owned(),
            values: Default::default()
        })));
        assert_eq!(timeout(0), Duration::from_secs(300));
        assert_eq!(timeout(5), Duration::from_secs(5));
    }

    #[test]
    fn status_helpers() {
        let mut r = Release::default();
        assert_eq!(code(&r), status::Code::Unknown);
        set_status(&mut r, status::Code::PendingUpgrade, "x");
        assert!(is_pending(code(&r)));
        assert_eq!(r.info.as_ref().map(|i| i.description.as_str()), Some("x"));
    }
}
