//! Measured relevance on the AgID corpus: judged queries (`tests/judgments/search.toml`) give
//! MRR and hits@1/@3 of `search`; judged proposals (`tests/judgments/related.toml`) give the
//! precision of the practices `related` puts on a card. Each fails below the figures
//! measured before issue 15 changed search (the floors below), and prints what it measured
//! (`cargo test -p pspm-indexer --test index relevance -- --nocapture`).

use std::collections::HashMap;

use serde::Deserialize;

use super::corpus::{corpus_dir, corpus_index};
use super::*;

/// Where the judged documents live, below the corpus folder.
const CORPUS_ROOT: &str = "agid-linee-guida-riuso-software";
/// Results read per query: a relevant document further down counts as not found.
const DEPTH: usize = 10;
/// What a proposal card shows.
const CARD: usize = 3;

/// Search figures measured on `main` before issue 15 (71 queries: MRR 0.8150, hits@1 55,
/// hits@3 61), truncated so that the floor is never above what was measured.
const SEARCH_FLOOR: Figures = Figures {
    mrr: 0.815,
    hits_at_1: 0.774,
    hits_at_3: 0.859,
};
/// `related` figures measured on `main` before issue 15: 24 relevant of 35 shown, 16 of
/// the 20 proposals with a relevant suggestion, nothing shown for the 5 others.
const RELATED_FLOOR: RelatedFigures = RelatedFigures {
    precision: 0.685,
    with_a_relevant_suggestion: 16,
    false_suggestions: 0,
};

#[derive(Debug, Deserialize)]
struct SearchJudgments {
    query: Vec<JudgedQuery>,
}

