//! The sled implementation of [`Store`]: the only code outside tests that imports sled
//! (this folder).
//!
//! Everything lives in one tree, under key prefixes, so that a sync batch is one atomic
//! `apply_batch` followed by one flush:
//! - `m:` meta (sync token, session, first start, schema version, and between a clean close
//!   and the next open the filter of applied events)
//! - `l:` the log: records of state changes, oldest first
//! - `f:` applied runs, under the sequence number of their log record: the sorted
//!   fingerprints of the events its commits applied, if any (not `a:`, which version 2 used
//!   for event IDs)
//! - `o:` outbox entries by sequence number (big-endian, so scans run in send order)
//! - `d:` dead letters
//! - `r:` provisioned rooms by alias
//!
//! Why a log: the engine loads the whole state at start and never looks a record up, so a
//! commit writes one record per batch instead of one key per change; that is what makes 100k
//! events/s with a durable commit per 100 events possible. A background thread ([`merger`])
//! keeps the log short, as [`super::merge`] decides. Values are
//! [`records`](super::records), never domain types.
//!
//! Applied events are the other way round: never held whole, only looked up, and a lookup
//! must not miss one. A commit writes the fingerprints of the events it applied as the applied run
//! beside its log record, in the same atomic batch; a merge merges the runs with the records.
//! Memory holds only what does not grow with history ([`super::applied_memory`]): a window
//! of the most recent fingerprints and a filter of a fixed size over all of them. A clean close
//! keeps the filter, which the next open takes back (and away, before anything is committed);
//! after a crash it is rebuilt from the runs. `is_applied` asks the window, then the filter,
//! and only when neither settles it reads the runs, newest first, each a binary search of its
//! stored bytes.

mod merger;
mod migrate;

pub use migrate::SCHEMA_VERSION;

use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::applied_memory::{self, Filter, Window};
use super::merge::Shape;
use super::records::{
    self, applied, ChangeRecord, DeadLetterRecord, JsonRecord, LogRecord, OutboxRecord,
    SessionRecord,
};
use super::{dump, Batch, OutboxEntry, Outgoing, Session, Store, StoreError};
use crate::domain::participation::fingerprint;
use crate::domain::{Change, State};

const NEXT_BATCH: &[u8] = b"m:next_batch";
const SESSION: &[u8] = b"m:session";
const FIRST_START: &[u8] = b"m:first_start_ms";
/// The kept filter, in pieces numbered from 0 (big-endian `u32`) of [`FILTER_PIECE`] bytes:
/// sled writes a larger page to a file of its own, which would be made as the umask says.
const FILTER: &[u8] = b"m:applied_filter:";
const FILTER_PIECE: usize = 4096;
const LOG: &[u8] = b"l:";
const RUNS: &[u8] = b"f:";
const OUTBOX: &[u8] = b"o:";
const DEAD: &[u8] = b"d:";
const ROOMS: &[u8] = b"r:";
/// How long `open` waits for a lock still held by a handle closing in this process.
const LOCK_WAIT: Duration = Duration::from_secs(3);

pub struct SledStore {
    shared: Arc<Shared>,
    merger: Option<JoinHandle<()>>,
}

/// How a [`SledStore`] is opened: what it keeps in memory about applied events.
#[derive(Debug, Clone)]
pub struct SledOptions {
    /// How many fingerprints of the most recently applied events to keep.
    pub applied_window: usize,
    /// The size in bytes of the filter over all of them (a power of two).
    pub applied_filter_bytes: usize,
}

impl Default for SledOptions {
    fn default() -> SledOptions {
        SledOptions {
            applied_window: applied_memory::DEFAULT_WINDOW,
            applied_filter_bytes: applied_memory::DEFAULT_FILTER_BYTES,
        }
    }
}

