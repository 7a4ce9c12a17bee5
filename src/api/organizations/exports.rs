//! The organization's DCAT catalog and CSV exports. They belong to the interoperability issue,
//! which implements them; until then they answer 501 once the organization is resolved.

use super::{OrgPath, ensure_live};
use crate::api::datasets::lists::DatasetListQuery;
use crate::api::error::ApiError;
use crate::domain::organization::Organization;

/// 410 for a deleted organization, else 501 naming what is missing.
fn answer(org: &Organization, what: &str) -> ApiError {
    match ensure_live(org) {
        Err(gone) => gone,
        Ok(()) => ApiError::NotImplemented(format!(
            "The organization's {what} is not available yet: the interoperability issue implements it."
        )),
    }
}

/// The organization's DCAT catalog, in the negotiated format (not implemented yet).
#[utoipa::path(get, path = "/organizations/{org}/catalog", operation_id = "rdf_organization", tag = "organizations",
    params(("org" = String, Path, description = "The organization ID or slug")),
    responses((status = 404), (status = 410), (status = 501)))]
pub async fn rdf_organization(OrgPath(org): OrgPath) -> ApiError {
    answer(&org, "DCAT catalog")
}

/// The organization's DCAT catalog in `_format` (not implemented yet).
#[utoipa::path(get, path = "/organizations/{org}/catalog.{_format}", operation_id = "rdf_organization_format",
    tag = "organizations",
    params(("org" = String, Path, description = "The organization ID or slug"),
        ("_format" = String, Path, description = "json-ld, xml, ttl, n3, nt or trig"),
        ("tag" = Option<Vec<String>>, Query, description = "Only datasets with all these tags"),
        DatasetListQuery),
    responses((status = 404), (status = 410), (status = 501)))]
pub async fn rdf_organization_format(OrgPath(org): OrgPath) -> ApiError {
    answer(&org, "DCAT catalog")
}

/// The organization's datasets as CSV (not implemented yet).
#[utoipa::path(get, path = "/organizations/{org}/datasets.csv",
    operation_id = "get_datasets_csv_api_/organizations/<org:org>/datasets.csv", tag = "organizations",
    params(("org" = String, Path, description = "The organization ID or slug")),
    responses((status = 404), (status = 410), (status = 501)))]
pub async fn get_datasets_csv(OrgPath(org): OrgPath) -> ApiError {
    answer(&org, "datasets CSV export")
}

/// The resources of the organization's datasets as CSV (not implemented yet).
#[utoipa::path(get, path = "/organizations/{org}/datasets-resources.csv",
    operation_id = "get_datasets_resources_csv_api_/organizations/<org:org>/datasets-resources.csv",
    tag = "organizations",
    params(("org" = String, Path, description = "The organization ID or slug")),
    responses((status = 404), (status = 410), (status = 501)))]
pub async fn get_datasets_resources_csv(OrgPath(org): OrgPath) -> ApiError {
    answer(&org, "resources CSV export")
}

/// The organization's dataservices as CSV (not implemented yet).
#[utoipa::path(get, path = "/organizations/{org}/dataservices.csv", operation_id = "get_dataservices_csv",
    tag = "organizations",
    params(("org" = String, Path, description = "The organization ID or slug")),
    responses((status = 404), (status = 410), (status = 501)))]
pub async fn get_dataservices_csv(OrgPath(org): OrgPath) -> ApiError {
    answer(&org, "dataservices CSV export")
}

/// The discussions on the organization's datasets as CSV (not implemented yet).
#[utoipa::path(get, path = "/organizations/{org}/discussions.csv",
    operation_id = "get_discussions_csv_api_/organizations/<org:org>/discussions.csv", tag = "organizations",
    params(("org" = String, Path, description = "The organization ID or slug")),
    responses((status = 404), (status = 410), (status = 501)))]
pub async fn get_discussions_csv(OrgPath(org): OrgPath) -> ApiError {
    answer(&org, "discussions CSV export")
}
