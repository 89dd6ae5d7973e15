//! A deterministic fuzz run that needs no fuzzing toolchain: random templates assembled from
//! template-ish fragments must parse or fail cleanly, and what parses must execute or fail
//! cleanly, without panics. (The libFuzzer target lives in `fuzz/`.)

mod common;

use gotmpl::{FuncMap, Options, Templates, Value};

const FRAGMENTS: &[&str] = &[
    "{{",
    "}}",
    "{{- ",
    " -}}",
    "{{/*",
    "*/}}",
    " ",
    "\n",
    "\t",
    "-",
    ".",
    ".a",
    ".b.c",
    "$",
    "$x",
    "$x :=",
    "$x =",
    ":=",
    "=",
    "|",
    "(",
    ")",
    ",",
    "if",
    "else",
    "end",
    "range",
    "with",
    "define",
    "template",
    "block",
    "break",
    "continue",
    "nil",
    "true",
    "false",
    "\"s\"",
    "\"",
    "`r`",
    "`",
    "1",
    "2.5",
    "-3",
    "0x1F",
    "'c'",
    "'",
    "1e3",
    "printf",
    "\"%d %s %v\"",
    "print",
    "len",
    "index",
    "slice",
    "and",
    "or",
    "not",
    "eq",
    "lt",
    "html",
    "js",
    "urlquery",
    "call",
    "upper",
    "fail",
    "tolist",
    "text",
    "é",
    "\\",
    "}",
    "{",
    "#",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[test]
fn random_templates_never_panic() {
    let data = common::from_json(
        &serde_json::from_str(
            r#"{"a": [1, "x", null, {"b": {"c": 2}}], "b": {"c": "d"}, "s": "str"}"#,
        )
        .expect("valid JSON"),
    );
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut parsed = 0;
    for _ in 0..20_000 {
        let len = 1 + (rng.next() % 24) as usize;
        let mut text = String::new();
        for _ in 0..len {
            text.push_str(FRAGMENTS[(rng.next() % FRAGMENTS.len() as u64) as usize]);
        }
        for options in [Options::default(), Options::helm_v2()] {
            let mut set = Templates::new(common::oracle_funcs()).with_options(Options {
                max_depth: 30,
                ..options
            });
            if set.parse("t", &text).is_ok() {
                parsed += 1;
                let _ = set.execute_to_string("t", &data);
                let _ = set.execute_to_string("t", &Value::Nil);
            }
        }
    }
    // The generator must reach the executor reasonably often to be worth running.
    assert!(parsed > 1_000, "only {parsed} inputs parsed");
}

#[test]
fn templates_without_functions_report_undefined_ones() {
    let mut set = Templates::new(FuncMap::new());
    let err = set.parse("t", "{{ upper . }}").unwrap_err();
    assert_eq!(
        err.to_string(),
        "template: t:1: function \"upper\" not defined"
    );
}

#[test]
fn random_printf_formats_never_panic() {
    const PIECES: &[&str] = &[
        "%",
        "%%",
        "-",
        "+",
        "#",
        " ",
        "0",
        "*",
        ".",
        "[",
        "]",
        "1",
        "2",
        "9",
        "65535",
        "65536",
        "1000000",
        "1000001",
        "99999999999",
        "v",
        "d",
        "s",
        "q",
        "x",
        "X",
        "o",
        "O",
        "b",
        "c",
        "U",
        "e",
        "E",
        "f",
        "F",
        "g",
        "G",
        "t",
        "T",
        "p",
        "w",
        "z",
        "é",
        "a",
    ];
    let args = [
        Value::Int(-42),
        Value::Uint(u64::MAX),
        Value::Float(-0.0),
        Value::Float(5e-324),
        Value::Float(f64::NAN),
        Value::Float(1e308),
        Value::string("héllo"),
        Value::Nil,
        Value::Bool(true),
        Value::list(vec![Value::Int(1), Value::Nil]),
        Value::Int(1_000_000),
        Value::Int(-70_000),
    ];
    let mut rng = Rng(0x1234_5678_9ABC_DEF1);
    for _ in 0..5_000 {
        let mut format = String::new();
        for _ in 0..(1 + rng.next() % 8) {
            format.push_str(PIECES[(rng.next() % PIECES.len() as u64) as usize]);
        }
        let n = (rng.next() % 4) as usize;
        let start = (rng.next() % args.len() as u64) as usize;
        let chosen: Vec<Value> = (0..n)
            .map(|i| args[(start + i) % args.len()].clone())
            .collect();
        let _ = gotmpl::fmt::sprintf(&format, &chosen);
    }
}
