//! From paths to practices: walking folders, folder-level LICENSE/SOURCE files, ids,
//! content hashes and the metadata inferred when front matter is silent.

use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::analysis::detect_language;
use crate::parse::{self, Format};
use crate::practice::{IngestLimits, Practice, PracticeType, Rating, Status};

/// Files whose first line names the licence of everything in their folder.
const LICENCE_FILES: &[&str] = &["LICENSE", "LICENCE", "LICENSE.txt", "LICENSE.md", "COPYING"];
/// Files saying where the folder's documents come from.
const SOURCE_FILES: &[&str] = &["SOURCE", "SOURCE.txt", "SOURCE.md"];

/// Licence and source inherited from the nearest folder that declares them.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct FolderContext {
    pub licence: Option<String>,
    /// The declared source and the folder it was declared in (paths are shown relative to it).
    pub source: Option<(String, PathBuf)>,
}

impl FolderContext {
    fn inherit(&self, folder: &Path) -> FolderContext {
        let mut context = self.clone();
        if let Some(licence) = first_existing(folder, LICENCE_FILES).and_then(|text| {
            text.lines()
                .map(str::trim)
                .find(|line| !line.is_empty())
                .map(|line| parse::truncate_words(line, 80))
        }) {
            context.licence = Some(licence);
        }
        if let Some(source) =
            first_existing(folder, SOURCE_FILES).and_then(|text| source_line(&text))
        {
            context.source = Some((source, folder.to_path_buf()));
        }
        context
    }
}

/// How much of a LICENSE or SOURCE file is read: what they say is in their first lines.
const FOLDER_FILE_BYTES: u64 = 64 * 1024;

fn first_existing(folder: &Path, names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|name| read_head(&folder.join(name)).ok())
        .map(|bytes| parse::decode_text(&bytes))
}

/// The first [`FOLDER_FILE_BYTES`] of a file, without a character cut in two at the end.
fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    fs::File::open(path)?
        .take(FOLDER_FILE_BYTES)
        .read_to_end(&mut bytes)?;
    if let Err(error) = std::str::from_utf8(&bytes) {
        if error.error_len().is_none() {
            bytes.truncate(error.valid_up_to());
        }
    }
    Ok(bytes)
}

/// A URL when the file has one, else its last non-empty line (SOURCE files often hold a
/// commit line followed by the repository).
fn source_line(text: &str) -> Option<String> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let url = lines.iter().find_map(|line| {
        line.split_whitespace()
            .find(|word| word.starts_with("http://") || word.starts_with("https://"))
    });
    url.or(lines.last().copied()).map(str::to_string)
}

/// One file to ingest.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub path: PathBuf,
    pub format: Format,
    pub context: FolderContext,
}

/// What walking the given paths found.
#[derive(Debug, Default)]
pub(crate) struct Walk {
    pub candidates: Vec<Candidate>,
    /// Folders given by the caller: files indexed under them but gone now are removed.
    pub roots: Vec<PathBuf>,
    pub failed: Vec<(PathBuf, String)>,
}

/// Collects the supported files under `paths` (canonical, deduplicated, in name order).
/// Unsupported files inside folders are passed over; one named explicitly is a failure.
pub(crate) fn walk(paths: &[PathBuf]) -> Walk {
    let mut walk = Walk::default();
    let mut seen = BTreeSet::new();
    for path in paths {
        let canonical = match fs::canonicalize(path) {
            Ok(canonical) => canonical,
            Err(error) => {
                walk.failed.push((path.clone(), error.to_string()));
                continue;
            }
        };
        if canonical.is_dir() {
            walk.roots.push(canonical.clone());
            walk_folder(&canonical, &FolderContext::default(), &mut walk, &mut seen);
        } else {
            match Format::from_path(&canonical) {
                Some(format) => {
                    // A file added alone takes the licence and source of its own folder.
                    let context = canonical
                        .parent()
                        .map(|parent| FolderContext::default().inherit(parent))
                        .unwrap_or_default();
                    if seen.insert(canonical.clone()) {
                        walk.candidates.push(Candidate {
                            path: canonical,
                            format,
                            context,
                        });
                    }
                }
                None => walk.failed.push((
                    canonical,
                    "unsupported format (use .md, .txt, .rst, .html, .pdf or a publiccode.yml)"
                        .to_string(),
                )),
            }
        }
    }
    walk
}