/// What the store's handle and its merge thread share.
struct Shared {
    db: sled::Db,
    tree: sled::Tree,
    /// Fingerprints of the most recently applied events (a false match needs a 64-bit
    /// collision); each is in a run too.
    recent: Mutex<Window>,
    /// A filter over the fingerprints of all the runs (and of a commit under way).
    filter: Mutex<Filter>,
    filter_bytes: usize,
    /// Whether the store outlives its handle (not a temporary one), so its filter is kept.
    lasting: bool,
    /// The log's shape, so merges need not read it back.
    shape: Mutex<Shape>,
    /// Held by a merge and by `load_state`, so a scan never sees a record both merged and not.
    merging: Mutex<()>,
    /// Read by every write, written by a copy of the store: a copy sees each write whole or
    /// not at all (sled's scans are not snapshots).
    writes: RwLock<()>,
    last_commit: Mutex<Instant>,
    wake: Condvar,
    stop: Mutex<bool>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere cannot leave these plain values half-updated.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    /// Held while writing, so that a copy of the store waits for the write to end.
    fn writing(&self) -> RwLockReadGuard<'_, ()> {
        self.writes.read().unwrap_or_else(PoisonError::into_inner)
    }
}

fn db_err(e: impl std::fmt::Display) -> StoreError {
    StoreError::Database(e.to_string())
}

fn corrupt(key: &[u8], reason: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        key: String::from_utf8_lossy(key).into_owned(),
        reason: reason.to_string(),
    }
}

fn encode<R: JsonRecord>(record: &R) -> Result<Vec<u8>, StoreError> {
    records::to_json(record).map_err(db_err)
}

fn decode<R: JsonRecord>(key: &[u8], bytes: &[u8]) -> Result<R, StoreError> {
    records::from_json(bytes).map_err(|e| corrupt(key, e))
}

fn encode_log(record: &LogRecord) -> Result<Vec<u8>, StoreError> {
    record.encode().map_err(db_err)
}

fn decode_log(key: &[u8], bytes: &[u8]) -> Result<LogRecord, StoreError> {
    LogRecord::decode(bytes).map_err(|e| corrupt(key, e))
}

fn key(prefix: &[u8], rest: &[u8]) -> Vec<u8> {
    let mut key = Vec::with_capacity(prefix.len() + rest.len());
    key.extend_from_slice(prefix);
    key.extend_from_slice(rest);
    key
}

fn outbox_key(seq: u64) -> Vec<u8> {
    key(OUTBOX, &seq.to_be_bytes())
}

fn dead_key(seq: u64) -> Vec<u8> {
    key(DEAD, &seq.to_be_bytes())
}

fn log_key(seq: u64) -> Vec<u8> {
    key(LOG, &seq.to_be_bytes())
}

fn run_key(seq: u64) -> Vec<u8> {
    key(RUNS, &seq.to_be_bytes())
}

fn log_seq(key: &[u8]) -> Result<u64, StoreError> {
    key.get(LOG.len()..)
        .and_then(|rest| rest.try_into().ok())
        .map(u64::from_be_bytes)
        .ok_or_else(|| corrupt(key, "not a log key"))
}

fn is_lock_busy(error: &sled::Error) -> bool {
    // sled reports a taken lock as an `Other` I/O error with this message.
    matches!(error, sled::Error::Io(e) if e.to_string().contains("could not acquire lock"))
}

/// Opens sled's database in `dir`, waiting a moment for a lock still held by a handle
/// closing in this process.
fn open_db(dir: &Path) -> Result<sled::Db, StoreError> {
    let config = sled::Config::new()
        .path(dir)
        // Durability comes from the explicit flush in `commit`, not from a timer.
        .flush_every_ms(None)
        // sled caches up to 1 GiB by default; the engine keeps its own state in memory.
        .cache_capacity(64 * 1024 * 1024);
    // sled's own threads release the file lock a moment after a handle is dropped, so a
    // reopen in the same process may briefly find it taken.
    let started = Instant::now();
    loop {
        match config.open() {
            Ok(db) => return Ok(db),
            Err(e) if is_lock_busy(&e) && started.elapsed() < LOCK_WAIT => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) if is_lock_busy(&e) => {
                return Err(StoreError::Locked(dir.display().to_string()))
            }
            Err(e) => return Err(db_err(e)),
        }
    }
}

impl SledStore {
    pub fn open(dir: &Path) -> Result<SledStore, StoreError> {
        Self::open_with(dir, &SledOptions::default())
    }

    pub fn open_with(dir: &Path, options: &SledOptions) -> Result<SledStore, StoreError> {
        Self::from_db(open_db(dir)?, options, true)
    }

