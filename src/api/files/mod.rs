//! The HTTP side of stored files: `GET /s/{*key}` over whichever file store is configured
//! (validators, byte ranges, `multipart/byteranges`), and the resource upload pipeline
//! (multipart parsing, names, content checks) that puts files into the store.

pub mod byteranges;
pub mod ranges;
pub mod serve;
pub mod upload;

pub use ranges::ByteRange;
pub use upload::{ResourceUpload, UploadOutcome, receive_resource_upload};

use crate::api::error::ApiError;
use crate::files::FileError;

impl From<FileError> for ApiError {
    fn from(e: FileError) -> Self {
        match e {
            FileError::TooLarge(limit) => {
                ApiError::PayloadTooLarge(format!("The upload is larger than {limit} bytes"))
            }
            FileError::MissingChunk(part) => ApiError::Upload(format!("Missing chunk {part}")),
            // The bucket is unreachable or failing: the client may retry, nothing was kept.
            FileError::ObjectStore(e) => {
                tracing::error!(error = %e, "object storage error");
                ApiError::Unavailable("The file storage is unavailable; retry in a moment".into())
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}
