//! The object-storage backend: objects in an S3-compatible bucket, under an optional prefix,
//! through the `object_store` crate. A staged file is uploaded in one request (up to
//! [`SINGLE_PUT_MAX`]) or as a multipart upload, and either way the object appears only once
//! complete; reads are ranged GETs conditional on the ETag the object was opened with, so the
//! ranges of one response come from one version. Each object records the SHA-1 of its content
//! in its metadata (`x-amz-meta-sha1`), which `plateau files migrate` compares.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{
    Attribute, AttributeValue, Attributes, GetOptions, GetRange, ObjectStore, ObjectStoreExt,
    PutMode, PutMultipartOptions, PutOptions, PutPayload, WriteMultipart,
};
use tokio::io::AsyncReadExt;

use super::staging::StagedFile;
use super::{ByteStream, FileError, FileMeta, content_type_of, numbered_key};

/// Files up to this size are uploaded in one request; larger ones in parts of this size.
pub const SINGLE_PUT_MAX: u64 = 8 * 1024 * 1024;
/// How many parts of one multipart upload are in flight at once.
const PARTS_IN_FLIGHT: usize = 2;
/// The metadata entry holding an object's SHA-1.
const SHA1_METADATA: &str = "sha1";
/// How long the start-up check waits for the bucket to answer.
const CHECK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// A bucket and a key prefix: `--files-url s3://BUCKET[/PREFIX]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    pub bucket: String,
    /// Without leading or trailing `/`; empty for the bucket's root.
    pub prefix: String,
}

impl S3Location {
    /// Parses `s3://BUCKET[/PREFIX]`.
    pub fn parse(url: &str) -> Result<Self, String> {
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| format!("{url:?} is not an s3://BUCKET[/PREFIX] URL"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let valid_bucket = (3..=63).contains(&bucket.len())
            && bucket
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
        if !valid_bucket {
            return Err(format!("{bucket:?} is not a valid bucket name"));
        }
        let prefix = prefix.trim_matches('/');
        if !prefix.is_empty() && !super::is_public_key(prefix) {
            return Err(format!("{prefix:?} is not a valid key prefix"));
        }
        Ok(S3Location {
            bucket: bucket.to_owned(),
            prefix: prefix.to_owned(),
        })
    }
}

impl fmt::Display for S3Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.prefix.as_str() {
            "" => write!(f, "s3://{}", self.bucket),
            prefix => write!(f, "s3://{}/{prefix}", self.bucket),
        }
    }
}

/// Objects in a bucket (cheap to clone: clones share one client).
#[derive(Clone)]
pub struct S3Store {
    client: Arc<AmazonS3>,
    location: S3Location,
}

/// One version of an object, for ranged reads.
pub(super) struct ObjectVersion {
    client: Arc<AmazonS3>,
    path: Path,
    e_tag: Option<String>,
}

impl ObjectVersion {
    pub(super) async fn read(&self, start: u64, len: u64) -> Result<ByteStream, FileError> {
        let options = GetOptions {
            range: Some(GetRange::Bounded(start..start + len)),
            if_match: self.e_tag.clone(),
            ..Default::default()
        };
        let result = self.client.get_opts(&self.path, options).await?;
        Ok(result.into_stream().map_err(std::io::Error::other).boxed())
    }
}

impl S3Store {
    /// A store on `location`, the endpoint, region and credentials taken from `builder`
    /// (`AmazonS3Builder::from_env()` reads `AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ALLOW_HTTP`…).
    pub fn new(location: &S3Location, builder: AmazonS3Builder) -> Result<Self, FileError> {
        let client = builder.with_bucket_name(&location.bucket).build()?;
        Ok(S3Store {
            client: Arc::new(client),
            location: location.clone(),
        })
    }

    pub fn location(&self) -> &S3Location {
        &self.location
    }

    /// The object path of a key (public or bookkeeping) under the prefix.
    pub(super) fn path(&self, key: &str) -> Path {
        match self.location.prefix.as_str() {
            "" => Path::from(key),
            prefix => Path::from(format!("{prefix}/{key}")),
        }
    }

