//! The index end to end: ingest of every format, analysis, query syntax, snippets, chat
//! operations, cross-handle concurrency and searches over the AgID corpus in `tests/data/practices`.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use pspm_indexer::{
    Hit, Index, IndexError, Language, Practice, PracticeType, Progress, Rating, SearchOptions,
    Share, Status,
};

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, 9, 0, 0)
        .single()
        .expect("valid date")
}

fn no_progress() -> impl FnMut(Progress) {
    |_| {}
}

fn practice(id: &str, title: &str, body: &str) -> Practice {
    Practice {
        id: id.to_string(),
        title: title.to_string(),
        summary: String::new(),
        body: body.to_string(),
        practice_type: PracticeType::Other,
        organisation: None,
        year: None,
        tags: Vec::new(),
        language: Language::It,
        licence: None,
        source: format!("test:{id}"),
        added_by: "@admin:example.org".to_string(),
        added_at: at(1),
        status: Status::Published,
        rating: Rating::default(),
        path: None,
    }
}

fn ids(hits: &[Hit]) -> Vec<&str> {
    hits.iter().map(|hit| hit.id.as_str()).collect()
}

fn search(index: &Index, query: &str) -> Vec<String> {
    index
        .search(
            query,
            SearchOptions {
                limit: 20,
                ..SearchOptions::default()
            },
        )
        .expect("search")
        .hits
        .into_iter()
        .map(|hit| hit.id)
        .collect()
}

/// A small index with one practice per interesting property.
fn sample_index() -> Index {
    let index = Index::in_ram().expect("index");
    let mut plan = practice(
        "plan",
        "Piano triennale per l'informatica",
        "Il piano descrive la qualità dei servizi digitali offerti dall'amministrazione comunale.",
    );
    plan.practice_type = PracticeType::StrategicPlan;
    plan.organisation = Some("Comune di Roma".to_string());
    plan.year = Some(2020);
    plan.tags = vec!["cloud".to_string(), "dati".to_string()];
    plan.licence = Some("CC-BY 4.0".to_string());

    let mut licences = practice(
        "licences",
        "Guida alla scelta",
        "Le licenze aperte permettono il riuso del codice sorgente tra amministrazioni.",
    );
    licences.practice_type = PracticeType::Guideline;
    licences.organisation = Some("AgID".to_string());
    licences.year = Some(2019);
    licences.licence = Some("CC0 1.0 Universal".to_string());
    licences.tags = vec!["open source".to_string()];

    let mut english = practice(
        "english",
        "Open data guidelines",
        "These guidelines explain how councils publish their datasets and measure quality.",
    );
    english.language = Language::En;
    english.practice_type = PracticeType::Methodology;
    english.organisation = Some("Open Knowledge".to_string());
    english.year = Some(2022);

    let mut experience = practice(
        "experience",
        "Esperienza di partecipazione",
        "Il codice della partecipazione e il sorgente del portale sono stati scritti insieme ai cittadini.",
    );
    experience.practice_type = PracticeType::Experience;
    experience.organisation = Some("Regione Toscana".to_string());
    experience.year = Some(2021);

    index
        .import(vec![plan, licences, english, experience])
        .expect("import");
    index
}

#[test]
fn italian_stemming_and_accent_folding() {
    let index = sample_index();
    // "qualita" finds "qualità" exactly; the English "quality" only as a near miss, below.
    assert_eq!(search(&index, "qualita")[0], "plan");
    assert_eq!(search(&index, "qualita"), search(&index, "QUALITÀ"));
    let mut plural = search(&index, "amministrazioni");
    plural.sort();
    assert_eq!(plural, vec!["licences", "plan"]);
    assert_eq!(search(&index, "amministrazione comunale"), vec!["plan"]);
    assert_eq!(search(&index, "licenza"), vec!["licences"]);
}

#[test]
fn english_stemming() {
    let index = sample_index();
    assert_eq!(search(&index, "guideline publishing"), vec!["english"]);
    assert_eq!(search(&index, "dataset"), vec!["english"]);
}

