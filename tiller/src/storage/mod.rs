//! Release storage: Helm v2's storage layer (`pkg/storage` of v2.17.0) with
//! its three drivers, readable and writable by Helm v2 tooling, plus the
//! safety rules several Tiller replicas need.
//!
//! Start with [`Storage`], the facade Tiller uses: `get`, `create`,
//! `update`, `delete`, `list_releases`, `list_deployed`, `list_deleted`,
//! `list_filter_all`/`_any`, `history`, `deployed`, `deployed_all`, `last`,
//! with Helm's error texts and Helm's `--history-max` pruning. Underneath is
//! a [`Driver`]: [`ConfigMaps`] (the default), [`Secrets`] or [`Memory`].
//! Records keep Helm v2's exact format (object name `<release>.v<revision>`,
//! labels `NAME`/`OWNER=TILLER`/`STATUS`/`VERSION` and `CREATED_AT` or
//! `MODIFIED_AT`, data key `release` holding base64(gzip(protobuf)); see
//! [`kube`]), so releases written by Helm v2's Tiller are read here and ours
//! are read by Helm v2.
//!
//! # Safety improvements over Helm v2
//!
//! * **A new revision is always a create.** `create` never replaces an
//!   existing record: `AlreadyExists` is returned as
//!   [`StorageError::AlreadyExists`], so of two writers computing the same
//!   revision exactly one wins. Pruning is skipped when the new revision's
//!   key is already taken, so a losing writer deletes nothing.
//! * **Updates are compare-and-swap.** Reads return [`Record`]s carrying the
//!   object's resourceVersion; [`Storage::update`] takes that record back and
//!   sends the resourceVersion with the PUT, so a writer working from a stale
//!   read gets [`StorageError::Conflict`] instead of Helm's last-writer-wins.
//!   Deletes (including pruning) carry the read resourceVersion as a
//!   precondition too. An update without a resourceVersion is refused.
//! * **Retry classification.** [`StorageError::retryable`] is true for
//!   conflicts, API server 5xx/429/408, timeouts and transport failures.
//! * **Bounded requests.** Each Kubernetes request (each list page) gives up
//!   after [`kube::DEFAULT_REQUEST_TIMEOUT`] with [`StorageError::Timeout`]
//!   (retryable; a timed-out write may still have landed, so re-read
//!   first). The kube client's own retries of 429/503/504 run inside that
//!   limit.
//! * **Size limit checked up front.** A release whose encoded data would
//!   exceed the 1 MiB ConfigMap/Secret limit fails with
//!   [`StorageError::TooLarge`] (release, revision, size, limit) before
//!   anything is written, pruning included; a 422 "Too long" or 413 from the
//!   API server maps to the same error.
//! * **Paged lists.** The Kubernetes drivers list with `limit`/`continue`
//!   ([`kube::DEFAULT_PAGE_SIZE`] objects a page), decoding and filtering
//!   page by page, restarting when a continue token expires.
//! * **Fencing hook.** Every write (create, update, delete, each pruning
//!   delete) first calls [`Fence::check`]; the fence can also stamp extra
//!   labels or annotations ([`RecordMeta`]) on every record written. The
//!   default [`NoFence`] allows everything; the HA layer plugs its lease in
//!   with [`Storage::with_fence`] without touching the drivers. Extra
//!   labels and annotations are ignored by Helm v2 readers.
//! * **Bad input is an error, never a crash**: a release without a status,
//!   an unknown status code, an object without release data or with
//!   undecodable data all produce clear errors where Helm v2 would panic.
//! * `history` returns revisions sorted ascending (Helm leaves the driver's
//!   order), and the Memory driver parses keys on the last `.v` so release
//!   names containing `.v` work.
//!
//! Kept from Helm v2 on purpose (clients depend on them): `Deployed` picks
//! the highest revision when several are DEPLOYED; the Memory driver's empty
//! query is an empty list while the Kubernetes drivers return
//! `release: "<name>" not found`; pruning runs only on create, before the
//! write, skips the latest DEPLOYED revision, prunes nothing when there is
//! none, and only logs its delete errors; update drops `CREATED_AT` and sets
//! `MODIFIED_AT`.

pub mod driver;
pub mod error;
pub mod fence;
pub mod kube;
pub mod labels;
pub mod memory;
pub mod record;

use std::collections::BTreeMap;
use std::sync::Arc;

use helm_proto::hapi::release::{Release, status};

pub use self::driver::{Driver, Filter};
pub use self::error::StorageError;
pub use self::fence::{Fence, Fenced, NoFence};
pub use self::kube::{ConfigMaps, KubeDriver, Secrets, tiller_namespace};
pub use self::memory::Memory;
use self::record::{LABEL_NAME, LABEL_OWNER, LABEL_STATUS, OWNER_TILLER, status_code};
pub use self::record::{Record, RecordMeta, make_key, parse_key};

