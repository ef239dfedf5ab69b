//! Near matches as a fallback: exact (stemmed) matches first, near matches only when the
//! exact ones are fewer than a page, marked, counted apart, with the corrections; and what
//! the index stores of a text (its opening) and shows of it. (Near words here differ
//! inside the stem: a different ending is the same word to the stemmer, an exact match.)

use super::*;

/// `count` practices holding `word`, and one holding `near_word` instead.
fn index_with(word: &str, count: usize, near_word: &str) -> Index {
    let index = Index::in_ram().expect("index");
    let mut practices: Vec<Practice> = (0..count)
        .map(|n| {
            practice(
                &format!("exact{n}"),
                &format!("Pratica {n}"),
                &format!("Il {word} del comune."),
            )
        })
        .collect();
    practices.push(practice(
        "near",
        "Vicina",
        &format!("Il {near_word} della regione."),
    ));
    index.import(practices).expect("import");
    index
}

#[test]
fn a_page_of_exact_matches_shows_no_near_ones_and_counts_exactly() {
    let index = index_with("bilancio", 7, "bolancio");
    let results = index
        .search("bilancio", SearchOptions::default())
        .expect("search");
    assert_eq!(results.total, 7);
    assert!(results.total_is_exact);
    assert!(results.near.is_none());
    assert!(results.hits.iter().all(|hit| !hit.near));
}

#[test]
fn fewer_exact_matches_than_a_page_are_followed_by_near_ones() {
    // "montevaro" is in two practices, "montivaro" (one edit away) in one. (An edit of the
    // ending, "montevari", would be the same word to the stemmer: an exact match.)
    let index = index_with("montevaro", 2, "montivaro");
    let results = index
        .search("montevaro", SearchOptions::default())
        .expect("search");
    let near = results.near.as_ref().expect("near matches");
    assert_eq!(near.exact, 2);
    // The word is there as typed: nothing to correct, only near matches to add.
    assert!(near.corrections.is_empty());
    assert_eq!(near.suggestion("montevaro"), None);
    assert_eq!(results.total, 3);
    let flags: Vec<(&str, bool)> = results
        .hits
        .iter()
        .map(|hit| (hit.id.as_str(), hit.near))
        .collect();
    assert_eq!(flags.len(), 3);
    assert!(flags[..2]
        .iter()
        .all(|(id, near)| id.starts_with("exact") && !near));
    assert_eq!(flags[2], ("near", true));
    assert!(results.hits[2].snippet_html.contains("<b>montivaro</b>"));
}

#[test]
fn a_misspelt_word_finds_near_matches_and_says_what_it_was_taken_for() {
    let index = sample_index();
    let results = index
        .search("Licemze aperte", SearchOptions::default())
        .expect("search");
    assert_eq!(ids(&results.hits), vec!["licences"]);
    assert!(results.hits[0].near);
    let near = results.near.as_ref().expect("near matches");
    assert_eq!(near.exact, 0);
    assert_eq!(
        near.corrections,
        vec![Correction {
            typed: "licemze".to_string(),
            corrected: "licenze".to_string(),
        }]
    );
    // The suggestion keeps the rest of the query as typed.
    assert_eq!(
        near.suggestion("Licemze aperte type:guideline").as_deref(),
        Some("licenze aperte type:guideline")
    );
    assert!(
        results.hits[0].snippet_html.contains("<b>licenze</b>"),
        "{}",
        results.hits[0].snippet_html
    );
}

#[test]
fn a_typo_in_the_suffix_the_stemmer_removes_is_corrected_too() {
    let index = Index::in_ram().expect("index");
    index
        .import(vec![practice(
            "valutazione",
            "Valutazione comparativa",
            "La valutazione comparativa delle soluzioni.",
        )])
        .expect("import");
    // "valutazione" is indexed as "valut", "valutazine" as "valutazin": 4 edits apart.
    let results = index
        .search("valutazine comparativa", SearchOptions::default())
        .expect("search");
    assert_eq!(ids(&results.hits), vec!["valutazione"]);
    let near = results.near.expect("near matches");
    assert_eq!(near.corrections[0].corrected, "valutazione");
}

