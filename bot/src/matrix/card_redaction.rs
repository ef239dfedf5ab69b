//! Deleting the card of a deleted proposal: first the bot's edits of the card (each repeats
//! the card's text, and the homeserver keeps them when the card goes), then the card. Every
//! redaction has a transaction ID derived from the outbox entry and the event, so a resend
//! after a crash redacts nothing twice.

use matrix_sdk::ruma::api::client::redact::redact_event;
use matrix_sdk::ruma::api::client::relations::get_relating_events_with_rel_type;
use matrix_sdk::ruma::events::relation::RelationType;
use matrix_sdk::ruma::{OwnedEventId, OwnedRoomId, OwnedTransactionId, UInt};
use serde::Deserialize;
use tracing::error;

use super::sync::transaction_id;
use super::{Matrix, RequestError};
use crate::domain::CardRedaction;
use crate::store::{OutboxEntry, Store};

/// Why the bot deletes its card (shown by clients in place of it).
const REASON: &str = "The proposal was deleted / La proposta è stata cancellata";

#[derive(Deserialize)]
struct Related {
    event_id: OwnedEventId,
    sender: String,
}

/// Sends one outbox entry that deletes a card; removes it from the outbox once done, moves
/// it to the dead letters when the homeserver refuses for good.
pub async fn send(
    matrix: &Matrix,
    store: &dyn Store,
    entry: &OutboxEntry,
    redaction: &CardRedaction,
) -> anyhow::Result<()> {
    let ids = (
        OwnedRoomId::try_from(redaction.room_id.as_str()),
        OwnedEventId::try_from(redaction.card_event.as_str()),
    );
    let (Ok(room_id), Ok(card)) = ids else {
        store.dead_letter(entry, "bad room or event id")?;
        return Ok(());
    };
    let outcome = async {
        for edit in edits_by(matrix, &room_id, &card).await? {
            redact(matrix, &room_id, &edit, &entry.txn_id).await?;
        }
        redact(matrix, &room_id, &card, &entry.txn_id).await
    }
    .await;
    match outcome {
        Ok(()) => {
            crate::telemetry::metrics().sent(entry.outgoing.kind());
            store.remove_outbox(entry.seq)?
        }
        Err(RequestError::LoggedOut(error)) => return Err(error),
        Err(refused) => {
            let reason = refused.code().unwrap_or_else(|| refused.to_string());
            error!(seq = entry.seq, %reason, "the homeserver refuses to delete a card; moved to dead letters");
            store.dead_letter(entry, &reason)?;
        }
    }
    Ok(())
}

/// The bot's own edits (`m.replace`) of `card`, every page of them.
async fn edits_by(
    matrix: &Matrix,
    room_id: &OwnedRoomId,
    card: &OwnedEventId,
) -> Result<Vec<OwnedEventId>, RequestError> {
    let mut edits = Vec::new();
    let mut from = None;
    loop {
        let mut request = get_relating_events_with_rel_type::v1::Request::new(
            room_id.clone(),
            card.clone(),
            RelationType::Replacement,
        );
        request.from = from.clone();
        request.limit = Some(UInt::from(100u32));
        let page = matrix
            .send("relations", |client| client.send(request.clone()))
            .await?;
        edits.extend(
            page.chunk
                .iter()
                .filter_map(|raw| raw.deserialize_as_unchecked::<Related>().ok())
                .filter(|event| event.sender == matrix.user_id())
                .map(|event| event.event_id),
        );
        match page.next_batch {
            Some(next) if !page.chunk.is_empty() => from = Some(next),
            _ => return Ok(edits),
        }
    }
}

async fn redact(
    matrix: &Matrix,
    room_id: &OwnedRoomId,
    event: &OwnedEventId,
    entry_txn: &str,
) -> Result<(), RequestError> {
    let txn: OwnedTransactionId = transaction_id(&format!("{entry_txn}{event}"), 0).into();
    let mut request = redact_event::v3::Request::new(room_id.clone(), event.clone(), txn);
    request.reason = Some(REASON.to_owned());
    matrix
        .send("redact", |client| client.send(request.clone()))
        .await
        .map(|_| ())
}
