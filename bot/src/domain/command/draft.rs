//! `!draft`: the plan file's objectives, expected results (with their yearly targets) and
//! actions (owner, due date or ongoing) for the section, or for every section in the Space.

use super::{Arguments, Ctx, Home, Outcome, ParseError, Reach, Spec};
use crate::domain::i18n::{Msg, Rendered};
use crate::domain::monitoring::{format_number, target_text};
use crate::domain::tracking::{owner_text, results_in};

pub const SPEC: Spec = Spec {
    name: "draft",
    moderator_only: false,
    home: Home::Anywhere,
    usage: Msg::CmdDraftUsage,
    summary: Msg::CmdDraftSummary,
    help: Msg::CmdDraftHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft;

impl Draft {
    pub fn parse(args: Arguments<'_>) -> Result<Draft, ParseError> {
        args.finish(&SPEC)?;
        Ok(Draft)
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let scope = ctx.scope(Reach::Here);
        let catalogue = ctx.catalogue;
        let plan = &ctx.settings.monitoring;
        let objectives: Vec<_> = plan
            .objectives
            .iter()
            .filter(|o| scope.contains(&o.section))
            .collect();
        let results = results_in(ctx.settings, &scope);
        // The plan file's actions only: those assigned in chat are not part of the draft.
        let actions: Vec<_> = plan
            .actions
            .iter()
            .filter(|a| scope.contains(&a.section))
            .collect();
        if objectives.is_empty() && results.is_empty() && actions.is_empty() {
            return Ok(catalogue.render(Msg::DraftNone, &[("scope", &scope.label)]));
        }
        let mut lines = vec![catalogue.render(Msg::DraftHeader, &[("scope", &scope.label)])];
        if !objectives.is_empty() {
            lines.push(catalogue.text(Msg::DraftObjectives));
            for objective in objectives {
                lines.push(catalogue.render(
                    Msg::DraftObjective,
                    &[("code", &objective.code), ("title", &objective.title)],
                ));
            }
        }
        if !results.is_empty() {
            lines.push(catalogue.text(Msg::DraftResults));
            for result in results {
                let unit = result.unit.trim();
                let targets = result
                    .targets
                    .iter()
                    .map(|(year, target)| {
                        let text = target_text(target, |value| match unit {
                            "" => format_number(value),
                            unit => format!("{} {unit}", format_number(value)),
                        });
                        format!("{year}: {text}")
                    })
                    .collect::<Vec<_>>();
                let targets = match targets.is_empty() {
                    true => "–".to_owned(),
                    false => targets.join(", "),
                };
                lines.push(catalogue.render(
                    Msg::DraftResult,
                    &[
                        ("code", &result.code),
                        ("title", &result.title),
                        ("targets", &targets),
                    ],
                ));
            }
        }
        if !actions.is_empty() {
            lines.push(catalogue.text(Msg::DraftActions));
            for action in actions {
                let due = action.due.map_or_else(
                    || catalogue.template(Msg::StatusOngoing).to_owned(),
                    |d| d.to_string(),
                );
                lines.push(catalogue.render(
                    Msg::DraftAction,
                    &[
                        ("code", &action.code),
                        ("title", &action.title),
                        ("owner", &owner_text(catalogue, action)),
                        ("due", &due),
                    ],
                ));
            }
        }
        Ok(Rendered::lines(lines))
    }
}
