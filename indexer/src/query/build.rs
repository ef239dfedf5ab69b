//! The exact query: each word, stemmed in both languages, in the titles and bodies of the
//! languages the index holds; phrases; filters; pending practices left out. Also what a
//! hit's snippet highlights.

use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, Term};

use super::{Filter, ParsedQuery};
use crate::analysis::{self, tokens, tokens_with_positions};
use crate::phrase_search::PhraseAlternative;
use crate::practice::{PracticeLanguage, Status};
use crate::schema::Fields;

/// A title match says more about a document than a body match.
pub(super) const TITLE_BOOST: f32 = 2.0;

/// A search's tantivy query.
pub(crate) struct BuiltQuery {
    pub query: Box<dyn Query>,
    /// The query is a plain union of term queries, for which tantivy finds the top hits
    /// without visiting every match (block-max WAND); other queries (intersections,
    /// phrases, filters) visit and score every match anyway.
    pub prunable: bool,
    /// Set when the query is one quoted phrase (pending practices aside): its parts and
    /// the status terms to exclude, for [`crate::phrase_search`].
    pub phrase: Option<PhraseOnly>,
    /// What a hit's snippet highlights.
    pub stems: Stems,
    /// Set when the query is one word (pending practices aside): its terms with their
    /// boosts, for [`crate::word_search`].
    pub word_terms: Option<Vec<(Term, f32)>>,
}

pub(crate) struct PhraseOnly {
    pub alternatives: Vec<PhraseAlternative>,
    pub excluded: Vec<Term>,
}

/// Indexed words to highlight, per language.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stems {
    italian: Vec<String>,
    english: Vec<String>,
}

impl Stems {
    pub fn of(&self, language: PracticeLanguage) -> &[String] {
        match language {
            PracticeLanguage::It => &self.italian,
            PracticeLanguage::En => &self.english,
        }
    }

    pub fn add(&mut self, language: PracticeLanguage, stem: &str) {
        let stems = match language {
            PracticeLanguage::It => &mut self.italian,
            PracticeLanguage::En => &mut self.english,
        };
        if !stems.iter().any(|known| known == stem) {
            stems.push(stem.to_string());
        }
    }
}

/// A word of the query as typed (lower-cased), folded (accents off), and as each
/// language's analyser indexes it.
pub(crate) struct Word {
    pub typed: String,
    pub folded: String,
    italian: String,
    english: String,
}

impl Word {
    pub fn stem(&self, language: PracticeLanguage) -> &str {
        match language {
            PracticeLanguage::It => &self.italian,
            PracticeLanguage::En => &self.english,
        }
    }
}

/// What every query on one searcher needs to know of the index, worked out once per
/// searcher (that is, per commit) rather than per search.
#[derive(Debug, Clone)]
pub(crate) struct IndexFacts {
    /// The languages the index holds documents of: fields of another language match
    /// nothing, so looking them up is skipped.
    pub languages: Vec<PracticeLanguage>,
    /// The status terms that keep pending practices out. Every document holds exactly one
    /// status, so excluding the few pending ones selects the published ones without
    /// intersecting every match with the (huge) list of published documents; when no
    /// document was ever pending, there is nothing to exclude at all.
    pub unpublished: Vec<Term>,
}

impl IndexFacts {
    pub fn of(fields: &Fields, searcher: &Searcher) -> IndexFacts {
        // `doc_freq` counts deleted documents too: this errs on the safe side (a field looked
        // up in vain, a status excluded that no live document has).
        let held = |term: Term| searcher.doc_freq(&term).map_or(true, |count| count > 0);
        IndexFacts {
            languages: PracticeLanguage::ALL
                .into_iter()
                .filter(|language| held(Term::from_field_text(fields.language, language.as_str())))
                .collect(),
            unpublished: Status::ALL
                .into_iter()
                .filter(|status| *status != Status::Published)
                .map(|status| Term::from_field_text(fields.status, status.as_str()))
                .filter(|term| held(term.clone()))
                .collect(),
        }
    }
}

/// Turns parsed queries into tantivy queries with the index's analysers.
#[derive(Clone)]
pub(crate) struct QueryBuilder {
    pub(super) fields: Fields,
    italian: TextAnalyzer,
    english: TextAnalyzer,
    plain: TextAnalyzer,
    keyword: TextAnalyzer,
}

pub(super) fn term_query(term: Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
}

/// Filters select; they do not rank.
fn filter_query(query: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(query, 0.0))
}

impl QueryBuilder {
    pub fn new(fields: Fields) -> QueryBuilder {
        QueryBuilder {
            fields,
            italian: analysis::italian(),
            english: analysis::english(),
            plain: analysis::plain(),
            keyword: analysis::keyword(),
        }
    }

