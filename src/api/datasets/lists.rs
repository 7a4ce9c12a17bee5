//! The query of dataset lists (shared by `/datasets/`, the organization's datasets and the Atom
//! feed) and the suggest endpoints.

use axum::Json;
use axum::extract::State;
use axum::http::Uri;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;

use super::model::{DatasetSuggestion, Owners};
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiQuery, Auth};
use crate::api::organizations::lists::SuggestQuery;
use crate::api::organizations::{check_choice, check_flag, check_sort};
use crate::api::state::AppState;
use crate::domain::dataset::BADGE_KINDS as DATASET_BADGES;
use crate::domain::ids::is_object_id;
use crate::domain::input::parse_datetime;
use crate::domain::organization::BADGE_KINDS;
use crate::domain::validation::FieldErrors;
use crate::store::datasets::{DATASET_SORTS, DatasetFilter, Viewer};

/// The largest `size` of `/datasets/suggest/`.
const MAX_SUGGESTIONS: i64 = 20;

/// Query of a dataset list (uData's `DatasetApiParser`); `tag` may repeat and is read apart.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DatasetListQuery {
    /// The search query
    pub q: Option<String>,
    /// The field (and direction) on which sorting apply: title, created, last_update, reuses,
    /// followers, views, each optionally prefixed with `-`
    pub sort: Option<String>,
    /// The page to display
    #[param(value_type = Option<i64>)]
    pub page: Option<String>,
    /// The page size
    #[param(value_type = Option<i64>)]
    pub page_size: Option<String>,
    pub license: Option<String>,
    /// If set to true, it will filter on featured datasets only. If set to false, it will
    /// exclude featured datasets.
    #[param(value_type = Option<bool>)]
    pub featured: Option<String>,
    pub geozone: Option<String>,
    pub granularity: Option<String>,
    /// `YYYY-MM-DD-YYYY-MM-DD`: datasets whose coverage starts in this interval
    pub temporal_coverage: Option<String>,
    pub organization: Option<String>,
    /// pivotal-data, spd, inspire, hvd, sl or sr
    pub badge: Option<String>,
    /// public-service, certified, association, company or local-authority
    pub organization_badge: Option<String>,
    pub owner: Option<String>,
    /// (beta, subject to change/be removed)
    pub followed_by: Option<String>,
    pub format: Option<String>,
    pub schema: Option<String>,
    pub schema_version: Option<String>,
    pub topic: Option<String>,
    pub credit: Option<String>,
    pub dataservice: Option<String>,
    pub reuse: Option<String>,
    /// Only archived datasets (true) or none (false)
    #[param(value_type = Option<bool>)]
    pub archived: Option<String>,
    /// Only deleted datasets (true) or none (false)
    #[param(value_type = Option<bool>)]
    pub deleted: Option<String>,
    /// Only private datasets (true) or none (false)
    #[param(value_type = Option<bool>)]
    pub private: Option<String>,
}

/// The non-empty values of a parameter that may repeat in a query string.
pub fn repeated(uri: &Uri, name: &str) -> Vec<String> {
    url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .filter(|(k, v)| k == name && !v.is_empty())
        .map(|(_, v)| v.into_owned())
        .collect()
}

/// The repeated `tag` values of a query string.
pub fn tags_of(uri: &Uri) -> Vec<String> {
    repeated(uri, "tag")
        .iter()
        .map(|t| crate::domain::slug::slugify(t))
        .collect()
}

/// A `temporal_coverage` parameter (`YYYY-MM-DD-YYYY-MM-DD`) as bounds; a malformed one is
/// recorded in `errors`.
pub fn date_range(errors: &mut FieldErrors, value: Option<&str>) -> Option<(i64, i64)> {
    let range = value.filter(|s| !s.is_empty())?;
    let bounds =
        (range.len() == 21).then(|| (parse_datetime(&range[..10]), parse_datetime(&range[11..])));
    match bounds {
        Some((Some(from), Some(to))) => Some((from, to)),
        _ => {
            errors.add(
                "temporal_coverage",
                "Expecting a range of dates: YYYY-MM-DD-YYYY-MM-DD.",
            );
            None
        }
    }
}

impl DatasetListQuery {
    /// 400 naming each enumerated or boolean parameter whose value is not accepted.
    pub fn validate(&self) -> ApiResult<()> {
        self.filter(Vec::new(), &Auth::default()).map(drop)
    }

