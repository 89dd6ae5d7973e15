//! Version identity and the client/server compatibility rule of Helm v2.
//!
//! Every `helm` call carries its version in the [`API_CLIENT_METADATA_KEY`]
//! gRPC metadata entry, and Tiller refuses calls from incompatible clients
//! (all but `GetVersion`, see [`crate::methods::tiller::GET_VERSION`]) with
//! the message built by [`incompatible_versions_message`]. This project
//! reports [`HELM_VERSION`] on both sides so that real Helm v2.17 clients and
//! servers accept it.
//!
//! [`is_compatible`] reproduces Helm's rule (`pkg/version/compatible.go`,
//! evaluated with Masterminds semver 1.x): versions ending in "unreleased"
//! match anything; unparsable versions match nothing; with a prerelease on
//! either side the versions must be equal; otherwise the server must satisfy
//! `^<client major>.<client minor>.x` (same major, minor at least the
//! client's).

/// Version this project reports to Helm peers: as the client's
/// `x-helm-api-client` value and as Tiller's `GetVersion` `sem_ver`.
pub const HELM_VERSION: &str = "v2.17.0";

/// gRPC metadata key carrying the client's version on every call.
pub const API_CLIENT_METADATA_KEY: &str = "x-helm-api-client";

/// Whether a client of version `client` may use a Tiller of version
/// `server`. A missing `x-helm-api-client` header is passed as `""`, which
/// is incompatible (unless the server is an "unreleased" build).
pub fn is_compatible(client: &str, server: &str) -> bool {
    if client.ends_with("unreleased") || server.ends_with("unreleased") {
        return true;
    }
    let (Some(c), Some(s)) = (SemVer::parse(client), SemVer::parse(server)) else {
        return false;
    };
    if !c.pre.is_empty() || !s.pre.is_empty() {
        // The constraint degenerates to "exactly the client's version";
        // build metadata does not take part in the comparison.
        return (c.major, c.minor, c.patch, c.pre) == (s.major, s.minor, s.patch, s.pre);
    }
    s.major == c.major && s.minor >= c.minor
}

/// The error text Tiller fails an incompatible call with.
pub fn incompatible_versions_message(client: &str, server: &str) -> String {
    format!("incompatible versions client[{client}] server[{server}]")
}

/// A call refused by Tiller's version check. Its text is Helm's message,
/// which Tiller returns as a gRPC status with code Unknown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("incompatible versions client[{client}] server[{server}]")]
pub struct IncompatibleVersions {
    /// The client's `x-helm-api-client` value (`""` when missing).
    pub client: String,
    /// The server's version.
    pub server: String,
}

/// Tiller's per-call version check: `path` is the full gRPC method path,
/// `client` the first `x-helm-api-client` metadata value if any, `server`
/// the version Tiller reports. `GetVersion` always passes so that any client
/// can learn the server's version; every other call, health checks
/// included, needs a compatible client.
pub fn check_call(
    path: &str,
    client: Option<&str>,
    server: &str,
) -> Result<(), IncompatibleVersions> {
    let client = client.unwrap_or("");
    if is_compatible(client, server) {
        return Ok(());
    }
    // Helm exempts the method by name, whatever the service.
    if crate::methods::split_path(path).is_some_and(|(_, method)| method == "GetVersion") {
        return Ok(());
    }
    Err(IncompatibleVersions {
        client: client.to_owned(),
        server: server.to_owned(),
    })
}

/// A version in the lenient syntax of Masterminds semver 1.x: optional
/// lowercase `v`, major, optional `.minor` and `.patch` (missing parts are
/// 0), optional `-prerelease` and `+metadata` made of dot-separated
/// `[0-9A-Za-z-]+` identifiers. Numbers must fit an `i64`.
#[derive(Debug, PartialEq, Eq)]
struct SemVer<'a> {
    major: i64,
    minor: i64,
    patch: i64,
    pre: &'a str,
}

impl<'a> SemVer<'a> {
    fn parse(text: &'a str) -> Option<Self> {
        let rest = text.strip_prefix('v').unwrap_or(text);
        let (major, mut rest) = leading_number(rest)?;
        let mut minor = 0;
        let mut patch = 0;
        if let Some(after_dot) = rest.strip_prefix('.') {
            (minor, rest) = leading_number(after_dot)?;
            if let Some(after_dot) = rest.strip_prefix('.') {
                (patch, rest) = leading_number(after_dot)?;
            }
        }
        let (before_meta, meta) = match rest.split_once('+') {
            Some((before, meta)) => (before, Some(meta)),
            None => (rest, None),
        };
        let pre = match before_meta.strip_prefix('-') {
            Some(pre) => pre,
            None if before_meta.is_empty() => "",
            None => return None,
        };
        if before_meta.starts_with('-') && !valid_identifiers(pre) {
            return None;
        }
        if meta.is_some_and(|m| !valid_identifiers(m)) {
            return None;
        }
        Some(SemVer {
            major,
            minor,
            patch,
            pre,
        })
    }
}

