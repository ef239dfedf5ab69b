//! `!answer <n> <text>` (moderators): the official answer to a proposal, state unchanged.

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::Msg;

pub const SPEC: Spec = Spec {
    name: "answer",
    moderator_only: true,
    home: Home::Plan,
    usage: Msg::CmdAnswerUsage,
    summary: Msg::CmdAnswerSummary,
    help: Msg::CmdAnswerHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub number: u32,
    pub text: String,
}

impl Answer {
    pub fn parse(mut args: Arguments<'_>) -> Result<Answer, ParseError> {
        let number = args.number(&SPEC)?;
        let text = args.required_rest(&SPEC)?.to_owned();
        Ok(Answer { number, text })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        ctx.moderate(self.number, |p| p.answer = Some(self.text))
    }
}
