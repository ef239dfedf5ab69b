//! `!practice <id>`: a good practice's full card (summary, metadata, rating, source).

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::{Msg, Rendered};
use crate::domain::practice_repository::{type_name, Status};

pub const SPEC: Spec = Spec {
    name: "practice",
    moderator_only: false,
    home: Home::Anywhere,
    usage: Msg::CmdPracticeUsage,
    summary: Msg::CmdPracticeSummary,
    help: Msg::CmdPracticeHelp,
};

/// Characters of the summary shown on the card.
const SUMMARY_CHARS: usize = 800;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PracticeCommand {
    pub id: String,
}

impl PracticeCommand {
    pub fn parse(mut args: Arguments<'_>) -> Result<PracticeCommand, ParseError> {
        let id = args.practice_id(&SPEC)?;
        args.finish(&SPEC)?;
        Ok(PracticeCommand { id })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let practice = ctx.visible_practice(&self.id)?;
        let catalogue = ctx.catalogue;
        let unknown = catalogue.template(Msg::PracticeUnknown);
        let mut lines = vec![catalogue.render(
            Msg::PracticeTitle,
            &[("title", &practice.title), ("id", &practice.id)],
        )];
        let summary = practice.summary.trim();
        if !summary.is_empty() {
            let mut shown: String = summary.chars().take(SUMMARY_CHARS).collect();
            if shown.len() < summary.len() {
                shown.push('…');
            }
            lines.push(Rendered {
                html: crate::domain::i18n::escape_html(&shown),
                body: shown,
            });
        }
        lines.push(
            catalogue.render(
                Msg::PracticeMeta,
                &[
                    ("type", catalogue.template(type_name(practice.practice_type))),
                    (
                        "organisation",
                        practice.organisation.as_deref().unwrap_or(unknown),
                    ),
                    (
                        "year",
                        &practice
                            .year
                            .map_or_else(|| unknown.to_owned(), |y| y.to_string()),
                    ),
                    ("language", practice.language.as_str()),
                    ("licence", practice.licence.as_deref().unwrap_or(unknown)),
                ],
            ),
        );
        if !practice.tags.is_empty() {
            lines.push(catalogue.render(Msg::PracticeTags, &[("tags", &practice.tags.join(", "))]));
        }
        lines.push(if practice.rating.count == 0 {
            catalogue.render(Msg::PracticeUnrated, &[("id", &practice.id)])
        } else {
            catalogue.render(
                Msg::PracticeRating,
                &[
                    ("average", &format!("{:.1}", practice.rating.average)),
                    ("count", &practice.rating.count.to_string()),
                ],
            )
        });
        lines.push(catalogue.render(
            Msg::PracticeSource,
            &[
                ("source", &source_name(&practice.source)),
                ("added_by", &practice.added_by),
                (
                    "added_at",
                    &practice.added_at.format("%Y-%m-%d").to_string(),
                ),
            ],
        ));
        if practice.status == Status::Pending {
            lines.push(catalogue.text(Msg::PracticePending));
        }
        Ok(Rendered::lines(lines))
    }
}

/// A link stays a link; a file path shows only its name (the operator's folders are nobody
/// else's business).
fn source_name(source: &str) -> String {
    if source.starts_with("http://") || source.starts_with("https://") || !source.contains('/') {
        source.to_owned()
    } else {
        source.rsplit('/').next().unwrap_or(source).to_owned()
    }
}
