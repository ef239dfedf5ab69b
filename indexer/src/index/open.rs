//! Opening the index (in a directory or in RAM) and the one long-lived reader.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tantivy::directory::MmapDirectory;
use tantivy::{ReloadPolicy, TantivyError};

use super::files::ReadDirectory;
use super::migrate;
use super::ratings::Ratings;
use super::writer::DEFAULT_LOCK_TIMEOUT;
use super::Index;
use crate::analysis;
use crate::practice::IngestLimits;
use crate::query::QueryBuilder;
use crate::schema::{self, Fields};
use crate::IndexError;

/// Decompressed blocks of stored documents kept per segment: the hits of the last few
/// hundred searches, under 2 MB a segment with blocks of about 3 KiB (see `files` for why
/// the reader keeps its own caches).
const STORE_CACHE_BLOCKS: usize = 600;

impl Index {
    /// Opens the index in `directory`, creating it (and the directory) when missing. The
    /// index lives in a folder per layout inside it (`v2/`); an index of an older layout is
    /// moved to the current one first (see `migrate`), keeping every practice and rating.
    pub fn open(directory: impl AsRef<Path>) -> Result<Index, IndexError> {
        let directory = directory.as_ref();
        fs::create_dir_all(directory)?;
        let folder = migrate::current_layout(directory, DEFAULT_LOCK_TIMEOUT)?;
        Index::open_layout(&folder)
    }

    /// Opens (or creates) the current layout's tantivy index in `folder`.
    pub(super) fn open_layout(folder: &Path) -> Result<Index, IndexError> {
        fs::create_dir_all(folder)?;
        let open_failed = |source: TantivyError| IndexError::Open {
            path: folder.to_path_buf(),
            source,
        };
        let mmap = MmapDirectory::open(folder).map_err(|error| open_failed(error.into()))?;
        let (schema, fields) = schema::build();
        let index = match tantivy::Index::builder()
            .schema(schema)
            .settings(schema::settings())
            .open_or_create(mmap)
        {
            Ok(index) => index,
            Err(TantivyError::SchemaError(_)) => {
                return Err(IndexError::SchemaMismatch(folder.to_path_buf()))
            }
            Err(error) => return Err(open_failed(error)),
        };
        // The reader reads the same files without mapping them (see `files`).
        let read = ReadDirectory::open(folder).map_err(open_failed)?;
        let for_reading = tantivy::Index::open(read).map_err(open_failed)?;
        Index::with_tantivy(
            index,
            &for_reading,
            fields,
            Some(folder.to_path_buf()),
            Ratings::on_disk(folder.to_path_buf()),
        )
    }

    /// An index in memory, for tests and tools.
    pub fn in_ram() -> Result<Index, IndexError> {
        let (schema, fields) = schema::build();
        let index = tantivy::Index::builder()
            .schema(schema)
            .settings(schema::settings())
            .create_in_ram()?;
        let for_reading = index.clone();
        Index::with_tantivy(index, &for_reading, fields, None, Ratings::in_memory())
    }

    /// The index handle: `index` writes, `for_reading` (the same index) gives the reader.
    fn with_tantivy(
        index: tantivy::Index,
        for_reading: &tantivy::Index,
        fields: Fields,
        directory: Option<PathBuf>,
        ratings: Ratings,
    ) -> Result<Index, IndexError> {
        analysis::register(index.tokenizers());
        // Commits by other processes show up within about a second without a restart.
        let reader = for_reading
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .doc_store_cache_num_blocks(STORE_CACHE_BLOCKS)
            .try_into()?;
        Ok(Index {
            index,
            reader,
            fields,
            directory,
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
            limits: IngestLimits::default(),
            queries: QueryBuilder::new(fields),
            ratings,
            facts: std::sync::Mutex::new(None),
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
