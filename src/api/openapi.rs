//! The OpenAPI descriptions, generated from the handlers' annotations (never written by hand),
//! one per API version, served at `/api/1/swagger.json` and `/api/2/swagger.json`, each with a
//! browsable page (`/api/1/`, `/api/2/`) that works offline.

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

/// A served version of the API: where it lives and what its document says of it.
pub struct ApiVersion {
    /// `/api/1`: the routes, `swagger.json` and the docs page are under it.
    pub prefix: &'static str,
    title: &'static str,
    description: &'static str,
    /// Adds the models that are only embedded in others, so they are listed even before an
    /// operation returns them directly.
    embedded_models: fn(&mut Components),
}

pub const V1: ApiVersion = ApiVersion {
    prefix: "/api/1",
    title: "Plateau API (uData /api/1/ compatible)",
    description: "The data.gouv.fr API as served by uData v14.13, served by Plateau. \
        Authenticate writes with the X-API-KEY header; limit returned fields with X-Fields.",
    embedded_models: v1_embedded_models,
};

pub const V2: ApiVersion = ApiVersion {
    prefix: "/api/2",
    title: "Plateau API (uData /api/2/ compatible)",
    description: "The searches of data.gouv.fr's /api/2/ as served by uData v14.13, served by \
        Plateau. Limit returned fields with X-Fields.",
    embedded_models: |_| {},
};

/// The document the routes of a version are added to.
pub fn base(version: &ApiVersion) -> OpenApi {
    let mut spec = OpenApi::default();
    spec.info.title = version.title.into();
    spec.info.version = env!("CARGO_PKG_VERSION").into();
    spec.info.description = Some(version.description.into());
    (version.embedded_models)(spec.components.get_or_insert_with(Default::default));
    spec
}

/// Adds what only the whole document knows: the server prefix and the API-key scheme.
pub fn finish(version: &ApiVersion, mut spec: OpenApi) -> OpenApi {
    spec.servers = Some(vec![Server::new(version.prefix)]);
    spec.components
        .get_or_insert_with(Default::default)
        .add_security_scheme(
            "apikey",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-API-KEY"))),
        );
    spec
}

fn v1_embedded_models(components: &mut Components) {
    add_schema::<refs::UserReference>(components);
    add_schema::<refs::MemberUserWithEmail>(components);
    add_schema::<refs::OrganizationReference>(components);
    add_schema::<refs::BadgeJson>(components);
    add_schema::<refs::UserJson>(components);
    add_schema::<super::followers::FollowJson>(components);
    add_schema::<super::images::UploadedImage>(components);
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

/// `{prefix}/swagger.json` and the Swagger UI (vendored, no network needed) under
/// `{prefix}/docs/`; `{prefix}/` leads there.
pub fn docs_routes(version: &ApiVersion, spec: OpenApi) -> Router<AppState> {
    let docs = format!("{}/docs/", version.prefix);
    let ui: Router<AppState> = SwaggerUi::new(format!("{}/docs", version.prefix))
        .url(format!("{}/swagger.json", version.prefix), spec)
        .into();
    ui.route(
        &format!("{}/", version.prefix),
        get(move || async move { Redirect::to(&docs).into_response() }),
    )
}
