//! `!unvote <n>`: withdraw one's vote on a proposal.

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::Msg;
use crate::domain::participation::{fingerprint, Ballot};
use crate::domain::votes::ballot_change;

pub const SPEC: Spec = Spec {
    name: "unvote",
    moderator_only: false,
    home: Home::Section,
    usage: Msg::CmdUnvoteUsage,
    summary: Msg::CmdUnvoteSummary,
    help: Msg::CmdUnvoteHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unvote {
    pub number: u32,
}

impl Unvote {
    pub fn parse(mut args: Arguments<'_>) -> Result<Unvote, ParseError> {
        let number = args.number(&SPEC)?;
        args.finish(&SPEC)?;
        Ok(Unvote { number })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let proposal = ctx.proposal(self.number)?;
        let phase = ctx.phase_of(&proposal.section);
        if !phase.allows_votes() {
            return Err(crate::domain::votes::phase_refusal(ctx.catalogue, phase));
        }
        let created_ms = proposal.created_ms;
        if let Some(refusal) =
            crate::domain::iterations::refusal_if_closed(ctx.state, ctx.catalogue, created_ms)
        {
            return Err(refusal);
        }
        let number = self.number.to_string();
        if ctx
            .state
            .participation
            .stance_of(self.number, &ctx.message.sender)
            .is_none()
        {
            return Err(ctx
                .catalogue
                .render(Msg::UnvoteNothing, &[("number", &number)]));
        }
        let ballot = Ballot {
            stance: None,
            source: fingerprint(&ctx.message.event_id),
        };
        let change = ballot_change(
            ctx.settings,
            &ctx.state.participation,
            self.number,
            &ctx.message.sender,
            ballot,
        );
        ctx.changes.push(change);
        Ok(ctx
            .catalogue
            .render(Msg::UnvoteDone, &[("number", &number)]))
    }
}
