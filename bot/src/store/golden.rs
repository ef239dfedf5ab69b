//! Golden files pin every stored encoding, so a renamed field or a reordered enum cannot
//! change what is on disk unnoticed. Each test encodes a fixed sample, compares the bytes with
//! its file in `src/store/golden/`, and decodes the pinned file back to the sample.
//!
//! To change an encoding on purpose (with a new schema version and a migration), rewrite the
//! files with `UPDATE_GOLDEN=1 cargo test -p pspm store::golden` and review the diff. Layouts
//! of older versions stay, read only, to prove they migrate: `layout-v3.txt`.

use std::path::{Path, PathBuf};

use super::records::{
    applied, from_json, to_json, ChangeRecord, DeadLetterRecord, LogRecord, OutboxRecord,
    SessionRecord,
};
use super::samples::{changes, entry, outgoing, session};
use super::*;

// The store's encodings, as these tests reach them.

fn change_to_json(change: &Change) -> Vec<u8> {
    to_json(&ChangeRecord::from(change.clone())).unwrap()
}

fn change_from_json(bytes: &[u8]) -> Change {
    from_json::<ChangeRecord>(bytes).unwrap().into()
}

fn log_to_bytes(level: u8, applied: Vec<u64>, changes: Vec<Change>) -> Vec<u8> {
    LogRecord {
        level,
        applied,
        changes: changes.into_iter().map(ChangeRecord::from).collect(),
    }
    .encode()
    .unwrap()
}

fn log_from_bytes(bytes: &[u8]) -> (u8, Vec<u64>, Vec<Change>) {
    let record = LogRecord::decode(bytes).unwrap();
    let changes = record.changes.into_iter().map(Change::from).collect();
    (record.level, record.applied, changes)
}

fn outbox_to_json(entry: &OutboxEntry) -> Vec<u8> {
    to_json(&OutboxRecord::from(entry.clone())).unwrap()
}

fn outbox_from_json(bytes: &[u8]) -> OutboxEntry {
    from_json::<OutboxRecord>(bytes).unwrap().into()
}

fn dead_letter_to_json(entry: &OutboxEntry, reason: &str) -> Vec<u8> {
    to_json(&DeadLetterRecord(entry.clone().into(), reason.to_owned())).unwrap()
}

fn dead_letter_from_json(bytes: &[u8]) -> (OutboxEntry, String) {
    let DeadLetterRecord(entry, reason) = from_json(bytes).unwrap();
    (entry.into(), reason)
}

fn session_to_json(session: &Session) -> Vec<u8> {
    to_json(&SessionRecord::from(session.clone())).unwrap()
}

fn session_from_json(bytes: &[u8]) -> Session {
    from_json::<SessionRecord>(bytes).unwrap().into()
}
// Comparing with the golden files.

fn path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/store/golden")
        .join(name)
}

/// Compares `actual` with the golden file `name` (rewriting it under `UPDATE_GOLDEN`) and
/// returns the file's text.
fn golden(name: &str, actual: &str) -> String {
    let path = path(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let pinned = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (write it with UPDATE_GOLDEN=1 cargo test -p pspm store::golden)",
            path.display()
        )
    });
    if actual != pinned {
        // The first line that differs, rather than two walls of hex.
        let (line, (now, was)) = actual
            .lines()
            .chain(std::iter::repeat(""))
            .zip(pinned.lines().chain(std::iter::repeat("")))
            .enumerate()
            .find(|(_, (now, was))| now != was)
            .unwrap_or((0, ("", "")));
        panic!(
            "{name}: the stored encoding changed at line {}:\n  now:    {now}\n  pinned: {was}\n\
             if on purpose, see the opening comment of src/store/golden.rs",
            line + 1
        );
    }
    pinned
}

/// A JSON record as its file holds it: the stored bytes and a newline.
fn golden_json(name: &str, bytes: &[u8]) -> Vec<u8> {
    let text = format!("{}\n", std::str::from_utf8(bytes).unwrap());
    let pinned = golden(name, &text);
    pinned.strip_suffix('\n').unwrap().as_bytes().to_vec()
}

/// A binary record as its file holds it: hex, 32 bytes a line.
fn golden_hex(name: &str, bytes: &[u8]) -> Vec<u8> {
    let hex: String = bytes
        .chunks(32)
        .map(|line| {
            let mut text: String = line.iter().map(|b| format!("{b:02x}")).collect();
            text.push('\n');
            text
        })
        .collect();
    let pinned = golden(name, &hex);
    let digits: Vec<u8> = pinned.bytes().filter(u8::is_ascii_hexdigit).collect();
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect()
}