/// Tail of the error `Deployed` returns when there is no DEPLOYED revision.
pub const NO_RELEASES_ERR: &str = "has no deployed releases";

/// A filter keeping releases whose status is `code` (Helm's `StatusFilter`).
pub fn status_filter(code: status::Code) -> impl Fn(&Release) -> bool + Send + Sync {
    move |r: &Release| status_code(r) == code
}

/// Helm's release storage over a [`Driver`], with history pruning and a
/// [`Fence`] consulted before every write.
#[derive(Debug, Clone)]
pub struct Storage {
    driver: Arc<dyn Driver>,
    fence: Arc<dyn Fence>,
    max_history: usize,
}

impl Storage {
    /// Storage over `driver` with unlimited history and no fence.
    pub fn new(driver: Arc<dyn Driver>) -> Self {
        Self {
            driver,
            fence: Arc::new(NoFence),
            max_history: 0,
        }
    }

    /// Keeps at most `max` revisions per release when creating a new one
    /// (`--history-max`; 0 means unlimited).
    #[must_use]
    pub fn with_max_history(mut self, max: usize) -> Self {
        self.max_history = max;
        self
    }

    /// Consults `fence` before every write.
    #[must_use]
    pub fn with_fence(mut self, fence: Arc<dyn Fence>) -> Self {
        self.fence = fence;
        self
    }

    /// The driver underneath.
    pub fn driver(&self) -> &dyn Driver {
        self.driver.as_ref()
    }

    /// The history limit (0 = unlimited).
    pub fn max_history(&self) -> usize {
        self.max_history
    }

    /// Reads revision `version` of release `name`.
    pub async fn get(&self, name: &str, version: i32) -> Result<Record, StorageError> {
        let key = make_key(name, version);
        tracing::debug!(key, "getting release");
        self.driver.get(&key).await
    }

    /// Stores a new revision (never overwriting one), pruning history first
    /// when a limit is set.
    pub async fn create(&self, release: &Release) -> Result<Record, StorageError> {
        self.create_with_meta(release, RecordMeta::default()).await
    }

    /// [`Storage::create`] with extra labels and annotations on the record.
    pub async fn create_with_meta(
        &self,
        release: &Release,
        mut meta: RecordMeta,
    ) -> Result<Record, StorageError> {
        let key = make_key(&release.name, release.version);
        tracing::debug!(key, "creating release");
        // Everything that can be checked without writing is checked before
        // pruning deletes anything.
        meta.check_reserved()?;
        record::helm_labels(release)?;
        self.driver.check_fits(release)?;
        self.fence.check()?;
        if self.max_history > 0 {
            self.remove_least_recent(&release.name, release.version, self.max_history - 1)
                .await;
        }
        self.fence.check()?;
        self.fence.stamp(&mut meta);
        self.driver.create(&key, release, &meta).await
    }

    /// Writes back a record read earlier with a changed release (and maybe
    /// changed extra labels or annotations). Fails with
    /// [`StorageError::Conflict`] when the stored record changed since.
    pub async fn update(&self, record: &Record) -> Result<Record, StorageError> {
        let key = make_key(&record.release.name, record.release.version);
        tracing::debug!(key, "updating release");
        if key != record.key {
            return Err(StorageError::KeyMismatch {
                key: record.key.clone(),
                name: record.release.name.clone(),
                version: record.release.version,
            });
        }
        if record.resource_version.is_empty() {
            return Err(StorageError::Unversioned(key));
        }
        let mut meta = record.meta();
        self.fence.check()?;
        self.fence.stamp(&mut meta);
        self.driver
            .update(&key, &record.release, &meta, &record.resource_version)
            .await
    }

    /// Removes revision `version` of release `name` and returns it.
    pub async fn delete(&self, name: &str, version: i32) -> Result<Record, StorageError> {
        let key = make_key(name, version);
        tracing::debug!(key, "deleting release");
        self.fence.check()?;
        self.driver.delete(&key, None).await
    }

    /// Removes a record read earlier, only if it did not change since.
    pub async fn delete_record(&self, record: &Record) -> Result<Record, StorageError> {
        tracing::debug!(key = record.key, "deleting release record");
        self.fence.check()?;
        self.driver
            .delete(&record.key, Some(&record.resource_version))
            .await
    }

    /// Every release revision in storage.
    pub async fn list_releases(&self) -> Result<Vec<Record>, StorageError> {
        tracing::debug!("listing all releases in storage");
        self.driver.list(&|_| true).await
    }

    /// Every revision whose status is DELETED.
    pub async fn list_deleted(&self) -> Result<Vec<Record>, StorageError> {
        tracing::debug!("listing deleted releases in storage");
        self.driver
            .list(&status_filter(status::Code::Deleted))
            .await
    }

