//! `helm get` and its parts: the whole release (revision, date, chart, user-supplied and
//! computed values, hooks, manifest), or only its values, manifest, hooks or notes.

use std::io::Write;

use anyhow::{Context as _, bail};
use chart::values;
use gotmpl::{FuncMap, Templates};
use helm_proto::hapi::release::Release;

use crate::args::{GetArgs, GetPartArgs, GetValuesArgs, GlobalArgs};
use crate::output::ansic;

/// Runs `helm get RELEASE`.
pub fn run(global: &GlobalArgs, args: &GetArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut tiller = super::connect(global, &args.tls, out)?;
    let name = super::release_arg(&args.names)?;
    let res = tiller.content(name, args.revision)?;
    if !args.template.is_empty() {
        let json = helm_proto::json::to_go_json(&res)?;
        let data: serde_json::Value = serde_json::from_str(&json)?;
        let data = values::to_template_value(&values::from_json_value(&go_field_names(data)));
        let mut set = Templates::new(FuncMap::new());
        set.parse("_", &args.template)
            .with_context(|| format!("parsing --template {:?}", args.template))?;
        let text = set.execute_to_string("_", &data)?;
        out.write_all(text.as_bytes())?;
        return Ok(());
    }
    match &res.release {
        Some(rel) => print_release(out, rel),
        None => Ok(()),
    }
}

/// Helm's `printRelease`.
pub(crate) fn print_release(out: &mut dyn Write, rel: &Release) -> anyhow::Result<()> {
    let raw = rel.config.as_ref().map_or("", |c| c.raw.as_str());
    let computed = computed_values(rel)?;
    let md = rel
        .chart
        .as_ref()
        .and_then(|c| c.metadata.clone())
        .unwrap_or_default();
    let mut s = format!(
        "REVISION: {}\nRELEASED: {}\nCHART: {}-{}\nUSER-SUPPLIED VALUES:\n{raw}\nCOMPUTED VALUES:\n{}\nHOOKS:",
        rel.version,
        ansic(rel.info.as_ref().and_then(|i| i.last_deployed.as_ref())),
        md.name,
        md.version,
        values::to_yaml(&computed)?,
    );
    for hook in &rel.hooks {
        s.push_str(&format!("\n---\n# {}\n{}", hook.name, hook.manifest));
    }
    s.push_str(&format!("\nMANIFEST:\n{}\n", rel.manifest));
    out.write_all(s.as_bytes())?;
    Ok(())
}

/// The release's user values over its chart's defaults (Helm's `CoalesceValues`).
fn computed_values(rel: &Release) -> anyhow::Result<values::Values> {
    let raw = rel.config.as_ref().map_or("", |c| c.raw.as_str());
    let user = values::read_values(raw).context("reading the release's values")?;
    match &rel.chart {
        Some(c) => {
            let chart = chart::proto::from_proto(c.clone())
                .context("reading the chart stored with the release")?;
            Ok(values::coalesce_values(&chart, &user)?)
        }
        None => Ok(user),
    }
}

/// Runs `helm get values`.
pub fn values(
    global: &GlobalArgs,
    args: &GetValuesArgs,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut tiller = super::connect(global, &args.tls, out)?;
    let name = super::release_arg(&args.names)?;
    let res = tiller.content(name, args.revision)?;
    let rel = res.release.unwrap_or_default();
    let raw = rel.config.as_ref().map_or("", |c| c.raw.as_str());
    let mut vals = values::read_values(raw).context("reading the release's values")?;
    if args.all {
        vals = computed_values(&rel)?;
    }
    let text = match args.output.as_str() {
        "" | "yaml" => values::to_yaml(&vals)?,
        "json" => values::map_to_json(&vals)?,
        other => bail!("Unknown output format {other:?}"),
    };
    writeln!(out, "{text}")?;
    Ok(())
}

/// Runs `helm get manifest`.
pub fn manifest(
    global: &GlobalArgs,
    args: &GetPartArgs,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut tiller = super::connect(global, &args.tls, out)?;
    let name = super::release_arg(&args.names)?;
    let res = tiller.content(name, args.revision)?;
    let manifest = res.release.map(|r| r.manifest).unwrap_or_default();
    writeln!(out, "{manifest}")?;
    Ok(())
}

/// Runs `helm get hooks`.
pub fn hooks(global: &GlobalArgs, args: &GetPartArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut tiller = super::connect(global, &args.tls, out)?;
    let name = super::release_arg(&args.names)?;
    let res = match tiller.content(name, args.revision) {
        Ok(res) => res,
        Err(err) => {
            // Helm prints the release name before failing here.
            writeln!(out, "{name}")?;
            return Err(err.into());
        }
    };
    for hook in res.release.map(|r| r.hooks).unwrap_or_default() {
        write!(out, "---\n# {}\n{}\n", hook.name, hook.manifest)?;
    }
    Ok(())
}

/// Runs `helm get notes`.
pub fn notes(global: &GlobalArgs, args: &GetPartArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut tiller = super::connect(global, &args.tls, out)?;
    let name = super::release_arg(&args.names)?;
    let res = tiller.status(name, args.revision)?;
    let notes = res
        .info
        .and_then(|i| i.status)
        .map(|s| s.notes)
        .unwrap_or_default();
    if !notes.is_empty() {
        write!(out, "NOTES:\n{notes}\n")?;
    }
    Ok(())
}

/// Renames the keys of a hapi message's JSON to the Go struct field names `--template` sees
/// (`first_deployed` → `FirstDeployed`, `apiVersion` → `ApiVersion`). Map-valued fields
/// (`annotations`) keep their keys.
fn go_field_names(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => serde_json::Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let v = if k == "annotations" {
                        v
                    } else {
                        go_field_names(v)
                    };
                    (camel(&k), v)
                })
                .collect(),
        ),
        serde_json::Value::Array(a) => {
            serde_json::Value::Array(a.into_iter().map(go_field_names).collect())
        }
        other => other,
    }
}

fn camel(key: &str) -> String {
    key.split('_')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_names() {
        assert_eq!(camel("first_deployed"), "FirstDeployed");
        assert_eq!(camel("apiVersion"), "ApiVersion");
        assert_eq!(camel("Description"), "Description");
        let v = go_field_names(
            serde_json::json!({"release": {"name": "x", "annotations": {"a_b": 1}}}),
        );
        assert_eq!(
            v,
            serde_json::json!({"Release": {"Name": "x", "Annotations": {"a_b": 1}}})
        );
    }
}
