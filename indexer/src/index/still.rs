//! The index's files held still, for a backup: the writer lock is taken, so no process
//! commits, merges or deletes a file until the copy is done.

use std::fs;
use std::path::{Path, PathBuf};

use super::writer::SINGLE_OPERATION_BUDGET;
use super::Index;
use crate::IndexError;

/// tantivy's lock files: a restored index makes its own.
const LOCK_FILES: [&str; 2] = [".tantivy-writer.lock", ".tantivy-meta.lock"];

impl Index {
    /// Runs `copy` with the index's root folder and its files (relative to it) while no
    /// process can change them. An index in RAM has no files.
    pub fn with_files_still<T>(
        &self,
        copy: impl FnOnce(&Path, &[PathBuf]) -> T,
    ) -> Result<T, IndexError> {
        let Some(layout) = &self.directory else {
            return Ok(copy(Path::new(""), &[]));
        };
        // The layout's folder lies in the root folder the caller knows (`data_dir/index`).
        let root = layout.parent().unwrap_or(layout);
        // Held, never used: its memory is reserved as documents arrive, and none will.
        let _writer = self.acquire_writer(1, SINGLE_OPERATION_BUDGET)?;
        let mut files = Vec::new();
        let mut folders = vec![root.to_path_buf()];
        while let Some(folder) = folders.pop() {
            for entry in fs::read_dir(&folder)? {
                let entry = entry?;
                let path = entry.path();
                if entry.file_type()?.is_dir() {
                    folders.push(path);
                } else if !LOCK_FILES.iter().any(|lock| entry.file_name() == *lock) {
                    if let Ok(relative) = path.strip_prefix(root) {
                        files.push(relative.to_path_buf());
                    }
                }
            }
        }
        files.sort();
        Ok(copy(root, &files))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use chrono::Utc;

    use super::*;
    use crate::practice::Share;

    fn share(id: &str) -> Share {
        Share {
            id: id.to_owned(),
            title: format!("Pratica {id}"),
            url_or_text: "Il riuso del software nella pubblica amministrazione.".to_owned(),
            practice_type: None,
            tags: Vec::new(),
            added_by: "@someone:x".to_owned(),
            added_at: Utc::now(),
        }
    }

    /// A write waits while the files are held still, and the files copied then open as the
    /// index they were.
    #[test]
    fn writes_wait_and_the_copy_is_the_index_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(dir.path().join("index")).unwrap();
        index.share(share("uno")).unwrap();
        let copy = dir.path().join("copy");
        let (wrote, written) = mpsc::channel();
        std::thread::scope(|scope| {
            let copied = index
                .with_files_still(|root, files| {
                    let writer = scope.spawn(|| {
                        index.share(share("due")).unwrap();
                        wrote.send(()).unwrap();
                    });
                    // The write cannot land while the files are held.
                    assert!(written.recv_timeout(Duration::from_millis(500)).is_err());
                    for file in files {
                        let target = copy.join(file);
                        fs::create_dir_all(target.parent().unwrap()).unwrap();
                        fs::copy(root.join(file), target).unwrap();
                    }
                    assert!(files.iter().any(|f| f.ends_with("meta.json")), "{files:?}");
                    assert!(!files.iter().any(|f| f.ends_with(".tantivy-writer.lock")));
                    writer
                })
                .unwrap();
            written.recv_timeout(Duration::from_secs(30)).unwrap();
            copied.join().unwrap();
        });
        let restored = Index::open(&copy).unwrap();
        let ids: Vec<String> = restored
            .pending()
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(ids, ["uno"]);
        index.reload().unwrap();
        assert_eq!(index.pending().unwrap().len(), 2);
    }
}