#[test]
fn filters_and_year_ranges() {
    let index = sample_index();
    assert_eq!(search(&index, "type:strategic-plan"), vec!["plan"]);
    assert_eq!(search(&index, "tipo:linee-guida"), vec!["licences"]);
    assert_eq!(search(&index, "org:agid"), vec!["licences"]);
    assert_eq!(search(&index, "org:\"comune di roma\""), vec!["plan"]);
    assert!(search(&index, "org:\"roma di comune\"").is_empty());
    assert_eq!(search(&index, "tag:CLOUD"), vec!["plan"]);
    assert_eq!(search(&index, "tag:\"open source\""), vec!["licences"]);
    assert_eq!(search(&index, "lang:en"), vec!["english"]);
    assert_eq!(search(&index, "licence:cc0"), vec!["licences"]);
    assert_eq!(search(&index, "license:\"cc-by\""), vec!["plan"]);
    assert_eq!(search(&index, "year:2020"), vec!["plan"]);
    let mut range = search(&index, "year:2020..2021");
    range.sort();
    assert_eq!(range, vec!["experience", "plan"]);
    assert_eq!(search(&index, "year:..2019"), vec!["licences"]);
    assert_eq!(search(&index, "anno:2022.."), vec!["english"]);
    // A filter narrows a text search.
    assert_eq!(
        search(&index, "codice sorgente year:2021"),
        vec!["experience"]
    );
    assert!(search(&index, "codice type:strategic-plan").is_empty());
}

#[test]
fn typos_are_forgiven_only_in_longer_words() {
    let index = sample_index();
    assert_eq!(search(&index, "licemze"), vec!["licences"]);
    assert_eq!(search(&index, "cittadimi"), vec!["experience"]);
    // "piano" finds the plan; "pino" is one edit away but too short to be fuzzed.
    assert_eq!(search(&index, "piano"), vec!["plan"]);
    assert!(search(&index, "pino").is_empty());
}

#[test]
fn exact_matches_rank_above_fuzzy_ones() {
    let index = Index::in_ram().expect("index");
    index
        .import(vec![
            practice("typo", "Primo", "Un testo scritto con i cittadimi."),
            practice("exact", "Secondo", "Un testo scritto con i cittadini."),
        ])
        .expect("import");
    let hits = index
        .search("cittadini", SearchOptions::default())
        .expect("search")
        .hits;
    assert_eq!(ids(&hits), vec!["exact", "typo"]);
    assert!(hits[0].score > hits[1].score);
}

#[test]
fn phrase_queries_need_the_words_together() {
    let index = sample_index();
    // Both documents hold "codice" and "sorgente"; only one has them side by side.
    let mut words = search(&index, "codice sorgente");
    words.sort();
    assert_eq!(words, vec!["experience", "licences"]);
    assert_eq!(search(&index, "\"codice sorgente\""), vec!["licences"]);
    assert_eq!(search(&index, "\"open data\""), vec!["english"]);
}

#[test]
fn snippets_highlight_in_html_and_not_in_text() {
    let index = Index::in_ram().expect("index");
    index
        .import(vec![practice(
            "snippet",
            "Titolo",
            "Prima riga <script>alert(1)</script> & poi\nil riuso del software.",
        )])
        .expect("import");
    let results = index
        .search("riuso", SearchOptions::default())
        .expect("search");
    let hit = &results.hits[0];
    assert!(
        hit.snippet_html.contains("<b>riuso</b>"),
        "{}",
        hit.snippet_html
    );
    assert!(hit.snippet_html.contains("&lt;script&gt;"));
    assert!(hit.snippet_html.contains("&amp; poi il"));
    assert!(!hit.snippet_html.contains("<script>"));
    assert!(hit.snippet_text.contains("il riuso del software"));
    assert!(!hit.snippet_text.contains("<b>"));
    assert!(!hit.snippet_text.contains('\n'));
}

