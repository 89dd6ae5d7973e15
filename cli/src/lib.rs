//! The Helm v2 command line client.
//!
//! [`run`] is the whole program: it parses the command line ([`args`]), resolves flags and
//! environment variables into settings ([`env`]), runs one command (one file per command in
//! [`commands`]) and renders any error the way Helm v2 does (`Error: …` on stderr, exit code 1).
//!
//! The release commands reach Tiller through [`tiller`] (one place for dialling, TLS and
//! turning gRPC failures into Helm's one-line errors); [`output`] holds the table, date and
//! JSON/YAML formats they print; [`values`] the values flags `install`, `upgrade` and
//! `template` share.

use std::ffi::OsString;
use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

pub mod args;
pub mod commands;
pub mod env;
pub mod home;
mod kubeconfig;
pub mod output;
pub mod tiller;
pub mod values;

/// Runs `helm` with the given command line (program name first) and returns the exit code.
pub fn run(argv: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match args::Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(err) => {
            // Help and version requests print to stdout and succeed; usage errors exit 1 as
            // cobra does.
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let result = commands::run(cli, &mut out).and_then(|()| out.flush().map_err(Into::into));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            report(&err);
            // Helm v2 exits with 2 when the TLS files cannot be used, 1 for every other error.
            let code = err
                .chain()
                .find_map(|c| c.downcast_ref::<tiller::TillerError>())
                .map_or(1, tiller::TillerError::exit_code);
            ExitCode::from(code)
        }
    }
}

/// A closed stdout (`helm template ... | head`) is not an error worth reporting.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Prints an error as Helm v2 does: one line, `Error: ` and the message with its causes joined
/// by `: `, the way Go wraps errors. Causes whose text the message already carries (library
/// errors often quote their source) are not repeated.
fn report(err: &anyhow::Error) {
    let mut message = err.to_string();
    for cause in err.chain().skip(1) {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
    }
    let _ = writeln!(io::stderr().lock(), "Error: {message}");
}
