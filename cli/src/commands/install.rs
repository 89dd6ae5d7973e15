//! `helm install`: load a chart from disk, process its requirements against the user's values
//! (as Helm v2's client does before sending), ask Tiller to install it, then print the
//! release's status. `--atomic` purges the release when the install fails.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use chart::{requirements, values};
use helm_proto::hapi::chart::Config;
use helm_proto::hapi::services::tiller::InstallReleaseRequest;

use super::delete::{DeleteOptions, delete_release};
use super::status::write_status;
use super::template::{generate_name, validate_dns1123_subdomain};
use crate::args::{GlobalArgs, InstallArgs, OutputFormat, ValuesArgs};
use crate::kubeconfig;
use crate::tiller::Tiller;

/// Runs `helm install`.
pub fn run(global: &GlobalArgs, args: &InstallArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut tiller = super::connect(global, &args.tls, out)?;
    super::check_args_len(args.chart.len(), &["chart name"])?;
    super::debug(
        global,
        out,
        &format!("Original chart version: {:?}", args.version),
    )?;
    let chart_path = locate_chart(global, &args.chart[0], &args.repo, args.verify)?;
    let opts = InstallOptions {
        chart_path,
        name: args.name.clone(),
        name_template: args.name_template.clone(),
        namespace: args.namespace.clone(),
        values: args.values.clone(),
        dry_run: args.dry_run,
        disable_hooks: args.no_hooks,
        disable_crd_hook: args.no_crd_hook,
        replace: args.replace,
        timeout: args.timeout,
        wait: args.wait || args.atomic,
        atomic: args.atomic,
        dep_up: args.dep_up,
        sub_notes: args.render_subchart_notes,
        description: args.description.clone(),
        output: args.output,
    };
    install(&mut tiller, global, opts, out)
}

/// What an install needs once the chart is found (shared with `upgrade --install`).
#[derive(Debug)]
pub(crate) struct InstallOptions {
    pub chart_path: PathBuf,
    pub name: String,
    pub name_template: String,
    pub namespace: String,
    pub values: ValuesArgs,
    pub dry_run: bool,
    pub disable_hooks: bool,
    pub disable_crd_hook: bool,
    pub replace: bool,
    pub timeout: i64,
    pub wait: bool,
    pub atomic: bool,
    pub dep_up: bool,
    pub sub_notes: bool,
    pub description: String,
    pub output: OutputFormat,
}

/// Helm's `installCmd.run`.
pub(crate) fn install(
    tiller: &mut Tiller,
    global: &GlobalArgs,
    mut opts: InstallOptions,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    super::debug(
        global,
        out,
        &format!("CHART PATH: {}\n", opts.chart_path.display()),
    )?;
    if opts.namespace.is_empty() {
        opts.namespace = kubeconfig::default_namespace(
            global.kubeconfig.as_deref(),
            global.kube_context.as_deref(),
        );
    }
    let raw = crate::values::raw_values(&opts.values)?;
    if !opts.name_template.is_empty() {
        opts.name = generate_name(&opts.name_template)?;
        writeln!(out, "FINAL NAME: {}", opts.name)?;
    }
    if !opts.name.is_empty()
        && let Err(msg) = validate_dns1123_subdomain(&opts.name)
    {
        bail!("release name {} is invalid: {msg}", opts.name);
    }
    let chart = load_for_release(&opts.chart_path, &raw, opts.dep_up)?;
    let req = InstallReleaseRequest {
        chart: Some(chart),
        values: Some(Config {
            raw,
            ..Config::default()
        }),
        dry_run: opts.dry_run,
        name: opts.name.clone(),
        disable_hooks: opts.disable_hooks,
        namespace: opts.namespace.clone(),
        reuse_name: opts.replace,
        timeout: opts.timeout,
        wait: opts.wait,
        disable_crd_hook: opts.disable_crd_hook,
        description: opts.description.clone(),
        sub_notes: opts.sub_notes,
    };
    let res = match tiller.install(req) {
        Ok(res) => res,
        Err(err) => {
            if opts.atomic {
                write!(out, "INSTALL FAILED\nPURGING CHART\nError: {err}\n")?;
                let purge = DeleteOptions {
                    dry_run: opts.dry_run,
                    disable_hooks: opts.disable_hooks,
                    purge: true,
                    timeout: opts.timeout,
                    description: String::new(),
                };
                delete_release(tiller, &opts.name, &purge, out)?;
                writeln!(out, "Successfully purged a chart!")?;
            }
            return Err(err.into());
        }
    };
    let Some(rel) = res.release else {
        return Ok(());
    };
    if opts.output == OutputFormat::Table {
        writeln!(out, "NAME:   {}", rel.name)?;
        if global.debug {
            super::get::print_release(out, &rel)?;
        }
    }
    if opts.dry_run {
        let description = rel.info.as_ref().map_or("", |i| i.description.as_str());
        if description != "Dry run complete" {
            writeln!(out, "WARNING: {description}")?;
        }
        return Ok(());
    }
    let status = tiller.status(&rel.name, 0)?;
    write_status(out, &status, opts.output)
}

/// Loads a chart the way `install` and `upgrade` send it: dependencies checked, requirement
/// conditions and tags applied with the user's values, import-values processed, then
/// converted to the wire form.
pub(crate) fn load_for_release(
    path: &Path,
    raw_values: &str,
    dep_up: bool,
) -> anyhow::Result<helm_proto::hapi::chart::Chart> {
    let mut chart = chart::load(path)?;
    if chart.metadata.deprecated {
        eprintln!("WARNING: This chart is deprecated");
    }
    if let Err(err) = requirements::check_dependencies(&chart) {
        if dep_up {
            bail!(
                "not implemented: --dep-up (helm dependency update needs chart repositories): {err}"
            );
        }
        return Err(err.into());
    }
    let user = values::read_values(raw_values).context("reading the values to send")?;
    requirements::process_enabled(&mut chart, &user)?;
    requirements::process_import_values(&mut chart)?;
    Ok(chart::proto::to_proto(&chart))
}

/// Helm's `locateChartPath` for what exists without chart repositories: a chart directory or
/// archive on disk, or one under `$HELM_HOME/repository`.
pub(crate) fn locate_chart(
    global: &GlobalArgs,
    name: &str,
    repo_url: &str,
    verify: bool,
) -> anyhow::Result<PathBuf> {
    let name = name.trim();
    let path = Path::new(name);
    if let Ok(meta) = std::fs::metadata(path) {
        let abs =
            std::path::absolute(path).with_context(|| format!("resolving chart path {name}"))?;
        if verify {
            if meta.is_dir() {
                bail!("cannot verify a directory");
            }
            bail!("not implemented: chart provenance verification (--verify)");
        }
        return Ok(abs);
    }
    if path.is_absolute() || name.starts_with('.') {
        bail!("path {name:?} not found");
    }
    let in_home = crate::home::helm_home(global.home.as_deref())
        .join("repository")
        .join(name);
    if in_home.exists() {
        return Ok(std::path::absolute(&in_home)?);
    }
    if !repo_url.is_empty() {
        bail!("not implemented: chart repositories (--repo {repo_url})");
    }
    bail!("not implemented: chart repositories (no chart at local path {name:?})")
}
