//! The sled implementation of [`Store`]: the only code that imports sled. Values are
//! [`records`](super::records), never domain types.
//!
//! Everything lives in one tree, under key prefixes, so that a sync batch is one atomic
//! `apply_batch` followed by one flush:
//! - `m:` meta (sync token, session, first start, schema version)
//! - `l:` the log: records of state changes and applied-event fingerprints, oldest first
//! - `o:` outbox entries by sequence number (big-endian, so scans run in send order)
//! - `d:` dead letters
//! - `r:` provisioned rooms by alias
//!
//! Why a log: the engine loads the whole state at start and never looks a record up, so a
//! commit writes one record per batch instead of one key per event and per change; that is
//! what makes 100k events/s with a durable commit per 100 events possible. To keep the log
//! short, a background thread merges runs of [`FANOUT`] records of one level into one record
//! of the next level, keeping only the latest change per [`record_key`] (an LSM-style
//! tiered merge: each change is rewritten a few times, never per key). A merge is one atomic
//! batch and needs no flush: until a later flush persists it, the records it replaced are
//! still on disk. Levels never grow along the log, so merging neighbours keeps history order.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::records::{
    self, ChangeRecord, DeadLetterRecord, JsonRecord, LogRecord, OutboxRecord, SessionRecord,
};
use super::{Batch, OutboxEntry, Outgoing, Session, Store, StoreError};
use crate::domain::participation::fingerprint;
use crate::domain::{Change, State};

/// Version of the record layout; version 2 stores are migrated on open, others refused.
const SCHEMA_VERSION: u64 = 3;

const NEXT_BATCH: &[u8] = b"m:next_batch";
const SESSION: &[u8] = b"m:session";
const FIRST_START: &[u8] = b"m:first_start_ms";
const SCHEMA: &[u8] = b"m:schema_version";
const LOG: &[u8] = b"l:";
const OUTBOX: &[u8] = b"o:";
const DEAD: &[u8] = b"d:";
const ROOMS: &[u8] = b"r:";
/// Version 2 kept one `a:<event id>` key per applied event and `s:` per state record.
const V2_APPLIED: &[u8] = b"a:";
const V2_STATE: &[u8] = b"s:";

/// How many records of one level merge into one of the next.
const FANOUT: usize = 16;
/// Records of this level are not merged further (at 100 events a commit, up to ~400k events
/// each), so no single value grows without bound.
const TOP_LEVEL: u8 = 3;
/// Merges wait for this long without commits, or for this many records in the log.
const IDLE: Duration = Duration::from_millis(500);
const BACKLOG: usize = 4096;
/// How long `open` waits for a lock still held by a handle closing in this process.
const LOCK_WAIT: Duration = Duration::from_secs(3);

fn decode_record(key: &[u8], bytes: &[u8]) -> Result<LogRecord, StoreError> {
    LogRecord::decode(bytes).map_err(|e| corrupt(key, e))
}

fn encode_record(record: &LogRecord) -> Result<Vec<u8>, StoreError> {
    record.encode().map_err(db_err)
}

fn corrupt(key: &[u8], reason: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        key: String::from_utf8_lossy(key).into_owned(),
        reason: reason.to_string(),
    }
}

pub struct SledStore {
    shared: Arc<Shared>,
    merger: Option<JoinHandle<()>>,
}

