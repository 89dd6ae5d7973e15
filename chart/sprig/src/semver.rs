//! Semantic versions and constraints as Masterminds/semver v3.3 (Sprig v3) parses and checks
//! them: `semver` returns a `*semver.Version` object and `semverCompare` checks a constraint.
//!
//! Constraint syntax: `||` separates alternatives; within one, terms are AND-ed and separated
//! by commas or spaces; each term is an operator (`= != > < >= => <= =< ~ ~> ^`, or none) and
//! a version that may use `x`, `X` or `*` wildcards and omit minor/patch. `A - B` is a range.
//! A version with a prerelease only satisfies an alternative one of whose terms names a
//! prerelease (semver v3.4+, which Helm v4 uses; v3.3 required it of every term).

use std::cmp::Ordering;
use std::rc::Rc;
use std::sync::LazyLock;

use gotmpl::{FuncError, Member, Object, Value};
use regex::Regex;

use crate::args::{self, Arity::*};
use crate::def;

const CV: &str = r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";
const OPS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";

#[allow(clippy::expect_used)]
fn re(pattern: &str) -> Regex {
    // The patterns are constants of this module; a failure is a programming error caught by
    // the unit tests.
    Regex::new(pattern).expect("constant regex")
}

static VERSION_RE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$",
    )
});
static CONSTRAINT_RE: LazyLock<Regex> = LazyLock::new(|| re(&format!(r"^\s*({OPS})\s*({CV})\s*$")));
static RANGE_RE: LazyLock<Regex> = LazyLock::new(|| re(&format!(r"\s*({CV})\s+-\s+({CV})\s*")));
static FIND_RE: LazyLock<Regex> = LazyLock::new(|| re(&format!(r"({OPS})\s*({CV})")));
static VALID_RE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"^(\s*({OPS})\s*({CV})\s*)((?:\s+|,\s*)({OPS})\s*({CV})\s*)*$"
    ))
});

/// A parsed version (`*semver.Version`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    /// Major number.
    pub major: u64,
    /// Minor number.
    pub minor: u64,
    /// Patch number.
    pub patch: u64,
    /// Prerelease, without the `-`.
    pub pre: String,
    /// Build metadata, without the `+`.
    pub metadata: String,
    /// The text it was parsed from.
    pub original: String,
}

/// Why a version or constraint did not parse (messages as semver v3 prints them).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SemverError {
    /// Not a version at all.
    #[error("invalid semantic version")]
    Invalid,
    /// A numeric prerelease part with a leading zero.
    #[error("version segment starts with 0")]
    SegmentStartsZero,
    /// A number too large for 64 bits.
    #[error("error parsing version segment: {0}")]
    Segment(String),
    /// A constraint that does not parse.
    #[error("improper constraint: {}", crate::go::quote(.0))]
    Constraint(String),
}

impl Version {
    /// `semver.NewVersion`: lenient parsing (`v` prefix, missing minor/patch allowed).
    pub fn parse(s: &str) -> Result<Version, SemverError> {
        let caps = VERSION_RE.captures(s).ok_or(SemverError::Invalid)?;
        let num = |i: usize| -> Result<u64, SemverError> {
            match caps.get(i) {
                None => Ok(0),
                Some(m) => m
                    .as_str()
                    .trim_start_matches('.')
                    .parse::<u64>()
                    .map_err(|_| {
                        SemverError::Segment(format!(
                            "strconv.ParseUint: parsing {}: value out of range",
                            crate::go::quote(m.as_str().trim_start_matches('.'))
                        ))
                    }),
            }
        };
        let pre = caps.get(5).map_or("", |m| m.as_str()).to_owned();
        if !pre.is_empty() {
            for part in pre.split('.') {
                if part.bytes().all(|b| b.is_ascii_digit())
                    && part.len() > 1
                    && part.starts_with('0')
                {
                    return Err(SemverError::SegmentStartsZero);
                }
            }
        }
        Ok(Version {
            major: num(1)?,
            minor: num(2)?,
            patch: num(3)?,
            pre,
            metadata: caps.get(8).map_or("", |m| m.as_str()).to_owned(),
            original: s.to_owned(),
        })
    }