    /// The filter these parameters ask for: 400 on a value not accepted, 401 when an anonymous
    /// caller asks for archived, deleted or private datasets.
    pub fn filter(&self, tags: Vec<String>, auth: &Auth) -> ApiResult<DatasetFilter> {
        let mut errors = FieldErrors::default();
        check_sort(&mut errors, self.sort.as_deref(), DATASET_SORTS);
        check_choice(
            &mut errors,
            "badge",
            self.badge.as_deref(),
            DATASET_BADGES.iter().map(|(kind, _)| *kind),
        );
        check_choice(
            &mut errors,
            "organization_badge",
            self.organization_badge.as_deref(),
            BADGE_KINDS.iter().map(|(kind, _)| *kind),
        );
        let featured = check_flag(&mut errors, "featured", self.featured.as_deref());
        let archived = check_flag(&mut errors, "archived", self.archived.as_deref());
        let deleted = check_flag(&mut errors, "deleted", self.deleted.as_deref());
        let private = check_flag(&mut errors, "private", self.private.as_deref());
        let temporal_start = date_range(&mut errors, self.temporal_coverage.as_deref());
        errors.into_result().map_err(ApiError::validation)?;
        let non_empty = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
        for (name, value) in [
            ("Organization", &self.organization),
            ("Owner", &self.owner),
            ("`followed_by`", &self.followed_by),
            ("Topic", &self.topic),
            ("Dataservice", &self.dataservice),
            ("Reuse", &self.reuse),
        ] {
            if let Some(v) = non_empty(value)
                && !is_object_id(&v)
            {
                return Err(ApiError::BadRequest(format!(
                    "{name} arg must be an identifier"
                )));
            }
        }
        if (archived.is_some() || deleted.is_some() || private.is_some()) && auth.actor().is_none()
        {
            return Err(ApiError::Unauthorized(
                "Unauthorized: the archived, deleted and private filters need an X-API-KEY header"
                    .into(),
            ));
        }
        // Topics, dataservices and reuses do not exist yet; uData ignores a filter naming an
        // unknown one.
        Ok(DatasetFilter {
            q: non_empty(&self.q),
            tags,
            license: non_empty(&self.license),
            featured,
            organization: non_empty(&self.organization),
            owner: non_empty(&self.owner),
            badge: non_empty(&self.badge),
            organization_badge: non_empty(&self.organization_badge),
            followed_by: non_empty(&self.followed_by),
            format: non_empty(&self.format).map(|f| f.trim().to_lowercase()),
            schema: non_empty(&self.schema),
            schema_version: non_empty(&self.schema_version),
            geozone: non_empty(&self.geozone),
            granularity: non_empty(&self.granularity),
            temporal_start,
            archived,
            deleted,
            private,
            sort: non_empty(&self.sort),
        })
    }
}

/// What the caller may see in lists.
pub fn viewer(auth: &Auth) -> Viewer {
    Viewer {
        user_id: auth.user_id().map(str::to_owned),
        sysadmin: auth.actor().is_some_and(|a| a.user.is_sysadmin()),
    }
}

/// Public datasets whose title or acronym contains `q`, most followed first.
#[utoipa::path(get, path = "/datasets/suggest/", operation_id = "suggest_datasets", tag = "datasets",
    params(SuggestQuery),
    responses((status = 200, body = Vec<DatasetSuggestion>), (status = 400)))]
pub async fn suggest_datasets(
    State(app): State<AppState>,
    ApiQuery(query): ApiQuery<SuggestQuery>,
) -> ApiResult<Json<Vec<DatasetSuggestion>>> {
    let (q, size) = query.validated(MAX_SUGGESTIONS)?;
    let datasets = match super::search::suggest_from_index(&app, q, size).await? {
        Some(datasets) => datasets,
        None => app.store.suggest_datasets(q, size).await?,
    };
    let mut owners = Owners::default();
    owners
        .load(
            &app,
            datasets
                .iter()
                .map(|d| (d.owner.as_deref(), d.organization.as_deref())),
        )
        .await?;
    Ok(Json(
        datasets
            .iter()
            .map(|d| DatasetSuggestion {
                id: d.id.clone(),
                title: d.title.clone(),
                acronym: d.acronym.clone(),
                slug: d.slug.clone(),
                image_url: owners.image_url(&app, d.owner.as_deref(), d.organization.as_deref()),
                page: app.page_url(&format!("/datasets/{}/", d.slug)),
            })
            .collect(),
    ))
}

/// Resource formats of public datasets with a word starting with `q`, shortest first:
/// `[{"text": "csv"}]`.
#[utoipa::path(get, path = "/datasets/suggest/formats/", operation_id = "suggest_formats", tag = "datasets",
    params(SuggestQuery),
    responses((status = 200, description = "`[{\"text\": format}]`", body = Vec<Object>), (status = 400)))]
pub async fn suggest_formats(
    State(app): State<AppState>,
    ApiQuery(query): ApiQuery<SuggestQuery>,
) -> ApiResult<Json<Vec<Value>>> {
    let (q, size) = query.validated(MAX_SUGGESTIONS)?;
    let formats =
        match super::search::suggest_values_from_index(&app, "suggest_format", q, size).await? {
            Some(formats) => formats,
            None => app.store.suggest_formats(q, size).await?,
        };
    Ok(Json(
        formats.into_iter().map(|f| json!({"text": f})).collect(),
    ))
}

/// Resource mime types of public datasets with a word starting with `q`, shortest first:
/// `[{"text": "text/csv"}]`.
#[utoipa::path(get, path = "/datasets/suggest/mime/", operation_id = "suggest_mime", tag = "datasets",
    params(SuggestQuery),
    responses((status = 200, description = "`[{\"text\": mime}]`", body = Vec<Object>), (status = 400)))]
pub async fn suggest_mime(
    State(app): State<AppState>,
    ApiQuery(query): ApiQuery<SuggestQuery>,
) -> ApiResult<Json<Vec<Value>>> {
    let (q, size) = query.validated(MAX_SUGGESTIONS)?;
    let mimes =
        match super::search::suggest_values_from_index(&app, "suggest_mime", q, size).await? {
            Some(mimes) => mimes,
            None => app.store.suggest_mimes(q, size).await?,
        };
    Ok(Json(
        mimes.into_iter().map(|m| json!({"text": m})).collect(),
    ))
}
