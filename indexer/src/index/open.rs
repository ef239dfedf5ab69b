//! Opening the index (in a directory or in RAM) and the one long-lived reader.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tantivy::directory::MmapDirectory;
use tantivy::{ReloadPolicy, TantivyError};

use super::writer::DEFAULT_LOCK_TIMEOUT;
use super::Index;
use crate::analysis;
use crate::practice::IngestLimits;
use crate::query::QueryBuilder;
use crate::schema::{self, Fields};
use crate::IndexError;

impl Index {
    /// Opens the index in `directory`, creating it (and the directory) when missing.
    pub fn open(directory: impl AsRef<Path>) -> Result<Index, IndexError> {
        let directory = directory.as_ref();
        fs::create_dir_all(directory)?;
        let open_failed = |source: TantivyError| IndexError::Open {
            path: directory.to_path_buf(),
            source,
        };
        let mmap = MmapDirectory::open(directory).map_err(|error| open_failed(error.into()))?;
        let (schema, fields) = schema::build();
        let index = match tantivy::Index::open_or_create(mmap, schema) {
            Ok(index) => index,
            Err(TantivyError::SchemaError(_)) => {
                return Err(IndexError::SchemaMismatch(directory.to_path_buf()))
            }
            Err(error) => return Err(open_failed(error)),
        };
        Index::with_tantivy(index, fields, Some(directory.to_path_buf()))
    }

    /// An index in memory, for tests and tools.
    pub fn in_ram() -> Result<Index, IndexError> {
        let (schema, fields) = schema::build();
        Index::with_tantivy(tantivy::Index::create_in_ram(schema), fields, None)
    }

    fn with_tantivy(
        index: tantivy::Index,
        fields: Fields,
        directory: Option<PathBuf>,
    ) -> Result<Index, IndexError> {
        analysis::register(index.tokenizers());
        // Commits by other processes show up within about a second without a restart.
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        Ok(Index {
            index,
            reader,
            fields,
            directory,
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
            limits: IngestLimits::default(),
            queries: QueryBuilder::new(fields),
        })
    }

    /// How long writes wait for another writer (default 30 s).
    pub fn with_lock_timeout(mut self, lock_timeout: Duration) -> Index {
        self.lock_timeout = lock_timeout;
        self
    }

    /// What one file may cost to ingest (default [`IngestLimits::default`]).
    pub fn with_ingest_limits(mut self, limits: IngestLimits) -> Index {
        self.limits = limits;
        self
    }

    /// Makes the latest commit (from any process) visible now rather than within a second.
    pub fn reload(&self) -> Result<(), IndexError> {
        self.reader.reload()?;
        Ok(())
    }
}
