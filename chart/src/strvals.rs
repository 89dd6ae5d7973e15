//! The `--set`, `--set-string` and `--set-file` grammar (Helm v2's `pkg/strvals`).
//!
//! A line is `key=value` assignments separated by commas. Keys are dotted paths with list
//! indexes (`a.b[0].c`); a backslash makes the next character literal anywhere; a value is
//! everything up to the next comma, or a `{a,b}` list. With `--set`, `true`/`false`/`null` (any
//! case) and decimal integers not starting with `0` are typed; everything else is a string.
//!
//! Helm panics on a few inputs (assigning below a key that holds a scalar, negative indexes);
//! here those are errors naming the key.

use thiserror::Error;

use crate::values::{Map, Value};

/// The largest list index accepted; Helm v2 has no bound and would try to allocate whatever
/// it is given.
pub const MAX_INDEX: usize = 65_536;

/// A `--set` parse error.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum StrvalsError {
    /// A key is followed by the end of input or a comma instead of `=`.
    #[error("key {0:?} has no value")]
    NoValue(String),
    /// A key is followed by a comma instead of `=`.
    #[error("key {0:?} has no value (cannot end with ,)")]
    NoValueComma(String),
    /// `a.` with nothing assigned below `a`.
    #[error("key map {0:?} has no value")]
    EmptyMap(String),
    /// The text between `[` and `]` is not an acceptable index.
    #[error("error parsing index: {0}")]
    Index(String),
    /// Something other than `=`, `[` or `.` follows `]`.
    #[error("unexpected data at end of array index: {0:?}")]
    AfterIndex(String),
    /// A `{` list without its closing brace.
    #[error("list must terminate with '}}'")]
    UnterminatedList,
    /// A key already holds a value of another kind than the assignment needs.
    #[error("key {key:?} holds a {found}, cannot set a {wanted} below it")]
    Conflict {
        /// The key.
        key: String,
        /// What it holds.
        found: &'static str,
        /// What the assignment needs (`map` or `list`).
        wanted: &'static str,
    },
    /// `--set-file` could not read a file.
    #[error("{0}")]
    File(String),
}

/// Why scanning stopped: a delimiter, or the end of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Char(char),
    Eof,
}

/// How values are typed: `--set`, `--set-string` or `--set-file`.
enum Mode<'a> {
    Typed,
    String,
    File(&'a mut dyn FnMut(&str) -> Result<String, String>),
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    mode: Mode<'a>,
}

/// Internal result: `Err(None)` is the clean end of input (Go's `io.EOF`).
type Step<T> = Result<T, Option<StrvalsError>>;

fn fail<T>(e: StrvalsError) -> Step<T> {
    Err(Some(e))
}

