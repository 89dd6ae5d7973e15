//! The ConfigMap driver (Helm's default, name "ConfigMap") and the Secret
//! driver (name "Secret"): one object per revision in Tiller's namespace,
//! in exactly the shape Helm v2.17.0 writes.
//!
//! * object name = key `<release>.v<revision>`;
//! * labels `NAME`, `OWNER=TILLER`, `STATUS` (enum name), `VERSION`, plus
//!   `CREATED_AT` on create or `MODIFIED_AT` on update (Unix seconds), plus
//!   any extra labels of the [`RecordMeta`]; annotations from the meta;
//! * ConfigMap `data.release` = the §2.2 text (base64 of gzipped protobuf);
//!   Secret `data.release` = the bytes of that text, so the JSON wire value is
//!   base64 of base64, and `type` is left for the server to default (Opaque).
//!
//! Differences from Helm, all on the safe side: updates are PUTs carrying
//! the resourceVersion that was read (409 → [`StorageError::Conflict`]);
//! deletes carry the read resourceVersion as a precondition; a release whose
//! data would exceed the 1 MiB object limit fails before any request, and a
//! 422 "Too long" (or 413) from the API server maps to the same error; lists
//! read in pages of [`DEFAULT_PAGE_SIZE`] with `limit`/`continue`, decoding
//! and filtering page by page; every request is bounded by
//! [`DEFAULT_REQUEST_TIMEOUT`].

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::time::Duration;

use async_trait::async_trait;
use helm_proto::hapi::release::Release;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::{ByteString, NamespaceResourceScope};
use kube::api::{Api, DeleteParams, ListParams, PostParams, Preconditions};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::driver::{Driver, Filter};
use super::error::StorageError;
use super::labels;
use super::record::{
    LABEL_CREATED_AT, LABEL_MODIFIED_AT, LABEL_NAME, LABEL_OWNER, OWNER_TILLER, Record, RecordMeta,
    object_labels, unix_now,
};

/// Helm's name for the ConfigMap driver.
pub const CONFIGMAPS_DRIVER_NAME: &str = "ConfigMap";
/// Helm's name for the Secret driver.
pub const SECRETS_DRIVER_NAME: &str = "Secret";
/// The API server's limit on a ConfigMap's or Secret's data (1 MiB).
pub const MAX_OBJECT_DATA_BYTES: usize = 1_048_576;
/// Objects per list request.
pub const DEFAULT_PAGE_SIZE: u32 = 500;
/// Longest wait for one API request (kube's own retries of 429/503/504
/// included) before it fails with [`StorageError::Timeout`].
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The data key holding the encoded release.
pub const DATA_KEY: &str = "release";
/// Tiller's namespace when neither `TILLER_NAMESPACE` nor a service account
/// namespace is available.
pub const DEFAULT_TILLER_NAMESPACE: &str = "kube-system";

/// How often a paged list restarts after its continue token expired.
const LIST_RESTARTS: usize = 3;

/// The release records in ConfigMaps.
pub type ConfigMaps = KubeDriver<ConfigMap>;
/// The release records in Secrets.
pub type Secrets = KubeDriver<Secret>;

/// Tiller's namespace as Helm v2 finds it: `$TILLER_NAMESPACE`, else the
/// service account's namespace file, else `kube-system`.
pub fn tiller_namespace() -> String {
    if let Ok(ns) = std::env::var("TILLER_NAMESPACE")
        && !ns.is_empty()
    {
        return ns;
    }
    if let Ok(data) =
        std::fs::read_to_string("/var/run/secrets/kubernetes.io/serviceaccount/namespace")
    {
        let ns = data.trim();
        if !ns.is_empty() {
            return ns.to_owned();
        }
    }
    DEFAULT_TILLER_NAMESPACE.to_owned()
}

