//! Resources (the files and APIs of a dataset) and community resources, with the rules of their
//! writable fields (udata-behaviours §3.5).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::dataset::{DESCRIPTION_MAX_LEN, SchemaRef, TITLE_MAX_LEN, not_a_choice, too_long};
use super::input::Fields;
use super::time::Micros;
use super::validation::{FieldErrors, is_http_url};

pub const FILETYPES: &[&str] = &["file", "remote"];
pub const TYPES: &[&str] = &["main", "documentation", "update", "api", "code", "other"];
pub const CHECKSUM_TYPES: &[&str] = &["sha1", "sha2", "sha256", "md5", "crc"];
/// Formats that do not count as open in the quality score.
pub const CLOSED_FORMATS: &[&str] = &["pdf", "doc", "docx", "word", "xls", "excel", "xlsx"];

/// A checksum of a resource's file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Checksum {
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
}

/// A resource as stored (one row each).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Resource {
    /// A UUID.
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    pub filetype: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
    #[serde(default)]
    pub format: Option<String>,
    #[serde(default)]
    pub mime: Option<String>,
    #[serde(default)]
    pub filesize: Option<i64>,
    #[serde(default)]
    pub checksum: Option<Checksum>,
    #[serde(default)]
    pub schema: Option<SchemaRef>,
    #[serde(default)]
    pub extras: Map<String, Value>,
    pub created_at: Micros,
    pub last_modified: Micros,
    /// uData's `fs_filename`: where an uploaded file is in the `resources` storage
    /// (`<dataset-slug>/<YYYYMMDD-HHMMSS>/<name>`), so it can be deleted with the resource or
    /// when replaced. `None` for remote resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_filename: Option<String>,
}

impl Resource {
    /// The file-store key of the uploaded file, if any.
    pub fn storage_key(&self) -> Option<String> {
        self.fs_filename
            .as_deref()
            .filter(|f| !f.is_empty())
            .map(|f| format!("resources/{f}"))
    }

    /// Whether the format is set and not a closed one (quality's `has_open_format`).
    pub fn has_open_format(&self) -> bool {
        self.format
            .as_deref()
            .is_some_and(|f| !f.is_empty() && !CLOSED_FORMATS.contains(&f.to_lowercase().as_str()))
    }

    /// A remote resource whose last availability check failed (quality's
    /// `all_resources_available`: a missing check counts as available).
    pub fn is_unavailable(&self) -> bool {
        self.filetype == "remote"
            && self
                .extras
                .get("check:available")
                .is_some_and(|v| !is_truthy(v))
    }

    /// Documentation or described (quality's `resources_documentation`).
    pub fn is_documented(&self) -> bool {
        self.kind == "documentation" || self.description.as_deref().is_some_and(|d| !d.is_empty())
    }
}

/// Python's truthiness, which uData's checks use on stored extras.
fn is_truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// A resource's body in a `POST` or `PUT`.
#[derive(Debug, Default)]
pub struct ResourceInput {
    pub id: Option<String>,
    pub title: Option<Option<String>>,
    pub description: Option<Option<String>>,
    pub filetype: Option<Option<String>>,
    pub kind: Option<Option<String>>,
    pub url: Option<Option<String>>,
    pub format: Option<Option<String>>,
    pub mime: Option<Option<String>>,
    pub filesize: Option<Option<i64>>,
    pub checksum: Option<Option<Checksum>>,
    pub schema: Option<Option<SchemaRef>>,
    pub extras: Option<Map<String, Value>>,
}

impl ResourceInput {
    /// Reads and checks a resource body; `creating` makes title and url required.
    pub fn parse(body: &Value, creating: bool) -> Result<ResourceInput, FieldErrors> {
        let mut f = Fields::new(body)?;
        let mut input = ResourceInput {
            id: f.string("id").flatten(),
            title: f.string("title"),
            description: f.string("description"),
            filetype: f.string("filetype"),
            kind: f.string("type"),
            url: f.string("url"),
            format: f.string("format"),
            mime: f.string("mime"),
            filesize: f.integer("filesize"),
            checksum: None,
            schema: None,
            extras: f.object("extras"),
        };
        input.checksum = parse_checksum(&mut f);
        input.schema = match f.raw("schema") {
            None => None,
            Some(None) => Some(None),
            Some(Some(Value::Object(map))) => {
                let text = |key: &str| {
                    map.get(key)
                        .and_then(Value::as_str)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                };
                let schema = SchemaRef {
                    name: text("name"),
                    version: text("version"),
                    url: text("url"),
                };
                Some((schema != SchemaRef::default()).then_some(schema))
            }
            Some(Some(_)) => {
                f.error("schema", "Expecting an object with name, version and url.");
                None
            }
        };
        let mut errors = f.into_errors();
        for (field, value, max, required) in [
            ("title", &input.title, TITLE_MAX_LEN, true),
            ("url", &input.url, 10_000, true),
            (
                "description",
                &input.description,
                DESCRIPTION_MAX_LEN,
                false,
            ),
        ] {
            match value {
                Some(Some(v)) if v.trim().is_empty() && required => {
                    errors.add(field, "This field is required.")
                }
                Some(None) if required => errors.add(field, "This field is required."),
                None if creating && required => errors.add(field, "This field is required."),
                Some(Some(v)) if v.chars().count() > max => errors.add(field, &too_long(max)),
                _ => {}
            }
        }
        if let Some(Some(url)) = &input.url
            && !url.trim().is_empty()
            && !is_http_url(url.trim())
        {
            errors.add("url", "Invalid URL.");
        }
        for (field, value, choices) in [
            ("filetype", &input.filetype, FILETYPES),
            ("type", &input.kind, TYPES),
        ] {
            if let Some(Some(v)) = value
                && !choices.contains(&v.as_str())
            {
                errors.add(field, &not_a_choice(v));
            }
        }
        if let Some(Some(schema)) = &input.schema
            && let Some(url) = &schema.url
            && !is_http_url(url)
        {
            errors.add("schema", "Invalid URL.");
        }
        // uData's `normalize_format`: trimmed and lowercase.
        if let Some(Some(format)) = &mut input.format {
            *format = format.trim().to_lowercase();
        }
        errors.into_result().map(|()| input)
    }

