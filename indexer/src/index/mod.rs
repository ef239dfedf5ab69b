//! [`Index`], the handle on the good-practice repository. One struct, its `impl` spread over
//! one file per idea:
//!
//! - `open`: opening a directory or RAM, the reader and its reload;
//! - `writer`: the short-lived writer and the lock discipline every change goes through;
//! - `bulk`: the changes of `pspm index`: ingest of files and folders, import, removal;
//! - `chat`: the moderation workflow from chat: share, approve, decline, rate, pending;
//! - `search`: a page of hits for the lenient query language, and how many matched;
//! - `snippets`: hits read back, with their highlighted snippets;
//! - `related`: practices related to a proposal's text;
//! - `load`: reading practices back (one, all) and the lookups the other files share;
//! - `stats`: document counts and the index's size.

mod bulk;
mod chat;
#[cfg(test)]
mod fuzz_tests;
mod load;
mod open;
mod related;
mod search;
mod snippets;
mod stats;
#[cfg(test)]
mod tests;
mod writer;

use std::path::PathBuf;
use std::time::Duration;

use tantivy::IndexReader;

use crate::practice::IngestLimits;
use crate::query::QueryBuilder;
use crate::schema::Fields;

pub use search::COUNT_CAP;

/// The good-practice repository. Cheap to share behind an `Arc`; all methods take `&self`.
pub struct Index {
    index: tantivy::Index,
    reader: IndexReader,
    fields: Fields,
    directory: Option<PathBuf>,
    lock_timeout: Duration,
    /// What one ingested file may cost.
    limits: IngestLimits,
    /// Built once: making the analysers (stop-word sets) is measurable per search.
    queries: QueryBuilder,
}
