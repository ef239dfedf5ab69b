//! The changes made from `pspm index`: ingest of files and folders, bulk import of built
//! practices, and removal by id, file or folder.

use std::collections::HashSet;
use std::fs;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

use super::load::{count_term, find_one, load_all};
use super::writer::Written;
use super::Index;
use crate::ingest::{self, content_hash, Candidate};
use crate::practice::{IngestLimits, IngestReport, Practice, Progress};
use crate::schema::{make_doc, path_key, Record};
use crate::IndexError;

impl Index {
    /// Adds files and folders (recursively). Unchanged files are skipped, changed ones
    /// replaced, and files gone from a re-added folder removed. A file that cannot be read
    /// or parsed is reported in `failed` and the rest goes on.
    ///
    /// A file larger than the [`IngestLimits`], or one whose parser panics, is skipped the
    /// same way, with its reason.
    pub fn add_paths(
        &self,
        paths: &[PathBuf],
        added_by: &str,
        added_at: DateTime<Utc>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<IngestReport, IndexError> {
        self.add_paths_with(paths, progress, |candidate, bytes, limits| {
            ingest::practice_from_file(candidate, bytes, added_by, added_at, limits)
        })
    }

    /// [`Index::add_paths`] with the function that turns a file into a practice given, so
    /// that a test can make one panic.
    pub(super) fn add_paths_with(
        &self,
        paths: &[PathBuf],
        progress: &mut dyn FnMut(Progress),
        build: impl Fn(&Candidate, &[u8], &IngestLimits) -> Result<Practice, String>,
    ) -> Result<IngestReport, IndexError> {
        let limits = self.limits;
        let walk = ingest::walk(paths);
        let total = walk.candidates.len();
        let fields = self.fields;
        self.bulk_write(|writer, searcher| {
            let mut report = IngestReport {
                failed: walk.failed.clone(),
                ..IngestReport::default()
            };
            let mut seen: HashSet<String> = HashSet::new();
            // Practices gone for good: removed files, and files that now give another id.
            let mut gone: Vec<String> = Vec::new();
            for (done, candidate) in walk.candidates.iter().enumerate() {
                progress(Progress {
                    done,
                    total,
                    current: candidate.path.clone(),
                });
                let key = path_key(&candidate.path);
                seen.insert(key.clone());
                let bytes = match ingest::read_capped(&candidate.path, limits.max_file_bytes) {
                    Ok(bytes) => bytes,
                    Err(reason) => {
                        tracing::warn!(path = %candidate.path.display(), %reason, "skipping unreadable file");
                        report.failed.push((candidate.path.clone(), reason));
                        continue;
                    }
                };
                let hash = content_hash(&bytes);
                let existing = find_one(searcher, &fields, Term::from_field_text(fields.path, &key))?;
                if existing
                    .as_ref()
                    .is_some_and(|record| record.content_hash.as_deref() == Some(hash.as_str()))
                {
                    report.unchanged += 1;
                    continue;
                }
                let practice = match ingest::isolated(|| build(candidate, &bytes, &limits)) {
                    Ok(practice) => practice,
                    Err(reason) => {
                        tracing::warn!(path = %candidate.path.display(), %reason, "skipping file");
                        report.failed.push((candidate.path.clone(), reason));
                        continue;
                    }
                };
                let mut record = Record::new(practice, Some(hash));
                writer.delete_term(Term::from_field_text(fields.path, &key));
                writer.delete_term(Term::from_field_text(fields.id, &record.practice.id));
                match existing {
                    Some(old) => {
                        // A new version of the same document keeps its history (its
                        // ratings too, which are kept by id).
                        if old.practice.id != record.practice.id {
                            gone.push(old.practice.id);
                        }
                        record.practice.added_by = old.practice.added_by;
                        record.practice.added_at = old.practice.added_at;
                        report.replaced += 1;
                    }
                    None => report.added += 1,
                }
                writer.add_document(make_doc(&fields, record)?)?;
            }
            for root in &walk.roots {
                let under_root = TermQuery::new(
                    Term::from_field_text(fields.folder, &path_key(root)),
                    IndexRecordOption::Basic,
                );
                for record in load_all(searcher, &fields, &under_root)? {
                    let Some(path) = &record.practice.path else { continue };
                    let key = path_key(path);
                    if !seen.contains(&key) {
                        writer.delete_term(Term::from_field_text(fields.path, &key));
                        gone.push(record.practice.id);
                        report.removed += 1;
                    }
                }
            }
            progress(Progress {
                done: total,
                total,
                current: PathBuf::new(),
            });
            let changed = report.added + report.replaced + report.removed > 0;
            Ok(Written {
                outcome: report,
                changed,
                gone,
            })
        })
    }

    /// Adds already-built practices in bulk (migrations, benchmarks): same documents as
    /// ingest, replacing any practice with the same id. Returns how many were added.
    pub fn import(
        &self,
        practices: impl IntoIterator<Item = Practice>,
    ) -> Result<usize, IndexError> {
        let fields = self.fields;
        self.bulk_write(|writer, searcher| {
            // Into an empty index only ids repeated within this import have anything to
            // replace; skipping the other deletes spares the commit a dictionary lookup per
            // document and segment.
            let empty = searcher.segment_readers().is_empty();
            let mut seen: HashSet<String> = HashSet::new();
            let mut count = 0;
            for practice in practices {
                if !empty || !seen.insert(practice.id.clone()) {
                    writer.delete_term(Term::from_field_text(fields.id, &practice.id));
                }
                writer.add_document(make_doc(&fields, Record::new(practice, None))?)?;
                count += 1;
            }
            Ok(Written {
                outcome: count,
                changed: count > 0,
                gone: Vec::new(),
            })
        })
    }

    /// Removes a practice by id, or every practice from a file or under a folder.
    /// Returns how many were removed (0 when nothing matched).
    pub fn remove(&self, id_or_path: &str) -> Result<usize, IndexError> {
        let fields = self.fields;
        let candidate_path = fs::canonicalize(id_or_path)
            .or_else(|_| std::path::absolute(id_or_path))
            .unwrap_or_else(|_| PathBuf::from(id_or_path));
        let path = path_key(&candidate_path);
        self.single_write(|writer, searcher| {
            let id = id_or_path.trim();
            let by_id = Term::from_field_text(fields.id, id);
            let count = count_term(searcher, by_id.clone())?;
            if count > 0 {
                writer.delete_term(by_id);
                return Ok(Written {
                    outcome: count,
                    changed: true,
                    gone: vec![id.to_string()],
                });
            }
            let by_path = Term::from_field_text(fields.path, &path);
            let under_folder = Term::from_field_text(fields.folder, &path);
            let mut gone = Vec::new();
            for term in [&by_path, &under_folder] {
                let query = TermQuery::new(term.clone(), IndexRecordOption::Basic);
                gone.extend(
                    load_all(searcher, &fields, &query)?
                        .into_iter()
                        .map(|record| record.practice.id),
                );
            }
            writer.delete_term(by_path);
            writer.delete_term(under_folder);
            Ok(Written {
                outcome: gone.len(),
                changed: !gone.is_empty(),
                gone,
            })
        })
    }
}
