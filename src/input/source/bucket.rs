//! An artifacts root in object storage (`s3://bucket/prefix/`, `gs://`,
//! `az://`), read through the Apache Arrow project's `object_store` crate.
//!
//! Endpoint, region and credentials come from the environment the cloud's
//! own tools read (`AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `GOOGLE_SERVICE_ACCOUNT`,
//! `AZURE_STORAGE_ACCOUNT_NAME`, …), never from the site's config file.
//! Requests are paths the store's client builds from keys it listed under
//! the prefix, so no key outside the prefix is ever read; every request has
//! a timeout and a few retries, and once the server stops answering the
//! rest fail at once instead of each waiting out its retries.

use bytes::Bytes;
use futures::TryStreamExt;
use object_store::path::Path as Key;
use object_store::{ObjectStore, ObjectStoreExt, RetryConfig};
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Requests in a row that failed to reach the server, after which the rest
/// fail at once.
const UNREACHABLE_AFTER: u64 = 8;

/// A bucket and the prefix that is the artifacts root.
pub struct Bucket {
    store: Arc<dyn ObjectStore>,
    /// The prefix, without a trailing `/` (empty for the bucket's top).
    prefix: Key,
    /// `scheme://bucket`.
    top: String,
    /// `scheme://bucket/prefix`, without a trailing `/`.
    url: String,
    runtime: tokio::runtime::Runtime,
    /// Requests in a row that could not reach the server.
    unreachable: AtomicU64,
    /// The last error that said the server could not be reached.
    last_unreachable: Mutex<Option<String>>,
}

impl std::fmt::Debug for Bucket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.url)
    }
}

/// One object under the prefix, as listed.
#[derive(Debug, Clone)]
pub struct Listed {
    /// Its key below the prefix, `/`-separated.
    pub rel: String,
    /// Size in bytes.
    pub size: u64,
    /// Last modification time, in nanoseconds since the epoch.
    pub modified: u128,
    /// The store's entity tag, if it gave one.
    pub etag: Option<String>,
    /// Its key, as the store named it.
    key: Key,
}

/// An object to read: its bucket, key and listed size and tag.
#[derive(Clone)]
pub struct Object {
    bucket: Arc<Bucket>,
    key: Key,
    /// Size in bytes, as listed.
    pub size: u64,
    /// The entity tag, as listed.
    pub etag: Option<String>,
}

impl PartialEq for Object {
    fn eq(&self, other: &Self) -> bool {
        (self.bucket.url == other.bucket.url && self.key == other.key)
            && (self.size, &self.etag) == (other.size, &other.etag)
    }
}

impl std::fmt::Debug for Object {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown())
    }
}

impl Bucket {
    /// Connects to the store `url` names, configured from the environment.
    /// Nothing is requested yet.
    pub fn connect(url: &str) -> Result<Arc<Bucket>, String> {
        let parsed = url::Url::parse(url).map_err(|e| format!("{url} is not a bucket URL: {e}"))?;
        let (store, prefix) = store(&parsed).map_err(|e| format!("{url}: {e}"))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("artsite-bucket")
            .enable_all()
            .build()
            .map_err(|e| format!("{url}: cannot start the client: {e}"))?;
        let top = format!("{}://{}", parsed.scheme(), parsed.host_str().unwrap_or_default());
        let url = if prefix.as_ref().is_empty() { top.clone() } else { format!("{top}/{}", prefix.as_ref()) };
        Ok(Arc::new(Bucket {
            store,
            prefix,
            top,
            url,
            runtime,
            unreachable: AtomicU64::new(0),
            last_unreachable: Mutex::new(None),
        }))
    }

    /// `scheme://bucket/prefix`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The folders directly under the prefix (one per run), as names below it.
    pub fn folders(&self) -> Result<Vec<String>, String> {
        let listing = self
            .run(self.store.list_with_delimiter(Some(&self.prefix)))
            .map_err(|e| format!("cannot list {}/: {e}{}", self.url, credentials_hint(&self.url)))?;
        Ok(listing.common_prefixes.iter().filter_map(|k| self.below(k.as_ref()).map(str::to_string)).collect())
    }

    /// Every object under `folder` (a name below the prefix), in the order
    /// a walk of the same folder on disk gives.
    pub fn list(&self, folder: &str) -> Result<Vec<Listed>, String> {
        self.listing(&self.prefix.clone().join(folder)).map_err(|e| format!("cannot list {}/{folder}/: {e}", self.url))
    }

    /// Every object under the prefix, in [`Bucket::list`]'s order.
    pub fn list_all(&self) -> Result<Vec<Listed>, String> {
        self.listing(&self.prefix).map_err(|e| format!("cannot list {}/: {e}{}", self.url, credentials_hint(&self.url)))
    }

