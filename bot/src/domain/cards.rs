//! The bot's proposal cards: a card coming back from the homeserver gives its proposal an
//! event to vote on, seeded with the 👍/👎 reactions.

use super::votes::{OPPOSE, SUPPORT};
use super::{Change, Effects, Reaction, State};

/// The card of proposal `number` was seen in the room as `event_id`: remember it and seed the
/// vote reactions (once: a card seen again changes nothing).
pub fn on_posted(state: &State, room_id: &str, number: u32, event_id: &str) -> Effects {
    let Some(proposal) = state.participation.proposals.get(&number) else {
        return Effects::default();
    };
    if proposal.card_event.is_some() || proposal.room_id != room_id {
        return Effects::default();
    }
    let mut proposal = proposal.clone();
    proposal.card_event = Some(event_id.to_owned());
    let mut effects = Effects::change(Change::Proposal(proposal));
    for key in [SUPPORT, OPPOSE] {
        effects.reactions.push(Reaction {
            room_id: room_id.to_owned(),
            target: event_id.to_owned(),
            key: key.to_owned(),
        });
    }
    effects
}
