//! `!approve <id>` (moderators): publishes a pending good practice and tells its contributor.

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::Msg;

pub const SPEC: Spec = Spec {
    name: "approve",
    moderator_only: true,
    home: Home::Plan,
    usage: Msg::CmdApproveUsage,
    summary: Msg::CmdApproveSummary,
    help: Msg::CmdApproveHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approve {
    pub id: String,
}

impl Approve {
    pub fn parse(mut args: Arguments<'_>) -> Result<Approve, ParseError> {
        let id = args.practice_id(&SPEC)?;
        args.finish(&SPEC)?;
        Ok(Approve { id })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let repository = ctx.repository()?;
        let practice = repository
            .approve(&self.id)
            .map_err(|e| ctx.repository_error(&e))?;
        ctx.mentions.push(practice.added_by.clone());
        Ok(ctx.catalogue.render(
            Msg::ApproveDone,
            &[
                ("title", &practice.title),
                ("id", &practice.id),
                ("contributor", &practice.added_by),
            ],
        ))
    }
}
