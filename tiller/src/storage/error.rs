//! Storage errors: Helm v2's exact texts for the cases Helm clients match on
//! (not found, already exists, invalid key, no deployed releases, no
//! revision), plus the errors of the safety rules this crate adds (conflicts,
//! size limit, fencing), each able to say whether a retry may help.

use std::fmt::Write as _;

use super::fence::Fenced;

/// Everything that can go wrong reading or writing release records.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// No record under this key (Get, Update, Delete) or release name (Query).
    #[error("release: {} not found", go_quote(.0))]
    NotFound(String),
    /// A record with this key (Secret driver: this release name) exists.
    #[error("release: {} already exists", go_quote(.0))]
    AlreadyExists(String),
    /// The key is not `<name>.v<revision>`.
    #[error("release: {} invalid key", go_quote(.0))]
    InvalidKey(String),
    /// `Deployed(name)` found no DEPLOYED revision.
    #[error("{} has no deployed releases", go_quote(.0))]
    NoDeployedReleases(String),
    /// `Last(name)` found no revision at all.
    #[error("no revision for release {}", go_quote(.0))]
    NoRevision(String),
    /// A query value is not a valid Kubernetes label value.
    #[error("invalid label value: {}: {}", go_quote(.value), .reasons.join("; "))]
    InvalidLabelValue {
        /// The offending value.
        value: String,
        /// Kubernetes' validation messages.
        reasons: Vec<String>,
    },
    /// The record changed since it was read (its resourceVersion moved on),
    /// so this write was refused instead of overwriting the other writer.
    #[error(
        "release record {} was modified by another writer since it was read (resourceVersion {}); read it again and retry",
        go_quote(.key),
        go_quote(.resource_version)
    )]
    Conflict {
        /// The record key.
        key: String,
        /// The resourceVersion this write was based on.
        resource_version: String,
    },
    /// An update was asked for without the resourceVersion of a read, which
    /// would overwrite whatever is stored.
    #[error("release record {} has no resourceVersion; update it from a record that was read", go_quote(.0))]
    Unversioned(String),
    /// The record handed to an update holds a release of another key.
    #[error("release {} revision {version} does not belong to record {}", go_quote(.name), go_quote(.key))]
    KeyMismatch {
        /// The record's key.
        key: String,
        /// The release's name.
        name: String,
        /// The release's revision.
        version: i32,
    },
    /// The encoded release does not fit in one ConfigMap or Secret.
    #[error(
        "release {} revision {version} is too large to store: {} ({size} bytes) encoded, the {kind} limit is 1 MiB ({limit} bytes)",
        go_quote(.name),
        mib(*.size)
    )]
    TooLarge {
        /// Release name.
        name: String,
        /// Revision.
        version: i32,
        /// Bytes the object's data would hold.
        size: usize,
        /// The API server's limit.
        limit: usize,
        /// `ConfigMap` or `Secret`.
        kind: &'static str,
    },
    /// The release cannot be labelled because it has no `info.status`.
    #[error("release {} revision {version} has no status to store", go_quote(.name))]
    MissingStatus {
        /// Release name.
        name: String,
        /// Revision.
        version: i32,
    },
    /// The release's status code is not one Helm v2 knows.
    #[error("release {} revision {version} has unknown status code {code}", go_quote(.name))]
    UnknownStatus {
        /// Release name.
        name: String,
        /// Revision.
        version: i32,
        /// The raw code.
        code: i32,
    },
    /// Extra metadata tried to set one of the labels the driver owns.
    #[error("label {} is reserved for the storage driver", go_quote(.0))]
    ReservedLabel(String),
    /// The stored object has no `release` data entry.
    #[error("release record {} has no release data", go_quote(.0))]
    MissingData(String),
    /// Secret data that is not the UTF-8 text of the encoded release.
    #[error("release record {} holds data that is not text", go_quote(.0))]
    NotText(String),
    /// The stored release text could not be decoded (or the release encoded).
    #[error("release record {}: {source}", go_quote(.key))]
    Codec {
        /// The record key.
        key: String,
        /// What the codec reported.
        #[source]
        source: helm_proto::StorageError,
    },
    /// The write was refused by the fence (this replica may no longer write).
    #[error(transparent)]
    Fenced(#[from] Fenced),
    /// A Kubernetes API request took too long. The write may still have
    /// happened on the server: read again before retrying.
    #[error("{op} {key}: no answer from the Kubernetes API within {after:?}", key = go_quote(.key))]
    Timeout {
        /// The operation (`get`, `list`, `create`, ...).
        op: &'static str,
        /// The key or selector involved.
        key: String,
        /// The limit that passed.
        after: std::time::Duration,
    },
    /// Any other Kubernetes API failure.
    #[error("{op} {key}: {source}", key = go_quote(.key))]
    Kube {
        /// The operation (`get`, `list`, `create`, ...).
        op: &'static str,
        /// The key or selector involved.
        key: String,
        /// The client error.
        #[source]
        source: kube::Error,
    },
}

