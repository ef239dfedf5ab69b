//! `!close` (moderators): ends the section's open prioritisation poll and posts the ranking.
//! (A client's "end poll" button also lets the poll's opener end it, see `polls::on_ended`.)

use super::{Arguments, Ctx, Outcome, ParseError, Spec};
use crate::domain::i18n::{Catalogue, Msg, Rendered};
use crate::domain::polls::Results;
use crate::domain::State;
use crate::domain::{Change, PollEndPost};

pub const SPEC: Spec = Spec {
    name: "close",
    moderator_only: true,
    usage: Msg::CmdCloseUsage,
    summary: Msg::CmdCloseSummary,
    help: Msg::CmdCloseHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Close;

impl Close {
    pub fn parse(args: Arguments<'_>) -> Result<Close, ParseError> {
        args.finish(&SPEC)?;
        Ok(Close)
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let section = ctx.section()?;
        let Some(poll) = ctx.state.polls.latest_open(&section.id) else {
            return Err(ctx.catalogue.text(Msg::CloseNoPoll));
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
        let title = state
            .participation
            .proposals
            .get(number)
            .map_or("", |p| p.title.as_str());
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
