//! Indexing throughput, search latency, index size and reader memory on 100k practices
//! generated from the vocabulary of the test corpus in `tests/data/practices`. Run with `cargo bench -p pspm-indexer`.
//!
//! The reader's memory is measured in a child process (this binary again, with
//! `PSPM_BENCH_READER` set) so what the indexing left in the allocator does not count.
//!
//! With `PSPM_BENCH_KEEP_INDEX=<dir>` the index is built in `<dir>` (which must be missing
//! or empty) instead of a temporary directory, and left there afterwards, so another
//! benchmark can open it with the real bot.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use pspm_indexer::{
    Index, Practice, PracticeLanguage, PracticeType, Rating, SearchOptions, Status,
};

const DOCUMENTS: usize = 100_000;
const QUERIES_PER_KIND: usize = 300;
const READER_ENV: &str = "PSPM_BENCH_READER";
const KEEP_INDEX_ENV: &str = "PSPM_BENCH_KEEP_INDEX";

/// Seeded xorshift: the same corpus and queries every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }
}

fn corpus_words() -> Vec<String> {
    let corpus = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/data/practices"
    ));
    assert!(
        corpus.is_dir(),
        "test corpus missing at {} (it lives in the repository under tests/data/practices)",
        corpus.display()
    );
    let mut files = Vec::new();
    let mut folders = vec![corpus.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).expect("read corpus folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rst") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut words = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).expect("read corpus file");
        words.extend(
            text.split(|c: char| !c.is_alphanumeric() && c != '\'')
                .filter(|word| word.chars().any(char::is_alphabetic))
                .map(str::to_lowercase),
        );
    }
    words
}

const ORGANISATIONS: &[&str] = &[
    "AgID",
    "Comune di Roma",
    "Comune di Milano",
    "Regione Toscana",
    "Regione Lombardia",
    "Ministero dell'Interno",
    "Comune di Bari",
    "Provincia di Trento",
    "INPS",
    "Comune di Torino",
];
const TAGS: &[&str] = &[
    "cloud",
    "dati",
    "open source",
    "riuso",
    "sicurezza",
    "accessibilità",
    "interoperabilità",
    "partecipazione",
    "appalti",
    "formazione",
    "identità digitale",
    "pagamenti",
];

/// Text made of runs copied from the corpus, so word frequencies and phrases stay real.
fn text(words: &[String], rng: &mut Rng, length: usize) -> String {
    let mut out = String::with_capacity(length * 8);
    let mut written = 0;
    while written < length {
        let start = rng.below(words.len());
        let run = 5 + rng.below(15);
        for word in words.iter().skip(start).take(run.min(length - written)) {
            out.push_str(word);
            out.push(' ');
            written += 1;
        }
        if rng.below(6) == 0 {
            out.push_str(".\n\n");
        }
    }
    out
}

fn generate(words: &[String], seed: u64) -> impl Iterator<Item = Practice> + '_ {
    let mut rng = Rng(seed);
    let added_at = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("date");
    (0..DOCUMENTS).map(move |n| {
        let body_words = 150 + rng.below(451);
        let title_words = 3 + rng.below(8);
        let tags = (0..rng.below(4))
            .map(|_| TAGS[rng.below(TAGS.len())].to_string())
            .collect();
        Practice {
            id: format!("{n:08x}"),
            title: text(words, &mut rng, title_words).trim().to_string(),
            summary: String::new(),
            body: text(words, &mut rng, body_words),
            practice_type: PracticeType::ALL[rng.below(PracticeType::ALL.len())],
            organisation: Some(ORGANISATIONS[rng.below(ORGANISATIONS.len())].to_string()),
            year: Some(2010 + rng.below(16) as i32),
            tags,
            // Mostly Italian, like the bodies PSPM serves.
            language: if rng.below(5) == 0 {
                PracticeLanguage::En
            } else {
                PracticeLanguage::It
            },
            licence: Some(
                if rng.below(2) == 0 {
                    "CC0 1.0"
                } else {
                    "CC-BY 4.0"
                }
                .to_string(),
            ),
            source: format!("bench:{n}"),
            added_by: "@bench:example.org".to_string(),
            added_at,
            status: Status::Published,
            rating: Rating::default(),
            path: None,
        }
    })
}

fn vm_rss_kib() -> u64 {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let index = ((sorted.len() as f64 * fraction).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index]
}

fn micros(duration: Duration) -> String {
    format!("{:.0} µs", duration.as_secs_f64() * 1e6)
}

