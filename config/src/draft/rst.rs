//! reStructuredText drafts, split by a block splitter (there is no well-kept Rust parser of
//! the language): blocks are separated by blank lines; section titles are underlined, or
//! over- and underlined, with one repeated punctuation character, and each new style is the
//! next level down, as docutils counts them; explicit markup (`.. note::`, `.. _target:`,
//! `.. comment`) takes the block indented under it; a paragraph ending in `::` makes the
//! indented block after it a literal block; bullet, numbered, field and definition lists go
//! on while their lines are items or indented under one; grid and simple tables are whole.
//! The indexer's reader of the language (`indexer/src/parse/rst.rs`) inspired the rules.

use super::{Block, Kind, Lines};

/// Directives whose body is code.
const CODE_DIRECTIVES: &[&str] = &["code", "code-block", "sourcecode", "literalinclude"];
/// Directives that are tables.
const TABLE_DIRECTIVES: &[&str] = &["table", "list-table", "csv-table"];

/// Every block of `text`, in order.
pub fn blocks(text: &str) -> Vec<Block> {
    let lines = Lines::of(text);
    let mut styles: Vec<(char, bool)> = Vec::new();
    let mut blocks = Vec::new();
    // A paragraph ending in `::` makes the next indented block literal.
    let mut literal_next = false;
    let mut index = 0;
    while index < lines.len() {
        if lines.blank(index) {
            index += 1;
            continue;
        }
        let (kind, end) = block_at(&lines, index, literal_next, &mut styles);
        // Every rule takes at least the line it starts at.
        let end = end.max(index + 1);
        let source = lines.text.get(lines.span(index, end)).unwrap_or_default();
        literal_next = matches!(kind, Some(Kind::Paragraph) | None)
            && source.trim_end().ends_with("::")
            && indentation(lines.line(index)) == 0;
        // `::` alone only announces the literal block.
        let kind = if source.trim() == "::" { None } else { kind };
        blocks.push(Block {
            kind,
            span: lines.span(index, end),
        });
        index = end;
    }
    blocks
}

/// The kind of the block starting at line `at` and the line after its end.
fn block_at(
    lines: &Lines<'_>,
    at: usize,
    literal_next: bool,
    styles: &mut Vec<(char, bool)>,
) -> (Option<Kind>, usize) {
    let line = lines.line(at);
    if indentation(line) > 0 {
        let end = indented_end(lines, at, 0);
        // A literal block, a doctest, else a block quote.
        let kind = if literal_next || line.trim_start().starts_with(">>>") {
            Kind::Code
        } else {
            Kind::Paragraph
        };
        return (Some(kind), end);
    }
    let trimmed = line.trim_end();
    if trimmed == ".." || trimmed.starts_with(".. ") {
        return (explicit_markup(trimmed), indented_end(lines, at + 1, 0));
    }
    // A title with an overline: adornment, text, the same adornment.
    if let Some(mark) = adornment(line) {
        let title = lines.line(at + 1);
        if !lines.blank(at + 1)
            && adornment(title).is_none()
            && adornment(lines.line(at + 2)) == Some(mark)
        {
            return (Some(heading(styles, (mark, true))), at + 3);
        }
    }
    // A title with an underline at least as long (or four characters at least).
    if adornment(line).is_none() {
        if let Some(mark) = adornment(lines.line(at + 1)) {
            let underline = lines.line(at + 1).trim_end().chars().count();
            if underline >= 4 || underline >= line.trim_end().chars().count() {
                return (Some(heading(styles, (mark, false))), at + 2);
            }
        }
    }
    // A transition: a line of adornment on its own.
    if adornment(line).is_some() && !is_grid_border(line) && !is_simple_border(line) {
        return (None, at + 1);
    }
    if is_grid_border(line) {
        let mut end = at + 1;
        while end < lines.len()
            && matches!(lines.line(end).trim_start().chars().next(), Some('+' | '|'))
        {
            end += 1;
        }
        return (Some(Kind::Table), end);
    }
    if is_simple_border(line) {
        // Up to the border followed by a blank line (or the end).
        let mut end = at + 1;
        while end < lines.len() {
            if is_simple_border(lines.line(end)) && lines.blank(end + 1) {
                return (Some(Kind::Table), end + 1);
            }
            end += 1;
        }
    }
    if let Some(family) = item_family(line) {
        let mut end = at + 1;
        let mut last = end;
        while end < lines.len() {
            let next = lines.line(end);
            if lines.blank(end) {
                end += 1;
                continue;
            }
            if indentation(next) > 0 || item_family(next) == Some(family) {
                end += 1;
                last = end;
            } else {
                break;
            }
        }
        return (Some(Kind::List), last);
    }
    // A definition list: a term, its definition indented right under it.
    if !lines.blank(at + 1) && indentation(lines.line(at + 1)) > 0 {
        let mut end = at + 1;
        let mut last = end;
        while end < lines.len() {
            let next = lines.line(end);
            let is_term = indentation(next) == 0
                && !lines.blank(end + 1)
                && indentation(lines.line(end + 1)) > 0;
            if lines.blank(end) {
                end += 1;
            } else if indentation(next) > 0 || is_term {
                end += 1;
                last = end;
            } else {
                break;
            }
        }
        return (Some(Kind::List), last);
    }
    // A paragraph: up to the next blank line.
    let mut end = at + 1;
    while end < lines.len() && !lines.blank(end) {
        end += 1;
    }
    let kind = if line.starts_with(">>>") {
        Kind::Code
    } else {
        Kind::Paragraph
    };
    (Some(kind), end)
}