impl Parser<'_> {
    fn next(&mut self) -> Option<char> {
        let c = self.chars.get(self.pos).copied();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    /// Reads up to one of `stops`, unescaping `\x`; reports which stop ended it.
    fn until(&mut self, stops: &[char]) -> (String, Stop) {
        let mut out = String::new();
        loop {
            match self.next() {
                None => return (out, Stop::Eof),
                Some(c) if stops.contains(&c) => return (out, Stop::Char(c)),
                Some('\\') => match self.next() {
                    None => return (out, Stop::Eof),
                    Some(c) => out.push(c),
                },
                Some(c) => out.push(c),
            }
        }
    }

    fn make_value(&mut self, text: &str) -> Result<Value, StrvalsError> {
        match &mut self.mode {
            Mode::Typed => Ok(typed_value(text)),
            Mode::String => Ok(Value::String(text.to_owned())),
            Mode::File(read) => read(text).map(Value::String).map_err(StrvalsError::File),
        }
    }

    fn parse(&mut self, data: &mut Map) -> Result<(), StrvalsError> {
        loop {
            match self.key(data) {
                Ok(()) => {}
                Err(None) => return Ok(()),
                Err(Some(e)) => return Err(e),
            }
        }
    }

    fn key(&mut self, data: &mut Map) -> Step<()> {
        let (key, stop) = self.until(&['=', '[', ',', '.']);
        match stop {
            Stop::Eof if key.is_empty() => Err(None),
            Stop::Eof => fail(StrvalsError::NoValue(key)),
            Stop::Char('[') => {
                let index = self.index()?;
                let list = match data.remove(&key) {
                    None => Vec::new(),
                    Some(Value::List(items)) => items,
                    Some(other) => {
                        return fail(conflict(&key, &other, "list"));
                    }
                };
                let (list, result) = self.list_item(list, index);
                set(data, &key, Value::List(list));
                result
            }
            Stop::Char('=') => match self.value_list() {
                Ok(Some(list)) => {
                    set(data, &key, Value::List(list));
                    Ok(())
                }
                Ok(None) => {
                    let (text, stop) = self.until(&[',']);
                    let value = self.make_value(&text).map_err(Some)?;
                    set(data, &key, value);
                    if stop == Stop::Eof { Err(None) } else { Ok(()) }
                }
                Err(None) => {
                    set(data, &key, Value::String(String::new()));
                    Err(None)
                }
                Err(e) => Err(e),
            },
            Stop::Char(',') => {
                // Helm stores an empty string before failing, which matters for `a.b,` (the
                // table `a` is then not empty).
                set(data, &key, Value::String(String::new()));
                fail(StrvalsError::NoValueComma(key))
            }
            Stop::Char(_) => {
                // '.': descend into (or create) the table under `key`.
                let mut inner = match data.remove(&key) {
                    None => Map::new(),
                    Some(Value::Map(m)) => m,
                    Some(other) => return fail(conflict(&key, &other, "map")),
                };
                let result = self.key(&mut inner);
                if inner.is_empty() {
                    return fail(StrvalsError::EmptyMap(key));
                }
                set(data, &key, Value::Map(inner));
                result
            }
        }
    }

    fn index(&mut self) -> Step<usize> {
        let (text, stop) = self.until(&[']']);
        if stop == Stop::Eof {
            return fail(StrvalsError::Index("EOF".to_owned()));
        }
        match text.parse::<i64>() {
            Ok(i) if i < 0 => fail(StrvalsError::Index(format!("negative index {i}"))),
            Ok(i) if i as u64 > MAX_INDEX as u64 => fail(StrvalsError::Index(format!(
                "index {i} is larger than {MAX_INDEX}"
            ))),
            Ok(i) => Ok(i as usize),
            Err(_) => fail(StrvalsError::Index(format!(
                "strconv.Atoi: parsing {text:?}: invalid syntax"
            ))),
        }
    }

    /// Handles what follows `name[i]`: `=value`, another `[j]`, or `.key`. Returns the updated
    /// list together with the step result, because Helm stores the list even when the rest of
    /// the line fails or ends.
    fn list_item(&mut self, mut list: Vec<Value>, i: usize) -> (Vec<Value>, Step<()>) {
        let (text, stop) = self.until(&['[', '.', '=']);
        if !text.is_empty() {
            return (list, fail(StrvalsError::AfterIndex(text)));
        }
        match stop {
            Stop::Eof => (list, Err(None)),
            Stop::Char('=') => match self.value_list() {
                Ok(Some(items)) => {
                    set_index(&mut list, i, Value::List(items));
                    (list, Ok(()))
                }
                Ok(None) => {
                    let (text, stop) = self.until(&[',']);
                    match self.make_value(&text) {
                        Ok(v) => {
                            set_index(&mut list, i, v);
                            (list, if stop == Stop::Eof { Err(None) } else { Ok(()) })
                        }
                        Err(e) => (list, fail(e)),
                    }
                }
                Err(None) => {
                    set_index(&mut list, i, Value::String(String::new()));
                    (list, Ok(()))
                }
                Err(e) => (list, Err(e)),
            },
            Stop::Char('[') => {
                let next = match self.index() {
                    Ok(n) => n,
                    Err(e) => return (list, Err(e)),
                };
                let inner = match list.get_mut(i).map(take) {
                    None | Some(Value::Null) => Vec::new(),
                    Some(Value::List(items)) => items,
                    Some(other) => {
                        let e = conflict(&format!("[{i}]"), &other, "list");
                        set_index(&mut list, i, other);
                        return (list, fail(e));
                    }
                };
                let (inner, result) = self.list_item(inner, next);
                set_index(&mut list, i, Value::List(inner));
                (list, result)
            }
            Stop::Char(_) => {
                // '.': a table inside the list; anything else there is replaced.
                let mut inner = match list.get_mut(i).map(take) {
                    Some(Value::Map(m)) => m,
                    _ => Map::new(),
                };
                let result = self.key(&mut inner);
                set_index(&mut list, i, Value::Map(inner));
                (list, result)
            }
        }
    }

    /// A `{a,b,c}` list right after `=`. `Ok(None)` when the value is not a list.
    fn value_list(&mut self) -> Step<Option<Vec<Value>>> {
        match self.chars.get(self.pos) {
            None => return Err(None),
            Some('{') => self.pos += 1,
            Some(_) => return Ok(None),
        }
        let mut list = Vec::new();
        loop {
            let (text, stop) = self.until(&[',', '}']);
            match stop {
                Stop::Eof => return fail(StrvalsError::UnterminatedList),
                Stop::Char('}') => {
                    if self.chars.get(self.pos) == Some(&',') {
                        self.pos += 1;
                    }
                    list.push(self.make_value(&text).map_err(Some)?);
                    return Ok(Some(list));
                }
                Stop::Char(_) => list.push(self.make_value(&text).map_err(Some)?),
            }
        }
    }
}

