//! `plateau files migrate`: copies a data dir's files into a bucket, for a deployment moving to
//! `--files-url s3://…`. Resumable: an object already in the bucket with the same size and
//! SHA-1 is skipped; every object copied is read back and its SHA-1 compared.

use std::io::IsTerminal;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use sha1::{Digest, Sha1};
use tokio::io::AsyncReadExt;

use crate::config::StorageArgs;
use crate::files::{FileStore, S3Location, S3Store, directory};

#[derive(Debug, Subcommand)]
pub enum FilesCommand {
    /// Copy the files of `<data-dir>/files` (uploads, logos, avatars, thumbnails) into an
    /// S3-compatible bucket, keeping their keys, so that servers started with `--files-url`
    /// serve them at the same URLs. Endpoint and credentials come from AWS_ENDPOINT_URL,
    /// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION and AWS_ALLOW_HTTP.
    ///
    /// Run it again after an interruption: objects already copied (same size and SHA-1) are
    /// skipped. Each copied object is read back and its SHA-1 checked; a mismatch stops the
    /// command with an error. Unfinished chunked uploads and staging files are not copied.
    Migrate(MigrateArgs),
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    storage: StorageArgs,
    /// The bucket to copy into: `s3://BUCKET[/PREFIX]`.
    #[arg(long, value_parser = S3Location::parse)]
    to: S3Location,
}

pub async fn run(command: FilesCommand) -> anyhow::Result<()> {
    match command {
        FilesCommand::Migrate(args) => migrate(args).await,
    }
}

async fn migrate(args: MigrateArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let root = args.storage.data_dir.join("files");
    let s3 = S3Store::new(&args.to, object_store::aws::AmazonS3Builder::from_env())
        .context("invalid bucket configuration")?;
    // The same store the server would use, to check the bucket and read copies back.
    let target =
        FileStore::object_storage(s3.clone(), args.storage.data_dir.clone(), String::new());
    target
        .check()
        .await
        .with_context(|| format!("cannot reach {} (check the AWS_* variables)", args.to))?;
    let walked = {
        let root = root.clone();
        tokio::task::spawn_blocking(move || directory::walk(&root)).await?
    };
    let sources = walked.with_context(|| format!("cannot read {}", root.display()))?;
    let mut total_bytes = 0;
    for (_, path) in &sources {
        total_bytes += tokio::fs::metadata(path).await?.len();
    }
    let bar = progress_bar(total_bytes);
    let (mut copied, mut skipped, mut copied_bytes) = (0usize, 0usize, 0u64);
    for (key, path) in &sources {
        let (size, sha1) = local_sha1(path)
            .await
            .with_context(|| format!("cannot read {}", path.display()))?;
        let present = s3
            .size_and_sha1(key)
            .await
            .with_context(|| format!("cannot read {key} in {}", args.to))?;
        if present == Some((size, Some(sha1.clone()))) {
            skipped += 1;
        } else {
            s3.import_file(path, size, &sha1, key)
                .await
                .with_context(|| format!("cannot copy {key} to {}", args.to))?;
            let copy = stored_sha1(&target, key).await?;
            if copy.as_deref() != Some(sha1.as_str()) {
                bail!(
                    "the copy of {key} in {} does not match the original (SHA-1 {sha1}, copy {}); \
                     run the command again",
                    args.to,
                    copy.as_deref().unwrap_or("missing")
                );
            }
            copied += 1;
            copied_bytes += size;
        }
        bar.inc(size);
    }
    bar.finish_and_clear();
    println!(
        "{} files in {}: {copied} copied ({copied_bytes} bytes, checksums verified), {skipped} \
         already there, in {:.1} s",
        sources.len(),
        args.to,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The size and SHA-1 of a local file, read in chunks.
async fn local_sha1(path: &Path) -> std::io::Result<(u64, String)> {
    let mut file = tokio::fs::File::open(path).await?;
    let mut hasher = Sha1::new();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let read = file.read(&mut buffer).await?;
        if read == 0 {
            break;
        }
        size += read as u64;
        hasher.update(&buffer[..read]);
    }
    Ok((size, hex::encode(hasher.finalize())))
}

/// The SHA-1 of an object as read back from the store, or `None` when it is missing.
async fn stored_sha1(files: &FileStore, key: &str) -> anyhow::Result<Option<String>> {
    let Some(object) = files.open(key).await? else {
        return Ok(None);
    };
    let mut hasher = Sha1::new();
    let mut stream = object.read_all().await?;
    while let Some(chunk) = stream.next().await {
        hasher.update(&chunk?);
    }
    Ok(Some(hex::encode(hasher.finalize())))
}

fn progress_bar(bytes: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    ProgressBar::new(bytes).with_style(
        ProgressStyle::with_template(
            "copying files [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec}, eta {eta})",
        )
        .expect("a valid template")
        .progress_chars("=> "),
    )
}
