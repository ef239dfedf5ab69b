//! `!promote` (moderators), as a reply to any message: that message becomes a proposal, its
//! sender the author (title on its first line, description on the others).

use super::propose::{create, Propose};
use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::Msg;

pub const SPEC: Spec = Spec {
    name: "promote",
    moderator_only: true,
    home: Home::Section,
    usage: Msg::CmdPromoteUsage,
    summary: Msg::CmdPromoteSummary,
    help: Msg::CmdPromoteHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Promote;

impl Promote {
    pub fn parse(args: Arguments<'_>) -> Result<Promote, ParseError> {
        args.finish(&SPEC)?;
        Ok(Promote)
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let Some(quoted) = ctx.message.quoted.clone() else {
            return Err(ctx.catalogue.text(Msg::PromoteNoMessage));
        };
        if let Some(number) = ctx.state.participation.by_event.get(&quoted.event_id) {
            return Err(ctx
                .catalogue
                .render(Msg::PromoteAlready, &[("number", &number.to_string())]));
        }
        // A quoted `!propose` keeps only its text.
        let body = quoted.body.trim();
        let body = body.strip_prefix("!propose").unwrap_or(body).trim();
        create(
            ctx,
            Propose::from_text(body),
            &quoted.sender,
            &quoted.event_id,
            quoted.sent_at_ms,
        )
    }
}