    /// A throw-away store in memory, for tests.
    pub fn temporary() -> Result<SledStore, StoreError> {
        let db = sled::Config::new().temporary(true).open().map_err(db_err)?;
        Self::from_db(db, &SledOptions::default(), false)
    }

    fn from_db(
        db: sled::Db,
        options: &SledOptions,
        lasting: bool,
    ) -> Result<SledStore, StoreError> {
        let tree = db.open_tree("pspm").map_err(db_err)?;
        let shared = Shared {
            db,
            tree,
            recent: Mutex::new(Window::new(options.applied_window)),
            filter: Mutex::new(Filter::new(options.applied_filter_bytes)),
            filter_bytes: options.applied_filter_bytes,
            lasting,
            shape: Mutex::default(),
            merging: Mutex::default(),
            writes: RwLock::default(),
            last_commit: Mutex::new(Instant::now()),
            wake: Condvar::new(),
            stop: Mutex::new(false),
        };
        shared.check_schema()?;
        shared.load_log_shape()?;
        shared.load_filter()?;
        let shared = Arc::new(shared);
        let merger = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("pspm-store-merge".into())
                .spawn(move || shared.merge_forever())
                .map_err(db_err)?
        };
        Ok(SledStore {
            shared,
            merger: Some(merger),
        })
    }

    /// Creates the store in `dir` (which must hold no store) from a copy that
    /// [`Store::copy_to`] wrote; returns how many records it holds. On error nothing usable
    /// is left in `dir`: the caller removes it.
    pub fn restore(dir: &Path, copy: &mut dyn std::io::Read) -> Result<u64, StoreError> {
        let db = open_db(dir)?;
        let tree = db.open_tree("pspm").map_err(db_err)?;
        if !tree.is_empty() {
            return Err(StoreError::Database(format!(
                "{} already holds a store",
                dir.display()
            )));
        }
        let mut highest_seq = 0;
        let mut writes = sled::Batch::default();
        let mut pending = 0;
        let records = dump::read_dump(copy, &mut |key, value| {
            // Sequence numbers come from sled's generator: the new one must go past them.
            for prefix in [LOG, RUNS, OUTBOX, DEAD] {
                if let Some(seq) = key
                    .strip_prefix(prefix)
                    .and_then(|rest| <[u8; 8]>::try_from(rest).ok())
                {
                    highest_seq = highest_seq.max(u64::from_be_bytes(seq));
                }
            }
            writes.insert(key, value);
            pending += 1;
            if pending == 10_000 {
                tree.apply_batch(std::mem::take(&mut writes))
                    .map_err(db_err)?;
                pending = 0;
            }
            Ok(())
        })?;
        tree.apply_batch(writes).map_err(db_err)?;
        while db.generate_id().map_err(db_err)? <= highest_seq {}
        db.flush().map_err(db_err)?;
        Ok(records)
    }

    /// Does now every merge that is due (tests and benchmarks use it; the background thread
    /// does the same on its own).
    pub fn merge_due(&self) -> Result<(), StoreError> {
        while self.shared.merge_once()? {}
        Ok(())
    }

    /// Number of log records.
    pub fn log_len(&self) -> usize {
        lock(&self.shared.shape).len()
    }

    /// How many fingerprints of applied events are held in memory (at most the window; the
    /// filter keeps none, only bits).
    pub fn applied_in_memory(&self) -> usize {
        lock(&self.shared.recent).len()
    }

    /// Whether a filter kept by a close waits in the store (never while it is open).
    #[cfg(test)]
    pub(crate) fn holds_kept_filter(&self) -> bool {
        self.shared.tree.scan_prefix(FILTER).next().is_some()
    }
}

impl Drop for SledStore {
    fn drop(&mut self) {
        *lock(&self.shared.stop) = true;
        self.shared.wake.notify_all();
        if let Some(merger) = self.merger.take() {
            let _ = merger.join();
        }
        // Spares the next open a read of every run; it is rebuilt if this fails.
        if self.shared.lasting {
            if let Err(error) = self.shared.keep_filter() {
                tracing::warn!(%error, "cannot keep the filter of applied events");
            }
        }
    }
}

