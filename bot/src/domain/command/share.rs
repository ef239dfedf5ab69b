//! `!share <title> | <url or text> [| type | tags]`: anyone offers a good practice; it waits,
//! pending, for a moderator's `!approve` or `!decline`.

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::{Msg, Rendered};
use crate::domain::practice_repository::{legacy_share_id, share_id, Practice, PracticeType, Share};

pub const SPEC: Spec = Spec {
    name: "share",
    moderator_only: false,
    home: Home::Plan,
    usage: Msg::CmdShareUsage,
    summary: Msg::CmdShareSummary,
    help: Msg::CmdShareHelp,
};

const MAX_TITLE_CHARS: usize = 200;
const MAX_CONTENT_CHARS: usize = 20_000;
const MAX_TAGS: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareCommand {
    pub title: String,
    pub url_or_text: String,
    pub practice_type: Option<PracticeType>,
    pub tags: Vec<String>,
}

impl ShareCommand {
    pub fn parse(args: Arguments<'_>) -> Result<ShareCommand, ParseError> {
        let text = args.required_rest(&SPEC)?;
        let parts: Vec<&str> = text.split('|').map(str::trim).collect();
        let invalid = |given: &str| ParseError::Invalid {
            spec: &SPEC,
            given: given.to_owned(),
        };
        let (title, content) = match parts.as_slice() {
            [title, content, ..] if !title.is_empty() && !content.is_empty() => (*title, *content),
            _ => return Err(ParseError::Missing { spec: &SPEC }),
        };
        if parts.len() > 4 {
            return Err(ParseError::TooManyArguments { spec: &SPEC });
        }
        if title.chars().count() > MAX_TITLE_CHARS {
            return Err(invalid(title));
        }
        if content.chars().count() > MAX_CONTENT_CHARS {
            return Err(invalid(content));
        }
        let practice_type = match parts.get(2).filter(|t| !t.is_empty()) {
            Some(given) => Some(given.parse().map_err(|_| invalid(given))?),
            None => None,
        };
        let tags: Vec<String> = parts
            .get(3)
            .map(|tags| {
                tags.split(',')
                    .map(|t| t.trim().trim_start_matches('#').to_owned())
                    .filter(|t| !t.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        if tags.len() > MAX_TAGS {
            return Err(invalid(parts[3]));
        }
        Ok(ShareCommand {
            title: title.to_owned(),
            url_or_text: content.to_owned(),
            practice_type,
            tags,
        })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let repository = ctx.repository()?;
        if let Some(practice) = shared_before_upgrade(ctx, &self.title)? {
            return Ok(ctx.catalogue.render(
                Msg::ShareDone,
                &[("title", &practice.title), ("id", &practice.id)],
            ));
        }
        let share = Share {
            id: share_id(&ctx.message.event_id),
            title: self.title,
            url_or_text: self.url_or_text,
            practice_type: self.practice_type,
            tags: self.tags,
            added_by: ctx.message.sender.clone(),
            added_at: ctx.sent_at(),
        };
        let practice = repository
            .share(share)
            .map_err(|e| ctx.repository_error(&e))?;
        Ok(ctx.catalogue.render(
            Msg::ShareDone,
            &[("title", &practice.title), ("id", &practice.id)],
        ))
    }
}

/// The practice this very event shared under its old 32-bit id, if it did: same sender, and
/// the same time or title (a different share whose old id collided has neither).
fn shared_before_upgrade(ctx: &Ctx<'_>, title: &str) -> Result<Option<Practice>, Rendered> {
    let repository = ctx.repository()?;
    let found = repository
        .get(&legacy_share_id(&ctx.message.event_id))
        .map_err(|e| ctx.repository_error(&e))?;
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    Ok(found.filter(|practice| {
        practice.added_by == ctx.message.sender
            && (practice.added_at == ctx.sent_at() || practice.title == title)
    }))
}
