//! `!merge <n> into <m>` (moderators): n becomes "merged into m"; its supporters are told in
//! n's thread. Votes are not moved: people choose again.

use crate::domain::moderation::movable;
use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::{Catalogue, Msg};
use crate::domain::participation::{ProposalState, Stance};

pub const SPEC: Spec = Spec {
    name: "merge",
    moderator_only: true,
    home: Home::Plan,
    usage: Msg::CmdMergeUsage,
    summary: Msg::CmdMergeSummary,
    help: Msg::CmdMergeHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merge {
    pub number: u32,
    pub into: u32,
}

impl Merge {
    pub fn parse(mut args: Arguments<'_>) -> Result<Merge, ParseError> {
        let number = args.number(&SPEC)?;
        match args.next() {
            Some(w) if matches!(w.to_lowercase().as_str(), "into" | "in") => {}
            Some(w) => {
                return Err(ParseError::Invalid {
                    spec: &SPEC,
                    given: w.to_owned(),
                })
            }
            None => return Err(ParseError::Missing { spec: &SPEC }),
        }
        let into = args.number(&SPEC)?;
        args.finish(&SPEC)?;
        Ok(Merge { number, into })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let target = ctx.proposal(self.into)?;
        let source = ctx.proposal(self.number)?;
        ctx.require_moderator_of(target)?;
        ctx.require_moderator_of(source)?;
        if self.number == self.into
            || !movable(source.state)
            || !target.state.is_live() && target.state != ProposalState::Accepted
        {
            return Err(ctx.catalogue.render(
                Msg::MergeRefused,
                &[
                    ("number", &self.number.to_string()),
                    ("into", &self.into.to_string()),
                ],
            ));
        }
        let mut supporters: Vec<String> = ctx
            .state
            .participation
            .voters(self.number)
            .into_iter()
            .filter(|(_, stance)| *stance == Stance::Support)
            .map(|(user, _)| user.to_owned())
            .collect();
        supporters.sort();
        let source_for_notice = source.clone();
        let into = self.into;
        let reply = ctx.moderate(self.number, |p| p.state = ProposalState::Merged(into))?;
        let (number, into) = (self.number.to_string(), into.to_string());
        let told = |c: &Catalogue| {
            c.render(
                Msg::MergeSupporters,
                &[("number", &number), ("into", &into)],
            )
        };
        ctx.notify_thread(&source_for_notice, told, supporters);
        Ok(reply)
    }
}
