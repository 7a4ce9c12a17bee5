//! The MIME type of a file from its first bytes: a small magic-number table, then text
//! detection (HTML, XML, JSON, plain text). The extension only refines a container type
//! (an OOXML or OpenDocument file is a ZIP) or names a text format.

/// Magic numbers at offset 0.
const MAGIC: &[(&[u8], &str)] = &[
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\0", "image/tiff"),
    (b"MM\0*", "image/tiff"),
    (b"\0\0\0\x0cjP  \r\n\x87\n", "image/jp2"),
    (b"\x1f\x8b", "application/gzip"),
    (b"BZh", "application/x-bzip2"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"\xfd7zXZ\0", "application/x-xz"),
    (b"Rar!\x1a\x07", "application/vnd.rar"),
    (b"SQLite format 3\0", "application/vnd.sqlite3"),
    (b"{\\rtf", "text/rtf"),
    (b"GRIB", "application/x-grib2"),
    (b"MZ", "application/x-dosexec"),
    (b"\x7fELF", "application/x-executable"),
];

/// Container formats whose specific type comes from the extension.
const ZIP_BASED: &[&str] = &[
    "docx", "xlsx", "pptx", "odt", "ods", "odp", "odg", "kmz", "epub",
];
const OLE_BASED: &[&str] = &["doc", "xls", "ppt", "pps"];

/// Tags that make a text file HTML when they open it (as libmagic recognises HTML).
const HTML_OPENINGS: &[&str] = &[
    "<!doctype html",
    "<html",
    "<head",
    "<body",
    "<title",
    "<script",
    "<iframe",
    "<style",
    "<h1",
    "<table",
    "<div",
    "<meta",
    "<a href",
    "<p>",
    "<br",
];

/// The MIME type of content starting with `head`, for a file named with `extension`
/// (lowercase, last extension).
pub fn sniff(head: &[u8], extension: Option<&str>) -> String {
    let by_extension = || {
        extension
            .and_then(|e| mime_guess::from_ext(e).first())
            .map(|m| m.essence_str().to_owned())
    };
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return match extension {
            Some(e) if ZIP_BASED.contains(&e) => {
                by_extension().unwrap_or_else(|| "application/zip".into())
            }
            _ => "application/zip".into(),
        };
    }
    if head.starts_with(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        return match extension {
            Some(e) if OLE_BASED.contains(&e) => {
                by_extension().unwrap_or_else(|| "application/x-ole-storage".into())
            }
            _ => "application/x-ole-storage".into(),
        };
    }
    if head.len() > 262 && &head[257..262] == b"ustar" {
        return "application/x-tar".into();
    }
    if let Some((_, mime)) = MAGIC.iter().find(|(magic, _)| head.starts_with(magic)) {
        return (*mime).into();
    }
    if !looks_like_text(head) {
        return "application/octet-stream".into();
    }
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    let lower = text.to_ascii_lowercase();
    if HTML_OPENINGS.iter().any(|tag| lower.starts_with(tag))
        || (lower.starts_with("<!--") && lower.contains("<html"))
    {
        return "text/html".into();
    }
    if lower.starts_with("<?xml") || lower.starts_with("<") {
        if lower.contains("<html") {
            return "application/xhtml+xml".into();
        }
        if lower.contains("<svg") {
            return "image/svg+xml".into();
        }
        return "text/xml".into();
    }
    match by_extension() {
        Some(mime) if mime.starts_with("text/") || mime.ends_with("json") => mime,
        _ if lower.starts_with('{') || lower.starts_with('[') => "application/json".into(),
        _ => "text/plain".into(),
    }
}

/// Text if it has no NUL byte and decodes as UTF-8 (allowing a character cut at the end of
/// the sample), or is mostly printable single-byte text (Latin-1 CSVs are common).
fn looks_like_text(head: &[u8]) -> bool {
    if head.is_empty() {
        return true;
    }
    if head.contains(&0) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) if e.error_len().is_none() => true,
        Err(_) => {
            let control = head
                .iter()
                .filter(|b| **b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
                .count();
            control * 100 < head.len()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_html_however_it_is_named() {
        assert_eq!(
            sniff(b"  <!DOCTYPE html><html></html>", Some("csv")),
            "text/html"
        );
        assert_eq!(sniff(b"\xef\xbb\xbf<HTML><body>", Some("txt")), "text/html");
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?><html xmlns=\"x\">", Some("xml")),
            "application/xhtml+xml"
        );
    }

    #[test]
    fn recognises_common_formats() {
        assert_eq!(sniff(b"%PDF-1.7\n", Some("pdf")), "application/pdf");
        assert_eq!(sniff(b"a,b\n1,2\n", Some("csv")), "text/csv");
        assert_eq!(sniff(b"{\"a\": 1}", Some("json")), "application/json");
        assert_eq!(sniff(b"\x1f\x8b\x08\0", Some("gz")), "application/gzip");
        assert_eq!(
            sniff(b"PK\x03\x04rest", Some("xlsx")),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert_eq!(sniff(b"PK\x03\x04rest", Some("csv")), "application/zip");
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?><a/>", Some("xml")),
            "text/xml"
        );
        assert_eq!(sniff(b"caf\xe9;cr\xe8me\n", Some("csv")), "text/csv");
        assert_eq!(
            sniff(b"\0\x01\x02\x03", Some("db")),
            "application/octet-stream"
        );
    }
}
