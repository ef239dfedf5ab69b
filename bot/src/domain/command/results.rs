//! `!results [all]`: each expected result's latest value against this year's target (its
//! number with the unit, or its text when it has no number).

use chrono::Datelike;

use crate::domain::tracking::{results_in, today};
use super::{Arguments, Reach, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::{Msg, Rendered};
use crate::domain::monitoring::{format_number, target_for, target_text};

pub const SPEC: Spec = Spec {
    name: "results",
    moderator_only: false,
    home: Home::Anywhere,
    usage: Msg::CmdResultsUsage,
    summary: Msg::CmdResultsSummary,
    help: Msg::CmdResultsHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Results {
    pub reach: Reach,
}

/// A number and its unit, if the result has one.
fn with_unit(value: f64, unit: &str) -> String {
    let number = format_number(value);
    match unit.trim() {
        "" => number,
        unit => format!("{number} {unit}"),
    }
}

impl Results {
    pub fn parse(args: Arguments<'_>) -> Result<Results, ParseError> {
        Ok(Results {
            reach: args.reach(&SPEC)?,
        })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let scope = ctx.scope(self.reach);
        let year = today(ctx.settings, ctx.now).year();
        let catalogue = ctx.catalogue;
        let results = results_in(ctx.settings, &scope);
        if results.is_empty() {
            return Ok(catalogue.render(Msg::ResultsNone, &[("scope", &scope.label)]));
        }
        let missing = || "–".to_owned();
        let mut lines = vec![catalogue.render(
            Msg::ResultsHeader,
            &[("scope", &scope.label), ("year", &year.to_string())],
        )];
        for result in results {
            let latest = ctx.state.monitoring.latest(&result.code);
            lines.push(catalogue.render(
                Msg::ResultsLine,
                &[
                    ("code", &result.code),
                    ("title", &result.title),
                    (
                        "latest",
                        &latest.map_or_else(missing, |m| {
                            format!("{} ({})", format_number(m.value), m.date)
                        }),
                    ),
                    (
                        "target",
                        &target_for(result, year).map_or_else(missing, |(_, target)| {
                            target_text(target, |value| with_unit(value, &result.unit))
                        }),
                    ),
                    (
                        "baseline",
                        &result.baseline.map_or_else(missing, format_number),
                    ),
                ],
            ));
        }
        Ok(Rendered::lines(lines))
    }
}
