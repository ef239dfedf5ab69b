//! `styles.xml`: the named styles the content uses (body text, headings 1–6 with their
//! outline levels, preformatted text, table cells, the paragraph id, spans, list styles).

use super::xml::{Xml, XmlResult};
use super::{OdtError, NAMESPACES};

pub(super) const BODY: &str = "Text_20_body";
pub(super) const QUOTE: &str = "Quotations";
pub(super) const PREFORMATTED: &str = "Preformatted_20_Text";
pub(super) const TABLE_CONTENTS: &str = "Table_20_Contents";
pub(super) const TABLE_HEADING: &str = "Table_20_Heading";
pub(super) const ID: &str = "Paragraph_20_Id";
pub(super) const EMPHASIS: &str = "Emphasis";
pub(super) const STRONG: &str = "Strong_20_Emphasis";
pub(super) const STRIKE: &str = "Strikethrough";
pub(super) const CODE: &str = "Source_20_Text";
pub(super) const BULLETS: &str = "List_20_Bullets";
pub(super) const NUMBERS: &str = "List_20_Numbers";

pub(super) fn styles(language: &str) -> Result<Vec<u8>, OdtError> {
    let mut xml = Xml::new()?;
    xml.start("office:document-styles", &NAMESPACES)?;
    xml.start("office:styles", &[])?;
    xml.start("style:default-style", &[("style:family", "paragraph")])?;
    xml.empty(
        "style:text-properties",
        &[
            ("style:font-name", "Liberation Sans"),
            (
                "fo:font-family",
                "'Titillium Web', 'Liberation Sans', sans-serif",
            ),
            ("fo:font-size", "11pt"),
            ("fo:language", language),
        ],
    )?;
    xml.end("style:default-style")?;
    paragraph_style(&mut xml, "Standard", None, &[], &[])?;
    paragraph_style(
        &mut xml,
        BODY,
        Some("Standard"),
        &[
            ("fo:margin-top", "0cm"),
            ("fo:margin-bottom", "0.25cm"),
            ("fo:line-height", "125%"),
        ],
        &[],
    )?;
    paragraph_style(
        &mut xml,
        QUOTE,
        Some(BODY),
        &[("fo:margin-left", "1cm")],
        &[],
    )?;
    paragraph_style(
        &mut xml,
        PREFORMATTED,
        Some("Standard"),
        &[
            ("fo:margin-top", "0cm"),
            ("fo:margin-bottom", "0cm"),
            ("fo:background-color", "#f5f6f7"),
        ],
        &[
            (
                "fo:font-family",
                "'DejaVu Sans Mono', 'Liberation Mono', monospace",
            ),
            ("fo:font-size", "9pt"),
        ],
    )?;
    paragraph_style(
        &mut xml,
        TABLE_CONTENTS,
        Some("Standard"),
        &[],
        &[("fo:font-size", "10pt")],
    )?;
    paragraph_style(
        &mut xml,
        TABLE_HEADING,
        Some(TABLE_CONTENTS),
        &[],
        &[("fo:font-weight", "bold"), ("fo:font-size", "10pt")],
    )?;
    paragraph_style(
        &mut xml,
        "Heading",
        Some("Standard"),
        &[
            ("fo:margin-top", "0.4cm"),
            ("fo:margin-bottom", "0.2cm"),
            ("fo:keep-with-next", "always"),
        ],
        &[("fo:font-weight", "bold"), ("fo:color", "#17324d")],
    )?;
    for (level, size) in [
        (1, "20pt"),
        (2, "16pt"),
        (3, "14pt"),
        (4, "12pt"),
        (5, "11pt"),
        (6, "11pt"),
    ] {
        let name = format!("Heading_20_{level}");
        let display = format!("Heading {level}");
        let outline = level.to_string();
        xml.start(
            "style:style",
            &[
                ("style:name", &name),
                ("style:display-name", &display),
                ("style:family", "paragraph"),
                ("style:parent-style-name", "Heading"),
                ("style:default-outline-level", &outline),
            ],
        )?;
        xml.empty(
            "style:text-properties",
            &[("fo:font-size", size), ("fo:font-weight", "bold")],
        )?;
        xml.end("style:style")?;
    }
    for (name, properties) in [
        (
            ID,
            &[("fo:color", "#5d7083"), ("fo:font-weight", "bold")][..],
        ),
        (EMPHASIS, &[("fo:font-style", "italic")][..]),
        (STRONG, &[("fo:font-weight", "bold")][..]),
        (STRIKE, &[("style:text-line-through-style", "solid")][..]),
        (
            CODE,
            &[(
                "fo:font-family",
                "'DejaVu Sans Mono', 'Liberation Mono', monospace",
            )][..],
        ),
    ] {
        xml.start(
            "style:style",
            &[("style:name", name), ("style:family", "text")],
        )?;
        xml.empty("style:text-properties", properties)?;
        xml.end("style:style")?;
    }
    list_style(&mut xml, BULLETS, false)?;
    list_style(&mut xml, NUMBERS, true)?;
    xml.end("office:styles")?;
    xml.end("office:document-styles")?;
    Ok(xml.finish())
}

fn paragraph_style(
    xml: &mut Xml,
    name: &str,
    parent: Option<&str>,
    paragraph: &[(&str, &str)],
    text: &[(&str, &str)],
) -> XmlResult {
    let mut attributes = vec![("style:name", name), ("style:family", "paragraph")];
    if let Some(parent) = parent {
        attributes.push(("style:parent-style-name", parent));
    }
    xml.start("style:style", &attributes)?;
    if !paragraph.is_empty() {
        xml.empty("style:paragraph-properties", paragraph)?;
    }
    if !text.is_empty() {
        xml.empty("style:text-properties", text)?;
    }
    xml.end("style:style")
}

/// Bullets or numbers, indented by level.
fn list_style(xml: &mut Xml, name: &str, numbered: bool) -> XmlResult {
    xml.start("text:list-style", &[("style:name", name)])?;
    for level in 1..=10u8 {
        let level_text = level.to_string();
        let indent = format!("{:.2}cm", 0.635 * f64::from(level));
        let element = if numbered {
            "text:list-level-style-number"
        } else {
            "text:list-level-style-bullet"
        };
        let attributes: Vec<(&str, &str)> = if numbered {
            vec![
                ("text:level", &level_text),
                ("style:num-suffix", "."),
                ("style:num-format", "1"),
            ]
        } else {
            vec![("text:level", &level_text), ("text:bullet-char", "•")]
        };
        xml.start(element, &attributes)?;
        xml.start(
            "style:list-level-properties",
            &[("text:list-level-position-and-space-mode", "label-alignment")],
        )?;
        xml.empty(
            "style:list-level-label-alignment",
            &[
                ("text:label-followed-by", "listtab"),
                ("text:list-tab-stop-position", &indent),
                ("fo:text-indent", "-0.635cm"),
                ("fo:margin-left", &indent),
            ],
        )?;
        xml.end("style:list-level-properties")?;
        xml.end(element)?;
    }
    xml.end("text:list-style")
}
