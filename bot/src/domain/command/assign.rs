//! `!assign <n> <code> <owner> <due> [weight]` (moderators): an accepted proposal becomes an
//! action of its section, linked to it, with an owner, a due date and a weight.

use chrono::NaiveDate;

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::{Catalogue, Msg};
use crate::domain::monitoring::{all_actions, format_number, parse_number, Action};
use crate::domain::{Change, ProposalState};

pub const SPEC: Spec = Spec {
    name: "assign",
    moderator_only: true,
    home: Home::Plan,
    usage: Msg::CmdAssignUsage,
    summary: Msg::CmdAssignSummary,
    help: Msg::CmdAssignHelp,
};

#[derive(Debug, Clone, PartialEq)]
pub struct Assign {
    pub number: u32,
    pub code: String,
    pub owner: String,
    pub due: NaiveDate,
    pub weight: f64,
}

impl Assign {
    pub fn parse(mut args: Arguments<'_>) -> Result<Assign, ParseError> {
        let invalid = |given: &str| ParseError::Invalid {
            spec: &SPEC,
            given: given.to_owned(),
        };
        let number = args.number(&SPEC)?;
        let code = args.next().ok_or(ParseError::Missing { spec: &SPEC })?;
        if code.len() > 64 {
            return Err(invalid(code));
        }
        let owner = args.next().ok_or(ParseError::Missing { spec: &SPEC })?;
        let due_text = args.next().ok_or(ParseError::Missing { spec: &SPEC })?;
        let due = NaiveDate::parse_from_str(due_text, "%Y-%m-%d").map_err(|_| invalid(due_text))?;
        let weight = match args.next() {
            Some(text) => parse_number(text)
                .filter(|w| *w > 0.0 && *w <= 1000.0)
                .ok_or_else(|| invalid(text))?,
            None => 1.0,
        };
        args.finish(&SPEC)?;
        Ok(Assign {
            number,
            code: code.to_owned(),
            owner: owner.to_owned(),
            due,
            weight,
        })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let catalogue = ctx.catalogue;
        let proposal = ctx.proposal(self.number)?.clone();
        ctx.require_moderator_of(&proposal)?;
        let number = self.number.to_string();
        if proposal.state != ProposalState::Accepted {
            return Err(catalogue.render(Msg::AssignNotAccepted, &[("number", &number)]));
        }
        let plan = &ctx.settings.monitoring;
        let monitoring = &ctx.state.monitoring;
        if let Some(existing) = monitoring
            .assigned
            .values()
            .find(|a| a.proposal == Some(self.number))
        {
            return Err(catalogue.render(
                Msg::AssignAlready,
                &[("number", &number), ("code", &existing.code)],
            ));
        }
        let taken = plan.has_code(&self.code)
            || all_actions(plan, monitoring)
                .iter()
                .any(|a| a.code.eq_ignore_ascii_case(&self.code));
        if taken {
            return Err(catalogue.render(Msg::AssignCodeTaken, &[("code", &self.code)]));
        }
        let (owner, owners) = ctx.owner_of(&self.owner)?;
        let due = self.due;
        let action = Action {
            code: self.code,
            section: proposal.section.clone(),
            objective: None,
            title: proposal.title.clone(),
            owner,
            owners,
            // The day it was assigned: a replay (`pspm rebuild`) must record the same one.
            start: Some(crate::domain::tracking::today(ctx.settings, ctx.sent_at())),
            due: Some(due),
            weight: self.weight,
            proposal: Some(self.number),
        };
        let done = |catalogue: &Catalogue| {
            catalogue.render(
                Msg::AssignDone,
                &[
                    ("number", &number),
                    ("code", &action.code),
                    ("title", &action.title),
                    ("owner", &crate::domain::tracking::owner_text(catalogue, &action)),
                    ("due", &due.to_string()),
                    ("weight", &format_number(action.weight)),
                ],
            )
        };
        ctx.notify_thread(&proposal, done, action.owners.clone());
        let reply = done(catalogue);
        ctx.changes.push(Change::Action(action));
        Ok(reply)
    }
}