    fn listing(&self, at: &Key) -> object_store::Result<Vec<Listed>> {
        let at = Some(at).filter(|k| !k.as_ref().is_empty());
        let metas: Vec<object_store::ObjectMeta> = self.run(self.store.list(at).try_collect())?;
        let mut out: Vec<Listed> = metas
            .into_iter()
            .filter_map(|m| {
                let rel = self.below(m.location.as_ref())?.to_string();
                let modified = m.last_modified.timestamp_nanos_opt().map_or(0, |n| u128::try_from(n).unwrap_or(0));
                Some(Listed { rel, size: m.size, modified, etag: m.e_tag, key: m.location })
            })
            .collect();
        // Folder by folder, names in byte order: the order a walk of the
        // same tree on disk gives (`a/b` before `a.txt`).
        out.sort_by(|a, b| a.rel.split('/').cmp(b.rel.split('/')));
        Ok(out)
    }

    /// The object `listed` names.
    pub fn object(self: &Arc<Self>, listed: &Listed) -> Object {
        Object { bucket: Arc::clone(self), key: listed.key.clone(), size: listed.size, etag: listed.etag.clone() }
    }

    /// A key's name below the prefix, if it is below it.
    fn below<'a>(&self, key: &'a str) -> Option<&'a str> {
        let prefix = self.prefix.as_ref();
        if prefix.is_empty() {
            return Some(key).filter(|k| !k.is_empty());
        }
        key.strip_prefix(prefix)?.strip_prefix('/').filter(|k| !k.is_empty())
    }

    /// Runs one request to completion, failing at once when the server has
    /// stopped answering.
    fn run<T>(&self, request: impl Future<Output = object_store::Result<T>>) -> object_store::Result<T> {
        if self.unreachable.load(Ordering::Relaxed) >= UNREACHABLE_AFTER {
            return Err(object_store::Error::Generic {
                store: "bucket",
                source: format!("{UNREACHABLE_AFTER} requests in a row could not reach the server; not asked").into(),
            });
        }
        let result = self.runtime.block_on(request);
        match &result {
            Err(e) if unreachable(e) => {
                self.unreachable.fetch_add(1, Ordering::Relaxed);
                *self.last_unreachable.lock().unwrap_or_else(PoisonError::into_inner) = Some(e.to_string());
            }
            _ => {
                self.unreachable.store(0, Ordering::Relaxed);
            }
        }
        result
    }

    /// Why the server is lost, once [`UNREACHABLE_AFTER`] requests in a
    /// row could not reach it: a build that met this publishes nothing.
    pub fn lost(&self) -> Option<String> {
        if self.unreachable.load(Ordering::Relaxed) < UNREACHABLE_AFTER {
            return None;
        }
        let last = self.last_unreachable.lock().unwrap_or_else(PoisonError::into_inner).clone();
        Some(format!(
            "{} stopped answering while the site was built ({UNREACHABLE_AFTER} requests in a row failed; the last: {})",
            self.url,
            last.unwrap_or_default()
        ))
    }
}

/// What to set when no credentials are in the environment.
fn credentials_hint(url: &str) -> &'static str {
    let var = |names: &[&str]| names.iter().any(|n| std::env::var_os(n).is_some());
    match url.split("://").next() {
        Some("s3" | "s3a") if !var(&["AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE"]) => {
            " (no credentials in the environment: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, and AWS_ENDPOINT_URL for a store other than AWS)"
        }
        _ => "",
    }
}

/// Whether an error says the server could not be reached at all.
fn unreachable(e: &object_store::Error) -> bool {
    let text = format!("{e} {e:?}").to_ascii_lowercase();
    ["error sending request", "connect", "timed out", "dns error"].iter().any(|w| text.contains(w))
}

