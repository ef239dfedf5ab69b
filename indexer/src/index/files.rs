//! How the reader reads the index's files: with positioned reads into memory the process
//! owns, not by mapping them.
//!
//! A mapped index stays in the process's resident memory as far as searches have touched it,
//! and every search touches a little more (postings, positions, stored texts): on a 100k
//! practice repository a few hundred different searches map most of its 100 MB. Read
//! instead, the files stay in the kernel's page cache, shared and reclaimable, and what the
//! process keeps is bounded: the small files every search consults (term dictionaries,
//! field lengths, fast fields, deletions: about 2% of the index, read whole when a segment
//! opens), tantivy's cache of decompressed stored blocks, and up to [`SMALL_READS_BYTES`] of
//! small reads (postings of the less common words, most of a search's reads, mostly a few
//! dozen bytes each) kept so that a repeated search makes no system call for them.
//!
//! Writing (and merging) goes through tantivy's mapped directory, as before; only the
//! reader's files are read this way. Everything but opening files is that directory's.

use std::fs::File;
use std::io;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use lru::LruCache;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, OwnedBytes, WatchCallback,
    WatchHandle, WritePtr,
};
use tantivy::HasLen;

/// Files held in memory whole: consulted by every search (a term scorer reads its field's
/// lengths whole each time), and small next to postings, positions and stored texts.
const IN_MEMORY: [&str; 4] = ["term", "fieldnorm", "fast", "del"];
/// Reads this long or shorter are kept for the next search.
const SMALL_READ_BYTES: usize = 4_096;
/// Bytes of small reads kept: a budget in bytes, not in reads, since most are tiny.
const SMALL_READS_BYTES: usize = 4 << 20;

/// Recently read small ranges, by file and range, the least recently used dropped first
/// once they hold more than [`SMALL_READS_BYTES`].
#[derive(Debug)]
struct SmallReads {
    reads: LruCache<(u64, usize, usize), OwnedBytes>,
    bytes: usize,
}

impl SmallReads {
    fn get(&mut self, key: &(u64, usize, usize)) -> Option<OwnedBytes> {
        self.reads.get(key).cloned()
    }

    fn put(&mut self, key: (u64, usize, usize), bytes: OwnedBytes) {
        self.bytes += bytes.len();
        if let Some(replaced) = self.reads.put(key, bytes) {
            self.bytes -= replaced.len();
        }
        while self.bytes > SMALL_READS_BYTES {
            match self.reads.pop_lru() {
                Some((_, dropped)) => self.bytes -= dropped.len(),
                None => break,
            }
        }
    }
}

/// A directory whose files are read with positioned reads; see the module documentation.
#[derive(Clone, Debug)]
pub(super) struct ReadDirectory {
    inner: MmapDirectory,
    root: PathBuf,
    small_reads: Arc<Mutex<SmallReads>>,
}

impl ReadDirectory {
    pub fn open(root: &Path) -> Result<ReadDirectory, tantivy::TantivyError> {
        Ok(ReadDirectory {
            inner: MmapDirectory::open(root)?,
            root: root.to_path_buf(),
            small_reads: Arc::new(Mutex::new(SmallReads {
                reads: LruCache::unbounded(),
                bytes: 0,
            })),
        })
    }
}

impl Directory for ReadDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        let failed = |error: io::Error| {
            if error.kind() == io::ErrorKind::NotFound {
                OpenReadError::FileDoesNotExist(path.to_path_buf())
            } else {
                OpenReadError::wrap_io_error(error, path.to_path_buf())
            }
        };
        let extension = path.extension().and_then(|extension| extension.to_str());
        if extension.is_some_and(|extension| IN_MEMORY.contains(&extension)) {
            let bytes = std::fs::read(self.root.join(path)).map_err(failed)?;
            return Ok(Arc::new(OwnedBytes::new(bytes)));
        }
        let file = File::open(self.root.join(path)).map_err(failed)?;
        let len = file.metadata().map_err(failed)?.len() as usize;
        // Stored blocks have tantivy's own cache, of decompressed blocks.
        let stored = extension == Some("store");
        Ok(Arc::new(ReadFile {
            file,
            len,
            id: next_file_id(),
            small_reads: (!stored).then(|| self.small_reads.clone()),
        }))
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.inner.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

/// Tells files apart in the small-read cache (a path may name another file after a merge).
fn next_file_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[derive(Debug)]
struct ReadFile {
    file: File,
    len: usize,
    id: u64,
    small_reads: Option<Arc<Mutex<SmallReads>>>,
}

impl ReadFile {
    fn read(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        let mut buffer = vec![0; range.len()];
        self.file.read_exact_at(&mut buffer, range.start as u64)?;
        Ok(OwnedBytes::new(buffer))
    }
}

impl FileHandle for ReadFile {
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        if range.is_empty() {
            return Ok(OwnedBytes::empty());
        }
        let Some(small_reads) = self
            .small_reads
            .as_ref()
            .filter(|_| range.len() <= SMALL_READ_BYTES)
        else {
            return self.read(range);
        };
        let key = (self.id, range.start, range.end);
        // A poisoned cache only means another thread panicked while holding it: the map is
        // still whole.
        let cached = small_reads
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&key);
        if let Some(bytes) = cached {
            return Ok(bytes);
        }
        let bytes = self.read(range)?;
        small_reads
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .put(key, bytes.clone());
        Ok(bytes)
    }
}

impl HasLen for ReadFile {
    fn len(&self) -> usize {
        self.len
    }
}
