//! Tests of the [`Storage`] facade over the Memory driver, after the cases
//! of Helm v2's `storage_test.go`, plus pruning tables, fencing and the
//! safety rules.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use async_trait::async_trait;
use helm_proto::hapi::release::{Info, Status, status::Code};

use super::*;

fn rel(name: &str, version: i32, code: Code) -> Release {
    Release {
        name: name.to_owned(),
        version,
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

fn memory() -> Storage {
    Storage::new(Arc::new(Memory::new()))
}

async fn seed(storage: &Storage, name: &str, revisions: &[(i32, Code)]) {
    for (version, code) in revisions {
        storage
            .create(&rel(name, *version, *code))
            .await
            .expect("seed create");
    }
}

async fn versions(storage: &Storage, name: &str) -> Vec<i32> {
    storage
        .history(name)
        .await
        .expect("history")
        .iter()
        .map(Record::version)
        .collect()
}

#[tokio::test]
async fn create_then_get_returns_the_same_release() {
    let s = memory();
    let r = rel("angry-beaver", 1, Code::Deployed);
    let created = s.create(&r).await.expect("create");
    assert_eq!(created.release, r);
    assert_eq!(created.key, "angry-beaver.v1");
    let got = s.get("angry-beaver", 1).await.expect("get");
    assert_eq!(got.release, r);
    assert_eq!(got.resource_version, created.resource_version);
    assert_eq!(s.driver().name(), "Memory");
}

#[tokio::test]
async fn update_changes_the_stored_release() {
    let s = memory();
    s.create(&rel("angry-beaver", 1, Code::Deployed))
        .await
        .expect("create");
    let mut rec = s.get("angry-beaver", 1).await.expect("get");
    rec.release = rel("angry-beaver", 1, Code::Deleted);
    s.update(&rec).await.expect("update");
    let got = s.get("angry-beaver", 1).await.expect("get");
    assert_eq!(got.release, rel("angry-beaver", 1, Code::Deleted));
}

#[tokio::test]
async fn delete_removes_one_revision() {
    let s = memory();
    seed(
        &s,
        "angry-beaver",
        &[(1, Code::Superseded), (2, Code::Deployed)],
    )
    .await;
    let gone = s.delete("angry-beaver", 1).await.expect("delete");
    assert_eq!(gone.release, rel("angry-beaver", 1, Code::Superseded));
    assert_eq!(versions(&s, "angry-beaver").await, [2]);
    let err = s.delete("angry-beaver", 1).await.expect_err("gone");
    assert_eq!(err.to_string(), r#"release: "angry-beaver.v1" not found"#);
}

#[tokio::test]
async fn list_operations_filter_by_status() {
    let s = memory();
    for (name, code) in [
        ("happy-catdog", Code::Superseded),
        ("livid-human", Code::Superseded),
        ("relaxed-cat", Code::Superseded),
        ("hungry-hippo", Code::Deployed),
        ("angry-beaver", Code::Deployed),
        ("opulent-frog", Code::Deleted),
        ("happy-liger", Code::Deleted),
    ] {
        s.create(&rel(name, 0, code)).await.expect("create");
    }
    assert_eq!(s.list_deleted().await.expect("deleted").len(), 2);
    assert_eq!(s.list_deployed().await.expect("deployed").len(), 2);
    assert_eq!(s.list_releases().await.expect("all").len(), 7);

    let happy = |r: &Release| r.name.starts_with("happy");
    let deployed = status_filter(Code::Deployed);
    let superseded = status_filter(Code::Superseded);
    assert_eq!(s.list_filter_all(&[]).await.expect("all").len(), 7);
    assert_eq!(s.list_filter_any(&[]).await.expect("any").len(), 0);
    assert_eq!(
        s.list_filter_all(&[&happy, &superseded])
            .await
            .expect("all")
            .len(),
        1
    );
    assert_eq!(
        s.list_filter_any(&[&happy, &deployed])
            .await
            .expect("any")
            .len(),
        4
    );
}

#[tokio::test]
async fn last_is_the_highest_revision_whatever_its_status() {
    let s = memory();
    seed(
        &s,
        "angry-bird",
        &[
            (1, Code::Superseded),
            (2, Code::Superseded),
            (3, Code::Superseded),
            (4, Code::Failed),
        ],
    )
    .await;
    assert_eq!(s.last("angry-bird").await.expect("last").version(), 4);
    let err = s.last("nobody").await.expect_err("none");
    assert_eq!(err.to_string(), r#"no revision for release "nobody""#);
    assert!(err.is_not_found());
}

#[tokio::test]
async fn deployed_takes_the_highest_of_several_deployed_revisions() {
    let s = memory();
    // Odd creation order and two DEPLOYED records ("corrupted storage").
    seed(
        &s,
        "angry-bird",
        &[
            (1, Code::Superseded),
            (4, Code::Deployed),
            (3, Code::Superseded),
            (2, Code::Deployed),
        ],
    )
    .await;
    let d = s.deployed("angry-bird").await.expect("deployed");
    assert_eq!(d.version(), 4);
    assert_eq!(d.status(), Code::Deployed);
    assert_eq!(s.deployed_all("angry-bird").await.expect("all").len(), 2);
    assert_eq!(versions(&s, "angry-bird").await, [1, 2, 3, 4]);

    let err = s.deployed("nobody").await.expect_err("none");
    assert_eq!(err.to_string(), r#""nobody" has no deployed releases"#);
    seed(&s, "failed-one", &[(1, Code::Failed)]).await;
    let err = s.deployed("failed-one").await.expect_err("none");
    assert_eq!(err.to_string(), r#""failed-one" has no deployed releases"#);
}

#[tokio::test]
async fn history_lists_all_revisions() {
    let s = memory();
    seed(
        &s,
        "angry-bird",
        &[
            (1, Code::Superseded),
            (2, Code::Superseded),
            (3, Code::Superseded),
            (4, Code::Deployed),
        ],
    )
    .await;
    seed(&s, "other", &[(1, Code::Deployed)]).await;
    assert_eq!(versions(&s, "angry-bird").await, [1, 2, 3, 4]);
    // The Memory driver answers an unknown name with an empty history.
    assert!(s.history("nobody").await.expect("history").is_empty());
}

/// Pruning cases: existing history, the limit, the new revision, and the
/// revisions expected afterwards (the new one included).
#[tokio::test]
async fn pruning_table() {
    use Code::{Deleted, Deployed, Failed, PendingUpgrade, Superseded};
    struct Case {
        what: &'static str,
        history: &'static [(i32, Code)],
        max: usize,
        new: (i32, Code),
        want: &'static [i32],
    }
    let cases = [
        Case {
            what: "unlimited keeps everything",
            history: &[(1, Superseded), (2, Superseded), (3, Deployed)],
            max: 0,
            new: (4, Deployed),
            want: &[1, 2, 3, 4],
        },
        Case {
            what: "limit above history prunes nothing",
            history: &[
                (1, Superseded),
                (2, Superseded),
                (3, Superseded),
                (4, Deployed),
            ],
            max: 10,
            new: (5, Deployed),
            want: &[1, 2, 3, 4, 5],
        },
        Case {
            what: "oldest go first (Helm's remove-least-recent case)",
            history: &[
                (1, Superseded),
                (2, Superseded),
                (3, Superseded),
                (4, Deployed),
            ],
            max: 3,
            new: (5, Deployed),
            want: &[3, 4, 5],
        },
        Case {
            what: "the only deployed revision survives (Helm's dont-delete-deployed case)",
            history: &[(1, Superseded), (2, Deployed), (3, Failed), (4, Failed)],
            max: 3,
            new: (5, Failed),
            want: &[2, 4, 5],
        },
        Case {
            what: "no deployed revision means no pruning",
            history: &[(1, Failed), (2, Failed), (3, Deleted)],
            max: 2,
            new: (4, PendingUpgrade),
            want: &[1, 2, 3, 4],
        },
        Case {
            what: "history-max 1 keeps only the deployed revision and the new one",
            history: &[(1, Superseded), (2, Superseded), (3, Deployed)],
            max: 1,
            new: (4, PendingUpgrade),
            want: &[3, 4],
        },
        Case {
            what: "of several deployed revisions only the highest is protected",
            history: &[(1, Deployed), (2, Superseded), (3, Deployed), (4, Failed)],
            max: 2,
            new: (5, PendingUpgrade),
            want: &[3, 5],
        },
        Case {
            what: "exactly at the limit prunes one",
            history: &[(1, Superseded), (2, Deployed)],
            max: 2,
            new: (3, PendingUpgrade),
            want: &[2, 3],
        },
    ];
    for case in cases {
        let s = memory();
        seed(&s, "angry-bird", case.history).await;
        let s = s.with_max_history(case.max);
        s.create(&rel("angry-bird", case.new.0, case.new.1))
            .await
            .expect(case.what);
        assert_eq!(versions(&s, "angry-bird").await, case.want, "{}", case.what);
    }
}

#[tokio::test]
async fn pruning_never_happens_on_update_or_for_other_releases() {
    let s = memory();
    seed(
        &s,
        "a",
        &[
            (1, Code::Superseded),
            (2, Code::Superseded),
            (3, Code::Deployed),
        ],
    )
    .await;
    seed(&s, "b", &[(1, Code::Superseded), (2, Code::Deployed)]).await;
    let s = s.with_max_history(1);
    let mut rec = s.get("a", 3).await.expect("get");
    rec.release = rel("a", 3, Code::Superseded);
    s.update(&rec).await.expect("update");
    assert_eq!(versions(&s, "a").await, [1, 2, 3]);
    s.create(&rel("a", 4, Code::Deployed))
        .await
        .expect("create");
    // No DEPLOYED revision among the old ones: nothing pruned.
    assert_eq!(versions(&s, "a").await, [1, 2, 3, 4]);
    assert_eq!(versions(&s, "b").await, [1, 2]);
}

#[tokio::test]
async fn a_taken_revision_is_an_error_and_prunes_nothing() {
    let s = memory();
    seed(
        &s,
        "a",
        &[
            (1, Code::Superseded),
            (2, Code::Superseded),
            (3, Code::Deployed),
        ],
    )
    .await;
    let s = s.with_max_history(2);
    let err = s
        .create(&rel("a", 3, Code::PendingUpgrade))
        .await
        .expect_err("taken");
    assert_eq!(err.to_string(), r#"release: "a.v3" already exists"#);
    assert!(!err.retryable());
    assert_eq!(versions(&s, "a").await, [1, 2, 3]);
    assert_eq!(s.get("a", 3).await.expect("get").status(), Code::Deployed);
}

#[tokio::test]
async fn concurrent_updates_from_one_read_conflict() {
    let s = memory();
    seed(&s, "a", &[(1, Code::Deployed)]).await;
    let read = s.get("a", 1).await.expect("get");
    let mut first = read.clone();
    first.release = rel("a", 1, Code::Superseded);
    let mut second = read.clone();
    second.release = rel("a", 1, Code::Failed);
    let (r1, r2) = tokio::join!(s.update(&first), s.update(&second));
    let oks = [r1.is_ok(), r2.is_ok()];
    assert_eq!(oks.iter().filter(|ok| **ok).count(), 1, "{r1:?} {r2:?}");
    let err = r1.err().or(r2.err()).expect("one failed");
    assert!(matches!(err, StorageError::Conflict { .. }), "{err}");
    assert!(err.retryable());
}

#[tokio::test]
async fn update_refuses_unversioned_or_mismatched_records() {
    let s = memory();
    seed(&s, "a", &[(1, Code::Deployed)]).await;
    let mut rec = s.get("a", 1).await.expect("get");
    rec.release.version = 2;
    let err = s.update(&rec).await.expect_err("mismatch");
    assert_eq!(
        err.to_string(),
        r#"release "a" revision 2 does not belong to record "a.v1""#
    );
    let mut rec = s.get("a", 1).await.expect("get");
    rec.resource_version.clear();
    let err = s.update(&rec).await.expect_err("unversioned");
    assert_eq!(
        err.to_string(),
        r#"release record "a.v1" has no resourceVersion; update it from a record that was read"#
    );
}

#[tokio::test]
async fn bad_releases_are_refused_before_anything_is_written() {
    let s = memory();
    seed(
        &s,
        "a",
        &[
            (1, Code::Superseded),
            (2, Code::Deployed),
            (3, Code::Failed),
        ],
    )
    .await;
    let s = s.with_max_history(1);
    let mut no_status = rel("a", 4, Code::Deployed);
    no_status.info = None;
    let err = s.create(&no_status).await.expect_err("no status");
    assert_eq!(
        err.to_string(),
        r#"release "a" revision 4 has no status to store"#
    );
    let mut meta = RecordMeta::default();
    meta.labels.insert("OWNER".into(), "ME".into());
    let err = s
        .create_with_meta(&rel("a", 4, Code::Deployed), meta)
        .await
        .expect_err("reserved");
    assert!(matches!(err, StorageError::ReservedLabel(_)));
    assert_eq!(versions(&s, "a").await, [1, 2, 3]);
}

/// Memory with a size limit on the manifest, to see the size check run
/// before pruning.
#[derive(Debug, Default)]
struct Limited {
    inner: Memory,
}

#[async_trait]
impl Driver for Limited {
    fn name(&self) -> &'static str {
        "Limited"
    }
    async fn get(&self, key: &str) -> Result<Record, StorageError> {
        self.inner.get(key).await
    }
    async fn list(&self, filter: Filter<'_>) -> Result<Vec<Record>, StorageError> {
        self.inner.list(filter).await
    }
    async fn query(&self, l: &BTreeMap<String, String>) -> Result<Vec<Record>, StorageError> {
        self.inner.query(l).await
    }
    async fn create(&self, key: &str, r: &Release, m: &RecordMeta) -> Result<Record, StorageError> {
        self.check_fits(r)?;
        self.inner.create(key, r, m).await
    }
    async fn update(
        &self,
        key: &str,
        r: &Release,
        m: &RecordMeta,
        rv: &str,
    ) -> Result<Record, StorageError> {
        self.inner.update(key, r, m, rv).await
    }
    async fn delete(&self, key: &str, rv: Option<&str>) -> Result<Record, StorageError> {
        self.inner.delete(key, rv).await
    }
    fn check_fits(&self, r: &Release) -> Result<(), StorageError> {
        if r.manifest.len() > 10 {
            return Err(StorageError::TooLarge {
                name: r.name.clone(),
                version: r.version,
                size: r.manifest.len(),
                limit: 10,
                kind: "Limited",
            });
        }
        Ok(())
    }
}

#[tokio::test]
async fn too_large_fails_before_pruning() {
    let s = Storage::new(Arc::new(Limited::default()));
    seed(
        &s,
        "a",
        &[
            (1, Code::Superseded),
            (2, Code::Superseded),
            (3, Code::Deployed),
        ],
    )
    .await;
    let s = s.with_max_history(1);
    let mut big = rel("a", 4, Code::PendingUpgrade);
    big.manifest = "x".repeat(11);
    let err = s.create(&big).await.expect_err("too large");
    assert!(matches!(err, StorageError::TooLarge { .. }), "{err}");
    assert_eq!(versions(&s, "a").await, [1, 2, 3]);
}

/// A fence that can be closed, counting checks and stamping a term.
#[derive(Debug, Default)]
struct TestFence {
    closed: AtomicBool,
    checks: AtomicUsize,
    stamped: Mutex<Vec<String>>,
}

impl Fence for TestFence {
    fn check(&self) -> Result<(), Fenced> {
        self.checks.fetch_add(1, Ordering::SeqCst);
        if self.closed.load(Ordering::SeqCst) {
            return Err(Fenced::new("lease lost"));
        }
        Ok(())
    }
    fn stamp(&self, meta: &mut RecordMeta) {
        meta.annotations.insert("tiller.sh/term".into(), "7".into());
        if let Ok(mut s) = self.stamped.lock() {
            s.push("stamped".into());
        }
    }
}

#[tokio::test]
async fn the_fence_guards_every_write_and_stamps_records() {
    let fence = Arc::new(TestFence::default());
    let s = memory().with_fence(fence.clone());
    let created = s
        .create(&rel("a", 1, Code::Deployed))
        .await
        .expect("create");
    assert_eq!(created.annotations["tiller.sh/term"], "7");
    let checks_after_create = fence.checks.load(Ordering::SeqCst);
    assert!(checks_after_create >= 1);

    // Reads need no fence.
    fence.closed.store(true, Ordering::SeqCst);
    s.get("a", 1).await.expect("read while fenced");
    s.history("a").await.expect("read while fenced");

    let err = s
        .create(&rel("a", 2, Code::Deployed))
        .await
        .expect_err("fenced");
    assert_eq!(err.to_string(), "write refused: lease lost");
    assert!(!err.retryable());
    let err = s.update(&created).await.expect_err("fenced");
    assert!(matches!(err, StorageError::Fenced(_)));
    let err = s.delete("a", 1).await.expect_err("fenced");
    assert!(matches!(err, StorageError::Fenced(_)));
    assert_eq!(versions(&s, "a").await, [1]);

    fence.closed.store(false, Ordering::SeqCst);
    let updated = s.update(&created).await.expect("update");
    assert_eq!(updated.annotations["tiller.sh/term"], "7");
}

#[tokio::test]
async fn pruning_deletes_are_fenced_too() {
    let fence = Arc::new(TestFence::default());
    let s = memory().with_fence(fence.clone());
    seed(&s, "a", &[(1, Code::Superseded), (2, Code::Deployed)]).await;
    let s = s.with_max_history(1);
    fence.closed.store(true, Ordering::SeqCst);
    assert!(s.create(&rel("a", 3, Code::Deployed)).await.is_err());
    assert_eq!(versions(&s, "a").await, [1, 2]);
}

#[tokio::test]
async fn extra_metadata_is_kept_across_updates() {
    let s = memory();
    let mut meta = RecordMeta::default();
    meta.labels.insert("team".into(), "a".into());
    meta.annotations
        .insert("tiller.sh/op-id".into(), "op-1".into());
    s.create_with_meta(&rel("x", 1, Code::PendingInstall), meta)
        .await
        .expect("create");
    let mut rec = s.get("x", 1).await.expect("get");
    rec.release = rel("x", 1, Code::Deployed);
    let updated = s.update(&rec).await.expect("update");
    assert_eq!(updated.labels["team"], "a");
    assert_eq!(updated.labels["STATUS"], "DEPLOYED");
    assert_eq!(updated.annotations["tiller.sh/op-id"], "op-1");
}
