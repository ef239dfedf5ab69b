//! `pspm outbox list|retry|drop`: the dead letters (messages the homeserver refused for good)
//! made visible to an operator, offline like `pspm export`: the bot must be stopped.

use anyhow::bail;
use pspm_config::Config;

use super::open_store;

/// A message the homeserver refused for good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    /// Its sequence number in the outbox (what `retry` and `drop` take).
    pub seq: u64,
    pub room_id: String,
    /// `reply`, `notice`, `reaction`, `file`, `poll` or `poll-end`.
    pub kind: &'static str,
    /// The homeserver's error code (e.g. `M_FORBIDDEN`), or the error.
    pub reason: String,
}

/// What `pspm outbox list` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxListing {
    pub dead_letters: Vec<DeadLetter>,
    /// Entries waiting to be sent (by the bot, when it next runs).
    pub waiting: usize,
}

/// `pspm outbox list`: the dead letters in send order, and how many entries wait.
pub fn outbox_list(config: &Config) -> anyhow::Result<OutboxListing> {
    let store = open_store(config)?;
    let dead_letters = store
        .dead_letters()?
        .into_iter()
        .map(|(entry, reason)| DeadLetter {
            seq: entry.seq,
            room_id: entry.outgoing.room_id().to_owned(),
            kind: entry.outgoing.kind(),
            reason,
        })
        .collect();
    let waiting = store.outbox(usize::MAX)?.len();
    Ok(OutboxListing {
        dead_letters,
        waiting,
    })
}

/// `pspm outbox retry`: puts the dead letter `seq` (or every one) back in the outbox, where
/// the bot sends it when it next starts, with its transaction ID as before. Returns how many.
pub fn outbox_retry(config: &Config, seq: Option<u64>) -> anyhow::Result<usize> {
    let moved = open_store(config)?.retry_dead_letters(seq)?;
    found(seq, moved)
}

/// `pspm outbox drop`: deletes the dead letter `seq` (or every one) for good. Returns how many.
pub fn outbox_drop(config: &Config, seq: Option<u64>) -> anyhow::Result<usize> {
    let dropped = open_store(config)?.drop_dead_letters(seq)?;
    found(seq, dropped)
}

/// A sequence number that matched nothing is a mistake worth an error.
fn found(seq: Option<u64>, count: usize) -> anyhow::Result<usize> {
    match seq {
        Some(seq) if count == 0 => {
            bail!("no dead letter has sequence number {seq} (see pspm outbox list)")
        }
        _ => Ok(count),
    }
}