fn queries(words: &[String], rng: &mut Rng) -> Vec<(&'static str, Vec<String>)> {
    // Words worth searching: not tiny, and not so rare they only exist once.
    let content: Vec<&String> = words
        .iter()
        .filter(|word| word.chars().count() >= 4)
        .collect();
    let long: Vec<&String> = words
        .iter()
        .filter(|word| word.chars().count() >= 7)
        .collect();
    let mut pick = |pool: &[&String]| pool[rng.below(pool.len())].clone();
    let mut kinds: Vec<(&'static str, Vec<String>)> = Vec::new();
    kinds.push((
        "1-term",
        (0..QUERIES_PER_KIND).map(|_| pick(&content)).collect(),
    ));
    kinds.push((
        "2-term",
        (0..QUERIES_PER_KIND)
            .map(|_| format!("{} {}", pick(&content), pick(&content)))
            .collect(),
    ));
    let mut phrase_rng = Rng(0xfeed);
    let phrases = (0..QUERIES_PER_KIND)
        .map(|_| {
            let start = phrase_rng.below(words.len() - 2);
            format!("\"{} {}\"", words[start], words[start + 1])
        })
        .collect();
    kinds.push(("phrase", phrases));
    let filters = [
        "type:guideline",
        "year:2015..2020",
        "org:agid",
        "lang:en",
        "tag:cloud",
    ];
    kinds.push((
        "filtered",
        (0..QUERIES_PER_KIND)
            .map(|n| format!("{} {}", pick(&content), filters[n % filters.len()]))
            .collect(),
    ));
    let typos = (0..QUERIES_PER_KIND)
        .map(|_| {
            let word = pick(&long);
            let mut chars: Vec<char> = word.chars().collect();
            let at = 1 + (rng_index(&word) % (chars.len() - 2));
            chars[at] = if chars[at] == 'x' { 'y' } else { 'x' };
            chars.into_iter().collect()
        })
        .collect();
    kinds.push(("typo", typos));
    kinds
}

/// A position derived from the word itself, so typos stay put between runs.
fn rng_index(word: &str) -> usize {
    word.bytes().fold(7usize, |hash, byte| {
        hash.wrapping_mul(31).wrapping_add(byte as usize)
    })
}

fn reader_child(directory: &Path) {
    let index = Index::open(directory).expect("open reader");
    // Touch the index as the bot would before measuring.
    for query in [
        "riuso software",
        "\"codice sorgente\"",
        "licemze",
        "type:guideline dati",
    ] {
        index
            .search(query, SearchOptions::default())
            .expect("search");
    }
    println!("{}", vm_rss_kib());
}

/// Where to build the index: the kept directory named by `PSPM_BENCH_KEEP_INDEX`, or a
/// temporary one (returned too, so it lives until the end of the run).
fn index_directory() -> (Option<tempfile::TempDir>, PathBuf) {
    match std::env::var_os(KEEP_INDEX_ENV).filter(|value| !value.is_empty()) {
        Some(directory) => {
            let directory = PathBuf::from(directory);
            // Importing into an existing index would replace documents instead of adding
            // them, and measure something else.
            let occupied = fs::read_dir(&directory)
                .map(|mut entries| entries.next().is_some())
                .unwrap_or(false);
            assert!(
                !occupied,
                "{KEEP_INDEX_ENV}={} must name a missing or empty directory",
                directory.display()
            );
            fs::create_dir_all(&directory).expect("create the kept index directory");
            let directory = fs::canonicalize(&directory).expect("canonical index directory");
            (None, directory)
        }
        None => {
            let temporary = tempfile::tempdir().expect("tempdir");
            let directory = temporary.path().to_path_buf();
            (Some(temporary), directory)
        }
    }
}

fn main() {
    if let Some(directory) = std::env::var_os(READER_ENV) {
        reader_child(&PathBuf::from(directory));
        return;
    }
    let words = corpus_words();
    println!("vocabulary: {} corpus words", words.len());
    // The temporary directory (when not keeping the index) is deleted when this drops.
    let (temporary, directory) = index_directory();
    match &temporary {
        Some(_) => println!("index directory: {} (temporary)", directory.display()),
        None => println!("index directory: {} (kept)", directory.display()),
    }

    let index = Index::open(&directory).expect("open");
    let started = Instant::now();
    let indexed = index.import(generate(&words, 0x1234_5678)).expect("import");
    let elapsed = started.elapsed();
    println!(
        "indexing: {indexed} documents in {:.1} s = {:.0} docs/s (goal ≥ 5000)",
        elapsed.as_secs_f64(),
        indexed as f64 / elapsed.as_secs_f64()
    );
    let stats = index.stats().expect("stats");
    println!(
        "index size on disk: {:.1} MB ({} documents)",
        stats.size_bytes as f64 / 1e6,
        stats.documents
    );

    let mut rng = Rng(0xabcdef);
    let kinds = queries(&words, &mut rng);
    // Warm-up: page cache and lazily loaded structures.
    for (_, queries) in &kinds {
        for query in queries.iter().take(20) {
            index
                .search(query, SearchOptions::default())
                .expect("search");
        }
    }
    let mut overall = Vec::new();
    for (kind, queries) in &kinds {
        let mut latencies = Vec::with_capacity(queries.len());
        let mut total_hits = 0usize;
        for query in queries {
            let started = Instant::now();
            let results = index
                .search(query, SearchOptions::default())
                .expect("search");
            latencies.push(started.elapsed());
            total_hits += results.total;
        }
        latencies.sort();
        println!(
            "search {kind:<8} p50 {:>8}  p99 {:>8}  (mean total {}, counted up to 1000)",
            micros(percentile(&latencies, 0.50)),
            micros(percentile(&latencies, 0.99)),
            total_hits / queries.len()
        );
        overall.extend(latencies);
    }
    overall.sort();
    println!(
        "search overall  p50 {:>8}  p99 {:>8}  (goal p50 < 1 ms, p99 < 5 ms; 5 hits with snippets and a total)",
        micros(percentile(&overall, 0.50)),
        micros(percentile(&overall, 0.99))
    );
    let started = Instant::now();
    let related = index
        .related(
            "riuso del software open source nelle pubbliche amministrazioni",
            5,
        )
        .expect("related");
    println!(
        "related: {} hits in {}",
        related.len(),
        micros(started.elapsed())
    );
    drop(index);

    let output = Command::new(std::env::current_exe().expect("current exe"))
        .env(READER_ENV, &directory)
        .output()
        .expect("run reader child");
    let rss = String::from_utf8_lossy(&output.stdout).trim().to_string();
    match rss.parse::<u64>() {
        Ok(kib) => println!(
            "reader-only process RSS (fresh Index::open, 4 searches): {:.1} MB",
            kib as f64 / 1024.0
        ),
        Err(_) => println!(
            "reader child failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}
