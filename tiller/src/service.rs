//! The hapi `ReleaseService`: Helm v2.17's release lifecycle (install,
//! upgrade, rollback, delete, test) and its read RPCs (status, content,
//! history, list, version) over [`Storage`] and a [`Cluster`].
//!
//! Ready for several replicas later: every write goes through the
//! [`Storage`] facade (and so through its fence), every revision is created,
//! never overwritten, and every update is conditional on what was read.
//! Operations on one release are serialized by a per-release async mutex,
//! so inside one process a release left PENDING_* with its lock free was
//! left by a writer that died: the next writer marks it FAILED and says so
//! in its description.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Arc;

use futures::Stream;
use helm_proto::hapi::chart::Config;
use helm_proto::hapi::release::{
    Info, Release, Status, TestRun, TestSuite, hook, status, test_run,
};
use helm_proto::hapi::services::tiller::release_service_server::ReleaseService;
use helm_proto::hapi::services::tiller::{
    GetHistoryRequest, GetHistoryResponse, GetReleaseContentRequest, GetReleaseContentResponse,
    GetReleaseStatusRequest, GetReleaseStatusResponse, GetVersionRequest, GetVersionResponse,
    InstallReleaseRequest, InstallReleaseResponse, ListReleasesRequest, ListReleasesResponse,
    RollbackReleaseRequest, RollbackReleaseResponse, TestReleaseRequest, TestReleaseResponse,
    UninstallReleaseRequest, UninstallReleaseResponse, UpdateReleaseRequest, UpdateReleaseResponse,
    list_sort,
};
use helm_proto::hapi::version::Version;
use prost::Message as _;
use tokio::sync::{Mutex, OwnedMutexGuard, mpsc};
use tonic::{Request, Response, Status as GrpcStatus};

use crate::cluster::{Cluster, UpdateOptions, parse_manifest};
use crate::error::TillerError;
use crate::names;
use crate::release::{self, RenderInput, code, is_pending, now, set_status};
use crate::storage::{Record, Storage, StorageError};

/// Helm's default `ListReleases` page size when the request says 0.
pub const DEFAULT_LIST_LIMIT: usize = 512;

/// Room kept under the message limit for the response's own fields.
const LIST_CHUNK_MARGIN: usize = 64 * 1024;

/// The server's state.
#[derive(Debug, Clone)]
pub struct ReleaseServer {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    storage: Storage,
    cluster: Cluster,
    version: Version,
    locks: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    max_message: usize,
}

type Result<T> = std::result::Result<T, TillerError>;

impl ReleaseServer {
    /// A release service over `storage`, applying releases to `cluster`.
    pub fn new(storage: Storage, cluster: Cluster) -> Self {
        Self {
            inner: Arc::new(Inner {
                storage,
                cluster,
                version: Version {
                    sem_ver: helm_proto::compat::HELM_VERSION.to_owned(),
                    git_commit: String::new(),
                    git_tree_state: "clean".to_owned(),
                },
                locks: Mutex::default(),
                max_message: helm_proto::transport::MAX_MESSAGE_SIZE,
            }),
        }
    }

    /// Sets the largest ListReleases message (tests use small limits).
    #[must_use]
    pub fn with_max_message(self, bytes: usize) -> Self {
        let inner = Arc::try_unwrap(self.inner).map_or_else(
            |arc| Inner {
                storage: arc.storage.clone(),
                cluster: arc.cluster.clone(),
                version: arc.version.clone(),
                locks: Mutex::default(),
                max_message: bytes,
            },
            |mut i| {
                i.max_message = bytes;
                i
            },
        );
        Self {
            inner: Arc::new(inner),
        }
    }

    /// The storage.
    pub fn storage(&self) -> &Storage {
        &self.inner.storage
    }

    /// The version Tiller reports.
    pub fn version(&self) -> &Version {
        &self.inner.version
    }

    /// Serializes operations on one release.
    async fn lock(&self, name: &str) -> OwnedMutexGuard<()> {
        let m = {
            let mut locks = self.inner.locks.lock().await;
            // Drop idle entries so the map does not grow with every name seen.
            locks.retain(|_, m| Arc::strong_count(m) > 1);
            locks.entry(name.to_owned()).or_default().clone()
        };
        m.lock_owned().await
    }

    /// Marks a revision FAILED when the writer that left it PENDING_* is
    /// gone (we hold the release's lock, so nobody here is working on it).
    async fn recover_pending(&self, mut rec: Record) -> Result<Record> {
        let c = rec.status();
        if !is_pending(c) {
            return Ok(rec);
        }
        let old = rec
            .release
            .info
            .as_ref()
            .map(|i| i.description.clone())
            .unwrap_or_default();
        let desc = format!(
            "{}: the operation that set it ({old}) did not finish; marked FAILED by the next operation",
            c.as_str_name()
        );
        tracing::warn!(
            release = rec.release.name,
            revision = rec.version(),
            "recovering a stale {}",
            c.as_str_name()
        );
        set_status(&mut rec.release, status::Code::Failed, desc);
        Ok(self.inner.storage.update(&rec).await?)
    }

    /// Writes a record's new status (logging on failure, as Tiller does
    /// for writes after resources were touched).
    /// Runs the post-install hooks of the release in `rec`. On failure the release is recorded
    /// FAILED with Helm's `Release "x" failed post-install: ...` description, and the bare error
    /// is returned, as Helm does.
    async fn post_install_hooks(
        &self,
        rec: &mut Record,
        name: &str,
        namespace: &str,
        timeout: std::time::Duration,
    ) -> Result<()> {
        let mut hooks = std::mem::take(&mut rec.release.hooks);
        let res = release::exec_hooks(
            self.cluster(),
            &mut hooks,
            namespace,
            hook::Event::PostInstall,
            timeout,
        )
        .await;
        rec.release.hooks = hooks;
        if let Err(e) = res {
            let msg = format!("Release {name:?} failed post-install: {e}");
            set_status(&mut rec.release, status::Code::Failed, msg);
            self.update_logged(rec).await;
            return Err(e);
        }
        Ok(())
    }

