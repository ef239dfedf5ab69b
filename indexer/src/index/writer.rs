//! The writer, opened for one operation and dropped after its commit.
//!
//! tantivy allows one writer per directory across processes, and the bot must not keep
//! `pspm index add` out, so no writer is kept open. When the lock is busy the operation
//! waits with backoff (up to the lock timeout). Every read-modify-write re-reads the
//! document after taking the lock, so two processes never overwrite each other's changes.
//! Readers never block. Ratings (`ratings`) are written under the same lock.

use std::thread;
use std::time::{Duration, Instant};

use tantivy::directory::error::LockError;
use tantivy::{IndexWriter, Searcher, TantivyError};

use super::Index;
use crate::IndexError;

/// Writer memory for one chat operation (tantivy's per-thread minimum is 15 MB; the arena
/// grows only as documents arrive, so this is a ceiling, not a cost).
pub(super) const SINGLE_OPERATION_BUDGET: usize = 50_000_000;
/// Writer memory for bulk ingest, split across its threads.
const BULK_BUDGET: usize = 96_000_000;
const BULK_THREADS: usize = 2;
/// How long a write waits for another process's writer before giving up.
pub(super) const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(30);

/// A writer on `index`, waiting with backoff while another process holds the lock, for up
/// to `timeout`.
pub(super) fn acquire_writer(
    index: &tantivy::Index,
    threads: usize,
    budget: usize,
    timeout: Duration,
) -> Result<IndexWriter, IndexError> {
    let deadline = Instant::now() + timeout;
    let mut backoff = Duration::from_millis(20);
    let mut wait_logged = false;
    loop {
        match index.writer_with_num_threads(threads, budget) {
            Ok(writer) => return Ok(writer),
            Err(TantivyError::LockFailure(LockError::LockBusy, _)) => {
                let now = Instant::now();
                if now >= deadline {
                    return Err(IndexError::Locked(timeout));
                }
                if !wait_logged {
                    tracing::info!("index busy with another writer; waiting");
                    wait_logged = true;
                }
                thread::sleep(backoff.min(deadline - now));
                backoff = (backoff * 2).min(Duration::from_millis(500));
            }
            Err(error) => return Err(error.into()),
        }
    }
}

impl Index {
    pub(super) fn acquire_writer(
        &self,
        threads: usize,
        budget: usize,
    ) -> Result<IndexWriter, IndexError> {
        acquire_writer(&self.index, threads, budget, self.lock_timeout)
    }

    /// Runs `operation` holding the writer, on a searcher that sees every commit made
    /// before the lock was taken. The operation says whether it changed anything; only then
    /// is there a commit. The ratings of the practices it names as gone are forgotten after
    /// the commit, still holding the lock (see `ratings`).
    fn write<T>(
        &self,
        threads: usize,
        budget: usize,
        operation: impl FnOnce(&mut IndexWriter, &Searcher) -> Result<Written<T>, IndexError>,
    ) -> Result<T, IndexError> {
        let mut writer = self.acquire_writer(threads, budget)?;
        self.reader.reload()?;
        let searcher = self.reader.searcher();
        // On error the writer is dropped uncommitted: nothing of the operation remains.
        let written = operation(&mut writer, &searcher)?;
        if written.changed {
            writer.commit()?;
            writer.wait_merging_threads()?;
            self.reader.reload()?;
        }
        if !written.gone.is_empty() {
            self.ratings
                .forget(written.gone.iter().map(String::as_str))?;
        }
        Ok(written.outcome)
    }

    /// [`Index::write`] for one small operation (a chat action, a removal): one thread and
    /// a small budget.
    pub(super) fn single_write<T>(
        &self,
        operation: impl FnOnce(&mut IndexWriter, &Searcher) -> Result<Written<T>, IndexError>,
    ) -> Result<T, IndexError> {
        self.write(1, SINGLE_OPERATION_BUDGET, operation)
    }

    /// [`Index::write`] for ingest and import: more threads and memory.
    pub(super) fn bulk_write<T>(
        &self,
        operation: impl FnOnce(&mut IndexWriter, &Searcher) -> Result<Written<T>, IndexError>,
    ) -> Result<T, IndexError> {
        self.write(BULK_THREADS, BULK_BUDGET, operation)
    }
}

/// What a write operation did: its outcome, whether the index changed (then it is
/// committed), and which practices are gone for good (their ratings are forgotten).
pub(super) struct Written<T> {
    pub outcome: T,
    pub changed: bool,
    pub gone: Vec<String>,
}

impl<T> Written<T> {
    /// An operation that changed nothing.
    pub fn unchanged(outcome: T) -> Written<T> {
        Written {
            outcome,
            changed: false,
            gone: Vec::new(),
        }
    }

    /// An operation that added or replaced documents.
    pub fn changed(outcome: T) -> Written<T> {
        Written {
            outcome,
            changed: true,
            gone: Vec::new(),
        }
    }
}
