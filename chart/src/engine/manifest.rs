//! From rendered templates to a release: notes, hooks and manifests sorted in Helm v2's install
//! order (Tiller's `sortManifests`), and the `helm template` output layout.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use thiserror::Error;

use super::render::{RenderError, RenderOptions, render};
use crate::Chart;
use crate::requirements::{self, RequirementsError};
use crate::semver;
use crate::values::{self, Values, ValuesError};
use crate::yaml::{self, Object};

/// Helm v2's install order of kinds; unknown kinds go after all of these.
pub const INSTALL_ORDER: [&str; 33] = [
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "Secret",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "ServiceAccount",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "Ingress",
    "APIService",
];

/// The hook annotation.
pub const HOOK_ANNOTATION: &str = "helm.sh/hook";
/// The hook weight annotation.
pub const HOOK_WEIGHT_ANNOTATION: &str = "helm.sh/hook-weight";
/// The hook delete policy annotation.
pub const HOOK_DELETE_ANNOTATION: &str = "helm.sh/hook-delete-policy";

const HOOK_EVENTS: [&str; 11] = [
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test-success",
    "test-failure",
    "crd-install",
];

const DELETE_POLICIES: [&str; 3] = ["hook-succeeded", "hook-failed", "before-hook-creation"];

/// One document of the release manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The template it came from (`mychart/templates/deploy.yaml`).
    pub source: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// The document text (trimmed).
    pub content: String,
}

/// A hook document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hook {
    /// The template it came from.
    pub source: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// The events (`pre-install`, `test-success`, ...).
    pub events: Vec<String>,
    /// `helm.sh/hook-weight` (0 when absent or not an integer).
    pub weight: i64,
    /// `helm.sh/hook-delete-policy` entries Helm v2 knows.
    pub delete_policies: Vec<String>,
    /// The document text (trimmed).
    pub content: String,
}

/// A rendered release.
#[derive(Debug, Clone, PartialEq)]
pub struct Release {
    /// The manifests, in install order.
    pub manifests: Vec<Manifest>,
    /// The hooks, in template order.
    pub hooks: Vec<Hook>,
    /// The top chart's rendered NOTES.txt (empty if none).
    pub notes: String,
    /// The computed values the templates saw.
    pub values: Values,
    /// The chart after requirements processing (disabled subcharts removed, aliases applied,
    /// imported values merged).
    pub chart: Chart,
}

