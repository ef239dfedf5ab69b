//! A draft's Markdown block as OpenDocument text: pulldown-cmark's events walked into
//! headings, paragraphs, lists, preformatted code, tables and styled spans.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::super::html::safe_url;
use super::super::text::document_level;
use super::xml::{Xml, XmlResult};
use super::{style, Tables};

/// Where the walk is.
struct Walk<'a> {
    xml: &'a mut Xml,
    tables: &'a mut Tables,
    /// A `text:p` (or `text:h`) is open, and which.
    open: Option<&'static str>,
    /// The paragraph style for the next paragraph (quotations differ).
    quote_depth: usize,
    /// Text before the first paragraph's words: the paragraph's id.
    label: Option<String>,
    /// Inside a code block: its text, written as lines at its end.
    code: Option<String>,
    /// Inside a table's header row.
    in_head: bool,
}

/// Writes `source`, led by `label` (the paragraph id) in its first paragraph.
pub(super) fn write(xml: &mut Xml, tables: &mut Tables, source: &str, label: &str) -> XmlResult {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;
    let mut walk = Walk {
        xml,
        tables,
        open: None,
        quote_depth: 0,
        label: Some(label.to_owned()),
        code: None,
        in_head: false,
    };
    for event in Parser::new_ext(source, options) {
        walk.event(event)?;
    }
    walk.close()?;
    // A block with no words (a rule) still shows its id.
    if let Some(label) = walk.label.take() {
        walk.xml
            .start("text:p", &[("text:style-name", style::BODY)])?;
        walk.xml
            .element("text:span", &[("text:style-name", style::ID)], &label)?;
        walk.xml.end("text:p")?;
    }
    Ok(())
}

