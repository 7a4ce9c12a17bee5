//! Contact points: one row each, every field a column; a unique index keeps two of them from
//! holding the same values.

use super::sql::{Row, Stmt, Value};
use super::{PageRequest, Paged, Store, StoreResult, like_pattern, list_param};
use crate::domain::contact_point::ContactPoint;
use crate::domain::slug::fold;
use crate::domain::time::Micros;
use crate::params;

/// A statement reading whole contact points (the columns `contact_point_from_row` reads), then
/// `$rest`.
macro_rules! select_points {
    ($rest:literal) => {
        concat!(
            "SELECT id, name, email, contact_form, role, owner_id, org_id FROM contact_points ",
            $rest
        )
    };
}

fn contact_point_from_row(r: &Row) -> StoreResult<ContactPoint> {
    Ok(ContactPoint {
        id: r.text(0)?,
        name: r.text(1)?,
        email: r.opt_text(2)?,
        contact_form: r.opt_text(3)?,
        role: r.text(4)?,
        owner: r.opt_text(5)?,
        organization: r.opt_text(6)?,
    })
}

fn rows_to_points(rows: Vec<Row>) -> StoreResult<Vec<ContactPoint>> {
    rows.iter().map(contact_point_from_row).collect()
}

/// What the organization suggestions match: name, email and contact form, folded, apart so that
/// a text cannot match across two of them.
fn search_text(p: &ContactPoint) -> String {
    [
        Some(p.name.as_str()),
        p.email.as_deref(),
        p.contact_form.as_deref(),
    ]
    .iter()
    .flatten()
    .map(|text| fold(text))
    .collect::<Vec<_>>()
    .join("\n")
}

/// `id, owner_id, org_id, name, email, contact_form, role, search`: the parameters `$1` to `$8`
/// of the statements that write a contact point.
fn values(p: &ContactPoint) -> Vec<Value> {
    params![
        &p.id,
        p.owner.clone(),
        p.organization.clone(),
        &p.name,
        p.email.clone(),
        p.contact_form.clone(),
        &p.role,
        search_text(p)
    ]
}

/// Who owns the contact points of a list.
#[derive(Debug, Clone, Copy)]
pub enum ContactOwner<'a> {
    User(&'a str),
    Organization(&'a str),
}

impl Store {
    /// Stores a new contact point, created at `now` (lists are in creation order). Another one
    /// with the same values is a [`Conflict`](super::StoreError::Conflict).
    pub async fn create_contact_point(&self, p: &ContactPoint, now: Micros) -> StoreResult<()> {
        self.write(vec![
            Stmt::new(
                "INSERT INTO contact_points (id, owner_id, org_id, name, email, contact_form, role, search, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                [values(p), params![now]].concat(),
            ),
            Stmt::change("contact_point", &p.id, "create", now),
        ])
        .await
        .map(drop)
    }

    /// Replaces the values of an existing contact point (not its owner). Another one with the
    /// same values is a [`Conflict`](super::StoreError::Conflict).
    pub async fn update_contact_point(&self, p: &ContactPoint, now: Micros) -> StoreResult<()> {
        self.write(vec![
            Stmt::new(
                "UPDATE contact_points SET owner_id = $2, org_id = $3, name = $4, email = $5, \
                 contact_form = $6, role = $7, search = $8 WHERE id = $1",
                values(p),
            )
            .expect_one(),
            Stmt::change("contact_point", &p.id, "update", now),
        ])
        .await
        .map(drop)
    }

    /// Deletes a contact point for good. Datasets keep its id; they stop serving it.
    pub async fn delete_contact_point(&self, id: &str, now: Micros) -> StoreResult<()> {
        self.write(vec![
            Stmt::new("DELETE FROM contact_points WHERE id = $1", params![id]).expect_one(),
            Stmt::change("contact_point", id, "delete", now),
        ])
        .await
        .map(drop)
    }

    /// The contact point `id`, if it exists.
    pub async fn contact_point(&self, id: &str) -> StoreResult<Option<ContactPoint>> {
        self.query_one(select_points!("WHERE id = $1"), params![id])
            .await?
            .map(|r| contact_point_from_row(&r))
            .transpose()
    }

    /// The contact point other than `p` that holds the same values (name, email, contact form,
    /// role, owner and organization), if any: what uData's `get_or_create` finds.
    pub async fn identical_contact_point(
        &self,
        p: &ContactPoint,
    ) -> StoreResult<Option<ContactPoint>> {
        // The expressions of the `contact_points_identity` index, so that it answers.
        self.query_one(
            select_points!(
                "WHERE name = $1 AND role = $2 AND COALESCE(email, '') = $3 \
                 AND COALESCE(contact_form, '') = $4 AND COALESCE(owner_id, '') = $5 \
                 AND COALESCE(org_id, '') = $6 AND id <> $7"
            ),
            params![
                &p.name,
                &p.role,
                p.email.clone().unwrap_or_default(),
                p.contact_form.clone().unwrap_or_default(),
                p.owner.clone().unwrap_or_default(),
                p.organization.clone().unwrap_or_default(),
                &p.id
            ],
        )
        .await?
        .map(|r| contact_point_from_row(&r))
        .transpose()
    }

    /// Those of `ids` that exist, in no particular order.
    pub async fn contact_points_by_ids(&self, ids: &[String]) -> StoreResult<Vec<ContactPoint>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = self
            .query(
                select_points!("WHERE id IN (SELECT value FROM plateau_list($1))"),
                params![list_param(ids)],
            )
            .await?;
        rows_to_points(rows)
    }

    /// A page of the contact points of a user or an organization, oldest first (uData's
    /// natural order).
    pub async fn contact_points_of(
        &self,
        owner: ContactOwner<'_>,
        page: PageRequest,
    ) -> StoreResult<Paged<ContactPoint>> {
        let (count, select, id) = match owner {
            ContactOwner::User(id) => (
                "SELECT COUNT(*) FROM contact_points WHERE owner_id = $1",
                select_points!("WHERE owner_id = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3"),
                id,
            ),
            ContactOwner::Organization(id) => (
                "SELECT COUNT(*) FROM contact_points WHERE org_id = $1",
                select_points!("WHERE org_id = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3"),
                id,
            ),
        };
        let total = self.count(count, params![id]).await?;
        let rows = self
            .query(select, params![id, page.page_size, page.offset()])
            .await?;
        Ok(Paged {
            items: rows_to_points(rows)?,
            total,
        })
    }

    /// At most `size` contact points of an organization whose name, email or contact form
    /// contains `q` (case and accents aside), oldest first.
    pub async fn suggest_organization_contact_points(
        &self,
        org_id: &str,
        q: &str,
        size: i64,
    ) -> StoreResult<Vec<ContactPoint>> {
        let rows = self
            .query(
                select_points!(
                    "WHERE org_id = $1 AND search LIKE $2 ORDER BY created_at, id LIMIT $3"
                ),
                params![org_id, like_pattern(q), size],
            )
            .await?;
        rows_to_points(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_keeps_fields_apart() {
        let p = ContactPoint {
            id: "i".into(),
            name: "Équipe Données".into(),
            email: None,
            contact_form: Some("https://x.fr".into()),
            role: "contact".into(),
            owner: None,
            organization: Some("o".into()),
        };
        assert_eq!(search_text(&p), "equipe donnees\nhttps://x.fr");
    }
}
