//! Regular expressions with Go's `regexp` semantics on top of the `regex` crate.
//!
//! Both implement RE2 syntax with leftmost-first matching. Differences handled here: Go's
//! `\d \w \s \b \B` are ASCII-only (Rust's are Unicode), Go supports `\Q…\E`, and Go's rules
//! for empty matches in `FindAll`, `ReplaceAll` and `Split`, and its `$name` expansion, are
//! reproduced by hand instead of relying on the crate's iterators.

use gotmpl::{FuncError, Value};
use regex::Regex;

use crate::args::{self, Arity::*, string_list};
use crate::def;

/// Rewrites Go regexp syntax into the `regex` crate's equivalent, or returns Go's error for
/// syntax RE2 rejects but the crate would take (backreferences, repeat counts over 1000).
fn translate(pattern: &str) -> Result<String, String> {
    let err = |code: &str, arg: &str| format!("error parsing regexp: {code}: `{arg}`");
    let mut out = String::with_capacity(pattern.len() + 16);
    let chars: Vec<char> = pattern.chars().collect();
    let mut names: Vec<String> = Vec::new();
    let mut in_class = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '\\' => {
                let Some(&n) = chars.get(i) else {
                    return Err(err("trailing backslash at end of expression", ""));
                };
                i += 1;
                let ascii = match (n, in_class) {
                    ('d', false) => Some("[0-9]"),
                    ('D', false) => Some("[^0-9]"),
                    ('w', false) => Some("[0-9A-Za-z_]"),
                    ('W', false) => Some("[^0-9A-Za-z_]"),
                    ('s', false) => Some("[\\t\\n\\f\\r ]"),
                    ('S', false) => Some("[^\\t\\n\\f\\r ]"),
                    ('b', false) => Some("(?-u:\\b)"),
                    ('B', false) => Some("(?-u:\\B)"),
                    ('d', true) => Some("0-9"),
                    ('D', true) => Some("[^0-9]"),
                    ('w', true) => Some("0-9A-Za-z_"),
                    ('W', true) => Some("[^0-9A-Za-z_]"),
                    ('s', true) => Some("\\t\\n\\f\\r "),
                    ('S', true) => Some("[^\\t\\n\\f\\r ]"),
                    _ => None,
                };
                if let Some(rep) = ascii {
                    out.push_str(rep);
                } else if n == 'Q' && !in_class {
                    // \Q…\E: everything up to \E (or the end) is literal.
                    let mut lit = String::new();
                    while i < chars.len() {
                        if chars[i] == '\\' && chars.get(i + 1) == Some(&'E') {
                            i += 2;
                            break;
                        }
                        lit.push(chars[i]);
                        i += 1;
                    }
                    out.push_str(&regex::escape(&lit));
                } else if ('1'..='7').contains(&n)
                    && !chars.get(i).is_some_and(|d| ('0'..='7').contains(d))
                {
                    // A single non-zero digit would be a backreference, which RE2 lacks.
                    return Err(err("invalid escape sequence", &format!("\\{n}")));
                } else {
                    out.push('\\');
                    out.push(n);
                    // `\p{Greek}`, `\x{41}`: the braces belong to the escape.
                    if matches!(n, 'p' | 'P' | 'x') && chars.get(i) == Some(&'{') {
                        while i < chars.len() {
                            out.push(chars[i]);
                            i += 1;
                            if chars[i - 1] == '}' {
                                break;
                            }
                        }
                    }
                }
            }
            '-' if in_class
                && chars.get(i) == Some(&'-')
                && i >= 2
                && !matches!(chars[i - 2], '[' | '^') =>
            {
                // `X--` is a range ending at '-' in Go (the crate would read a set difference).
                let lo = chars[i - 2];
                if lo > '-' {
                    return Err(err("invalid character class range", &format!("{lo}--")));
                }
                out.push_str("-\\-");
                i += 1;
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                if chars.get(i) == Some(&'^') {
                    i += 1;
                    out.push('^');
                }
                // A ']' right after the opening bracket is a literal.
                if chars.get(i) == Some(&']') {
                    i += 1;
                    out.push_str("\\]");
                }
            }
            '[' if in_class => {
                // Go only knows `[:alpha:]` forms inside a class; a lone '[' is literal.
                if chars.get(i) == Some(&':') {
                    out.push('[');
                    while i < chars.len() {
                        out.push(chars[i]);
                        i += 1;
                        if chars[i - 1] == ']' {
                            break;
                        }
                    }
                } else {
                    out.push_str("\\[");
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            // Characters that Rust treats as class set operators but Go takes literally.
            '&' | '~' if in_class && chars.get(i) == Some(&c) => {
                out.push('\\');
                out.push(c);
            }
            '{' if !in_class => {
                // RE2 reads `{` as a literal unless a well-formed repeat follows.
                let rest: String = chars[i..].iter().collect();
                match repeat_len(&rest) {
                    Some((len, max)) => {
                        if max > 1000 {
                            return Err(err(
                                "invalid repeat count",
                                &format!("{{{}", &rest[..len]),
                            ));
                        }
                        out.push('{');
                        out.push_str(&rest[..len]);
                        i += rest[..len].chars().count();
                    }
                    None => out.push_str("\\{"),
                }
            }
            '(' if !in_class && chars.get(i) == Some(&'?') => {
                // Named groups: Go allows a name twice; the crate does not, so later copies
                // get a private suffix (lookups by name find the first, as in Go).
                let rest: String = chars[i..].iter().collect();
                let open = if rest.starts_with("?P<") {
                    Some(3)
                } else if rest.starts_with("?<") {
                    Some(2)
                } else {
                    None
                };
                match open.and_then(|o| rest[o..].find('>').map(|e| (o, e))) {
                    Some((o, e)) => {
                        let name = &rest[o..o + e];
                        let unique = if names.iter().any(|n| n == name) {
                            format!("{name}__sprig_dup{}", names.len())
                        } else {
                            name.to_owned()
                        };
                        names.push(name.to_owned());
                        out.push_str(&format!("(?P<{unique}>"));
                        i += rest[..o + e + 1].chars().count();
                    }
                    None => out.push('('),
                }
            }
            _ => out.push(c),
        }
    }
    Ok(out)
}

