//! The file store: objects under a directory, written to a staging file first and moved into
//! place whole, so a reader never sees a half-written object.

use std::path::{Component, Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use futures_util::{Stream, StreamExt};
use sha1::{Digest, Sha1};
use tokio::io::{AsyncRead, AsyncSeek, AsyncWriteExt};

use super::FileError;

/// Staging files live here, inside the store so that moving one into place is a rename.
const STAGING_DIR: &str = ".staging";
/// How many leading bytes of a staged file are kept for content sniffing.
pub const HEAD_LEN: usize = 8192;

/// The file store. Keys are relative paths such as `resources/my-data/20240101-120000/a.csv`;
/// segments starting with `.` are reserved for the store's own bookkeeping and never served.
pub struct FileStore {
    root: PathBuf,
    base_url: String,
}

/// What the store knows about one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMeta {
    pub size: u64,
    /// A strong validator: changes whenever the object is replaced (size and modification time).
    pub etag: String,
    /// Guessed from the key's extension.
    pub content_type: String,
    /// Modification time, seconds since the epoch.
    pub modified: i64,
}

/// A file being written into the staging area, hashed (SHA-1) and counted as it goes.
/// Dropped before [`Staging::finish`], its file is removed.
pub struct Staging {
    file: Option<tokio::fs::File>,
    path: PathBuf,
    hasher: Sha1,
    size: u64,
    max_size: u64,
    head: Vec<u8>,
}

