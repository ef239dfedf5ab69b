//! `!more`: the next page of the sender's last `!search`.

use super::search::show_page;
use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::Msg;

pub const SPEC: Spec = Spec {
    name: "more",
    moderator_only: false,
    home: Home::Anywhere,
    usage: Msg::CmdMoreUsage,
    summary: Msg::CmdMoreSummary,
    help: Msg::CmdMoreHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct More;

impl More {
    pub fn parse(args: Arguments<'_>) -> Result<More, ParseError> {
        args.finish(&SPEC)?;
        Ok(More)
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let Some(search) = ctx.searches.get(&ctx.message.sender).cloned() else {
            return Err(ctx.catalogue.text(Msg::MoreNothing));
        };
        show_page(ctx, search)
    }
}
