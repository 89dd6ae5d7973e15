//! Log output: an `EnvFilter` (RUST_LOG syntax) that can be changed at run
//! time, and human or JSON lines on stderr.
//!
//! Data belongs on stdout (the CLI prints releases there), so every log line
//! goes to stderr.

use tracing_subscriber::layer::{Layered, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, Registry, reload};

/// Errors setting up or changing logging.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The filter does not parse.
    #[error("invalid log filter `{filter}`: {source}")]
    Filter {
        /// The filter as given.
        filter: String,
        /// What the parser reported.
        #[source]
        source: tracing_subscriber::filter::ParseError,
    },
    /// A global subscriber is already installed (init called twice).
    #[error("logging is already initialized: {0}")]
    AlreadyInitialized(#[source] tracing_subscriber::util::TryInitError),
    /// The subscriber holding the filter is gone.
    #[error("reloading the log filter: {0}")]
    Reload(#[source] reload::Error),
}

/// How log lines look.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One readable line per event, with span fields.
    #[default]
    Human,
    /// One JSON object per event, for log pipelines.
    Json,
}

/// The `--log-level` and `--log-format` flags; flatten into a binary's clap
/// arguments with `#[command(flatten)] log: LogArgs`.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct LogArgs {
    /// Log filter in RUST_LOG syntax, e.g. `info` or `tiller=debug,kube=warn`
    #[arg(
        long = "log-level",
        env = "RUST_LOG",
        default_value = "info",
        value_name = "FILTER"
    )]
    pub log_level: String,
    /// Log line format
    #[arg(long = "log-format", env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Human)]
    pub log_format: LogFormat,
}

impl Default for LogArgs {
    fn default() -> Self {
        Self {
            log_level: "info".to_owned(),
            log_format: LogFormat::Human,
        }
    }
}

/// The subscriber the output layers are stacked on: the registry under the
/// reloadable filter.
pub type Base = Layered<reload::Layer<EnvFilter, Registry>, Registry>;

/// A layer stacked on [`Base`].
pub type BoxedLayer = Box<dyn Layer<Base> + Send + Sync + 'static>;

/// Changes the active log filter at run time (e.g. from an admin endpoint
/// or on SIGHUP).
#[derive(Debug, Clone)]
pub struct LogHandle {
    handle: reload::Handle<EnvFilter, Registry>,
}

impl LogHandle {
    /// Replaces the filter; the old one stays if `filter` does not parse.
    pub fn set_filter(&self, filter: &str) -> Result<(), LogError> {
        let parsed = parse_filter(filter)?;
        self.handle.reload(parsed).map_err(LogError::Reload)
    }

    /// The active filter, as text.
    pub fn current(&self) -> Option<String> {
        self.handle.with_current(ToString::to_string).ok()
    }
}

/// Parses a RUST_LOG-style filter, naming it in the error.
pub fn parse_filter(filter: &str) -> Result<EnvFilter, LogError> {
    EnvFilter::builder()
        .parse(filter)
        .map_err(|source| LogError::Filter {
            filter: filter.to_owned(),
            source,
        })
}

/// The fmt layer for `format`, writing to stderr.
pub fn fmt_layer(format: LogFormat) -> BoxedLayer {
    match format {
        LogFormat::Human => tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_writer(std::io::stderr)
            .boxed(),
    }
}

/// Builds the subscriber (filter, fmt output, plus `extra` layers such as
/// OpenTelemetry) without installing it; tests use it with
/// `tracing::subscriber::set_default`.
pub fn subscriber(
    args: &LogArgs,
    extra: Vec<BoxedLayer>,
) -> Result<(impl tracing::Subscriber + Send + Sync, LogHandle), LogError> {
    let filter = parse_filter(&args.log_level)?;
    let (filter, handle) = reload::Layer::new(filter);
    let mut layers = extra;
    layers.push(fmt_layer(args.log_format));
    let subscriber = Registry::default().with(filter).with(layers);
    Ok((subscriber, LogHandle { handle }))
}

/// Installs the subscriber globally (and routes `log` records through it).
pub fn init(args: &LogArgs, extra: Vec<BoxedLayer>) -> Result<LogHandle, LogError> {
    let (subscriber, handle) = subscriber(args, extra)?;
    subscriber
        .try_init()
        .map_err(LogError::AlreadyInitialized)?;
    Ok(handle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        log: LogArgs,
    }

    #[test]
    fn flags_parse() {
        let cli = Cli::try_parse_from([
            "x",
            "--log-level",
            "tiller=debug,warn",
            "--log-format",
            "json",
        ])
        .expect("parse");
        assert_eq!(cli.log.log_level, "tiller=debug,warn");
        assert_eq!(cli.log.log_format, LogFormat::Json);
        assert!(Cli::try_parse_from(["x", "--log-format", "xml"]).is_err());
    }

    #[test]
    fn bad_filter_names_the_input() {
        let err = parse_filter("tiller=loud").expect_err("must fail");
        assert!(err.to_string().contains("`tiller=loud`"), "{err}");
    }

    #[test]
    fn filter_reloads() {
        let args = LogArgs::default();
        let (sub, handle) = subscriber(&args, Vec::new()).expect("subscriber");
        let _guard = tracing::subscriber::set_default(sub);
        assert!(!tracing::enabled!(tracing::Level::DEBUG));
        handle.set_filter("debug").expect("reload");
        tracing::callsite::rebuild_interest_cache();
        assert!(tracing::enabled!(tracing::Level::DEBUG));
        assert_eq!(handle.current().as_deref(), Some("debug"));
        assert!(handle.set_filter("=!").is_err());
        assert_eq!(handle.current().as_deref(), Some("debug"));
    }
}