struct Shared {
    db: sled::Db,
    tree: sled::Tree,
    /// Fingerprints of every applied event (8 bytes each; a false match needs a 64-bit
    /// collision).
    applied: Mutex<HashSet<u64>>,
    /// The log's shape, `(sequence, level)` oldest first, so merges need not read it back.
    levels: Mutex<Vec<(u64, u8)>>,
    /// Held by a merge and by `load_state`, so a scan never sees a record both merged and not.
    merging: Mutex<()>,
    last_commit: Mutex<Instant>,
    wake: Condvar,
    stop: Mutex<bool>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere cannot leave these plain values half-updated.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn db_err(e: impl std::fmt::Display) -> StoreError {
    StoreError::Database(e.to_string())
}

fn encode<R: JsonRecord>(record: &R) -> Result<Vec<u8>, StoreError> {
    records::to_json(record).map_err(db_err)
}

fn decode<R: JsonRecord>(key: &[u8], bytes: &[u8]) -> Result<R, StoreError> {
    records::from_json(bytes).map_err(|e| corrupt(key, e))
}

fn key(prefix: &[u8], rest: &[u8]) -> Vec<u8> {
    let mut key = Vec::with_capacity(prefix.len() + rest.len());
    key.extend_from_slice(prefix);
    key.extend_from_slice(rest);
    key
}

fn log_key(seq: u64) -> Vec<u8> {
    key(LOG, &seq.to_be_bytes())
}

fn log_seq(key: &[u8]) -> Result<u64, StoreError> {
    key.get(LOG.len()..)
        .and_then(|rest| rest.try_into().ok())
        .map(u64::from_be_bytes)
        .ok_or_else(|| StoreError::Corrupt {
            key: String::from_utf8_lossy(key).into_owned(),
            reason: "not a log key".into(),
        })
}

fn is_lock_busy(error: &sled::Error) -> bool {
    // sled reports a taken lock as an `Other` I/O error with this message.
    matches!(error, sled::Error::Io(e) if e.to_string().contains("could not acquire lock"))
}

/// What a change is the latest value of: a later change with the same key supersedes it.
pub(super) fn record_key(change: &Change) -> String {
    match change {
        Change::PowerLevels { room_id, .. } => format!("power/{room_id}"),
        Change::BotJoined { room_id, .. } => format!("joined/{room_id}"),
        Change::Proposal(proposal) => format!("proposal/{:010}", proposal.number),
        Change::Ballots { number, user, .. } => format!("vote/{number:010}/{user}"),
        Change::Comment(comment) => format!("comment/{}", comment.event_id),
        Change::Phase { section, .. } => format!("phase/{section}"),
        Change::Poll(poll) => format!("poll/{:010}", poll.id),
        Change::PollResponse { poll, user, .. } => format!("poll-response/{poll:010}/{user}"),
        Change::ToldServerNotAllowed { room_id, server } => {
            format!("told-not-allowed/{room_id}/{server}")
        }
        Change::Action(action) => format!("action/{}", action.code),
        Change::ActionUpdate { code, update } => format!("update/{code}/{}", update.event_id),
        Change::Measurement(m) => format!("measure/{}/{}", m.result, m.event_id),
        Change::Reminded { room_id, .. } => format!("reminded/{room_id}"),
    }
}

/// Keeps the latest change per [`record_key`], in the order of their last appearance, but
/// those that [replay first](Change::replays_first) first.
fn latest_changes(changes: impl IntoIterator<Item = Change>) -> Vec<Change> {
    let mut position: HashMap<String, usize> = HashMap::new();
    let mut latest: Vec<Option<Change>> = Vec::new();
    for change in changes {
        if let Some(earlier) = position.insert(record_key(&change), latest.len()) {
            latest[earlier] = None;
        }
        latest.push(Some(change));
    }
    let mut latest: Vec<Change> = latest.into_iter().flatten().collect();
    latest.sort_by_key(|change| !change.replays_first());
    latest
}

impl SledStore {
    pub fn open(dir: &Path) -> Result<SledStore, StoreError> {
        let config = sled::Config::new()
            .path(dir)
            // Durability comes from the explicit flush in `commit`, not from a timer.
            .flush_every_ms(None)
            // sled caches up to 1 GiB by default; the engine keeps its own state in memory.
            .cache_capacity(64 * 1024 * 1024);
        // sled's own threads release the file lock a moment after a handle is dropped, so a
        // reopen in the same process may briefly find it taken.
        let started = Instant::now();
        let db = loop {
            match config.open() {
                Ok(db) => break db,
                Err(e) if is_lock_busy(&e) && started.elapsed() < LOCK_WAIT => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) if is_lock_busy(&e) => {
                    return Err(StoreError::Locked(dir.display().to_string()))
                }
                Err(e) => return Err(db_err(e)),
            }
        };
        Self::from_db(db)
    }

    /// A throw-away store in memory, for tests.
    pub fn temporary() -> Result<SledStore, StoreError> {
        Self::from_db(sled::Config::new().temporary(true).open().map_err(db_err)?)
    }

