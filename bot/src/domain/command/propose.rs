//! `!propose <title>` with the description on the following lines: a new proposal, answered
//! with its card (the card's 👍/👎 reactions are the votes).

use super::{Arguments, Ctx, Outcome, ParseError, Spec};
use crate::domain::i18n::Msg;
use crate::domain::participation::{Proposal, ProposalState};
use crate::domain::Change;

pub const SPEC: Spec = Spec {
    name: "propose",
    moderator_only: false,
    usage: Msg::CmdProposeUsage,
    summary: Msg::CmdProposeSummary,
    help: Msg::CmdProposeHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Propose {
    pub title: String,
    pub description: String,
}

impl Propose {
    pub fn parse(args: Arguments<'_>) -> Result<Propose, ParseError> {
        let text = args.required_rest(&SPEC)?;
        let (title, description) = text.split_once('\n').unwrap_or((text, ""));
        Ok(Propose {
            title: title.trim().to_owned(),
            description: description.trim().to_owned(),
        })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let section = ctx.section()?;
        let phase = ctx.phase_of(&section.id);
        if !phase.allows_proposals() {
            return Err(crate::domain::votes::phase_refusal(ctx.catalogue, phase));
        }
        let (title_len, description_len) =
            (self.title.chars().count(), self.description.chars().count());
        if title_len > ctx.settings.max_title_chars
            || description_len > ctx.settings.max_description_chars
        {
            return Err(ctx.catalogue.render(
                Msg::ProposeTooLong,
                &[
                    ("title_max", &ctx.settings.max_title_chars.to_string()),
                    (
                        "description_max",
                        &ctx.settings.max_description_chars.to_string(),
                    ),
                    ("title_len", &title_len.to_string()),
                    ("description_len", &description_len.to_string()),
                ],
            ));
        }
        let proposal = Proposal {
            number: ctx
                .settings
                .number_hints
                .get(&ctx.message.event_id)
                .copied()
                .unwrap_or_else(|| ctx.state.participation.next_number()),
            section: section.id.clone(),
            room_id: ctx.message.room_id.clone(),
            title: self.title,
            description: self.description,
            author: ctx.message.sender.clone(),
            organisation: ctx.settings.organisation_of(&ctx.message.sender),
            state: ProposalState::Open,
            answer: None,
            hidden: None,
            created_ms: ctx.message.sent_at_ms,
            updated_ms: ctx.message.sent_at_ms,
            source_event: ctx.message.event_id.clone(),
            card_event: None,
        };
        let card = ctx.card(&proposal);
        ctx.card_for = Some(proposal.number);
        ctx.changes.push(Change::Proposal(proposal));
        Ok(card)
    }
}
