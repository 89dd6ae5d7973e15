//! Tiller's command line and environment, as Helm v2.17's `cmd/tiller`
//! reads them. Flags follow Go's `flag` package: `-name` and `--name` are
//! the same, values come as `-name=value` or `-name value`, booleans only as
//! `-name` or `-name=false`, and parsing stops at the first non-flag or `--`.

use std::collections::HashMap;

/// Server settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// gRPC address (`-listen`, default `:44134`).
    pub listen: String,
    /// Probe address (`-probe-listen`, default `:44135`).
    pub probe_listen: String,
    /// Serve probes (`-probe`, default true).
    pub probe: bool,
    /// Tracing server (`-trace`).
    pub trace: bool,
    /// Storage driver: `configmap`, `secret`, `memory`, `sql`.
    pub storage: String,
    /// `-sql-dialect`.
    pub sql_dialect: String,
    /// `-sql-connection-string`.
    pub sql_connection_string: String,
    /// `-experimental-release`.
    pub experimental_release: bool,
    /// `-tls` (default: `TILLER_TLS_ENABLE` non-empty).
    pub tls: bool,
    /// `-tls-verify` (default: `TILLER_TLS_VERIFY` non-empty).
    pub tls_verify: bool,
    /// `-tls-key`.
    pub tls_key: String,
    /// `-tls-cert`.
    pub tls_cert: String,
    /// `-tls-ca-cert`.
    pub tls_ca_cert: String,
    /// `-history-max` (default `TILLER_HISTORY_MAX` or 0).
    pub history_max: usize,
    /// `-version`: print the version and exit.
    pub print_version: bool,
    /// Storage namespace (`TILLER_NAMESPACE`, default `kube-system`).
    pub namespace: String,
}

/// A command line Tiller refuses.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// An unknown flag.
    #[error("flag provided but not defined: -{0}")]
    Unknown(String),
    /// A flag without its value.
    #[error("flag needs an argument: -{0}")]
    MissingValue(String),
    /// A value of the wrong type.
    #[error("invalid value {value:?} for flag -{flag}: {reason}")]
    Invalid {
        /// The flag.
        flag: String,
        /// The value.
        value: String,
        /// Why.
        reason: String,
    },
    /// An environment variable of the wrong type.
    #[error("invalid {name} {value:?}: {reason}")]
    Env {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
        /// Why.
        reason: String,
    },
}

const BOOL_FLAGS: &[&str] = &[
    "probe",
    "trace",
    "experimental-release",
    "tls",
    "tls-verify",
    "version",
];
const VALUE_FLAGS: &[&str] = &[
    "listen",
    "probe-listen",
    "storage",
    "sql-dialect",
    "sql-connection-string",
    "tls-key",
    "tls-cert",
    "tls-ca-cert",
    "history-max",
    // klog flags Tiller accepts; their values are taken and ignored here
    // (logging is configured with RUST_LOG).
    "v",
    "vmodule",
    "log_dir",
    "log_file",
    "stderrthreshold",
];
const IGNORED_BOOL_FLAGS: &[&str] = &[
    "logtostderr",
    "alsologtostderr",
    "add_dir_header",
    "skip_headers",
];

fn parse_bool(flag: &str, v: &str) -> Result<bool, ConfigError> {
    match v {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => Err(ConfigError::Invalid {
            flag: flag.to_owned(),
            value: v.to_owned(),
            reason: "parse error".to_owned(),
        }),
    }
}

