//! The lenient query language and its translation into a tantivy query.
//!
//! Syntax: words, `"phrases"`, and filters `type:`, `org:`, `year:2020` or `year:2019..2022`,
//! `tag:`, `lang:`, `licence:` (also `license:` and Italian `tipo:`, `ente:`, `anno:`,
//! `lingua:`, `licenza:`); a filter value may be quoted. Nothing here fails: anything that
//! does not parse as syntax is searched as words, and input is bounded so that pasting a
//! book into the search box costs no more than a long query.

use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhraseQuery, Query,
    RangeQuery, TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, Term};

use crate::analysis::{self, tokens, tokens_with_positions};
use crate::phrase_search::PhraseAlternative;
use crate::practice::{PracticeLanguage, PracticeType, Status};
use crate::schema::Fields;

const MAX_QUERY_CHARS: usize = 1_000;
const MAX_WORDS: usize = 16;
const MAX_PHRASES: usize = 4;
const MAX_FILTERS: usize = 8;
/// A title match says more about a document than a body match.
const TITLE_BOOST: f32 = 2.0;
/// Constant score of a fuzzy match: below any exact match of the same word, which scores
/// its BM25 plus this.
const FUZZY_BOOST: f32 = 0.3;
/// Words found exactly in at least one document per this many (and in at least three)
/// are taken as spelt right and not fuzzed.
const FUZZY_UNLESS_IN_PER_MILLE: u64 = 1_000;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Filter {
    Type(PracticeType),
    Organisation(String),
    Year { from: Option<i32>, to: Option<i32> },
    Tag(String),
    Language(PracticeLanguage),
    Licence(String),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum FilterKey {
    Type,
    Organisation,
    Year,
    Tag,
    Language,
    Licence,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ParsedQuery {
    pub words: Vec<String>,
    pub phrases: Vec<String>,
    pub filters: Vec<Filter>,
}

impl ParsedQuery {
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.phrases.is_empty() && self.filters.is_empty()
    }
}

fn filter_key(key: &str) -> Option<FilterKey> {
    match key.to_lowercase().as_str() {
        "type" | "tipo" => Some(FilterKey::Type),
        "org" | "organisation" | "organization" | "ente" => Some(FilterKey::Organisation),
        "year" | "anno" => Some(FilterKey::Year),
        "tag" | "tags" => Some(FilterKey::Tag),
        "lang" | "language" | "lingua" => Some(FilterKey::Language),
        "licence" | "license" | "licenza" => Some(FilterKey::Licence),
        _ => None,
    }
}

fn make_filter(key: FilterKey, value: &str) -> Option<Filter> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match key {
        FilterKey::Type => value.parse().ok().map(Filter::Type),
        FilterKey::Organisation => Some(Filter::Organisation(value.to_string())),
        FilterKey::Year => parse_year_range(value),
        FilterKey::Tag => Some(Filter::Tag(value.to_string())),
        FilterKey::Language => value.parse().ok().map(Filter::Language),
        FilterKey::Licence => Some(Filter::Licence(value.to_string())),
    }
}

/// `2020`, `2019..2022`, `..2022`, `2019..`; anything else is not a year filter.
fn parse_year_range(value: &str) -> Option<Filter> {
    let year = |text: &str| -> Option<Option<i32>> {
        if text.is_empty() {
            return Some(None);
        }
        if text.len() > 4 || !text.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        text.parse().ok().map(Some)
    };
    let (from, to) = match value.split_once("..") {
        Some((from, to)) => (year(from)?, year(to)?),
        None => {
            let single = year(value)?;
            (single, single)
        }
    };
    if from.is_none() && to.is_none() {
        return None;
    }
    if let (Some(from), Some(to)) = (from, to) {
        if from > to {
            return None;
        }
    }
    Some(Filter::Year { from, to })
}

/// Words of `text`: runs of letters and digits, lower-cased.
fn split_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
}

