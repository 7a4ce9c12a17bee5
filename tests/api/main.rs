//! One integration-test binary: every test drives the real router, on SQLite and PostgreSQL.

mod common;

mod cli;
mod community_resources;
mod contacts;
mod contract;
mod dataset_cache;
mod dataset_reference;
mod dataset_resources;
mod dataset_uploads;
mod datasets;
mod demo;
mod file_serving;
mod file_stores;
mod fixtures;
mod generate;
mod me;
mod organization_logo;
mod organization_members;
mod organization_search;
mod organization_subresources;
mod organizations;
mod outbound;
mod plumbing;
mod search;
mod site;
mod spatial;
mod spatial_load;
mod storage;
mod suggestions;
mod two_nodes;
mod uploads;
mod user_followers;
mod users;
