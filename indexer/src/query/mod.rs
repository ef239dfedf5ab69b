//! The lenient query language and its translation into a tantivy query.
//!
//! Syntax: words, `"phrases"`, and filters `type:`, `org:`, `year:2020` or `year:2019..2022`,
//! `tag:`, `lang:`, `licence:` (also `license:` and Italian `tipo:`, `ente:`, `anno:`,
//! `lingua:`, `licenza:`); a filter value may be quoted. Nothing here fails: anything that
//! does not parse as syntax is searched as words, and input is bounded so that pasting a
//! book into the search box costs no more than a long query.
//!
//! - `build`: the exact query (stemmed words, phrases, filters) and what a hit highlights;
//! - `near`: near matches, for when the exact query finds fewer than a page: each word
//!   found in too few practices is widened to the index's words a typo or two away.

mod build;
mod near;

pub(crate) use build::{BuiltQuery, IndexFacts, QueryBuilder, Stems};
pub(crate) use near::NearQuery;

use crate::practice::{PracticeLanguage, PracticeType};

const MAX_QUERY_CHARS: usize = 1_000;
const MAX_WORDS: usize = 16;
const MAX_PHRASES: usize = 4;
const MAX_FILTERS: usize = 8;

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
}