fn walk_folder(
    folder: &Path,
    inherited: &FolderContext,
    walk: &mut Walk,
    seen: &mut BTreeSet<PathBuf>,
) {
    let context = inherited.inherit(folder);
    let entries = match fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(error) => {
            walk.failed.push((folder.to_path_buf(), error.to_string()));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => paths.push(entry.path()),
            Err(error) => walk.failed.push((folder.to_path_buf(), error.to_string())),
        }
    }
    paths.sort();
    for path in paths {
        let name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.')
            || LICENCE_FILES.contains(&name.as_str())
            || SOURCE_FILES.contains(&name.as_str())
        {
            continue;
        }
        let is_symlink =
            fs::symlink_metadata(&path).is_ok_and(|meta| meta.file_type().is_symlink());
        // Following the link reports broken ones; linked folders are not entered (cycles).
        let metadata = match fs::metadata(&path) {
            Ok(metadata) => metadata,
            Err(error) => {
                if Format::from_path(&path).is_some() || is_symlink {
                    walk.failed.push((path, error.to_string()));
                }
                continue;
            }
        };
        if metadata.is_dir() {
            if !is_symlink {
                walk_folder(&path, &context, walk, seen);
            }
            continue;
        }
        if let Some(format) = Format::from_path(&path) {
            if seen.insert(path.clone()) {
                walk.candidates.push(Candidate {
                    path,
                    format,
                    context: context.clone(),
                });
            }
        }
    }
}

/// FNV-1a, 64 bits: stable across Rust versions and machines, unlike `DefaultHasher`.
pub(crate) fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Eight lowercase hex characters: short enough to type in chat.
pub fn id_for_path(path: &Path) -> String {
    let hash = fnv1a64(path.to_string_lossy().as_bytes());
    format!("{:08x}", (hash ^ (hash >> 32)) as u32)
}

pub(crate) fn content_hash(bytes: &[u8]) -> String {
    format!("{:016x}-{}", fnv1a64(bytes), bytes.len())
}

/// Guesses the type from the title, the path and the opening of the body.
pub fn infer_type(title: &str, path: Option<&Path>, body: &str) -> PracticeType {
    let opening: String = body.chars().take(600).collect();
    let haystack = format!(
        "{} {} {}",
        title,
        path.map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default(),
        opening
    )
    .to_lowercase()
    .replace(['-', '_'], " ");
    let rules: [(PracticeType, &[&str]); 4] = [
        (
            PracticeType::StrategicPlan,
            &[
                "piano strategico",
                "piano triennale",
                "strategic plan",
                "piano integrato",
            ],
        ),
        (
            PracticeType::Guideline,
            &[
                "linee guida",
                "linea guida",
                "guideline",
                "guida ",
                "vademecum",
            ],
        ),
        (
            PracticeType::Methodology,
            &["metodologia", "methodology", "metodo ", "framework"],
        ),
        (
            PracticeType::Experience,
            &[
                "esperienza",
                "caso di studio",
                "case study",
                "experience",
                "buona pratica",
            ],
        ),
    ];
    rules
        .iter()
        .find(|(_, needles)| needles.iter().any(|needle| haystack.contains(needle)))
        .map_or(PracticeType::Other, |(practice_type, _)| *practice_type)
}

/// "total-cost_of ownership" from a file stem, when nothing better names the document.
fn title_from_path(path: &Path) -> String {
    path.file_stem()
        .map(|stem| stem.to_string_lossy().replace(['-', '_'], " "))
        .unwrap_or_default()
}

