//! The tantivy schema (layout 2) and the one place a practice becomes a tantivy document.
//!
//! Every word of a practice is indexed, but only what search shows and what a rewrite needs
//! is stored, as one value (a search reads five documents, and each stored value costs an
//! allocation): what a hit shows (id, title, summary, type, organisation, year, status,
//! language), the rest of the practice as a JSON record (parsed only when a whole practice is
//! read), and the text itself — whole while the practice is pending (approving it indexes it
//! again), only its opening once it is published, for snippets (the file it came from keeps
//! the rest) — joined by the ASCII unit separator, which JSON escapes and which is replaced
//! in every other value. Ratings are kept beside the index (`index::ratings`), so rating a
//! practice rewrites no document.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, Value, STORED,
};
use tantivy::{IndexSettings, TantivyDocument};

use crate::analysis::{ENGLISH_ANALYZER, ITALIAN_ANALYZER, KEYWORD_ANALYZER, PLAIN_ANALYZER};
use crate::parse::collapsed_opening;
use crate::practice::{Practice, PracticeLanguage, PracticeType, Rating, Status};
use crate::IndexError;

/// Bumped whenever the layout changes; each layout lives in a folder of its own
/// (`v2/` in the index directory), and an older one is migrated on open (`index::migrate`).
pub(crate) const SCHEMA_VERSION: u32 = 2;
/// The schema's marker field: its name says the layout.
pub(crate) const VERSION_FIELD_PREFIX: &str = "schema_v";
/// Characters of a published practice's text kept for snippets (the whole text is indexed).
/// A chat share usually fits whole; a long document keeps its opening.
pub(crate) const STORED_TEXT_CHARS: usize = 400;
/// Bytes compressed together in the document store. tantivy's default (16 KiB) makes every
/// hit read and decompress 16 KiB for a record of under 1 KiB; small blocks cost little per
/// hit, and the reader's cache of blocks (`index::open`) holds more hits for its memory.
const DOCSTORE_BLOCK_BYTES: usize = 3_072;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub id: Field,
    /// Canonical path of the ingested file (absent for chat shares).
    pub path: Field,
    /// Every ancestor folder of `path`, so "all files under a folder" is one term query.
    pub folder: Field,
    /// Everything stored of a practice (see the module documentation).
    pub stored: Field,
    pub title_it: Field,
    pub title_en: Field,
    pub body_it: Field,
    pub body_en: Field,
    pub practice_type: Field,
    pub language: Field,
    pub status: Field,
    pub organisation: Field,
    pub licence: Field,
    pub tags: Field,
    pub year: Field,
}

impl Fields {
    pub fn title(&self, language: PracticeLanguage) -> Field {
        match language {
            PracticeLanguage::It => self.title_it,
            PracticeLanguage::En => self.title_en,
        }
    }

    pub fn body(&self, language: PracticeLanguage) -> Field {
        match language {
            PracticeLanguage::It => self.body_it,
            PracticeLanguage::En => self.body_en,
        }
    }
}

/// Ranked text: frequencies, positions (phrases) and field lengths (BM25).
fn ranked_text(analyzer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

/// Filter text: never ranked, so no field lengths; positions only for names matched in
/// order (`org:"comune di roma"`).
fn filter_text(analyzer: &str, record: IndexRecordOption) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer)
            .set_index_option(record)
            .set_fieldnorms(false),
    )
}

fn keyword() -> TextOptions {
    filter_text("raw", IndexRecordOption::Basic)
}

pub(crate) fn build() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let fields = Fields {
        id: builder.add_text_field("id", keyword()),
        path: builder.add_text_field("path", keyword()),
        folder: builder.add_text_field("folder", keyword()),
        stored: builder.add_text_field("stored", STORED),
        title_it: builder.add_text_field("title_it", ranked_text(ITALIAN_ANALYZER)),
        title_en: builder.add_text_field("title_en", ranked_text(ENGLISH_ANALYZER)),
        body_it: builder.add_text_field("body_it", ranked_text(ITALIAN_ANALYZER)),
        body_en: builder.add_text_field("body_en", ranked_text(ENGLISH_ANALYZER)),
        practice_type: builder.add_text_field("type", keyword()),
        language: builder.add_text_field("lang", keyword()),
        status: builder.add_text_field("status", keyword()),
        organisation: builder.add_text_field(
            "org",
            filter_text(PLAIN_ANALYZER, IndexRecordOption::WithFreqsAndPositions),
        ),
        licence: builder.add_text_field(
            "licence",
            filter_text(PLAIN_ANALYZER, IndexRecordOption::WithFreqsAndPositions),
        ),
        tags: builder.add_text_field(
            "tag",
            filter_text(KEYWORD_ANALYZER, IndexRecordOption::Basic),
        ),
        year: builder.add_i64_field("year", NumericOptions::default().set_indexed()),
    };
    builder.add_u64_field(
        &format!("{VERSION_FIELD_PREFIX}{SCHEMA_VERSION}"),
        NumericOptions::default(),
    );
    (builder.build(), fields)
}

