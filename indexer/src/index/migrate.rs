//! Moving an index of an older layout into the current one, on open.
//!
//! Each layout lives in its own folder of the index directory (`v2/` for layout 2), so a
//! migration builds the new layout apart, in `v2.building/`, and one rename makes it the
//! index: a crash before the rename leaves the old index as it was (the next open starts
//! the migration again), a crash after it leaves the new one. Layout 1 kept its files
//! directly in the index directory; they are deleted once the new layout is in place.
//!
//! Layout 1 stored every practice whole (its record, with the ratings inside, and its
//! text), so nothing is lost: practices keep their ids, dates, statuses and ratings, and
//! all their text is indexed again (the new layout stores only what it needs).
//!
//! Two processes opening the same old index (the bot and `pspm index`) take turns on the
//! old index's writer lock; the second finds the migration done.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Deserialize;
use tantivy::directory::MmapDirectory;
use tantivy::schema::{Field, Value};
use tantivy::TantivyDocument;

use super::ratings::{Ratings, Votes};
use super::writer::{acquire_writer, Written};
use super::Index;
use crate::practice::{Practice, PracticeLanguage};
use crate::schema::{make_doc, Record, SCHEMA_VERSION, VERSION_FIELD_PREFIX};
use crate::IndexError;

/// The folder of the current layout, inside the index directory.
pub(super) fn layout_folder(directory: &Path) -> PathBuf {
    directory.join(format!("v{SCHEMA_VERSION}"))
}

fn building_folder(directory: &Path) -> PathBuf {
    directory.join(format!("v{SCHEMA_VERSION}.building"))
}

fn holds_index(folder: &Path) -> bool {
    folder.join("meta.json").is_file()
}

/// Brings the index in `directory` to the current layout when an older one is there, and
/// tidies what an interrupted migration left. Returns the current layout's folder.
pub(super) fn current_layout(
    directory: &Path,
    lock_timeout: std::time::Duration,
) -> Result<PathBuf, IndexError> {
    let current = layout_folder(directory);
    if !holds_index(&current) && holds_index(directory) {
        match migrate_layout_1(directory, &current, lock_timeout) {
            Ok(()) => {}
            // Another process finished the migration (and removed the old files) meanwhile.
            Err(_) if holds_index(&current) => {}
            Err(error) => return Err(error),
        }
    }
    if holds_index(&current) && holds_index(directory) {
        remove_layout_1(directory);
    }
    Ok(current)
}

/// The layout of the tantivy index at the root of `directory`, from its marker field.
fn root_layout(schema: &tantivy::schema::Schema) -> Option<u32> {
    schema.fields().find_map(|(_, entry)| {
        entry
            .name()
            .strip_prefix(VERSION_FIELD_PREFIX)?
            .parse()
            .ok()
    })
}

/// Layout 1's stored record: the practice (its text apart) with every user's vote.
#[derive(Deserialize)]
struct Layout1Record {
    practice: Practice,
    #[serde(default)]
    votes: BTreeMap<String, u8>,
    content_hash: Option<String>,
}

fn migrate_layout_1(
    directory: &Path,
    current: &Path,
    lock_timeout: std::time::Duration,
) -> Result<(), IndexError> {
    let old_directory =
        MmapDirectory::open(directory).map_err(|error| open_failed(directory, error.into()))?;
    let old = tantivy::Index::open(old_directory).map_err(|error| open_failed(directory, error))?;
    let schema = old.schema();
    if root_layout(&schema) != Some(1) {
        return Err(IndexError::SchemaMismatch(directory.to_path_buf()));
    }
    // Held until the new layout is in place: another process waits, then finds it done.
    let _lock = acquire_writer(&old, 1, 15_000_000, lock_timeout)?;
    if holds_index(current) {
        return Ok(());
    }
    let started = Instant::now();
    let field = |name: &str| {
        schema
            .get_field(name)
            .map_err(|_| IndexError::Corrupt(format!("layout 1 index without its {name} field")))
    };
    let (record_field, body_it, body_en) = (field("record")?, field("body_it")?, field("body_en")?);
    let building = building_folder(directory);
    if building.exists() {
        fs::remove_dir_all(&building)?;
    }
    fs::create_dir_all(&building)?;
    let index = Index::open_layout(&building)?;
    let fields = index.fields;
    let reader = old.reader()?;
    let searcher = reader.searcher();
    // One practice at a time, straight from the old store into the new writer.
    let (count, votes) = index.bulk_write(|writer, _| {
        let mut votes = Votes::new();
        let mut count = 0;
        for segment in searcher.segment_readers() {
            let store = segment.get_store_reader(1)?;
            let alive = segment.alive_bitset();
            for doc_id in 0..segment.max_doc() {
                if alive.is_some_and(|alive| !alive.is_alive(doc_id)) {
                    continue;
                }
                let doc: TantivyDocument = store.get(doc_id)?;
                let (record, practice_votes) =
                    layout_1_record(&doc, record_field, body_it, body_en)?;
                if !practice_votes.is_empty() {
                    votes.insert(record.practice.id.clone(), practice_votes);
                }
                writer.add_document(make_doc(&fields, record)?)?;
                count += 1;
            }
        }
        Ok(Written::changed((count, votes)))
    })?;
    Ratings::on_disk(building.clone()).save(votes)?;
    drop(index);
    fs::rename(&building, current)?;
    tracing::info!(
        practices = count,
        seconds = started.elapsed().as_secs_f64(),
        "the good-practice index moved to layout {SCHEMA_VERSION} (in {})",
        current.display()
    );
    Ok(())
}

fn layout_1_record(
    doc: &TantivyDocument,
    record_field: Field,
    body_it: Field,
    body_en: Field,
) -> Result<(Record, BTreeMap<String, u8>), IndexError> {
    let json = doc
        .get_first(record_field)
        .and_then(|value| value.as_str())
        .ok_or_else(|| IndexError::Corrupt("layout 1 document without a record".to_string()))?;
    let old: Layout1Record = serde_json::from_str(json)?;
    let mut practice = old.practice;
    let body_field = match practice.language {
        PracticeLanguage::It => body_it,
        PracticeLanguage::En => body_en,
    };
    practice.body = doc
        .get_first(body_field)
        .and_then(|value| value.as_str())
        .unwrap_or_default()
        .to_string();
    Ok((Record::new(practice, old.content_hash), old.votes))
}

/// Deletes layout 1's files from the index directory (its folders, the new layout's among
/// them, are left alone). Best effort: what stays is ignored, and tried again next open.
fn remove_layout_1(directory: &Path) {
    let Ok(entries) = fs::read_dir(directory) else {
        return;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        if entry.file_type().is_ok_and(|kind| kind.is_file())
            && fs::remove_file(entry.path()).is_ok()
        {
            removed += 1;
        }
    }
    tracing::info!(
        files = removed,
        "removed the old layout's files from {}",
        directory.display()
    );
}

fn open_failed(directory: &Path, source: tantivy::TantivyError) -> IndexError {
    IndexError::Open {
        path: directory.to_path_buf(),
        source,
    }
}