impl Shared {
    fn load_log_shape(&self) -> Result<(), StoreError> {
        let mut shape = lock(&self.shape);
        for entry in self.tree.scan_prefix(LOG) {
            let (key, value) = entry.map_err(db_err)?;
            let (level, fingerprints) =
                LogRecord::decode_head(&value).map_err(|e| corrupt(&key, e))?;
            if !fingerprints.is_empty() {
                // The migration moved them all to runs; one left here would be forgotten.
                return Err(corrupt(&key, "a log record still holds applied events"));
            }
            shape.push(log_seq(&key)?, level);
        }
        Ok(())
    }

    /// The filter the last clean close kept, taken away durably before anything is committed
    /// (it may only serve the runs it was kept with), or else one built from the runs.
    fn load_filter(&self) -> Result<(), StoreError> {
        let mut kept = Vec::new();
        let mut taking = sled::Batch::default();
        for entry in self.tree.scan_prefix(FILTER) {
            let (key, piece) = entry.map_err(db_err)?;
            kept.extend_from_slice(&piece);
            taking.remove(key);
        }
        if !kept.is_empty() {
            self.tree.apply_batch(taking).map_err(db_err)?;
            self.flush()?;
            if let Some(filter) = Filter::from_bytes(&kept, self.filter_bytes) {
                *lock(&self.filter) = filter;
                return Ok(());
            }
        }
        let mut filter = lock(&self.filter);
        for entry in self.tree.scan_prefix(RUNS) {
            let (key, value) = entry.map_err(db_err)?;
            for fingerprint in applied::decode(&value).map_err(|e| corrupt(&key, e))? {
                filter.insert(fingerprint);
            }
        }
        Ok(())
    }