    /// The analyser of a language's titles and bodies.
    pub fn analyzer(&mut self, language: PracticeLanguage) -> &mut TextAnalyzer {
        match language {
            PracticeLanguage::It => &mut self.italian,
            PracticeLanguage::En => &mut self.english,
        }
    }

    /// The query's words as indexed. A stop word in either language would make the word
    /// required in documents of the other language where it was never indexed: it is
    /// dropped altogether.
    pub(super) fn words(&mut self, parsed: &ParsedQuery) -> Vec<Word> {
        parsed
            .words
            .iter()
            .filter_map(|typed| {
                let italian = tokens(&mut self.italian, typed).into_iter().next()?;
                let english = tokens(&mut self.english, typed).into_iter().next()?;
                let folded = tokens(&mut self.plain, typed).into_iter().next()?;
                Some(Word {
                    typed: typed.clone(),
                    folded,
                    italian,
                    english,
                })
            })
            .collect()
    }

    /// One word's exact alternatives: its stem in the title (boosted) and the body of each
    /// language the index holds.
    pub(super) fn exact_alternatives(
        &self,
        word: &Word,
        languages: &[PracticeLanguage],
    ) -> Vec<(Occur, Box<dyn Query>)> {
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for &language in languages {
            let stem = word.stem(language);
            let title = Term::from_field_text(self.fields.title(language), stem);
            alternatives.push((
                Occur::Should,
                Box::new(BoostQuery::new(term_query(title), TITLE_BOOST)),
            ));
            alternatives.push((
                Occur::Should,
                term_query(Term::from_field_text(self.fields.body(language), stem)),
            ));
        }
        alternatives
    }

    /// The exact query; `None` when it holds nothing to search for (empty, stop words only,
    /// punctuation only, or an empty index).
    pub fn build(
        &mut self,
        facts: &IndexFacts,
        parsed: &ParsedQuery,
        include_pending: bool,
    ) -> Option<BuiltQuery> {
        if parsed.is_empty() {
            return None;
        }
        let languages = &facts.languages;
        let mut stems = Stems::default();
        let mut groups: Vec<Box<dyn Query>> = Vec::new();
        let mut terms: Vec<(Term, f32)> = Vec::new();
        for word in self.words(parsed) {
            for &language in languages {
                stems.add(language, word.stem(language));
            }
            let alternatives = self.exact_alternatives(&word, languages);
            if !alternatives.is_empty() {
                terms.clear();
                // As in `exact_alternatives`, in the same order.
                for &language in languages {
                    for (field, boost) in [
                        (self.fields.title(language), TITLE_BOOST),
                        (self.fields.body(language), 1.0),
                    ] {
                        terms.push((Term::from_field_text(field, word.stem(language)), boost));
                    }
                }
                groups.push(Box::new(BooleanQuery::new(alternatives)));
            }
        }
        let mut built = self.assemble(facts, parsed, include_pending, groups, stems)?;
        // Prunable means one clause, a word's group: the last word with terms.
        if built.prunable {
            built.word_terms = Some(terms);
        }
        Some(built)
    }

    /// The whole query from the words' groups (each required): phrases and filters added,
    /// pending practices excluded. Shared by the exact and the near query.
    pub(super) fn assemble(
        &mut self,
        facts: &IndexFacts,
        parsed: &ParsedQuery,
        include_pending: bool,
        groups: Vec<Box<dyn Query>>,
        mut stems: Stems,
    ) -> Option<BuiltQuery> {
        let languages = &facts.languages;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        // What the single clause is, when there is one (see `BuiltQuery`).
        let mut term_union = !groups.is_empty();
        let mut phrase = None;
        clauses.extend(groups.into_iter().map(|group| (Occur::Must, group)));
        for text in &parsed.phrases {
            if let Some((group, alternatives)) = self.phrase_group(text, languages, &mut stems) {
                term_union = false;
                phrase = Some(alternatives);
                clauses.push((Occur::Must, group));
            }
        }
        for filter in &parsed.filters {
            if let Some(query) = self.filter(filter) {
                clauses.push((Occur::Must, filter_query(query)));
            }
        }
        if clauses.is_empty() {
            // Nothing left to look for (words the analysers drop, such as one over 40
            // letters): alone, the exclusion of pending practices below would become the
            // query and find exactly them.
            return None;
        }
        if clauses.len() > 1 {
            (term_union, phrase) = (false, None);
        }
        let excluded = if include_pending {
            Vec::new()
        } else {
            facts.unpublished.clone()
        };
        let prunable = term_union && excluded.is_empty();
        let phrase = phrase.map(|alternatives| PhraseOnly {
            alternatives,
            excluded: excluded.clone(),
        });
        clauses.extend(excluded.into_iter().map(|term| {
            let query: Box<dyn Query> = Box::new(TermQuery::new(term, IndexRecordOption::Basic));
            (Occur::MustNot, query)
        }));
        let query: Box<dyn Query> = match clauses.len() {
            // A single required clause scores exactly as the clause alone, and unwrapping
            // it lets a union of term queries reach tantivy's block-max WAND, which skips
            // the blocks of postings that cannot enter the top hits.
            1 => clauses.pop()?.1,
            _ => Box::new(BooleanQuery::new(clauses)),
        };
        Some(BuiltQuery {
            query,
            prunable,
            phrase,
            stems,
            word_terms: None,
        })
    }

