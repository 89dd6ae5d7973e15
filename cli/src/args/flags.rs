//! Flag groups several commands share: Tiller TLS, chart values and `-o/--output`.

use std::path::PathBuf;

use clap::Args;

use crate::env;

/// Helm v2's TLS flags for talking to Tiller (`settings.AddFlagsTLS`). The certificate paths
/// default to files under `$HELM_HOME`, resolved once the home directory is known.
#[derive(Debug, Clone, Default, Args)]
pub struct TlsArgs {
    /// Enable TLS for request
    #[arg(long, env = env::HELM_TLS_ENABLE, value_name = "BOOL", value_parser = parse_go_bool,
          num_args = 0..=1, require_equals = true, default_value_t = false,
          default_missing_value = "true")]
    pub tls: bool,
    /// Enable TLS for request and verify remote
    #[arg(long = "tls-verify", env = env::HELM_TLS_VERIFY, value_name = "BOOL",
          value_parser = parse_go_bool, num_args = 0..=1, require_equals = true,
          default_value_t = false, default_missing_value = "true")]
    pub tls_verify: bool,
    /// Path to TLS CA certificate file (default "$HELM_HOME/ca.pem")
    #[arg(long = "tls-ca-cert", env = env::HELM_TLS_CA_CERT, value_name = "PATH")]
    pub tls_ca_cert: Option<PathBuf>,
    /// Path to TLS certificate file (default "$HELM_HOME/cert.pem")
    #[arg(long = "tls-cert", env = env::HELM_TLS_CERT, value_name = "PATH")]
    pub tls_cert: Option<PathBuf>,
    /// Path to TLS key file (default "$HELM_HOME/key.pem")
    #[arg(long = "tls-key", env = env::HELM_TLS_KEY, value_name = "PATH")]
    pub tls_key: Option<PathBuf>,
    /// The server name used to verify the hostname on the returned certificates from the server
    #[arg(long = "tls-hostname", env = env::HELM_TLS_HOSTNAME, value_name = "NAME")]
    pub tls_hostname: Option<String>,
}

/// The values flags of `install`, `upgrade` and `template`.
#[derive(Debug, Clone, Default, Args)]
pub struct ValuesArgs {
    /// Specify values in a YAML file or a URL (can specify multiple)
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    pub values: Vec<String>,
    /// Set values on the command line (can specify multiple or separate values with commas: key1=val1,key2=val2)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Set STRING values on the command line (can specify multiple or separate values with commas: key1=val1,key2=val2)
    #[arg(long = "set-string", value_name = "KEY=VALUE")]
    pub set_string: Vec<String>,
    /// Set values from respective files specified via the command line (can specify multiple or separate values with commas: key1=path1,key2=path2)
    #[arg(long = "set-file", value_name = "KEY=PATH")]
    pub set_file: Vec<String>,
}

/// Go's `strconv.ParseBool`, which pflag uses for `--flag=value` and Helm for the
/// environment variables of boolean flags (`HELM_TLS_ENABLE=1`).
pub fn parse_go_bool(text: &str) -> Result<bool, String> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        other => Err(format!(
            "strconv.ParseBool: parsing {other:?}: invalid syntax"
        )),
    }
}

/// `-o/--output` of `install`, `upgrade`, `status` and `history`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// Human-readable text.
    #[default]
    Table,
    /// Go's `encoding/json`.
    Json,
    /// JSON turned into YAML, as `ghodss/yaml` does.
    Yaml,
}

/// Parses `table`, `json` or `yaml`. Helm v2 only notices a bad format after the release
/// operation ran; refusing it before anything is sent is safer.
pub fn parse_output_format(text: &str) -> Result<OutputFormat, String> {
    match text {
        "table" => Ok(OutputFormat::Table),
        "json" => Ok(OutputFormat::Json),
        "yaml" => Ok(OutputFormat::Yaml),
        other => Err(format!(
            "unsupported format {other} (allowed values: table, json, yaml)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_bools() {
        assert_eq!(parse_go_bool("1"), Ok(true));
        assert_eq!(parse_go_bool("True"), Ok(true));
        assert_eq!(parse_go_bool("F"), Ok(false));
        assert!(parse_go_bool("yes").is_err());
    }

    #[test]
    fn output_formats() {
        assert_eq!(parse_output_format("json"), Ok(OutputFormat::Json));
        assert_eq!(parse_output_format("yaml"), Ok(OutputFormat::Yaml));
        assert_eq!(parse_output_format("table"), Ok(OutputFormat::Table));
        assert!(parse_output_format("xml").unwrap_err().contains("xml"));
    }
}
