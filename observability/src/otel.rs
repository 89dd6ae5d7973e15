//! OpenTelemetry tracing: settings from the standard `OTEL_*` variables, the
//! OTLP exporter pipeline and a flush-on-drop guard.
//!
//! Export is off unless an OTLP endpoint is configured
//! (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, or
//! `OTEL_TRACES_EXPORTER=otlp` for the default endpoint), and
//! `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none` turn it off again.
//! The exporter itself needs the `otel` feature; without it a configured
//! endpoint is an error rather than silently dropped spans.

use opentelemetry_sdk::trace::SdkTracerProvider;

use crate::logging::BoxedLayer;

/// Errors configuring or running the OpenTelemetry pipeline.
#[derive(Debug, thiserror::Error)]
pub enum OtelError {
    /// An `OTEL_*` variable has a value this crate does not accept.
    #[error("invalid {name}=`{value}`: {reason}")]
    InvalidVar {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
        /// Why it is rejected.
        reason: &'static str,
    },
    /// A documented value this crate does not support.
    #[error("not implemented: {0}")]
    NotImplemented(String),
    /// The exporter could not be built.
    #[error("building the otlp exporter: {0}")]
    Exporter(String),
    /// Flushing or shutting down lost spans.
    #[error("flushing traces: {0}")]
    Shutdown(String),
}

/// The OTLP transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// OTLP/gRPC (`grpc`, port 4317).
    Grpc,
    /// OTLP/HTTP with protobuf bodies (`http/protobuf`, port 4318), the
    /// specification's default.
    HttpProtobuf,
}

/// What to export where, read from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtelSettings {
    /// The full traces URL (for HTTP including `/v1/traces`).
    pub endpoint: String,
    /// The transport.
    pub protocol: Protocol,
    /// `service.name`: `OTEL_SERVICE_NAME`, else the `service.name` of
    /// `OTEL_RESOURCE_ATTRIBUTES`, else `None` (the binary's default).
    pub service_name: Option<String>,
}

const SAMPLERS: &[&str] = &[
    "always_on",
    "always_off",
    "traceidratio",
    "parentbased_always_on",
    "parentbased_always_off",
    "parentbased_traceidratio",
];

impl OtelSettings {
    /// Reads the process environment; `Ok(None)` when export is off.
    pub fn from_env() -> Result<Option<Self>, OtelError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads settings through `var` (the environment, or a map in tests).
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, OtelError> {
        let get = |k: &str| {
            var(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        if let Some(v) = get("OTEL_SDK_DISABLED") {
            match v.to_ascii_lowercase().as_str() {
                "true" => return Ok(None),
                "false" => {}
                _ => {
                    return Err(OtelError::InvalidVar {
                        name: "OTEL_SDK_DISABLED",
                        value: v,
                        reason: "expected `true` or `false`",
                    });
                }
            }
        }
        let exporter_forced = match get("OTEL_TRACES_EXPORTER") {
            None => false,
            Some(v) if v == "none" => return Ok(None),
            Some(v) if v == "otlp" => true,
            Some(v) => {
                return Err(OtelError::NotImplemented(format!(
                    "OTEL_TRACES_EXPORTER=`{v}` (only `otlp` and `none` are supported)"
                )));
            }
        };
        let (proto_var, proto_value) = match get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") {
            Some(v) => ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", Some(v)),
            None => (
                "OTEL_EXPORTER_OTLP_PROTOCOL",
                get("OTEL_EXPORTER_OTLP_PROTOCOL"),
            ),
        };
        let protocol = match proto_value.as_deref() {
            None | Some("http/protobuf") => Protocol::HttpProtobuf,
            Some("grpc") => Protocol::Grpc,
            Some("http/json") => {
                return Err(OtelError::NotImplemented(format!(
                    "{proto_var}=`http/json`"
                )));
            }
            Some(other) => {
                return Err(OtelError::InvalidVar {
                    name: proto_var,
                    value: other.to_owned(),
                    reason: "expected `grpc` or `http/protobuf`",
                });
            }
        };
        let endpoint = if let Some(ep) = get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") {
            check_url("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", &ep)?;
            ep
        } else if let Some(ep) = get("OTEL_EXPORTER_OTLP_ENDPOINT") {
            check_url("OTEL_EXPORTER_OTLP_ENDPOINT", &ep)?;
            match protocol {
                Protocol::Grpc => ep,
                // The base endpoint gets the signal path appended, per the
                // OTLP exporter specification.
                Protocol::HttpProtobuf => format!("{}/v1/traces", ep.trim_end_matches('/')),
            }
        } else if exporter_forced {
            match protocol {
                Protocol::Grpc => "http://localhost:4317".to_owned(),
                Protocol::HttpProtobuf => "http://localhost:4318/v1/traces".to_owned(),
            }
        } else {
            return Ok(None);
        };
        if let Some(s) = get("OTEL_TRACES_SAMPLER") {
            if !SAMPLERS.contains(&s.as_str()) {
                return Err(OtelError::InvalidVar {
                    name: "OTEL_TRACES_SAMPLER",
                    value: s,
                    reason: "expected one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio",
                });
            }
            if s.ends_with("traceidratio")
                && let Some(arg) = get("OTEL_TRACES_SAMPLER_ARG")
                && !arg.parse::<f64>().is_ok_and(|r| (0.0..=1.0).contains(&r))
            {
                return Err(OtelError::InvalidVar {
                    name: "OTEL_TRACES_SAMPLER_ARG",
                    value: arg,
                    reason: "expected a ratio between 0 and 1",
                });
            }
        }
        let service_name = get("OTEL_SERVICE_NAME").or_else(|| {
            get("OTEL_RESOURCE_ATTRIBUTES").and_then(|attrs| {
                attrs.split(',').find_map(|kv| {
                    let (k, v) = kv.split_once('=')?;
                    (k.trim() == "service.name").then(|| v.trim().to_owned())
                })
            })
        });
        Ok(Some(Self {
            endpoint,
            protocol,
            service_name,
        }))
    }
}

