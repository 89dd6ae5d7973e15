//! Go's `fmt` printing (`Sprint`, `Sprintln`, `Sprintf`) over template [`Value`]s.
//!
//! Templates print every value through `fmt`, and charts lean on its quirks: float64 values
//! print in the shortest `%g` form, which switches to an exponent at 1e+06 (`1000000` prints
//! `1e+06`), a `%d` of a float64 prints `%!d(float64=80)` instead of failing, and maps print as
//! `map[k:v]` with sorted keys. The verb and flag handling here follows
//! Go's `fmt` package (print.go, format.go) and `strconv` (ftoa.go, quote.go).

use std::collections::HashSet;

use crate::value::{ElemType, Value};

/// `fmt.Sprint`: operands printed with `%v`, a space between two operands when neither is a
/// string.
pub fn sprint(args: &[Value]) -> String {
    let mut p = Printer::default();
    let mut prev_string = false;
    for (i, arg) in args.iter().enumerate() {
        let is_string = matches!(arg, Value::String(_));
        if i > 0 && !is_string && !prev_string {
            p.buf.push(' ');
        }
        p.flags = Flags::default();
        p.print_arg(arg, 'v');
        prev_string = is_string;
    }
    p.buf
}

/// `fmt.Sprintln`: operands printed with `%v`, always separated by spaces, then a newline.
pub fn sprintln(args: &[Value]) -> String {
    let mut p = Printer::default();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            p.buf.push(' ');
        }
        p.flags = Flags::default();
        p.print_arg(arg, 'v');
    }
    p.buf.push('\n');
    p.buf
}

/// `fmt.Sprintf`, with Go's in-band error reports (`%!d(string=x)`, `%!v(MISSING)`,
/// `%!(EXTRA int=1)`, `%!(NOVERB)`, `%!(BADWIDTH)`, `%!(BADPREC)`, `%!v(BADINDEX)`).
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut p = Printer::default();
    p.do_printf(format, args);
    p.buf
}

/// The `%v` form of one value, as templates print it.
pub fn format_value(v: &Value) -> String {
    let mut p = Printer::default();
    p.print_arg(v, 'v');
    p.buf
}

/// `strconv.FormatFloat(x, fmt, prec, 64)` for the formats `e`, `E`, `f`, `g`, `G`, `b`, `x`
/// and `X`; a negative `prec` asks for the shortest representation that reads back exactly.
pub fn format_float(x: f64, fmt: char, prec: i32) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    let neg = x.is_sign_negative();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    let a = x.abs();
    match fmt {
        'b' => out.push_str(&binary_float(a)),
        'x' | 'X' => out.push_str(&hex_float(a, prec, fmt)),
        'f' | 'F' => {
            if prec < 0 {
                let d = Digits::shortest(a);
                out.push_str(&d.fixed(d.frac_digits()));
            } else {
                // A float64 has at most 1074 fractional decimal digits; Rust's formatter
                // refuses precisions above u16::MAX, and Go allows up to a million.
                let p = prec as usize;
                let exact = p.min(MAX_EXACT_FRACTION);
                out.push_str(&format!("{a:.exact$}"));
                out.extend(std::iter::repeat_n('0', p - exact));
            }
        }
        'e' | 'E' => {
            let (d, p) = if prec < 0 {
                let d = Digits::shortest(a);
                let p = d.digits.len() as i32 - 1;
                (d, p)
            } else {
                (Digits::significant(a, prec as usize + 1), prec)
            };
            out.push_str(&d.exponent(p.max(0) as usize, fmt));
        }
        'g' | 'G' => {
            let shortest = prec < 0;
            let (d, mut p) = if shortest {
                let d = Digits::shortest(a);
                let p = d.digits.len() as i32;
                (d, p)
            } else {
                let p = prec.max(1);
                (Digits::significant(a, p as usize), p)
            };
            let nd = d.digits.len() as i32;
            let mut eprec = p;
            if eprec > nd && nd >= d.dp {
                eprec = nd;
            }
            if shortest {
                eprec = 6;
            }
            let exp = d.dp - 1;
            let efmt = if fmt == 'g' { 'e' } else { 'E' };
            if exp < -4 || exp >= eprec {
                if p > nd {
                    p = nd;
                }
                out.push_str(&d.exponent((p - 1).max(0) as usize, efmt));
            } else {
                if p > d.dp {
                    p = nd;
                }
                out.push_str(&d.fixed((p - d.dp).max(0) as usize));
            }
        }
        _ => {
            out.push('%');
            out.push(fmt);
        }
    }
    out
}

/// Nesting of maps and lists beyond which printing stops descending.
const MAX_PRINT_DEPTH: usize = 10_000;

/// More fractional digits than any float64 has in its exact decimal expansion.
const MAX_EXACT_FRACTION: usize = 1100;

/// More significant digits than any float64 has in its exact decimal expansion.
const MAX_EXACT_DIGITS: usize = 800;

/// Decimal digits of a non-negative finite float: `0.d1d2d3... × 10^dp`.
struct Digits {
    digits: Vec<u8>,
    dp: i32,
}

