//! `!close [poll]` (moderators): ends the section's open prioritisation poll (or the one
//! named, native or secret) and posts the ranking; a secret ballot's also lists every
//! counted ballot's receipt with its choices, and keeps no more than that.
//! (A client's "end poll" button also lets the poll's opener end it, see `polls::on_ended`.)

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::{Catalogue, Msg, Rendered};
use crate::domain::polls::Results;
use crate::domain::secret_ballot::{SecretPoll, SecretTally};
use crate::domain::State;
use crate::domain::{Change, PollEndPost};

pub const SPEC: Spec = Spec {
    name: "close",
    moderator_only: true,
    home: Home::Section,
    usage: Msg::CmdCloseUsage,
    summary: Msg::CmdCloseSummary,
    help: Msg::CmdCloseHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Close {
    /// The poll named, else the section's latest open one.
    pub poll: Option<u32>,
}

impl Close {
    pub fn parse(mut args: Arguments<'_>) -> Result<Close, ParseError> {
        let poll = match args.clone().next() {
            Some(_) => Some(args.number(&SPEC)?),
            None => None,
        };
        args.finish(&SPEC)?;
        Ok(Close { poll })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let section = ctx.section()?;
        let (native, secret) = (&ctx.state.polls, &ctx.state.secret_polls);
        let open = |closed: Option<i64>, in_section: &str| {
            closed.is_none() && in_section == section.id
        };
        let poll = match self.poll {
            Some(id) => native
                .polls
                .get(&id)
                .filter(|p| open(p.closed_ms, &p.section)),
            None => native.latest_open(&section.id),
        };
        let secret_poll = match self.poll {
            Some(id) => secret
                .polls
                .get(&id)
                .filter(|p| open(p.closed_ms, &p.section)),
            None => secret.latest_open(&section.id),
        };
        let Some(poll) = poll else {
            return match secret_poll {
                Some(poll) => Ok(close_secret(ctx, poll)),
                None => Err(ctx.catalogue.text(Msg::CloseNoPoll)),
            };
        };
        let results = ctx.state.polls.results(poll);
        let ranking = |catalogue: &Catalogue| ranking(ctx.state, poll.id, &results, catalogue);
        let reply = ranking(ctx.catalogue);
        // The poll's end is for everyone: the plan's language.
        let poll_end = ranking(ctx.plan_catalogue);
        let mut closed = poll.clone();
        closed.closed_ms = Some(ctx.message.sent_at_ms);
        closed.closed_by = Some(ctx.message.event_id.clone());
        if let Some(start) = &poll.start_event {
            ctx.poll_ends.push(PollEndPost {
                room_id: poll.room_id.clone(),
                start: start.clone(),
                text: poll_end.body,
            });
        }
        ctx.changes.push(Change::Poll(closed));
        Ok(reply)
    }
}

/// Closes a secret ballot: the tally and every counted ballot's receipt with its choices,
/// for everyone (the plan's language); the stored poll keeps only those.
fn close_secret(ctx: &mut Ctx<'_>, poll: &SecretPoll) -> Rendered {
    let closed = poll.closed(ctx.message.sent_at_ms);
    let tally = closed.tally();
    let catalogue = ctx.plan_catalogue;
    let mut lines = vec![catalogue.render(
        Msg::SecretClosed,
        &[
            ("id", &poll.id.to_string()),
            ("ballots", &tally.ballots.to_string()),
        ],
    )];
    for (rank, (number, votes)) in tally.ranking.iter().enumerate() {
        lines.push(catalogue.render(
            Msg::CloseLine,
            &[
                ("rank", &(rank + 1).to_string()),
                ("number", &number.to_string()),
                ("title", title_of(ctx.state, *number)),
                ("votes", &votes.to_string()),
            ],
        ));
    }
    lines.push(catalogue.text(Msg::SecretReceipts));
    for (receipt, choices) in &closed.receipts {
        let choices: Vec<String> = choices.iter().map(|n| format!("#{n}")).collect();
        lines.push(catalogue.render(
            Msg::SecretReceipt,
            &[("receipt", receipt), ("choices", &choices.join(", "))],
        ));
    }
    ctx.secret_tally = Some(SecretTally {
        poll: closed.id,
        receipts: closed.receipts.clone(),
    });
    ctx.changes.push(Change::SecretPoll(closed));
    Rendered::lines(lines)
}

fn title_of(state: &State, number: u32) -> &str {
    state
        .participation
        .proposals
        .get(&number)
        .map_or("", |p| p.title.as_str())
}

/// The ranking of a closed poll: a header with the voters, a line per proposal.
fn ranking(state: &State, id: u32, results: &Results, catalogue: &Catalogue) -> Rendered {
    let mut lines = vec![catalogue.render(
        Msg::CloseHeader,
        &[
            ("id", &id.to_string()),
            ("voters", &results.voters.to_string()),
            ("spoiled", &results.spoiled.to_string()),
        ],
    )];
    for (rank, (number, votes)) in results.ranking.iter().enumerate() {
        let title = title_of(state, *number);
        lines.push(catalogue.render(
            Msg::CloseLine,
            &[
                ("rank", &(rank + 1).to_string()),
                ("number", &number.to_string()),
                ("title", title),
                ("votes", &votes.to_string()),
            ],
        ));
    }
    Rendered::lines(lines)
}