#[derive(Debug, Deserialize)]
struct JudgedQuery {
    text: String,
    language: String,
    expect: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct RelatedJudgments {
    proposal: Vec<JudgedProposal>,
}

#[derive(Debug, Deserialize)]
struct JudgedProposal {
    title: String,
    description: String,
    expect: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Figures {
    mrr: f64,
    hits_at_1: f64,
    hits_at_3: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct RelatedFigures {
    /// Relevant practices shown ÷ practices shown, over the proposals the guidelines cover.
    precision: f64,
    /// Proposals the guidelines cover whose card shows at least one relevant practice.
    with_a_relevant_suggestion: usize,
    /// Practices shown on the cards of proposals the guidelines do not cover.
    false_suggestions: usize,
}

fn judgments<T: for<'de> Deserialize<'de>>(name: &str) -> T {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/judgments")
        .join(name);
    let text = fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    toml::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The corpus index and, for each practice id, its file's path below [`CORPUS_ROOT`].
fn judged_index() -> (Index, HashMap<String, String>) {
    let index = corpus_index();
    let root = fs::canonicalize(corpus_dir().join(CORPUS_ROOT)).expect("corpus root");
    let mut paths = HashMap::new();
    for practice in index.list(true).expect("list") {
        let path = practice.path.expect("ingested from a file");
        let relative = path.strip_prefix(&root).expect("under the corpus root");
        paths.insert(practice.id, relative.to_string_lossy().into_owned());
    }
    (index, paths)
}

/// Every judged path must name a document of the corpus, or a typo would silently count as
/// a miss.
fn check_paths<'a>(
    expected: impl IntoIterator<Item = &'a String>,
    paths: &HashMap<String, String>,
) {
    for path in expected {
        assert!(
            paths.values().any(|known| known == path),
            "judged document {path} is not in the corpus"
        );
    }
}

fn figures(ranks: &[Option<usize>]) -> Figures {
    let count = ranks.len().max(1) as f64;
    let within = |depth: usize| {
        ranks
            .iter()
            .filter(|rank| rank.is_some_and(|rank| rank <= depth))
            .count() as f64
            / count
    };
    Figures {
        mrr: ranks
            .iter()
            .map(|rank| rank.map_or(0.0, |rank| 1.0 / rank as f64))
            .sum::<f64>()
            / count,
        hits_at_1: within(1),
        hits_at_3: within(3),
    }
}

#[test]
fn judged_queries_rank_the_expected_documents_first() {
    let judged: SearchJudgments = judgments("search.toml");
    let (index, paths) = judged_index();
    let mut ranks: Vec<(&str, Option<usize>)> = Vec::new();
    println!("rank  language  query  (first results)");
    for query in &judged.query {
        check_paths(&query.expect, &paths);
        let results = index
            .search(
                &query.text,
                SearchOptions {
                    limit: DEPTH,
                    ..SearchOptions::default()
                },
            )
            .expect("search");
        let found: Vec<&str> = results
            .hits
            .iter()
            .map(|hit| paths.get(&hit.id).map_or("?", String::as_str))
            .collect();
        let rank = found
            .iter()
            .position(|path| query.expect.iter().any(|expected| expected == path))
            .map(|position| position + 1);
        let shown = rank.map_or("-".to_string(), |rank| rank.to_string());
        let first: Vec<&str> = found
            .iter()
            .take(3)
            .map(|path| path.rsplit('/').next().unwrap_or(path))
            .collect();
        println!(
            "{shown:>4}  {:<8}  {:?}  {first:?}",
            query.language, query.text
        );
        ranks.push((query.language.as_str(), rank));
    }
    let all: Vec<Option<usize>> = ranks.iter().map(|(_, rank)| *rank).collect();
    let overall = figures(&all);
    for language in ["it", "en"] {
        let of_language: Vec<Option<usize>> = ranks
            .iter()
            .filter(|(query_language, _)| *query_language == language)
            .map(|(_, rank)| *rank)
            .collect();
        let measured = figures(&of_language);
        println!(
            "search {language}: {} queries, MRR {:.3}, hits@1 {:.3}, hits@3 {:.3}",
            of_language.len(),
            measured.mrr,
            measured.hits_at_1,
            measured.hits_at_3
        );
    }
    println!(
        "search all: {} queries, MRR {:.3}, hits@1 {:.3}, hits@3 {:.3} (floor {:.3} / {:.3} / {:.3})",
        all.len(),
        overall.mrr,
        overall.hits_at_1,
        overall.hits_at_3,
        SEARCH_FLOOR.mrr,
        SEARCH_FLOOR.hits_at_1,
        SEARCH_FLOOR.hits_at_3
    );
    assert!(judged.query.len() >= 40, "at least 40 judged queries");
    assert!(
        overall.mrr >= SEARCH_FLOOR.mrr
            && overall.hits_at_1 >= SEARCH_FLOOR.hits_at_1
            && overall.hits_at_3 >= SEARCH_FLOOR.hits_at_3,
        "search relevance fell below its floor: {overall:?} < {SEARCH_FLOOR:?}"
    );
}

#[test]
fn related_practices_on_cards_are_the_ones_a_person_would_suggest() {
    let judged: RelatedJudgments = judgments("related.toml");
    let (index, paths) = judged_index();
    let (mut shown, mut relevant_shown) = (0usize, 0usize);
    let mut with_a_relevant_suggestion = 0;
    let mut false_suggestions = 0;
    let mut covered = 0;
    for proposal in &judged.proposal {
        check_paths(&proposal.expect, &paths);
        let hits = index
            .related(
                &format!("{}\n{}", proposal.title, proposal.description),
                CARD,
            )
            .expect("related");
        let found: Vec<&str> = hits
            .iter()
            .map(|hit| paths.get(&hit.id).map_or("?", String::as_str))
            .collect();
        let relevant = found
            .iter()
            .filter(|path| proposal.expect.iter().any(|expected| expected == *path))
            .count();
        if proposal.expect.is_empty() {
            false_suggestions += found.len();
        } else {
            covered += 1;
            shown += found.len();
            relevant_shown += relevant;
            if relevant > 0 {
                with_a_relevant_suggestion += 1;
            }
        }
        let names: Vec<&str> = found
            .iter()
            .map(|path| path.rsplit('/').next().unwrap_or(path))
            .collect();
        println!(
            "{relevant}/{}  {:?}  {names:?}",
            found.len(),
            proposal.title
        );
    }
    let measured = RelatedFigures {
        precision: relevant_shown as f64 / shown.max(1) as f64,
        with_a_relevant_suggestion,
        false_suggestions,
    };
    println!(
        "related: {covered} proposals the guidelines cover: precision of the top {CARD} {:.3} \
         ({relevant_shown} of {shown} shown), {with_a_relevant_suggestion} with a relevant \
         suggestion; {} proposals they do not cover: {false_suggestions} shown \
         (floor {:.3}, {}, at most {})",
        measured.precision,
        judged.proposal.len() - covered,
        RELATED_FLOOR.precision,
        RELATED_FLOOR.with_a_relevant_suggestion,
        RELATED_FLOOR.false_suggestions
    );
    assert!(covered >= 20, "at least 20 judged proposals");
    assert!(
        measured.precision >= RELATED_FLOOR.precision
            && measured.with_a_relevant_suggestion >= RELATED_FLOOR.with_a_relevant_suggestion
            // No more than the floor (which is zero: clippy refuses `<= 0` on an unsigned).
            && measured.false_suggestions.saturating_sub(RELATED_FLOOR.false_suggestions) == 0,
        "related practices fell below their floor: {measured:?} against {RELATED_FLOOR:?}"
    );
}
