//! `!withdraw <n>`: the author withdraws their proposal.

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::{Catalogue, Msg};
use crate::domain::participation::ProposalState;
use crate::domain::Change;

pub const SPEC: Spec = Spec {
    name: "withdraw",
    moderator_only: false,
    home: Home::Section,
    usage: Msg::CmdWithdrawUsage,
    summary: Msg::CmdWithdrawSummary,
    help: Msg::CmdWithdrawHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdraw {
    pub number: u32,
}

impl Withdraw {
    pub fn parse(mut args: Arguments<'_>) -> Result<Withdraw, ParseError> {
        let number = args.number(&SPEC)?;
        args.finish(&SPEC)?;
        Ok(Withdraw { number })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let proposal = ctx.proposal(self.number)?;
        let number = self.number.to_string();
        if proposal.author != ctx.message.sender {
            return Err(ctx
                .catalogue
                .render(Msg::WithdrawNotAuthor, &[("number", &number)]));
        }
        if !proposal.state.is_live() {
            return Err(ctx
                .catalogue
                .render(Msg::WithdrawNotLive, &[("number", &number)]));
        }
        let mut proposal = proposal.clone();
        proposal.state = ProposalState::Withdrawn;
        proposal.updated_ms = ctx.message.sent_at_ms;
        let notice = |c: &Catalogue| c.render(Msg::WithdrawNotice, &[("number", &number)]);
        ctx.notify_thread(&proposal, notice, Vec::new());
        let reply = notice(ctx.catalogue);
        ctx.changes.push(Change::Proposal(proposal));
        Ok(reply)
    }
}