/// The settings an index of this layout is created with.
pub(crate) fn settings() -> IndexSettings {
    IndexSettings {
        docstore_blocksize: DOCSTORE_BLOCK_BYTES,
        ..IndexSettings::default()
    }
}

/// A practice as the index holds it, with what the public type does not show.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    /// Its `body` is the stored text (see the module documentation) once read back; its
    /// `rating` is filled from the ratings by whoever reads it.
    pub practice: Practice,
    /// Hash of the file's bytes, to skip unchanged files on re-ingest.
    pub content_hash: Option<String>,
}

impl Record {
    pub fn new(practice: Practice, content_hash: Option<String>) -> Record {
        Record {
            practice,
            content_hash,
        }
    }
}

/// The stored record of layout 2: what a practice holds beyond what a hit shows, its text
/// and its rating. Its own type, so that what is stored changes only on purpose.
#[derive(Debug, Deserialize)]
struct StoredRecord {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    licence: Option<String>,
    source: String,
    added_by: String,
    added_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    path: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    content_hash: Option<String>,
}

/// Joins the fields of [`Shown`]; no value holds it (it is replaced by a space).
const SEPARATOR: char = '\u{1f}';

/// [`StoredRecord`] as written, borrowing from the practice (the same fields, in the same
/// form; the migration and round-trip tests read back what this writes).
#[derive(Serialize)]
struct StoredRecordRef<'a> {
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    tags: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    licence: Option<&'a str>,
    source: &'a str,
    added_by: &'a str,
    added_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a Path>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_hash: Option<&'a str>,
}

/// What a hit shows of a practice, borrowed from the stored document.
pub(crate) struct Shown<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    pub practice_type: PracticeType,
    pub organisation: Option<&'a str>,
    pub year: Option<i32>,
    pub status: Status,
    pub language: PracticeLanguage,
    /// The rest of the practice, as JSON ([`StoredRecord`]).
    record: &'a str,
    /// The stored text (see the module documentation).
    pub text: &'a str,
}

/// The text a practice keeps in the index: whole (as written) while pending, else its
/// opening with whitespace collapsed (snippets show it on one line anyway).
fn stored_text(practice: &Practice) -> String {
    if practice.status == Status::Pending {
        return practice.body.clone();
    }
    collapsed_opening(&practice.body, STORED_TEXT_CHARS)
}

/// Turns a record into the document every write path (ingest, share, approval, import,
/// migration) adds.
pub(crate) fn make_doc(fields: &Fields, record: Record) -> Result<TantivyDocument, IndexError> {
    let Record {
        practice,
        content_hash,
    } = record;
    let language = practice.language;
    // Sized for what is added (the body twice: indexed, and the opening stored), so the
    // document does not grow by copies.
    let mut doc = TantivyDocument::with_capacity(
        practice.body.len() + 2 * (practice.title.len() + practice.summary.len()) + 2_048,
    );
    doc.add_text(fields.id, &practice.id);
    if let Some(path) = &practice.path {
        doc.add_text(fields.path, path_key(path));
        for ancestor in path.ancestors().skip(1) {
            if ancestor.as_os_str().is_empty() {
                continue;
            }
            doc.add_text(fields.folder, path_key(ancestor));
        }
    }
    doc.add_text(fields.title(language), &practice.title);
    // The summary shares the title field: it is short and descriptive, so it earns the boost.
    if !practice.summary.is_empty() {
        doc.add_text(fields.title(language), &practice.summary);
    }
    doc.add_text(fields.body(language), &practice.body);
    doc.add_text(fields.practice_type, practice.practice_type.as_str());
    doc.add_text(fields.language, language.as_str());
    doc.add_text(fields.status, practice.status.as_str());
    if let Some(organisation) = &practice.organisation {
        doc.add_text(fields.organisation, organisation);
    }
    if let Some(licence) = &practice.licence {
        doc.add_text(fields.licence, licence);
    }
    for tag in &practice.tags {
        doc.add_text(fields.tags, tag);
    }
    if let Some(year) = practice.year {
        doc.add_i64(fields.year, i64::from(year));
    }
    let value = stored_value(&practice, content_hash)?;
    doc.add_text(fields.stored, value);
    Ok(doc)
}

