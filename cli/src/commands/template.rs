//! `helm template`: render a chart locally, without Tiller, exactly as Helm v2 does.
//!
//! The values take Helm v2's path: `-f` files, `--set`, `--set-string` and `--set-file` are
//! merged on the client, written out as YAML (what the client would send to Tiller) and read
//! back, so numbers reach the templates as float64 just as they do in a real install.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context as _, anyhow, bail};
use chart::engine::manifest::template_output;
use chart::engine::{CapabilitiesData, KubeVersion, ReleaseOptions, RenderOptions, Timestamp};
use chart::{requirements, values};

use gotmpl::{Templates, Value};

use crate::args::{GlobalArgs, TemplateArgs};
use crate::kubeconfig;

/// Runs `helm template`.
pub fn run(global: &GlobalArgs, args: &TemplateArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let chart_arg = args
        .chart
        .as_deref()
        .ok_or_else(|| anyhow!("chart is required"))?;
    let chart_path = std::path::absolute(chart_arg)
        .with_context(|| format!("resolving chart path {}", chart_arg.display()))?;
    std::fs::metadata(&chart_path).with_context(|| format!("stat {}", chart_arg.display()))?;
    if let Some(dir) = args.output_dir.as_ref().filter(|d| !d.exists()) {
        bail!("output-dir '{}' does not exist", dir.display());
    }

    let namespace = if args.namespace.is_empty() {
        kubeconfig::default_namespace(global.kubeconfig.as_deref(), global.kube_context.as_deref())
    } else {
        args.namespace.clone()
    };
    let user = crate::values::user_values(&args.values)?;

    let release_name = match &args.name_template {
        Some(t) if !t.is_empty() => generate_name(t)?,
        _ => args.name.clone(),
    };
    if !release_name.is_empty()
        && let Err(msg) = validate_dns1123_subdomain(&release_name)
    {
        bail!("release name {release_name} is invalid: {msg}");
    }

    let chart = chart::load(&chart_path)?;
    let options = RenderOptions {
        release: ReleaseOptions {
            name: release_name,
            namespace,
            revision: 1,
            is_install: !args.is_upgrade,
            is_upgrade: args.is_upgrade,
            time: Timestamp::now(),
        },
        capabilities: capabilities(&args.kube_version, &args.api_versions)?,
        ..RenderOptions::default()
    };

    requirements::check_dependencies(&chart)?;
    let mut chart = chart;
    requirements::process_enabled(&mut chart, &user)?;
    requirements::process_import_values(&mut chart)?;
    let computed = values::coalesce_values(&chart, &user)?;
    let mut rendered = chart::engine::render(&chart, &computed, &options)?;

    if !args.execute.is_empty() {
        rendered = select_templates(rendered, &chart_path, &args.execute)?;
    }
    let text = template_output(&rendered, args.notes);
    match &args.output_dir {
        None => out.write_all(text.as_bytes())?,
        Some(dir) => write_output_dir(dir, &rendered, &text, out)?,
    }
    Ok(())
}

/// `--name-template`: a Go template with every Sprig function (`env` included), run with no
/// data.
pub(crate) fn generate_name(template: &str) -> anyhow::Result<String> {
    let mut set = Templates::new(sprig::functions());
    set.parse("name-template", template)?;
    Ok(set.execute_to_string("name-template", &Value::Nil)?)
}

/// Kubernetes' `IsDNS1123Subdomain`, with its messages.
pub(crate) fn validate_dns1123_subdomain(name: &str) -> Result<(), String> {
    const MAX: usize = 253;
    let mut errors = Vec::new();
    if name.len() > MAX {
        errors.push(format!("must be no more than {MAX} characters"));
    }
    let label_ok = |label: &str| {
        let bytes = label.as_bytes();
        let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        !bytes.is_empty()
            && bytes.first().is_some_and(alnum)
            && bytes.last().is_some_and(alnum)
            && bytes.iter().all(|b| alnum(b) || *b == b'-')
    };
    if !name.split('.').all(label_ok) {
        errors.push(
            "a DNS-1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', \
             and must start and end with an alphanumeric character (e.g. 'example.com', regex used \
             for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
                .to_owned(),
        );
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join(";"))
    }
}

/// `.Capabilities` for `helm template`: `--kube-version` sets the Kubernetes version (Helm v2
/// takes `MAJOR.MINOR` and reports `vMAJOR.MINOR.0`; a full version keeps its patch), and
/// `--api-versions` replaces the default API list (plus `v1`, as v2 does).
fn capabilities(kube_version: &str, api_versions: &[String]) -> anyhow::Result<CapabilitiesData> {
    let mut caps = CapabilitiesData::default();
    if !kube_version.is_empty() {
        let (major, minor, patch) = parse_kube_version(kube_version).ok_or_else(|| {
            anyhow!(
                "could not parse a kubernetes version: Invalid Semantic Version ({kube_version})"
            )
        })?;
        caps.kube_version =
            KubeVersion::from_git_version(&format!("v{major}.{minor}.{}", patch.unwrap_or(0)));
    }
    if !api_versions.is_empty() {
        let mut list = api_versions.to_vec();
        list.push("v1".to_owned());
        caps.api_versions = list;
    }
    Ok(caps)
}