#[test]
fn paging_with_offset_limit_and_total() {
    let index = Index::in_ram().expect("index");
    let practices = (0..12)
        .map(|n| {
            practice(
                &format!("p{n:02}"),
                &format!("Pratica {n}"),
                &"riuso ".repeat(n + 1),
            )
        })
        .collect::<Vec<_>>();
    index.import(practices).expect("import");
    let first = index
        .search("riuso", SearchOptions::default())
        .expect("search");
    assert_eq!(first.total, 12);
    assert!(first.total_is_exact);
    assert_eq!(first.hits.len(), 5);
    let second = index
        .search(
            "riuso",
            SearchOptions {
                offset: 5,
                ..SearchOptions::default()
            },
        )
        .expect("search");
    assert_eq!(second.offset, 5);
    assert_eq!(second.hits.len(), 5);
    let third = index
        .search(
            "riuso",
            SearchOptions {
                offset: 10,
                ..SearchOptions::default()
            },
        )
        .expect("search");
    assert_eq!(third.hits.len(), 2);
    let mut all: Vec<&str> = ids(&first.hits);
    all.extend(ids(&second.hits));
    all.extend(ids(&third.hits));
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 12);
}

#[test]
fn totals_are_exact_below_the_cap_and_capped_beyond() {
    const CAP: usize = 1_000;
    let index = Index::in_ram().expect("index");
    let practices = (0..CAP + 10)
        .map(|n| {
            let body = if n % 100 == 0 {
                "riuso del software e manutenzione".to_string()
            } else {
                "riuso del software".to_string()
            };
            practice(&format!("p{n:04}"), &format!("Pratica {n}"), &body)
        })
        .collect::<Vec<_>>();
    index.import(practices).expect("import");
    // Beyond the cap: counting stops there, and the caller shows "1000+".
    for query in [
        "riuso",
        "riuso software",
        "\"riuso del software\"",
        "riuso type:other",
    ] {
        let results = index
            .search(query, SearchOptions::default())
            .expect("search");
        assert_eq!(results.total, CAP, "{query}");
        assert!(!results.total_is_exact, "{query}");
        assert_eq!(results.hits.len(), 5, "{query}");
    }
    // Below it: exact.
    for query in [
        "manutenzione",
        "\"software e manutenzione\"",
        "riuso manutenzione",
    ] {
        let results = index
            .search(query, SearchOptions::default())
            .expect("search");
        assert_eq!(results.total, 11, "{query}");
        assert!(results.total_is_exact, "{query}");
    }
    let nothing = index
        .search("inesistente", SearchOptions::default())
        .expect("search");
    assert_eq!((nothing.total, nothing.total_is_exact), (0, true));
    // Paging while `offset + hits.len() < total` crosses the cap and reaches the last
    // page, where the count is exact again.
    for query in ["riuso", "\"riuso del software\""] {
        let mut offset = 0;
        let mut seen = Vec::new();
        let last = loop {
            let page = index
                .search(
                    query,
                    SearchOptions {
                        offset,
                        limit: 50,
                        ..SearchOptions::default()
                    },
                )
                .expect("search");
            assert!(!page.hits.is_empty(), "{query}: empty page at {offset}");
            seen.extend(page.hits.iter().map(|hit| hit.id.clone()));
            offset += page.hits.len();
            if offset >= page.total {
                break page;
            }
        };
        assert!(last.total_is_exact, "{query}");
        assert_eq!(last.total, CAP + 10, "{query}");
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), CAP + 10, "{query}");
    }
}

