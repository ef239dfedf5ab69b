//! The data directory holds the bot's session, its access token included: it is made
//! readable by the bot's user only (folders 0700, files 0600), whatever the umask, on every
//! open, so a folder made by an older version or by hand is corrected too.

use std::fs::{self, DirBuilder, Permissions};
use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
use std::path::Path;

use anyhow::Context as _;

const PRIVATE_DIR: u32 = 0o700;
const PRIVATE_FILE: u32 = 0o600;

/// Creates `dir` (and missing parents) as a private folder, or makes an existing one private.
pub fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    DirBuilder::new()
        .recursive(true)
        .mode(PRIVATE_DIR)
        .create(dir)
        .with_context(|| format!("cannot create {}", dir.display()))?;
    set_mode(dir, PRIVATE_DIR)
}

/// Makes every folder under `dir` (itself included) 0700 and every file 0600.
pub fn make_private(dir: &Path) -> anyhow::Result<()> {
    set_mode(dir, PRIVATE_DIR)?;
    let entries = fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
        let path = entry.path();
        let kind = entry
            .file_type()
            .with_context(|| format!("cannot read {}", path.display()))?;
        if kind.is_dir() {
            make_private(&path)?;
        } else if kind.is_file() {
            set_mode(&path, PRIVATE_FILE)?;
        }
    }
    Ok(())
}

/// Sets the permission bits of `path` to `mode` unless they are already.
fn set_mode(path: &Path, mode: u32) -> anyhow::Result<()> {
    let current = fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .permissions()
        .mode()
        & 0o777;
    if current != mode {
        fs::set_permissions(path, Permissions::from_mode(mode))
            .with_context(|| format!("cannot make {} private", path.display()))?;
    }
    Ok(())
}
