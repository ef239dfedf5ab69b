//! Markdown drafts: each top-level block pulldown-cmark finds is a block here, whole (a list
//! with its nested lists, a block quote, a table, a fenced or indented code block).

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag};

use super::{Block, Kind};

/// CommonMark with the extensions plans use: tables, footnotes, task lists, strikethrough,
/// and front matter, which is recognised so that it is no paragraph.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
}

/// Every block of `text`, in order: the top-level ones pulldown-cmark reports, and between
/// them what it consumes without reporting (link reference definitions), as no paragraph.
pub fn blocks(text: &str) -> Vec<Block> {
    let mut found: Vec<Block> = Vec::new();
    let mut depth = 0usize;
    for (event, span) in Parser::new_ext(text, options()).into_offset_iter() {
        match event {
            Event::Start(tag) => {
                if depth == 0 {
                    let kind = match tag {
                        Tag::HtmlBlock if text.get(span.clone()).is_some_and(is_html_comment) => {
                            None
                        }
                        _ => kind_of(&tag),
                    };
                    found.push(Block { kind, span });
                }
                depth += 1;
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            // A top-level leaf outside any block: a thematic break, or raw text pulldown-cmark
            // reports on its own.
            _ if depth == 0 => found.push(Block {
                kind: match event {
                    Event::Rule => None,
                    _ => Some(Kind::Paragraph),
                },
                span,
            }),
            _ => {}
        }
    }
    with_gaps(text, found)
}

fn kind_of(tag: &Tag<'_>) -> Option<Kind> {
    match tag {
        Tag::Heading { level, .. } => Some(Kind::Heading(match level {
            HeadingLevel::H1 => 1,
            HeadingLevel::H2 => 2,
            HeadingLevel::H3 => 3,
            HeadingLevel::H4 => 4,
            HeadingLevel::H5 => 5,
            HeadingLevel::H6 => 6,
        })),
        Tag::List(_) | Tag::DefinitionList => Some(Kind::List),
        Tag::CodeBlock(_) => Some(Kind::Code),
        Tag::Table(_) => Some(Kind::Table),
        Tag::MetadataBlock(_) => None,
        // Paragraphs, block quotes, footnotes, HTML blocks.
        _ => Some(Kind::Paragraph),
    }
}

/// The blocks in order, overlaps cut away, and a block of no paragraph for each stretch of
/// text between them that is not white space (what pulldown-cmark consumed silently).
fn with_gaps(text: &str, mut found: Vec<Block>) -> Vec<Block> {
    found.sort_by_key(|b| b.span.start);
    let mut blocks = Vec::with_capacity(found.len());
    let mut at = 0;
    for mut block in found {
        block.span.start = block.span.start.max(at);
        block.span.end = block.span.end.min(text.len());
        if block.span.start >= block.span.end {
            continue;
        }
        if !text[at..block.span.start].trim().is_empty() {
            blocks.push(Block {
                kind: None,
                span: at..block.span.start,
            });
        }
        at = block.span.end;
        blocks.push(block);
    }
    if !text[at..].trim().is_empty() {
        blocks.push(Block {
            kind: None,
            span: at..text.len(),
        });
    }
    blocks
}

/// Whether an HTML block is only a comment (`<!-- … -->`), which is no paragraph.
fn is_html_comment(text: &str) -> bool {
    let text = text.trim();
    text.starts_with("<!--") && text.ends_with("-->")
}
