//! Hits as shown in chat: each top document read back, with a snippet of its stored text
//! around the first word the query looks for (matches in `<b>`, as HTML and as plain text).
//!
//! A snippet must cost little next to the search itself. Stemming every word of a text is
//! what costs, so words are found by a cheap test first: a stem is (nearly always) a prefix
//! of the words it comes from, so the text is searched for the stem's first letters at the
//! start of a word, and only those words are stemmed to confirm.

use std::ops::Range;

use tantivy::{DocAddress, Searcher, TantivyDocument};

use super::Index;
use crate::parse::collapsed_opening;
use crate::practice::{Hit, PracticeLanguage};
use crate::query::{QueryBuilder, Stems};
use crate::schema::read_shown;
use crate::IndexError;

/// Characters of text shown around the matches.
const SNIPPET_CHARS: usize = 200;
/// Characters shown before the first match, so it reads in context.
const LEAD_CHARS: usize = 40;

/// A hit with what it was made from.
pub(super) struct ReadHit {
    pub hit: Hit,
    /// The stored text of a near hit, where its corrections are looked for (empty for
    /// exact hits: copying it would cost for nothing).
    pub text: String,
    pub language: PracticeLanguage,
}

impl Index {
    /// The hits for `top` (score and address, best first), with snippets highlighting
    /// `stems`; `near` marks them as near matches.
    pub(super) fn hits(
        &self,
        searcher: &Searcher,
        top: &[(f32, DocAddress)],
        builder: &mut QueryBuilder,
        stems: &Stems,
        near: bool,
    ) -> Result<Vec<ReadHit>, IndexError> {
        let mut hits = Vec::with_capacity(top.len());
        let mut words = Words::default();
        for &(score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let shown = read_shown(&self.fields, &doc)?;
            let language = shown.language;
            let analyzer = builder.analyzer(language);
            let (snippet_html, snippet_text) =
                match snippet(shown.text, stems.of(language), analyzer, &mut words) {
                    Some(snippet) => snippet,
                    None => {
                        // No match in the stored text (a title match, or a match beyond the
                        // opening kept): the summary, else the opening, says more than
                        // nothing.
                        let source = if shown.summary.is_empty() {
                            shown.text
                        } else {
                            shown.summary
                        };
                        let text = opening(source);
                        let mut html = String::with_capacity(text.len() + 16);
                        escape_into(&mut html, &text);
                        (html, text)
                    }
                };
            hits.push(ReadHit {
                hit: Hit {
                    id: shown.id.to_string(),
                    title: shown.title.to_string(),
                    practice_type: shown.practice_type,
                    organisation: shown.organisation.map(str::to_string),
                    year: shown.year,
                    status: shown.status,
                    score,
                    snippet_html,
                    snippet_text,
                    near,
                },
                text: if near {
                    shown.text.to_string()
                } else {
                    String::new()
                },
                language,
            });
        }
        Ok(hits)
    }
}

/// About [`SNIPPET_CHARS`] of the start of `text`, whitespace collapsed, cut at a word.
fn opening(text: &str) -> String {
    // A published practice's text is stored collapsed: a cut at a word is enough.
    if !needs_collapsing(text) {
        let Some((end, _)) = text.char_indices().nth(SNIPPET_CHARS) else {
            return text.to_string();
        };
        return match text[..end].rfind(' ') {
            Some(space) if space > end / 2 => format!("{}…", &text[..space]),
            _ => format!("{}…", &text[..end]),
        };
    }
    collapsed_opening(text, SNIPPET_CHARS)
}

/// The words of one search's hits already stemmed, and whether each is indexed as the stem
/// it was tried for: hits repeat the same few words, and stemming is what costs.
#[derive(Default)]
pub(super) struct Words(Vec<(String, usize, bool)>);

/// The first word of `text` that `analyzer` indexes as `stem`, as written (lower-cased).
pub(super) fn word_for(
    text: &str,
    stem: &str,
    analyzer: &mut tantivy::tokenizer::TextAnalyzer,
) -> Option<String> {
    let lowered = text.to_ascii_lowercase();
    let stems = [stem.to_string()];
    let found = matches(
        text,
        &lowered,
        0..text.len(),
        &stems,
        analyzer,
        &mut Words::default(),
        true,
    );
    found
        .first()
        .map(|range| text[range.clone()].to_lowercase())
}

