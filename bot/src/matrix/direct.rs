//! Opening a DM with a person: the bot creates a private room (`is_direct`, preset
//! `private_chat`, unencrypted) and invites them. A room creation is not idempotent, so the
//! room is saved in the store (under `direct:<user>`) as soon as the homeserver answers and
//! before the outbox entry goes; a resend finds it there and creates nothing. Only a crash
//! between the homeserver's answer and that save can leave one stray room. The engine learns
//! the room from the invite it sees in the room (`Input::DirectRoom`), and only then sends
//! anything there.

use matrix_sdk::ruma::api::client::room::create_room;
use matrix_sdk::ruma::OwnedUserId;
use tokio::sync::Mutex;
use tracing::{error, info};

use super::{Matrix, RequestError};
use crate::store::{OutboxEntry, Store};

/// One creation at a time: two entries for the same person (two `!digest` in a row) must
/// not both find no room and both create one.
static OPENING: Mutex<()> = Mutex::const_new(());

/// The store's room-cache key of `user`'s DM with the bot.
pub fn cache_key(user: &str) -> String {
    format!("direct:{user}")
}

/// Sends one outbox entry that opens a DM with `user`; removes it once the room exists.
pub async fn send(
    matrix: &Matrix,
    store: &dyn Store,
    entry: &OutboxEntry,
    user: &str,
) -> anyhow::Result<()> {
    let _one_at_a_time = OPENING.lock().await;
    let key = cache_key(user);
    if let Some(room) = store.room_for_alias(&key)? {
        info!(%user, %room, "the DM is already open");
        store.remove_outbox(entry.seq)?;
        return Ok(());
    }
    let Ok(invitee) = OwnedUserId::try_from(user) else {
        store.dead_letter(entry, "bad user id")?;
        return Ok(());
    };
    let mut request = create_room::v3::Request::new();
    request.is_direct = true;
    request.preset = Some(create_room::v3::RoomPreset::PrivateChat);
    request.invite = vec![invitee];
    match matrix
        .send("create_room", |client| client.send(request.clone()))
        .await
    {
        Ok(response) => {
            store.save_room(&key, response.room_id.as_str())?;
            info!(%user, room = %response.room_id, "DM opened");
            crate::telemetry::metrics().sent(entry.outgoing.kind());
            store.remove_outbox(entry.seq)?;
        }
        Err(RequestError::LoggedOut(error)) => return Err(error),
        Err(create_error) => {
            let reason = create_error
                .code()
                .unwrap_or_else(|| create_error.to_string());
            error!(seq = entry.seq, %user, %reason, "the homeserver refuses to create a DM; moved to dead letters");
            store.dead_letter(entry, &reason)?;
        }
    }
    Ok(())
}