/// Seeded xorshift so the garbage is the same every run.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn garbage_queries_never_fail() {
    let index = sample_index();
    let pieces = [
        "\"",
        ":",
        "type:",
        "year:",
        "year:..",
        "year:3000..1",
        "org:\"",
        "tag:",
        "lang:xx",
        "..",
        "licence:",
        "\u{0}",
        "\u{7f}",
        "\n",
        "***",
        "((",
        "))",
        "-",
        "+",
        "~2",
        "^",
        "\\",
        "é",
        "qualità",
        "riuso",
        "ß",
        "😀",
        "\u{202e}",
        "year:2019..2022",
        "\"codice",
        "sorgente\"",
        "AND",
        "OR",
        "NOT",
        "*",
        "?",
        "[",
        "]",
        "{",
        "}",
        "ｑｕａｌｉｔａ",
        "\t",
    ];
    let mut rng = XorShift(0x5eed_1234_abcd_ef01);
    for round in 0..100 {
        let count = (rng.next() % 12) as usize;
        let mut query = String::new();
        for _ in 0..count {
            let piece = pieces[(rng.next() % pieces.len() as u64) as usize];
            query.push_str(piece);
            if rng.next().is_multiple_of(2) {
                query.push(' ');
            }
        }
        if round % 25 == 0 {
            query = query.repeat(500);
        }
        let results = index
            .search(
                &query,
                SearchOptions {
                    include_pending: round % 2 == 0,
                    ..SearchOptions::default()
                },
            )
            .unwrap_or_else(|error| panic!("query {query:?} failed: {error}"));
        assert!(results.hits.len() <= 5);
        assert!(results.total >= results.hits.len());
    }
}

fn share(id: &str, title: &str, url_or_text: &str) -> Share {
    Share {
        id: id.to_string(),
        title: title.to_string(),
        url_or_text: url_or_text.to_string(),
        practice_type: None,
        tags: vec!["partecipazione".to_string()],
        added_by: "@alice:example.org".to_string(),
        added_at: at(2),
    }
}

#[test]
fn share_approve_decline_and_rate() {
    let index = Index::in_ram().expect("index");
    let shared = index
        .share(share(
            "s1",
            "Bilancio partecipativo",
            "Il bilancio partecipativo del quartiere.",
        ))
        .expect("share");
    assert_eq!(shared.status, Status::Pending);
    assert_eq!(shared.added_by, "@alice:example.org");
    assert_eq!(shared.added_at, at(2));
    assert_eq!(shared.source, "chat");
    // Sharing again is idempotent.
    assert_eq!(
        index
            .share(share("s1", "Altro titolo", "altro"))
            .expect("share"),
        shared
    );
    assert_eq!(index.pending().expect("pending").len(), 1);

    // Pending practices are for moderators only.
    assert!(search(&index, "bilancio").is_empty());
    let moderator = index
        .search(
            "bilancio",
            SearchOptions {
                include_pending: true,
                ..SearchOptions::default()
            },
        )
        .expect("search");
    assert_eq!(ids(&moderator.hits), vec!["s1"]);
    assert_eq!(moderator.hits[0].status, Status::Pending);
    assert_eq!(index.list(false).expect("list").len(), 0);
    assert_eq!(index.list(true).expect("list").len(), 1);

    let approved = index.approve("s1").expect("approve");
    assert_eq!(approved.status, Status::Published);
    assert_eq!(index.approve("s1").expect("approve again"), approved);
    assert_eq!(search(&index, "bilancio"), vec!["s1"]);
    assert!(index.pending().expect("pending").is_empty());
    assert!(matches!(
        index.approve("nope"),
        Err(IndexError::NotFound(_))
    ));

    assert_eq!(
        index.rate("s1", "@a:x", 5).expect("rate"),
        Rating {
            average: 5.0,
            count: 1
        }
    );
    assert_eq!(
        index.rate("s1", "@b:x", 2).expect("rate"),
        Rating {
            average: 3.5,
            count: 2
        }
    );
    // The latest rating of a user wins, and repeating it changes nothing.
    assert_eq!(
        index.rate("s1", "@a:x", 3).expect("rate"),
        Rating {
            average: 2.5,
            count: 2
        }
    );
    assert_eq!(
        index.rate("s1", "@a:x", 3).expect("rate"),
        Rating {
            average: 2.5,
            count: 2
        }
    );
    assert!(matches!(
        index.rate("s1", "@a:x", 6),
        Err(IndexError::InvalidRating(6))
    ));
    let stored = index.get("s1").expect("get").expect("present");
    assert_eq!(
        stored.rating,
        Rating {
            average: 2.5,
            count: 2
        }
    );
    assert_eq!(stored.status, Status::Published);

    // Decline removes pending shares only, and says whether there was one.
    index
        .share(share("s2", "Link", "https://example.org/pratica"))
        .expect("share");
    assert_eq!(
        index.get("s2").expect("get").expect("present").source,
        "https://example.org/pratica"
    );
    assert!(index.decline("s2").expect("decline"));
    assert!(!index.decline("s2").expect("decline again"));
    assert!(index.get("s2").expect("get").is_none());
    assert!(matches!(
        index.decline("s1"),
        Err(IndexError::NotPending(_))
    ));
    assert!(matches!(
        index.share(share(" ", "x", "y")),
        Err(IndexError::Invalid(_))
    ));
}

