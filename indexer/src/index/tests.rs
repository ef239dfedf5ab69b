//! Checks of [`crate::phrase_search`] against tantivy on the test corpus; they need the
//! index's reader and fields, hence here.

use std::path::Path;

use chrono::Utc;
use tantivy::collector::{Count, TopDocs};
use tantivy::DocAddress;

use super::Index;
use crate::phrase_search;
use crate::practice::Share;
use crate::query::{self, IndexFacts, QueryBuilder};
use crate::word_search::WordPostings;

/// The phrase search must return exactly what tantivy returns for the same query: same
/// documents, order, scores and (capped) count, with pending practices excluded and with
/// the bound pruning positions (small caps).
#[test]
fn phrase_search_matches_tantivy() {
    let corpus = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/data/practices"
    ));
    assert!(
        corpus.is_dir(),
        "test corpus missing at {}",
        corpus.display()
    );
    let index = Index::in_ram().expect("index");
    let at = Utc::now();
    index
        .add_paths(&[corpus.to_path_buf()], "@admin:x", at, &mut |_| {})
        .expect("ingest");
    index
        .share(Share {
            id: "pending".to_string(),
            title: "Riuso del software".to_string(),
            url_or_text: "Il riuso del software nella pubblica amministrazione.".to_string(),
            practice_type: None,
            tags: Vec::new(),
            added_by: "@someone:x".to_string(),
            added_at: at,
        })
        .expect("share");
    let searcher = index.reader.searcher();
    let phrases = [
        "\"riuso del software\"",
        "\"pubblica amministrazione\"",
        "\"codice sorgente\"",
        "\"software open source\"",
        "\"open source\"",
        "\"del software\"",
        "\"guida alle licenze open source\"",
        "\"total cost of ownership\"",
        "\"amministrazione titolare\"",
        "\"software\"",
        "\"developers italia\"",
        "\"parole che non stanno insieme\"",
    ];
    let mut compared = 0;
    for phrase in phrases {
        for include_pending in [false, true] {
            let parsed = query::parse(phrase);
            let facts = IndexFacts::of(&index.fields, &searcher);
            let built = QueryBuilder::new(index.fields)
                .build(&facts, &parsed, include_pending)
                .expect("a query");
            let shortcut = built.phrase.as_ref().expect("a phrase-only query");
            assert_eq!(shortcut.excluded.is_empty(), include_pending);
            for (wanted, cap) in [(1, 1), (3, 1), (5, 2), (5, 1000), (40, 7), (200, 1000)] {
                let (expected, exact) = searcher
                    .search(
                        &*built.query,
                        &(TopDocs::with_limit(wanted).order_by_score(), Count),
                    )
                    .expect("tantivy");
                let (found, counted) = phrase_search::top_hits(
                    &searcher,
                    &shortcut.alternatives,
                    &shortcut.excluded,
                    wanted,
                    cap,
                )
                .expect("shortcut");
                assert_eq!(
                    counted,
                    exact.min(cap),
                    "{phrase} wanted {wanted} cap {cap}"
                );
                let addresses = |hits: &[(f32, DocAddress)]| {
                    hits.iter().map(|(_, address)| *address).collect::<Vec<_>>()
                };
                assert_eq!(
                    addresses(&found),
                    addresses(&expected),
                    "{phrase} wanted {wanted} cap {cap}"
                );
                for ((score, _), (tantivy_score, _)) in found.iter().zip(&expected) {
                    assert!(
                        (score - tantivy_score).abs() <= 1e-5 * tantivy_score.abs(),
                        "{phrase}: {score} against {tantivy_score}"
                    );
                }
                compared += found.len();
            }
        }
    }
    assert!(compared > 500, "too few hits compared: {compared}");
}

