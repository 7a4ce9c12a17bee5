//! What operators see of the HTTP layer: requests counted and timed per route template, and
//! the exporter serving the Prometheus text format on its own address (`--metrics-listen`).
//!
//! The handles of a route template are registered at its first request and kept, so a request
//! costs two clock reads, a map lookup under a read lock and a few atomic operations. Without an
//! installed recorder the router has no such layer at all.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use anyhow::Context;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics::{Counter, Histogram, gauge};
use parking_lot::RwLock;

use super::state::AppState;
use crate::metrics::{
    self as names, CHANGE_LOG_HEAD, DATASET_CACHE_BYTES, DATASET_CACHE_ENTRIES,
    DATASET_CACHE_LOG_AGE, HTTP_DURATION, HTTP_REQUESTS, POOL_AVAILABLE, POOL_MAX, POOL_SIZE,
    POOL_WAITING, SEARCH_INDEX_LAG, SEARCH_INDEX_POSITION, UNMATCHED_ROUTE,
};

/// The methods counted by name; any other is counted as `other`, so labels stay few.
const METHODS: [Method; 7] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::OPTIONS,
];

/// The handles of every route template requested so far.
#[derive(Default)]
pub struct RequestMetrics {
    routes: RwLock<HashMap<Box<str>, Arc<RouteMetrics>>>,
}

/// One route template's handles, per method (the last slot: any other method).
struct RouteMetrics {
    route: Box<str>,
    methods: [OnceLock<MethodMetrics>; METHODS.len() + 1],
}

/// The handles of one method of one route template.
struct MethodMetrics {
    method: &'static str,
    route: String,
    duration: Histogram,
    /// Per status answered so far: a handful.
    statuses: RwLock<Vec<(u16, Counter)>>,
}

impl RequestMetrics {
    /// The handles of `route` (a template, or [`UNMATCHED_ROUTE`]).
    fn route(&self, route: &str) -> Arc<RouteMetrics> {
        if let Some(kept) = self.routes.read().get(route) {
            return Arc::clone(kept);
        }
        let mut routes = self.routes.write();
        Arc::clone(routes.entry(route.into()).or_insert_with(|| {
            Arc::new(RouteMetrics {
                route: route.into(),
                methods: Default::default(),
            })
        }))
    }
}

impl RouteMetrics {
    fn method(&self, method: &Method) -> &MethodMetrics {
        let slot = METHODS
            .iter()
            .position(|m| m == method)
            .unwrap_or(METHODS.len());
        self.methods[slot].get_or_init(|| {
            let method = METHODS.get(slot).map_or("other", Method::as_str);
            let route = self.route.to_string();
            MethodMetrics {
                method,
                duration: metrics::histogram!(HTTP_DURATION, "method" => method, "route" => route.clone()),
                route,
                statuses: RwLock::default(),
            }
        })
    }
}

impl MethodMetrics {
    fn answered(&self, status: StatusCode) {
        let code = status.as_u16();
        if let Some((_, counter)) = self.statuses.read().iter().find(|(s, _)| *s == code) {
            counter.increment(1);
            return;
        }
        let mut statuses = self.statuses.write();
        if let Some((_, counter)) = statuses.iter().find(|(s, _)| *s == code) {
            counter.increment(1);
            return;
        }
        let counter = metrics::counter!(
            HTTP_REQUESTS,
            "method" => self.method,
            "route" => self.route.clone(),
            "status" => code.to_string(),
        );
        counter.increment(1);
        statuses.push((code, counter));
    }
}

/// Counts and times each request under its route template (`MatchedPath`), its method and
/// its status. Applied with `Router::layer`, so that the route is known when it runs.
pub async fn track(
    State(requests): State<Arc<RequestMetrics>>,
    req: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let route = requests.route(
        req.extensions()
            .get::<MatchedPath>()
            .map_or(UNMATCHED_ROUTE, MatchedPath::as_str),
    );
    let method = req.method().clone();
    let response = next.run(req).await;
    let measured = route.method(&method);
    measured.duration.record(started.elapsed().as_secs_f64());
    measured.answered(response.status());
    response
}

/// The exporter's application: `GET /metrics` in the Prometheus text format, nothing else.
pub fn exporter(app: AppState) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .fallback(|| async { (StatusCode::NOT_FOUND, "only /metrics is served here\n") })
        .with_state(app)
}

/// Binds `addr` and serves [`exporter`] there (see [`spawn`]).
pub async fn listen(addr: &str, app: AppState) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} for metrics"))?;
    tracing::info!(metrics_listen = %addr, "serving metrics at /metrics");
    spawn(listener, app);
    Ok(())
}

/// Serves [`exporter`] on `listener` in the background, for as long as the runtime runs.
pub fn spawn(listener: tokio::net::TcpListener, app: AppState) {
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, exporter(app)).await {
            tracing::error!(%error, "the metrics listener stopped");
        }
    });
}

/// One scrape at a time, so that the gauges sampled are those rendered.
static SCRAPE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn scrape(State(app): State<AppState>) -> Response {
    let Some(handle) = names::handle() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "no metrics recorder is installed\n",
        )
            .into_response();
    };
    let _one_at_a_time = SCRAPE.lock().await;
    sample(&app).await;
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

/// Sets the gauges read at scrape time: the store's pool, the search indexer's and the dataset
/// cache's distance to the change log.
async fn sample(app: &AppState) {
    let pool = app.store.pool_status();
    gauge!(POOL_SIZE, "pool" => pool.pool).set(pool.size as f64);
    gauge!(POOL_AVAILABLE, "pool" => pool.pool).set(pool.available as f64);
    gauge!(POOL_WAITING, "pool" => pool.pool).set(pool.waiting as f64);
    gauge!(POOL_MAX, "pool" => pool.pool).set(pool.max_size as f64);
    match app.store.last_change().await {
        Ok(head) => {
            gauge!(CHANGE_LOG_HEAD).set(head as f64);
            if let Some(search) = &app.search {
                let applied = search.applied_position();
                gauge!(SEARCH_INDEX_POSITION).set(applied as f64);
                gauge!(SEARCH_INDEX_LAG).set(head.saturating_sub(applied).max(0) as f64);
            }
        }
        Err(error) => tracing::warn!(%error, "metrics: cannot read the change log's head"),
    }
    let cache = &app.dataset_cache;
    if let Some(age) = cache.log_age() {
        gauge!(DATASET_CACHE_LOG_AGE).set(age.as_secs_f64());
    }
    let (bytes, entries) = cache.usage();
    gauge!(DATASET_CACHE_BYTES).set(bytes as f64);
    gauge!(DATASET_CACHE_ENTRIES).set(entries as f64);
}
