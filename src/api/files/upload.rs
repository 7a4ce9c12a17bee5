//! The upload pipeline of resource files, as uData's `handle_upload` runs it: a multipart
//! `file` streamed to a staging file (SHA-1 and size computed on the way, never held in
//! memory), or one part of a chunked upload (`uuid, filename, partindex, partbyteoffset,
//! totalparts, chunksize`), the final call without `file` assembling the parts. The file name
//! is normalised, its extension checked against the allow-list, its content sniffed (HTML is
//! refused with 415), and it is stored under `resources/<dataset-slug>/<YYYYMMDD-HHMMSS>/<name>`.

use axum::extract::Multipart;
use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::api::error::{ApiError, ApiResult};
use crate::domain::validation::FieldErrors;
use crate::files::chunks::ChunkedUploadId;
use crate::files::names::{format_of, is_allowed_extension, last_extension, normalize};
use crate::files::sniff::sniff;
use crate::files::{FileStore, StagedFile};

/// Parts of one chunked upload are numbered below this.
const MAX_PARTS: u32 = 100_000;

/// A resource file stored by the pipeline: what the resource records about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceUpload {
    /// Storage key, `resources/<dataset-slug>/<YYYYMMDD-HHMMSS>/<filename>` (delete it with
    /// [`FileStore::delete`] when the resource goes or its file is replaced).
    pub key: String,
    /// uData's `fs_filename`: the key inside the `resources` storage (`<slug>/<ts>/<filename>`).
    pub fs_filename: String,
    /// Public URL (the resource's `url`).
    pub url: String,
    /// The normalised file name (the resource's default `title`).
    pub filename: String,
    /// Bytes (the resource's `filesize`).
    pub size: u64,
    /// Lowercase hexadecimal SHA-1 (the resource's `checksum` `{type: "sha1", value}`).
    pub sha1: String,
    /// MIME type sniffed from the content (the resource's `mime`).
    pub mime: String,
    /// Format from the name, compound archive extensions kept (`csv`, `csv.gz`…).
    pub format: String,
}

/// What an upload request came to.
#[derive(Debug)]
pub enum UploadOutcome {
    /// The file is stored: create or update the resource.
    Stored(ResourceUpload),
    /// One part of a chunked upload was kept: answer with [`chunk_received`].
    ChunkReceived,
}

/// The answer to an intermediate part of a chunked upload: 200 `{"success": true}`.
pub fn chunk_received() -> Response {
    (
        StatusCode::OK,
        axum::Json(serde_json::json!({"success": true})),
    )
        .into_response()
}

/// The error for a request that is not `multipart/form-data`.
pub fn not_multipart(_: MultipartRejection) -> ApiError {
    ApiError::UnsupportedMediaType("Expecting a multipart/form-data body".into())
}

/// The text fields of an upload form.
#[derive(Debug, Default)]
struct UploadForm {
    uuid: Option<String>,
    filename: Option<String>,
    partindex: Option<i64>,
    totalparts: Option<i64>,
    chunksize: Option<i64>,
}

/// Runs an upload request for a resource of the dataset with slug `dataset_slug`; no file
/// (whole or assembled) may exceed `max_size` bytes (413, nothing left behind).
///
/// Errors: 413 too large; 400 `{"success": false, "error"}` for a missing file, a chunk size
/// mismatch or missing parts; 400 (message naming `/datasets/extensions/`, error on `file`)
/// for a refused extension; 415 "Incorrect file content type: HTML".
pub async fn receive_resource_upload(
    files: &FileStore,
    mut multipart: Multipart,
    dataset_slug: &str,
    max_size: u64,
    extensions_url: &str,
) -> ApiResult<UploadOutcome> {
    let mut form = UploadForm::default();
    let mut file: Option<(StagedFile, Option<String>)> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Err(multipart_error(e, max_size)),
        };
        let Some(name) = field.name().map(str::to_owned) else {
            continue;
        };
        match name.as_str() {
            "file" if file.is_none() => {
                let client_name = field.file_name().map(str::to_owned);
                let staged = stage_field(files, field, max_size).await?;
                file = Some((staged, client_name));
            }
            "uuid" => form.uuid = Some(text(field, max_size).await?),
            "filename" => form.filename = Some(text(field, max_size).await?),
            "partindex" => form.partindex = integer(&name, field, max_size).await?,
            "totalparts" => form.totalparts = integer(&name, field, max_size).await?,
            "chunksize" => form.chunksize = integer(&name, field, max_size).await?,
            // partbyteoffset is sent by clients but, as in uData, parts are placed by index.
            _ => {}
        }
    }
    let is_chunk = form.totalparts.is_some_and(|n| n > 1);
    match (is_chunk, file) {
        (true, Some((staged, _))) => {
            save_chunk(files, &form, staged).await?;
            Ok(UploadOutcome::ChunkReceived)
        }
        (true, None) => {
            let (upload, total) = chunk_upload_id(&form)?;
            let result = assemble(
                files,
                &form,
                &upload,
                total,
                dataset_slug,
                max_size,
                extensions_url,
            )
            .await;
            files.delete_chunks(&upload).await;
            result.map(UploadOutcome::Stored)
        }
        (false, Some((staged, client_name))) => {
            let filename = normalize(client_name.as_deref().unwrap_or("file"));
            store(files, staged, &filename, dataset_slug, extensions_url)
                .await
                .map(UploadOutcome::Stored)
        }
        (false, None) => Err(ApiError::Upload("Missing file parameter".into())),
    }
}