fn check_url(name: &'static str, value: &str) -> Result<(), OtelError> {
    if value.starts_with("http://") || value.starts_with("https://") {
        Ok(())
    } else {
        Err(OtelError::InvalidVar {
            name,
            value: value.to_owned(),
            reason: "expected an http:// or https:// URL",
        })
    }
}

/// A running tracer provider with its exporter.
#[derive(Debug)]
pub struct OtelPipeline {
    provider: SdkTracerProvider,
}

impl OtelPipeline {
    /// Builds the exporter and provider. `default_service` names the
    /// service when the environment does not (`tiller`, `helm`).
    /// Sampling follows `OTEL_TRACES_SAMPLER`/`_ARG` (read by the SDK).
    #[cfg(feature = "otel")]
    pub fn start(settings: &OtelSettings, default_service: &str) -> Result<Self, OtelError> {
        use opentelemetry_otlp::{SpanExporter, WithExportConfig};
        use opentelemetry_sdk::Resource;
        use opentelemetry_sdk::resource::EnvResourceDetector;

        let exporter = match settings.protocol {
            Protocol::Grpc => SpanExporter::builder()
                .with_tonic()
                .with_endpoint(settings.endpoint.clone())
                .build(),
            Protocol::HttpProtobuf => SpanExporter::builder()
                .with_http()
                .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
                .with_endpoint(settings.endpoint.clone())
                .build(),
        }
        .map_err(|e| OtelError::Exporter(e.to_string()))?;
        let name = settings
            .service_name
            .clone()
            .unwrap_or_else(|| default_service.to_owned());
        let resource = Resource::builder_empty()
            .with_detector(Box::new(EnvResourceDetector::new()))
            .with_service_name(name)
            .build();
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(resource)
            .build();
        opentelemetry::global::set_text_map_propagator(
            opentelemetry_sdk::propagation::TraceContextPropagator::new(),
        );
        Ok(Self { provider })
    }

    /// Without the `otel` feature there is no exporter to start.
    #[cfg(not(feature = "otel"))]
    pub fn start(settings: &OtelSettings, _default_service: &str) -> Result<Self, OtelError> {
        Err(OtelError::NotImplemented(format!(
            "exporting traces to {} (built without the `otel` feature)",
            settings.endpoint
        )))
    }

    /// The `tracing` layer that turns spans into OpenTelemetry spans.
    pub fn layer(&self) -> BoxedLayer {
        use opentelemetry::trace::TracerProvider as _;
        use tracing_subscriber::Layer as _;
        // Source locations, thread names and busy/idle timers would add
        // attributes and clock reads to every RPC span without telling an
        // operator anything the RPC fields do not.
        tracing_opentelemetry::layer()
            .with_tracer(self.provider.tracer("tiller-ha"))
            .with_location(false)
            .with_threads(false)
            .with_tracked_inactivity(false)
            .boxed()
    }

    /// The guard that flushes and shuts the pipeline down.
    pub fn guard(self) -> OtelGuard {
        OtelGuard {
            provider: Some(self.provider),
        }
    }
}

