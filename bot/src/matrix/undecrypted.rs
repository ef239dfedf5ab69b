//! Encrypted events waiting for their room key. A key may come after its message (another
//! server's to-device delivery lags, a client shares it late): such an event is neither
//! applied nor dropped, but waits here, and its sync batch stays owed (the stored sync token
//! waits before it, so a restart brings it back). It is tried again whenever keys arrive and
//! at each sync; after [`GIVE_UP_AFTER`] it is given up: applied as undecryptable, which gets
//! its sender one reply asking to send it again.

use std::time::{Duration, Instant};

use matrix_sdk::ruma::OwnedRoomId;

use super::events::RawEvent;

/// How long an event waits for its key.
pub const GIVE_UP_AFTER: Duration = Duration::from_secs(300);
/// At most this many events wait; past it the oldest is given up (a flood of messages for
/// which no key will ever come must not grow the bot's memory).
const MAX_WAITING: usize = 1_000;

/// One event waiting for its key.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub room_id: OwnedRoomId,
    pub event: RawEvent,
    since: Instant,
}

/// The events waiting for their keys, oldest first.
#[derive(Debug, Default)]
pub struct Undecrypted {
    waiting: Vec<Waiting>,
}

impl Undecrypted {
    /// Whether `event_id` is waiting already (a walk may pass it again).
    pub fn is_waiting(&self, event_id: &str) -> bool {
        self.waiting.iter().any(|w| w.event.event_id == event_id)
    }

    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }

    /// Puts `event` to wait from `now`; returns the events given up to make room.
    pub fn wait(&mut self, room_id: OwnedRoomId, event: RawEvent, now: Instant) -> Vec<Waiting> {
        if self.is_waiting(&event.event_id) {
            return Vec::new();
        }
        self.waiting.push(Waiting {
            room_id,
            event,
            since: now,
        });
        let over = self.waiting.len().saturating_sub(MAX_WAITING);
        self.waiting.drain(..over).collect()
    }

    /// Every waiting event, to try again; those still without a key go back with
    /// [`Undecrypted::keep`].
    pub fn take(&mut self) -> Vec<Waiting> {
        std::mem::take(&mut self.waiting)
    }

    /// Keeps `waiting` (taken by [`Undecrypted::take`]) unless its time is up at `now`:
    /// then it is returned, to be given up.
    pub fn keep(&mut self, waiting: Waiting, now: Instant) -> Option<Waiting> {
        if now.duration_since(waiting.since) >= GIVE_UP_AFTER {
            return Some(waiting);
        }
        self.waiting.push(waiting);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str) -> RawEvent {
        let json = serde_json::json!({
            "event_id": id, "sender": "@a:hs", "origin_server_ts": 1,
            "type": "m.room.encrypted", "content": {},
        });
        RawEvent::parse(&json.to_string()).expect("valid event")
    }

    fn room() -> OwnedRoomId {
        "!r:hs".try_into().expect("valid room id")
    }

    #[test]
    fn an_event_waits_once_and_is_given_up_when_its_time_is_up() {
        let start = Instant::now();
        let mut undecrypted = Undecrypted::default();
        assert!(undecrypted.wait(room(), event("$a"), start).is_empty());
        assert!(undecrypted.wait(room(), event("$a"), start).is_empty());
        assert!(undecrypted.is_waiting("$a"));
        assert_eq!(undecrypted.take().len(), 1, "waits once");
        assert!(undecrypted.is_empty());

        undecrypted.wait(room(), event("$a"), start);
        let before = start + GIVE_UP_AFTER - Duration::from_secs(1);
        for waiting in undecrypted.take() {
            assert!(undecrypted.keep(waiting, before).is_none());
        }
        assert!(undecrypted.is_waiting("$a"));
        let given_up: Vec<_> = undecrypted
            .take()
            .into_iter()
            .filter_map(|w| undecrypted.keep(w, start + GIVE_UP_AFTER))
            .collect();
        assert_eq!(given_up.len(), 1);
        assert_eq!(given_up[0].event.event_id, "$a");
        assert!(undecrypted.is_empty());
    }

    #[test]
    fn past_the_limit_the_oldest_is_given_up() {
        let now = Instant::now();
        let mut undecrypted = Undecrypted::default();
        for i in 0..MAX_WAITING {
            assert!(undecrypted
                .wait(room(), event(&format!("$e{i}")), now)
                .is_empty());
        }
        let given_up = undecrypted.wait(room(), event("$new"), now);
        assert_eq!(given_up.len(), 1);
        assert_eq!(given_up[0].event.event_id, "$e0");
        assert!(undecrypted.is_waiting("$new") && !undecrypted.is_waiting("$e0"));
    }
}