/// A Kubernetes object kind that can hold a release record. Implemented for
/// [`ConfigMap`] and [`Secret`] only.
pub trait StoredObject:
    kube::Resource<DynamicType = (), Scope = NamespaceResourceScope>
    + Clone
    + fmt::Debug
    + DeserializeOwned
    + Serialize
    + Send
    + Sync
    + 'static
    + sealed::Sealed
{
    /// Helm's driver name.
    const DRIVER_NAME: &'static str;

    /// Builds the object holding `text` (the encoded release).
    fn build(meta: ObjectMeta, text: String) -> Self;

    /// The stored release text, if there is a `release` entry.
    fn release_text(&self) -> Option<Result<&str, std::str::Utf8Error>>;

    /// Bytes the API server counts against [`MAX_OBJECT_DATA_BYTES`] for a
    /// release text of `text_len` bytes.
    fn data_size(text_len: usize) -> usize;

    /// What Helm names in its "already exists" error.
    fn exists_subject(key: &str, release: &Release) -> String;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for k8s_openapi::api::core::v1::ConfigMap {}
    impl Sealed for k8s_openapi::api::core::v1::Secret {}
}

impl StoredObject for ConfigMap {
    const DRIVER_NAME: &'static str = CONFIGMAPS_DRIVER_NAME;

    fn build(meta: ObjectMeta, text: String) -> Self {
        Self {
            metadata: meta,
            data: Some(BTreeMap::from([(DATA_KEY.to_owned(), text)])),
            ..Self::default()
        }
    }

    fn release_text(&self) -> Option<Result<&str, std::str::Utf8Error>> {
        self.data.as_ref()?.get(DATA_KEY).map(|s| Ok(s.as_str()))
    }

    fn data_size(text_len: usize) -> usize {
        // Counted with the key, as some API server versions (and kubesim)
        // do: the stricter reading never lets a write through that one of
        // them would refuse.
        DATA_KEY.len() + text_len
    }

    fn exists_subject(key: &str, _release: &Release) -> String {
        key.to_owned()
    }
}

impl StoredObject for Secret {
    const DRIVER_NAME: &'static str = SECRETS_DRIVER_NAME;

    fn build(meta: ObjectMeta, text: String) -> Self {
        Self {
            metadata: meta,
            data: Some(BTreeMap::from([(
                DATA_KEY.to_owned(),
                ByteString(text.into_bytes()),
            )])),
            ..Self::default()
        }
    }

    fn release_text(&self) -> Option<Result<&str, std::str::Utf8Error>> {
        self.data
            .as_ref()?
            .get(DATA_KEY)
            .map(|b| std::str::from_utf8(&b.0))
    }

    fn data_size(text_len: usize) -> usize {
        // The API server counts the decoded bytes (the text); the key is
        // added for the same reason as for ConfigMaps.
        DATA_KEY.len() + text_len
    }

    fn exists_subject(_key: &str, release: &Release) -> String {
        // Helm's Secret driver names the release, not the key, here.
        release.name.clone()
    }
}

/// A driver storing each revision as one `K` object in one namespace.
pub struct KubeDriver<K> {
    api: Api<K>,
    namespace: String,
    page_size: u32,
    request_timeout: Option<Duration>,
    kind: PhantomData<fn() -> K>,
}

impl<K> fmt::Debug for KubeDriver<K>
where
    K: StoredObject,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KubeDriver")
            .field("driver", &K::DRIVER_NAME)
            .field("namespace", &self.namespace)
            .field("page_size", &self.page_size)
            .field("request_timeout", &self.request_timeout)
            .finish_non_exhaustive()
    }
}