#[test]
fn every_change_encodes_as_pinned_in_json() {
    for (name, change) in changes() {
        let pinned = golden_json(&format!("change-{name}.json"), &change_to_json(&change));
        assert_eq!(change_from_json(&pinned), change, "{name}");
    }
}

#[test]
fn a_log_record_encodes_as_pinned() {
    let changes: Vec<Change> = changes().into_iter().map(|(_, change)| change).collect();
    let applied = vec![0, 42, u64::MAX];
    let pinned = golden_hex(
        "log-record.hex",
        &log_to_bytes(2, applied.clone(), changes.clone()),
    );
    assert_eq!(log_from_bytes(&pinned), (2, applied, changes));
}

#[test]
fn an_applied_run_encodes_as_pinned() {
    let pinned = golden_hex("applied-run.hex", &applied::encode(vec![u64::MAX, 0, 42]));
    assert_eq!(applied::decode(&pinned).unwrap(), [0, 42, u64::MAX]);
}

#[test]
fn every_outbox_entry_encodes_as_pinned() {
    for (n, (name, outgoing)) in outgoing().into_iter().enumerate() {
        let entry = entry(n as u64, outgoing);
        let pinned = golden_json(&format!("outbox-{name}.json"), &outbox_to_json(&entry));
        assert_eq!(outbox_from_json(&pinned), entry, "{name}");
    }
}

#[test]
fn a_dead_letter_encodes_as_pinned() {
    let (_, outgoing) = outgoing().remove(0);
    let entry = entry(9, outgoing);
    let pinned = golden_json(
        "dead-letter.json",
        &dead_letter_to_json(&entry, "M_FORBIDDEN: no"),
    );
    assert_eq!(
        dead_letter_from_json(&pinned),
        (entry, "M_FORBIDDEN: no".to_owned())
    );
}

#[test]
fn the_session_encodes_as_pinned() {
    let pinned = golden_json("session.json", &session_to_json(&session()));
    assert_eq!(session_from_json(&pinned), session());
}

#[test]
fn records_of_older_versions_still_decode() {
    // Before `ToldServerNotAllowed` was per server, it named a user.
    assert_eq!(
        change_from_json(br#"{"ToldServerNotAllowed":{"user":"@u:evil.example"}}"#),
        Change::ToldServerNotAllowed {
            room_id: String::new(),
            server: String::new(),
        }
    );
    // Before responses had a history, the one that counted was kept, and polls did not
    // record the event that closed them.
    assert_eq!(
        change_from_json(
            br#"{"PollResponse":{"poll":2,"user":"@u:hs","response":{"event_id":"$resp","at_ms":1700000000001,"selections":["a1"],"spoiled":false}}}"#
        ),
        Change::PollResponses {
            poll: 2,
            user: "@u:hs".into(),
            responses: vec![crate::domain::polls::Response {
                event_id: "$resp".into(),
                at_ms: 1_700_000_000_001,
                selections: vec!["a1".into()],
                spoiled: false,
                after_close: false,
            }],
        }
    );
    let Change::Poll(old_poll) = change_from_json(
        br#"{"Poll":{"id":1,"section":"s","room_id":"!r:hs","opened_by":"@m:hs","opened_ms":0,"max_selections":1,"answers":[],"start_event":null,"closed_ms":5}}"#,
    ) else {
        panic!("a poll");
    };
    assert_eq!((old_poll.closed_ms, old_poll.closed_by), (Some(5), None));
    // Before files could be images, they had no `image`.
    let file = br#"{"seq":1,"txn_id":"t","outgoing":{"File":{"room_id":"!r:hs","in_reply_to":"$e","filename":"a.csv","mimetype":"text/csv","content":"YSxi"}}}"#;
    assert_eq!(
        outbox_from_json(file).outgoing,
        Outgoing::File(FilePost {
            room_id: "!r:hs".into(),
            in_reply_to: "$e".into(),
            filename: "a.csv".into(),
            mimetype: "text/csv".into(),
            content: b"a,b".to_vec(),
            image: None,
            caption: None,
        })
    );
}

// The whole layout: every key and value a store writes.

/// Bytes as text: printable ASCII as is, a backslash doubled, anything else `\xNN`.
fn escape(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            b'\\' => "\\\\".to_owned(),
            0x20..=0x7e => char::from(b).to_string(),
            _ => format!("\\x{b:02x}"),
        })
        .collect()
}

fn unescape(text: &str) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut rest = text.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        rest = match (b, tail) {
            (b'\\', [b'\\', tail @ ..]) => {
                bytes.push(b'\\');
                tail
            }
            (b'\\', [b'x', hi, lo, tail @ ..]) => {
                let pair = [*hi, *lo];
                bytes.push(u8::from_str_radix(std::str::from_utf8(&pair).unwrap(), 16).unwrap());
                tail
            }
            _ => {
                bytes.push(b);
                tail
            }
        };
    }
    bytes
}

