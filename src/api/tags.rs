//! `/tags/`: suggestions among the tags of public datasets.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::datasets::search::suggest_values_from_index;
use super::error::ApiResult;
use super::extract::ApiQuery;
use super::organizations::lists::SuggestQuery;
use super::state::AppState;

pub const OPERATIONS: &[&str] = &["GET /tags/suggest/"];

/// Suggestions when `size` is absent (uData's `DEFAULT_SIZE`).
const DEFAULT_SUGGESTIONS: i64 = 8;
const MAX_SUGGESTIONS: i64 = 20;

/// The routes of the namespace with their OpenAPI descriptions.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(suggest_tags))
}

/// Tags of public datasets with a word starting with `q`, shortest first: `[{"text": "eau"}]`.
#[utoipa::path(get, path = "/tags/suggest/", operation_id = "suggest_tags", tag = "tags",
    params(SuggestQuery),
    responses((status = 200, description = "`[{\"text\": tag}]`", body = Vec<Object>), (status = 400)))]
pub async fn suggest_tags(
    State(app): State<AppState>,
    ApiQuery(query): ApiQuery<SuggestQuery>,
) -> ApiResult<Json<Vec<Value>>> {
    let (q, size) = query.validated_with(DEFAULT_SUGGESTIONS, MAX_SUGGESTIONS)?;
    let tags = match suggest_values_from_index(&app, "suggest_tag", q, size).await? {
        Some(tags) => tags,
        None => app.store.suggest_tags(q, size).await?,
    };
    Ok(Json(tags.into_iter().map(|t| json!({"text": t})).collect()))
}
