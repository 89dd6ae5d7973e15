//! Parses and executes a synthetic set of 1,000 chart-like templates and prints timings.
//!
//! Run with `cargo run --release -p gotmpl --example bench [TEMPLATES] [ROUNDS]`; set
//! `BENCH_DUMP=FILE` to write the rendered output of the first round.

use std::time::Instant;

use gotmpl::{FuncMap, Map, Options, Templates, Value};

/// A template shaped like a typical chart manifest: helpers via `template`, conditionals,
/// ranges over lists and maps, `printf`, comparisons and missing values.
fn manifest(i: usize) -> String {
    format!(
        r#"{{{{- define "t{i}.name" -}}}}{{{{ .Values.name }}}}-{i}{{{{- end -}}}}
{{{{- define "t{i}.labels" }}}}
app: {{{{ template "t{i}.name" . }}}}
release: {{{{ .Release.Name }}}}
{{{{- end }}}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{{{ template "t{i}.name" . }}}}
  labels:
{{{{- template "t{i}.labels" . }}}}
data:
{{{{- range $k, $v := .Values.data }}}}
  {{{{ $k }}}}: {{{{ printf "%v" $v }}}}
{{{{- end }}}}
{{{{- if and .Values.enabled (gt .Values.replicas 1.0) }}}}
  replicas: {{{{ .Values.replicas }}}}
{{{{- else }}}}
  replicas: one
{{{{- end }}}}
{{{{- with .Values.missing }}}}
  never: {{{{ . }}}}
{{{{- end }}}}
  ports: {{{{ range $i, $p := .Values.ports }}}}{{{{ if $i }}}},{{{{ end }}}}{{{{ $p }}}}{{{{ end }}}}
  big: {{{{ .Values.big }}}}
"#
    )
}

fn data() -> Value {
    let mut values = Map::new();
    values.insert("name".into(), Value::string("web"));
    values.insert("enabled".into(), Value::Bool(true));
    values.insert("replicas".into(), Value::Float(3.0));
    values.insert("big".into(), Value::Float(1e6));
    values.insert(
        "ports".into(),
        Value::list(
            (0..8)
                .map(|p| Value::Float(8000.0 + f64::from(p)))
                .collect(),
        ),
    );
    let mut d = Map::new();
    for k in 0..10 {
        d.insert(format!("key{k}"), Value::string(format!("value {k}")));
    }
    values.insert("data".into(), Value::map(d));
    let mut release = Map::new();
    release.insert("Name".into(), Value::string("rel"));
    let mut root = Map::new();
    root.insert("Values".into(), Value::map(values));
    root.insert("Release".into(), Value::map(release));
    Value::map(root)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let texts: Vec<(String, String)> = (0..count)
        .map(|i| (format!("chart/templates/t{i}.yaml"), manifest(i)))
        .collect();
    let bytes: usize = texts.iter().map(|(_, t)| t.len()).sum();
    let data = data();

    for round in 1..=rounds {
        let start = Instant::now();
        let mut set = Templates::new(FuncMap::new()).with_options(Options::helm_v2());
        for (name, text) in &texts {
            if let Err(e) = set.parse(name, text) {
                eprintln!("parse error: {e}");
                std::process::exit(1);
            }
        }
        let parsed = start.elapsed();
        let start = Instant::now();
        let mut out_bytes = 0;
        let mut all = String::new();
        for (name, _) in &texts {
            match set.execute_to_string(name, &data) {
                Ok(out) => {
                    out_bytes += out.len();
                    all.push_str(&out);
                }
                Err(e) => {
                    eprintln!("exec error: {e}");
                    std::process::exit(1);
                }
            }
        }
        let executed = start.elapsed();
        // BENCH_DUMP=FILE writes the rendered output once, to compare with Go's.
        if round == 1
            && let Ok(path) = std::env::var("BENCH_DUMP")
            && let Err(e) = std::fs::write(&path, &all)
        {
            eprintln!("cannot write {path}: {e}");
        }
        println!(
            "round {round}: {count} templates ({} KiB): parse {:.1} ms, execute {:.1} ms ({} KiB out), {:.1} µs/template total",
            bytes / 1024,
            parsed.as_secs_f64() * 1e3,
            executed.as_secs_f64() * 1e3,
            out_bytes / 1024,
            (parsed + executed).as_secs_f64() * 1e6 / count as f64
        );
    }
}
