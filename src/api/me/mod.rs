//! `/me/`: the authenticated caller's own account, API key, avatar, content and metrics.

mod apikey;
mod avatar;
mod lists;
mod profile;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::state::AppState;

pub const OPERATIONS: &[&str] = &[
    "GET /me/",
    "PUT /me/",
    "DELETE /me/",
    "POST /me/apikey/",
    "DELETE /me/apikey/",
    "POST /me/avatar/",
    "GET /me/datasets/",
    "GET /me/reuses/",
    "GET /me/metrics/",
    "GET /me/org_datasets/",
    "GET /me/org_reuses/",
    "GET /me/org_community_resources/",
    "GET /me/org_discussions/",
];

pub const MODELS: &[(&str, &str)] = &[
    ("Me", "Me"),
    ("ApiKey", "ApiKey"),
    ("MyMetrics", "MyMetrics"),
];

/// The me routes with their OpenAPI descriptions.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(
            profile::get_me,
            profile::update_me,
            profile::delete_me
        ))
        .routes(routes!(apikey::generate_apikey, apikey::clear_apikey))
        .routes(routes!(avatar::my_avatar))
        .routes(routes!(lists::my_datasets))
        .routes(routes!(lists::my_reuses))
        .routes(routes!(lists::my_metrics))
        .routes(routes!(lists::my_org_datasets))
        .routes(routes!(lists::my_org_reuses))
        .routes(routes!(lists::my_org_community_resources))
        .routes(routes!(lists::my_org_discussions))
}
