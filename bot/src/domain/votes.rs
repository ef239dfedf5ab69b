//! Casting votes: by reaction (👍 support, 👎 oppose) or by `!vote`. One vote per person per
//! proposal, latest wins; a redaction of the event that cast the live vote withdraws it.

use super::i18n::{Catalogue, Msg, Rendered};
use super::iterations;
use super::participation::{
    fingerprint, Ballot, Participation, Phase, ProposalState, Stance, MAX_BALLOTS,
};
use super::{Change, Effects, Reacted, Reply, Role, Settings, State};

pub const SUPPORT: &str = "👍";
pub const OPPOSE: &str = "👎";

/// The stance a reaction key stands for, ignoring skin tones and emoji presentation selectors.
pub fn stance_of_key(key: &str) -> Option<Stance> {
    let base: String = key
        .chars()
        .filter(|c| !matches!(c, '\u{FE0F}' | '\u{1F3FB}'..='\u{1F3FF}'))
        .collect();
    match base.as_str() {
        SUPPORT | "+1" => Some(Stance::Support),
        OPPOSE | "-1" => Some(Stance::Oppose),
        _ => None,
    }
}

/// Why a vote was not counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NoSuchProposal(u32),
    NotLive(u32, ProposalState),
    Phase(Phase),
    SupportLimit(u32),
    /// The proposal belongs to a closed iteration: the reply, in the voter's language.
    ClosedIteration(Rendered),
}

impl Refusal {
    pub fn render(&self, catalogue: &Catalogue) -> Rendered {
        match self {
            Refusal::NoSuchProposal(n) => {
                catalogue.render(Msg::ProposalNotFound, &[("number", &n.to_string())])
            }
            Refusal::NotLive(n, state) => catalogue.render(
                Msg::VoteNotLive,
                &[
                    ("number", &n.to_string()),
                    ("state", catalogue.template(state_msg(*state))),
                ],
            ),
            Refusal::Phase(phase) => phase_refusal(catalogue, *phase),
            Refusal::SupportLimit(limit) => {
                catalogue.render(Msg::VoteSupportLimit, &[("limit", &limit.to_string())])
            }
            Refusal::ClosedIteration(reply) => reply.clone(),
        }
    }
}

/// "Not possible in the current phase (…)".
pub fn phase_refusal(catalogue: &Catalogue, phase: Phase) -> Rendered {
    catalogue.render(
        Msg::PhaseRefusal,
        &[("phase", catalogue.template(phase_msg(phase)))],
    )
}

pub fn phase_msg(phase: Phase) -> Msg {
    match phase {
        Phase::Consultation => Msg::PhaseConsultation,
        Phase::Prioritisation => Msg::PhasePrioritisation,
        Phase::Consolidation => Msg::PhaseConsolidation,
        Phase::Monitoring => Msg::PhaseMonitoring,
        Phase::Closed => Msg::PhaseClosed,
    }
}

pub fn state_msg(state: ProposalState) -> Msg {
    match state {
        ProposalState::Open => Msg::StateOpen,
        ProposalState::Evaluating => Msg::StateEvaluating,
        ProposalState::Accepted => Msg::StateAccepted,
        ProposalState::Rejected => Msg::StateRejected,
        ProposalState::Withdrawn => Msg::StateWithdrawn,
        ProposalState::Merged(_) => Msg::StateMerged,
    }
}

/// The change that records `user`'s vote, or why it cannot be counted.
pub fn cast(
    settings: &Settings,
    state: &State,
    number: u32,
    user: &str,
    stance: Stance,
    source_event: &str,
) -> Result<Change, Refusal> {
    let participation = &state.participation;
    let proposal = participation
        .proposals
        .get(&number)
        .filter(|p| p.is_listed())
        .ok_or(Refusal::NoSuchProposal(number))?;
    if !proposal.state.is_live() {
        return Err(Refusal::NotLive(number, proposal.state));
    }
    let section = settings.section_of_id(&proposal.section).map(|(_, s)| s);
    let phase = participation.phase(
        &proposal.section,
        section.map(|s| s.default_phase).unwrap_or_default(),
    );
    if !phase.allows_votes() {
        return Err(Refusal::Phase(phase));
    }
    let catalogue = settings.catalogue_for(state, user);
    if let Some(refusal) = iterations::refusal_if_closed(state, catalogue, proposal.created_ms) {
        return Err(Refusal::ClosedIteration(refusal));
    }
    if stance == Stance::Support && over_support_limit(settings, state, number, user) {
        let limit = section.and_then(|s| s.max_supports).unwrap_or_default();
        return Err(Refusal::SupportLimit(limit));
    }
    Ok(ballot_change(
        settings,
        participation,
        number,
        user,
        Ballot {
            stance: Some(stance),
            source: fingerprint(source_event),
        },
    ))
}

