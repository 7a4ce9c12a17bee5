//! The v2 form of a dataset (`/api/2/`): the v1 model with its resources and community
//! resources replaced by links to their own paginated lists.

use std::borrow::Cow;

use serde::Serialize;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{RefOr, schema::Object};
use utoipa::{PartialSchema, ToSchema};

use super::model::DatasetJson;
use crate::api::state::AppState;

/// A link to a list the v2 dataset does not embed.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubsectionLink {
    /// Always `subsection`.
    pub rel: &'static str,
    pub href: String,
    /// The method to follow the link with: `GET`.
    #[serde(rename = "type")]
    pub method: &'static str,
    pub total: i64,
}

impl SubsectionLink {
    fn get(href: String, total: i64) -> Self {
        Self {
            rel: "subsection",
            href,
            method: "GET",
            total,
        }
    }
}

/// The links a v2 dataset has in place of its resources (`resources` of them) and of its
/// community resources (`community` of them).
pub fn links(
    app: &AppState,
    id: &str,
    resources: i64,
    community: i64,
) -> (SubsectionLink, SubsectionLink) {
    (
        SubsectionLink::get(
            format!(
                "{}/api/2/datasets/{id}/resources/?page=1&page_size=50",
                app.settings.base_url
            ),
            resources,
        ),
        SubsectionLink::get(
            app.api_url(&format!(
                "/datasets/community_resources/?dataset={id}&page=1&page_size=50"
            )),
            community,
        ),
    )
}

/// The OpenAPI model of the v2 dataset, named `Dataset` as in uData's v2 document: derived
/// from [`DatasetJson`]'s so that the two cannot drift apart.
pub struct DatasetV2;

impl PartialSchema for DatasetV2 {
    fn schema() -> RefOr<Schema> {
        let mut schema = DatasetJson::schema();
        if let RefOr::T(Schema::Object(Object { properties, .. })) = &mut schema {
            for name in ["resources", "community_resources"] {
                properties.insert(name.into(), SubsectionLink::schema());
            }
        }
        schema
    }
}

impl ToSchema for DatasetV2 {
    fn name() -> Cow<'static, str> {
        DatasetJson::name()
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        DatasetJson::schemas(schemas);
    }
}
