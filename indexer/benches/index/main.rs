//! PSPM's search against a bare tantivy program, side by side in one run on the same 100k
//! documents and the same queries (`cargo bench -p pspm-indexer --bench index`): index
//! build rate and size, then per query class the latency of `Index::search` with default
//! options (5 hits with snippets and a total) beside the bare program's (top 5 ids), p50 and
//! p99 over three timed passes after a warm-up, whether both count the same matches, and
//! the resident memory of a fresh process that opens the PSPM index and searches.
//!
//! - `corpus`: the generated documents and the query classes;
//! - `baseline`: the bare tantivy program.
//!
//! The reader's memory is measured in a child process (this binary again, with
//! `PSPM_BENCH_READER` set) so what the indexing left in the allocator does not count.
//!
//! With `PSPM_BENCH_KEEP_INDEX=<dir>` the PSPM index is built in `<dir>` (which must be
//! missing or empty) instead of a temporary directory, and left there afterwards, so another
//! benchmark can open it with the real bot.

mod baseline;
mod corpus;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use pspm_indexer::{Index, SearchOptions, SearchResults};

use corpus::{Class, DOCUMENTS};

const READER_ENV: &str = "PSPM_BENCH_READER";
const QUERIES_ENV: &str = "PSPM_BENCH_QUERIES";
const KEEP_INDEX_ENV: &str = "PSPM_BENCH_KEEP_INDEX";
/// Timed passes over every query, after one untimed.
const PASSES: usize = 3;
/// Builds of each index; the fastest counts (the machine is shared).
const BUILDS: usize = 3;
/// Goals: PSPM within these multiples of the bare program.
const P50_GOAL: f64 = 2.0;
const P99_GOAL: f64 = 1.5;
const BUILD_GOAL: f64 = 0.9;
const SIZE_GOAL: f64 = 2.0;
const RSS_GOAL_MB: f64 = 40.0;

/// Proposals for `related`, as on cards.
const PROPOSALS: [&str; 4] = [
    "Riuso del software open source nelle pubbliche amministrazioni",
    "Valutare il costo totale di un gestionale prima di acquistarlo, manutenzione compresa",
    "Pubblicare il codice sorgente dei servizi del comune con una licenza aperta",
    "Organizzare una gita al mare con i bambini durante l'estate",
];

