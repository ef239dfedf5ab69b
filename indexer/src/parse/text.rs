//! Plain text: the first line is the title when it looks like one.

use super::{front_matter, normalise_paragraphs, ParsedDocument};

/// Longest first line still taken for a title; longer ones are prose.
const TITLE_MAX_CHARS: usize = 150;

pub(crate) fn parse(text: &str) -> ParsedDocument {
    let (front_matter, content) = front_matter::split(text);
    let content = content.trim_start();
    let (first_line, rest) = content.split_once('\n').unwrap_or((content, ""));
    let first_line = first_line.trim();
    // A title stands alone: short, and followed by a blank line or nothing.
    let stands_alone = rest.is_empty()
        || rest.starts_with('\n')
        || rest.trim_start_matches([' ', '\t']).starts_with('\n');
    let (title, body) = if !first_line.is_empty()
        && first_line.chars().count() <= TITLE_MAX_CHARS
        && stands_alone
        && !rest.trim().is_empty()
    {
        (Some(first_line.to_string()), rest)
    } else {
        (None, content)
    };
    ParsedDocument {
        title,
        body: normalise_paragraphs(body),
        front_matter,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_first_line_is_the_title_when_alone() {
        let parsed = parse("Esperienza del Comune\n\nAbbiamo aperto i dati.\nTutti.\n\nSecondo.");
        assert_eq!(parsed.title.as_deref(), Some("Esperienza del Comune"));
        assert_eq!(parsed.body, "Abbiamo aperto i dati. Tutti.\n\nSecondo.");
        let parsed = parse("Una riga\nche continua il paragrafo.");
        assert_eq!(parsed.title, None);
        assert_eq!(parsed.body, "Una riga che continua il paragrafo.");
    }
}
