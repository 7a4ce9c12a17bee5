//! Image uploads (organization logos, user avatars): multipart `file` (+ optional `bbox`),
//! decoded with limits against decompression bombs, stored with a square thumbnail.

use axum::extract::{FromRequest, Multipart, Request};
use image::{ImageFormat, ImageReader, Limits};
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{ApiError, ApiResult};
use super::state::AppState;

const MAX_SIDE: u32 = 10_000;
const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

pub const MODELS: &[(&str, &str)] = &[("UploadedImage", "UploadedImage")];

/// An uploaded image, checked to be PNG, JPEG or WebP.
pub struct ImageUpload {
    pub bytes: Vec<u8>,
    pub format: ImageFormat,
    /// Crop box `x,y,width,height` in pixels of the original.
    pub bbox: Option<[u32; 4]>,
}

/// The answer of an image upload (`UploadedImage`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = UploadedImage)]
pub struct UploadedImage {
    pub image: String,
    pub success: bool,
}

/// Reads a multipart body with a `file` part and an optional `bbox` part.
/// Not multipart → 415; too large → 413; not an accepted image → 400 on `file`.
pub async fn read_upload(
    req: Request,
    app: &AppState,
    require_file: bool,
) -> ApiResult<(Option<ImageUpload>, Option<[u32; 4]>)> {
    let mut multipart = Multipart::from_request(req, app).await.map_err(|_| {
        ApiError::UnsupportedMediaType("Expecting a multipart/form-data body".into())
    })?;
    let mut file = None;
    let mut bbox = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Err(multipart_error(e, app)),
        };
        match field.name() {
            Some("file") => {
                let bytes = field.bytes().await.map_err(|e| multipart_error(e, app))?;
                file = Some(bytes.to_vec());
            }
            Some("bbox") => {
                let text = field.text().await.map_err(|e| multipart_error(e, app))?;
                bbox = parse_bbox(&text)?;
            }
            _ => {}
        }
    }
    let upload = match file {
        Some(bytes) => {
            let format = image::guess_format(&bytes)
                .ok()
                .filter(|f| matches!(f, ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP))
                .ok_or_else(|| {
                    ApiError::field("file", "Unsupported image format: use PNG, JPEG or WebP.")
                })?;
            Some(ImageUpload {
                bytes,
                format,
                bbox,
            })
        }
        None if require_file => return Err(ApiError::field("file", "This field is required.")),
        None => None,
    };
    Ok((upload, bbox))
}

fn multipart_error(e: axum::extract::multipart::MultipartError, app: &AppState) -> ApiError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge(format!(
            "The upload is larger than {} bytes",
            app.settings.max_upload_size
        ))
    } else {
        ApiError::BadRequest(format!("Malformed multipart body: {}", e.body_text()))
    }
}

/// `bbox` as uData sends it: four comma-separated numbers `x,y,width,height`.
fn parse_bbox(text: &str) -> ApiResult<Option<[u32; 4]>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let numbers: Vec<u32> = text
        .split(',')
        .map(|n| {
            n.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| *v >= 0.0 && *v < f64::from(MAX_SIDE))
                .map(|v| v as u32)
        })
        .collect::<Option<_>>()
        .ok_or_else(|| {
            ApiError::field(
                "bbox",
                "Expecting four non-negative numbers: x,y,width,height.",
            )
        })?;
    match numbers.as_slice() {
        [x, y, w, h] if *w > 0 && *h > 0 => Ok(Some([*x, *y, *w, *h])),
        _ => Err(ApiError::field(
            "bbox",
            "Expecting four non-negative numbers: x,y,width,height.",
        )),
    }
}

