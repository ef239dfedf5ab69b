//! `pspm backup` and `pspm restore`: the store and the good-practice index in one tar file.
//!
//! The store is copied first, at one moment (the running bot copies it between two commits),
//! then the index with its writer lock held. The index may so be a little newer than the store:
//! the events in between are applied again by the restored bot, and what they do to the index
//! (a share, a rating) is idempotent, while the store's changes happen once, from its sync
//! token on.

use std::fs::{self, File};
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Component, Path, PathBuf};

use anyhow::{anyhow, bail, Context as _};
use chrono::{DateTime, Utc};
use pspm_config::Config;
use serde::{Deserialize, Serialize};

use super::{admin, index_dir, open_index, private, reach, Reach, STATE};
use crate::store::{SledStore, Store, SCHEMA_VERSION};

const MANIFEST: &str = "pspm-backup.json";
const STORE_COPY: &str = "store.dump";
const INDEX: &str = "index";
const FORMAT: u32 = 1;

/// What a backup says of itself.
#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: u32,
    pspm_version: String,
    store_schema: u64,
    plan_id: String,
    created_at: DateTime<Utc>,
}

/// What `pspm backup` or `pspm restore` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub store_records: u64,
    pub index_files: usize,
}

/// Writes a backup of the bot's data to `out` (the bot running or not).
pub fn backup(config: &Config, out: &Path) -> anyhow::Result<BackupSummary> {
    let data_dir = &config.storage.data_dir;
    // The copy waits in the data directory: it holds the access token.
    let mut copy = tempfile::tempfile_in(data_dir)
        .with_context(|| format!("cannot make a file in {}", data_dir.display()))?;
    match reach(config, admin::Request::Copy)? {
        Reach::Store(store, _) => {
            store.copy_to(&mut copy)?;
        }
        Reach::Bot(admin::Answer::Error(error), _) => {
            bail!("the running bot cannot copy its store: {error}");
        }
        Reach::Bot(_, mut stream) => {
            std::io::copy(&mut stream, &mut copy).context("cannot receive the store's copy")?;
        }
    }
    // A copy cut short (the bot stopped meanwhile) is no backup.
    copy.seek(SeekFrom::Start(0))?;
    let store_records = crate::store::check_copy(&mut BufReader::new(&copy))
        .context("the store's copy is incomplete")?;
    copy.seek(SeekFrom::Start(0))?;

    let partial = out.with_extension("partial");
    // Private from its first byte: it holds the access token.
    let file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&partial)
        .with_context(|| format!("cannot create {}", partial.display()))?;
    let mut archive = tar::Builder::new(file);
    let manifest = Manifest {
        format: FORMAT,
        pspm_version: env!("CARGO_PKG_VERSION").to_owned(),
        store_schema: SCHEMA_VERSION,
        plan_id: config.plan.id.clone(),
        created_at: Utc::now(),
    };
    let manifest = serde_json::to_vec_pretty(&manifest)?;
    append(&mut archive, MANIFEST, manifest.len() as u64, &manifest[..])?;
    let length = copy.metadata()?.len();
    append(&mut archive, STORE_COPY, length, &mut copy)?;
    let index_files = open_index(config)?.with_files_still(|root, files| {
        for file in files {
            let path = root.join(file);
            let mut source =
                File::open(&path).with_context(|| format!("cannot read {}", path.display()))?;
            let length = source.metadata()?.len();
            let name = Path::new(INDEX).join(file);
            append(&mut archive, &name.to_string_lossy(), length, &mut source)?;
        }
        anyhow::Ok(files.len())
    })??;
    archive.into_inner()?.sync_all()?;
    fs::rename(&partial, out).with_context(|| format!("cannot write {}", out.display()))?;
    Ok(BackupSummary {
        store_records,
        index_files,
    })
}

fn append(
    archive: &mut tar::Builder<File>,
    name: &str,
    length: u64,
    data: impl Read,
) -> anyhow::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(length);
    header.set_mode(0o600);
    header.set_mtime(Utc::now().timestamp().max(0) as u64);
    header.set_entry_type(tar::EntryType::Regular);
    archive
        .append_data(&mut header, name, data)
        .with_context(|| format!("cannot add {name} to the backup"))
}

/// Restores a backup into the data directory, which must hold neither a store nor an index.
pub fn restore(config: &Config, backup: &Path) -> anyhow::Result<BackupSummary> {
    let data_dir = &config.storage.data_dir;
    let store_dir = data_dir.join(STATE);
    let index_dir = index_dir(config);
    for place in [&store_dir, &index_dir] {
        if fs::read_dir(place).is_ok_and(|mut entries| entries.next().is_some()) {
            bail!(
                "{} is not empty: restore into a new data directory (storage.data_dir), or move it aside",
                place.display()
            );
        }
    }
    private::create_private_dir(data_dir)?;
    let file = File::open(backup).with_context(|| format!("cannot read {}", backup.display()))?;
    let result = unpack(
        tar::Archive::new(BufReader::new(file)),
        &store_dir,
        &index_dir,
    );
    if result.is_err() {
        // Nothing half-restored is left for a bot to start on.
        let _ = fs::remove_dir_all(&store_dir);
        let _ = fs::remove_dir_all(&index_dir);
    }
    let summary = result.with_context(|| format!("cannot restore {}", backup.display()))?;
    private::make_private(data_dir)?;
    Ok(summary)
}

fn unpack(
    mut archive: tar::Archive<impl Read>,
    store_dir: &Path,
    index_dir: &Path,
) -> anyhow::Result<BackupSummary> {
    let mut manifest: Option<Manifest> = None;
    let mut store_records = None;
    let mut index_files = 0;
    for entry in archive.entries()? {
        let mut entry = entry?;
        let name = entry.path()?.into_owned();
        if name == Path::new(MANIFEST) {
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes)?;
            let read: Manifest =
                serde_json::from_slice(&bytes).context("its manifest does not read")?;
            if read.format != FORMAT {
                bail!("backup format {} is not {FORMAT}", read.format);
            }
            if read.store_schema > SCHEMA_VERSION {
                bail!(
                    "its store has schema {}, newer than this pspm's {SCHEMA_VERSION}: restore it with pspm {} or later",
                    read.store_schema,
                    read.pspm_version
                );
            }
            manifest = Some(read);
            continue;
        }
        if manifest.is_none() {
            bail!("not a PSPM backup (no {MANIFEST} first)");
        }
        if name == Path::new(STORE_COPY) {
            store_records = Some(SledStore::restore(store_dir, &mut entry)?);
        } else if let Ok(file) = name.strip_prefix(INDEX) {
            let target = index_dir.join(safe_relative(file)?);
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent)?;
            }
            let mut out = File::create(&target)?;
            std::io::copy(&mut entry, &mut out)?;
            index_files += 1;
        } else {
            bail!("unexpected {} in the backup", name.display());
        }
    }
    let store_records = store_records.ok_or_else(|| anyhow!("the backup holds no store"))?;
    Ok(BackupSummary {
        store_records,
        index_files,
    })
}

/// `path` if it stays inside the folder it is joined to.
fn safe_relative(path: &Path) -> anyhow::Result<PathBuf> {
    if path
        .components()
        .all(|component| matches!(component, Component::Normal(_)))
    {
        Ok(path.to_path_buf())
    } else {
        bail!("{} leaves the index folder", path.display())
    }
}
