//! Differential tests against go-yaml v2 and ghodss/yaml: the expected outputs in `tests/data`
//! were produced by the real Go libraries (see `tests/oracle/main.go` and its README).

use std::fmt::Write as _;
use std::path::PathBuf;

use goyaml::{Value, go_json, json_to_yaml, parse, parse_all, to_json, to_string, to_yaml};
use serde_json::{Value as J, json};
use sha2::{Digest, Sha256};

fn data(name: &str) -> J {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}

/// The typed form the oracle prints for a go-yaml value.
fn typed(v: &Value) -> J {
    match v {
        Value::Null => json!({"null": true}),
        Value::Bool(b) => json!({"bool": b}),
        Value::Int(i) => json!({"int": i.to_string()}),
        Value::Uint(u) => json!({"uint": u.to_string()}),
        Value::Float(f) => json!({"float": go_float(*f)}),
        Value::String(s) => json!({"str": s}),
        Value::Seq(items) => json!({"seq": items.iter().map(typed).collect::<Vec<_>>()}),
        Value::Map(entries) => {
            let mut items: Vec<(String, J, J)> = entries
                .iter()
                .map(|(k, v)| (go_json(&typed(k)), typed(k), typed(v)))
                .collect();
            items.sort_by(|a, b| a.0.cmp(&b.0));
            json!({"map": items.into_iter().map(|(_, k, v)| json!([k, v])).collect::<Vec<_>>()})
        }
    }
}

/// `strconv.FormatFloat(f, 'g', -1, 64)` as the oracle prints it; checked through the emitter,
/// which prints floats the same way except for the special values.
fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    to_string(&Value::Float(f)).trim_end().to_owned()
}

/// Numbers compared as float64, which is all Helm keeps of them after ghodss.
fn normalize(v: &J) -> J {
    match v {
        J::Number(n) => json!(n.as_f64().unwrap_or(f64::NAN)),
        J::Array(items) => J::Array(items.iter().map(normalize).collect()),
        J::Object(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), normalize(v))).collect()),
        other => other.clone(),
    }
}

fn result_json<T>(r: Result<T, goyaml::Error>, ok: impl FnOnce(T) -> J) -> J {
    match r {
        Ok(v) => ok(v),
        Err(e) => json!({"error": e.to_string()}),
    }
}

/// Cases where this crate knowingly differs from Go, with the reason.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[
    (
        "binary-invalid-utf8",
        "Value::String holds UTF-8 only: !!binary data that is not UTF-8 is decoded lossily \
         (U+FFFD), so go-yaml's re-encoding as !!binary cannot be reproduced; ghodss/JSON output \
         is the same",
    ),
    (
        "key-collide",
        "keys 1 and '1' both become \"1\" in JSON; Go's random map order picks the winner, this \
         crate takes the later one",
    ),
    (
        "unicode-breaks",
        "YAML 1.1 treats U+0085 and U+2028 as line breaks inside plain scalars; saphyr (YAML 1.2) \
         reads them as content",
    ),
    (
        "key-float-32",
        "go-yaml's key order is not transitive for 3.1415927 / 100000000 / 1e+20, so Go's output \
         depends on its random map iteration order",
    ),
    (
        "tab-plain-continuation",
        "both reject it; libyaml says \"found a tab character that violates indentation\"",
    ),
    (
        "tab-in-literal",
        "both reject it; libyaml says \"found a tab character where an indentation space is \
         expected\"",
    ),
    (
        "root-quoted-then-junk",
        "a quoted root scalar followed by more text on its line: go-yaml's Unmarshal returns the \
         scalar and never looks further, saphyr fails while scanning",
    ),
    (
        "bom-middle",
        "libyaml accepts U+FEFF inside a document, saphyr rejects it",
    ),
];

fn known(name: &str) -> bool {
    KNOWN_DIFFERENCES.iter().any(|(n, _)| *n == name)
}

struct Report {
    failures: Vec<String>,
    checked: usize,
}

impl Report {
    fn check(&mut self, what: &str, got: &J, want: &J) {
        self.checked += 1;
        if got != want {
            self.failures
                .push(format!("{what}\n   got: {got}\n  want: {want}"));
        }
    }

    fn finish(self, name: &str) {
        if !self.failures.is_empty() {
            let mut msg = format!(
                "{name}: {} of {} checks differ from Go:\n",
                self.failures.len(),
                self.checked
            );
            for f in &self.failures {
                let _ = writeln!(msg, "- {f}");
            }
            panic!("{msg}");
        }
    }
}

