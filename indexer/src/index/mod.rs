//! [`Index`], the handle on the good-practice repository. One struct, its `impl` spread over
//! one file per idea:
//!
//! - `open`: opening a directory or RAM, the reader and its reload;
//! - `files`: how the reader reads the files (positioned reads, a bounded cache, no mapping);
//! - `writer`: the short-lived writer and the lock discipline every change goes through;
//! - `bulk`: the changes of `pspm index`: ingest of files and folders, import, removal;
//! - `chat`: the moderation workflow from chat: share, approve, decline, rate, pending;
//! - `search`: a page of hits for the lenient query language, and how many matched;
//! - `snippets`: hits read back, with their highlighted snippets;
//! - `related`: practices related to a proposal's text;
//! - `load`: reading practices back (one, all) and the lookups the other files share;
//! - `ratings`: the ratings, kept beside the documents;
//! - `migrate`: the folder of each layout, and moving an older layout to the current one;
//! - `stats`: document counts and the index's size;
//! - `still`: the files held still for a backup.

mod bulk;
mod chat;
mod files;
#[cfg(test)]
mod fuzz_tests;
mod load;
mod migrate;
mod open;
mod ratings;
mod related;
mod search;
mod snippets;
mod stats;
mod still;
#[cfg(test)]
mod tests;
mod writer;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tantivy::{IndexReader, Searcher};

use crate::practice::IngestLimits;
use crate::query::{IndexFacts, QueryBuilder};
use crate::schema::Fields;
use ratings::Ratings;

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
    ratings: Ratings,
    /// [`IndexFacts`] of the latest searcher generation seen.
    facts: Mutex<Option<(u64, Arc<IndexFacts>)>>,
}

impl Index {
    /// The facts of `searcher`'s generation, worked out at its first search.
    fn facts(&self, searcher: &Searcher) -> Arc<IndexFacts> {
        let generation = searcher.generation().generation_id();
        let mut cached = self
            .facts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match &*cached {
            Some((known, facts)) if *known == generation => facts.clone(),
            _ => {
                let facts = Arc::new(IndexFacts::of(&self.fields, searcher));
                *cached = Some((generation, facts.clone()));
                facts
            }
        }
    }
}