/// The snippet of `text` around the first word indexed as one of `stems`, as HTML and as
/// plain text; `None` when the text holds none.
fn snippet(
    text: &str,
    stems: &[String],
    analyzer: &mut tantivy::tokenizer::TextAnalyzer,
    words: &mut Words,
) -> Option<(String, String)> {
    if stems.is_empty() {
        return None;
    }
    // ASCII lower-casing keeps byte offsets, so positions map back onto `text`.
    let lowered = text.to_ascii_lowercase();
    let first = matches(text, &lowered, 0..text.len(), stems, analyzer, words, true)
        .first()?
        .start;
    let window = window(text, first);
    let highlighted = matches(
        text,
        &lowered,
        window.clone(),
        stems,
        analyzer,
        words,
        false,
    );
    Some(render(text, window, &highlighted))
}

/// The words of `text` within `range` that `analyzer` indexes as one of `stems`, in order;
/// with `first_only`, only the earliest.
fn matches(
    text: &str,
    lowered: &str,
    range: Range<usize>,
    stems: &[String],
    analyzer: &mut tantivy::tokenizer::TextAnalyzer,
    words: &mut Words,
    first_only: bool,
) -> Vec<Range<usize>> {
    let mut found: Vec<Range<usize>> = Vec::new();
    for (stem_at, stem) in stems.iter().enumerate() {
        let probe = probe(stem);
        if probe.is_empty() {
            continue;
        }
        let finder = memchr::memmem::Finder::new(probe);
        let mut from = range.start;
        while let Some(at) = finder.find(&lowered.as_bytes()[from..range.end]) {
            let start = from + at;
            from = start + probe.len();
            if first_only && found.first().is_some_and(|first| first.start <= start) {
                break;
            }
            let starts_word = text[..start]
                .chars()
                .next_back()
                .is_none_or(|before| !before.is_alphanumeric());
            if !starts_word {
                continue;
            }
            let end = text[start..]
                .find(|c: char| !c.is_alphanumeric())
                .map_or(text.len(), |length| start + length);
            if end > range.end {
                break;
            }
            let word = &text[start..end];
            let known = words
                .0
                .iter()
                .find(|(known, at, _)| *at == stem_at && known == word)
                .map(|(_, _, indexed)| *indexed);
            let indexed = known.unwrap_or_else(|| {
                let indexed = indexes_as(analyzer, word, stem);
                words.0.push((word.to_string(), stem_at, indexed));
                indexed
            });
            if indexed {
                if first_only {
                    found.clear();
                    found.push(start..end);
                    break;
                }
                found.push(start..end);
                from = end;
            }
        }
    }
    found.sort_by_key(|range| range.start);
    found.dedup_by(|later, earlier| later.start < earlier.end);
    found
}

/// What the text is searched for: the stem's first letters (all of a short stem, else all
/// but two, since stemmers rewrite some endings, `competenza` → `competent`).
fn probe(stem: &str) -> &str {
    let letters = stem.chars().count();
    let keep = letters.saturating_sub(2).max(3).min(letters);
    let end = stem
        .char_indices()
        .nth(keep)
        .map_or(stem.len(), |(at, _)| at);
    &stem[..end]
}

fn indexes_as(analyzer: &mut tantivy::tokenizer::TextAnalyzer, word: &str, stem: &str) -> bool {
    let mut stream = analyzer.token_stream(word);
    stream.advance() && stream.token().text == stem
}

/// About [`SNIPPET_CHARS`] of `text` starting a little before byte `first`, cut at words.
fn window(text: &str, first: usize) -> Range<usize> {
    let mut start = text[..first]
        .char_indices()
        .rev()
        .nth(LEAD_CHARS.saturating_sub(1))
        .map_or(0, |(at, _)| at);
    if start > 0 {
        // Start at a word: after the first space of the lead.
        start = text[start..first]
            .find(char::is_whitespace)
            .map_or(start, |space| start + space + 1);
    }
    let mut end = text[start..]
        .char_indices()
        .nth(SNIPPET_CHARS)
        .map_or(text.len(), |(at, _)| start + at);
    if end < text.len() {
        if let Some(space) = text[first..end].rfind(char::is_whitespace) {
            end = first + space;
        }
    }
    start..end
}

/// The window as HTML (matches in `<b>`, text escaped) and as plain text, whitespace
/// collapsed so multi-line fragments read as one line in chat. The HTML is element content
/// (the bot puts it inside `<em>`).
fn render(text: &str, window: Range<usize>, highlighted: &[Range<usize>]) -> (String, String) {
    let mut html = String::with_capacity(window.len() + 16 * highlighted.len() + 16);
    let mut plain = String::with_capacity(window.len());
    let mut position = window.start;
    for range in highlighted {
        let before = collapse_whitespace_keeping_edges(&text[position..range.start]);
        escape_into(&mut html, &before);
        plain.push_str(&before);
        let matched = &text[range.clone()];
        html.push_str("<b>");
        escape_into(&mut html, matched);
        html.push_str("</b>");
        plain.push_str(matched);
        position = range.end;
    }
    let after = collapse_whitespace_keeping_edges(&text[position..window.end]);
    escape_into(&mut html, &after);
    plain.push_str(&after);
    (html.trim().to_string(), plain.trim().to_string())
}