/// A one-page PDF with a title in its info dictionary, built with lopdf.
fn make_pdf(title: &str, lines: &[&str]) -> Vec<u8> {
    use lopdf::content::{Content, Operation};
    use lopdf::{dictionary, Document, Object, Stream};

    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let resources_id = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
    let mut operations = vec![
        Operation::new("BT", vec![]),
        Operation::new("Tf", vec!["F1".into(), 12.into()]),
        Operation::new("Td", vec![72.into(), 720.into()]),
    ];
    for line in lines {
        operations.push(Operation::new("Tj", vec![Object::string_literal(*line)]));
        operations.push(Operation::new("Td", vec![0.into(), (-16).into()]));
    }
    operations.push(Operation::new("ET", vec![]));
    let content = Content { operations };
    let content_id = doc.add_object(Stream::new(
        dictionary! {},
        content.encode().expect("encode"),
    ));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => content_id,
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => vec![page_id.into()],
            "Count" => 1,
            "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    let info_id = doc.add_object(dictionary! { "Title" => Object::string_literal(title) });
    doc.trailer.set("Root", catalog_id);
    doc.trailer.set("Info", info_id);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("save pdf");
    bytes
}

fn write(path: &Path, content: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    fs::write(path, content).expect("write");
}

fn by_title(index: &Index, title: &str) -> Practice {
    index
        .list(true)
        .expect("list")
        .into_iter()
        .find(|practice| practice.title == title)
        .unwrap_or_else(|| panic!("no practice titled {title:?}"))
}

