//! The sled implementation of [`Store`]: the only code that imports sled.
//!
//! Everything lives in one tree, under key prefixes, so that a sync batch is one atomic
//! `apply_batch` (much cheaper than a multi-tree transaction) followed by one flush:
//! - `m:` meta (sync token, session, first start, schema version)
//! - `a:` applied event IDs
//! - `o:` outbox entries by sequence number (big-endian, so scans run in send order)
//! - `d:` dead letters
//! - `s:` state records, the latest value per [`Change::record_key`]
//! - `r:` provisioned rooms by alias

use std::path::Path;

use super::{Batch, OutboxEntry, Session, Store, StoreError};
use crate::domain::{Change, State};

/// Version of the record layout; a store of another version is refused (rebuild it).
const SCHEMA_VERSION: u64 = 2;

const NEXT_BATCH: &[u8] = b"m:next_batch";
const SESSION: &[u8] = b"m:session";
const FIRST_START: &[u8] = b"m:first_start_ms";
const SCHEMA: &[u8] = b"m:schema_version";
const APPLIED: &[u8] = b"a:";
const OUTBOX: &[u8] = b"o:";
const DEAD: &[u8] = b"d:";
const STATE: &[u8] = b"s:";
const ROOMS: &[u8] = b"r:";

pub struct SledStore {
    db: sled::Db,
    tree: sled::Tree,
}

fn db_err(e: impl std::fmt::Display) -> StoreError {
    StoreError::Database(e.to_string())
}

fn encode<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(db_err)
}

fn decode<T: serde::de::DeserializeOwned>(key: &[u8], bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        key: String::from_utf8_lossy(key).into_owned(),
        reason: e.to_string(),
    })
}

fn key(prefix: &[u8], rest: &[u8]) -> Vec<u8> {
    let mut key = Vec::with_capacity(prefix.len() + rest.len());
    key.extend_from_slice(prefix);
    key.extend_from_slice(rest);
    key
}

impl SledStore {
    pub fn open(dir: &Path) -> Result<SledStore, StoreError> {
        let db = sled::Config::new()
            .path(dir)
            // Durability comes from the explicit flush in `commit`, not from a timer.
            .flush_every_ms(None)
            // sled caches up to 1 GiB by default; the engine keeps its own state in memory.
            .cache_capacity(64 * 1024 * 1024)
            .open()
            .map_err(db_err)?;
        Self::from_db(db)
    }

    /// A throw-away store in memory, for tests.
    pub fn temporary() -> Result<SledStore, StoreError> {
        Self::from_db(sled::Config::new().temporary(true).open().map_err(db_err)?)
    }

    fn from_db(db: sled::Db) -> Result<SledStore, StoreError> {
        let tree = db.open_tree("pspm").map_err(db_err)?;
        let store = SledStore { db, tree };
        match store.tree.get(SCHEMA).map_err(db_err)? {
            None => {
                store
                    .tree
                    .insert(SCHEMA, &SCHEMA_VERSION.to_be_bytes())
                    .map_err(db_err)?;
            }
            Some(v) if v.as_ref() == SCHEMA_VERSION.to_be_bytes() => {}
            Some(v) => {
                return Err(StoreError::Corrupt {
                    key: "schema_version".into(),
                    reason: format!(
                        "layout {v:?} is not version {SCHEMA_VERSION}: move the store aside and run `pspm rebuild`"
                    ),
                })
            }
        }
        Ok(store)
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.db.flush().map(|_| ()).map_err(db_err)
    }

    fn scan<T: serde::de::DeserializeOwned>(
        &self,
        prefix: &[u8],
        limit: usize,
    ) -> Result<Vec<T>, StoreError> {
        self.tree
            .scan_prefix(prefix)
            .take(limit)
            .map(|record| {
                let (key, value) = record.map_err(db_err)?;
                decode(&key, &value)
            })
            .collect()
    }
}

impl Store for SledStore {
    fn next_batch(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .tree
            .get(NEXT_BATCH)
            .map_err(db_err)?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    fn load_state(&self) -> Result<State, StoreError> {
        let mut state = State::default();
        for change in self.scan::<Change>(STATE, usize::MAX)? {
            state.apply_change(&change);
        }
        Ok(state)
    }

    fn is_applied(&self, event_id: &str) -> Result<bool, StoreError> {
        self.tree
            .contains_key(key(APPLIED, event_id.as_bytes()))
            .map_err(db_err)
    }

    fn commit(&self, batch: Batch) -> Result<(), StoreError> {
        let mut writes = sled::Batch::default();
        for event_id in &batch.applied {
            writes.insert(key(APPLIED, event_id.as_bytes()), &[]);
        }
        for change in &batch.changes {
            writes.insert(key(STATE, change.record_key().as_bytes()), encode(change)?);
        }
        for (txn_id, outgoing) in batch.outgoing {
            let seq = self.db.generate_id().map_err(db_err)?;
            let entry = OutboxEntry {
                seq,
                txn_id,
                outgoing,
            };
            writes.insert(key(OUTBOX, &seq.to_be_bytes()), encode(&entry)?);
        }
        if let Some(token) = &batch.next_batch {
            writes.insert(NEXT_BATCH, token.as_bytes());
        }
        self.tree.apply_batch(writes).map_err(db_err)?;
        self.flush()
    }

    fn outbox(&self, limit: usize) -> Result<Vec<OutboxEntry>, StoreError> {
        self.scan(OUTBOX, limit)
    }

    fn remove_outbox(&self, seq: u64) -> Result<(), StoreError> {
        self.tree
            .remove(key(OUTBOX, &seq.to_be_bytes()))
            .map_err(db_err)?;
        self.flush()
    }

    fn dead_letter(&self, entry: &OutboxEntry, reason: &str) -> Result<(), StoreError> {
        let mut writes = sled::Batch::default();
        writes.remove(key(OUTBOX, &entry.seq.to_be_bytes()));
        writes.insert(
            key(DEAD, &entry.seq.to_be_bytes()),
            encode(&(entry, reason))?,
        );
        self.tree.apply_batch(writes).map_err(db_err)?;
        self.flush()
    }

    fn dead_letters(&self) -> Result<Vec<(OutboxEntry, String)>, StoreError> {
        self.scan(DEAD, usize::MAX)
    }

    fn session(&self) -> Result<Option<Session>, StoreError> {
        match self.tree.get(SESSION).map_err(db_err)? {
            Some(bytes) => decode(SESSION, &bytes).map(Some),
            None => Ok(None),
        }
    }

    fn save_session(&self, session: &Session) -> Result<(), StoreError> {
        self.tree
            .insert(SESSION, encode(session)?)
            .map_err(db_err)?;
        self.flush()
    }

    fn clear_session(&self) -> Result<(), StoreError> {
        self.tree.remove(SESSION).map_err(db_err)?;
        self.flush()
    }

    fn room_for_alias(&self, alias: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .tree
            .get(key(ROOMS, alias.as_bytes()))
            .map_err(db_err)?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    fn save_room(&self, alias: &str, room_id: &str) -> Result<(), StoreError> {
        self.tree
            .insert(key(ROOMS, alias.as_bytes()), room_id.as_bytes())
            .map_err(db_err)?;
        self.flush()
    }

    fn first_start_ms(&self, now_ms: i64) -> Result<i64, StoreError> {
        let previous = self
            .tree
            .compare_and_swap(
                FIRST_START,
                None as Option<&[u8]>,
                Some(&now_ms.to_be_bytes()[..]),
            )
            .map_err(db_err)?;
        match previous {
            Ok(()) => {
                self.flush()?;
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