/// Takes a value out of a list slot, leaving `null` behind.
fn take(slot: &mut Value) -> Value {
    std::mem::replace(slot, Value::Null)
}

fn conflict(key: &str, found: &Value, wanted: &'static str) -> StrvalsError {
    let found = match found {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Float(_) => "number",
        Value::String(_) => "string",
        Value::List(_) => "list",
        Value::Map(_) => "map",
    };
    StrvalsError::Conflict {
        key: key.to_owned(),
        found,
        wanted,
    }
}

fn set(data: &mut Map, key: &str, value: Value) {
    // Helm silently drops assignments to an empty key (`=x`).
    if !key.is_empty() {
        data.insert(key.to_owned(), value);
    }
}

fn set_index(list: &mut Vec<Value>, index: usize, value: Value) {
    if list.len() <= index {
        list.resize(index + 1, Value::Null);
    }
    list[index] = value;
}

/// `--set` typing: booleans and null in any case, `0`, and decimal integers that do not start
/// with `0`; everything else is a string.
pub fn typed_value(text: &str) -> Value {
    if text.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if text.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if text.eq_ignore_ascii_case("null") {
        return Value::Null;
    }
    if text == "0" {
        return Value::Int(0);
    }
    if !text.is_empty()
        && !text.starts_with('0')
        && let Ok(i) = text.parse::<i64>()
    {
        return Value::Int(i);
    }
    Value::String(text.to_owned())
}

fn run(line: &str, dest: &mut Map, mode: Mode<'_>) -> Result<(), StrvalsError> {
    let mut parser = Parser {
        chars: line.chars().collect(),
        pos: 0,
        mode,
    };
    parser.parse(dest)
}

/// Parses a `--set` line into a new table.
pub fn parse(line: &str) -> Result<Map, StrvalsError> {
    let mut out = Map::new();
    parse_into(line, &mut out)?;
    Ok(out)
}

/// Parses a `--set-string` line into a new table.
pub fn parse_string(line: &str) -> Result<Map, StrvalsError> {
    let mut out = Map::new();
    parse_string_into(line, &mut out)?;
    Ok(out)
}

/// Parses a `--set` line into `dest`, overwriting keys it sets.
pub fn parse_into(line: &str, dest: &mut Map) -> Result<(), StrvalsError> {
    run(line, dest, Mode::Typed)
}

