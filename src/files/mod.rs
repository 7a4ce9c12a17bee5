//! Stored files (uploads, logos, avatars, their thumbnails, the parts of chunked uploads),
//! outside the database, behind one interface: [`FileStore`]. Two backends keep the same
//! promises: a directory in the data dir ([`directory`]) and an S3-compatible bucket
//! ([`s3`]), which every node of a deployment can share. Either way an object is staged first
//! and appears whole or not at all, is read by byte ranges without being held in memory, and
//! has a public URL under `/s/` that any node serves. This module knows nothing of HTTP.

pub mod chunks;
pub mod directory;
pub mod names;
pub mod s3;
pub mod sniff;
pub mod staging;

use std::path::PathBuf;

use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

pub use directory::DirStore;
pub use s3::{S3Location, S3Store};
pub use staging::{HEAD_LEN, StagedFile, Staging};

/// The most bytes read from a stored object at once while serving it.
pub const READ_CHUNK: usize = 64 * 1024;

/// The staging area's directory name, inside the directory store (so that moving a staged
/// file into place is a rename) and, with object storage, on the node's local disk.
const STAGING_DIR: &str = ".staging";

/// Bytes of a stored object, read as they are sent.
pub type ByteStream = BoxStream<'static, std::io::Result<Bytes>>;

/// What can go wrong in the file store.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The key is not a safe relative path (`..`, absolute, hidden segment…).
    #[error("invalid file key {0:?}")]
    InvalidKey(String),
    /// The file being written grew past the allowed size.
    #[error("the file is larger than {0} bytes")]
    TooLarge(u64),
    /// A chunked upload is assembled while one of its parts was never received.
    #[error("missing chunk {0}")]
    MissingChunk(u32),
    #[error("file storage error: {0}")]
    Io(#[from] std::io::Error),
    #[error("object storage error: {0}")]
    ObjectStore(#[from] object_store::Error),
}

/// What the store knows about one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMeta {
    pub size: u64,
    /// A strong validator (quoted): changes whenever the object is replaced.
    pub etag: String,
    /// Guessed from the key's extension.
    pub content_type: String,
    /// Modification time, seconds since the epoch.
    pub modified: i64,
}

/// The file store of the application: public URLs, staging, objects put in place, read by
/// ranges, deleted. Keys are relative paths such as `resources/my-data/20240101-120000/a.csv`;
/// segments starting with `.` are reserved for the store's own bookkeeping and never served.
pub struct FileStore {
    backend: Backend,
    staging_dir: PathBuf,
    base_url: String,
}

enum Backend {
    Directory(DirStore),
    S3(S3Store),
}

/// A stored object opened for reading: its metadata, and its bytes by range, all from this
/// one version of the object (a file handle; with object storage, ranged reads conditional
/// on the ETag).
pub struct StoredObject {
    pub meta: FileMeta,
    source: Source,
}

enum Source {
    File(tokio::fs::File),
    Object(s3::ObjectVersion),
}

impl StoredObject {
    /// `len` bytes from `start`, streamed as they are polled (with object storage, the ranged
    /// GET is sent now and fails if the object was replaced since it was opened).
    pub async fn read(&self, start: u64, len: u64) -> Result<ByteStream, FileError> {
        if len == 0 {
            return Ok(futures_util::stream::empty().boxed());
        }
        match &self.source {
            Source::File(file) => {
                // The clone shares the file (and its offset): ranges are read one after another.
                let mut file = file.try_clone().await?;
                file.seek(std::io::SeekFrom::Start(start)).await?;
                let part = file.take(len);
                Ok(tokio_util::io::ReaderStream::with_capacity(part, READ_CHUNK).boxed())
            }
            Source::Object(version) => version.read(start, len).await,
        }
    }

    /// The whole object, as a stream.
    pub async fn read_all(&self) -> Result<ByteStream, FileError> {
        self.read(0, self.meta.size).await
    }
}

impl FileStore {
    /// The directory store in `root` (`<data-dir>/files`).
    pub fn directory(root: PathBuf, base_url: String) -> Self {
        FileStore {
            staging_dir: root.join(STAGING_DIR),
            backend: Backend::Directory(DirStore::new(root)),
            base_url,
        }
    }

    /// Object storage; files are staged in `local_dir` (on this node's disk) before upload.
    pub fn object_storage(store: S3Store, local_dir: PathBuf, base_url: String) -> Self {
        FileStore {
            staging_dir: local_dir.join(STAGING_DIR),
            backend: Backend::S3(store),
            base_url,
        }
    }

    /// The store `--files-url` names: the bucket (endpoint and credentials from the `AWS_*`
    /// environment variables), else the directory `local_dir`.
    pub fn configured(
        location: Option<&S3Location>,
        local_dir: PathBuf,
        base_url: String,
    ) -> Result<Self, FileError> {
        Ok(match location {
            Some(location) => Self::object_storage(
                S3Store::new(location, object_store::aws::AmazonS3Builder::from_env())?,
                local_dir,
                base_url,
            ),
            None => Self::directory(local_dir, base_url),
        })
    }

    /// Where the objects are, for logs and messages.
    pub fn describe(&self) -> String {
        match &self.backend {
            Backend::Directory(dir) => dir.root().display().to_string(),
            Backend::S3(s3) => s3.location().to_string(),
        }
    }

    /// Checks that the store can be reached (the bucket exists and answers these
    /// credentials); the server runs it at start.
    pub async fn check(&self) -> Result<(), FileError> {
        match &self.backend {
            Backend::Directory(dir) => Ok(tokio::fs::create_dir_all(dir.root()).await?),
            Backend::S3(s3) => s3.check().await,
        }
    }

