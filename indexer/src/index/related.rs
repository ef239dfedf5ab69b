//! Practices related to a proposal: its most distinctive words searched in published
//! practices, kept only when they score close to a practice holding all of them.

use std::collections::BTreeMap;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Term};

use super::search::MAX_LIMIT;
use super::Index;
use crate::analysis::{self, detect_language};
use crate::practice::{Hit, PracticeLanguage};
use crate::query::Stems;
use crate::IndexError;

/// Distinctive terms taken from a proposal for `related`.
const RELATED_TERMS: usize = 12;
/// A related practice must score at least this fraction of what a document holding each of
/// the proposal's distinctive terms once would score. Terms the repository has never seen
/// count in that ideal, so a proposal about something the repository lacks finds nothing.
/// On the AgID corpus relevant proposals score 1.2–1.7 at the top, unrelated ones (a
/// school trip, cycle lanes, waste taxes) at most 0.3.
const RELATED_MIN_SIMILARITY: f32 = 0.5;

/// A word of the proposal, as a candidate term of the search.
struct Candidate {
    /// How much the word says about the proposal: √(its frequency there) × idf.
    weight: f32,
    idf: f32,
    text: String,
    /// Whether any practice holds it; unknown words count in the ideal score only.
    known: bool,
}

impl Index {
    /// Up to `limit` published practices related to a proposal's text, best first; empty
    /// when none is relevant enough (see [`RELATED_MIN_SIMILARITY`]).
    pub fn related(&self, text: &str, limit: usize) -> Result<Vec<Hit>, IndexError> {
        let limit = limit.min(MAX_LIMIT);
        if limit == 0 {
            return Ok(Vec::new());
        }
        let sample: String = text.chars().take(20_000).collect();
        let language = detect_language(&sample);
        let mut analyzer = match language {
            PracticeLanguage::It => analysis::italian(),
            PracticeLanguage::En => analysis::english(),
        };
        let mut frequencies: BTreeMap<String, u32> = BTreeMap::new();
        for token in analysis::tokens(&mut analyzer, &sample) {
            // Numbers and two-letter fragments are not topics.
            if token.chars().count() >= 3 && !token.chars().all(|c| c.is_ascii_digit()) {
                *frequencies.entry(token).or_default() += 1;
            }
        }
        if frequencies.is_empty() {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let documents = searcher.num_docs().max(1) as f32;
        let body_field = self.fields.body(language);
        let idf = |doc_freq: u64| {
            (1.0 + (documents - doc_freq as f32 + 0.5) / (doc_freq as f32 + 0.5)).ln()
        };
        let mut candidates: Vec<Candidate> = Vec::new();
        for (text, frequency) in frequencies {
            let doc_freq = searcher.doc_freq(&Term::from_field_text(body_field, &text))?;
            let term_idf = idf(doc_freq.max(1));
            candidates.push(Candidate {
                weight: (frequency as f32).sqrt() * term_idf,
                idf: term_idf,
                text,
                known: doc_freq > 0,
            });
        }
        candidates.sort_by(|a, b| {
            b.weight
                .total_cmp(&a.weight)
                .then_with(|| a.text.cmp(&b.text))
        });
        candidates.truncate(RELATED_TERMS);
        let ideal: f32 = candidates.iter().map(|candidate| candidate.idf).sum();
        let terms: Vec<(Occur, Box<dyn Query>)> = candidates
            .iter()
            .filter(|candidate| candidate.known)
            .flat_map(|Candidate { text, .. }| {
                let body: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_field_text(body_field, text),
                    IndexRecordOption::WithFreqs,
                ));
                let title: Box<dyn Query> = Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(
                        Term::from_field_text(self.fields.title(language), text),
                        IndexRecordOption::WithFreqs,
                    )),
                    0.5,
                ));
                [(Occur::Should, body), (Occur::Should, title)]
            })
            .collect();
        if terms.is_empty() || ideal <= 0.0 {
            return Ok(Vec::new());
        }
        let query = BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(BooleanQuery::new(terms)) as Box<dyn Query>,
            ),
            (Occur::Must, self.queries.published_only()),
        ]);
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let relevant: Vec<(f32, DocAddress)> = top
            .into_iter()
            .filter(|(score, _)| score / ideal >= RELATED_MIN_SIMILARITY)
            .collect();
        tracing::debug!(ideal, kept = relevant.len(), "related practices");
        let mut stems = Stems::default();
        for candidate in candidates.iter().filter(|candidate| candidate.known) {
            stems.add(language, &candidate.text);
        }
        let mut builder = self.queries.clone();
        Ok(self
            .hits(&searcher, &relevant, &mut builder, &stems, false)?
            .into_iter()
            .map(|read| read.hit)
            .collect())
    }
}
