//! Stored files: the file store (a directory in the data dir, served under `/s/`), and the
//! upload pipeline resources go through (streamed, checksummed, checked, optionally chunked).
//!
//! The store's interface is kept small (put from a stream or a staged file, open for reading
//! by byte ranges, metadata, delete, public URL) so an S3-compatible backend can take its place.

pub mod byteranges;
pub mod chunks;
pub mod names;
pub mod ranges;
pub mod serve;
pub mod sniff;
pub mod store;
pub mod upload;

pub use ranges::ByteRange;
pub use store::{FileMeta, FileStore, StagedFile};
pub use upload::{ResourceUpload, UploadOutcome, receive_resource_upload};

use crate::api::error::ApiError;

/// The most bytes read from a stored object at once while serving it.
pub const READ_CHUNK: usize = 64 * 1024;

/// What can go wrong in the file store.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The key is not a safe relative path (`..`, absolute, hidden segment…).
    #[error("invalid file key {0:?}")]
    InvalidKey(String),
    /// The file being written grew past the allowed size.
    #[error("the file is larger than {0} bytes")]
    TooLarge(u64),
    #[error("file storage error: {0}")]
    Io(#[from] std::io::Error),
}

impl From<FileError> for ApiError {
    fn from(e: FileError) -> Self {
        match e {
            FileError::TooLarge(limit) => {
                ApiError::PayloadTooLarge(format!("The upload is larger than {limit} bytes"))
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}
