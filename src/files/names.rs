//! File names and extensions as uData handles them: the allowed extensions, the normalised
//! file name and the format detected from a name (compound archive extensions kept).

use crate::domain::slug::fold;

/// Archive extensions (uData's `ALLOWED_ARCHIVE_EXTENSIONS`): a format may be compound
/// through them, as in `csv.gz` or `csv.tar.gz`.
pub const ARCHIVE_EXTENSIONS: &[&str] = &["tar", "gz", "tgz", "rar", "zip", "7z", "xz", "bz2"];

/// Extensions a resource file may have (uData's `ALLOWED_RESOURCES_EXTENSIONS`: the archive
/// extensions followed by these).
const RESOURCE_EXTENSIONS: &[&str] = &[
    // Base
    "csv", "txt", "json", "pdf", "xml", "rtf", "xsd", // OpenOffice
    "ods", "odt", "odp", "odg", // Microsoft Office
    "xls", "xlsx", "doc", "docx", "pps", "ppt", // Images
    "jpeg", "jpg", "jpe", "gif", "png", "dwg", "svg", "tiff", "ecw", "svgz", "jp2", // Geo
    "shp", "kml", "kmz", "gpx", "shx", "ovr", "geojson", "gpkg",  // Meteorology
    "grib2", // RDF
    "rdf", "ttl", "n3", // Misc
    "dbf", "prj", "sql", "sqlite", "db", "epub", "sbn", "sbx", "cpg", "lyr", "owl", "dxf", "ics",
    "ssim", "other",
];

/// Whether `extension` (lowercase, without dot) is an allowed resource extension.
pub fn is_allowed_extension(extension: &str) -> bool {
    ARCHIVE_EXTENSIONS.contains(&extension) || RESOURCE_EXTENSIONS.contains(&extension)
}

/// All allowed resource extensions, sorted (what `GET /datasets/extensions/` lists).
pub fn allowed_extensions() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = ARCHIVE_EXTENSIONS
        .iter()
        .chain(RESOURCE_EXTENSIONS)
        .copied()
        .collect();
    all.sort_unstable();
    all
}

/// The stored name of an uploaded file: transliterated, lowercase, every run of characters
/// other than ASCII letters, digits and dots turned into one `-` (uData's `slugify` with `.` as
/// a safe character). `Mon fichier (v2).CSV` → `mon-fichier-v2.csv`.
pub fn normalize(filename: &str) -> String {
    // Only the last path segment: browsers may send a full client path.
    let base = filename.rsplit(['/', '\\']).next().unwrap_or(filename);
    let mut out = String::with_capacity(base.len());
    for c in fold(base).chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-');
    // A name made only of dots would be a hidden or parent segment.
    if out.trim_matches('.').is_empty() {
        return "file".into();
    }
    out.trim_start_matches('.').chars().take(255).collect()
}

/// The last extension of a name, lowercase, as the allow-list checks it (`a.CSV` → `csv`).
pub fn last_extension(filename: &str) -> Option<String> {
    let base = filename.rsplit('/').next().unwrap_or(filename);
    base.rsplit_once('.')
        .map(|(_, extension)| extension.to_lowercase())
        .filter(|e| !e.is_empty())
}

/// The format of a file from its name, as uData's `extension()` detects it: the last
/// extension, extended leftwards through archive extensions as long as the earlier one is an
/// allowed extension. `test.2022.csv.tar.gz` → `csv.tar.gz`, `test.2022.zip` → `zip`,
/// `test.geojson.csv` → `csv`, `test.unknown` → `unknown`.
pub fn format_of(filename: &str) -> Option<String> {
    let mut rest = filename.rsplit('/').next().unwrap_or(filename);
    let mut format: Option<String> = None;
    while let Some((stem, extension)) = split_extension(rest) {
        rest = stem;
        if format.is_some() && !is_allowed_extension(extension) {
            break;
        }
        format = Some(match format {
            None => extension.to_owned(),
            Some(inner) => format!("{extension}.{inner}"),
        });
        if !ARCHIVE_EXTENSIONS.contains(&extension) {
            break;
        }
    }
    format
}

/// Python's `os.path.splitext`: a leading dot does not start an extension.
fn split_extension(name: &str) -> Option<(&str, &str)> {
    let trimmed = name.trim_start_matches('.');
    let offset = name.len() - trimmed.len();
    let dot = trimmed.rfind('.')?;
    Some((&name[..offset + dot], &trimmed[dot + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_udata() {
        assert_eq!(normalize("test.txt"), "test.txt");
        assert_eq!(normalize("test with  spaces.txt"), "test-with-spaces.txt");
        assert_eq!(normalize("Test.TXT"), "test.txt");
        assert_eq!(normalize("éàü@€.txt"), "eau-eur.txt");
        // As uData's slugify: runs of other characters become one `-`, even before a dot.
        assert_eq!(
            normalize("data_2022 (final).csv.gz"),
            "data-2022-final-.csv.gz"
        );
        assert_eq!(normalize("C:\\Users\\me\\Report.PDF"), "report.pdf");
        assert_eq!(normalize("../../etc/passwd"), "passwd");
        assert_eq!(normalize(".."), "file");
        assert_eq!(normalize(".hidden.csv"), "hidden.csv");
    }

    #[test]
    fn detects_formats_like_udata() {
        assert_eq!(format_of("test.unknown").as_deref(), Some("unknown"));
        assert_eq!(format_of("test.2022.zip").as_deref(), Some("zip"));
        assert_eq!(
            format_of("test.2022.csv.tar.gz").as_deref(),
            Some("csv.tar.gz")
        );
        assert_eq!(
            format_of("prefix.with.dot/test.2022.csv.tar.gz").as_deref(),
            Some("csv.tar.gz")
        );
        assert_eq!(format_of("test.2022.tar.gz").as_deref(), Some("tar.gz"));
        assert_eq!(format_of("test.geojson.csv").as_deref(), Some("csv"));
        assert_eq!(format_of("test.csv.gz").as_deref(), Some("csv.gz"));
        assert_eq!(format_of("noextension"), None);
    }

    #[test]
    fn extension_list_is_sorted_and_complete() {
        let all = allowed_extensions();
        assert!(all.windows(2).all(|w| w[0] < w[1]));
        assert!(all.contains(&"csv") && all.contains(&"7z") && all.contains(&"other"));
        assert!(!is_allowed_extension("html") && !is_allowed_extension("exe"));
    }
}
