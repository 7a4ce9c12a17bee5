//! The OpenAPI description, generated from the handlers' annotations (never written by hand),
//! served at `/api/1/swagger.json`, with a browsable page at `/api/1/` that works offline.

use axum::Router;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{OpenApi, Server};
use utoipa_swagger_ui::SwaggerUi;

use super::refs;
use super::state::AppState;
use utoipa::ToSchema;
use utoipa::openapi::Components;

/// The document the routes are added to.
pub fn base() -> OpenApi {
    let mut spec = OpenApi::default();
    spec.info.title = "Plateau API (uData /api/1/ compatible)".into();
    spec.info.version = env!("CARGO_PKG_VERSION").into();
    spec.info.description = Some(
        "The data.gouv.fr API as served by uData v14.13, served by Plateau. Authenticate writes with the X-API-KEY header; \
         limit returned fields with X-Fields."
            .into(),
    );
    spec
}

/// Adds what only the whole document knows: the server prefix and the API-key scheme.
pub fn finish(mut spec: OpenApi) -> OpenApi {
    spec.servers = Some(vec![Server::new("/api/1")]);
    let components = spec.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "apikey",
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-API-KEY"))),
    );
    // Models embedded in others are listed even before an operation returns them directly.
    add_schema::<refs::UserReference>(components);
    add_schema::<refs::MemberUserWithEmail>(components);
    add_schema::<refs::OrganizationReference>(components);
    add_schema::<refs::BadgeJson>(components);
    add_schema::<refs::UserJson>(components);
    add_schema::<super::followers::FollowJson>(components);
    add_schema::<super::images::UploadedImage>(components);
    spec
}

fn add_schema<T: ToSchema>(components: &mut Components) {
    let mut nested = Vec::new();
    T::schemas(&mut nested);
    for (name, schema) in nested {
        components.schemas.entry(name).or_insert(schema);
    }
    components
        .schemas
        .entry(T::name().into_owned())
        .or_insert_with(T::schema);
}

/// `/api/1/swagger.json` and the Swagger UI (vendored, no network needed) under `/api/1/docs/`;
/// `/api/1/` leads there.
pub fn docs_routes(spec: OpenApi) -> Router<AppState> {
    let ui: Router<AppState> = SwaggerUi::new("/api/1/docs")
        .url("/api/1/swagger.json", spec)
        .into();
    ui.route(
        "/api/1/",
        get(|| async { Redirect::to("/api/1/docs/").into_response() }),
    )
}
