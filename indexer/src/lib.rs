//! The good-practice repository of PSPM: strategic plans, methodologies, guidelines,
//! experiences and public software (from its `publiccode.yml`), ingested from files or
//! shared in chat, searchable in Italian and English.
//! This is the only crate that imports tantivy; its public API speaks in plain types, and
//! only [`IndexError`] carries tantivy's errors, as sources.
//!
//! # Layout
//!
//! - [`practice`]: the public types ([`Practice`], [`Hit`], [`SearchResults`],
//!   [`NearMatches`], [`IngestReport`], [`IngestLimits`], …).
//! - [`index`]: [`Index`], one file per idea: opening, reading files without mapping them,
//!   the writer-lock discipline, layouts and their migration, ingest and removal, search,
//!   snippets, related practices, the chat workflow, ratings, loading, stats.
//! - `schema`: the tantivy fields (layout 2), `make_doc` (the one way a practice becomes a
//!   document) and what is stored.
//! - `analysis`: the Italian and English analysers, stop words, [`detect_language`].
//! - `query`: the lenient query language, the exact query (`build`) and near matches
//!   (`near`).
//! - `phrase_search`: the top hits of a one-phrase query, reading positions only where
//!   they can change the result; `word_search`: the count of a one-word query, and its top
//!   hits when few documents hold the word, straight from its postings; `top`: the best
//!   hits they keep.
//! - [`parse`]: one module per format (Markdown, text, reStructuredText, HTML, PDF,
//!   `publiccode.yml`) and front matter.
//! - `ingest`: walking folders, LICENSE/SOURCE files, ids, content hashes, inferred metadata.
//! - [`progress`]: a progress bar (terminal) or log lines (elsewhere) for ingest.

mod analysis;
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzzing;
pub mod index;
mod ingest;
pub mod parse;
mod phrase_search;
pub mod practice;
pub mod progress;
mod query;
mod schema;
mod top;
mod word_search;

use std::path::PathBuf;
use std::time::Duration;

pub use analysis::{detect_language, ENGLISH_STOP_WORDS, ITALIAN_STOP_WORDS};
pub use index::Index;
pub use ingest::{id_for_path, infer_type};
pub use practice::{
    Correction, Hit, IngestLimits, IngestReport, NearMatches, Practice, PracticeLanguage,
    PracticeType, Progress, Rating, SearchOptions, SearchResults, Share, Stats, Status,
    UnknownValue,
};
pub use progress::ProgressBar;

/// Everything that can go wrong in the index. Per-file ingest problems are not errors:
/// they are listed in [`IngestReport::failed`]. Errors of tantivy, serde_json and I/O are kept as
/// they are, as sources, so a report such as `{:#}` shows the whole chain.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("cannot open the index at {path}")]
    Open {
        path: PathBuf,
        #[source]
        source: tantivy::TantivyError,
    },
    #[error(
        "the index at {0} was built by another version of PSPM; delete it and add the files again"
    )]
    SchemaMismatch(PathBuf),
    #[error("the index stayed locked by another writer for {0:?}")]
    Locked(Duration),
    #[error("no practice with id {0}")]
    NotFound(String),
    #[error("practice {0} is published, not pending")]
    NotPending(String),
    #[error("a rating goes from 1 to 5, not {0}")]
    InvalidRating(u8),
    #[error("invalid practice: {0}")]
    Invalid(String),
    #[error("corrupt index data: {0}")]
    Corrupt(String),
    /// A stored practice record that does not read back (in theory also one that does not
    /// serialise).
    #[error("corrupt practice record in the index")]
    Record(#[from] serde_json::Error),
    #[error(transparent)]
    Engine(#[from] tantivy::TantivyError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}
