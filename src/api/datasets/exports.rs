//! The dataset's DCAT description. It belongs to the interoperability issue, which implements
//! it; until then it answers 501 once the dataset is resolved and visible.

use super::{DatasetPath, ensure_readable};
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::Auth;

fn answer(auth: &Auth, dataset: &crate::domain::dataset::Dataset) -> ApiResult<()> {
    ensure_readable(auth, dataset)?;
    Err(ApiError::NotImplemented(
        "The dataset's RDF description is not available yet: the interoperability issue implements it."
            .into(),
    ))
}

/// The dataset's RDF description, in the negotiated format (not implemented yet).
#[utoipa::path(get, path = "/datasets/{dataset}/rdf", operation_id = "rdf_dataset", tag = "datasets",
    params(("dataset" = String, Path, description = "The dataset ID or slug")),
    responses((status = 404), (status = 410), (status = 501)))]
pub async fn rdf_dataset(auth: Auth, DatasetPath(dataset): DatasetPath) -> ApiResult<()> {
    answer(&auth, &dataset)
}

/// The dataset's RDF description in `_format` (not implemented yet).
#[utoipa::path(get, path = "/datasets/{dataset}/rdf.{_format}", operation_id = "rdf_dataset_format",
    tag = "datasets",
    params(("dataset" = String, Path, description = "The dataset ID or slug"),
        ("_format" = String, Path, description = "json-ld, xml, ttl, n3, nt or trig")),
    responses((status = 404), (status = 410), (status = 501)))]
pub async fn rdf_dataset_format(auth: Auth, DatasetPath(dataset): DatasetPath) -> ApiResult<()> {
    answer(&auth, &dataset)
}
