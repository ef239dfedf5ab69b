//! `!close` (moderators): ends the section's open prioritisation poll and posts the ranking.
//! (A client's "end poll" button also lets the poll's opener end it, see `polls::on_ended`.)

use super::{Arguments, Ctx, Outcome, ParseError, Spec};
use crate::domain::i18n::{Msg, Rendered};
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
        let catalogue = ctx.catalogue;
        let mut lines = vec![catalogue.render(
            Msg::CloseHeader,
            &[
                ("id", &poll.id.to_string()),
                ("voters", &results.voters.to_string()),
                ("spoiled", &results.spoiled.to_string()),
            ],
        )];
        for (rank, (number, votes)) in results.ranking.iter().enumerate() {
            let title = ctx
                .state
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
        let ranking = Rendered::lines(lines);
        let mut closed = poll.clone();
        closed.closed_ms = Some(ctx.message.sent_at_ms);
        if let Some(start) = &poll.start_event {
            ctx.poll_ends.push(PollEndPost {
                room_id: poll.room_id.clone(),
                start: start.clone(),
                text: ranking.body.clone(),
            });
        }
        ctx.changes.push(Change::Poll(closed));
        Ok(ranking)
    }
}
