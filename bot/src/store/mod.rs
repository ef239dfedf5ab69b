//! Persistence behind a trait. The store is a projection of room history: it can be rebuilt.
//!
//! The heart of exactly-once: [`Store::commit`] writes, in one atomic and durable step, the
//! state changes of a sync batch, the IDs of the events applied, the outgoing messages (the
//! outbox) and the sync token. Sending happens only after, from the outbox.
//!
//! # Layout
//! - `records/`: the stored records, their encodings and conversions to and from the domain;
//!   `golden/` pins every encoding (`golden.rs` says how to change one on purpose).
//! - `merge.rs`: the log's merge policy (which records merge when, what a merge keeps).
//! - `dump.rs`: the store's records as one stream of bytes (backups, copies for readers).
//! - `applied_memory.rs`: what is kept in memory about applied events (a window of the most
//!   recent and a fixed-size filter), so that it does not grow with history.
//! - `sled_store/`: the sled binding (`mod.rs`), its merge thread and the schema migration.

mod applied_memory;
mod dump;
mod merge;
mod records;
mod sled_store;

pub use sled_store::{SledOptions, SledStore, SCHEMA_VERSION};

/// Reads a copy [`Store::copy_to`] wrote to its end; returns how many records it holds, or
/// why it is not whole.
pub fn check_copy(copy: &mut dyn std::io::Read) -> Result<u64, StoreError> {
    dump::read_dump(copy, &mut |_, _| Ok(()))
}

use crate::domain::{
    CardEdit, CardRedaction, Change, FilePost, Notice, PollEndPost, PollPost, Reaction, Reply,
    State,
};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(String),
    #[error("the store in {0} is in use by another process")]
    Locked(String),
    #[error("corrupt record {key}: {reason}")]
    Corrupt { key: String, reason: String },
}

/// Something to send to the homeserver, kept until the homeserver confirms it.
#[derive(Debug, Clone, PartialEq)]
pub enum Outgoing {
    Reply(Reply),
    Notice(Notice),
    Reaction(Reaction),
    File(FilePost),
    Poll(PollPost),
    PollEnd(PollEndPost),
    CardEdit(CardEdit),
    CardRedaction(CardRedaction),
    /// Progress or measurements from a file or a source system, applied when it comes back.
    Import(crate::domain::imports::post::ImportPost),
    /// A DM with this user to create (the bot's private room, the user invited): a room
    /// creation is not idempotent, so the adapter records the room before anything is sent
    /// there and never creates a second one for the same user.
    OpenDirect(String),
}

impl Outgoing {
    /// The room it goes to.
    pub fn room_id(&self) -> &str {
        match self {
            Outgoing::Reply(reply) => &reply.room_id,
            Outgoing::Notice(notice) => &notice.room_id,
            Outgoing::Reaction(reaction) => &reaction.room_id,
            Outgoing::File(file) => &file.room_id,
            Outgoing::Poll(poll) => &poll.room_id,
            Outgoing::PollEnd(end) => &end.room_id,
            Outgoing::CardEdit(edit) => &edit.room_id,
            Outgoing::CardRedaction(redaction) => &redaction.room_id,
            Outgoing::Import(post) => &post.room_id,
            // No room yet: the person it is for.
            Outgoing::OpenDirect(user) => user,
        }
    }

    /// What it is, in a word, for an operator.
    pub fn kind(&self) -> &'static str {
        match self {
            Outgoing::Reply(_) => "reply",
            Outgoing::Notice(_) => "notice",
            Outgoing::Reaction(_) => "reaction",
            Outgoing::File(_) => "file",
            Outgoing::Poll(_) => "poll",
            Outgoing::PollEnd(_) => "poll-end",
            Outgoing::CardEdit(_) => "card-edit",
            Outgoing::CardRedaction(_) => "card-redaction",
            Outgoing::Import(_) => "import",
            Outgoing::OpenDirect(_) => "open-direct",
        }
    }
}

