//! Release records: a stored release together with the resourceVersion it
//! was read at and the labels and annotations of its object, plus the
//! record keys (`<name>.v<revision>`) and the labels Helm v2 puts on them.

use std::collections::BTreeMap;

use helm_proto::hapi::release::{Release, status};

use super::error::StorageError;

/// Label holding the release name.
pub const LABEL_NAME: &str = "NAME";
/// Label holding the owner, always [`OWNER_TILLER`].
pub const LABEL_OWNER: &str = "OWNER";
/// Label holding the status code's enum name (`DEPLOYED`, ...).
pub const LABEL_STATUS: &str = "STATUS";
/// Label holding the revision in decimal.
pub const LABEL_VERSION: &str = "VERSION";
/// Label holding the creation time (Unix seconds); set by create only.
pub const LABEL_CREATED_AT: &str = "CREATED_AT";
/// Label holding the last update time (Unix seconds); set by update only.
pub const LABEL_MODIFIED_AT: &str = "MODIFIED_AT";
/// The value of the [`LABEL_OWNER`] label.
pub const OWNER_TILLER: &str = "TILLER";

/// Labels written by the drivers themselves; extra metadata may not set them.
pub const RESERVED_LABELS: [&str; 6] = [
    LABEL_NAME,
    LABEL_OWNER,
    LABEL_STATUS,
    LABEL_VERSION,
    LABEL_CREATED_AT,
    LABEL_MODIFIED_AT,
];

/// The storage key of a revision: `<name>.v<revision>`.
pub fn make_key(name: &str, version: i32) -> String {
    format!("{name}.v{version}")
}

/// Splits a key into release name and revision.
///
/// Helm's memory driver splits on every `.v` and so rejects names that
/// contain `.v` themselves (`my.vault.v1`); the last `.v` is used here, which
/// accepts every key [`make_key`] can produce.
pub fn parse_key(key: &str) -> Result<(&str, i64), StorageError> {
    let invalid = || StorageError::InvalidKey(key.to_owned());
    let (name, version) = key.rsplit_once(".v").ok_or_else(invalid)?;
    let version = parse_go_int(version).ok_or_else(invalid)?;
    Ok((name, version))
}

/// Parses a decimal integer as Go's `strconv.Atoi` does on 64-bit targets
/// (optional sign, digits only, 64-bit range).
fn parse_go_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Extra metadata carried on a record's object next to Helm's own labels:
/// for example the HA layer's holder and term. Helm v2 ignores labels and
/// annotations it does not know, so records stay readable by v2 tooling.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordMeta {
    /// Extra labels (must not use a [`RESERVED_LABELS`] key).
    pub labels: BTreeMap<String, String>,
    /// Annotations.
    pub annotations: BTreeMap<String, String>,
}

impl RecordMeta {
    /// Fails when an extra label would overwrite one the driver owns.
    pub fn check_reserved(&self) -> Result<(), StorageError> {
        match self
            .labels
            .keys()
            .find(|k| RESERVED_LABELS.contains(&k.as_str()))
        {
            Some(k) => Err(StorageError::ReservedLabel(k.clone())),
            None => Ok(()),
        }
    }
}

/// A stored revision as read from (or written to) a driver.
///
/// Reads hand out records, and updates take them back: the
/// `resource_version` read is sent with the update, so a writer working from
/// a stale read gets [`StorageError::Conflict`] instead of silently
/// overwriting someone else's change.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The record key, `<name>.v<revision>`.
    pub key: String,
    /// The decoded release.
    pub release: Release,
    /// The object's resourceVersion when it was read or written.
    pub resource_version: String,
    /// All labels of the stored object, Helm's own included.
    pub labels: BTreeMap<String, String>,
    /// All annotations of the stored object.
    pub annotations: BTreeMap<String, String>,
}

impl Record {
    /// The extra metadata of this record: its labels minus the reserved ones,
    /// and its annotations. Updates carry these over.
    pub fn meta(&self) -> RecordMeta {
        RecordMeta {
            labels: self
                .labels
                .iter()
                .filter(|(k, _)| !RESERVED_LABELS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            annotations: self.annotations.clone(),
        }
    }

    /// The release's revision.
    pub fn version(&self) -> i32 {
        self.release.version
    }

    /// The release's status code (`Unknown` when it has none).
    pub fn status(&self) -> status::Code {
        status_code(&self.release)
    }
}

/// The status code of a release; a missing status reads as `Unknown`, as
/// Go's nil-safe getters do.
pub fn status_code(release: &Release) -> status::Code {
    release
        .info
        .as_ref()
        .and_then(|i| i.status.as_ref())
        .and_then(|s| status::Code::try_from(s.code).ok())
        .unwrap_or(status::Code::Unknown)
}

/// The enum name stored in the STATUS label. Helm v2 would crash on a
/// release without a status; that is an error here.
pub fn status_label(release: &Release) -> Result<&'static str, StorageError> {
    let code = release
        .info
        .as_ref()
        .and_then(|i| i.status.as_ref())
        .map(|s| s.code)
        .ok_or_else(|| StorageError::MissingStatus {
            name: release.name.clone(),
            version: release.version,
        })?;
    status::Code::try_from(code)
        .map(|c| c.as_str_name())
        .map_err(|_| StorageError::UnknownStatus {
            name: release.name.clone(),
            version: release.version,
            code,
        })
}

/// Helm's four identifying labels: NAME, OWNER=TILLER, STATUS, VERSION.
pub fn helm_labels(release: &Release) -> Result<BTreeMap<String, String>, StorageError> {
    let status = status_label(release)?;
    Ok(BTreeMap::from([
        (LABEL_NAME.to_owned(), release.name.clone()),
        (LABEL_OWNER.to_owned(), OWNER_TILLER.to_owned()),
        (LABEL_STATUS.to_owned(), status.to_owned()),
        (LABEL_VERSION.to_owned(), release.version.to_string()),
    ]))
}

