//! The file store itself, on both of its backends (a directory, an S3 bucket of the test
//! server): objects staged then put in place, read by ranges, never half-written, deleted;
//! chunked-upload parts kept, assembled and purged; `plateau files migrate` into a bucket.

use futures_util::TryStreamExt;
use plateau::files::chunks::ChunkedUploadId;
use plateau::files::{FileError, FileStore};

use crate::cli::plateau;
use crate::common::s3;

/// The directory store and, when the S3 server runs, a store on a new bucket; each with the
/// temporary dir it stages in.
async fn stores() -> Vec<(&'static str, FileStore, tempfile::TempDir)> {
    let dir = tempfile::tempdir().expect("temporary dir");
    let mut stores = vec![(
        "directory",
        FileStore::directory(dir.path().join("files"), "http://x".into()),
        dir,
    )];
    if let Some(server) = s3::server() {
        let dir = tempfile::tempdir().expect("temporary dir");
        let bucket = server.bucket().await;
        stores.push((
            "s3",
            server.file_store(&bucket, dir.path(), "http://x"),
            dir,
        ));
    }
    stores
}

async fn read(files: &FileStore, key: &str, start: u64, len: u64) -> Vec<u8> {
    let object = files.open(key).await.expect("open").expect("an object");
    let chunks: Vec<_> = object
        .read(start, len)
        .await
        .expect("a range")
        .try_collect()
        .await
        .expect("the range's bytes");
    chunks.concat()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_are_put_read_by_ranges_and_deleted() {
    let content: Vec<u8> = (0..20_000u32).flat_map(|i| i.to_le_bytes()).collect();
    for (name, files, _dir) in stores().await {
        assert!(files.open("a/b.csv").await.unwrap().is_none(), "{name}");
        files.put("a/b.csv", content.clone()).await.unwrap();
        let meta = files.metadata("a/b.csv").await.unwrap().expect("stored");
        assert_eq!(meta.size, content.len() as u64, "{name}");
        assert_eq!(meta.content_type, "text/csv", "{name}");
        assert!(
            meta.etag.starts_with('"') && meta.etag.ends_with('"'),
            "{name}"
        );
        assert_eq!(read(&files, "a/b.csv", 0, 80_000).await, content, "{name}");
        assert_eq!(
            read(&files, "a/b.csv", 1000, 10).await,
            content[1000..1010],
            "{name}"
        );
        assert_eq!(
            files.get("a/b.csv").await.unwrap().unwrap(),
            content,
            "{name}"
        );

        files.put("a/b.csv", b"new".to_vec()).await.unwrap();
        let replaced = files.metadata("a/b.csv").await.unwrap().expect("stored");
        assert_ne!(
            replaced.etag, meta.etag,
            "{name}: a new version, a new ETag"
        );
        assert_eq!(
            files.get("a/b.csv").await.unwrap().unwrap(),
            b"new",
            "{name}"
        );

        files.delete("a/b.csv").await;
        assert!(files.metadata("a/b.csv").await.unwrap().is_none(), "{name}");
        files.delete("a/b.csv").await;
        for hidden in [".staging/x", "a/.chunks/x", "../x", "a//b"] {
            assert!(
                files.open(hidden).await.unwrap().is_none(),
                "{name} {hidden}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staged_file_appears_only_once_persisted_and_never_clobbers() {
    for (name, files, _dir) in stores().await {
        files.put("a/b.txt", b"one".to_vec()).await.unwrap();
        let mut staging = files.begin_staging(10).await.unwrap();
        staging.write(b"tw").await.unwrap();
        assert!(files.open("a/b-1.txt").await.unwrap().is_none(), "{name}");
        staging.write(b"o").await.unwrap();
        let staged = staging.finish().await.unwrap();
        assert_eq!(staged.size, 3);
        assert!(files.open("a/b-1.txt").await.unwrap().is_none(), "{name}");
        let key = files.persist(staged, "a/b.txt", false).await.unwrap();
        assert_eq!(key, "a/b-1.txt", "{name}");
        assert_eq!(
            files.get("a/b.txt").await.unwrap().unwrap(),
            b"one",
            "{name}"
        );
        assert_eq!(
            files.get("a/b-1.txt").await.unwrap().unwrap(),
            b"two",
            "{name}"
        );
        let staged = files
            .begin_staging(10)
            .await
            .unwrap()
            .finish()
            .await
            .unwrap();
        assert!(
            matches!(
                files.persist(staged, "../x", true).await,
                Err(FileError::InvalidKey(_))
            ),
            "{name}: an unsafe key is refused"
        );
    }
}

/// A file larger than one request's worth goes up in parts, and is whole when it appears.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_file_is_stored_whole() {
    let content: Vec<u8> = (0..(9 * 1024 * 1024 + 123) as u32)
        .map(|i| (i % 251) as u8)
        .collect();
    for (name, files, _dir) in stores().await {
        let mut staging = files.begin_staging(u64::MAX).await.unwrap();
        for chunk in content.chunks(1 << 20) {
            staging.write(chunk).await.unwrap();
        }
        let staged = staging.finish().await.unwrap();
        let key = files.persist(staged, "big/data.bin", true).await.unwrap();
        let meta = files.metadata(&key).await.unwrap().expect("stored");
        assert_eq!(meta.size, content.len() as u64, "{name}");
        let tail = content.len() as u64 - 100;
        assert_eq!(
            read(&files, &key, tail, 100).await,
            content[tail as usize..],
            "{name}"
        );
        assert!(files.get(&key).await.unwrap().unwrap() == content, "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staging_past_the_limit_leaves_nothing() {
    for (name, files, dir) in stores().await {
        let mut staging = files.begin_staging(4).await.unwrap();
        staging.write(b"abc").await.unwrap();
        assert!(
            matches!(staging.write(b"de").await, Err(FileError::TooLarge(4))),
            "{name}"
        );
        drop(staging);
        let staging_dir = if name == "directory" {
            dir.path().join("files/.staging")
        } else {
            dir.path().join(".staging")
        };
        assert_eq!(std::fs::read_dir(staging_dir).unwrap().count(), 0, "{name}");
    }
}

async fn save_part(files: &FileStore, upload: &ChunkedUploadId, part: u32, bytes: &[u8]) {
    let mut staging = files.begin_staging(1 << 20).await.unwrap();
    staging.write(bytes).await.unwrap();
    let staged = staging.finish().await.unwrap();
    files
        .save_chunk(
            upload,
            part,
            staged,
            serde_json::json!({"uuid": upload.as_str()}),
        )
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunks_are_assembled_in_order_and_purged_when_stale() {
    for (name, files, _dir) in stores().await {
        let upload = ChunkedUploadId::parse("abc-123").unwrap();
        save_part(&files, &upload, 1, b"world").await;
        assert!(
            matches!(
                files.assemble_chunks(&upload, 2, 100).await,
                Err(FileError::MissingChunk(0))
            ),
            "{name}"
        );
        save_part(&files, &upload, 0, b"hello ").await;
        assert!(
            matches!(
                files.assemble_chunks(&upload, 2, 5).await,
                Err(FileError::TooLarge(5))
            ),
            "{name}"
        );
        let staged = files.assemble_chunks(&upload, 2, 100).await.unwrap();
        assert_eq!(staged.size, 11, "{name}");
        let key = files.persist(staged, "r/hello.txt", true).await.unwrap();
        assert_eq!(
            files.get(&key).await.unwrap().unwrap(),
            b"hello world",
            "{name}"
        );

        assert_eq!(
            files
                .purge_stale_uploads(plateau::files::chunks::MAX_RETENTION)
                .await
                .unwrap(),
            0,
            "{name}: a fresh upload is kept"
        );
        assert!(
            files.assemble_chunks(&upload, 2, 100).await.is_ok(),
            "{name}"
        );
        assert_eq!(
            files
                .purge_stale_uploads(std::time::Duration::ZERO)
                .await
                .unwrap(),
            1,
            "{name}"
        );
        assert!(
            matches!(
                files.assemble_chunks(&upload, 2, 100).await,
                Err(FileError::MissingChunk(0))
            ),
            "{name}: purged"
        );
        let other = ChunkedUploadId::parse("other").unwrap();
        save_part(&files, &other, 0, b"x").await;
        files.delete_chunks(&other).await;
        assert!(
            files.assemble_chunks(&other, 1, 100).await.is_err(),
            "{name}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_migrate_copies_a_data_dir_into_a_bucket_and_resumes() {
    let Some(server) = s3::server() else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let local = FileStore::directory(data.path().join("files"), "http://x".into());
    local
        .put("resources/d/1/a.csv", b"a,b\n1,2\n".to_vec())
        .await
        .unwrap();
    local
        .put("images/x/logo.png", vec![7u8; 70_000])
        .await
        .unwrap();
    let upload = ChunkedUploadId::parse("unfinished").unwrap();
    save_part(&local, &upload, 0, b"part").await;
    let bucket = server.bucket().await;
    let migrate = || {
        let mut command = plateau();
        command
            .args(["files", "migrate", "--data-dir"])
            .arg(data.path())
            .args(["--to", &bucket.to_string()])
            .envs(server.env());
        command.output().expect("run plateau files migrate")
    };
    let output = migrate();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("2 files") && stdout.contains("2 copied"),
        "{stdout}"
    );

    let remote_dir = tempfile::tempdir().unwrap();
    let remote = server.file_store(&bucket, remote_dir.path(), "http://x");
    assert_eq!(
        remote.get("images/x/logo.png").await.unwrap().unwrap(),
        vec![7u8; 70_000]
    );
    assert_eq!(
        remote.get("resources/d/1/a.csv").await.unwrap().unwrap(),
        b"a,b\n1,2\n"
    );

    // Run again: what is there is skipped; a changed file is copied again.
    local
        .put("resources/d/1/a.csv", b"changed".to_vec())
        .await
        .unwrap();
    let output = migrate();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("1 copied") && stdout.contains("1 already there"),
        "{stdout}"
    );
    assert_eq!(
        remote.get("resources/d/1/a.csv").await.unwrap().unwrap(),
        b"changed"
    );

    // An unreachable bucket is a clear error.
    let output = plateau()
        .args(["files", "migrate", "--data-dir"])
        .arg(data.path())
        .args(["--to", "s3://no-such-bucket-here"])
        .envs(server.env())
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("cannot reach s3://no-such-bucket-here"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_refuses_to_start_when_its_bucket_does_not_answer() {
    let Some(server) = s3::server() else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let output = plateau()
        .args(["serve", "--data-dir"])
        .arg(data.path())
        .args(["--listen", "127.0.0.1:0"])
        .args(["--files-url", "s3://no-such-bucket-here/files"])
        .envs(server.env())
        .output()
        .expect("run plateau serve");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains("cannot reach the file store s3://no-such-bucket-here/files"),
        "{stderr}"
    );
}