/// An outbox entry. `txn_id` is derived from what caused it, so a resend after a crash is
/// deduplicated by the homeserver.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    /// Position in the outbox (send order).
    pub seq: u64,
    pub txn_id: String,
    pub outgoing: Outgoing,
}

/// Everything one sync batch produced, committed together.
#[derive(Debug, Default)]
pub struct Batch {
    /// The `next_batch` token this batch brings the bot to.
    pub next_batch: Option<String>,
    /// Events applied (or deliberately skipped) in this batch.
    pub applied: Vec<String>,
    /// `(txn_id, outgoing)` in send order.
    pub outgoing: Vec<(String, Outgoing)>,
    pub changes: Vec<Change>,
}

/// The bot's Matrix login, reused across restarts so it keeps one device. Its `Debug` hides
/// the access token.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    pub user_id: String,
    pub device_id: String,
    pub access_token: String,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("user_id", &self.user_id)
            .field("device_id", &self.device_id)
            .field("access_token", &"***")
            .finish()
    }
}

pub trait Store: Send + Sync + 'static {
    /// The sync token of the last committed batch.
    fn next_batch(&self) -> Result<Option<String>, StoreError>;
    /// The engine state, rebuilt from the stored changes.
    fn load_state(&self) -> Result<State, StoreError>;
    fn is_applied(&self, event_id: &str) -> Result<bool, StoreError>;
    /// Atomically and durably commits a batch: after it returns, a crash loses nothing of it;
    /// if it fails or the process dies during it, nothing of it is kept.
    fn commit(&self, batch: Batch) -> Result<(), StoreError>;
    /// The first `limit` outbox entries not yet confirmed, in send order.
    fn outbox(&self, limit: usize) -> Result<Vec<OutboxEntry>, StoreError>;
    /// How many outbox entries wait for the homeserver's confirmation.
    fn outbox_len(&self) -> Result<usize, StoreError>;
    /// Removes an entry once the homeserver has confirmed it.
    fn remove_outbox(&self, seq: u64) -> Result<(), StoreError>;
    /// Moves an entry the homeserver refuses for good out of the outbox, keeping it for an
    /// operator to inspect (never silently dropped).
    fn dead_letter(&self, entry: &OutboxEntry, reason: &str) -> Result<(), StoreError>;
    /// How many dead letters there are (nothing decoded: `/metrics` reads it at every scrape).
    fn dead_letter_count(&self) -> Result<usize, StoreError>;
    /// Dead letters in send order, with the reason each was refused.
    fn dead_letters(&self) -> Result<Vec<(OutboxEntry, String)>, StoreError>;
    /// Puts dead letters back in the outbox, in their old place in send order: the one with
    /// sequence number `seq`, or every one (`None`). Returns how many moved.
    fn retry_dead_letters(&self, seq: Option<u64>) -> Result<usize, StoreError>;
    /// Deletes dead letters for good: the one with sequence number `seq`, or every one
    /// (`None`). Returns how many.
    fn drop_dead_letters(&self, seq: Option<u64>) -> Result<usize, StoreError>;
    fn session(&self) -> Result<Option<Session>, StoreError>;
    fn save_session(&self, session: &Session) -> Result<(), StoreError>;
    /// Provisioned rooms by alias (a cache: aliases on the homeserver are the truth).
    fn room_for_alias(&self, alias: &str) -> Result<Option<String>, StoreError>;
    fn save_room(&self, alias: &str, room_id: &str) -> Result<(), StoreError>;
    /// Milliseconds since the epoch when the bot first started on this store, set once.
    fn first_start_ms(&self, now_ms: i64) -> Result<i64, StoreError>;
    /// Writes a copy of every record to `out`, the store as it is at one moment (writes
    /// wait meanwhile), for a backup or for a reader while the bot runs; returns how many.
    fn copy_to(&self, out: &mut dyn std::io::Write) -> Result<u64, StoreError>;
}

#[cfg(test)]
mod applied_tests;
#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod golden;
#[cfg(test)]
mod samples;
#[cfg(test)]
mod tests;
