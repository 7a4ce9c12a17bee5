//! `--metrics-listen`: the Prometheus exposition, scraped over HTTP from its own listener.
//!
//! The recorder is one per process and every test of this binary that runs after it is
//! installed records into it too, so these tests compare counters before and after their own
//! requests (others only add to them) and read gauges, which a scrape samples and renders
//! under one lock, from their own app.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::process::Stdio;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::json;

use crate::both;
use crate::cli::plateau;
use crate::common::{Backend, TestApp, TestConfig, create_pg_database};
use crate::datasets::{create_dataset, dataset_path};

/// One sample of the exposition: a name, its labels and its value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// The samples of a Prometheus text exposition (comments skipped).
fn parse(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let name_end = line
                .find(['{', ' '])
                .expect("a name then labels or a value");
            let name = line[..name_end].to_owned();
            let mut labels = BTreeMap::new();
            let mut rest = &line[name_end..];
            if let Some(inner) = rest.strip_prefix('{') {
                let mut chars = inner.char_indices();
                let (mut key, mut value, mut in_value, mut escaped) =
                    (String::new(), String::new(), false, false);
                let mut end = 0;
                for (i, c) in chars.by_ref() {
                    match (in_value, c) {
                        (true, _) if escaped => {
                            value.push(c);
                            escaped = false;
                        }
                        (true, '\\') => escaped = true,
                        (true, '"') => {
                            labels.insert(std::mem::take(&mut key), std::mem::take(&mut value));
                            in_value = false;
                        }
                        (true, _) => value.push(c),
                        (false, '"') => in_value = true,
                        (false, '}') => {
                            end = i + 1;
                            break;
                        }
                        (false, '=' | ',') => {}
                        (false, _) => key.push(c),
                    }
                }
                rest = &inner[end..];
            }
            let value = rest.trim().parse().unwrap_or(f64::NAN);
            Sample {
                name,
                labels,
                value,
            }
        })
        .collect()
}

/// The value of the sample `name` whose labels include `labels` (0 when absent: a counter
/// not yet incremented).
fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    find(samples, name, labels).map_or(0.0, |s| s.value)
}

fn find<'a>(samples: &'a [Sample], name: &str, labels: &[(&str, &str)]) -> Option<&'a Sample> {
    samples.iter().find(|s| {
        s.name == name
            && labels
                .iter()
                .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
    })
}

/// GETs `url`: status, content type and body.
async fn get(url: &str) -> (u16, String, String) {
    let response = reqwest::get(url)
        .await
        .expect("the metrics listener answers");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (
        status,
        content_type,
        response.text().await.expect("a text body"),
    )
}

/// The exporter of `t`, serving on a free port of 127.0.0.1.
async fn exporter(t: &TestApp) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let addr = listener.local_addr().expect("its address");
    plateau::api::metrics::spawn(listener, t.app.clone());
    addr
}

async fn scrape(addr: SocketAddr) -> Vec<Sample> {
    let (status, content_type, body) = get(&format!("http://{addr}/metrics")).await;
    assert_eq!(status, 200, "{body}");
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    parse(&body)
}

const DATASET_ROUTE: &str = "/api/1/datasets/{dataset}/";
const REQUESTS: &str = "plateau_http_requests_total";