#[test]
fn near_matches_page_on_after_the_exact_ones() {
    // One exact match, twelve near ones.
    let index = Index::in_ram().expect("index");
    let mut practices = vec![practice("exact", "Esatta", "Il partenariato del comune.")];
    practices.extend((0..12).map(|n| {
        practice(
            &format!("near{n:02}"),
            &format!("Vicina {n}"),
            "Il partanariato della regione.",
        )
    }));
    index.import(practices).expect("import");
    let mut seen = Vec::new();
    let mut offset = 0;
    loop {
        let page = index
            .search(
                "partenariato",
                SearchOptions {
                    offset,
                    ..SearchOptions::default()
                },
            )
            .expect("search");
        assert_eq!(page.total, 13);
        assert_eq!(page.near.as_ref().map(|near| near.exact), Some(1));
        seen.extend(page.hits.iter().map(|hit| (hit.id.clone(), hit.near)));
        offset += page.hits.len();
        if offset >= page.total {
            break;
        }
    }
    assert_eq!(seen.len(), 13);
    assert_eq!(seen[0], ("exact".to_string(), false));
    assert!(seen[1..]
        .iter()
        .all(|(id, near)| id.starts_with("near") && *near));
    let mut ids: Vec<&str> = seen.iter().map(|(id, _)| id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 13, "no practice twice");
}

#[test]
fn near_matches_keep_the_filters_and_leave_pending_practices_out() {
    let index = sample_index();
    index
        .share(super::chat::share(
            "secret",
            "Licenze in bozza",
            "Le licenze in attesa.",
        ))
        .expect("share");
    let filtered = index
        .search("licemze type:guideline", SearchOptions::default())
        .expect("search");
    assert_eq!(ids(&filtered.hits), vec!["licences"]);
    assert!(index
        .search("licemze type:experience", SearchOptions::default())
        .expect("search")
        .hits
        .is_empty());
    let moderator = index
        .search(
            "licemze",
            SearchOptions {
                include_pending: true,
                ..SearchOptions::default()
            },
        )
        .expect("search");
    let mut found = ids(&moderator.hits);
    found.sort();
    assert_eq!(found, vec!["licences", "secret"]);
}

#[test]
fn a_published_practice_stores_its_opening_and_indexes_all_of_it() {
    let index = Index::in_ram().expect("index");
    let body = format!(
        "Apertura del documento sul riuso.\n\n{}Alla fine compare la parola zuccherificio.",
        "Testo intermedio senza parole rare. ".repeat(60)
    );
    let mut long = practice("long", "Documento lungo", &body);
    long.summary = "Un documento lungo sul riuso.".to_string();
    index.import(vec![long]).expect("import");
    // The whole text is searchable...
    let results = index
        .search("zuccherificio", SearchOptions::default())
        .expect("search");
    assert_eq!(ids(&results.hits), vec!["long"]);
    // ...but only its opening is kept: the snippet falls back to the summary.
    assert_eq!(
        results.hits[0].snippet_text,
        "Un documento lungo sul riuso."
    );
    let stored = index.get("long").expect("get").expect("present").body;
    assert!(
        stored.starts_with("Apertura del documento sul riuso. Testo"),
        "{stored}"
    );
    // 400 characters and the ellipsis of the cut.
    assert!(stored.chars().count() <= 401, "{}", stored.chars().count());
    assert!(!stored.contains("zuccherificio"));
    // A match within the opening is shown in context.
    let early = index
        .search("apertura", SearchOptions::default())
        .expect("search");
    assert!(early.hits[0]
        .snippet_html
        .starts_with("<b>Apertura</b> del documento"));
}

#[test]
fn results_serialised_before_near_matches_existed_still_read() {
    let old = r#"{"hits":[{"id":"a","title":"T","type":"guideline","organisation":null,"year":null,"status":"published","score":1.0,"snippet_html":"x","snippet_text":"x"}],"total":1,"total_is_exact":true,"offset":0}"#;
    let results: SearchResults = serde_json::from_str(old).expect("old results");
    assert!(results.near.is_none());
    assert!(!results.hits[0].near);
}
