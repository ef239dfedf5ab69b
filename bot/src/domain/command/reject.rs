//! `!reject <n> <reason>` (moderators): the proposal is rejected; the reason is its answer.

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::Msg;
use crate::domain::participation::ProposalState;

pub const SPEC: Spec = Spec {
    name: "reject",
    moderator_only: true,
    home: Home::Plan,
    usage: Msg::CmdRejectUsage,
    summary: Msg::CmdRejectSummary,
    help: Msg::CmdRejectHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    pub number: u32,
    pub reason: String,
}

impl Reject {
    pub fn parse(mut args: Arguments<'_>) -> Result<Reject, ParseError> {
        let number = args.number(&SPEC)?;
        let reason = args.required_rest(&SPEC)?.to_owned();
        Ok(Reject { number, reason })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        ctx.change_state(self.number, |p| {
            p.state = ProposalState::Rejected;
            p.answer = Some(self.reason);
        })
    }
}