    fn from_db(db: sled::Db) -> Result<SledStore, StoreError> {
        let tree = db.open_tree("pspm").map_err(db_err)?;
        let shared = Shared {
            db,
            tree,
            applied: Mutex::default(),
            levels: Mutex::default(),
            merging: Mutex::default(),
            last_commit: Mutex::new(Instant::now()),
            wake: Condvar::new(),
            stop: Mutex::new(false),
        };
        shared.check_schema()?;
        shared.load_log_shape()?;
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

    /// Does now every merge that is due (tests and benchmarks use it; the background thread
    /// does the same on its own).
    pub fn merge_due(&self) -> Result<(), StoreError> {
        while self.shared.merge_once()? {}
        Ok(())
    }

    /// Number of log records.
    pub fn log_len(&self) -> usize {
        lock(&self.shared.levels).len()
    }
}

impl Drop for SledStore {
    fn drop(&mut self) {
        *lock(&self.shared.stop) = true;
        self.shared.wake.notify_all();
        if let Some(merger) = self.merger.take() {
            let _ = merger.join();
        }
    }
}

impl Shared {
    fn check_schema(&self) -> Result<(), StoreError> {
        match self.tree.get(SCHEMA).map_err(db_err)? {
            None => {
                self.tree
                    .insert(SCHEMA, &SCHEMA_VERSION.to_be_bytes())
                    .map_err(db_err)?;
            }
            Some(v) if v.as_ref() == SCHEMA_VERSION.to_be_bytes() => {}
            Some(v) if v.as_ref() == 2u64.to_be_bytes() => self.migrate_from_v2()?,
            Some(v) => {
                return Err(StoreError::Corrupt {
                    key: "schema_version".into(),
                    reason: format!(
                        "layout {v:?} is not version {SCHEMA_VERSION}: move the store aside and run `pspm rebuild`"
                    ),
                })
            }
        }
        Ok(())
    }

    /// Version 2 kept a key per applied event and per state record: make them one record.
    fn migrate_from_v2(&self) -> Result<(), StoreError> {
        let mut writes = sled::Batch::default();
        let mut record = LogRecord {
            level: TOP_LEVEL,
            applied: Vec::new(),
            changes: Vec::new(),
        };
        for entry in self.tree.scan_prefix(V2_APPLIED) {
            let (key, _) = entry.map_err(db_err)?;
            let event_id = String::from_utf8_lossy(&key[V2_APPLIED.len()..]).into_owned();
            record.applied.push(fingerprint(&event_id));
            writes.remove(key);
        }
        for entry in self.tree.scan_prefix(V2_STATE) {
            let (key, value) = entry.map_err(db_err)?;
            record.changes.push(decode::<ChangeRecord>(&key, &value)?);
            writes.remove(key);
        }
        let seq = self.db.generate_id().map_err(db_err)?;
        writes.insert(log_key(seq), encode_record(&record)?);
        writes.insert(SCHEMA, &SCHEMA_VERSION.to_be_bytes());
        self.tree.apply_batch(writes).map_err(db_err)?;
        self.flush()
    }

    fn load_log_shape(&self) -> Result<(), StoreError> {
        let mut applied = lock(&self.applied);
        let mut levels = lock(&self.levels);
        for entry in self.tree.scan_prefix(LOG) {
            let (key, value) = entry.map_err(db_err)?;
            let (level, fingerprints) =
                LogRecord::decode_head(&value).map_err(|e| corrupt(&key, e))?;
            applied.extend(fingerprints);
            levels.push((log_seq(&key)?, level));
        }
        Ok(())
    }

