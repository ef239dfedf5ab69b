//! The good-practice repository index for PSPM.
//!
//! This crate will hold the tantivy index (the only crate that imports tantivy): ingest of
//! practices, Italian and English analysis, search with filters and snippets. It is empty
//! until that capability is built; the bot does not depend on it yet.