/// Reads the user's query. Never fails; see the module documentation.
pub(crate) fn parse(input: &str) -> ParsedQuery {
    let text: String = input
        .chars()
        .take(MAX_QUERY_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut parsed = ParsedQuery::default();
    let mut rest = text.as_str();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        if let Some(inner) = rest.strip_prefix('"') {
            match inner.find('"') {
                Some(end) => {
                    parsed.phrases.push(inner[..end].to_string());
                    rest = &inner[end + 1..];
                }
                None => {
                    // An unbalanced quote: the rest is plain words.
                    parsed.words.extend(split_words(inner));
                    break;
                }
            }
            continue;
        }
        let token_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let token = &rest[..token_end];
        if let Some((key, value)) = token.split_once(':') {
            if let Some(key) = filter_key(key) {
                let key_len = token.len() - value.len();
                if let Some(quoted) = rest[key_len..].strip_prefix('"') {
                    if let Some(end) = quoted.find('"') {
                        let value = &quoted[..end];
                        match make_filter(key, value) {
                            Some(filter) => parsed.filters.push(filter),
                            None => parsed.words.extend(split_words(value)),
                        }
                        rest = &quoted[end + 1..];
                        continue;
                    }
                } else if let Some(filter) = make_filter(key, value) {
                    parsed.filters.push(filter);
                    rest = &rest[token_end..];
                    continue;
                }
            }
        }
        parsed.words.extend(split_words(token));
        rest = &rest[token_end..];
    }
    parsed.words.truncate(MAX_WORDS);
    parsed.phrases.truncate(MAX_PHRASES);
    parsed.filters.truncate(MAX_FILTERS);
    parsed
}

