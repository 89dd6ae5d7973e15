//! Go's number formatting, reproduced where Helm's output depends on it.
//!
//! Two formats matter to the chart library: `strconv.FormatFloat(f, 'g', -1, 32)`, which ghodss/yaml
//! uses when a YAML number lands in a string field (`version: 1.10` becomes `"1.1"`), and
//! `encoding/json`'s float encoding, which decides how values travel between the client and Tiller.

/// The shortest decimal digits of `x` and its decimal exponent, as `{:e}` prints them: `1.25e3`
/// gives (`"125"`, 3), meaning 1.25 × 10³. `x` must be finite and non-negative.
fn shortest_digits(text: &str) -> (String, i32) {
    let (mantissa, exp) = text.split_once('e').unwrap_or((text, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exp = exp.parse::<i32>().unwrap_or(0);
    let trimmed = digits.trim_end_matches('0');
    if trimmed.is_empty() {
        ("0".to_owned(), 0)
    } else {
        (trimmed.to_owned(), exp)
    }
}

/// Writes a Go `%e`-style exponent: sign always present, at least two digits.
fn push_exponent(out: &mut String, exp: i32) {
    out.push('e');
    out.push(if exp < 0 { '-' } else { '+' });
    let abs = exp.unsigned_abs();
    if abs < 10 {
        out.push('0');
    }
    out.push_str(&abs.to_string());
}

/// Formats shortest digits in Go's `'g'` style with the shortest-precision threshold: exponent
/// form when the decimal exponent is below -4 or at least 6 (Go uses precision 6 for the decision
/// when the precision is "shortest").
fn format_g_digits(negative: bool, digits: &str, exp: i32) -> String {
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if !(-4..6).contains(&exp) {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        push_exponent(&mut out, exp);
        return out;
    }
    // Plain notation: the decimal point sits after `exp + 1` digits.
    let point = exp + 1;
    if point <= 0 {
        out.push_str("0.");
        for _ in 0..(-point) {
            out.push('0');
        }
        out.push_str(digits);
    } else {
        let point = point as usize;
        if digits.len() <= point {
            out.push_str(digits);
            for _ in digits.len()..point {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..point]);
            out.push('.');
            out.push_str(&digits[point..]);
        }
    }
    out
}

/// `strconv.FormatFloat(x, 'g', -1, 32)`: the float rounded to float32, shortest digits.
pub(crate) fn format_g32(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    // Rounding to float32 precision is the point of this function.
    #[allow(clippy::cast_possible_truncation)]
    let f = x as f32;
    let (digits, exp) = shortest_digits(&format!("{:e}", f.abs()));
    format_g_digits(f.is_sign_negative() && f != 0.0, &digits, exp)
}

/// `strconv.FormatFloat(x, 'g', -1, 64)`.
pub(crate) fn format_g64(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    let (digits, exp) = shortest_digits(&format!("{:e}", x.abs()));
    format_g_digits(x.is_sign_negative() && x != 0.0, &digits, exp)
}

/// How Go's `encoding/json` writes a float64: plain decimal, except exponent form for magnitudes
/// below 1e-6 or from 1e21 on, with a single-digit negative exponent kept short (`1e-7`).
/// Returns `None` for NaN and infinities, which `encoding/json` refuses.
pub(crate) fn format_json_float(x: f64) -> Option<String> {
    if !x.is_finite() {
        return None;
    }
    let abs = x.abs();
    if abs == 0.0 || (1e-6..1e21).contains(&abs) {
        return Some(format!("{x}"));
    }
    let (digits, exp) = shortest_digits(&format!("{abs:e}"));
    let mut out = String::new();
    if x < 0.0 {
        out.push('-');
    }
    out.push_str(&digits[..1]);
    if digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    out.push('e');
    out.push(if exp < 0 { '-' } else { '+' });
    out.push_str(&exp.unsigned_abs().to_string());
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g32_matches_ghodss_string_conversion() {
        assert_eq!(format_g32(1.0), "1");
        assert_eq!(format_g32(1.10), "1.1");
        assert_eq!(format_g32(1.23456789), "1.2345679");
        assert_eq!(format_g32(0.1), "0.1");
        assert_eq!(format_g32(1234567.0), "1.234567e+06");
        assert_eq!(format_g32(100000.0), "100000");
        assert_eq!(format_g32(0.0001), "0.0001");
        assert_eq!(format_g32(0.00001), "1e-05");
        assert_eq!(format_g32(-2.5), "-2.5");
        assert_eq!(format_g32(0.0), "0");
    }

    #[test]
    fn g64_uses_exponent_from_one_million() {
        assert_eq!(format_g64(8080.0), "8080");
        assert_eq!(format_g64(1e6), "1e+06");
        assert_eq!(format_g64(1234567.0), "1.234567e+06");
        assert_eq!(format_g64(1.5), "1.5");
        assert_eq!(format_g64(1e-7), "1e-07");
    }

    #[test]
    fn json_floats_follow_encoding_json() {
        assert_eq!(format_json_float(1e6).as_deref(), Some("1000000"));
        assert_eq!(format_json_float(1.5).as_deref(), Some("1.5"));
        assert_eq!(format_json_float(1e21).as_deref(), Some("1e+21"));
        assert_eq!(format_json_float(1e-7).as_deref(), Some("1e-7"));
        assert_eq!(format_json_float(-1.5e-10).as_deref(), Some("-1.5e-10"));
        assert_eq!(format_json_float(0.000001).as_deref(), Some("0.000001"));
        assert_eq!(format_json_float(f64::NAN), None);
    }
}
