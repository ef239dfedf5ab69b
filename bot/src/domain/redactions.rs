//! What a deleted message takes away. A redaction by the message's author or a moderator
//! removes a proposal's, comment's or feedback's text from the state (so from every export),
//! keeping a tombstone: the event, its author, "deleted". The bot deletes the proposal's card
//! too and posts a tombstone notice whose content says what was deleted, because history no
//! longer does: `pspm rebuild` recreates the record, text-less, where the deleted message
//! stood ([`recreate`]), and the redaction that follows in history deletes it as it did live.
//! A practice offered by `!share` and still pending is withdrawn.
//!
//! A redaction by anyone else (where a room lets others redact) changes nothing here, as for
//! votes ([`votes::withdraw_by_redaction`]).

use super::authority::role;
use super::i18n::Msg;
use super::participation::{Comment, Proposal, ProposalState};
use super::practice_repository::{share_id, PracticeRepository, Status};
use super::votes::{self, Redactor};
use super::{CardRedaction, Change, Effects, Notice, Recreated, Role, Settings, State, Tombstone};

/// A redaction of event `redacts` in `room_id` by `sender`.
pub fn on_redaction(
    settings: &Settings,
    state: &State,
    practices: Option<&dyn PracticeRepository>,
    room_id: &str,
    sender: &str,
    redacts: &str,
) -> Effects {
    let redactor = Redactor {
        sender,
        role: role(settings, state, room_id, sender),
    };
    let participation = &state.participation;
    let may = |author: &str| redactor.sender == author || redactor.role == Role::Moderator;
    let proposal = participation
        .by_event
        .get(redacts)
        .and_then(|number| participation.proposals.get(number))
        .filter(|p| p.source_event == redacts && p.room_id == room_id);
    if let Some(proposal) = proposal {
        return if may(&proposal.author) && !proposal.redacted {
            delete_proposal(settings, proposal)
        } else {
            Effects::default()
        };
    }
    if let Some(comment) = participation.comments.get(redacts) {
        return if may(&comment.author) && !comment.redacted {
            delete_comment(settings, state, room_id, comment)
        } else {
            Effects::default()
        };
    }
    if let Some(change) = votes::withdraw_by_redaction(settings, state, redactor, redacts) {
        return Effects::change(change);
    }
    if let Some(change) = super::consultation::on_redaction(state, redactor, redacts) {
        return Effects::change(change);
    }
    withdraw_pending_share(settings, practices, room_id, redactor, redacts)
}

fn delete_proposal(settings: &Settings, proposal: &Proposal) -> Effects {
    let deleted = Proposal {
        title: String::new(),
        description: String::new(),
        redacted: true,
        ..proposal.clone()
    };
    let number = deleted.number.to_string();
    let mut effects = Effects::change(Change::Proposal(deleted));
    if let Some(card) = &proposal.card_event {
        effects.card_redactions.push(CardRedaction {
            room_id: proposal.room_id.clone(),
            card_event: card.clone(),
        });
    }
    effects.notices.push(Notice {
        item: None,
        mentions: Vec::new(),
        room_id: proposal.room_id.clone(),
        key: format!("tombstone.{}", proposal.source_event),
        text: settings
            .catalogue()
            .render(Msg::TombstoneProposal, &[("number", &number)]),
        tombstone: Some(Tombstone::Proposal {
            number: proposal.number,
            source: proposal.source_event.clone(),
            card: proposal.card_event.clone(),
        }),
        secret_tally: None,
    });
    effects
}

fn delete_comment(settings: &Settings, state: &State, room_id: &str, comment: &Comment) -> Effects {
    let mut effects = Effects::change(Change::Comment(Comment {
        text: String::new(),
        redacted: true,
        ..comment.clone()
    }));
    // The notice goes where the comment was: the proposal's room, else the section's.
    let room_id = comment
        .proposal
        .and_then(|n| state.participation.proposals.get(&n))
        .map_or(room_id, |p| p.room_id.as_str());
    effects.notices.push(Notice {
        item: None,
        mentions: Vec::new(),
        room_id: room_id.to_owned(),
        key: format!("tombstone.{}", comment.event_id),
        text: settings.catalogue().text(Msg::TombstoneComment),
        tombstone: Some(Tombstone::Comment {
            source: comment.event_id.clone(),
            proposal: comment.proposal,
        }),
        secret_tally: None,
    });
    effects
}