#[test]
fn every_format_is_parsed_with_front_matter_overrides() {
    let folder = tempfile::tempdir().expect("tempdir");
    let root = folder.path();
    write(
        &root.join("piano.md"),
        "---\nid: Piano-2024\ntitle: Piano dal front matter\ntype: strategic-plan\n\
         organisation: Comune di Bari\nyear: 2024\ntags: [dati, cloud]\nlicence: CC-BY 4.0\n\
         source: https://example.org/piano\n---\n# Titolo nel testo\n\n\
         Il piano definisce gli obiettivi di **trasformazione digitale** del comune.\n",
    );
    write(
        &root.join("note.txt"),
        "Esperienza di co-progettazione\n\nIl quartiere ha progettato la piazza con i residenti.\n",
    );
    write(
        &root.join("metodo.rst"),
        "Metodologia di valutazione\n==========================\n\n.. image:: schema.png\n\n\
         La valutazione usa :ref:`indicatori <kpi>` condivisi con le `parti interessate <https://x.it>`_.\n",
    );
    write(
        &root.join("guide.html"),
        "<html><head><title>Guidelines for citizen panels</title><style>b{}</style></head>\
         <body><h1>Panels</h1><p>The council selects citizens by lot and pays them for their time.</p>\
         <script>track()</script></body></html>",
    );
    write(
        &root.join("report.pdf"),
        make_pdf(
            "Rapporto annuale",
            &["Il rapporto annuale descrive la spesa per la formazione."],
        ),
    );
    write(&root.join("LICENSE"), "CC0 1.0 Universal\n\nlong text");
    write(&root.join("immagine.png"), [0u8, 1, 2]);

    let index = Index::in_ram().expect("index");
    let report = index
        .add_paths(&[root.to_path_buf()], "@admin:x", at(3), &mut no_progress())
        .expect("add");
    assert_eq!(report.added, 5, "{report:?}");
    assert!(report.failed.is_empty(), "{report:?}");

    let plan = index
        .get("piano-2024")
        .expect("get")
        .expect("front matter id");
    assert_eq!(plan.title, "Piano dal front matter");
    assert_eq!(plan.practice_type, PracticeType::StrategicPlan);
    assert_eq!(plan.organisation.as_deref(), Some("Comune di Bari"));
    assert_eq!(plan.year, Some(2024));
    assert_eq!(plan.tags, vec!["dati", "cloud"]);
    assert_eq!(plan.licence.as_deref(), Some("CC-BY 4.0"));
    assert_eq!(plan.source, "https://example.org/piano");
    assert_eq!(
        plan.summary,
        "Il piano definisce gli obiettivi di trasformazione digitale del comune."
    );
    assert_eq!(plan.added_by, "@admin:x");
    assert_eq!(plan.added_at, at(3));
    assert_eq!(plan.language, Language::It);

    let note = by_title(&index, "Esperienza di co-progettazione");
    assert_eq!(note.practice_type, PracticeType::Experience);
    assert_eq!(
        note.body,
        "Il quartiere ha progettato la piazza con i residenti."
    );
    // The folder's LICENSE applies when front matter is silent.
    assert_eq!(note.licence.as_deref(), Some("CC0 1.0 Universal"));
    assert_eq!(note.id.len(), 8);

    let method = by_title(&index, "Metodologia di valutazione");
    assert_eq!(method.practice_type, PracticeType::Methodology);
    assert_eq!(
        method.summary,
        "La valutazione usa indicatori condivisi con le parti interessate."
    );

    let guide = by_title(&index, "Guidelines for citizen panels");
    assert_eq!(guide.language, Language::En);
    assert_eq!(guide.practice_type, PracticeType::Guideline);
    assert!(guide.body.contains("The council selects citizens by lot"));
    assert!(!guide.body.contains("track()"));

    let pdf = by_title(&index, "Rapporto annuale");
    assert!(
        pdf.body.contains("spesa per la formazione"),
        "{:?}",
        pdf.body
    );
    assert_eq!(search(&index, "formazione"), vec![pdf.id.clone()]);
    assert_eq!(search(&index, "trasformazione"), vec!["piano-2024"]);
}

