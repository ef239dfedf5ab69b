//! Applied-events benchmark (`cargo bench -p pspm --bench applied`), no homeserver: what
//! remembering 1M applied events (`PSPM_BENCH_APPLIED_EVENTS` for another number) costs the
//! store, with a durable commit per 100 events (and a sync token in each, as the bot commits
//! them). Each part runs in a process of its own, so that its resident memory owes nothing
//! to memory another part freed:
//! 1. the baseline: a plain `HashSet<u64>` of the same fingerprints, what the store held in
//!    memory for them before schema version 4;
//! 2. the commits: events/s, and the growth of resident memory as the events pile up;
//!    then `is_applied` for recent, old and never applied events;
//! 3. a reopen of that store: the time and memory it takes, and the same lookups.

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use pspm::domain::participation::fingerprint;
use pspm::store::{Batch, SledStore, Store};

/// Events applied unless `PSPM_BENCH_APPLIED_EVENTS` says how many (a multiple of 400).
fn events() -> u64 {
    std::env::var("PSPM_BENCH_APPLIED_EVENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000)
}

const BATCH: u64 = 100;
/// Lookups of each kind timed.
const LOOKUPS: u64 = 20_000;

fn rss_mb() -> f64 {
    pspm::telemetry::resident_bytes().map_or(f64::NAN, |bytes| bytes as f64 / (1024.0 * 1024.0))
}

/// An event ID shaped like a room version 4+ one: `$` and 43 URL-safe base64 characters.
fn event_id(n: u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut state = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x2545_F491_4F6C_DD1D;
    let mut id = String::with_capacity(44);
    id.push('$');
    for _ in 0..43 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        id.push(char::from(ALPHABET[(state % 64) as usize]));
    }
    id
}

fn baseline() {
    let events = events();
    let rss = rss_mb();
    let set: HashSet<u64> = (0..events).map(|n| fingerprint(&event_id(n))).collect();
    println!(
        "baseline, a HashSet<u64> of {} fingerprints: RSS {rss:.1} -> {:.1} MB (+{:.1} MB)",
        set.len(),
        rss_mb(),
        rss_mb() - rss
    );
}

/// Mean time of one `is_applied` over `ids`, checking each answer.
fn lookups(store: &SledStore, ids: impl Iterator<Item = u64>, applied: bool) -> Duration {
    let started = Instant::now();
    let mut count = 0;
    for n in ids {
        let id = event_id(n);
        assert_eq!(store.is_applied(&id).expect("lookup"), applied, "{id}");
        count += 1;
    }
    started.elapsed() / count
}

fn print_lookups(store: &SledStore, recent: bool) {
    let events = events();
    let recent = recent.then(|| lookups(store, events - LOOKUPS..events, true));
    let old = lookups(store, 0..LOOKUPS, true);
    let again = lookups(store, 0..LOOKUPS, true);
    let never = lookups(store, events..events + LOOKUPS, false);
    let micros = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "  is_applied (mean of {LOOKUPS}): {}old {:.2} us, the same again {:.2} us, never applied {:.2} us",
        recent.map_or(String::new(), |d| format!("recent {:.2} us, ", micros(d))),
        micros(old),
        micros(again),
        micros(never)
    );
}

fn commit(dir: &Path) {
    let events = events();
    let rss = rss_mb();
    let store = SledStore::open(dir).expect("store");
    let opened = rss_mb();
    let started = Instant::now();
    let mut lap = Instant::now();
    for start in (0..events).step_by(BATCH as usize) {
        store
            .commit(Batch {
                next_batch: Some(format!("s{start}")),
                applied: (start..start + BATCH).map(event_id).collect(),
                ..Batch::default()
            })
            .expect("commit");
        let done = start + BATCH;
        if done.is_multiple_of(events / 4) {
            println!(
                "  {done:>9} events: {:.0} events/s over the last quarter; RSS +{:.1} MB since open; {} fingerprints in memory",
                (events / 4) as f64 / lap.elapsed().as_secs_f64(),
                rss_mb() - opened,
                store.applied_in_memory()
            );
            lap = Instant::now();
        }
    }
    let elapsed = started.elapsed();
    println!(
        "commits: {:.0} events/s ({:.2} s for {events}); RSS {rss:.1} MB before open, {:.1} MB at the end",
        events as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64(),
        rss_mb()
    );
    let merging = Instant::now();
    store.merge_due().expect("merge");
    println!(
        "  the background merges left: {:.2} s; {} log records",
        merging.elapsed().as_secs_f64(),
        store.log_len()
    );
    print_lookups(&store, true);
}

fn reopen(dir: &Path) {
    let rss = rss_mb();
    let opening = Instant::now();
    let store = SledStore::open(dir).expect("reopen");
    let opened = opening.elapsed();
    println!(
        "reopened in {:.2} s: RSS {rss:.1} -> {:.1} MB (+{:.1} MB)",
        opened.as_secs_f64(),
        rss_mb(),
        rss_mb() - rss
    );
    print_lookups(&store, false);
    println!("  RSS after the lookups: {:.1} MB", rss_mb());
}

/// Runs this benchmark again, in a process of its own, for one part.
fn part(args: &[&str]) {
    let exe = std::env::current_exe().expect("own path");
    let status = Command::new(exe).args(args).status().expect("part");
    assert!(status.success(), "{args:?}: {status}");
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["baseline"] => baseline(),
        ["commit", dir] => commit(Path::new(dir)),
        ["reopen", dir] => reopen(Path::new(dir)),
        _ => {
            println!(
                "PSPM applied-events benchmark ({} events, a durable commit per {BATCH})",
                events()
            );
            part(&["baseline"]);
            let temporary = tempfile::tempdir().expect("tempdir");
            let dir = temporary.path().to_str().expect("a UTF-8 temporary path");
            part(&["commit", dir]);
            part(&["reopen", dir]);
        }
    }
}
