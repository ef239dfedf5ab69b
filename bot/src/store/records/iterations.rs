//! The stored form of a closed iteration's version: each section's frozen paragraphs (inside
//! a [`super::ChangeRecord`], as JSON).

use std::collections::BTreeMap;

use pspm_config::draft::{fingerprint, Format, Kind, Paragraph};
use serde::{Deserialize, Serialize};

use crate::domain::iterations::{Version, VersionText};

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct VersionRecord {
    pub number: u32,
    pub name: String,
    pub closed_ms: i64,
    pub closed_by: String,
    pub sections: BTreeMap<String, VersionTextRecord>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct VersionTextRecord {
    pub paragraphs: Vec<ParagraphRecord>,
    pub last_number: u32,
}

/// A paragraph without its fingerprint, which is computed again from the text.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct ParagraphRecord {
    pub number: u32,
    /// [`Kind::name`].
    pub kind: String,
    /// A heading's level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<u8>,
    /// `markdown`, `rst` or `text`.
    pub format: String,
    pub text: String,
}

impl From<Version> for VersionRecord {
    fn from(version: Version) -> VersionRecord {
        let Version {
            number,
            name,
            closed_ms,
            closed_by,
            sections,
        } = version;
        VersionRecord {
            number,
            name,
            closed_ms,
            closed_by,
            sections: sections
                .into_iter()
                .map(|(id, text)| (id, text.into()))
                .collect(),
        }
    }
}

impl From<VersionRecord> for Version {
    fn from(record: VersionRecord) -> Version {
        let VersionRecord {
            number,
            name,
            closed_ms,
            closed_by,
            sections,
        } = record;
        Version {
            number,
            name,
            closed_ms,
            closed_by,
            sections: sections
                .into_iter()
                .map(|(id, text)| (id, text.into()))
                .collect(),
        }
    }
}

impl From<VersionText> for VersionTextRecord {
    fn from(text: VersionText) -> VersionTextRecord {
        let VersionText {
            paragraphs,
            last_number,
        } = text;
        VersionTextRecord {
            paragraphs: paragraphs.into_iter().map(ParagraphRecord::from).collect(),
            last_number,
        }
    }
}

impl From<VersionTextRecord> for VersionText {
    fn from(record: VersionTextRecord) -> VersionText {
        let VersionTextRecord {
            paragraphs,
            last_number,
        } = record;
        VersionText {
            paragraphs: paragraphs.into_iter().map(Paragraph::from).collect(),
            last_number,
        }
    }
}

impl From<Paragraph> for ParagraphRecord {
    fn from(paragraph: Paragraph) -> ParagraphRecord {
        let Paragraph {
            number,
            kind,
            format,
            text,
            fingerprint: _,
        } = paragraph;
        ParagraphRecord {
            number,
            kind: kind.name().to_owned(),
            level: match kind {
                Kind::Heading(level) => Some(level),
                _ => None,
            },
            format: match format {
                Format::Markdown => "markdown",
                Format::Rst => "rst",
                Format::Text => "text",
            }
            .to_owned(),
            text,
        }
    }
}

impl From<ParagraphRecord> for Paragraph {
    fn from(record: ParagraphRecord) -> Paragraph {
        let ParagraphRecord {
            number,
            kind,
            level,
            format,
            text,
        } = record;
        Paragraph {
            number,
            kind: match kind.as_str() {
                "heading" => Kind::Heading(level.unwrap_or(1)),
                "list" => Kind::List,
                "code" => Kind::Code,
                "directive" => Kind::Directive,
                "table" => Kind::Table,
                _ => Kind::Paragraph,
            },
            format: match format.as_str() {
                "markdown" => Format::Markdown,
                "rst" => Format::Rst,
                _ => Format::Text,
            },
            fingerprint: fingerprint(&text),
            text,
        }
    }
}
