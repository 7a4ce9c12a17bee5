//! Datasets as stored, the rules their writable fields follow (udata-behaviours §3.5), and the
//! parsing of client input into them with errors keyed by field.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::frequency;
use super::organization::Badge;
use super::time::Micros;
use super::validation::{FieldErrors, is_http_url};
use crate::domain::input::{Fields, IdRef};

/// Badge kinds a dataset may carry, with their labels (uData v14.13).
pub const BADGE_KINDS: &[(&str, &str)] = &[
    ("pivotal-data", "Pivotal data"),
    ("spd", "Reference data public service"),
    ("inspire", "Inspire"),
    ("hvd", "High value datasets"),
    ("sl", "Service Level"),
    ("sr", "Service Request"),
];

pub const TITLE_MAX_LEN: usize = 350;
pub const DESCRIPTION_MAX_LEN: usize = 100_000;
pub const DESCRIPTION_SHORT_MAX_LEN: usize = 200;
pub const ACRONYM_MAX_LEN: usize = 128;
pub const TAG_MIN_LEN: usize = 3;
pub const TAG_MAX_LEN: usize = 96;
/// The license served when a dataset has none.
pub const DEFAULT_LICENSE: &str = "notspecified";

pub const ACCESS_TYPES: &[&str] = &["open", "open_with_account", "restricted"];
pub const ACCESS_TYPE_REASON_CATEGORIES: &[&str] = &[
    "confidentiality_of_proceedings_of_public_authorities",
    "international_relations_public_security_or_national_defence",
    "course_of_justice_or_fair_trial",
    "confidentiality_of_commercial_or_industrial_information",
    "intellectual_property_rights",
    "confidentiality_of_personal_data",
    "protection_of_voluntary_information_suppliers",
    "protection_of_environment",
];

/// The period a dataset's data covers.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TemporalCoverage {
    pub start: Micros,
    #[serde(default)]
    pub end: Option<Micros>,
}

/// The area a dataset's data covers: zone ids, a granularity, a GeoJSON geometry.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct SpatialCoverage {
    #[serde(default)]
    pub zones: Vec<String>,
    #[serde(default)]
    pub granularity: Option<String>,
    #[serde(default)]
    pub geom: Option<Value>,
}

/// A reference to a data schema.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct SchemaRef {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
}

/// A dataset as stored, without its resources (they have their own rows).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Dataset {
    pub id: String,
    pub slug: String,
    pub title: String,
    #[serde(default)]
    pub acronym: Option<String>,
    pub description: String,
    #[serde(default)]
    pub description_short: Option<String>,
    #[serde(default)]
    pub private: bool,
    #[serde(default)]
    pub featured: bool,
    #[serde(default)]
    pub archived: Option<Micros>,
    #[serde(default)]
    pub deleted: Option<Micros>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub badges: Vec<Badge>,
    pub frequency: String,
    #[serde(default)]
    pub frequency_date: Option<Micros>,
    #[serde(default)]
    pub temporal_coverage: Option<TemporalCoverage>,
    #[serde(default)]
    pub spatial: Option<SpatialCoverage>,
    #[serde(default)]
    pub license: Option<String>,
    #[serde(default)]
    pub extras: Map<String, Value>,
    #[serde(default)]
    pub access_type: Option<String>,
    #[serde(default)]
    pub access_audiences: Vec<Value>,
    #[serde(default)]
    pub authorization_request_url: Option<String>,
    #[serde(default)]
    pub access_type_reason_category: Option<String>,
    #[serde(default)]
    pub access_type_reason: Option<String>,
    #[serde(default)]
    pub contact_points: Vec<String>,
    #[serde(default)]
    pub schema: Option<SchemaRef>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub organization: Option<String>,
    /// The platform's own creation and modification dates (`internal`).
    pub created_at: Micros,
    pub last_modified: Micros,
    /// Kept by the store from the resources; not part of the document.
    #[serde(skip)]
    pub counters: DatasetCounters,
}

