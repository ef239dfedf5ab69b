//! The schema version under `m:schema_version`, and the migration of older layouts on open:
//! versions 2 and 3 are migrated, any other version refused (a store can always be rebuilt).
//! A migration is one atomic batch, made durable before the store is used: a crash during it
//! leaves the old layout, which the next open migrates again.

use super::{db_err, decode, decode_log, encode_log, log_key, log_seq, run_key, Shared, LOG};
use crate::domain::participation::fingerprint;
use crate::store::merge::TOP_LEVEL;
use crate::store::records::{applied, ChangeRecord, LogRecord};
use crate::store::StoreError;

/// Version of the record layout; older versions 2 and 3 are migrated on open, others refused.
pub const SCHEMA_VERSION: u64 = 4;
const SCHEMA: &[u8] = b"m:schema_version";
/// Version 2 kept one `a:<event id>` key per applied event and `s:` per state record.
const V2_APPLIED: &[u8] = b"a:";
const V2_STATE: &[u8] = b"s:";

impl Shared {
    pub(super) fn check_schema(&self) -> Result<(), StoreError> {
        match self.tree.get(SCHEMA).map_err(db_err)? {
            None => {
                self.tree
                    .insert(SCHEMA, &SCHEMA_VERSION.to_be_bytes())
                    .map_err(db_err)?;
            }
            Some(v) if v.as_ref() == SCHEMA_VERSION.to_be_bytes() => {}
            Some(v) if v.as_ref() == 3u64.to_be_bytes() => self.migrate_from_v3()?,
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

    /// Version 3 kept the fingerprints of applied events inside the log records, and all of
    /// them in memory: move each record's into its applied run.
    fn migrate_from_v3(&self) -> Result<(), StoreError> {
        let mut writes = sled::Batch::default();
        let mut moved = 0usize;
        for entry in self.tree.scan_prefix(LOG) {
            let (key, value) = entry.map_err(db_err)?;
            let mut record = decode_log(&key, &value)?;
            if record.applied.is_empty() {
                continue;
            }
            moved += record.applied.len();
            let fingerprints = std::mem::take(&mut record.applied);
            writes.insert(run_key(log_seq(&key)?), applied::encode(fingerprints));
            writes.insert(key, encode_log(&record)?);
        }
        writes.insert(SCHEMA, &SCHEMA_VERSION.to_be_bytes());
        self.tree.apply_batch(writes).map_err(db_err)?;
        self.flush()?;
        tracing::info!(applied = moved, "store migrated from version 3 to 4");
        Ok(())
    }

    /// Version 2 kept a key per applied event and per state record: make them one log record
    /// and its applied run.
    fn migrate_from_v2(&self) -> Result<(), StoreError> {
        let mut writes = sled::Batch::default();
        let mut record = LogRecord {
            level: TOP_LEVEL,
            applied: Vec::new(),
            changes: Vec::new(),
        };
        let mut fingerprints = Vec::new();
        for entry in self.tree.scan_prefix(V2_APPLIED) {
            let (key, _) = entry.map_err(db_err)?;
            let event_id = String::from_utf8_lossy(&key[V2_APPLIED.len()..]).into_owned();
            fingerprints.push(fingerprint(&event_id));
            writes.remove(key);
        }
        for entry in self.tree.scan_prefix(V2_STATE) {
            let (key, value) = entry.map_err(db_err)?;
            record.changes.push(decode::<ChangeRecord>(&key, &value)?);
            writes.remove(key);
        }
        let seq = self.db.generate_id().map_err(db_err)?;
        writes.insert(log_key(seq), encode_log(&record)?);
        if !fingerprints.is_empty() {
            writes.insert(run_key(seq), applied::encode(fingerprints));
        }
        writes.insert(SCHEMA, &SCHEMA_VERSION.to_be_bytes());
        self.tree.apply_batch(writes).map_err(db_err)?;
        self.flush()
    }
}
