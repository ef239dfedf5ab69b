//! What the moderation commands share: change a proposal and tell its thread.

use super::{Ctx, Outcome};
use crate::domain::i18n::Msg;
use crate::domain::participation::{Proposal, ProposalState};
use crate::domain::votes::state_msg;
use crate::domain::Change;

/// Applies `edit` to proposal `number` (moderators only), posts the state notice in the
/// proposal's thread, and replies with the same notice.
pub fn moderate(ctx: &mut Ctx<'_>, number: u32, edit: impl FnOnce(&mut Proposal)) -> Outcome {
    ctx.require_moderator()?;
    let mut proposal = ctx.proposal(number)?.clone();
    ctx.require_moderator_of(&proposal)?;
    edit(&mut proposal);
    proposal.updated_ms = ctx.message.sent_at_ms;
    let notice = state_notice(ctx, &proposal);
    let author = proposal.author.clone();
    ctx.notify_thread(&proposal, notice.clone(), vec![author]);
    ctx.changes.push(Change::Proposal(proposal));
    Ok(notice)
}

fn state_notice(ctx: &Ctx<'_>, proposal: &Proposal) -> crate::domain::Rendered {
    let catalogue = ctx.catalogue;
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
    crate::domain::Rendered::lines(lines)
}

/// Moderators may move a proposal between these states; withdrawn ones belong to their author.
pub fn movable(state: ProposalState) -> bool {
    !matches!(state, ProposalState::Withdrawn | ProposalState::Merged(_))
}

/// [`moderate`] for a change of state: refused when the proposal is withdrawn or merged.
pub fn change_state(ctx: &mut Ctx<'_>, number: u32, edit: impl FnOnce(&mut Proposal)) -> Outcome {
    if ctx.proposal(number).is_ok_and(|p| !movable(p.state)) {
        return Err(ctx.catalogue.render(
            Msg::ModerationNotMovable,
            &[("number", &number.to_string())],
        ));
    }
    moderate(ctx, number, edit)
}