impl<K> KubeDriver<K>
where
    K: StoredObject,
{
    /// A driver for the objects of `namespace` (normally
    /// [`tiller_namespace`]).
    pub fn new(client: kube::Client, namespace: &str) -> Self {
        Self {
            api: Api::namespaced(client, namespace),
            namespace: namespace.to_owned(),
            page_size: DEFAULT_PAGE_SIZE,
            request_timeout: Some(DEFAULT_REQUEST_TIMEOUT),
            kind: PhantomData,
        }
    }

    /// Sets how many objects each list request asks for (at least 1).
    #[must_use]
    pub fn with_page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size.max(1);
        self
    }

    /// Sets the limit on each API request ([`DEFAULT_REQUEST_TIMEOUT`] by
    /// default; `None` waits as long as the client does).
    #[must_use]
    pub fn with_request_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Runs one API request under the request timeout.
    async fn timed<T>(
        &self,
        op: &'static str,
        key: &str,
        request: impl Future<Output = kube::Result<T>>,
    ) -> Result<kube::Result<T>, StorageError> {
        match self.request_timeout {
            None => Ok(request.await),
            Some(after) => {
                tokio::time::timeout(after, request)
                    .await
                    .map_err(|_| StorageError::Timeout {
                        op,
                        key: key.to_owned(),
                        after,
                    })
            }
        }
    }

    /// The namespace the records live in.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Encodes a release and checks it fits, returning the text.
    fn encode_checked(key: &str, release: &Release) -> Result<String, StorageError> {
        let text = helm_proto::encode_release(release).map_err(|source| StorageError::Codec {
            key: key.to_owned(),
            source,
        })?;
        let size = K::data_size(text.len());
        if size > MAX_OBJECT_DATA_BYTES {
            return Err(too_large::<K>(release, size));
        }
        Ok(text)
    }

    /// The object for a write, with its data size.
    fn object(
        key: &str,
        release: &Release,
        meta: &RecordMeta,
        stamp: &str,
    ) -> Result<(K, usize), StorageError> {
        let labels = object_labels(release, meta, (stamp, unix_now()))?;
        let text = Self::encode_checked(key, release)?;
        let size = K::data_size(text.len());
        let object_meta = ObjectMeta {
            name: Some(key.to_owned()),
            labels: Some(labels),
            annotations: (!meta.annotations.is_empty()).then(|| meta.annotations.clone()),
            ..ObjectMeta::default()
        };
        Ok((K::build(object_meta, text), size))
    }

    /// Reads all objects matching `selector`, page by page, keeping the
    /// decodable records whose release passes `keep`. Also returns how many
    /// objects matched, decodable or not (Helm's empty-query test counts
    /// objects, not releases).
    async fn list_records(
        &self,
        selector: &str,
        keep: &(dyn Fn(&Release) -> bool + Send + Sync),
    ) -> Result<(Vec<Record>, usize), StorageError> {
        let mut restarts = 0;
        'attempt: loop {
            let mut out = Vec::new();
            let mut seen = 0usize;
            let mut token: Option<String> = None;
            loop {
                let mut params = ListParams::default().labels(selector).limit(self.page_size);
                if let Some(t) = token.take() {
                    params = params.continue_token(&t);
                }
                let page = match self.timed("list", selector, self.api.list(&params)).await? {
                    Ok(page) => page,
                    Err(kube::Error::Api(status))
                        if status.code == 410 && params.continue_token.is_some() =>
                    {
                        // The snapshot behind the continue token is gone; a
                        // consistent answer needs a fresh start.
                        restarts += 1;
                        if restarts > LIST_RESTARTS {
                            return Err(kube_error("list", selector, kube::Error::Api(status)));
                        }
                        tracing::debug!(
                            selector,
                            restarts,
                            "list continue token expired, restarting"
                        );
                        continue 'attempt;
                    }
                    Err(e) => return Err(kube_error("list", selector, e)),
                };
                seen += page.items.len();
                for item in page.items {
                    match to_record(item) {
                        Ok(rec) if keep(&rec.release) => out.push(rec),
                        Ok(_) => {}
                        Err(e) => {
                            tracing::warn!(driver = K::DRIVER_NAME, error = %e, "skipping undecodable release record");
                        }
                    }
                }
                match page.metadata.continue_.filter(|t| !t.is_empty()) {
                    Some(t) => token = Some(t),
                    None => return Ok((out, seen)),
                }
            }
        }
    }

    async fn get_object(&self, key: &str) -> Result<K, StorageError> {
        self.timed("get", key, self.api.get(key))
            .await?
            .map_err(|e| match e {
                kube::Error::Api(s) if s.code == 404 => StorageError::NotFound(key.to_owned()),
                e => kube_error("get", key, e),
            })
    }
}

