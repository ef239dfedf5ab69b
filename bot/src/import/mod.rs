//! `pspm import`: what people keep in spreadsheets brought into the bot's files. Reads only
//! the files it is given and writes only its output; talks to nothing.
//!
//! # Layout
//! - [`source`] — an .xlsx/.ods workbook (calamine, the only code that imports it) or CSV
//!   files as tables of cells, each row with the number a spreadsheet shows.
//! - [`columns`] — sheet and column names in English or Italian, without case or accents;
//!   the header row read.
//! - [`cells`] — a data row read field by field (text, numbers, dates).
//! - [`problem`] — what is wrong and where (sheet, row, column), one line each.
//! - [`plan`] — `pspm import plan`: the plan file.
//! - [`updates`] — `pspm import progress|measurements`: the updates the bot posts.

pub mod cells;
pub mod columns;
pub mod plan;
pub mod problem;
pub mod source;
pub mod updates;

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

pub use problem::{ImportError, Place, Problem};

#[cfg(test)]
mod fuzz_tests;

/// Writes `text` to `path` whole or not at all: into a new file beside it, then renamed over
/// it, so that a failure leaves what was there.
fn write_whole(path: &Path, text: &str) -> Result<(), ImportError> {
    let fail = |e: std::io::Error| ImportError::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    // A plan file is no secret: readable as any new file is (the umask applies).
    let mut file = tempfile::Builder::new()
        .prefix(".pspm-import-")
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(folder)
        .map_err(fail)?;
    file.write_all(text.as_bytes()).map_err(fail)?;
    file.as_file().sync_all().map_err(fail)?;
    file.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}
