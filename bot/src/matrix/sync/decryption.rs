//! The sync loop's end-to-end encryption: each response's to-device events and key counts go
//! to the crypto machine first, then encrypted timeline events are decrypted before anything
//! reads them; those whose key has not come wait ([`super::super::undecrypted`]), their batch
//! owed, and are tried again as keys arrive.

use std::time::Instant;

use matrix_sdk::ruma::api::client::sync::sync_events::v3::{self as sync_v3, JoinedRoom, State};
use matrix_sdk::ruma::OwnedRoomId;
use tracing::{debug, info, warn};

use super::SyncLoop;
use crate::matrix::crypto::Decryption;
use crate::matrix::events::RawEvent;
use crate::matrix::undecrypted::Waiting;
use crate::store::Batch;

const ENCRYPTED: &str = "m.room.encrypted";

/// Where events to decrypt come from, which decides what an event without its key does.
#[derive(Debug, Clone, Copy)]
pub(super) enum Source<'a> {
    /// The first sync: history only, nothing waits.
    FirstSync,
    /// A sync batch from this token: a waiting event keeps the batch owed.
    Batch(&'a str),
    /// A walk back through history: a waiting event owes nothing (a later walk finds it).
    Walk,
}

impl SyncLoop {
    /// Hands the response's encryption changes to the machine; whether room keys arrived.
    pub(super) async fn receive_encryption(
        &mut self,
        response: &sync_v3::Response,
    ) -> anyhow::Result<bool> {
        let Some(crypto) = self.matrix.crypto() else {
            return Ok(false);
        };
        for (room_id, joined) in &response.rooms.join {
            if turns_on_encryption(joined) {
                crypto.note_encrypted(room_id);
            }
        }
        crypto.receive(&self.matrix, response).await
    }

    /// `events` of `room_id` with the encrypted ones decrypted. One whose key has not come
    /// waits and is left out (see [`Source`]); one that can never be decrypted stays as it is,
    /// for the engine to ask its sender to send it again.
    pub(super) async fn decrypt_events(
        &mut self,
        room_id: &OwnedRoomId,
        events: Vec<RawEvent>,
        source: Source<'_>,
    ) -> anyhow::Result<Vec<RawEvent>> {
        if !events.iter().any(|e| e.kind == ENCRYPTED) {
            return Ok(events);
        }
        let Some(crypto) = self.matrix.crypto() else {
            return Ok(events);
        };
        let mut clear = Vec::with_capacity(events.len());
        for event in events {
            if event.kind != ENCRYPTED
                || self.undecrypted.is_waiting(&event.event_id)
                || self.store.is_applied(&event.event_id)?
            {
                if !self.undecrypted.is_waiting(&event.event_id) {
                    clear.push(event);
                }
                continue;
            }
            match crypto.decrypt(room_id, &event).await? {
                Decryption::Clear(decrypted) => clear.push(decrypted),
                Decryption::Later(reason) if !matches!(source, Source::FirstSync) => {
                    debug!(%room_id, event_id = %event.event_id, %reason, "waiting for the room key");
                    if let Source::Batch(since) = source {
                        self.owed.owe(&event.event_id, since);
                    }
                    let given_up = self
                        .undecrypted
                        .wait(room_id.clone(), event, Instant::now());
                    for waiting in given_up {
                        self.owed.settle(&waiting.event.event_id, u64::MAX);
                        warn!(room_id = %waiting.room_id, event_id = %waiting.event.event_id, "too many events wait for their keys; the oldest is given up");
                    }
                }
                Decryption::Later(reason) | Decryption::Never(reason) => {
                    warn!(%room_id, event_id = %event.event_id, %reason, "an event cannot be decrypted");
                    clear.push(event);
                }
            }
        }
        Ok(clear)
    }

    /// Tries the waiting events again: each decrypted now is applied in `batch`; each whose
    /// time is up is applied as it is (undecryptable: its sender is asked to send it again).
    pub(super) async fn retry_undecrypted(&mut self, batch: &mut Batch) -> anyhow::Result<()> {
        let Some(crypto) = self.matrix.crypto() else {
            return Ok(());
        };
        if self.undecrypted.is_empty() {
            return Ok(());
        }
        let now = Instant::now();
        let mut ready: Vec<(OwnedRoomId, RawEvent)> = Vec::new();
        for waiting in self.undecrypted.take() {
            let Waiting { room_id, event, .. } = &waiting;
            match crypto.decrypt(room_id, event).await? {
                Decryption::Clear(decrypted) => {
                    info!(%room_id, event_id = %event.event_id, "its room key came: decrypted");
                    ready.push((room_id.clone(), decrypted));
                }
                Decryption::Later(reason) => {
                    if let Some(given_up) = self.undecrypted.keep(waiting, now) {
                        warn!(room_id = %given_up.room_id, event_id = %given_up.event.event_id, %reason, "its room key never came: given up");
                        ready.push((given_up.room_id, given_up.event));
                    }
                }
                Decryption::Never(reason) => {
                    warn!(%room_id, event_id = %event.event_id, %reason, "an event cannot be decrypted");
                    ready.push((waiting.room_id, waiting.event));
                }
            }
        }
        for (room_id, event) in ready {
            self.owed.settle(&event.event_id, u64::MAX);
            if !self.store.is_applied(&event.event_id)? {
                self.apply_event(room_id.as_str(), &event, &Default::default(), batch);
            }
        }
        Ok(())
    }
}

/// Whether the room's state or timeline in this response holds `m.room.encryption`.
fn turns_on_encryption(joined: &JoinedRoom) -> bool {
    let state = match &joined.state {
        State::Before(events) | State::After(events) => events.events.as_slice(),
        _ => &[],
    };
    let timeline = joined.timeline.events.iter().map(|raw| raw.json().get());
    state
        .iter()
        .map(|raw| raw.json().get())
        .chain(timeline)
        .filter(|json| json.contains("m.room.encryption"))
        .filter_map(RawEvent::parse)
        .any(|event| event.kind == "m.room.encryption")
}