/// What the store keeps beside the document: counters fed by follows, reuses and resources, and
/// the resources' latest modification, so nothing about resources is recomputed by reading them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DatasetCounters {
    pub followers: i64,
    pub reuses: i64,
    pub views: i64,
    pub resources: i64,
    /// Resources whose format is set and not a closed one (pdf, doc, xls…).
    pub open_format_resources: i64,
    /// Remote resources whose last check said unavailable.
    pub unavailable_resources: i64,
    /// Resources of type `documentation` or with a description.
    pub documented_resources: i64,
    /// uData's `last_update`: the latest resource modification, else the dataset's.
    pub last_update: Micros,
}

impl Dataset {
    /// The folded text the `q` filter searches: title, acronym, tags.
    pub fn search_text(&self) -> String {
        super::slug::fold(&format!(
            "{} {} {}",
            self.title,
            self.acronym.as_deref().unwrap_or(""),
            self.tags.join(" ")
        ))
    }

    /// Tags as the `,a,b,` column, sorted so that one `LIKE` pattern can require several.
    pub fn tags_column(&self) -> String {
        let mut tags = self.tags.clone();
        tags.sort();
        tags.iter().map(|t| format!(",{t},")).collect()
    }

    pub fn badges_column(&self) -> String {
        self.badges
            .iter()
            .map(|b| format!(",{},", b.kind))
            .collect()
    }

    pub fn zones_column(&self) -> String {
        self.spatial
            .as_ref()
            .map(|s| s.zones.iter().map(|z| format!(",{z},")).collect())
            .unwrap_or_default()
    }

    /// Whether the frequency says anything (uData's `has_frequency`).
    pub fn has_frequency(&self) -> bool {
        self.frequency != frequency::DEFAULT
    }
}

/// A dataset's body in a `POST` or `PUT`, read field by field from the JSON object so that each
/// mistake is reported under its field. Absent fields are `None`; `Some(None)` is an explicit null.
#[derive(Debug, Default)]
pub struct DatasetInput {
    pub title: Option<Option<String>>,
    pub acronym: Option<Option<String>>,
    pub description: Option<Option<String>>,
    pub description_short: Option<Option<String>>,
    pub license: Option<Option<String>>,
    pub frequency: Option<Option<String>>,
    pub frequency_date: Option<Option<Micros>>,
    pub temporal_coverage: Option<Option<TemporalCoverage>>,
    pub spatial: Option<Option<SpatialCoverage>>,
    pub tags: Option<Vec<String>>,
    pub private: Option<bool>,
    pub archived: Option<Option<Micros>>,
    /// `"deleted": null` restores a deleted dataset.
    pub deleted: Option<Option<Value>>,
    pub extras: Option<Map<String, Value>>,
    pub access_type: Option<Option<String>>,
    pub access_audiences: Option<Vec<Value>>,
    pub authorization_request_url: Option<Option<String>>,
    pub access_type_reason_category: Option<Option<String>>,
    pub access_type_reason: Option<Option<String>>,
    pub contact_points: Option<Vec<String>>,
    pub schema: Option<Option<SchemaRef>>,
    pub owner: Option<Option<String>>,
    pub organization: Option<Option<String>>,
    /// Resources given with a new dataset.
    pub resources: Option<Vec<Value>>,
}