    /// The filetype asked for, `file` when absent (uData's form default).
    pub fn filetype_or_default(&self) -> &str {
        match &self.filetype {
            Some(Some(f)) => f,
            _ => "file",
        }
    }

    /// A new resource from a validated input.
    pub fn create(&self, id: String, now: Micros) -> Resource {
        let mut resource = Resource {
            id,
            title: String::new(),
            description: None,
            filetype: self.filetype_or_default().to_owned(),
            kind: "other".to_owned(),
            url: String::new(),
            format: None,
            mime: None,
            filesize: None,
            checksum: None,
            schema: None,
            extras: Map::new(),
            created_at: now,
            last_modified: now,
            fs_filename: None,
        };
        self.apply(&mut resource, now);
        resource
    }

    /// Applies the present fields; the filetype never changes, nor the url of a hosted file.
    pub fn apply(&self, r: &mut Resource, now: Micros) {
        let text = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        if let Some(Some(v)) = &self.title {
            r.title = v.trim().to_owned();
        }
        if let Some(v) = &self.description {
            r.description = text(v);
        }
        if let Some(Some(v)) = &self.kind {
            r.kind = v.clone();
        }
        // The url of a hosted file is the server's, never the client's.
        if let Some(Some(v)) = &self.url
            && (r.filetype != "file" || r.url.is_empty())
        {
            r.url = v.trim().to_owned();
        }
        if let Some(v) = &self.format {
            r.format = text(v);
        }
        if let Some(v) = &self.mime {
            r.mime = text(v);
        }
        if let Some(v) = self.filesize {
            r.filesize = v;
        }
        if let Some(v) = &self.checksum {
            r.checksum = v.clone();
        }
        if let Some(v) = &self.schema {
            r.schema = v.clone();
        }
        if let Some(v) = &self.extras {
            r.extras = v.clone();
        }
        r.last_modified = now;
    }
}

fn parse_checksum(f: &mut Fields) -> Option<Option<Checksum>> {
    match f.raw("checksum")? {
        None => Some(None),
        Some(Value::Object(map)) => {
            let kind = match map.get("type") {
                None | Some(Value::Null) => "sha1".to_owned(),
                Some(Value::String(k)) if CHECKSUM_TYPES.contains(&k.as_str()) => k.clone(),
                Some(other) => {
                    f.error("checksum", &not_a_choice(&other.to_string()));
                    return None;
                }
            };
            match map.get("value").and_then(Value::as_str) {
                Some(value) if !value.is_empty() => Some(Some(Checksum {
                    kind,
                    value: value.to_owned(),
                })),
                _ => {
                    f.error("checksum", "The checksum value is required.");
                    None
                }
            }
        }
        Some(_) => {
            f.error("checksum", "Expecting an object with type and value.");
            None
        }
    }
}

/// A resource proposed by the community for a dataset, owned by a user or an organization.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CommunityResource {
    #[serde(flatten)]
    pub resource: Resource,
    pub dataset: String,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub organization: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn format_is_normalised_and_filetype_defaults_to_file() {
        let input = ResourceInput::parse(
            &json!({"title": "t", "url": "https://example.org/a.csv", "format": " CSV "}),
            true,
        )
        .expect("valid");
        assert_eq!(input.format, Some(Some("csv".into())));
        assert_eq!(input.filetype_or_default(), "file");
    }

    #[test]
    fn title_and_url_are_required_on_create() {
        let errors = ResourceInput::parse(&json!({}), true).unwrap_err();
        assert!(errors.0.contains_key("title") && errors.0.contains_key("url"));
        assert!(ResourceInput::parse(&json!({"type": "nope"}), false).is_err());
    }

    #[test]
    fn quality_flags() {
        let input = ResourceInput::parse(
            &json!({"title": "t", "url": "https://e.org/x", "filetype": "remote", "format": "PDF",
                "extras": {"check:available": false}}),
            true,
        )
        .expect("valid");
        let r = input.create("id".into(), 0);
        assert!(!r.has_open_format());
        assert!(r.is_unavailable());
        assert!(!r.is_documented());
    }
}