/// A complete staged file with its size, SHA-1 and first bytes. Removed when dropped unless
/// moved into the store with [`FileStore::persist`].
#[derive(Debug)]
pub struct StagedFile {
    path: PathBuf,
    pub size: u64,
    /// Lowercase hexadecimal SHA-1 of the content.
    pub sha1: String,
    /// The first [`HEAD_LEN`] bytes, for content sniffing.
    pub head: Vec<u8>,
    persisted: bool,
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.file.is_some() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

impl Drop for StagedFile {
    fn drop(&mut self) {
        if !self.persisted {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

impl StagedFile {
    /// Moves the staged file to `path` (on the same filesystem), replacing what is there.
    pub(crate) async fn move_to(&mut self, path: &Path) -> Result<(), FileError> {
        tokio::fs::rename(&self.path, path).await?;
        self.persisted = true;
        Ok(())
    }
}

impl Staging {
    /// Appends bytes; past the size limit the staging file is removed and `TooLarge` returned.
    pub async fn write(&mut self, bytes: &[u8]) -> Result<(), FileError> {
        self.size += bytes.len() as u64;
        if self.size > self.max_size {
            if let Some(file) = self.file.take() {
                drop(file);
                let _ = tokio::fs::remove_file(&self.path).await;
            }
            return Err(FileError::TooLarge(self.max_size));
        }
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| FileError::Io(std::io::Error::other("staging file already closed")))?;
        if self.head.len() < HEAD_LEN {
            let take = (HEAD_LEN - self.head.len()).min(bytes.len());
            self.head.extend_from_slice(&bytes[..take]);
        }
        self.hasher.update(bytes);
        file.write_all(bytes).await?;
        Ok(())
    }

    /// Flushes the file to disk and hands it over as a [`StagedFile`].
    pub async fn finish(mut self) -> Result<StagedFile, FileError> {
        let mut file = self
            .file
            .take()
            .ok_or_else(|| FileError::Io(std::io::Error::other("staging file already closed")))?;
        let result = async {
            file.flush().await?;
            file.sync_all().await
        }
        .await;
        let staged = StagedFile {
            path: std::mem::take(&mut self.path),
            size: self.size,
            sha1: hex::encode(std::mem::take(&mut self.hasher).finalize()),
            head: std::mem::take(&mut self.head),
            persisted: false,
        };
        result?;
        Ok(staged)
    }
}

impl FileStore {
    pub fn new(root: PathBuf, base_url: String) -> Self {
        FileStore { root, base_url }
    }

    /// The directory the store writes into.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The filesystem path of a key, or `None` when the key could escape the store or names
    /// the store's own bookkeeping.
    pub fn path_of(&self, key: &str) -> Option<PathBuf> {
        if key.contains('\\') || key.contains('\0') || key.split('/').any(str::is_empty) {
            return None;
        }
        let relative = Path::new(key);
        relative
            .components()
            .all(|c| match c {
                Component::Normal(segment) => !segment
                    .to_str()
                    .is_none_or(|s| s.is_empty() || s.starts_with('.')),
                _ => false,
            })
            .then(|| self.root.join(relative))
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
        let dir = self.root.join(STAGING_DIR);
        tokio::fs::create_dir_all(&dir).await?;
        let path = dir.join(crate::domain::ids::object_id());
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await?;
        Ok(Staging {
            file: Some(file),
            path,
            hasher: Sha1::new(),
            size: 0,
            max_size,
            head: Vec::new(),
        })
    }

    /// Stages a whole stream (bounded by `max_size`).
    pub async fn stage_stream<S>(&self, stream: S, max_size: u64) -> Result<StagedFile, FileError>
    where
        S: Stream<Item = std::io::Result<Bytes>>,
    {
        let mut staging = self.begin_staging(max_size).await?;
        let mut stream = std::pin::pin!(stream);
        while let Some(chunk) = stream.next().await {
            staging.write(&chunk?).await?;
        }
        staging.finish().await
    }

    /// Moves a staged file into place under `key`. With `replace`, an existing object is
    /// replaced atomically; without, an existing object keeps its key and the new one is stored
    /// under `name-1.ext`, `name-2.ext`… The key used is returned.
    pub async fn persist(
        &self,
        mut staged: StagedFile,
        key: &str,
        replace: bool,
    ) -> Result<String, FileError> {
        let path = self
            .path_of(key)
            .ok_or_else(|| FileError::InvalidKey(key.to_owned()))?;
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        if replace {
            tokio::fs::rename(&staged.path, &path).await?;
            staged.persisted = true;
            return Ok(key.to_owned());
        }
        for n in 0..1000 {
            let candidate = if n == 0 {
                key.to_owned()
            } else {
                numbered_key(key, n)
            };
            let candidate_path = self
                .path_of(&candidate)
                .ok_or_else(|| FileError::InvalidKey(candidate.clone()))?;
            // A hard link fails when the target exists: an atomic "create if absent".
            match tokio::fs::hard_link(&staged.path, &candidate_path).await {
                Ok(()) => {
                    let _ = tokio::fs::remove_file(&staged.path).await;
                    staged.persisted = true;
                    return Ok(candidate);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(FileError::Io(std::io::Error::other(format!(
            "too many files named {key}"
        ))))
    }

    /// Stores `bytes` under `key`, replacing any previous object.
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), FileError> {
        let mut staging = self.begin_staging(u64::MAX).await?;
        staging.write(&bytes).await?;
        let staged = staging.finish().await?;
        self.persist(staged, key, true).await.map(drop)
    }

    /// Stores a stream under `key`, replacing any previous object.
    pub async fn put_stream<S>(&self, key: &str, stream: S) -> Result<FileMeta, FileError>
    where
        S: Stream<Item = std::io::Result<Bytes>>,
    {
        let staged = self.stage_stream(stream, u64::MAX).await?;
        self.persist(staged, key, true).await?;
        self.metadata(key)
            .await?
            .ok_or_else(|| FileError::Io(std::io::Error::other("stored file vanished")))
    }

    /// The metadata of a stored object, or `None` if there is none.
    pub async fn metadata(&self, key: &str) -> Result<Option<FileMeta>, FileError> {
        let Some(path) = self.path_of(key) else {
            return Ok(None);
        };
        match tokio::fs::metadata(&path).await {
            Ok(meta) if meta.is_file() => Ok(Some(file_meta(&path, &meta))),
            Ok(_) => Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// A stored object opened for reading, with its metadata. The reader seeks, so the byte
    /// ranges of one response all come from this one version of the object.
    pub async fn open(
        &self,
        key: &str,
    ) -> Result<
        Option<(
            FileMeta,
            impl AsyncRead + AsyncSeek + Unpin + Send + 'static,
        )>,
        FileError,
    > {
        let Some(path) = self.path_of(key) else {
            return Ok(None);
        };
        let file = match tokio::fs::File::open(&path).await {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let meta = file.metadata().await?;
        if !meta.is_file() {
            return Ok(None);
        }
        Ok(Some((file_meta(&path, &meta), file)))
    }

    /// The whole content of a stored object, or `None` if there is none. For small files
    /// (images); serve large ones with [`FileStore::open`].
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, FileError> {
        let Some(path) = self.path_of(key) else {
            return Ok(None);
        };
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes a stored object; a missing object is not an error.
    pub async fn delete(&self, key: &str) {
        if let Some(path) = self.path_of(key)
            && let Err(e) = tokio::fs::remove_file(&path).await
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(key, error = %e, "could not delete a stored file");
        }
    }

    /// Removes staging files older than `max_age` (left behind by a crash).
    pub async fn purge_staging(&self, max_age: std::time::Duration) -> Result<usize, FileError> {
        super::chunks::remove_older_than(&self.root.join(STAGING_DIR), max_age).await
    }
}

/// `dir/name.csv.gz` → `dir/name-1.csv.gz`.
fn numbered_key(key: &str, n: usize) -> String {
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

fn file_meta(path: &Path, meta: &std::fs::Metadata) -> FileMeta {
    let modified = meta
        .modified()
        .unwrap_or(SystemTime::UNIX_EPOCH)
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    FileMeta {
        size: meta.len(),
        etag: format!(
            "\"{:x}-{:x}{:08x}\"",
            meta.len(),
            modified.as_secs(),
            modified.subsec_nanos()
        ),
        content_type: mime_guess::from_path(path)
            .first_or_octet_stream()
            .essence_str()
            .to_owned(),
        modified: modified.as_secs() as i64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, FileStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path().to_owned(), "http://x".into());
        (dir, store)
    }

    #[test]
    fn keys_cannot_escape_or_reach_bookkeeping() {
        let (_dir, store) = store();
        assert!(store.path_of("resources/a/b.csv").is_some());
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
            assert!(store.path_of(bad).is_none(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn numbered_keys_keep_compound_extensions() {
        assert_eq!(numbered_key("r/d/a.csv.gz", 2), "r/d/a-2.csv.gz");
        assert_eq!(numbered_key("noext", 1), "noext-1");
    }

    #[tokio::test]
    async fn persist_without_replace_never_clobbers() {
        let (_dir, store) = store();
        store.put("a/b.txt", b"one".to_vec()).await.unwrap();
        let mut staging = store.begin_staging(10).await.unwrap();
        staging.write(b"two").await.unwrap();
        let staged = staging.finish().await.unwrap();
        let key = store.persist(staged, "a/b.txt", false).await.unwrap();
        assert_eq!(key, "a/b-1.txt");
        assert_eq!(store.get("a/b.txt").await.unwrap().unwrap(), b"one");
        assert_eq!(store.get("a/b-1.txt").await.unwrap().unwrap(), b"two");
    }

    #[tokio::test]
    async fn staging_past_the_limit_leaves_nothing() {
        let (dir, store) = store();
        let mut staging = store.begin_staging(4).await.unwrap();
        staging.write(b"abc").await.unwrap();
        assert!(matches!(
            staging.write(b"de").await,
            Err(FileError::TooLarge(4))
        ));
        drop(staging);
        let left = std::fs::read_dir(dir.path().join(STAGING_DIR))
            .unwrap()
            .count();
        assert_eq!(left, 0);
    }
}