impl DatasetInput {
    /// Reads a JSON object. Wrong types and values that break a rule not needing the store are
    /// reported by field; `creating` makes title and description required.
    pub fn parse(body: &Value, creating: bool) -> Result<DatasetInput, FieldErrors> {
        let mut f = Fields::new(body)?;
        let mut input = DatasetInput {
            title: f.string("title"),
            acronym: f.string("acronym"),
            description: f.string("description"),
            description_short: f.string("description_short"),
            license: f.id_or_object("license"),
            frequency: f.string("frequency"),
            frequency_date: f.datetime("frequency_date"),
            temporal_coverage: None,
            spatial: None,
            tags: f.string_list("tags"),
            private: f.boolean("private"),
            archived: f.datetime("archived"),
            deleted: f.raw("deleted"),
            extras: f.object("extras"),
            access_type: f.string("access_type"),
            access_audiences: f.list("access_audiences"),
            authorization_request_url: f.string("authorization_request_url"),
            access_type_reason_category: f.string("access_type_reason_category"),
            access_type_reason: f.string("access_type_reason"),
            // As uData's `ModelList`: an empty list changes nothing, `null` clears.
            contact_points: match body.get("contact_points") {
                Some(Value::Array(ids)) if ids.is_empty() => None,
                _ => f.id_list("contact_points"),
            },
            schema: parse_schema(&mut f, "schema"),
            owner: f.id_or_object("owner"),
            organization: f.id_or_object("organization"),
            resources: f.list("resources"),
        };
        input.temporal_coverage = parse_temporal(&mut f);
        input.spatial = parse_spatial(&mut f);
        let mut errors = f.into_errors();
        input.check(creating, &mut errors);
        errors.into_result().map(|()| input)
    }

    fn check(&mut self, creating: bool, errors: &mut FieldErrors) {
        for (field, value, max) in [
            ("title", &self.title, TITLE_MAX_LEN),
            ("description", &self.description, DESCRIPTION_MAX_LEN),
        ] {
            match value {
                Some(Some(v)) if v.trim().is_empty() => {
                    errors.add(field, "This field is required.")
                }
                Some(None) => errors.add(field, "This field is required."),
                None if creating => errors.add(field, "This field is required."),
                Some(Some(v)) if v.chars().count() > max => errors.add(field, &too_long(max)),
                _ => {}
            }
        }
        for (field, value, max) in [
            (
                "description_short",
                &self.description_short,
                DESCRIPTION_SHORT_MAX_LEN,
            ),
            ("acronym", &self.acronym, ACRONYM_MAX_LEN),
        ] {
            if let Some(Some(v)) = value
                && v.chars().count() > max
            {
                errors.add(field, &too_long(max));
            }
        }
        if let Some(Some(value)) = &self.frequency {
            match frequency::normalize(value) {
                Some(id) => self.frequency = Some(Some(id.to_owned())),
                None => errors.add("frequency", &not_a_choice(value)),
            }
        }
        if let Some(tags) = &mut self.tags {
            let mut normalized: Vec<String> = Vec::new();
            for tag in tags.iter() {
                let slug = super::slug::slugify(tag);
                let len = slug.chars().count();
                if !(TAG_MIN_LEN..=TAG_MAX_LEN).contains(&len) {
                    errors.add(
                        "tags",
                        &format!(
                            "Tag \"{tag}\" must be between {TAG_MIN_LEN} and {TAG_MAX_LEN} characters long."
                        ),
                    );
                } else if !normalized.contains(&slug) {
                    normalized.push(slug);
                }
            }
            *tags = normalized;
        }
        if let Some(Some(coverage)) = &self.temporal_coverage
            && let Some(end) = coverage.end
            && end < coverage.start
        {
            errors.add(
                "temporal_coverage",
                "The start date must be before the end date.",
            );
        }
        if let Some(Some(spatial)) = &self.spatial
            && let Some(geom) = &spatial.geom
            && let Err(message) = check_geometry(geom)
        {
            errors.add("spatial", &message);
        }
        if let Some(Some(spatial)) = &self.spatial
            && !spatial.zones.is_empty()
            && spatial.geom.is_some()
        {
            // uData's message (`SpatialCoverage.clean`), word for word.
            errors.add(
                "spatial",
                "The spatial coverage cannot contains a Geozone and a Geometry",
            );
        }
        check_choice(
            errors,
            "access_type",
            &self.access_type,
            ACCESS_TYPES.iter().copied(),
        );
        check_choice(
            errors,
            "access_type_reason_category",
            &self.access_type_reason_category,
            ACCESS_TYPE_REASON_CATEGORIES.iter().copied(),
        );
        if let Some(Some(url)) = &self.authorization_request_url
            && !url.is_empty()
            && !is_http_url(url)
        {
            errors.add("authorization_request_url", "Invalid URL.");
        }
        if let Some(audiences) = &self.access_audiences
            && audiences.iter().any(|a| !a.is_object())
        {
            errors.add(
                "access_audiences",
                "Each audience must be an object with a role and a condition.",
            );
        }
        if let Some(Some(schema)) = &self.schema
            && let Some(url) = &schema.url
            && !is_http_url(url)
        {
            errors.add("schema", "Invalid URL.");
        }
        if let (Some(Some(_)), Some(Some(_))) = (&self.owner, &self.organization) {
            errors.add(
                "organization",
                "A dataset is owned by a user or by an organization, not both.",
            );
        }
        if let Some(Some(value)) = &self.deleted
            && !value.is_null()
        {
            errors.add(
                "deleted",
                "Only null is accepted, to restore a deleted dataset.",
            );
        }
    }