fn too_large<K: StoredObject>(release: &Release, size: usize) -> StorageError {
    StorageError::TooLarge {
        name: release.name.clone(),
        version: release.version,
        size,
        limit: MAX_OBJECT_DATA_BYTES,
        kind: K::DRIVER_NAME,
    }
}

fn kube_error(op: &'static str, key: &str, source: kube::Error) -> StorageError {
    StorageError::Kube {
        op,
        key: key.to_owned(),
        source,
    }
}

/// Whether the API server refused the object for its size: 413, or a 422
/// whose message carries Kubernetes' "Too long" wording.
fn is_too_long(err: &kube::Error) -> bool {
    matches!(err, kube::Error::Api(s)
        if s.code == 413 || (s.code == 422 && s.message.contains("Too long")))
}

/// Decodes an object into a record.
fn to_record<K: StoredObject>(obj: K) -> Result<Record, StorageError> {
    let meta = obj.meta();
    let key = meta.name.clone().unwrap_or_default();
    let text = match obj.release_text() {
        None => return Err(StorageError::MissingData(key)),
        Some(Err(_)) => return Err(StorageError::NotText(key)),
        Some(Ok(t)) => t,
    };
    let release = helm_proto::decode_release(text).map_err(|source| StorageError::Codec {
        key: key.clone(),
        source,
    })?;
    Ok(with_meta(key, release, meta))
}

fn with_meta(key: String, release: Release, meta: &ObjectMeta) -> Record {
    Record {
        key,
        release,
        resource_version: meta.resource_version.clone().unwrap_or_default(),
        labels: meta.labels.clone().unwrap_or_default(),
        annotations: meta.annotations.clone().unwrap_or_default(),
    }
}

#[async_trait]
impl<K> Driver for KubeDriver<K>
where
    K: StoredObject,
{
    fn name(&self) -> &'static str {
        K::DRIVER_NAME
    }

    async fn get(&self, key: &str) -> Result<Record, StorageError> {
        let obj = self.get_object(key).await?;
        to_record(obj)
    }

    async fn list(&self, filter: Filter<'_>) -> Result<Vec<Record>, StorageError> {
        let all = BTreeMap::from([(LABEL_OWNER.to_owned(), OWNER_TILLER.to_owned())]);
        let (found, _) = self.list_records(&labels::selector(&all), filter).await?;
        Ok(found)
    }

    async fn query(&self, want: &BTreeMap<String, String>) -> Result<Vec<Record>, StorageError> {
        labels::validate_query(want)?;
        let (found, seen) = self
            .list_records(&labels::selector(want), &|_| true)
            .await?;
        if seen == 0 {
            let name = want.get(LABEL_NAME).cloned().unwrap_or_default();
            return Err(StorageError::NotFound(name));
        }
        Ok(found)
    }

    async fn create(
        &self,
        key: &str,
        release: &Release,
        meta: &RecordMeta,
    ) -> Result<Record, StorageError> {
        let (obj, size) = Self::object(key, release, meta, LABEL_CREATED_AT)?;
        let pp = PostParams::default();
        match self
            .timed("create", key, self.api.create(&pp, &obj))
            .await?
        {
            Ok(created) => Ok(with_meta(key.to_owned(), release.clone(), created.meta())),
            // Other 409s (a conflict injected by a proxy or a racing
            // delete) stay retryable API errors; only AlreadyExists means
            // the revision is taken.
            Err(kube::Error::Api(s)) if s.code == 409 && s.reason == "AlreadyExists" => {
                Err(StorageError::AlreadyExists(K::exists_subject(key, release)))
            }
            Err(e) if is_too_long(&e) => Err(too_large::<K>(release, size)),
            Err(e) => Err(kube_error("create", key, e)),
        }
    }

    async fn update(
        &self,
        key: &str,
        release: &Release,
        meta: &RecordMeta,
        resource_version: &str,
    ) -> Result<Record, StorageError> {
        if resource_version.is_empty() {
            // An empty resourceVersion would make the PUT unconditional.
            return Err(StorageError::Unversioned(key.to_owned()));
        }
        let (mut obj, size) = Self::object(key, release, meta, LABEL_MODIFIED_AT)?;
        obj.meta_mut().resource_version = Some(resource_version.to_owned());
        let pp = PostParams::default();
        match self
            .timed("update", key, self.api.replace(key, &pp, &obj))
            .await?
        {
            Ok(written) => Ok(with_meta(key.to_owned(), release.clone(), written.meta())),
            Err(kube::Error::Api(s)) if s.code == 409 => Err(StorageError::Conflict {
                key: key.to_owned(),
                resource_version: resource_version.to_owned(),
            }),
            Err(kube::Error::Api(s)) if s.code == 404 => {
                Err(StorageError::NotFound(key.to_owned()))
            }
            Err(e) if is_too_long(&e) => Err(too_large::<K>(release, size)),
            Err(e) => Err(kube_error("update", key, e)),
        }
    }

    async fn delete(
        &self,
        key: &str,
        resource_version: Option<&str>,
    ) -> Result<Record, StorageError> {
        let record = self.get(key).await?;
        if let Some(want) = resource_version
            && want != record.resource_version
        {
            return Err(StorageError::Conflict {
                key: key.to_owned(),
                resource_version: want.to_owned(),
            });
        }
        let params = DeleteParams {
            preconditions: Some(Preconditions {
                resource_version: Some(record.resource_version.clone()).filter(|rv| !rv.is_empty()),
                uid: None,
            }),
            ..DeleteParams::default()
        };
        match self
            .timed("delete", key, self.api.delete(key, &params))
            .await?
        {
            Ok(_) => Ok(record),
            Err(kube::Error::Api(s)) if s.code == 409 => Err(StorageError::Conflict {
                key: key.to_owned(),
                resource_version: record.resource_version,
            }),
            Err(kube::Error::Api(s)) if s.code == 404 => {
                Err(StorageError::NotFound(key.to_owned()))
            }
            Err(e) => Err(kube_error("delete", key, e)),
        }
    }

    fn check_fits(&self, release: &Release) -> Result<(), StorageError> {
        let key = super::record::make_key(&release.name, release.version);
        Self::encode_checked(&key, release).map(drop)
    }
}