/// `1.14`, `1.16.15`, `v1.16.15` (a pre-release or build suffix is allowed and ignored).
fn parse_kube_version(text: &str) -> Option<(u64, u64, Option<u64>)> {
    let text = text.strip_prefix('v').unwrap_or(text);
    let core = text.split(['-', '+']).next()?;
    let mut parts = core.split('.');
    let number = |p: Option<&str>| -> Option<u64> {
        let p = p?;
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        p.parse().ok()
    };
    let major = number(parts.next())?;
    let minor = match parts.next() {
        Some(p) => number(Some(p))?,
        None => 0,
    };
    let patch = match parts.next() {
        Some(p) => Some(number(Some(p))?),
        None => None,
    };
    if parts.next().is_some() {
        return None;
    }
    Some((major, minor, patch))
}

/// `-x`: keeps only the named templates. Each path is relative to the chart directory (or
/// absolute) and must name a rendered template, as in Helm v2.
fn select_templates(
    rendered: BTreeMap<String, String>,
    chart_path: &Path,
    wanted: &[String],
) -> anyhow::Result<BTreeMap<String, String>> {
    let on_disk = |name: &str| -> PathBuf {
        // Template names start with the chart's name, which stands for the chart directory.
        let mut p = chart_path.to_path_buf();
        p.extend(name.split('/').skip(1));
        p
    };
    let mut selected = BTreeMap::new();
    for f in wanted {
        let target = normalize(&if Path::new(f).is_absolute() {
            PathBuf::from(f)
        } else {
            chart_path.join(f)
        });
        let mut found = false;
        for (name, content) in &rendered {
            if normalize(&on_disk(name)) == target {
                selected.insert(name.clone(), content.clone());
                found = true;
            }
        }
        if !found {
            bail!("could not find template {} in chart", target.display());
        }
    }
    Ok(selected)
}

/// Lexically cleans a path (`a/./b/../c` → `a/c`), like Go's `filepath.Abs` does.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `--output-dir`: each non-blank template goes to `<dir>/<template name>`, in the order of
/// the stdout output, and `wrote <file>` is reported for each.
fn write_output_dir(
    dir: &Path,
    rendered: &BTreeMap<String, String>,
    ordered_text: &str,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    for name in ordered_text
        .split("---\n# Source: ")
        .filter_map(|chunk| chunk.split('\n').next())
        .filter(|name| rendered.contains_key(*name))
    {
        let content = &rendered[name];
        if content.trim().is_empty() {
            continue;
        }
        let mut file = dir.to_path_buf();
        for part in name.split('/') {
            if part.is_empty() || part == "." || part == ".." {
                bail!("refusing to write template {name:?} outside the output directory");
            }
            file.push(part);
        }
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&file, format!("---\n# Source: {name}\n{content}"))
            .with_context(|| format!("writing {}", file.display()))?;
        writeln!(out, "wrote {}", file.display())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kube_versions() {
        assert_eq!(parse_kube_version("1.14"), Some((1, 14, None)));
        assert_eq!(parse_kube_version("v1.16.15"), Some((1, 16, Some(15))));
        assert_eq!(parse_kube_version("1.16.15-gke.1"), Some((1, 16, Some(15))));
        assert_eq!(parse_kube_version("1"), Some((1, 0, None)));
        assert_eq!(parse_kube_version("one.two"), None);
        assert_eq!(parse_kube_version("1.2.3.4"), None);
        let caps = capabilities("1.16", &[]).unwrap();
        assert_eq!(caps.kube_version, KubeVersion::from_git_version("v1.16.0"));
        let caps = capabilities("v1.16.15", &["apps/v1".to_owned()]).unwrap();
        assert_eq!(caps.kube_version, KubeVersion::from_git_version("v1.16.15"));
        assert_eq!(caps.api_versions, ["apps/v1", "v1"]);
        assert!(capabilities("banana", &[]).is_err());
    }

    #[test]
    fn release_names() {
        assert!(validate_dns1123_subdomain("foo.bar").is_ok());
        assert!(validate_dns1123_subdomain("my-release-1").is_ok());
        for bad in ["FOO", "foo_bar", "-foo", "foo-", "foo..bar"] {
            assert!(validate_dns1123_subdomain(bad).is_err(), "{bad}");
        }
        assert!(validate_dns1123_subdomain(&"a".repeat(254)).is_err());
    }

    #[test]
    fn name_template_has_sprig() {
        assert_eq!(generate_name("{{ \"Rel\" | lower }}-x").unwrap(), "rel-x");
    }
}
