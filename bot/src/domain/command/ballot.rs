//! `!ballot <poll> [choices]`: a secret ballot, cast in the sender's DM with the bot (`1,3`:
//! options by number, up to the poll's limit), replacing their earlier one, with a receipt
//! to find in the tally at the close. Without choices it shows the options. Typed anywhere
//! else it is not counted, and the bot opens a DM when there is none.

use super::{Arguments, Ctx, Home, Outcome, ParseError, Spec};
use crate::domain::i18n::{Msg, Rendered};
use crate::domain::secret_ballot::{option_line, BallotError, SecretPoll};
use crate::domain::Change;

pub const SPEC: Spec = Spec {
    name: "ballot",
    moderator_only: false,
    home: Home::Anywhere,
    usage: Msg::CmdBallotUsage,
    summary: Msg::CmdBallotSummary,
    help: Msg::CmdBallotHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ballot {
    pub poll: u32,
    /// The choices as typed (empty: show the options).
    pub choices: Vec<String>,
}

impl Ballot {
    pub fn parse(mut args: Arguments<'_>) -> Result<Ballot, ParseError> {
        let poll = args.number(&SPEC)?;
        let choices = args.map(str::to_owned).collect();
        Ok(Ballot { poll, choices })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let sender = &ctx.message.sender;
        let id = self.poll.to_string();
        if !ctx.state.digests.is_direct_of(sender, &ctx.message.room_id) {
            let known = ctx.state.digests.direct_rooms.contains_key(sender);
            ctx.open_direct = !known;
            return Err(ctx.catalogue.render(Msg::BallotInDirect, &[("id", &id)]));
        }
        let Some(poll) = ctx.state.secret_polls.polls.get(&self.poll) else {
            return Err(ctx.catalogue.render(Msg::BallotNoSuchPoll, &[("id", &id)]));
        };
        if poll.closed_ms.is_some() {
            return Err(ctx.catalogue.render(Msg::BallotClosed, &[("id", &id)]));
        }
        if self.choices.is_empty() {
            return Ok(options(ctx, poll));
        }
        let typed: Vec<&str> = self.choices.iter().map(String::as_str).collect();
        let options = match poll.read_choices(&typed) {
            Ok(options) => options,
            Err(error) => return Err(refusal(ctx, poll, error)),
        };
        let Some((cast, receipt)) = poll.cast(sender, &ctx.message.event_id, &options) else {
            return Err(ctx.catalogue.render(Msg::BallotClosed, &[("id", &id)]));
        };
        let chosen: Vec<String> = options
            .iter()
            .map(|o| option_line(ctx.catalogue, ctx.state, poll, *o).body)
            .collect();
        ctx.changes.push(Change::SecretPoll(cast));
        Ok(ctx.catalogue.render(
            Msg::BallotCast,
            &[
                ("id", &id),
                ("choices", &chosen.join("; ")),
                ("receipt", &receipt),
            ],
        ))
    }
}

/// The poll's options, one a line, under how to vote.
fn options(ctx: &Ctx<'_>, poll: &SecretPoll) -> Rendered {
    let mut lines = vec![ctx.catalogue.render(
        Msg::BallotOptions,
        &[
            ("id", &poll.id.to_string()),
            ("k", &poll.max_selections.to_string()),
        ],
    )];
    for option in 1..=poll.options.len() as u32 {
        lines.push(option_line(ctx.catalogue, ctx.state, poll, option));
    }
    Rendered::lines(lines)
}

fn refusal(ctx: &Ctx<'_>, poll: &SecretPoll, error: BallotError) -> Rendered {
    let count = poll.options.len().to_string();
    match error {
        BallotError::Unreadable => ctx
            .catalogue
            .render(Msg::BallotUnreadable, &[("count", &count)]),
        BallotError::NoSuchOption(option) => ctx.catalogue.render(
            Msg::BallotNoSuchOption,
            &[("option", &option.to_string()), ("count", &count)],
        ),
        BallotError::TooMany { allowed } => ctx
            .catalogue
            .render(Msg::BallotTooMany, &[("k", &allowed.to_string())]),
    }
}
