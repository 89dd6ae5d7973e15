//! String functions: Go's `strings` package as Sprig exposes it, plus the helpers Sprig borrows
//! from Masterminds/goutils (abbreviate, wrap, initials, swapcase, uncapitalize, delete
//! whitespace) and huandu/xstrings v1.5 (snake/kebab/pascal case, shuffle).
//!
//! Several goutils helpers work on bytes, not characters, exactly as Go's do; where that splits
//! a multi-byte UTF-8 sequence Go would emit invalid UTF-8, which a Rust string cannot hold, so
//! the broken sequence becomes U+FFFD instead.

use rand::Rng;
use rand::seq::SliceRandom;

/// Go's `unicode.IsSpace`.
pub fn is_go_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\x0b' | '\x0c' | '\r' | ' ' | '\u{85}' | '\u{a0}'
    ) || (c as u32 > 0xff && c.is_whitespace())
}

/// Bytes to a string, replacing what is not UTF-8 (see the module docs).
fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Go's `strings.ToUpper`: per-character simple case mapping (`ß` stays `ß`; Rust's full
/// mapping would give `SS`).
pub fn go_upper(s: &str) -> String {
    s.chars().map(upper_char).collect()
}

/// Go's `strings.ToLower`: per-character simple case mapping.
pub fn go_lower(s: &str) -> String {
    s.chars().map(lower_char).collect()
}

/// `strings.TrimSpace`.
pub fn trim_space(s: &str) -> &str {
    s.trim_matches(is_go_space)
}

/// `strings.Trim(s, cutset)`.
pub fn trim_cutset<'a>(s: &'a str, cutset: &str) -> &'a str {
    s.trim_matches(|c| cutset.contains(c))
}

/// `strings.Title`: upper-cases (title-cases) the first letter of each word; a word starts after
/// anything that is not a letter, digit, mark or underscore.
pub fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_sep = true;
    for c in s.chars() {
        if prev_sep {
            out.push(title_char(c));
        } else {
            out.push(c);
        }
        prev_sep = is_title_separator(c);
    }
    out
}

/// `unicode.ToTitle`: upper case, except for the digraphs whose title form differs.
fn title_char(c: char) -> char {
    match c {
        'Ǆ' | 'ǅ' | 'ǆ' => 'ǅ',
        'Ǉ' | 'ǈ' | 'ǉ' => 'ǈ',
        'Ǌ' | 'ǋ' | 'ǌ' => 'ǋ',
        'Ǳ' | 'ǲ' | 'ǳ' => 'ǲ',
        other => upper_char(other),
    }
}

fn is_title_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    if c.is_alphanumeric() {
        return false;
    }
    is_go_space(c)
}