/// A one-word query ranked and counted from its postings (`word_search`) gives what tantivy
/// gives for the same query: same documents, order, scores and (capped) count, also with
/// deleted documents in the segment.
#[test]
fn word_search_matches_tantivy() {
    let corpus = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/data/practices"
    ));
    let index = Index::in_ram().expect("index");
    index
        .add_paths(&[corpus.to_path_buf()], "@admin:x", Utc::now(), &mut |_| {})
        .expect("ingest");
    let practices = index.list(true).expect("list");
    // Deleted documents stay in their segment until a merge.
    for practice in practices.iter().step_by(7) {
        index.remove(&practice.id).expect("remove");
    }
    let searcher = index.reader.searcher();
    assert!(
        searcher
            .segment_readers()
            .iter()
            .any(|segment| segment.alive_bitset().is_some()),
        "the test needs deletions"
    );
    let facts = IndexFacts::of(&index.fields, &searcher);
    let mut compared = 0;
    for word in [
        "software",
        "riuso",
        "licenza",
        "amministrazione",
        "glossario",
        "tco",
        "eupl",
        "maintainer",
        "publiccode",
        "cloud",
        "sicurezza",
        "open",
        "titolarità",
        "hardware",
    ] {
        let parsed = query::parse(word);
        let built = QueryBuilder::new(index.fields)
            .build(&facts, &parsed, true)
            .expect("a query");
        let terms = built.word_terms.as_ref().expect("a one-word query");
        let postings = WordPostings::look_up(&searcher, terms).expect("look up");
        for (wanted, cap) in [(1, 1), (3, 2), (5, 1000), (40, 7), (200, 1000)] {
            let (expected, exact) = searcher
                .search(
                    &*built.query,
                    &(TopDocs::with_limit(wanted).order_by_score(), Count),
                )
                .expect("tantivy");
            let (found, counted) = postings.top_hits(wanted, cap).expect("word search");
            assert_eq!(counted, exact.min(cap), "{word} wanted {wanted} cap {cap}");
            assert_eq!(
                postings.count(cap).expect("count"),
                exact.min(cap),
                "{word} cap {cap}"
            );
            assert_eq!(found.len(), expected.len(), "{word} wanted {wanted}");
            for ((score, address), (tantivy_score, tantivy_address)) in found.iter().zip(&expected)
            {
                assert!(
                    (score - tantivy_score).abs() <= 1e-5 * tantivy_score.abs(),
                    "{word}: {score} against {tantivy_score}"
                );
                // Equal scores may come in another order; different ones may not.
                if (score - tantivy_score).abs() > 1e-6 * tantivy_score.abs() {
                    assert_eq!(address, tantivy_address, "{word}");
                }
            }
            compared += found.len();
        }
    }
    assert!(compared > 300, "too few hits compared: {compared}");
}

/// A parser that panics (a bug in it or in a library) costs one file, reported with the
/// panic's message; the other files of the same ingest are added.
#[test]
fn a_parser_panic_skips_that_file_and_the_ingest_goes_on() {
    let folder = tempfile::tempdir().expect("tempdir");
    for name in ["a.md", "boom.md", "c.md"] {
        std::fs::write(
            folder.path().join(name),
            format!("# {name}\n\nTesto di {name}."),
        )
        .expect("write");
    }
    let index = Index::in_ram().expect("index");
    let report = index
        .add_paths_with(
            &[folder.path().to_path_buf()],
            &mut |_| {},
            |candidate, bytes, limits| {
                if candidate.path.ends_with("boom.md") {
                    panic!("index out of bounds: the len is 3 but the index is 7");
                }
                crate::ingest::practice_from_file(candidate, bytes, "@a:x", Utc::now(), limits)
            },
        )
        .expect("the ingest itself succeeds");
    assert_eq!(report.added, 2, "{report:?}");
    let [(path, reason)] = report.failed.as_slice() else {
        panic!("one file skipped: {report:?}");
    };
    assert!(path.ends_with("boom.md"), "{report:?}");
    assert!(
        reason.contains("the parser failed") && reason.contains("the index is 7"),
        "{reason}"
    );
    let titles: Vec<String> = index
        .list(false)
        .expect("list")
        .into_iter()
        .map(|practice| practice.title)
        .collect();
    assert_eq!(titles.len(), 2);
    assert!(titles.contains(&"a.md".to_string()) && titles.contains(&"c.md".to_string()));
}
