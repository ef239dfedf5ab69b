//! Markdown to plain text: enough of CommonMark for documents people write (headings,
//! emphasis, links, images, lists, quotes, tables, code), without a Markdown crate.

use super::{front_matter, html, normalise_paragraphs, push_heading, ParsedDocument};

pub(crate) fn parse(text: &str) -> ParsedDocument {
    let (front_matter, content) = front_matter::split(text);
    let (title, body) = convert(content);
    ParsedDocument {
        title,
        body,
        front_matter,
    }
}

/// Markdown inside another format (a `publiccode.yml` description) as plain paragraphs,
/// its first heading kept among them: it has no front matter, and no title to give.
pub(crate) fn plain_text(content: &str) -> String {
    match convert(content) {
        (Some(heading), body) if body.is_empty() => heading,
        (Some(heading), body) => format!("{heading}\n\n{body}"),
        (None, body) => body,
    }
}

/// Markdown without its front matter: the first heading, and the text.
fn convert(content: &str) -> (Option<String>, String) {
    let lines: Vec<&str> = content.lines().collect();
    let mut title: Option<String> = None;
    let mut out = String::new();
    let mut in_code_fence = false;
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index];
        let trimmed = line.trim();
        index += 1;
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_code_fence = !in_code_fence;
            out.push('\n');
            continue;
        }
        if in_code_fence {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        // Setext heading: a text line underlined with === or ---.
        if let Some(next) = lines.get(index) {
            let next = next.trim();
            let underline = !next.is_empty()
                && (next.chars().all(|c| c == '=') || next.chars().all(|c| c == '-'))
                && !trimmed.is_empty();
            if underline {
                index += 1;
                push_heading(&mut title, &mut out, &strip_inline(trimmed));
                continue;
            }
        }
        if let Some(heading) = atx_heading(trimmed) {
            push_heading(&mut title, &mut out, &strip_inline(heading));
            continue;
        }
        if is_rule_or_table_separator(trimmed) || is_link_definition(trimmed) {
            out.push('\n');
            continue;
        }
        let content = strip_block_markers(trimmed);
        out.push_str(&strip_inline(content).replace('|', " "));
        out.push('\n');
    }
    (title, normalise_paragraphs(&out))
}

fn atx_heading(line: &str) -> Option<&str> {
    let hashes = line.chars().take_while(|&c| c == '#').count();
    if hashes == 0 || hashes > 6 {
        return None;
    }
    let rest = &line[hashes..];
    if !rest.is_empty() && !rest.starts_with(' ') {
        return None;
    }
    Some(rest.trim().trim_end_matches('#').trim())
}

fn is_rule_or_table_separator(line: &str) -> bool {
    let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    compact.len() >= 3
        && (compact.chars().all(|c| c == '*')
            || compact.chars().all(|c| c == '_')
            || compact.chars().all(|c| matches!(c, '-' | '|' | ':')) && compact.contains('-'))
}

fn is_link_definition(line: &str) -> bool {
    line.starts_with('[') && line.contains("]:")
}

fn strip_block_markers(mut line: &str) -> &str {
    while let Some(rest) = line.strip_prefix('>') {
        line = rest.trim_start();
    }
    for marker in ["- ", "* ", "+ "] {
        if let Some(rest) = line.strip_prefix(marker) {
            return rest.trim_start();
        }
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 {
        let rest = &line[digits..];
        if let Some(rest) = rest.strip_prefix(". ").or(rest.strip_prefix(") ")) {
            return rest.trim_start();
        }
    }
    line
}

/// Removes inline markup: images and links keep their text, HTML tags go, emphasis and
/// code markers go.
fn strip_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut next = NextChar::new(&chars);
    let mut index = 0;
    while index < chars.len() {
        let c = chars[index];
        match c {
            '!' if chars.get(index + 1) == Some(&'[') => {
                index += 1;
            }
            '[' => {
                // [text](url) or [text][ref]: keep the text, skip the target.
                if let Some(close) = next.find(index + 1, ']') {
                    let label: String = chars[index + 1..close].iter().collect();
                    out.push_str(&strip_inline(&label));
                    index = close + 1;
                    let opener = chars.get(index).copied();
                    let closer = match opener {
                        Some('(') => Some(')'),
                        Some('[') => Some(']'),
                        _ => None,
                    };
                    if let Some(closer) = closer {
                        if let Some(end) = next.find(index + 1, closer) {
                            index = end + 1;
                        }
                    }
                    continue;
                }
                out.push(c);
                index += 1;
            }
            '<' => {
                // Autolinks keep their address; other tags vanish.
                if let Some(close) = next.find(index + 1, '>') {
                    let inner: String = chars[index + 1..close].iter().collect();
                    if inner.contains("://") || inner.contains('@') && !inner.contains(' ') {
                        out.push_str(&inner);
                    }
                    index = close + 1;
                    continue;
                }
                out.push(c);
                index += 1;
            }
            '*' | '`' => index += 1,
            '_' if is_emphasis_underscore(&chars, index) => index += 1,
            '&' => {
                // Entities like &egrave; in Markdown are HTML's.
                let rest: String = chars[index..chars.len().min(index + 12)].iter().collect();
                if let Some(semicolon) = rest.find(';') {
                    let decoded = html::decode_entities(&rest[..=semicolon]);
                    if decoded != rest[..=semicolon] {
                        out.push_str(&decoded);
                        index += rest[..=semicolon].chars().count();
                        continue;
                    }
                }
                out.push(c);
                index += 1;
            }
            '\\' if chars
                .get(index + 1)
                .is_some_and(|next| next.is_ascii_punctuation()) =>
            {
                out.push(chars[index + 1]);
                index += 2;
            }
            _ => {
                out.push(c);
                index += 1;
            }
        }
    }
    out
}

