//! Staging files: an incoming file is written to a local staging file first (hashed and
//! counted on the way), and only a complete one is put in place by the store.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use sha1::{Digest, Sha1};
use tokio::io::AsyncWriteExt;

use super::FileError;

/// How many leading bytes of a staged file are kept for content sniffing.
pub const HEAD_LEN: usize = 8192;

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
/// the store moved it into place.
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
    /// Where the staged content is on the local disk.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Moves the staged file to `path` (on the same filesystem), replacing what is there.
    pub(crate) async fn move_to(&mut self, path: &Path) -> Result<(), FileError> {
        tokio::fs::rename(&self.path, path).await?;
        self.persisted = true;
        Ok(())
    }

    /// Marks the staged file as taken over by the store (hard-linked into place).
    pub(crate) fn set_persisted(&mut self) {
        self.persisted = true;
    }
}

impl Staging {
    /// Starts a staging file in `dir` that may grow to `max_size` bytes.
    pub(crate) async fn begin(dir: &Path, max_size: u64) -> Result<Staging, FileError> {
        tokio::fs::create_dir_all(dir).await?;
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

    /// Appends a whole stream.
    pub async fn write_stream<S>(&mut self, stream: S) -> Result<(), FileError>
    where
        S: Stream<Item = std::io::Result<Bytes>>,
    {
        let mut stream = std::pin::pin!(stream);
        while let Some(chunk) = stream.next().await {
            self.write(&chunk?).await?;
        }
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
