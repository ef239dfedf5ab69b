//! A small writer over quick-xml for the OpenDocument files: elements with attributes (whose
//! values quick-xml escapes), text (escaped, stripped of what XML forbids), and preformatted
//! text with its spaces kept as ODF keeps them (`text:s`, `text:tab`).

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use super::super::text::xml_safe;

pub(super) type XmlResult = std::io::Result<()>;

pub(super) struct Xml {
    writer: Writer<Vec<u8>>,
}

impl Xml {
    /// A document with its XML declaration.
    pub(super) fn new() -> Result<Xml, std::io::Error> {
        let mut writer = Writer::new(Vec::new());
        writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        Ok(Xml { writer })
    }

    pub(super) fn start(&mut self, name: &str, attributes: &[(&str, &str)]) -> XmlResult {
        let element = BytesStart::new(name).with_attributes(attributes.iter().copied());
        self.writer.write_event(Event::Start(element))
    }

    pub(super) fn end(&mut self, name: &str) -> XmlResult {
        self.writer.write_event(Event::End(BytesEnd::new(name)))
    }

    pub(super) fn empty(&mut self, name: &str, attributes: &[(&str, &str)]) -> XmlResult {
        let element = BytesStart::new(name).with_attributes(attributes.iter().copied());
        self.writer.write_event(Event::Empty(element))
    }

    pub(super) fn text(&mut self, text: &str) -> XmlResult {
        let safe = xml_safe(text);
        self.writer.write_event(Event::Text(BytesText::new(&safe)))
    }

    /// An element holding only text.
    pub(super) fn element(
        &mut self,
        name: &str,
        attributes: &[(&str, &str)],
        text: &str,
    ) -> XmlResult {
        self.start(name, attributes)?;
        self.text(text)?;
        self.end(name)
    }

    /// A paragraph of one text's line, every space and tab kept.
    pub(super) fn preformatted_line(&mut self, style: &str, line: &str) -> XmlResult {
        self.start("text:p", &[("text:style-name", style)])?;
        let mut word = String::new();
        let mut spaces = 0usize;
        for c in line.chars() {
            if c == ' ' {
                spaces += 1;
                continue;
            }
            if spaces > 0 {
                self.flush(&mut word)?;
                self.spaces(spaces)?;
                spaces = 0;
            }
            if c == '\t' {
                self.flush(&mut word)?;
                self.empty("text:tab", &[])?;
            } else if c != '\r' {
                word.push(c);
            }
        }
        self.flush(&mut word)?;
        if spaces > 0 {
            self.spaces(spaces)?;
        }
        self.end("text:p")
    }

    fn spaces(&mut self, count: usize) -> XmlResult {
        let count = count.to_string();
        self.empty("text:s", &[("text:c", &count)])
    }

    fn flush(&mut self, word: &mut String) -> XmlResult {
        if !word.is_empty() {
            self.text(word)?;
            word.clear();
        }
        Ok(())
    }

    pub(super) fn finish(self) -> Vec<u8> {
        self.writer.into_inner()
    }
}
