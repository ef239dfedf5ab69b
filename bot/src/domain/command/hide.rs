//! `!hide <n> <reason>` (moderators): abuse; the proposal leaves lists and public exports but
//! is kept, with the reason, for moderators.

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::Msg;

pub const SPEC: Spec = Spec {
    name: "hide",
    moderator_only: true,
    home: Home::Plan,
    usage: Msg::CmdHideUsage,
    summary: Msg::CmdHideSummary,
    help: Msg::CmdHideHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hide {
    pub number: u32,
    pub reason: String,
}

impl Hide {
    pub fn parse(mut args: Arguments<'_>) -> Result<Hide, ParseError> {
        let number = args.number(&SPEC)?;
        let reason = args.required_rest(&SPEC)?.to_owned();
        Ok(Hide { number, reason })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let number = self.number.to_string();
        ctx.moderate(self.number, |p| p.hidden = Some(self.reason))?;
        Ok(ctx.catalogue.render(Msg::HideDone, &[("number", &number)]))
    }
}
