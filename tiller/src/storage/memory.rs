//! The Memory driver (`--storage=memory`, Helm's name "Memory"): records
//! per release name, sorted by revision, kept in this process only (so it
//! is no use with more than one replica).
//!
//! It follows Helm's memory driver: deep copies in and out, keys parsed as
//! `<name>.v<revision>`, an empty query result is an empty list rather than
//! an error, an update of a missing record reports the release name. Like the
//! Kubernetes drivers here, and unlike Helm's, every record has a
//! resourceVersion (a process-wide counter) that updates and deletes check.

use std::collections::{BTreeMap, HashMap};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use async_trait::async_trait;
use helm_proto::hapi::release::Release;

use super::driver::{Driver, Filter};
use super::error::StorageError;
use super::labels;
use super::record::{
    LABEL_CREATED_AT, LABEL_MODIFIED_AT, Record, RecordMeta, object_labels, parse_key, unix_now,
};

/// Helm's name for this driver.
pub const MEMORY_DRIVER_NAME: &str = "Memory";

#[derive(Debug, Default)]
struct State {
    /// Release name → its records, sorted by revision.
    releases: HashMap<String, Vec<Record>>,
    /// The last resourceVersion handed out.
    last_version: u64,
}

impl State {
    fn next_version(&mut self) -> String {
        self.last_version += 1;
        self.last_version.to_string()
    }

    fn find(&self, name: &str, key: &str) -> Option<&Record> {
        self.releases.get(name)?.iter().find(|r| r.key == key)
    }
}

/// Release records held in this process.
#[derive(Debug, Default)]
pub struct Memory {
    state: RwLock<State>,
}

impl Memory {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    // A panic while holding the lock cannot leave the map half-updated (every
    // mutation is a single push/replace/remove), so a poisoned lock is safe
    // to keep using.
    fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn check_version(key: &str, have: &Record, want: Option<&str>) -> Result<(), StorageError> {
    match want {
        Some(want) if want != have.resource_version => Err(StorageError::Conflict {
            key: key.to_owned(),
            resource_version: want.to_owned(),
        }),
        _ => Ok(()),
    }
}

#[async_trait]
impl Driver for Memory {
    fn name(&self) -> &'static str {
        MEMORY_DRIVER_NAME
    }

    async fn get(&self, key: &str) -> Result<Record, StorageError> {
        let (name, _) = parse_key(key)?;
        self.read()
            .find(name, key)
            .cloned()
            .ok_or_else(|| StorageError::NotFound(key.to_owned()))
    }

    async fn list(&self, filter: Filter<'_>) -> Result<Vec<Record>, StorageError> {
        let state = self.read();
        Ok(state
            .releases
            .values()
            .flatten()
            .filter(|r| filter(&r.release))
            .cloned()
            .collect())
    }

    async fn query(&self, want: &BTreeMap<String, String>) -> Result<Vec<Record>, StorageError> {
        let state = self.read();
        Ok(state
            .releases
            .values()
            .flatten()
            .filter(|r| labels::matches(&r.labels, want))
            .cloned()
            .collect())
    }

    async fn create(
        &self,
        key: &str,
        release: &Release,
        meta: &RecordMeta,
    ) -> Result<Record, StorageError> {
        let labels = object_labels(release, meta, (LABEL_CREATED_AT, unix_now()))?;
        let mut state = self.write();
        if state
            .releases
            .get(&release.name)
            .is_some_and(|recs| recs.iter().any(|r| r.key == key))
        {
            return Err(StorageError::AlreadyExists(key.to_owned()));
        }
        let record = Record {
            key: key.to_owned(),
            release: release.clone(),
            resource_version: state.next_version(),
            labels,
            annotations: meta.annotations.clone(),
        };
        let recs = state.releases.entry(release.name.clone()).or_default();
        recs.push(record.clone());
        recs.sort_by_key(|r| r.release.version);
        Ok(record)
    }

