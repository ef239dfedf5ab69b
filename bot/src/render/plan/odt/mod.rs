//! The consolidated plan as an OpenDocument Text file (`.odt`): a zip whose first entry is
//! the uncompressed `mimetype`, then `META-INF/manifest.xml`, `content.xml`, `styles.xml` and
//! `meta.xml`. Headings are `text:h` with outline levels (so a word processor's navigator
//! shows the plan's outline), paragraphs `text:p`, lists `text:list`, tables `table:table`.

mod markdown;
pub(super) mod style;
mod xml;

use std::io::Write as _;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::tables;
use super::text::{document_level, heading_text};
use super::{BlockKind, ConsolidatedPlan, PlanParagraph, PlanSection, SourceFormat};
use xml::{Xml, XmlResult};

const MIMETYPE: &str = "application/vnd.oasis.opendocument.text";

/// Why the file could not be written (nothing a plan's text can cause: writing to memory).
#[derive(Debug, thiserror::Error)]
pub enum OdtError {
    #[error("cannot write the OpenDocument XML: {0}")]
    Xml(#[from] std::io::Error),
    #[error("cannot write the OpenDocument zip: {0}")]
    Zip(#[from] zip::result::ZipError),
}

/// Names tables `Table1`, `Table2`, … (ODF wants each named, uniquely).
pub(super) struct Tables(u32);

impl Tables {
    pub(super) fn next_name(&mut self) -> String {
        self.0 += 1;
        format!("Table{}", self.0)
    }
}

/// Writes the plan as the bytes of an `.odt` file.
pub fn render_odt(plan: &ConsolidatedPlan) -> Result<Vec<u8>, OdtError> {
    let content = content(plan)?;
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    // The first entry, uncompressed, so that a reader knows the file by its first bytes.
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    zip.start_file("mimetype", stored)?;
    zip.write_all(MIMETYPE.as_bytes())?;
    let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, bytes) in [
        ("META-INF/manifest.xml", manifest()?),
        ("content.xml", content),
        ("styles.xml", style::styles(&plan.language)?),
        ("meta.xml", meta(plan)?),
    ] {
        zip.start_file(name, deflated)?;
        zip.write_all(&bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// The namespaces the files use.
const NAMESPACES: [(&str, &str); 9] = [
    (
        "xmlns:office",
        "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    ),
    (
        "xmlns:style",
        "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    ),
    (
        "xmlns:text",
        "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    ),
    (
        "xmlns:table",
        "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    ),
    (
        "xmlns:fo",
        "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    ),
    ("xmlns:xlink", "http://www.w3.org/1999/xlink"),
    ("xmlns:dc", "http://purl.org/dc/elements/1.1/"),
    (
        "xmlns:meta",
        "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    ),
    ("office:version", "1.3"),
];

fn manifest() -> Result<Vec<u8>, OdtError> {
    let mut xml = Xml::new()?;
    xml.start(
        "manifest:manifest",
        &[
            (
                "xmlns:manifest",
                "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0",
            ),
            ("manifest:version", "1.3"),
        ],
    )?;
    xml.empty(
        "manifest:file-entry",
        &[
            ("manifest:full-path", "/"),
            ("manifest:version", "1.3"),
            ("manifest:media-type", MIMETYPE),
        ],
    )?;
    for file in ["content.xml", "styles.xml", "meta.xml"] {
        xml.empty(
            "manifest:file-entry",
            &[
                ("manifest:full-path", file),
                ("manifest:media-type", "text/xml"),
            ],
        )?;
    }
    xml.end("manifest:manifest")?;
    Ok(xml.finish())
}

fn meta(plan: &ConsolidatedPlan) -> Result<Vec<u8>, OdtError> {
    let mut xml = Xml::new()?;
    xml.start("office:document-meta", &NAMESPACES)?;
    xml.start("office:meta", &[])?;
    xml.element(
        "meta:generator",
        &[],
        concat!("pspm/", env!("CARGO_PKG_VERSION")),
    )?;
    xml.element("dc:title", &[], &plan.title)?;
    xml.element("dc:language", &[], &plan.language)?;
    xml.end("office:meta")?;
    xml.end("office:document-meta")?;
    Ok(xml.finish())
}

fn content(plan: &ConsolidatedPlan) -> Result<Vec<u8>, OdtError> {
    let mut xml = Xml::new()?;
    let mut tables = Tables(0);
    xml.start("office:document-content", &NAMESPACES)?;
    xml.start("office:body", &[])?;
    xml.start("office:text", &[])?;
    heading(&mut xml, 1, &plan.title)?;
    text_paragraph(&mut xml, &plan.version)?;
    text_paragraph(&mut xml, &plan.description)?;
    for section in &plan.sections {
        write_section(&mut xml, &mut tables, plan, section)?;
    }
    let labels = &plan.labels;
    let annex = &plan.annex;
    heading(&mut xml, 2, &annex.title)?;
    text_paragraph(&mut xml, &annex.introduction)?;
    if annex.changes.is_empty() && annex.amendments.is_empty() {
        text_paragraph(&mut xml, &labels.nothing)?;
    }
    if !annex.amendments.is_empty() {
        table(
            &mut xml,
            &mut tables,
            &labels.amendment_header(),
            annex.amendment_rows(),
        )?;
    }
    if !annex.changes.is_empty() {
        let rows = annex
            .changes
            .iter()
            .map(|c| {
                let title = match c.description.trim() {
                    "" => c.title.clone(),
                    description => format!("{}: {description}", c.title),
                };
                vec![
                    format!("#{}", c.proposal),
                    c.section.clone(),
                    title,
                    c.organisation.clone(),
                    c.supports.to_string(),
                    c.oppositions.to_string(),
                    c.action.clone(),
                ]
            })
            .collect();
        let header = [
            &labels.proposal,
            &labels.section,
            &labels.title,
            &labels.organisation,
            &labels.supports,
            &labels.oppositions,
            &labels.actions,
        ];
        table(&mut xml, &mut tables, &header, rows)?;
    }
    xml.end("office:text")?;
    xml.end("office:body")?;
    xml.end("office:document-content")?;
    Ok(xml.finish())
}

fn write_section(
    xml: &mut Xml,
    tables: &mut Tables,
    plan: &ConsolidatedPlan,
    section: &PlanSection,
) -> XmlResult {
    let labels = &plan.labels;
    heading(xml, 2, &format!("{}. {}", section.number, section.title))?;
    text_paragraph(xml, &section.description)?;
    for paragraph in &section.paragraphs {
        write_paragraph(xml, tables, paragraph)?;
    }
    if !section.objectives.is_empty() {
        heading(xml, 3, &labels.objectives)?;
        xml.start("text:list", &[("text:style-name", style::BULLETS)])?;
        for objective in &section.objectives {
            xml.start("text:list-item", &[])?;
            xml.start("text:p", &[("text:style-name", style::BODY)])?;
            xml.element(
                "text:span",
                &[("text:style-name", style::STRONG)],
                &objective.code,
            )?;
            xml.text(&format!(" {}", objective.title))?;
            xml.end("text:p")?;
            xml.end("text:list-item")?;
        }
        xml.end("text:list")?;
    }
    if !section.results.is_empty() {
        heading(xml, 3, &labels.results)?;
        let (header, rows) = tables::results(labels, &section.results);
        table(xml, tables, &header, rows)?;
    }
    if !section.actions.is_empty() {
        heading(xml, 3, &labels.actions)?;
        let (header, rows) = tables::actions(labels, &section.actions);
        table(xml, tables, &header, rows)?;
    }
    Ok(())
}

fn write_paragraph(xml: &mut Xml, tables: &mut Tables, paragraph: &PlanParagraph) -> XmlResult {
    let id = &paragraph.id;
    match (paragraph.kind, paragraph.source) {
        (BlockKind::Heading(level), _) => heading(
            xml,
            document_level(level),
            &format!("{id} {}", heading_text(paragraph)),
        ),
        (_, SourceFormat::Markdown) => markdown::write(xml, tables, &paragraph.text, id),
        (BlockKind::Paragraph, SourceFormat::Rst | SourceFormat::Text) => {
            xml.start("text:p", &[("text:style-name", style::BODY)])?;
            xml.element("text:span", &[("text:style-name", style::ID)], id)?;
            let words: Vec<&str> = paragraph.text.split_whitespace().collect();
            xml.text(&format!(" {}", words.join(" ")))?;
            xml.end("text:p")
        }
        // reStructuredText's lists, tables, literal blocks and directives, as written.
        (_, SourceFormat::Rst | SourceFormat::Text) => {
            xml.start("text:p", &[("text:style-name", style::BODY)])?;
            xml.element("text:span", &[("text:style-name", style::ID)], id)?;
            xml.end("text:p")?;
            for line in paragraph.text.lines() {
                xml.preformatted_line(style::PREFORMATTED, line)?;
            }
            Ok(())
        }
    }
}

fn heading(xml: &mut Xml, level: u8, text: &str) -> XmlResult {
    let level = level.to_string();
    let style = format!("Heading_20_{level}");
    xml.element(
        "text:h",
        &[("text:style-name", &style), ("text:outline-level", &level)],
        text,
    )
}

/// A paragraph of plain text, when there is any.
fn text_paragraph(xml: &mut Xml, text: &str) -> XmlResult {
    if text.trim().is_empty() {
        return Ok(());
    }
    xml.element("text:p", &[("text:style-name", style::BODY)], text.trim())
}

fn table(
    xml: &mut Xml,
    tables: &mut Tables,
    header: &[&String],
    rows: Vec<Vec<String>>,
) -> XmlResult {
    let name = tables.next_name();
    xml.start("table:table", &[("table:name", &name)])?;
    let columns = header.len().to_string();
    xml.empty(
        "table:table-column",
        &[("table:number-columns-repeated", &columns)],
    )?;
    xml.start("table:table-header-rows", &[])?;
    row(xml, style::TABLE_HEADING, header.iter().map(|h| h.as_str()))?;
    xml.end("table:table-header-rows")?;
    for cells in &rows {
        row(xml, style::TABLE_CONTENTS, cells.iter().map(String::as_str))?;
    }
    xml.end("table:table")
}

fn row<'a>(xml: &mut Xml, style: &str, cells: impl Iterator<Item = &'a str>) -> XmlResult {
    xml.start("table:table-row", &[])?;
    for cell in cells {
        xml.start("table:table-cell", &[("office:value-type", "string")])?;
        xml.element("text:p", &[("text:style-name", style)], cell)?;
        xml.end("table:table-cell")?;
    }
    xml.end("table:table-row")
}