/// The next position of a character at or after a position, for searches that only move
/// forward (as the scan of a line does): a result serves until the scan passes it, and a
/// search that found nothing is not repeated. Without this, a line of `[`, `<` or `](`
/// with nothing to close them read the rest of the line at each one: quadratic.
struct NextChar<'a> {
    chars: &'a [char],
    /// Per character: where its last search started and what it found.
    searched: Vec<(char, usize, Option<usize>)>,
}

impl<'a> NextChar<'a> {
    fn new(chars: &'a [char]) -> NextChar<'a> {
        NextChar {
            chars,
            searched: Vec::new(),
        }
    }

    fn find(&mut self, from: usize, target: char) -> Option<usize> {
        let slot = self.searched.iter().position(|&(c, _, _)| c == target);
        if let Some(slot) = slot {
            // Nothing is between where that search started and what it found.
            match self.searched[slot] {
                (_, started, None) if from >= started => return None,
                (_, started, Some(at)) if (started..=at).contains(&from) => return Some(at),
                _ => {}
            }
        }
        let found = self.chars[from.min(self.chars.len())..]
            .iter()
            .position(|&c| c == target)
            .map(|offset| from + offset);
        match slot {
            Some(slot) => self.searched[slot] = (target, from, found),
            None => self.searched.push((target, from, found)),
        }
        found
    }
}

/// `_` marks emphasis at word edges; inside a word (`snake_case`) it is text.
fn is_emphasis_underscore(chars: &[char], index: usize) -> bool {
    let before = index.checked_sub(1).and_then(|i| chars.get(i));
    let after = chars.get(index + 1);
    let alnum = |c: Option<&char>| c.is_some_and(|c| c.is_alphanumeric());
    !(alnum(before) && alnum(after))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_title_summary_and_markup_removal() {
        let text = "# Piano *triennale*\n\nIl **piano** descrive [la strategia](http://x.it) \
                    e ![logo](l.png) i `dati`.\n\n## Obiettivi\n\n- primo\n- secondo_punto\n\n\
                    | a | b |\n|---|---|\n| c | d |\n";
        let parsed = parse(text);
        assert_eq!(parsed.title.as_deref(), Some("Piano triennale"));
        assert!(parsed
            .body
            .starts_with("Il piano descrive la strategia e logo i dati."));
        assert!(parsed.body.contains("Obiettivi"));
        assert!(parsed.body.contains("primo secondo_punto"));
        assert!(!parsed.body.contains("http://x.it"));
        assert!(!parsed.body.contains('|'));
        assert!(!parsed.body.contains("---"));
    }

    #[test]
    fn setext_heading_and_front_matter_title() {
        let parsed = parse("Titolo\n======\n\nTesto.");
        assert_eq!(parsed.title.as_deref(), Some("Titolo"));
        assert_eq!(parsed.body, "Testo.");
        let parsed = parse("---\ntitle: Dal front matter\n---\n# Dal testo\n\nCorpo.");
        assert_eq!(
            parsed.front_matter.title.as_deref(),
            Some("Dal front matter")
        );
        assert_eq!(parsed.title.as_deref(), Some("Dal testo"));
    }
}
