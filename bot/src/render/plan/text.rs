//! What the plan's renderers share: a heading's words out of its source, heading levels in
//! the document, anchors.

use pulldown_cmark::{Event, Parser};

use super::{PlanParagraph, SourceFormat};

/// The words of a heading paragraph, without its markup: in Markdown what pulldown-cmark
/// reads as its text (no `#`s, underline, emphasis marks or backticks); in reStructuredText
/// its lines but the adornments.
pub(super) fn heading_text(paragraph: &PlanParagraph) -> String {
    let words = match paragraph.source {
        SourceFormat::Markdown => Parser::new(&paragraph.text)
            .filter_map(|event| match event {
                Event::Text(text) | Event::Code(text) => Some(text.into_string()),
                Event::SoftBreak | Event::HardBreak => Some(" ".to_owned()),
                _ => None,
            })
            .collect::<String>(),
        SourceFormat::Rst | SourceFormat::Text => paragraph
            .text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !is_adornment(line))
            .collect::<Vec<_>>()
            .join(" "),
    };
    words.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A line of one punctuation character repeated: a Markdown setext underline or a
/// reStructuredText adornment.
fn is_adornment(line: &str) -> bool {
    let mut chars = line.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    first.is_ascii_punctuation()
        && first != '#'
        && line.chars().count() >= 2
        && chars.all(|c| c == first)
}

/// The document's level of a draft heading: the plan's title is 1, a section 2, so a draft's
/// level 1 is 3 (at most 6).
pub(super) fn document_level(draft_level: u8) -> u8 {
    draft_level.saturating_add(2).clamp(3, 6)
}

/// The anchor of a paragraph id (`§2.3` → `p2.3`), for links into the page.
pub(super) fn anchor(id: &str) -> String {
    format!("p{}", id.trim_start_matches('§'))
}

/// Characters XML 1.0 does not allow (most control characters) taken out.
pub(super) fn xml_safe(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
        })
        .collect()
}
