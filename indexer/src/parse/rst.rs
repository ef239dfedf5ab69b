//! reStructuredText to plain text: section titles (over/underlined), directives (dropped,
//! except admonitions whose text is content), comments, targets, roles, links, grid tables.

use super::{normalise_paragraphs, push_heading, ParsedDocument};

/// Directives whose indented block is prose worth indexing.
const CONTENT_DIRECTIVES: &[&str] = &[
    "note",
    "warning",
    "tip",
    "hint",
    "important",
    "attention",
    "caution",
    "danger",
    "error",
    "admonition",
    "only",
    "container",
    "topic",
    "sidebar",
    "rubric",
    "epigraph",
    "highlights",
    "pull-quote",
    "seealso",
    "versionadded",
    "versionchanged",
    "deprecated",
];

/// Longest footnote reference, `[` to `]_`.
const FOOTNOTE_REFERENCE_BYTES: usize = 21;

/// Directives nested deeper than this are kept as plain lines, not parsed again: each level
/// parses its block anew, so depth multiplies the work (and recursion the stack).
const MAX_DIRECTIVE_DEPTH: usize = 8;

/// Characters that may adorn a section title.
fn is_adornment_char(c: char) -> bool {
    matches!(
        c,
        '=' | '-' | '~' | '*' | '^' | '#' | '"' | '+' | '`' | ':' | '\'' | '.' | '_' | '<' | '>'
    )
}

/// A line of one repeated adornment character, at least three long.
fn is_adornment(line: &str) -> bool {
    let line = line.trim_end();
    let mut chars = line.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    is_adornment_char(first) && line.chars().count() >= 3 && chars.all(|c| c == first)
}

fn indentation(line: &str) -> usize {
    line.chars().take_while(|c| *c == ' ' || *c == '\t').count()
}

pub(crate) fn parse(text: &str) -> ParsedDocument {
    parse_nested(text, 0)
}

/// Parses a document, or the block of a directive nested `depth` deep.
fn parse_nested(text: &str, depth: usize) -> ParsedDocument {
    if depth > MAX_DIRECTIVE_DEPTH {
        return ParsedDocument {
            title: None,
            body: normalise_paragraphs(&strip_inline(text)),
            front_matter: Default::default(),
        };
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut title: Option<String> = None;
    let mut out = String::new();
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index];
        let trimmed = line.trim();
        let indent = indentation(line);

        if trimmed == ".." || trimmed.starts_with(".. ") {
            index = explicit_markup(&lines, index, depth, &mut out);
            continue;
        }

        // Title with overline: adornment, text, adornment.
        if is_adornment(line)
            && index + 2 < lines.len()
            && !lines[index + 1].trim().is_empty()
            && is_adornment(lines[index + 2])
        {
            push_heading(&mut title, &mut out, &strip_inline(lines[index + 1].trim()));
            index += 3;
            continue;
        }
        // Title with underline only.
        if indent == 0
            && !trimmed.is_empty()
            && !is_adornment(line)
            && lines.get(index + 1).is_some_and(|next| is_adornment(next))
        {
            push_heading(&mut title, &mut out, &strip_inline(trimmed));
            index += 2;
            continue;
        }
        // Transitions, simple-table borders and grid-table borders carry no text.
        if is_adornment(line) || is_table_border(trimmed) {
            out.push('\n');
            index += 1;
            continue;
        }
        let content = strip_list_marker(trimmed).replace('|', " ");
        out.push_str(&strip_inline(&content));
        out.push('\n');
        index += 1;
    }
    ParsedDocument {
        title,
        body: normalise_paragraphs(&out),
        front_matter: Default::default(),
    }
}

