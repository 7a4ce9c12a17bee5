//! What the endpoints served from the search indexes share: finding an index that is ready,
//! running index work off the async workers, and the page of a `/api/2/…/search/`.

use std::sync::Arc;
use std::time::Duration;

use serde::{Serialize, Serializer};

use super::error::{ApiError, ApiResult};
use super::pagination::{Envelope, Pagination};
use super::state::AppState;
use crate::search::{Facet, IndexResult, KindIndex, Search};
use crate::store::Paged;

/// Searches deeper than this many results are refused, as Elasticsearch's result window.
pub const MAX_RESULT_WINDOW: i64 = 10_000;

/// How long a request waits for the indexes to apply this node's latest writes before it
/// does without them (the database for a v1 list, a 503 for a search).
pub const CATCH_UP_LIMIT: Duration = Duration::from_secs(2);

/// The indexes when `pick`'s holds every object and every write this node has acknowledged;
/// `None` while it is being built, or if the writes are not applied within [`CATCH_UP_LIMIT`]
/// (the caller then asks the database, or answers 503).
pub async fn ready(app: &AppState, pick: fn(&Search) -> &KindIndex) -> Option<&Arc<Search>> {
    let search = app
        .search
        .as_ref()
        .filter(|search| pick(search).is_ready())?;
    if search.caught_up(CATCH_UP_LIMIT).await {
        Some(search)
    } else {
        tracing::warn!(
            kind = pick(search).kind,
            "the search index has not applied this node's last writes in time; answering without it"
        );
        None
    }
}

/// The indexes for a `/api/2/…/search/`: refuses pages past the result window (400) and
/// answers 503 while `pick`'s index is being built or behind this node's writes.
pub async fn ready_for_search<'a>(
    app: &'a AppState,
    pagination: &Pagination,
    pick: fn(&Search) -> &KindIndex,
) -> ApiResult<&'a Arc<Search>> {
    let request = pagination.request;
    if request.page.saturating_mul(request.page_size) > MAX_RESULT_WINDOW {
        return Err(ApiError::BadRequest(format!(
            "page * page_size must not exceed {MAX_RESULT_WINDOW}: narrow the search instead"
        )));
    }
    ready(app, pick).await.ok_or_else(|| {
        ApiError::Unavailable(
            "The search index is being built or updated; retry in a moment".into(),
        )
    })
}

/// Runs index work (CPU-bound) off the async workers.
pub async fn off_workers<T: Send + 'static>(
    search: &Arc<Search>,
    work: impl FnOnce(&Search) -> IndexResult<T> + Send + 'static,
) -> ApiResult<T> {
    let search = Arc::clone(search);
    tokio::task::spawn_blocking(move || work(&search))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// A page of search results with its facets.
#[derive(Debug, Serialize)]
pub struct SearchEnvelope {
    #[serde(flatten)]
    pub page: Envelope,
    #[serde(serialize_with = "facets_json")]
    pub facets: Vec<Facet>,
}

impl SearchEnvelope {
    /// The envelope serialized, for items that `write` appends already serialized.
    pub fn serialized<T>(
        app: &AppState,
        pagination: &Pagination,
        items: &[T],
        total: u64,
        facets: &[Facet],
        write: impl Fn(&mut Vec<u8>, &T),
    ) -> ApiResult<Vec<u8>> {
        let mut out = pagination.serialized_envelope(app, items, total as i64, write)?;
        // The facets follow the page's fields: `{…,"previous_page":null,"facets":{…}}`.
        if out.pop() != Some(b'}') {
            return Err(ApiError::Internal(
                "the envelope does not end with }".into(),
            ));
        }
        out.extend_from_slice(b",\"facets\":");
        facets_json(facets, &mut serde_json::Serializer::new(&mut out))
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        out.push(b'}');
        Ok(out)
    }

    pub fn new<T: Serialize>(
        app: &AppState,
        pagination: &Pagination,
        items: Vec<T>,
        total: u64,
        facets: Vec<Facet>,
    ) -> ApiResult<Self> {
        let page = pagination.envelope(
            app,
            Paged {
                items,
                total: total as i64,
            },
        )?;
        Ok(SearchEnvelope { page, facets })
    }
}

/// Serializes facets as
/// `{"tag": [{"name": "all", "count": n}, {"name": "transport", "count": 12}, …], …}`.
fn facets_json<S: Serializer>(facets: &[Facet], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_map(facets.iter().map(|facet| (facet.name, FacetValues(facet))))
}

/// A facet's values, `all` (its total) first.
struct FacetValues<'a>(&'a Facet);

impl Serialize for FacetValues<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let facet = self.0;
        let all = std::iter::once(("all", facet.total));
        let values = facet
            .values
            .iter()
            .map(|(name, count)| (name.as_str(), *count));
        serializer.collect_seq(
            all.chain(values)
                .map(|(name, count)| FacetValue { name, count }),
        )
    }
}

#[derive(Serialize)]
struct FacetValue<'a> {
    name: &'a str,
    count: u64,
}
