//! `!actions [late|mine|all]`: the section's actions with status, progress, due date (or that
//! they are open-ended, listed last), owner.

use crate::domain::tracking::{action_line, actions_in, today};
use super::{Arguments, Reach, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::{Msg, Rendered};
use crate::domain::monitoring::{by_due, is_owner, status, ActionStatus};

pub const SPEC: Spec = Spec {
    name: "actions",
    moderator_only: false,
    home: Home::Anywhere,
    usage: Msg::CmdActionsUsage,
    summary: Msg::CmdActionsSummary,
    help: Msg::CmdActionsHelp,
};

/// Most lines in one reply; the rest is summarised as a count.
const MAX_LINES: usize = 40;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    Open,
    Late,
    Mine,
    All,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actions {
    pub filter: Filter,
}

impl Actions {
    pub fn parse(mut args: Arguments<'_>) -> Result<Actions, ParseError> {
        let filter = match args.next().map(str::to_lowercase).as_deref() {
            None => Filter::Open,
            Some("late" | "ritardo" | "inritardo") => Filter::Late,
            Some("mine" | "mie") => Filter::Mine,
            Some("all" | "tutte") => Filter::All,
            Some(other) => {
                return Err(ParseError::Invalid {
                    spec: &SPEC,
                    given: other.to_owned(),
                })
            }
        };
        args.finish(&SPEC)?;
        Ok(Actions { filter })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let scope = ctx.scope(Reach::Here);
        let today = today(ctx.settings, ctx.now);
        let sender = &ctx.message.sender;
        let organisation = ctx.settings.organisation_of(sender);
        let server = pspm_config::server_of(sender).unwrap_or_default();
        let monitoring = &ctx.state.monitoring;
        let mut actions: Vec<_> = actions_in(ctx.settings, ctx.state, &scope)
            .into_iter()
            .filter(|a| {
                let status = status(a, monitoring.progress(&a.code), today);
                match self.filter {
                    Filter::Open => status != ActionStatus::Done,
                    Filter::Late => status == ActionStatus::Late,
                    Filter::Mine => is_owner(a, sender, &organisation, server),
                    Filter::All => true,
                }
            })
            .collect();
        actions.sort_by(|a, b| by_due(a, b));
        let catalogue = ctx.catalogue;
        if actions.is_empty() {
            return Ok(catalogue.render(Msg::ActionsNone, &[("scope", &scope.label)]));
        }
        let mut lines = vec![catalogue.render(
            Msg::ActionsHeader,
            &[
                ("scope", &scope.label),
                ("count", &actions.len().to_string()),
            ],
        )];
        lines.extend(
            actions
                .iter()
                .take(MAX_LINES)
                .map(|a| action_line(catalogue, ctx.state, a, today, Msg::ActionsLine)),
        );
        if actions.len() > MAX_LINES {
            let more = format!("… +{}", actions.len() - MAX_LINES);
            lines.push(Rendered {
                html: more.clone(),
                body: more,
            });
        }
        Ok(Rendered::lines(lines))
    }
}
