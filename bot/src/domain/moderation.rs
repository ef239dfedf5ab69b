//! What moderating a proposal means, whoever asks: which states a moderator may still move a
//! proposal out of, and the notice its thread gets.

use super::i18n::{Catalogue, Msg, Rendered};
use super::participation::{Proposal, ProposalState};
use super::votes::state_msg;

/// Moderators may move a proposal between these states; withdrawn ones belong to their author.
pub fn movable(state: ProposalState) -> bool {
    !matches!(state, ProposalState::Withdrawn | ProposalState::Merged(_))
}

/// The notice of a proposal's new state (and answer), for its thread and the moderator.
pub fn state_notice(catalogue: &Catalogue, proposal: &Proposal) -> Rendered {
    let mut lines = vec![catalogue.render(
        Msg::ModerationNotice,
        &[
            ("number", &proposal.number.to_string()),
            ("state", catalogue.template(state_msg(proposal.state))),
        ],
    )];
    if let Some(answer) = &proposal.answer {
        lines.push(catalogue.render(Msg::CardAnswer, &[("answer", answer)]));
    }
    Rendered::lines(lines)
}