/// How far a word may be misspelt: none for short words, where one edit makes another word.
fn fuzzy_distance(word: &str) -> u8 {
    match word.chars().count() {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// A search's tantivy query.
pub(crate) struct BuiltQuery {
    pub query: Box<dyn Query>,
    /// The query is a plain union of term queries, for which tantivy finds the top hits
    /// without visiting every match (block-max WAND); other queries (intersections,
    /// phrases, near misses, filters) visit and score every match anyway.
    pub prunable: bool,
    /// Set when the query is one quoted phrase (pending practices aside): its parts and
    /// the status terms to exclude, for [`crate::phrase_search`].
    pub phrase: Option<PhraseOnly>,
}

pub(crate) struct PhraseOnly {
    pub alternatives: Vec<PhraseAlternative>,
    pub excluded: Vec<Term>,
}

/// Turns parsed queries into tantivy queries with the index's analysers.
#[derive(Clone)]
pub(crate) struct QueryBuilder {
    fields: Fields,
    italian: TextAnalyzer,
    english: TextAnalyzer,
    plain: TextAnalyzer,
    keyword: TextAnalyzer,
}

fn term_query(term: Term) -> Box<dyn Query> {
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

    /// `None` when the query holds nothing to search for (empty, stop words only,
    /// punctuation only).
    pub fn build(
        &mut self,
        searcher: &Searcher,
        parsed: &ParsedQuery,
        include_pending: bool,
    ) -> Option<BuiltQuery> {
        if parsed.is_empty() {
            return None;
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        // What the single clause is, when there is one (see `BuiltQuery`).
        let mut term_union = false;
        let mut phrase = None;
        for word in &parsed.words {
            if let Some((group, fuzzy)) = self.word_group(searcher, word) {
                term_union = !fuzzy;
                clauses.push((Occur::Must, group));
            }
        }
        for text in &parsed.phrases {
            if let Some((group, alternatives)) = self.phrase_group(text) {
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
            self.unpublished(searcher)
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
        })
    }

    /// The status terms that keep pending practices out. Every document holds exactly one
    /// status, so excluding the few pending ones selects the published ones without
    /// intersecting every match with the (huge) list of published documents; when no
    /// document was ever pending (`doc_freq` counts deleted documents too, so this errs on
    /// the safe side), there is nothing to exclude at all.
    fn unpublished(&self, searcher: &Searcher) -> Vec<Term> {
        Status::ALL
            .into_iter()
            .filter(|status| *status != Status::Published)
            .map(|status| Term::from_field_text(self.fields.status, status.as_str()))
            .filter(|term| searcher.doc_freq(term).map_or(true, |count| count > 0))
            .collect()
    }

    pub fn published_only(&self) -> Box<dyn Query> {
        filter_query(term_query(Term::from_field_text(
            self.fields.status,
            Status::Published.as_str(),
        )))
    }

    /// One word, any language: exact matches in titles and bodies, and near misses. Also
    /// says whether near misses are searched (the group is then more than term queries).
    fn word_group(&mut self, searcher: &Searcher, word: &str) -> Option<(Box<dyn Query>, bool)> {
        let italian = tokens(&mut self.italian, word).into_iter().next();
        let english = tokens(&mut self.english, word).into_iter().next();
        // A stop word in either language would make the word required in documents of the
        // other language where it was never indexed: drop it altogether.
        let (italian, english) = (italian?, english?);
        // A word the repository knows well is not a typo; skipping its fuzzy expansion keeps
        // common-word queries fast on large indexes.
        let exact_matches: u64 = [
            Term::from_field_text(self.fields.body_it, &italian),
            Term::from_field_text(self.fields.body_en, &english),
        ]
        .iter()
        .map(|term| searcher.doc_freq(term).unwrap_or(0))
        .sum();
        let well_known = exact_matches >= (searcher.num_docs() / FUZZY_UNLESS_IN_PER_MILLE).max(3);
        let distance = if well_known { 0 } else { fuzzy_distance(word) };
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (language, stem) in [
            (PracticeLanguage::It, &italian),
            (PracticeLanguage::En, &english),
        ] {
            let title = Term::from_field_text(self.fields.title(language), stem);
            let body = Term::from_field_text(self.fields.body(language), stem);
            alternatives.push((
                Occur::Should,
                Box::new(BoostQuery::new(term_query(title), TITLE_BOOST)),
            ));
            alternatives.push((Occur::Should, term_query(body.clone())));
            if distance > 0 {
                alternatives.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(FuzzyTermQuery::new(body, distance, true)),
                        FUZZY_BOOST,
                    )),
                ));
            }
        }
        Some((Box::new(BooleanQuery::new(alternatives)), distance > 0))
    }

    /// A quoted phrase: consecutive words in the title or the body, in either language.
    /// Also returns its parts, for [`crate::phrase_search`].
    fn phrase_group(&mut self, phrase: &str) -> Option<(Box<dyn Query>, Vec<PhraseAlternative>)> {
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut parts = Vec::new();
        for language in PracticeLanguage::ALL {
            let analyzer = match language {
                PracticeLanguage::It => &mut self.italian,
                PracticeLanguage::En => &mut self.english,
            };
            let positioned = tokens_with_positions(analyzer, phrase);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_phrases_and_filters_are_told_apart() {
        let parsed = parse(
            r#"riuso "codice sorgente" type:guideline org:"Comune di Roma" year:2019..2022 tag:Cloud lang:it license:cc0"#,
        );
        assert_eq!(parsed.words, vec!["riuso"]);
        assert_eq!(parsed.phrases, vec!["codice sorgente"]);
        assert_eq!(
            parsed.filters,
            vec![
                Filter::Type(PracticeType::Guideline),
                Filter::Organisation("Comune di Roma".to_string()),
                Filter::Year {
                    from: Some(2019),
                    to: Some(2022)
                },
                Filter::Tag("Cloud".to_string()),
                Filter::Language(PracticeLanguage::It),
                Filter::Licence("cc0".to_string()),
            ]
        );
    }

    #[test]
    fn malformed_syntax_degrades_to_words() {
        let parsed = parse(r#"year:20x1 year:2022..2019 foo:bar : "unbalanced quote"#);
        assert!(parsed.filters.is_empty());
        assert_eq!(
            parsed.words,
            vec![
                "year",
                "20x1",
                "year",
                "2022",
                "2019",
                "foo",
                "bar",
                "unbalanced",
                "quote"
            ]
        );
        assert!(parse("?!... ;;; \u{0}\u{7}").is_empty());
        assert_eq!(
            parse("anno:..2020").filters,
            vec![Filter::Year {
                from: None,
                to: Some(2020)
            }]
        );
    }

    #[test]
    fn huge_input_is_bounded() {
        let parsed = parse(&"parola ".repeat(10_000));
        assert_eq!(parsed.words.len(), MAX_WORDS);
    }

    #[test]
    fn only_longer_words_are_fuzzy() {
        assert_eq!(fuzzy_distance("dati"), 0);
        assert_eq!(fuzzy_distance("licenze"), 1);
        assert_eq!(fuzzy_distance("amministrazione"), 2);
    }
}