/// Flushes buffered spans and stops the exporter when dropped or shut down;
/// keep it alive in `main` until the process is about to exit.
#[derive(Debug)]
pub struct OtelGuard {
    provider: Option<SdkTracerProvider>,
}

impl OtelGuard {
    /// Exports every finished span now, keeping the pipeline running.
    pub fn flush(&self) -> Result<(), OtelError> {
        match &self.provider {
            Some(p) => p
                .force_flush()
                .map_err(|e| OtelError::Shutdown(e.to_string())),
            None => Ok(()),
        }
    }

    /// Exports every finished span and stops the pipeline. It blocks, so
    /// call it outside async code or through `spawn_blocking`.
    pub fn shutdown(mut self) -> Result<(), OtelError> {
        self.shutdown_inner()
    }

    fn shutdown_inner(&mut self) -> Result<(), OtelError> {
        match self.provider.take() {
            Some(p) => p.shutdown().map_err(|e| OtelError::Shutdown(e.to_string())),
            None => Ok(()),
        }
    }
}

impl Drop for OtelGuard {
    fn drop(&mut self) {
        if let Err(e) = self.shutdown_inner() {
            // The subscriber may already be gone at exit; stderr still works.
            eprintln!("warning: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<Option<OtelSettings>, OtelError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        OtelSettings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn off_without_endpoint() {
        assert_eq!(settings(&[]).expect("ok"), None);
        assert_eq!(settings(&[("OTEL_SERVICE_NAME", "x")]).expect("ok"), None);
    }

    #[test]
    fn http_endpoint_gets_signal_path() {
        let s = settings(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/")])
            .expect("ok")
            .expect("on");
        assert_eq!(s.endpoint, "http://collector:4318/v1/traces");
        assert_eq!(s.protocol, Protocol::HttpProtobuf);
    }

    #[test]
    fn grpc_and_signal_specific_endpoint() {
        let s = settings(&[
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://a:4317"),
            ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://b:4317"),
            ("OTEL_RESOURCE_ATTRIBUTES", "team=x, service.name=tiller-eu"),
        ])
        .expect("ok")
        .expect("on");
        assert_eq!(s.endpoint, "http://b:4317");
        assert_eq!(s.protocol, Protocol::Grpc);
        assert_eq!(s.service_name.as_deref(), Some("tiller-eu"));
    }

    #[test]
    fn disabled_wins() {
        let on = [("OTEL_EXPORTER_OTLP_ENDPOINT", "http://a:4318")];
        assert!(settings(&on).expect("ok").is_some());
        assert_eq!(
            settings(&[on[0], ("OTEL_SDK_DISABLED", "TRUE")]).expect("ok"),
            None
        );
        assert_eq!(
            settings(&[on[0], ("OTEL_TRACES_EXPORTER", "none")]).expect("ok"),
            None
        );
        let forced = settings(&[("OTEL_TRACES_EXPORTER", "otlp")])
            .expect("ok")
            .expect("on");
        assert_eq!(forced.endpoint, "http://localhost:4318/v1/traces");
    }

    #[test]
    fn bad_values_are_named() {
        let ep = ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://a:4318");
        let err =
            settings(&[ep, ("OTEL_EXPORTER_OTLP_PROTOCOL", "carrier-pigeon")]).expect_err("bad");
        assert!(
            err.to_string()
                .contains("OTEL_EXPORTER_OTLP_PROTOCOL=`carrier-pigeon`"),
            "{err}"
        );
        let err = settings(&[ep, ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")]).expect_err("bad");
        assert!(err.to_string().starts_with("not implemented"), "{err}");
        let err = settings(&[ep, ("OTEL_TRACES_SAMPLER", "sometimes")]).expect_err("bad");
        assert!(
            err.to_string().contains("OTEL_TRACES_SAMPLER=`sometimes`"),
            "{err}"
        );
        let err = settings(&[
            ep,
            ("OTEL_TRACES_SAMPLER", "traceidratio"),
            ("OTEL_TRACES_SAMPLER_ARG", "2"),
        ])
        .expect_err("bad");
        assert!(err.to_string().contains("OTEL_TRACES_SAMPLER_ARG"), "{err}");
        let err = settings(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318")]).expect_err("bad");
        assert!(err.to_string().contains("http://"), "{err}");
        let err = settings(&[ep, ("OTEL_SDK_DISABLED", "maybe")]).expect_err("bad");
        assert!(err.to_string().contains("OTEL_SDK_DISABLED"), "{err}");
    }
}