    async fn update(
        &self,
        key: &str,
        release: &Release,
        meta: &RecordMeta,
        resource_version: &str,
    ) -> Result<Record, StorageError> {
        let labels = object_labels(release, meta, (LABEL_MODIFIED_AT, unix_now()))?;
        let mut state = self.write();
        let next = state.last_version + 1;
        let slot = state
            .releases
            .get_mut(&release.name)
            .and_then(|recs| recs.iter_mut().find(|r| r.key == key))
            .ok_or_else(|| StorageError::NotFound(release.name.clone()))?;
        check_version(key, slot, Some(resource_version))?;
        *slot = Record {
            key: key.to_owned(),
            release: release.clone(),
            resource_version: next.to_string(),
            labels,
            annotations: meta.annotations.clone(),
        };
        let record = slot.clone();
        state.last_version = next;
        if let Some(recs) = state.releases.get_mut(&release.name) {
            recs.sort_by_key(|r| r.release.version);
        }
        Ok(record)
    }

    async fn delete(
        &self,
        key: &str,
        resource_version: Option<&str>,
    ) -> Result<Record, StorageError> {
        let (name, _) = parse_key(key)?;
        let mut state = self.write();
        let not_found = || StorageError::NotFound(key.to_owned());
        let recs = state.releases.get_mut(name).ok_or_else(not_found)?;
        let index = recs
            .iter()
            .position(|r| r.key == key)
            .ok_or_else(not_found)?;
        check_version(key, &recs[index], resource_version)?;
        let record = recs.remove(index);
        if recs.is_empty() {
            state.releases.remove(name);
        }
        Ok(record)
    }
}

#[cfg(test)]
mod tests {
    use helm_proto::hapi::release::{Info, Status, status::Code};

    use super::*;

    fn rel(name: &str, version: i32, code: Code) -> Release {
        Release {
            name: name.to_owned(),
            version,
            namespace: "default".to_owned(),
            info: Some(Info {
                status: Some(Status {
                    code: code as i32,
                    ..Status::default()
                }),
                ..Info::default()
            }),
            ..Release::default()
        }
    }