impl Config {
    /// Parses `args` (without the program name) with environment `env`.
    pub fn parse<I, S>(args: I, env: &HashMap<String, String>) -> Result<Config, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let env_get = |k: &str| env.get(k).cloned().unwrap_or_default();
        let certs = env
            .get("TILLER_TLS_CERTS")
            .cloned()
            .unwrap_or_else(|| "/etc/certs".to_owned());
        let history_env = env_get("TILLER_HISTORY_MAX");
        let history_max = if history_env.is_empty() {
            0
        } else {
            history_env.parse::<usize>().map_err(|e| ConfigError::Env {
                name: "TILLER_HISTORY_MAX",
                value: history_env.clone(),
                reason: e.to_string(),
            })?
        };
        let namespace = match env_get("TILLER_NAMESPACE") {
            ns if ns.is_empty() => "kube-system".to_owned(),
            ns => ns,
        };
        let mut c = Config {
            listen: format!(":{}", helm_proto::transport::DEFAULT_TILLER_PORT),
            probe_listen: format!(":{}", helm_proto::transport::DEFAULT_PROBE_PORT),
            probe: true,
            trace: false,
            storage: "configmap".to_owned(),
            sql_dialect: "postgres".to_owned(),
            sql_connection_string: String::new(),
            experimental_release: false,
            tls: !env_get("TILLER_TLS_ENABLE").is_empty(),
            tls_verify: !env_get("TILLER_TLS_VERIFY").is_empty(),
            tls_key: format!("{certs}/tls.key"),
            tls_cert: format!("{certs}/tls.crt"),
            tls_ca_cert: format!("{certs}/ca.crt"),
            history_max,
            print_version: false,
            namespace,
        };
        let mut it = args.into_iter().map(Into::into);
        while let Some(arg) = it.next() {
            if arg == "--" || !arg.starts_with('-') || arg == "-" {
                break;
            }
            let body = arg.strip_prefix("--").unwrap_or_else(|| &arg[1..]);
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
                None => (body.to_owned(), None),
            };
            if BOOL_FLAGS.contains(&name.as_str()) || IGNORED_BOOL_FLAGS.contains(&name.as_str()) {
                let v = match &inline {
                    Some(v) => parse_bool(&name, v)?,
                    None => true,
                };
                match name.as_str() {
                    "probe" => c.probe = v,
                    "trace" => c.trace = v,
                    "experimental-release" => c.experimental_release = v,
                    "tls" => c.tls = v,
                    "tls-verify" => c.tls_verify = v,
                    "version" => c.print_version = v,
                    _ => {}
                }
                continue;
            }
            if !VALUE_FLAGS.contains(&name.as_str()) {
                return Err(ConfigError::Unknown(name));
            }
            let v = match inline {
                Some(v) => v,
                None => it
                    .next()
                    .ok_or_else(|| ConfigError::MissingValue(name.clone()))?,
            };
            match name.as_str() {
                "listen" => c.listen = v,
                "probe-listen" => c.probe_listen = v,
                "storage" => c.storage = v,
                "sql-dialect" => c.sql_dialect = v,
                "sql-connection-string" => c.sql_connection_string = v,
                "tls-key" => c.tls_key = v,
                "tls-cert" => c.tls_cert = v,
                "tls-ca-cert" => c.tls_ca_cert = v,
                "history-max" => {
                    c.history_max =
                        v.parse()
                            .map_err(|e: std::num::ParseIntError| ConfigError::Invalid {
                                flag: name.clone(),
                                value: v.clone(),
                                reason: e.to_string(),
                            })?;
                }
                _ => {}
            }
        }
        Ok(c)
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
    fn defaults_follow_helm() {
        let c = Config::parse(Vec::<String>::new(), &env(&[])).expect("parse");
        assert_eq!(c.listen, ":44134");
        assert_eq!(c.probe_listen, ":44135");
        assert!(c.probe && !c.tls && !c.tls_verify);
        assert_eq!(c.storage, "configmap");
        assert_eq!(c.namespace, "kube-system");
        assert_eq!(c.tls_cert, "/etc/certs/tls.crt");
        assert_eq!(c.history_max, 0);
    }

    #[test]
    fn go_flag_forms() {
        let c = Config::parse(
            [
                "-listen",
                "127.0.0.1:1",
                "--probe-listen=:2",
                "-probe=false",
                "--storage",
                "memory",
                "-history-max=5",
                "-tls",
            ],
            &env(&[]),
        )
        .expect("parse");
        assert_eq!(c.listen, "127.0.0.1:1");
        assert_eq!(c.probe_listen, ":2");
        assert!(!c.probe && c.tls);
        assert_eq!(c.storage, "memory");
        assert_eq!(c.history_max, 5);
    }

    #[test]
    fn environment_and_errors() {
        let c = Config::parse(
            Vec::<String>::new(),
            &env(&[
                ("TILLER_NAMESPACE", "t"),
                ("TILLER_HISTORY_MAX", "3"),
                ("TILLER_TLS_ENABLE", "1"),
                ("TILLER_TLS_CERTS", "/c"),
            ]),
        )
        .expect("parse");
        assert_eq!((c.namespace.as_str(), c.history_max, c.tls), ("t", 3, true));
        assert_eq!(c.tls_key, "/c/tls.key");
        assert_eq!(
            Config::parse(["-nope"], &env(&[])),
            Err(ConfigError::Unknown("nope".to_owned()))
        );
        assert_eq!(
            Config::parse(["-listen"], &env(&[])),
            Err(ConfigError::MissingValue("listen".to_owned()))
        );
        assert!(matches!(
            Config::parse(["-history-max=x"], &env(&[])),
            Err(ConfigError::Invalid { .. })
        ));
        assert!(matches!(
            Config::parse(["-probe=maybe"], &env(&[])),
            Err(ConfigError::Invalid { .. })
        ));
        assert!(matches!(
            Config::parse(Vec::<String>::new(), &env(&[("TILLER_HISTORY_MAX", "-1")])),
            Err(ConfigError::Env { .. })
        ));
    }
}
