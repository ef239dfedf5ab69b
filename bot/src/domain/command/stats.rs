//! `!stats [all]`: participation per organisation — proposals, voters, votes, comments — in
//! this section, or per section and for the whole plan.

use crate::domain::tracking::sections;
use super::{Arguments, Reach, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::{Catalogue, Msg, Rendered};
use crate::domain::turnout::{Turnout, Turnouts};

pub const SPEC: Spec = Spec {
    name: "stats",
    moderator_only: false,
    home: Home::Anywhere,
    usage: Msg::CmdStatsUsage,
    summary: Msg::CmdStatsSummary,
    help: Msg::CmdStatsHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stats {
    pub reach: Reach,
}

impl Stats {
    pub fn parse(args: Arguments<'_>) -> Result<Stats, ParseError> {
        Ok(Stats {
            reach: args.reach(&SPEC)?,
        })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let catalogue = ctx.catalogue;
        let scope = ctx.scope(self.reach);
        let turnouts = Turnouts::of(ctx.state);
        let mut lines = Vec::new();
        let rows = match &scope.section {
            Some(section) => turnouts.section(section),
            None => {
                for section in sections(ctx.settings) {
                    let rows = turnouts.section(&section.id);
                    if !rows.is_empty() {
                        table(catalogue, &section.title, &rows, &mut lines);
                    }
                }
                turnouts.plan()
            }
        };
        if rows.is_empty() {
            return Ok(catalogue.render(Msg::StatsNothing, &[("scope", &scope.label)]));
        }
        table(catalogue, &scope.label, &rows, &mut lines);
        Ok(Rendered::lines(lines))
    }
}

fn table(catalogue: &Catalogue, scope: &str, rows: &[Turnout], lines: &mut Vec<Rendered>) {
    lines.push(catalogue.render(Msg::StatsHeader, &[("scope", scope)]));
    for row in rows {
        lines.push(catalogue.render(
            Msg::StatsLine,
            &[
                ("organisation", &row.organisation),
                ("proposals", &row.proposals.to_string()),
                ("voters", &row.voters.to_string()),
                ("votes", &row.votes().to_string()),
                ("supports", &row.supports.to_string()),
                ("oppositions", &row.oppositions.to_string()),
                ("comments", &row.comments.to_string()),
            ],
        ));
    }
}
