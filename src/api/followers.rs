//! Follow, unfollow and list followers: one mechanism that every followable area's handlers
//! call (organizations and users now; datasets, reuses and the rest later).

use axum::Json;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, ApiResult};
use super::extract::Auth;
use super::pagination::{Envelope, Pagination};
use super::refs::UserReference;
use super::state::AppState;
use crate::domain::time::{iso, now};
use crate::store::Paged;
use crate::store::follows::Followable;

pub const MODELS: &[(&str, &str)] = &[("Follow", "Follow")];

/// A follow as served (`Follow`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Follow)]
pub struct FollowJson {
    pub id: String,
    pub follower: UserReference,
    pub since: String,
}

/// Query of a followers list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FollowersQuery {
    /// Only this follower (user id).
    pub user: Option<String>,
    /// The page number (from 1).
    pub page: Option<i64>,
    /// The page size.
    pub page_size: Option<i64>,
}

/// A page of the active followers of an object.
pub async fn list(
    app: &AppState,
    what: Followable,
    id: &str,
    user: Option<&str>,
    pagination: &Pagination,
) -> ApiResult<Json<Envelope>> {
    let paged = app
        .store
        .followers(what, id, user, pagination.request)
        .await?;
    let items = paged
        .items
        .iter()
        .map(|f| FollowJson {
            id: f.id.clone(),
            follower: UserReference::new(app, &f.follower),
            since: iso(f.since),
        })
        .collect();
    Ok(Json(pagination.envelope(
        app,
        Paged {
            items,
            total: paged.total,
        },
    )?))
}

/// Starts following: 201 when new, 200 when already following; body `{"followers": n}`.
pub async fn follow(
    app: &AppState,
    auth: &Auth,
    what: Followable,
    id: &str,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let actor = auth.required()?;
    let (created, count) = app.store.follow(what, id, &actor.user.id, now()).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(json!({"followers": count}))))
}

/// Stops following: 200 with the new count, 404 when not following.
pub async fn unfollow(
    app: &AppState,
    auth: &Auth,
    what: Followable,
    id: &str,
) -> ApiResult<Json<Value>> {
    let actor = auth.required()?;
    let count = app
        .store
        .unfollow(what, id, &actor.user.id, now())
        .await
        .map_err(|e| match e {
            crate::store::StoreError::NotFound => {
                ApiError::NotFound("You are not following this object".into())
            }
            other => other.into(),
        })?;
    Ok(Json(json!({"followers": count})))
}
