//! The index end to end: ingest of every format, analysis, query syntax, snippets, chat
//! operations, cross-handle concurrency and searches over the AgID corpus in `tests/data/practices`.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use pspm_indexer::{
    Correction, Hit, Index, IndexError, Practice, PracticeLanguage, PracticeType, Progress, Rating,
    SearchOptions, SearchResults, Share, Status,
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
        language: PracticeLanguage::It,
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
    english.language = PracticeLanguage::En;
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

mod chat;
mod concurrency;
mod corpus;
mod ingest;
mod migration;
mod near;
mod publiccode;
mod relevance;
mod search;