/// Handles `.. something` at `start`; returns the index of the first line after it.
fn explicit_markup(lines: &[&str], start: usize, depth: usize, out: &mut String) -> usize {
    let line = lines[start];
    let indent = indentation(line);
    let markup = line.trim().trim_start_matches("..").trim();
    let block_end = indented_block_end(lines, start + 1, indent);

    if let Some((name, argument)) = markup.split_once("::") {
        let name = name.trim().to_lowercase();
        let is_substitution = name.starts_with('|');
        if !is_substitution && CONTENT_DIRECTIVES.contains(&name.as_str()) {
            out.push('\n');
            let argument = argument.trim();
            if !argument.is_empty() && name != "only" {
                out.push_str(&strip_inline(argument));
                out.push('\n');
            }
            // Options (`:class: x`) open the block; the rest is content parsed as usual.
            let mut body_start = start + 1;
            while body_start < block_end && is_option_line(lines[body_start]) {
                body_start += 1;
            }
            let inner: Vec<&str> = lines[body_start..block_end].to_vec();
            let dedented = dedent(&inner);
            let parsed = parse_nested(&dedented, depth + 1);
            if let Some(heading) = parsed.title {
                out.push_str(&heading);
                out.push_str("\n\n");
            }
            out.push_str(&parsed.body);
            out.push_str("\n\n");
        }
        // Images, figures, toctrees, includes, code and unknown directives: no prose.
        return block_end;
    }
    if let Some(rest) = markup.strip_prefix('[') {
        // Footnote or citation: `.. [1] text`; its text is content.
        if let Some((_, text)) = rest.split_once(']') {
            out.push('\n');
            out.push_str(&strip_inline(text.trim()));
            out.push('\n');
            let inner = dedent(&lines[start + 1..block_end]);
            out.push_str(&parse_nested(&inner, depth + 1).body);
            out.push_str("\n\n");
        }
        return block_end;
    }
    // Hyperlink targets (`.. _name:`) and comments.
    block_end
}

/// The end of the block indented deeper than `indent` that starts at `from`; blank lines
/// inside it belong to it.
fn indented_block_end(lines: &[&str], from: usize, indent: usize) -> usize {
    let mut end = from;
    let mut index = from;
    while index < lines.len() {
        let line = lines[index];
        if line.trim().is_empty() {
            index += 1;
            continue;
        }
        if indentation(line) > indent {
            index += 1;
            end = index;
        } else {
            break;
        }
    }
    end
}

fn is_option_line(line: &str) -> bool {
    let trimmed = line.trim();
    trimmed.starts_with(':') && trimmed[1..].find(':').is_some_and(|colon| colon > 0)
}

fn dedent(lines: &[&str]) -> String {
    let common = lines
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| indentation(line))
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|line| line.chars().skip(common).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_table_border(line: &str) -> bool {
    line.len() >= 3
        && line.starts_with('+')
        && line.chars().all(|c| matches!(c, '+' | '-' | '=' | ':'))
        || line.len() >= 3 && line.contains("==") && line.chars().all(|c| c == '=' || c == ' ')
}

fn strip_list_marker(line: &str) -> &str {
    for marker in ["- ", "* ", "+ ", "• ", "#. "] {
        if let Some(rest) = line.strip_prefix(marker) {
            return rest.trim_start();
        }
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 {
        if let Some(rest) = line[digits..].strip_prefix(". ") {
            return rest.trim_start();
        }
    }
    line
}

/// Removes inline markup: roles keep their text (or their target, made readable), links
/// keep their text, emphasis and literal markers go, footnote references go.
pub(crate) fn strip_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        // A role: `:name:`...``
        if rest.starts_with(':') {
            if let Some(role_len) = role_prefix_len(rest) {
                let after_role = &rest[role_len..];
                if let Some((inner, remaining)) = backquoted(after_role) {
                    let (label, target) = split_link(inner);
                    if label.is_empty() {
                        out.push_str(&target.replace(['-', '_'], " "));
                    } else {
                        out.push_str(label);
                    }
                    rest = remaining;
                    continue;
                }
            }
        }
        if rest.starts_with("``") {
            if let Some(end) = rest[2..].find("``") {
                out.push_str(&rest[2..2 + end]);
                rest = &rest[2 + end + 2..];
                continue;
            }
        }
        if rest.starts_with('`') {
            if let Some((inner, remaining)) = backquoted(rest) {
                let (label, target) = split_link(inner);
                out.push_str(if label.is_empty() { target } else { label });
                rest = remaining.trim_start_matches('_');
                continue;
            }
        }
        if rest.starts_with('[') {
            // Footnote references: [1]_, [#]_, [#name]_, short: looking further would read
            // the rest of the line again at every `[`.
            let close = rest.as_bytes()[..rest.len().min(FOOTNOTE_REFERENCE_BYTES)]
                .windows(2)
                .position(|pair| pair == b"]_");
            if let Some(close) = close {
                let label = &rest[1..close];
                if !label.contains(' ') {
                    // The space before a removed reference would dangle before punctuation.
                    if out.ends_with(' ') {
                        out.pop();
                    }
                    rest = &rest[close + 2..];
                    continue;
                }
            }
        }
        let mut chars = rest.chars();
        let Some(c) = chars.next() else {
            break;
        };
        match c {
            '*' => {}
            // `word_` is a reference to a target named word; the text is the word.
            '_' if chars
                .clone()
                .next()
                .is_none_or(|next| next.is_whitespace() || next.is_ascii_punctuation())
                && out.chars().last().is_some_and(char::is_alphanumeric) => {}
            '\\' => {}
            _ => out.push(c),
        }
        rest = chars.as_str();
    }
    out
}