    /// A new dataset from a validated input.
    pub fn create(&self, id: String, now: Micros) -> Dataset {
        let mut dataset = Dataset {
            id,
            slug: String::new(),
            title: String::new(),
            acronym: None,
            description: String::new(),
            description_short: None,
            private: false,
            featured: false,
            archived: None,
            deleted: None,
            tags: Vec::new(),
            badges: Vec::new(),
            frequency: frequency::DEFAULT.to_owned(),
            frequency_date: None,
            temporal_coverage: None,
            spatial: None,
            license: None,
            extras: Map::new(),
            access_type: Some("open".to_owned()),
            access_audiences: Vec::new(),
            authorization_request_url: None,
            access_type_reason_category: None,
            access_type_reason: None,
            contact_points: Vec::new(),
            schema: None,
            owner: None,
            organization: None,
            created_at: now,
            last_modified: now,
            counters: DatasetCounters {
                last_update: now,
                ..DatasetCounters::default()
            },
        };
        self.apply(&mut dataset, now);
        dataset
    }

    /// Applies the present fields to `dataset`. Ownership is set by the caller once checked.
    pub fn apply(&self, d: &mut Dataset, now: Micros) {
        let trimmed = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        if let Some(Some(v)) = &self.title {
            d.title = v.trim().to_owned();
        }
        if let Some(Some(v)) = &self.description {
            d.description = v.clone();
        }
        if let Some(v) = &self.acronym {
            d.acronym = trimmed(v);
        }
        if let Some(v) = &self.description_short {
            d.description_short = trimmed(v);
        }
        if let Some(v) = &self.license {
            d.license = trimmed(v);
        }
        if let Some(v) = &self.frequency {
            d.frequency = v.clone().unwrap_or_else(|| frequency::DEFAULT.to_owned());
        }
        if let Some(v) = self.frequency_date {
            d.frequency_date = v;
        }
        if let Some(v) = &self.temporal_coverage {
            d.temporal_coverage = v.clone();
        }
        if let Some(v) = &self.spatial {
            d.spatial = v.clone();
        }
        if let Some(v) = &self.tags {
            d.tags = v.clone();
        }
        if let Some(v) = self.private {
            d.private = v;
        }
        if let Some(v) = self.archived {
            d.archived = v;
        }
        if let Some(None | Some(Value::Null)) = &self.deleted {
            d.deleted = None;
        }
        if let Some(v) = &self.extras {
            d.extras = v.clone();
        }
        if let Some(v) = &self.access_type {
            d.access_type = v.clone();
        }
        if let Some(v) = &self.access_audiences {
            d.access_audiences = v.clone();
        }
        if let Some(v) = &self.authorization_request_url {
            d.authorization_request_url = trimmed(v);
        }
        if let Some(v) = &self.access_type_reason_category {
            d.access_type_reason_category = v.clone();
        }
        if let Some(v) = &self.access_type_reason {
            d.access_type_reason = trimmed(v);
        }
        if let Some(v) = &self.contact_points {
            d.contact_points = v.clone();
        }
        if let Some(v) = &self.schema {
            d.schema = v.clone();
        }
        // A dataset that is not openly accessible has no license (uData's `clean`).
        if d.access_type.as_deref().is_some_and(|t| t != "open") {
            d.license = None;
        }
        d.last_modified = now;
    }
}

