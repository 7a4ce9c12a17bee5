//! Users: the stored record, the site-wide roles and the profile rules.

use serde::{Deserialize, Serialize};

use super::time::Micros;
use super::validation::FieldErrors;

/// The only site-wide role: `admin` makes a user a sysadmin, who passes every permission check.
pub const SITE_ROLES: &[&str] = &["admin"];

/// A user as stored. Secrets (API key hash, password hash) live in their own columns, never here.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct User {
    pub id: String,
    pub slug: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(default)]
    pub about: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    /// Storage key of the avatar image and of its thumbnail.
    #[serde(default)]
    pub avatar: Option<String>,
    #[serde(default)]
    pub avatar_thumbnail: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    pub active: bool,
    pub since: Micros,
    #[serde(default)]
    pub last_login_at: Option<Micros>,
    #[serde(default)]
    pub deleted: Option<Micros>,
    /// Count of active followers, kept by the store; not part of the document.
    #[serde(skip)]
    pub followers: i64,
}

impl User {
    pub fn is_sysadmin(&self) -> bool {
        self.roles.iter().any(|r| r == "admin")
    }

    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    /// What the store indexes for free-text filters.
    pub fn search_text(&self) -> String {
        super::slug::fold(&format!(
            "{} {} {}",
            self.first_name, self.last_name, self.email
        ))
    }

    /// Anonymises a deleted account as uData does (`<id>@deleted`, names `DELETED`). The slug,
    /// made from the person's name, becomes `deleted-<id>`: the one time a user's slug changes.
    pub fn anonymise(&mut self, at: Micros) {
        self.email = format!("{}@deleted", self.id);
        self.slug = format!("deleted-{}", self.id);
        self.first_name = "DELETED".into();
        self.last_name = "DELETED".into();
        self.about = None;
        self.website = None;
        self.avatar = None;
        self.avatar_thumbnail = None;
        self.active = false;
        self.deleted = Some(at);
    }
}

/// Editable profile fields, as sent to `PUT /me/`, `PUT /users/{user}/` and `POST /users/`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserInput {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub about: Option<String>,
    pub website: Option<String>,
    pub roles: Option<Vec<String>>,
    pub active: Option<bool>,
    pub password: Option<String>,
}

impl UserInput {
    /// Checks the fields present; `creating` makes names and email required.
    pub fn validate(&self, creating: bool) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        for (field, value) in [
            ("first_name", &self.first_name),
            ("last_name", &self.last_name),
        ] {
            match value {
                Some(v) if v.trim().is_empty() => errors.add(field, "This field is required."),
                Some(v) if v.chars().count() > 255 => {
                    errors.add(field, "Field cannot be longer than 255 characters.")
                }
                Some(v) if contains_url(v) => errors.add(field, "URLs not allowed in this field"),
                None if creating => errors.add(field, "This field is required."),
                _ => {}
            }
        }
        match &self.email {
            Some(email) if !is_email(email) => errors.add("email", "Invalid email address."),
            None if creating => errors.add("email", "This field is required."),
            _ => {}
        }
        if let Some(website) = &self.website
            && !website.is_empty()
            && !super::validation::is_http_url(website)
        {
            errors.add("website", "Invalid URL.");
        }
        if let Some(roles) = &self.roles {
            for role in roles {
                if !SITE_ROLES.contains(&role.as_str()) {
                    errors.add("roles", &format!("Unknown role: {role}"));
                }
            }
        }
        if let Some(password) = &self.password
            && password.chars().count() < 8
        {
            errors.add("password", "Password must be at least 8 characters long.");
        }
        errors.into_result()
    }

    /// Applies the present profile fields (not roles, active or password) to `user`.
    pub fn apply_profile(&self, user: &mut User) {
        if let Some(v) = &self.first_name {
            user.first_name = v.trim().to_owned();
        }
        if let Some(v) = &self.last_name {
            user.last_name = v.trim().to_owned();
        }
        if let Some(v) = &self.about {
            user.about = Some(v.clone()).filter(|s| !s.is_empty());
        }
        if let Some(v) = &self.website {
            user.website = Some(v.clone()).filter(|s| !s.is_empty());
        }
    }
}

/// Whether a name contains something that reads as a link (uData refuses URLs in names, a
/// spam vector): a scheme, `www.`, or a word ending in a common top-level domain.
pub fn contains_url(s: &str) -> bool {
    const TLDS: &[&str] = &[
        "com", "org", "net", "fr", "io", "eu", "info", "biz", "xyz", "ru", "de", "uk", "be", "ch",
    ];
    let lower = s.to_lowercase();
    lower.contains("://")
        || lower.split_whitespace().any(|word| {
            let word = word.trim_matches(|c: char| !c.is_alphanumeric());
            word.starts_with("www.")
                || word.rsplit_once('.').is_some_and(|(host, tld)| {
                    !host.is_empty() && !host.ends_with('.') && TLDS.contains(&tld)
                })
        })
}

/// A deliberately simple check: at most 254 characters (RFC 5321), one `@`, something on both
/// sides, a dot in the domain.
pub fn is_email(s: &str) -> bool {
    if s.len() > 254 {
        return false;
    }
    let mut parts = s.split('@');
    matches!((parts.next(), parts.next(), parts.next()),
        (Some(local), Some(domain), None)
            if !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
                && !domain.ends_with('.') && !s.contains(char::is_whitespace))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creating_requires_names_and_email() {
        let errors = UserInput::default().validate(true).unwrap_err();
        assert!(errors.0.contains_key("first_name"));
        assert!(errors.0.contains_key("email"));
    }

    #[test]
    fn unknown_role_is_refused() {
        let input = UserInput {
            roles: Some(vec!["wizard".into()]),
            ..Default::default()
        };
        assert!(input.validate(false).unwrap_err().0.contains_key("roles"));
    }

    #[test]
    fn names_cannot_hold_links() {
        for bad in [
            "http://spam",
            "visit www.spam.io",
            "buy.com",
            "Jean spam.fr",
        ] {
            assert!(contains_url(bad), "{bad}");
        }
        for good in ["Jean-Pierre", "J. R. R.", "Anne-Marie O'Neil", "St. Clair"] {
            assert!(!contains_url(good), "{good}");
        }
    }

    #[test]
    fn emails() {
        assert!(is_email("a@b.fr"));
        assert!(!is_email("a@b"));
        assert!(!is_email("a b@c.fr"));
        assert!(!is_email("@c.fr"));
        assert!(!is_email(&format!("{}@example.org", "a".repeat(250))));
    }
}
