//! The consolidated plan as one self-contained HTML page (maud, which escapes every caller
//! text): the drafts' Markdown rendered by pulldown-cmark with raw HTML shown as text,
//! reStructuredText shown as paragraphs or preformatted; each paragraph with its id as anchor.

use maud::{html, Markup, PreEscaped, DOCTYPE};
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag};

use super::tables::targets;
use super::text::{anchor, document_level, heading_text};
use super::{BlockKind, ConsolidatedPlan, PlanParagraph, PlanSection, SourceFormat};

/// Writes the plan as an HTML5 document.
pub fn render_html(plan: &ConsolidatedPlan) -> String {
    let labels = &plan.labels;
    let annex = &plan.annex;
    let page = html! {
        (DOCTYPE)
        html lang=(plan.language) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (plan.title) }
                style { (PreEscaped(include_str!("style.css"))) }
            }
            body {
                main {
                    h1 { (plan.title) }
                    @if !plan.version.trim().is_empty() {
                        p.version { (plan.version) }
                    }
                    @if !plan.description.trim().is_empty() {
                        p.lead { (plan.description) }
                    }
                    nav.toc aria-label=(labels.contents) {
                        strong { (labels.contents) }
                        ol {
                            @for section in &plan.sections {
                                li { a href={ "#s" (section.number) } { (section.title) } }
                            }
                            li { a href="#annex" { (annex.title) } }
                        }
                    }
                    @for section in &plan.sections {
                        (section_html(plan, section))
                    }
                    section #annex {
                        h2 { (annex.title) }
                        @if !annex.introduction.is_empty() { p { (annex.introduction) } }
                        @if annex.changes.is_empty() && annex.amendments.is_empty() {
                            p { (labels.nothing) }
                        }
                        @if !annex.amendments.is_empty() {
                            div.scroll tabindex="0" role="region" aria-label=(labels.amendment) {
                                table {
                                    thead { tr {
                                        @for label in labels.amendment_header() {
                                            th scope="col" { (label) }
                                        }
                                    } }
                                    tbody {
                                        @for row in annex.amendment_rows() {
                                            tr { @for cell in row { td { (cell) } } }
                                        }
                                    }
                                }
                            }
                        }
                        @if !annex.changes.is_empty() {
                            div.scroll tabindex="0" role="region" aria-label=(annex.title) {
                                table {
                                    thead { tr {
                                        th scope="col" { (labels.proposal) }
                                        th scope="col" { (labels.section) }
                                        th scope="col" { (labels.title) }
                                        th scope="col" { (labels.organisation) }
                                        th scope="col" { (labels.supports) }
                                        th scope="col" { (labels.oppositions) }
                                        th scope="col" { (labels.actions) }
                                    } }
                                    tbody {
                                        @for change in &annex.changes {
                                            tr {
                                                td { "#" (change.proposal) }
                                                td { (change.section) }
                                                td {
                                                    strong { (change.title) }
                                                    @if !change.description.is_empty() {
                                                        br; (change.description)
                                                    }
                                                }
                                                td { (change.organisation) }
                                                td { (change.supports) }
                                                td { (change.oppositions) }
                                                td { (change.action) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    page.into_string()
}

fn section_html(plan: &ConsolidatedPlan, section: &PlanSection) -> Markup {
    let labels = &plan.labels;
    html! {
        section id={ "s" (section.number) } {
            h2 { (section.number) ". " (section.title) }
            @if !section.description.trim().is_empty() { p { (section.description) } }
            @for paragraph in &section.paragraphs { (paragraph_html(paragraph)) }
            @if !section.objectives.is_empty() {
                h3 { (labels.objectives) }
                ul {
                    @for objective in &section.objectives {
                        li { strong { (objective.code) } " " (objective.title) }
                    }
                }
            }
            @if !section.results.is_empty() {
                h3 { (labels.results) }
                div.scroll tabindex="0" role="region" aria-label={ (labels.results) " — " (section.title) } { table {
                    thead { tr {
                        th scope="col" { (labels.code) }
                        th scope="col" { (labels.title) }
                        th scope="col" { (labels.indicator) }
                        th scope="col" { (labels.unit) }
                        th scope="col" { (labels.baseline) }
                        th scope="col" { (labels.targets) }
                    } }
                    tbody { @for result in &section.results { tr {
                        td { (result.code) }
                        td { (result.title) }
                        td { (result.indicator) }
                        td { (result.unit) }
                        td { (result.baseline) }
                        td { (targets(&result.targets)) }
                    } } }
                } }
            }
            @if !section.actions.is_empty() {
                h3 { (labels.actions) }
                div.scroll tabindex="0" role="region" aria-label={ (labels.actions) " — " (section.title) } { table {
                    thead { tr {
                        th scope="col" { (labels.code) }
                        th scope="col" { (labels.title) }
                        th scope="col" { (labels.objective) }
                        th scope="col" { (labels.owner) }
                        th scope="col" { (labels.start) }
                        th scope="col" { (labels.due) }
                        th scope="col" { (labels.weight) }
                    } }
                    tbody { @for action in &section.actions { tr {
                        td { (action.code) }
                        td {
                            (action.title)
                            @if let Some(n) = action.proposal { " (" (labels.proposal) " #" (n) ")" }
                        }
                        td { (action.objective) }
                        td { (action.owner) }
                        td { (action.start) }
                        td { (action.due) }
                        td { (action.weight) }
                    } } }
                } }
            }
        }
    }
}

fn paragraph_html(paragraph: &PlanParagraph) -> Markup {
    let id = anchor(&paragraph.id);
    let pid = html! { span.pid { (paragraph.id) } };
    match (paragraph.kind, paragraph.source) {
        (BlockKind::Heading(level), _) => {
            let words = heading_text(paragraph);
            let inner = html! { (pid) (words) };
            match document_level(level) {
                3 => html! { h3 id=(id) { (inner) } },
                4 => html! { h4 id=(id) { (inner) } },
                5 => html! { h5 id=(id) { (inner) } },
                _ => html! { h6 id=(id) { (inner) } },
            }
        }
        (kind, SourceFormat::Markdown) => {
            let body = PreEscaped(markdown_html(&paragraph.text));
            match kind {
                BlockKind::Table => html! {
                    div.para id=(id) {
                        (pid)
                        div.scroll tabindex="0" role="region" aria-label=(paragraph.id) { (body) }
                    }
                },
                _ => html! { div.para id=(id) { (pid) (body) } },
            }
        }
        (BlockKind::Paragraph, SourceFormat::Rst | SourceFormat::Text) => {
            html! { p.para id=(id) { (pid) (paragraph.text) } }
        }
        (_, SourceFormat::Rst | SourceFormat::Text) => {
            html! { div.para id=(id) { (pid) pre { (paragraph.text) } } }
        }
    }
}

/// A Markdown block as HTML. The draft is the plan's text, not a page of its own: raw HTML in
/// it is shown as text, and links other than web, mail and in-page ones lose their target.
fn markdown_html(source: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;
    let events = Parser::new_ext(source, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        other => other,
    });
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, events);
    out
}

/// A link target kept when it is a web, mail or relative one; `#` otherwise (`javascript:`…).
pub(super) fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let lower = url.trim().to_ascii_lowercase();
    let scheme = lower.split_once(':').map(|(scheme, _)| scheme);
    let relative = scheme.is_none_or(|s| s.contains(['/', '?', '#']));
    if relative || matches!(scheme, Some("http" | "https" | "mailto")) {
        url
    } else {
        CowStr::Borrowed("#")
    }
}