/// Checks the `custom:<name>` extras against the definitions of the owning organization's
/// `extras.custom` (uData's rule); other keys are free.
pub fn check_custom_extras(
    extras: &Map<String, Value>,
    org_extras: Option<&Map<String, Value>>,
) -> Result<(), String> {
    for (key, value) in extras {
        let Some(name) = key.strip_prefix("custom:") else {
            continue;
        };
        let Some(org_extras) = org_extras else {
            return Err(
                "Custom metadatas are only accessible to dataset owned by on organization.".into(),
            );
        };
        let definitions = org_extras.get("custom").and_then(Value::as_array);
        let definition = definitions
            .into_iter()
            .flatten()
            .find(|d| d.get("title").and_then(Value::as_str) == Some(name))
            .ok_or("Dataset's organization did not define the requested custom metadata.")?;
        let ok = match definition.get("type").and_then(Value::as_str) {
            Some("choice") => definition
                .get("choices")
                .and_then(Value::as_array)
                .is_some_and(|choices| choices.contains(value)),
            Some("str") => value.is_string(),
            Some("int") => value.is_i64() || value.is_u64(),
            Some("float") => value.is_number(),
            Some("bool") => value.is_boolean(),
            _ => true,
        };
        if !ok {
            return Err(match definition.get("type").and_then(Value::as_str) {
                Some("choice") => "Custom metadata choice is not defined by organization.".into(),
                _ => "Custom metadata is not of the right type.".into(),
            });
        }
    }
    Ok(())
}

fn parse_schema(f: &mut Fields, field: &str) -> Option<Option<SchemaRef>> {
    let value = f.raw(field)?;
    match value {
        None | Some(Value::Null) => Some(None),
        Some(Value::Object(map)) => {
            let text = |key: &str| {
                map.get(key)
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
            };
            let schema = SchemaRef {
                name: text("name"),
                version: text("version"),
                url: text("url"),
            };
            if schema == SchemaRef::default() {
                Some(None)
            } else {
                Some(Some(schema))
            }
        }
        Some(_) => {
            f.error(field, "Expecting an object with name, version and url.");
            None
        }
    }
}

fn parse_temporal(f: &mut Fields) -> Option<Option<TemporalCoverage>> {
    let value = f.raw("temporal_coverage")?;
    match value {
        None | Some(Value::Null) => Some(None),
        Some(Value::Object(map)) => {
            let date = |key: &str| match map.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) if s.is_empty() => Ok(None),
                Some(Value::String(s)) => super::input::parse_datetime(s)
                    .map(Some)
                    .ok_or_else(|| format!("Invalid {key} date: {s}")),
                Some(_) => Err(format!("Invalid {key} date")),
            };
            match (date("start"), date("end")) {
                (Ok(Some(start)), Ok(end)) => Some(Some(TemporalCoverage { start, end })),
                (Ok(None), Ok(None)) => Some(None),
                (Ok(None), Ok(Some(_))) => {
                    f.error("temporal_coverage", "The start date is required.");
                    None
                }
                (Err(e), _) | (_, Err(e)) => {
                    f.error("temporal_coverage", &e);
                    None
                }
            }
        }
        Some(_) => {
            f.error(
                "temporal_coverage",
                "Expecting an object with start and end.",
            );
            None
        }
    }
}

