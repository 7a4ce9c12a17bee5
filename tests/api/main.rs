//! One integration-test binary: every test drives the real router, on SQLite and PostgreSQL.

mod common;

mod contract;
mod organization_logo;
mod organization_members;
mod organization_subresources;
mod organizations;
mod plumbing;
mod site;
mod storage;
