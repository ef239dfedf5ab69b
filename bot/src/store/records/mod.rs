//! Stored records: the types the store writes, apart from the domain types they carry, so that
//! renaming a domain field cannot change the format on disk. Each mirrors today's encoding
//! exactly (field names, enum tagging, defaults) and converts to and from the domain
//! explicitly; `store/golden/` pins every encoding (see `store::golden`).
//!
//! - [`log`]: a log record, the binary run of history holding [`ChangeRecord`]s;
//! - [`applied`]: an applied run, the sorted fingerprints of the events a log record applied;
//! - [`changes`], [`participation`], [`polls`], [`secret_ballot`], [`monitoring`],
//!   [`consultation`], [`iterations`]: a state change and its parts;
//! - [`outbox`]: outbox entries and dead letters;
//! - [`meta`]: the session.

pub mod applied;
pub mod changes;
pub mod consultation;
pub mod iterations;
pub mod log;
pub mod meta;
pub mod monitoring;
pub mod outbox;
pub mod participation;
pub mod polls;
pub mod secret_ballot;

use serde::de::DeserializeOwned;
use serde::Serialize;

pub use changes::ChangeRecord;
pub use log::LogRecord;
pub use meta::SessionRecord;
pub use outbox::{DeadLetterRecord, OutboxRecord};

/// A record kept as JSON: a value under its own key, or a change inside a log record. Only
/// records are, so no domain type reaches the disk by its own serde derive.
pub trait JsonRecord: Serialize + DeserializeOwned {}

impl JsonRecord for ChangeRecord {}
impl JsonRecord for OutboxRecord {}
impl JsonRecord for DeadLetterRecord {}
impl JsonRecord for SessionRecord {}

pub fn to_json<R: JsonRecord>(record: &R) -> Result<Vec<u8>, serde_json::Error> {
    serde_json::to_vec(record)
}

pub fn from_json<R: JsonRecord>(bytes: &[u8]) -> Result<R, serde_json::Error> {
    serde_json::from_slice(bytes)
}
