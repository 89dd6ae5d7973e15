//! The `tiller` binary: logging and tracing through `observability`
//! (`RUST_LOG`, `LOG_FORMAT`, `OTEL_*`), Helm v2's flags, then [`tiller::run`].

use std::collections::HashMap;
use std::process::ExitCode;

use observability::{LogArgs, LogFormat};

/// Tiller keeps Helm v2's Go-style flags, so the log settings come from the
/// environment only rather than from `observability`'s clap flags.
fn log_args(env: &HashMap<String, String>) -> Result<LogArgs, String> {
    let log_level = env
        .get("RUST_LOG")
        .filter(|v| !v.trim().is_empty())
        .cloned()
        .unwrap_or_else(|| "info".to_owned());
    let log_format = match env.get("LOG_FORMAT").map(|v| v.trim().to_ascii_lowercase()) {
        None => LogFormat::Human,
        Some(v) if v.is_empty() || v == "human" => LogFormat::Human,
        Some(v) if v == "json" => LogFormat::Json,
        Some(v) => {
            return Err(format!(
                "invalid LOG_FORMAT {v:?}: expected \"human\" or \"json\""
            ));
        }
    };
    Ok(LogArgs {
        log_level,
        log_format,
    })
}

fn main() -> ExitCode {
    let env: HashMap<String, String> = std::env::vars().collect();
    let log = match log_args(&env) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("tiller: {e}");
            return ExitCode::from(2);
        }
    };
    let telemetry = match observability::init("tiller", &log) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("tiller: cannot set up logging: {e}");
            return ExitCode::from(2);
        }
    };
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
    let result = runtime.block_on(tiller::run(config));
    drop(runtime);
    // Outside the runtime: flushing spans blocks.
    if let Err(e) = telemetry.shutdown() {
        eprintln!("tiller: flushing traces: {e}");
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tiller: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn log_args_default_to_info_human() {
        let a = log_args(&env(&[])).expect("defaults");
        assert_eq!(a.log_level, "info");
        assert_eq!(a.log_format, LogFormat::Human);
    }

    #[test]
    fn log_args_read_the_environment() {
        let a = log_args(&env(&[
            ("RUST_LOG", "tiller=debug"),
            ("LOG_FORMAT", "JSON"),
        ]))
        .expect("env");
        assert_eq!(a.log_level, "tiller=debug");
        assert_eq!(a.log_format, LogFormat::Json);
    }

    #[test]
    fn bad_log_format_is_named() {
        let e = log_args(&env(&[("LOG_FORMAT", "xml")])).expect_err("xml");
        assert!(e.contains("LOG_FORMAT") && e.contains("xml"), "{e}");
    }
}
