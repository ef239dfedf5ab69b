//! Applied events on a real sled: exactly-once across reopens, merges and migration, while
//! memory holds no more than the window.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::records::{ChangeRecord, LogRecord};
use super::*;
use crate::domain::Phase;

fn id(n: u32) -> String {
    format!("$event{n}:hs")
}

/// Commits events `range` as applied, `per_commit` a commit, each commit with a change.
fn apply(store: &SledStore, range: std::ops::Range<u32>, per_commit: usize) {
    let ids: Vec<u32> = range.collect();
    for chunk in ids.chunks(per_commit) {
        store
            .commit(Batch {
                next_batch: Some(format!("s{}", chunk[0])),
                applied: chunk.iter().map(|&n| id(n)).collect(),
                changes: vec![phase(chunk[0])],
                ..Batch::default()
            })
            .unwrap();
    }
}

fn phase(n: u32) -> Change {
    let phases = [Phase::Consultation, Phase::Prioritisation, Phase::Closed];
    Change::Phase {
        section: "dati".into(),
        phase: phases[n as usize % 3],
    }
}

/// Which of `range` the store says are applied, as spans `(first, after the last)`.
fn applied_among(store: &SledStore, range: std::ops::Range<u32>) -> Vec<(u32, u32)> {
    let mut spans: Vec<(u32, u32)> = Vec::new();
    for n in range {
        if store.is_applied(&id(n)).unwrap() {
            match spans.last_mut() {
                Some((_, end)) if *end == n => *end = n + 1,
                _ => spans.push((n, n + 1)),
            }
        }
    }
    spans
}

fn options(applied_window: usize, applied_filter_bytes: usize) -> SledOptions {
    SledOptions {
        applied_window,
        applied_filter_bytes,
    }
}

#[test]
fn events_applied_long_before_a_reopen_are_still_applied() {
    let dir = tempfile::tempdir().unwrap();
    let options = options(64, 4096);
    {
        let store = SledStore::open_with(dir.path(), &options).unwrap();
        apply(&store, 0..1_000, 10);
        store.merge_due().unwrap();
        apply(&store, 1_000..1_200, 7);
        // Far outside the window already, before any reopen.
        assert_eq!(applied_among(&store, 0..1_300), [(0, 1_200)]);
    }
    let store = SledStore::open_with(dir.path(), &options).unwrap();
    assert_eq!(store.applied_in_memory(), 0);
    assert_eq!(applied_among(&store, 0..1_300), [(0, 1_200)]);
    assert!(!store.is_applied("$never:hs").unwrap());
}

#[test]
fn a_filter_kept_by_a_close_serves_one_open_only() {
    let dir = tempfile::tempdir().unwrap();
    let small = options(0, 16 << 10);
    {
        let store = SledStore::open_with(dir.path(), &small).unwrap();
        apply(&store, 0..100, 10);
    }
    {
        // Taken back (four pieces), and away: a crash from now on must not find it out of
        // date.
        let store = SledStore::open_with(dir.path(), &small).unwrap();
        assert!(!store.holds_kept_filter());
        assert_eq!(applied_among(&store, 0..300), [(0, 100)]);
        apply(&store, 100..200, 10);
    }
    // A filter of another size is not taken: one is built from the runs instead.
    let store = SledStore::open_with(dir.path(), &options(0, 8192)).unwrap();
    assert_eq!(applied_among(&store, 0..300), [(0, 200)]);
    assert!(!store.holds_kept_filter());
    drop(store);
    let store = SledStore::open_with(dir.path(), &options(0, 8192)).unwrap();
    assert_eq!(applied_among(&store, 0..300), [(0, 200)]);
}

#[test]
fn memory_holds_no_more_fingerprints_than_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::open_with(dir.path(), &options(50, 4096)).unwrap();
    for start in (0..500).step_by(10) {
        apply(&store, start..start + 10, 10);
        assert!(store.applied_in_memory() <= 50, "{start}");
    }
    assert_eq!(store.applied_in_memory(), 50);
    // Old events found on disk come into the window, and still no more than it holds.
    assert_eq!(applied_among(&store, 0..500), [(0, 500)]);
    assert_eq!(store.applied_in_memory(), 50);
    assert!((450..500).all(|n| store.is_applied(&id(n)).unwrap()));
}

