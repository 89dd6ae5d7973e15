//! Semantic versions and constraints as Masterminds/semver v1.5.0 (the library Helm v2 uses)
//! parses and checks them.
//!
//! Versions may omit minor and patch (`1`, `1.2`) and carry a `v` prefix. Constraints are
//! `||`-separated alternatives of `,`-separated terms; a term is an operator (`= != > < >= =>
//! <= =< ~ ~> ^` or none) and a version that may use `x`, `X` or `*` wildcards; `A - B` is a
//! range. A version with a prerelease only satisfies terms that carry a prerelease themselves.

use std::cmp::Ordering;
use std::fmt;
use std::sync::LazyLock;

use regex::Regex;
use thiserror::Error;

/// A semver parse error.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SemverError {
    /// The text is not a version.
    #[error("invalid semantic version {0:?}")]
    InvalidVersion(String),
    /// A constraint term is malformed.
    #[error("improper constraint: {0}")]
    ImproperConstraint(String),
    /// A constraint term names an impossible version.
    #[error("constraint parser error in {0:?}")]
    ConstraintVersion(String),
}

const VERSION_BODY: &str = r"v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";

// The `|` inside the classes is in the original expression too; it is kept so the same terms
// parse (and fail) as in Helm.
const CONSTRAINT_VERSION: &str = r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";

static VERSION_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!("^{VERSION_BODY}$")).unwrap_or_else(|e| unreachable!("version regex: {e}"))
});

static TERM_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^\s*(=>|=<|>=|<=|!=|~>|>|<|=|~|\^|)\s*({CONSTRAINT_VERSION})\s*$"
    ))
    .unwrap_or_else(|e| unreachable!("constraint regex: {e}"))
});

static RANGE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\s*({CONSTRAINT_VERSION})\s+-\s+({CONSTRAINT_VERSION})\s*"
    ))
    .unwrap_or_else(|e| unreachable!("range regex: {e}"))
});

/// A parsed version.
#[derive(Debug, Clone)]
pub struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
    metadata: String,
    original: String,
}

impl Version {
    /// Parses a version (`1.2.3`, `v1.2`, `1.2.3-rc.1+build`).
    pub fn parse(text: &str) -> Result<Version, SemverError> {
        let caps = VERSION_RE
            .captures(text)
            .ok_or_else(|| SemverError::InvalidVersion(text.to_owned()))?;
        let num = |i: usize| -> Result<u64, SemverError> {
            match caps.get(i) {
                None => Ok(0),
                Some(m) => m
                    .as_str()
                    .trim_start_matches('.')
                    .parse::<i64>()
                    .ok()
                    .and_then(|n| u64::try_from(n).ok())
                    .ok_or_else(|| SemverError::InvalidVersion(text.to_owned())),
            }
        };
        Ok(Version {
            major: num(1)?,
            minor: num(2)?,
            patch: num(3)?,
            pre: caps.get(5).map_or("", |m| m.as_str()).to_owned(),
            metadata: caps.get(8).map_or("", |m| m.as_str()).to_owned(),
            original: text.to_owned(),
        })
    }

    /// The major number.
    pub fn major(&self) -> u64 {
        self.major
    }

    /// The minor number.
    pub fn minor(&self) -> u64 {
        self.minor
    }

    /// The patch number.
    pub fn patch(&self) -> u64 {
        self.patch
    }

    /// The prerelease (without `-`), possibly empty.
    pub fn prerelease(&self) -> &str {
        &self.pre
    }

    /// The build metadata (without `+`), possibly empty.
    pub fn metadata(&self) -> &str {
        &self.metadata
    }

    /// The text the version was parsed from.
    pub fn original(&self) -> &str {
        &self.original
    }

