//! `!evaluate <n>` (moderators): the proposal is being evaluated.

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::Msg;
use crate::domain::participation::ProposalState;

pub const SPEC: Spec = Spec {
    name: "evaluate",
    moderator_only: true,
    home: Home::Plan,
    usage: Msg::CmdEvaluateUsage,
    summary: Msg::CmdEvaluateSummary,
    help: Msg::CmdEvaluateHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluate {
    pub number: u32,
}

impl Evaluate {
    pub fn parse(mut args: Arguments<'_>) -> Result<Evaluate, ParseError> {
        let number = args.number(&SPEC)?;
        args.finish(&SPEC)?;
        Ok(Evaluate { number })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        ctx.change_state(self.number, |p| p.state = ProposalState::Evaluating)
    }
}
