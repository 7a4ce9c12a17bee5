//! Users, their secrets and their memberships.

use super::sql::{Row, Stmt};
use super::{PageRequest, Paged, Store, StoreError, StoreResult, like_pattern};
use crate::domain::organization::{OrgRole, Organization};
use crate::domain::slug;
use crate::domain::time::Micros;
use crate::domain::user::User;
use crate::params;

/// Sort orders of the users list (`sort=` values without the `-` prefix).
pub const USER_SORTS: &[&str] = &[
    "last_name",
    "first_name",
    "datasets",
    "reuses",
    "followers",
    "views",
    "created",
];

pub(crate) fn user_from_row(row: &Row) -> StoreResult<User> {
    let mut user: User = serde_json::from_str(row.str(0)?)
        .map_err(|e| StoreError::Internal(format!("corrupt user document: {e}")))?;
    user.followers = row.int(1)?;
    Ok(user)
}

fn doc(user: &User) -> String {
    serde_json::to_string(user).expect("a user serializes")
}

impl Store {
    /// Creates a user with a unique slug from their full name. Fails with `Conflict` when the
    /// email is taken.
    pub async fn create_user(
        &self,
        mut user: User,
        password_hash: Option<String>,
    ) -> StoreResult<User> {
        let base = slug::slugify(&user.full_name());
        for attempt in 0..5 {
            user.slug = self.free_slug("users", &base).await?;
            let stmts = vec![
                Self::insert_user_stmt(&user, password_hash.clone()),
                Stmt::change("user", &user.id, "create", user.since),
            ];
            match self.write(stmts).await {
                Ok(_) => return Ok(user),
                Err(StoreError::Conflict(msg)) if msg.contains("slug") && attempt < 4 => continue,
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Conflict("could not find a free slug".into()))
    }

    /// Inserts a user row (its slug already chosen).
    pub(crate) fn insert_user_stmt(user: &User, password_hash: Option<String>) -> Stmt {
        Stmt::new(
            "INSERT INTO users (id, slug, email, password_hash, is_admin, active, deleted, created_at, search, doc, \
             first_name, last_name, followers) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            params![
                &user.id,
                &user.slug,
                user.email.to_lowercase(),
                password_hash,
                user.is_sysadmin(),
                user.active,
                user.deleted,
                user.since,
                user.search_text(),
                doc(user),
                slug::fold(&user.first_name),
                slug::fold(&user.last_name),
                user.followers
            ],
        )
    }