    /// Semver precedence; build metadata is ignored.
    pub fn compare(&self, other: &Version) -> Ordering {
        self.major
            .cmp(&other.major)
            .then(self.minor.cmp(&other.minor))
            .then(self.patch.cmp(&other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_prerelease(&self.pre, &other.pre),
            })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let aparts: Vec<&str> = a.split('.').collect();
    let bparts: Vec<&str> = b.split('.').collect();
    for i in 0..aparts.len().max(bparts.len()) {
        let x = aparts.get(i).copied().unwrap_or("");
        let y = bparts.get(i).copied().unwrap_or("");
        let d = compare_pre_part(x, y);
        if d != Ordering::Equal {
            return d;
        }
    }
    Ordering::Equal
}

fn compare_pre_part(s: &str, o: &str) -> Ordering {
    if s == o {
        return Ordering::Equal;
    }
    if s.is_empty() {
        return Ordering::Less;
    }
    if o.is_empty() {
        return Ordering::Greater;
    }
    match (s.parse::<u64>(), o.parse::<u64>()) {
        (Err(_), Err(_)) => s.cmp(o),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        // Equal numbers with different text ("01" vs "1") compare as "less", as in Go.
        (Ok(x), Ok(y)) => {
            if x > y {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    TildeOrEqual,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    Tilde,
    Caret,
}

#[derive(Debug, Clone)]
struct Term {
    op: Op,
    version: Version,
    minor_dirty: bool,
    patch_dirty: bool,
    dirty: bool,
}

fn is_wild(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

impl Term {
    fn parse(text: &str) -> Result<Term, SemverError> {
        let caps = TERM_RE
            .captures(text)
            .ok_or_else(|| SemverError::ImproperConstraint(text.to_owned()))?;
        let group = |i: usize| caps.get(i).map_or("", |m| m.as_str());
        let op = match group(1) {
            "" | "=" => Op::TildeOrEqual,
            "!=" => Op::NotEqual,
            ">" => Op::Greater,
            "<" => Op::Less,
            ">=" | "=>" => Op::GreaterEqual,
            "<=" | "=<" => Op::LessEqual,
            "~" | "~>" => Op::Tilde,
            _ => Op::Caret,
        };
        // Group 2 is the whole version; 3..=5 major, .minor, .patch; 7 the "-pre" part.
        let (major, minor, patch, pre) = (group(3), group(4), group(5), group(6));
        let (mut dirty, mut minor_dirty, mut patch_dirty) = (false, false, false);
        let mut text_version = group(2).to_owned();
        if is_wild(major) {
            text_version = "0.0.0".to_owned();
            dirty = true;
        } else if minor.is_empty() || is_wild(minor.trim_start_matches('.')) {
            minor_dirty = true;
            dirty = true;
            text_version = format!("{major}.0.0{pre}");
        } else if is_wild(patch.trim_start_matches('.')) {
            dirty = true;
            patch_dirty = true;
            text_version = format!("{major}{minor}.0{pre}");
        }
        let version = Version::parse(&text_version)
            .map_err(|_| SemverError::ConstraintVersion(text.trim().to_owned()))?;
        Ok(Term {
            op,
            version,
            minor_dirty,
            patch_dirty,
            dirty,
        })
    }

    fn check(&self, v: &Version) -> bool {
        let c = &self.version;
        if !v.pre.is_empty() && c.pre.is_empty() {
            return false;
        }
        match self.op {
            Op::TildeOrEqual => {
                if self.dirty {
                    self.tilde(v)
                } else {
                    v.compare(c) == Ordering::Equal
                }
            }
            Op::NotEqual => {
                if self.dirty {
                    c.major != v.major || (c.minor != v.minor && !self.minor_dirty)
                } else {
                    v.compare(c) != Ordering::Equal
                }
            }
            Op::Greater => v.compare(c) == Ordering::Greater,
            Op::GreaterEqual => v.compare(c) != Ordering::Less,
            Op::Less | Op::LessEqual => {
                if !self.dirty {
                    let ord = v.compare(c);
                    return if self.op == Op::Less {
                        ord == Ordering::Less
                    } else {
                        ord != Ordering::Greater
                    };
                }
                !(v.major > c.major || (v.minor > c.minor && !self.minor_dirty))
            }
            Op::Tilde => self.tilde(v),
            Op::Caret => v.compare(c) != Ordering::Less && v.major == c.major,
        }
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.version;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        if v.major != c.major {
            return false;
        }
        v.minor == c.minor || self.minor_dirty
    }
}

/// A parsed constraint.
#[derive(Debug, Clone)]
pub struct Constraint {
    alternatives: Vec<Vec<Term>>,
}

impl Constraint {
    /// Parses a constraint such as `>=1.2.0, <2`, `~1.3 || ^2.0.0` or `1.2 - 1.4.5`.
    pub fn parse(text: &str) -> Result<Constraint, SemverError> {
        let text = rewrite_ranges(text);
        let mut alternatives = Vec::new();
        for alt in text.split("||") {
            let terms = alt
                .split(',')
                .map(Term::parse)
                .collect::<Result<Vec<_>, _>>()?;
            alternatives.push(terms);
        }
        Ok(Constraint { alternatives })
    }

    /// Whether the version satisfies the constraint.
    pub fn check(&self, v: &Version) -> bool {
        self.alternatives
            .iter()
            .any(|terms| terms.iter().all(|t| t.check(v)))
    }
}

fn rewrite_ranges(text: &str) -> String {
    let mut out = text.to_owned();
    for caps in RANGE_RE.captures_iter(text) {
        let (Some(whole), Some(a), Some(b)) = (caps.get(0), caps.get(1), caps.get(11)) else {
            continue;
        };
        let replacement = format!(">= {}, <= {}", a.as_str(), b.as_str());
        out = out.replacen(whole.as_str(), &replacement, 1);
    }
    out
}

/// Helm's `version.IsCompatibleRange`: whether `version` parses and satisfies `constraint`; any
/// parse failure (including an empty constraint) means "no".
pub fn is_compatible_range(constraint: &str, version: &str) -> bool {
    let Ok(v) = Version::parse(version) else {
        return false;
    };
    let Ok(c) = Constraint::parse(constraint) else {
        return false;
    };
    c.check(&v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_versions() {
        let v = Version::parse("v1.2.3-rc.1+build.5").unwrap();
        assert_eq!((v.major(), v.minor(), v.patch()), (1, 2, 3));
        assert_eq!(v.prerelease(), "rc.1");
        assert_eq!(v.metadata(), "build.5");
        assert_eq!(v.to_string(), "1.2.3-rc.1+build.5");
        assert_eq!(Version::parse("1").unwrap().to_string(), "1.0.0");
        assert_eq!(Version::parse("1.2").unwrap().to_string(), "1.2.0");
        assert!(Version::parse("1.2.3.4").is_err());
        assert!(Version::parse("").is_err());
        assert!(Version::parse("abc").is_err());
    }

    #[test]
    fn ordering() {
        let cmp = |a: &str, b: &str| {
            Version::parse(a)
                .unwrap()
                .compare(&Version::parse(b).unwrap())
        };
        assert_eq!(cmp("1.2.3", "1.2.3"), Ordering::Equal);
        assert_eq!(cmp("1.2.3", "1.2.3+x"), Ordering::Equal);
        assert_eq!(cmp("1.2.3", "1.2.3-alpha"), Ordering::Greater);
        assert_eq!(cmp("1.2.3-alpha", "1.2.3-alpha.1"), Ordering::Less);
        assert_eq!(cmp("1.2.3-alpha.2", "1.2.3-alpha.10"), Ordering::Less);
        assert_eq!(cmp("1.2.3-1", "1.2.3-alpha"), Ordering::Less);
        assert_eq!(cmp("2.0.0", "1.9.9"), Ordering::Greater);
    }

    #[test]
    fn constraints_table() {
        let cases = [
            ("1.2.3", "1.2.3", true),
            ("=1.2.3", "1.2.4", false),
            ("!=1.2.3", "1.2.4", true),
            (">1.2.3", "1.2.4", true),
            (">1.2.3", "1.2.3", false),
            ("<1.2.3", "1.2.2", true),
            (">=1.2.3", "1.2.3", true),
            ("=>1.2.3", "1.2.3", true),
            ("<=1.2.3", "1.2.4", false),
            ("=<1.2.3", "1.2.3", true),
            ("~1.2.3", "1.2.9", true),
            ("~1.2.3", "1.3.0", false),
            ("~>1.2.3", "1.2.5", true),
            ("~1", "1.9.0", true),
            ("~1", "2.0.0", false),
            ("~1.x", "1.5.0", true),
            ("^1.2.3", "1.9.9", true),
            ("^1.2.3", "2.0.0", false),
            ("^0.2.3", "0.9.0", true),
            ("^0.2.3", "1.0.0", false),
            ("1.2.x", "1.2.7", true),
            ("1.2.x", "1.3.0", false),
            ("1.x", "1.9.9", true),
            ("*", "5.5.5", true),
            ("*", "1.0.0-beta", false),
            ("<1.2.x", "1.2.9", true),
            ("<1.2.x", "1.3.0", false),
            (">1.2.x", "1.2.1", true),
            (">=1.2.0, <2", "1.9.0", true),
            // `<2` has a wildcard minor, so only the major is compared (2.1.0 passes).
            (">=1.2.0, <2", "2.1.0", true),
            (">=1.2.0, <2", "3.0.0", false),
            (">=1.2.0, <2.0.0", "2.0.0", false),
            (">=1.2.0,<1.3 || ^3", "3.4.0", true),
            ("1.2 - 1.4.5", "1.4.5", true),
            ("1.2 - 1.4.5", "1.4.6", false),
            (">=1.2.3", "1.2.4-beta", false),
            (">=1.2.3-0", "1.2.4-beta", true),
            ("0.1.0", "0.1.0", true),
            ("~0.0.0", "3.0.0", true),
            ("!=1.x", "2.0.0", true),
            ("!=1.x", "1.5.0", false),
        ];
        for (c, v, want) in cases {
            assert_eq!(is_compatible_range(c, v), want, "{c} vs {v}");
        }
    }

    #[test]
    fn bad_constraints() {
        assert!(Constraint::parse("").is_err());
        assert!(Constraint::parse(">= 1.2 1.3").is_err());
        assert!(Constraint::parse("foo").is_err());
        assert!(!is_compatible_range("", "1.0.0"));
        assert!(!is_compatible_range("1.0.0", "not-a-version"));
    }
}
