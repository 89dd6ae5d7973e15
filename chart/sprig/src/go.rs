//! Go runtime semantics that Sprig's functions lean on: `%v` printing, `%T`/reflect kinds,
//! spf13/cast's number conversions, `reflect.DeepEqual`, `strconv` number parsing and quoting,
//! and Sprig's own `strval` and `empty`.
//!
//! Everything here is written from the behaviour of the Go standard library and
//! spf13/cast v1.7 (the version Sprig v3.3 pins), not translated from their code.

use gotmpl::Value;

/// `%T` of a value, as `typeOf` and type errors print it (the engine's definition).
///
/// The value model cannot tell Go's `int` from `int64`; [`Value::Int`] is reported as `int`
/// (what template literals are). See the crate docs.
pub fn type_name(v: &Value) -> String {
    v.type_name()
}

/// `reflect.Kind` name of a value (`kindOf`).
pub fn kind_name(v: &Value) -> &'static str {
    v.kind_name()
}

/// `fmt.Sprint("%v", v)` of one value (the engine's Go `fmt`).
pub fn format_v(v: &Value) -> String {
    gotmpl::fmt::format_value(v)
}

/// Sprig's `strval`: strings as they are, `[]byte` as text, anything else as `%v` (objects with a
/// `String()` method print through it already).
pub fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        other => format_v(other),
    }
}

/// The shortest decimal digits of a finite, non-zero `f64` and its decimal exponent: the value
/// is `0.d1d2d3… × 10^(exp+1)`, i.e. `d1.d2d3… × 10^exp`.
fn shortest_digits(f: f64) -> (String, i32) {
    // Rust's `{:e}` prints the shortest representation that round-trips, like Go's -1 precision.
    let s = format!("{:e}", f.abs());
    let (mant, exp) = s.split_once('e').unwrap_or((s.as_str(), "0"));
    let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    (digits, exp.parse().unwrap_or(0))
}

fn special_float(f: f64) -> Option<&'static str> {
    if f.is_nan() {
        Some("NaN")
    } else if f == f64::INFINITY {
        Some("+Inf")
    } else if f == f64::NEG_INFINITY {
        Some("-Inf")
    } else {
        None
    }
}

fn sign(f: f64) -> &'static str {
    if f.is_sign_negative() { "-" } else { "" }
}

/// Decimal form of `digits × 10^(exp - len + 1)`.
fn fixed(digits: &str, exp: i32) -> String {
    let n = digits.len() as i32;
    if exp < 0 {
        format!("0.{}{}", "0".repeat((-exp - 1) as usize), digits)
    } else if exp + 1 >= n {
        format!("{}{}", digits, "0".repeat((exp + 1 - n) as usize))
    } else {
        let (a, b) = digits.split_at((exp + 1) as usize);
        format!("{a}.{b}")
    }
}