impl StorageError {
    /// Whether retrying the same operation (after re-reading, for conflicts)
    /// may succeed: conflicts, API server 5xx, 429 and 408 answers, timeouts
    /// and transport failures. "Already exists" is not retryable: the
    /// revision was taken by another writer and has to be recomputed.
    pub fn retryable(&self) -> bool {
        match self {
            Self::Conflict { .. } | Self::Timeout { .. } => true,
            Self::Kube { source, .. } => kube_error_retryable(source),
            Self::NotFound(_)
            | Self::AlreadyExists(_)
            | Self::InvalidKey(_)
            | Self::NoDeployedReleases(_)
            | Self::NoRevision(_)
            | Self::InvalidLabelValue { .. }
            | Self::TooLarge { .. }
            | Self::Unversioned(_)
            | Self::KeyMismatch { .. }
            | Self::MissingStatus { .. }
            | Self::UnknownStatus { .. }
            | Self::ReservedLabel(_)
            | Self::MissingData(_)
            | Self::NotText(_)
            | Self::Codec { .. }
            | Self::Fenced(_) => false,
        }
    }

    /// Whether this is a not-found error (of any of Helm's kinds: missing
    /// record, no deployed revision, no revision).
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            Self::NotFound(_) | Self::NoDeployedReleases(_) | Self::NoRevision(_)
        )
    }
}

fn kube_error_retryable(err: &kube::Error) -> bool {
    match err {
        kube::Error::Api(status) => {
            status.code >= 500
                || status.code == 429
                || status.code == 408
                || status.code == 409
                || matches!(
                    status.reason.as_str(),
                    "Timeout" | "ServerTimeout" | "TooManyRequests" | "Conflict"
                )
        }
        kube::Error::HyperError(_) | kube::Error::Service(_) | kube::Error::ReadEvents(_) => true,
        _ => false,
    }
}

/// Formats a byte count in MiB with one decimal, as the size error prints it.
fn mib(bytes: usize) -> String {
    // Precision loss is irrelevant for a one-decimal display.
    #[allow(clippy::cast_precision_loss, reason = "display only")]
    let v = bytes as f64 / 1_048_576.0;
    format!("{v:.1} MiB")
}

/// Quotes a string the way Go's `%q` does, so error texts match Helm's
/// byte for byte even for odd names.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if !go_printable(c) => {
                let code = c as u32;
                if code <= 0xffff {
                    let _ = write!(out, "\\u{code:04x}");
                } else {
                    let _ = write!(out, "\\U{code:08x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `unicode.IsPrint` for the characters that matter here: controls,
/// non-ASCII spaces and the common format characters are not printable.
/// Rust's std has no general-category table, so rarer unassigned or format
/// code points are treated as printable; names and keys are ASCII in practice.
fn go_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    !(c.is_control()
        || c.is_whitespace()
        || matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helm_texts_are_exact() {
        assert_eq!(
            StorageError::NotFound("wordpress.v3".into()).to_string(),
            r#"release: "wordpress.v3" not found"#
        );
        assert_eq!(
            StorageError::AlreadyExists("wordpress.v3".into()).to_string(),
            r#"release: "wordpress.v3" already exists"#
        );
        assert_eq!(
            StorageError::InvalidKey("wordpress".into()).to_string(),
            r#"release: "wordpress" invalid key"#
        );
        assert_eq!(
            StorageError::NoDeployedReleases("wordpress".into()).to_string(),
            r#""wordpress" has no deployed releases"#
        );
        assert_eq!(
            StorageError::NoRevision("wordpress".into()).to_string(),
            r#"no revision for release "wordpress""#
        );
    }

    #[test]
    fn size_error_names_release_revision_and_limit() {
        let e = StorageError::TooLarge {
            name: "x".into(),
            version: 4,
            size: 1_363_149,
            limit: 1_048_576,
            kind: "ConfigMap",
        };
        assert_eq!(
            e.to_string(),
            r#"release "x" revision 4 is too large to store: 1.3 MiB (1363149 bytes) encoded, the ConfigMap limit is 1 MiB (1048576 bytes)"#
        );
        assert!(!e.retryable());
    }

    #[test]
    fn retryable_classification() {
        let conflict = StorageError::Conflict {
            key: "a.v1".into(),
            resource_version: "7".into(),
        };
        assert!(conflict.retryable());
        let api = |code: u16, reason: &str| StorageError::Kube {
            op: "get",
            key: "a.v1".into(),
            source: kube::Error::Api(
                kube::core::Status::failure("boom", reason)
                    .with_code(code)
                    .boxed(),
            ),
        };
        assert!(api(500, "InternalError").retryable());
        assert!(api(503, "ServiceUnavailable").retryable());
        assert!(api(429, "TooManyRequests").retryable());
        assert!(api(504, "Timeout").retryable());
        assert!(!api(403, "Forbidden").retryable());
        assert!(!api(422, "Invalid").retryable());
        assert!(!StorageError::AlreadyExists("a.v1".into()).retryable());
        assert!(!StorageError::Fenced(Fenced::new("lost the lease")).retryable());
    }

    #[test]
    fn go_quote_matches_go() {
        assert_eq!(go_quote("plain"), r#""plain""#);
        assert_eq!(go_quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(go_quote("tab\there\n"), r#""tab\there\n""#);
        assert_eq!(go_quote("\u{1}\u{7f}"), r#""\x01\x7f""#);
        assert_eq!(go_quote("héllo"), "\"héllo\"");
        assert_eq!(go_quote("\u{85}"), r#""\u0085""#);
    }
}
