//! Plateau: an open-data portal server compatible with uData's `/api/1/`.

pub mod api;
pub mod cli;
pub mod config;
pub mod domain;
pub mod files;
pub mod metrics;
pub mod outbound;
pub mod search;
pub mod store;
