//! `!text [§n]`: a section's draft, listed by paragraph (id and opening words) or one
//! paragraph whole as it reads now (accepted amendments applied), with its support,
//! opposition and comments.

use pspm_config::draft::{Kind, ParagraphId};

use super::{Arguments, Ctx, Home, Outcome, ParseError, Spec};
use crate::domain::{amendments, consultation, iterations};
use crate::domain::i18n::{Msg, Rendered};
use crate::domain::SectionSettings;

pub const SPEC: Spec = Spec {
    name: "text",
    moderator_only: false,
    home: Home::Anywhere,
    usage: Msg::CmdTextUsage,
    summary: Msg::CmdTextSummary,
    help: Msg::CmdTextHelp,
};

/// How much of each paragraph the listing shows.
const OPENING_CHARS: usize = 80;
/// Paragraphs per page of the listing: a long chapter stays well inside one Matrix event.
const PAGE: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// The id as typed; read once the room (and so the current section) is known.
    pub id: Option<String>,
    /// The listing's page (`!text 2`), from 1; a bare number is never a paragraph id.
    pub page: usize,
}

/// The first words of a paragraph, on one line, cut at a character boundary.
fn opening(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(OPENING_CHARS) {
        Some((end, _)) => format!("{}…", &flat[..end]),
        None => flat,
    }
}

impl Text {
    pub fn parse(args: Arguments<'_>) -> Result<Text, ParseError> {
        let rest = args.rest().trim();
        if let Ok(page) = rest.parse::<usize>() {
            return match page {
                0 => Err(ParseError::Invalid {
                    spec: &SPEC,
                    given: rest.to_owned(),
                }),
                page => Ok(Text { id: None, page }),
            };
        }
        Ok(Text {
            id: (!rest.is_empty()).then(|| rest.to_owned()),
            page: 1,
        })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let catalogue = ctx.catalogue;
        let here = ctx.settings.sections.get(&ctx.message.room_id);
        let Some(given) = self.id else {
            return match here {
                Some(section) => Ok(listing(ctx, section, self.page)),
                None => Err(catalogue.text(Msg::TextNeedsId)),
            };
        };
        let current = here.map(|s| s.position as u32 + 1);
        let id = ParagraphId::parse(&given, current)
            .map_err(|_| catalogue.render(Msg::TextBadId, &[("given", &given)]))?;
        let section = ctx
            .settings
            .sections
            .values()
            .find(|s| s.position as u32 + 1 == id.section);
        let Some(section) = section else {
            return Err(catalogue.render(Msg::TextBadId, &[("given", &given)]));
        };
        let iteration = ctx.state.iterations.current();
        let draft = iterations::base(ctx.settings, ctx.state, &section.id, iteration);
        if draft.is_empty() {
            return Err(catalogue.render(Msg::TextNone, &[("section", &section.title)]));
        }
        let Some(paragraph) = draft.iter().find(|p| p.number == id.paragraph) else {
            // After a version, deleted paragraphs leave gaps and added ones come last.
            let numbers = draft.iter().map(|p| p.number);
            let first = ParagraphId::new(id.section, numbers.clone().min().unwrap_or(1));
            let last = ParagraphId::new(id.section, numbers.max().unwrap_or(1));
            let range = match draft.len() {
                1 => last.to_string(),
                _ => format!("{first}–{last}"),
            };
            return Err(catalogue.render(
                Msg::TextUnknown,
                &[("id", &id.to_string()), ("section", &section.title), ("range", &range)],
            ));
        };
        // The text as it reads now: accepted amendments applied.
        let key = id.to_string();
        let now = amendments::current(ctx.settings, ctx.state, &section.id, &key);
        let mut lines = vec![match &now.text {
            Some(text) => catalogue.render(
                Msg::TextParagraph,
                &[
                    ("id", &key),
                    ("kind", catalogue.template(kind_msg(paragraph.kind))),
                    ("text", text),
                ],
            ),
            None => {
                let by = iterations::accepted_on(ctx.state, &key, iteration);
                let by = by.last().map(|a| format!("A{}", a.number)).unwrap_or_default();
                catalogue.render(Msg::TextDeleted, &[("id", &key), ("by", &by)])
            }
        }];
        for (number, text) in &now.added_after {
            lines.push(catalogue.render(
                Msg::TextAdded,
                &[("amendment", &format!("A{number}")), ("text", text)],
            ));
        }
        lines.push(consultation::counts_line(
            ctx.settings,
            ctx.state,
            &ctx.message.sender,
            &iterations::item_id(iteration, &key),
        ));
        Ok(Rendered::lines(lines))
    }
}

/// Every paragraph of the section's draft: its short id and opening, headings marked `#`.
fn listing(ctx: &Ctx<'_>, section: &SectionSettings, page: usize) -> Rendered {
    let catalogue = ctx.catalogue;
    let iteration = ctx.state.iterations.current();
    let draft = iterations::base(ctx.settings, ctx.state, &section.id, iteration);
    if draft.is_empty() {
        return catalogue.render(Msg::TextNone, &[("section", &section.title)]);
    }
    let number = section.position as u32 + 1;
    let count = draft.len().to_string();
    let mut lines = vec![match ctx.state.iterations.latest() {
        None => catalogue.render(
            Msg::TextHeader,
            &[("section", &section.title), ("count", &count)],
        ),
        Some(version) => catalogue.render(
            Msg::TextHeaderVersion,
            &[
                ("section", &section.title),
                ("iteration", &iteration.to_string()),
                ("version", &version.name),
                ("count", &count),
            ],
        ),
    }];
    let pages = draft.len().div_ceil(PAGE);
    let page = page.min(pages);
    for paragraph in draft.iter().skip((page - 1) * PAGE).take(PAGE) {
        // Markdown headings already start with `#`; other formats' are marked the same way.
        let (heading, text) = match paragraph.kind {
            Kind::Heading(level) => (
                format!("{} ", "#".repeat(level as usize)),
                paragraph.text.trim_start_matches('#').trim_start(),
            ),
            _ => (String::new(), paragraph.text.as_str()),
        };
        lines.push(catalogue.render(
            Msg::TextLine,
            &[
                ("id", &ParagraphId::new(number, paragraph.number).short()),
                ("heading", &heading),
                ("start", &opening(text)),
            ],
        ));
    }
    if pages > 1 {
        let more = match page < pages {
            true => Msg::TextMore,
            false => Msg::TextLastPage,
        };
        lines.push(catalogue.render(
            more,
            &[
                ("page", &page.to_string()),
                ("pages", &pages.to_string()),
                ("next", &(page + 1).to_string()),
            ],
        ));
    }
    Rendered::lines(lines)
}

/// A paragraph's kind, as the reply names it in the reader's language.
fn kind_msg(kind: Kind) -> Msg {
    match kind {
        Kind::Heading(_) => Msg::KindHeading,
        Kind::Paragraph => Msg::KindParagraph,
        Kind::List => Msg::KindList,
        Kind::Code => Msg::KindCode,
        Kind::Directive => Msg::KindDirective,
        Kind::Table => Msg::KindTable,
    }
}
