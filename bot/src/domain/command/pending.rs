//! `!pending` (moderators): the good practices shared in chat that wait for a decision.

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::{Msg, Rendered};
use crate::domain::practice_repository::type_name;

pub const SPEC: Spec = Spec {
    name: "pending",
    moderator_only: true,
    home: Home::Anywhere,
    usage: Msg::CmdPendingUsage,
    summary: Msg::CmdPendingSummary,
    help: Msg::CmdPendingHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending;

impl Pending {
    pub fn parse(args: Arguments<'_>) -> Result<Pending, ParseError> {
        args.finish(&SPEC)?;
        Ok(Pending)
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let repository = ctx.repository()?;
        let pending = repository.pending().map_err(|e| ctx.repository_error(&e))?;
        let catalogue = ctx.catalogue;
        if pending.is_empty() {
            return Ok(catalogue.text(Msg::PendingNone));
        }
        let mut lines =
            vec![catalogue.render(Msg::PendingHeader, &[("count", &pending.len().to_string())])];
        lines.extend(pending.iter().map(|p| {
            catalogue.render(
                Msg::PendingLine,
                &[
                    ("id", &p.id),
                    ("title", &p.title),
                    ("type", catalogue.template(type_name(p.practice_type))),
                    ("added_by", &p.added_by),
                    ("added_at", &p.added_at.format("%Y-%m-%d").to_string()),
                ],
            )
        }));
        Ok(Rendered::lines(lines))
    }
}