/// Exponent form `d.ddde±XX` with at least two exponent digits.
fn exponent(digits: &str, exp: i32) -> String {
    let (first, rest) = digits.split_at(1);
    let mant = if rest.is_empty() {
        first.to_owned()
    } else {
        format!("{first}.{rest}")
    };
    let esign = if exp < 0 { '-' } else { '+' };
    format!("{mant}e{esign}{:02}", exp.abs())
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`, which is also `%v` of a float64.
pub fn format_float_g(f: f64) -> String {
    if let Some(s) = special_float(f) {
        return s.into();
    }
    if f == 0.0 {
        return format!("{}0", sign(f));
    }
    let (digits, exp) = shortest_digits(f);
    // With the shortest precision Go's 'g' switches to exponent form from 10^6 on, whatever
    // the number of digits (hence the famous `1e+06`).
    if !(-4..6).contains(&exp) {
        format!("{}{}", sign(f), exponent(&digits, exp))
    } else {
        format!("{}{}", sign(f), fixed(&digits, exp))
    }
}

/// `strconv.FormatFloat(f, 'f', -1, 64)`.
pub fn format_float_f(f: f64) -> String {
    if let Some(s) = special_float(f) {
        return s.into();
    }
    if f == 0.0 {
        return format!("{}0", sign(f));
    }
    let (digits, exp) = shortest_digits(f);
    format!("{}{}", sign(f), fixed(&digits, exp))
}

/// How `encoding/json` writes a float64 (caller rejects NaN and infinities first).
pub fn format_float_json(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let (digits, exp) = shortest_digits(f);
        let mut s = format!("{}{}", sign(f), exponent(&digits, exp));
        // encoding/json shortens a two-digit negative exponent: 1e-07 becomes 1e-7.
        if let Some(pos) = s.find("e-0") {
            s.remove(pos + 2);
        }
        s
    } else {
        format_float_f(f)
    }
}

/// Go's `int64(f)` conversion as amd64 performs it: out-of-range values and NaN give
/// the "integer indefinite" value `math.MinInt64`.
pub fn f64_to_i64(f: f64) -> i64 {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if f.is_nan() || !(-LIMIT..LIMIT).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

/// Go's `strconv.ParseInt(s, base, 64)` for base 10 or base 0 (prefix-detected, `_` allowed).
pub fn parse_int(s: &str, base0: bool) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    let (radix, digits, prefixed) = if base0 {
        let lower = body.to_ascii_lowercase();
        if lower.starts_with("0x") {
            (16, &body[2..], true)
        } else if lower.starts_with("0b") {
            (2, &body[2..], true)
        } else if lower.starts_with("0o") {
            (8, &body[2..], true)
        } else if body.len() > 1 && body.starts_with('0') {
            (8, &body[1..], true)
        } else {
            (10, body, false)
        }
    } else {
        (10, body, false)
    };
    if digits.contains('_') && !(base0 && underscores_ok(body, prefixed)) {
        return None;
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    if clean.is_empty() {
        return None;
    }
    let mag = u64::from_str_radix(&clean, radix).ok()?;
    if neg {
        if mag > 1u64 << 63 {
            None
        } else {
            Some((mag as i64).wrapping_neg())
        }
    } else {
        i64::try_from(mag).ok()
    }
}

/// Go's rule for `_` in base-0 literals: only between digits, or right after a base prefix.
fn underscores_ok(body: &str, prefixed: bool) -> bool {
    let b = body.as_bytes();
    // '^' marks "after a prefix or a digit", '_' "after an underscore", '!' anything else.
    let mut saw = '^';
    let mut i = 0;
    if prefixed && b.len() >= 2 && b[0] == b'0' && b[1].is_ascii_alphabetic() {
        i = 2;
    } else if !prefixed {
        saw = '!';
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_hexdigit() {
            saw = '0';
        } else if c == b'_' {
            if saw != '0' && saw != '^' {
                return false;
            }
            saw = '_';
        } else {
            if saw == '_' {
                return false;
            }
            saw = '!';
        }
        i += 1;
    }
    saw != '_'
}

/// spf13/cast v1.10's `trimDecimal`: a plain decimal loses its fraction (`"1.5"` → `"1"`,
/// `".5"` → `"0"`); anything else is unchanged.
fn trim_decimal(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('.') {
        return s.into();
    }
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let Some((int, frac)) = body.split_once('.') else {
        return s.into();
    };
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || !digits(frac) {
        return s.into();
    }
    let sign = &s[..s.len() - body.len()];
    let int = if int.is_empty() { "0" } else { int };
    format!("{sign}{int}").into()
}

/// `cast.ToInt64(v)` (and `cast.ToInt`), as spf13/cast v1.10 (Helm v4's) does: failures give 0.
pub fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Bool(b) => i64::from(*b),
        Value::Int(i) => *i,
        Value::Uint(u) => *u as i64,
        Value::Float(f) => f64_to_i64(*f),
        Value::String(s) => parse_int(&trim_decimal(s), true).unwrap_or(0),
        _ => 0,
    }
}

/// `cast.ToFloat64(v)`: failures give 0.
pub fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Int(i) => *i as f64,
        Value::Uint(u) => *u as f64,
        Value::Float(f) => *f,
        Value::String(s) => parse_float(s).unwrap_or(0.0),
        _ => 0.0,
    }
}

/// `strconv.ParseFloat(s, 64)` for decimal forms, `_` digit separators included (Go also
/// accepts hexadecimal floats such as `0x1p-2`; those are not supported and give `None`).
pub fn parse_float(s: &str) -> Option<f64> {
    let lower = s.to_ascii_lowercase();
    let body = lower.strip_prefix(['+', '-']).unwrap_or(&lower);
    if body.is_empty() {
        return None;
    }
    if matches!(body, "inf" | "infinity" | "nan") {
        return s.parse::<f64>().ok();
    }
    if !body
        .bytes()
        .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'+' | b'-' | b'_'))
    {
        return None;
    }
    if body.contains('_') {
        if !underscores_ok(body, false) {
            return None;
        }
        return lower.replace('_', "").parse::<f64>().ok();
    }
    s.parse::<f64>().ok()
}

/// Sprig's `empty`: the zero value of the value's type (structs are never empty).
pub fn empty(v: &Value) -> bool {
    match v {
        Value::Nil => true,
        Value::Bool(b) => !b,
        Value::Int(i) => *i == 0,
        Value::Uint(u) => *u == 0,
        Value::Float(f) => *f == 0.0,
        Value::String(s) => s.is_empty(),
        Value::Bytes(b) => b.is_empty(),
        Value::List(l, _) => l.is_empty(),
        Value::Map(m, _) => m.borrow().is_empty(),
        Value::Object(o) => !o.truthy(),
    }
}

/// `reflect.DeepEqual` on two values (types must match exactly; NaN never equals itself).
/// Like Go, a pair of maps already being compared counts as equal, so cycles terminate.
pub fn deep_equal(a: &Value, b: &Value) -> bool {
    deep_equal_in(a, b, &mut Vec::new())
}

fn deep_equal_in(a: &Value, b: &Value, seen: &mut Vec<(usize, usize)>) -> bool {
    match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Uint(x), Value::Uint(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        (Value::List(x, tx), Value::List(y, ty)) => {
            tx == ty
                && x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|(p, q)| deep_equal_in(p, q, seen))
        }
        (Value::Map(x, tx), Value::Map(y, ty)) => {
            if tx != ty {
                return false;
            }
            let key = (
                std::rc::Rc::as_ptr(x) as usize,
                std::rc::Rc::as_ptr(y) as usize,
            );
            if key.0 == key.1 || seen.contains(&key) {
                return true;
            }
            seen.push(key);
            let (x, y) = (x.borrow(), y.borrow());
            let equal = x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| deep_equal_in(v, w, seen)));
            seen.pop();
            equal
        }
        (Value::Object(x), Value::Object(y)) => {
            x.type_name() == y.type_name() && x.go_string() == y.go_string()
        }
        _ => false,
    }
}

/// `strconv.Quote`: a double-quoted Go string literal with Go's escapes.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if is_print(c) => out.push(c),
            c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// An approximation of Go's `unicode.IsPrint`: graphic characters and the ASCII space.
/// Control, format and non-ASCII space characters are not printable.
pub fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let u = c as u32;
    !matches!(u,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
        | 0xE000..=0xF8FF | 0xFFFE | 0xFFFF | 0xF0000..=0x10FFFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_go() {
        let cases = [
            (8080.0, "8080"),
            (100000.0, "100000"),
            (1000000.0, "1e+06"),
            (1234567.0, "1.234567e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5, "1.5"),
            (-2.25, "-2.25"),
            (0.0, "0"),
            (1e21, "1e+21"),
            (123456.0, "123456"),
            (1e100, "1e+100"),
        ];
        for (f, want) in cases {
            assert_eq!(format_float_g(f), want, "{f}");
        }
        assert_eq!(format_float_g(f64::NAN), "NaN");
        assert_eq!(format_float_g(f64::INFINITY), "+Inf");
    }

    #[test]
    fn json_floats() {
        let cases = [
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (1e-7, "1e-7"),
            (1e-6, "0.000001"),
            (1.5, "1.5"),
            (1000000.0, "1000000"),
            (-1.25e-10, "-1.25e-10"),
            (0.0, "0"),
        ];
        for (f, want) in cases {
            assert_eq!(format_float_json(f), want, "{f}");
        }
    }

    #[test]
    fn cast_to_int64() {
        let s = |x: &str| to_int64(&Value::string(x));
        assert_eq!(s("08"), 0);
        assert_eq!(s("010"), 8);
        assert_eq!(s("0x10"), 16);
        assert_eq!(s("12.000"), 12);
        assert_eq!(s("1.5"), 1);
        assert_eq!(s("-.5"), 0);
        assert_eq!(s("1.5e3"), 0);
        assert_eq!(s("-42"), -42);
        assert_eq!(s("1_000"), 1000);
        assert_eq!(s("_1"), 0);
        assert_eq!(s("abc"), 0);
        assert_eq!(s(""), 0);
        assert_eq!(to_int64(&Value::Float(2.9)), 2);
        assert_eq!(to_int64(&Value::Float(-2.9)), -2);
        assert_eq!(to_int64(&Value::Float(1e30)), i64::MIN);
        assert_eq!(to_int64(&Value::Bool(true)), 1);
        assert_eq!(to_int64(&Value::Nil), 0);
    }

    #[test]
    fn cast_to_float64() {
        assert_eq!(to_float64(&Value::string("1.5")), 1.5);
        assert_eq!(to_float64(&Value::string("1e3")), 1000.0);
        assert_eq!(to_float64(&Value::string("x")), 0.0);
        assert_eq!(to_float64(&Value::string("1_000.5")), 1000.5);
        assert_eq!(to_float64(&Value::string("_1")), 0.0);
        assert_eq!(to_float64(&Value::Int(3)), 3.0);
    }

    #[test]
    fn quoting() {
        assert_eq!(quote("a\"b\\c\n\t"), r#""a\"b\\c\n\t""#);
        assert_eq!(quote("\x01é\u{a0}"), r#""\x01é\u00a0""#);
    }

    #[test]
    fn printing_composites() {
        let mut m = gotmpl::Map::new();
        m.insert("b".into(), Value::Nil);
        m.insert(
            "a".into(),
            Value::list(vec![Value::Int(1), Value::string("x")]),
        );
        assert_eq!(format_v(&Value::map(m)), "map[a:[1 x] b:<nil>]");
        assert_eq!(
            format_v(&Value::Bytes(std::rc::Rc::from(&b"hi"[..]))),
            "[104 105]"
        );
    }
}