    fn merge_forever(&self) {
        loop {
            {
                let mut stop = lock(&self.stop);
                while !*stop && !self.merge_now() {
                    stop = self
                        .wake
                        .wait_timeout(stop, IDLE)
                        .unwrap_or_else(PoisonError::into_inner)
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

    /// Whether a merge is due and now is the time: merges write much, and their flush would
    /// slow the commits of a busy stream, so they wait for a pause unless the log grows long.
    fn merge_now(&self) -> bool {
        let quiet = lock(&self.last_commit).elapsed() >= IDLE;
        let long = lock(&self.levels).len() >= BACKLOG;
        (quiet || long) && self.due_merge().is_some()
    }

    /// The first run of [`FANOUT`] records of one level below the top, as `(start, level)`
    /// (an index into `levels`).
    fn due_merge(&self) -> Option<(usize, u8)> {
        let levels = lock(&self.levels);
        let mut run_start = 0;
        for (index, &(_, level)) in levels.iter().enumerate() {
            if level != levels[run_start].1 {
                run_start = index;
            }
            if level < TOP_LEVEL && index + 1 - run_start == FANOUT {
                return Some((run_start, level));
            }
        }
        None
    }

    /// Merges one due run of records, returning whether there was one.
    fn merge_once(&self) -> Result<bool, StoreError> {
        let _merging = lock(&self.merging);
        let Some((start, level)) = self.due_merge() else {
            return Ok(false);
        };
        let run: Vec<u64> = lock(&self.levels)[start..start + FANOUT]
            .iter()
            .map(|&(seq, _)| seq)
            .collect();
        let mut applied = Vec::new();
        let mut changes = Vec::new();
        let mut writes = sled::Batch::default();
        for &seq in &run {
            let key = log_key(seq);
            let value =
                self.tree
                    .get(&key)
                    .map_err(db_err)?
                    .ok_or_else(|| StoreError::Corrupt {
                        key: String::from_utf8_lossy(&key).into_owned(),
                        reason: "log record vanished".into(),
                    })?;
            let record = decode_record(&key, &value)?;
            applied.extend(record.applied);
            changes.extend(record.changes.into_iter().map(Change::from));
            writes.remove(key);
        }
        let merged = LogRecord {
            level: level + 1,
            applied,
            changes: latest_changes(changes)
                .into_iter()
                .map(ChangeRecord::from)
                .collect(),
        };
        // The merged record takes the place of the run's oldest.
        writes.insert(log_key(run[0]), encode_record(&merged)?);
        self.tree.apply_batch(writes).map_err(db_err)?;
        let mut levels = lock(&self.levels);
        levels.splice(start..start + FANOUT, [(run[0], level + 1)]);
        Ok(true)
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.db.flush().map(|_| ()).map_err(db_err)
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
}

impl Store for SledStore {
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
            for record in decode_record(&key, &value)?.changes {
                state.apply_change(&Change::from(record));
            }
        }
        Ok(state)
    }

    fn is_applied(&self, event_id: &str) -> Result<bool, StoreError> {
        Ok(lock(&self.shared.applied).contains(&fingerprint(event_id)))
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
        let record = LogRecord {
            level: 0,
            applied: applied.iter().map(|id| fingerprint(id)).collect(),
            changes: changes.into_iter().map(ChangeRecord::from).collect(),
        };
        let logged = !record.applied.is_empty() || !record.changes.is_empty();
        let seq = shared.db.generate_id().map_err(db_err)?;
        if logged {
            writes.insert(log_key(seq), encode_record(&record)?);
        }
        shared.apply_and_flush(writes, outgoing, next_batch.as_deref())?;
        if logged {
            lock(&shared.applied).extend(record.applied);
            lock(&shared.levels).push((seq, 0));
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

    fn remove_outbox(&self, seq: u64) -> Result<(), StoreError> {
        self.shared
            .tree
            .remove(key(OUTBOX, &seq.to_be_bytes()))
            .map_err(db_err)?;
        self.shared.flush()
    }

    fn dead_letter(&self, entry: &OutboxEntry, reason: &str) -> Result<(), StoreError> {
        let record = DeadLetterRecord(entry.clone().into(), reason.to_owned());
        let mut writes = sled::Batch::default();
        writes.remove(key(OUTBOX, &entry.seq.to_be_bytes()));
        writes.insert(key(DEAD, &entry.seq.to_be_bytes()), encode(&record)?);
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

    fn session(&self) -> Result<Option<Session>, StoreError> {
        match self.shared.tree.get(SESSION).map_err(db_err)? {
            Some(bytes) => decode::<SessionRecord>(SESSION, &bytes).map(|r| Some(r.into())),
            None => Ok(None),
        }
    }

    fn save_session(&self, session: &Session) -> Result<(), StoreError> {
        let record = SessionRecord::from(session.clone());
        self.shared
            .tree
            .insert(SESSION, encode(&record)?)
            .map_err(db_err)?;
        self.shared.flush()
    }

    fn clear_session(&self) -> Result<(), StoreError> {
        self.shared.tree.remove(SESSION).map_err(db_err)?;
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
        self.shared
            .tree
            .insert(key(ROOMS, alias.as_bytes()), room_id.as_bytes())
            .map_err(db_err)?;
        self.shared.flush()
    }

    fn first_start_ms(&self, now_ms: i64) -> Result<i64, StoreError> {
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

impl Shared {
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
            writes.insert(key(OUTBOX, &seq.to_be_bytes()), encode(&record)?);
        }
        if let Some(token) = next_batch {
            writes.insert(NEXT_BATCH, token.as_bytes());
        }
        self.tree.apply_batch(writes).map_err(db_err)?;
        self.flush()
    }
}