async fn stage_field(
    files: &FileStore,
    mut field: Field<'_>,
    max_size: u64,
) -> ApiResult<StagedFile> {
    let mut staging = files.begin_staging(max_size).await?;
    loop {
        match field.chunk().await {
            Ok(Some(bytes)) => staging.write(&bytes).await?,
            Ok(None) => break,
            // Dropping `staging` removes the partial file.
            Err(e) => return Err(multipart_error(e, max_size)),
        }
    }
    Ok(staging.finish().await?)
}

async fn text(field: Field<'_>, max_size: u64) -> ApiResult<String> {
    field
        .text()
        .await
        .map(|t| t.trim().to_owned())
        .map_err(|e| multipart_error(e, max_size))
}

async fn integer(name: &str, field: Field<'_>, max_size: u64) -> ApiResult<Option<i64>> {
    let raw = text(field, max_size).await?;
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse()
        .map(Some)
        .map_err(|_| ApiError::field(name, "Expecting an integer."))
}

fn multipart_error(e: MultipartError, max_size: u64) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge(format!("The upload is larger than {max_size} bytes"))
    } else {
        ApiError::BadRequest(format!("Malformed multipart body: {}", e.body_text()))
    }
}

fn chunk_upload_id(form: &UploadForm) -> ApiResult<(ChunkedUploadId, u32)> {
    let upload = form
        .uuid
        .as_deref()
        .and_then(ChunkedUploadId::parse)
        .ok_or_else(|| ApiError::Upload("Missing or invalid uuid".into()))?;
    let total = form
        .totalparts
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n <= MAX_PARTS)
        .ok_or_else(|| ApiError::Upload(format!("totalparts must be at most {MAX_PARTS}")))?;
    Ok((upload, total))
}

/// Keeps one part. Each part must be exactly `chunksize` bytes as uData checks; the last part
/// may also be shorter (clients that send the nominal chunk size with every part).
async fn save_chunk(files: &FileStore, form: &UploadForm, staged: StagedFile) -> ApiResult<()> {
    let (upload, total) = chunk_upload_id(form)?;
    let part = form
        .partindex
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n < total)
        .ok_or_else(|| ApiError::Upload("partindex must be between 0 and totalparts - 1".into()))?;
    let expected = form.chunksize.and_then(|n| u64::try_from(n).ok());
    let size_ok = match expected {
        Some(expected) => {
            staged.size == expected
                || (part + 1 == total && staged.size > 0 && staged.size < expected)
        }
        None => false,
    };
    if !size_ok {
        return Err(ApiError::Upload("Chunk size mismatch".into()));
    }
    let meta = serde_json::json!({
        "uuid": upload.as_str(),
        "filename": form.filename,
        "totalparts": total,
        "lastchunk": crate::domain::time::iso(crate::domain::time::now()),
    });
    files.save_chunk(&upload, part, staged, meta).await?;
    Ok(())
}

/// Concatenates the parts, in order, into a staging file, then stores it.
async fn assemble(
    files: &FileStore,
    form: &UploadForm,
    upload: &ChunkedUploadId,
    total: u32,
    dataset_slug: &str,
    max_size: u64,
    extensions_url: &str,
) -> ApiResult<ResourceUpload> {
    let filename = normalize(
        form.filename
            .as_deref()
            .filter(|f| !f.is_empty())
            .ok_or_else(|| ApiError::Upload("Missing filename parameter".into()))?,
    );
    check_extension(&filename, extensions_url)?;
    let staged = files.assemble_chunks(upload, total, max_size).await?;
    store(files, staged, &filename, dataset_slug, extensions_url).await
}

fn check_extension(filename: &str, extensions_url: &str) -> ApiResult<()> {
    if last_extension(filename).is_some_and(|e| is_allowed_extension(&e)) {
        return Ok(());
    }
    // uData's message, typo included; the field is named too.
    let message = format!(
        "This file type is not allowed.The allowed file type list is available at {extensions_url}"
    );
    Err(ApiError::Validation {
        errors: FieldErrors::single("file", &message),
        message,
    })
}

/// Checks and stores a complete file under the dataset's upload prefix.
async fn store(
    files: &FileStore,
    staged: StagedFile,
    filename: &str,
    dataset_slug: &str,
    extensions_url: &str,
) -> ApiResult<ResourceUpload> {
    check_extension(filename, extensions_url)?;
    let mime = sniff(&staged.head, last_extension(filename).as_deref());
    if mime.contains("html") {
        return Err(ApiError::UnsupportedMediaType(
            "Incorrect file content type: HTML".into(),
        ));
    }
    let slug = match crate::domain::slug::slugify(dataset_slug) {
        s if s.is_empty() => "dataset".to_owned(),
        s => s,
    };
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    let (size, sha1) = (staged.size, staged.sha1.clone());
    let key = files
        .persist(
            staged,
            &format!("resources/{slug}/{stamp}/{filename}"),
            false,
        )
        .await?;
    let filename = key.rsplit('/').next().unwrap_or(filename).to_owned();
    Ok(ResourceUpload {
        fs_filename: key.trim_start_matches("resources/").to_owned(),
        url: files.url(&key),
        format: format_of(&filename).unwrap_or_default(),
        key,
        filename,
        size,
        sha1,
        mime,
    })
}
