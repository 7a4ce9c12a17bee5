//! Contact points: who to contact about a dataset (a person, a service, a contact form), owned
//! by a user or an organization, and the rules uData's `ContactPointForm` and model apply.

use serde_json::Value;

use super::ids::is_object_id;
use super::input::Fields;
use super::user::{contains_url, is_email};
use super::validation::{FieldErrors, is_http_url};

/// The roles a contact point can have, `(id, label)`, in uData's order (DCAT's agent roles).
pub const CONTACT_ROLES: &[(&str, &str)] = &[
    ("contact", "Contact"),
    ("creator", "Creator"),
    ("publisher", "Publisher"),
    ("rightsHolder", "Rights Holder"),
    ("custodian", "Custodian"),
    ("distributor", "Distributor"),
    ("originator", "Originator"),
    ("principalInvestigator", "Principal Investigator"),
    ("processor", "Processor"),
    ("resourceProvider", "Resource Provider"),
    ("user", "User"),
];

/// The one role that needs a way to reach the contact: an email or a contact form.
const ROLE_NEEDING_A_CHANNEL: &str = "contact";

/// Refusal of a `contact` without email nor contact form (uData's model message, served as the
/// response's message when it is the only error).
pub const CHANNEL_REQUIRED: &str =
    "At least an email or a contact form is required for a contact point";

/// Refusal of an update that would make a contact point identical to another one.
pub const ALREADY_EXISTS: &str =
    "An existing contact point already exists with these informations.";

const MAX_LEN: usize = 255;

/// A contact point as stored. Exactly one of `owner` and `organization` is set.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactPoint {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    /// The URL of a web contact form.
    pub contact_form: Option<String>,
    /// One of [`CONTACT_ROLES`].
    pub role: String,
    pub owner: Option<String>,
    pub organization: Option<String>,
}

impl ContactPoint {
    /// The rules every stored contact point follows, errors by field.
    pub fn check(&self) -> FieldErrors {
        let mut errors = FieldErrors::default();
        let name = self.name.trim();
        if name.is_empty() {
            errors.add("name", "This field is required.");
        } else if name.chars().count() > MAX_LEN {
            errors.add("name", "Field cannot be longer than 255 characters.");
        } else if contains_url(name) {
            errors.add("name", "URLs not allowed in this field");
        }
        if let Some(email) = &self.email
            && (!is_email(email) || email.chars().count() > MAX_LEN)
        {
            errors.add("email", "Invalid email address.");
        }
        if let Some(form) = &self.contact_form
            && !is_http_url(form)
        {
            errors.add("contact_form", "Invalid URL.");
        }
        if self.role.is_empty() {
            errors.add("role", "Field is required");
        } else if !CONTACT_ROLES.iter().any(|(id, _)| *id == self.role) {
            let ids: Vec<String> = CONTACT_ROLES
                .iter()
                .map(|(id, _)| format!("'{id}'"))
                .collect();
            errors.add(
                "role",
                &format!("Value must be one of [{}]", ids.join(", ")),
            );
        } else if self.role == ROLE_NEEDING_A_CHANNEL
            && self.email.is_none()
            && self.contact_form.is_none()
        {
            errors.add("email", CHANNEL_REQUIRED);
            errors.add("contact_form", CHANNEL_REQUIRED);
        }
        errors
    }
}

/// The fields of a contact point body, as sent: `None` when absent, `Some(None)` when `null`
/// (or, for the optional texts, empty).
#[derive(Debug, Clone, Default)]
pub struct ContactPointInput {
    pub name: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub contact_form: Option<Option<String>>,
    pub role: Option<Option<String>>,
    pub owner: Option<Option<String>>,
    pub organization: Option<Option<String>>,
}

impl ContactPointInput {
    /// Reads a JSON object; fields of the wrong type are errors on their name.
    pub fn parse(body: &Value) -> Result<ContactPointInput, FieldErrors> {
        let mut f = Fields::new(body)?;
        let input = ContactPointInput {
            name: f.string("name"),
            email: f.string("email").map(non_empty),
            contact_form: f.string("contact_form").map(non_empty),
            role: f.string("role").map(non_empty),
            owner: f.id_or_object("owner"),
            organization: f.id_or_object("organization"),
        };
        f.into_errors().into_result().map(|()| input)
    }

    /// A new contact point of these values (its owner or organization decided by the caller);
    /// [`ContactPoint::check`] tells whether it may be stored.
    pub fn create(&self, id: String) -> ContactPoint {
        let mut point = ContactPoint {
            id,
            name: String::new(),
            email: None,
            contact_form: None,
            role: String::new(),
            owner: None,
            organization: None,
        };
        self.apply(&mut point);
        point
    }

