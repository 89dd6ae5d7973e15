//! Differential test against Go's `text/template`: every case of `tests/data/cases.jsonl` must
//! produce exactly the output, parse error or execution error that Go 1.19 produced, as
//! recorded in `tests/data/expected.jsonl` by `tests/oracle/main.go`.

mod common;

use gotmpl::Templates;

struct Outcome {
    output: String,
    parse_error: String,
    exec_error: String,
}

fn run(case: &serde_json::Value) -> Outcome {
    let tmpl = case["tmpl"].as_str().unwrap_or_default();
    let opt = case["opt"].as_str().unwrap_or_default();
    let exec = case["exec"]
        .as_str()
        .filter(|s| !s.is_empty())
        .unwrap_or("t");
    let data = common::from_json(&case["data"]);
    let mut set = Templates::new(common::oracle_funcs()).with_name("t");
    if !opt.is_empty() {
        set.set_option(opt).expect("valid option");
    }
    if let Err(e) = set.parse("t", tmpl) {
        return Outcome {
            output: String::new(),
            parse_error: e.to_string(),
            exec_error: String::new(),
        };
    }
    let mut out = String::new();
    let exec_error = match set.execute(exec, &data, &mut out) {
        Ok(()) => String::new(),
        Err(e) => e.to_string(),
    };
    Outcome {
        output: out,
        parse_error: String::new(),
        exec_error,
    }
}

fn lines(path: &str) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).expect("test data present");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| serde_json::from_str(l).expect("valid JSON line"))
        .collect()
}

#[test]
fn matches_go_text_template() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let cases = lines(&format!("{dir}/tests/data/cases.jsonl"));
    let expected = lines(&format!("{dir}/tests/data/expected.jsonl"));
    assert_eq!(
        cases.len(),
        expected.len(),
        "regenerate expected.jsonl with the oracle"
    );
    let mut failures = Vec::new();
    for (case, want) in cases.iter().zip(&expected) {
        let name = case["name"].as_str().unwrap_or_default();
        assert_eq!(Some(name), want["name"].as_str(), "case order");
        let got = run(case);
        let field = |k: &str| want[k].as_str().unwrap_or_default().to_owned();
        let (w_out, w_perr, w_eerr) = (field("output"), field("parse_error"), field("exec_error"));
        if got.output != w_out || got.parse_error != w_perr || got.exec_error != w_eerr {
            failures.push(format!(
                "case {name}:\n  want output {w_out:?}\n  got  output {:?}\n  want parse {w_perr:?}\n  got  parse {:?}\n  want exec  {w_eerr:?}\n  got  exec  {:?}",
                got.output, got.parse_error, got.exec_error
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from Go:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
