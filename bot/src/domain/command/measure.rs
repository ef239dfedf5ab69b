//! `!measure <result-code> <value> [date] [note]`: records a measurement of an expected
//! result's indicator (moderators, or owners of actions under the same objective).

use chrono::{Datelike, NaiveDate};

use crate::domain::tracking::today;
use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::Msg;
use crate::domain::monitoring::{
    all_actions, format_number, is_owner, parse_number, target_for, target_text, Measurement,
};
use crate::domain::{Change, Role};

pub const SPEC: Spec = Spec {
    name: "measure",
    moderator_only: false,
    home: Home::Plan,
    usage: Msg::CmdMeasureUsage,
    summary: Msg::CmdMeasureSummary,
    help: Msg::CmdMeasureHelp,
};

#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    pub result: String,
    pub value: f64,
    pub date: Option<NaiveDate>,
    pub note: String,
}

impl Measure {
    pub fn parse(mut args: Arguments<'_>) -> Result<Measure, ParseError> {
        let result = args.next().ok_or(ParseError::Missing { spec: &SPEC })?;
        let text = args.next().ok_or(ParseError::Missing { spec: &SPEC })?;
        let value = parse_number(text).ok_or_else(|| ParseError::Invalid {
            spec: &SPEC,
            given: text.to_owned(),
        })?;
        let rest = args.rest();
        let (date, note) = match rest.split_once(char::is_whitespace).unwrap_or((rest, "")) {
            (first, note) if NaiveDate::parse_from_str(first, "%Y-%m-%d").is_ok() => (
                NaiveDate::parse_from_str(first, "%Y-%m-%d").ok(),
                note.trim(),
            ),
            _ => (None, rest),
        };
        Ok(Measure {
            result: result.to_owned(),
            value,
            date,
            note: note.chars().take(1000).collect(),
        })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let catalogue = ctx.catalogue;
        let plan = &ctx.settings.monitoring;
        let result = plan
            .results
            .iter()
            .find(|r| r.code.eq_ignore_ascii_case(&self.result))
            .ok_or_else(|| {
                catalogue.render(Msg::MeasureUnknownResult, &[("code", &self.result)])
            })?;
        let sender = &ctx.message.sender;
        let organisation = ctx.settings.organisation_of(sender);
        let server = pspm_config::server_of(sender).unwrap_or_default();
        let owns_one = all_actions(plan, &ctx.state.monitoring)
            .iter()
            .filter(|a| a.objective.as_deref() == Some(result.objective.as_str()))
            .any(|a| is_owner(a, sender, &organisation, server));
        if ctx.role != Role::Moderator && !owns_one {
            return Err(catalogue.render(
                Msg::MeasureNotAllowed,
                &[("code", &result.code), ("objective", &result.objective)],
            ));
        }
        // Without a date, the day it was sent: a replay (`pspm rebuild`) records the same one.
        let date = self
            .date
            .unwrap_or_else(|| today(ctx.settings, ctx.sent_at()));
        let target = target_for(result, date.year())
            .map_or_else(|| "–".to_owned(), |(_, target)| target_text(target, format_number));
        let reply = catalogue.render(
            Msg::MeasureDone,
            &[
                ("code", &result.code),
                ("title", &result.title),
                ("value", &format_number(self.value)),
                ("unit", &result.unit),
                ("date", &date.to_string()),
                ("year", &date.year().to_string()),
                ("target", &target),
            ],
        );
        ctx.changes.push(Change::Measurement(Measurement {
            event_id: ctx.message.event_id.clone(),
            result: result.code.clone(),
            value: self.value,
            date,
            note: self.note,
            author: sender.clone(),
            at_ms: ctx.message.sent_at_ms,
            origin: None,
        }));
        Ok(reply)
    }
}
