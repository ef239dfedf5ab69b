//! A section's draft text (`[[sections]] text = "…"`), split into numbered paragraphs: the
//! items people will read, comment, support and amend.
//!
//! # Layout
//! - [`split`] and [`blocks`] — a text of a [`Format`] into paragraphs, or into every block of
//!   its source with the bytes it spans (Markdown with pulldown-cmark, [`markdown`];
//!   reStructuredText with a block splitter of its own, [`rst`]; plain text by blank lines).
//! - [`id`] — paragraph ids as people type them (`§2.3`, `§3`, `2.3`, `s2.3`).
//! - [`load`] — reading a file, or a folder of them in name order, for the plan file.
//!
//! A heading is an item of its own; a list, a code or literal block, a directive with its
//! body and a table are each one item, whole. What is not content (comments, link targets,
//! link reference definitions, front matter, transitions) is no item. Pure but for [`load`].

pub mod id;
mod load;
pub mod markdown;
pub mod rst;

use std::ops::Range;
use std::path::Path;

pub use id::{IdError, ParagraphId};
pub use load::load;

/// The languages a draft may be written in, told by the file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.md`, `.markdown` (CommonMark with tables and footnotes).
    Markdown,
    /// `.rst`, `.rest`.
    Rst,
    /// `.txt`: paragraphs separated by blank lines.
    Text,
}

impl Format {
    /// The format of a file, by its extension (any case); `None` for other files.
    pub fn of(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "md" | "markdown" => Some(Format::Markdown),
            "rst" | "rest" => Some(Format::Rst),
            "txt" => Some(Format::Text),
            _ => None,
        }
    }
}

/// What a paragraph is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A heading of level 1 (the highest) to 6: Markdown's `#`…`######`, in reStructuredText
    /// the order in which title adornments first appear, as docutils counts them.
    Heading(u8),
    Paragraph,
    /// A bullet, numbered, definition or field list, whole.
    List,
    /// A code block, or a literal block after `::`.
    Code,
    /// A reStructuredText directive (`.. note::`) with its body.
    Directive,
    Table,
}

impl Kind {
    /// Its name in exports: `heading`, `paragraph`, `list`, `code`, `directive`, `table`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Heading(_) => "heading",
            Kind::Paragraph => "paragraph",
            Kind::List => "list",
            Kind::Code => "code",
            Kind::Directive => "directive",
            Kind::Table => "table",
        }
    }
}

/// One numbered item of a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    /// 1-based, within the section.
    pub number: u32,
    pub kind: Kind,
    /// The language of the file it came from, which says how to render its text.
    pub format: Format,
    /// The block's source text, without the blank lines around it and trailing spaces.
    pub text: String,
    /// [`fingerprint`] of the text: equal for the same words however the lines are wrapped.
    pub fingerprint: u64,
}

impl Paragraph {
    /// The text as a reader sees it in chat: a paragraph's lines, wrapped in its source file,
    /// flow into one; a heading, list, code block, directive or table keeps its lines.
    pub fn flowing_text(&self) -> String {
        match self.kind {
            Kind::Paragraph => self.text.split_whitespace().collect::<Vec<_>>().join(" "),
            _ => self.text.clone(),
        }
    }
}

/// A block of a source text: its bytes, and what kind of paragraph it is (`None` for what is
/// no paragraph: comments, link targets and definitions, front matter, transitions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: Option<Kind>,
    /// Byte range in the source; blocks come in order and never overlap, and together they
    /// hold every character of the source that is not white space.
    pub span: Range<usize>,
}

/// Every block of `text`, in order.
pub fn blocks(format: Format, text: &str) -> Vec<Block> {
    match format {
        Format::Markdown => markdown::blocks(text),
        Format::Rst => rst::blocks(text),
        Format::Text => plain_blocks(text),
    }
}

/// The paragraphs of `text`, numbered from `first`.
pub fn split_from(format: Format, text: &str, first: u32) -> Vec<Paragraph> {
    let mut number = first;
    blocks(format, text)
        .into_iter()
        .filter_map(|block| {
            let kind = block.kind?;
            let source = trimmed(&text[block.span]);
            if source.is_empty() {
                return None;
            }
            let paragraph = Paragraph {
                number,
                kind,
                format,
                text: source.to_owned(),
                fingerprint: fingerprint(source),
            };
            number = number.saturating_add(1);
            Some(paragraph)
        })
        .collect()
}

/// The paragraphs of `text`, numbered from 1.
pub fn split(format: Format, text: &str) -> Vec<Paragraph> {
    split_from(format, text, 1)
}

/// A stable 64-bit fingerprint of a paragraph's words (FNV-1a over the text with each run of
/// white space read as one space): the same on every machine and Rust version, and the same
/// when only the lines are wrapped differently, so a later version can tell a paragraph kept.
pub fn fingerprint(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |byte: u8| {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    };
    for (index, word) in text.split_whitespace().enumerate() {
        if index > 0 {
            feed(b' ');
        }
        word.bytes().for_each(&mut feed);
    }
    hash
}

/// A block's text without the blank lines before it and the white space after it; the first
/// line keeps its indentation, which is syntax (an indented code block).
fn trimmed(source: &str) -> &str {
    let source = source.trim_end();
    let mut start = 0;
    for line in source.split_inclusive('\n') {
        if !line.trim().is_empty() {
            break;
        }
        start += line.len();
    }
    &source[start..]
}

/// Plain text: paragraphs separated by blank lines.
fn plain_blocks(text: &str) -> Vec<Block> {
    let lines = Lines::of(text);
    let mut blocks = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        if lines.blank(index) {
            index += 1;
            continue;
        }
        let start = index;
        while index < lines.len() && !lines.blank(index) {
            index += 1;
        }
        blocks.push(Block {
            kind: Some(Kind::Paragraph),
            span: lines.span(start, index),
        });
    }
    blocks
}

/// A text's lines with the byte offset where each starts, for the line-based splitters.
struct Lines<'a> {
    text: &'a str,
    /// Each line without its line break, and its start.
    lines: Vec<(&'a str, usize)>,
}

impl<'a> Lines<'a> {
    fn of(text: &'a str) -> Lines<'a> {
        let mut lines = Vec::new();
        let mut start = 0;
        for line in text.split_inclusive('\n') {
            let content = line.strip_suffix('\n').unwrap_or(line);
            let content = content.strip_suffix('\r').unwrap_or(content);
            lines.push((content, start));
            start += line.len();
        }
        Lines { text, lines }
    }

    fn len(&self) -> usize {
        self.lines.len()
    }

    fn line(&self, index: usize) -> &'a str {
        self.lines.get(index).map_or("", |(line, _)| line)
    }

    fn blank(&self, index: usize) -> bool {
        self.line(index).trim().is_empty()
    }

    /// Bytes from the start of line `from` to the end of line `to - 1` (its break excluded).
    fn span(&self, from: usize, to: usize) -> Range<usize> {
        let start = self.lines.get(from).map_or(self.text.len(), |(_, s)| *s);
        let end = match to.checked_sub(1).and_then(|last| self.lines.get(last)) {
            Some((line, at)) => at + line.len(),
            None => start,
        };
        start..end.max(start)
    }
}

#[cfg(test)]
mod tests;
