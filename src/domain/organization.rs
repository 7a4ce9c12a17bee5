//! Organizations, their members and membership requests.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::time::Micros;
use super::validation::{FieldErrors, is_http_url};

/// Badge kinds an organization may carry, with their labels (uData v14.13).
pub const BADGE_KINDS: &[(&str, &str)] = &[
    ("public-service", "Public Service"),
    ("certified", "Certified"),
    ("association", "Association"),
    ("company", "Company"),
    ("local-authority", "Local authority"),
];

/// A badge on an object.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Badge {
    pub kind: String,
    #[serde(default)]
    pub created: Option<Micros>,
    #[serde(default)]
    pub created_by: Option<String>,
}

/// Awards the badge `kind` unless the object already has it; returns the badge and whether it
/// is new (uData answers the existing badge when it is awarded twice).
pub fn award_badge(badges: &mut Vec<Badge>, kind: &str, by: &str, now: Micros) -> (Badge, bool) {
    if let Some(badge) = badges.iter().find(|b| b.kind == kind) {
        return (badge.clone(), false);
    }
    let badge = Badge {
        kind: kind.to_owned(),
        created: Some(now),
        created_by: Some(by.to_owned()),
    };
    badges.push(badge.clone());
    (badge, true)
}

/// Removes the badge `kind`; whether the object had it.
pub fn remove_badge(badges: &mut Vec<Badge>, kind: &str) -> bool {
    let before = badges.len();
    badges.retain(|b| b.kind != kind);
    badges.len() != before
}

/// A member's role in an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrgRole {
    Admin,
    Editor,
}

impl OrgRole {
    pub const ALL: [OrgRole; 2] = [OrgRole::Admin, OrgRole::Editor];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgRole::Admin => "admin",
            OrgRole::Editor => "editor",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OrgRole::Admin => "Administrator",
            OrgRole::Editor => "Editor",
        }
    }

    pub fn parse(s: &str) -> Option<OrgRole> {
        OrgRole::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// An organization as stored.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Organization {
    pub id: String,
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub acronym: Option<String>,
    pub description: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub business_number_id: Option<String>,
    #[serde(default)]
    pub extras: Map<String, Value>,
    #[serde(default)]
    pub badges: Vec<Badge>,
    /// Storage keys of the logo and its square thumbnail.
    #[serde(default)]
    pub logo: Option<String>,
    #[serde(default)]
    pub logo_thumbnail: Option<String>,
    pub created_at: Micros,
    pub last_modified: Micros,
    #[serde(default)]
    pub deleted: Option<Micros>,
    /// Counters kept by the store; not part of the document.
    #[serde(skip)]
    pub followers: i64,
    #[serde(skip)]
    pub members_count: i64,
}

impl Organization {
    pub fn search_text(&self) -> String {
        super::slug::fold(&format!(
            "{} {}",
            self.name,
            self.acronym.as_deref().unwrap_or("")
        ))
    }

    pub fn badge_kinds(&self) -> String {
        self.badges
            .iter()
            .map(|b| format!(",{},", b.kind))
            .collect()
    }
}

/// A membership of a user in an organization.
#[derive(Debug, Clone, PartialEq)]
pub struct Membership {
    pub org_id: String,
    pub user_id: String,
    pub role: OrgRole,
    pub since: Micros,
}

/// The states of a membership request.
pub const REQUEST_STATUSES: &[&str] = &["pending", "accepted", "refused"];

/// A user's request to join an organization.
#[derive(Debug, Clone, PartialEq)]
pub struct MembershipRequest {
    pub id: String,
    pub org_id: String,
    pub user_id: String,
    pub status: String,
    pub comment: Option<String>,
    pub created: Micros,
    pub handled_by: Option<String>,
    pub handled_on: Option<Micros>,
    pub refusal_comment: Option<String>,
}

/// The writable fields of an organization (`POST`/`PUT /organizations/…`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OrganizationInput {
    pub name: Option<String>,
    pub acronym: Option<String>,
    pub description: Option<String>,
    pub url: Option<String>,
    pub business_number_id: Option<String>,
    pub extras: Option<Map<String, Value>>,
    /// `"deleted": null` in a PUT restores a soft-deleted organization.
    #[serde(default, deserialize_with = "present")]
    pub deleted: Option<Option<Value>>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<Value>>, D::Error> {
    Ok(Some(Option::<Value>::deserialize(d)?))
}