/// Parses a `--set-string` line into `dest`: every value, list items included, is a string.
pub fn parse_string_into(line: &str, dest: &mut Map) -> Result<(), StrvalsError> {
    run(line, dest, Mode::String)
}

/// Parses a `--set-file` line into `dest`: each value is a path, replaced by what `read`
/// returns for it (the file's content). `read` reports failures as a message.
pub fn parse_file_into(
    line: &str,
    dest: &mut Map,
    read: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<(), StrvalsError> {
    run(line, dest, Mode::File(read))
}

/// [`parse_file_into`] reading local files, relative paths resolved against `base`.
pub fn parse_file_into_from(
    line: &str,
    dest: &mut Map,
    base: &std::path::Path,
) -> Result<(), StrvalsError> {
    let mut read = |path: &str| -> Result<String, String> {
        let full = base.join(path);
        let bytes = std::fs::read(&full).map_err(|e| format!("open {path}: {e}"))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    };
    parse_file_into(line, dest, &mut read)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::tests::map;

    fn s(x: &str) -> Value {
        Value::from(x)
    }

    fn l(items: Vec<Value>) -> Value {
        Value::List(items)
    }

    fn m<const N: usize>(pairs: [(&str, Value); N]) -> Value {
        Value::Map(map(pairs))
    }

    #[test]
    fn typed_set_table() {
        let cases: Vec<(&str, Value)> = vec![
            (
                "name1=null,f=false,t=true",
                m([
                    ("name1", Value::Null),
                    ("f", Value::Bool(false)),
                    ("t", Value::Bool(true)),
                ]),
            ),
            ("name1=value1", m([("name1", s("value1"))])),
            (
                "name1=value1,name2=value2",
                m([("name1", s("value1")), ("name2", s("value2"))]),
            ),
            (
                "name1=value1,name2=value2,",
                m([("name1", s("value1")), ("name2", s("value2"))]),
            ),
            (
                "name1=,name2=value2",
                m([("name1", s("")), ("name2", s("value2"))]),
            ),
            ("leading_zeros=00009", m([("leading_zeros", s("00009"))])),
            ("zero_int=0", m([("zero_int", Value::Int(0))])),
            (
                "long_int=1234567890",
                m([("long_int", Value::Int(1_234_567_890))]),
            ),
            ("boolean=TRUE", m([("boolean", Value::Bool(true))])),
            ("is_null=Null", m([("is_null", Value::Null)])),
            (
                "neg=-5,pos=+5,hex=0x1F,float=1.5,exp=1e3",
                m([
                    ("neg", Value::Int(-5)),
                    ("pos", Value::Int(5)),
                    ("hex", s("0x1F")),
                    ("float", s("1.5")),
                    ("exp", s("1e3")),
                ]),
            ),
            (
                "big=99999999999999999999",
                m([("big", s("99999999999999999999"))]),
            ),
            (
                "name1=one\\,two,name2=three\\,four",
                m([("name1", s("one,two")), ("name2", s("three,four"))]),
            ),
            (
                "name1=one\\=two,name2=three\\=four",
                m([("name1", s("one=two")), ("name2", s("three=four"))]),
            ),
            ("a\\.b=1", m([("a.b", Value::Int(1))])),
            (
                "name1=one two three,name2= x ",
                m([("name1", s("one two three")), ("name2", s(" x "))]),
            ),
            (
                "outer.inner=value",
                m([("outer", m([("inner", s("value"))]))]),
            ),
            (
                "outer.middle.inner=value",
                m([("outer", m([("middle", m([("inner", s("value"))]))]))]),
            ),
            (
                "outer.inner1=value,outer.inner2=value2",
                m([(
                    "outer",
                    m([("inner1", s("value")), ("inner2", s("value2"))]),
                )]),
            ),
            (
                "outer.inner1=value,outer.middle.inner=value",
                m([(
                    "outer",
                    m([
                        ("inner1", s("value")),
                        ("middle", m([("inner", s("value"))])),
                    ]),
                )]),
            ),
            ("name1.name2=", m([("name1", m([("name2", s(""))]))])),
            (
                "name1={value1,value2}",
                m([("name1", l(vec![s("value1"), s("value2")]))]),
            ),
            (
                "name1={value1,value2},name2={value1,value2}",
                m([
                    ("name1", l(vec![s("value1"), s("value2")])),
                    ("name2", l(vec![s("value1"), s("value2")])),
                ]),
            ),
            (
                "name1={1021,902}",
                m([("name1", l(vec![Value::Int(1021), Value::Int(902)]))]),
            ),
            (
                "name1.name2={value1,value2}",
                m([("name1", m([("name2", l(vec![s("value1"), s("value2")]))]))]),
            ),
            ("list[0]=foo", m([("list", l(vec![s("foo")]))])),
            (
                "list[0].foo=bar",
                m([("list", l(vec![m([("foo", s("bar"))])]))]),
            ),
            (
                "list[0].foo=bar,list[0].hello=world",
                m([(
                    "list",
                    l(vec![m([("foo", s("bar")), ("hello", s("world"))])]),
                )]),
            ),
            (
                "list[0]=foo,list[1]=bar",
                m([("list", l(vec![s("foo"), s("bar")]))]),
            ),
            (
                "list[0]=foo,list[1]=bar,",
                m([("list", l(vec![s("foo"), s("bar")]))]),
            ),
            (
                "list[0]=foo,list[3]=bar",
                m([(
                    "list",
                    l(vec![s("foo"), Value::Null, Value::Null, s("bar")]),
                )]),
            ),
            ("noval[0]", m([("noval", l(vec![]))])),
            ("noval[0]=", m([("noval", l(vec![s("")]))])),
            (
                "nested[0][0]=1",
                m([("nested", l(vec![l(vec![Value::Int(1)])]))]),
            ),
            (
                "nested[1][1]=1",
                m([(
                    "nested",
                    l(vec![Value::Null, l(vec![Value::Null, Value::Int(1)])]),
                )]),
            ),
            (
                "name1.name2[0].foo=bar,name1.name2[1].foo=bar",
                m([(
                    "name1",
                    m([(
                        "name2",
                        l(vec![m([("foo", s("bar"))]), m([("foo", s("bar"))])]),
                    )]),
                )]),
            ),
            (
                "name1.name2[1].foo=bar,name1.name2[0].foo=bar",
                m([(
                    "name1",
                    m([(
                        "name2",
                        l(vec![m([("foo", s("bar"))]), m([("foo", s("bar"))])]),
                    )]),
                )]),
            ),
            (
                "name1.name2[1].foo=bar",
                m([(
                    "name1",
                    m([("name2", l(vec![Value::Null, m([("foo", s("bar"))])]))]),
                )]),
            ),
            ("=x,a=1", m([("a", Value::Int(1))])),
            (
                "a={x}y=1",
                m([("a", l(vec![s("x")])), ("y", Value::Int(1))]),
            ),
        ];
        for (line, want) in cases {
            let got = parse(line).unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(Value::Map(got), want, "{line}");
        }
    }

    #[test]
    fn set_errors() {
        let cases: Vec<(&str, &str)> = vec![
            (
                "name1=value1,,,,name2=value2,",
                "key \"\" has no value (cannot end with ,)",
            ),
            (
                "name1,name2=",
                "key \"name1\" has no value (cannot end with ,)",
            ),
            (
                "name1,name2=value2",
                "key \"name1\" has no value (cannot end with ,)",
            ),
            (
                "name1,name2=value2\\",
                "key \"name1\" has no value (cannot end with ,)",
            ),
            (
                "name1,name2",
                "key \"name1\" has no value (cannot end with ,)",
            ),
            ("name1.name2", "key map \"name1\" has no value"),
            ("a[0", "error parsing index: EOF"),
            (
                "name1.name2,name1.name3",
                "key \"name2\" has no value (cannot end with ,)",
            ),
            ("name1.=name2", "key map \"name1\" has no value"),
            ("name1.,name2", "key map \"name1\" has no value"),
            ("name1={1021,902", "list must terminate with '}'"),
            (
                "illegal[0]name.foo=bar",
                "unexpected data at end of array index: \"name\"",
            ),
            (
                "a[x]=1",
                "error parsing index: strconv.Atoi: parsing \"x\": invalid syntax",
            ),
            ("a[-1]=1", "error parsing index: negative index -1"),
            (
                "a[70000]=1",
                "error parsing index: index 70000 is larger than 65536",
            ),
            (
                "a=1,a.b=2",
                "key \"a\" holds a number, cannot set a map below it",
            ),
            (
                "a=1,a[0]=2",
                "key \"a\" holds a number, cannot set a list below it",
            ),
            (
                "a[0]=1,a[0][0]=2",
                "key \"[0]\" holds a number, cannot set a list below it",
            ),
        ];
        for (line, want) in cases {
            match parse(line) {
                Ok(v) => panic!("{line}: expected an error, got {v:?}"),
                Err(e) => assert_eq!(e.to_string(), want, "{line}"),
            }
        }
    }

    #[test]
    fn set_string_keeps_strings() {
        let got =
            parse_string("long_int_string=1234567890,boolean=true,is_null=null,zero=0,l={1,true}")
                .unwrap();
        let want = map([
            ("long_int_string", s("1234567890")),
            ("boolean", s("true")),
            ("is_null", s("null")),
            ("zero", s("0")),
            ("l", l(vec![s("1"), s("true")])),
        ]);
        assert_eq!(got, want);
    }

    #[test]
    fn parse_into_merges_existing() {
        let mut dest = map([(
            "outer",
            m([("inner1", s("overwrite")), ("inner2", s("value2"))]),
        )]);
        parse_into(
            "outer.inner1=value1,outer.inner3=value3,outer.inner4=4",
            &mut dest,
        )
        .unwrap();
        let want = map([(
            "outer",
            m([
                ("inner1", s("value1")),
                ("inner2", s("value2")),
                ("inner3", s("value3")),
                ("inner4", Value::Int(4)),
            ]),
        )]);
        assert_eq!(dest, want);

        let mut dest = map([(
            "listOuter",
            l(vec![l(vec![l(vec![m([
                ("type", s("listValue")),
                ("status", s("alive")),
            ])])])]),
        )]);
        parse_into("listOuter[0][1][0].type=listValue2", &mut dest).unwrap();
        parse_into("listOuter[0][0][1].status=alive2", &mut dest).unwrap();
        let want = map([(
            "listOuter",
            l(vec![l(vec![
                l(vec![
                    m([("type", s("listValue")), ("status", s("alive"))]),
                    m([("status", s("alive2"))]),
                ]),
                l(vec![m([("type", s("listValue2"))])]),
            ])]),
        )]);
        assert_eq!(dest, want);

        let mut dest = map([("a", s("x"))]);
        parse_into("a=null", &mut dest).unwrap();
        assert_eq!(dest, map([("a", Value::Null)]));
    }

    #[test]
    fn set_file_reads_values() {
        let mut dest = Map::new();
        let mut read = |p: &str| -> Result<String, String> {
            if p == "missing" {
                Err(format!("open {p}: no such file"))
            } else {
                Ok(format!("content of {p}"))
            }
        };
        parse_file_into("a=one.txt,b.c=two.txt", &mut dest, &mut read).unwrap();
        assert_eq!(
            dest,
            map([
                ("a", s("content of one.txt")),
                ("b", m([("c", s("content of two.txt"))]))
            ])
        );
        let err = parse_file_into("x=missing", &mut dest, &mut read).unwrap_err();
        assert_eq!(err.to_string(), "open missing: no such file");

        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("f.txt"), "hello\n").unwrap();
        let mut dest = Map::new();
        parse_file_into_from("k=f.txt", &mut dest, dir.path()).unwrap();
        assert_eq!(dest, map([("k", s("hello\n"))]));
        assert!(parse_file_into_from("k=nope.txt", &mut dest, dir.path()).is_err());
    }
}
