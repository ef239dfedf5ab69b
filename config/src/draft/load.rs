//! Reading a section's draft for the plan file: one Markdown, reStructuredText or plain text
//! file, or a folder of them read in file-name order (other files, hidden files and
//! subfolders are left alone), numbered across the files. A file that cannot be read, is of
//! another kind or holds no text is an error naming the plan file and the key.

use std::path::{Path, PathBuf};

use super::{split_from, Format, Paragraph};
use crate::ConfigError;

/// The paragraphs of the draft at `path` (a file or a folder), for the plan file `plan` and
/// its key `key` (`sections[0].text`), which errors name.
pub fn load(plan: &Path, key: &str, path: &Path) -> Result<Vec<Paragraph>, ConfigError> {
    let fail = |reason: String| ConfigError::invalid(plan, key, reason);
    let metadata = std::fs::metadata(path)
        .map_err(|e| fail(format!("cannot read {}: {e}", path.display())))?;
    let files = if metadata.is_dir() {
        let files = folder_files(path).map_err(|e| fail(e.to_string()))?;
        if files.is_empty() {
            return Err(fail(format!(
                "the folder {} holds no .md, .rst or .txt file",
                path.display()
            )));
        }
        files
    } else if Format::of(path).is_some() {
        vec![path.to_path_buf()]
    } else {
        return Err(fail(format!(
            "{} is not Markdown (.md), reStructuredText (.rst) or plain text (.txt)",
            path.display()
        )));
    };
    let mut paragraphs: Vec<Paragraph> = Vec::new();
    for file in files {
        let Some(format) = Format::of(&file) else {
            continue;
        };
        let text = std::fs::read_to_string(&file)
            .map_err(|e| fail(format!("cannot read {}: {e}", file.display())))?;
        let next = u32::try_from(paragraphs.len() + 1).unwrap_or(u32::MAX);
        let found = split_from(format, &text, next);
        if found.is_empty() {
            return Err(fail(format!("{} has no text", file.display())));
        }
        paragraphs.extend(found);
    }
    Ok(paragraphs)
}

/// The draft files of a folder, by name.
fn folder_files(folder: &Path) -> Result<Vec<PathBuf>, String> {
    let cannot = |e: std::io::Error| format!("cannot read {}: {e}", folder.display());
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder).map_err(cannot)? {
        let path = entry.map_err(cannot)?.path();
        let hidden = path
            .file_name()
            .is_some_and(|name| name.to_string_lossy().starts_with('.'));
        if !hidden && path.is_file() && Format::of(&path).is_some() {
            files.push(path);
        }
    }
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    Ok(files)
}