fn parse_spatial(f: &mut Fields) -> Option<Option<SpatialCoverage>> {
    let value = f.raw("spatial")?;
    match value {
        None | Some(Value::Null) => Some(None),
        Some(Value::Object(map)) => {
            let mut spatial = SpatialCoverage::default();
            match map.get("zones") {
                None | Some(Value::Null) => {}
                Some(Value::Array(zones)) => {
                    for zone in zones {
                        match IdRef::of(zone) {
                            Some(id) => spatial.zones.push(id),
                            None => {
                                f.error("spatial", "Each zone must be a zone identifier.");
                                return None;
                            }
                        }
                    }
                }
                Some(_) => {
                    f.error("spatial", "zones must be a list of zone identifiers.");
                    return None;
                }
            }
            match map.get("granularity") {
                None | Some(Value::Null) => {}
                Some(g) => match IdRef::of(g) {
                    Some(id) if !id.is_empty() => spatial.granularity = Some(id),
                    Some(_) => {}
                    None => {
                        f.error("spatial", "granularity must be a granularity identifier.");
                        return None;
                    }
                },
            }
            match map.get("geom") {
                None | Some(Value::Null) => {}
                Some(geom) => spatial.geom = Some(geom.clone()),
            }
            if spatial == SpatialCoverage::default() {
                Some(None)
            } else {
                Some(Some(spatial))
            }
        }
        Some(_) => {
            f.error(
                "spatial",
                "Expecting an object with zones, granularity and geom.",
            );
            None
        }
    }
}

/// Checks a GeoJSON geometry: a known `type` whose `coordinates` have that type's shape.
pub fn check_geometry(geom: &Value) -> Result<(), String> {
    let kind = geom
        .get("type")
        .and_then(Value::as_str)
        .ok_or("The geometry needs a GeoJSON type.")?;
    let coordinates = geom
        .get("coordinates")
        .ok_or("The geometry needs coordinates.")?;
    let valid = match kind {
        "Point" => is_position(coordinates),
        "MultiPoint" => all_of(coordinates, 0, is_position),
        "LineString" => is_line(coordinates),
        "MultiLineString" => all_of(coordinates, 0, is_line),
        "Polygon" => is_polygon(coordinates),
        "MultiPolygon" => all_of(coordinates, 1, is_polygon),
        other => return Err(format!("Unknown geometry type: {other}.")),
    };
    if valid {
        Ok(())
    } else {
        Err(format!("Invalid coordinates for a {kind}."))
    }
}

fn is_position(v: &Value) -> bool {
    v.as_array()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.iter().all(Value::is_number))
}

fn all_of(v: &Value, min: usize, each: fn(&Value) -> bool) -> bool {
    v.as_array()
        .is_some_and(|items| items.len() >= min && items.iter().all(each))
}

fn is_line(v: &Value) -> bool {
    all_of(v, 2, is_position)
}

fn is_ring(v: &Value) -> bool {
    all_of(v, 4, is_position)
}

fn is_polygon(v: &Value) -> bool {
    all_of(v, 1, is_ring)
}

fn check_choice<'a>(
    errors: &mut FieldErrors,
    field: &str,
    value: &Option<Option<String>>,
    mut choices: impl Iterator<Item = &'a str>,
) {
    if let Some(Some(v)) = value
        && !choices.any(|c| c == v)
    {
        errors.add(field, &not_a_choice(v));
    }
}

pub fn not_a_choice(value: &str) -> String {
    format!("'{value}' is not a valid choice.")
}