impl Digits {
    /// Parses Rust's `{:e}` output (`d.ddde±x`), trimming trailing zeros as Go's decimal
    /// conversion does.
    fn from_exp_form(s: &str) -> Digits {
        let (mantissa, exp) = s.split_once('e').unwrap_or((s, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
        while digits.len() > 1 && digits.last() == Some(&b'0') {
            digits.pop();
        }
        if digits == [b'0'] {
            // Zero: Go uses no digits and a decimal point at 0; one '0' digit at 1 prints alike.
            return Digits { digits, dp: 1 };
        }
        Digits {
            digits,
            dp: exp + 1,
        }
    }

    fn shortest(a: f64) -> Digits {
        Digits::from_exp_form(&format!("{a:e}"))
    }

    fn significant(a: f64, n: usize) -> Digits {
        // Beyond MAX_EXACT_DIGITS every digit of a float64 is zero, which the caller pads.
        let p = n.clamp(1, MAX_EXACT_DIGITS) - 1;
        Digits::from_exp_form(&format!("{a:.p$e}"))
    }

    fn frac_digits(&self) -> usize {
        (self.digits.len() as i32 - self.dp).max(0) as usize
    }

    fn digit(&self, i: i32) -> char {
        if i >= 0 && (i as usize) < self.digits.len() {
            char::from(self.digits[i as usize])
        } else {
            '0'
        }
    }

    /// `%e` layout with `prec` digits after the point.
    fn exponent(&self, prec: usize, e: char) -> String {
        let mut s = String::new();
        s.push(self.digit(0));
        if prec > 0 {
            s.push('.');
            for i in 1..=prec {
                s.push(self.digit(i as i32));
            }
        }
        s.push(e);
        let is_zero = self.digits == [b'0'];
        let mut exp = if is_zero { 0 } else { self.dp - 1 };
        if exp < 0 {
            s.push('-');
            exp = -exp;
        } else {
            s.push('+');
        }
        if exp < 10 {
            s.push('0');
        }
        s.push_str(&exp.to_string());
        s
    }

    /// `%f` layout with `prec` digits after the point.
    fn fixed(&self, prec: usize) -> String {
        let mut s = String::new();
        if self.dp > 0 {
            for i in 0..self.dp {
                s.push(self.digit(i));
            }
        } else {
            s.push('0');
        }
        if prec > 0 {
            s.push('.');
            for i in 0..prec as i32 {
                s.push(self.digit(self.dp + i));
            }
        }
        s
    }
}

/// The IEEE 754 parts of a float64: mantissa with the implicit bit and unbiased exponent.
fn float_parts(a: f64) -> (u64, i32) {
    let bits = a.to_bits();
    let mut exp = ((bits >> 52) & 0x7ff) as i32;
    let mut mant = bits & ((1u64 << 52) - 1);
    if exp == 0 {
        exp += 1;
    } else {
        mant |= 1u64 << 52;
    }
    (mant, exp - 1023)
}

/// `%b`: decimal mantissa, `p`, binary exponent (`4503599627370496p-52`).
fn binary_float(a: f64) -> String {
    let (mant, exp) = float_parts(a);
    let exp = exp - 52;
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mant}p{sign}{}", exp.abs())
}

/// `%x`: hexadecimal mantissa and binary exponent (`0x1.8p+01`).
fn hex_float(a: f64, prec: i32, fmt: char) -> String {
    let (mut mant, mut exp) = float_parts(a);
    if mant == 0 {
        exp = 0;
    }
    // Put the leading 1 bit at bit 60 so that each following 4 bits is one hex digit.
    mant <<= 60 - 52;
    while mant != 0 && mant & (1u64 << 60) == 0 {
        mant <<= 1;
        exp -= 1;
    }
    if (0..15).contains(&prec) {
        let shift = (prec * 4) as u32;
        let extra = (mant << shift) & ((1u64 << 60) - 1);
        mant >>= 60 - shift;
        if extra | (mant & 1) > 1u64 << 59 {
            mant += 1;
        }
        mant <<= 60 - shift;
        if mant & (1u64 << 61) != 0 {
            mant >>= 1;
            exp += 1;
        }
    }
    let digits: &[u8; 16] = if fmt == 'X' {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut s = String::from("0");
    s.push(fmt);
    s.push(if (mant >> 60) & 1 == 1 { '1' } else { '0' });
    mant <<= 4;
    if prec < 0 && mant != 0 {
        s.push('.');
        while mant != 0 {
            s.push(char::from(digits[((mant >> 60) & 15) as usize]));
            mant <<= 4;
        }
    } else if prec > 0 {
        s.push('.');
        for _ in 0..prec {
            s.push(char::from(digits[((mant >> 60) & 15) as usize]));
            mant <<= 4;
        }
    }
    s.push(if fmt == 'X' { 'P' } else { 'p' });
    s.push(if exp < 0 { '-' } else { '+' });
    s.push_str(&format!("{:02}", exp.abs()));
    s
}

/// `strconv.Quote` (or `QuoteToASCII` when `ascii`) of a string.
pub fn quote(s: &str, ascii: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        quote_char(&mut out, c, '"', ascii);
    }
    out.push('"');
    out
}

/// `strconv.QuoteRune` of a rune.
fn quote_rune(c: char, ascii: bool) -> String {
    let mut out = String::from("'");
    quote_char(&mut out, c, '\'', ascii);
    out.push('\'');
    out
}

fn quote_char(out: &mut String, c: char, q: char, ascii: bool) {
    if c == q || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if ascii {
        if c.is_ascii() && is_print(c) {
            out.push(c);
            return;
        }
    } else if is_print(c) {
        out.push(c);
        return;
    }
    match c {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c == '\u{7f}' => {
            out.push_str(&format!("\\x{:02x}", c as u32));
        }
        c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

/// An approximation of Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols
/// and the ASCII space. Rust's standard library has no Unicode category tables, so
/// unassigned code points count as printable here.
pub(crate) fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let u = c as u32;
    !matches!(u,
        0xAD | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x206F | 0xFEFF
        | 0xFFF9..=0xFFFB | 0xE000..=0xF8FF | 0xF0000..=0x10FFFF | 0xFFFE | 0xFFFF)
}

/// Whether `strconv.CanBackquote` holds: no backquote, no control characters but tab.
fn can_backquote(s: &str) -> bool {
    s.chars()
        .all(|c| c != '`' && c != '\u{FEFF}' && (c == '\t' || !(c < ' ' || c == '\u{7f}')))
}

#[derive(Clone, Copy, Default, Debug)]
struct Flags {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    plus_v: bool,
    sharp_v: bool,
    wid: Option<usize>,
    prec: Option<usize>,
}

#[derive(Default)]
struct Printer {
    buf: String,
    flags: Flags,
    /// Addresses of the maps being printed, outermost first: meeting one again means the map
    /// contains itself.
    open_maps: HashSet<usize>,
}

const LOWER_HEX: &[u8; 16] = b"0123456789abcdef";
const UPPER_HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Go's guard against absurd widths and precisions.
fn too_large(n: usize) -> bool {
    n > 1_000_000
}

impl Printer {
    fn write_padding(&mut self, n: usize) {
        let c = if self.flags.zero { '0' } else { ' ' };
        self.buf.extend(std::iter::repeat_n(c, n));
    }

    fn pad(&mut self, s: &str) {
        let Some(wid) = self.flags.wid.filter(|w| *w > 0) else {
            self.buf.push_str(s);
            return;
        };
        let width = wid.saturating_sub(s.chars().count());
        if self.flags.minus {
            self.buf.push_str(s);
            self.write_padding(width);
        } else {
            self.write_padding(width);
            self.buf.push_str(s);
        }
    }

    fn truncate<'s>(&self, s: &'s str) -> &'s str {
        match self.flags.prec {
            Some(n) => match s.char_indices().nth(n) {
                Some((i, _)) => &s[..i],
                None => s,
            },
            None => s,
        }
    }