    /// The first free slug `base`, `base-1`… in `table` (which must have a `slug` column).
    pub(crate) async fn free_slug(&self, table: &'static str, base: &str) -> StoreResult<String> {
        let sql: &'static str = match table {
            "users" => "SELECT slug FROM users WHERE slug = $1 OR slug LIKE $2",
            "organizations" => "SELECT slug FROM organizations WHERE slug = $1 OR slug LIKE $2",
            "datasets" => "SELECT slug FROM datasets WHERE slug = $1 OR slug LIKE $2",
            other => return Err(StoreError::Internal(format!("no slugs in {other}"))),
        };
        let base = if base.is_empty() {
            "object".to_owned()
        } else {
            base.to_owned()
        };
        let taken: std::collections::HashSet<String> = self
            .query(sql, params![&base, format!("{base}-%")])
            .await?
            .iter()
            .map(|r| r.text(0))
            .collect::<StoreResult<_>>()?;
        let history_sql: &'static str = "SELECT old_slug FROM slug_history WHERE kind = $1 AND (old_slug = $2 OR old_slug LIKE $3)";
        let kind = match table {
            "users" => "user",
            "datasets" => "dataset",
            _ => "organization",
        };
        let historic: std::collections::HashSet<String> = self
            .query(history_sql, params![kind, &base, format!("{base}-%")])
            .await?
            .iter()
            .map(|r| r.text(0))
            .collect::<StoreResult<_>>()?;
        Ok((0..)
            .map(|n| slug::candidate(&base, n))
            .find(|c| !taken.contains(c) && !historic.contains(c))
            .expect("an unbounded sequence has a free candidate"))
    }

    pub async fn user_by_id(&self, id: &str) -> StoreResult<Option<User>> {
        self.query_one(
            "SELECT doc, followers FROM users WHERE id = $1",
            params![id],
        )
        .await?
        .map(|r| user_from_row(&r))
        .transpose()
    }

    /// The users of `ids` that exist, in one statement.
    pub async fn users_by_ids(&self, ids: &[String]) -> StoreResult<Vec<User>> {
        self.query(
            "SELECT doc, followers FROM users WHERE id IN (SELECT value FROM plateau_list($1))",
            params![super::list_param(ids)],
        )
        .await?
        .iter()
        .map(user_from_row)
        .collect()
    }

    /// A user by id or slug.
    pub async fn user_by_ref(&self, id_or_slug: &str) -> StoreResult<Option<User>> {
        if let Some(user) = self.user_by_id(id_or_slug).await? {
            return Ok(Some(user));
        }
        self.query_one(
            "SELECT doc, followers FROM users WHERE slug = $1",
            params![id_or_slug],
        )
        .await?
        .map(|r| user_from_row(&r))
        .transpose()
    }

    pub async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        self.query_one(
            "SELECT doc, followers FROM users WHERE email = $1",
            params![email.to_lowercase()],
        )
        .await?
        .map(|r| user_from_row(&r))
        .transpose()
    }

    /// The user whose API key hashes to `hash`, with the stored hash for a constant-time check.
    pub async fn user_by_apikey_hash(&self, hash: &str) -> StoreResult<Option<(User, String)>> {
        match self
            .query_one(
                "SELECT doc, followers, apikey_hash FROM users WHERE apikey_hash = $1",
                params![hash],
            )
            .await?
        {
            Some(row) => Ok(Some((user_from_row(&row)?, row.text(2)?))),
            None => Ok(None),
        }
    }

    pub async fn password_hash(&self, user_id: &str) -> StoreResult<Option<String>> {
        Ok(
            match self
                .query_one(
                    "SELECT password_hash FROM users WHERE id = $1",
                    params![user_id],
                )
                .await?
            {
                Some(row) => row.opt_text(0)?,
                None => None,
            },
        )
    }

    /// Saves a changed user document (profile, roles, active flag, email).
    pub async fn update_user(
        &self,
        user: &User,
        password_hash: Option<String>,
        now: Micros,
    ) -> StoreResult<()> {
        let mut stmts = vec![
            Stmt::new(
                "UPDATE users SET email = $2, is_admin = $3, active = $4, deleted = $5, search = $6, doc = $7, \
                 first_name = $8, last_name = $9, version = version + 1 WHERE id = $1",
                params![&user.id, user.email.to_lowercase(), user.is_sysadmin(), user.active, user.deleted,
                    user.search_text(), doc(user), slug::fold(&user.first_name), slug::fold(&user.last_name)],
            )
            .expect_one(),
            Stmt::change("user", &user.id, "update", now),
        ];
        if let Some(hash) = password_hash {
            stmts.push(Stmt::new(
                "UPDATE users SET password_hash = $2 WHERE id = $1",
                params![&user.id, hash],
            ));
        }
        self.write(stmts).await.map(drop)
    }

    /// Sets (or clears, with `None`) the hash of the user's API key.
    pub async fn set_apikey_hash(
        &self,
        user_id: &str,
        hash: Option<String>,
        now: Micros,
    ) -> StoreResult<()> {
        self.write(vec![
            Stmt::new(
                "UPDATE users SET apikey_hash = $2 WHERE id = $1",
                params![user_id, hash],
            )
            .expect_one(),
            Stmt::change("user", user_id, "update", now),
        ])
        .await
        .map(drop)
    }

    /// Soft-deletes and anonymises a user: memberships and follows (both ways) end, with the
    /// follower counters they fed; the key is revoked.
    pub async fn delete_user(&self, user: &User, now: Micros) -> StoreResult<()> {
        let mut anonymised = user.clone();
        anonymised.anonymise(now);
        let org_ids: Vec<String> = self
            .memberships_of(&user.id)
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let followed: Vec<(String, String)> = self
            .query(
                "SELECT kind, following_id FROM follows WHERE follower_id = $1 AND until IS NULL",
                params![&user.id],
            )
            .await?
            .iter()
            .map(|r| Ok((r.text(0)?, r.text(1)?)))
            .collect::<StoreResult<_>>()?;
        let mut stmts = vec![
            Stmt::new(
                "UPDATE users SET email = $2, active = 0, deleted = $3, apikey_hash = NULL, password_hash = NULL, \
                 search = $4, doc = $5, first_name = 'deleted', last_name = 'deleted', slug = $6, followers = 0, version = version + 1 WHERE id = $1",
                params![&user.id, &anonymised.email, now, anonymised.search_text(), doc(&anonymised), &anonymised.slug],
            )
            .expect_one(),
            Stmt::new("DELETE FROM members WHERE user_id = $1", params![&user.id]),
            Stmt::new("UPDATE follows SET until = $2 WHERE follower_id = $1 AND until IS NULL", params![&user.id, now]),
            Stmt::new("UPDATE follows SET until = $2 WHERE kind = 'user' AND following_id = $1 AND until IS NULL", params![&user.id, now]),
            // The counters of what the user followed drop with the closed follows.
            Stmt::new(
                "UPDATE organizations SET followers = (SELECT COUNT(*) FROM follows f WHERE f.kind = 'organization' \
                 AND f.following_id = organizations.id AND f.until IS NULL) \
                 WHERE id IN (SELECT following_id FROM follows WHERE follower_id = $1 AND kind = 'organization' AND until = $2)",
                params![&user.id, now],
            ),
            Stmt::new(
                "UPDATE users SET followers = (SELECT COUNT(*) FROM follows f WHERE f.kind = 'user' \
                 AND f.following_id = users.id AND f.until IS NULL) \
                 WHERE id IN (SELECT following_id FROM follows WHERE follower_id = $1 AND kind = 'user' AND until = $2)",
                params![&user.id, now],
            ),
            Stmt::new(
                "UPDATE datasets SET followers = (SELECT COUNT(*) FROM follows f WHERE f.kind = 'dataset' \
                 AND f.following_id = datasets.id AND f.until IS NULL) \
                 WHERE id IN (SELECT following_id FROM follows WHERE follower_id = $1 AND kind = 'dataset' AND until = $2)",
                params![&user.id, now],
            ),
            Stmt::change("user", &user.id, "delete", now),
        ];
        for org_id in &org_ids {
            stmts.push(Stmt::new(
                "UPDATE organizations SET members_count = (SELECT COUNT(*) FROM members WHERE org_id = $1) WHERE id = $1",
                params![org_id],
            ));
            stmts.push(Stmt::change("organization", org_id, "update", now));
        }
        for (kind, id) in &followed {
            stmts.push(Stmt::change(kind, id, "update", now));
        }
        self.write(stmts).await.map(drop)
    }

    /// `(organization id, role)` of every membership of a user.
    pub async fn memberships_of(&self, user_id: &str) -> StoreResult<Vec<(String, OrgRole)>> {
        self.query(
            "SELECT org_id, role FROM members WHERE user_id = $1",
            params![user_id],
        )
        .await?
        .iter()
        .map(|r| {
            let role = OrgRole::parse(&r.text(1)?).unwrap_or(OrgRole::Editor);
            Ok((r.text(0)?, role))
        })
        .collect()
    }

    /// The organizations (deleted ones excluded) a user is a member of, oldest membership first.
    pub async fn organizations_of(&self, user_id: &str) -> StoreResult<Vec<Organization>> {
        self.query(
            "SELECT o.doc, o.followers, o.members_count FROM members m JOIN organizations o ON o.id = m.org_id \
             WHERE m.user_id = $1 AND o.deleted IS NULL ORDER BY m.since, o.id",
            params![user_id],
        )
        .await?
        .iter()
        .map(|row| {
            // Same columns as the organizations area reads; its row parser is private to it.
            let mut org: Organization = serde_json::from_str(row.str(0)?).map_err(|e| {
                StoreError::Internal(format!("corrupt organization document: {e}"))
            })?;
            org.followers = row.int(1)?;
            org.members_count = row.int(2)?;
            Ok(org)
        })
        .collect()
    }

    /// A page of users (deleted ones excluded), optionally filtered by free text.
    pub async fn list_users(
        &self,
        q: Option<&str>,
        sort: Option<&str>,
        page: PageRequest,
    ) -> StoreResult<Paged<User>> {
        let pattern = like_pattern(q.unwrap_or(""));
        let total = self
            .count(
                "SELECT COUNT(*) FROM users WHERE deleted IS NULL AND search LIKE $1",
                params![&pattern],
            )
            .await?;
        let sql: &'static str = match sort {
            Some("last_name") => {
                "SELECT doc, followers FROM users WHERE deleted IS NULL AND search LIKE $1 ORDER BY last_name, id LIMIT $2 OFFSET $3"
            }
            Some("-last_name") => {
                "SELECT doc, followers FROM users WHERE deleted IS NULL AND search LIKE $1 ORDER BY last_name DESC, id LIMIT $2 OFFSET $3"
            }
            Some("first_name") => {
                "SELECT doc, followers FROM users WHERE deleted IS NULL AND search LIKE $1 ORDER BY first_name, id LIMIT $2 OFFSET $3"
            }
            Some("-first_name") => {
                "SELECT doc, followers FROM users WHERE deleted IS NULL AND search LIKE $1 ORDER BY first_name DESC, id LIMIT $2 OFFSET $3"
            }
            Some("followers") => {
                "SELECT doc, followers FROM users WHERE deleted IS NULL AND search LIKE $1 ORDER BY followers, id LIMIT $2 OFFSET $3"
            }
            Some("-followers") => {
                "SELECT doc, followers FROM users WHERE deleted IS NULL AND search LIKE $1 ORDER BY followers DESC, id LIMIT $2 OFFSET $3"
            }
            Some("-created") => {
                "SELECT doc, followers FROM users WHERE deleted IS NULL AND search LIKE $1 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3"
            }
            Some("created") => {
                "SELECT doc, followers FROM users WHERE deleted IS NULL AND search LIKE $1 ORDER BY created_at, id LIMIT $2 OFFSET $3"
            }
            // datasets, reuses and views counts come with later areas; until then they order like creation.
            _ => {
                "SELECT doc, followers FROM users WHERE deleted IS NULL AND search LIKE $1 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3"
            }
        };
        let items = self
            .query(sql, params![&pattern, page.page_size, page.offset()])
            .await?
            .iter()
            .map(user_from_row)
            .collect::<StoreResult<_>>()?;
        Ok(Paged { items, total })
    }

    /// Users (deleted ones excluded) whose folded full name contains `q` folded, newest first:
    /// the suggestions served while the user index is first built (by name, as the index
    /// matches, so a renamed user is not found under the old name its slug keeps).
    pub async fn suggest_users(&self, q: &str, size: i64) -> StoreResult<Vec<User>> {
        self.query(
            "SELECT doc, followers FROM users WHERE deleted IS NULL \
             AND first_name || ' ' || last_name LIKE $1 ORDER BY created_at DESC, id LIMIT $2",
            params![like_pattern(q), size],
        )
        .await?
        .iter()
        .map(user_from_row)
        .collect()
    }
}
