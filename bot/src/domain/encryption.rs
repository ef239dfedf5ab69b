//! What end-to-end encryption asks of the engine: a reply to a message the bot could never
//! decrypt, and a warning when a plan room turns encryption on (its history stops being a
//! public record the bot can rebuild from).

use super::i18n::Msg;
use super::{Effects, Notice, Reply, Settings, State};

/// The room and person an undecryptable message came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undecryptable {
    pub room_id: String,
    pub event_id: String,
    pub sender: String,
    pub at_ms: i64,
}

/// A room's `m.room.encryption` state event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptionEnabled {
    pub room_id: String,
    pub event_id: String,
    pub sender: String,
    pub at_ms: i64,
}

/// One reply asking the sender to send again what the bot could never decrypt.
pub fn on_undecryptable(settings: &Settings, state: &State, event: &Undecryptable) -> Effects {
    let text = settings
        .catalogue_for(state, &event.sender)
        .text(Msg::EncryptionResend);
    Effects {
        replies: vec![Reply::to_event(
            &event.room_id,
            &event.event_id,
            &event.sender,
            text,
        )],
        ..Effects::default()
    }
}

/// In a plan room, a notice of what stops working; elsewhere (a DM, a private room)
/// encryption is what people expect, and nothing is said.
pub fn on_encryption_enabled(settings: &Settings, event: &EncryptionEnabled) -> Effects {
    if !settings.is_plan_room(&event.room_id) {
        return Effects::default();
    }
    let text = settings
        .catalogue()
        .render(Msg::EncryptionPlanRoom, &[("user", &event.sender)]);
    Effects {
        notices: vec![Notice {
            item: None,
            room_id: event.room_id.clone(),
            key: format!("encryption-{}", event.event_id),
            text,
            tombstone: None,
            mentions: vec![event.sender.clone()],
            secret_tally: None,
        }],
        ..Effects::default()
    }
}
