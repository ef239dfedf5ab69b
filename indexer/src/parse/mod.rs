//! Turning files into text: one module per format, plus front matter and the shared
//! helpers (decoding, summaries, whitespace). A `publiccode.yml` is a format of its own,
//! known by its name rather than its extension.

mod front_matter;
#[cfg(test)]
mod fuzz_tests;
mod html;
mod markdown;
mod pdf;
mod publiccode;
mod rst;
#[cfg(test)]
mod scaling_tests;
mod text;

use std::path::Path;

pub use front_matter::FrontMatter;

use crate::practice::IngestLimits;

/// What a parser extracts from one file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedDocument {
    /// Title found in the content (heading, `<title>`, PDF metadata), if any.
    pub title: Option<String>,
    /// Plain text; paragraphs separated by blank lines.
    pub body: String,
    /// Keys from front matter; they override whatever is inferred.
    pub front_matter: FrontMatter,
}

/// The formats the repository reads, chosen by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Text,
    ReStructuredText,
    Html,
    Pdf,
    /// Software metadata: `publiccode.yml` or `publiccode.yaml`.
    PublicCode,
}

impl Format {
    pub fn from_path(path: &Path) -> Option<Format> {
        if path
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(publiccode::is_publiccode)
        {
            return Some(Format::PublicCode);
        }
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "md" | "markdown" => Some(Format::Markdown),
            "txt" | "text" => Some(Format::Text),
            "rst" | "rest" => Some(Format::ReStructuredText),
            "html" | "htm" | "xhtml" => Some(Format::Html),
            "pdf" => Some(Format::Pdf),
            _ => None,
        }
    }
}

/// Parses `bytes` as `format` within the default [`IngestLimits`]; the error is a reason a
/// person can read.
pub fn parse(format: Format, bytes: &[u8]) -> Result<ParsedDocument, String> {
    parse_limited(format, bytes, &IngestLimits::default())
}

/// Parses `bytes` as `format`; a PDF stream that would decompress past
/// `max_pdf_stream_bytes`, or text longer than `max_text_bytes`, is an error.
pub fn parse_limited(
    format: Format,
    bytes: &[u8],
    limits: &IngestLimits,
) -> Result<ParsedDocument, String> {
    let parsed = match format {
        Format::Pdf => pdf::parse(bytes, limits)?,
        Format::Markdown => markdown::parse(&decode_text(bytes)),
        Format::Text => text::parse(&decode_text(bytes)),
        Format::ReStructuredText => rst::parse(&decode_text(bytes)),
        Format::Html => html::parse(&decode_text(bytes)),
        Format::PublicCode => publiccode::parse(&decode_text(bytes))?,
    };
    if parsed.body.len() > limits.max_text_bytes {
        return Err(text_too_long(parsed.body.len(), limits));
    }
    Ok(parsed)
}

/// The reason a file's text is refused.
pub(crate) fn text_too_long(bytes: usize, limits: &IngestLimits) -> String {
    format!(
        "its text ({}) is longer than the limit of {} (index.max_text_mib)",
        size(bytes as u64),
        size(limits.max_text_bytes as u64)
    )
}

/// A size as people read it: bytes below a MiB, MiB with one decimal above.
pub(crate) fn size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes < MIB {
        format!("{bytes} bytes")
    } else {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    }
}

/// UTF-8 when valid, else Latin-1: older Italian PA documents are often Windows-1252, and
/// Latin-1 gets their accented letters right.
pub(crate) fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.replace("\r\n", "\n"),
        Err(_) => bytes
            .iter()
            .map(|&byte| byte as char)
            .collect::<String>()
            .replace("\r\n", "\n"),
    }
}

/// Collapses runs of whitespace into single spaces.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Joins lines into paragraphs: blank lines separate paragraphs, whitespace inside one is
/// collapsed, empty paragraphs disappear.
pub(crate) fn normalise_paragraphs(text: &str) -> String {
    let mut paragraphs = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
            continue;
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&collapse_whitespace(line));
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    paragraphs.join("\n\n")
}

/// The first heading becomes the title (and leaves the body); later ones stay as text.
pub(crate) fn push_heading(title: &mut Option<String>, out: &mut String, heading: &str) {
    if title.is_none() && !heading.is_empty() {
        *title = Some(heading.to_string());
    } else {
        out.push('\n');
        out.push_str(heading);
        out.push('\n');
    }
    out.push('\n');
}

