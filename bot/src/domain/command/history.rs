//! `!history <code>`: an action's progress updates, oldest first.

use crate::domain::tracking::format_time;
use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::{Msg, Rendered};
use crate::domain::monitoring::find_action;

pub const SPEC: Spec = Spec {
    name: "history",
    moderator_only: false,
    home: Home::Anywhere,
    usage: Msg::CmdHistoryUsage,
    summary: Msg::CmdHistorySummary,
    help: Msg::CmdHistoryHelp,
};

/// The latest updates shown; older ones are in the report.
const MAX_LINES: usize = 30;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    pub code: String,
}

impl History {
    pub fn parse(mut args: Arguments<'_>) -> Result<History, ParseError> {
        let code = args.next().ok_or(ParseError::Missing { spec: &SPEC })?;
        args.finish(&SPEC)?;
        Ok(History {
            code: code.to_owned(),
        })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let catalogue = ctx.catalogue;
        let monitoring = &ctx.state.monitoring;
        let action = find_action(&ctx.settings.monitoring, monitoring, &self.code)
            .ok_or_else(|| catalogue.render(Msg::ActionNotFound, &[("code", &self.code)]))?;
        let updates = monitoring
            .updates
            .get(&action.code)
            .map(Vec::as_slice)
            .unwrap_or_default();
        if updates.is_empty() {
            return Ok(catalogue.render(Msg::HistoryNone, &[("code", &action.code)]));
        }
        let mut lines = vec![catalogue.render(
            Msg::HistoryHeader,
            &[("code", &action.code), ("title", &action.title)],
        )];
        lines.extend(
            updates[updates.len().saturating_sub(MAX_LINES)..]
                .iter()
                .map(|u| {
                    catalogue.render(
                        Msg::HistoryLine,
                        &[
                            ("at", &format_time(ctx.settings, u.at_ms)),
                            ("author", &u.author),
                            ("progress", &u.progress.to_string()),
                            ("note", &u.note),
                        ],
                    )
                }),
        );
        Ok(Rendered::lines(lines))
    }
}
