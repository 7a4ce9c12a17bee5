//! The geozone registry: administrative levels and the zones a dataset's `spatial.zones` names
//! (uData's `GeoLevel` and `GeoZone`), as reference data. Zones are read from the export
//! data.gouv.fr publishes (the file `udata spatial load` reads); the binary ships a small one.

use serde::Deserialize;
use serde_json::Value;

use super::slug;

/// The levels shipped with the binary, in the levels-file format (see `assets/README.md`).
pub const SHIPPED_LEVELS_JSON: &str = include_str!("../../assets/geolevels.json");

/// The zones shipped with the binary (France, its regions and départements, and the
/// world-wide groups of the export), in the export's format.
pub const SHIPPED_ZONES_JSON: &str = include_str!("../../assets/geozones.json");

/// Granularities that are not levels, after the levels in the granularity list (uData's
/// `BASE_GRANULARITIES`).
pub const BASE_GRANULARITIES: &[(&str, &str)] = &[("poi", "POI"), ("other", "Other")];

/// The admin level of a level stored without one (uData's field default); it orders
/// suggestions.
pub const DEFAULT_ADMIN_LEVEL: i64 = 100;

/// An administrative level (`fr:region`, `country`…). `admin_level` orders levels from the
/// largest (10, country groups) to the smallest (98, IRIS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeoLevel {
    pub id: String,
    pub name: String,
    pub admin_level: Option<i64>,
}

/// A zone: `id` is its GeoID (`fr:departement:2A`, `country:fr`), `level` a level id, `code`
/// its code within the level (INSEE code, ISO code…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeoZone {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub code: String,
    pub level: String,
    pub uri: Option<String>,
}

impl GeoZone {
    /// The key a GeoID is matched on: `level:code`, lowercased.
    pub fn geoid_key(&self) -> String {
        format!("{}:{}", self.level, self.code).to_lowercase()
    }

    /// What suggestions match a substring of: the name, the code and the id, folded (case and
    /// accents aside), one per line so that no match spans two of them.
    pub fn search_text(&self) -> String {
        format!(
            "{}\n{}\n{}",
            slug::fold(&self.name),
            slug::fold(&self.code),
            slug::fold(&self.id)
        )
    }
}

/// A GeoID as a client may write it, reduced to the key zones are matched on: a validity
/// suffix (`@2015-01-01`, from uData's older GeoIDs) dropped, `/` read as `:` (older
/// `fr/commune/75056`), lowercased. `None` when it cannot be a GeoID (no `:`).
pub fn geoid_key(text: &str) -> Option<String> {
    let spatial = text.split('@').next().unwrap_or("").trim();
    let key = spatial.to_lowercase().replace('/', ":");
    key.contains(':').then_some(key)
}

/// A zone identifier of a URL (`/spatial/zone/{id}/`) without its validity suffix, as uData's
/// `legacy_geoid` reads it.
pub fn without_validity(id: &str) -> &str {
    id.split('@').next().unwrap_or(id)
}

/// One entry of the levels file (`[{"id", "label", "admin_level", "parents"}]`).
#[derive(Debug, Deserialize)]
struct LevelEntry {
    id: Option<String>,
    label: Option<String>,
    #[serde(default)]
    admin_level: Option<i64>,
}

/// Reads a levels file: a JSON list of `{"id", "label", "admin_level"}` (other keys, such as
/// `parents`, are ignored). Errors name the entry at fault.
pub fn parse_levels(json: &[u8]) -> Result<Vec<GeoLevel>, String> {
    let entries: Vec<Value> =
        serde_json::from_slice(json).map_err(|e| format!("not a JSON list of levels: {e}"))?;
    let mut levels = Vec::with_capacity(entries.len());
    for (i, entry) in entries.into_iter().enumerate() {
        let at = |message: String| format!("level #{}: {message}", i + 1);
        let entry: LevelEntry = serde_json::from_value(entry).map_err(|e| {
            at(format!(
                "expecting {{\"id\", \"label\", \"admin_level\"}}: {e}"
            ))
        })?;
        let id = non_empty(entry.id).ok_or_else(|| at("\"id\" is missing".into()))?;
        let name = non_empty(entry.label).ok_or_else(|| at(format!("{id} has no \"label\"")))?;
        levels.push(GeoLevel {
            id,
            name,
            admin_level: entry.admin_level,
        });
    }
    Ok(levels)
}

