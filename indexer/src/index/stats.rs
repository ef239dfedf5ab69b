//! Statistics for `pspm index stats`: documents by type, status and language, and the
//! index's size.

use std::fs;
use std::path::Path;

use tantivy::Term;

use super::load::count_term;
use super::Index;
use crate::practice::{PracticeLanguage, PracticeType, Stats, Status};
use crate::IndexError;

impl Index {
    /// How many practices the index holds, published or pending (cheap: metrics read it at
    /// every scrape).
    pub fn documents(&self) -> usize {
        self.reader.searcher().num_docs() as usize
    }

    /// Document counts by type, status and language, and the index's size.
    pub fn stats(&self) -> Result<Stats, IndexError> {
        let searcher = self.reader.searcher();
        let fields = self.fields;
        let mut stats = Stats {
            documents: searcher.num_docs() as usize,
            ..Stats::default()
        };
        for practice_type in PracticeType::ALL {
            let count = count_term(
                &searcher,
                Term::from_field_text(fields.practice_type, practice_type.as_str()),
            )?;
            if count > 0 {
                stats.by_type.insert(practice_type, count);
            }
        }
        for status in Status::ALL {
            let count = count_term(
                &searcher,
                Term::from_field_text(fields.status, status.as_str()),
            )?;
            if count > 0 {
                stats.by_status.insert(status, count);
            }
        }
        for language in PracticeLanguage::ALL {
            let count = count_term(
                &searcher,
                Term::from_field_text(fields.language, language.as_str()),
            )?;
            if count > 0 {
                stats.by_language.insert(language, count);
            }
        }
        stats.size_bytes = match &self.directory {
            Some(directory) => directory_size(directory)?,
            None => searcher.space_usage()?.total().get_bytes(),
        };
        Ok(stats)
    }
}

fn directory_size(directory: &Path) -> Result<u64, IndexError> {
    let mut size = 0;
    for entry in fs::read_dir(directory)? {
        let metadata = entry?.metadata()?;
        if metadata.is_file() {
            size += metadata.len();
        }
    }
    Ok(size)
}
