//! One module per command; [`run`] dispatches. The helpers here are what the release commands
//! share: dialling Tiller and Helm v2's argument-count errors.

use std::io::Write;

use anyhow::bail;

use crate::args::{Cli, Command, GetPart, GlobalArgs, TlsArgs};
use crate::tiller::{Tiller, TillerConfig};

pub mod delete;
pub mod get;
pub mod history;
pub mod install;
pub mod list;
pub mod rollback;
pub mod status;
pub mod template;
pub mod test;
pub mod upgrade;
pub mod version;

/// Runs the parsed command, writing its output to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> anyhow::Result<()> {
    let g = &cli.global;
    match cli.command {
        Command::Delete(args) => delete::run(g, &args, out),
        Command::Get(args) => match &args.part {
            None => get::run(g, &args, out),
            Some(GetPart::Values(a)) => get::values(g, a, out),
            Some(GetPart::Manifest(a)) => get::manifest(g, a, out),
            Some(GetPart::Hooks(a)) => get::hooks(g, a, out),
            Some(GetPart::Notes(a)) => get::notes(g, a, out),
        },
        Command::History(args) => history::run(g, &args, out),
        Command::Install(args) => install::run(g, &args, out),
        Command::List(args) => list::run(g, &args, out),
        Command::Rollback(args) => rollback::run(g, &args, out),
        Command::Status(args) => status::run(g, &args, out),
        Command::Template(args) => template::run(g, &args, out),
        Command::Test(args) => test::run(g, &args, out),
        Command::Upgrade(args) => upgrade::run(g, &args, out),
        Command::Version(args) => version::run(g, &args, out),
    }
}

/// A client for the Tiller the flags point at (Helm's `setupConnection` + `newClient`),
/// which under `--debug` reports the address.
pub(crate) fn connect(
    global: &GlobalArgs,
    tls: &TlsArgs,
    out: &mut dyn Write,
) -> anyhow::Result<Tiller> {
    let tiller = Tiller::new(TillerConfig::from_args(global, tls)?)?;
    debug(global, out, &format!("SERVER: {:?}\n", tiller.host()))?;
    Ok(tiller)
}

/// Helm's `debug`: `[debug] <text>` and a newline on stdout, only with `--debug`.
pub(crate) fn debug(global: &GlobalArgs, out: &mut dyn Write, text: &str) -> anyhow::Result<()> {
    if global.debug {
        writeln!(out, "[debug] {text}")?;
    }
    Ok(())
}

/// The first positional argument, or Helm's `release name is required`.
pub(crate) fn release_arg(names: &[String]) -> anyhow::Result<&str> {
    match names.first() {
        Some(n) => Ok(n),
        None => bail!("release name is required"),
    }
}

/// Helm's `checkArgsLength`.
pub(crate) fn check_args_len(got: usize, required: &[&str]) -> anyhow::Result<()> {
    if got != required.len() {
        let noun = if required.len() == 1 {
            "argument"
        } else {
            "arguments"
        };
        bail!(
            "This command needs {} {noun}: {}",
            required.len(),
            required.join(", ")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argument_count_messages() {
        assert_eq!(
            check_args_len(0, &["chart name"]).unwrap_err().to_string(),
            "This command needs 1 argument: chart name"
        );
        assert_eq!(
            check_args_len(1, &["release name", "revision number"])
                .unwrap_err()
                .to_string(),
            "This command needs 2 arguments: release name, revision number"
        );
        assert!(check_args_len(1, &["x"]).is_ok());
        assert_eq!(
            release_arg(&[]).unwrap_err().to_string(),
            "release name is required"
        );
    }
}