/// A deleted `!share` message withdraws its practice while it is pending (a published one
/// belongs to the repository: a moderator approved it).
fn withdraw_pending_share(
    settings: &Settings,
    practices: Option<&dyn PracticeRepository>,
    room_id: &str,
    redactor: Redactor<'_>,
    redacts: &str,
) -> Effects {
    let Some(repository) = practices else {
        return Effects::default();
    };
    let id = share_id(redacts);
    let pending = match repository.get(&id) {
        Ok(Some(practice)) => {
            practice.status == Status::Pending && {
                practice.added_by == redactor.sender || redactor.role == Role::Moderator
            }
        }
        Ok(None) => false,
        Err(error) => {
            tracing::warn!(%error, %id, "cannot look up a practice whose message was deleted");
            false
        }
    };
    if !pending {
        return Effects::default();
    }
    match repository.decline(&id) {
        Ok(true) => Effects {
            notices: vec![Notice {
                item: None,
                mentions: Vec::new(),
                room_id: room_id.to_owned(),
                key: format!("share-redacted.{id}"),
                text: settings
                    .catalogue()
                    .render(Msg::ShareRedacted, &[("id", &id)]),
                tombstone: None,
                secret_tally: None,
            }],
            ..Effects::default()
        },
        Ok(false) => Effects::default(),
        Err(error) => {
            tracing::warn!(%error, %id, "cannot withdraw a practice whose message was deleted");
            Effects::default()
        }
    }
}

/// The card of proposal `number` came back after its proposal was deleted: delete it too,
/// and say so in a tombstone (the rebuild needs the card's event to find its votes).
pub fn late_card(settings: &Settings, proposal: &Proposal, card: &str) -> Effects {
    let mut effects = Effects::change(Change::Proposal(Proposal {
        card_event: Some(card.to_owned()),
        ..proposal.clone()
    }));
    effects.card_redactions.push(CardRedaction {
        room_id: proposal.room_id.clone(),
        card_event: card.to_owned(),
    });
    let number = proposal.number.to_string();
    effects.notices.push(Notice {
        item: None,
        mentions: Vec::new(),
        room_id: proposal.room_id.clone(),
        key: format!("tombstone.{card}"),
        text: settings
            .catalogue()
            .render(Msg::TombstoneCard, &[("number", &number)]),
        tombstone: Some(Tombstone::Card {
            number: proposal.number,
            card: card.to_owned(),
        }),
        secret_tally: None,
    });
    effects
}

/// At rebuild: the record a deleted message created, without its text, as it stood before
/// the deletion (which follows in history). Nothing when it already exists.
pub fn recreate(settings: &Settings, state: &State, recreated: &Recreated) -> Effects {
    let participation = &state.participation;
    match &recreated.what {
        Tombstone::Proposal { number, source, .. } => {
            let Some(section) = settings.sections.get(&recreated.room_id) else {
                return Effects::default();
            };
            if participation.proposals.contains_key(number) {
                return Effects::default();
            }
            Effects::change(Change::Proposal(Proposal {
                number: *number,
                section: section.id.clone(),
                room_id: recreated.room_id.clone(),
                title: String::new(),
                description: String::new(),
                author: recreated.author.clone(),
                organisation: settings.organisation_of(&recreated.author),
                state: ProposalState::Open,
                answer: None,
                hidden: None,
                created_ms: recreated.created_ms,
                updated_ms: recreated.created_ms,
                source_event: source.clone(),
                card_event: None,
                redacted: false,
            }))
        }
        Tombstone::Comment { source, proposal } => {
            let section = match proposal {
                Some(number) => participation
                    .proposals
                    .get(number)
                    .map(|p| p.section.clone()),
                None => settings
                    .sections
                    .get(&recreated.room_id)
                    .map(|s| s.id.clone()),
            };
            let Some(section) = section else {
                return Effects::default();
            };
            if participation.comments.contains_key(source) {
                return Effects::default();
            }
            Effects::change(Change::Comment(Comment {
                event_id: source.clone(),
                section,
                proposal: *proposal,
                author: recreated.author.clone(),
                organisation: settings.organisation_of(&recreated.author),
                text: String::new(),
                at_ms: recreated.created_ms,
                redacted: false,
            }))
        }
        Tombstone::Card { .. } => Effects::default(),
    }
}
