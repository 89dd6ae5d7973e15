//! The little of kubeconfig that client-only commands need: the namespace of the current
//! context, which `helm template` uses when `--namespace` is not given.

use std::path::{Path, PathBuf};

use crate::env;

/// The namespace of the selected context, as `kube.GetConfig(...).Namespace()` resolves it in
/// Helm v2; `default` when there is no kubeconfig, no such context or no namespace in it.
pub fn default_namespace(explicit: Option<&Path>, context: Option<&str>) -> String {
    config_files(explicit)
        .iter()
        .find_map(|file| namespace_in(file, context))
        .unwrap_or_else(|| "default".to_owned())
}

/// `--kubeconfig`, else every file of `$KUBECONFIG`, else `~/.kube/config`.
fn config_files(explicit: Option<&Path>) -> Vec<PathBuf> {
    if let Some(path) = explicit {
        return vec![path.to_path_buf()];
    }
    if let Some(list) = std::env::var_os(env::KUBECONFIG).filter(|v| !v.is_empty()) {
        return std::env::split_paths(&list).collect();
    }
    std::env::var_os("HOME")
        .map(|home| vec![PathBuf::from(home).join(".kube").join("config")])
        .unwrap_or_default()
}

fn namespace_in(file: &Path, context: Option<&str>) -> Option<String> {
    // An unreadable or malformed kubeconfig only loses the namespace default, exactly as the
    // Go client falls back to "default" on any error here.
    let text = std::fs::read_to_string(file).ok()?;
    let doc = goyaml::to_json(&text).ok()?;
    let wanted = match context {
        Some(c) if !c.is_empty() => c.to_owned(),
        _ => doc.get("current-context")?.as_str()?.to_owned(),
    };
    doc.get("contexts")?
        .as_array()?
        .iter()
        .find(|c| c.get("name").and_then(|n| n.as_str()) == Some(wanted.as_str()))?
        .get("context")?
        .get("namespace")?
        .as_str()
        .filter(|ns| !ns.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = "apiVersion: v1\nkind: Config\ncurrent-context: b\ncontexts:\n- name: a\n  context: {cluster: c, namespace: team-a}\n- name: b\n  context: {cluster: c, namespace: team-b}\n- name: none\n  context: {cluster: c}\n";

    #[test]
    fn namespace_of_current_or_named_context() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config");
        std::fs::write(&file, CONFIG).unwrap();
        assert_eq!(default_namespace(Some(&file), None), "team-b");
        assert_eq!(default_namespace(Some(&file), Some("a")), "team-a");
        assert_eq!(default_namespace(Some(&file), Some("none")), "default");
        assert_eq!(default_namespace(Some(&file), Some("missing")), "default");
        assert_eq!(
            default_namespace(Some(&dir.path().join("absent")), None),
            "default"
        );
    }
}
