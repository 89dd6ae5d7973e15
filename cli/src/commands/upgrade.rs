//! `helm upgrade RELEASE CHART`: send a new chart and values for a release. `--install`
//! installs when Tiller's history says the release does not exist; `--atomic` rolls back to
//! the revision that was current before the upgrade when it fails.

use std::io::Write;

use anyhow::bail;
use helm_proto::hapi::chart::Config;
use helm_proto::hapi::services::tiller::{RollbackReleaseRequest, UpdateReleaseRequest};

use super::install::{InstallOptions, install, load_for_release, locate_chart};
use super::status::write_status;
use crate::args::{GlobalArgs, OutputFormat, UpgradeArgs};
use crate::kubeconfig;

/// Runs `helm upgrade`.
pub fn run(global: &GlobalArgs, args: &UpgradeArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut tiller = super::connect(global, &args.tls, out)?;
    super::check_args_len(args.args.len(), &["release name", "chart path"])?;
    let release = args.args[0].as_str();
    let wait = args.wait || args.atomic;
    let disable_hooks = args.disable_hooks || args.no_hooks;
    let chart_path = locate_chart(global, &args.args[1], &args.repo, args.verify)?;

    let history = tiller.history(release, 1);
    if args.install {
        match &history {
            Ok(h) => {
                let namespace = if args.namespace.is_empty() {
                    kubeconfig::default_namespace(
                        global.kubeconfig.as_deref(),
                        global.kube_context.as_deref(),
                    )
                } else {
                    args.namespace.clone()
                };
                if let Some(previous) = h.releases.first()
                    && previous.namespace != namespace
                {
                    writeln!(
                        out,
                        "WARNING: Namespace {namespace:?} doesn't match with previous. Release will be deployed to {}",
                        previous.namespace
                    )?;
                }
            }
            Err(err)
                if err
                    .to_string()
                    .contains(&format!("release: {release:?} not found")) =>
            {
                writeln!(
                    out,
                    "Release {release:?} does not exist. Installing it now."
                )?;
                let opts = InstallOptions {
                    chart_path,
                    name: release.to_owned(),
                    name_template: String::new(),
                    namespace: args.namespace.clone(),
                    values: args.values.clone(),
                    dry_run: args.dry_run,
                    disable_hooks,
                    disable_crd_hook: false,
                    replace: false,
                    timeout: args.timeout,
                    wait,
                    atomic: args.atomic,
                    dep_up: false,
                    sub_notes: false,
                    description: args.description.clone(),
                    output: args.output,
                };
                return install(&mut tiller, global, opts, out);
            }
            // Any other history error is ignored here, as in Helm: the upgrade itself reports.
            Err(_) => {}
        }
    }

    let raw = crate::values::raw_values(&args.values)?;
    let chart = load_for_release(&chart_path, &raw, false)?;
    let req = UpdateReleaseRequest {
        name: release.to_owned(),
        chart: Some(chart),
        values: Some(Config {
            raw,
            ..Config::default()
        }),
        dry_run: args.dry_run,
        disable_hooks,
        recreate: args.recreate_pods,
        timeout: args.timeout,
        reset_values: args.reset_values,
        wait,
        reuse_values: args.reuse_values,
        force: args.force,
        description: args.description.clone(),
        sub_notes: args.render_subchart_notes,
        cleanup_on_fail: args.cleanup_on_fail,
    };
    let res = match tiller.update(req) {
        Ok(res) => res,
        Err(err) => {
            write!(out, "UPGRADE FAILED\nError: {err}\n")?;
            if args.atomic {
                write!(out, "ROLLING BACK")?;
                let Some(previous) = history.as_ref().ok().and_then(|h| h.releases.first()) else {
                    bail!(
                        "cannot roll back {release:?}: its history could not be read before the upgrade"
                    );
                };
                let rollback = RollbackReleaseRequest {
                    name: release.to_owned(),
                    dry_run: args.dry_run,
                    disable_hooks,
                    version: previous.version,
                    recreate: args.recreate_pods,
                    timeout: args.timeout,
                    wait,
                    force: args.force,
                    description: String::new(),
                    cleanup_on_fail: args.cleanup_on_fail,
                };
                tiller.rollback(rollback)?;
                writeln!(out, "Rollback was a success.")?;
            }
            bail!("UPGRADE FAILED: {err}");
        }
    };
    if global.debug
        && let Some(rel) = &res.release
    {
        super::get::print_release(out, rel)?;
    }
    if args.output == OutputFormat::Table {
        writeln!(out, "Release {release:?} has been upgraded.")?;
    }
    let status = tiller.status(release, 0)?;
    write_status(out, &status, args.output)
}
