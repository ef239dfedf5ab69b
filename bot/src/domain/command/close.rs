//! `!close [poll]` (moderators): ends the section's open prioritisation poll (or the one
//! named, native or secret) and posts the ranking (see `poll_close`).
//! (A client's "end poll" button also lets the poll's opener end it, see `polls::on_ended`.)

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::{Msg, Rendered};
use crate::domain::poll_close::{close_native, close_secret as close_secret_at, ranking};
use crate::domain::secret_ballot::SecretPoll;

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
        let reply = ranking(ctx.settings, ctx.state, poll.id, &results, ctx.catalogue);
        // The poll's end is for everyone: the plan's language.
        let (change, _, end) = close_native(
            ctx.settings,
            ctx.state,
            poll,
            ctx.message.sent_at_ms,
            Some(ctx.message.event_id.clone()),
            ctx.plan_catalogue,
        );
        ctx.poll_ends.extend(end);
        ctx.changes.push(change);
        Ok(reply)
    }
}

/// Closes a secret ballot: the tally and the receipts for everyone (the plan's language).
fn close_secret(ctx: &mut Ctx<'_>, poll: &SecretPoll) -> Rendered {
    let (tally, carried, change) =
        close_secret_at(ctx.state, poll, ctx.message.sent_at_ms, ctx.plan_catalogue);
    ctx.secret_tally = Some(carried);
    ctx.changes.push(change);
    tally
}
