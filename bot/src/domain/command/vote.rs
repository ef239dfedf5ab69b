//! `!vote <n> +|-`: support or oppose a proposal, for clients without reactions.

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::Msg;
use crate::domain::participation::Stance;
use crate::domain::votes;

pub const SPEC: Spec = Spec {
    name: "vote",
    moderator_only: false,
    home: Home::Section,
    usage: Msg::CmdVoteUsage,
    summary: Msg::CmdVoteSummary,
    help: Msg::CmdVoteHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteCommand {
    pub number: u32,
    pub stance: Stance,
}

impl VoteCommand {
    pub fn parse(mut args: Arguments<'_>) -> Result<VoteCommand, ParseError> {
        let number = args.number(&SPEC)?;
        let word = args.next().ok_or(ParseError::Missing { spec: &SPEC })?;
        let stance = match word.to_lowercase().as_str() {
            "+" | "+1" | "si" | "sì" | "yes" | "support" => Stance::Support,
            "-" | "-1" | "no" | "oppose" => Stance::Oppose,
            other => votes::stance_of_key(other).ok_or_else(|| ParseError::Invalid {
                spec: &SPEC,
                given: word.to_owned(),
            })?,
        };
        args.finish(&SPEC)?;
        Ok(VoteCommand { number, stance })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let change = votes::cast(
            ctx.settings,
            ctx.state,
            self.number,
            &ctx.message.sender,
            self.stance,
            &ctx.message.event_id,
        )
        .map_err(|refusal| refusal.render(ctx.catalogue))?;
        let mut tally = ctx.state.participation.tally(self.number).total;
        if let Some(old) = ctx
            .state
            .participation
            .stance_of(self.number, &ctx.message.sender)
        {
            match old {
                Stance::Support => tally.support -= 1,
                Stance::Oppose => tally.oppose -= 1,
            }
        }
        match self.stance {
            Stance::Support => tally.support += 1,
            Stance::Oppose => tally.oppose += 1,
        }
        ctx.changes.push(change);
        let msg = match self.stance {
            Stance::Support => Msg::VoteSupported,
            Stance::Oppose => Msg::VoteOpposed,
        };
        Ok(ctx.catalogue.render(
            msg,
            &[
                ("number", &self.number.to_string()),
                ("support", &tally.support.to_string()),
                ("oppose", &tally.oppose.to_string()),
            ],
        ))
    }
}
