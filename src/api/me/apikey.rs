//! `POST` and `DELETE /me/apikey/`: the caller's API key.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::error::ApiResult;
use crate::api::extract::Auth;
use crate::api::state::AppState;
use crate::domain::secrets::generate_api_key;
use crate::domain::time::now;

/// A newly generated API key (`ApiKey`), shown this once.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ApiKey)]
pub struct ApiKeyJson {
    pub apikey: String,
}

/// (Re)generates the caller's API key: 201 with the key, which is never shown again (only its
/// keyed hash is stored). Any previous key stops working.
#[utoipa::path(post, path = "/me/apikey/", operation_id = "generate_apikey", tag = "me",
    responses((status = 201, body = ApiKeyJson, description = "API Key generated"), (status = 401)))]
pub async fn generate_apikey(
    State(app): State<AppState>,
    auth: Auth,
) -> ApiResult<(StatusCode, Json<ApiKeyJson>)> {
    let actor = auth.required()?;
    let apikey = generate_api_key();
    app.store
        .set_apikey_hash(
            &actor.user.id,
            Some(app.secret.hash_api_key(&apikey)),
            now(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(ApiKeyJson { apikey })))
}

/// Clears the caller's API key: it stops working at once.
#[utoipa::path(delete, path = "/me/apikey/", operation_id = "clear_apikey", tag = "me",
    responses((status = 204, description = "API Key deleted/cleared"), (status = 401)))]
pub async fn clear_apikey(State(app): State<AppState>, auth: Auth) -> ApiResult<StatusCode> {
    let actor = auth.required()?;
    app.store
        .set_apikey_hash(&actor.user.id, None, now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