/// A square PNG thumbnail of `size` pixels, cropped to `bbox` (or centered) first.
pub fn thumbnail(bytes: &[u8], bbox: Option<[u32; 4]>, size: u32) -> ApiResult<Vec<u8>> {
    let mut reader = ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| ApiError::field("file", "Unreadable image."))?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let image = reader
        .decode()
        .map_err(|e| ApiError::field("file", &format!("Unreadable image: {e}")))?;
    let (width, height) = (image.width(), image.height());
    let [x, y, w, h] = match bbox {
        Some([x, y, w, h]) if x < width && y < height => {
            [x, y, w.min(width - x), h.min(height - y)]
        }
        _ => {
            let side = width.min(height);
            [(width - side) / 2, (height - side) / 2, side, side]
        }
    };
    let cropped = image.crop_imm(x, y, w, h);
    let thumb = cropped.resize_to_fill(size, size, image::imageops::FilterType::Lanczos3);
    let mut out = std::io::Cursor::new(Vec::new());
    thumb
        .write_to(&mut out, ImageFormat::Png)
        .map_err(|e| ApiError::Internal(format!("thumbnail encoding failed: {e}")))?;
    Ok(out.into_inner())
}

/// Stores the original under `<prefix>/<id>-original.<ext>` and a `size` thumbnail beside it;
/// returns both storage keys.
pub async fn store_with_thumbnail(
    app: &AppState,
    prefix: &str,
    upload: ImageUpload,
    size: u32,
) -> ApiResult<(String, String)> {
    let bytes = upload.bytes;
    let bbox = upload.bbox;
    let (bytes, thumb) = tokio::task::spawn_blocking(move || {
        let thumb = thumbnail(&bytes, bbox, size);
        (bytes, thumb)
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let thumb = thumb?;
    let id = crate::domain::ids::object_id();
    let extension = upload
        .format
        .extensions_str()
        .first()
        .copied()
        .unwrap_or("img");
    let original_key = format!("{prefix}/{}/{id}-original.{extension}", &id[id.len() - 2..]);
    let thumb_key = format!("{prefix}/{}/{id}-{size}.png", &id[id.len() - 2..]);
    app.files.put(&original_key, bytes).await?;
    app.files.put(&thumb_key, thumb).await?;
    Ok((original_key, thumb_key))
}

/// Re-crops an already stored original into a new thumbnail; returns the new thumbnail key.
pub async fn recrop(
    app: &AppState,
    original_key: &str,
    bbox: Option<[u32; 4]>,
    size: u32,
) -> ApiResult<String> {
    let bytes = app
        .files
        .get(original_key)
        .await?
        .ok_or_else(|| ApiError::field("file", "No image to re-crop: upload one first."))?;
    let thumb = tokio::task::spawn_blocking(move || thumbnail(&bytes, bbox, size))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    let id = crate::domain::ids::object_id();
    let prefix = original_key
        .rsplit_once('/')
        .map(|(p, _)| p)
        .unwrap_or("images");
    let thumb_key = format!("{prefix}/{id}-{size}.png");
    app.files.put(&thumb_key, thumb).await?;
    Ok(thumb_key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image =
            image::RgbImage::from_fn(width, height, |x, y| image::Rgb([x as u8, y as u8, 128]));
        let mut out = std::io::Cursor::new(Vec::new());
        image.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn thumbnails_are_square() {
        let thumb = thumbnail(&png(300, 200), None, 100).unwrap();
        let decoded = image::load_from_memory(&thumb).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (100, 100));
        let cropped = thumbnail(&png(300, 200), Some([10, 10, 50, 50]), 25).unwrap();
        assert_eq!(image::load_from_memory(&cropped).unwrap().width(), 25);
    }

    #[test]
    fn bbox_parsing() {
        assert_eq!(parse_bbox("1,2,3,4").unwrap(), Some([1, 2, 3, 4]));
        assert_eq!(parse_bbox("").unwrap(), None);
        assert!(parse_bbox("1,2,3").is_err());
        assert!(parse_bbox("a,b,c,d").is_err());
        assert!(parse_bbox("1,2,0,4").is_err());
    }

    #[test]
    fn garbage_is_a_client_error() {
        assert!(matches!(
            thumbnail(b"not an image", None, 10),
            Err(ApiError::Validation { .. })
        ));
    }
}