#[cfg(test)]
mod tests {
    use helm_proto::hapi::release::{Info, Status, status::Code};

    use super::*;

    fn rel(manifest: String) -> Release {
        Release {
            name: "big".to_owned(),
            version: 2,
            manifest,
            info: Some(Info {
                status: Some(Status {
                    code: Code::Deployed as i32,
                    ..Status::default()
                }),
                ..Info::default()
            }),
            ..Release::default()
        }
    }

    /// Incompressible text: a xorshift stream printed as hex.
    fn noise(bytes: usize) -> String {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut s = String::with_capacity(bytes);
        while s.len() < bytes {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            s.push_str(&format!("{x:016x}"));
        }
        s
    }

    #[test]
    fn objects_have_helm_shape() {
        let meta = RecordMeta {
            labels: BTreeMap::from([("tiller.sh/term".to_owned(), "4".to_owned())]),
            annotations: BTreeMap::from([("tiller.sh/holder".to_owned(), "p0".to_owned())]),
        };
        let (cm, _) = ConfigMaps::object(
            "big.v2",
            &rel("kind: Pod\n".into()),
            &meta,
            LABEL_CREATED_AT,
        )
        .expect("object");
        assert_eq!(cm.metadata.name.as_deref(), Some("big.v2"));
        let labels = cm.metadata.labels.clone().expect("labels");
        let keys: Vec<_> = labels.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "CREATED_AT",
                "NAME",
                "OWNER",
                "STATUS",
                "VERSION",
                "tiller.sh/term"
            ]
        );
        assert_eq!(labels["VERSION"], "2");
        assert_eq!(labels["STATUS"], "DEPLOYED");
        assert!(cm.metadata.resource_version.is_none());
        let text = cm.release_text().expect("data").expect("utf8");
        assert_eq!(
            helm_proto::decode_release(text).expect("decode"),
            rel("kind: Pod\n".into())
        );
        assert_eq!(
            cm.metadata.annotations.as_ref().expect("ann")["tiller.sh/holder"],
            "p0"
        );

        let (secret, _) = Secrets::object(
            "big.v2",
            &rel("kind: Pod\n".into()),
            &RecordMeta::default(),
            LABEL_MODIFIED_AT,
        )
        .expect("object");
        assert!(secret.type_.is_none());
        assert!(secret.metadata.annotations.is_none());
        let labels = secret.metadata.labels.clone().expect("labels");
        assert!(labels.contains_key("MODIFIED_AT") && !labels.contains_key("CREATED_AT"));
        // The same text as the ConfigMap's (gzip output is deterministic),
        // held as bytes.
        let secret_text = secret.release_text().expect("data").expect("utf8");
        assert_eq!(secret_text, text);
    }

    #[test]
    fn size_limit_is_checked_before_writing() {
        // Hex noise gzips to about half, base64 adds a third: ~1.3 MiB.
        let big = rel(noise(2_000_000));
        let Err(err) = ConfigMaps::object("big.v2", &big, &RecordMeta::default(), LABEL_CREATED_AT)
        else {
            panic!("a release of ~1.3 MiB encoded was accepted");
        };
        match &err {
            StorageError::TooLarge {
                size, limit, kind, ..
            } => {
                assert!(*size > MAX_OBJECT_DATA_BYTES);
                assert_eq!(*limit, MAX_OBJECT_DATA_BYTES);
                assert_eq!(*kind, "ConfigMap");
            }
            other => panic!("unexpected {other}"),
        }
        assert!(
            err.to_string()
                .starts_with(r#"release "big" revision 2 is too large to store: 1."#)
        );
        assert!(
            err.to_string()
                .ends_with("the ConfigMap limit is 1 MiB (1048576 bytes)")
        );

        // Highly compressible content of the same size fits.
        let small = rel("a".repeat(1_200_000));
        assert!(
            ConfigMaps::object("big.v2", &small, &RecordMeta::default(), LABEL_CREATED_AT).is_ok()
        );
    }

    #[test]
    fn records_decode_and_reject_bad_objects() {
        let (cm, _) = ConfigMaps::object(
            "big.v2",
            &rel("x".into()),
            &RecordMeta::default(),
            LABEL_CREATED_AT,
        )
        .expect("object");
        let rec = to_record(cm).expect("record");
        assert_eq!(rec.key, "big.v2");
        assert_eq!(rec.release.manifest, "x");

        let empty = ConfigMap {
            metadata: ObjectMeta {
                name: Some("a.v1".into()),
                ..ObjectMeta::default()
            },
            ..ConfigMap::default()
        };
        assert_eq!(
            to_record(empty).expect_err("no data").to_string(),
            r#"release record "a.v1" has no release data"#
        );
        let garbage = ConfigMap::build(
            ObjectMeta {
                name: Some("a.v1".into()),
                ..ObjectMeta::default()
            },
            "%%%".into(),
        );
        let err = to_record(garbage).expect_err("bad text");
        assert!(
            err.to_string()
                .starts_with(r#"release record "a.v1": stored release is not valid base64"#),
            "{err}"
        );
        let binary = Secret {
            metadata: ObjectMeta {
                name: Some("a.v1".into()),
                ..ObjectMeta::default()
            },
            data: Some(BTreeMap::from([(
                "release".into(),
                ByteString(vec![0xff, 0xfe]),
            )])),
            ..Secret::default()
        };
        assert_eq!(
            to_record(binary).expect_err("binary").to_string(),
            r#"release record "a.v1" holds data that is not text"#
        );
    }

    #[test]
    fn too_long_detection() {
        let status = |code: u16, msg: &str| {
            kube::Error::Api(
                kube::core::Status::failure(msg, "Invalid")
                    .with_code(code)
                    .boxed(),
            )
        };
        assert!(is_too_long(&status(
            422,
            r#"ConfigMap "v1.v1" is invalid: []: Too long: must have at most 1048576 bytes"#
        )));
        assert!(is_too_long(&status(413, "Request entity too large")));
        assert!(!is_too_long(&status(422, "metadata.name: Invalid value")));
    }
}
