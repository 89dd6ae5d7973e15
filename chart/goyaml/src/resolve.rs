//! go-yaml v2's implicit typing of scalars (`resolve.go`): the YAML 1.1 table of booleans, nulls,
//! special floats, Go-syntax integers, floats and timestamps.

use crate::value::Value;

/// The long form of the core schema tags.
pub(crate) const STR_TAG: &str = "tag:yaml.org,2002:str";
pub(crate) const BOOL_TAG: &str = "tag:yaml.org,2002:bool";
pub(crate) const INT_TAG: &str = "tag:yaml.org,2002:int";
pub(crate) const FLOAT_TAG: &str = "tag:yaml.org,2002:float";
pub(crate) const NULL_TAG: &str = "tag:yaml.org,2002:null";
pub(crate) const TIMESTAMP_TAG: &str = "tag:yaml.org,2002:timestamp";
pub(crate) const BINARY_TAG: &str = "tag:yaml.org,2002:binary";
pub(crate) const MERGE_TAG: &str = "tag:yaml.org,2002:merge";

const LONG_TAG_PREFIX: &str = "tag:yaml.org,2002:";

/// The `!!x` short form go-yaml prints in its messages.
pub(crate) fn short_tag(tag: &str) -> String {
    match tag.strip_prefix(LONG_TAG_PREFIX) {
        Some(rest) => format!("!!{rest}"),
        None => tag.to_owned(),
    }
}

/// What a scalar resolves to: its tag and value. Timestamps carry their text (go-yaml keeps the
/// original string when decoding a timestamp into `interface{}`), merge keys the text `<<`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Resolved {
    pub tag: &'static str,
    pub value: Value,
}

fn resolved(tag: &'static str, value: Value) -> Resolved {
    Resolved { tag, value }
}

fn table(s: &str) -> Option<Resolved> {
    let v = match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            resolved(BOOL_TAG, Value::Bool(true))
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            resolved(BOOL_TAG, Value::Bool(false))
        }
        "" | "~" | "null" | "Null" | "NULL" => resolved(NULL_TAG, Value::Null),
        ".nan" | ".NaN" | ".NAN" => resolved(FLOAT_TAG, Value::Float(f64::NAN)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            resolved(FLOAT_TAG, Value::Float(f64::INFINITY))
        }
        "-.inf" | "-.Inf" | "-.INF" => resolved(FLOAT_TAG, Value::Float(f64::NEG_INFINITY)),
        "<<" => resolved(MERGE_TAG, Value::String("<<".to_owned())),
        _ => return None,
    };
    Some(v)
}