/// Length of `:name:` at the start of `text`, when it is a role.
fn role_prefix_len(text: &str) -> Option<usize> {
    let after_colon = &text[1..];
    let name_len = after_colon.find(':')?;
    let name = &after_colon[..name_len];
    let is_role_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '+'));
    let total = 1 + name_len + 1;
    (is_role_name && text[total..].starts_with('`')).then_some(total)
}

/// `` `inner`rest `` → (inner, rest).
fn backquoted(text: &str) -> Option<(&str, &str)> {
    let inner_start = text.strip_prefix('`')?;
    let end = inner_start.find('`')?;
    Some((&inner_start[..end], &inner_start[end + 1..]))
}

/// `text <target>` → (text, target); `target` alone → ("", target).
fn split_link(inner: &str) -> (&str, &str) {
    if let Some(open) = inner.rfind('<') {
        if inner.ends_with('>') {
            return (inner[..open].trim(), &inner[open + 1..inner.len() - 1]);
        }
    }
    ("", inner.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rst_title_from_underlined_and_overlined_headings() {
        let parsed = parse(".. _tco:\n\nTotal Cost of Ownership (TCO)\n-----------------------------\n\nLe valutazioni.\n\nSezione\n~~~~~~~\n\nAltro.");
        assert_eq!(
            parsed.title.as_deref(),
            Some("Total Cost of Ownership (TCO)")
        );
        assert_eq!(parsed.body, "Le valutazioni.\n\nSezione\n\nAltro.");
        let parsed = parse("=======\n Guida\n=======\n\nTesto.");
        assert_eq!(parsed.title.as_deref(), Some("Guida"));
    }

    #[test]
    fn rst_directives_roles_and_links_are_stripped() {
        let text = "Titolo\n======\n\n.. image:: foto.png\n   :alt: foto\n\n\
                    .. Note::\n    Queste linee guida sono in vigore.\n\n\
                    .. toctree::\n   :maxdepth: 3\n\n   premessa.rst\n\n\
                    Vedi :ref:`scelta-code-hosting` e :ref:`la guida <guida-licenze>`,\n\
                    il sito `Developers Italia <https://developers.italia.it>`_ e il **riuso** del\n\
                    *software* con ``git`` [1]_.\n\n.. [1] Una nota.\n";
        let parsed = parse(text);
        assert_eq!(parsed.title.as_deref(), Some("Titolo"));
        assert!(parsed.body.contains("Queste linee guida sono in vigore."));
        assert!(parsed.body.contains(
            "Vedi scelta code hosting e la guida, il sito Developers Italia e il riuso del software con git."
        ));
        assert!(parsed.body.contains("Una nota."));
        for absent in [
            "foto",
            "toctree",
            "premessa.rst",
            "https://",
            ":ref:",
            "maxdepth",
            "[1]",
        ] {
            assert!(
                !parsed.body.contains(absent),
                "{absent} left in {:?}",
                parsed.body
            );
        }
    }

    #[test]
    fn rst_grid_tables_keep_cell_text() {
        let parsed =
            parse("+-----+-----+\n| a   | b   |\n+=====+=====+\n| c   | d   |\n+-----+-----+\n");
        assert_eq!(parsed.body, "a b\n\nc d");
    }
}