/// What a zones file holds: the zones to load, and how many entries were skipped as deleted.
#[derive(Debug, Default)]
pub struct ZonesFile {
    pub zones: Vec<GeoZone>,
    pub deleted: usize,
}

/// Reads a geozones export: a JSON list of `{"_id", "nom", "codeINSEE", "level", "uri",
/// "is_deleted"}` (other keys are ignored); entries marked `is_deleted` are skipped, as
/// `udata spatial load` does. The slug is made from the name. Errors name the entry at fault.
pub fn parse_zones(json: &[u8]) -> Result<ZonesFile, String> {
    let entries: Vec<Value> =
        serde_json::from_slice(json).map_err(|e| format!("not a JSON list of zones: {e}"))?;
    let mut file = ZonesFile {
        zones: Vec::with_capacity(entries.len()),
        deleted: 0,
    };
    for (i, entry) in entries.iter().enumerate() {
        let at = |message: &str| format!("zone #{}: {message}", i + 1);
        let Some(object) = entry.as_object() else {
            return Err(at("expecting an object"));
        };
        if object.get("is_deleted").is_some_and(is_true) {
            file.deleted += 1;
            continue;
        }
        let text = |key: &str| match object.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let id = text("_id").ok_or_else(|| at("\"_id\" is missing"))?;
        let field = |key: &str| text(key).ok_or_else(|| at(&format!("{id} has no \"{key}\"")));
        let name = field("nom")?;
        file.zones.push(GeoZone {
            slug: slug::slugify(&name),
            code: field("codeINSEE")?,
            level: field("level")?,
            uri: text("uri"),
            name,
            id,
        });
    }
    Ok(file)
}

fn is_true(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::String(s) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// The shipped levels.
pub fn shipped_levels() -> Vec<GeoLevel> {
    parse_levels(SHIPPED_LEVELS_JSON.as_bytes()).expect("the shipped levels are valid")
}

/// The shipped zones.
pub fn shipped_zones() -> Vec<GeoZone> {
    parse_zones(SHIPPED_ZONES_JSON.as_bytes())
        .expect("the shipped zones are valid")
        .zones
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_data_is_france_its_regions_and_departements() {
        let levels = shipped_levels();
        assert_eq!(levels.len(), 11);
        assert!(levels.iter().all(|l| l.admin_level.is_some()));
        let zones = shipped_zones();
        let count = |level: &str| zones.iter().filter(|z| z.level == level).count();
        assert_eq!(count("country"), 1);
        assert_eq!(count("fr:region"), 18);
        assert_eq!(count("fr:departement"), 101);
        for zone in &zones {
            assert_eq!(zone.id, format!("{}:{}", zone.level, zone.code));
            assert!(levels.iter().any(|l| l.id == zone.level), "{}", zone.id);
        }
        let corse = zones.iter().find(|z| z.id == "fr:departement:2A").unwrap();
        assert_eq!(corse.slug, "corse-du-sud");
    }

    #[test]
    fn geoids_are_read_in_their_older_forms() {
        assert_eq!(
            geoid_key("fr:commune:75056@2015-01-01").as_deref(),
            Some("fr:commune:75056")
        );
        assert_eq!(
            geoid_key("FR/Departement/2A").as_deref(),
            Some("fr:departement:2a")
        );
        assert_eq!(geoid_key("france"), None);
        assert_eq!(without_validity("fr:region:93@1970-01-09"), "fr:region:93");
    }

    #[test]
    fn deleted_zones_are_skipped_and_missing_fields_named() {
        let file = parse_zones(
            r#"[{"_id": "fr:commune:01001", "nom": "L'Abergement-Clémenciat",
                  "codeINSEE": "01001", "level": "fr:commune", "uri": null},
                 {"_id": "fr:commune:01002", "nom": "Old", "codeINSEE": "01002",
                  "level": "fr:commune", "is_deleted": true}]"#
                .as_bytes(),
        )
        .expect("valid");
        assert_eq!(file.deleted, 1);
        assert_eq!(file.zones[0].slug, "l-abergement-clemenciat");
        assert_eq!(file.zones[0].uri, None);
        let error = parse_zones(br#"[{"_id": "x:1", "nom": "X", "level": "x"}]"#).unwrap_err();
        assert!(
            error.contains("#1") && error.contains("codeINSEE"),
            "{error}"
        );
        let error = parse_levels(br#"[{"id": "x"}]"#).unwrap_err();
        assert!(error.contains("label"), "{error}");
        assert!(parse_zones(b"{}").is_err());
    }
}
