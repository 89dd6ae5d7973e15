//! The glob syntax of `.Files.Glob` (gobwas/glob compiled with `/` as the separator).
//!
//! `*` matches within one path element, `**` across elements, `?` one non-separator character,
//! `[abc]`/`[a-z]` a class and `[!abc]` its complement, `{a,b}` alternatives (which may hold
//! patterns), `\` escapes the next character.

/// A compiled pattern.
#[derive(Debug, Clone)]
pub struct Glob {
    regex: regex::Regex,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(char),
    /// `*` (false) or `**` (true).
    Star(bool),
    Any,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
    Alternatives(Vec<Vec<Token>>),
}

/// A pattern that does not compile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid glob pattern {pattern:?}: {reason}")]
pub struct GlobError {
    /// The pattern.
    pub pattern: String,
    /// What is wrong.
    pub reason: &'static str,
}

impl Glob {
    /// Compiles a pattern.
    pub fn new(pattern: &str) -> Result<Glob, GlobError> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut pos = 0;
        let fail = |reason| GlobError {
            pattern: pattern.to_owned(),
            reason,
        };
        let tokens = parse_seq(&chars, &mut pos, false).map_err(fail)?;
        if pos != chars.len() {
            return Err(fail("unexpected '}' or ','"));
        }
        // A regular expression matches in linear time, where backtracking over stars and
        // alternatives could take exponential time on hostile patterns.
        let mut re = String::from("^(?s:");
        to_regex(&tokens, &mut re);
        re.push_str(")$");
        let regex = regex::Regex::new(&re).map_err(|_| fail("pattern too complex"))?;
        Ok(Glob { regex })
    }

    /// Whether the whole path matches.
    pub fn matches(&self, path: &str) -> bool {
        self.regex.is_match(path)
    }
}

fn to_regex(tokens: &[Token], out: &mut String) {
    for t in tokens {
        match t {
            Token::Literal(c) => out.push_str(&regex::escape(&c.to_string())),
            Token::Star(true) => out.push_str(".*"),
            Token::Star(false) => out.push_str("[^/]*"),
            Token::Any => out.push_str("[^/]"),
            Token::Class { negated, ranges } => {
                out.push('[');
                if *negated {
                    out.push('^');
                }
                for (lo, hi) in ranges {
                    out.push_str(&class_char(*lo));
                    if lo != hi {
                        out.push('-');
                        out.push_str(&class_char(*hi));
                    }
                }
                out.push(']');
            }
            Token::Alternatives(alts) => {
                out.push_str("(?:");
                for (i, alt) in alts.iter().enumerate() {
                    if i > 0 {
                        out.push('|');
                    }
                    to_regex(alt, out);
                }
                out.push(')');
            }
        }
    }
}

/// A character inside a regex class, written as a `\x{..}` escape so no class syntax leaks in.
fn class_char(c: char) -> String {
    format!("\\x{{{:x}}}", c as u32)
}

fn parse_seq(chars: &[char], pos: &mut usize, in_alt: bool) -> Result<Vec<Token>, &'static str> {
    let mut out = Vec::new();
    while *pos < chars.len() {
        let c = chars[*pos];
        match c {
            '}' | ',' if in_alt => return Ok(out),
            '*' => {
                *pos += 1;
                let double = chars.get(*pos) == Some(&'*');
                if double {
                    *pos += 1;
                }
                out.push(Token::Star(double));
            }
            '?' => {
                *pos += 1;
                out.push(Token::Any);
            }
            '\\' => {
                *pos += 1;
                let Some(&next) = chars.get(*pos) else {
                    return Err("dangling escape");
                };
                *pos += 1;
                out.push(Token::Literal(next));
            }
            '[' => {
                *pos += 1;
                out.push(parse_class(chars, pos)?);
            }
            '{' => {
                *pos += 1;
                let mut alts = Vec::new();
                loop {
                    alts.push(parse_seq(chars, pos, true)?);
                    match chars.get(*pos) {
                        Some(',') => *pos += 1,
                        Some('}') => {
                            *pos += 1;
                            break;
                        }
                        _ => return Err("unclosed '{'"),
                    }
                }
                out.push(Token::Alternatives(alts));
            }
            _ => {
                *pos += 1;
                out.push(Token::Literal(c));
            }
        }
    }
    Ok(out)
}

fn parse_class(chars: &[char], pos: &mut usize) -> Result<Token, &'static str> {
    let negated = chars.get(*pos) == Some(&'!');
    if negated {
        *pos += 1;
    }
    let mut ranges = Vec::new();
    loop {
        let Some(&c) = chars.get(*pos) else {
            return Err("unclosed '['");
        };
        *pos += 1;
        if c == ']' {
            if ranges.is_empty() {
                return Err("empty character class");
            }
            return Ok(Token::Class { negated, ranges });
        }
        let lo = if c == '\\' {
            let Some(&e) = chars.get(*pos) else {
                return Err("dangling escape");
            };
            *pos += 1;
            e
        } else {
            c
        };
        if chars.get(*pos) == Some(&'-') && chars.get(*pos + 1).is_some_and(|n| *n != ']') {
            let hi = chars[*pos + 1];
            *pos += 2;
            if hi < lo {
                return Err("inverted character range");
            }
            ranges.push((lo, hi));
        } else {
            ranges.push((lo, lo));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_table() {
        let cases = [
            ("*.yaml", "a.yaml", true),
            ("*.yaml", "dir/a.yaml", false),
            ("**.yaml", "dir/a.yaml", true),
            ("files/**", "files/a/b/c.txt", true),
            ("files/*", "files/a/b.txt", false),
            ("files/?.txt", "files/a.txt", true),
            ("files/?.txt", "files/ab.txt", false),
            ("[abc].txt", "b.txt", true),
            ("[!abc].txt", "b.txt", false),
            ("[a-c].txt", "c.txt", true),
            ("*.{yaml,json}", "x.json", true),
            ("*.{yaml,json}", "x.toml", false),
            ("{conf/*,*.ini}", "conf/a", true),
            ("a\\*b", "a*b", true),
            ("a\\*b", "axb", false),
            ("config/*.conf", "config/nginx.conf", true),
        ];
        for (pattern, path, want) in cases {
            assert_eq!(
                Glob::new(pattern).unwrap().matches(path),
                want,
                "{pattern} {path}"
            );
        }
    }

    #[test]
    fn hostile_patterns_stay_fast() {
        let started = std::time::Instant::now();
        let g = Glob::new("*a*a*a*a*a*a*a*a*a*a*a*a*b").unwrap();
        assert!(!g.matches(&"a".repeat(64)));
        let g = Glob::new("{*a,*a}{*a,*a}{*a,*a}{*a,*a}{*a,*a}{*a,*a}b").unwrap();
        assert!(!g.matches(&"a".repeat(64)));
        let g = Glob::new("[\\]^-]x").unwrap();
        assert!(g.matches("]x") && g.matches("^x") && g.matches("-x") && !g.matches("ax"));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn invalid_patterns() {
        assert!(Glob::new("[abc").is_err());
        assert!(Glob::new("{a,b").is_err());
        assert!(Glob::new("a\\").is_err());
        assert!(Glob::new("[]").is_err());
    }
}