/// The hint go-yaml derives from a scalar's first byte; `None` means "certainly a string".
fn hint(s: &str) -> Option<u8> {
    let Some(&c) = s.as_bytes().first() else {
        return Some(b'N');
    };
    match c {
        b'+' | b'-' => Some(b'S'),
        b'0'..=b'9' => Some(b'D'),
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => Some(b'M'),
        b'.' => Some(b'.'),
        _ => None,
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)` (base from prefix; underscores already removed by the caller
/// are not accepted here unless a prefix is present, as Go does).
fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, body) = split_sign(s);
    let mag = go_parse_uint_body(body)?;
    if neg {
        if mag <= (i64::MAX as u64) + 1 {
            Some((mag as i128).wrapping_neg() as i64)
        } else {
            None
        }
    } else if mag <= i64::MAX as u64 {
        Some(mag as i64)
    } else {
        None
    }
}

/// Go's `strconv.ParseUint(s, 0, 64)`: no sign allowed.
fn go_parse_uint(s: &str) -> Option<u64> {
    if s.starts_with(['+', '-']) {
        return None;
    }
    go_parse_uint_body(s)
}

fn split_sign(s: &str) -> (bool, &str) {
    if let Some(rest) = s.strip_prefix('-') {
        (true, rest)
    } else if let Some(rest) = s.strip_prefix('+') {
        (false, rest)
    } else {
        (false, s)
    }
}

fn go_parse_uint_body(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    let (radix, digits, prefixed) = if b.len() >= 2 && b[0] == b'0' {
        match b[1] {
            b'x' | b'X' => (16, &s[2..], true),
            b'b' | b'B' => (2, &s[2..], true),
            b'o' | b'O' => (8, &s[2..], true),
            _ => (8, &s[1..], true),
        }
    } else {
        (10, s, false)
    };
    let _ = prefixed;
    if digits.is_empty() {
        // "0" alone is base 10; "0x" with nothing after is an error.
        return if s == "0" { Some(0) } else { None };
    }
    if !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// go-yaml's float regex `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseFloat(s, 64)` for decimal input: out-of-range values are errors.
fn go_parse_float(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    // Rust also accepts "inf"/"nan"/"infinity" words; Go does too, but every caller here has
    // already restricted the input to digits, so only decimal forms reach this point.
    if !b
        .iter()
        .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    let f: f64 = s.parse().ok()?;
    if f.is_infinite() { None } else { Some(f) }
}

/// Resolves a plain (or explicitly tagged) scalar as go-yaml's `resolve(tag, in)`.
///
/// Returns the tag it resolved to and the value; errors are go-yaml's "cannot decode" messages.
pub(crate) fn resolve(tag: &str, s: &str) -> Result<Resolved, String> {
    if !matches!(
        tag,
        "" | STR_TAG | BOOL_TAG | INT_TAG | FLOAT_TAG | NULL_TAG | TIMESTAMP_TAG
    ) {
        // Unknown and binary tags keep the text; the decoder deals with !!binary.
        return Ok(Resolved {
            tag: "",
            value: Value::String(s.to_owned()),
        });
    }
    let r = resolve_implicit(tag, s);
    if tag.is_empty() || tag == r.tag || tag == STR_TAG {
        return Ok(if tag == STR_TAG {
            resolved(STR_TAG, Value::String(s.to_owned()))
        } else {
            r
        });
    }
    if tag == FLOAT_TAG && r.tag == INT_TAG {
        let f = match r.value {
            Value::Int(i) => i as f64,
            // go-yaml converts only int/int64 results; a uint64 stays an error.
            _ => {
                return Err(format!(
                    "cannot decode {} `{s}` as a {}",
                    short_tag(r.tag),
                    short_tag(tag)
                ));
            }
        };
        return Ok(resolved(FLOAT_TAG, Value::Float(f)));
    }
    Err(format!(
        "cannot decode {} `{s}` as a {}",
        short_tag(r.tag),
        short_tag(tag)
    ))
}

fn resolve_implicit(tag: &str, s: &str) -> Resolved {
    let string = || resolved(STR_TAG, Value::String(s.to_owned()));
    let Some(h) = hint(s) else {
        return string();
    };
    if tag == STR_TAG {
        return string();
    }
    if let Some(r) = table(s) {
        return r;
    }
    match h {
        b'.' => {
            if let Some(f) = go_parse_float_dot(s) {
                return resolved(FLOAT_TAG, Value::Float(f));
            }
        }
        b'D' | b'S' => {
            if (tag.is_empty() || tag == TIMESTAMP_TAG) && is_timestamp(s) {
                return resolved(TIMESTAMP_TAG, Value::String(s.to_owned()));
            }
            let plain: String = s.chars().filter(|c| *c != '_').collect();
            if let Some(i) = go_parse_int(&plain) {
                return resolved(INT_TAG, Value::Int(i));
            }
            if let Some(u) = go_parse_uint(&plain) {
                return resolved(INT_TAG, Value::Uint(u));
            }
            if let Some(f) = yaml_style_float(&plain)
                .then(|| go_parse_float(&plain))
                .flatten()
            {
                return resolved(FLOAT_TAG, Value::Float(f));
            }
            if let Some(bin) = plain.strip_prefix("0b") {
                if let Some(i) = parse_bin_i64(bin, false) {
                    return resolved(INT_TAG, Value::Int(i));
                }
                if let Some(u) = parse_bin_u64(bin) {
                    return resolved(INT_TAG, Value::Uint(u));
                }
            } else if let Some(i) = plain
                .strip_prefix("-0b")
                .and_then(|bin| parse_bin_i64(bin, true))
            {
                return resolved(INT_TAG, Value::Int(i));
            }
        }
        _ => {}
    }
    string()
}

/// Go's `ParseInt(s, 2, 64)` with an optional sign already split off.
fn parse_bin_i64(s: &str, neg: bool) -> Option<i64> {
    let (neg2, body) = split_sign(s);
    let mag = parse_bin_u64(body)?;
    let neg = neg ^ neg2;
    if neg {
        if mag <= (i64::MAX as u64) + 1 {
            Some((mag as i128).wrapping_neg() as i64)
        } else {
            None
        }
    } else if mag <= i64::MAX as u64 {
        Some(mag as i64)
    } else {
        None
    }
}

fn parse_bin_u64(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|c| c == b'0' || c == b'1') {
        return None;
    }
    u64::from_str_radix(s, 2).ok()
}

/// `strconv.ParseFloat` for text starting with '.', where Go accepts ".5" and ".5e3" only.
fn go_parse_float_dot(s: &str) -> Option<f64> {
    if !yaml_style_float(s) {
        return None;
    }
    go_parse_float(s)
}

/// Whether go-yaml's `parseTimestamp` accepts the text: four digits and '-', then one of the
/// layouts "2006-1-2T15:4:5.999999999Z07:00" (also with 't'), "2006-1-2 15:4:5.999999999" or
/// "2006-1-2", with Go's `time.Parse` range checks.
pub(crate) fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let mut i = 5;
    let year: i32 = s[..4].parse().unwrap_or(0);
    let Some(month) = num12(b, &mut i) else {
        return false;
    };
    if !eat(b, &mut i, b'-') {
        return false;
    }
    let Some(day) = num12(b, &mut i) else {
        return false;
    };
    if !(1..=12).contains(&month) || day < 1 || day > days_in(month, year) {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let zoned = match b[i] {
        b'T' | b't' => true,
        b' ' => false,
        _ => return false,
    };
    i += 1;
    let Some(hour) = num12(b, &mut i) else {
        return false;
    };
    if !eat(b, &mut i, b':') {
        return false;
    }
    let Some(min) = num12(b, &mut i) else {
        return false;
    };
    if !eat(b, &mut i, b':') {
        return false;
    }
    let Some(sec) = num12(b, &mut i) else {
        return false;
    };
    if hour > 23 || min > 59 || sec > 59 {
        return false;
    }
    if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if zoned {
        if i < b.len() && b[i] == b'Z' {
            i += 1;
        } else if i + 6 <= b.len()
            && (b[i] == b'+' || b[i] == b'-')
            && b[i + 1].is_ascii_digit()
            && b[i + 2].is_ascii_digit()
            && b[i + 3] == b':'
            && b[i + 4].is_ascii_digit()
            && b[i + 5].is_ascii_digit()
        {
            i += 6;
        } else {
            return false;
        }
    }
    i == b.len()
}

fn eat(b: &[u8], i: &mut usize, c: u8) -> bool {
    if *i < b.len() && b[*i] == c {
        *i += 1;
        true
    } else {
        false
    }
}

/// Go's `getnum(value, false)`: one or two digits.
fn num12(b: &[u8], i: &mut usize) -> Option<u32> {
    if *i >= b.len() || !b[*i].is_ascii_digit() {
        return None;
    }
    let mut n = u32::from(b[*i] - b'0');
    *i += 1;
    if *i < b.len() && b[*i].is_ascii_digit() {
        n = n * 10 + u32::from(b[*i] - b'0');
        *i += 1;
    }
    Some(n)
}

fn days_in(month: u32, year: i32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// go-yaml's `isBase60Float`: text the YAML 1.1 sexagesimal float form would read as a number,
/// which the encoder quotes for other parsers' sake.
pub(crate) fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let Some(&c) = b.first() else { return false };
    if !(c == b'+' || c == b'-' || c.is_ascii_digit()) || !s.contains(':') {
        return false;
    }
    // ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
    let mut i = usize::from(c == b'+' || c == b'-');
    if i >= b.len() || !b[i].is_ascii_digit() {
        return false;
    }
    i += 1;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while i < b.len() && b[i] == b':' {
        i += 1;
        // [0-5]?[0-9]: one digit, or two digits with the first in 0-5.
        if i + 1 < b.len() && (b'0'..=b'5').contains(&b[i]) && b[i + 1].is_ascii_digit() {
            i += 2;
        } else if i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        } else {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn implicit(s: &str) -> Value {
        resolve("", s).map(|r| r.value).unwrap_or(Value::Null)
    }

    #[test]
    fn resolves_like_go_yaml() {
        assert_eq!(implicit("yes"), Value::Bool(true));
        assert_eq!(implicit("Off"), Value::Bool(false));
        assert_eq!(implicit("nULL"), Value::String("nULL".into()));
        assert_eq!(implicit("0755"), Value::Int(493));
        assert_eq!(implicit("0x1F"), Value::Int(31));
        assert_eq!(implicit("0o17"), Value::Int(15));
        assert_eq!(implicit("1_000"), Value::Int(1000));
        assert_eq!(implicit("08"), Value::Float(8.0));
        assert_eq!(implicit("-0b101"), Value::Int(-5));
        assert_eq!(implicit("18446744073709551615"), Value::Uint(u64::MAX));
        assert_eq!(
            implicit("18446744073709551616"),
            Value::Float(18446744073709551616.0)
        );
        assert_eq!(implicit("1e400"), Value::String("1e400".into()));
        assert_eq!(implicit(".5"), Value::Float(0.5));
        assert_eq!(implicit("2001-12-14"), Value::String("2001-12-14".into()));
        assert_eq!(resolve("", "2001-12-14").map(|r| r.tag), Ok(TIMESTAMP_TAG));
        assert_eq!(resolve("", "2001-02-30").map(|r| r.tag), Ok(STR_TAG));
        assert!(resolve(INT_TAG, "1.5").is_err());
        assert_eq!(
            resolve(FLOAT_TAG, "1").map(|r| r.value),
            Ok(Value::Float(1.0))
        );
    }

    #[test]
    fn base60() {
        assert!(is_base60_float("1:20"));
        assert!(is_base60_float("190:20:30"));
        assert!(is_base60_float("1:20.5"));
        assert!(!is_base60_float("1:60"));
        assert!(!is_base60_float("a:1"));
    }
}
