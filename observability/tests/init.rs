//! `init` installs the global subscriber once and leaves export off when the
//! environment configures no OTLP endpoint (the CI case).

use observability::{LogArgs, LogFormat, TelemetryError};

#[test]
fn init_once_then_refuses() {
    let exporting_env = [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_TRACES_EXPORTER",
    ]
    .iter()
    .any(|k| std::env::var_os(k).is_some());
    if exporting_env {
        eprintln!("skipping: OTEL_* export variables are set in this environment");
        return;
    }
    let args = LogArgs {
        log_level: "warn,init=debug".to_owned(),
        log_format: LogFormat::Json,
    };
    let telemetry = observability::init("test", &args).expect("first init");
    assert!(!telemetry.exporting());
    assert!(tracing::enabled!(target: "init", tracing::Level::DEBUG));
    assert!(!tracing::enabled!(target: "other", tracing::Level::INFO));
    telemetry.log.set_filter("info").expect("reload");
    tracing::callsite::rebuild_interest_cache();
    assert!(tracing::enabled!(target: "other", tracing::Level::INFO));
    match observability::init("test", &LogArgs::default()) {
        Err(TelemetryError::Log(e)) => {
            assert!(e.to_string().contains("already initialized"), "{e}")
        }
        other => panic!("second init must fail, got {other:?}"),
    }
    telemetry.shutdown().expect("shutdown without export");
}
