//! `multipart/byteranges` bodies (RFC 9110 §14.6): several ranges of one object in one 206,
//! read from the object as the body is sent, one chunk at a time.

use std::collections::VecDeque;
use std::io::SeekFrom;

use axum::body::Bytes;
use futures_util::Stream;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeek, AsyncSeekExt};

use super::{ByteRange, READ_CHUNK};

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

    /// The body, reading each range from `object` when its turn comes.
    pub fn into_stream<R>(self, object: R) -> impl Stream<Item = std::io::Result<Bytes>> + Send
    where
        R: AsyncRead + AsyncSeek + Unpin + Send + 'static,
    {
        let state = Body {
            object,
            pending: self.parts.into(),
            left: 0,
            closing: Some(self.closing),
        };
        futures_util::stream::try_unfold(state, Body::next)
    }
}

/// Where the body stands: `left` bytes of the current range still to read.
struct Body<R> {
    object: R,
    pending: VecDeque<(Bytes, ByteRange)>,
    left: u64,
    closing: Option<Bytes>,
}

impl<R: AsyncRead + AsyncSeek + Unpin> Body<R> {
    async fn next(mut self) -> std::io::Result<Option<(Bytes, Self)>> {
        if self.left > 0 {
            let mut chunk = vec![0; self.left.min(READ_CHUNK as u64) as usize];
            let read = self.object.read(&mut chunk).await?;
            if read == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            chunk.truncate(read);
            self.left -= read as u64;
            return Ok(Some((Bytes::from(chunk), self)));
        }
        if let Some((head, range)) = self.pending.pop_front() {
            self.object.seek(SeekFrom::Start(range.start)).await?;
            self.left = range.len();
            return Ok(Some((head, self)));
        }
        Ok(self.closing.take().map(|closing| (closing, self)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::TryStreamExt;

    #[tokio::test]
    async fn body_holds_each_range_with_its_headers_and_announces_its_length() {
        let object: Vec<u8> = (0..100u8).collect();
        let ranges = [
            ByteRange { start: 90, end: 99 },
            ByteRange { start: 0, end: 2 },
        ];
        let parts = ByteRanges::new(&ranges, "text/csv", 100);
        let boundary = parts.boundary.clone();
        let length = parts.content_length();
        let chunks: Vec<Bytes> = parts
            .into_stream(std::io::Cursor::new(object))
            .try_collect()
            .await
            .expect("an in-memory read");
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
        let parts = ByteRanges::new(&[ByteRange { start: 0, end: 9 }], "text/plain", 10);
        let read: Result<Vec<Bytes>, _> = parts
            .into_stream(std::io::Cursor::new(vec![1u8; 5]))
            .try_collect()
            .await;
        assert!(read.is_err());
    }
}
