//! `pspm import plan`: a plan kept in a spreadsheet — a sheet (or CSV file) per table of the
//! plan file, columns named in English or Italian — becomes a plan file, written only when
//! `pspm check` would load it. The sheets and their columns are [`sheets`].

mod file;
mod rows;
pub mod sheets;

use std::path::Path;

use pspm_config::Plan;

use super::problem::ImportError;
use super::source::{self, Source};

/// The plan file's text made from the spreadsheet `input`, and the plan it loads as, for a
/// file to be written at `out` (which errors of the loaded text would name).
pub fn convert(input: &Path, out: &Path) -> Result<(String, Plan), ImportError> {
    from_source(&source::read(input)?, input, out)
}

/// [`convert`] on tables read already.
pub fn from_source(
    source: &Source,
    input: &Path,
    out: &Path,
) -> Result<(String, Plan), ImportError> {
    let file = rows::read(source).map_err(|problems| ImportError::Invalid {
        path: input.to_path_buf(),
        problems,
    })?;
    let body = toml::to_string(&file).map_err(|e| ImportError::Write {
        path: out.to_path_buf(),
        reason: e.to_string(),
    })?;
    let text = format!(
        "# Made by `pspm import plan` from {}: edit the spreadsheet and import it again.\n\n{body}",
        // A comment ends at a line break: a file name's stays on the line.
        source.name.escape_debug()
    );
    let plan = pspm_config::plan::parse(out, &text).map_err(|error| ImportError::NotLoadable {
        path: input.to_path_buf(),
        error,
    })?;
    Ok((text, plan))
}

/// Reads the spreadsheet `input` and writes its plan file to `out`, whole, or nothing at all.
pub fn import(input: &Path, out: &Path) -> Result<Plan, ImportError> {
    let (text, plan) = convert(input, out)?;
    super::write_whole(out, &text)?;
    Ok(plan)
}

#[cfg(test)]
mod tests;
