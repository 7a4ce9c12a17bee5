//! Parts of chunked uploads, kept under `<files>/.chunks/<uuid>/<partindex>` until the final
//! call assembles them, and purged when left unfinished (uData's `UPLOAD_MAX_RETENTION`, 24 h).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::FileError;
use super::store::{FileStore, StagedFile};

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
}

impl FileStore {
    fn chunk_dir(&self, upload: &ChunkedUploadId) -> PathBuf {
        self.root().join(CHUNKS_DIR).join(upload.as_str())
    }

    /// The path of one part (for reading it back when assembling).
    pub(crate) fn chunk_path(&self, upload: &ChunkedUploadId, part: u32) -> PathBuf {
        self.chunk_dir(upload).join(part.to_string())
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
        let dir = self.chunk_dir(upload);
        tokio::fs::create_dir_all(&dir).await?;
        staged.move_to(&dir.join(part.to_string())).await?;
        let temporary = dir.join(format!("{META}.part"));
        tokio::fs::write(&temporary, meta.to_string()).await?;
        tokio::fs::rename(&temporary, dir.join(META)).await?;
        Ok(())
    }

    /// Forgets a chunked upload's parts.
    pub async fn delete_chunks(&self, upload: &ChunkedUploadId) {
        let dir = self.chunk_dir(upload);
        if let Err(e) = tokio::fs::remove_dir_all(&dir).await
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(upload = upload.as_str(), error = %e, "could not delete upload chunks");
        }
    }

    /// Removes the parts of uploads that received no part for `max_age`, and staging files
    /// as old (left by a crash); returns how many entries were removed. The server runs it at
    /// start and then periodically.
    pub async fn purge_stale_uploads(&self, max_age: Duration) -> Result<usize, FileError> {
        let chunks = remove_older_than(&self.root().join(CHUNKS_DIR), max_age).await?;
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

    #[tokio::test]
    async fn purge_removes_only_stale_uploads() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path().to_owned(), "http://x".into());
        let upload = ChunkedUploadId::parse("abc").unwrap();
        let mut staging = store.begin_staging(10).await.unwrap();
        staging.write(b"part").await.unwrap();
        let staged = staging.finish().await.unwrap();
        store
            .save_chunk(&upload, 0, staged, serde_json::json!({"uuid": "abc"}))
            .await
            .unwrap();
        assert_eq!(store.purge_stale_uploads(MAX_RETENTION).await.unwrap(), 0);
        assert!(store.chunk_path(&upload, 0).exists());
        assert_eq!(store.purge_stale_uploads(Duration::ZERO).await.unwrap(), 1);
        assert!(!store.chunk_path(&upload, 0).exists());
    }
}
