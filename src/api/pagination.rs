//! uData's pagination envelope `{data, page, page_size, total, next_page, previous_page}` with
//! absolute links that keep the other query parameters.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::Serialize;
use serde_json::Value;

use super::error::ApiError;
use super::state::AppState;
use crate::domain::validation::FieldErrors;
use crate::store::{PageRequest, Paged};

pub const DEFAULT_PAGE_SIZE: i64 = 20;

/// `page` and `page_size` of a list request, validated, plus what is needed to build links.
#[derive(Debug, Clone)]
pub struct Pagination {
    pub request: PageRequest,
    path: String,
    query: Vec<(String, String)>,
}

impl Pagination {
    /// The page request with a default page size other than 20.
    pub fn parse(parts: &Parts, default_size: i64, max_size: i64) -> Result<Self, ApiError> {
        let query: Vec<(String, String)> =
            url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
                .into_owned()
                .collect();
        let mut errors = FieldErrors::default();
        let mut read = |name: &str, default: i64, max: Option<i64>| -> i64 {
            match query.iter().rev().find(|(k, _)| k == name) {
                None => default,
                Some((_, v)) => match v.trim().parse::<i64>() {
                    Ok(n) if n < 1 => {
                        errors.add(name, "Must be a positive integer.");
                        default
                    }
                    Ok(n) if max.is_some_and(|m| n > m) => {
                        errors.add(
                            name,
                            &format!("Must be at most {}.", max.unwrap_or_default()),
                        );
                        default
                    }
                    Ok(n) => n,
                    Err(_) => {
                        errors.add(name, "Must be a positive integer.");
                        default
                    }
                },
            }
        };
        let page = read("page", 1, Some(1_000_000_000));
        let page_size = read("page_size", default_size, Some(max_size));
        errors.into_result().map_err(ApiError::validation)?;
        Ok(Pagination {
            request: PageRequest { page, page_size },
            // Handlers see the path inside `/api/1`; links need the whole one.
            path: parts
                .extensions
                .get::<axum::extract::OriginalUri>()
                .map_or_else(|| parts.uri.path(), |original| original.path())
                .to_owned(),
            query,
        })
    }

    /// The envelope of one page. A page past the end (other than the first) is a 404, as in uData.
    pub fn envelope<T: Serialize>(
        &self,
        app: &AppState,
        paged: Paged<T>,
    ) -> Result<Envelope, ApiError> {
        let mut envelope = self.frame(app, paged.items.len(), paged.total)?;
        envelope.data = paged
            .items
            .iter()
            .map(|item| serde_json::to_value(item).map_err(|e| ApiError::Internal(e.to_string())))
            .collect::<Result<Vec<Value>, _>>()?;
        Ok(envelope)
    }

    /// [`Pagination::envelope`], serialized, for items that `write` appends already serialized.
    pub fn serialized_envelope<T>(
        &self,
        app: &AppState,
        items: &[T],
        total: i64,
        write: impl Fn(&mut Vec<u8>, &T),
    ) -> Result<Vec<u8>, ApiError> {
        const DATA: &[u8] = b"{\"data\":[";
        let frame = serde_json::to_vec(&self.frame(app, items.len(), total)?)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        // `data` is the first field: `{"data":[],"page":…}`.
        let rest = frame
            .strip_prefix(DATA)
            .ok_or_else(|| ApiError::Internal("the envelope does not start with data".into()))?;
        let mut out = Vec::with_capacity(frame.len() + items.len() * 4096);
        out.extend_from_slice(DATA);
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write(&mut out, item);
        }
        out.extend_from_slice(rest);
        Ok(out)
    }

    /// The envelope of a page of `count` items, without them.
    fn frame(&self, app: &AppState, count: usize, total: i64) -> Result<Envelope, ApiError> {
        let PageRequest { page, page_size } = self.request;
        if count == 0 && page > 1 {
            return Err(ApiError::not_found());
        }
        let pages = (total + page_size - 1) / page_size;
        Ok(Envelope {
            data: Vec::new(),
            page,
            page_size,
            total,
            next_page: (page < pages).then(|| self.link(app, page + 1)),
            previous_page: (page > 1).then(|| self.link(app, page - 1)),
        })
    }

    fn link(&self, app: &AppState, page: i64) -> String {
        let mut serializer = url::form_urlencoded::Serializer::new(String::new());
        let mut wrote_page = false;
        for (k, v) in &self.query {
            if k == "page" {
                if !wrote_page {
                    serializer.append_pair("page", &page.to_string());
                    wrote_page = true;
                }
            } else {
                serializer.append_pair(k, v);
            }
        }
        if !wrote_page {
            serializer.append_pair("page", &page.to_string());
        }
        format!(
            "{}{}?{}",
            app.settings.base_url,
            self.path,
            serializer.finish()
        )
    }
}

impl FromRequestParts<AppState> for Pagination {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Pagination::parse(parts, DEFAULT_PAGE_SIZE, state.settings.max_page_size)
    }
}

/// A page of results as uData serves it.
#[derive(Debug, Serialize)]
pub struct Envelope {
    pub data: Vec<Value>,
    pub page: i64,
    pub page_size: i64,
    pub total: i64,
    pub next_page: Option<String>,
    pub previous_page: Option<String>,
}
