//! Organizations, members and membership requests.

use std::collections::HashMap;

use super::sql::{Row, Stmt, Value};
use super::{PageRequest, Paged, Store, StoreError, StoreResult, like_pattern};
use crate::domain::organization::{Membership, MembershipRequest, OrgRole, Organization};
use crate::domain::slug;
use crate::domain::time::Micros;
use crate::domain::user::User;
use crate::params;

/// Sort orders of the organizations list (`sort=` values without the `-` prefix).
pub const ORGANIZATION_SORTS: &[&str] = &[
    "name",
    "reuses",
    "datasets",
    "followers",
    "views",
    "created",
    "last_modified",
];

pub(crate) fn org_from_row(row: &Row) -> StoreResult<Organization> {
    let mut org: Organization = serde_json::from_str(row.str(0)?)
        .map_err(|e| StoreError::Internal(format!("corrupt organization document: {e}")))?;
    org.followers = row.int(1)?;
    org.members_count = row.int(2)?;
    Ok(org)
}

/// A row of `org_id, role, since, user doc, user followers`.
fn member_from_row(r: &Row) -> StoreResult<(Membership, User)> {
    let user: User = serde_json::from_str(r.str(3)?)
        .map_err(|e| StoreError::Internal(format!("corrupt user document: {e}")))?;
    let membership = Membership {
        org_id: r.text(0)?,
        user_id: user.id.clone(),
        role: OrgRole::parse(&r.text(1)?).unwrap_or(OrgRole::Editor),
        since: r.int(2)?,
    };
    Ok((
        membership,
        User {
            followers: r.int(4)?,
            ..user
        },
    ))
}

/// A `LIKE` pattern matching every word of `q`, in order, as uData's text search ANDs words.
fn words_pattern(q: &str) -> String {
    let words: Vec<String> = q
        .split_whitespace()
        .map(|word| like_pattern(word).trim_matches('%').to_owned())
        .filter(|word| !word.is_empty())
        .collect();
    format!("%{}%", words.join("%"))
}

fn doc(org: &Organization) -> String {
    serde_json::to_string(org).expect("an organization serializes")
}

fn request_from_row(r: &Row) -> StoreResult<MembershipRequest> {
    Ok(MembershipRequest {
        id: r.text(0)?,
        org_id: r.text(1)?,
        user_id: r.text(2)?,
        status: r.text(3)?,
        comment: r.opt_text(4)?,
        created: r.int(5)?,
        handled_by: r.opt_text(6)?,
        handled_on: r.opt_int(7)?,
        refusal_comment: r.opt_text(8)?,
    })
}

/// How a path value resolved to an organization.
pub enum Resolved<T> {
    /// By id or current slug.
    Found(T),
    /// By an old slug: answer 308 to the canonical URL.
    Moved(T),
    NotFound,
}

impl Store {
    /// Creates an organization whose creator becomes its first admin.
    pub async fn create_organization(
        &self,
        mut org: Organization,
        creator_id: &str,
    ) -> StoreResult<Organization> {
        let base = slug::slugify(&org.name);
        for attempt in 0..5 {
            org.slug = self.free_slug("organizations", &base).await?;
            org.members_count = 1;
            let stmts = vec![
                Self::insert_organization_stmt(&org),
                Self::insert_member_stmt(&org.id, creator_id, OrgRole::Admin, org.created_at),
                Stmt::change("organization", &org.id, "create", org.created_at),
            ];
            match self.write(stmts).await {
                Ok(_) => return Ok(org),
                Err(StoreError::Conflict(msg)) if msg.contains("slug") && attempt < 4 => continue,
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Conflict("could not find a free slug".into()))
    }

    /// Inserts an organization row; `members_count` must match the members inserted with it.
    pub(crate) fn insert_organization_stmt(org: &Organization) -> Stmt {
        Stmt::new(
            "INSERT INTO organizations (id, slug, name, deleted, created_at, last_modified, search, badges, \
             business_number_id, followers, members_count, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            params![
                &org.id,
                &org.slug,
                slug::fold(&org.name),
                org.deleted,
                org.created_at,
                org.last_modified,
                org.search_text(),
                org.badge_kinds(),
                org.business_number_id.clone(),
                org.followers,
                org.members_count,
                doc(org)
            ],
        )
    }

