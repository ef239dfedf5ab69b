//! `!amend §n` + the new text on the next lines, `!amend §n delete`, `!amend after §n` + the
//! text to add: amendment `A<n>` to a paragraph of the section's draft. The reply is its card
//! (old and new text, a word diff), a consultable item people vote on and comment.

use pspm_config::draft::ParagraphId;

use super::{Arguments, Ctx, Home, Outcome, ParseError, Spec};
use crate::domain::amendments::{self, AmendKind, Amendment, AmendmentState};
use crate::domain::i18n::{Msg, Rendered};
use crate::domain::iterations;
use crate::domain::participation::fingerprint;
use crate::domain::votes::phase_refusal;
use crate::domain::Change;

pub const SPEC: Spec = Spec {
    name: "amend",
    moderator_only: false,
    home: Home::Section,
    usage: Msg::CmdAmendUsage,
    summary: Msg::CmdAmendSummary,
    help: Msg::CmdAmendHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amend {
    /// The id as typed; read once the room (and so the section) is known.
    pub id: String,
    pub kind: AmendKind,
    pub text: String,
}

impl Amend {
    pub fn parse(args: Arguments<'_>) -> Result<Amend, ParseError> {
        let rest = args.rest();
        let (first, text) = rest.split_once('\n').unwrap_or((rest, ""));
        let text = text.trim().to_owned();
        let words: Vec<&str> = first.split_whitespace().collect();
        let invalid = |given: &str| ParseError::Invalid {
            spec: &SPEC,
            given: given.to_owned(),
        };
        let (id, kind) = match words.as_slice() {
            [] => return Err(ParseError::Missing { spec: &SPEC }),
            [after, id] if matches!(after.to_lowercase().as_str(), "after" | "dopo") => {
                (id, AmendKind::InsertAfter)
            }
            [id, delete]
                if matches!(
                    delete.to_lowercase().as_str(),
                    "delete" | "elimina" | "cancella"
                ) =>
            {
                (id, AmendKind::Delete)
            }
            [id] => (id, AmendKind::Replace),
            _ => return Err(invalid(first)),
        };
        match kind {
            AmendKind::Delete if !text.is_empty() => return Err(ParseError::TooManyArguments { spec: &SPEC }),
            AmendKind::Replace | AmendKind::InsertAfter if text.is_empty() => {
                return Err(ParseError::Missing { spec: &SPEC })
            }
            _ => {}
        }
        Ok(Amend {
            id: (*id).to_owned(),
            kind,
            text,
        })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let section = ctx.section()?;
        let catalogue = ctx.catalogue;
        let number = section.position as u32 + 1;
        let bad_id = || catalogue.render(Msg::TextBadId, &[("given", &self.id)]);
        let id = ParagraphId::parse(&self.id, Some(number)).map_err(|_| bad_id())?;
        if id.section != number {
            return Err(catalogue.render(
                Msg::AmendOtherSection,
                &[("id", &id.to_string())],
            ));
        }
        let iteration = ctx.state.iterations.current();
        let draft = iterations::base(ctx.settings, ctx.state, &section.id, iteration);
        if !draft.iter().any(|p| p.number == id.paragraph) {
            return Err(catalogue.render(
                Msg::AmendNoParagraph,
                &[("id", &id.to_string()), ("section", &section.title)],
            ));
        }
        let phase = ctx.phase_of(&section.id);
        if !phase.allows_proposals() {
            return Err(phase_refusal(catalogue, phase));
        }
        let length = self.text.chars().count();
        let max = ctx.settings.max_comment_chars;
        if length > max {
            return Err(catalogue.render(
                Msg::CommentTooLong,
                &[("length", &length.to_string()), ("max", &max.to_string())],
            ));
        }
        let key = id.to_string();
        let now = amendments::current(ctx.settings, ctx.state, &section.id, &key);
        if self.kind == AmendKind::Delete && now.text.is_none() {
            return Err(catalogue.render(Msg::AmendAlreadyDeleted, &[("id", &key)]));
        }
        let old = now.text.clone().unwrap_or_default();
        let amendment = Amendment {
            number: ctx.state.amendments.next_number(),
            section: section.id.clone(),
            room_id: ctx.message.room_id.clone(),
            paragraph: key,
            kind: self.kind,
            text: self.text,
            base: fingerprint(&old),
            author: ctx.message.sender.clone(),
            organisation: ctx.settings.organisation_of(&ctx.message.sender),
            created_ms: ctx.message.sent_at_ms,
            source_event: ctx.message.event_id.clone(),
            state: AmendmentState::Open,
            answer: None,
            decided_ms: None,
        };
        let card = card(ctx, &amendment, &old);
        ctx.item_for = Some(iterations::item_id(iteration, &amendment.item_key()));
        ctx.changes.push(Change::Amendment(amendment));
        Ok(card)
    }
}

/// The card everyone reads (the plan's language): what changes, by whom, and how to vote.
fn card(ctx: &Ctx<'_>, amendment: &Amendment, old: &str) -> Rendered {
    let catalogue = ctx.plan_catalogue;
    let name = format!("A{}", amendment.number);
    let id = &amendment.paragraph;
    let head = |msg| {
        catalogue.render(
            msg,
            &[
                ("amendment", &name),
                ("id", id),
                ("author", &amendment.author),
                ("organisation", &amendment.organisation),
            ],
        )
    };
    let mut lines = Vec::new();
    match amendment.kind {
        AmendKind::Replace => {
            lines.push(head(Msg::AmendCardReplace));
            lines.push(catalogue.render(Msg::AmendCardOld, &[("text", old)]));
            lines.push(catalogue.render(Msg::AmendCardNew, &[("text", &amendment.text)]));
            let diff = amendments::word_diff(old, &amendment.text);
            lines.push(catalogue.render(Msg::AmendCardDiff, &[("diff", &diff)]));
        }
        AmendKind::Delete => {
            lines.push(head(Msg::AmendCardDelete));
            lines.push(catalogue.render(Msg::AmendCardOld, &[("text", old)]));
        }
        AmendKind::InsertAfter => {
            lines.push(head(Msg::AmendCardInsert));
            lines.push(catalogue.render(Msg::AmendCardNew, &[("text", &amendment.text)]));
        }
    }
    lines.push(catalogue.render(Msg::AmendCardHow, &[("amendment", &name)]));
    Rendered::lines(lines)
}
