//! One integration-test binary: every test drives the real router, on SQLite and PostgreSQL.

mod common;

mod contract;
mod plumbing;
mod site;
mod storage;
