//! `!feedback <text>`: feedback on the section itself. Also: replies in a proposal's thread,
//! which are comments on that proposal.

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::{Msg, Rendered};
use crate::domain::iterations;
use crate::domain::participation::Comment;
use crate::domain::votes::phase_refusal;
use crate::domain::Change;

pub const SPEC: Spec = Spec {
    name: "feedback",
    moderator_only: false,
    home: Home::Section,
    usage: Msg::CmdFeedbackUsage,
    summary: Msg::CmdFeedbackSummary,
    help: Msg::CmdFeedbackHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub text: String,
}

impl Feedback {
    pub fn parse(args: Arguments<'_>) -> Result<Feedback, ParseError> {
        Ok(Feedback {
            text: args.required_rest(&SPEC)?.to_owned(),
        })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let section = ctx.section()?;
        if let Some(refusal) = too_long(ctx, &self.text) {
            return Err(refusal);
        }
        let phase = ctx.phase_of(&section.id);
        if !phase.allows_comments() {
            return Err(phase_refusal(ctx.catalogue, phase));
        }
        let comment = Comment {
            event_id: ctx.message.event_id.clone(),
            section: section.id.clone(),
            proposal: None,
            author: ctx.message.sender.clone(),
            organisation: ctx.settings.organisation_of(&ctx.message.sender),
            text: self.text,
            at_ms: ctx.message.sent_at_ms,
            redacted: false,
        };
        let reply = ctx
            .catalogue
            .render(Msg::FeedbackThanks, &[("section", &section.title)]);
        ctx.changes.push(Change::Comment(comment));
        Ok(reply)
    }
}

/// A plain message in a proposal's thread: stored as a comment, silently; refused with a
/// reply when the phase is closed to comments.
pub fn comment_in_thread(ctx: &mut Ctx<'_>, number: u32) -> Option<Rendered> {
    // A deleted proposal's thread is closed: its card is gone.
    let proposal = ctx
        .state
        .participation
        .proposals
        .get(&number)
        .filter(|p| !p.redacted)?;
    let phase = ctx.phase_of(&proposal.section);
    if !phase.allows_comments() {
        return Some(phase_refusal(ctx.catalogue, phase));
    }
    if let Some(refusal) = iterations::refusal_if_closed(ctx.state, ctx.catalogue, proposal.created_ms)
    {
        return Some(refusal);
    }
    if let Some(refusal) = too_long(ctx, &ctx.message.body) {
        return Some(refusal);
    }
    let comment = Comment {
        event_id: ctx.message.event_id.clone(),
        section: proposal.section.clone(),
        proposal: Some(number),
        author: ctx.message.sender.clone(),
        organisation: ctx.settings.organisation_of(&ctx.message.sender),
        text: ctx.message.body.clone(),
        at_ms: ctx.message.sent_at_ms,
        redacted: false,
    };
    ctx.changes.push(Change::Comment(comment));
    None
}

/// The refusal of a text over `max_comment_chars`, which is then not stored.
fn too_long(ctx: &Ctx<'_>, text: &str) -> Option<Rendered> {
    let length = text.chars().count();
    let max = ctx.settings.max_comment_chars;
    (length > max).then(|| {
        ctx.catalogue.render(
            Msg::CommentTooLong,
            &[("length", &length.to_string()), ("max", &max.to_string())],
        )
    })
}