/// Labels for a written object: the extra labels, then Helm's four, then the
/// timestamp label (`CREATED_AT` on create, `MODIFIED_AT` on update).
pub(crate) fn object_labels(
    release: &Release,
    meta: &RecordMeta,
    stamp: (&str, i64),
) -> Result<BTreeMap<String, String>, StorageError> {
    meta.check_reserved()?;
    let mut labels = meta.labels.clone();
    labels.extend(helm_labels(release)?);
    labels.insert(stamp.0.to_owned(), stamp.1.to_string());
    Ok(labels)
}

/// Seconds since the Unix epoch, for the CREATED_AT / MODIFIED_AT labels.
pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use helm_proto::hapi::release::{Info, Status};

    use super::*;

    fn release(name: &str, version: i32, code: Option<i32>) -> Release {
        Release {
            name: name.to_owned(),
            version,
            info: code.map(|code| Info {
                status: Some(Status {
                    code,
                    ..Status::default()
                }),
                ..Info::default()
            }),
            ..Release::default()
        }
    }

    #[test]
    fn keys() {
        type Case<'a> = (&'a str, Result<(&'a str, i64), &'a str>);
        let cases: &[Case<'_>] = &[
            ("wordpress.v3", Ok(("wordpress", 3))),
            ("a.v0", Ok(("a", 0))),
            ("my.vault.v12", Ok(("my.vault", 12))),
            ("x.v+4", Ok(("x", 4))),
            ("x.v-1", Ok(("x", -1))),
            ("wordpress", Err(r#"release: "wordpress" invalid key"#)),
            ("wordpress.v", Err(r#"release: "wordpress.v" invalid key"#)),
            (
                "wordpress.vx",
                Err(r#"release: "wordpress.vx" invalid key"#),
            ),
            ("w.v1 ", Err(r#"release: "w.v1 " invalid key"#)),
            ("w.v99999999999", Ok(("w", 99_999_999_999))),
            (
                "w.v99999999999999999999",
                Err(r#"release: "w.v99999999999999999999" invalid key"#),
            ),
        ];
        for (key, want) in cases {
            match (parse_key(key), want) {
                (Ok(got), Ok(want)) => assert_eq!(got, *want, "{key}"),
                (Err(got), Err(want)) => assert_eq!(got.to_string(), *want, "{key}"),
                (got, want) => panic!("{key}: got {got:?}, want {want:?}"),
            }
        }
        assert_eq!(make_key("wordpress", 3), "wordpress.v3");
        assert_eq!(
            parse_key(&make_key("a.very.odd.v-name", 7)).ok(),
            Some(("a.very.odd.v-name", 7))
        );
    }

    #[test]
    fn helm_labels_use_enum_names() {
        let names = [
            (0, "UNKNOWN"),
            (1, "DEPLOYED"),
            (2, "DELETED"),
            (3, "SUPERSEDED"),
            (4, "FAILED"),
            (5, "DELETING"),
            (6, "PENDING_INSTALL"),
            (7, "PENDING_UPGRADE"),
            (8, "PENDING_ROLLBACK"),
        ];
        for (code, name) in names {
            let l = helm_labels(&release("web", 12, Some(code))).expect("labels");
            assert_eq!(l["STATUS"], name);
            assert_eq!(l["NAME"], "web");
            assert_eq!(l["OWNER"], "TILLER");
            assert_eq!(l["VERSION"], "12");
            assert_eq!(l.len(), 4);
        }
        let err = helm_labels(&release("web", 2, None)).expect_err("no status");
        assert_eq!(
            err.to_string(),
            r#"release "web" revision 2 has no status to store"#
        );
        let err = helm_labels(&release("web", 2, Some(42))).expect_err("bad code");
        assert_eq!(
            err.to_string(),
            r#"release "web" revision 2 has unknown status code 42"#
        );
    }

    #[test]
    fn object_labels_merge_extras_and_refuse_reserved() {
        let mut meta = RecordMeta::default();
        meta.labels.insert("tiller.sh/term".into(), "7".into());
        let l = object_labels(&release("web", 1, Some(1)), &meta, (LABEL_CREATED_AT, 99))
            .expect("labels");
        assert_eq!(l["tiller.sh/term"], "7");
        assert_eq!(l["CREATED_AT"], "99");
        assert!(!l.contains_key("MODIFIED_AT"));
        meta.labels.insert("STATUS".into(), "DEPLOYED".into());
        let err = object_labels(&release("web", 1, Some(1)), &meta, (LABEL_CREATED_AT, 99))
            .expect_err("reserved");
        assert_eq!(
            err.to_string(),
            r#"label "STATUS" is reserved for the storage driver"#
        );
    }

    #[test]
    fn record_meta_drops_reserved_labels() {
        let rec = Record {
            key: "web.v1".into(),
            release: release("web", 1, Some(1)),
            resource_version: "5".into(),
            labels: BTreeMap::from([
                ("NAME".into(), "web".into()),
                ("CREATED_AT".into(), "1".into()),
                ("team".into(), "a".into()),
            ]),
            annotations: BTreeMap::from([("tiller.sh/holder".into(), "pod-0".into())]),
        };
        let meta = rec.meta();
        assert_eq!(meta.labels.len(), 1);
        assert_eq!(meta.labels["team"], "a");
        assert_eq!(meta.annotations["tiller.sh/holder"], "pod-0");
        assert_eq!(rec.status(), status::Code::Deployed);
        assert_eq!(rec.version(), 1);
    }
}