impl OrganizationInput {
    /// Checks the input. A create needs name and description; an update keeps what is absent.
    pub fn validate(&self, creating: bool) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        for (field, value, max) in [
            ("name", &self.name, NAME_MAX_LEN),
            ("description", &self.description, 100_000),
        ] {
            match value {
                Some(v) if v.trim().is_empty() => errors.add(field, "This field is required."),
                Some(v) if v.chars().count() > max => errors.add(
                    field,
                    &format!("Field cannot be longer than {max} characters."),
                ),
                None if creating => errors.add(field, "This field is required."),
                _ => {}
            }
        }
        if let Some(acronym) = &self.acronym
            && acronym.chars().count() > 128
        {
            errors.add("acronym", "Field cannot be longer than 128 characters.");
        }
        if let Some(url) = &self.url
            && !url.is_empty()
            && !is_http_url(url)
        {
            errors.add("url", "Invalid URL.");
        }
        if let Some(siret) = &self.business_number_id
            && !siret.is_empty()
            && let Err(message) = check_siret(siret)
        {
            errors.add("business_number_id", message);
        }
        if let Some(Some(value)) = &self.deleted
            && !value.is_null()
        {
            errors.add(
                "deleted",
                "Only null is accepted, to restore a deleted organization.",
            );
        }
        errors.into_result()
    }

    /// A new organization from a validated input.
    pub fn create(&self, id: String, slug: String, now: Micros) -> Organization {
        let mut org = Organization {
            id,
            slug,
            name: String::new(),
            acronym: None,
            description: String::new(),
            url: None,
            business_number_id: None,
            extras: Map::new(),
            badges: Vec::new(),
            logo: None,
            logo_thumbnail: None,
            created_at: now,
            last_modified: now,
            deleted: None,
            followers: 0,
            members_count: 0,
        };
        self.apply(&mut org, now);
        org
    }

    /// Applies the present fields to `org`.
    pub fn apply(&self, org: &mut Organization, now: Micros) {
        if let Some(v) = &self.name {
            org.name = v.trim().to_owned();
        }
        if let Some(v) = &self.description {
            org.description = v.clone();
        }
        if let Some(v) = &self.acronym {
            org.acronym = Some(v.trim().to_owned()).filter(|s| !s.is_empty());
        }
        if let Some(v) = &self.url {
            org.url = Some(v.clone()).filter(|s| !s.is_empty());
        }
        if let Some(v) = &self.business_number_id {
            org.business_number_id = Some(v.clone()).filter(|s| !s.is_empty());
        }
        if let Some(v) = &self.extras {
            org.extras = v.clone();
        }
        if let Some(None | Some(Value::Null)) = &self.deleted {
            org.deleted = None;
        }
        org.last_modified = now;
    }
}

/// The longest organization name uData accepts.
pub const NAME_MAX_LEN: usize = 350;

/// A SIRET: 14 digits whose first 9 (the SIREN) pass the Luhn check; La Poste's
/// `35600000000048` is the documented exception.
pub fn is_valid_siret(s: &str) -> bool {
    check_siret(s).is_ok()
}

/// Checks a SIRET, with uData's message for each way it can be wrong.
pub fn check_siret(s: &str) -> Result<(), &'static str> {
    if s.chars().count() != 14 {
        return Err("A siret number is made of 14 digits");
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err("A siret number is only made of digits");
    }
    if s == "35600000000048" || luhn(&s[..9]) {
        Ok(())
    } else {
        Err("Invalid Siret number")
    }
}

fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let double = d * 2;
                if double > 9 { double - 9 } else { double }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siret_checks_siren_with_luhn() {
        assert!(is_valid_siret("12000101100010"));
        assert!(is_valid_siret("35600000000048"));
        assert!(!is_valid_siret("12000101200010"));
        assert!(!is_valid_siret("1234"));
        assert_eq!(
            check_siret("110014016"),
            Err("A siret number is made of 14 digits")
        );
        assert_eq!(check_siret("12345678901234"), Err("Invalid Siret number"));
        assert_eq!(
            check_siret("tttttttttttttt"),
            Err("A siret number is only made of digits")
        );
    }

    #[test]
    fn create_requires_name_and_description() {
        let errors = OrganizationInput::default().validate(true).unwrap_err();
        assert_eq!(errors.0.len(), 2);
        assert!(OrganizationInput::default().validate(false).is_ok());
    }
}