/// The length of a well-formed repeat body after `{` (`3}`, `3,}`, `3,5}`) and its largest count.
fn repeat_len(rest: &str) -> Option<(usize, u64)> {
    let b = rest.as_bytes();
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let n1 = digits(0);
    if n1 == 0 {
        return None;
    }
    let min: u64 = rest[..n1].parse().unwrap_or(u64::MAX);
    match b.get(n1) {
        Some(b'}') => Some((n1 + 1, min)),
        Some(b',') => {
            let n2 = digits(n1 + 1);
            if b.get(n1 + 1 + n2) != Some(&b'}') {
                return None;
            }
            let max = if n2 == 0 {
                min
            } else {
                rest[n1 + 1..n1 + 1 + n2].parse().unwrap_or(u64::MAX)
            };
            Some((n1 + n2 + 2, max.max(min)))
        }
        _ => None,
    }
}

/// `regexp.Compile`, with Go's error wording around the crate's explanation.
pub fn compile(pattern: &str) -> Result<Regex, FuncError> {
    let translated = translate(pattern).map_err(FuncError::new)?;
    regex::RegexBuilder::new(&translated)
        .octal(true)
        .build()
        .map_err(|e| {
            let detail = match &e {
                regex::Error::Syntax(s) => s.lines().last().unwrap_or("").trim().to_owned(),
                other => other.to_string(),
            };
            FuncError::new(format!("error parsing regexp: {detail}: `{pattern}`"))
        })
}

/// Go's `regexp.MustCompile` panic text (the pattern back-quoted when it can be).
fn must_compile(pattern: &str) -> Result<Regex, FuncError> {
    compile(pattern).map_err(|e| {
        let can_backquote =
            !pattern.contains('`') && pattern.chars().all(|c| c == '\t' || !c.is_control());
        let quoted = if can_backquote {
            format!("`{pattern}`")
        } else {
            crate::go::quote(pattern)
        };
        FuncError::new(format!("regexp: Compile({quoted}): {}", e.message))
    })
}

fn next_char_len(s: &str, pos: usize) -> usize {
    s[pos..].chars().next().map_or(1, char::len_utf8)
}

