//! The directory store: objects are files under `<data-dir>/files`, staged in its `.staging`
//! directory and moved into place by a rename (or a hard link when an existing object must be
//! kept), so a reader never sees a half-written object.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::staging::StagedFile;
use super::{FileError, FileMeta, content_type_of, is_public_key, numbered_key};

/// Objects under a directory of the local filesystem.
pub struct DirStore {
    root: PathBuf,
}

impl DirStore {
    pub fn new(root: PathBuf) -> Self {
        DirStore { root }
    }

    /// The directory the store writes into.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The filesystem path of a public key, or `None` when the key could escape the store or
    /// names the store's own bookkeeping.
    pub fn path_of(&self, key: &str) -> Option<PathBuf> {
        is_public_key(key).then(|| self.root.join(key))
    }

    pub(super) async fn persist(
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
            staged.move_to(&path).await?;
            return Ok(key.to_owned());
        }
        for n in 0..1000 {
            let candidate = numbered_key(key, n);
            let candidate_path = self
                .path_of(&candidate)
                .ok_or_else(|| FileError::InvalidKey(candidate.clone()))?;
            // A hard link fails when the target exists: an atomic "create if absent".
            match tokio::fs::hard_link(staged.path(), &candidate_path).await {
                Ok(()) => {
                    let _ = tokio::fs::remove_file(staged.path()).await;
                    staged.set_persisted();
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

    pub(super) async fn metadata(&self, key: &str) -> Result<Option<FileMeta>, FileError> {
        let Some(path) = self.path_of(key) else {
            return Ok(None);
        };
        match tokio::fs::metadata(&path).await {
            Ok(meta) if meta.is_file() => Ok(Some(file_meta(key, &meta))),
            Ok(_) => Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The file of a key, opened, with its metadata: every range read from this handle comes
    /// from this one version of the object.
    pub(super) async fn open(
        &self,
        key: &str,
    ) -> Result<Option<(FileMeta, tokio::fs::File)>, FileError> {
        let Some(path) = self.path_of(key) else {
            return Ok(None);
        };
        open_file(&path, key).await
    }

    pub(super) async fn delete(&self, key: &str) -> Result<(), FileError> {
        let Some(path) = self.path_of(key) else {
            return Ok(());
        };
        remove_file(&path).await
    }
}

/// Opens a regular file (its content type guessed from `key`); `None` when it does not exist.
pub(super) async fn open_file(
    path: &Path,
    key: &str,
) -> Result<Option<(FileMeta, tokio::fs::File)>, FileError> {
    let file = match tokio::fs::File::open(path).await {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let meta = file.metadata().await?;
    if !meta.is_file() {
        return Ok(None);
    }
    Ok(Some((file_meta(key, &meta), file)))
}

/// Removes a file; a missing one is not an error.
pub(super) async fn remove_file(path: &Path) -> Result<(), FileError> {
    match tokio::fs::remove_file(path).await {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

fn file_meta(key: &str, meta: &std::fs::Metadata) -> FileMeta {
    let modified = meta
        .modified()
        .unwrap_or(SystemTime::UNIX_EPOCH)
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    FileMeta {
        size: meta.len(),
        // A strong validator that changes whenever the file is replaced.
        etag: format!(
            "\"{:x}-{:x}{:08x}\"",
            meta.len(),
            modified.as_secs(),
            modified.subsec_nanos()
        ),
        content_type: content_type_of(key),
        modified: modified.as_secs() as i64,
    }
}

/// The keys of every public object under `root`, with their paths (hidden entries, the
/// store's bookkeeping, skipped), in sorted order.
pub fn walk(root: &Path) -> std::io::Result<Vec<(String, PathBuf)>> {
    fn visit(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> std::io::Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            let kind = entry.file_type()?;
            if kind.is_dir() {
                if !entry.file_name().to_string_lossy().starts_with('.') {
                    visit(root, &path, out)?;
                }
            } else if kind.is_file()
                && let Ok(relative) = path.strip_prefix(root)
                && let Some(key) = relative.to_str().map(|k| k.replace('\\', "/"))
                && is_public_key(&key)
            {
                out.push((key, path));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    match visit(root, root, &mut out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        other => other.map(|()| out),
    }
}
