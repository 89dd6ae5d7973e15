//! `helm status`: a release's state, resources, last test run and notes (Helm's
//! `PrintStatus`), or the whole `GetReleaseStatusResponse` as JSON or YAML. `install` and
//! `upgrade` end with the same output.

use std::io::Write;

use helm_proto::hapi::release::test_run;
use helm_proto::hapi::services::tiller::GetReleaseStatusResponse;

use crate::args::{GlobalArgs, OutputFormat, StatusArgs};
use crate::output::{Table, ansic, encode_json, encode_yaml, status_name, tabwrite};

/// Runs `helm status`.
pub fn run(global: &GlobalArgs, args: &StatusArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut tiller = super::connect(global, &args.tls, out)?;
    let name = super::release_arg(&args.names)?;
    let res = tiller.status(name, args.revision)?;
    write_status(out, &res, args.output)
}

/// Writes a status in the requested format.
pub fn write_status(
    out: &mut dyn Write,
    res: &GetReleaseStatusResponse,
    format: OutputFormat,
) -> anyhow::Result<()> {
    let text = match format {
        OutputFormat::Table => format_status(res),
        OutputFormat::Json => encode_json(res)?,
        OutputFormat::Yaml => encode_yaml(res)?,
    };
    out.write_all(text.as_bytes())?;
    Ok(())
}

/// Helm's `PrintStatus`.
pub fn format_status(res: &GetReleaseStatusResponse) -> String {
    let info = res.info.clone().unwrap_or_default();
    let status = info.status.clone().unwrap_or_default();
    let mut s = String::new();
    if let Some(t) = &info.last_deployed {
        s.push_str(&format!("LAST DEPLOYED: {}\n", ansic(Some(t))));
    }
    s.push_str(&format!("NAMESPACE: {}\n", res.namespace));
    s.push_str(&format!("STATUS: {}\n\n", status_name(status.code)));
    if !status.resources.is_empty() {
        s.push_str(&tabwrite(&format!(
            "RESOURCES:\n{}\n",
            retab(&status.resources)
        )));
    }
    if let Some(run) = &status.last_test_suite_run {
        let mut table = Table::new(50);
        table.add_row(["TEST", "STATUS", "INFO", "STARTED", "COMPLETED"]);
        for r in &run.results {
            let name = test_run::Status::try_from(r.status)
                .map_or_else(|_| r.status.to_string(), |c| c.as_str_name().to_owned());
            table.add_row([
                r.name.clone(),
                format!("{name:<10}"),
                r.info.clone(),
                ansic(r.started_at.as_ref()),
                ansic(r.completed_at.as_ref()),
            ]);
        }
        s.push_str(&format!(
            "TEST SUITE:\nLast Started: {}\nLast Completed: {}\n\n{}\n",
            ansic(run.started_at.as_ref()),
            ansic(run.completed_at.as_ref()),
            table.render()
        ));
    }
    if !status.notes.is_empty() {
        s.push_str(&format!("NOTES:\n{}\n", status.notes));
    }
    s
}

/// Replaces every run of two or more spaces by a tab (Helm's `"  +"` regexp), turning
/// kubectl's space-aligned tables into tabwriter cells.
fn retab(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut spaces = 0;
    for c in text.chars() {
        if c == ' ' {
            spaces += 1;
            continue;
        }
        match spaces {
            0 => {}
            1 => out.push(' '),
            _ => out.push('\t'),
        }
        spaces = 0;
        out.push(c);
    }
    match spaces {
        0 => {}
        1 => out.push(' '),
        _ => out.push('\t'),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use helm_proto::hapi::release::{Info, Status};

    #[test]
    fn retabs_runs_of_spaces() {
        assert_eq!(retab("NAME   READY  A B"), "NAME\tREADY\tA B");
        assert_eq!(retab("x  "), "x\t");
    }

    #[test]
    fn minimal_status() {
        let res = GetReleaseStatusResponse {
            name: "x".to_owned(),
            namespace: "ns".to_owned(),
            info: Some(Info {
                status: Some(Status {
                    code: 2,
                    notes: "bye".to_owned(),
                    ..Status::default()
                }),
                ..Info::default()
            }),
        };
        assert_eq!(
            format_status(&res),
            "NAMESPACE: ns\nSTATUS: DELETED\n\nNOTES:\nbye\n"
        );
    }
}
