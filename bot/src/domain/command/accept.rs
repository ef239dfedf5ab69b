//! `!accept <n> [answer]` (moderators): the proposal is accepted, with an optional answer;
//! `!accept A<n> [answer]`: the amendment is, and its paragraph reads as it says.

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::amendments;
use crate::domain::i18n::Msg;
use crate::domain::participation::ProposalState;

pub const SPEC: Spec = Spec {
    name: "accept",
    moderator_only: true,
    home: Home::Plan,
    usage: Msg::CmdAcceptUsage,
    summary: Msg::CmdAcceptSummary,
    help: Msg::CmdAcceptHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accept {
    pub number: u32,
    pub answer: Option<String>,
    /// `A<n>`: an amendment rather than a proposal.
    pub amendment: Option<u32>,
}

impl Accept {
    pub fn parse(mut args: Arguments<'_>) -> Result<Accept, ParseError> {
        let mut ahead = args.clone();
        let amendment = ahead.next().and_then(amendments::parse_number);
        let number = match amendment {
            Some(_) => {
                args = ahead;
                0
            }
            None => args.number(&SPEC)?,
        };
        let answer = Some(args.rest().to_owned()).filter(|a| !a.is_empty());
        Ok(Accept {
            number,
            answer,
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
                true,
                self.answer,
                ctx.message.sent_at_ms,
            )?;
            ctx.changes.push(change);
            return Ok(reply);
        }
        ctx.change_state(self.number, |p| {
            p.state = ProposalState::Accepted;
            if self.answer.is_some() {
                p.answer = self.answer;
            }
        })
    }
}
