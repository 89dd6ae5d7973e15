//! `.helmignore` rules (Helm v2's `pkg/ignore`), with Go's `filepath.Match` glob syntax.
//!
//! One rule a line; blank lines and `#` comments are skipped. A rule without `/` matches the
//! base name at any depth, one with `/` the whole relative path, a trailing `/` only
//! directories, and `!` negates — with Helm's quirk that a negated rule *ignores* every path it
//! does not match. `**` is rejected, as Helm does.

use thiserror::Error;

/// The name of the ignore file at the top of a chart directory.
pub const HELMIGNORE: &str = ".helmignore";

/// A `.helmignore` parse error.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum IgnoreError {
    /// The rule uses `**`.
    #[error("line {line}: rule {rule:?}: double-star (**) syntax is not supported")]
    DoubleStar {
        /// 1-based line number.
        line: usize,
        /// The rule text.
        rule: String,
    },
    /// The rule is not a valid glob.
    #[error("line {line}: rule {rule:?}: syntax error in pattern")]
    BadPattern {
        /// 1-based line number.
        line: usize,
        /// The rule text.
        rule: String,
    },
}

/// A glob `Match` found the pattern malformed (Go's `filepath.ErrBadPattern`).
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
#[error("syntax error in pattern")]
pub struct BadPattern;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Matched against the base name.
    Base,
    /// Matched against the whole relative path.
    Path,
}

#[derive(Debug, Clone)]
struct Pattern {
    glob: String,
    scope: Scope,
    negate: bool,
    must_dir: bool,
}

impl Pattern {
    fn matches(&self, path: &str) -> bool {
        let subject = match self.scope {
            Scope::Path => path,
            Scope::Base => base_name(path),
        };
        glob_match(&self.glob, subject).unwrap_or(false)
    }
}

/// Go's `filepath.Base` for `/`-separated paths: trailing slashes dropped, last element.
fn base_name(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return if path.is_empty() { "." } else { "/" };
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

/// A parsed `.helmignore`.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    patterns: Vec<Pattern>,
}

impl Rules {
    /// No rules.
    pub fn empty() -> Self {
        Rules::default()
    }

    /// Parses the text of a `.helmignore`.
    pub fn parse(text: &str) -> Result<Self, IgnoreError> {
        let mut rules = Rules::empty();
        for (i, line) in text.split('\n').enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            rules.add_rule(line, i + 1)?;
        }
        Ok(rules)
    }

    /// Appends Helm's default rule, `templates/.?*` (dotfiles directly under `templates/`).
    pub fn add_defaults(&mut self) {
        // The default rule is known to be valid.
        let _ = self.add_rule("templates/.?*", 0);
    }

    /// The number of rules.
    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    fn add_rule(&mut self, rule: &str, line: usize) -> Result<(), IgnoreError> {
        let rule = rule.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err(IgnoreError::DoubleStar {
                line,
                rule: rule.to_owned(),
            });
        }
        // Helm validates by matching the whole rule (before stripping `!` or `/`) against "abc".
        if glob_match(rule, "abc").is_err() {
            return Err(IgnoreError::BadPattern {
                line,
                rule: rule.to_owned(),
            });
        }
        let mut glob = rule;
        let negate = glob.starts_with('!');
        if negate {
            glob = &glob[1..];
        }
        let must_dir = glob.ends_with('/');
        if must_dir {
            glob = &glob[..glob.len() - 1];
        }
        let scope = if let Some(rest) = glob.strip_prefix('/') {
            glob = rest;
            Scope::Path
        } else if glob.contains('/') {
            Scope::Path
        } else {
            Scope::Base
        };
        self.patterns.push(Pattern {
            glob: glob.to_owned(),
            scope,
            negate,
            must_dir,
        });
        Ok(())
    }

    /// Whether a path (relative to the chart root, `/`-separated) is ignored.
    pub fn ignore(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        for p in &self.patterns {
            if p.negate {
                if p.must_dir && !is_dir {
                    return true;
                }
                if !p.matches(path) {
                    return true;
                }
                continue;
            }
            if p.must_dir && !is_dir {
                continue;
            }
            if p.matches(path) {
                return true;
            }
        }
        false
    }
}

