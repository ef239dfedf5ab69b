//! `publiccode.yml` files (`tests/data/publiccode`, written from the standard's
//! documentation): each valid one a `software` practice with its metadata, the invalid one
//! skipped with its reason, and the software found by words of either language.

use super::*;

/// The folder of sample files: three valid (0.4, 0.3 with Italian and English, 0.2 with
/// `it.riuso.codiceIPA`) and one without its `url`.
fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/publiccode")
}

fn ingested() -> (Index, pspm_indexer::IngestReport) {
    let index = Index::in_ram().expect("index");
    let report = index
        .add_paths(&[samples()], "@admin:x", at(4), &mut no_progress())
        .expect("add");
    (index, report)
}

/// What a person sees of a practice: title, type, organisation, licence, source, tags,
/// year, language.
type Seen = (
    String,
    PracticeType,
    Option<String>,
    Option<String>,
    String,
    Vec<String>,
    Option<i32>,
    PracticeLanguage,
);

fn seen(practice: &Practice) -> Seen {
    (
        practice.title.clone(),
        practice.practice_type,
        practice.organisation.clone(),
        practice.licence.clone(),
        practice.source.clone(),
        practice.tags.clone(),
        practice.year,
        practice.language,
    )
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| item.to_string()).collect()
}

#[test]
fn each_valid_publiccode_file_is_a_software_practice() {
    let (index, report) = ingested();
    assert_eq!(report.added, 3, "{report:?}");
    let mut practices: Vec<Seen> = index.list(true).expect("list").iter().map(seen).collect();
    practices.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        practices,
        vec![
            (
                "ConsultaBilanci".to_string(),
                PracticeType::Software,
                // Named only by its IPA code (0.2's `it.riuso.codiceIPA`).
                Some("codice IPA c_h999".to_string()),
                Some("MIT".to_string()),
                "https://gitlab.com/comune-monteverde/consulta-bilanci".to_string(),
                strings(&["budgeting", "data-visualization", "financial-reporting"]),
                Some(2019),
                PracticeLanguage::En,
            ),
            (
                "PrenotaMusei".to_string(),
                PracticeType::Software,
                Some("Ministero della Cultura".to_string()),
                Some("AGPL-3.0-or-later".to_string()),
                // No landing page: the repository.
                "https://github.com/ministero-cultura/prenota-musei".to_string(),
                strings(&[
                    "online-booking",
                    "visitor-management",
                    "appointment-scheduling"
                ]),
                Some(2022),
                PracticeLanguage::It,
            ),
            (
                "SegnalaComune".to_string(),
                PracticeType::Software,
                Some("Comune di Valdoria".to_string()),
                Some("EUPL-1.2".to_string()),
                "https://www.comune.valdoria.it/segnalazioni".to_string(),
                strings(&[
                    "feedback-and-reviews-management",
                    "digital-citizenship",
                    "geographic-information-systems",
                ]),
                Some(2023),
                PracticeLanguage::It,
            ),
        ]
    );

    let musei = index
        .list(true)
        .expect("list")
        .into_iter()
        .find(|practice| practice.title == "PrenotaMusei")
        .expect("PrenotaMusei");
    assert_eq!(
        musei.summary,
        "App per prenotare l'ingresso nei musei statali e acquistare il biglietto senza \
         passare dalla biglietteria."
    );
    // The index keeps only the text's opening: the whole body is the parser's.
    let bytes = fs::read(samples().join("prenota-musei/publiccode.yml")).expect("read");
    let body = pspm_indexer::parse::parse(pspm_indexer::parse::Format::PublicCode, &bytes)
        .expect("valid")
        .body;
    // The Italian description, then the English one: each short, long (folded lines
    // joined) and features.
    let paragraphs: Vec<&str> = body.split("\n\n").collect();
    assert_eq!(paragraphs.len(), 6, "{body}");
    assert!(paragraphs[0].starts_with("App per prenotare"), "{body}");
    assert!(
        paragraphs[1].starts_with("PrenotaMusei è l'applicazione"),
        "{body}"
    );
    assert_eq!(
        paragraphs[2],
        "Prenotazione per fascia oraria; Pagamento con pagoPA; Biglietto nominativo con \
         codice QR; Gestione della capienza delle sale; Informazioni sull'accessibilità di \
         ogni museo"
    );
    assert!(
        paragraphs[3].starts_with("App to book a timed entry"),
        "{body}"
    );
    assert!(
        paragraphs[4].ends_with("step-free and wheelchair accessible."),
        "{body}"
    );
    assert!(
        paragraphs[5].starts_with("Timed-entry booking; Payment with pagoPA"),
        "{body}"
    );
    let stats = index.stats().expect("stats");
    assert_eq!(stats.by_type.get(&PracticeType::Software), Some(&3));
}

#[test]
fn an_invalid_publiccode_file_is_skipped_with_its_reason() {
    let (index, report) = ingested();
    let skipped: Vec<(String, &str)> = report
        .failed
        .iter()
        .map(|(path, reason)| {
            let folder = path.parent().and_then(Path::file_name).expect("folder");
            (folder.to_string_lossy().into_owned(), reason.as_str())
        })
        .collect();
    assert_eq!(
        skipped,
        vec![(
            "senza-url".to_string(),
            "not a valid publiccode.yml: the mandatory key url is missing"
        )]
    );
    assert!(search(&index, "ProtocolloFacile").is_empty());
}

#[test]
fn software_is_found_by_a_word_of_either_language() {
    let (index, _) = ingested();
    let id_of = |title: &str| {
        index
            .list(true)
            .expect("list")
            .into_iter()
            .find(|practice| practice.title == title)
            .map(|practice| practice.id)
            .expect("ingested")
    };
    let musei = id_of("PrenotaMusei");
    // Only its English description says "wheelchair"; only the Italian one "biglietteria".
    assert_eq!(search(&index, "wheelchair"), vec![musei.clone()]);
    assert_eq!(search(&index, "biglietteria"), vec![musei.clone()]);
    assert_eq!(search(&index, "queueing museums"), vec![musei.clone()]);
    // Stemmed as the other descriptions: "segnalazioni" finds "segnalazione".
    assert_eq!(
        search(&index, "segnalazione lampione"),
        vec![id_of("SegnalaComune")]
    );
    assert_eq!(
        search(&index, "spending programme"),
        vec![id_of("ConsultaBilanci")]
    );
    // The type filter, in English and Italian, and the other filters.
    assert_eq!(search(&index, "type:software").len(), 3);
    assert_eq!(
        search(&index, "tipo:software lang:en"),
        vec![id_of("ConsultaBilanci")]
    );
    assert_eq!(
        search(&index, "type:software tag:online-booking"),
        vec![musei.clone()]
    );
    assert_eq!(
        search(&index, "type:software year:2023"),
        vec![id_of("SegnalaComune")]
    );
    assert!(search(&index, "wheelchair type:guideline").is_empty());
}
