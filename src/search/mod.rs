//! Full-text search: an embedded tantivy index per searchable kind.

pub mod analysis;