/// The level of a title adorned in `style`: the order in which styles first appear.
fn heading(styles: &mut Vec<(char, bool)>, style: (char, bool)) -> Kind {
    let position = match styles.iter().position(|s| *s == style) {
        Some(position) => position,
        None => {
            styles.push(style);
            styles.len() - 1
        }
    };
    Kind::Heading(u8::try_from(position + 1).unwrap_or(u8::MAX))
}

/// What an explicit markup block (`.. …`) is: a directive, a footnote or citation (content),
/// or no paragraph (a hyperlink target, a substitution definition, a comment).
fn explicit_markup(line: &str) -> Option<Kind> {
    let markup = line.trim_start_matches('.').trim();
    if markup.starts_with('_') || markup.starts_with('|') {
        return None;
    }
    if markup.starts_with('[') && markup.contains(']') {
        return Some(Kind::Paragraph);
    }
    let (name, _) = markup.split_once("::")?;
    let name = name.trim();
    let is_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '.' | '+'));
    if !is_name {
        return None;
    }
    let name = name.to_lowercase();
    Some(if CODE_DIRECTIVES.contains(&name.as_str()) {
        Kind::Code
    } else if TABLE_DIRECTIVES.contains(&name.as_str()) {
        Kind::Table
    } else {
        Kind::Directive
    })
}

/// The line after the block indented deeper than `indent` from line `from`, blank lines inside
/// it included, those after it not.
fn indented_end(lines: &Lines<'_>, from: usize, indent: usize) -> usize {
    let mut end = from;
    let mut index = from;
    while index < lines.len() {
        if lines.blank(index) {
            index += 1;
        } else if indentation(lines.line(index)) > indent {
            index += 1;
            end = index;
        } else {
            break;
        }
    }
    end
}

fn indentation(line: &str) -> usize {
    line.chars().take_while(|c| *c == ' ' || *c == '\t').count()
}

/// The character of a title adornment or transition: one punctuation character repeated,
/// at least three times, from the line's start.
fn adornment(line: &str) -> Option<char> {
    let line = line.trim_end();
    let first = line.chars().next()?;
    let is_mark = matches!(
        first,
        '=' | '-' | '~' | '*' | '^' | '#' | '"' | '+' | '`' | ':' | '\'' | '.' | '_' | '<' | '>'
    );
    (is_mark && line.chars().count() >= 3 && line.chars().all(|c| c == first)).then_some(first)
}

/// `+---+---+` or `+===+`: a grid table's border.
fn is_grid_border(line: &str) -> bool {
    let line = line.trim_end();
    line.len() >= 3
        && line.starts_with('+')
        && line.ends_with('+')
        && line.chars().all(|c| matches!(c, '+' | '-' | '=' | ':'))
        && line.contains(['-', '='])
}

/// `=====  =====`: a simple table's border, two columns or more.
fn is_simple_border(line: &str) -> bool {
    let line = line.trim_end();
    line.starts_with("==") && line.contains(' ') && line.chars().all(|c| c == '=' || c == ' ')
}

/// The kind of list item a line opens: bullets, numbers and fields are told apart, so that
/// a bullet list ends where a numbered one starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Bullet,
    Enumerated,
    Field,
}

fn item_family(line: &str) -> Option<Family> {
    let mut chars = line.chars();
    let first = chars.next()?;
    let after_marker = |rest: &str| rest.is_empty() || rest.starts_with([' ', '\t']);
    if matches!(first, '-' | '*' | '+' | '•' | '‣' | '⁃') && after_marker(chars.as_str()) {
        return Some(Family::Bullet);
    }
    if first == ':' {
        let rest = chars.as_str();
        let close = rest.find(':')?;
        let after = &rest[close + 1..];
        return (close > 0 && !rest.starts_with(' ') && after_marker(after))
            .then_some(Family::Field);
    }
    // `1.`, `1)`, `(1)`, `#.`, `#)`, `(#)`.
    let body = line.strip_prefix('(').unwrap_or(line);
    let digits = body
        .char_indices()
        .take_while(|(_, c)| c.is_ascii_digit())
        .count();
    let counted = if digits > 0 {
        digits
    } else if body.starts_with('#') {
        1
    } else {
        return None;
    };
    let rest = &body[counted..];
    let rest = if line.starts_with('(') {
        rest.strip_prefix(')')?
    } else {
        rest.strip_prefix(['.', ')'])?
    };
    after_marker(rest).then_some(Family::Enumerated)
}