fn layout_changes() -> Vec<Change> {
    // By name, so that reordering the samples does not change what the layout pins.
    changes()
        .into_iter()
        .filter(|(name, _)| ["proposal-open", "ballots", "phase"].contains(name))
        .map(|(_, change)| change)
        .collect()
}

/// A store that has seen one of every kind of write.
fn fill(store: &SledStore) {
    let mut outgoing = outgoing().into_iter().map(|(_, o)| o);
    store
        .commit(Batch {
            next_batch: Some("s72_1_0".into()),
            applied: vec!["$e1".into(), "$e2".into()],
            outgoing: vec![
                ("t1".into(), outgoing.next().unwrap()),
                ("t2".into(), outgoing.next().unwrap()),
            ],
            changes: layout_changes(),
        })
        .unwrap();
    let dead = store.outbox(1).unwrap().remove(0);
    store.dead_letter(&dead, "M_FORBIDDEN").unwrap();
    store.save_session(&session()).unwrap();
    store.save_room("#dati:hs", "!dati:hs").unwrap();
    store.first_start_ms(1_700_000_000_000).unwrap();
}

/// The store's sled database itself. sled's flusher thread may hold a closed store's lock a
/// moment longer: wait for it.
fn open_raw(path: &std::path::Path) -> sled::Db {
    (0..300)
        .find_map(|_| {
            sled::open(path)
                .inspect_err(|_| std::thread::sleep(std::time::Duration::from_millis(10)))
                .ok()
        })
        .expect("the store opens once its last handle is gone")
}

#[test]
fn a_store_lays_out_its_keys_as_pinned() {
    let dir = tempfile::tempdir().unwrap();
    fill(&SledStore::open_with(dir.path(), &small_filter()).unwrap());
    let dump: String = {
        let db = open_raw(dir.path());
        let tree = db.open_tree("pspm").unwrap();
        tree.iter()
            .map(|entry| {
                let (key, value) = entry.unwrap();
                format!("{}\t{}\n", escape(&key), escape(&value))
            })
            .collect()
    };
    let pinned = golden("layout.txt", &dump);
    read_back(&pinned, &small_filter());
}

/// A filter small enough to read in a layout, which a clean close keeps.
fn small_filter() -> SledOptions {
    SledOptions {
        applied_filter_bytes: 32,
        ..SledOptions::default()
    }
}

#[test]
fn a_store_laid_out_by_version_3_opens_migrated() {
    // What `fill` wrote before applied events left the log records for runs of their own.
    let pinned = std::fs::read_to_string(path("layout-v3.txt")).unwrap();
    assert!(pinned.contains("m:schema_version\t\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x03\n"));
    read_back(&pinned, &SledOptions::default());
}

/// Writes the keys and values of a layout into a fresh sled, opens it as a store, and checks
/// that it holds what [`fill`] wrote.
fn read_back(layout: &str, options: &SledOptions) {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = open_raw(dir.path());
        let tree = db.open_tree("pspm").unwrap();
        for line in layout.lines() {
            let (key, value) = line.split_once('\t').unwrap();
            tree.insert(unescape(key), unescape(value)).unwrap();
        }
        db.flush().unwrap();
    }
    let store = SledStore::open_with(dir.path(), options).unwrap();
    assert_eq!(store.next_batch().unwrap().as_deref(), Some("s72_1_0"));
    assert!(store.is_applied("$e1").unwrap() && store.is_applied("$e2").unwrap());
    assert!(!store.is_applied("$e3").unwrap());
    let mut expected = State::default();
    for change in layout_changes() {
        expected.apply_change(&change);
    }
    assert_eq!(store.load_state().unwrap(), expected);
    let outbox = store.outbox(usize::MAX).unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(
        (outbox[0].txn_id.as_str(), &outbox[0].outgoing),
        ("t2", &outgoing()[1].1)
    );
    let dead = store.dead_letters().unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(
        (dead[0].0.txn_id.as_str(), dead[0].1.as_str()),
        ("t1", "M_FORBIDDEN")
    );
    assert_eq!(dead[0].0.outgoing, outgoing()[0].1);
    assert_eq!(store.session().unwrap(), Some(session()));
    assert_eq!(
        store.room_for_alias("#dati:hs").unwrap().as_deref(),
        Some("!dati:hs")
    );
    assert_eq!(store.first_start_ms(1).unwrap(), 1_700_000_000_000);
}
