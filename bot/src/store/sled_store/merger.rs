//! The background thread that merges the log, as [`crate::store::merge`] decides: it reads a
//! due run of records, with their applied runs, and replaces them with the merged record and
//! run in one atomic batch. That batch needs no flush: until a later flush persists it, what
//! it replaced is still on disk.

use std::time::Duration;

use super::{corrupt, db_err, decode_log, encode_log, lock, log_key, run_key, Shared};
use crate::store::merge::{self, IDLE};
use crate::store::records::applied;
use crate::store::StoreError;

impl Shared {
    pub(super) fn merge_forever(&self) {
        loop {
            {
                let mut stop = lock(&self.stop);
                while !*stop && !self.merge_now() {
                    stop = self
                        .wake
                        .wait_timeout(stop, IDLE)
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .0;
                }
                if *stop {
                    return;
                }
            }
            if let Err(error) = self.merge_once() {
                // The log keeps everything; merging again later is safe.
                tracing::error!(%error, "cannot merge the store's log");
                std::thread::sleep(Duration::from_secs(1));
            }
        }
    }

    /// Whether a merge is due and now is the time for it.
    fn merge_now(&self) -> bool {
        let since_last_commit = lock(&self.last_commit).elapsed();
        let shape = lock(&self.shape);
        merge::is_time(since_last_commit, shape.len()) && shape.due().is_some()
    }

    /// Merges one due run of records, returning whether there was one.
    pub(super) fn merge_once(&self) -> Result<bool, StoreError> {
        let _merging = lock(&self.merging);
        let Some(run) = lock(&self.shape).due() else {
            return Ok(false);
        };
        let mut records = Vec::with_capacity(run.seqs.len());
        let mut fingerprints = Vec::new();
        let mut writes = sled::Batch::default();
        for &seq in &run.seqs {
            let key = log_key(seq);
            let value = self
                .tree
                .get(&key)
                .map_err(db_err)?
                .ok_or_else(|| corrupt(&key, "log record vanished"))?;
            records.push(decode_log(&key, &value)?);
            writes.remove(key);
            let key = run_key(seq);
            if let Some(value) = self.tree.get(&key).map_err(db_err)? {
                fingerprints.extend(applied::decode(&value).map_err(|e| corrupt(&key, e))?);
                writes.remove(key);
            }
        }
        let merged = merge::merge(run.level, records);
        // The merged record and run take the place of the run's oldest (which lookups,
        // newest first, rely on: see `Shared::in_runs`).
        writes.insert(log_key(run.seqs[0]), encode_log(&merged)?);
        if !fingerprints.is_empty() {
            writes.insert(run_key(run.seqs[0]), applied::encode(fingerprints));
        }
        self.tree.apply_batch(writes).map_err(db_err)?;
        lock(&self.shape).merged(&run);
        Ok(true)
    }
}