/// Text into HTML with the project's one escaper (maud's: `&`, `<`, `>`, `"`).
fn escape_into(html: &mut String, text: &str) {
    use std::fmt::Write as _;
    // Writing into a String cannot fail.
    let _ = maud::Escaper::new(html).write_str(text);
}

/// Runs of ASCII whitespace (newlines included) become one space. Unlike
/// [`crate::parse::collapse_whitespace`] the edges are kept, so the pieces around a match
/// still join with a space. Bytes, not characters: this runs on every hit.
fn collapse_whitespace_keeping_edges(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut run_start = 0;
    let mut at = 0;
    while at < bytes.len() {
        let lone_space = bytes[at] == b' ' && bytes.get(at + 1).is_none_or(|next| !is_space(*next));
        if is_space(bytes[at]) && !lone_space {
            // An ASCII byte is always a character boundary.
            out.push_str(&text[run_start..at]);
            out.push(' ');
            while at < bytes.len() && is_space(bytes[at]) {
                at += 1;
            }
            run_start = at;
        } else {
            at += 1;
        }
    }
    out.push_str(&text[run_start..]);
    out
}

/// Whether `text` holds whitespace other than lone spaces.
fn needs_collapsing(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(at, byte)| {
        is_space(*byte) && (*byte != b' ' || bytes.get(at + 1).is_some_and(|next| is_space(*next)))
    })
}

fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis;

    fn stems(analyzer: &mut tantivy::tokenizer::TextAnalyzer, words: &str) -> Vec<String> {
        analysis::tokens(analyzer, words)
    }

    #[test]
    fn the_first_match_is_highlighted_in_context_with_its_other_forms() {
        let mut italian = analysis::italian();
        let text = "Premessa lunga. Le amministrazioni pubbliche e ogni amministrazione locale \
                    scelgono il software.";
        let wanted = stems(&mut italian, "amministrazione");
        let (html, plain) =
            snippet(text, &wanted, &mut italian, &mut Words::default()).expect("a match");
        assert!(html.contains("<b>amministrazioni</b>"), "{html}");
        assert!(html.contains("<b>amministrazione</b>"), "{html}");
        assert!(plain.starts_with("Premessa lunga."), "{plain}");
    }

    #[test]
    fn words_inside_other_words_and_other_stems_are_not_matches() {
        let mut italian = analysis::italian();
        // "dati" must not match inside "mandati", nor "datore" (another stem).
        let wanted = stems(&mut italian, "dati");
        let mut words = Words::default();
        assert!(snippet("I mandati del datore.", &wanted, &mut italian, &mut words).is_none());
        let (html, _) =
            snippet("I mandati e i dati.", &wanted, &mut italian, &mut words).expect("match");
        assert_eq!(html, "I mandati e i <b>dati</b>.");
    }

    #[test]
    fn accents_and_rewritten_endings_still_match() {
        let mut italian = analysis::italian();
        for (query, text, shown) in [
            ("qualita", "La QUALITÀ del servizio.", "<b>QUALITÀ</b>"),
            ("competenze", "Una competenza rara.", "<b>competenza</b>"),
        ] {
            let wanted = stems(&mut italian, query);
            let (html, _) =
                snippet(text, &wanted, &mut italian, &mut Words::default()).expect(query);
            assert!(html.contains(shown), "{query}: {html}");
        }
    }

    #[test]
    fn a_late_match_gets_a_window_cut_at_words() {
        let mut italian = analysis::italian();
        let text = format!(
            "{} il riuso del software {}",
            "parola ".repeat(100),
            "fine ".repeat(100)
        );
        let wanted = stems(&mut italian, "riuso");
        let (_, plain) =
            snippet(&text, &wanted, &mut italian, &mut Words::default()).expect("match");
        assert!(plain.chars().count() <= SNIPPET_CHARS, "{plain}");
        assert!(plain.starts_with("parola"), "{plain}");
        assert!(plain.contains("il riuso del software"), "{plain}");
        assert!(plain.ends_with("fine"), "{plain}");
    }

    #[test]
    fn the_surface_form_of_a_stem_is_found_as_written() {
        let mut italian = analysis::italian();
        let stem = &stems(&mut italian, "manutenzione")[0];
        assert_eq!(
            word_for("La Manutenzione evolutiva.", stem, &mut italian).as_deref(),
            Some("manutenzione")
        );
        assert_eq!(word_for("Nulla qui.", stem, &mut italian), None);
    }
}