    fn query(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    async fn seeded() -> Memory {
        let mem = Memory::new();
        let data = [
            ("rls-a", 1, Code::Superseded),
            ("rls-a", 2, Code::Superseded),
            ("rls-a", 3, Code::Deployed),
            ("rls-b", 4, Code::Deployed),
            ("rls-c", 5, Code::Failed),
        ];
        for (name, version, code) in data {
            let key = format!("{name}.v{version}");
            mem.create(&key, &rel(name, version, code), &RecordMeta::default())
                .await
                .expect("create");
        }
        mem
    }

    #[tokio::test]
    async fn get() {
        let mem = seeded().await;
        let cases: &[(&str, Result<i32, &str>)] = &[
            ("rls-a.v1", Ok(1)),
            ("rls-a.v3", Ok(3)),
            ("rls-a.v9", Err(r#"release: "rls-a.v9" not found"#)),
            ("rls-z.v1", Err(r#"release: "rls-z.v1" not found"#)),
            ("rls-a", Err(r#"release: "rls-a" invalid key"#)),
            ("rls-a.vx", Err(r#"release: "rls-a.vx" invalid key"#)),
        ];
        for (key, want) in cases {
            match (mem.get(key).await, want) {
                (Ok(r), Ok(v)) => {
                    assert_eq!(r.release.version, *v, "{key}");
                    assert_eq!(r.key, *key);
                }
                (Err(e), Err(msg)) => assert_eq!(e.to_string(), *msg, "{key}"),
                (got, want) => panic!("{key}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[tokio::test]
    async fn create_refuses_duplicates_and_stores_copies() {
        let mem = seeded().await;
        let err = mem
            .create(
                "rls-a.v1",
                &rel("rls-a", 1, Code::Deployed),
                &RecordMeta::default(),
            )
            .await
            .expect_err("duplicate");
        assert_eq!(err.to_string(), r#"release: "rls-a.v1" already exists"#);
        // The stored record is untouched.
        let r = mem.get("rls-a.v1").await.expect("get");
        assert_eq!(r.status(), Code::Superseded);
        assert_eq!(r.labels["STATUS"], "SUPERSEDED");
        assert!(r.labels.contains_key("CREATED_AT"));
    }

    #[tokio::test]
    async fn list_and_query() {
        let mem = seeded().await;
        let all = mem.list(&|_| true).await.expect("list");
        assert_eq!(all.len(), 5);
        let deployed = mem
            .list(&|r: &Release| {
                r.info
                    .as_ref()
                    .and_then(|i| i.status.as_ref())
                    .is_some_and(|s| s.code == Code::Deployed as i32)
            })
            .await
            .expect("list");
        assert_eq!(deployed.len(), 2);

        let cases: &[(&[(&str, &str)], usize)] = &[
            (&[("NAME", "rls-a"), ("OWNER", "TILLER")], 3),
            (
                &[
                    ("NAME", "rls-a"),
                    ("OWNER", "TILLER"),
                    ("STATUS", "DEPLOYED"),
                ],
                1,
            ),
            (&[("OWNER", "TILLER"), ("STATUS", "DEPLOYED")], 2),
            (&[("NAME", "nope"), ("OWNER", "TILLER")], 0),
            (&[("VERSION", "5")], 1),
        ];
        for (q, n) in cases {
            let got = mem.query(&query(q)).await.expect("query never fails");
            assert_eq!(got.len(), *n, "{q:?}");
        }
    }

    #[tokio::test]
    async fn update_checks_resource_version() {
        let mem = seeded().await;
        let read = mem.get("rls-a.v3").await.expect("get");
        let mut changed = read.release.clone();
        if let Some(s) = changed.info.as_mut().and_then(|i| i.status.as_mut()) {
            s.code = Code::Superseded as i32;
        }
        let written = mem
            .update("rls-a.v3", &changed, &read.meta(), &read.resource_version)
            .await
            .expect("update");
        assert_ne!(written.resource_version, read.resource_version);
        assert_eq!(written.labels["STATUS"], "SUPERSEDED");
        assert!(written.labels.contains_key("MODIFIED_AT"));
        assert!(!written.labels.contains_key("CREATED_AT"));

        // A second writer from the same read loses.
        let err = mem
            .update(
                "rls-a.v3",
                &read.release,
                &read.meta(),
                &read.resource_version,
            )
            .await
            .expect_err("stale");
        assert!(matches!(err, StorageError::Conflict { .. }), "{err}");
        assert!(err.retryable());
        assert_eq!(
            mem.get("rls-a.v3").await.expect("get").status(),
            Code::Superseded
        );

        let err = mem
            .update(
                "rls-q.v1",
                &rel("rls-q", 1, Code::Deployed),
                &RecordMeta::default(),
                "1",
            )
            .await
            .expect_err("missing");
        assert_eq!(err.to_string(), r#"release: "rls-q" not found"#);
    }

    #[tokio::test]
    async fn delete() {
        let mem = seeded().await;
        let read = mem.get("rls-a.v2").await.expect("get");
        let err = mem
            .delete("rls-a.v2", Some("nope"))
            .await
            .expect_err("stale");
        assert!(matches!(err, StorageError::Conflict { .. }));
        let gone = mem
            .delete("rls-a.v2", Some(&read.resource_version))
            .await
            .expect("delete");
        assert_eq!(gone.release.version, 2);
        let err = mem.delete("rls-a.v2", None).await.expect_err("gone");
        assert_eq!(err.to_string(), r#"release: "rls-a.v2" not found"#);
        let err = mem.delete("rls-a", None).await.expect_err("bad key");
        assert_eq!(err.to_string(), r#"release: "rls-a" invalid key"#);
        mem.delete("rls-b.v4", None)
            .await
            .expect("delete last of a name");
        assert_eq!(mem.list(&|_| true).await.expect("list").len(), 3);
    }

    #[tokio::test]
    async fn extra_metadata_round_trips() {
        let mem = Memory::new();
        let mut meta = RecordMeta::default();
        meta.labels.insert("tiller.sh/term".into(), "3".into());
        meta.annotations
            .insert("tiller.sh/holder".into(), "pod-1".into());
        let created = mem
            .create("x.v1", &rel("x", 1, Code::PendingInstall), &meta)
            .await
            .expect("create");
        assert_eq!(created.meta(), meta);
        let q = mem
            .query(&query(&[("tiller.sh/term", "3")]))
            .await
            .expect("query");
        assert_eq!(q.len(), 1);
    }
}
