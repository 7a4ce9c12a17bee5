//! Licenses a dataset may carry: data, not code. The shipped list is data.gouv.fr's; an
//! administrator adds others with `plateau license add`.

use serde::{Deserialize, Serialize};

/// The licenses shipped with the binary (see `assets/README.md` for their provenance).
pub const SHIPPED_LICENSES_JSON: &str = include_str!("../../assets/licenses.json");

/// The license every dataset without one gets.
pub const DEFAULT_LICENSE: &str = "notspecified";

/// A license as stored (uData's `License` document).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct License {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub alternate_urls: Vec<String>,
    #[serde(default)]
    pub alternate_titles: Vec<String>,
    #[serde(default)]
    pub maintainer: Option<String>,
    #[serde(default)]
    pub flags: Vec<String>,
    #[serde(default = "active_by_default")]
    pub active: bool,
}

fn active_by_default() -> bool {
    true
}

impl License {
    /// Checks what every stored license must have: an id usable in URLs and a title.
    pub fn validate(&self) -> Result<(), String> {
        let id_ok = !self.id.is_empty()
            && self.id.len() <= 100
            && self
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !id_ok {
            return Err(format!(
                "license id {:?} must be 1 to 100 letters, digits, '-', '_' or '.'",
                self.id
            ));
        }
        if self.title.trim().is_empty() {
            return Err(format!("license {} needs a title", self.id));
        }
        Ok(())
    }
}

/// Parses a JSON list of licenses (the shape of `GET /api/1/datasets/licenses/`, `active`
/// optional), or a single license object.
pub fn parse_licenses(json: &str) -> Result<Vec<License>, String> {
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let licenses: Vec<License> = if value.is_array() {
        serde_json::from_value(value).map_err(|e| e.to_string())?
    } else {
        vec![serde_json::from_value(value).map_err(|e| e.to_string())?]
    };
    licenses.iter().try_for_each(License::validate)?;
    Ok(licenses)
}

/// The shipped licenses.
pub fn shipped_licenses() -> Vec<License> {
    parse_licenses(SHIPPED_LICENSES_JSON).expect("the shipped licenses file is valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_list_has_the_default_and_production_ids() {
        let licenses = shipped_licenses();
        let ids: Vec<&str> = licenses.iter().map(|l| l.id.as_str()).collect();
        for id in [
            DEFAULT_LICENSE,
            "lov2",
            "fr-lo",
            "odc-odbl",
            "cc-by",
            "other-pd",
        ] {
            assert!(ids.contains(&id), "{id}");
        }
    }

    #[test]
    fn ids_are_checked() {
        assert!(parse_licenses(r#"{"id": "a b", "title": "x"}"#).is_err());
        assert!(parse_licenses(r#"{"id": "ok-1", "title": " "}"#).is_err());
        assert!(parse_licenses(r#"[{"id": "ok-1", "title": "OK"}]"#).unwrap()[0].active);
    }
}
