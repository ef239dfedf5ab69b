//! The bare tantivy program PSPM is measured against: what a minimal search over the same
//! documents costs. Title and body with the Italian stemmer and stop words (the same
//! analysis as PSPM's, so both find the same documents), BM25, the title boosted as in PSPM,
//! tantivy's query parser with every word required, and the ids of the top 5 read back from
//! the document store. No snippets, no totals, no filters, no second language.

use std::path::Path;
use std::time::{Duration, Instant};

use pspm_indexer::{Practice, ITALIAN_STOP_WORDS};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::QueryParser;
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, STORED, STRING,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer,
};
use tantivy::{doc, Index, IndexReader, ReloadPolicy, TantivyDocument};

const ANALYZER: &str = "italian";
/// PSPM's boost of a title match.
const TITLE_BOOST: f32 = 2.0;
/// PSPM's bulk writer: two threads, 96 MB.
const WRITER_THREADS: usize = 2;
const WRITER_BUDGET: usize = 96_000_000;

/// The Italian analysis: words, lower case, accents folded, stop words, stemmer.
pub fn italian() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(StopWordFilter::remove(
            ITALIAN_STOP_WORDS.iter().map(|word| word.to_string()),
        ))
        .filter(Stemmer::new(Language::Italian))
        .build()
}

pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut tokens = Vec::new();
    while let Some(token) = stream.next() {
        tokens.push(token.text.clone());
    }
    tokens
}

/// The bare index, open for searching.
pub struct Baseline {
    reader: IndexReader,
    parser: QueryParser,
    id: Field,
}

/// Builds the bare index of `practices` in `directory`; returns it and how long it took.
pub fn build(directory: &Path, practices: &[Practice]) -> (Baseline, Duration) {
    let mut builder = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let id = builder.add_text_field("id", STRING | STORED);
    let title = builder.add_text_field("title", text.clone());
    let body = builder.add_text_field("body", text);
    let index = Index::create_in_dir(directory, builder.build()).expect("create bare index");
    index.tokenizers().register(ANALYZER, italian());
    let started = Instant::now();
    let mut writer = index
        .writer_with_num_threads::<TantivyDocument>(WRITER_THREADS, WRITER_BUDGET)
        .expect("writer");
    for practice in practices.iter().cloned() {
        writer
            .add_document(doc!(id => practice.id, title => practice.title, body => practice.body))
            .expect("add");
    }
    writer.commit().expect("commit");
    writer.wait_merging_threads().expect("merge");
    let elapsed = started.elapsed();
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .expect("reader");
    let mut parser = QueryParser::for_index(&index, vec![title, body]);
    parser.set_conjunction_by_default();
    parser.set_field_boost(title, TITLE_BOOST);
    (Baseline { reader, parser, id }, elapsed)
}

impl Baseline {
    /// The ids of the top 5 with their scores: what the timed search does.
    pub fn search(&self, query: &str) -> Vec<(f32, String)> {
        let searcher = self.reader.searcher();
        let (query, _) = self.parser.parse_query_lenient(query);
        let top = searcher
            .search(&query, &TopDocs::with_limit(5).order_by_score())
            .expect("search");
        top.into_iter()
            .map(|(score, address)| {
                let doc: TantivyDocument = searcher.doc(address).expect("doc");
                let id = doc
                    .get_first(self.id)
                    .and_then(|value| value.as_str())
                    .unwrap_or_default()
                    .to_string();
                (score, id)
            })
            .collect()
    }

    /// How many documents match (not timed: the bare program does not count).
    pub fn count(&self, query: &str) -> usize {
        let (query, _) = self.parser.parse_query_lenient(query);
        self.reader
            .searcher()
            .search(&query, &Count)
            .expect("count")
    }
}
