//! The Helm v2 command line client.
//!
//! [`run`] is the whole program: it parses the command line ([`args`]), resolves flags and
//! environment variables into settings ([`env`]), runs one command (one file per command in
//! [`commands`]) and renders any error the way Helm v2 does (`Error: …` on stderr, exit code 1).
//!
//! Commands that need no Tiller (`template`, `version --client`) work today; the release
//! commands arrive with the Tiller server.

use std::ffi::OsString;
use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

pub mod args;
pub mod commands;
pub mod env;
mod kubeconfig;

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
            ExitCode::FAILURE
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