/// Errors of [`render_release`].
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ReleaseError {
    /// Requirements are missing or malformed.
    #[error(transparent)]
    Requirements(#[from] RequirementsError),
    /// Values could not be coalesced.
    #[error(transparent)]
    Values(#[from] ValuesError),
    /// A template failed.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// The chart's `tillerVersion` or `kubeVersion` constraint rejects the target.
    #[error("{0}")]
    Incompatible(String),
    /// A rendered document is not valid YAML.
    #[error("YAML parse error on {file}: {message}")]
    Yaml {
        /// The template.
        file: String,
        /// The parser's message.
        message: String,
    },
}

/// What `helm install` does between loading a chart and storing the release: check and process
/// requirements, coalesce values, render, then split the output into notes, hooks and sorted
/// manifests.
pub fn render_release(
    chart: &Chart,
    user: &Values,
    options: &RenderOptions,
) -> Result<Release, ReleaseError> {
    requirements::check_dependencies(chart)?;
    let mut chart = chart.clone();
    requirements::process_enabled(&mut chart, user)?;
    requirements::process_import_values(&mut chart)?;
    let computed = values::coalesce_values(&chart, user)?;
    check_versions(&chart, options)?;
    let mut rendered = render(&chart, &computed, options)?;
    // Tiller concatenates the notes it keeps with newlines (subchart notes only on request; Go's
    // map order there, sorted here).
    let notes_name = format!("{}/templates/NOTES.txt", chart.metadata.name);
    let notes: Vec<&str> = rendered
        .iter()
        .filter(|(name, _)| {
            name.ends_with("NOTES.txt") && (options.subchart_notes || **name == notes_name)
        })
        .map(|(_, text)| text.as_str())
        .collect();
    let notes = notes.join("\n");
    rendered.retain(|name, _| !name.ends_with("NOTES.txt"));
    let (hooks, manifests) = sort_manifests(&rendered)?;
    Ok(Release {
        manifests,
        hooks,
        notes,
        values: computed,
        chart,
    })
}

/// Tiller's guards: the chart's `tillerVersion` must admit the Tiller version and its
/// `kubeVersion` the cluster's (build metadata after `+` ignored).
fn check_versions(chart: &Chart, options: &RenderOptions) -> Result<(), ReleaseError> {
    let caps = &options.capabilities;
    let tiller = &caps.tiller_version.sem_ver;
    let m = &chart.metadata;
    if !m.tiller_version.is_empty() && !semver::is_compatible_range(&m.tiller_version, tiller) {
        return Err(ReleaseError::Incompatible(format!(
            "Chart incompatible with Tiller {tiller}"
        )));
    }
    if !m.kube_version.is_empty() {
        let git = &caps.kube_version.git_version;
        let k8s = git.split('+').next().unwrap_or(git);
        if !semver::is_compatible_range(&m.kube_version, k8s) {
            return Err(ReleaseError::Incompatible(format!(
                "Chart requires kubernetesVersion: {} which is incompatible with Kubernetes {k8s}",
                m.kube_version
            )));
        }
    }
    Ok(())
}

/// The `kind`, `metadata.name` and annotations of a document.
struct Head {
    kind: String,
    name: String,
    annotations: BTreeMap<String, String>,
}

fn parse_head(doc: &str) -> Result<Head, String> {
    let node = yaml::parse(doc).map_err(|e| e.message)?;
    let o = Object::new(&node, "util.SimpleHead").map_err(|e| e.message)?;
    let kind = o.string("kind").map_err(|e| e.message)?;
    let (name, annotations) = match o.field("metadata") {
        None | Some(yaml::Node::Null) => (String::new(), BTreeMap::new()),
        Some(meta) => {
            let m = Object::new(meta, "util.SimpleHead.metadata").map_err(|e| e.message)?;
            (
                m.string("name").map_err(|e| e.message)?,
                m.string_map("annotations").map_err(|e| e.message)?,
            )
        }
    };
    Ok(Head {
        kind,
        name,
        annotations,
    })
}

/// Tiller's `sortManifests`: partials and blank files skipped, each file split into documents,
/// hooks separated, the rest sorted by kind in install order (then by file name).
pub fn sort_manifests(
    files: &BTreeMap<String, String>,
) -> Result<(Vec<Hook>, Vec<Manifest>), ReleaseError> {
    let mut hooks = Vec::new();
    let mut generic = Vec::new();
    for (path, content) in files {
        let base = path.rsplit('/').next().unwrap_or(path);
        if base.starts_with('_') || content.trim().is_empty() {
            continue;
        }
        for doc in goyaml::split_manifests(content) {
            let head = parse_head(&doc).map_err(|message| ReleaseError::Yaml {
                file: path.clone(),
                message,
            })?;
            let Some(hook_types) = head.annotations.get(HOOK_ANNOTATION) else {
                generic.push(Manifest {
                    source: path.clone(),
                    kind: head.kind,
                    name: head.name,
                    content: doc,
                });
                continue;
            };
            let mut events = Vec::new();
            let mut unknown = false;
            for t in hook_types.split(',') {
                let t = t.trim().to_lowercase();
                if HOOK_EVENTS.contains(&t.as_str()) {
                    events.push(t);
                } else {
                    unknown = true;
                    break;
                }
            }
            if unknown {
                // Helm logs and drops documents naming an unknown hook.
                continue;
            }
            let weight = head
                .annotations
                .get(HOOK_WEIGHT_ANNOTATION)
                .and_then(|w| w.parse::<i64>().ok())
                .unwrap_or(0);
            let delete_policies = head
                .annotations
                .get(HOOK_DELETE_ANNOTATION)
                .map(|p| {
                    p.split(',')
                        .map(|x| x.trim().to_lowercase())
                        .filter(|x| DELETE_POLICIES.contains(&x.as_str()))
                        .collect()
                })
                .unwrap_or_default();
            hooks.push(Hook {
                source: path.clone(),
                kind: head.kind,
                name: head.name,
                events,
                weight,
                delete_policies,
                content: doc,
            });
        }
    }
    sort_by_kind(&mut generic);
    Ok((hooks, generic))
}

fn kind_rank(kind: &str) -> Option<usize> {
    INSTALL_ORDER.iter().position(|k| *k == kind)
}

/// Sorts manifests in install order: known kinds by rank, unknown kinds after them by kind
/// name; ties by source file name; documents of one file keep their order.
pub fn sort_by_kind(manifests: &mut [Manifest]) {
    manifests.sort_by(|a, b| {
        let (ra, rb) = (kind_rank(&a.kind), kind_rank(&b.kind));
        let by_kind = match (ra, rb) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.kind.cmp(&b.kind),
        };
        by_kind.then_with(|| a.source.cmp(&b.source))
    });
}

/// The release manifest text as Tiller stores it: `\n---\n# Source: <file>\n<document>` per
/// document.
pub fn manifest_text(manifests: &[Manifest]) -> String {
    let mut out = String::new();
    for m in manifests {
        out.push_str("\n---\n# Source: ");
        out.push_str(&m.source);
        out.push('\n');
        out.push_str(&m.content);
    }
    out
}

static KIND_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new("kind:(.*)\n").unwrap_or_else(|e| unreachable!("kind regex: {e}")));