    /// Inserts a membership (the organization's `members_count` is the caller's to keep).
    pub(crate) fn insert_member_stmt(
        org_id: &str,
        user_id: &str,
        role: OrgRole,
        since: Micros,
    ) -> Stmt {
        Stmt::new(
            "INSERT INTO members (org_id, user_id, role, since) VALUES ($1, $2, $3, $4)",
            params![org_id, user_id, role.as_str(), since],
        )
    }

    pub async fn organization_by_id(&self, id: &str) -> StoreResult<Option<Organization>> {
        self.query_one(
            "SELECT doc, followers, members_count FROM organizations WHERE id = $1",
            params![id],
        )
        .await?
        .map(|r| org_from_row(&r))
        .transpose()
    }

    /// The organizations of `ids` that exist, in one statement.
    pub async fn organizations_by_ids(&self, ids: &[String]) -> StoreResult<Vec<Organization>> {
        self.query(
            "SELECT doc, followers, members_count FROM organizations \
             WHERE id IN (SELECT value FROM plateau_list($1))",
            params![super::list_param(ids)],
        )
        .await?
        .iter()
        .map(org_from_row)
        .collect()
    }

    /// An organization by id or current slug with its members, in one statement: the hot path
    /// of `GET /organizations/{org}/`. `None` when neither matches (old slugs are for
    /// [`Store::resolve_organization`]).
    pub async fn organization_with_members(
        &self,
        id_or_slug: &str,
    ) -> StoreResult<Option<(Organization, Vec<(Membership, User)>)>> {
        let rows = self
            .query(
                "SELECT o.doc, o.followers, o.members_count, m.org_id, m.role, m.since, u.doc, u.followers \
                 FROM organizations o LEFT JOIN members m ON m.org_id = o.id LEFT JOIN users u ON u.id = m.user_id \
                 WHERE o.id = $1 OR o.slug = $1 ORDER BY CASE WHEN o.id = $1 THEN 0 ELSE 1 END, m.since, m.user_id",
                params![id_or_slug],
            )
            .await?;
        let mut org: Option<Organization> = None;
        let mut members = Vec::with_capacity(rows.len());
        for mut row in rows {
            let member = Row(row.0.split_off(3));
            let org = match &org {
                Some(org) => org,
                None => org.insert(org_from_row(&row)?),
            };
            // An id that is also another organization's slug matches two rows: the id wins.
            if member.opt_text(0)?.as_deref() == Some(org.id.as_str())
                && member.opt_text(3)?.is_some()
            {
                members.push(member_from_row(&member)?);
            }
        }
        Ok(org.map(|org| (org, members)))
    }

    /// Resolves a path value: id, current slug, then slug history and the slugified value.
    pub async fn resolve_organization(&self, value: &str) -> StoreResult<Resolved<Organization>> {
        if let Some(org) = self.organization_by_id(value).await? {
            return Ok(Resolved::Found(org));
        }
        let by_slug = "SELECT doc, followers, members_count FROM organizations WHERE slug = $1";
        if let Some(row) = self.query_one(by_slug, params![value]).await? {
            return Ok(Resolved::Found(org_from_row(&row)?));
        }
        let history =
            "SELECT object_id FROM slug_history WHERE kind = 'organization' AND old_slug = $1";
        if let Some(row) = self.query_one(history, params![value]).await?
            && let Some(org) = self.organization_by_id(&row.text(0)?).await?
        {
            return Ok(Resolved::Moved(org));
        }
        let slugified = slug::slugify(value);
        if slugified != value
            && let Some(row) = self.query_one(by_slug, params![&slugified]).await?
        {
            return Ok(Resolved::Moved(org_from_row(&row)?));
        }
        Ok(Resolved::NotFound)
    }

