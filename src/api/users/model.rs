//! The representations and queries of the users namespace, beside `refs::UserJson` (`User`).

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::store::users::USER_SORTS;

/// A site-wide role (`UserRole`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = UserRole)]
pub struct UserRole {
    pub name: String,
}

/// A user suggestion (`UserSuggestion`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = UserSuggestion)]
pub struct UserSuggestion {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    /// The 500px avatar thumbnail.
    pub avatar_url: Option<String>,
    /// The whole address for sysadmins, only its domain (`***@example.org`) for others.
    pub email: Option<String>,
    pub slug: String,
}

/// Query of `GET /users/`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListQuery {
    /// The search query.
    pub q: Option<String>,
    /// The field (and direction, `-` for descending) on which sorting applies.
    #[param(schema_with = sort_schema)]
    pub sort: Option<String>,
    /// The page to display (from 1).
    #[param(value_type = Option<i64>)]
    pub page: Option<String>,
    /// The page size (20 by default).
    #[param(value_type = Option<i64>)]
    pub page_size: Option<String>,
}

fn sort_schema() -> utoipa::openapi::schema::Object {
    let values: Vec<String> = USER_SORTS
        .iter()
        .map(|s| s.to_string())
        .chain(USER_SORTS.iter().map(|s| format!("-{s}")))
        .collect();
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(values))
        .build()
}

/// Query of `GET /users/suggest/`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestQuery {
    /// The string to autocomplete/suggest (required).
    pub q: Option<String>,
    /// The amount of suggestion to fetch (between 1 and 20, 10 by default).
    #[param(value_type = Option<i64>)]
    pub size: Option<String>,
}

/// Query of `DELETE /users/{user}/`. Plateau sends no mail and has no comments yet, so the
/// flags are accepted and have no effect.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteUserQuery {
    /// Send formal legal notice with appeal information to owner (admin only).
    #[param(value_type = Option<bool>)]
    pub send_legal_notice: Option<String>,
    /// Do not send the simple deletion notification email.
    #[param(value_type = Option<bool>)]
    pub no_mail: Option<String>,
    /// Delete comments posted by the user upon user deletion.
    #[param(value_type = Option<bool>)]
    pub delete_comments: Option<String>,
}

/// The path parameter of `/users/{user}/…`: an id or a slug.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct UserPath {
    /// The user's id or slug.
    pub user: String,
}

/// The path parameter of `/users/{id}/followers/`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct FollowedPath {
    /// The user's id (listing also accepts the slug).
    pub id: String,
}

/// `***@domain`: what non-sysadmins see of an address in suggestions.
pub fn email_domain_only(email: &str) -> String {
    match email.rsplit_once('@') {
        Some((_, domain)) => format!("***@{domain}"),
        None => "***".into(),
    }
}