/// goutils `Uncapitalize`: lower-cases the first character of each whitespace-separated word.
pub fn untitle(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut next = true;
    for c in s.chars() {
        if is_go_space(c) {
            next = true;
            out.push(c);
        } else if next {
            out.push(lower_char(c));
            next = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// goutils `SwapCase`: upper ↔ lower; a lower-case letter at the start of a word becomes
/// title case.
pub fn swapcase(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut whitespace = true;
    for c in s.chars() {
        if c.is_uppercase() || matches!(c, 'ǅ' | 'ǈ' | 'ǋ' | 'ǲ') {
            out.push(lower_char(c));
            whitespace = false;
        } else if c.is_lowercase() {
            // goutils title-cases a letter that starts a word and upper-cases the others.
            out.push(if whitespace {
                title_char(c)
            } else {
                upper_char(c)
            });
            whitespace = false;
        } else {
            out.push(c);
            whitespace = is_go_space(c);
        }
    }
    out
}

/// goutils `Abbreviate`/`AbbreviateFull` (Apache Commons semantics, byte offsets).
pub fn abbreviate_full(s: &str, offset: i64, width: i64) -> String {
    let b = s.as_bytes();
    let len = b.len() as i64;
    if s.is_empty() || width < 4 || len <= width {
        return s.to_owned();
    }
    let mut offset = offset.min(len);
    if len - offset < width - 3 {
        offset = len - (width - 3);
    }
    if offset <= 4 {
        return format!("{}...", lossy(&b[..(width - 3) as usize]));
    }
    if width < 7 {
        return String::new();
    }
    if offset + width - 3 < len {
        return format!(
            "...{}",
            abbreviate_full(&lossy(&b[offset as usize..]), 0, width - 3)
        );
    }
    format!("...{}", lossy(&b[(len - (width - 3)) as usize..]))
}

/// Sprig's `abbrev`.
pub fn abbrev(width: i64, s: &str) -> String {
    if width < 4 {
        return s.to_owned();
    }
    abbreviate_full(s, 0, width)
}

/// Sprig's `abbrevboth`.
pub fn abbrevboth(left: i64, right: i64, s: &str) -> String {
    if right < 4 || (left > 0 && right < 7) {
        return s.to_owned();
    }
    abbreviate_full(s, left, right)
}

/// goutils `Initials`: the first byte of every whitespace-separated word.
pub fn initials(s: &str) -> String {
    let mut out = String::new();
    let mut gap = true;
    for &byte in s.as_bytes() {
        let c = char::from(byte);
        if is_go_space(c) {
            gap = true;
        } else if gap {
            out.push(c);
            gap = false;
        }
    }
    out
}

/// goutils `DeleteWhiteSpace`: works byte by byte, each byte taken as a Latin-1 character.
pub fn nospace(s: &str) -> String {
    let bytes = s.as_bytes();
    if !bytes.iter().any(|b| is_go_space(char::from(*b))) {
        return s.to_owned();
    }
    bytes
        .iter()
        .map(|b| char::from(*b))
        .filter(|c| !is_go_space(*c))
        .collect()
}

/// goutils `WrapCustom` on bytes.
pub fn wrap_custom(s: &str, width: i64, newline: &str, long_words: bool) -> String {
    if s.is_empty() {
        return String::new();
    }
    let newline = if newline.is_empty() { "\n" } else { newline };
    let width = width.max(1) as usize;
    let b = s.as_bytes();
    let len = b.len();
    let mut out: Vec<u8> = Vec::with_capacity(len + 8);
    let mut offset = 0usize;
    while len - offset > width {
        if b[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = (width + offset + 1).min(len);
        let space = b[offset..end].iter().rposition(|c| *c == b' ');
        if let Some(pos) = space {
            let at = offset + pos;
            out.extend_from_slice(&b[offset..at]);
            out.extend_from_slice(newline.as_bytes());
            offset = at + 1;
        } else if long_words {
            out.extend_from_slice(&b[offset..offset + width]);
            out.extend_from_slice(newline.as_bytes());
            offset += width;
        } else {
            let end = width + offset;
            match b[end..].iter().position(|c| *c == b' ') {
                None => {
                    out.extend_from_slice(&b[offset..]);
                    offset = len;
                }
                Some(i) => {
                    let at = end + i;
                    out.extend_from_slice(&b[offset..at]);
                    out.extend_from_slice(newline.as_bytes());
                    offset = at + 1;
                }
            }
        }
    }
    out.extend_from_slice(&b[offset..]);
    lossy(&out)
}

/// Sprig's `substr` (byte offsets; Go panics on bad ranges, which becomes an error).
pub fn substr(start: i64, end: i64, s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let len = b.len() as i64;
    let (from, to) = if start < 0 {
        (0, end)
    } else if end < 0 || end > len {
        (start, len)
    } else {
        (start, end)
    };
    if from < 0 || to < 0 || from > to || to > len {
        return Err(format!(
            "runtime error: slice bounds out of range [{from}:{to}] with length {len}"
        ));
    }
    Ok(lossy(&b[from as usize..to as usize]))
}

/// Sprig v3's `trunc`: the first n bytes, or with a negative n the last -n bytes.
pub fn trunc(n: i64, s: &str) -> String {
    let b = s.as_bytes();
    let len = b.len() as i64;
    if n < 0 && len + n > 0 {
        return lossy(&b[(len + n) as usize..]);
    }
    if n >= 0 && len > n {
        return lossy(&b[..n as usize]);
    }
    s.to_owned()
}

/// Sprig's `indent` (a negative width is Go's `strings.Repeat` panic).
pub fn indent(n: i64, s: &str) -> Result<String, String> {
    let n = usize::try_from(n).map_err(|_| "strings: negative Repeat count".to_owned())?;
    let pad = " ".repeat(n);
    Ok(format!("{pad}{}", s.replace('\n', &format!("\n{pad}"))))
}

/// xstrings v1.5 `ToPascalCase` (Sprig's `camelcase`): words split at `_`, `-` and spaces;
/// a word that starts upper-case has its following capitals lowered until the first
/// lower-case letter.
pub fn pascal_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    let mut r0 = None;
    let mut first_upper = false;
    for c in chars.by_ref() {
        if !is_connector(c) {
            first_upper = c.is_uppercase();
            r0 = Some(upper_char(c));
            break;
        }
        out.push(c);
    }
    let Some(mut r0) = r0 else { return out };
    for c in chars {
        let r1 = r0;
        r0 = c;
        if is_connector(r0) && is_connector(r1) {
            out.push(r1);
            continue;
        }
        if is_connector(r1) {
            first_upper = r0.is_uppercase();
            r0 = upper_char(r0);
        } else {
            if first_upper {
                if r0.is_uppercase() {
                    r0 = lower_char(r0);
                } else {
                    first_upper = false;
                }
            }
            out.push(r1);
        }
    }
    out.push(r0);
    out
}

fn upper_char(c: char) -> char {
    let mut up = c.to_uppercase();
    match (up.next(), up.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

fn lower_char(c: char) -> char {
    // The one character whose full lower-case mapping is longer than its simple one.
    if c == '\u{130}' {
        return 'i';
    }
    let mut low = c.to_lowercase();
    match (low.next(), low.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || is_go_space(c)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Word {
    Invalid,
    Number,
    Upper,
    Alpha,
    Connector,
    Punct,
    Other,
}

/// Go's `unicode.IsPunct` approximated: ASCII punctuation except the symbol classes
/// (`$ + < = > ^ ` | ~` are symbols in Go), plus non-ASCII punctuation.
fn is_punct(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation()
            && !matches!(c, '$' | '+' | '<' | '=' | '>' | '^' | '`' | '|' | '~');
    }
    !c.is_alphanumeric() && !c.is_whitespace() && !c.is_control() && is_unicode_punct(c)
}

fn is_unicode_punct(c: char) -> bool {
    matches!(c as u32, 0xA1 | 0xA7 | 0xAB | 0xB6 | 0xB7 | 0xBB | 0xBF | 0x2010..=0x2027 | 0x2030..=0x205E | 0x3001..=0x3003 | 0x3008..=0x3011 | 0xFF01..=0xFF0F)
}

fn is_number(c: char) -> bool {
    c.is_numeric()
}

/// xstrings' `isAlphabet`: a letter that is not a CJK ideograph.
fn is_alphabet(c: char) -> bool {
    c.is_alphabetic()
        && !matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0xF900..=0xFAFF)
}

/// xstrings' `nextWord`: the next word of `s`, its kind, and the rest.
fn next_word(s: &str) -> (Word, &str, &str) {
    let mut it = s.char_indices().peekable();
    let Some((_, r)) = it.next() else {
        return (Word::Invalid, "", "");
    };
    let first_len = r.len_utf8();
    let take_while = |pred: &dyn Fn(char) -> bool| -> usize {
        let mut end = first_len;
        for (i, c) in s[first_len..].char_indices() {
            if !pred(c) {
                break;
            }
            end = first_len + i + c.len_utf8();
        }
        end
    };
    let (kind, end) = if r == char::REPLACEMENT_CHARACTER {
        (Word::Invalid, first_len)
    } else if is_connector(r) {
        (Word::Connector, take_while(&is_connector))
    } else if is_punct(r) {
        (Word::Punct, take_while(&is_punct))
    } else if r.is_uppercase() {
        let rest = &s[first_len..];
        match rest.chars().next() {
            None => (Word::Upper, first_len),
            Some(n) if n.is_uppercase() => {
                // A run of capitals; its last one starts the next word if a lower-case
                // letter follows ("HTTPServer" → "HTTP", "Server").
                let mut end = first_len;
                let mut prev_size = 0;
                let mut next = None;
                for c in rest.chars() {
                    if !c.is_uppercase() {
                        next = Some(c);
                        break;
                    }
                    prev_size = c.len_utf8();
                    end += prev_size;
                }
                if next.is_some_and(is_alphabet) {
                    end -= prev_size;
                }
                (Word::Upper, end)
            }
            Some(n) if is_alphabet(n) => (
                Word::Upper,
                take_while(&|c: char| is_alphabet(c) && !c.is_uppercase()),
            ),
            Some(_) => (Word::Upper, first_len),
        }
    } else if is_alphabet(r) {
        (
            Word::Alpha,
            take_while(&|c: char| is_alphabet(c) && !c.is_uppercase()),
        )
    } else if is_number(r) {
        (Word::Number, take_while(&is_number))
    } else {
        (
            Word::Other,
            take_while(&|c: char| {
                !(is_connector(c) || is_alphabet(c) || is_number(c) || is_punct(c))
            }),
        )
    };
    (kind, &s[..end], &s[end..])
}

fn lower_word(out: &mut String, kind: Word, word: &str, connector: char) {
    if kind != Word::Upper && kind != Word::Connector {
        out.push_str(word);
        return;
    }
    for c in word.chars() {
        if is_connector(c) {
            out.push(connector);
        } else if c.is_uppercase() {
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
}

/// xstrings `ToSnakeCase` / `ToKebabCase` with the given connector.
pub fn delimited_case(s: &str, connector: char) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    if s.is_empty() {
        return out;
    }
    let (mut wt, mut word, mut rest) = next_word(s);
    while !rest.is_empty() {
        if wt != Word::Connector {
            lower_word(&mut out, wt, word, connector);
        }
        let prev = wt;
        let last = word;
        (wt, word, rest) = next_word(rest);
        match prev {
            Word::Number => {
                while wt == Word::Alpha || wt == Word::Number {
                    lower_word(&mut out, wt, word, connector);
                    (wt, word, rest) = next_word(rest);
                }
                if !matches!(wt, Word::Invalid | Word::Punct | Word::Connector) {
                    out.push(connector);
                }
            }
            Word::Connector => lower_word(&mut out, prev, last, connector),
            Word::Punct => {}
            _ => {
                if wt != Word::Number {
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                if rest.is_empty() {
                    continue;
                }
                let last = word;
                (wt, word, rest) = next_word(rest);
                if wt != Word::Alpha {
                    lower_word(&mut out, Word::Number, last, connector);
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                out.push(connector);
                lower_word(&mut out, Word::Number, last, connector);
                while wt == Word::Alpha || wt == Word::Number {
                    lower_word(&mut out, wt, word, connector);
                    (wt, word, rest) = next_word(rest);
                }
                if !matches!(wt, Word::Invalid | Word::Connector | Word::Punct) {
                    out.push(connector);
                }
            }
        }
    }
    lower_word(&mut out, wt, word, connector);
    out
}

/// xstrings `Shuffle`: a random permutation of the characters.
pub fn shuffle(s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    chars.shuffle(&mut rand::rng());
    chars.into_iter().collect()
}

/// The character sets of goutils' `CryptoRandom*` helpers.
#[derive(Clone, Copy, Debug)]
pub enum RandSet {
    /// Letters and digits.
    AlphaNum,
    /// Letters.
    Alpha,
    /// Digits.
    Numeric,
    /// Printable ASCII, space to tilde.
    Ascii,
}

/// goutils `CryptoRandom`: `count` characters drawn uniformly from the set.
pub fn random_string(count: i64, set: RandSet) -> String {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"0123456789";
    let alphabet: Vec<u8> = match set {
        RandSet::AlphaNum => [LETTERS, DIGITS].concat(),
        RandSet::Alpha => LETTERS.to_vec(),
        RandSet::Numeric => DIGITS.to_vec(),
        RandSet::Ascii => (32u8..127).collect(),
    };
    let mut rng = rand::rng();
    (0..count.max(0))
        .map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())]))
        .collect()
}

/// `strings.Split` (an empty separator splits into characters).
pub fn split(s: &str, sep: &str) -> Vec<String> {
    splitn(s, sep, -1)
}

/// `strings.SplitN`.
pub fn splitn(s: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if sep.is_empty() {
        let chars: Vec<String> = s.chars().map(String::from).collect();
        if n > 0 && (n as usize) < chars.len() {
            let mut head: Vec<String> = chars[..n as usize - 1].to_vec();
            let skip: usize = head.iter().map(String::len).sum();
            head.push(s[skip..].to_owned());
            return head;
        }
        return chars;
    }
    if n < 0 {
        s.split(sep).map(str::to_owned).collect()
    } else {
        s.splitn(n as usize, sep).map(str::to_owned).collect()
    }
}

/// Registers the string functions.
pub(crate) fn register(m: &mut crate::FuncMap) {
    use crate::args::{self, Arity::*, string, string_list, string_map};
    use crate::def;
    use crate::go;
    use gotmpl::{FuncError, Value};

    fn s1(m: &mut crate::FuncMap, name: &'static str, f: fn(&str) -> String) {
        def(m, name, Exact(1), move |a| {
            Ok(Value::string(f(string(&a[0])?)))
        });
    }
    def(m, "hello", Exact(0), |_| Ok(Value::string("Hello!")));
    s1(m, "trim", |s| trim_space(s).to_owned());
    s1(m, "upper", go_upper);
    s1(m, "lower", go_lower);
    s1(m, "title", title);
    s1(m, "untitle", untitle);
    s1(m, "nospace", nospace);
    s1(m, "initials", initials);
    s1(m, "swapcase", swapcase);
    s1(m, "shuffle", shuffle);
    s1(m, "snakecase", |s| delimited_case(s, '_'));
    s1(m, "kebabcase", |s| delimited_case(s, '-'));
    s1(m, "camelcase", pascal_case);
    def(m, "abbrev", Exact(2), |a| {
        Ok(Value::string(abbrev(args::int(&a[0])?, string(&a[1])?)))
    });
    def(m, "abbrevboth", Exact(3), |a| {
        Ok(Value::string(abbrevboth(
            args::int(&a[0])?,
            args::int(&a[1])?,
            string(&a[2])?,
        )))
    });
    def(m, "trunc", Exact(2), |a| {
        Ok(Value::string(trunc(args::int(&a[0])?, string(&a[1])?)))
    });
    def(m, "substr", Exact(3), |a| {
        substr(args::int(&a[0])?, args::int(&a[1])?, string(&a[2])?)
            .map(Value::string)
            .map_err(FuncError::new)
    });
    def(m, "repeat", Exact(2), |a| {
        let n = args::int(&a[0])?;
        let s = string(&a[1])?;
        if n < 0 {
            return Err(FuncError::new("strings: negative Repeat count"));
        }
        if (n as u128) * (s.len() as u128) > isize::MAX as u128 {
            return Err(FuncError::new("strings: Repeat output length overflow"));
        }
        Ok(Value::string(s.repeat(n as usize)))
    });
    for name in ["trimall", "trimAll"] {
        def(m, name, Exact(2), |a| {
            Ok(Value::string(trim_cutset(string(&a[1])?, string(&a[0])?)))
        });
    }
    def(m, "trimSuffix", Exact(2), |a| {
        let s = string(&a[1])?;
        Ok(Value::string(s.strip_suffix(string(&a[0])?).unwrap_or(s)))
    });
    def(m, "trimPrefix", Exact(2), |a| {
        let s = string(&a[1])?;
        Ok(Value::string(s.strip_prefix(string(&a[0])?).unwrap_or(s)))
    });
    def(m, "contains", Exact(2), |a| {
        Ok(Value::Bool(string(&a[1])?.contains(string(&a[0])?)))
    });
    def(m, "hasPrefix", Exact(2), |a| {
        Ok(Value::Bool(string(&a[1])?.starts_with(string(&a[0])?)))
    });
    def(m, "hasSuffix", Exact(2), |a| {
        Ok(Value::Bool(string(&a[1])?.ends_with(string(&a[0])?)))
    });
    for (name, set) in [
        ("randAlphaNum", RandSet::AlphaNum),
        ("randAlpha", RandSet::Alpha),
        ("randAscii", RandSet::Ascii),
        ("randNumeric", RandSet::Numeric),
    ] {
        def(m, name, Exact(1), move |a| {
            Ok(Value::string(random_string(args::int(&a[0])?, set)))
        });
    }
    def(m, "wrap", Exact(2), |a| {
        Ok(Value::string(wrap_custom(
            string(&a[1])?,
            args::int(&a[0])?,
            "",
            false,
        )))
    });
    def(m, "wrapWith", Exact(3), |a| {
        Ok(Value::string(wrap_custom(
            string(&a[2])?,
            args::int(&a[0])?,
            string(&a[1])?,
            true,
        )))
    });
    def(m, "quote", AtLeast(0), |a| {
        let parts: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| go::quote(&go::strval(v)))
            .collect();
        Ok(Value::string(parts.join(" ")))
    });
    def(m, "squote", AtLeast(0), |a| {
        let parts: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| format!("'{}'", go::format_v(v)))
            .collect();
        Ok(Value::string(parts.join(" ")))
    });
    def(m, "cat", AtLeast(0), |a| {
        let parts: Vec<String> = a.iter().filter(|v| !v.is_nil()).map(go::format_v).collect();
        Ok(Value::string(parts.join(" ")))
    });
    def(m, "indent", Exact(2), |a| {
        indent(args::int(&a[0])?, string(&a[1])?)
            .map(Value::string)
            .map_err(FuncError::new)
    });
    def(m, "nindent", Exact(2), |a| {
        let text = indent(args::int(&a[0])?, string(&a[1])?).map_err(FuncError::new)?;
        Ok(Value::string(format!("\n{text}")))
    });
    def(m, "replace", Exact(3), |a| {
        let (old, new, src) = (string(&a[0])?, string(&a[1])?, string(&a[2])?);
        Ok(Value::string(go_replace(src, old, new)))
    });
    def(m, "plural", Exact(3), |a| {
        let (one, many) = (string(&a[0])?, string(&a[1])?);
        Ok(Value::string(if args::int(&a[2])? == 1 {
            one
        } else {
            many
        }))
    });
    def(m, "toString", Exact(1), |a| {
        Ok(Value::string(go::strval(&a[0])))
    });
    def(m, "split", Exact(2), |a| {
        let parts = split(string(&a[1])?, string(&a[0])?);
        Ok(string_map(
            parts
                .into_iter()
                .enumerate()
                .map(|(i, p)| (format!("_{i}"), p)),
        ))
    });
    def(m, "splitList", Exact(2), |a| {
        Ok(string_list(split(string(&a[1])?, string(&a[0])?)))
    });
    def(m, "splitn", Exact(3), |a| {
        let parts = splitn(string(&a[2])?, string(&a[0])?, args::int(&a[1])?);
        Ok(string_map(
            parts
                .into_iter()
                .enumerate()
                .map(|(i, p)| (format!("_{i}"), p)),
        ))
    });
    def(m, "toStrings", Exact(1), |a| {
        Ok(string_list(strslice(&a[0])))
    });
    def(m, "join", Exact(2), |a| {
        Ok(Value::string(strslice(&a[1]).join(string(&a[0])?)))
    });
    def(m, "sortAlpha", Exact(1), |a| {
        let mut items = if args::any_list(&a[0]).is_some() {
            strslice(&a[0])
        } else {
            vec![go::strval(&a[0])]
        };
        items.sort();
        Ok(string_list(items))
    });
}

/// `strings.Replace(s, old, new, -1)`: an empty `old` inserts `new` around every character.
pub fn go_replace(s: &str, old: &str, new: &str) -> String {
    if !old.is_empty() {
        return s.replace(old, new);
    }
    let mut out = String::with_capacity(s.len() + new.len() * (s.len() + 1));
    out.push_str(new);
    for c in s.chars() {
        out.push(c);
        out.push_str(new);
    }
    out
}

/// Sprig's `strslice`: a list's items through `strval` with nils dropped; a scalar becomes a
/// one-element list; nil an empty one.
pub fn strslice(v: &gotmpl::Value) -> Vec<String> {
    use gotmpl::Value;
    match crate::args::any_list(v) {
        Some(items) => items
            .iter()
            .filter(|x| !x.is_nil())
            .map(crate::go::strval)
            .collect(),
        None if matches!(v, Value::Nil) => Vec::new(),
        None => vec![crate::go::strval(v)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations() {
        // goutils' tables.
        assert_eq!(abbrev(6, "abcdefg"), "abc...");
        assert_eq!(abbrev(7, "abcdefg"), "abcdefg");
        assert_eq!(abbrev(5, "hello world"), "he...");
        assert_eq!(abbrev(3, "hello world"), "hello world");
        assert_eq!(abbrevboth(5, 10, "1234 5678 9123"), "...5678...");
        assert_eq!(abbreviate_full("abcdefghijklmno", 10, 10), "...ijklmno");
        assert_eq!(abbreviate_full("abcdefghijklmno", 5, 10), "...fghi...");
        assert_eq!(abbreviate_full("abcdefghijklmno", -1, 10), "abcdefg...");
    }

    #[test]
    fn wrapping() {
        assert_eq!(wrap_custom("Hello World", 5, "", false), "Hello\nWorld");
        assert_eq!(
            wrap_custom("Hello World", 5, "<br>", true),
            "Hello<br>World"
        );
        assert_eq!(
            wrap_custom(
                "Click here to jump to the commons website - http://commons.apache.org",
                20,
                "\n",
                false
            ),
            "Click here to jump\nto the commons\nwebsite -\nhttp://commons.apache.org"
        );
        assert_eq!(
            wrap_custom(
                "Click here, http://commons.apache.org, to jump",
                20,
                "\n",
                true
            ),
            "Click here,\nhttp://commons.apach\ne.org, to jump"
        );
    }

    #[test]
    fn cases() {
        assert_eq!(delimited_case("HTTPServer", '_'), "http_server");
        assert_eq!(delimited_case("NoHTTPS", '_'), "no_https");
        assert_eq!(delimited_case("http2xx", '_'), "http_2xx");
        assert_eq!(delimited_case("HTTP20xOK", '_'), "http_20x_ok");
        assert_eq!(delimited_case("Duration2m3s", '_'), "duration_2m3s");
        assert_eq!(delimited_case("Bld4Floor3rd", '_'), "bld4_floor_3rd");
        assert_eq!(delimited_case("FirstName", '-'), "first-name");
        assert_eq!(delimited_case("a b  c", '_'), "a_b__c");
        assert_eq!(delimited_case("some_words", '-'), "some-words");
        assert_eq!(pascal_case("GOLANG_IS_GREAT"), "GolangIsGreat");
        assert_eq!(pascal_case("HTTPServer"), "Httpserver");
        assert_eq!(pascal_case("ABcDE"), "AbcDE");
        assert_eq!(pascal_case("a__b"), "A_B");
        assert_eq!(pascal_case("  x"), "  X");
        assert_eq!(pascal_case("élan_été"), "ÉlanÉté");
        assert_eq!(swapcase("This Is A.Test"), "tHIS iS a.tEST");
        assert_eq!(title("hello wOrld-x_y"), "Hello WOrld-X_y");
        assert_eq!(untitle("Hello World"), "hello world");
    }

    #[test]
    fn byte_helpers() {
        assert_eq!(initials("John Doe"), "JD");
        assert_eq!(nospace("a b\tc\n"), "abc");
        assert_eq!(trunc(5, "hello world"), "hello");
        assert_eq!(trunc(-5, "hello world"), "world");
        assert_eq!(trunc(-20, "hello"), "hello");
        assert_eq!(substr(0, 5, "hello world").unwrap(), "hello");
        assert_eq!(substr(-1, 2, "hello").unwrap(), "he");
        assert_eq!(substr(3, -1, "hello").unwrap(), "lo");
        assert!(substr(4, 2, "hello").is_err());
        assert_eq!(indent(2, "a\nb").unwrap(), "  a\n  b");
        assert!(indent(-1, "a").is_err());
    }

    #[test]
    fn splitting() {
        assert_eq!(splitn("a$b$c", "$", 2), vec!["a", "b$c"]);
        assert_eq!(split("abc", ""), vec!["a", "b", "c"]);
        assert_eq!(split("", ","), vec![""]);
    }

    #[test]
    fn randoms() {
        let s = random_string(20, RandSet::Numeric);
        assert_eq!(s.len(), 20);
        assert!(s.bytes().all(|b| b.is_ascii_digit()));
        let s = shuffle("aabbcc");
        let mut v: Vec<char> = s.chars().collect();
        v.sort_unstable();
        assert_eq!(v.into_iter().collect::<String>(), "aabbcc");
    }
}