#[test]
fn decoding_matches_go_yaml_and_ghodss() {
    let cases = data("yaml_expected.json");
    let mut report = Report {
        failures: Vec::new(),
        checked: 0,
    };
    for case in cases.as_array().into_iter().flatten() {
        let name = case["name"].as_str().unwrap_or("?");
        let input = case["input"].as_str().unwrap_or("");
        let parsed = parse(input);
        if known(name) {
            continue;
        }
        report.check(
            &format!("{name}: parse {input:?}"),
            &result_json(parsed.clone(), |v| typed(&v)),
            &case["goyaml"],
        );
        if let (Ok(v), Some(want)) = (&parsed, case.get("marshal")) {
            report.check(
                &format!("{name}: marshal {input:?}"),
                &json!(to_string(v)),
                want,
            );
        }
        let docs = result_json(parse_all(input), |d| {
            J::Array(d.iter().map(typed).collect())
        });
        report.check(
            &format!("{name}: parse_all {input:?}"),
            &docs,
            &case["docs"],
        );
        let want_json = match &case["ghodss"] {
            J::String(text) => normalize(
                &serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: oracle json: {e}")),
            ),
            other => other.clone(),
        };
        report.check(
            &format!("{name}: to_json {input:?}"),
            &result_json(to_json(input), |j| normalize(&j)),
            &want_json,
        );
        report.check(
            &format!("{name}: yaml_to_json {input:?}"),
            &result_json(goyaml::yaml_to_json(input), J::String),
            &case["ghodss"],
        );
        if let (J::String(text), Some(want)) = (&case["ghodss"], case.get("toyaml")) {
            report.check(
                &format!("{name}: json_to_yaml {text}"),
                &result_json(json_to_yaml(text), J::String),
                want,
            );
        }
    }
    report.finish("yaml cases");
}

#[test]
fn emitting_matches_go_yaml() {
    emit_file("emit_expected.json");
}

/// Random JSON documents (strings of indicator characters, lengths around the 80-column fold,
/// nested collections, numbers of every magnitude) through `json_to_yaml`.
#[test]
fn emitting_random_documents_matches_go_yaml() {
    emit_file("emit_random_expected.json");
}

fn emit_file(name: &str) {
    let cases = data(name);
    let mut report = Report {
        failures: Vec::new(),
        checked: 0,
    };
    for case in cases.as_array().into_iter().flatten() {
        let input = case["input"].as_str().unwrap_or("");
        report.check(
            &format!("json_to_yaml {input}"),
            &result_json(json_to_yaml(input), J::String),
            &case["output"],
        );
    }
    report.finish(name);
}

fn sha256_hex(b: &[u8]) -> String {
    Sha256::digest(b).iter().fold(String::new(), |mut s, byte| {
        let _ = write!(s, "{byte:02x}");
        s
    })
}

/// Every values.yaml of the shared chart corpus, read and written as Helm v2 does. The inputs
/// live outside this repository (`GOYAML_CORPUS`, default `<repo>/../shared/corpus`); files whose
/// content changed since the oracle ran are reported, missing ones skipped with a note.
#[test]
fn corpus_values_round_trip_like_helm() {
    let root = corpus_root();
    let cases = data("corpus_expected.json");
    let mut report = Report {
        failures: Vec::new(),
        checked: 0,
    };
    let mut missing = 0;
    for case in cases.as_array().into_iter().flatten() {
        let path = case["path"].as_str().unwrap_or("");
        let Ok(bytes) = std::fs::read(PathBuf::from(&root).join(path)) else {
            missing += 1;
            continue;
        };
        report.check(
            &format!("{path}: input hash"),
            &json!(sha256_hex(&bytes)),
            &case["input_sha256"],
        );
        let text = String::from_utf8_lossy(&bytes);
        match to_json(&text) {
            Err(e) => report.check(
                &format!("{path}: to_json"),
                &json!({"error": e.to_string()}),
                &json!({"error": case["error"]}),
            ),
            Ok(j) => {
                report.check(
                    &format!("{path}: to_json hash"),
                    &json!(sha256_hex(
                        goyaml::yaml_to_json(&text).unwrap_or_default().as_bytes()
                    )),
                    &case["json_sha256"],
                );
                if j.is_object() {
                    let y = to_yaml(&j);
                    report.check(
                        &format!("{path}: toYaml hash\n{y}"),
                        &json!(sha256_hex(y.as_bytes())),
                        &case["toyaml_sha256"],
                    );
                }
            }
        }
    }
    if missing > 0 {
        eprintln!("corpus: {missing} values files not found under {root}; they were skipped");
    }
    report.finish("corpus");
}

fn short_hash(b: &[u8]) -> String {
    sha256_hex(b)[..16].to_owned()
}

