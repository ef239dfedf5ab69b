//! The bot's proposal cards: a card coming back from the homeserver gives its proposal an
//! event to vote on, seeded with the 👍/👎 reactions; the card's text is kept true (tally,
//! state, answer) by edits, which the adapter asks for a few seconds after a change, so that a
//! burst of votes makes one edit, not hundreds.

use super::i18n::{Msg, Rendered};
use super::participation::{fingerprint, Proposal, ProposalState};
use super::practice_repository::{Hit, PracticeRepository, RELATED_ON_CARD};
use super::votes::{state_msg, OPPOSE, SUPPORT};
use super::{CardEdit, Catalogue, Change, Effects, Reaction, Settings, State};

/// The card of proposal `number` was seen in the room as `event_id`: remember it and seed the
/// vote reactions (once: a card seen again changes nothing). The card of a proposal deleted
/// meanwhile is deleted in turn.
pub fn on_posted(
    settings: &Settings,
    state: &State,
    room_id: &str,
    number: u32,
    event_id: &str,
) -> Effects {
    let Some(proposal) = state.participation.proposals.get(&number) else {
        return Effects::default();
    };
    if proposal.card_event.is_some() || proposal.room_id != room_id {
        return Effects::default();
    }
    if proposal.redacted {
        return super::redactions::late_card(settings, proposal, event_id);
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

/// A proposal's card: title, description, author, section, state, answer, tally and how to
/// vote, in the plan's language (everyone reads it). A hidden proposal's card says only that.
pub fn card_text(settings: &Settings, state: &State, proposal: &Proposal) -> Rendered {
    let catalogue = settings.catalogue();
    let number = proposal.number.to_string();
    if proposal.hidden.is_some() {
        return catalogue.render(Msg::CardHidden, &[("number", &number)]);
    }
    let tally = state.participation.tally(proposal.number);
    let section_title = settings
        .section_of_id(&proposal.section)
        .map_or(proposal.section.as_str(), |(_, s)| s.title.as_str());
    let mut state_name = catalogue.template(state_msg(proposal.state)).to_owned();
    if let ProposalState::Merged(into) = proposal.state {
        state_name = format!("{state_name} → #{into}");
    }
    let mut lines = vec![catalogue.render(
        Msg::CardTitle,
        &[("number", &number), ("title", &proposal.title)],
    )];
    if !proposal.description.is_empty() {
        lines.push(catalogue.render(
            Msg::CardDescription,
            &[("description", &proposal.description)],
        ));
    }
    lines.push(catalogue.render(
        Msg::CardMeta,
        &[
            ("author", &proposal.author),
            ("organisation", &proposal.organisation),
            ("section", section_title),
            ("state", &state_name),
        ],
    ));
    if let Some(answer) = &proposal.answer {
        lines.push(catalogue.render(Msg::CardAnswer, &[("answer", answer)]));
    }
    lines.push(catalogue.render(
        Msg::CardTally,
        &[
            ("support", &tally.total.support.to_string()),
            ("oppose", &tally.total.oppose.to_string()),
        ],
    ));
    Rendered::lines(lines)
}

/// The card's lines about published good practices related to the proposal.
pub fn related_lines(catalogue: &Catalogue, related: &[Hit]) -> Vec<Rendered> {
    if related.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![catalogue.text(Msg::CardRelatedHeader)];
    lines.extend(
        related.iter().map(|hit| {
            catalogue.render(Msg::CardRelated, &[("title", &hit.title), ("id", &hit.id)])
        }),
    );
    lines
}

/// Published good practices related to a proposal's text (none when the repository is
/// missing or failing: a card is not worth failing for).
pub fn related_practices(
    practices: Option<&dyn PracticeRepository>,
    title: &str,
    description: &str,
) -> Vec<Hit> {
    let Some(repository) = practices else {
        return Vec::new();
    };
    repository
        .related(&format!("{title}\n{description}"), RELATED_ON_CARD)
        .unwrap_or_else(|error| {
            tracing::warn!(%error, "cannot look up related practices");
            Vec::new()
        })
}

/// The proposals whose cards `changes` may have changed (votes, state, answer, text).
pub fn touched(changes: &[Change]) -> impl Iterator<Item = u32> + '_ {
    changes.iter().filter_map(|change| match change {
        Change::Ballots { number, .. } => Some(*number),
        Change::Proposal(proposal) => Some(proposal.number),
        _ => None,
    })
}

/// Edits that bring the cards of proposals `numbers` up to date: one per card whose text
/// differs from the one last sent, each recorded, so a card is never edited to what it says.
pub fn refresh(
    settings: &Settings,
    state: &State,
    practices: Option<&dyn PracticeRepository>,
    numbers: &[u32],
) -> Effects {
    let mut effects = Effects::default();
    for number in numbers {
        let Some(proposal) = state.participation.proposals.get(number) else {
            continue;
        };
        let Some(card_event) = &proposal.card_event else {
            continue;
        };
        // A deleted proposal's card is deleted, not edited: an edit would repeat nothing, but
        // sent after the deletion it would be a message of its own.
        if proposal.redacted {
            continue;
        }
        let card = card_text(settings, state, proposal);
        // What changes with votes and states; the related practices (a search each) are
        // looked up only for a card that is edited.
        let shown = fingerprint(&card.body);
        if state.cards_shown.get(number) == Some(&shown) {
            continue;
        }
        let mut lines = vec![card];
        if proposal.hidden.is_none() {
            let related = related_practices(practices, &proposal.title, &proposal.description);
            lines.extend(related_lines(settings.catalogue(), &related));
        }
        let text = Rendered::lines(lines);
        effects.changes.push(Change::CardShown {
            number: *number,
            text: shown,
        });
        effects.card_edits.push(CardEdit {
            room_id: proposal.room_id.clone(),
            card_event: card_event.clone(),
            number: *number,
            text,
        });
    }
    effects
}

/// The proposals whose cards were edited before: on start, those that changed meanwhile.
pub fn shown(state: &State) -> Vec<u32> {
    let mut numbers: Vec<u32> = state.cards_shown.keys().copied().collect();
    numbers.sort_unstable();
    numbers
}
