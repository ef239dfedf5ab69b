//! Queries: analysis, filters, typos, phrases, snippets, paging, totals, and garbage that never fails.

use super::*;

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

/// Found by the search fuzz target: a query whose words all vanish in analysis (over 40
/// letters) left only the exclusion of pending practices, which then found exactly them.
#[test]
fn words_the_analysers_drop_find_nothing_and_never_pending_practices() {
    let index = sample_index();
    index
        .share(super::chat::share(
            "secret",
            "Bozza riservata",
            "Testo in attesa.",
        ))
        .expect("share");
    for query in [
        "a".repeat(40),
        format!("{} {}", "x".repeat(41), "y".repeat(60)),
    ] {
        for include_pending in [false, true] {
            let results = index
                .search(
                    &query,
                    SearchOptions {
                        include_pending,
                        ..SearchOptions::default()
                    },
                )
                .expect("search");
            assert!(results.hits.is_empty(), "{query}: {results:?}");
            assert_eq!(results.total, 0);
        }
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
