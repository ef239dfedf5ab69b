//! The chat transcript harness of the domain tests: an engine driven by numbered chat
//! events (messages, reactions, redactions), returning the replies of each step.

use chrono::{TimeZone, Utc};

use super::*;

pub(super) const ROOM: &str = "!dati:ministry.test";
pub(super) const MOD: &str = "@mod:ministry.test";
pub(super) const ALICE: &str = "@alice:agency.test";
pub(super) const BOB: &str = "@bob:ministry.test";

pub(super) fn engine(max_supports: Option<u32>) -> Engine {
    let mut settings = super::tests::settings_for(ROOM, Language::En);
    settings.live_since_ms = 0;
    settings
        .organisations
        .insert("ministry.test".to_owned(), "Ministero".to_owned());
    settings.max_title_chars = 20;
    settings.max_description_chars = 50;
    if let Some(section) = settings.sections.get_mut(ROOM) {
        section.max_supports = max_supports;
    }
    Engine::new(settings, State::default())
}

/// Drives an engine with numbered events; returns the reply bodies of each step.
pub(super) struct Chat {
    pub(super) engine: Engine,
    pub(super) clock: i64,
    /// Every change the engine produced, in order: what the store would persist.
    pub(super) changes: Vec<Change>,
}

impl Chat {
    pub(super) fn new(max_supports: Option<u32>) -> Chat {
        Chat {
            engine: engine(max_supports),
            clock: 1_000,
            changes: Vec::new(),
        }
    }

    pub(super) fn apply(&mut self, input: Input) -> Effects {
        self.clock += 1_000;
        let effects = self.engine.apply(
            input,
            Utc.timestamp_millis_opt(self.clock).single().expect("time"),
        );
        self.changes.extend(effects.changes.iter().cloned());
        effects
    }

    /// `body` from `sender` in the section's room now, as event `$m<clock>`, in no thread.
    pub(super) fn message(&self, sender: &str, body: &str) -> Message {
        Message {
            event_id: format!("$m{}", self.clock),
            room_id: ROOM.into(),
            sender: sender.into(),
            sent_at_ms: self.clock,
            body: body.into(),
            thread_root: None,
            reply_to: None,
            quoted: None,
        }
    }

    pub(super) fn say(&mut self, sender: &str, body: &str) -> (String, Vec<String>) {
        let message = self.message(sender, body);
        let event_id = message.event_id.clone();
        let effects = self.apply(Input::Message(message));
        // A card comes back from the homeserver with an event ID.
        for reply in &effects.replies {
            if let Some(number) = reply.card_for {
                let seeds = self.apply(Input::CardPosted {
                    room_id: ROOM.into(),
                    number,
                    event_id: format!("$card{number}"),
                });
                assert_eq!(
                    seeds.reactions.len(),
                    2,
                    "the card is seeded with 👍 and 👎"
                );
            }
        }
        (
            event_id,
            effects.replies.into_iter().map(|r| r.text.body).collect(),
        )
    }

    pub(super) fn react(&mut self, sender: &str, target: &str, key: &str) -> (String, Vec<String>) {
        let event_id = format!("$r{}", self.clock);
        let effects = self.apply(Input::Reaction(Reacted {
            event_id: event_id.clone(),
            room_id: ROOM.into(),
            sender: sender.into(),
            target: target.into(),
            key: key.into(),
            at_ms: self.clock,
        }));
        (
            event_id,
            effects.replies.into_iter().map(|r| r.text.body).collect(),
        )
    }

    pub(super) fn redact(&mut self, sender: &str, redacts: &str) {
        self.apply(Input::Redaction {
            room_id: ROOM.into(),
            sender: sender.into(),
            redacts: redacts.into(),
        });
    }

    pub(super) fn tally(&self, number: u32) -> (u32, u32) {
        let t = self.engine.state().participation.tally(number).total;
        (t.support, t.oppose)
    }
}
