//! `!decline <id> <reason>` (moderators): drops a pending good practice and tells its
//! contributor why.

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::Msg;
use crate::domain::practice_repository::{IndexError, Status};

pub const SPEC: Spec = Spec {
    name: "decline",
    moderator_only: true,
    home: Home::Plan,
    usage: Msg::CmdDeclineUsage,
    summary: Msg::CmdDeclineSummary,
    help: Msg::CmdDeclineHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decline {
    pub id: String,
    pub reason: String,
}

impl Decline {
    pub fn parse(mut args: Arguments<'_>) -> Result<Decline, ParseError> {
        let id = args.practice_id(&SPEC)?;
        let reason = args.required_rest(&SPEC)?.to_owned();
        Ok(Decline { id, reason })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let repository = ctx.repository()?;
        let practice = ctx.visible_practice(&self.id)?;
        if practice.status == Status::Published {
            return Err(ctx
                .catalogue
                .render(Msg::DeclinePublished, &[("id", &self.id)]));
        }
        let declined = repository
            .decline(&self.id)
            .map_err(|e| ctx.repository_error(&e))?;
        if !declined {
            return Err(ctx.repository_error(&IndexError::NotFound(self.id)));
        }
        ctx.mentions.push(practice.added_by.clone());
        Ok(ctx.catalogue.render(
            Msg::DeclineDone,
            &[
                ("title", &practice.title),
                ("id", &practice.id),
                ("contributor", &practice.added_by),
                ("reason", &self.reason),
            ],
        ))
    }
}