    fn print_arg(&mut self, arg: &Value, verb: char) {
        if let Value::Nil = arg {
            match verb {
                'T' | 'v' => self.pad("<nil>"),
                _ => self.bad_verb(verb, arg),
            }
            return;
        }
        match verb {
            'T' => {
                let t = arg.type_name();
                let t = self.truncate(&t).to_owned();
                self.pad(&t);
                return;
            }
            'p' => {
                self.fmt_pointer(arg, verb);
                return;
            }
            _ => {}
        }
        self.print_value(arg, verb, 0);
    }

    fn print_value(&mut self, v: &Value, verb: char, depth: usize) {
        match v {
            Value::Nil => {
                if depth == 0 {
                    self.buf.push_str("<invalid reflect.Value>");
                } else if self.flags.sharp_v {
                    self.buf.push_str("interface {}(nil)");
                } else {
                    self.buf.push_str("<nil>");
                }
            }
            Value::Bool(b) => match verb {
                't' | 'v' => self.pad(if *b { "true" } else { "false" }),
                _ => self.bad_verb(verb, v),
            },
            Value::Int(i) => self.fmt_integer_verb(*i as u64, true, verb, v),
            Value::Uint(u) => self.fmt_integer_verb(*u, false, verb, v),
            Value::Float(x) => self.fmt_float_verb(*x, verb, v),
            Value::String(s) => self.fmt_string(s, verb, v),
            Value::Bytes(b) => self.fmt_bytes(b, verb, v, depth),
            Value::List(items, elem) => {
                if self.flags.sharp_v {
                    self.buf.push_str(&v.type_name());
                    self.buf.push('{');
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            self.buf.push_str(", ");
                        }
                        self.print_elem(item, *elem, verb, depth + 1);
                    }
                    self.buf.push('}');
                } else {
                    self.buf.push('[');
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            self.buf.push(' ');
                        }
                        self.print_elem(item, *elem, verb, depth + 1);
                    }
                    self.buf.push(']');
                }
            }
            Value::Map(map, elem) => {
                // Go recurses without end on a map that contains itself (Sprig's `set` can build
                // one) until its stack overflows and the process dies; printing Go's in-band
                // error form instead keeps the output finite and says what happened.
                let id = std::rc::Rc::as_ptr(map) as *const u8 as usize;
                if !self.open_maps.insert(id) {
                    self.buf.push_str("%!");
                    self.buf.push(verb);
                    self.buf.push_str("(CYCLE)");
                    return;
                }
                let map_ref = map;
                let map = map_ref.borrow();
                if self.flags.sharp_v {
                    self.buf.push_str(&v.type_name());
                    self.buf.push('{');
                } else {
                    self.buf.push_str("map[");
                }
                for (i, (k, item)) in map.iter().enumerate() {
                    if i > 0 {
                        self.buf
                            .push_str(if self.flags.sharp_v { ", " } else { " " });
                    }
                    self.fmt_string(k, verb, &Value::string(k));
                    self.buf.push(':');
                    self.print_elem(item, *elem, verb, depth + 1);
                }
                self.buf.push(if self.flags.sharp_v { '}' } else { ']' });
                self.open_maps.remove(&id);
            }
            Value::Object(o) => match verb {
                // Go prints a Stringer through its String method for these verbs only.
                'v' | 's' | 'x' | 'X' | 'q' => {
                    let s = o.go_string();
                    self.fmt_string(&s, verb, v);
                }
                _ => self.bad_verb(verb, v),
            },
        }
    }

    /// Prints an element of a container. Elements of `interface{}` containers that are nil
    /// print `<nil>` whatever the verb.
    fn print_elem(&mut self, item: &Value, elem: ElemType, verb: char, depth: usize) {
        if item.is_nil() && elem == ElemType::Any {
            if self.flags.sharp_v {
                self.buf.push_str("interface {}(nil)");
            } else {
                self.buf.push_str("<nil>");
            }
            return;
        }
        // Cycles are caught where a map is printed; this bounds deep but finite nesting.
        if depth > MAX_PRINT_DEPTH {
            self.buf.push_str("...");
            return;
        }
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
            self.print_value(item, verb, depth)
        });
    }

    fn bad_verb(&mut self, verb: char, arg: &Value) {
        self.buf.push_str("%!");
        self.buf.push(verb);
        self.buf.push('(');
        if arg.is_nil() {
            self.buf.push_str("<nil>");
        } else {
            self.buf.push_str(&arg.type_name());
            self.buf.push('=');
            self.print_arg(arg, 'v');
        }
        self.buf.push(')');
    }

    fn fmt_pointer(&mut self, v: &Value, verb: char) {
        let addr = match v {
            Value::Map(m, _) => std::rc::Rc::as_ptr(m) as *const u8 as usize,
            Value::List(l, _) => l.as_ptr() as usize,
            Value::Bytes(b) => b.as_ptr() as usize,
            Value::Object(o) => std::rc::Rc::as_ptr(o) as *const u8 as usize,
            _ => {
                self.bad_verb(verb, v);
                return;
            }
        };
        self.flags.sharp = !self.flags.sharp;
        self.fmt_integer(addr as u64, 16, false, 'v', LOWER_HEX);
        self.flags.sharp = !self.flags.sharp;
    }

    fn fmt_integer_verb(&mut self, u: u64, signed: bool, verb: char, v: &Value) {
        match verb {
            'v' => {
                if self.flags.sharp_v && !signed {
                    self.flags.sharp = true;
                    self.fmt_integer(u, 16, signed, verb, LOWER_HEX);
                    self.flags.sharp = false;
                } else {
                    self.fmt_integer(u, 10, signed, verb, LOWER_HEX);
                }
            }
            'd' => self.fmt_integer(u, 10, signed, verb, LOWER_HEX),
            'b' => self.fmt_integer(u, 2, signed, verb, LOWER_HEX),
            'o' | 'O' => self.fmt_integer(u, 8, signed, verb, LOWER_HEX),
            'x' => self.fmt_integer(u, 16, signed, verb, LOWER_HEX),
            'X' => self.fmt_integer(u, 16, signed, verb, UPPER_HEX),
            'c' => {
                let c = char_of(u, signed);
                self.pad(&c.to_string());
            }
            'q' => {
                let c = char_of(u, signed);
                let s = quote_rune(c, self.flags.plus);
                self.pad(&s);
            }
            'U' => self.fmt_unicode(u),
            _ => self.bad_verb(verb, v),
        }
    }

    fn fmt_unicode(&mut self, u: u64) {
        let prec = self.flags.prec.unwrap_or(4).max(4);
        // Padded by hand: Rust's formatter rejects widths above u16::MAX.
        let hex = format!("{u:X}");
        let mut s = String::from("U+");
        s.extend(std::iter::repeat_n('0', prec.saturating_sub(hex.len())));
        s.push_str(&hex);
        if self.flags.sharp
            && u <= 0x10FFFF
            && let Some(c) = char::from_u32(u as u32)
            && is_print(c)
        {
            s.push_str(" '");
            s.push(c);
            s.push('\'');
        }
        let old = self.flags.zero;
        self.flags.zero = false;
        self.pad(&s);
        self.flags.zero = old;
    }

    fn fmt_integer(&mut self, u: u64, base: u64, signed: bool, verb: char, digits: &[u8; 16]) {
        let negative = signed && (u as i64) < 0;
        let mut u = if negative {
            (u as i64).unsigned_abs()
        } else {
            u
        };
        let f = self.flags;
        let mut prec = 0usize;
        if let Some(p) = f.prec {
            prec = p;
            if p == 0 && u == 0 {
                let old = self.flags.zero;
                self.flags.zero = false;
                self.write_padding(f.wid.unwrap_or(0));
                self.flags.zero = old;
                return;
            }
        } else if let (true, Some(w)) = (f.zero, f.wid) {
            prec = w;
            if negative || f.plus || f.space {
                prec = prec.saturating_sub(1);
            }
        }
        // Digits are produced least significant first, then reversed.
        let mut rev: Vec<u8> = Vec::with_capacity(24);
        loop {
            rev.push(digits[(u % base) as usize]);
            u /= base;
            if u == 0 {
                break;
            }
        }
        while rev.len() < prec {
            rev.push(b'0');
        }
        if f.sharp {
            match base {
                2 => rev.extend_from_slice(b"b0"),
                8 if rev.last() != Some(&b'0') => rev.push(b'0'),
                16 => {
                    rev.push(if digits[10] == b'A' { b'X' } else { b'x' });
                    rev.push(b'0');
                }
                _ => {}
            }
        }
        if verb == 'O' {
            rev.extend_from_slice(b"o0");
        }
        if negative {
            rev.push(b'-');
        } else if f.plus {
            rev.push(b'+');
        } else if f.space {
            rev.push(b' ');
        }
        rev.reverse();
        let s = String::from_utf8_lossy(&rev).into_owned();
        let old = self.flags.zero;
        self.flags.zero = false;
        self.pad(&s);
        self.flags.zero = old;
    }

    fn fmt_float_verb(&mut self, x: f64, verb: char, v: &Value) {
        match verb {
            'v' => self.fmt_float(x, 'g', -1),
            'b' | 'g' | 'G' | 'x' | 'X' => self.fmt_float(x, verb, -1),
            'f' | 'e' | 'E' => self.fmt_float(x, verb, 6),
            'F' => self.fmt_float(x, 'f', 6),
            _ => self.bad_verb(verb, v),
        }
    }

    fn fmt_float(&mut self, x: f64, verb: char, prec: i32) {
        let prec = self.flags.prec.map_or(prec, |p| p as i32);
        let formatted = format_float(x, verb, prec);
        // `num` always starts with a sign so that the padding logic can handle it.
        let mut num: String = if formatted.starts_with('-') || formatted.starts_with('+') {
            formatted
        } else {
            format!("+{formatted}")
        };
        if self.flags.space && num.starts_with('+') && !self.flags.plus {
            num.replace_range(0..1, " ");
        }
        let second = num.as_bytes().get(1).copied();
        if second == Some(b'I') || second == Some(b'N') {
            let old = self.flags.zero;
            self.flags.zero = false;
            if second == Some(b'N') && !self.flags.space && !self.flags.plus {
                num.remove(0);
            }
            self.pad(&num);
            self.flags.zero = old;
            return;
        }
        if self.flags.sharp && verb != 'b' {
            let mut digits: i32 = match verb {
                'v' | 'g' | 'G' | 'x' => {
                    if prec == -1 {
                        6
                    } else {
                        prec
                    }
                }
                _ => 0,
            };
            let bytes: Vec<u8> = num.bytes().collect();
            let mut body: Vec<u8> = vec![bytes[0]];
            let mut tail: Vec<u8> = Vec::new();
            let mut has_point = false;
            let mut saw_nonzero = false;
            let mut i = 1;
            while i < bytes.len() {
                let c = bytes[i];
                match c {
                    b'.' => {
                        has_point = true;
                        body.push(c);
                    }
                    b'p' | b'P' => {
                        tail.extend_from_slice(&bytes[i..]);
                        break;
                    }
                    b'e' | b'E' if verb != 'x' && verb != 'X' => {
                        tail.extend_from_slice(&bytes[i..]);
                        break;
                    }
                    _ => {
                        if c != b'0' {
                            saw_nonzero = true;
                        }
                        if saw_nonzero {
                            digits -= 1;
                        }
                        body.push(c);
                    }
                }
                i += 1;
            }
            if !has_point {
                if body.len() == 2 && body[1] == b'0' {
                    digits -= 1;
                }
                body.push(b'.');
            }
            while digits > 0 {
                body.push(b'0');
                digits -= 1;
            }
            body.extend_from_slice(&tail);
            num = String::from_utf8_lossy(&body).into_owned();
        }
        if self.flags.plus || !num.starts_with('+') {
            if let Some(w) = self.flags.wid
                && self.flags.zero
                && w > num.len()
            {
                let sign = &num[..1];
                self.buf.push_str(sign);
                self.write_padding(w - num.len());
                self.buf.push_str(&num[1..]);
                return;
            }
            self.pad(&num);
            return;
        }
        self.pad(&num[1..]);
    }

    fn fmt_string(&mut self, s: &str, verb: char, v: &Value) {
        match verb {
            'v' => {
                if self.flags.sharp_v {
                    self.fmt_q(s);
                } else {
                    self.fmt_s(s);
                }
            }
            's' => self.fmt_s(s),
            'x' => self.fmt_sbx(s.as_bytes(), LOWER_HEX),
            'X' => self.fmt_sbx(s.as_bytes(), UPPER_HEX),
            'q' => self.fmt_q(s),
            _ => self.bad_verb(verb, v),
        }
    }

    fn fmt_s(&mut self, s: &str) {
        let s = self.truncate(s).to_owned();
        self.pad(&s);
    }

    fn fmt_q(&mut self, s: &str) {
        let s = self.truncate(s).to_owned();
        if self.flags.sharp && can_backquote(&s) {
            self.pad(&format!("`{s}`"));
            return;
        }
        let q = quote(&s, self.flags.plus);
        self.pad(&q);
    }

    fn fmt_sbx(&mut self, b: &[u8], digits: &[u8; 16]) {
        let f = self.flags;
        let length = f.prec.map_or(b.len(), |p| p.min(b.len()));
        let mut width = 2 * length;
        if width > 0 {
            if f.space {
                if f.sharp {
                    width *= 2;
                }
                width += length - 1;
            } else if f.sharp {
                width += 2;
            }
        } else {
            if let Some(w) = f.wid {
                self.write_padding(w);
            }
            return;
        }
        let w = f.wid.unwrap_or(0);
        if w > width && !f.minus {
            self.write_padding(w - width);
        }
        let x = char::from(digits[10] + (b'x' - b'a'));
        if f.sharp {
            self.buf.push('0');
            self.buf.push(x);
        }
        for (i, c) in b[..length].iter().enumerate() {
            if f.space && i > 0 {
                self.buf.push(' ');
                if f.sharp {
                    self.buf.push('0');
                    self.buf.push(x);
                }
            }
            self.buf.push(char::from(digits[(c >> 4) as usize]));
            self.buf.push(char::from(digits[(c & 15) as usize]));
        }
        if w > width && f.minus {
            self.write_padding(w - width);
        }
    }

    fn fmt_bytes(&mut self, b: &[u8], verb: char, v: &Value, depth: usize) {
        match verb {
            'v' | 'd' => {
                if self.flags.sharp_v {
                    self.buf.push_str("[]byte{");
                    for (i, c) in b.iter().enumerate() {
                        if i > 0 {
                            self.buf.push_str(", ");
                        }
                        self.flags.sharp = true;
                        self.fmt_integer(u64::from(*c), 16, false, verb, LOWER_HEX);
                        self.flags.sharp = false;
                    }
                    self.buf.push('}');
                } else {
                    self.buf.push('[');
                    for (i, c) in b.iter().enumerate() {
                        if i > 0 {
                            self.buf.push(' ');
                        }
                        self.fmt_integer(u64::from(*c), 10, false, verb, LOWER_HEX);
                    }
                    self.buf.push(']');
                }
            }
            's' => {
                let s = String::from_utf8_lossy(b).into_owned();
                self.fmt_s(&s);
            }
            'x' => self.fmt_sbx(b, LOWER_HEX),
            'X' => self.fmt_sbx(b, UPPER_HEX),
            'q' => {
                let s = String::from_utf8_lossy(b).into_owned();
                self.fmt_q(&s);
            }
            _ => {
                // Other verbs print the bytes as a list of uint8 values.
                let _ = (v, depth);
                self.buf.push('[');
                for (i, c) in b.iter().enumerate() {
                    if i > 0 {
                        self.buf.push(' ');
                    }
                    let item = Value::Uint(u64::from(*c));
                    self.fmt_integer_verb(u64::from(*c), false, verb, &item);
                }
                self.buf.push(']');
            }
        }
    }

    fn do_printf(&mut self, format: &str, args: &[Value]) {
        let fmt = format.as_bytes();
        let end = fmt.len();
        let mut arg_num = 0usize;
        let mut reordered = false;
        let mut i = 0usize;
        'format: while i < end {
            let mut good_arg_num = true;
            let last = i;
            while i < end && fmt[i] != b'%' {
                i += 1;
            }
            if i > last {
                self.buf.push_str(&format[last..i]);
            }
            if i >= end {
                break;
            }
            i += 1; // the '%'
            self.flags = Flags::default();
            while i < end {
                match fmt[i] {
                    b'#' => self.flags.sharp = true,
                    b'0' => self.flags.zero = !self.flags.minus,
                    b'+' => self.flags.plus = true,
                    b'-' => {
                        self.flags.minus = true;
                        self.flags.zero = false;
                    }
                    b' ' => self.flags.space = true,
                    c => {
                        // Fast path for a plain verb with an operand left.
                        if c.is_ascii_lowercase() && arg_num < args.len() {
                            let verb = char::from(c);
                            if verb == 'v' {
                                self.flags.sharp_v = self.flags.sharp;
                                self.flags.sharp = false;
                                self.flags.plus_v = self.flags.plus;
                                self.flags.plus = false;
                            }
                            self.print_arg(&args[arg_num], verb);
                            arg_num += 1;
                            i += 1;
                            continue 'format;
                        }
                        break;
                    }
                }
                i += 1;
            }

            let mut after_index;
            (arg_num, i, after_index) = arg_number(
                arg_num,
                fmt,
                i,
                args.len(),
                &mut good_arg_num,
                &mut reordered,
            );

            if i < end && fmt[i] == b'*' {
                i += 1;
                let (w, ok, next) = int_from_arg(args, arg_num);
                arg_num = next;
                match (ok, w) {
                    (false, _) => {
                        self.flags.wid = None;
                        self.buf.push_str("%!(BADWIDTH)");
                    }
                    (true, w) if w < 0 => {
                        self.flags.wid = Some(w.unsigned_abs() as usize);
                        self.flags.minus = true;
                        self.flags.zero = false;
                    }
                    (true, w) => self.flags.wid = Some(w as usize),
                }
                after_index = false;
            } else {
                let (n, ok, next) = parse_num(fmt, i, end);
                i = next;
                self.flags.wid = ok.then_some(n);
                if after_index && ok {
                    good_arg_num = false;
                }
            }

            if i < end && fmt[i] == b'.' {
                i += 1;
                if after_index {
                    good_arg_num = false;
                }
                (arg_num, i, after_index) = arg_number(
                    arg_num,
                    fmt,
                    i,
                    args.len(),
                    &mut good_arg_num,
                    &mut reordered,
                );
                if i < end && fmt[i] == b'*' {
                    i += 1;
                    let (p, ok, next) = int_from_arg(args, arg_num);
                    arg_num = next;
                    if !ok || p < 0 {
                        self.flags.prec = None;
                        self.buf.push_str("%!(BADPREC)");
                    } else {
                        self.flags.prec = Some(p as usize);
                    }
                    after_index = false;
                } else {
                    let (n, ok, next) = parse_num(fmt, i, end);
                    i = next;
                    self.flags.prec = Some(if ok { n } else { 0 });
                }
            }

            if !after_index {
                (arg_num, i, _) = arg_number(
                    arg_num,
                    fmt,
                    i,
                    args.len(),
                    &mut good_arg_num,
                    &mut reordered,
                );
            }

            if i >= end {
                self.buf.push_str("%!(NOVERB)");
                break;
            }
            let verb = format[i..].chars().next().unwrap_or('%');
            i += verb.len_utf8();

            if verb == '%' {
                self.buf.push('%');
            } else if !good_arg_num {
                self.buf.push_str("%!");
                self.buf.push(verb);
                self.buf.push_str("(BADINDEX)");
            } else if arg_num >= args.len() {
                self.buf.push_str("%!");
                self.buf.push(verb);
                self.buf.push_str("(MISSING)");
            } else {
                if verb == 'v' {
                    self.flags.sharp_v = self.flags.sharp;
                    self.flags.sharp = false;
                    self.flags.plus_v = self.flags.plus;
                    self.flags.plus = false;
                }
                self.print_arg(&args[arg_num], verb);
                arg_num += 1;
            }
        }

        if !reordered && arg_num < args.len() {
            self.flags = Flags::default();
            self.buf.push_str("%!(EXTRA ");
            for (i, arg) in args[arg_num..].iter().enumerate() {
                if i > 0 {
                    self.buf.push_str(", ");
                }
                if arg.is_nil() {
                    self.buf.push_str("<nil>");
                } else {
                    self.buf.push_str(&arg.type_name());
                    self.buf.push('=');
                    self.print_arg(arg, 'v');
                }
            }
            self.buf.push(')');
        }
    }
}