pub fn too_long(max: usize) -> String {
    format!("Field cannot be longer than {max} characters.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn create_requires_title_and_description() {
        let errors = DatasetInput::parse(&json!({}), true).unwrap_err();
        assert!(errors.0.contains_key("title"));
        assert!(errors.0.contains_key("description"));
        assert!(DatasetInput::parse(&json!({}), false).is_ok());
    }

    #[test]
    fn legacy_frequencies_are_mapped_and_unknown_ones_refused() {
        let input = DatasetInput::parse(&json!({"frequency": "fortnighly"}), false).expect("valid");
        assert_eq!(input.frequency, Some(Some("biweekly".into())));
        let errors = DatasetInput::parse(&json!({"frequency": "sometimes"}), false).unwrap_err();
        assert!(errors.0.contains_key("frequency"));
    }

    #[test]
    fn tags_are_slugified_and_length_checked() {
        let input = DatasetInput::parse(&json!({"tags": ["Open Data", "open-data"]}), false)
            .expect("valid");
        assert_eq!(input.tags, Some(vec!["open-data".to_owned()]));
        let errors = DatasetInput::parse(&json!({"tags": ["ab"]}), false).unwrap_err();
        assert!(errors.0.contains_key("tags"));
    }

    #[test]
    fn temporal_coverage_start_before_end() {
        let body = json!({"temporal_coverage": {"start": "2024-01-02", "end": "2024-01-01"}});
        assert!(
            DatasetInput::parse(&body, false)
                .unwrap_err()
                .0
                .contains_key("temporal_coverage")
        );
        let body = json!({"temporal_coverage": {"start": "2024-01-01", "end": "2024-12-31"}});
        assert!(DatasetInput::parse(&body, false).is_ok());
    }

    #[test]
    fn geometries_are_checked() {
        let square = json!([[[0, 0], [0, 1], [1, 1], [0, 0]]]);
        assert!(check_geometry(&json!({"type": "Polygon", "coordinates": square})).is_ok());
        assert!(check_geometry(&json!({"type": "MultiPolygon", "coordinates": [square]})).is_ok());
        assert!(check_geometry(&json!({"type": "MultiPolygon", "coordinates": square})).is_err());
        assert!(check_geometry(&json!({"type": "Point", "coordinates": [1]})).is_err());
        assert!(check_geometry(&json!({"type": "Circle", "coordinates": [1, 2]})).is_err());
    }

    #[test]
    fn zones_and_geometry_are_exclusive() {
        let square = json!([[[0, 0], [0, 1], [1, 1], [0, 0]]]);
        let body = json!({"spatial": {"zones": ["country:fr"],
            "geom": {"type": "MultiPolygon", "coordinates": [square]}}});
        let errors = DatasetInput::parse(&body, false).unwrap_err();
        assert!(errors.0.contains_key("spatial"));
        let body = json!({"spatial": {"zones": ["country:fr"], "granularity": "country"}});
        assert!(DatasetInput::parse(&body, false).is_ok());
    }

    #[test]
    fn non_open_access_clears_the_license() {
        let input = DatasetInput::parse(
            &json!({"title": "t", "description": "d", "license": "lov2", "access_type": "restricted"}),
            true,
        )
        .expect("valid");
        let dataset = input.create("id".into(), 0);
        assert_eq!(dataset.license, None);
    }

    #[test]
    fn custom_extras_follow_the_organization_definitions() {
        let org = json!({"custom": [{"title": "level", "type": "choice", "choices": ["a", "b"]},
            {"title": "count", "type": "int"}]});
        let org = org.as_object();
        let extras = |v: Value| v.as_object().cloned().unwrap_or_default();
        assert!(check_custom_extras(&extras(json!({"custom:level": "a"})), org).is_ok());
        assert!(check_custom_extras(&extras(json!({"custom:level": "c"})), org).is_err());
        assert!(check_custom_extras(&extras(json!({"custom:count": "x"})), org).is_err());
        assert!(check_custom_extras(&extras(json!({"custom:other": 1})), org).is_err());
        assert!(check_custom_extras(&extras(json!({"custom:level": "a"})), None).is_err());
        assert!(check_custom_extras(&extras(json!({"free": 1})), None).is_ok());
    }
}
