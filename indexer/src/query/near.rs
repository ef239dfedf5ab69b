//! Near matches, for when the exact query finds fewer than a page: each word of 5 letters
//! or more that too few practices hold (a typo, usually) is widened to the indexed words one
//! edit away (two from 9 letters), read from the index's own dictionary with a Levenshtein
//! automaton; the likeliest of them, for a word no practice holds, is the "did you mean".
//!
//! Only this fallback pays for the automaton: an exact query that finds a page never
//! builds one, and its counts are exact.

use std::collections::HashMap;

use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query};
use tantivy::{Searcher, Term};

use super::build::{term_query, IndexFacts, QueryBuilder, Word, TITLE_BOOST};
use super::{ParsedQuery, Stems};
use crate::analysis::tokens;
use crate::practice::PracticeLanguage;

/// A near match scores less than the same match would exactly, so a practice that holds
/// more of the query as typed ranks first.
const NEAR_BOOST: f32 = 0.5;
/// Indexed words a query word may be widened to, per language: the closest, then the most
/// frequent.
const MAX_EXPANSIONS: usize = 8;
/// Trailing letters of a word where one edit is tried and the result stemmed: a typo in the
/// suffix a stemmer removes changes where it cuts (`valutazione` is indexed as `valut`, but
/// `valutazine` as `valutazin`, four edits away).
const SUFFIX_LETTERS: usize = 6;
const LETTERS: &str = "abcdefghijklmnopqrstuvwxyz";

