//! Hits as shown in chat: each top document read back, with a snippet of its body where
//! the query matched (matches in `<b>`, as HTML and as plain text).

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::{DocAddress, Searcher, TantivyDocument};

use super::Index;
use crate::parse::truncate_words;
use crate::practice::{Hit, PracticeLanguage};
use crate::schema::read_doc;
use crate::IndexError;

/// Bytes of body handed to the snippet generator, around the first likely match: it
/// analyses all it is given, and a long PDF would cost milliseconds per hit.
const SNIPPET_WINDOW_BYTES: usize = 600;
/// Characters of body text shown around the matches.
const SNIPPET_CHARS: usize = 200;

impl Index {
    /// The hits for `top` (score and address, best first), with snippets of where `query`
    /// matched.
    pub(super) fn hits(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        top: Vec<(f32, DocAddress)>,
    ) -> Result<Vec<Hit>, IndexError> {
        let mut generators: HashMap<PracticeLanguage, SnippetGenerator> = HashMap::new();
        let mut stems_by_language: HashMap<PracticeLanguage, Vec<String>> = HashMap::new();
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let record = read_doc(&self.fields, &doc)?;
            let practice = record.practice;
            let language = practice.language;
            let generator = match generators.entry(language) {
                Entry::Occupied(entry) => entry.into_mut(),
                Entry::Vacant(entry) => {
                    let mut generator =
                        SnippetGenerator::create(searcher, query, self.fields.body(language))?;
                    generator.set_max_num_chars(SNIPPET_CHARS);
                    entry.insert(generator)
                }
            };
            let stems = stems_by_language
                .entry(language)
                .or_insert_with(|| query_stems(query, self.fields.body(language)));
            let snippet = generator.snippet(snippet_window(&practice.body, stems));
            let (snippet_html, snippet_text) = if snippet.highlighted().is_empty() {
                // Title-only or fuzzy matches: the summary says more than a random fragment.
                let text = truncate_words(&practice.summary, SNIPPET_CHARS);
                {
                    let mut html = String::with_capacity(text.len());
                    escape_into(&mut html, &text);
                    (html, text)
                }
            } else {
                render_snippet(&snippet)
            };
            hits.push(Hit {
                id: practice.id,
                title: practice.title,
                practice_type: practice.practice_type,
                organisation: practice.organisation,
                year: practice.year,
                status: practice.status,
                score,
                snippet_html,
                snippet_text,
            });
        }
        Ok(hits)
    }
}

/// The indexed terms of `field` that `query` looks for.
fn query_stems(query: &dyn Query, field: Field) -> Vec<String> {
    let mut stems = Vec::new();
    query.query_terms(&mut |term, _| {
        if term.field() == field {
            if let Some(text) = term.value().as_str() {
                stems.push(text.to_string());
            }
        }
    });
    stems
}

/// The part of `body` worth highlighting: a window starting a little before the earliest
/// occurrence of a stem (stems are mostly prefixes of the words they come from).
fn snippet_window<'a>(body: &'a str, stems: &[String]) -> &'a str {
    if body.len() <= SNIPPET_WINDOW_BYTES {
        return body;
    }
    // ASCII lower-casing keeps byte offsets, so positions map back onto `body`.
    let lowered = body.to_ascii_lowercase();
    let first = stems
        .iter()
        .filter_map(|stem| lowered.find(stem.as_str()))
        .min()
        .unwrap_or(0);
    let start = body.floor_char_boundary(first.saturating_sub(SNIPPET_WINDOW_BYTES / 3));
    let end = body.floor_char_boundary((start + SNIPPET_WINDOW_BYTES).min(body.len()));
    &body[start..end]
}

/// The snippet as HTML (matches in `<b>`, text escaped) and as plain text, whitespace
/// collapsed so multi-line fragments read as one line in chat. The HTML is element content
/// (the bot puts it inside `<em>`).
fn render_snippet(snippet: &Snippet) -> (String, String) {
    let fragment = snippet.fragment();
    let mut html = String::new();
    let mut text = String::new();
    let mut position = 0;
    for range in snippet.highlighted() {
        if range.start < position || range.end > fragment.len() {
            continue;
        }
        let before = collapse_whitespace_keeping_edges(&fragment[position..range.start]);
        escape_into(&mut html, &before);
        text.push_str(&before);
        let matched = &fragment[range.clone()];
        html.push_str("<b>");
        escape_into(&mut html, matched);
        html.push_str("</b>");
        text.push_str(matched);
        position = range.end;
    }
    let after = collapse_whitespace_keeping_edges(&fragment[position..]);
    escape_into(&mut html, &after);
    text.push_str(&after);
    (html.trim().to_string(), text.trim().to_string())
}

/// Text into HTML with the project's one escaper (maud's: `&`, `<`, `>`, `"`).
fn escape_into(html: &mut String, text: &str) {
    use std::fmt::Write as _;
    // Writing into a String cannot fail.
    let _ = maud::Escaper::new(html).write_str(text);
}

/// Whitespace runs (newlines included) become one space. Unlike
/// [`crate::parse::collapse_whitespace`] the edges are kept, so the pieces around a match
/// still join with a space.
fn collapse_whitespace_keeping_edges(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}
