//! OpenAPI descriptions of the paginated envelopes, one per item type. The envelope itself is
//! built by [`Pagination`](super::pagination::Pagination) for every list.

use serde_json::Value;

use super::contacts::model::ContactPointJson;
use super::datasets::model::{CommunityResourceJson, DatasetJson};
use super::datasets::v2_model::DatasetV2;
use super::followers::FollowJson;
use super::organizations::model::OrganizationJson;
use super::refs::UserJson;

macro_rules! page_schema {
    ($(#[$doc:meta])* $name:ident, $item:ty $(, $value_type:ty)?) => {
        $(#[$doc])*
        #[allow(dead_code)] // describes the envelope in the OpenAPI document only
        #[derive(utoipa::ToSchema)]
        pub struct $name {
            $(#[schema(value_type = $value_type)])?
            pub data: Vec<$item>,
            pub page: i64,
            pub page_size: i64,
            pub total: i64,
            pub next_page: Option<String>,
            pub previous_page: Option<String>,
        }
    };
}

page_schema!(
    /// A page of users.
    UserPage, UserJson
);
page_schema!(
    /// A page of organizations.
    OrganizationPage, OrganizationJson
);
page_schema!(
    /// A page of follows.
    FollowPage, FollowJson
);
page_schema!(
    /// A page of datasets.
    DatasetPage, DatasetJson
);
page_schema!(
    /// A page of community resources.
    CommunityResourcePage, CommunityResourceJson
);
page_schema!(
    /// A page of contact points.
    ContactPointPage, ContactPointJson
);

macro_rules! search_page_schema {
    ($(#[$doc:meta])* $name:ident, $item:ty) => {
        $(#[$doc])*
        #[allow(dead_code)] // describes the envelope in the OpenAPI document only
        #[derive(utoipa::ToSchema)]
        pub struct $name {
            pub data: Vec<$item>,
            /// Per facet, `[{"name": "all", "count": n}, {"name": value, "count": n}, …]`
            #[schema(value_type = Object)]
            pub facets: Value,
            pub page: i64,
            pub page_size: i64,
            pub total: i64,
            pub next_page: Option<String>,
            pub previous_page: Option<String>,
        }
    };
}

search_page_schema!(
    /// A page of v2 dataset search results with their facets.
    DatasetSearchPage, DatasetV2
);
search_page_schema!(
    /// A page of v2 organization search results with their facets.
    OrganizationSearchPage, OrganizationJson
);