/// Go's `filepath.Match` with `/` as the separator: `*` (not crossing `/`), `?`, `[...]` classes
/// with ranges and `^` negation, and `\` escapes. Like Go, a malformed pattern is only reported
/// when matching reaches the malformed part.
pub fn glob_match(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    let mut pattern = pattern.as_bytes();
    let mut name = name.as_bytes();
    'chunks: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            // A trailing star matches the rest unless it holds a separator.
            return Ok(!name.contains(&b'/'));
        }
        let attempt = match_chunk(chunk, name);
        if let Ok(Some(t)) = attempt
            && (t.is_empty() || !pattern.is_empty())
        {
            name = t;
            continue;
        }
        attempt?;
        if star {
            let mut i = 0;
            while i < name.len() && name[i] != b'/' {
                match match_chunk(chunk, &name[i + 1..])? {
                    Some(t) if pattern.is_empty() && !t.is_empty() => {}
                    Some(t) => {
                        name = t;
                        continue 'chunks;
                    }
                    None => {}
                }
                i += 1;
            }
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

/// Splits off the leading stars and the text up to the next unbracketed star.
fn scan_chunk(mut pattern: &[u8]) -> (bool, &[u8], &[u8]) {
    let mut star = false;
    while let [b'*', rest @ ..] = pattern {
        pattern = rest;
        star = true;
    }
    let mut in_range = false;
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            b'\\' if i + 1 < pattern.len() => i += 1,
            b'[' => in_range = true,
            b']' => in_range = false,
            b'*' if !in_range => break,
            _ => {}
        }
        i += 1;
    }
    (star, &pattern[..i], &pattern[i..])
}

/// Decodes one UTF-8 character at the start of `s`; invalid bytes count as one "error" char.
fn decode_char(s: &[u8]) -> (Option<char>, usize) {
    let len = match s.first() {
        None => return (None, 0),
        Some(b) if *b < 0x80 => 1,
        Some(b) if *b >= 0xf0 => 4,
        Some(b) if *b >= 0xe0 => 3,
        Some(_) => 2,
    };
    match s.get(..len).and_then(|b| std::str::from_utf8(b).ok()) {
        Some(text) => (text.chars().next(), len),
        None => (None, 1),
    }
}

/// Matches one chunk at the start of `s`; `Some(rest)` on success.
fn match_chunk<'a>(mut chunk: &[u8], mut s: &'a [u8]) -> Result<Option<&'a [u8]>, BadPattern> {
    while !chunk.is_empty() {
        if s.is_empty() {
            return Ok(None);
        }
        match chunk[0] {
            b'[' => {
                let (r, n) = decode_char(s);
                let r = r.unwrap_or('\u{fffd}');
                s = &s[n..];
                chunk = &chunk[1..];
                if chunk.is_empty() {
                    return Err(BadPattern);
                }
                let negated = chunk[0] == b'^';
                if negated {
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut nrange = 0;
                loop {
                    if !chunk.is_empty() && chunk[0] == b']' && nrange > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, rest) = get_escaped(chunk)?;
                    chunk = rest;
                    let mut hi = lo;
                    if chunk[0] == b'-' {
                        let (h, rest) = get_escaped(&chunk[1..])?;
                        hi = h;
                        chunk = rest;
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    nrange += 1;
                }
                if matched == negated {
                    return Ok(None);
                }
            }
            b'?' => {
                if s[0] == b'/' {
                    return Ok(None);
                }
                let (_, n) = decode_char(s);
                s = &s[n..];
                chunk = &chunk[1..];
            }
            b'\\' => {
                chunk = &chunk[1..];
                if chunk.is_empty() {
                    return Err(BadPattern);
                }
                if chunk[0] != s[0] {
                    return Ok(None);
                }
                s = &s[1..];
                chunk = &chunk[1..];
            }
            c => {
                if c != s[0] {
                    return Ok(None);
                }
                s = &s[1..];
                chunk = &chunk[1..];
            }
        }
    }
    Ok(Some(s))
}