impl Walk<'_> {
    fn event(&mut self, event: Event<'_>) -> XmlResult {
        if let Some(code) = &mut self.code {
            match event {
                Event::Text(text) => {
                    code.push_str(&text);
                    return Ok(());
                }
                Event::End(TagEnd::CodeBlock) => {}
                _ => return Ok(()),
            }
        }
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) | Event::Html(text) | Event::InlineHtml(text) => self.words(&text),
            Event::Code(text) => {
                self.ensure_open()?;
                self.xml
                    .element("text:span", &[("text:style-name", style::CODE)], &text)
            }
            Event::SoftBreak => self.words(" "),
            Event::HardBreak => {
                self.ensure_open()?;
                self.xml.empty("text:line-break", &[])
            }
            Event::Rule => self.close(),
            Event::FootnoteReference(name) => self.words(&format!("[{name}]")),
            Event::TaskListMarker(done) => self.words(if done { "☑ " } else { "☐ " }),
            Event::InlineMath(text) | Event::DisplayMath(text) => self.words(&text),
        }
    }

    fn start(&mut self, tag: Tag<'_>) -> XmlResult {
        match tag {
            Tag::Paragraph => {
                self.close()?;
                self.open_paragraph()
            }
            Tag::Heading { level, .. } => {
                self.close()?;
                let level = document_level(heading_number(level)).to_string();
                let style = format!("Heading_20_{level}");
                self.xml.start(
                    "text:h",
                    &[("text:style-name", &style), ("text:outline-level", &level)],
                )?;
                self.open = Some("text:h");
                self.put_label()
            }
            Tag::BlockQuote(_) => {
                self.close()?;
                self.quote_depth += 1;
                Ok(())
            }
            Tag::CodeBlock(_) => {
                self.close()?;
                self.lead()?;
                self.code = Some(String::new());
                Ok(())
            }
            Tag::List(first) => {
                self.close()?;
                self.lead()?;
                let style = if first.is_some() {
                    style::NUMBERS
                } else {
                    style::BULLETS
                };
                self.xml.start("text:list", &[("text:style-name", style)])
            }
            Tag::Item => {
                self.close()?;
                self.xml.start("text:list-item", &[])
            }
            Tag::FootnoteDefinition(name) => {
                self.close()?;
                self.open_paragraph()?;
                self.words(&format!("[{name}] "))
            }
            Tag::Table(alignments) => {
                self.close()?;
                self.lead()?;
                let name = self.tables.next_name();
                self.xml.start("table:table", &[("table:name", &name)])?;
                let columns = alignments.len().max(1).to_string();
                self.xml.empty(
                    "table:table-column",
                    &[("table:number-columns-repeated", &columns)],
                )
            }
            Tag::TableHead => {
                self.in_head = true;
                self.xml.start("table:table-header-rows", &[])?;
                self.xml.start("table:table-row", &[])
            }
            Tag::TableRow => self.xml.start("table:table-row", &[]),
            Tag::TableCell => {
                self.xml
                    .start("table:table-cell", &[("office:value-type", "string")])?;
                let style = if self.in_head {
                    style::TABLE_HEADING
                } else {
                    style::TABLE_CONTENTS
                };
                self.xml.start("text:p", &[("text:style-name", style)])?;
                self.open = Some("text:p");
                Ok(())
            }
            Tag::Emphasis => self.span(style::EMPHASIS),
            Tag::Strong => self.span(style::STRONG),
            Tag::Strikethrough => self.span(style::STRIKE),
            Tag::Link { dest_url, .. } => {
                self.ensure_open()?;
                let url = safe_url(dest_url);
                self.xml
                    .start("text:a", &[("xlink:type", "simple"), ("xlink:href", &url)])
            }
            // An image is its words (its alt text) here.
            Tag::Image { .. } | Tag::HtmlBlock | Tag::MetadataBlock(_) => Ok(()),
            Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::Superscript
            | Tag::Subscript => Ok(()),
        }
    }

    fn end(&mut self, tag: TagEnd) -> XmlResult {
        match tag {
            TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::FootnoteDefinition => self.close(),
            TagEnd::BlockQuote(_) => {
                self.close()?;
                self.quote_depth = self.quote_depth.saturating_sub(1);
                Ok(())
            }
            TagEnd::CodeBlock => {
                let code = self.code.take().unwrap_or_default();
                for line in code.trim_end_matches('\n').split('\n') {
                    self.xml.preformatted_line(style::PREFORMATTED, line)?;
                }
                Ok(())
            }
            TagEnd::List(_) => {
                self.close()?;
                self.xml.end("text:list")
            }
            TagEnd::Item => {
                self.close()?;
                self.xml.end("text:list-item")
            }
            TagEnd::Table => self.xml.end("table:table"),
            TagEnd::TableHead => {
                self.in_head = false;
                self.xml.end("table:table-row")?;
                self.xml.end("table:table-header-rows")
            }
            TagEnd::TableRow => self.xml.end("table:table-row"),
            TagEnd::TableCell => {
                self.open = None;
                self.xml.end("text:p")?;
                self.xml.end("table:table-cell")
            }
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => {
                if self.open.is_some() {
                    self.xml.end("text:span")?;
                }
                Ok(())
            }
            TagEnd::Link => {
                if self.open.is_some() {
                    self.xml.end("text:a")?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn span(&mut self, style: &str) -> XmlResult {
        self.ensure_open()?;
        self.xml.start("text:span", &[("text:style-name", style)])
    }

    fn words(&mut self, text: &str) -> XmlResult {
        self.ensure_open()?;
        self.xml.text(text)
    }

    /// Inline content outside a paragraph (a tight list's item) gets one.
    fn ensure_open(&mut self) -> XmlResult {
        match self.open {
            Some(_) => Ok(()),
            None => self.open_paragraph(),
        }
    }

    fn open_paragraph(&mut self) -> XmlResult {
        let style = if self.quote_depth > 0 {
            style::QUOTE
        } else {
            style::BODY
        };
        self.xml.start("text:p", &[("text:style-name", style)])?;
        self.open = Some("text:p");
        self.put_label()
    }

    fn put_label(&mut self) -> XmlResult {
        if let Some(label) = self.label.take() {
            self.xml
                .element("text:span", &[("text:style-name", style::ID)], &label)?;
            self.xml.text(" ")?;
        }
        Ok(())
    }

    /// Before a block that is no paragraph (a list, a table, code): the id on a line of its own.
    fn lead(&mut self) -> XmlResult {
        if let Some(label) = self.label.take() {
            self.xml
                .start("text:p", &[("text:style-name", style::BODY)])?;
            self.xml
                .element("text:span", &[("text:style-name", style::ID)], &label)?;
            self.xml.end("text:p")?;
        }
        Ok(())
    }

    fn close(&mut self) -> XmlResult {
        match self.open.take() {
            Some(name) => self.xml.end(name),
            None => Ok(()),
        }
    }
}

fn heading_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}