async fn metrics_count_requests_and_sample_the_store(backend: Backend) {
    plateau::metrics::install();
    // Anonymous requests share one client (the router is called without a peer address): the
    // fifth under /api/ is refused (the unmatched path is not limited).
    let t = TestApp::with_config(
        backend,
        TestConfig {
            rate_limit: 4,
            ..Default::default()
        },
    )
    .await;
    let addr = exporter(&t).await;
    let before = scrape(addr).await;
    let (_, key) = t.admin().await;
    let d = create_dataset(&t, &key, json!({"title": "Mesures", "description": "."})).await;
    let path = dataset_path(&d);
    // The dataset cache keeps nothing before its first read of the change log.
    let deadline = Instant::now() + Duration::from_secs(10);
    while t.app.dataset_cache.log_age().is_none() {
        assert!(
            Instant::now() < deadline,
            "the dataset cache never reads the log"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // A miss that fills the cache, then a hit.
    for _ in 0..2 {
        assert_eq!(t.get(&path, None).await.status, StatusCode::OK);
    }
    let missing = t.get("/api/1/datasets/no-such-dataset/", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let unmatched = t.get("/api/1/no-such-namespace/", None).await;
    assert_eq!(unmatched.status, StatusCode::NOT_FOUND);
    let searched = t.get("/api/2/datasets/search/?q=mesures", None).await;
    assert_eq!(searched.status, StatusCode::OK, "{:?}", searched.json);
    let limited = t.get(&path, None).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    let after = scrape(addr).await;

    let delta = |name: &str, labels: &[(&str, &str)]| {
        value(&after, name, labels) - value(&before, name, labels)
    };
    let requests = |status: &str| {
        delta(
            REQUESTS,
            &[
                ("method", "GET"),
                ("route", DATASET_ROUTE),
                ("status", status),
            ],
        )
    };
    assert!(requests("200") >= 2.0, "{:?}", find(&after, REQUESTS, &[]));
    assert!(requests("404") >= 1.0);
    assert!(requests("429") >= 1.0);
    assert!(
        delta(
            REQUESTS,
            &[
                ("method", "POST"),
                ("route", "/api/1/datasets/"),
                ("status", "201")
            ]
        ) >= 1.0
    );
    assert!(
        delta(
            REQUESTS,
            &[("route", "unmatched"), ("status", "404"), ("method", "GET")]
        ) >= 1.0
    );
    assert!(
        after
            .iter()
            .filter(|s| s.name == REQUESTS)
            .all(|s| !s.labels["route"].contains("no-such")),
        "raw paths never become labels"
    );
    assert!(delta("plateau_rate_limited_total", &[]) >= 1.0);

    // The latency histogram of the route: its buckets, from half a millisecond to 10 s.
    let histogram = "plateau_http_request_duration_seconds";
    let route = [("method", "GET"), ("route", DATASET_ROUTE)];
    assert!(delta(&format!("{histogram}_count"), &route) >= 4.0);
    for le in ["0.0005", "0.01", "10", "+Inf"] {
        let bucket = [route[0], route[1], ("le", le)];
        assert!(
            find(&after, &format!("{histogram}_bucket"), &bucket).is_some(),
            "no bucket le={le}"
        );
    }
    let in_all = value(
        &after,
        &format!("{histogram}_bucket"),
        &[route[0], route[1], ("le", "+Inf")],
    );
    assert_eq!(in_all, value(&after, &format!("{histogram}_count"), &route));

    // Cache lookups: the two dataset GETs asked the dataset cache, the search its results.
    let hits = |cache: &str| delta("plateau_cache_hits_total", &[("cache", cache)]);
    let misses = |cache: &str| delta("plateau_cache_misses_total", &[("cache", cache)]);
    assert!(hits("dataset_answers") >= 1.0);
    assert!(misses("dataset_answers") >= 1.0);
    assert!(hits("search_results") + misses("search_results") >= 1.0);

    // Gauges sampled from this app's store, indexer and dataset cache.
    let pool = match backend {
        Backend::Sqlite => "sqlite_readers",
        Backend::Postgres => "postgresql",
    };
    let gauge = |name: &str, labels: &[(&str, &str)]| {
        find(&after, name, labels)
            .unwrap_or_else(|| panic!("no gauge {name} {labels:?}"))
            .value
    };
    let size = gauge("plateau_store_pool_connections", &[("pool", pool)]);
    let available = gauge("plateau_store_pool_available", &[("pool", pool)]);
    assert!(size >= 1.0, "{size}");
    assert!((0.0..=size).contains(&available), "{available} of {size}");
    assert_eq!(gauge("plateau_store_pool_waiting", &[("pool", pool)]), 0.0);
    assert_eq!(
        gauge("plateau_store_pool_max_connections", &[("pool", pool)]),
        16.0
    );
    let head = gauge("plateau_change_log_head", &[]);
    let position = gauge("plateau_search_index_position", &[]);
    let seq = t.store().last_change().await.expect("the change log");
    assert!(head >= 1.0 && head <= seq as f64, "{head} of {seq}");
    assert!(position <= head, "{position} > {head}");
    assert_eq!(
        gauge("plateau_search_index_lag_changes", &[]),
        head - position
    );
    let age = gauge("plateau_dataset_cache_log_age_seconds", &[]);
    assert!((0.0..10.0).contains(&age), "{age}");
    assert!(gauge("plateau_dataset_cache_entries", &[]) >= 0.0);

    let (status, _, _) = get(&format!("http://{addr}/elsewhere")).await;
    assert_eq!(status, 404, "only /metrics is served");
}

/// `plateau serve --metrics-listen`: metrics on their own address, none on the API's.
async fn serve_exposes_metrics_on_their_own_address(backend: Backend) {
    let dir = tempfile::tempdir().expect("temporary dir");
    let (url, _pg) = match backend {
        Backend::Sqlite => (None, None),
        Backend::Postgres => {
            let (url, guard) = create_pg_database().await;
            (Some(url), Some(guard))
        }
    };
    let free_port = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port()
    };
    let (api_port, metrics_port) = (free_port(), free_port());
    let mut command = plateau();
    command
        .args(["serve", "--listen", &format!("127.0.0.1:{api_port}")])
        .args(["--data-dir", &dir.path().display().to_string()])
        .env(
            "PLATEAU_METRICS_LISTEN",
            format!("127.0.0.1:{metrics_port}"),
        )
        .env("PLATEAU_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(url) = &url {
        command.args(["--database-url", url]);
    }
    /// Kills the server when the test ends, passed or not.
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _server = Kill(command.spawn().expect("plateau serve starts"));
    let api = format!("http://127.0.0.1:{api_port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while reqwest::get(format!("{api}/health")).await.is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (status, _, _) = get(&format!("{api}/api/1/datasets/no-such-dataset/")).await;
    assert_eq!(status, 404);
    let (status, _, _) = get(&format!("{api}/metrics")).await;
    assert_eq!(status, 404, "the API does not serve metrics");

    let (status, content_type, body) =
        get(&format!("http://127.0.0.1:{metrics_port}/metrics")).await;
    assert_eq!(status, 200, "{body}");
    assert!(content_type.starts_with("text/plain"));
    let samples = parse(&body);
    let served = |route: &str, status: &str| {
        value(
            &samples,
            REQUESTS,
            &[("method", "GET"), ("route", route), ("status", status)],
        )
    };
    // A process of its own: exact counts (the unmatched request is the API's `/metrics`).
    assert_eq!(served(DATASET_ROUTE, "404"), 1.0, "{body}");
    assert_eq!(served("unmatched", "404"), 1.0, "{body}");
    assert!(served("/health", "200") >= 1.0);
    assert!(body.contains("# HELP plateau_http_requests_total"));
    assert!(body.contains("# TYPE plateau_http_request_duration_seconds histogram"));
    let pool = if url.is_some() {
        "postgresql"
    } else {
        "sqlite_readers"
    };
    assert!(
        find(
            &samples,
            "plateau_store_pool_connections",
            &[("pool", pool)]
        )
        .is_some()
    );
    assert!(find(&samples, "plateau_search_index_lag_changes", &[]).is_some());
}

both!(
    metrics_count_requests_and_sample_the_store,
    serve_exposes_metrics_on_their_own_address
);
