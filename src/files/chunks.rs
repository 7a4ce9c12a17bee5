//! Parts of chunked uploads, kept in the file store under `.chunks/<uuid>/<partindex>` (with
//! `.chunks/<uuid>/meta.json`) until the final call assembles them, and purged when left
//! unfinished (uData's `UPLOAD_MAX_RETENTION`, 24 h). They live in the store itself, so the
//! parts of one upload may reach different nodes sharing a bucket.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::staging::{StagedFile, Staging};
use super::{Backend, ByteStream, FileError, FileStore};

const CHUNKS_DIR: &str = ".chunks";
const META: &str = "meta.json";

/// How long the parts of an unfinished upload are kept.
pub const MAX_RETENTION: Duration = Duration::from_secs(24 * 3600);

/// A chunked upload's identifier, checked to be a safe directory name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkedUploadId(String);

impl ChunkedUploadId {
    /// Accepts what clients send (uuids, with or without dashes): 1 to 64 ASCII letters,
    /// digits, `-` or `_`.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        (!raw.is_empty()
            && raw.len() <= 64
            && raw
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .then(|| ChunkedUploadId(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The store key of an entry of this upload (a part number or `meta.json`).
    fn key(&self, entry: &str) -> String {
        format!("{CHUNKS_DIR}/{}/{entry}", self.0)
    }
}

impl FileStore {
    fn chunk_dir(root: &Path, upload: &ChunkedUploadId) -> PathBuf {
        root.join(CHUNKS_DIR).join(upload.as_str())
    }

    /// Keeps one part of a chunked upload (replacing a previous try of the same part) and
    /// notes when the upload last received a part.
    pub async fn save_chunk(
        &self,
        upload: &ChunkedUploadId,
        part: u32,
        mut staged: StagedFile,
        meta: serde_json::Value,
    ) -> Result<(), FileError> {
        match &self.backend {
            Backend::Directory(dir) => {
                let dir = Self::chunk_dir(dir.root(), upload);
                tokio::fs::create_dir_all(&dir).await?;
                staged.move_to(&dir.join(part.to_string())).await?;
                let temporary = dir.join(format!("{META}.part"));
                tokio::fs::write(&temporary, meta.to_string()).await?;
                tokio::fs::rename(&temporary, dir.join(META)).await?;
            }
            Backend::S3(s3) => {
                let path = s3.path(&upload.key(&part.to_string()));
                s3.upload_file(
                    staged.path(),
                    staged.size,
                    &staged.sha1,
                    &path,
                    object_store::PutMode::Overwrite,
                )
                .await?;
                s3.put_small(&upload.key(META), meta.to_string().into_bytes())
                    .await?;
            }
        }
        Ok(())
    }

    /// The bytes of one part, or `None` when it was never received.
    async fn chunk(
        &self,
        upload: &ChunkedUploadId,
        part: u32,
    ) -> Result<Option<ByteStream>, FileError> {
        match &self.backend {
            Backend::Directory(dir) => {
                let path = Self::chunk_dir(dir.root(), upload).join(part.to_string());
                let opened = super::directory::open_file(&path, &part.to_string()).await?;
                Ok(opened.map(|(_, file)| {
                    futures_util::StreamExt::boxed(tokio_util::io::ReaderStream::with_capacity(
                        file,
                        super::READ_CHUNK,
                    ))
                }))
            }
            Backend::S3(s3) => s3.stream(&upload.key(&part.to_string())).await,
        }
    }

    /// Concatenates the `total` parts of an upload, in order, into a staged file of at most
    /// `max_size` bytes (`TooLarge` past it, `MissingChunk` for a part never received).
    pub async fn assemble_chunks(
        &self,
        upload: &ChunkedUploadId,
        total: u32,
        max_size: u64,
    ) -> Result<StagedFile, FileError> {
        let mut staging: Staging = self.begin_staging(max_size).await?;
        for part in 0..total {
            let stream = self
                .chunk(upload, part)
                .await?
                .ok_or(FileError::MissingChunk(part))?;
            staging.write_stream(stream).await?;
        }
        staging.finish().await
    }

    /// Forgets a chunked upload's parts.
    pub async fn delete_chunks(&self, upload: &ChunkedUploadId) {
        let result = match &self.backend {
            Backend::Directory(dir) => {
                match tokio::fs::remove_dir_all(Self::chunk_dir(dir.root(), upload)).await {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
                    _ => Ok(()),
                }
            }
            Backend::S3(_) => self.delete_s3_uploads(&[upload.as_str().to_owned()]).await,
        };
        if let Err(e) = result {
            tracing::warn!(upload = upload.as_str(), error = %e, "could not delete upload chunks");
        }
    }

    async fn delete_s3_uploads(&self, uploads: &[String]) -> Result<(), FileError> {
        let Backend::S3(s3) = &self.backend else {
            return Ok(());
        };
        for upload in uploads {
            for (key, _) in s3.list(&format!("{CHUNKS_DIR}/{upload}")).await? {
                s3.delete_path(&s3.path(&key)).await?;
            }
        }
        Ok(())
    }

    /// Removes the parts of uploads that received no part for `max_age`, and staging files
    /// as old (left by a crash); returns how many entries were removed. The server runs it at
    /// start and then periodically.
    pub async fn purge_stale_uploads(&self, max_age: Duration) -> Result<usize, FileError> {
        let chunks = match &self.backend {
            Backend::Directory(dir) => {
                remove_older_than(&dir.root().join(CHUNKS_DIR), max_age).await?
            }
            Backend::S3(s3) => {
                let mut newest: HashMap<String, SystemTime> = HashMap::new();
                for (key, modified) in s3.list(CHUNKS_DIR).await? {
                    let Some(upload) = key.split('/').nth(1) else {
                        continue;
                    };
                    let entry = newest.entry(upload.to_owned()).or_insert(modified);
                    *entry = (*entry).max(modified);
                }
                let now = SystemTime::now();
                let stale: Vec<String> = newest
                    .into_iter()
                    .filter(|(_, modified)| {
                        now.duration_since(*modified).unwrap_or_default() >= max_age
                    })
                    .map(|(upload, _)| upload)
                    .collect();
                self.delete_s3_uploads(&stale).await?;
                stale.len()
            }
        };
        let staged = self.purge_staging(max_age).await?;
        Ok(chunks + staged)
    }
}

/// Removes the entries of `dir` (files, or directories judged by their newest entry) not
/// modified for `max_age`. A missing `dir` is empty.
pub(crate) async fn remove_older_than(dir: &Path, max_age: Duration) -> Result<usize, FileError> {
    let mut entries = match tokio::fs::read_dir(dir).await {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    let now = SystemTime::now();
    let mut removed = 0;
    while let Some(entry) = entries.next_entry().await? {
        let path = entry.path();
        let meta = entry.metadata().await?;
        let modified = if meta.is_dir() {
            newest_modification(&path).await.unwrap_or(meta.modified()?)
        } else {
            meta.modified()?
        };
        if now.duration_since(modified).unwrap_or_default() < max_age {
            continue;
        }
        let result = if meta.is_dir() {
            tokio::fs::remove_dir_all(&path).await
        } else {
            tokio::fs::remove_file(&path).await
        };
        match result {
            Ok(()) => removed += 1,
            Err(e) => tracing::warn!(path = %path.display(), error = %e, "could not purge"),
        }
    }
    Ok(removed)
}

async fn newest_modification(dir: &Path) -> Option<SystemTime> {
    let mut entries = tokio::fs::read_dir(dir).await.ok()?;
    let mut newest = tokio::fs::metadata(dir).await.ok()?.modified().ok()?;
    while let Ok(Some(entry)) = entries.next_entry().await {
        if let Ok(modified) = entry.metadata().await.and_then(|m| m.modified()) {
            newest = newest.max(modified);
        }
    }
    Some(newest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_ids_are_safe_directory_names() {
        assert!(ChunkedUploadId::parse("3f2b1c9e-2f1d-4a3b-9c1d-0e5f6a7b8c9d").is_some());
        for bad in ["", "..", "a/b", "a.b", &"x".repeat(65)] {
            assert!(ChunkedUploadId::parse(bad).is_none(), "{bad:?}");
        }
    }
}