fn vm_kib(key: &str) -> u64 {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(key))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let index = ((sorted.len() as f64 * fraction).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

/// Bytes of the files under `directory`, its folders included (PSPM keeps a folder per
/// layout, and its ratings beside the index).
fn directory_size(directory: &Path) -> u64 {
    fs::read_dir(directory)
        .expect("read index directory")
        .filter_map(|entry| entry.ok())
        .map(|entry| match entry.metadata() {
            Ok(metadata) if metadata.is_dir() => directory_size(&entry.path()),
            Ok(metadata) => metadata.len(),
            Err(_) => 0,
        })
        .sum()
}

/// The folder holding the tantivy index: `directory` itself, or its layout folder.
fn tantivy_folder(directory: &Path) -> PathBuf {
    if directory.join("meta.json").is_file() {
        return directory.to_path_buf();
    }
    fs::read_dir(directory)
        .expect("read index directory")
        .filter_map(|entry| Some(entry.ok()?.path()))
        .find(|path| path.join("meta.json").is_file())
        .expect("a folder holding meta.json")
}

/// Where an index's bytes go, by part, in MB.
fn breakdown(directory: &Path) -> String {
    let index =
        tantivy::Index::open_in_dir(tantivy_folder(directory)).expect("open for space usage");
    let reader = index.reader().expect("reader");
    let usage = reader.searcher().space_usage().expect("space usage");
    let mut parts = [0u64; 6];
    for segment in usage.segments() {
        parts[0] += segment.postings().total().get_bytes();
        parts[1] += segment.positions().total().get_bytes();
        parts[2] += segment.termdict().total().get_bytes();
        parts[3] += segment.fieldnorms().total().get_bytes();
        parts[4] += segment.fast_fields().total().get_bytes();
        parts[5] += segment.store().total().get_bytes();
    }
    let names = [
        "postings",
        "positions",
        "terms",
        "field norms",
        "fast fields",
        "stored",
    ];
    let parts: Vec<String> = names
        .iter()
        .zip(parts)
        .map(|(name, bytes)| format!("{name} {:.1}", bytes as f64 / 1e6))
        .collect();
    format!("{} ({} segments)", parts.join(", "), usage.segments().len())
}

/// The child process: a fresh `Index::open` and every query three times, as the bot would
/// answer them; prints its resident and peak memory in KiB.
fn reader_child(directory: &Path) {
    let index = Index::open(directory).expect("open reader");
    let queries = std::env::var_os(QUERIES_ENV)
        .map(|path| fs::read_to_string(path).expect("read the queries"))
        .unwrap_or_default();
    for _ in 0..3 {
        for query in queries.lines() {
            index
                .search(query, SearchOptions::default())
                .expect("search");
        }
        for proposal in PROPOSALS {
            index.related(proposal, 3).expect("related");
        }
    }
    println!(
        "{} {} {} {}",
        vm_kib("VmRSS:"),
        vm_kib("VmHWM:"),
        vm_kib("RssAnon:"),
        vm_kib("RssFile:")
    );
}

/// Where to build the PSPM index: the kept directory named by `PSPM_BENCH_KEEP_INDEX`, or a
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

/// What one class's queries measured.
#[derive(Default)]
struct Measured {
    bare: Vec<Duration>,
    pspm: Vec<Duration>,
    /// The last pass's answers, per query.
    bare_top: Vec<Vec<(f32, String)>>,
    pspm_results: Vec<SearchResults>,
}

fn timed<T>(run: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let value = run();
    (value, started.elapsed())
}

fn main() {
    if let Some(directory) = std::env::var_os(READER_ENV) {
        reader_child(&PathBuf::from(directory));
        return;
    }
    let words = corpus::corpus_words();
    let (generated, generation) = timed(|| corpus::generate(&words));
    let classes = corpus::queries(&words, &generated);
    println!(
        "documents: {DOCUMENTS} generated in {:.1} s from {} corpus words and {} proper nouns; {} queries",
        generation.as_secs_f64(),
        words.len(),
        generated.rare_documents.len(),
        classes.iter().map(|(_, queries)| queries.len()).sum::<usize>()
    );
    // The temporary directory (when not keeping the index) is deleted when this drops.
    let (temporary, directory) = index_directory();
    match &temporary {
        Some(_) => println!("PSPM index: {} (temporary)", directory.display()),
        None => println!("PSPM index: {} (kept)", directory.display()),
    }

    // Builds, alternating, the fastest of each counting; the last ones are searched.
    let mut bare_best = Duration::MAX;
    let mut pspm_best = Duration::MAX;
    let mut built = None;
    let mut bare_directory = None;
    for round in 0..BUILDS {
        let last = round + 1 == BUILDS;
        let bare_folder = tempfile::tempdir().expect("tempdir");
        let (bare, elapsed) = baseline::build(bare_folder.path(), &generated.practices);
        bare_best = bare_best.min(elapsed);
        let scratch = tempfile::tempdir().expect("tempdir");
        let pspm_folder = if last {
            directory.clone()
        } else {
            scratch.path().to_path_buf()
        };
        let index = Index::open(&pspm_folder).expect("open");
        let (indexed, elapsed) = timed(|| {
            index
                .import(generated.practices.iter().cloned())
                .expect("import")
        });
        assert_eq!(indexed, DOCUMENTS);
        pspm_best = pspm_best.min(elapsed);
        if last {
            built = Some((bare, index));
            bare_directory = Some(bare_folder);
        }
    }
    let (bare, index) = built.expect("built");
    let bare_directory = bare_directory.expect("bare directory");
    let rate = |elapsed: Duration| DOCUMENTS as f64 / elapsed.as_secs_f64();
    let (bare_rate, pspm_rate) = (rate(bare_best), rate(pspm_best));
    let build_ratio = pspm_rate / bare_rate;
    println!(
        "build (fastest of {BUILDS}): bare {:.0} docs/s, PSPM {:.0} docs/s = {build_ratio:.2}× (goal ≥ {BUILD_GOAL}×: {})",
        bare_rate,
        pspm_rate,
        verdict(build_ratio >= BUILD_GOAL)
    );
    let bare_size = directory_size(bare_directory.path()) as f64 / 1e6;
    let pspm_size = directory_size(&directory) as f64 / 1e6;
    let size_ratio = pspm_size / bare_size;
    println!(
        "size: bare {bare_size:.1} MB, PSPM {pspm_size:.1} MB = {size_ratio:.2}× (goal ≤ {SIZE_GOAL}×: {})",
        verdict(size_ratio <= SIZE_GOAL)
    );
    println!("  bare (MB): {}", breakdown(bare_directory.path()));
    println!("  PSPM (MB): {}", breakdown(&directory));

    let mut measured: Vec<Measured> = classes.iter().map(|_| Measured::default()).collect();
    for pass in 0..=PASSES {
        let timing = pass > 0;
        for ((class, queries), measured) in classes.iter().zip(&mut measured) {
            measured.bare_top.clear();
            measured.pspm_results.clear();
            for (n, query) in queries.iter().enumerate() {
                // Alternate which goes first, so neither always finds the caches warmer.
                let run_bare = || timed(|| bare.search(query));
                let run_pspm = || {
                    timed(|| {
                        index
                            .search(query, SearchOptions::default())
                            .expect("search")
                    })
                };
                let compared = Class::COMPARED.contains(class);
                let ((top, bare_time), (results, pspm_time)) = if n % 2 == 0 && compared {
                    let first = run_bare();
                    (first, run_pspm())
                } else {
                    let second = run_pspm();
                    let first = if compared {
                        run_bare()
                    } else {
                        (Vec::new(), Duration::ZERO)
                    };
                    (first, second)
                };
                if timing {
                    measured.bare.push(bare_time);
                    measured.pspm.push(pspm_time);
                }
                measured.bare_top.push(top);
                measured.pspm_results.push(results);
            }
        }
    }

    println!();
    println!("| class | bare tantivy p50 / p99 (ms) | PSPM p50 / p99 (ms) | ratio p50 / p99 | counts differ | same top 5 (scores) |");
    println!("|---|---|---|---|---|---|");
    let mut all_bare = Vec::new();
    let mut all_pspm = Vec::new();
    let mut goals_met = true;
    for ((class, queries), measured) in classes.iter().zip(&mut measured) {
        measured.pspm.sort();
        if !Class::COMPARED.contains(class) {
            continue;
        }
        measured.bare.sort();
        let differ = queries
            .iter()
            .zip(&measured.pspm_results)
            .filter(|(query, results)| {
                let count = bare.count(query);
                if results.total_is_exact {
                    results.total != count
                } else {
                    count < results.total
                }
            })
            .count();
        // BM25 ties often (field lengths are stored in 256 steps), and tantivy breaks ties by
        // address, which differs between two indexes: the same top 5 is the same scores.
        let same = measured
            .bare_top
            .iter()
            .zip(&measured.pspm_results)
            .filter(|(top, results)| {
                top.len() == results.hits.len()
                    && top.iter().zip(&results.hits).all(|((score, _), hit)| {
                        (score - hit.score).abs() <= 1e-4 * score.abs().max(1.0)
                    })
            })
            .count();
        let (b50, b99) = (
            percentile(&measured.bare, 0.5),
            percentile(&measured.bare, 0.99),
        );
        let (p50, p99) = (
            percentile(&measured.pspm, 0.5),
            percentile(&measured.pspm, 0.99),
        );
        let (r50, r99) = (ms(p50) / ms(b50), ms(p99) / ms(b99));
        goals_met &= r50 <= P50_GOAL && r99 <= P99_GOAL;
        println!(
            "| {} | {:.3} / {:.3} | {:.3} / {:.3} | {r50:.2}× / {r99:.2}× | {differ} of {} | {same} of {} |",
            class.name(),
            ms(b50),
            ms(b99),
            ms(p50),
            ms(p99),
            queries.len(),
            queries.len()
        );
        all_bare.extend(measured.bare.iter().copied());
        all_pspm.extend(measured.pspm.iter().copied());
    }
    all_bare.sort();
    all_pspm.sort();
    let (b50, b99) = (percentile(&all_bare, 0.5), percentile(&all_bare, 0.99));
    let (p50, p99) = (percentile(&all_pspm, 0.5), percentile(&all_pspm, 0.99));
    println!(
        "| overall | {:.3} / {:.3} | {:.3} / {:.3} | {:.2}× / {:.2}× | | |",
        ms(b50),
        ms(b99),
        ms(p50),
        ms(p99),
        ms(p50) / ms(b50),
        ms(p99) / ms(b99)
    );
    println!();
    println!(
        "latency goals (every class: p50 ≤ {P50_GOAL}×, p99 ≤ {P99_GOAL}× the bare program): {}",
        verdict(goals_met)
    );
    for ((class, _), measured) in classes.iter().zip(&measured) {
        if Class::COMPARED.contains(class) {
            continue;
        }
        let found = measured
            .pspm_results
            .iter()
            .filter(|results| !results.hits.is_empty())
            .count();
        println!(
            "PSPM only, {}: p50 {:.3} ms, p99 {:.3} ms; {found} of {} find something",
            class.name(),
            ms(percentile(&measured.pspm, 0.5)),
            ms(percentile(&measured.pspm, 0.99)),
            measured.pspm_results.len()
        );
    }
    let mut related = Vec::new();
    for _ in 0..10 {
        for proposal in PROPOSALS {
            related.push(timed(|| index.related(proposal, 3).expect("related")).1);
        }
    }
    related.sort();
    println!(
        "related (a proposal card's 3 practices): p50 {:.3} ms, p99 {:.3} ms",
        ms(percentile(&related, 0.5)),
        ms(percentile(&related, 0.99))
    );
    drop(index);

    let queries_file = tempfile::NamedTempFile::new().expect("queries file");
    let all_queries: Vec<&str> = classes
        .iter()
        .flat_map(|(_, queries)| queries.iter().map(String::as_str))
        .collect();
    fs::write(queries_file.path(), all_queries.join("\n")).expect("write queries");
    let output = Command::new(std::env::current_exe().expect("current exe"))
        .env(READER_ENV, &directory)
        .env(QUERIES_ENV, queries_file.path())
        .output()
        .expect("run reader child");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let figures: Vec<u64> = stdout
        .split_whitespace()
        .filter_map(|value| value.parse().ok())
        .collect();
    match figures.as_slice() {
        [rss, peak, anonymous, file] => {
            let mb = |kib: &u64| *kib as f64 / 1024.0;
            let (rss, peak) = (mb(rss), mb(peak));
            println!(
                "reader process (fresh Index::open, {} queries and {} related, 3 times): RSS {rss:.1} MB ({:.1} MB allocated, {:.1} MB of mapped index files), peak {peak:.1} MB (goal < {RSS_GOAL_MB} MB: {})",
                all_queries.len(),
                PROPOSALS.len(),
                mb(anonymous),
                mb(file),
                verdict(peak < RSS_GOAL_MB)
            );
        }
        _ => println!(
            "reader child failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "MISSED"
    }
}