/// The corpus's CI values files and Helm-rendered manifests: split into documents as Helm v2
/// does, then each document read (ghodss) and written back (`toYaml`), compared by hash.
#[test]
fn corpus_manifests_split_read_and_write_like_helm() {
    let root = corpus_root();
    let cases = data("manifests_expected.json");
    let mut report = Report {
        failures: Vec::new(),
        checked: 0,
    };
    let mut missing = 0;
    for case in cases.as_array().into_iter().flatten() {
        let path = case["path"].as_str().unwrap_or("");
        let Ok(bytes) = std::fs::read(PathBuf::from(&root).join(path)) else {
            missing += 1;
            continue;
        };
        report.check(
            &format!("{path}: input hash"),
            &json!(sha256_hex(&bytes)),
            &case["input_sha256"],
        );
        let text = String::from_utf8_lossy(&bytes);
        let docs = goyaml::split_manifests(&text);
        let want_docs = case["docs"].as_array().cloned().unwrap_or_default();
        report.check(
            &format!("{path}: document count"),
            &json!(docs.len()),
            &json!(want_docs.len()),
        );
        for (n, (doc, want)) in docs.iter().zip(&want_docs).enumerate() {
            let mut got = serde_json::Map::new();
            got.insert("split".to_owned(), json!(short_hash(doc.as_bytes())));
            match to_json(doc) {
                Err(e) => {
                    got.insert("error".to_owned(), json!(e.to_string()));
                }
                Ok(j) => {
                    let text = goyaml::yaml_to_json(doc).unwrap_or_default();
                    got.insert("json".to_owned(), json!(short_hash(text.as_bytes())));
                    if j.is_object() || j.is_null() {
                        let y = to_yaml(&j);
                        got.insert("toyaml".to_owned(), json!(short_hash(y.as_bytes())));
                    }
                }
            }
            report.check(&format!("{path}: document {n}"), &J::Object(got), want);
        }
    }
    if missing > 0 {
        eprintln!("manifests: {missing} files not found under {root}; they were skipped");
    }
    report.finish("corpus manifests");
}

/// Mutations (from `tests/oracle/make_cases.py`) that this crate reads differently from go-yaml,
/// with the reason.
const KNOWN_MUTATIONS: &[(&str, &str)] = &[
    (
        "mut-14",
        "U+2028 / U+0085 are line breaks in YAML 1.1, content in saphyr",
    ),
    (
        "mut-787",
        "U+2028 / U+0085 are line breaks in YAML 1.1, content in saphyr",
    ),
    (
        "mut-77",
        "libyaml reads the truncated tag `!!in,` differently",
    ),
    (
        "mut-80",
        "a root block scalar with unindented lines: libyaml's minimum indentation is 1",
    ),
    (
        "mut-457",
        "libyaml accepts U+FEFF inside a document, saphyr rejects it",
    ),
    (
        "mut-628",
        "libyaml accepts U+FEFF inside a document, saphyr rejects it",
    ),
    (
        "mut-493",
        "quoted root scalar followed by junk: go-yaml stops after the scalar",
    ),
    (
        "mut-618",
        "quoted root scalar followed by junk: go-yaml stops after the scalar",
    ),
    (
        "mut-774",
        "quoted root scalar followed by junk: go-yaml stops after the scalar",
    ),
];

/// Randomly damaged YAML: where go-yaml reads a value this crate must read the same value, and
/// where go-yaml fails this crate must fail. The wording of errors is compared too, but only
/// reported: saphyr and libyaml notice some syntax errors at different tokens.
#[test]
fn damaged_yaml_is_accepted_and_rejected_like_go_yaml() {
    let cases = data("mutations_expected.json");
    let mut report = Report {
        failures: Vec::new(),
        checked: 0,
    };
    let (mut same_text, mut errors) = (0, 0);
    for case in cases.as_array().into_iter().flatten() {
        let name = case["name"].as_str().unwrap_or("?");
        let input = case["input"].as_str().unwrap_or("");
        if KNOWN_MUTATIONS.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let got = to_json(input);
        match (&case["ghodss"], got) {
            (J::String(text), Ok(j)) => {
                let want = normalize(&serde_json::from_str(text).unwrap_or(J::Null));
                report.check(&format!("{name}: {input:?}"), &normalize(&j), &want);
            }
            (J::String(text), Err(e)) => {
                report.check(
                    &format!("{name}: {input:?}"),
                    &json!({"error": e.to_string()}),
                    &json!(text),
                );
            }
            (want, Ok(j)) => report.check(&format!("{name}: {input:?}"), &normalize(&j), want),
            (want, Err(e)) => {
                report.checked += 1;
                errors += 1;
                if want["error"] == json!(e.to_string()) {
                    same_text += 1;
                }
            }
        }
    }
    eprintln!("damaged YAML: {same_text} of {errors} errors worded exactly as go-yaml words them");
    report.finish("mutations");
}

/// The shared corpus: `GOYAML_CORPUS`, else `shared/corpus` beside the repository.
fn corpus_root() -> String {
    std::env::var("GOYAML_CORPUS").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus").to_owned()
    })
}