/// `helm template`'s output: one entry per rendered file (partials, and NOTES.txt unless
/// `notes`, skipped), ordered by the first `kind:` found in the text, each written as
/// `---\n# Source: <name>\n<content>\n`.
pub fn template_output(rendered: &BTreeMap<String, String>, notes: bool) -> String {
    let mut entries: Vec<(&String, &String, String)> = rendered
        .iter()
        .filter(|(name, _)| {
            let base = name.rsplit('/').next().unwrap_or(name);
            !base.starts_with('_') && (notes || base != "NOTES.txt")
        })
        .map(|(name, content)| {
            let kind = KIND_RE
                .captures(content)
                .and_then(|c| c.get(1))
                .map_or_else(|| "Unknown".to_owned(), |m| m.as_str().trim().to_owned());
            (name, content, kind)
        })
        .collect();
    entries.sort_by(|a, b| {
        let by_kind = match (kind_rank(&a.2), kind_rank(&b.2)) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.2.cmp(&b.2),
        };
        by_kind.then_with(|| a.0.cmp(b.0))
    });
    let mut out = String::new();
    for (name, content, _) in entries {
        out.push_str("---\n# Source: ");
        out.push_str(name);
        out.push('\n');
        out.push_str(content);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn sorting_splitting_and_hooks() {
        let f = files(&[
            (
                "c/templates/b.yaml",
                "kind: Service\nmetadata:\n  name: svc\n---\nkind: Deployment\nmetadata:\n  name: dep\n",
            ),
            (
                "c/templates/a.yaml",
                "kind: Deployment\nmetadata:\n  name: a\n",
            ),
            (
                "c/templates/crd.yaml",
                "kind: Widget\nmetadata:\n  name: w\n---\nkind: Gadget\nmetadata:\n  name: g\n",
            ),
            (
                "c/templates/ns.yaml",
                "\n\nkind: Namespace\nmetadata:\n  name: ns\n",
            ),
            ("c/templates/_partial.yaml", "kind: Secret\n"),
            ("c/templates/empty.yaml", "  \n\n"),
            (
                "c/templates/job.yaml",
                "kind: Job\nmetadata:\n  name: j\n  annotations:\n    helm.sh/hook: Pre-Install, post-upgrade\n    helm.sh/hook-weight: \"-5\"\n    helm.sh/hook-delete-policy: hook-succeeded,bogus\n",
            ),
            (
                "c/templates/odd.yaml",
                "kind: Pod\nmetadata:\n  name: p\n  annotations:\n    helm.sh/hook: nonsense\n",
            ),
        ]);
        let (hooks, manifests) = sort_manifests(&f).unwrap();
        let order: Vec<(&str, &str)> = manifests
            .iter()
            .map(|m| (m.kind.as_str(), m.name.as_str()))
            .collect();
        assert_eq!(
            order,
            [
                ("Namespace", "ns"),
                ("Service", "svc"),
                ("Deployment", "a"),
                ("Deployment", "dep"),
                ("Gadget", "g"),
                ("Widget", "w")
            ]
        );
        assert_eq!(hooks.len(), 1);
        assert_eq!(hooks[0].events, ["pre-install", "post-upgrade"]);
        assert_eq!(hooks[0].weight, -5);
        assert_eq!(hooks[0].delete_policies, ["hook-succeeded"]);
        assert_eq!(
            manifest_text(&manifests[..1]),
            "\n---\n# Source: c/templates/ns.yaml\nkind: Namespace\nmetadata:\n  name: ns"
        );

        let bad = files(&[("c/templates/x.yaml", "kind: [\n")]);
        let e = sort_manifests(&bad).unwrap_err().to_string();
        assert!(
            e.starts_with("YAML parse error on c/templates/x.yaml: "),
            "{e}"
        );
    }

    #[test]
    fn helm_template_layout() {
        let f = files(&[
            ("c/templates/z.yaml", "kind: ConfigMap\n"),
            ("c/templates/a.yaml", "# no kind\n"),
            ("c/templates/NOTES.txt", "notes"),
            ("c/templates/svc.yaml", "apiVersion: v1\nkind: Service\n"),
        ]);
        assert_eq!(
            template_output(&f, false),
            "---\n# Source: c/templates/z.yaml\nkind: ConfigMap\n\n---\n# Source: c/templates/svc.yaml\napiVersion: v1\nkind: Service\n\n---\n# Source: c/templates/a.yaml\n# no kind\n\n"
        );
        assert!(template_output(&f, true).contains("# Source: c/templates/NOTES.txt\nnotes\n"));
    }
}
