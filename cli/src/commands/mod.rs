//! One module per command; [`run`] dispatches.

use std::io::Write;

use crate::args::{Cli, Command};

pub mod template;
pub mod version;

/// Runs the parsed command, writing its output to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> anyhow::Result<()> {
    match cli.command {
        Command::Template(args) => template::run(&cli.global, &args, out),
        Command::Version(args) => version::run(&args, out),
    }
}
