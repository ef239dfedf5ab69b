//! The sled implementation of [`Store`]: the only code that imports sled.

use std::path::Path;

use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::Transactional;

use super::{Batch, OutboxEntry, Session, Store, StoreError};
use crate::domain::{Change, State};

/// Version of the record layout, stored in `meta` to refuse a store written by a newer layout.
const SCHEMA_VERSION: u64 = 1;

const NEXT_BATCH: &[u8] = b"next_batch";
const SESSION: &[u8] = b"session";
const FIRST_START: &[u8] = b"first_start_ms";
const SCHEMA: &[u8] = b"schema_version";

pub struct SledStore {
    db: sled::Db,
    meta: sled::Tree,
    applied: sled::Tree,
    outbox: sled::Tree,
    dead: sled::Tree,
    state: sled::Tree,
    rooms: sled::Tree,
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

impl SledStore {
    pub fn open(dir: &Path) -> Result<SledStore, StoreError> {
        let db = sled::Config::new()
            .path(dir)
            // Durability comes from the explicit flush in `commit`, not from a timer.
            .flush_every_ms(None)
            .open()
            .map_err(db_err)?;
        Self::from_db(db)
    }

    /// A throw-away store in memory, for tests.
    pub fn temporary() -> Result<SledStore, StoreError> {
        Self::from_db(sled::Config::new().temporary(true).open().map_err(db_err)?)
    }

    fn from_db(db: sled::Db) -> Result<SledStore, StoreError> {
        let tree = |name: &str| db.open_tree(name).map_err(db_err);
        let store = SledStore {
            meta: tree("meta")?,
            applied: tree("applied")?,
            outbox: tree("outbox")?,
            dead: tree("dead_letter")?,
            state: tree("state")?,
            rooms: tree("rooms")?,
            db,
        };
        match store.meta.get(SCHEMA).map_err(db_err)? {
            None => {
                store
                    .meta
                    .insert(SCHEMA, &SCHEMA_VERSION.to_be_bytes())
                    .map_err(db_err)?;
            }
            Some(v) if v.as_ref() == SCHEMA_VERSION.to_be_bytes() => {}
            Some(v) => {
                return Err(StoreError::Corrupt {
                    key: "schema_version".into(),
                    reason: format!("unsupported version {v:?}, expected {SCHEMA_VERSION}"),
                })
            }
        }
        Ok(store)
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.db.flush().map(|_| ()).map_err(db_err)
    }
}

impl Store for SledStore {
    fn next_batch(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .meta
            .get(NEXT_BATCH)
            .map_err(db_err)?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    fn load_state(&self) -> Result<State, StoreError> {
        let mut state = State::default();
        for record in self.state.iter() {
            let (key, value) = record.map_err(db_err)?;
            let change: Change = decode(&key, &value)?;
            state.apply_change(&change);
        }
        Ok(state)
    }

    fn is_applied(&self, event_id: &str) -> Result<bool, StoreError> {
        self.applied.contains_key(event_id).map_err(db_err)
    }

    fn commit(&self, batch: Batch) -> Result<(), StoreError> {
        let changes = batch
            .changes
            .iter()
            .map(|change| Ok((change.record_key(), encode(change)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let result = (&self.meta, &self.applied, &self.outbox, &self.state).transaction(
            |(meta, applied, outbox, state)| {
                for event_id in &batch.applied {
                    applied.insert(event_id.as_bytes(), &[])?;
                }
                for (key, value) in &changes {
                    state.insert(key.as_bytes(), value.as_slice())?;
                }
                for (txn_id, outgoing) in &batch.outgoing {
                    let seq = outbox.generate_id()?;
                    let entry = OutboxEntry {
                        seq,
                        txn_id: txn_id.clone(),
                        outgoing: outgoing.clone(),
                    };
                    let bytes = serde_json::to_vec(&entry)
                        .map_err(|e| ConflictableTransactionError::Abort(e.to_string()))?;
                    outbox.insert(&seq.to_be_bytes(), bytes)?;
                }
                if let Some(token) = &batch.next_batch {
                    meta.insert(NEXT_BATCH, token.as_bytes())?;
                }
                Ok(())
            },
        );
        match result {
            Ok(()) => self.flush(),
            Err(TransactionError::Abort(reason)) => Err(StoreError::Database(reason)),
            Err(TransactionError::Storage(e)) => Err(db_err(e)),
        }
    }

    fn outbox(&self, limit: usize) -> Result<Vec<OutboxEntry>, StoreError> {
        self.outbox
            .iter()
            .take(limit)
            .map(|record| {
                let (key, value) = record.map_err(db_err)?;
                decode(&key, &value)
            })
            .collect()
    }

    fn remove_outbox(&self, seq: u64) -> Result<(), StoreError> {
        self.outbox.remove(seq.to_be_bytes()).map_err(db_err)?;
        self.flush()
    }

    fn dead_letter(&self, entry: &OutboxEntry, reason: &str) -> Result<(), StoreError> {
        let record = encode(&(entry, reason))?;
        (&self.outbox, &self.dead)
            .transaction(|(outbox, dead)| {
                outbox.remove(&entry.seq.to_be_bytes())?;
                dead.insert(&entry.seq.to_be_bytes(), record.as_slice())?;
                Ok::<_, ConflictableTransactionError<()>>(())
            })
            .map_err(|e| db_err(format!("{e:?}")))?;
        self.flush()
    }

    fn dead_letters(&self) -> Result<Vec<(OutboxEntry, String)>, StoreError> {
        self.dead
            .iter()
            .map(|record| {
                let (key, value) = record.map_err(db_err)?;
                decode(&key, &value)
            })
            .collect()
    }

    fn session(&self) -> Result<Option<Session>, StoreError> {
        match self.meta.get(SESSION).map_err(db_err)? {
            Some(bytes) => decode(SESSION, &bytes).map(Some),
            None => Ok(None),
        }
    }

    fn save_session(&self, session: &Session) -> Result<(), StoreError> {
        self.meta
            .insert(SESSION, encode(session)?)
            .map_err(db_err)?;
        self.flush()
    }

    fn clear_session(&self) -> Result<(), StoreError> {
        self.meta.remove(SESSION).map_err(db_err)?;
        self.flush()
    }

    fn room_for_alias(&self, alias: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .rooms
            .get(alias)
            .map_err(db_err)?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    fn save_room(&self, alias: &str, room_id: &str) -> Result<(), StoreError> {
        self.rooms
            .insert(alias, room_id.as_bytes())
            .map_err(db_err)?;
        self.flush()
    }

    fn first_start_ms(&self, now_ms: i64) -> Result<i64, StoreError> {
        let previous = self
            .meta
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