/// Go's `FindAllStringIndex(s, n)` (n < 0: all).
pub fn find_all(re: &Regex, s: &str, n: i64) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if n == 0 {
        return out;
    }
    let mut pos = 0;
    let mut prev_end: Option<usize> = None;
    while pos <= s.len() && (n < 0 || (out.len() as i64) < n) {
        let Some(m) = re.find_at(s, pos) else { break };
        let mut accept = true;
        if m.end() == m.start() {
            if Some(m.start()) == prev_end {
                accept = false;
            }
            pos = if m.end() >= s.len() {
                s.len() + 1
            } else {
                m.end() + next_char_len(s, m.end())
            };
        } else {
            pos = m.end();
        }
        prev_end = Some(m.end());
        if accept {
            out.push((m.start(), m.end()));
        }
    }
    out
}

/// Go's `Regexp.Expand` of `$1`, `${name}`, `$$` in a replacement template.
fn expand(out: &mut String, template: &str, caps: &regex::Captures<'_>, re: &Regex) {
    let mut rest = template;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        if let Some(r) = rest.strip_prefix('$') {
            out.push('$');
            rest = r;
            continue;
        }
        let (name, after) = if let Some(r) = rest.strip_prefix('{') {
            match r.find('}') {
                Some(end)
                    if end > 0 && r[..end].chars().all(|c| c.is_alphanumeric() || c == '_') =>
                {
                    (&r[..end], &r[end + 1..])
                }
                _ => ("", rest),
            }
        } else {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            (&rest[..end], &rest[end..])
        };
        if name.is_empty() {
            // Not a valid reference: Go writes the '$' and carries on.
            out.push('$');
            continue;
        }
        rest = after;
        let group = match name.parse::<usize>() {
            Ok(idx) => caps.get(idx),
            Err(_) => {
                if re.capture_names().flatten().any(|n| n == name) {
                    caps.name(name)
                } else {
                    None
                }
            }
        };
        if let Some(g) = group {
            out.push_str(g.as_str());
        }
    }
    out.push_str(rest);
}

/// Go's `ReplaceAllString` (`literal`: `ReplaceAllLiteralString`).
pub fn replace_all(re: &Regex, src: &str, repl: &str, literal: bool) -> String {
    let mut out = String::with_capacity(src.len());
    let mut last_end = 0;
    let mut search = 0;
    while search <= src.len() {
        let Some(caps) = re.captures_at(src, search) else {
            break;
        };
        let Some(m) = caps.get(0) else { break };
        out.push_str(&src[last_end..m.start()]);
        if m.end() > last_end || m.start() == 0 {
            if literal {
                out.push_str(repl);
            } else {
                expand(&mut out, repl, &caps, re);
            }
        }
        last_end = m.end();
        let width = if search < src.len() {
            next_char_len(src, search)
        } else {
            1
        };
        if search + width > m.end() {
            search += width;
        } else if search + 1 > m.end() {
            search += 1;
        } else {
            search = m.end();
        }
    }
    if last_end <= src.len() {
        out.push_str(&src[last_end..]);
    }
    out
}

/// Go's `Regexp.Split(s, n)`.
pub fn split(re: &Regex, pattern: &str, s: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if !pattern.is_empty() && s.is_empty() {
        return vec![String::new()];
    }
    let mut out = Vec::new();
    let (mut beg, mut end) = (0, 0);
    for (ms, me) in find_all(re, s, n) {
        if n > 0 && out.len() as i64 == n - 1 {
            break;
        }
        end = ms;
        if me != 0 {
            out.push(s[beg..end].to_owned());
        }
        beg = me;
    }
    if end != s.len() {
        out.push(s[beg..].to_owned());
    }
    out
}

