//! `RemoteSite`: a real HTTP server on 127.0.0.1 standing in for the sites Plateau fetches
//! from, counting the connections it accepts and the requests it answers.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use parking_lot::Mutex;

/// A catalogue in schema.data.gouv.fr's format, different from the shipped one.
pub const FIXTURE_CATALOG: &str = r#"{"schemas": [
  {"name": "remote/first", "title": "First", "schema_type": "tableschema",
   "versions": [{"version_name": "1.0.0", "schema_url": "https://example.org/first.json"}]},
  {"name": "remote/second", "title": "Second", "schema_type": "jsonschema", "versions": []},
  {"name": "remote/package", "title": "Package", "schema_type": "datapackage", "versions": []}
]}"#;

/// A geozones export in data.gouv.fr's format (`/geozones.json`): two communes, one deleted
/// entry, and an update of a shipped département.
pub const FIXTURE_GEOZONES: &str = r#"[
  {"_id": "fr:commune:13004", "nom": "Arles", "codeINSEE": "13004", "level": "fr:commune",
   "uri": "http://id.insee.fr/geo/commune/13004", "nomSansArticle": "Arles",
   "codeArticle": null, "type": "Commune", "is_deleted": false},
  {"_id": "fr:commune:75056", "nom": "Paris", "codeINSEE": "75056", "level": "fr:commune",
   "uri": "http://id.insee.fr/geo/commune/75056", "type": "Commune", "is_deleted": false},
  {"_id": "fr:commune:01001", "nom": "Ancienne commune", "codeINSEE": "01001",
   "level": "fr:commune", "uri": null, "type": "Commune", "is_deleted": true},
  {"_id": "fr:departement:13", "nom": "Bouches-du-Rhône", "codeINSEE": "13",
   "level": "fr:departement", "uri": "http://id.insee.fr/geo/departement/13",
   "type": "Departement", "is_deleted": false}
]"#;

/// A levels file in data.gouv.fr's format (`/geolevels.json`): one new level.
pub const FIXTURE_GEOLEVELS: &str = r#"[
  {"id": "fr:commune", "label": "French town", "admin_level": 80, "parents": ["fr:epci"]},
  {"id": "fr:quartier", "label": "French district", "admin_level": 99, "parents": ["fr:commune"]}
]"#;

/// Bytes `/large` and `/large-chunked` send, and `/gzip` sends once decompressed.
pub const LARGE_BODY_BYTES: usize = 200_000;

#[derive(Default)]
struct Counters {
    connections: AtomicUsize,
    requests: AtomicUsize,
    catalog: Mutex<String>,
}

/// The running server; stops when dropped.
pub struct RemoteSite {
    pub addr: SocketAddr,
    counters: Arc<Counters>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RemoteSite {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RemoteSite {
    /// Starts the server on a free port of 127.0.0.1, serving `FIXTURE_CATALOG` at
    /// `/schemas.json`.
    pub async fn start() -> Self {
        let counters = Arc::new(Counters::default());
        *counters.catalog.lock() = FIXTURE_CATALOG.to_owned();
        let router = Router::new()
            .route("/schemas.json", get(catalog))
            .route("/geozones.json", get(|| async { FIXTURE_GEOZONES }))
            .route("/geolevels.json", get(|| async { FIXTURE_GEOLEVELS }))
            .route("/not-json", get(|| async { "<html>maintenance</html>" }))
            .route(
                "/error",
                get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "boom") }),
            )
            .route("/large", get(|| async { vec![b'x'; LARGE_BODY_BYTES] }))
            .route("/large-chunked", get(large_chunked))
            .route("/gzip", get(gzip))
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    "late"
                }),
            )
            .route(
                "/to-schemas",
                get(|| async { Redirect::to("/schemas.json") }),
            )
            .route("/loop", get(|| async { Redirect::to("/loop") }))
            .layer(middleware::from_fn_with_state(counters.clone(), count))
            .with_state(counters.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a test port");
        let addr = listener.local_addr().expect("bound address");
        let connection_counter = counters.clone();
        let listener = listener.tap_io(move |_| {
            connection_counter
                .connections
                .fetch_add(1, Ordering::SeqCst);
        });
        let task = tokio::spawn(async move {
            axum::serve(listener, router).await.expect("serve");
        });
        RemoteSite {
            addr,
            counters,
            task,
        }
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The same URL with `localhost` as host, which resolves to loopback.
    pub fn localhost_url(&self, path: &str) -> String {
        format!("http://localhost:{}{path}", self.addr.port())
    }

    /// Replaces what `/schemas.json` serves.
    pub fn serve_catalog(&self, document: &str) {
        *self.counters.catalog.lock() = document.to_owned();
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.counters.connections.load(Ordering::SeqCst)
    }

    /// Requests answered so far.
    pub fn requests(&self) -> usize {
        self.counters.requests.load(Ordering::SeqCst)
    }
}

async fn count(State(counters): State<Arc<Counters>>, request: Request, next: Next) -> Response {
    counters.requests.fetch_add(1, Ordering::SeqCst);
    next.run(request).await
}

async fn catalog(State(counters): State<Arc<Counters>>) -> Response {
    let document = counters.catalog.lock().clone();
    ([(header::CONTENT_TYPE, "application/json")], document).into_response()
}

/// A body without Content-Length, so only counting while reading can stop it.
async fn large_chunked() -> Response {
    let chunks = (0..LARGE_BODY_BYTES / 1000)
        .map(|_| Ok::<_, std::io::Error>(axum::body::Bytes::from(vec![b'x'; 1000])));
    Body::from_stream(futures_util::stream::iter(chunks)).into_response()
}

/// A small gzip body that decompresses to `LARGE_BODY_BYTES`.
async fn gzip() -> Response {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(&vec![b'x'; LARGE_BODY_BYTES])
        .expect("compress in memory");
    let compressed = encoder.finish().expect("compress in memory");
    ([(header::CONTENT_ENCODING, "gzip")], compressed).into_response()
}
