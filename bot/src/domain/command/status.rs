//! `!status [all]`: weighted progress, actions by status, and what is late.

use crate::domain::tracking::{action_line, actions_in, today};
use super::{Arguments, Reach, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::{Msg, Rendered};
use crate::domain::monitoring::{by_due, counts, status, weighted_progress, ActionStatus};

pub const SPEC: Spec = Spec {
    name: "status",
    moderator_only: false,
    home: Home::Anywhere,
    usage: Msg::CmdStatusUsage,
    summary: Msg::CmdStatusSummary,
    help: Msg::CmdStatusHelp,
};

/// Late actions listed; the count says how many there are in all.
const MAX_LATE_LINES: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCommand {
    pub reach: Reach,
}

impl StatusCommand {
    pub fn parse(args: Arguments<'_>) -> Result<StatusCommand, ParseError> {
        Ok(StatusCommand {
            reach: args.reach(&SPEC)?,
        })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let scope = ctx.scope(self.reach);
        let today = today(ctx.settings, ctx.now);
        let catalogue = ctx.catalogue;
        let monitoring = &ctx.state.monitoring;
        let actions = actions_in(ctx.settings, ctx.state, &scope);
        if actions.is_empty() {
            return Ok(catalogue.render(Msg::StatusNoActions, &[("scope", &scope.label)]));
        }
        let percent = weighted_progress(actions.iter().copied(), monitoring);
        let counts = counts(actions.iter().copied(), monitoring, today);
        let count = |s: ActionStatus| counts.get(&s).copied().unwrap_or(0).to_string();
        // Open-ended actions under way are counted apart, where there are any.
        let counted = if counts.contains_key(&ActionStatus::Ongoing) {
            Msg::StatusCountsOngoing
        } else {
            Msg::StatusCounts
        };
        let mut lines = vec![
            catalogue.render(
                Msg::StatusHeader,
                &[
                    ("scope", &scope.label),
                    ("percent", &format!("{percent:.0}")),
                    ("count", &actions.len().to_string()),
                ],
            ),
            catalogue.render(
                counted,
                &[
                    ("not_started", &count(ActionStatus::NotStarted)),
                    ("in_progress", &count(ActionStatus::InProgress)),
                    ("ongoing", &count(ActionStatus::Ongoing)),
                    ("due_soon", &count(ActionStatus::DueSoon)),
                    ("late", &count(ActionStatus::Late)),
                    ("done", &count(ActionStatus::Done)),
                ],
            ),
        ];
        // Objectives roll up their actions by weight too.
        for objective in &ctx.settings.monitoring.objectives {
            if !scope.contains(&objective.section) {
                continue;
            }
            let of_objective: Vec<_> = actions
                .iter()
                .copied()
                .filter(|a| a.objective.as_deref() == Some(objective.code.as_str()))
                .collect();
            if of_objective.is_empty() {
                continue;
            }
            let percent = weighted_progress(of_objective, monitoring);
            lines.push(catalogue.render(
                Msg::StatusObjective,
                &[
                    ("code", &objective.code),
                    ("title", &objective.title),
                    ("percent", &format!("{percent:.0}")),
                ],
            ));
        }
        let mut late: Vec<_> = actions
            .into_iter()
            .filter(|a| status(a, monitoring.progress(&a.code), today) == ActionStatus::Late)
            .collect();
        late.sort_by(|a, b| by_due(a, b));
        if late.is_empty() {
            lines.push(catalogue.text(Msg::StatusNothingLate));
        } else {
            lines.push(catalogue.text(Msg::StatusLateHeader));
            lines.extend(
                late.iter()
                    .take(MAX_LATE_LINES)
                    .map(|a| action_line(catalogue, ctx.state, a, today, Msg::StatusLateLine)),
            );
            if late.len() > MAX_LATE_LINES {
                let more = format!("… +{}", late.len() - MAX_LATE_LINES);
                lines.push(Rendered {
                    html: more.clone(),
                    body: more,
                });
            }
        }
        Ok(Rendered::lines(lines))
    }
}