/// How far a word may be misspelt: none for short words, where one edit makes another word.
pub(super) fn fuzzy_distance(word: &str) -> u8 {
    match word.chars().count() {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// The near query and what it took the query's words for.
pub(crate) struct NearQuery {
    /// Matches everything the exact query matches, and the near matches.
    pub query: Box<dyn Query>,
    pub stems: Stems,
    pub corrections: Vec<NearCorrection>,
}

/// A word no practice holds, and the likeliest indexed word (a stem) in its place.
pub(crate) struct NearCorrection {
    pub typed: String,
    pub language: PracticeLanguage,
    pub stem: String,
}

/// An indexed word near a query word.
struct Expansion {
    stem: String,
    distance: usize,
    documents: u64,
}

impl QueryBuilder {
    /// The near query: every word the exact query asks for, and for each word that fewer
    /// than `page` practices hold, the indexed words near it. `None` when no word has any.
    pub fn build_near(
        &mut self,
        searcher: &Searcher,
        facts: &IndexFacts,
        parsed: &ParsedQuery,
        include_pending: bool,
        page: usize,
    ) -> Option<NearQuery> {
        let languages = facts.languages.clone();
        let mut stems = Stems::default();
        let mut groups: Vec<Box<dyn Query>> = Vec::new();
        let mut corrections = Vec::new();
        let mut widened = false;
        for word in self.words(parsed) {
            for &language in &languages {
                stems.add(language, word.stem(language));
            }
            let mut alternatives = self.exact_alternatives(&word, &languages);
            let distance = fuzzy_distance(&word.typed);
            let held = self.documents_holding(searcher, &word, &languages);
            if distance > 0 && held < page as u64 {
                let mut best: Option<(Expansion, PracticeLanguage)> = None;
                for &language in &languages {
                    for expansion in self.expansions(searcher, &word, language, distance) {
                        for (field, boost) in [
                            (self.fields.title(language), TITLE_BOOST * NEAR_BOOST),
                            (self.fields.body(language), NEAR_BOOST),
                        ] {
                            let term = Term::from_field_text(field, &expansion.stem);
                            alternatives.push((
                                Occur::Should,
                                Box::new(BoostQuery::new(term_query(term), boost)),
                            ));
                        }
                        stems.add(language, &expansion.stem);
                        widened = true;
                        let better = best.as_ref().is_none_or(|(known, _)| {
                            (expansion.distance, std::cmp::Reverse(expansion.documents))
                                < (known.distance, std::cmp::Reverse(known.documents))
                        });
                        if better {
                            best = Some((expansion, language));
                        }
                    }
                }
                if let (0, Some((expansion, language))) = (held, best) {
                    corrections.push(NearCorrection {
                        typed: word.typed.clone(),
                        language,
                        stem: expansion.stem,
                    });
                }
            }
            if !alternatives.is_empty() {
                groups.push(Box::new(BooleanQuery::new(alternatives)));
            }
        }
        if !widened {
            return None;
        }
        let built = self.assemble(facts, parsed, include_pending, groups, stems)?;
        Some(NearQuery {
            query: built.query,
            stems: built.stems,
            corrections,
        })
    }

    /// How many practices hold the word as typed, at most (a practice holding it in title
    /// and body counts twice: this only tells "fewer than a page").
    fn documents_holding(
        &self,
        searcher: &Searcher,
        word: &Word,
        languages: &[PracticeLanguage],
    ) -> u64 {
        languages
            .iter()
            .flat_map(|&language| {
                [self.fields.title(language), self.fields.body(language)]
                    .map(|field| Term::from_field_text(field, word.stem(language)))
            })
            .map(|term| searcher.doc_freq(&term).unwrap_or(0))
            .sum()
    }

    /// The indexed words of `language` (titles and bodies) within `distance` edits of the
    /// word's stem or of the word itself, or stemmed from the word with one edit in its
    /// suffix (see [`SUFFIX_LETTERS`]), the word itself aside: the closest first, then the
    /// most frequent.
    fn expansions(
        &mut self,
        searcher: &Searcher,
        word: &Word,
        language: PracticeLanguage,
        distance: u8,
    ) -> Vec<Expansion> {
        let stem = word.stem(language);
        let body = self.fields.body(language);
        let probes = if word.folded == stem {
            vec![stem]
        } else {
            vec![stem, word.folded.as_str()]
        };
        // Documents per indexed word (summed over segments and fields); both probes find
        // most words, so each word keeps the count of one.
        let mut documents: HashMap<String, u64> = HashMap::new();
        for probe in probes {
            let Ok(automaton) =
                FuzzyTermQuery::new(Term::from_field_text(body, probe), distance, true).automaton()
            else {
                continue;
            };
            let mut found: HashMap<String, u64> = HashMap::new();
            for segment in searcher.segment_readers() {
                for field in [self.fields.title(language), body] {
                    let Ok(inverted) = segment.inverted_index(field) else {
                        continue;
                    };
                    let Ok(mut stream) = inverted.terms().search(&automaton).into_stream() else {
                        continue;
                    };
                    while stream.advance() {
                        let Ok(text) = std::str::from_utf8(stream.key()) else {
                            continue;
                        };
                        if text != stem {
                            *found.entry(text.to_string()).or_default() +=
                                u64::from(stream.value().doc_freq);
                        }
                    }
                }
            }
            for (text, count) in found {
                let known = documents.entry(text).or_default();
                *known = (*known).max(count);
            }
        }
        for (text, count) in self.suffix_corrections(searcher, word, language) {
            let known = documents.entry(text).or_default();
            *known = (*known).max(count);
        }
        let mut expansions: Vec<Expansion> = documents
            .into_iter()
            .map(|(text, documents)| Expansion {
                // A stem found through an edit of the suffix is one edit from the word.
                distance: strsim::damerau_levenshtein(stem, &text)
                    .min(strsim::damerau_levenshtein(&word.folded, &text))
                    .min(1),
                stem: text,
                documents,
            })
            .collect();
        expansions.sort_by(|a, b| {
            (a.distance, std::cmp::Reverse(a.documents), &a.stem).cmp(&(
                b.distance,
                std::cmp::Reverse(b.documents),
                &b.stem,
            ))
        });
        expansions.truncate(MAX_EXPANSIONS);
        expansions
    }
}

impl QueryBuilder {
    /// The indexed stems of words one edit from `word` in its last [`SUFFIX_LETTERS`]
    /// letters, with how many practices hold each (titles and bodies).
    fn suffix_corrections(
        &mut self,
        searcher: &Searcher,
        word: &Word,
        language: PracticeLanguage,
    ) -> HashMap<String, u64> {
        let letters: Vec<char> = word.folded.chars().collect();
        let from = letters.len().saturating_sub(SUFFIX_LETTERS);
        let mut variants: Vec<String> = Vec::new();
        let with = |edit: &dyn Fn(&mut Vec<char>)| {
            let mut changed = letters.clone();
            edit(&mut changed);
            changed.into_iter().collect::<String>()
        };
        for at in from..=letters.len() {
            for letter in LETTERS.chars() {
                variants.push(with(&|chars: &mut Vec<char>| chars.insert(at, letter)));
                if at < letters.len() {
                    variants.push(with(&|chars: &mut Vec<char>| chars[at] = letter));
                }
            }
            if at < letters.len() {
                variants.push(with(&|chars: &mut Vec<char>| {
                    chars.remove(at);
                }));
            }
            if at + 1 < letters.len() {
                variants.push(with(&|chars: &mut Vec<char>| chars.swap(at, at + 1)));
            }
        }
        let stem = word.stem(language).to_string();
        let mut stems: Vec<String> = variants
            .iter()
            .filter_map(|variant| tokens(self.analyzer(language), variant).into_iter().next())
            .filter(|candidate| *candidate != stem)
            .collect();
        stems.sort();
        stems.dedup();
        let mut found = HashMap::new();
        for candidate in stems {
            let documents: u64 = [self.fields.title(language), self.fields.body(language)]
                .into_iter()
                .map(|field| {
                    searcher
                        .doc_freq(&Term::from_field_text(field, &candidate))
                        .unwrap_or(0)
                })
                .sum();
            if documents > 0 {
                found.insert(candidate, documents);
            }
        }
        found
    }
}
