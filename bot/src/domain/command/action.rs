//! `!action <code> <field> <value>` (moderators): edits an action from chat — its title, start,
//! due date (`none`: open-ended), owner or weight — whether it came from the plan file or from
//! `!assign`. The edited action is stored whole, and from then on takes the place of the plan
//! file's.

use chrono::NaiveDate;

use crate::domain::tracking::owner_text;
use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::Msg;
use crate::domain::monitoring::{find_action, format_number, parse_number};
use crate::domain::Change;

pub const SPEC: Spec = Spec {
    name: "action",
    moderator_only: true,
    home: Home::Plan,
    usage: Msg::CmdActionUsage,
    summary: Msg::CmdActionSummary,
    help: Msg::CmdActionHelp,
};

#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    Title(String),
    Start(NaiveDate),
    /// `None`: open-ended.
    Due(Option<NaiveDate>),
    Owner(String),
    Weight(f64),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ActionCommand {
    pub code: String,
    pub edit: Edit,
}

impl ActionCommand {
    pub fn parse(mut args: Arguments<'_>) -> Result<ActionCommand, ParseError> {
        let code = args.next().ok_or(ParseError::Missing { spec: &SPEC })?;
        let field = args.next().ok_or(ParseError::Missing { spec: &SPEC })?;
        let value = args.required_rest(&SPEC)?;
        let invalid = |given: &str| ParseError::Invalid {
            spec: &SPEC,
            given: given.to_owned(),
        };
        let date =
            |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| invalid(text));
        let edit = match field.to_lowercase().as_str() {
            "title" | "titolo" if value.chars().count() <= 200 => Edit::Title(value.to_owned()),
            "start" | "inizio" => Edit::Start(date(value)?),
            "due" | "scadenza" => match value.to_lowercase().as_str() {
                "none" | "nessuna" | "-" => Edit::Due(None),
                _ => Edit::Due(Some(date(value)?)),
            },
            "owner" | "titolare" if !value.contains(char::is_whitespace) => {
                Edit::Owner(value.to_owned())
            }
            "weight" | "peso" => Edit::Weight(
                parse_number(value)
                    .filter(|w| *w > 0.0 && *w <= 1000.0)
                    .ok_or_else(|| invalid(value))?,
            ),
            _ => return Err(invalid(field)),
        };
        Ok(ActionCommand {
            code: code.to_owned(),
            edit,
        })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let catalogue = ctx.catalogue;
        let mut action = find_action(&ctx.settings.monitoring, &ctx.state.monitoring, &self.code)
            .ok_or_else(|| catalogue.render(Msg::ActionNotFound, &[("code", &self.code)]))?
            .clone();
        match self.edit {
            Edit::Title(title) => action.title = title,
            Edit::Start(start) => action.start = Some(start),
            Edit::Due(due) => action.due = due,
            Edit::Owner(owner) => {
                let (organisation, users) = ctx.owner_of(&owner)?;
                action.owner = organisation;
                action.owners = users;
            }
            Edit::Weight(weight) => action.weight = weight,
        }
        if action.due.is_none() && action.start.is_none() {
            return Err(catalogue.render(Msg::ActionNeedsStart, &[("code", &action.code)]));
        }
        if action
            .start
            .zip(action.due)
            .is_some_and(|(start, due)| due < start)
        {
            return Err(catalogue.render(Msg::ActionDueBeforeStart, &[("code", &action.code)]));
        }
        let reply = catalogue.render(
            Msg::ActionEdited,
            &[
                ("code", &action.code),
                ("title", &action.title),
                ("owner", &owner_text(catalogue, &action)),
                (
                    "start",
                    &action.start.map(|s| s.to_string()).unwrap_or_default(),
                ),
                (
                    "due",
                    &action.due.map_or_else(
                        || catalogue.template(Msg::ActionNoDue).to_owned(),
                        |due| due.to_string(),
                    ),
                ),
                ("weight", &format_number(action.weight)),
            ],
        );
        ctx.changes.push(Change::Action(action));
        Ok(reply)
    }
}
