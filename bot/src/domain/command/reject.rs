//! `!reject <n> <reason>` (moderators): the proposal is rejected; the reason is its answer.

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::Msg;
use crate::domain::amendments;
use crate::domain::participation::ProposalState;

pub const SPEC: Spec = Spec {
    name: "reject",
    moderator_only: true,
    home: Home::Plan,
    usage: Msg::CmdRejectUsage,
    summary: Msg::CmdRejectSummary,
    help: Msg::CmdRejectHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    pub number: u32,
    pub reason: String,
    /// `A<n>`: an amendment rather than a proposal.
    pub amendment: Option<u32>,
}

impl Reject {
    pub fn parse(mut args: Arguments<'_>) -> Result<Reject, ParseError> {
        let mut ahead = args.clone();
        let amendment = ahead.next().and_then(amendments::parse_number);
        let number = match amendment {
            Some(_) => {
                args = ahead;
                0
            }
            None => args.number(&SPEC)?,
        };
        let reason = args.required_rest(&SPEC)?.to_owned();
        Ok(Reject {
            number,
            reason,
            amendment,
        })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        if let Some(number) = self.amendment {
            let (change, reply) = amendments::decide(
                ctx.settings,
                ctx.state,
                ctx.catalogue,
                number,
                false,
                Some(self.reason),
                ctx.message.sent_at_ms,
            )?;
            ctx.changes.push(change);
            return Ok(reply);
        }
        ctx.change_state(self.number, |p| {
            p.state = ProposalState::Rejected;
            p.answer = Some(self.reason);
        })
    }
}