/// Reads a file of at most `max_bytes`; a larger one is refused without being read (and one
/// that grows while it is read, once it passes the limit).
pub(crate) fn read_capped(path: &Path, max_bytes: u64) -> Result<Vec<u8>, String> {
    let too_large = |size: u64| {
        format!(
            "the file ({}) is larger than the limit of {} (index.max_file_mib)",
            parse::size(size),
            parse::size(max_bytes)
        )
    };
    let file = fs::File::open(path).map_err(|error| error.to_string())?;
    let size = file.metadata().map_err(|error| error.to_string())?.len();
    if size > max_bytes {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|error| error.to_string())?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Runs the parsing of one file so that a panic (a bug in a parser, ours or a library's)
/// skips that file with the panic's message instead of ending the whole ingest. Unwinding
/// out of `work` is safe to catch: it only reads the file's bytes and builds a value that
/// the panic throws away.
pub(crate) fn isolated<T>(work: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    match panic::catch_unwind(AssertUnwindSafe(work)) {
        Ok(result) => result,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|message| (*message).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".to_owned());
            Err(format!(
                "the parser failed on this file ({message}); this is a bug, please report it"
            ))
        }
    }
}

/// Builds the practice for a file; the error is the reason to report.
pub(crate) fn practice_from_file(
    candidate: &Candidate,
    bytes: &[u8],
    added_by: &str,
    added_at: DateTime<Utc>,
    limits: &IngestLimits,
) -> Result<Practice, String> {
    let parsed = parse::parse_limited(candidate.format, bytes, limits)?;
    let front_matter = parsed.front_matter;
    let body = parsed.body;
    let title = front_matter
        .title
        .or(parsed.title)
        .unwrap_or_else(|| title_from_path(&candidate.path));
    if body.trim().is_empty() && title.trim().is_empty() {
        return Err("no text found".to_string());
    }
    let summary = front_matter
        .summary
        .unwrap_or_else(|| parse::summarise(&body));
    let practice_type = front_matter
        .practice_type
        .unwrap_or_else(|| infer_type(&title, Some(&candidate.path), &body));
    let language = front_matter.language.unwrap_or_else(|| {
        let sample: String = body.chars().take(20_000).collect();
        detect_language(&format!("{title}\n{sample}"))
    });
    let source = front_matter
        .source
        .unwrap_or_else(|| match &candidate.context.source {
            Some((source, folder)) => {
                let relative = candidate
                    .path
                    .strip_prefix(folder)
                    .unwrap_or(&candidate.path);
                format!("{source} / {}", relative.display())
            }
            None => candidate.path.display().to_string(),
        });
    let mut tags: Vec<String> = Vec::new();
    for tag in front_matter.tags {
        let tag = tag.trim().to_string();
        if !tag.is_empty() && !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    Ok(Practice {
        id: front_matter
            .id
            .map(|id| id.trim().to_lowercase())
            .unwrap_or_else(|| id_for_path(&candidate.path)),
        title,
        summary,
        body,
        practice_type,
        organisation: front_matter.organisation,
        year: front_matter.year,
        tags,
        language,
        licence: front_matter
            .licence
            .or_else(|| candidate.context.licence.clone()),
        source,
        added_by: added_by.to_string(),
        added_at,
        status: Status::Published,
        rating: Rating::default(),
        path: Some(candidate.path.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_short_stable_hex() {
        let id = id_for_path(Path::new("/data/practices/a.md"));
        assert_eq!(id.len(), 8);
        assert!(id
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_eq!(id, id_for_path(Path::new("/data/practices/a.md")));
        assert_ne!(id, id_for_path(Path::new("/data/practices/b.md")));
        // FNV-1a test vector: the algorithm must not drift between releases.
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn type_is_inferred_from_title_and_path() {
        assert_eq!(
            infer_type("Piano triennale 2024", None, ""),
            PracticeType::StrategicPlan
        );
        assert_eq!(
            infer_type("x", Some(Path::new("/p/linee-guida/a.rst")), ""),
            PracticeType::Guideline
        );
        assert_eq!(infer_type("Ricetta", None, "pasta"), PracticeType::Other);
    }

    #[test]
    fn source_file_prefers_a_url_then_the_last_line() {
        assert_eq!(
            source_line("abc123 Tue Nov 3\nitalia/docs (CC0 1.0)\n").as_deref(),
            Some("italia/docs (CC0 1.0)")
        );
        assert_eq!(
            source_line("see https://example.org/x for more\nother").as_deref(),
            Some("https://example.org/x")
        );
    }
}