#[test]
fn incremental_re_add_skips_replaces_and_removes() {
    let folder = tempfile::tempdir().expect("tempdir");
    let root = folder.path().to_path_buf();
    write(&root.join("a.md"), "# Alfa\n\nPrimo documento sul riuso.");
    write(
        &root.join("sub/b.md"),
        "# Beta\n\nSecondo documento sulle licenze.",
    );
    write(
        &root.join("sub/c.md"),
        "# Gamma\n\nTerzo documento sugli appalti.",
    );
    let index = Index::in_ram().expect("index");
    let mut seen: Vec<Progress> = Vec::new();
    let first = index
        .add_paths(
            std::slice::from_ref(&root),
            "@a:x",
            at(1),
            &mut |progress| seen.push(progress),
        )
        .expect("add");
    assert_eq!(
        (first.added, first.replaced, first.unchanged, first.removed),
        (3, 0, 0, 0)
    );
    assert_eq!(seen.last().map(|p| (p.done, p.total)), Some((3, 3)));
    assert!(seen.iter().any(|p| p.current.ends_with("sub/b.md")));
    let alfa = by_title(&index, "Alfa");
    index.rate(&alfa.id, "@u:x", 4).expect("rate");

    write(
        &root.join("a.md"),
        "# Alfa\n\nPrimo documento sul riuso, rivisto.",
    );
    fs::remove_file(root.join("sub/c.md")).expect("remove");
    let second = index
        .add_paths(
            std::slice::from_ref(&root),
            "@b:x",
            at(2),
            &mut no_progress(),
        )
        .expect("re-add");
    assert_eq!(
        (
            second.added,
            second.replaced,
            second.unchanged,
            second.removed
        ),
        (0, 1, 1, 1)
    );
    let alfa_again = by_title(&index, "Alfa");
    assert_eq!(alfa_again.id, alfa.id);
    assert!(alfa_again.body.contains("rivisto"));
    // A new version keeps its ratings and its original addition.
    assert_eq!(alfa_again.rating.count, 1);
    assert_eq!(alfa_again.added_at, at(1));
    assert!(search(&index, "appalti").is_empty());

    let third = index
        .add_paths(
            std::slice::from_ref(&root),
            "@b:x",
            at(3),
            &mut no_progress(),
        )
        .expect("again");
    assert_eq!(
        (third.added, third.replaced, third.unchanged, third.removed),
        (0, 0, 2, 0)
    );

    // Removing by path: a file, then a folder.
    assert_eq!(
        index
            .remove(root.join("a.md").to_str().expect("utf-8"))
            .expect("remove"),
        1
    );
    assert_eq!(
        index
            .remove(root.join("sub").to_str().expect("utf-8"))
            .expect("remove"),
        1
    );
    assert_eq!(index.stats().expect("stats").documents, 0);
    assert_eq!(index.remove("not-there").expect("remove"), 0);
}

