//! The storage driver interface, Helm v2's `driver.Driver` made async and
//! made to carry resourceVersions: reads return [`Record`]s, updates and
//! deletes take the resourceVersion that was read.

use std::collections::BTreeMap;
use std::fmt;

use async_trait::async_trait;
use helm_proto::hapi::release::Release;

use super::error::StorageError;
use super::record::{Record, RecordMeta};

/// A predicate over releases, as `List` takes it.
pub type Filter<'a> = &'a (dyn Fn(&Release) -> bool + Send + Sync);

/// A place release records live: Kubernetes ConfigMaps or Secrets, or memory.
///
/// Drivers return Helm's error texts: [`StorageError::NotFound`] with the key
/// for `get`, `update` and `delete` and with the `NAME` label for an empty
/// `query` (ConfigMap and Secret only; the Memory driver returns an empty
/// list), [`StorageError::AlreadyExists`] from `create`, and
/// [`StorageError::InvalidKey`] for keys that are not `<name>.v<revision>`
/// (Memory only; the Kubernetes drivers pass keys on as object names).
#[async_trait]
pub trait Driver: Send + Sync + fmt::Debug {
    /// Helm's driver name: `ConfigMap`, `Secret` or `Memory`.
    fn name(&self) -> &'static str;

    /// Reads the record stored under `key`.
    async fn get(&self, key: &str) -> Result<Record, StorageError>;

    /// Reads every record owned by Tiller whose release passes `filter`.
    /// Records that cannot be decoded are logged and skipped, as Helm does.
    async fn list(&self, filter: Filter<'_>) -> Result<Vec<Record>, StorageError>;

    /// Reads the records whose labels equal all of `labels`.
    async fn query(&self, labels: &BTreeMap<String, String>) -> Result<Vec<Record>, StorageError>;

    /// Stores a new record under `key`; never replaces an existing one.
    async fn create(
        &self,
        key: &str,
        release: &Release,
        meta: &RecordMeta,
    ) -> Result<Record, StorageError>;

    /// Replaces the record under `key`, only if it is still at
    /// `resource_version` ([`StorageError::Conflict`] otherwise).
    async fn update(
        &self,
        key: &str,
        release: &Release,
        meta: &RecordMeta,
        resource_version: &str,
    ) -> Result<Record, StorageError>;

    /// Removes the record under `key` and returns it. With
    /// `resource_version`, only if the record is still at that version.
    async fn delete(
        &self,
        key: &str,
        resource_version: Option<&str>,
    ) -> Result<Record, StorageError>;

    /// Fails with [`StorageError::TooLarge`] when `release` could not be
    /// stored in one record, without writing anything. Drivers without a
    /// size limit accept everything.
    fn check_fits(&self, release: &Release) -> Result<(), StorageError> {
        let _ = release;
        Ok(())
    }
}