    /// Every revision whose status is DEPLOYED.
    pub async fn list_deployed(&self) -> Result<Vec<Record>, StorageError> {
        tracing::debug!("listing all deployed releases in storage");
        self.driver
            .list(&status_filter(status::Code::Deployed))
            .await
    }

    /// Revisions passing all `filters` (all revisions when there are none).
    pub async fn list_filter_all(
        &self,
        filters: &[Filter<'_>],
    ) -> Result<Vec<Record>, StorageError> {
        tracing::debug!("listing all releases with filter");
        self.driver.list(&|r| filters.iter().all(|f| f(r))).await
    }

    /// Revisions passing any of `filters` (none when there are none).
    pub async fn list_filter_any(
        &self,
        filters: &[Filter<'_>],
    ) -> Result<Vec<Record>, StorageError> {
        tracing::debug!("listing any releases with filter");
        self.driver.list(&|r| filters.iter().any(|f| f(r))).await
    }

    /// The DEPLOYED revision of `name`; when storage holds several, the
    /// highest revision wins. None ⇒ `"<name>" has no deployed releases`.
    pub async fn deployed(&self, name: &str) -> Result<Record, StorageError> {
        let all = self.deployed_all(name).await?;
        all.into_iter()
            .max_by_key(Record::version)
            .ok_or_else(|| StorageError::NoDeployedReleases(name.to_owned()))
    }

    /// Every DEPLOYED revision of `name` (normally one).
    pub async fn deployed_all(&self, name: &str) -> Result<Vec<Record>, StorageError> {
        tracing::debug!(name, "getting deployed releases from history");
        let query = BTreeMap::from([
            (LABEL_NAME.to_owned(), name.to_owned()),
            (LABEL_OWNER.to_owned(), OWNER_TILLER.to_owned()),
            (
                LABEL_STATUS.to_owned(),
                status::Code::Deployed.as_str_name().to_owned(),
            ),
        ]);
        match self.driver.query(&query).await {
            Ok(found) => Ok(found),
            // Helm matches on the text, so any not-found error (a missing
            // namespace too) reads as "no deployed releases".
            Err(e) if e.to_string().contains("not found") => {
                Err(StorageError::NoDeployedReleases(name.to_owned()))
            }
            Err(e) => Err(e),
        }
    }

    /// Every revision of `name`, oldest first. The Kubernetes drivers fail
    /// with `release: "<name>" not found` when there is none; the Memory
    /// driver returns an empty list.
    pub async fn history(&self, name: &str) -> Result<Vec<Record>, StorageError> {
        tracing::debug!(name, "getting release history");
        let query = BTreeMap::from([
            (LABEL_NAME.to_owned(), name.to_owned()),
            (LABEL_OWNER.to_owned(), OWNER_TILLER.to_owned()),
        ]);
        let mut found = self.driver.query(&query).await?;
        found.sort_by_key(Record::version);
        Ok(found)
    }

    /// The highest revision of `name`, whatever its status.
    pub async fn last(&self, name: &str) -> Result<Record, StorageError> {
        tracing::debug!(name, "getting last revision");
        self.history(name)
            .await?
            .into_iter()
            .max_by_key(Record::version)
            .ok_or_else(|| StorageError::NoRevision(name.to_owned()))
    }

    /// Helm's history pruning before creating revision `new_version`: keep
    /// at most `keep` old revisions, never the latest DEPLOYED one, nothing
    /// at all when there is no DEPLOYED revision. Failures are logged only.
    async fn remove_least_recent(&self, name: &str, new_version: i32, keep: usize) {
        let history = match self.history(name).await {
            Ok(h) => h,
            Err(e) => {
                tracing::debug!(name, error = %e, "no history to prune");
                return;
            }
        };
        if history.len() <= keep {
            return;
        }
        if history.iter().any(|r| r.version() == new_version) {
            // The create is going to fail with "already exists": another
            // writer took this revision, and the loser must not prune.
            tracing::debug!(name, new_version, "revision taken, not pruning");
            return;
        }
        let Some(last_deployed) = history
            .iter()
            .filter(|r| r.status() == status::Code::Deployed)
            .map(Record::version)
            .max()
        else {
            tracing::debug!(name, "no deployed revision, not pruning");
            return;
        };
        let mut doomed = Vec::new();
        for rec in &history {
            if history.len() - doomed.len() == keep {
                break;
            }
            if rec.version() != last_deployed {
                doomed.push(rec);
            }
        }
        let mut errors = 0usize;
        for rec in &doomed {
            if let Err(e) = self.delete_record(rec).await {
                errors += 1;
                tracing::warn!(key = rec.key, error = %e, "error pruning record from release history");
            }
        }
        tracing::debug!(
            name,
            pruned = doomed.len(),
            errors,
            "pruned records from release history"
        );
    }
}

#[cfg(test)]
mod tests;
