//! `!iteration`: the iteration under way and the versions closed before it. `!iteration close
//! <name>` (moderators): freezes the text as it reads now (accepted amendments applied) as a
//! version named `<name>`; the next iteration starts from it and its draft is posted again.

use super::{Arguments, Ctx, Home, Outcome, ParseError, Spec};
use crate::domain::amendments::{Amendment, AmendmentState};
use crate::domain::i18n::{Msg, Rendered};
use crate::domain::iterations::{self, MAX_NAME_CHARS};
use crate::domain::{Change, Role, State};

pub const SPEC: Spec = Spec {
    name: "iteration",
    moderator_only: false,
    home: Home::Anywhere,
    usage: Msg::CmdIterationUsage,
    summary: Msg::CmdIterationSummary,
    help: Msg::CmdIterationHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IterationCommand {
    Show,
    Close { name: String },
}

impl IterationCommand {
    pub fn parse(args: Arguments<'_>) -> Result<IterationCommand, ParseError> {
        let rest = args.rest().trim();
        if rest.is_empty() {
            return Ok(IterationCommand::Show);
        }
        let (word, name) = rest
            .split_once(char::is_whitespace)
            .map_or((rest, ""), |(word, name)| (word, name.trim()));
        if !matches!(word.to_lowercase().as_str(), "close" | "chiudi") {
            return Err(ParseError::Invalid {
                spec: &SPEC,
                given: word.to_owned(),
            });
        }
        if name.is_empty() {
            return Err(ParseError::Missing { spec: &SPEC });
        }
        Ok(IterationCommand::Close {
            name: name.split_whitespace().collect::<Vec<_>>().join(" "),
        })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        match self {
            IterationCommand::Show => Ok(show(ctx)),
            IterationCommand::Close { name } => close(ctx, name),
        }
    }
}

/// `YYYY-MM-DD` of an instant, in the plan's time zone.
fn day(ctx: &Ctx<'_>, at_ms: i64) -> String {
    let day = ctx.settings.monitoring.day_of_ms(at_ms);
    day.map(|d| d.to_string()).unwrap_or_default()
}

/// The amendments proposed in the iteration under way.
fn amendments_now(state: &State) -> impl Iterator<Item = &Amendment> {
    let iterations = &state.iterations;
    state
        .amendments
        .all
        .values()
        .filter(|a| iterations.is_current(a.created_ms))
}

fn show(ctx: &Ctx<'_>) -> Rendered {
    let catalogue = ctx.catalogue;
    let iterations = &ctx.state.iterations;
    let current = iterations.current();
    let mut lines = vec![match iterations.latest() {
        None => catalogue.render(Msg::IterationFirst, &[]),
        Some(version) => catalogue.render(
            Msg::IterationCurrent,
            &[
                ("number", &current.to_string()),
                ("version", &version.name),
                ("since", &day(ctx, version.closed_ms)),
            ],
        ),
    }];
    let (open, accepted) = amendments_now(ctx.state).fold((0, 0), |(open, accepted), a| match a.state {
            AmendmentState::Open => (open + 1, accepted),
            AmendmentState::Accepted => (open, accepted + 1),
            AmendmentState::Rejected => (open, accepted),
        });
    let proposals = ctx
        .state
        .participation
        .proposals
        .values()
        .filter(|p| p.is_listed() && iterations.is_current(p.created_ms))
        .count();
    lines.push(catalogue.render(
        Msg::IterationCounts,
        &[
            ("proposals", &proposals.to_string()),
            ("amendments", &(open + accepted).to_string()),
            ("accepted", &accepted.to_string()),
        ],
    ));
    for version in &iterations.closed {
        let paragraphs: usize = version.sections.values().map(|t| t.paragraphs.len()).sum();
        lines.push(catalogue.render(
            Msg::IterationVersion,
            &[
                ("number", &version.number.to_string()),
                ("name", &version.name),
                ("closed", &day(ctx, version.closed_ms)),
                ("by", &version.closed_by),
                ("paragraphs", &paragraphs.to_string()),
            ],
        ));
    }
    lines.push(catalogue.render(Msg::IterationHow, &[]));
    Rendered::lines(lines)
}

fn close(ctx: &mut Ctx<'_>, name: String) -> Outcome {
    let catalogue = ctx.catalogue;
    if ctx.role != Role::Moderator {
        return Err(catalogue.text(Msg::ModeratorsOnly));
    }
    let length = name.chars().count();
    if length > MAX_NAME_CHARS {
        return Err(catalogue.render(
            Msg::IterationNameTooLong,
            &[("length", &length.to_string()), ("max", &MAX_NAME_CHARS.to_string())],
        ));
    }
    // A number names an iteration by its position (`--iteration 2`): a version is a name.
    let state = ctx.state;
    if name.parse::<u32>().is_ok() || state.iterations.find(&name).is_some() {
        return Err(catalogue.render(Msg::IterationNameTaken, &[("name", &name)]));
    }
    // A poll open across the close would take votes into both iterations.
    let mut open_polls: Vec<u32> = state
        .polls
        .polls
        .values()
        .filter(|p| p.closed_ms.is_none())
        .map(|p| p.id)
        .chain(
            state
                .secret_polls
                .polls
                .values()
                .filter(|p| p.closed_ms.is_none())
                .map(|p| p.id),
        )
        .collect();
    if !open_polls.is_empty() {
        open_polls.sort_unstable();
        let polls: Vec<String> = open_polls.iter().map(u32::to_string).collect();
        return Err(catalogue.render(
            Msg::IterationPollsOpen,
            &[("polls", &polls.join(", "))],
        ));
    }
    let at_ms = ctx.message.sent_at_ms;
    let version = iterations::freeze(ctx.settings, state, &name, &ctx.message.sender, at_ms);
    let undecided: Vec<String> = amendments_now(state)
        .filter(|a| a.state == AmendmentState::Open)
        .map(|a| format!("A{}", a.number))
        .collect();
    let accepted = amendments_now(state)
        .filter(|a| a.state == AmendmentState::Accepted)
        .count();
    let paragraphs: usize = version.sections.values().map(|t| t.paragraphs.len()).sum();
    let mut lines = vec![catalogue.render(
        Msg::IterationClosed,
        &[
            ("number", &version.number.to_string()),
            ("name", &version.name),
            ("paragraphs", &paragraphs.to_string()),
            ("sections", &version.sections.len().to_string()),
            ("accepted", &accepted.to_string()),
            ("next", &(version.number + 1).to_string()),
        ],
    )];
    if !undecided.is_empty() {
        lines.push(catalogue.render(
            Msg::IterationUndecided,
            &[
                ("count", &undecided.len().to_string()),
                ("amendments", &undecided.join(", ")),
            ],
        ));
    }
    ctx.changes.push(Change::IterationClosed(version));
    Ok(Rendered::lines(lines))
}
