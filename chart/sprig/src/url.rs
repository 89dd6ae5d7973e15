//! `urlParse` and `urlJoin`: the parts of Go's `net/url` they use (`url.Parse` and
//! `URL.String`, with Go's escaping rules per URL component).

use gotmpl::{FuncError, Map, Value};

use crate::args::{self, Arity::*};
use crate::def;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Path,
    Host,
    UserPassword,
    Fragment,
}

fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if mode == Mode::Host
        && matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'"'
        )
    {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => return false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => {
            return match mode {
                Mode::UserPassword => matches!(c, b'@' | b'/' | b'?' | b':'),
                Mode::Path => c == b'?',
                Mode::Fragment => false,
                Mode::Host => true,
            };
        }
        _ => {}
    }
    if mode == Mode::Fragment && matches!(c, b'!' | b'(' | b')' | b'*') {
        return false;
    }
    true
}

fn escape(s: &str, mode: Mode) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if should_escape(b, mode) {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(char::from(b));
        }
    }
    out
}

fn unescape(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                Some(v) => {
                    out.push(v);
                    i += 3;
                }
                None => {
                    let bad: String = s[i..].chars().take(3).collect();
                    return Err(format!("invalid URL escape {}", crate::go::quote(&bad)));
                }
            }
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// The fields of a parsed URL that Sprig exposes.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Url {
    /// Lower-cased scheme.
    pub scheme: String,
    /// Opaque part (`mailto:x@y`).
    pub opaque: String,
    /// `user[:password]`, decoded; `None` when absent.
    pub user: Option<(String, Option<String>)>,
    /// `host[:port]`.
    pub host: String,
    /// Decoded path.
    pub path: String,
    /// Query without the `?`.
    pub raw_query: String,
    /// Whether a lone `?` ended the URL.
    pub force_query: bool,
    /// Decoded fragment.
    pub fragment: String,
}

fn get_scheme(raw: &str) -> Result<(&str, &str), String> {
    for (i, c) in raw.char_indices() {
        if c.is_ascii_alphabetic() {
            continue;
        }
        if c.is_ascii_digit() || c == '+' || c == '-' || c == '.' {
            if i == 0 {
                return Ok(("", raw));
            }
            continue;
        }
        if c == ':' {
            if i == 0 {
                return Err("missing protocol scheme".into());
            }
            return Ok((&raw[..i], &raw[i + 1..]));
        }
        return Ok(("", raw));
    }
    Ok(("", raw))
}

/// Go's `url.Parse`.
pub fn parse(raw: &str) -> Result<Url, String> {
    let wrap = |msg: String| format!("parse {}: {msg}", crate::go::quote(raw));
    let (main, frag) = match raw.split_once('#') {
        Some((m, f)) => (m, Some(f)),
        None => (raw, None),
    };
    if main.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err(wrap("net/url: invalid control character in URL".into()));
    }
    let mut u = Url::default();
    if let Some(f) = frag {
        u.fragment = unescape(f).map_err(wrap)?;
    }
    if main.is_empty() {
        return Ok(u);
    }
    if main == "*" {
        u.path = "*".into();
        return Ok(u);
    }
    let (scheme, rest) = get_scheme(main).map_err(wrap)?;
    u.scheme = scheme.to_ascii_lowercase();
    let mut rest = rest;
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        u.force_query = true;
        rest = &rest[..rest.len() - 1];
    } else if let Some((r, q)) = rest.split_once('?') {
        u.raw_query = q.to_owned();
        rest = r;
    }
    if !rest.starts_with('/') {
        if !u.scheme.is_empty() {
            u.opaque = rest.to_owned();
            return Ok(u);
        }
        let first = rest.split('/').next().unwrap_or("");
        if first.contains(':') {
            return Err(wrap(
                "first path segment in URL cannot contain colon".into(),
            ));
        }
    }
    if (!u.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let after = &rest[2..];
        let (authority, path) = match after.find('/') {
            Some(i) => (&after[..i], &after[i..]),
            None => (after, ""),
        };
        rest = path;
        let host_part = match authority.rfind('@') {
            Some(i) => {
                let info = &authority[..i];
                if !info.bytes().all(valid_userinfo_byte) {
                    return Err(wrap("net/url: invalid userinfo".into()));
                }
                u.user = Some(match info.split_once(':') {
                    Some((n, p)) => (unescape(n).map_err(wrap)?, Some(unescape(p).map_err(wrap)?)),
                    None => (unescape(info).map_err(wrap)?, None),
                });
                &authority[i + 1..]
            }
            None => authority,
        };
        u.host = parse_host(host_part).map_err(wrap)?;
    }
    u.path = unescape(rest).map_err(wrap)?;
    Ok(u)
}

fn valid_userinfo_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.'
                | b'_'
                | b':'
                | b'~'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b'%'
                | b'@'
        )
}

fn parse_host(host: &str) -> Result<String, String> {
    if host.starts_with('[') {
        let Some(end) = host.rfind(']') else {
            return Err("missing ']' in host".into());
        };
        let port = &host[end + 1..];
        if !port.is_empty() && !valid_port(port) {
            return Err(format!(
                "invalid port {} after host",
                crate::go::quote(port)
            ));
        }
        return Ok(host.to_owned());
    }
    if let Some(i) = host.rfind(':') {
        let port = &host[i..];
        if !valid_port(port) {
            return Err(format!(
                "invalid port {} after host",
                crate::go::quote(port)
            ));
        }
    }
    unescape(host)
}

fn valid_port(p: &str) -> bool {
    p.strip_prefix(':')
        .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
}