/// Whether supporting proposal `number` would take `user` over their section's `max_supports`
/// (a support they already give it does not count twice).
pub fn over_support_limit(settings: &Settings, state: &State, number: u32, user: &str) -> bool {
    let participation = &state.participation;
    let Some(proposal) = participation.proposals.get(&number) else {
        return false;
    };
    let Some(limit) = settings
        .section_of_id(&proposal.section)
        .and_then(|(_, s)| s.max_supports)
    else {
        return false;
    };
    let already_here = participation.stance_of(number, user) == Some(Stance::Support);
    participation.supports_of(&proposal.section, user) - u32::from(already_here) >= limit
}

/// The change adding `ballot` as `user`'s latest on proposal `number` (one that came late
/// is put in its place by the next [`crate::domain::RoomOrder`]).
pub fn ballot_change(
    settings: &Settings,
    participation: &Participation,
    number: u32,
    user: &str,
    ballot: Ballot,
) -> Change {
    let mut ballots = participation.ballots_of(number, user);
    // The same event delivered twice casts one ballot, where it first stood.
    if !ballots.iter().any(|b| b.source == ballot.source) {
        ballots.push(ballot);
    }
    let excess = ballots.len().saturating_sub(MAX_BALLOTS);
    ballots.drain(..excess);
    Change::Ballots {
        number,
        user: user.to_owned(),
        organisation: settings.organisation_of(user),
        ballots,
    }
}

/// A 👍/👎 on a proposal's card or original message is a vote; other reactions are ignored.
/// (The engine's gate has already refused the bot's own, historical and unadmitted ones.)
pub fn on_reaction(settings: &Settings, state: &State, reaction: &Reacted) -> Effects {
    let mut effects = Effects::default();
    let Some(stance) = stance_of_key(&reaction.key) else {
        return effects;
    };
    let Some(&number) = state.participation.by_event.get(&reaction.target) else {
        return effects;
    };
    let reply = |text| Reply::to_event(&reaction.room_id, &reaction.target, &reaction.sender, text);
    match cast(
        settings,
        state,
        number,
        &reaction.sender,
        stance,
        &reaction.event_id,
    ) {
        Ok(change) => effects.changes.push(change),
        Err(refusal) => effects.replies.push(reply(
            refusal.render(settings.catalogue_for(state, &reaction.sender)),
        )),
    }
    effects
}

/// Who redacts an event, as far as the redaction's effect goes.
#[derive(Debug, Clone, Copy)]
pub struct Redactor<'a> {
    pub sender: &'a str,
    /// Their role in the room of the redaction.
    pub role: Role,
}

/// A redaction of the event that cast a ballot withdraws that ballot (an older standing one
/// then counts again) — only when the voter redacts it or a moderator does: where a room
/// lets anyone redact, nobody can remove another person's vote.
pub fn withdraw_by_redaction(
    settings: &Settings,
    state: &State,
    redactor: Redactor<'_>,
    redacted: &str,
) -> Option<Change> {
    let participation = &state.participation;
    let (number, user) = participation.ballot_of_event(redacted)?;
    if redactor.sender != user && redactor.role != Role::Moderator {
        return None;
    }
    // A closed iteration's votes are final.
    let created_ms = participation.proposals.get(&number)?.created_ms;
    if !state.iterations.is_current(created_ms) {
        return None;
    }
    let gone = fingerprint(redacted);
    let mut ballots: Vec<Ballot> = participation
        .ballots_of(number, user)
        .iter()
        .filter(|b| b.source != gone)
        .copied()
        .collect();
    // An older support that comes back must still fit the section's limit.
    while ballots
        .last()
        .is_some_and(|b| b.stance == Some(Stance::Support))
        && over_support_limit(settings, state, number, user)
    {
        ballots.pop();
    }
    Some(Change::Ballots {
        number,
        user: user.to_owned(),
        organisation: settings.organisation_of(user),
        ballots,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbs_with_any_skin_tone_or_selector_are_votes() {
        for key in ["👍", "👍️", "👍🏽", "+1"] {
            assert_eq!(stance_of_key(key), Some(Stance::Support), "{key}");
        }
        for key in ["👎", "👎🏿", "-1"] {
            assert_eq!(stance_of_key(key), Some(Stance::Oppose), "{key}");
        }
        for key in ["❤️", "🎉", "", "👍👍"] {
            assert_eq!(stance_of_key(key), None, "{key}");
        }
    }
}