/// The stored value: id, title, summary, type, organisation (empty: none), year (empty:
/// none), status, language, the JSON record and the text, in that order.
fn stored_value(practice: &Practice, content_hash: Option<String>) -> Result<String, IndexError> {
    let record = serde_json::to_string(&StoredRecordRef {
        tags: &practice.tags,
        licence: practice.licence.as_deref(),
        source: &practice.source,
        added_by: &practice.added_by,
        added_at: practice.added_at,
        path: practice.path.as_deref(),
        content_hash: content_hash.as_deref(),
    })?;
    let text = stored_text(practice);
    let year = practice
        .year
        .map(|year| year.to_string())
        .unwrap_or_default();
    let mut value = String::with_capacity(text.len() + record.len() + 256);
    for (at, part) in [
        practice.id.as_str(),
        &practice.title,
        &practice.summary,
        practice.practice_type.as_str(),
        practice.organisation.as_deref().unwrap_or_default(),
        &year,
        practice.status.as_str(),
        practice.language.as_str(),
        &record,
        &text,
    ]
    .into_iter()
    .enumerate()
    {
        if at > 0 {
            value.push(SEPARATOR);
        }
        // The separator is a control character no text needs: a space keeps words apart.
        if part.contains(SEPARATOR) {
            value.push_str(&part.replace(SEPARATOR, " "));
        } else {
            value.push_str(part);
        }
    }
    Ok(value)
}

/// Reads what a hit shows of a stored document.
pub(crate) fn read_shown<'a>(
    fields: &Fields,
    doc: &'a TantivyDocument,
) -> Result<Shown<'a>, IndexError> {
    let corrupt = |what: &str| IndexError::Corrupt(format!("a stored document with {what}"));
    let value = doc
        .get_first(fields.stored)
        .and_then(|value| value.as_str())
        .ok_or_else(|| corrupt("nothing stored"))?;
    let mut parts = value.split(SEPARATOR);
    let (
        Some(id),
        Some(title),
        Some(summary),
        Some(practice_type),
        Some(organisation),
        Some(year),
        Some(status),
        Some(language),
        Some(record),
        Some(text),
        None,
    ) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    )
    else {
        return Err(corrupt("a damaged stored value"));
    };
    Ok(Shown {
        id,
        title,
        summary,
        practice_type: practice_type
            .parse()
            .map_err(|_| corrupt(&format!("type {practice_type:?}")))?,
        organisation: (!organisation.is_empty()).then_some(organisation),
        year: if year.is_empty() {
            None
        } else {
            Some(
                year.parse()
                    .map_err(|_| corrupt(&format!("year {year:?}")))?,
            )
        },
        status: Status::ALL
            .into_iter()
            .find(|known| known.as_str() == status)
            .ok_or_else(|| corrupt(&format!("status {status:?}")))?,
        language: language
            .parse()
            .map_err(|_| corrupt(&format!("language {language:?}")))?,
        record,
        text,
    })
}

/// Reads a stored document back into its record (text as stored, no rating).
pub(crate) fn read_doc(fields: &Fields, doc: &TantivyDocument) -> Result<Record, IndexError> {
    let shown = read_shown(fields, doc)?;
    let stored: StoredRecord = serde_json::from_str(shown.record)?;
    Ok(Record {
        practice: Practice {
            id: shown.id.to_string(),
            title: shown.title.to_string(),
            summary: shown.summary.to_string(),
            body: shown.text.to_string(),
            practice_type: shown.practice_type,
            organisation: shown.organisation.map(str::to_string),
            year: shown.year,
            tags: stored.tags,
            language: shown.language,
            licence: stored.licence,
            source: stored.source,
            added_by: stored.added_by,
            added_at: stored.added_at,
            status: shown.status,
            rating: Rating::default(),
            path: stored.path,
        },
        content_hash: stored.content_hash,
    })
}

/// The indexed form of a path: lossy UTF-8 is fine, paths are only compared with themselves.
pub(crate) fn path_key(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}
