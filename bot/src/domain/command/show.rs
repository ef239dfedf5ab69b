//! `!show <n>`: a proposal's card with its comment count and tally per organisation.

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::{Msg, Rendered};

pub const SPEC: Spec = Spec {
    name: "show",
    moderator_only: false,
    home: Home::Anywhere,
    usage: Msg::CmdShowUsage,
    summary: Msg::CmdShowSummary,
    help: Msg::CmdShowHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Show {
    pub number: u32,
}

impl Show {
    pub fn parse(mut args: Arguments<'_>) -> Result<Show, ParseError> {
        let number = args.number(&SPEC)?;
        args.finish(&SPEC)?;
        Ok(Show { number })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let proposal = ctx.proposal(self.number)?;
        let comments = ctx
            .state
            .participation
            .comments
            .values()
            .filter(|c| c.proposal == Some(self.number))
            .count();
        let catalogue = ctx.catalogue;
        let mut lines = vec![ctx.card(proposal)];
        lines.push(catalogue.render(Msg::ShowComments, &[("count", &comments.to_string())]));
        let tally = ctx.state.participation.tally(self.number);
        if !tally.by_organisation.is_empty() {
            lines.push(catalogue.text(Msg::ShowByOrganisation));
            for (organisation, counts) in &tally.by_organisation {
                lines.push(catalogue.render(
                    Msg::ShowOrganisationLine,
                    &[
                        ("organisation", organisation),
                        ("support", &counts.support.to_string()),
                        ("oppose", &counts.oppose.to_string()),
                    ],
                ));
            }
        }
        if let Some(reason) = &proposal.hidden {
            lines.push(catalogue.render(Msg::ShowHidden, &[("reason", reason)]));
        }
        Ok(Rendered::lines(lines))
    }
}
