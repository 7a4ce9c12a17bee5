//! `multipart/byteranges` bodies (RFC 9110 §14.6): several ranges of one object in one 206,
//! read from the object as the body is sent, one chunk at a time.

use std::sync::Arc;

use axum::body::Bytes;
use futures_util::stream::{self, Stream, StreamExt, TryStreamExt};

use super::ByteRange;
use crate::files::{ByteStream, StoredObject};

/// The parts of a multipart response: each range with the delimiter and headers before it.
pub struct ByteRanges {
    boundary: String,
    parts: Vec<(Bytes, ByteRange)>,
    closing: Bytes,
}

impl ByteRanges {
    /// The parts of `ranges` of an object of `size` bytes and type `content_type`.
    pub fn new(ranges: &[ByteRange], content_type: &str, size: u64) -> Self {
        // Random, so that no object can hold the delimiter (RFC 2046 §5.1.1).
        let boundary = crate::domain::ids::uuid4();
        let parts = ranges
            .iter()
            .enumerate()
            .map(|(i, range)| {
                let before = if i == 0 { "" } else { "\r\n" };
                let head = format!(
                    "{before}--{boundary}\r\nContent-Type: {content_type}\r\n\
                     Content-Range: bytes {}-{}/{size}\r\n\r\n",
                    range.start, range.end
                );
                (Bytes::from(head), *range)
            })
            .collect();
        let closing = Bytes::from(format!("\r\n--{boundary}--\r\n"));
        Self {
            boundary,
            parts,
            closing,
        }
    }

    /// The response's `Content-Type`.
    pub fn content_type(&self) -> String {
        format!("multipart/byteranges; boundary={}", self.boundary)
    }

    /// The length of the whole body.
    pub fn content_length(&self) -> u64 {
        let parts: u64 = self
            .parts
            .iter()
            .map(|(head, range)| head.len() as u64 + range.len())
            .sum();
        parts + self.closing.len() as u64
    }

    /// The body, reading each range from `object` when its turn comes (one range after
    /// another, each streamed).
    pub fn into_stream(
        self,
        object: StoredObject,
    ) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static {
        let object = Arc::new(object);
        let parts = self.parts.into_iter().map(move |(head, range)| {
            let object = object.clone();
            let body = stream::once(async move {
                match object.read(range.start, range.len()).await {
                    Ok(bytes) => Ok(exactly(bytes, range.len())),
                    Err(e) => Err(std::io::Error::other(e)),
                }
            })
            .try_flatten();
            stream::once(async move { Ok(head) }).chain(body)
        });
        let closing = self.closing;
        stream::iter(parts)
            .flatten()
            .chain(stream::once(async move { Ok(closing) }))
    }
}

/// `body`, which must hold `len` bytes: ending short (the object changed underneath) is an
/// error, so the response fails rather than placing bytes under the wrong part.
fn exactly(body: ByteStream, len: u64) -> impl Stream<Item = std::io::Result<Bytes>> + Send {
    stream::try_unfold((body, 0u64), move |(mut body, seen)| async move {
        match body.next().await {
            Some(chunk) => {
                let chunk = chunk?;
                let seen = seen + chunk.len() as u64;
                Ok(Some((chunk, (body, seen))))
            }
            None if seen < len => Err(std::io::ErrorKind::UnexpectedEof.into()),
            None => Ok(None),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::FileStore;

    async fn stored(content: Vec<u8>) -> (tempfile::TempDir, StoredObject) {
        let dir = tempfile::tempdir().expect("a temporary dir");
        let files = FileStore::directory(dir.path().to_owned(), "http://x".into());
        files.put("a/object.csv", content).await.expect("put");
        let object = files
            .open("a/object.csv")
            .await
            .expect("open")
            .expect("stored");
        (dir, object)
    }

    #[tokio::test]
    async fn body_holds_each_range_with_its_headers_and_announces_its_length() {
        let (_dir, object) = stored((0..100u8).collect()).await;
        let ranges = [
            ByteRange { start: 90, end: 99 },
            ByteRange { start: 0, end: 2 },
        ];
        let parts = ByteRanges::new(&ranges, "text/csv", 100);
        let boundary = parts.boundary.clone();
        let length = parts.content_length();
        let chunks: Vec<Bytes> = parts
            .into_stream(object)
            .try_collect()
            .await
            .expect("a local read");
        let body: Vec<u8> = chunks.concat();
        assert_eq!(body.len() as u64, length);
        let mut expected = format!(
            "--{boundary}\r\nContent-Type: text/csv\r\nContent-Range: bytes 90-99/100\r\n\r\n"
        )
        .into_bytes();
        expected.extend(90..100u8);
        expected.extend(
            format!(
                "\r\n--{boundary}\r\nContent-Type: text/csv\r\nContent-Range: bytes 0-2/100\r\n\r\n"
            )
            .into_bytes(),
        );
        expected.extend([0, 1, 2]);
        expected.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
        assert_eq!(body, expected);
    }

    #[tokio::test]
    async fn an_object_shorter_than_announced_is_an_error() {
        let (_dir, object) = stored(vec![1u8; 5]).await;
        let parts = ByteRanges::new(&[ByteRange { start: 0, end: 9 }], "text/plain", 10);
        let read: Result<Vec<Bytes>, _> = parts.into_stream(object).try_collect().await;
        assert!(read.is_err());
    }
}