fn char_of(u: u64, signed: bool) -> char {
    let code = if signed && (u as i64) < 0 {
        u64::MAX
    } else {
        u
    };
    u32::try_from(code)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or('\u{FFFD}')
}

/// Parses a decimal number at `fmt[start..end]`: (value, found, index after it).
fn parse_num(fmt: &[u8], start: usize, end: usize) -> (usize, bool, usize) {
    if start >= end {
        return (0, false, end);
    }
    let mut n = 0usize;
    let mut found = false;
    let mut i = start;
    while i < end && fmt[i].is_ascii_digit() {
        if too_large(n) {
            return (0, false, end);
        }
        n = n * 10 + usize::from(fmt[i] - b'0');
        found = true;
        i += 1;
    }
    (n, found, i)
}

/// Handles an explicit argument index `[n]` at `fmt[i..]`.
fn arg_number(
    arg_num: usize,
    fmt: &[u8],
    i: usize,
    num_args: usize,
    good: &mut bool,
    reordered: &mut bool,
) -> (usize, usize, bool) {
    if fmt.len() <= i || fmt[i] != b'[' {
        return (arg_num, i, false);
    }
    *reordered = true;
    let rest = &fmt[i..];
    let (index, wid, ok) = parse_arg_number(rest);
    if ok && index < num_args {
        return (index, i + wid, true);
    }
    *good = false;
    (arg_num, i + wid, ok)
}