/// The store a URL names and the prefix within it, configured from the
/// environment, with bounded retries and timeouts.
fn store(url: &url::Url) -> object_store::Result<(Arc<dyn ObjectStore>, Key)> {
    let retry = RetryConfig {
        max_retries: 3,
        retry_timeout: Duration::from_secs(30),
        backoff: object_store::BackoffConfig {
            init_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            base: 2.0,
        },
    };
    let client = object_store::ClientOptions::new()
        .with_timeout(Duration::from_secs(60))
        .with_connect_timeout(Duration::from_secs(5));
    let (_, path) = object_store::ObjectStoreScheme::parse(url)?;
    let prefix = Key::parse(path)?;
    let store: Arc<dyn ObjectStore> = match url.scheme() {
        "s3" | "s3a" => {
            // An endpoint over plain HTTP (a local MinIO or SeaweedFS) needs
            // no extra switch: the user named it.
            let http = std::env::var("AWS_ENDPOINT_URL").is_ok_and(|e| e.starts_with("http://"));
            Arc::new(
                object_store::aws::AmazonS3Builder::from_env()
                    .with_url(url.as_str())
                    .with_retry(retry)
                    .with_client_options(client.with_allow_http(http))
                    .build()?,
            )
        }
        "gs" => Arc::new(
            object_store::gcp::GoogleCloudStorageBuilder::from_env()
                .with_url(url.as_str())
                .with_retry(retry)
                .with_client_options(client)
                .build()?,
        ),
        _ => Arc::new(
            object_store::azure::MicrosoftAzureBuilder::from_env()
                .with_url(url.as_str())
                .with_retry(retry)
                .with_client_options(client)
                .build()?,
        ),
    };
    Ok((store, prefix))
}

impl Object {
    /// `scheme://bucket/key`, as problems name it.
    pub fn shown(&self) -> String {
        format!("{}/{}", self.bucket.top, self.key.as_ref())
    }

    /// `len` bytes from `start`, in one range request.
    pub fn range(&self, start: u64, len: u64) -> io::Result<Vec<u8>> {
        self.range_bytes(start, len).map(|b| b.to_vec())
    }

    /// [`Object::range`] as the buffer the response came in, not a copy.
    fn range_bytes(&self, start: u64, len: u64) -> io::Result<Bytes> {
        if len == 0 {
            return Ok(Bytes::new());
        }
        self.bucket.run(self.bucket.store.get_range(&self.key, start..start + len)).map_err(|e| self.error(e))
    }

    /// A reader from the start, fetching ranges as it is read.
    pub fn reader(&self) -> RangeReader {
        self.reader_from_range(FIRST_RANGE)
    }

    /// A reader whose first range is `first` bytes (then growing as
    /// [`Object::reader`]'s): for a short record at some offset.
    pub fn reader_from_range(&self, first: u64) -> RangeReader {
        let first = first.max(1);
        RangeReader { object: self.clone(), pos: 0, buf: Bytes::new(), buf_start: 0, next: first, first }
    }

    fn error(&self, e: object_store::Error) -> io::Error {
        match e {
            object_store::Error::NotFound { .. } => io::Error::new(
                io::ErrorKind::NotFound,
                format!("{} is gone: it was listed, then not found (deleted while the site was built?)", self.shown()),
            ),
            e => io::Error::other(format!("{}: {e}", self.shown())),
        }
    }
}

/// The first range a reader fetches; each next one doubles, up to [`MAX_RANGE`].
const FIRST_RANGE: u64 = 64 * 1024;
/// The largest range a reader fetches at once.
const MAX_RANGE: u64 = 8 * 1024 * 1024;

/// Reads an object front to back (or from where it seeks) in ranges that
/// grow while it reads on, so a short read costs one small request and a
/// stream through a large object few requests, in bounded memory.
pub struct RangeReader {
    object: Object,
    pos: u64,
    /// The range fetched last: the response's own buffer, dropped before the
    /// next is fetched, so a stream holds one range at a time.
    buf: Bytes,
    buf_start: u64,
    next: u64,
    /// The first range, fetched again after a jump.
    first: u64,
}

impl Read for RangeReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let size = self.object.size;
        if self.pos >= size || out.is_empty() {
            return Ok(0);
        }
        let buffered = self.pos >= self.buf_start && self.pos < self.buf_start + self.buf.len() as u64;
        if !buffered {
            let len = self.next.max(out.len() as u64).min(MAX_RANGE).min(size - self.pos);
            drop(std::mem::take(&mut self.buf));
            self.buf = self.object.range_bytes(self.pos, len)?;
            self.buf_start = self.pos;
            self.next = (self.next * 2).min(MAX_RANGE);
            if self.buf.is_empty() {
                return Ok(0);
            }
        }
        let at = usize::try_from(self.pos - self.buf_start).unwrap_or(usize::MAX);
        let n = out.len().min(self.buf.len() - at);
        out[..n].copy_from_slice(&self.buf[at..at + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for RangeReader {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let size = i128::from(self.object.size);
        let target = match to {
            SeekFrom::Start(n) => i128::from(n),
            SeekFrom::End(d) => size + i128::from(d),
            SeekFrom::Current(d) => i128::from(self.pos) + i128::from(d),
        };
        let target = u64::try_from(target)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start of the object"))?;
        if target != self.pos {
            // A jump is a new access pattern: start small again.
            self.next = self.first;
        }
        self.pos = target;
        Ok(target)
    }
}
