//! The AgID corpus: expected first results, and related practices above the threshold.

use super::*;

pub(super) fn corpus_dir() -> PathBuf {
    let corpus = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/data/practices"
    ));
    assert!(
        corpus.is_dir(),
        "the test corpus is missing at {}: it lives in the repository under tests/data/practices",
        corpus.display()
    );
    corpus.to_path_buf()
}

pub(super) fn corpus_index() -> Index {
    let index = Index::in_ram().expect("index");
    let report = index
        .add_paths(&[corpus_dir()], "@admin:x", at(1), &mut no_progress())
        .expect("ingest corpus");
    assert!(report.added >= 30, "{report:?}");
    assert!(report.failed.is_empty(), "{report:?}");
    index
}

fn first_file(index: &Index, query: &str) -> String {
    let results = index
        .search(query, SearchOptions::default())
        .expect("search");
    let hit = results
        .hits
        .first()
        .unwrap_or_else(|| panic!("nothing for {query:?}"));
    let practice = index.get(&hit.id).expect("get").expect("present");
    practice
        .path
        .expect("ingested from a file")
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn corpus_queries_find_the_expected_document_first() {
    let index = corpus_index();
    let expected = [
        ("total cost of ownership", "total-cost-of-ownership-tco.rst"),
        ("glossario", "glossario.rst"),
        (
            "Developers Italia motore di ricerca",
            "developers-italia-e-la-ricerca-di-software-in-riuso.rst",
        ),
        ("titolarità del software commissionato", "titolarita.rst"),
        ("soggetti destinatari", "soggetti-destinatari.rst"),
        (
            "manutenzione evolutiva correttiva",
            "manutenzione-di-un-software-da-parte-dell-amministrazione-titolare.rst",
        ),
        (
            "\"guida alle licenze open source\"",
            "allegato-c-guida-alle-licenze-open-source.rst",
        ),
    ];
    for (query, file) in expected {
        assert_eq!(first_file(&index, query), file, "query {query:?}");
    }
    let tco = index
        .search("total cost of ownership", SearchOptions::default())
        .expect("search");
    let tco_practice = index.get(&tco.hits[0].id).expect("get").expect("present");
    assert_eq!(tco_practice.title, "Total Cost of Ownership (TCO)");
    assert_eq!(tco_practice.practice_type, PracticeType::Guideline);
    assert_eq!(tco_practice.licence.as_deref(), Some("CC0 1.0 Universal"));
    assert!(tco_practice
        .source
        .contains("acquisizione-software/total-cost-of-ownership-tco.rst"));
    assert!(tco.hits[0].snippet_html.contains("<b>"));
    // The corpus's LICENSE is CC0, which the licence filter finds.
    assert!(
        index
            .search("licence:cc0 riuso", SearchOptions::default())
            .expect("search")
            .total
            >= 20
    );
    assert_eq!(
        index
            .search("qualita", SearchOptions::default())
            .expect("search")
            .total,
        index
            .search("qualità", SearchOptions::default())
            .expect("search")
            .total
    );
}

#[test]
fn related_practices_only_above_the_relevance_threshold() {
    let index = corpus_index();
    let related = index
        .related(
            "Proposta: favorire il riuso del software open source nelle pubbliche amministrazioni",
            3,
        )
        .expect("related");
    assert!(!related.is_empty(), "relevant proposal found nothing");
    assert!(related.len() <= 3);
    let tco = index
        .related(
            "Valutare il costo totale delle soluzioni prima di acquistare un gestionale",
            3,
        )
        .expect("related");
    assert_eq!(tco[0].title, "Total Cost of Ownership (TCO)");
    for unrelated in [
        "Organizzare una gita al mare con i bambini durante l'estate",
        "Aprire una pista ciclabile lungo il fiume e piantare alberi nei parchi",
        "Ridurre le tasse sui rifiuti per le famiglie numerose",
    ] {
        let found = index.related(unrelated, 3).expect("related");
        assert!(found.is_empty(), "{unrelated:?} found {:?}", ids(&found));
    }
    assert!(index.related("", 3).expect("related").is_empty());
    assert!(index.related("e di la il", 3).expect("related").is_empty());
}
