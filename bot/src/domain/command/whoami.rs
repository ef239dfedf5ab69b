//! `!whoami`: how the plan counts you — your Public Body (from your homeserver), and whether
//! you moderate this room. Over federation this is the first thing a participant wants to know.

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::Msg;
use crate::domain::Role;

pub const SPEC: Spec = Spec {
    name: "whoami",
    moderator_only: false,
    home: Home::Anywhere,
    usage: Msg::CmdWhoamiUsage,
    summary: Msg::CmdWhoamiSummary,
    help: Msg::CmdWhoamiHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Whoami;

impl Whoami {
    pub fn parse(args: Arguments<'_>) -> Result<Whoami, ParseError> {
        args.finish(&SPEC)?;
        Ok(Whoami)
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let sender = &ctx.message.sender;
        let server = pspm_config::server_of(sender).unwrap_or_default();
        let role = ctx.catalogue.template(match ctx.role {
            Role::Moderator => Msg::WhoamiModerator,
            Role::Participant => Msg::WhoamiParticipant,
        });
        Ok(ctx.catalogue.render(
            Msg::WhoamiReply,
            &[
                ("user", sender),
                ("organisation", &ctx.settings.organisation_of(sender)),
                ("server", server),
                ("role", role),
            ],
        ))
    }
}