fn parse_arg_number(fmt: &[u8]) -> (usize, usize, bool) {
    if fmt.len() < 3 {
        return (0, 1, false);
    }
    for i in 1..fmt.len() {
        if fmt[i] == b']' {
            let (n, ok, next) = parse_num(fmt, 1, i);
            if !ok || next != i || n == 0 {
                // `[0]` is an index of -1 in Go: valid syntax, out of range.
                return (usize::MAX, i + 1, ok && next == i);
            }
            return (n - 1, i + 1, true);
        }
    }
    (0, 1, false)
}

/// Takes a `*` width or precision from the operands: (value, is an int, next operand).
fn int_from_arg(args: &[Value], arg_num: usize) -> (i64, bool, usize) {
    let Some(arg) = args.get(arg_num) else {
        return (0, false, arg_num);
    };
    let n = match arg {
        Value::Int(i) => Some(*i),
        Value::Uint(u) => i64::try_from(*u).ok(),
        _ => None,
    };
    match n {
        Some(n) if n.unsigned_abs() <= 1_000_000 => (n, true, arg_num + 1),
        _ => (0, false, arg_num + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Map;
    use std::rc::Rc;

    fn s(x: &str) -> Value {
        Value::string(x)
    }

    #[test]
    fn floats_print_like_go() {
        let cases = [
            (8080.0, "8080"),
            (100000.0, "100000"),
            (1000000.0, "1e+06"),
            (1234567.0, "1.234567e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (0.000001, "1e-06"),
            (1.5, "1.5"),
            (0.0, "0"),
            (-0.0, "-0"),
            (1e21, "1e+21"),
            (1e100, "1e+100"),
            (-2.5e-10, "-2.5e-10"),
            (123456.789, "123456.789"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
            (f64::NAN, "NaN"),
        ];
        for (x, want) in cases {
            assert_eq!(format_value(&Value::Float(x)), want, "{x}");
        }
    }

    #[test]
    fn format_float_modes() {
        assert_eq!(format_float(3.14259, 'f', 2), "3.14");
        assert_eq!(format_float(2.5, 'f', 0), "2");
        assert_eq!(format_float(1234.5678, 'e', 3), "1.235e+03");
        assert_eq!(format_float(1234.5678, 'g', 3), "1.23e+03");
        assert_eq!(format_float(1234.5678, 'g', 10), "1234.5678");
        assert_eq!(format_float(100.0, 'g', 2), "1e+02");
        assert_eq!(format_float(0.0, 'e', -1), "0e+00");
        assert_eq!(format_float(1.0, 'b', -1), "4503599627370496p-52");
        assert_eq!(format_float(1.0, 'x', -1), "0x1p+00");
        assert_eq!(format_float(3.0, 'x', -1), "0x1.8p+01");
        assert_eq!(format_float(1.5, 'f', -1), "1.5");
        // Precisions beyond what Rust's formatter accepts, as Go allows them.
        let f = format_float(1.5, 'f', 100_000);
        assert_eq!((f.len(), &f[..4]), (100_002, "1.50"));
        let e = format_float(1.5, 'e', 65_535);
        assert!(e.starts_with("1.50") && e.ends_with("0e+00") && e.len() == 65_541);
        assert_eq!(format_float(5e-324, 'e', 2000).len(), 2007);
        assert_eq!(sprintf("%.70000g", &[Value::Float(0.1)]).len(), 57);
    }

    #[test]
    fn self_containing_maps_print_without_overflowing() {
        let m = Value::map(Map::new());
        if let Value::Map(inner, _) = &m {
            inner.borrow_mut().insert("self".into(), m.clone());
        }
        assert_eq!(format_value(&m), "map[self:%!v(CYCLE)]");
        assert_eq!(
            sprintf("%s|%#v", &[m.clone(), m.clone()]),
            "map[self:%!s(CYCLE)]|map[string]interface {}{\"self\":%!v(CYCLE)}"
        );
        // Two references to itself would double the output at every level without the check.
        if let Value::Map(inner, _) = &m {
            inner.borrow_mut().insert("again".into(), m.clone());
        }
        assert_eq!(
            format_value(&Value::list(vec![m.clone(), m.clone()])),
            "[map[again:%!v(CYCLE) self:%!v(CYCLE)] map[again:%!v(CYCLE) self:%!v(CYCLE)]]"
        );
        // Break the reference cycle so the test does not leak.
        if let Value::Map(inner, _) = &m {
            inner.borrow_mut().clear();
        }
    }

    /// Runs `{{ $d := dict }}{{ $_ := set $d "self" $d }}{{ $d }}` with minimal `dict` and
    /// `set` (as Sprig has them), on the calling thread, and returns the output.
    fn render_self_containing_dict() -> String {
        use crate::template::{FuncMap, Templates};
        use crate::value::{Func, FuncError};
        let mut funcs = FuncMap::new();
        let dict: Func = std::rc::Rc::new(|_: &[Value]| Ok(Value::map(Map::new())));
        let set: Func = std::rc::Rc::new(|args: &[Value]| match args {
            [Value::Map(m, _), Value::String(k), v] => {
                m.borrow_mut().insert(k.to_string(), v.clone());
                Ok(args[0].clone())
            }
            _ => Err(FuncError::new("set wants a map, a key and a value")),
        });
        funcs.insert("dict".into(), dict);
        funcs.insert("set".into(), set);
        let mut set = Templates::new(funcs);
        set.parse(
            "t",
            r#"{{ $d := dict }}{{ $_ := set $d "self" $d }}{{ $d }}|{{ printf "%v" $d }}"#,
        )
        .expect("parses");
        // (The one-entry cycle the template built is leaked: nothing outside it holds it.)
        set.execute_to_string("t", &Value::Nil).expect("executes")
    }

    #[test]
    fn template_printing_a_map_that_contains_itself_ends() {
        let expected = "map[self:%!v(CYCLE)]|map[self:%!v(CYCLE)]";
        assert_eq!(render_self_containing_dict(), expected);
        // A thread with a small stack, like the ones servers and test harnesses hand out.
        let on_thread = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(render_self_containing_dict)
            .expect("spawns")
            .join()
            .expect("no overflow on a small stack");
        assert_eq!(on_thread, expected);
    }

    #[test]
    fn sprint_spacing() {
        let args = [
            Value::Int(1),
            Value::Int(2),
            s("a"),
            Value::Int(3),
            s("b"),
            s("c"),
        ];
        assert_eq!(sprint(&args), "1 2a3bc");
        assert_eq!(sprintln(&args), "1 2 a 3 b c\n");
        assert_eq!(sprint(&[Value::Nil, Value::Nil]), "<nil> <nil>");
    }

    #[test]
    fn composite_values() {
        let mut m = Map::new();
        m.insert("b".into(), Value::Float(1e6));
        m.insert("a".into(), Value::Nil);
        m.insert("c".into(), Value::list(vec![s("x"), Value::Bool(true)]));
        assert_eq!(
            format_value(&Value::map(m)),
            "map[a:<nil> b:1e+06 c:[x true]]"
        );
        assert_eq!(
            format_value(&Value::Bytes(Rc::from(&b"hi"[..]))),
            "[104 105]"
        );
        assert_eq!(format_value(&Value::Nil), "<nil>");
    }

    #[test]
    fn printf_verbs() {
        let cases: Vec<(&str, Vec<Value>, &str)> = vec![
            ("%d", vec![Value::Int(42)], "42"),
            (
                "%5d|%-5d|%05d",
                vec![Value::Int(42), Value::Int(42), Value::Int(-42)],
                "   42|42   |-0042",
            ),
            ("%+d % d", vec![Value::Int(5), Value::Int(5)], "+5  5"),
            (
                "%x %X %#x %o %#o %O %b",
                vec![Value::Int(255); 7],
                "ff FF 0xff 377 0377 0o377 11111111",
            ),
            ("%.3d", vec![Value::Int(7)], "007"),
            ("%.0d", vec![Value::Int(0)], ""),
            (
                "%c %q %U %#U",
                vec![Value::Int(65); 4],
                "A 'A' U+0041 U+0041 'A'",
            ),
            (
                "%s|%10s|%-10s|%.2s",
                vec![s("hello"); 4],
                "hello|     hello|hello     |he",
            ),
            ("%q", vec![s("a\"b\n\u{1}é")], "\"a\\\"b\\n\\x01é\""),
            ("%+q", vec![s("é")], "\"\\u00e9\""),
            ("%#q", vec![s("ab")], "`ab`"),
            (
                "%x % x %X",
                vec![s("hi"), s("hi"), s("hi")],
                "6869 68 69 6869",
            ),
            (
                "%f %.2f %8.3f %-8.1f|",
                vec![Value::Float(3.14259); 4],
                "3.142590 3.14    3.143 3.1     |",
            ),
            (
                "%e %E %g %G",
                vec![Value::Float(1234.5678); 4],
                "1.234568e+03 1.234568E+03 1234.5678 1234.5678",
            ),
            (
                "%08.2f|%+.1f|% .1f",
                vec![Value::Float(-3.14259), Value::Float(2.0), Value::Float(2.0)],
                "-0003.14|+2.0| 2.0",
            ),
            (
                "%t %v",
                vec![Value::Bool(true), Value::Bool(false)],
                "true false",
            ),
            ("%d", vec![Value::Float(80.0)], "%!d(float64=80)"),
            ("%d", vec![Value::Float(1e6)], "%!d(float64=1e+06)"),
            ("%d", vec![s("x")], "%!d(string=x)"),
            ("%d", vec![Value::Nil], "%!d(<nil>)"),
            ("%s", vec![Value::Int(5)], "%!s(int=5)"),
            ("%d %d", vec![Value::Int(1)], "1 %!d(MISSING)"),
            (
                "%d",
                vec![Value::Int(1), s("a"), Value::Nil],
                "1%!(EXTRA string=a, <nil>)",
            ),
            ("100%%", vec![], "100%"),
            ("%", vec![], "%!(NOVERB)"),
            ("%z", vec![Value::Int(1)], "%!z(int=1)"),
            (
                "%T %T %T",
                vec![Value::Float(1.0), s("a"), Value::Nil],
                "float64 string <nil>",
            ),
            (
                "%*d|%-*d",
                vec![Value::Int(4), Value::Int(1), Value::Int(3), Value::Int(2)],
                "   1|2  ",
            ),
            ("%[2]d %[1]d", vec![Value::Int(1), Value::Int(2)], "2 1"),
            ("%[3]d", vec![Value::Int(1)], "%!d(BADINDEX)"),
            (
                "%v",
                vec![Value::list(vec![Value::Int(1), s("a"), Value::Nil])],
                "[1 a <nil>]",
            ),
            (
                "%d",
                vec![Value::list(vec![Value::Int(1), s("a")])],
                "[1 %!d(string=a)]",
            ),
            (
                "%q",
                vec![Value::List(Rc::new(vec![s("a"), s("b")]), ElemType::String)],
                "[\"a\" \"b\"]",
            ),
            ("%s", vec![Value::Bytes(Rc::from(&b"hi"[..]))], "hi"),
            ("%x", vec![Value::Bytes(Rc::from(&b"hi"[..]))], "6869"),
            ("%6.2f%%", vec![Value::Float(99.5)], " 99.50%"),
            ("%v %v", vec![Value::Uint(7), Value::Int(-7)], "7 -7"),
            ("%#v", vec![s("a")], "\"a\""),
            (
                "%#v",
                vec![Value::list(vec![Value::Int(1), s("a"), Value::Nil])],
                "[]interface {}{1, \"a\", interface {}(nil)}",
            ),
            ("%5t", vec![Value::Int(1)], "%!t(int=    1)"),
            ("%.1f", vec![Value::Float(0.25)], "0.2"),
            ("%g", vec![Value::Float(1e-7)], "1e-07"),
            ("%#g", vec![Value::Float(1.0)], "1.00000"),
            ("%10.3e", vec![Value::Float(123456.0)], " 1.235e+05"),
            ("%05s", vec![s("ab")], "000ab"),
            ("%x", vec![Value::Int(-255)], "-ff"),
        ];
        for (format, args, want) in cases {
            assert_eq!(sprintf(format, &args), want, "format {format:?}");
        }
    }
}