/// Go's `regexp.QuoteMeta`.
pub fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Registers the regex functions.
pub(crate) fn register(m: &mut crate::FuncMap) {
    use args::string;
    def(m, "regexMatch", Exact(2), |a| {
        let s = string(&a[1])?;
        Ok(Value::Bool(
            compile(string(&a[0])?).is_ok_and(|re| re.is_match(s)),
        ))
    });
    def(m, "mustRegexMatch", Exact(2), |a| {
        let s = string(&a[1])?;
        Ok(Value::Bool(compile(string(&a[0])?)?.is_match(s)))
    });
    for (name, must) in [("regexFindAll", false), ("mustRegexFindAll", true)] {
        def(m, name, Exact(3), move |a| {
            let (p, s, n) = (string(&a[0])?, string(&a[1])?, args::int(&a[2])?);
            let re = if must { compile(p)? } else { must_compile(p)? };
            Ok(string_list(
                find_all(&re, s, n)
                    .into_iter()
                    .map(|(x, y)| s[x..y].to_owned())
                    .collect(),
            ))
        });
    }
    for (name, must) in [("regexFind", false), ("mustRegexFind", true)] {
        def(m, name, Exact(2), move |a| {
            let (p, s) = (string(&a[0])?, string(&a[1])?);
            let re = if must { compile(p)? } else { must_compile(p)? };
            Ok(Value::string(re.find(s).map_or("", |m| m.as_str())))
        });
    }
    for (name, must, literal) in [
        ("regexReplaceAll", false, false),
        ("mustRegexReplaceAll", true, false),
        ("regexReplaceAllLiteral", false, true),
        ("mustRegexReplaceAllLiteral", true, true),
    ] {
        def(m, name, Exact(3), move |a| {
            let (p, s, r) = (string(&a[0])?, string(&a[1])?, string(&a[2])?);
            let re = if must { compile(p)? } else { must_compile(p)? };
            Ok(Value::string(replace_all(&re, s, r, literal)))
        });
    }
    for (name, must) in [("regexSplit", false), ("mustRegexSplit", true)] {
        def(m, name, Exact(3), move |a| {
            let (p, s, n) = (string(&a[0])?, string(&a[1])?, args::int(&a[2])?);
            let re = if must { compile(p)? } else { must_compile(p)? };
            Ok(string_list(split(&re, p, s, n)))
        });
    }
    def(m, "regexQuoteMeta", Exact(1), |a| {
        Ok(Value::string(quote_meta(string(&a[0])?)))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn re(p: &str) -> Regex {
        compile(p).unwrap()
    }

    #[test]
    fn ascii_classes() {
        assert!(!re(r"^\d$").is_match("٣"));
        assert!(re(r"^\d+$").is_match("123"));
        assert!(re(r"^[\w.]+$").is_match("a_b.c"));
        assert!(!re(r"^\w$").is_match("é"));
        assert!(re(r"\Qa.b\E").is_match("xa.by"));
        assert!(!re(r"\Qa.b\E").is_match("axb"));
        assert!(re("a{,3}").is_match("a{,3}"));
        assert!(compile(r"(a)\1").is_err());
        assert!(re(r"\101").is_match("A"));
        assert!(compile("a{1001}").is_err());
        assert!(re("a{2,1000}").is_match("aa"));
        assert!(re("(?P<n>a)(?P<n>b)").is_match("ab"));
    }

    #[test]
    fn find_all_like_go() {
        let r = re("a*");
        let got: Vec<_> = find_all(&r, "baaab", -1);
        assert_eq!(got, vec![(0, 0), (1, 4), (5, 5)]);
        assert_eq!(
            find_all(&re("[0-9]+"), "a1b22c333", 2),
            vec![(1, 2), (3, 5)]
        );
    }

    #[test]
    fn replace_like_go() {
        assert_eq!(
            replace_all(&re("a(x*)b"), "-ab-axxb-", "${1}W", false),
            "-W-xxW-"
        );
        assert_eq!(replace_all(&re("a(x*)b"), "-ab-axxb-", "$1W", false), "---");
        assert_eq!(
            replace_all(&re("a(x*)b"), "-ab-axxb-", "$1W", true),
            "-$1W-$1W-"
        );
        assert_eq!(replace_all(&re("a*"), "baaab", "X", false), "XbXbX");
        assert_eq!(
            replace_all(&re("(?P<w>o)"), "foo", "[$w]", false),
            "f[o][o]"
        );
        assert_eq!(replace_all(&re("o"), "foo", "$$", false), "f$$");
    }

    #[test]
    fn split_like_go() {
        assert_eq!(split(&re("z+"), "z+", "pizza", -1), vec!["pi", "a"]);
        assert_eq!(split(&re("z+"), "z+", "pizza", 1), vec!["pizza"]);
        assert_eq!(split(&re(""), "", "abc", -1), vec!["a", "b", "c"]);
        assert_eq!(split(&re("a"), "a", "", -1), vec![""]);
    }

    #[test]
    fn quoting() {
        assert_eq!(quote_meta("1.2.3+[x]"), r"1\.2\.3\+\[x\]");
    }
}
