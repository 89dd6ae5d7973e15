//! `helm history`: a release's revisions, oldest first among the newest `--max`, as a table or
//! JSON/YAML.

use std::io::Write;

use anyhow::bail;
use helm_proto::hapi::chart::Chart;
use helm_proto::hapi::release::Release;
use serde::Serialize;

use crate::args::{GlobalArgs, HistoryArgs};
use crate::output::{Table, ansic, status_name, yaml_of};

/// Runs `helm history`.
pub fn run(global: &GlobalArgs, args: &HistoryArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut tiller = super::connect(global, &args.tls, out)?;
    let name = super::release_arg(&args.names)?;
    let res = tiller.history(name, args.max)?;
    if res.releases.is_empty() {
        return Ok(());
    }
    // Tiller answers newest first.
    let history: Vec<ReleaseInfo> = res.releases.iter().rev().map(release_info).collect();
    let text = match args.output.as_str() {
        "yaml" => yaml_of(&history)?,
        "json" => helm_proto::json::to_go_json(&history)?,
        "table" => {
            let mut table = Table::new(args.col_width);
            table.add_row([
                "REVISION",
                "UPDATED",
                "STATUS",
                "CHART",
                "APP VERSION",
                "DESCRIPTION",
            ]);
            for r in &history {
                table.add_row([
                    r.revision.to_string(),
                    r.updated.clone(),
                    r.status.clone(),
                    r.chart.clone(),
                    r.app_version.clone(),
                    r.description.clone(),
                ]);
            }
            table.render()
        }
        other => bail!("unknown output format {other:?}"),
    };
    writeln!(out, "{text}")?;
    Ok(())
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ReleaseInfo {
    revision: i32,
    updated: String,
    status: String,
    chart: String,
    app_version: String,
    description: String,
}

fn release_info(r: &Release) -> ReleaseInfo {
    let info = r.info.clone().unwrap_or_default();
    ReleaseInfo {
        revision: r.version,
        updated: ansic(info.last_deployed.as_ref()),
        status: status_name(info.status.as_ref().map_or(0, |s| s.code)),
        chart: chart_name(r.chart.as_ref()),
        app_version: app_version(r.chart.as_ref()),
        description: info.description,
    }
}

/// `name-version`, or `MISSING` for a release without chart metadata.
fn chart_name(c: Option<&Chart>) -> String {
    match c.and_then(|c| c.metadata.as_ref()) {
        Some(md) => format!("{}-{}", md.name, md.version),
        None => "MISSING".to_owned(),
    }
}

fn app_version(c: Option<&Chart>) -> String {
    match c.and_then(|c| c.metadata.as_ref()) {
        Some(md) => md.app_version.clone(),
        None => "MISSING".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_chart() {
        let r = Release {
            version: 2,
            ..Release::default()
        };
        let i = release_info(&r);
        assert_eq!(
            (i.chart.as_str(), i.app_version.as_str()),
            ("MISSING", "MISSING")
        );
        assert_eq!(i.status, "UNKNOWN");
        assert_eq!(
            helm_proto::json::to_go_json(&[i]).unwrap(),
            format!(
                r#"[{{"revision":2,"updated":"{}","status":"UNKNOWN","chart":"MISSING","appVersion":"MISSING","description":""}}]"#,
                ansic(None)
            )
        );
    }
}
