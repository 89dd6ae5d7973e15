//! `helm delete`: uninstall releases one after the other, printing Tiller's note about kept
//! resources and `release "X" deleted` for each. `--dry-run` only fetches the release.

use std::io::Write;

use anyhow::bail;
use helm_proto::hapi::services::tiller::UninstallReleaseRequest;

use crate::args::{DeleteArgs, GlobalArgs};
use crate::tiller::Tiller;

/// Runs `helm delete`.
pub fn run(global: &GlobalArgs, args: &DeleteArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut tiller = super::connect(global, &args.tls, out)?;
    if args.names.is_empty() {
        bail!("command 'delete' requires a release name");
    }
    let opts = DeleteOptions {
        dry_run: args.dry_run,
        disable_hooks: args.no_hooks,
        purge: args.purge,
        timeout: args.timeout,
        description: args.description.clone(),
    };
    for name in &args.names {
        delete_release(&mut tiller, name, &opts, out)?;
        writeln!(out, "release \"{name}\" deleted")?;
    }
    Ok(())
}

/// The options of one delete (shared with `install --atomic`).
#[derive(Debug, Clone)]
pub(crate) struct DeleteOptions {
    pub dry_run: bool,
    pub disable_hooks: bool,
    pub purge: bool,
    pub timeout: i64,
    pub description: String,
}

/// Helm's `deleteCmd.run`: Tiller's `info` (resources kept by policy) is printed even when
/// the delete then fails.
pub(crate) fn delete_release(
    tiller: &mut Tiller,
    name: &str,
    opts: &DeleteOptions,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    if opts.dry_run {
        // Helm's client simulates a delete by fetching the release: it must exist.
        tiller.content(name, 0)?;
        return Ok(());
    }
    let req = UninstallReleaseRequest {
        name: name.to_owned(),
        disable_hooks: opts.disable_hooks,
        purge: opts.purge,
        timeout: opts.timeout,
        description: opts.description.clone(),
    };
    match tiller.uninstall(req) {
        Ok(res) => {
            if !res.info.is_empty() {
                writeln!(out, "{}", res.info)?;
            }
            Ok(())
        }
        Err(err) => Err(err.into()),
    }
}
