//! Go-compatible YAML: reading and writing YAML the way go-yaml v2 and sigs.k8s.io/yaml
//! (ghodss/yaml) do, as Helm v2 uses them.
//!
//! * [`parse`] / [`parse_all`]: go-yaml v2 `Unmarshal` into `interface{}` ([`Value`]), with the
//!   YAML 1.1 resolve table, tags, anchors, merge keys and go-yaml's error messages.
//! * [`to_json`]: ghodss `YAMLToJSON` (what Helm's values, `fromYaml` and Chart.yaml reads see):
//!   string keys, every number a float64, errors for `.inf`/`.nan` and null keys.
//! * [`json_to_yaml`] / [`to_string`] / [`to_yaml`]: go-yaml v2 `Marshal` output byte for byte
//!   (`toYaml`, checksums), with go-yaml's key order, quoting, literal blocks and line folding.
//! * [`split_manifests`]: Helm v2's manifest splitting.
//!
//! ```
//! let values = goyaml::to_json("replicas: 1\nenabled: yes\nmode: 0755\n").unwrap();
//! assert_eq!(values["enabled"], serde_json::json!(true));
//! assert_eq!(values["mode"].as_f64(), Some(493.0));
//! assert_eq!(goyaml::to_yaml(&values), "enabled: true\nmode: 493\nreplicas: 1\n");
//! assert_eq!(
//!     goyaml::to_json("a: b: c").unwrap_err().to_string(),
//!     "yaml: mapping values are not allowed in this context"
//! );
//! ```
//!
//! Parsing uses saphyr-parser's YAML 1.2 event stream with go-yaml's typing rules on top; the few
//! syntax corners where YAML 1.2 and libyaml's 1.1 grammar disagree are listed in the tests.

mod emit;
mod float;
mod ghodss;
mod parse;
mod resolve;
mod sort;
mod split;
mod value;

pub use ghodss::go_json;
pub use split::split_manifests;
pub use value::Value;

/// Which layer of the Go pipeline an error comes from; it decides the message prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// go-yaml: printed as `yaml: [line N: ]message`.
    Yaml,
    /// `encoding/json` (e.g. `json: unsupported value: +Inf`).
    Json,
    /// ghodss's YAML-to-JSON conversion (e.g. `Unsupported map key of type: ...`), printed as is.
    Conversion,
}

/// An error worded as the Go libraries word it, so callers can print Helm's messages, e.g.
/// `error converting YAML to JSON: yaml: line 3: mapping values are not allowed in this context`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", render(*.kind, .message, *.line))]
pub struct Error {
    /// The layer that failed.
    pub kind: ErrorKind,
    /// The problem, without the `yaml: line N:` prefix.
    pub message: String,
    /// The line go-yaml reports (its own convention: 1-based for scanner errors, the line before
    /// the offending token for parser errors), when it reports one.
    pub line: Option<usize>,
    /// 1-based column of the offending character, when known (go-yaml does not print it).
    pub column: Option<usize>,
}

fn render(kind: ErrorKind, message: &str, line: Option<usize>) -> String {
    match (kind, line) {
        (ErrorKind::Yaml, Some(n)) => format!("yaml: line {n}: {message}"),
        (ErrorKind::Yaml, None) => format!("yaml: {message}"),
        (ErrorKind::Json, _) => format!("json: {message}"),
        (ErrorKind::Conversion, _) => message.to_owned(),
    }
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: String) -> Self {
        Error {
            kind,
            message,
            line: None,
            column: None,
        }
    }

    pub(crate) fn yaml(message: String, line: Option<usize>) -> Self {
        Error {
            kind: ErrorKind::Yaml,
            message,
            line,
            column: None,
        }
    }
}

/// go-yaml v2 `yaml.Unmarshal` into `interface{}`: the first document only; empty input is
/// [`Value::Null`].
pub fn parse(src: &str) -> Result<Value, Error> {
    parse::parse_first(src)
}

/// Every document of a stream, as successive `yaml.Decoder.Decode` calls return them.
pub fn parse_all(src: &str) -> Result<Vec<Value>, Error> {
    parse::parse_stream(src)
}

/// sigs.k8s.io/yaml `YAMLToJSON` (and so `Unmarshal` into `interface{}`): go-yaml's value with
/// keys stringified as ghodss does and every number an f64.
pub fn to_json(src: &str) -> Result<serde_json::Value, Error> {
    ghodss::value_to_json(&parse(src)?)
}

/// sigs.k8s.io/yaml `YAMLToJSON`: the exact JSON text (integers kept exact, keys sorted, Go's
/// escaping), as Helm stores or compares it.
pub fn yaml_to_json(src: &str) -> Result<String, Error> {
    ghodss::value_to_json_text(&parse(src)?)
}

/// Converts an already-parsed go-yaml value as [`to_json`] does.
pub fn value_to_json(v: &Value) -> Result<serde_json::Value, Error> {
    ghodss::value_to_json(v)
}

/// sigs.k8s.io/yaml `JSONToYAML`: the JSON text is read by go-yaml (so integers stay integers
/// and `1e+06` stays a float) and written by go-yaml's `Marshal`.
pub fn json_to_yaml(json: &str) -> Result<String, Error> {
    Ok(to_string(&parse(json)?))
}

/// go-yaml v2 `yaml.Marshal` of an untyped value.
pub fn to_string(v: &Value) -> String {
    emit::marshal(v)
}

/// sigs.k8s.io/yaml `Marshal` of a JSON value (Helm's `toYaml`): Go `encoding/json` text, then
/// [`json_to_yaml`]. Integral floats come out as integers (`1000000`), as in Helm.
pub fn to_yaml(v: &serde_json::Value) -> String {
    let json = go_json(v);
    // go-yaml reads every JSON text encoding/json writes, so this cannot fail; should it ever,
    // the empty string is what Helm's toYaml returns on error.
    json_to_yaml(&json).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_display() {
        let e = Error::yaml(
            "mapping values are not allowed in this context".to_owned(),
            Some(3),
        );
        assert_eq!(
            e.to_string(),
            "yaml: line 3: mapping values are not allowed in this context"
        );
        assert_eq!(
            Error::new(ErrorKind::Json, "unsupported value: NaN".to_owned()).to_string(),
            "json: unsupported value: NaN"
        );
    }

    #[test]
    fn to_yaml_prints_integral_floats_as_ints() {
        let v = serde_json::json!({"replicas": 1.0, "big": 1e6, "small": 0.5, "s": "yes"});
        assert_eq!(
            to_yaml(&v),
            "big: 1000000\nreplicas: 1\ns: \"yes\"\nsmall: 0.5\n"
        );
    }
}
