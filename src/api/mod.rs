//! The HTTP API: one module per namespace, plus the shared plumbing every endpoint uses.

pub mod answers;
pub mod contacts;
pub mod datasets;
pub mod error;
pub mod extract;
pub mod files;
pub mod followers;
pub mod images;
pub mod indexed;
pub mod mask;
pub mod me;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod organizations;
pub mod pages;
pub mod pagination;
pub mod paths;
pub mod ratelimit;
pub mod refs;
pub mod site;
pub mod spatial;
pub mod state;
pub mod tags;
pub mod users;

use axum::Router;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use error::ApiError;
use state::AppState;

/// The `/api/1/` routes with their OpenAPI descriptions, registered together.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::base(&openapi::V1))
        .routes(routes!(site::get_site, site::set_site))
        .merge(users::routes())
        .merge(me::routes())
        .merge(organizations::routes())
        .merge(datasets::reference::routes())
        .merge(datasets::routes())
        .merge(contacts::routes())
        .merge(tags::routes())
        .merge(spatial::routes())
}

/// The contract operations (`METHOD /path` as in uData's Swagger) this build serves; the
/// contract test holds each against the generated spec.
pub fn delivered_operations() -> Vec<&'static str> {
    [
        site::OPERATIONS,
        users::OPERATIONS,
        me::OPERATIONS,
        organizations::OPERATIONS,
        datasets::reference::OPERATIONS,
        datasets::OPERATIONS,
        contacts::OPERATIONS,
        tags::OPERATIONS,
        spatial::OPERATIONS,
    ]
    .concat()
}

/// `(our schema, contract definition)` pairs whose field names must match.
pub fn delivered_models() -> Vec<(&'static str, &'static str)> {
    [
        site::MODELS,
        refs::MODELS,
        followers::MODELS,
        images::MODELS,
        users::MODELS,
        me::MODELS,
        organizations::MODELS,
        datasets::reference::MODELS,
        datasets::MODELS,
        contacts::MODELS,
        spatial::MODELS,
    ]
    .concat()
}

/// The `/api/2/` routes (uData's v2 searches) with their OpenAPI descriptions, registered
/// together; the contract test holds every operation registered here against uData's v2 Swagger.
pub fn api2_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::base(&openapi::V2))
        .routes(routes!(datasets::search::search_datasets))
        .routes(routes!(organizations::search::search_organizations))
}

/// The middleware every API request goes through.
fn with_api_layers(api: Router<AppState>, app: &AppState) -> Router<AppState> {
    api.layer(axum::extract::DefaultBodyLimit::max(
        app.settings.max_upload_size,
    ))
    .layer(axum::middleware::from_fn(middleware::apply_mask))
    .layer(axum::middleware::from_fn_with_state(
        app.clone(),
        middleware::authenticate,
    ))
    .layer(axum::middleware::from_fn_with_state(
        app.clone(),
        middleware::rate_limit,
    ))
    .layer(axum::middleware::from_fn(middleware::cors))
}

/// The whole application: API, docs, files and health, with the shared middleware.
pub fn router(app: AppState) -> Router {
    let mut router = Router::new();
    for (version, routes) in [(&openapi::V1, api_routes()), (&openapi::V2, api2_routes())] {
        let (api, spec) = routes.split_for_parts();
        router = router
            .nest(version.prefix, with_api_layers(api, &app))
            .merge(openapi::docs_routes(
                version,
                openapi::finish(version, spec),
            ));
    }
    let router = router
        .route("/health", get(health))
        .route("/s/{*key}", get(files::serve::serve_file))
        .fallback(fallback)
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            ApiError::Internal("a handler panicked".into()).into_response()
        }))
        .layer(axum::middleware::from_fn(middleware::log_request));
    let router = match crate::metrics::handle() {
        Some(_) => router.layer(axum::middleware::from_fn_with_state(
            std::sync::Arc::new(metrics::RequestMetrics::default()),
            metrics::track,
        )),
        None => router,
    };
    router.with_state(app)
}

/// Liveness for load balancers: touches no storage.
async fn health() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"status":"ok"}"#,
    )
        .into_response()
}

/// Unknown paths: uData's paths end with `/`, so a path without one is redirected (308) to it;
/// anything else is a JSON 404.
async fn fallback(uri: Uri) -> Response {
    let path = uri.path();
    if path.starts_with("/api/")
        && !path.ends_with('/')
        && !path.rsplit('/').next().unwrap_or("").contains('.')
    {
        let target = match uri.query() {
            Some(q) => format!("{path}/?{q}"),
            None => format!("{path}/"),
        };
        return Redirect::permanent(&target).into_response();
    }
    (StatusCode::NOT_FOUND, ApiError::not_found()).into_response()
}