    pub(super) async fn check(&self) -> Result<(), FileError> {
        let prefix = self.path(".check");
        let listing = self.client.list_with_delimiter(Some(&prefix));
        match tokio::time::timeout(CHECK_TIMEOUT, listing).await {
            Ok(result) => result.map(drop).map_err(Into::into),
            Err(_) => Err(FileError::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("{} did not answer within {CHECK_TIMEOUT:?}", self.location),
            ))),
        }
    }

    pub(super) async fn persist(
        &self,
        staged: StagedFile,
        key: &str,
        replace: bool,
    ) -> Result<String, FileError> {
        if replace {
            self.upload(&staged, &self.path(key), PutMode::Overwrite)
                .await?;
            return Ok(key.to_owned());
        }
        for n in 0..1000 {
            let candidate = numbered_key(key, n);
            let path = self.path(&candidate);
            if self.exists(&path).await? {
                continue;
            }
            match self.upload(&staged, &path, PutMode::Create).await {
                Ok(()) => return Ok(candidate),
                Err(FileError::ObjectStore(object_store::Error::AlreadyExists { .. })) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(FileError::Io(std::io::Error::other(format!(
            "too many files named {key}"
        ))))
    }

    async fn exists(&self, path: &Path) -> Result<bool, FileError> {
        match self.client.head(path).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Uploads a staged file to `path`. `PutMode::Create` is atomic for files sent in one
    /// request; a multipart upload relies on the check the caller made before.
    async fn upload(
        &self,
        staged: &StagedFile,
        path: &Path,
        mode: PutMode,
    ) -> Result<(), FileError> {
        self.upload_file(staged.path(), staged.size, &staged.sha1, path, mode)
            .await
    }

    /// Uploads the local file `source` (`size` bytes, SHA-1 `sha1`) to `path`.
    pub(super) async fn upload_file(
        &self,
        source: &std::path::Path,
        size: u64,
        sha1: &str,
        path: &Path,
        mode: PutMode,
    ) -> Result<(), FileError> {
        let attributes: Attributes = [
            (Attribute::Metadata(SHA1_METADATA.into()), sha1.to_owned()),
            (Attribute::ContentType, content_type_of(path.as_ref())),
        ]
        .into_iter()
        .map(|(attribute, value)| (attribute, AttributeValue::from(value)))
        .collect();
        let mut file = tokio::fs::File::open(source).await?;
        if size <= SINGLE_PUT_MAX {
            let mut bytes = Vec::with_capacity(size as usize);
            file.read_to_end(&mut bytes).await?;
            let options = PutOptions {
                mode,
                attributes,
                ..Default::default()
            };
            self.client
                .put_opts(path, PutPayload::from(bytes), options)
                .await?;
            return Ok(());
        }
        let options = PutMultipartOptions {
            attributes,
            ..Default::default()
        };
        let upload = self.client.put_multipart_opts(path, options).await?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, SINGLE_PUT_MAX as usize);
        let mut buffer = vec![0u8; 1024 * 1024];
        loop {
            let read = match file.read(&mut buffer).await {
                Ok(0) => break,
                Ok(read) => read,
                Err(e) => {
                    let _ = writer.abort().await;
                    return Err(e.into());
                }
            };
            if let Err(e) = writer.wait_for_capacity(PARTS_IN_FLIGHT).await {
                let _ = writer.abort().await;
                return Err(e.into());
            }
            writer.write(&buffer[..read]);
        }
        // `finish` aborts the upload when a part failed: nothing appears.
        writer.finish().await?;
        Ok(())
    }

    pub(super) async fn metadata(&self, key: &str) -> Result<Option<FileMeta>, FileError> {
        Ok(self.open(key).await?.map(|(meta, _)| meta))
    }

    pub(super) async fn open(
        &self,
        key: &str,
    ) -> Result<Option<(FileMeta, ObjectVersion)>, FileError> {
        let path = self.path(key);
        let meta = match self.client.head(&path).await {
            Ok(meta) => meta,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let etag = meta
            .e_tag
            .as_deref()
            .map(|tag| tag.trim_start_matches("W/").trim_matches('"').to_owned())
            .unwrap_or_else(|| {
                format!(
                    "{:x}-{:x}",
                    meta.size,
                    meta.last_modified.timestamp_micros()
                )
            });
        let file_meta = FileMeta {
            size: meta.size,
            etag: format!("\"{etag}\""),
            content_type: content_type_of(key),
            modified: meta.last_modified.timestamp(),
        };
        let version = ObjectVersion {
            client: self.client.clone(),
            path,
            e_tag: meta.e_tag,
        };
        Ok(Some((file_meta, version)))
    }

    /// The size and recorded SHA-1 of the object at `key`, if there is one.
    pub async fn size_and_sha1(
        &self,
        key: &str,
    ) -> Result<Option<(u64, Option<String>)>, FileError> {
        let options = GetOptions {
            head: true,
            ..Default::default()
        };
        match self.client.get_opts(&self.path(key), options).await {
            Ok(result) => {
                let sha1 = result
                    .attributes
                    .get(&Attribute::Metadata(SHA1_METADATA.into()))
                    .map(|value| value.as_ref().to_owned());
                Ok(Some((result.meta.size, sha1)))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Copies the local file `source` to `key`, replacing what is there, recording its SHA-1.
    pub async fn import_file(
        &self,
        source: &std::path::Path,
        size: u64,
        sha1: &str,
        key: &str,
    ) -> Result<(), FileError> {
        self.upload_file(source, size, sha1, &self.path(key), PutMode::Overwrite)
            .await
    }

    pub(super) async fn delete(&self, key: &str) -> Result<(), FileError> {
        self.delete_path(&self.path(key)).await
    }

    pub(super) async fn delete_path(&self, path: &Path) -> Result<(), FileError> {
        match self.client.delete(path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Stores small bookkeeping bytes at `key` (not a public key).
    pub(super) async fn put_small(&self, key: &str, bytes: Vec<u8>) -> Result<(), FileError> {
        self.client
            .put(&self.path(key), PutPayload::from(Bytes::from(bytes)))
            .await?;
        Ok(())
    }

    /// Streams the object at `key` (any key), or `None` when there is none.
    pub(super) async fn stream(&self, key: &str) -> Result<Option<ByteStream>, FileError> {
        match self.client.get(&self.path(key)).await {
            Ok(result) => Ok(Some(
                result.into_stream().map_err(std::io::Error::other).boxed(),
            )),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Every object under the bookkeeping or public prefix `key_prefix`: its key relative to
    /// the store's prefix, and when it was last modified.
    pub(super) async fn list(
        &self,
        key_prefix: &str,
    ) -> Result<Vec<(String, std::time::SystemTime)>, FileError> {
        let prefix = self.path(key_prefix);
        let strip = match self.location.prefix.as_str() {
            "" => String::new(),
            p => format!("{p}/"),
        };
        let mut out = Vec::new();
        let mut listing = self.client.list(Some(&prefix));
        while let Some(meta) = listing.next().await {
            let meta = meta?;
            let full = meta.location.to_string();
            let key = full.strip_prefix(&strip).unwrap_or(&full).to_owned();
            out.push((key, std::time::SystemTime::from(meta.last_modified)));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_urls_name_a_bucket_and_a_prefix() {
        let location = S3Location::parse("s3://my-bucket/portal/files/").unwrap();
        assert_eq!(location.bucket, "my-bucket");
        assert_eq!(location.prefix, "portal/files");
        assert_eq!(location.to_string(), "s3://my-bucket/portal/files");
        assert_eq!(S3Location::parse("s3://my-bucket").unwrap().prefix, "");
        for bad in [
            "https://x/y",
            "s3://",
            "s3://UPPER",
            "s3://ok-bucket/a/../b",
        ] {
            assert!(S3Location::parse(bad).is_err(), "{bad}");
        }
    }
}