/// Splits a run of ASCII digits off the front of `s` and parses it.
fn leading_number(s: &str) -> Option<(i64, &str)> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if end == 0 {
        return None;
    }
    let n = s[..end].parse().ok()?;
    Some((n, &s[end..]))
}

/// Dot-separated, non-empty identifiers of ASCII letters, digits and `-`.
fn valid_identifiers(s: &str) -> bool {
    s.split('.').all(|part| {
        !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helm_compatibility_table() {
        // Cases of Helm's own compatible_test.go plus the edges of the rule.
        let cases = [
            ("v2.0.0-alpha.4", "v2.0.0-alpha.4", true),
            ("v2.0.0-alpha.3", "v2.0.0-alpha.4", false),
            ("v2.0.0", "v2.0.0-alpha.4", false),
            ("v2.0.0-alpha.4", "v2.0.0", false),
            ("v2.0.0", "v2.0.1", true),
            ("v2.0.1", "v2.0.0", true),
            ("v2.0.0", "v2.1.1", true),
            ("v2.1.0", "v2.0.1", false),
            (HELM_VERSION, HELM_VERSION, true),
            ("v2.16.12", HELM_VERSION, true),
            ("v2.18.0", HELM_VERSION, false),
            ("v3.0.0", HELM_VERSION, false),
            ("v1.2.0", HELM_VERSION, false),
            ("", HELM_VERSION, false),
            ("v2.17+unreleased", HELM_VERSION, true),
            ("", "v2.17+unreleased", true),
            ("garbage", "garbage-unreleased", true),
            ("2.17", "v2.17.3", true),
            ("v2", "v2.0.0", true),
            ("v2.17.0+build.7", HELM_VERSION, true),
            ("v2.17.0-rc.1+a", "v2.17.0-rc.1+b", true),
            ("V2.17.0", HELM_VERSION, false),
            (HELM_VERSION, "v2.17.0.1", false),
            (HELM_VERSION, "v2.17.0-", false),
            (HELM_VERSION, "v2.17.0-rc..1", false),
            (HELM_VERSION, "v2.17.0+", false),
            (HELM_VERSION, " v2.17.0", false),
            ("v99999999999999999999.0.0", HELM_VERSION, false),
        ];
        for (client, server, want) in cases {
            assert_eq!(
                is_compatible(client, server),
                want,
                "client {client:?} server {server:?}"
            );
        }
    }

    #[test]
    fn parses_the_lenient_syntax() {
        assert_eq!(
            SemVer::parse("v1.2.3-rc.1-x+meta.9"),
            Some(SemVer {
                major: 1,
                minor: 2,
                patch: 3,
                pre: "rc.1-x"
            })
        );
        assert_eq!(
            SemVer::parse("7"),
            Some(SemVer {
                major: 7,
                minor: 0,
                patch: 0,
                pre: ""
            })
        );
        assert_eq!(
            SemVer::parse("1.2-beta"),
            Some(SemVer {
                major: 1,
                minor: 2,
                patch: 0,
                pre: "beta"
            })
        );
        assert_eq!(SemVer::parse(""), None);
        assert_eq!(SemVer::parse("v"), None);
        assert_eq!(SemVer::parse("1."), None);
        assert_eq!(SemVer::parse("1.2.3x"), None);
        assert_eq!(SemVer::parse("1.2.3-be_ta"), None);
    }

    #[test]
    fn check_call_exempts_only_get_version() {
        use crate::methods::{health, tiller};
        assert_eq!(
            check_call(tiller::INSTALL_RELEASE, Some(HELM_VERSION), HELM_VERSION),
            Ok(())
        );
        assert_eq!(check_call(tiller::GET_VERSION, None, HELM_VERSION), Ok(()));
        assert_eq!(
            check_call(tiller::GET_VERSION, Some("v3.0.0"), HELM_VERSION),
            Ok(())
        );
        let err = check_call(tiller::LIST_RELEASES, None, HELM_VERSION).expect_err("no header");
        assert_eq!(
            err.to_string(),
            "incompatible versions client[] server[v2.17.0]"
        );
        let err = check_call(health::CHECK, Some("v2.9.1"), "v3.1.0").expect_err("old client");
        assert_eq!(err.client, "v2.9.1");
        assert_eq!(err.server, "v3.1.0");
    }

    #[test]
    fn incompatibility_message_matches_tiller() {
        assert_eq!(
            incompatible_versions_message("v3.0.0", HELM_VERSION),
            "incompatible versions client[v3.0.0] server[v2.17.0]"
        );
    }
}