    /// Saves a changed organization. A changed name moves the slug; the old one keeps answering.
    pub async fn update_organization(
        &self,
        org: &mut Organization,
        name_changed: bool,
    ) -> StoreResult<()> {
        let old_slug = org.slug.clone();
        if name_changed {
            let base = slug::slugify(&org.name);
            if base != old_slug {
                org.slug = if self.owns_old_slug(&org.id, &base).await? {
                    base
                } else {
                    self.free_slug("organizations", &base).await?
                };
            }
        }
        let mut stmts = vec![
            Stmt::new(
                "UPDATE organizations SET slug = $2, name = $3, deleted = $4, last_modified = $5, search = $6, \
                 badges = $7, business_number_id = $8, doc = $9, version = version + 1 WHERE id = $1",
                params![&org.id, &org.slug, slug::fold(&org.name), org.deleted, org.last_modified, org.search_text(),
                    org.badge_kinds(), org.business_number_id.clone(), doc(org)],
            )
            .expect_one(),
            Stmt::change("organization", &org.id, "update", org.last_modified),
        ];
        if org.slug != old_slug {
            stmts.push(Stmt::new(
                "INSERT INTO slug_history (kind, old_slug, object_id) VALUES ('organization', $1, $2) \
                 ON CONFLICT (kind, old_slug) DO UPDATE SET object_id = excluded.object_id",
                params![&old_slug, &org.id],
            ));
            stmts.push(Stmt::new(
                "DELETE FROM slug_history WHERE kind = 'organization' AND old_slug = $1",
                params![&org.slug],
            ));
        }
        self.write(stmts).await.map(drop)
    }

    /// Whether `slug` is an old slug of this very organization and no organization has it now:
    /// renaming back to a former name gets the former slug back.
    async fn owns_old_slug(&self, org_id: &str, slug: &str) -> StoreResult<bool> {
        let owner = self
            .query_one(
                "SELECT object_id FROM slug_history WHERE kind = 'organization' AND old_slug = $1 \
                 AND NOT EXISTS (SELECT 1 FROM organizations WHERE slug = $1)",
                params![slug],
            )
            .await?;
        Ok(match owner {
            Some(row) => row.text(0)? == org_id,
            None => false,
        })
    }

