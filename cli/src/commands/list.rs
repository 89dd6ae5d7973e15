//! `helm list`: releases Tiller knows, filtered by status, namespace and a name regexp, shown
//! as a table, names only (`-q`), or JSON/YAML objects with Helm's capitalised keys.

use std::collections::HashMap;
use std::io::Write;

use anyhow::bail;
use helm_proto::hapi::release::Release;
use helm_proto::hapi::release::status::Code;
use helm_proto::hapi::services::tiller::ListReleasesRequest;
use helm_proto::hapi::services::tiller::list_sort::{SortBy, SortOrder};
use serde::Serialize;

use crate::args::{GlobalArgs, ListArgs};
use crate::output::{Table, ansic, status_name, yaml_of};

/// Runs `helm list`.
pub fn run(global: &GlobalArgs, args: &ListArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut tiller = super::connect(global, &args.tls, out)?;
    let mut sort_by = SortBy::Name;
    if args.date {
        sort_by = SortBy::LastReleased;
    }
    if args.chart_name {
        sort_by = SortBy::ChartName;
    }
    let sort_order = if args.reverse {
        SortOrder::Desc
    } else {
        SortOrder::Asc
    };
    let req = ListReleasesRequest {
        limit: args.max,
        offset: args.offset.clone(),
        sort_by: sort_by as i32,
        filter: args.filter.join(" "),
        sort_order: sort_order as i32,
        status_codes: status_codes(args).into_iter().map(|c| c as i32).collect(),
        namespace: args.namespace.clone(),
    };
    let Some(res) = tiller.list(req)? else {
        return Ok(());
    };
    let result = ListResult {
        next: res.next.clone(),
        releases: latest_revisions(&res.releases)
            .into_iter()
            .map(list_release)
            .collect(),
    };
    let text = format_result(&args.output, args.short, &result, args.col_width)?;
    writeln!(out, "{text}")?;
    Ok(())
}

/// The statuses asked for: `--all` is every status but SUPERSEDED; no flag means DEPLOYED and
/// FAILED.
fn status_codes(args: &ListArgs) -> Vec<Code> {
    if args.all {
        return vec![
            Code::Unknown,
            Code::Deployed,
            Code::Deleted,
            Code::Deleting,
            Code::Failed,
            Code::PendingInstall,
            Code::PendingUpgrade,
            Code::PendingRollback,
        ];
    }
    let mut codes = Vec::new();
    if args.deployed {
        codes.push(Code::Deployed);
    }
    if args.deleted {
        codes.push(Code::Deleted);
    }
    if args.deleting {
        codes.push(Code::Deleting);
    }
    if args.failed {
        codes.push(Code::Failed);
    }
    if args.pending {
        codes.extend([
            Code::PendingInstall,
            Code::PendingUpgrade,
            Code::PendingRollback,
        ]);
    }
    if codes.is_empty() {
        codes = vec![Code::Deployed, Code::Failed];
    }
    codes
}

/// Keeps, per name, only the releases carrying the highest revision seen, in Tiller's order.
fn latest_revisions(rels: &[Release]) -> Vec<&Release> {
    let mut highest: HashMap<&str, i32> = HashMap::new();
    for r in rels {
        let v = highest.entry(r.name.as_str()).or_insert(r.version);
        if *v < r.version {
            *v = r.version;
        }
    }
    rels.iter()
        .filter(|r| highest.get(r.name.as_str()) == Some(&r.version))
        .collect()
}

#[derive(Debug, Serialize)]
struct ListResult {
    #[serde(rename = "Next")]
    next: String,
    #[serde(rename = "Releases")]
    releases: Vec<ListRelease>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ListRelease {
    name: String,
    revision: i32,
    updated: String,
    status: String,
    chart: String,
    app_version: String,
    namespace: String,
}

fn list_release(r: &Release) -> ListRelease {
    let md = r
        .chart
        .as_ref()
        .and_then(|c| c.metadata.clone())
        .unwrap_or_default();
    let info = r.info.as_ref();
    ListRelease {
        name: r.name.clone(),
        revision: r.version,
        updated: match info.and_then(|i| i.last_deployed.as_ref()) {
            Some(t) => ansic(Some(t)),
            None => "-".to_owned(),
        },
        status: status_name(info.and_then(|i| i.status.as_ref()).map_or(0, |s| s.code)),
        chart: format!("{}-{}", md.name, md.version),
        app_version: md.app_version,
        namespace: r.namespace.clone(),
    }
}

fn format_result(
    format: &str,
    short: bool,
    result: &ListResult,
    col_width: usize,
) -> anyhow::Result<String> {
    let names: Vec<&str> = result.releases.iter().map(|r| r.name.as_str()).collect();
    Ok(match (format, short) {
        ("", true) => names.join("\n"),
        ("", false) => {
            let mut table = Table::new(col_width);
            table.add_row([
                "NAME",
                "REVISION",
                "UPDATED",
                "STATUS",
                "CHART",
                "APP VERSION",
                "NAMESPACE",
            ]);
            for r in &result.releases {
                table.add_row([
                    r.name.clone(),
                    r.revision.to_string(),
                    r.updated.clone(),
                    r.status.clone(),
                    r.chart.clone(),
                    r.app_version.clone(),
                    r.namespace.clone(),
                ]);
            }
            let next = if result.next.is_empty() {
                String::new()
            } else {
                format!("\tnext: {}\n", result.next)
            };
            next + &table.render()
        }
        ("json", true) => helm_proto::json::to_go_json(&names)?,
        ("json", false) => helm_proto::json::to_go_json(result)?,
        ("yaml", true) => yaml_of(&names)?,
        ("yaml", false) => yaml_of(result)?,
        (other, _) => bail!("Unknown output format {other:?}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(name: &str, version: i32) -> Release {
        Release {
            name: name.to_owned(),
            version,
            ..Release::default()
        }
    }

    #[test]
    fn keeps_highest_revision_per_name() {
        let rels = [rel("a", 1), rel("b", 3), rel("a", 2), rel("b", 1)];
        let kept: Vec<(String, i32)> = latest_revisions(&rels)
            .into_iter()
            .map(|r| (r.name.clone(), r.version))
            .collect();
        assert_eq!(kept, [("b".to_owned(), 3), ("a".to_owned(), 2)]);
    }

    #[test]
    fn json_keys_are_go_field_names() {
        let r = ListResult {
            next: String::new(),
            releases: vec![list_release(&rel("a", 1))],
        };
        assert_eq!(
            format_result("json", false, &r, 60).unwrap(),
            r#"{"Next":"","Releases":[{"Name":"a","Revision":1,"Updated":"-","Status":"UNKNOWN","Chart":"-","AppVersion":"","Namespace":""}]}"#
        );
        assert_eq!(format_result("json", true, &r, 60).unwrap(), r#"["a"]"#);
        assert!(format_result("xml", false, &r, 60).is_err());
    }
}
