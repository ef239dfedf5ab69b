//! `!accept <n> [answer]` (moderators): the proposal is accepted, with an optional answer.

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::Msg;
use crate::domain::participation::ProposalState;

pub const SPEC: Spec = Spec {
    name: "accept",
    moderator_only: true,
    home: Home::Plan,
    usage: Msg::CmdAcceptUsage,
    summary: Msg::CmdAcceptSummary,
    help: Msg::CmdAcceptHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accept {
    pub number: u32,
    pub answer: Option<String>,
}

impl Accept {
    pub fn parse(mut args: Arguments<'_>) -> Result<Accept, ParseError> {
        let number = args.number(&SPEC)?;
        let answer = Some(args.rest().to_owned()).filter(|a| !a.is_empty());
        Ok(Accept { number, answer })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        ctx.change_state(self.number, |p| {
            p.state = ProposalState::Accepted;
            if self.answer.is_some() {
                p.answer = self.answer;
            }
        })
    }
}