#[test]
fn with_a_full_filter_and_no_window_the_runs_alone_answer_right() {
    // Eight bytes of filter say "maybe" to everything: every lookup reads the runs.
    let dir = tempfile::tempdir().unwrap();
    let options = options(0, 8);
    {
        let store = SledStore::open_with(dir.path(), &options).unwrap();
        for round in 0..4 {
            apply(&store, round * 200..(round + 1) * 200, 3);
            store.merge_due().unwrap();
            assert_eq!(applied_among(&store, 0..900), [(0, (round + 1) * 200)]);
        }
        assert!(store.log_len() < 40, "{} records", store.log_len());
        assert_eq!(store.applied_in_memory(), 0);
    }
    let store = SledStore::open_with(dir.path(), &options).unwrap();
    assert_eq!(applied_among(&store, 0..900), [(0, 800)]);
}

#[test]
fn lookups_during_merges_never_miss_an_event() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SledStore::open_with(dir.path(), &options(0, 8)).unwrap());
    apply(&store, 0..100, 1);
    let done = Arc::new(AtomicBool::new(false));
    let looking = {
        let (store, done) = (Arc::clone(&store), Arc::clone(&done));
        std::thread::spawn(move || {
            let mut lookups = 0u32;
            while !done.load(Ordering::Relaxed) || lookups < 1_000 {
                let n = lookups % 100;
                assert!(store.is_applied(&id(n)).unwrap(), "{} missed", id(n));
                lookups += 1;
            }
            lookups
        })
    };
    // One event a commit: runs of 16 records merge again and again under the lookups.
    for start in (100..1_700).step_by(100) {
        apply(&store, start..start + 100, 1);
        store.merge_due().unwrap();
    }
    done.store(true, Ordering::Relaxed);
    assert!(looking.join().unwrap() >= 1_000);
    assert_eq!(applied_among(&store, 0..1_800), [(0, 1_700)]);
}

/// A log record as version 3 wrote it, fingerprints inside.
fn v3_record(level: u8, applied: std::ops::Range<u32>, changes: Vec<Change>) -> Vec<u8> {
    LogRecord {
        level,
        applied: applied
            .map(|n| crate::domain::participation::fingerprint(&id(n)))
            .collect(),
        changes: changes.into_iter().map(ChangeRecord::from).collect(),
    }
    .encode()
    .unwrap()
}

#[test]
fn a_version_3_store_moves_its_fingerprints_out_of_the_log_on_open() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = sled::open(dir.path()).unwrap();
        let tree = db.open_tree("pspm").unwrap();
        tree.insert(b"m:schema_version", &3u64.to_be_bytes())
            .unwrap();
        tree.insert(b"m:next_batch", &b"s9"[..]).unwrap();
        let records = [
            v3_record(2, 0..300, vec![phase(1)]),
            // Events applied and nothing changed: a record of fingerprints alone.
            v3_record(1, 300..350, vec![]),
            v3_record(0, 350..351, vec![phase(2)]),
            v3_record(0, 351..351, vec![phase(0)]),
        ];
        for (seq, record) in records.into_iter().enumerate() {
            let mut key = b"l:".to_vec();
            key.extend_from_slice(&(seq as u64).to_be_bytes());
            tree.insert(key, record).unwrap();
        }
        db.flush().unwrap();
    }
    let options = options(16, 4096);
    let mut expected = State::default();
    for n in [1, 2, 0] {
        expected.apply_change(&phase(n));
    }
    {
        let store = SledStore::open_with(dir.path(), &options).unwrap();
        assert_eq!(store.log_len(), 4);
        assert_eq!(store.applied_in_memory(), 0);
        assert_eq!(applied_among(&store, 0..400), [(0, 351)]);
        assert_eq!(store.load_state().unwrap(), expected);
        assert_eq!(store.next_batch().unwrap().as_deref(), Some("s9"));
        // Migrated, the store commits and merges as any other.
        apply(&store, 400..430, 1);
        store.merge_due().unwrap();
        expected.apply_change(&phase(429));
        assert_eq!(applied_among(&store, 0..500), [(0, 351), (400, 430)]);
    }
    let store = SledStore::open_with(dir.path(), &options).unwrap();
    assert_eq!(applied_among(&store, 0..500), [(0, 351), (400, 430)]);
    assert_eq!(store.load_state().unwrap(), expected);
}