    /// Whether a run holds `fingerprint`: the runs of the log's records, newest first.
    ///
    /// Merges go on meanwhile, unhindered: a merge moves the runs it merges to the place of
    /// the oldest, which this reads after them, so a fingerprint moved away from a run not
    /// read yet is found where it went (and a record gone is no run: nothing was lost).
    fn in_runs(&self, fingerprint: u64) -> Result<bool, StoreError> {
        let seqs = lock(&self.shape).seqs();
        for seq in seqs.into_iter().rev() {
            let key = run_key(seq);
            // A record whose commits applied no event has no run.
            let Some(run) = self.tree.get(&key).map_err(db_err)? else {
                continue;
            };
            if applied::contains(&run, fingerprint).map_err(|e| corrupt(&key, e))? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Keeps the filter for the next open, when nothing more will be committed.
    fn keep_filter(&self) -> Result<(), StoreError> {
        let kept = lock(&self.filter).to_bytes();
        let mut writes = sled::Batch::default();
        for (n, piece) in (0u32..).zip(kept.chunks(FILTER_PIECE)) {
            writes.insert(key(FILTER, &n.to_be_bytes()), piece);
        }
        let _writing = self.writing();
        self.tree.apply_batch(writes).map_err(db_err)?;
        self.flush()
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.db.flush().map(|_| ()).map_err(db_err)
    }

    /// How many keys start with `prefix` (their values are not read).
    fn count(&self, prefix: &[u8]) -> Result<usize, StoreError> {
        let mut len = 0;
        for key in self.tree.scan_prefix(prefix).keys() {
            key.map_err(db_err)?;
            len += 1;
        }
        Ok(len)
    }

    fn scan<R: JsonRecord>(&self, prefix: &[u8], limit: usize) -> Result<Vec<R>, StoreError> {
        self.tree
            .scan_prefix(prefix)
            .take(limit)
            .map(|entry| {
                let (key, value) = entry.map_err(db_err)?;
                decode(&key, &value)
            })
            .collect()
    }

    /// The dead letters (key, value) numbered `seq`, or all of them.
    fn dead_letters_selected(
        &self,
        seq: Option<u64>,
    ) -> Result<Vec<(sled::IVec, sled::IVec)>, StoreError> {
        match seq {
            Some(seq) => {
                let key = dead_key(seq);
                let value = self.tree.get(&key).map_err(db_err)?;
                Ok(value.map(|value| (key.into(), value)).into_iter().collect())
            }
            None => self
                .tree
                .scan_prefix(DEAD)
                .map(|entry| entry.map_err(db_err))
                .collect(),
        }
    }

    /// Adds the outbox entries and the sync token to `writes`, applies them atomically and
    /// makes them durable.
    fn apply_and_flush(
        &self,
        mut writes: sled::Batch,
        outgoing: Vec<(String, Outgoing)>,
        next_batch: Option<&str>,
    ) -> Result<(), StoreError> {
        for (txn_id, outgoing) in outgoing {
            let seq = self.db.generate_id().map_err(db_err)?;
            let record = OutboxRecord::from(OutboxEntry {
                seq,
                txn_id,
                outgoing,
            });
            writes.insert(outbox_key(seq), encode(&record)?);
        }
        if let Some(token) = next_batch {
            writes.insert(NEXT_BATCH, token.as_bytes());
        }
        let _writing = self.writing();
        self.tree.apply_batch(writes).map_err(db_err)?;
        self.flush()
    }
}

impl Store for SledStore {
    fn copy_to(&self, out: &mut dyn std::io::Write) -> Result<u64, StoreError> {
        let shared = &self.shared;
        // No merge and no write meanwhile: the copy is the store at one moment.
        let _merging = lock(&shared.merging);
        let _no_writes = shared
            .writes
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let mut writer = dump::DumpWriter::new(out)?;
        for entry in shared.tree.iter() {
            let (key, value) = entry.map_err(db_err)?;
            writer.record(&key, &value)?;
        }
        writer.finish()
    }

    fn next_batch(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .shared
            .tree
            .get(NEXT_BATCH)
            .map_err(db_err)?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    fn load_state(&self) -> Result<State, StoreError> {
        let shared = &self.shared;
        let _merging = lock(&shared.merging);
        let mut state = State::default();
        for entry in shared.tree.scan_prefix(LOG) {
            let (key, value) = entry.map_err(db_err)?;
            for record in decode_log(&key, &value)?.changes {
                state.apply_change(&Change::from(record));
            }
        }
        Ok(state)
    }

    fn is_applied(&self, event_id: &str) -> Result<bool, StoreError> {
        let shared = &self.shared;
        let fingerprint = fingerprint(event_id);
        if lock(&shared.recent).contains(fingerprint) {
            return Ok(true);
        }
        if !lock(&shared.filter).may_contain(fingerprint) {
            return Ok(false);
        }
        let applied = shared.in_runs(fingerprint)?;
        if applied {
            // Asked once, an event is often asked again (a walk, a redelivery).
            lock(&shared.recent).insert(fingerprint);
        }
        Ok(applied)
    }

    fn commit(&self, batch: Batch) -> Result<(), StoreError> {
        let shared = &self.shared;
        let Batch {
            next_batch,
            applied,
            outgoing,
            changes,
        } = batch;
        let mut writes = sled::Batch::default();
        let fingerprints: Vec<u64> = applied.iter().map(|id| fingerprint(id)).collect();
        let record = LogRecord {
            level: 0,
            applied: Vec::new(),
            changes: changes.into_iter().map(ChangeRecord::from).collect(),
        };
        let logged = !fingerprints.is_empty() || !record.changes.is_empty();
        let seq = shared.db.generate_id().map_err(db_err)?;
        if logged {
            writes.insert(log_key(seq), encode_log(&record)?);
        }
        if !fingerprints.is_empty() {
            // Into the filter first: a "maybe" before the write is only a read more, a "no"
            // after it would be wrong.
            let mut filter = lock(&shared.filter);
            for &fingerprint in &fingerprints {
                filter.insert(fingerprint);
            }
            drop(filter);
            writes.insert(run_key(seq), applied::encode(fingerprints.clone()));
        }
        shared.apply_and_flush(writes, outgoing, next_batch.as_deref())?;
        let mut recent = lock(&shared.recent);
        for fingerprint in fingerprints {
            recent.insert(fingerprint);
        }
        drop(recent);
        if logged {
            lock(&shared.shape).push(seq, 0);
            *lock(&shared.last_commit) = Instant::now();
            // Under the merger's lock, so the wake-up cannot fall between its check and wait.
            let _stop = lock(&shared.stop);
            shared.wake.notify_one();
        }
        Ok(())
    }

    fn outbox(&self, limit: usize) -> Result<Vec<OutboxEntry>, StoreError> {
        let records: Vec<OutboxRecord> = self.shared.scan(OUTBOX, limit)?;
        Ok(records.into_iter().map(OutboxEntry::from).collect())
    }

    fn outbox_len(&self) -> Result<usize, StoreError> {
        self.shared.count(OUTBOX)
    }

    fn dead_letter_count(&self) -> Result<usize, StoreError> {
        self.shared.count(DEAD)
    }

    fn remove_outbox(&self, seq: u64) -> Result<(), StoreError> {
        let _writing = self.shared.writing();
        self.shared.tree.remove(outbox_key(seq)).map_err(db_err)?;
        self.shared.flush()
    }

    fn dead_letter(&self, entry: &OutboxEntry, reason: &str) -> Result<(), StoreError> {
        let record = DeadLetterRecord(entry.clone().into(), reason.to_owned());
        let mut writes = sled::Batch::default();
        writes.remove(outbox_key(entry.seq));
        writes.insert(dead_key(entry.seq), encode(&record)?);
        let _writing = self.shared.writing();
        self.shared.tree.apply_batch(writes).map_err(db_err)?;
        self.shared.flush()
    }

    fn dead_letters(&self) -> Result<Vec<(OutboxEntry, String)>, StoreError> {
        let records: Vec<DeadLetterRecord> = self.shared.scan(DEAD, usize::MAX)?;
        Ok(records
            .into_iter()
            .map(|DeadLetterRecord(entry, reason)| (entry.into(), reason))
            .collect())
    }

    fn retry_dead_letters(&self, seq: Option<u64>) -> Result<usize, StoreError> {
        let mut writes = sled::Batch::default();
        let mut moved = 0;
        for (key, value) in self.shared.dead_letters_selected(seq)? {
            let DeadLetterRecord(record, _) = decode(&key, &value)?;
            writes.remove(key);
            writes.insert(outbox_key(record.seq), encode(&record)?);
            moved += 1;
        }
        let _writing = self.shared.writing();
        self.shared.tree.apply_batch(writes).map_err(db_err)?;
        self.shared.flush()?;
        Ok(moved)
    }

    fn drop_dead_letters(&self, seq: Option<u64>) -> Result<usize, StoreError> {
        let mut writes = sled::Batch::default();
        let mut dropped = 0;
        for (key, _) in self.shared.dead_letters_selected(seq)? {
            writes.remove(key);
            dropped += 1;
        }
        let _writing = self.shared.writing();
        self.shared.tree.apply_batch(writes).map_err(db_err)?;
        self.shared.flush()?;
        Ok(dropped)
    }

    fn session(&self) -> Result<Option<Session>, StoreError> {
        match self.shared.tree.get(SESSION).map_err(db_err)? {
            Some(bytes) => decode::<SessionRecord>(SESSION, &bytes).map(|r| Some(r.into())),
            None => Ok(None),
        }
    }

    fn save_session(&self, session: &Session) -> Result<(), StoreError> {
        let record = SessionRecord::from(session.clone());
        let _writing = self.shared.writing();
        self.shared
            .tree
            .insert(SESSION, encode(&record)?)
            .map_err(db_err)?;
        self.shared.flush()
    }

    fn room_for_alias(&self, alias: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .shared
            .tree
            .get(key(ROOMS, alias.as_bytes()))
            .map_err(db_err)?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    fn save_room(&self, alias: &str, room_id: &str) -> Result<(), StoreError> {
        let _writing = self.shared.writing();
        self.shared
            .tree
            .insert(key(ROOMS, alias.as_bytes()), room_id.as_bytes())
            .map_err(db_err)?;
        self.shared.flush()
    }

    fn first_start_ms(&self, now_ms: i64) -> Result<i64, StoreError> {
        let _writing = self.shared.writing();
        let previous = self
            .shared
            .tree
            .compare_and_swap(
                FIRST_START,
                None as Option<&[u8]>,
                Some(&now_ms.to_be_bytes()[..]),
            )
            .map_err(db_err)?;
        match previous {
            Ok(()) => {
                self.shared.flush()?;
                Ok(now_ms)
            }
            Err(existing) => {
                let bytes = existing.current.unwrap_or_default();
                let array: [u8; 8] =
                    bytes.as_ref().try_into().map_err(|_| StoreError::Corrupt {
                        key: "first_start_ms".into(),
                        reason: "not 8 bytes".into(),
                    })?;
                Ok(i64::from_be_bytes(array))
            }
        }
    }
}
