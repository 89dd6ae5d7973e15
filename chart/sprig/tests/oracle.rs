//! Differential test against real Helm: every snippet of `oracle/cases.txt` and
//! `oracle/sprig_tests.txt` was rendered by the Helm v4.3 library (Sprig v3.3, Go's
//! text/template) and recorded in `data/*.tsv` (regenerate with
//! `python3 tests/oracle/gen.py tests/oracle/cases.txt tests/data/oracle.tsv`, same for
//! `sprig_tests`).
//! Here the same snippets run through `gotmpl` with `sprig::functions()`; outputs must match
//! byte for byte, and snippets Helm rejected must fail here too (error texts are not compared:
//! Helm words some of them differently from Go's template engine).

use gotmpl::{Map, Templates, Value};

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// The values the oracle chart had (`values.yaml` of gen.py), as Helm decodes them.
fn data() -> Value {
    let mut inner = Map::new();
    inner.insert("a".into(), Value::Float(1.0));
    inner.insert("b".into(), Value::string("x"));
    let mut values = Map::new();
    values.insert("num".into(), Value::Float(1_000_000.0));
    values.insert("float".into(), Value::Float(1.5));
    values.insert("str".into(), Value::string("hello"));
    values.insert(
        "list".into(),
        Value::list(vec![Value::string("a"), Value::string("b")]),
    );
    values.insert("map".into(), Value::map(inner));
    values.insert("zero".into(), Value::Float(0.0));
    values.insert("empty".into(), Value::string(""));
    let mut root = Map::new();
    root.insert("Values".into(), Value::map(values));
    Value::map(root)
}

fn render(snippet: &str, data: &Value) -> Result<String, String> {
    // The recordings were made in UTC; `toDate` and friends use the local zone.
    sprig::set_local_zone("UTC")?;
    let mut set = Templates::new(sprig::functions());
    set.set_option("missingkey=zero")
        .map_err(|e| e.to_string())?;
    set.parse("t", &format!("{{{{- /**/ -}}}}{snippet}"))
        .map_err(|e| e.to_string())?;
    let out = set
        .execute_to_string("t", data)
        .map_err(|e| e.to_string())?;
    // Helm replaces what missingkey=zero prints for missing values.
    Ok(out.replace("<no value>", ""))
}

fn check_table(name: &str, table: &str) {
    let data = data();
    let mut failures = Vec::new();
    let mut count = 0;
    for line in table.lines() {
        let mut parts = line.splitn(3, '\t');
        let (Some(snippet), Some(kind), Some(expected)) =
            (parts.next(), parts.next(), parts.next())
        else {
            panic!("malformed line in {name}: {line}");
        };
        let snippet = unescape(snippet);
        let expected = unescape(expected);
        count += 1;
        match (kind, render(&snippet, &data)) {
            ("ok", Ok(got)) if got == expected => {}
            ("ok", Ok(got)) => {
                failures.push(format!("{snippet}\n    helm: {expected}\n    ours: {got}"))
            }
            ("ok", Err(e)) => failures.push(format!(
                "{snippet}\n    helm: {expected}\n    ours: ERROR {e}"
            )),
            ("err", Err(_)) => {}
            ("err", Ok(got)) => failures.push(format!(
                "{snippet}\n    helm: ERROR {expected}\n    ours: {got}"
            )),
            (other, _) => panic!("unknown kind {other}"),
        }
    }
    assert!(count > 100, "the oracle table {name} is missing");
    assert!(
        failures.is_empty(),
        "{} of {count} snippets of {name} differ from Helm:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Our own table: every function, edge cases, errors.
#[test]
fn matches_helm() {
    check_table("oracle.tsv", include_str!("data/oracle.tsv"));
}

/// The template strings of Sprig's own test suite.
#[test]
fn sprig_test_suite_matches_helm() {
    check_table("sprig_tests.tsv", include_str!("data/sprig_tests.tsv"));
}