    pub fn published_only(&self) -> Box<dyn Query> {
        filter_query(term_query(Term::from_field_text(
            self.fields.status,
            Status::Published.as_str(),
        )))
    }

    /// A quoted phrase: consecutive words in the title or the body, in either language.
    /// Also returns its parts, for [`crate::phrase_search`], and adds its words to `stems`.
    fn phrase_group(
        &mut self,
        phrase: &str,
        languages: &[PracticeLanguage],
        stems: &mut Stems,
    ) -> Option<(Box<dyn Query>, Vec<PhraseAlternative>)> {
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut parts = Vec::new();
        for &language in languages {
            let positioned = tokens_with_positions(self.analyzer(language), phrase);
            for (_, stem) in &positioned {
                stems.add(language, stem);
            }
            for (field, boost) in [
                (self.fields.title(language), TITLE_BOOST),
                (self.fields.body(language), 1.0),
            ] {
                let query: Box<dyn Query> = match positioned.len() {
                    0 => continue,
                    1 => term_query(Term::from_field_text(field, &positioned[0].1)),
                    _ => Box::new(PhraseQuery::new_with_offset(
                        positioned
                            .iter()
                            .map(|(position, text)| (*position, Term::from_field_text(field, text)))
                            .collect(),
                    )),
                };
                alternatives.push((Occur::Should, Box::new(BoostQuery::new(query, boost))));
                parts.push(PhraseAlternative {
                    terms: positioned
                        .iter()
                        .map(|(position, text)| (*position, Term::from_field_text(field, text)))
                        .collect(),
                    boost,
                });
            }
        }
        if alternatives.is_empty() {
            return None;
        }
        Some((Box::new(BooleanQuery::new(alternatives)), parts))
    }

    fn filter(&mut self, filter: &Filter) -> Option<Box<dyn Query>> {
        let fields = self.fields;
        match filter {
            Filter::Type(practice_type) => Some(term_query(Term::from_field_text(
                fields.practice_type,
                practice_type.as_str(),
            ))),
            Filter::Language(language) => Some(term_query(Term::from_field_text(
                fields.language,
                language.as_str(),
            ))),
            Filter::Organisation(name) => {
                words_in_order(&mut self.plain, fields.organisation, name)
            }
            Filter::Licence(name) => words_in_order(&mut self.plain, fields.licence, name),
            Filter::Tag(tag) => {
                let token = tokens(&mut self.keyword, tag.trim()).into_iter().next()?;
                Some(term_query(Term::from_field_text(fields.tags, &token)))
            }
            Filter::Year { from, to } => {
                let bound = |year: Option<i32>, inclusive: fn(Term) -> std::ops::Bound<Term>| {
                    year.map_or(std::ops::Bound::Unbounded, |year| {
                        inclusive(Term::from_field_i64(fields.year, i64::from(year)))
                    })
                };
                Some(Box::new(RangeQuery::new(
                    bound(*from, std::ops::Bound::Included),
                    bound(*to, std::ops::Bound::Included),
                )))
            }
        }
    }
}

/// `org:"comune di roma"` matches those words in that order within the field.
fn words_in_order(
    analyzer: &mut TextAnalyzer,
    field: tantivy::schema::Field,
    text: &str,
) -> Option<Box<dyn Query>> {
    let positioned = tokens_with_positions(analyzer, text);
    match positioned.len() {
        0 => None,
        1 => Some(term_query(Term::from_field_text(field, &positioned[0].1))),
        _ => Some(Box::new(PhraseQuery::new_with_offset(
            positioned
                .iter()
                .map(|(position, text)| (*position, Term::from_field_text(field, text)))
                .collect(),
        ))),
    }
}