    /// A page of organizations, filtered and sorted as `GET /organizations/` allows.
    pub async fn list_organizations(
        &self,
        filter: &OrganizationFilter,
        page: PageRequest,
    ) -> StoreResult<Paged<Organization>> {
        let pattern = words_pattern(filter.q.as_deref().unwrap_or(""));
        let badge = filter
            .badge
            .as_ref()
            .map(|b| format!("%,{b},%"))
            .unwrap_or_else(|| "%".into());
        let name = filter.name.as_ref().map(|n| slug::fold(n));
        let bid = filter.business_number_id.clone();
        macro_rules! list_sql {
            ($order:literal) => {
                concat!(
                    "SELECT doc, followers, members_count FROM organizations WHERE deleted IS NULL AND search LIKE $1 \
                     AND badges LIKE $2 AND (CAST($3 AS TEXT) IS NULL OR name = $3) AND (CAST($4 AS TEXT) IS NULL OR business_number_id = $4) ORDER BY ",
                    $order,
                    " LIMIT $5 OFFSET $6"
                )
            };
        }
        let total = self
            .count(
                "SELECT COUNT(*) FROM organizations WHERE deleted IS NULL AND search LIKE $1 AND badges LIKE $2 AND (CAST($3 AS TEXT) IS NULL OR name = $3) AND (CAST($4 AS TEXT) IS NULL OR business_number_id = $4)",
                params![&pattern, &badge, name.clone(), bid.clone()],
            )
            .await?;
        let sql: &'static str = match filter.sort.as_deref() {
            Some("name") => list_sql!("name, id"),
            Some("-name") => list_sql!("name DESC, id"),
            Some("followers") => list_sql!("followers, id"),
            Some("-followers") => list_sql!("followers DESC, id"),
            Some("created") => list_sql!("created_at, id"),
            Some("last_modified") => list_sql!("last_modified, id"),
            Some("-last_modified") => list_sql!("last_modified DESC, id"),
            // datasets, reuses and views counts arrive with their areas; until then, newest first.
            _ => list_sql!("created_at DESC, id"),
        };
        let items = self
            .query(
                sql,
                params![&pattern, &badge, name, bid, page.page_size, page.offset()],
            )
            .await?
            .iter()
            .map(org_from_row)
            .collect::<StoreResult<_>>()?;
        Ok(Paged { items, total })
    }

    /// Organizations whose name or acronym contains `q`, most followed first.
    pub async fn suggest_organizations(
        &self,
        q: &str,
        size: i64,
    ) -> StoreResult<Vec<Organization>> {
        self.query(
            "SELECT doc, followers, members_count FROM organizations WHERE deleted IS NULL AND search LIKE $1 \
             ORDER BY followers DESC, name LIMIT $2",
            params![like_pattern(q), size],
        )
        .await?
        .iter()
        .map(org_from_row)
        .collect()
    }

    /// The members of an organization with their user records, oldest membership first.
    pub async fn members_of(&self, org_id: &str) -> StoreResult<Vec<(Membership, User)>> {
        self.query(
            "SELECT m.org_id, m.role, m.since, u.doc, u.followers FROM members m JOIN users u ON u.id = m.user_id \
             WHERE m.org_id = $1 ORDER BY m.since, m.user_id",
            params![org_id],
        )
        .await?
        .iter()
        .map(member_from_row)
        .collect()
    }

    /// The members of several organizations (a page of a list), keyed by organization id, in
    /// few indexed queries rather than one per organization.
    pub async fn members_of_many(
        &self,
        org_ids: &[String],
    ) -> StoreResult<HashMap<String, Vec<(Membership, User)>>> {
        const CHUNK: usize = 20;
        const SQL: &str = "SELECT m.org_id, m.role, m.since, u.doc, u.followers FROM members m \
             JOIN users u ON u.id = m.user_id WHERE m.org_id IN ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
             $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) ORDER BY m.org_id, m.since, m.user_id";
        let mut members: HashMap<String, Vec<(Membership, User)>> = HashMap::new();
        for chunk in org_ids.chunks(CHUNK) {
            let mut params: Vec<Value> = chunk.iter().map(Value::from).collect();
            params.resize(CHUNK, Value::Text(None));
            for row in self.query(SQL, params).await? {
                let (membership, user) = member_from_row(&row)?;
                members
                    .entry(membership.org_id.clone())
                    .or_default()
                    .push((membership, user));
            }
        }
        Ok(members)
    }

    /// The role of a user in an organization, if a member.
    pub async fn member_role(&self, org_id: &str, user_id: &str) -> StoreResult<Option<OrgRole>> {
        Ok(self
            .query_one(
                "SELECT role FROM members WHERE org_id = $1 AND user_id = $2",
                params![org_id, user_id],
            )
            .await?
            .map(|r| r.text(0))
            .transpose()?
            .and_then(|role| OrgRole::parse(&role)))
    }

    fn members_count_stmts(org_id: &str, now: Micros) -> Vec<Stmt> {
        vec![
            Stmt::new(
                "UPDATE organizations SET members_count = (SELECT COUNT(*) FROM members WHERE org_id = $1), \
                 version = version + 1 WHERE id = $1",
                params![org_id],
            ),
            Stmt::change("organization", org_id, "update", now),
        ]
    }

    /// Adds a member; `Conflict` if already a member.
    pub async fn add_member(
        &self,
        org_id: &str,
        user_id: &str,
        role: OrgRole,
        now: Micros,
    ) -> StoreResult<()> {
        let mut stmts = vec![Self::insert_member_stmt(org_id, user_id, role, now)];
        stmts.extend(Self::members_count_stmts(org_id, now));
        self.write(stmts).await.map(drop)
    }

    /// Changes a member's role; `Conflict` if not a member.
    pub async fn set_member_role(
        &self,
        org_id: &str,
        user_id: &str,
        role: OrgRole,
        now: Micros,
    ) -> StoreResult<()> {
        self.write(vec![
            Stmt::new(
                "UPDATE members SET role = $3 WHERE org_id = $1 AND user_id = $2",
                params![org_id, user_id, role.as_str()],
            )
            .expect_one(),
            Stmt::change("organization", org_id, "update", now),
        ])
        .await
        .map(drop)
    }

    /// Removes a member; `Conflict` if not a member.
    pub async fn remove_member(&self, org_id: &str, user_id: &str, now: Micros) -> StoreResult<()> {
        let mut stmts = vec![
            Stmt::new(
                "DELETE FROM members WHERE org_id = $1 AND user_id = $2",
                params![org_id, user_id],
            )
            .expect_one(),
        ];
        stmts.extend(Self::members_count_stmts(org_id, now));
        self.write(stmts).await.map(drop)
    }

    /// The user's pending request to join the organization, if any.
    pub async fn pending_request(
        &self,
        org_id: &str,
        user_id: &str,
    ) -> StoreResult<Option<MembershipRequest>> {
        self.query_one(
            "SELECT id, org_id, user_id, status, comment, created, handled_by, handled_on, refusal_comment \
             FROM membership_requests WHERE org_id = $1 AND user_id = $2 AND status = 'pending'",
            params![org_id, user_id],
        )
        .await?
        .map(|r| request_from_row(&r))
        .transpose()
    }

    pub async fn membership_request(&self, id: &str) -> StoreResult<Option<MembershipRequest>> {
        self.query_one(
            "SELECT id, org_id, user_id, status, comment, created, handled_by, handled_on, refusal_comment \
             FROM membership_requests WHERE id = $1",
            params![id],
        )
        .await?
        .map(|r| request_from_row(&r))
        .transpose()
    }

    /// Creates a request, or updates the comment of a pending one.
    pub async fn save_membership_request(
        &self,
        request: &MembershipRequest,
        now: Micros,
    ) -> StoreResult<()> {
        self.write(vec![
            Stmt::new(
                "INSERT INTO membership_requests (id, org_id, user_id, status, comment, created, handled_by, handled_on, refusal_comment) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO UPDATE SET status = excluded.status, \
                 comment = excluded.comment, handled_by = excluded.handled_by, handled_on = excluded.handled_on, \
                 refusal_comment = excluded.refusal_comment",
                params![&request.id, &request.org_id, &request.user_id, &request.status, request.comment.clone(),
                    request.created, request.handled_by.clone(), request.handled_on, request.refusal_comment.clone()],
            ),
            Stmt::change("membership_request", &request.id, "update", now),
        ])
        .await
        .map(drop)
    }

    /// Accepts a request: the request is marked and the user becomes an editor, atomically.
    /// `Conflict` if the user is already a member.
    pub async fn accept_membership_request(
        &self,
        request: &MembershipRequest,
        now: Micros,
    ) -> StoreResult<()> {
        let mut stmts = vec![
            Stmt::new(
                "UPDATE membership_requests SET status = 'accepted', handled_by = $2, handled_on = $3 WHERE id = $1",
                params![&request.id, request.handled_by.clone(), now],
            )
            .expect_one(),
            Stmt::new(
                "INSERT INTO members (org_id, user_id, role, since) VALUES ($1, $2, 'editor', $3)",
                params![&request.org_id, &request.user_id, now],
            ),
            Stmt::change("membership_request", &request.id, "update", now),
        ];
        stmts.extend(Self::members_count_stmts(&request.org_id, now));
        self.write(stmts).await.map(drop)
    }

    /// Membership requests of an organization, optionally by status and user, oldest first (the
    /// order uData keeps them in).
    pub async fn membership_requests(
        &self,
        org_id: &str,
        status: Option<&str>,
        user_id: Option<&str>,
    ) -> StoreResult<Vec<MembershipRequest>> {
        self.query(
            "SELECT id, org_id, user_id, status, comment, created, handled_by, handled_on, refusal_comment \
             FROM membership_requests WHERE org_id = $1 AND (CAST($2 AS TEXT) IS NULL OR status = $2) AND (CAST($3 AS TEXT) IS NULL OR user_id = $3) \
             ORDER BY created, id",
            params![org_id, status, user_id],
        )
        .await?
        .iter()
        .map(request_from_row)
        .collect()
    }

    /// Soft-deletes an organization.
    pub async fn delete_organization(
        &self,
        org: &mut Organization,
        now: Micros,
    ) -> StoreResult<()> {
        org.deleted = Some(now);
        org.last_modified = now;
        self.write(vec![
            Stmt::new(
                "UPDATE organizations SET deleted = $2, last_modified = $2, doc = $3, version = version + 1 WHERE id = $1",
                params![&org.id, now, doc(org)],
            )
            .expect_one(),
            Stmt::change("organization", &org.id, "delete", now),
        ])
        .await
        .map(drop)
    }
}

/// The filters of `GET /organizations/`.
#[derive(Debug, Clone, Default)]
pub struct OrganizationFilter {
    pub q: Option<String>,
    pub badge: Option<String>,
    pub name: Option<String>,
    pub business_number_id: Option<String>,
    pub sort: Option<String>,
}