impl Url {
    /// `URL.Hostname()`.
    pub fn hostname(&self) -> String {
        let h = &self.host;
        if let Some(rest) = h.strip_prefix('[') {
            return rest.split(']').next().unwrap_or("").to_owned();
        }
        match h.rfind(':') {
            Some(i) if valid_port(&h[i..]) => h[..i].to_owned(),
            _ => h.clone(),
        }
    }

    fn userinfo(&self) -> Option<String> {
        self.user.as_ref().map(|(n, p)| {
            let mut s = escape(n, Mode::UserPassword);
            if let Some(p) = p {
                s.push(':');
                s.push_str(&escape(p, Mode::UserPassword));
            }
            s
        })
    }

    /// `URL.String()`.
    pub fn to_go_string(&self) -> String {
        let mut buf = String::new();
        if !self.scheme.is_empty() {
            buf.push_str(&self.scheme);
            buf.push(':');
        }
        if !self.opaque.is_empty() {
            buf.push_str(&self.opaque);
        } else {
            if !self.scheme.is_empty() || !self.host.is_empty() || self.user.is_some() {
                if !self.host.is_empty() || !self.path.is_empty() || self.user.is_some() {
                    buf.push_str("//");
                }
                if let Some(ui) = self.userinfo() {
                    buf.push_str(&ui);
                    buf.push('@');
                }
                if !self.host.is_empty() {
                    buf.push_str(&escape(&self.host, Mode::Host));
                }
            }
            let path = if self.path == "*" {
                "*".to_owned()
            } else {
                escape(&self.path, Mode::Path)
            };
            if !path.is_empty() && !path.starts_with('/') && !self.host.is_empty() {
                buf.push('/');
            }
            if buf.is_empty() && path.split('/').next().is_some_and(|seg| seg.contains(':')) {
                buf.push_str("./");
            }
            buf.push_str(&path);
        }
        if self.force_query || !self.raw_query.is_empty() {
            buf.push('?');
            buf.push_str(&self.raw_query);
        }
        if !self.fragment.is_empty() {
            buf.push('#');
            buf.push_str(&escape(&self.fragment, Mode::Fragment));
        }
        buf
    }
}

fn dict_string(d: &Map, key: &str) -> Result<String, FuncError> {
    match d.get(key) {
        None => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.to_string()),
        Some(other) => Err(FuncError::new(format!(
            "unable to parse {key} key, must be of type string, but {} found",
            crate::go::kind_name(other)
        ))),
    }
}

/// Registers `urlParse` and `urlJoin`.
pub(crate) fn register(m: &mut crate::FuncMap) {
    def(m, "urlParse", Exact(1), |a| {
        let u = parse(args::string(&a[0])?)
            .map_err(|e| FuncError::new(format!("unable to parse url: {e}")))?;
        let mut d = Map::new();
        d.insert("scheme".into(), Value::string(&u.scheme));
        d.insert("host".into(), Value::string(&u.host));
        d.insert("hostname".into(), Value::string(u.hostname()));
        d.insert("path".into(), Value::string(&u.path));
        d.insert("query".into(), Value::string(&u.raw_query));
        d.insert("opaque".into(), Value::string(&u.opaque));
        d.insert("fragment".into(), Value::string(&u.fragment));
        d.insert(
            "userinfo".into(),
            Value::string(u.userinfo().unwrap_or_default()),
        );
        Ok(Value::map(d))
    });
    def(m, "urlJoin", Exact(1), |a| {
        let d = args::dict(&a[0])?.borrow().clone();
        let mut u = Url {
            scheme: dict_string(&d, "scheme")?,
            host: dict_string(&d, "host")?,
            path: dict_string(&d, "path")?,
            raw_query: dict_string(&d, "query")?,
            opaque: dict_string(&d, "opaque")?,
            fragment: dict_string(&d, "fragment")?,
            ..Url::default()
        };
        let info = dict_string(&d, "userinfo")?;
        if !info.is_empty() {
            let tmp = parse(&format!("proto://{info}@host"))
                .map_err(|e| FuncError::new(format!("unable to parse userinfo in dict: {e}")))?;
            u.user = tmp.user;
        }
        Ok(Value::string(u.to_go_string()))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_go() {
        let u = parse("proto://auth@host:80/path?query#fragment").unwrap();
        assert_eq!(u.scheme, "proto");
        assert_eq!(u.host, "host:80");
        assert_eq!(u.hostname(), "host");
        assert_eq!(u.path, "/path");
        assert_eq!(u.raw_query, "query");
        assert_eq!(u.fragment, "fragment");
        assert_eq!(u.userinfo().unwrap(), "auth");
        let u = parse("mailto:user@example.com").unwrap();
        assert_eq!(u.opaque, "user@example.com");
        let u = parse("http://[::1]:8080/a%20b").unwrap();
        assert_eq!(u.hostname(), "::1");
        assert_eq!(u.path, "/a b");
        assert!(parse("http://a/%zz").is_err());
        assert!(parse(":foo").is_err());
    }

    #[test]
    fn joins_like_go() {
        let u = Url {
            scheme: "proto".into(),
            host: "host:80".into(),
            path: "/path".into(),
            raw_query: "query".into(),
            fragment: "fragment".into(),
            user: Some(("auth".into(), None)),
            ..Url::default()
        };
        assert_eq!(u.to_go_string(), "proto://auth@host:80/path?query#fragment");
        let u = Url {
            host: "host".into(),
            path: "a b".into(),
            ..Url::default()
        };
        assert_eq!(u.to_go_string(), "//host/a%20b");
        let u = Url {
            path: "a:b".into(),
            ..Url::default()
        };
        assert_eq!(u.to_go_string(), "./a:b");
    }
}