    /// Replaces the values present in the body; absent fields keep theirs.
    pub fn apply(&self, point: &mut ContactPoint) {
        if let Some(name) = &self.name {
            point.name = name.as_deref().unwrap_or("").trim().to_owned();
        }
        if let Some(email) = &self.email {
            point.email = email.clone();
        }
        if let Some(form) = &self.contact_form {
            point.contact_form = form.clone();
        }
        if let Some(role) = &self.role {
            point.role = role.clone().unwrap_or_default();
        }
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// Checks the contact points a dataset refers to, as uData's dataset form does: every id must
/// name an existing contact point (`found` holds those that do) owned by the dataset's
/// organization, or by its owner when it has no organization. The error is the message of the
/// `contact_points` field.
pub fn check_dataset_references(
    ids: &[String],
    found: &[ContactPoint],
    owner: Option<&str>,
    organization: Option<&str>,
) -> Result<(), String> {
    if let Some(bad) = ids.iter().find(|id| !is_object_id(id)) {
        return Err(format!("Unsupported identifier: {bad}"));
    }
    let unknown: Vec<&str> = ids
        .iter()
        .filter(|id| !found.iter().any(|p| p.id == **id))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(format!("Unknown identifiers: {}", unknown.join(", ")));
    }
    let owned = |p: &ContactPoint| match (organization, owner) {
        (Some(org), _) => p.organization.as_deref() == Some(org),
        (None, Some(user)) => p.owner.as_deref() == Some(user),
        (None, None) => true,
    };
    if found.iter().all(owned) {
        Ok(())
    } else {
        Err("Wrong contact point id or contact point ownership mismatch".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn point(role: &str, email: Option<&str>, form: Option<&str>) -> ContactPoint {
        ContactPoint {
            id: "5f0000000000000000000001".into(),
            name: "Service des eaux".into(),
            email: email.map(str::to_owned),
            contact_form: form.map(str::to_owned),
            role: role.into(),
            owner: Some("u".into()),
            organization: None,
        }
    }

    #[test]
    fn a_contact_needs_an_email_or_a_form_other_roles_do_not() {
        let errors = point("contact", None, None).check();
        assert_eq!(errors.0["email"], vec![CHANNEL_REQUIRED.to_owned()]);
        assert!(point("contact", Some("a@b.fr"), None).check().is_empty());
        assert!(
            point("contact", None, Some("https://x.fr/form"))
                .check()
                .is_empty()
        );
        assert!(point("publisher", None, None).check().is_empty());
    }

    #[test]
    fn role_is_required_and_known() {
        assert!(
            point("", Some("a@b.fr"), None)
                .check()
                .0
                .contains_key("role")
        );
        let errors = point("boss", Some("a@b.fr"), None).check();
        assert!(errors.0["role"][0].contains("'rightsHolder'"));
    }

    #[test]
    fn email_form_and_name_are_checked() {
        let errors = point("contact", Some("not-an-email"), Some("ftp:/x")).check();
        assert!(errors.0.contains_key("email"));
        assert!(errors.0.contains_key("contact_form"));
        let mut spam = point("creator", None, None);
        spam.name = "Visit www.spam.io".into();
        assert!(spam.check().0.contains_key("name"));
    }

    #[test]
    fn empty_texts_read_as_absent() {
        let input =
            ContactPointInput::parse(&json!({"name": " N ", "email": "", "role": null})).unwrap();
        let p = input.create("id".into());
        assert_eq!(p.name, "N");
        assert_eq!(p.email, None);
        assert_eq!(p.role, "");
        assert!(ContactPointInput::parse(&json!({"name": 3})).is_err());
    }

    #[test]
    fn dataset_references_must_exist_and_share_the_owner() {
        let p = point("contact", Some("a@b.fr"), None);
        let ids = vec![p.id.clone()];
        let found = [p.clone()];
        assert!(check_dataset_references(&ids, &found, Some("u"), None).is_ok());
        assert!(check_dataset_references(&ids, &found, Some("v"), None).is_err());
        assert!(check_dataset_references(&ids, &found, None, Some("o")).is_err());
        let unknown = check_dataset_references(&ids, &[], Some("u"), None).unwrap_err();
        assert!(unknown.starts_with("Unknown identifiers"), "{unknown}");
        let malformed = check_dataset_references(&["x".into()], &[], Some("u"), None).unwrap_err();
        assert!(malformed.starts_with("Unsupported identifier"));
    }
}
