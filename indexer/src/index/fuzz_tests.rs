//! Fuzz targets for the query language: any text a person types into `!search` (or a
//! proposal's text, for related practices) parses within its bounds and searches a real
//! index without an error or a panic, with a page that keeps the paging rules.

use chrono::{TimeZone, Utc};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use super::Index;
use crate::fuzzing::{cases, run};
use crate::practice::{
    Practice, PracticeLanguage, PracticeType, Rating, SearchOptions, Share, Status,
};
use crate::query;

/// Query-shaped text: words of the index, filters with good and bad values, quotes,
/// ranges, punctuation and any Unicode.
fn query_text() -> impl Strategy<Value = String> {
    vec(
        prop_oneof![
            6 => select(
                &[
                    "riuso", "software", "qualità", "qualita", "licemze", "aperte", "open",
                    "data", "piano", "the", "di", "type:", "tipo:guida", "type:guideline",
                    "type:nonsense", "org:", "org:agid", "ente:\"comune di roma\"", "year:",
                    "year:2020", "anno:2019..2022", "year:..2020", "year:2020..",
                    "year:2022..2019", "year:abc..zz", "year:99999999999", "tag:", "tag:cloud",
                    "lang:en", "lingua:xx", "licence:cc0", "license:", "\"", "\"riuso del",
                    "software\"", ":", "::", "..", "(", ")", "-", "*", "~", "^", "+", "'",
                    "AND", "OR", "NOT",
                ][..]
            )
            .prop_map(str::to_owned),
            2 => "[a-zà-ù]{1,20}",
            1 => any::<String>(),
            1 => "[a-z]{30,80}",
            3 => Just(" ".to_owned()),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

#[test]
fn fuzz_query_parse() {
    run("query parse", cases(1.0), query_text(), |text| {
        let parsed = query::parse(&text);
        prop_assert!(parsed.words.len() <= 16 && parsed.phrases.len() <= 4);
        prop_assert!(parsed.filters.len() <= 8);
        prop_assert!(parsed.words.iter().all(|word| !word.is_empty()));
        Ok(())
    });
}

/// A few published and pending practices in both languages.
fn small_index() -> Index {
    let index = Index::in_ram().expect("index");
    let at = Utc
        .with_ymd_and_hms(2026, 3, 1, 9, 0, 0)
        .single()
        .expect("date");
    let practice = |id: &str, title: &str, body: &str, language| Practice {
        id: id.to_string(),
        title: title.to_string(),
        summary: String::new(),
        body: body.to_string(),
        practice_type: PracticeType::Guideline,
        organisation: Some("AgID".to_string()),
        year: Some(2020),
        tags: vec!["cloud".to_string()],
        language,
        licence: Some("CC0".to_string()),
        source: "test".to_string(),
        added_by: "@a:x".to_string(),
        added_at: at,
        status: Status::Published,
        rating: Rating::default(),
        path: None,
    };
    index
        .import([
            practice(
                "riuso",
                "Riuso del software",
                "Le licenze aperte permettono il riuso del software tra amministrazioni.",
                PracticeLanguage::It,
            ),
            practice(
                "open",
                "Open data guidelines",
                "Councils publish open data and measure its quality.",
                PracticeLanguage::En,
            ),
        ])
        .expect("import");
    index
        .share(Share {
            id: "pending".to_string(),
            title: "Qualità dei dati".to_string(),
            url_or_text: "La qualità dei dati aperti del comune.".to_string(),
            practice_type: None,
            tags: Vec::new(),
            added_by: "@b:x".to_string(),
            added_at: at,
        })
        .expect("share");
    index
}

#[test]
fn fuzz_search() {
    let index = small_index();
    let strategy = (query_text(), 0usize..4, 0usize..6, any::<bool>());
    run(
        "search",
        cases(0.25),
        strategy,
        |(text, offset, limit, include_pending)| {
            let options = SearchOptions {
                offset,
                limit,
                include_pending,
            };
            let results = index
                .search(&text, options)
                .map_err(|error| TestCaseError::fail(format!("{text:?}: {error}")))?;
            prop_assert!(results.hits.len() <= limit);
            prop_assert!(results.hits.len() <= 3);
            prop_assert!(results
                .hits
                .iter()
                .all(|hit| include_pending || hit.status == Status::Published));
            if !results.hits.is_empty() {
                prop_assert!(results.offset + results.hits.len() <= results.total);
            }
            let related = index
                .related(&text, 3)
                .map_err(|error| TestCaseError::fail(format!("{text:?}: {error}")))?;
            prop_assert!(related.len() <= 3);
            Ok(())
        },
    );
}