#[test]
fn unreadable_and_corrupt_files_are_reported_and_skipped() {
    let folder = tempfile::tempdir().expect("tempdir");
    let root = folder.path().to_path_buf();
    write(&root.join("good.md"), "# Buono\n\nUn documento leggibile.");
    write(
        &root.join("broken.pdf"),
        b"%PDF-1.4\nthis is not really a pdf\n%%EOF",
    );
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.join("missing.md"), root.join("dangling.md")).expect("symlink");
    let index = Index::in_ram().expect("index");
    let report = index
        .add_paths(
            &[root.clone(), root.join("nowhere.md"), root.join("good.md")],
            "@a:x",
            at(1),
            &mut no_progress(),
        )
        .expect("add");
    assert_eq!(report.added, 1, "{report:?}");
    let failed: Vec<String> = report
        .failed
        .iter()
        .map(|(path, _)| {
            path.file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert!(failed.contains(&"broken.pdf".to_string()), "{report:?}");
    assert!(failed.contains(&"nowhere.md".to_string()), "{report:?}");
    #[cfg(unix)]
    assert!(failed.contains(&"dangling.md".to_string()), "{report:?}");
    assert!(report.failed.iter().all(|(_, reason)| !reason.is_empty()));
    assert_eq!(search(&index, "leggibile").len(), 1);
}

#[test]
fn stats_count_by_type_status_and_language() {
    let index = sample_index();
    index
        .share(share("p", "Proposta", "testo della proposta"))
        .expect("share");
    let stats = index.stats().expect("stats");
    assert_eq!(stats.documents, 5);
    assert_eq!(stats.by_status.get(&Status::Published), Some(&4));
    assert_eq!(stats.by_status.get(&Status::Pending), Some(&1));
    assert_eq!(stats.by_language.get(&Language::En), Some(&1));
    assert_eq!(stats.by_type.get(&PracticeType::Guideline), Some(&1));
    assert!(stats.size_bytes > 0);
}

#[test]
fn a_second_handle_sees_writes_after_reload() {
    let folder = tempfile::tempdir().expect("tempdir");
    let bot = Index::open(folder.path()).expect("open");
    let cli = Index::open(folder.path()).expect("open again");
    assert!(search(&bot, "bilancio").is_empty());
    cli.import(vec![practice(
        "b1",
        "Bilancio",
        "Il bilancio partecipativo.",
    )])
    .expect("import");
    bot.reload().expect("reload");
    assert_eq!(search(&bot, "bilancio"), vec!["b1"]);
    // Without an explicit reload the reader catches up by itself.
    cli.import(vec![practice(
        "b2",
        "Bilancio sociale",
        "Il bilancio sociale.",
    )])
    .expect("import");
    let mut found = Vec::new();
    for _ in 0..100 {
        found = search(&bot, "bilancio");
        if found.len() == 2 {
            break;
        }
        thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(found.len(), 2, "automatic reload never happened");
    // Writes from the bot's handle are visible to the CLI's too, and on reopening.
    bot.rate("b1", "@u:x", 5).expect("rate");
    cli.reload().expect("reload");
    assert_eq!(
        cli.get("b1").expect("get").expect("present").rating.count,
        1
    );
    drop((bot, cli));
    assert_eq!(
        Index::open(folder.path())
            .expect("reopen")
            .stats()
            .expect("stats")
            .documents,
        2
    );
}

#[test]
fn contending_writers_both_succeed() {
    let folder = tempfile::tempdir().expect("tempdir");
    let first = Arc::new(Index::open(folder.path()).expect("open"));
    let second = Arc::new(Index::open(folder.path()).expect("open"));
    let threads: Vec<_> = [first.clone(), second.clone()]
        .into_iter()
        .enumerate()
        .map(|(writer, index)| {
            thread::spawn(move || {
                for n in 0..10 {
                    let id = format!("w{writer}-{n}");
                    index
                        .import(vec![practice(&id, "Contesa", "scrittura concorrente")])
                        .expect("write despite the other writer");
                    index.rate(&id, "@u:x", 3).expect("rate");
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("writer thread");
    }
    first.reload().expect("reload");
    let stats = first.stats().expect("stats");
    assert_eq!(stats.documents, 20);
    assert!(first
        .list(false)
        .expect("list")
        .iter()
        .all(|p| p.rating.count == 1));
}

#[test]
fn a_busy_writer_is_waited_for_and_a_stuck_one_times_out() {
    let folder = tempfile::tempdir().expect("tempdir");
    let holder = Index::open(folder.path()).expect("open");
    let impatient = Index::open(folder.path())
        .expect("open")
        .with_lock_timeout(Duration::from_millis(300));
    let patient = Index::open(folder.path()).expect("open");
    let (holding, is_holding) = std::sync::mpsc::channel();
    let (release, released) = std::sync::mpsc::channel::<()>();
    // The holder's import pauses between two documents, keeping the writer lock meanwhile.
    let worker = thread::spawn(move || {
        let slow = (0..2).map(move |n| {
            if n == 1 {
                holding.send(()).expect("signal");
                released.recv().expect("release");
            }
            practice(&format!("h{n}"), "Lento", "testo")
        });
        holder.import(slow).expect("holder import")
    });
    is_holding.recv().expect("holder has the lock");
    assert!(matches!(
        impatient.import(vec![practice("late", "Tardi", "testo")]),
        Err(IndexError::Locked(timeout)) if timeout == Duration::from_millis(300)
    ));
    let waiter = thread::spawn(move || patient.import(vec![practice("waited", "Atteso", "testo")]));
    thread::sleep(Duration::from_millis(500));
    release.send(()).expect("release");
    assert_eq!(worker.join().expect("holder"), 2);
    assert_eq!(
        waiter.join().expect("waiter").expect("waited for the lock"),
        1
    );
    impatient.reload().expect("reload");
    let mut stored: Vec<String> = impatient
        .list(false)
        .expect("list")
        .into_iter()
        .map(|p| p.id)
        .collect();
    stored.sort();
    assert_eq!(stored, vec!["h0", "h1", "waited"]);
}

fn corpus_dir() -> PathBuf {
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

fn corpus_index() -> Index {
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