/// Most characters a derived summary keeps.
const SUMMARY_MAX_CHARS: usize = 300;

/// The first real paragraph of a body, cut at a word boundary: short heading-like lines
/// are passed over when a longer paragraph follows.
pub fn summarise(body: &str) -> String {
    let paragraphs: Vec<&str> = body
        .split("\n\n")
        .map(str::trim)
        .filter(|paragraph| !paragraph.is_empty())
        .collect();
    let chosen = paragraphs
        .iter()
        .find(|paragraph| paragraph.chars().count() >= 60)
        .or(paragraphs.first())
        .copied()
        .unwrap_or_default();
    truncate_words(&collapse_whitespace(chosen), SUMMARY_MAX_CHARS)
}

/// Cuts `text` to at most `max_chars` characters at a word boundary, marking the cut with `…`.
/// The start of `text`, whitespace collapsed, up to `max_chars` characters, cut at a word
/// (then ending in `…`): [`truncate_words`] of [`collapse_whitespace`], in one pass over the
/// start only (indexing runs it on every practice, search on many hits).
pub(crate) fn collapsed_opening(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(max_chars + max_chars / 4);
    let mut chars = 0;
    for piece in text.split_whitespace() {
        let space = usize::from(chars > 0);
        let length = piece.chars().count();
        if chars + space + length > max_chars {
            if chars <= max_chars / 2 {
                // A word too long to cut before: cut inside it.
                if space == 1 {
                    out.push(' ');
                }
                out.extend(piece.chars().take(max_chars - chars - space));
            }
            let kept = out.trim_end_matches([',', ';', ':', ' ']).len();
            out.truncate(kept);
            out.push('…');
            return out;
        }
        if space == 1 {
            out.push(' ');
        }
        out.push_str(piece);
        chars += space + length;
    }
    out
}

pub(crate) fn truncate_words(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let cut: String = text.chars().take(max_chars).collect();
    let at_word = match cut.rfind(' ') {
        Some(space) if space > max_chars / 2 => &cut[..space],
        _ => cut.as_str(),
    };
    format!("{}…", at_word.trim_end_matches([',', ';', ':', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapsed_openings_are_cut_at_words() {
        assert_eq!(
            collapsed_opening("  Il  riuso\n\ndel software ", 100),
            "Il riuso del software"
        );
        assert_eq!(
            collapsed_opening("Il riuso del software, oggi", 22),
            "Il riuso del software…"
        );
        assert_eq!(collapsed_opening("Il riuso", 8), "Il riuso");
        assert_eq!(collapsed_opening("Parolalunghissima", 8), "Parolalu…");
        for text in ["à è ì ò ù ".repeat(50), "qualità ".repeat(80)] {
            let opening = collapsed_opening(&text, 100);
            assert!(opening.chars().count() <= 101, "{opening}");
            assert_eq!(
                opening,
                truncate_words(&collapse_whitespace(&text), 100)
                    .trim_end_matches([' ', '…'])
                    .to_string()
                    + "…"
            );
        }
    }

    #[test]
    fn latin1_bytes_decode_to_accented_letters() {
        assert_eq!(decode_text(b"qualit\xe0"), "qualità");
        assert_eq!(decode_text("qualità".as_bytes()), "qualità");
    }

    #[test]
    fn summary_skips_short_lines_and_cuts_at_a_word() {
        let body = format!("Intro\n\n{}", "parola ".repeat(100));
        let summary = summarise(&body);
        assert!(summary.starts_with("parola parola"));
        assert!(summary.ends_with('…'));
        assert!(summary.chars().count() <= SUMMARY_MAX_CHARS + 1);
        assert_eq!(summarise("Solo questo."), "Solo questo.");
    }

    #[test]
    fn format_follows_the_extension_case_insensitively() {
        assert_eq!(
            Format::from_path(Path::new("a/b.RST")),
            Some(Format::ReStructuredText)
        );
        assert_eq!(Format::from_path(Path::new("x.htm")), Some(Format::Html));
        assert_eq!(Format::from_path(Path::new("LICENSE")), None);
        assert_eq!(Format::from_path(Path::new("foto.png")), None);
        assert_eq!(
            Format::from_path(Path::new("repo/PublicCode.yml")),
            Some(Format::PublicCode)
        );
        assert_eq!(
            Format::from_path(Path::new("repo/publiccode.yaml")),
            Some(Format::PublicCode)
        );
        assert_eq!(Format::from_path(Path::new("repo/config.yml")), None);
    }
}
