//! What the server measures, for Prometheus: the names of every metric, the process's one
//! recorder, and the hit/miss counters caches keep.
//!
//! Nothing is recorded until [`install`] is called (`plateau serve --metrics-listen`): before
//! that the `metrics` handles are no-ops. Handles are registered once, when what they measure
//! is created (a cache, a route template), so that recording is an atomic add; anything created
//! before [`install`] keeps no-op handles.

use std::sync::OnceLock;
use std::time::Duration;

use metrics::{Counter, Unit};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Requests answered, by `method`, `route` (template) and `status`.
pub const HTTP_REQUESTS: &str = "plateau_http_requests_total";
/// Time to a response's headers, by `method` and `route`.
pub const HTTP_DURATION: &str = "plateau_http_request_duration_seconds";
/// The `route` label of requests no route matched (never the raw path: labels stay few).
pub const UNMATCHED_ROUTE: &str = "unmatched";
/// Requests refused with 429 by the rate limit.
pub const RATE_LIMITED: &str = "plateau_rate_limited_total";
/// Lookups a cache answered, by `cache`.
pub const CACHE_HITS: &str = "plateau_cache_hits_total";
/// Lookups a cache could not answer, by `cache`.
pub const CACHE_MISSES: &str = "plateau_cache_misses_total";
/// The newest change-log sequence number.
pub const CHANGE_LOG_HEAD: &str = "plateau_change_log_head";
/// The change-log position the search indexes have applied.
pub const SEARCH_INDEX_POSITION: &str = "plateau_search_index_position";
/// Change-log entries the search indexes have still to apply.
pub const SEARCH_INDEX_LAG: &str = "plateau_search_index_lag_changes";
/// Age of the dataset cache's last complete read of the change log (answers are served from
/// the cache only while it is under a second).
pub const DATASET_CACHE_LOG_AGE: &str = "plateau_dataset_cache_log_age_seconds";
/// Bytes the dataset cache counts for its answers.
pub const DATASET_CACHE_BYTES: &str = "plateau_dataset_cache_bytes";
/// Answers the dataset cache keeps.
pub const DATASET_CACHE_ENTRIES: &str = "plateau_dataset_cache_entries";
/// Connections a store pool holds (idle or in use), by `pool`.
pub const POOL_SIZE: &str = "plateau_store_pool_connections";
/// Idle connections of a store pool, by `pool`.
pub const POOL_AVAILABLE: &str = "plateau_store_pool_available";
/// Requests waiting for a connection of a store pool, by `pool`.
pub const POOL_WAITING: &str = "plateau_store_pool_waiting";
/// Connections a store pool keeps at most, by `pool`.
pub const POOL_MAX: &str = "plateau_store_pool_max_connections";

/// Upper bounds of the latency buckets, in seconds: half a millisecond to ten seconds.
pub const DURATION_BUCKETS: [f64; 15] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// How often histogram samples are folded into their buckets between scrapes, so that memory
/// stays flat however rarely the server is scraped.
const UPKEEP: Duration = Duration::from_secs(5);

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process's recorder, once: later calls return the same handle.
pub fn install() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.into()), &DURATION_BUCKETS)
            .expect("the duration buckets are not empty");
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if let Err(error) = metrics::set_global_recorder(recorder) {
            tracing::warn!(%error, "another metrics recorder is installed: nothing is measured");
        }
        describe();
        let upkeep = handle.clone();
        let spawned = std::thread::Builder::new()
            .name("metrics-upkeep".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(UPKEEP);
                    upkeep.run_upkeep();
                }
            });
        if let Err(error) = spawned {
            tracing::warn!(%error, "cannot start the metrics upkeep: histograms are folded at each scrape only");
        }
        handle
    })
}

/// The recorder's handle, once [`install`]ed.
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE.get()
}

/// The HELP lines of the exposition.
fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        HTTP_REQUESTS,
        "Requests answered, by method, route template and status"
    );
    describe_histogram!(
        HTTP_DURATION,
        Unit::Seconds,
        "Time from a request to its response's headers, by method and route template"
    );
    describe_counter!(RATE_LIMITED, "Requests refused with 429 by the rate limit");
    describe_counter!(CACHE_HITS, "Lookups a cache answered");
    describe_counter!(CACHE_MISSES, "Lookups a cache could not answer");
    describe_gauge!(CHANGE_LOG_HEAD, "The newest change-log sequence number");
    describe_gauge!(
        SEARCH_INDEX_POSITION,
        "The change-log position the search indexes have applied"
    );
    describe_gauge!(
        SEARCH_INDEX_LAG,
        "Change-log entries the search indexes have still to apply"
    );
    describe_gauge!(
        DATASET_CACHE_LOG_AGE,
        Unit::Seconds,
        "Age of the dataset cache's last complete read of the change log"
    );
    describe_gauge!(
        DATASET_CACHE_BYTES,
        Unit::Bytes,
        "Bytes the dataset cache counts for its answers"
    );
    describe_gauge!(DATASET_CACHE_ENTRIES, "Answers the dataset cache keeps");
    describe_gauge!(POOL_SIZE, "Connections a store pool holds, idle or in use");
    describe_gauge!(POOL_AVAILABLE, "Idle connections of a store pool");
    describe_gauge!(
        POOL_WAITING,
        "Requests waiting for a connection of a store pool"
    );
    describe_gauge!(POOL_MAX, "Connections a store pool keeps at most");
}

/// The hits and misses of one cache, registered once under its `cache` label.
pub struct CacheCounters {
    hits: Counter,
    misses: Counter,
}

impl CacheCounters {
    /// The counters of the cache named `cache`.
    pub fn new(cache: &'static str) -> Self {
        CacheCounters {
            hits: metrics::counter!(CACHE_HITS, "cache" => cache),
            misses: metrics::counter!(CACHE_MISSES, "cache" => cache),
        }
    }

    /// Counts one lookup.
    pub fn record(&self, hit: bool) {
        if hit {
            self.hits.increment(1);
        } else {
            self.misses.increment(1);
        }
    }
}