    /// Precedence order (metadata ignored).
    pub fn compare(&self, o: &Version) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(o.major, o.minor, o.patch))
            .then_with(|| match (self.pre.is_empty(), o.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_prerelease(&self.pre, &o.pre),
            })
    }

    fn v_prefix(&self) -> &'static str {
        if self.original.starts_with('v') {
            "v"
        } else {
            ""
        }
    }

    fn bumped(&self, major: u64, minor: u64, patch: u64) -> Version {
        let mut next = Version {
            major,
            minor,
            patch,
            pre: String::new(),
            metadata: String::new(),
            original: String::new(),
        };
        next.original = format!("{}{}", self.v_prefix(), next);
        next
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
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
    let pa: Vec<&str> = a.split('.').collect();
    let pb: Vec<&str> = b.split('.').collect();
    for i in 0..pa.len().max(pb.len()) {
        let d = compare_pre_part(
            pa.get(i).copied().unwrap_or(""),
            pb.get(i).copied().unwrap_or(""),
        );
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
        (Err(_), Err(_)) => {
            if s > o {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Ok(x), Ok(y)) => {
            if x > y {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
    }
}

#[derive(Debug, Clone)]
struct Term {
    op: String,
    con: Version,
    dirty: bool,
    minor_dirty: bool,
    patch_dirty: bool,
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

fn parse_term(c: &str) -> Result<Term, SemverError> {
    let caps = CONSTRAINT_RE
        .captures(c)
        .ok_or_else(|| SemverError::Constraint(c.to_owned()))?;
    let g = |i: usize| caps.get(i).map_or("", |m| m.as_str());
    let (major, minor, patch, pre_part) = (g(3), g(4), g(5), g(6));
    let mut ver = g(2).to_owned();
    let (mut dirty, mut minor_dirty, mut patch_dirty) = (false, false, false);
    if is_x(major) || major.is_empty() {
        ver = format!("0.0.0{pre_part}");
        dirty = true;
    } else if minor.is_empty() || is_x(minor.trim_start_matches('.')) {
        minor_dirty = true;
        dirty = true;
        ver = format!("{major}.0.0{pre_part}");
    } else if patch.is_empty() || is_x(patch.trim_start_matches('.')) {
        dirty = true;
        patch_dirty = true;
        ver = format!("{major}{minor}.0{pre_part}");
    }
    let con = Version::parse(&ver).map_err(|_| SemverError::Constraint(c.to_owned()))?;
    Ok(Term {
        op: g(1).to_owned(),
        con,
        dirty,
        minor_dirty,
        patch_dirty,
    })
}

/// A parsed constraint: alternatives of AND-ed terms, each alternative with whether one of its
/// terms names a prerelease (semver ≥ 3.4 then lets the whole alternative match prereleases).
#[derive(Debug, Clone)]
pub struct Constraints(Vec<(Vec<Term>, bool)>);

impl Constraints {
    /// `semver.NewConstraint`.
    pub fn parse(c: &str) -> Result<Constraints, SemverError> {
        let mut text = c.to_owned();
        let ranges: Vec<(String, String, String)> = RANGE_RE
            .captures_iter(c)
            .map(|m| {
                let whole = m.get(0).map_or("", |x| x.as_str()).to_owned();
                let a = m.get(1).map_or("", |x| x.as_str()).to_owned();
                let b = m.get(11).map_or("", |x| x.as_str()).to_owned();
                (whole, a, b)
            })
            .collect();
        for (whole, a, b) in ranges {
            text = text.replacen(&whole, &format!(">= {a}, <= {b} "), 1);
        }
        let mut ors = Vec::new();
        for alt in text.split("||") {
            if !VALID_RE.is_match(alt) {
                return Err(SemverError::Constraint(alt.to_owned()));
            }
            let found: Vec<&str> = FIND_RE.find_iter(alt).map(|m| m.as_str()).collect();
            let found = if found.is_empty() { vec![alt] } else { found };
            let terms = found
                .into_iter()
                .map(parse_term)
                .collect::<Result<Vec<_>, _>>()?;
            let has_pre = terms.iter().any(|t| !t.con.pre.is_empty());
            ors.push((terms, has_pre));
        }
        Ok(Constraints(ors))
    }

    /// Whether the version satisfies any alternative.
    pub fn check(&self, v: &Version) -> bool {
        self.0
            .iter()
            .any(|(and, pre)| and.iter().all(|t| t.check(v, *pre)))
    }
}

impl Term {
    fn check(&self, v: &Version, include_pre: bool) -> bool {
        let c = &self.con;
        if !v.pre.is_empty() && !include_pre {
            return false;
        }
        match self.op.as_str() {
            "" | "=" => {
                if self.dirty {
                    self.tilde(v)
                } else {
                    v.compare(c) == Ordering::Equal
                }
            }
            "!=" => self.not_equal(v),
            ">" => {
                if !self.dirty {
                    return v.compare(c) == Ordering::Greater;
                }
                if v.major != c.major {
                    return v.major > c.major;
                }
                if self.minor_dirty {
                    return false;
                }
                if self.patch_dirty {
                    return v.minor > c.minor;
                }
                v.compare(c) == Ordering::Greater
            }
            "<" => v.compare(c) == Ordering::Less,
            ">=" | "=>" => v.compare(c) != Ordering::Less,
            "<=" | "=<" => {
                if !self.dirty {
                    return v.compare(c) != Ordering::Greater;
                }
                if v.major > c.major {
                    return false;
                }
                !(v.major == c.major && v.minor > c.minor && !self.minor_dirty)
            }
            "~" | "~>" => self.tilde(v),
            "^" => self.caret(v),
            _ => false,
        }
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.con;
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

    fn caret(&self, v: &Version) -> bool {
        let c = &self.con;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if c.major > 0 || self.minor_dirty {
            return v.major == c.major;
        }
        if v.major > 0 {
            return false;
        }
        if c.minor > 0 || self.patch_dirty {
            return v.minor == c.minor;
        }
        if v.minor > 0 {
            return false;
        }
        c.patch == v.patch
    }

    fn not_equal(&self, v: &Version) -> bool {
        let c = &self.con;
        if self.dirty {
            if c.major != v.major {
                return true;
            }
            if c.minor != v.minor && !self.minor_dirty {
                return true;
            } else if self.minor_dirty {
                return false;
            } else if c.patch != v.patch && !self.patch_dirty {
                return true;
            } else if self.patch_dirty {
                if !v.pre.is_empty() || !c.pre.is_empty() {
                    return compare_prerelease(&v.pre, &c.pre) != Ordering::Equal;
                }
                return false;
            }
        }
        v.compare(c) != Ordering::Equal
    }
}

/// `semverCompare constraint version`.
pub fn semver_compare(constraint: &str, version: &str) -> Result<bool, SemverError> {
    let c = Constraints::parse(constraint)?;
    let v = Version::parse(version)?;
    Ok(c.check(&v))
}

/// The template object for a version: `*semver.Version` with its methods, or a
/// `semver.Version` value (what `IncMajor` and friends return), which lacks the methods Go
/// declares on the pointer (`Original`, `Compare`, `LessThan`…).
#[derive(Debug)]
struct VersionObject(Version, bool);

impl Object for VersionObject {
    fn type_name(&self) -> String {
        if self.1 {
            "semver.Version".into()
        } else {
            "*semver.Version".into()
        }
    }

    fn member(&self, name: &str) -> Member {
        match name {
            "Major" | "Minor" | "Patch" | "Prerelease" | "Metadata" | "String" | "IncMajor"
            | "IncMinor" | "IncPatch" => Member::Method,
            "Original" | "Compare" | "LessThan" | "GreaterThan" | "Equal" | "LessThanEqual"
            | "GreaterThanEqual"
                if !self.1 =>
            {
                Member::Method
            }
            _ => Member::Missing,
        }
    }

    fn call(&self, name: &str, a: &[Value]) -> Result<Value, FuncError> {
        let v = &self.0;
        let want = |n: usize| {
            if a.len() == n {
                Ok(())
            } else {
                Err(FuncError::new(format!(
                    "wrong number of args for {name}: want {n} got {}",
                    a.len()
                )))
            }
        };
        let other = || -> Result<Version, FuncError> {
            want(1)?;
            match &a[0] {
                Value::Object(o) if o.type_name().ends_with("semver.Version") => {
                    Version::parse(&o.go_string()).map_err(|e| FuncError::new(e.to_string()))
                }
                x => Err(args::wrong_type("*semver.Version", x)),
            }
        };
        Ok(match name {
            "Major" => Value::Uint(v.major),
            "Minor" => Value::Uint(v.minor),
            "Patch" => Value::Uint(v.patch),
            "Prerelease" => Value::string(&v.pre),
            "Metadata" => Value::string(&v.metadata),
            "Original" => Value::string(&v.original),
            "String" => Value::string(v.to_string()),
            "IncMajor" => by_value(v.bumped(v.major.wrapping_add(1), 0, 0)),
            "IncMinor" => by_value(v.bumped(v.major, v.minor.wrapping_add(1), 0)),
            "IncPatch" => {
                let patch = if v.pre.is_empty() {
                    v.patch.wrapping_add(1)
                } else {
                    v.patch
                };
                by_value(v.bumped(v.major, v.minor, patch))
            }
            "Compare" => Value::Int(match v.compare(&other()?) {
                Ordering::Less => -1,
                Ordering::Equal => 0,
                Ordering::Greater => 1,
            }),
            "LessThan" => Value::Bool(v.compare(&other()?) == Ordering::Less),
            "LessThanEqual" => Value::Bool(v.compare(&other()?) != Ordering::Greater),
            "GreaterThan" => Value::Bool(v.compare(&other()?) == Ordering::Greater),
            "GreaterThanEqual" => Value::Bool(v.compare(&other()?) != Ordering::Less),
            "Equal" => Value::Bool(v.compare(&other()?) == Ordering::Equal),
            _ => {
                return Err(FuncError::new(format!(
                    "{name} is not a method of *semver.Version"
                )));
            }
        })
    }

    fn go_string(&self) -> String {
        self.0.to_string()
    }

    fn to_data(&self) -> Option<Value> {
        Some(Value::string(self.0.to_string()))
    }
}

/// A version as a template value (`*semver.Version`).
pub fn version_value(v: Version) -> Value {
    Value::Object(Rc::new(VersionObject(v, false)))
}

fn by_value(v: Version) -> Value {
    Value::Object(Rc::new(VersionObject(v, true)))
}

/// Registers `semver` and `semverCompare`.
pub(crate) fn register(m: &mut crate::FuncMap) {
    def(m, "semver", Exact(1), |a| {
        Version::parse(args::string(&a[0])?)
            .map(version_value)
            .map_err(|e| FuncError::new(e.to_string()))
    });
    def(m, "semverCompare", Exact(2), |a| {
        semver_compare(args::string(&a[0])?, args::string(&a[1])?)
            .map(Value::Bool)
            .map_err(|e| FuncError::new(e.to_string()))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions() {
        let v = Version::parse("v1.2.3-beta.1+build").unwrap();
        assert_eq!((v.major, v.minor, v.patch), (1, 2, 3));
        assert_eq!(v.pre, "beta.1");
        assert_eq!(v.metadata, "build");
        assert_eq!(v.to_string(), "1.2.3-beta.1+build");
        assert_eq!(Version::parse("1.2").unwrap().to_string(), "1.2.0");
        assert!(Version::parse("1.2.3.4").is_err());
        assert!(Version::parse("").is_err());
        assert_eq!(
            Version::parse("1.2.3-01"),
            Err(SemverError::SegmentStartsZero)
        );
    }

    #[test]
    fn orders_versions() {
        let cmp = |a: &str, b: &str| {
            Version::parse(a)
                .unwrap()
                .compare(&Version::parse(b).unwrap())
        };
        assert_eq!(cmp("1.2.3", "1.2.3+meta"), Ordering::Equal);
        assert_eq!(cmp("1.0.0-alpha", "1.0.0"), Ordering::Less);
        assert_eq!(cmp("1.0.0-alpha.1", "1.0.0-alpha.beta"), Ordering::Less);
        assert_eq!(cmp("1.0.0-beta.11", "1.0.0-beta.2"), Ordering::Greater);
        assert_eq!(cmp("1.0.0-rc.1", "1.0.0-beta.11"), Ordering::Greater);
    }

    #[test]
    fn checks_constraints() {
        // From semver v3's constraints_test.go tables, in our own table.
        let cases = [
            ("=2.0.0", "1.2.3", false),
            ("2.0.0", "2.0.0", true),
            ("4.1", "4.1.0", true),
            ("!=4.1", "4.1.0", false),
            ("!=4.1", "5.1.0", true),
            ("!=4.x", "5.1.0", true),
            ("!=4.x", "4.1.0", false),
            (">1.1", "4.1.0", true),
            (">1.1", "1.1.0", false),
            ("<1.1", "0.1.0", true),
            ("<1.1", "1.1.0", false),
            ("<1.x", "1.1.1", false),
            ("<=1.1", "1.1.0", true),
            ("<=1.x", "1.1.1", true),
            (">=1.1", "4.1.0", true),
            (">1.x", "1.1.1", false),
            (">1.1.x", "1.1.1", false),
            (">1.1.x", "1.2.0", true),
            ("~1.2.3", "1.2.4", true),
            ("~1.2.3", "1.3.4", false),
            ("~1", "1.9.0", true),
            ("^1.2.3", "1.8.9", true),
            ("^1.2.3", "2.0.0", false),
            ("^0.2.3", "0.2.5", true),
            ("^0.2.3", "0.3.0", false),
            ("^0.0.3", "0.0.4", false),
            ("^0", "0.9.0", true),
            ("*", "1.2.3", true),
            ("*", "1.2.3-alpha", false),
            (">=1.2 <3", "2.5.0", true),
            (">=1.2, <3", "3.1.0", false),
            ("1.1 - 2", "1.5.0", true),
            ("1.1 - 2", "2.1.0", true),
            ("1.1 - 2", "3.0.0", false),
            (">=1.14", "1.14.3-gke.1", false),
            (">=1.14-0", "1.14.3-gke.1", true),
            (">= 1.16.0-0", "v1.16.15", true),
            ("<1.2 || >3", "3.5.0", false),
            ("<1.2 || >3", "4.0.0", true),
            (">=1.14-0, <2", "1.15.0-rc.1", true),
            (">=1.14-0 || <2", "1.15.0-rc.1", true),
            (">=1.14, <2", "1.15.0-rc.1", false),
            ("<2 || >=1.14-0", "0.5.0-rc.1", false),
            ("2.x", "2.9.9", true),
            ("~2.1.x", "2.2.0", false),
        ];
        for (c, v, want) in cases {
            assert_eq!(semver_compare(c, v).unwrap(), want, "{c} vs {v}");
        }
        assert!(semver_compare("", "1.0.0").is_err());
        assert!(semver_compare(">=a", "1.0.0").is_err());
        assert!(semver_compare(">=1", "x").is_err());
    }
}