    async fn update_logged(&self, rec: &Record) -> Option<Record> {
        match self.inner.storage.update(rec).await {
            Ok(r) => Some(r),
            Err(e) => {
                tracing::error!(key = rec.key, error = %e, "recording release status");
                None
            }
        }
    }

    fn cluster(&self) -> &Cluster {
        &self.inner.cluster
    }

    // ---------------------------------------------------------------- install

    /// `InstallRelease`.
    pub async fn install(&self, req: InstallReleaseRequest) -> Result<Release> {
        let name = if req.name.is_empty() {
            self.unique_name().await?
        } else {
            names::validate_install(&req.name)?;
            req.name.clone()
        };
        let _guard = self.lock(&name).await;
        let chart = req
            .chart
            .as_ref()
            .ok_or_else(|| TillerError::msg("no chart provided"))?;
        let namespace = if req.namespace.is_empty() {
            "default".to_owned()
        } else {
            req.namespace.clone()
        };

        // Name reuse rules.
        let mut previous: Option<Record> = None;
        match self.inner.storage.history(&name).await {
            Ok(h) if !h.is_empty() => {
                let last = h
                    .into_iter()
                    .max_by_key(Record::version)
                    .ok_or_else(|| TillerError::msg("empty history"))?;
                if !req.reuse_name {
                    return Err(TillerError::msg(format!(
                        "a release named {name} already exists.\nRun: helm ls --all {name}; to check the status of the release\nOr run: helm del --purge {name}; to delete it"
                    )));
                }
                let last = self.recover_pending(last).await?;
                if !matches!(last.status(), status::Code::Deleted | status::Code::Failed) {
                    return Err(TillerError::msg(format!(
                        "a release named {name} is in use, cannot re-use a name that is still in use"
                    )));
                }
                previous = Some(last);
            }
            Ok(_) | Err(StorageError::NotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }

        let revision = previous.as_ref().map_or(1, |p| p.version() + 1);
        // Helm returns a render error as it is, without the release name.
        let rendered = release::render(
            self.cluster(),
            RenderInput {
                chart,
                values: req.values.as_ref(),
                name: &name,
                namespace: &namespace,
                revision,
                is_upgrade: false,
                sub_notes: req.sub_notes,
            },
        )
        .await?;
        let t = now();
        let mut rel = Release {
            name: name.clone(),
            namespace: namespace.clone(),
            chart: Some(chart.clone()),
            config: Some(req.values.clone().unwrap_or_default()),
            info: Some(Info {
                first_deployed: Some(t),
                last_deployed: Some(t),
                status: Some(Status {
                    notes: rendered.notes,
                    ..Default::default()
                }),
                ..Default::default()
            }),
            manifest: rendered.manifest,
            hooks: rendered.hooks,
            version: revision,
        };
        set_status(
            &mut rel,
            status::Code::PendingInstall,
            "Initial install underway",
        );
        let has_crd_hooks = rel
            .hooks
            .iter()
            .any(|h| h.events.contains(&(hook::Event::CrdInstall as i32)));

        if req.dry_run {
            if has_crd_hooks && !req.disable_crd_hook {
                set_status(
                    &mut rel,
                    status::Code::PendingInstall,
                    "Validation skipped because CRDs are not installed",
                );
            } else {
                self.cluster()
                    .build(&namespace, &rel.manifest)
                    .await
                    .map_err(|e| TillerError::msg(format!("validation failed: {e}")))?;
                set_status(&mut rel, status::Code::PendingInstall, "Dry run complete");
            }
            return Ok(rel);
        }
        let timeout = release::timeout(req.timeout);
        if !req.disable_hooks && !req.disable_crd_hook && has_crd_hooks {
            release::exec_hooks(
                self.cluster(),
                &mut rel.hooks,
                &namespace,
                hook::Event::CrdInstall,
                timeout,
            )
            .await?;
        }
        // Nothing is stored until the manifest is known to be applicable.
        let objects = self
            .cluster()
            .build(&namespace, &rel.manifest)
            .await
            .map_err(|e| TillerError::msg(format!("validation failed: {e}")))?;
        // The size check happens before anything is applied.
        self.inner.storage.driver().check_fits(&rel)?;
        if !req.disable_hooks {
            release::exec_hooks(
                self.cluster(),
                &mut rel.hooks,
                &namespace,
                hook::Event::PreInstall,
                timeout,
            )
            .await?;
        }

        let applied = if let Some(prev) = previous {
            // --replace: the old revision is superseded, the new one applied as an update.
            let mut prev = prev;
            let prev_desc = prev
                .release
                .info
                .as_ref()
                .map(|i| i.description.clone())
                .unwrap_or_default();
            set_status(&mut prev.release, status::Code::Superseded, prev_desc);
            self.inner.storage.update(&prev).await?;
            let mut rec = self.inner.storage.create(&rel).await?;
            let old_objects = self.build_lenient(&namespace, &prev.release.manifest).await;
            let res = async {
                self.cluster()
                    .update(&namespace, &old_objects, &objects, UpdateOptions::default())
                    .await?;
                if req.wait {
                    self.cluster().wait_ready(&objects, timeout).await?;
                }
                Ok::<_, TillerError>(())
            }
            .await;
            if let Err(e) = res {
                set_status(
                    &mut rec.release,
                    status::Code::Failed,
                    format!("Release replace {name:?} failed: {e}"),
                );
                self.update_logged(&rec).await;
                return Err(e);
            }
            rec
        } else {
            let mut rec = self.inner.storage.create(&rel).await?;
            let res = async {
                self.cluster().create_all(&namespace, &objects).await?;
                if req.wait {
                    self.cluster().wait_ready(&objects, timeout).await?;
                }
                Ok::<_, TillerError>(())
            }
            .await;
            if let Err(e) = res {
                set_status(
                    &mut rec.release,
                    status::Code::Failed,
                    format!("Release {name:?} failed: {e}"),
                );
                self.update_logged(&rec).await;
                return Err(TillerError::msg(format!("release {name} failed: {e}")));
            }
            rec
        };
        let mut rec = applied;
        if !req.disable_hooks {
            self.post_install_hooks(&mut rec, &name, &namespace, timeout)
                .await?;
        }
        let desc = if req.description.is_empty() {
            "Install complete".to_owned()
        } else {
            req.description
        };
        set_status(&mut rec.release, status::Code::Deployed, desc);
        let rec = self.inner.storage.update(&rec).await?;
        Ok(rec.release)
    }

    async fn unique_name(&self) -> Result<String> {
        for _ in 0..5 {
            let candidate = names::generate();
            match self.inner.storage.get(&candidate, 1).await {
                Err(StorageError::NotFound(_)) => return Ok(candidate),
                Ok(_) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Err(TillerError::msg("no available release name found"))
    }

    /// Objects of an old manifest; documents that no longer resolve (a
    /// kind the cluster stopped serving) are skipped with a warning, as an
    /// old release must never block moving on.
    async fn build_lenient(&self, namespace: &str, manifest: &str) -> Vec<crate::cluster::Object> {
        let docs = match parse_manifest(manifest) {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(error = %e, "previous manifest does not parse");
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for d in docs {
            match self.cluster().resolve(namespace, d).await {
                Ok(o) => out.push(o),
                Err(e) => tracing::warn!(error = %e, "skipping a previous manifest object"),
            }
        }
        out
    }

    // ---------------------------------------------------------------- upgrade

    /// Tiller's `prepareUpdate`: the new revision (PENDING_UPGRADE, not
    /// stored), the current DEPLOYED record, and the new objects.
    async fn prepare_update(
        &self,
        req: &UpdateReleaseRequest,
    ) -> Result<(Release, Record, Vec<crate::cluster::Object>)> {
        let name = req.name.clone();
        let mut chart = req
            .chart
            .clone()
            .ok_or_else(|| TillerError::msg("no chart provided"))?;
        let current = self.inner.storage.deployed(&name).await?;
        let last = self.inner.storage.last(&name).await?;

        let mut values = req.values.clone();
        let current_config = current.release.config.clone().unwrap_or_default();
        if req.reset_values {
            // Request values only; the new chart's defaults apply.
        } else if req.reuse_values {
            let old_chart =
                current.release.chart.as_ref().ok_or_else(|| {
                    TillerError::msg(format!("release {name} has no chart stored"))
                })?;
            let old_chart = chart::proto::from_proto(old_chart.clone())?;
            let old_user = parse_values(&current_config.raw)?;
            let coalesced = chart::values::coalesce_values(&old_chart, &old_user)
                .map_err(|e| TillerError::msg(e.to_string()))?;
            chart.values = Some(Config {
                raw: to_yaml(&coalesced)?,
                values: Default::default(),
            });
            let mut merged = old_user;
            let new_user = parse_values(values.as_ref().map_or("", |c| c.raw.as_str()))?;
            chart::values::merge_values(&mut merged, new_user);
            values = Some(Config {
                raw: to_yaml(&merged)?,
                values: Default::default(),
            });
        } else if release::values_empty(values.as_ref()) && !current_config.raw.is_empty() {
            values = Some(current_config);
        }

        let revision = last.version() + 1;
        let namespace = current.release.namespace.clone();
        let rendered = release::render(
            self.cluster(),
            RenderInput {
                chart: &chart,
                values: values.as_ref(),
                name: &name,
                namespace: &namespace,
                revision,
                is_upgrade: true,
                sub_notes: req.sub_notes,
            },
        )
        .await?;
        let first = current.release.info.as_ref().and_then(|i| i.first_deployed);
        let mut rel = Release {
            name: name.clone(),
            namespace: namespace.clone(),
            chart: Some(chart),
            config: Some(values.unwrap_or_default()),
            info: Some(Info {
                first_deployed: first,
                last_deployed: Some(now()),
                status: Some(Status {
                    notes: rendered.notes,
                    ..Default::default()
                }),
                ..Default::default()
            }),
            manifest: rendered.manifest,
            hooks: rendered.hooks,
            version: revision,
        };
        set_status(&mut rel, status::Code::PendingUpgrade, "Preparing upgrade");
        let objects = self
            .cluster()
            .build(&namespace, &rel.manifest)
            .await
            .map_err(|e| TillerError::msg(format!("validation failed: {e}")))?;
        Ok((rel, current, objects))
    }

    /// `UpdateRelease`.
    pub async fn update(&self, req: UpdateReleaseRequest) -> Result<Release> {
        names::validate(&req.name)?;
        let _guard = self.lock(&req.name).await;
        match self.inner.storage.last(&req.name).await {
            Ok(last) => {
                self.recover_pending(last).await?;
            }
            // Helm answers an upgrade of an unknown release from Deployed().
            Err(StorageError::NotFound(_) | StorageError::NoRevision(_)) => {
                return Err(StorageError::NoDeployedReleases(req.name.clone()).into());
            }
            Err(e) => return Err(e.into()),
        }
        let (mut rel, current, objects) = match self.prepare_update(&req).await {
            Ok(p) => p,
            Err(e) if req.force => {
                tracing::info!(release = req.name, error = %e, "upgrade preparation failed; --force deletes and re-installs");
                return self.update_force(req).await;
            }
            Err(e) => return Err(e),
        };
        if req.dry_run {
            set_status(&mut rel, status::Code::PendingUpgrade, "Dry run complete");
            return Ok(rel);
        }
        let rec = self.inner.storage.create(&rel).await?;
        let opts = UpdateOptions {
            force: req.force,
            recreate: req.recreate,
            cleanup_on_fail: req.cleanup_on_fail,
            wait: None,
        };
        self.apply_revision(
            rec,
            current,
            objects,
            Op {
                pre: hook::Event::PreUpgrade,
                post: hook::Event::PostUpgrade,
                verb: "Upgrade",
                done: if req.description.is_empty() {
                    "Upgrade complete".to_owned()
                } else {
                    req.description
                },
                disable_hooks: req.disable_hooks,
                wait: req.wait,
                timeout: release::timeout(req.timeout),
                opts,
            },
        )
        .await
    }

    /// Tiller's `performUpdateForce`: delete the latest revision's
    /// resources and install the chart again as the next revision (what
    /// `helm upgrade --force` does when a normal upgrade cannot even be
    /// prepared, e.g. when no revision is DEPLOYED).
    async fn update_force(&self, req: UpdateReleaseRequest) -> Result<Release> {
        let name = req.name.clone();
        let chart = req
            .chart
            .clone()
            .ok_or_else(|| TillerError::msg("no chart provided"))?;
        let mut old = self.inner.storage.last(&name).await?;
        if !matches!(old.status(), status::Code::Deleted | status::Code::Failed) {
            return Err(TillerError::msg(format!(
                "a release named {name} is in use, cannot re-use a name that is still in use"
            )));
        }
        let namespace = old.release.namespace.clone();
        let revision = old.version() + 1;
        let rendered = release::render(
            self.cluster(),
            RenderInput {
                chart: &chart,
                values: req.values.as_ref(),
                name: &name,
                namespace: &namespace,
                revision,
                is_upgrade: false,
                sub_notes: req.sub_notes,
            },
        )
        .await?;
        let t = now();
        let mut rel = Release {
            name: name.clone(),
            namespace: namespace.clone(),
            chart: Some(chart),
            config: Some(req.values.clone().unwrap_or_default()),
            info: Some(Info {
                first_deployed: Some(t),
                last_deployed: Some(t),
                status: Some(Status {
                    notes: rendered.notes,
                    ..Default::default()
                }),
                ..Default::default()
            }),
            manifest: rendered.manifest,
            hooks: rendered.hooks,
            version: revision,
        };
        set_status(
            &mut rel,
            status::Code::PendingInstall,
            "Initial install underway",
        );
        let objects = self
            .cluster()
            .build(&namespace, &rel.manifest)
            .await
            .map_err(|e| TillerError::msg(format!("validation failed: {e}")))?;
        if req.dry_run {
            set_status(&mut rel, status::Code::PendingInstall, "Dry run complete");
            return Ok(rel);
        }
        let timeout = release::timeout(req.timeout);
        // The new revision is applied as an update from the old manifest,
        // so objects kept by resource policy are adopted, not refused.
        let old_objects = self.build_lenient(&namespace, &old.release.manifest).await;
        let was_deleted = old.status() == status::Code::Deleted;
        if !was_deleted {
            if let Some(info) = old.release.info.as_mut() {
                info.deleted = Some(now());
            }
            set_status(
                &mut old.release,
                status::Code::Deleting,
                "Deletion in progress (or silently failed)",
            );
            old = self.inner.storage.update(&old).await?;
            if !req.disable_hooks {
                let mut hooks = std::mem::take(&mut old.release.hooks);
                let res = release::exec_hooks(
                    self.cluster(),
                    &mut hooks,
                    &namespace,
                    hook::Event::PreDelete,
                    timeout,
                )
                .await;
                old.release.hooks = hooks;
                res?;
            }
            let report = self
                .cluster()
                .delete_release(&name, old_objects.clone())
                .await;
            set_status(&mut old.release, status::Code::Deleted, "Deletion complete");
            old = self.inner.storage.update(&old).await?;
            if !report.errors.is_empty() {
                return Err(TillerError::msg(format!(
                    "Upgrade --force successfully deleted the previous release, but encountered {} error(s) and cannot continue: {}",
                    report.errors.len(),
                    report.errors.join("; ")
                )));
            }
            if !req.disable_hooks {
                let mut hooks = std::mem::take(&mut old.release.hooks);
                let res = release::exec_hooks(
                    self.cluster(),
                    &mut hooks,
                    &namespace,
                    hook::Event::PostDelete,
                    timeout,
                )
                .await;
                old.release.hooks = hooks;
                if let Err(e) = res {
                    tracing::warn!(release = name, error = %e, "post-delete hooks of the replaced revision");
                }
            }
        }
        if !req.disable_hooks {
            release::exec_hooks(
                self.cluster(),
                &mut rel.hooks,
                &namespace,
                hook::Event::PreInstall,
                timeout,
            )
            .await?;
        }
        let mut rec = self.inner.storage.create(&rel).await?;
        let res = async {
            self.cluster()
                .update(&namespace, &old_objects, &objects, UpdateOptions::default())
                .await?;
            if req.wait {
                self.cluster().wait_ready(&objects, timeout).await?;
            }
            Ok::<_, TillerError>(())
        }
        .await;
        if let Err(e) = res {
            let msg = format!("Upgrade {name:?} failed: {e}");
            set_status(&mut rec.release, status::Code::Failed, msg);
            self.update_logged(&rec).await;
            return Err(e);
        }
        if !req.disable_hooks {
            self.post_install_hooks(&mut rec, &name, &namespace, timeout)
                .await?;
        }
        let desc = if req.description.is_empty() {
            "Upgrade complete".to_owned()
        } else {
            req.description
        };
        set_status(&mut rec.release, status::Code::Deployed, desc);
        Ok(self.inner.storage.update(&rec).await?.release)
    }

    /// The shared tail of upgrade and rollback: hooks around moving the
    /// cluster from `current` to the new revision `rec`, then statuses.
    async fn apply_revision(
        &self,
        mut rec: Record,
        current: Record,
        objects: Vec<crate::cluster::Object>,
        op: Op,
    ) -> Result<Release> {
        let name = rec.release.name.clone();
        let namespace = rec.release.namespace.clone();
        let fail = |rec: &mut Record, e: &TillerError| {
            set_status(
                &mut rec.release,
                status::Code::Failed,
                format!("{} {name:?} failed: {e}", op.verb),
            );
        };
        if !op.disable_hooks {
            let mut hooks = std::mem::take(&mut rec.release.hooks);
            let res =
                release::exec_hooks(self.cluster(), &mut hooks, &namespace, op.pre, op.timeout)
                    .await;
            rec.release.hooks = hooks;
            if let Err(e) = res {
                fail(&mut rec, &e);
                self.update_logged(&rec).await;
                return Err(e);
            }
        }
        let old_objects = self
            .build_lenient(&namespace, &current.release.manifest)
            .await;
        // The wait runs inside the update so --cleanup-on-fail covers it.
        let opts = UpdateOptions {
            wait: op.wait.then_some(op.timeout),
            ..op.opts
        };
        let res: Result<()> = self
            .cluster()
            .update(&namespace, &old_objects, &objects, opts)
            .await
            .map_err(TillerError::from);
        if let Err(e) = res {
            fail(&mut rec, &e);
            self.update_logged(&rec).await;
            if op.verb == "Rollback" {
                self.supersede(&name, rec.version()).await;
            }
            // The description carries "<Verb> "name" failed: ..."; the
            // caller gets the bare error, as from Helm.
            return Err(e);
        }
        if !op.disable_hooks {
            let mut hooks = std::mem::take(&mut rec.release.hooks);
            let res =
                release::exec_hooks(self.cluster(), &mut hooks, &namespace, op.post, op.timeout)
                    .await;
            rec.release.hooks = hooks;
            if let Err(e) = res {
                fail(&mut rec, &e);
                self.update_logged(&rec).await;
                return Err(e);
            }
        }
        self.supersede(&name, rec.version()).await;
        set_status(&mut rec.release, status::Code::Deployed, op.done);
        Ok(self.inner.storage.update(&rec).await?.release)
    }

    /// Every DEPLOYED revision other than `keep` becomes SUPERSEDED.
    async fn supersede(&self, name: &str, keep: i32) {
        let deployed = match self.inner.storage.deployed_all(name).await {
            Ok(d) => d,
            Err(StorageError::NoDeployedReleases(_)) => return,
            Err(e) => {
                tracing::error!(release = name, error = %e, "listing deployed revisions");
                return;
            }
        };
        for mut d in deployed.into_iter().filter(|d| d.version() != keep) {
            let desc = d
                .release
                .info
                .as_ref()
                .map(|i| i.description.clone())
                .unwrap_or_default();
            set_status(&mut d.release, status::Code::Superseded, desc);
            self.update_logged(&d).await;
        }
    }

    // ---------------------------------------------------------------- rollback

    /// `RollbackRelease`.
    pub async fn rollback(&self, req: RollbackReleaseRequest) -> Result<Release> {
        names::validate(&req.name)?;
        if req.version < 0 {
            return Err(TillerError::msg("invalid release revision"));
        }
        let name = req.name.clone();
        let _guard = self.lock(&name).await;
        let current = self.inner.storage.last(&name).await?;
        let current = self.recover_pending(current).await?;
        let target_version = if req.version == 0 {
            current.version() - 1
        } else {
            req.version
        };
        let previous = self.inner.storage.get(&name, target_version).await?;
        let namespace = current.release.namespace.clone();
        let mut rel = previous.release.clone();
        rel.version = current.version() + 1;
        rel.namespace = namespace.clone();
        let notes = previous
            .release
            .info
            .as_ref()
            .and_then(|i| i.status.as_ref())
            .map(|s| s.notes.clone())
            .unwrap_or_default();
        rel.info = Some(Info {
            first_deployed: current.release.info.as_ref().and_then(|i| i.first_deployed),
            last_deployed: Some(now()),
            status: Some(Status {
                notes,
                ..Default::default()
            }),
            ..Default::default()
        });
        let desc = if req.description.is_empty() {
            format!("Rollback to {target_version}")
        } else {
            req.description.clone()
        };
        set_status(&mut rel, status::Code::PendingRollback, desc.clone());
        if req.dry_run {
            return Ok(rel);
        }
        let objects = self
            .cluster()
            .build(&namespace, &rel.manifest)
            .await
            .map_err(|e| TillerError::msg(format!("validation failed: {e}")))?;
        let rec = self.inner.storage.create(&rel).await?;
        self.apply_revision(
            rec,
            current,
            objects,
            Op {
                pre: hook::Event::PreRollback,
                post: hook::Event::PostRollback,
                verb: "Rollback",
                done: desc,
                disable_hooks: req.disable_hooks,
                wait: req.wait,
                timeout: release::timeout(req.timeout),
                opts: UpdateOptions {
                    force: req.force,
                    recreate: req.recreate,
                    cleanup_on_fail: req.cleanup_on_fail,
                    wait: None,
                },
            },
        )
        .await
    }

    // ---------------------------------------------------------------- uninstall

    /// `UninstallRelease`.
    pub async fn uninstall(
        &self,
        req: UninstallReleaseRequest,
    ) -> Result<UninstallReleaseResponse> {
        names::validate(&req.name)?;
        let name = req.name.clone();
        let _guard = self.lock(&name).await;
        let history = self.inner.storage.history(&name).await?;
        let Some(latest) = history.iter().max_by_key(|r| r.version()).cloned() else {
            return Err(StorageError::NotFound(name).into());
        };
        if latest.status() == status::Code::Deleted {
            if req.purge {
                self.purge(&history).await?;
                return Ok(UninstallReleaseResponse {
                    release: Some(latest.release),
                    info: String::new(),
                });
            }
            return Err(TillerError::msg(format!(
                "the release named {name:?} is already deleted"
            )));
        }
        let mut rec = latest;
        let namespace = rec.release.namespace.clone();
        let timeout = release::timeout(req.timeout);
        if let Some(info) = rec.release.info.as_mut() {
            info.deleted = Some(now());
        }
        set_status(
            &mut rec.release,
            status::Code::Deleting,
            "Deletion in progress (or silently failed)",
        );
        if !req.disable_hooks {
            let mut hooks = std::mem::take(&mut rec.release.hooks);
            let res = release::exec_hooks(
                self.cluster(),
                &mut hooks,
                &namespace,
                hook::Event::PreDelete,
                timeout,
            )
            .await;
            rec.release.hooks = hooks;
            res?;
        }
        let mut rec = self.inner.storage.update(&rec).await?;
        let objects = self.build_lenient(&namespace, &rec.release.manifest).await;
        let report = self.cluster().delete_release(&name, objects).await;
        let mut errors = report.errors;
        if !req.disable_hooks {
            let mut hooks = std::mem::take(&mut rec.release.hooks);
            if let Err(e) = release::exec_hooks(
                self.cluster(),
                &mut hooks,
                &namespace,
                hook::Event::PostDelete,
                timeout,
            )
            .await
            {
                errors.push(e.to_string());
            }
            rec.release.hooks = hooks;
        }
        let desc = if req.description.is_empty() {
            "Deletion complete".to_owned()
        } else {
            req.description.clone()
        };
        set_status(&mut rec.release, status::Code::Deleted, desc);
        let info = if report.kept.is_empty() {
            String::new()
        } else {
            format!(
                "These resources were kept due to the resource policy:\n{}\n",
                report.kept.join("\n")
            )
        };
        if req.purge {
            let history = self.inner.storage.history(&name).await?;
            self.purge(&history).await?;
            return Ok(UninstallReleaseResponse {
                release: Some(rec.release),
                info,
            });
        }
        let rec = self.inner.storage.update(&rec).await?;
        if !errors.is_empty() {
            return Err(TillerError::msg(format!(
                "deletion completed with {} error(s): {}",
                errors.len(),
                errors.join("; ")
            )));
        }
        Ok(UninstallReleaseResponse {
            release: Some(rec.release),
            info,
        })
    }

    async fn purge(&self, history: &[Record]) -> Result<()> {
        for r in history {
            match self.inner.storage.delete_record(r).await {
                Ok(_) | Err(StorageError::NotFound(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    // ---------------------------------------------------------------- reads

    /// `GetReleaseStatus`.
    pub async fn status(&self, req: GetReleaseStatusRequest) -> Result<GetReleaseStatusResponse> {
        names::validate(&req.name)?;
        let rec = if req.version <= 0 {
            self.inner.storage.last(&req.name).await.map_err(|e| {
                TillerError::msg(format!("getting deployed release {:?}: {e}", req.name))
            })?
        } else {
            self.inner
                .storage
                .get(&req.name, req.version)
                .await
                .map_err(|e| {
                    TillerError::msg(format!(
                        "getting release '{}' (v{}): {e}",
                        req.name, req.version
                    ))
                })?
        };
        let mut rel = rec.release;
        let c = code(&rel);
        match self
            .cluster()
            .status_table(&rel.namespace, &rel.manifest)
            .await
        {
            Ok(table) => {
                if let Some(s) = rel.info.as_mut().and_then(|i| i.status.as_mut()) {
                    s.resources = table;
                }
            }
            Err(_) if matches!(c, status::Code::Deleted | status::Code::Failed) => {}
            Err(e) => {
                return Err(TillerError::msg(format!(
                    "warning: Get for {} failed: {e}",
                    rel.name
                )));
            }
        }
        Ok(GetReleaseStatusResponse {
            name: rel.name,
            namespace: rel.namespace,
            info: rel.info,
        })
    }

    /// `GetReleaseContent`.
    pub async fn content(&self, req: GetReleaseContentRequest) -> Result<Release> {
        names::validate(&req.name)?;
        let rec = if req.version <= 0 {
            self.inner.storage.last(&req.name).await?
        } else {
            self.inner.storage.get(&req.name, req.version).await?
        };
        Ok(rec.release)
    }

    /// `GetHistory`: newest first, at most `max`.
    pub async fn history(&self, req: GetHistoryRequest) -> Result<Vec<Release>> {
        names::validate(&req.name)?;
        let mut h = self.inner.storage.history(&req.name).await?;
        if h.is_empty() {
            return Err(StorageError::NotFound(req.name).into());
        }
        h.sort_by_key(|r| std::cmp::Reverse(r.version()));
        let max = usize::try_from(req.max).unwrap_or(0);
        Ok(h.into_iter().take(max).map(|r| r.release).collect())
    }

    /// `ListReleases`: the response messages to stream.
    pub async fn list(&self, req: ListReleasesRequest) -> Result<Vec<ListReleasesResponse>> {
        let codes: Vec<i32> = if req.status_codes.is_empty() {
            vec![status::Code::Deployed as i32]
        } else {
            req.status_codes.clone()
        };
        let filter = if req.filter.is_empty() {
            None
        } else {
            Some(
                regex::Regex::new(&req.filter)
                    .map_err(|e| TillerError::msg(format!("error parsing regexp: {e}")))?,
            )
        };
        let records = self
            .inner
            .storage
            .list_filter_all(&[&|r: &Release| {
                codes.contains(&(code(r) as i32))
                    && (req.namespace.is_empty() || r.namespace == req.namespace)
                    && filter.as_ref().is_none_or(|f| f.is_match(&r.name))
            }])
            .await?;
        let mut rels: Vec<Release> = records.into_iter().map(|r| r.release).collect();
        let total = rels.len();
        match req.sort_by() {
            list_sort::SortBy::Name => rels.sort_by(|a, b| a.name.cmp(&b.name)),
            list_sort::SortBy::LastReleased => rels.sort_by_key(|r| {
                r.info
                    .as_ref()
                    .and_then(|i| i.last_deployed)
                    .map_or(0, |t| t.seconds)
            }),
            list_sort::SortBy::ChartName => rels.sort_by(|a, b| chart_name(a).cmp(chart_name(b))),
            list_sort::SortBy::Unknown => {}
        }
        if req.sort_order() == list_sort::SortOrder::Desc {
            rels.reverse();
        }
        if !req.offset.is_empty() {
            let Some(i) = rels.iter().position(|r| r.name == req.offset) else {
                return Err(TillerError::msg(format!(
                    "offset {:?} not found",
                    req.offset
                )));
            };
            rels.drain(..i);
        }
        let limit = match usize::try_from(req.limit) {
            Ok(0) | Err(_) => DEFAULT_LIST_LIMIT,
            Ok(n) => n,
        };
        let next = if rels.len() > limit {
            rels[limit].name.clone()
        } else {
            String::new()
        };
        rels.truncate(limit);
        let count = rels.len();
        Ok(chunk_list(rels, count, next, total, self.inner.max_message))
    }

    /// `RunReleaseTest`: runs the test pods, sending progress to `tx`.
    pub async fn run_tests(
        &self,
        req: TestReleaseRequest,
        tx: mpsc::Sender<std::result::Result<TestReleaseResponse, GrpcStatus>>,
    ) -> Result<()> {
        names::validate(&req.name)?;
        let _guard = self.lock(&req.name).await;
        let mut rec = self.inner.storage.last(&req.name).await?;
        let namespace = rec.release.namespace.clone();
        let send = |msg: String, st: test_run::Status| {
            let tx = tx.clone();
            async move {
                let _ = tx
                    .send(Ok(TestReleaseResponse {
                        msg,
                        status: st as i32,
                    }))
                    .await;
            }
        };
        let tests: Vec<_> = rec
            .release
            .hooks
            .iter()
            .filter(|h| {
                h.events.contains(&(hook::Event::ReleaseTestSuccess as i32))
                    || h.events.contains(&(hook::Event::ReleaseTestFailure as i32))
            })
            .cloned()
            .collect();
        let mut suite = TestSuite {
            started_at: Some(now()),
            ..Default::default()
        };
        if tests.is_empty() {
            send("No Tests Found".to_owned(), test_run::Status::Unknown).await;
        }
        let timeout = release::timeout(req.timeout);
        let mut pods = Vec::new();
        // Every test must be a Pod before any runs.
        let mut planned = Vec::new();
        for t in &tests {
            let expect_success = t.events.contains(&(hook::Event::ReleaseTestSuccess as i32));
            for doc in parse_manifest(&t.manifest)? {
                let o = self.cluster().resolve(&namespace, doc).await?;
                if o.kind != "Pod" {
                    return Err(TillerError::msg(format!("{} is not a pod", t.name)));
                }
                planned.push((o, expect_success));
            }
        }
        let run_one = |o: crate::cluster::Object, expect_success: bool| {
            let send = &send;
            let namespace = &namespace;
            async move {
                let mut run = TestRun {
                    name: o.name.clone(),
                    started_at: Some(now()),
                    ..Default::default()
                };
                send(format!("RUNNING: {}", o.name), test_run::Status::Running).await;
                if let Err(e) = self.cluster().create_object(&o).await {
                    send(format!("ERROR: {e}"), test_run::Status::Failure).await;
                    run.set_status(test_run::Status::Failure);
                    run.info = e.to_string();
                    return (run, None);
                }
                let phase = match self.cluster().wait_pod_done(&o, timeout).await {
                    Ok(p) => p,
                    Err(e) => {
                        send(format!("ERROR: {e}"), test_run::Status::Failure).await;
                        run.set_status(test_run::Status::Unknown);
                        run.info = e.to_string();
                        run.completed_at = Some(now());
                        return (run, Some(o));
                    }
                };
                if (phase == "Succeeded") == expect_success {
                    send(format!("PASSED: {}", o.name), test_run::Status::Success).await;
                    run.set_status(test_run::Status::Success);
                } else {
                    send(
                        format!(
                            "FAILED: {}, run `kubectl logs {} --namespace {namespace}` for more info",
                            o.name, o.name
                        ),
                        test_run::Status::Failure,
                    )
                    .await;
                    run.set_status(test_run::Status::Failure);
                }
                run.completed_at = Some(now());
                (run, Some(o))
            }
        };
        let results: Vec<(TestRun, Option<crate::cluster::Object>)> = if req.parallel {
            // Helm runs at most max_parallel (default 20) test pods at once.
            let limit = match req.max_parallel {
                0 => 20,
                n => usize::try_from(n).unwrap_or(20),
            };
            use futures::StreamExt as _;
            futures::stream::iter(planned.into_iter().map(|(o, e)| run_one(o, e)))
                .buffered(limit)
                .collect()
                .await
        } else {
            let mut out = Vec::new();
            for (o, e) in planned {
                out.push(run_one(o, e).await);
            }
            out
        };
        for (run, pod) in results {
            suite.results.push(run);
            pods.extend(pod);
        }
        suite.completed_at = Some(now());
        if req.logs {
            for p in &pods {
                match self.cluster().pod_logs(&namespace, &p.name).await {
                    Ok(l) => {
                        send(
                            format!("\nPOD LOGS: {}\n{l}", p.name),
                            test_run::Status::Running,
                        )
                        .await
                    }
                    Err(e) => send(format!("ERROR: {e}"), test_run::Status::Failure).await,
                }
            }
        }
        if req.cleanup {
            for p in &pods {
                if let Err(e) = self.cluster().delete_object(p, None).await {
                    send(format!("ERROR: {e}"), test_run::Status::Failure).await;
                }
            }
        }
        if let Some(s) = rec.release.info.as_mut().and_then(|i| i.status.as_mut()) {
            s.last_test_suite_run = Some(suite);
        }
        self.inner.storage.update(&rec).await?;
        Ok(())
    }
}

struct Op {
    pre: hook::Event,
    post: hook::Event,
    verb: &'static str,
    done: String,
    disable_hooks: bool,
    wait: bool,
    timeout: std::time::Duration,
    opts: UpdateOptions,
}

fn chart_name(r: &Release) -> &str {
    r.chart
        .as_ref()
        .and_then(|c| c.metadata.as_ref())
        .map_or("", |m| m.name.as_str())
}

fn parse_values(raw: &str) -> Result<chart::Values> {
    if raw.trim().is_empty() {
        return Ok(chart::Values::new());
    }
    chart::values::read_values(raw)
        .map_err(|e| TillerError::msg(format!("cannot parse values: {e}")))
}

fn to_yaml(v: &chart::Values) -> Result<String> {
    chart::values::to_yaml(v).map_err(|e| TillerError::msg(e.to_string()))
}

/// Splits releases into messages that each stay under `max` bytes, every
/// message repeating count, next and total; no releases ⇒ no message.
pub fn chunk_list(
    rels: Vec<Release>,
    count: usize,
    next: String,
    total: usize,
    max: usize,
) -> Vec<ListReleasesResponse> {
    let budget = max.saturating_sub(LIST_CHUNK_MARGIN).max(1);
    let head = |releases: Vec<Release>| ListReleasesResponse {
        count: i64::try_from(count).unwrap_or(i64::MAX),
        next: next.clone(),
        total: i64::try_from(total).unwrap_or(i64::MAX),
        releases,
    };
    let mut out = Vec::new();
    let mut cur = Vec::new();
    let mut size = 0usize;
    for r in rels {
        let len = r.encoded_len() + 8;
        if !cur.is_empty() && size + len > budget {
            out.push(head(std::mem::take(&mut cur)));
            size = 0;
        }
        size += len;
        cur.push(r);
    }
    if !cur.is_empty() {
        out.push(head(cur));
    }
    out
}

type BoxStream<T> =
    Pin<Box<dyn Stream<Item = std::result::Result<T, GrpcStatus>> + Send + 'static>>;

#[tonic::async_trait]
impl ReleaseService for ReleaseServer {
    type ListReleasesStream = BoxStream<ListReleasesResponse>;
    type RunReleaseTestStream = BoxStream<TestReleaseResponse>;

    async fn list_releases(
        &self,
        request: Request<ListReleasesRequest>,
    ) -> std::result::Result<Response<Self::ListReleasesStream>, GrpcStatus> {
        let msgs = self.list(request.into_inner()).await?;
        Ok(Response::new(Box::pin(tokio_stream::iter(
            msgs.into_iter().map(Ok),
        ))))
    }

    async fn get_release_status(
        &self,
        request: Request<GetReleaseStatusRequest>,
    ) -> std::result::Result<Response<GetReleaseStatusResponse>, GrpcStatus> {
        Ok(Response::new(self.status(request.into_inner()).await?))
    }

    async fn get_release_content(
        &self,
        request: Request<GetReleaseContentRequest>,
    ) -> std::result::Result<Response<GetReleaseContentResponse>, GrpcStatus> {
        let release = self.content(request.into_inner()).await?;
        Ok(Response::new(GetReleaseContentResponse {
            release: Some(release),
        }))
    }

    async fn update_release(
        &self,
        request: Request<UpdateReleaseRequest>,
    ) -> std::result::Result<Response<UpdateReleaseResponse>, GrpcStatus> {
        let release = self.update(request.into_inner()).await?;
        Ok(Response::new(UpdateReleaseResponse {
            release: Some(release),
        }))
    }

    async fn install_release(
        &self,
        request: Request<InstallReleaseRequest>,
    ) -> std::result::Result<Response<InstallReleaseResponse>, GrpcStatus> {
        let release = self.install(request.into_inner()).await?;
        Ok(Response::new(InstallReleaseResponse {
            release: Some(release),
        }))
    }

    async fn uninstall_release(
        &self,
        request: Request<UninstallReleaseRequest>,
    ) -> std::result::Result<Response<UninstallReleaseResponse>, GrpcStatus> {
        Ok(Response::new(self.uninstall(request.into_inner()).await?))
    }

    async fn get_version(
        &self,
        _request: Request<GetVersionRequest>,
    ) -> std::result::Result<Response<GetVersionResponse>, GrpcStatus> {
        Ok(Response::new(GetVersionResponse {
            version: Some(self.inner.version.clone()),
        }))
    }

    async fn rollback_release(
        &self,
        request: Request<RollbackReleaseRequest>,
    ) -> std::result::Result<Response<RollbackReleaseResponse>, GrpcStatus> {
        let release = self.rollback(request.into_inner()).await?;
        Ok(Response::new(RollbackReleaseResponse {
            release: Some(release),
        }))
    }

    async fn get_history(
        &self,
        request: Request<GetHistoryRequest>,
    ) -> std::result::Result<Response<GetHistoryResponse>, GrpcStatus> {
        let releases = self.history(request.into_inner()).await?;
        Ok(Response::new(GetHistoryResponse { releases }))
    }

    async fn run_release_test(
        &self,
        request: Request<TestReleaseRequest>,
    ) -> std::result::Result<Response<Self::RunReleaseTestStream>, GrpcStatus> {
        let req = request.into_inner();
        names::validate(&req.name).map_err(TillerError::from)?;
        let (tx, rx) = mpsc::channel(64);
        let server = self.clone();
        tokio::spawn(async move {
            if let Err(e) = server.run_tests(req, tx.clone()).await {
                let _ = tx.send(Err(GrpcStatus::from(e))).await;
            }
        });
        Ok(Response::new(Box::pin(
            tokio_stream::wrappers::ReceiverStream::new(rx),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(name: &str, bytes: usize) -> Release {
        Release {
            name: name.to_owned(),
            manifest: "x".repeat(bytes),
            ..Default::default()
        }
    }

    #[test]
    fn list_chunks_stay_under_the_limit() {
        let rels: Vec<Release> = (0..100).map(|i| rel(&format!("r{i}"), 10_000)).collect();
        let max = LIST_CHUNK_MARGIN + 100_000;
        let msgs = chunk_list(rels, 100, "next".to_owned(), 500, max);
        assert!(msgs.len() >= 10, "{}", msgs.len());
        assert_eq!(msgs.iter().map(|m| m.releases.len()).sum::<usize>(), 100);
        for m in &msgs {
            assert!(m.encoded_len() <= max, "{}", m.encoded_len());
            assert_eq!((m.count, m.total, m.next.as_str()), (100, 500, "next"));
        }
        assert!(chunk_list(vec![], 0, String::new(), 0, max).is_empty());
    }
}