/// One possibly escaped character of a class; the rest of the chunk must not be empty.
fn get_escaped(mut chunk: &[u8]) -> Result<(char, &[u8]), BadPattern> {
    if chunk.is_empty() || chunk[0] == b'-' || chunk[0] == b']' {
        return Err(BadPattern);
    }
    if chunk[0] == b'\\' {
        chunk = &chunk[1..];
        if chunk.is_empty() {
            return Err(BadPattern);
        }
    }
    let (r, n) = decode_char(chunk);
    let r = r.ok_or(BadPattern)?;
    let rest = &chunk[n..];
    if rest.is_empty() {
        return Err(BadPattern);
    }
    Ok((r, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_skips_comments_and_blanks() {
        let r = Rules::parse("#ignore\n\nfoo\nbar/*\nbaz/bar/foo.txt\n\none/more\n").unwrap();
        assert_eq!(r.len(), 4);
        let raws: Vec<&str> = r.patterns.iter().map(|p| p.glob.as_str()).collect();
        assert_eq!(raws, ["foo", "bar/*", "baz/bar/foo.txt", "one/more"]);
    }

    #[test]
    fn parse_failures() {
        assert_eq!(
            Rules::parse("ok\nfoo/**/bar").unwrap_err().to_string(),
            "line 2: rule \"foo/**/bar\": double-star (**) syntax is not supported"
        );
        assert_eq!(
            Rules::parse("[z-").unwrap_err().to_string(),
            "line 1: rule \"[z-\": syntax error in pattern"
        );
    }

    #[test]
    fn ignore_table() {
        // (pattern, path, is_dir, ignored)
        let cases = [
            ("helm.txt", "helm.txt", false, true),
            ("helm.*", "helm.txt", false, true),
            ("helm.*", "rudder.txt", false, false),
            ("*.txt", "tiller.txt", false, true),
            ("*.txt", "cargo/a.txt", false, true),
            ("cargo/*.txt", "cargo/a.txt", false, true),
            ("cargo/*.*", "cargo/a.txt", false, true),
            ("cargo/*.txt", "mast/a.txt", false, false),
            ("ru[c-e]?er.txt", "rudder.txt", false, true),
            ("templates/.?*", "templates/.dotfile", false, true),
            (".*", ".", true, false),
            (".*", "./", true, false),
            (".*", ".joonix", false, true),
            (".*", "helm.txt", false, false),
            (".*", "", false, false),
            ("cargo/", "cargo", true, true),
            ("cargo/", "cargo/", true, true),
            ("cargo/", "mast/", true, false),
            ("helm.txt/", "helm.txt", false, false),
            ("!helm.txt", "helm.txt", false, false),
            ("!helm.txt", "tiller.txt", false, true),
            ("!*.txt", "cargo", true, true),
            ("!cargo/", "mast/", true, true),
            ("/a.txt", "a.txt", false, true),
            ("/a.txt", "cargo/a.txt", false, false),
            ("/cargo/a.txt", "cargo/a.txt", false, true),
            ("a\\*b", "a*b", false, true),
            ("[^a]bc", "xbc", false, true),
            ("[^a]bc", "abc", false, false),
        ];
        for (pattern, path, is_dir, want) in cases {
            let r = Rules::parse(pattern).unwrap();
            assert_eq!(r.ignore(path, is_dir), want, "{pattern} {path}");
        }
    }

    #[test]
    fn default_rule_only_hides_direct_dotfiles() {
        let mut r = Rules::empty();
        r.add_defaults();
        assert!(r.ignore("templates/.git", true));
        assert!(!r.ignore("templates/sub/.x", false));
        assert!(!r.ignore("templates/a.yaml", false));
    }

    #[test]
    fn go_match_semantics() {
        assert_eq!(glob_match("*", "a/b"), Ok(false));
        assert_eq!(glob_match("a*", "abc"), Ok(true));
        assert_eq!(glob_match("a*c", "abbbc"), Ok(true));
        assert_eq!(glob_match("a?c", "a/c"), Ok(false));
        assert_eq!(glob_match("[a-c]*", "b"), Ok(true));
        assert_eq!(glob_match("[", "a"), Err(BadPattern));
        assert_eq!(glob_match("a\\", "a"), Ok(false));
        // Go only notices a bad pattern when matching reaches it.
        assert_eq!(glob_match("x[", "abc"), Ok(false));
        assert_eq!(glob_match("*.yaml", "values.yaml"), Ok(true));
        assert_eq!(glob_match("é?", "éa"), Ok(true));
    }
}