    /// The public URL of a stored file.
    pub fn url(&self, key: &str) -> String {
        format!("{}/s/{key}", self.base_url)
    }

    pub fn url_opt(&self, key: Option<&str>) -> Option<String> {
        key.map(|k| self.url(k))
    }

    /// Starts a staging file that may grow to `max_size` bytes.
    pub async fn begin_staging(&self, max_size: u64) -> Result<Staging, FileError> {
        Staging::begin(&self.staging_dir, max_size).await
    }

    /// Moves a staged file into place under `key`. With `replace`, an existing object is
    /// replaced whole; without, an existing object keeps its key and the new one is stored
    /// under `name-1.ext`, `name-2.ext`… The key used is returned.
    pub async fn persist(
        &self,
        staged: StagedFile,
        key: &str,
        replace: bool,
    ) -> Result<String, FileError> {
        if !is_public_key(key) {
            return Err(FileError::InvalidKey(key.to_owned()));
        }
        match &self.backend {
            Backend::Directory(dir) => dir.persist(staged, key, replace).await,
            Backend::S3(s3) => s3.persist(staged, key, replace).await,
        }
    }

    /// Stores `bytes` under `key`, replacing any previous object.
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), FileError> {
        let mut staging = self.begin_staging(u64::MAX).await?;
        staging.write(&bytes).await?;
        let staged = staging.finish().await?;
        self.persist(staged, key, true).await.map(drop)
    }

    /// The metadata of a stored object, or `None` if there is none.
    pub async fn metadata(&self, key: &str) -> Result<Option<FileMeta>, FileError> {
        if !is_public_key(key) {
            return Ok(None);
        }
        match &self.backend {
            Backend::Directory(dir) => dir.metadata(key).await,
            Backend::S3(s3) => s3.metadata(key).await,
        }
    }

    /// A stored object opened for reading, or `None` if there is none.
    pub async fn open(&self, key: &str) -> Result<Option<StoredObject>, FileError> {
        if !is_public_key(key) {
            return Ok(None);
        }
        Ok(match &self.backend {
            Backend::Directory(dir) => dir.open(key).await?.map(|(meta, file)| StoredObject {
                meta,
                source: Source::File(file),
            }),
            Backend::S3(s3) => s3.open(key).await?.map(|(meta, version)| StoredObject {
                meta,
                source: Source::Object(version),
            }),
        })
    }

    /// The whole content of a stored object, or `None` if there is none. For small files
    /// (images); stream large ones with [`FileStore::open`].
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, FileError> {
        let Some(object) = self.open(key).await? else {
            return Ok(None);
        };
        let mut bytes = Vec::with_capacity(usize::try_from(object.meta.size).unwrap_or(0));
        let mut stream = object.read_all().await?;
        while let Some(chunk) = stream.next().await {
            bytes.extend_from_slice(&chunk?);
        }
        Ok(Some(bytes))
    }

    /// Removes a stored object; a missing object is not an error, a failure is logged.
    pub async fn delete(&self, key: &str) {
        if !is_public_key(key) {
            return;
        }
        let result = match &self.backend {
            Backend::Directory(dir) => dir.delete(key).await,
            Backend::S3(s3) => s3.delete(key).await,
        };
        if let Err(e) = result {
            tracing::warn!(key, error = %e, "could not delete a stored file");
        }
    }

    /// Removes staging files older than `max_age` (left behind by a crash).
    pub async fn purge_staging(&self, max_age: std::time::Duration) -> Result<usize, FileError> {
        chunks::remove_older_than(&self.staging_dir, max_age).await
    }
}

/// Whether `key` may name a public object: a relative path of non-empty segments, none of
/// them starting with `.` (which also rules out `..` and the store's bookkeeping).
pub fn is_public_key(key: &str) -> bool {
    !key.is_empty()
        && !key.contains('\\')
        && !key.contains('\0')
        && key
            .split('/')
            .all(|segment| !segment.is_empty() && !segment.starts_with('.'))
}

/// The content type of a key, from its extension.
pub(crate) fn content_type_of(key: &str) -> String {
    mime_guess::from_path(key)
        .first_or_octet_stream()
        .essence_str()
        .to_owned()
}

/// `dir/name.csv.gz` → `dir/name-1.csv.gz` (n = 1); n = 0 is the key itself.
pub(crate) fn numbered_key(key: &str, n: usize) -> String {
    if n == 0 {
        return key.to_owned();
    }
    let (dir, name) = match key.rsplit_once('/') {
        Some((dir, name)) => (Some(dir), name),
        None => (None, key),
    };
    let name = match name.split_once('.') {
        Some((stem, extension)) => format!("{stem}-{n}.{extension}"),
        None => format!("{name}-{n}"),
    };
    match dir {
        Some(dir) => format!("{dir}/{name}"),
        None => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cannot_escape_or_reach_bookkeeping() {
        assert!(is_public_key("resources/a/b.csv"));
        for bad in [
            "",
            "../secret.key",
            "a/../../b",
            "/etc/passwd",
            "a//b",
            ".staging/x",
            "a/.chunks/x",
            "a\\..\\b",
            "./a",
        ] {
            assert!(!is_public_key(bad), "{bad:?} must be refused");
        }
    }

    #[test]
    fn numbered_keys_keep_compound_extensions() {
        assert_eq!(numbered_key("r/d/a.csv.gz", 2), "r/d/a-2.csv.gz");
        assert_eq!(numbered_key("noext", 1), "noext-1");
        assert_eq!(numbered_key("r/a.csv", 0), "r/a.csv");
    }
}
