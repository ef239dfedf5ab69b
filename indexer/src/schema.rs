//! The tantivy schema and the one place a practice becomes a tantivy document.
//!
//! Everything but the body is stored as one JSON `record` (cheap to read back whole); the
//! body is stored in its language's body field because the snippet generator reads it there.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, Value,
    STORED, STRING,
};
use tantivy::TantivyDocument;

use crate::analysis::{ENGLISH_ANALYZER, ITALIAN_ANALYZER, KEYWORD_ANALYZER, PLAIN_ANALYZER};
use crate::practice::{Practice, PracticeLanguage, Rating};
use crate::IndexError;

/// Bumped whenever the layout changes; an index of another version must be rebuilt.
pub(crate) const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub id: Field,
    /// Canonical path of the ingested file (absent for chat shares).
    pub path: Field,
    /// Every ancestor folder of `path`, so "all files under a folder" is one term query.
    pub folder: Field,
    pub record: Field,
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

fn analysed_text(analyzer: &str, stored: bool) -> TextOptions {
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    if stored {
        options.set_stored()
    } else {
        options
    }
}

pub(crate) fn build() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let fields = Fields {
        id: builder.add_text_field("id", STRING | STORED),
        path: builder.add_text_field("path", STRING),
        folder: builder.add_text_field("folder", STRING),
        record: builder.add_text_field("record", STORED),
        title_it: builder.add_text_field("title_it", analysed_text(ITALIAN_ANALYZER, false)),
        title_en: builder.add_text_field("title_en", analysed_text(ENGLISH_ANALYZER, false)),
        body_it: builder.add_text_field("body_it", analysed_text(ITALIAN_ANALYZER, true)),
        body_en: builder.add_text_field("body_en", analysed_text(ENGLISH_ANALYZER, true)),
        practice_type: builder.add_text_field("type", STRING),
        language: builder.add_text_field("lang", STRING),
        status: builder.add_text_field("status", STRING),
        organisation: builder.add_text_field("org", analysed_text(PLAIN_ANALYZER, false)),
        licence: builder.add_text_field("licence", analysed_text(PLAIN_ANALYZER, false)),
        tags: builder.add_text_field("tag", analysed_text(KEYWORD_ANALYZER, false)),
        year: builder.add_i64_field("year", NumericOptions::default().set_indexed()),
    };
    builder.add_u64_field(
        &format!("schema_v{SCHEMA_VERSION}"),
        NumericOptions::default(),
    );
    (builder.build(), fields)
}

/// A practice as stored, with what the public type does not show.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Record {
    pub practice: Practice,
    /// Latest rating per user; `practice.rating` is derived from it.
    pub votes: BTreeMap<String, u8>,
    /// Hash of the file's bytes, to skip unchanged files on re-ingest.
    pub content_hash: Option<String>,
}

impl Record {
    pub fn new(practice: Practice, content_hash: Option<String>) -> Record {
        Record {
            practice,
            votes: BTreeMap::new(),
            content_hash,
        }
    }

    pub fn set_vote(&mut self, user: &str, stars: u8) {
        self.votes.insert(user.to_string(), stars);
        self.practice.rating = Rating::from_votes(&self.votes);
    }
}

/// Turns a record into the document every write path (ingest, share, import) adds.
pub(crate) fn make_doc(fields: &Fields, mut record: Record) -> Result<TantivyDocument, IndexError> {
    // The body goes to its own field; keeping it out of the JSON halves what is stored.
    let body = std::mem::take(&mut record.practice.body);
    let practice = &record.practice;
    let language = practice.language;
    let mut doc = TantivyDocument::default();
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
    doc.add_text(fields.body(language), &body);
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
    doc.add_text(fields.record, serde_json::to_string(&record)?);
    Ok(doc)
}

/// Reads a stored document back into its record, body included.
pub(crate) fn read_doc(fields: &Fields, doc: &TantivyDocument) -> Result<Record, IndexError> {
    let json = doc
        .get_first(fields.record)
        .and_then(|value| value.as_str())
        .ok_or_else(|| IndexError::Corrupt("document without a record".to_string()))?;
    let mut record: Record = serde_json::from_str(json)?;
    let body_field = fields.body(record.practice.language);
    record.practice.body = doc
        .get_first(body_field)
        .and_then(|value| value.as_str())
        .unwrap_or_default()
        .to_string();
    Ok(record)
}

/// The indexed form of a path: lossy UTF-8 is fine, paths are only compared with themselves.
pub(crate) fn path_key(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}
