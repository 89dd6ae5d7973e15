//! Go's `strconv.FormatFloat` shortest forms ('g', 'e', 'f' with precision -1), which go-yaml,
//! ghodss and `encoding/json` use to print floats.

/// The shortest decimal digits of a finite float and the exponent of its first digit.
struct Digits {
    neg: bool,
    /// Significant digits without leading or trailing zeros ("0" for zero).
    digits: String,
    /// Decimal exponent of the first digit: value = 0.d1d2... * 10^(exp+1).
    exp: i32,
}

fn shortest(f: f64, is32: bool) -> Digits {
    // Rust's `{:e}` prints the shortest round-tripping digits, the same digits Go picks.
    let text = if is32 {
        format!("{:e}", f as f32)
    } else {
        format!("{f:e}")
    };
    let (neg, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let (mantissa, exp) = body.split_once('e').unwrap_or((body, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exp = exp.parse::<i32>().unwrap_or(0);
    Digits { neg, digits, exp }
}

fn special(f: f64) -> Option<&'static str> {
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

fn write_e(d: &Digits, out: &mut String) {
    if d.neg {
        out.push('-');
    }
    out.push_str(&d.digits[..1]);
    if d.digits.len() > 1 {
        out.push('.');
        out.push_str(&d.digits[1..]);
    }
    out.push('e');
    out.push(if d.exp < 0 { '-' } else { '+' });
    let e = d.exp.unsigned_abs();
    if e < 10 {
        out.push('0');
    }
    out.push_str(&e.to_string());
}

fn write_f(d: &Digits, out: &mut String) {
    if d.neg {
        out.push('-');
    }
    let nd = d.digits.len() as i32;
    let dp = d.exp + 1;
    if dp <= 0 {
        out.push_str("0.");
        for _ in 0..-dp {
            out.push('0');
        }
        out.push_str(&d.digits);
    } else if dp >= nd {
        out.push_str(&d.digits);
        for _ in 0..dp - nd {
            out.push('0');
        }
    } else {
        let split = dp as usize;
        out.push_str(&d.digits[..split]);
        out.push('.');
        out.push_str(&d.digits[split..]);
    }
}

/// `strconv.FormatFloat(f, 'g', -1, 64)` (or 32 when `is32`): "1e+06", "0.1", "1e-07", "+Inf".
pub fn format_g(f: f64, is32: bool) -> String {
    if let Some(s) = special(f) {
        return s.to_owned();
    }
    let d = shortest(f, is32);
    let mut out = String::new();
    if d.exp < -4 || d.exp >= 6 {
        write_e(&d, &mut out);
    } else {
        write_f(&d, &mut out);
    }
    out
}

/// How `encoding/json` writes a float64: plain decimal unless tiny or huge, then an exponent
/// with a single-digit negative exponent shortened ("1e-7", "1e+21").
pub fn format_json(f: f64) -> String {
    let d = shortest(f, false);
    let abs = f.abs();
    let mut out = String::new();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        write_e(&d, &mut out);
        let bytes = out.as_bytes();
        let n = bytes.len();
        if n >= 4 && bytes[n - 4] == b'e' && bytes[n - 3] == b'-' && bytes[n - 2] == b'0' {
            out.remove(n - 2);
        }
    } else {
        write_f(&d, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g_format_matches_go() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (0.1, "0.1"),
            (3.25, "3.25"),
            (1e6, "1e+06"),
            (100000.0, "100000"),
            (123456.0, "123456"),
            (1234567.0, "1.234567e+06"),
            (1e-7, "1e-07"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e21, "1e+21"),
            (1.5e300, "1.5e+300"),
            (5e-324, "5e-324"),
            (f64::INFINITY, "+Inf"),
            (f64::NAN, "NaN"),
        ];
        for (f, want) in cases {
            assert_eq!(format_g(*f, false), *want, "{f}");
        }
        assert_eq!(format_g(1.23456789, true), "1.2345679");
        assert_eq!(format_g(1.1, true), "1.1");
        assert_eq!(format_g(1e20, true), "1e+20");
        assert_eq!(format_g(100000000.0, true), "1e+08");
    }

    #[test]
    fn json_format_matches_go() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (1e6, "1000000"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (1e-7, "1e-7"),
            (1e-6, "0.000001"),
            (0.1, "0.1"),
            (-2.5, "-2.5"),
            (1.5e-10, "1.5e-10"),
        ];
        for (f, want) in cases {
            assert_eq!(format_json(*f), *want, "{f}");
        }
    }
}
