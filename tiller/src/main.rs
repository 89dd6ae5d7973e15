//! The `tiller` binary: Helm v2's flags, then [`tiller::run`].

use std::collections::HashMap;
use std::process::ExitCode;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let env: HashMap<String, String> = std::env::vars().collect();
    let config = match tiller::config::Config::parse(std::env::args().skip(1), &env) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if config.print_version {
        println!("{}", helm_proto::compat::HELM_VERSION);
        return ExitCode::SUCCESS;
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(tiller::run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tiller: {e}");
            ExitCode::FAILURE
        }
    }
}
