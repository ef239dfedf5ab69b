//! Golden files pin every stored encoding, so a renamed field or a reordered enum cannot
//! change what is on disk unnoticed. Each test encodes a fixed sample, compares the bytes with
//! its file in `src/store/golden/`, and decodes the pinned file back to the sample.
//!
//! To change an encoding on purpose (with a new schema version and a migration), rewrite the
//! files with `UPDATE_GOLDEN=1 cargo test -p pspm store::golden` and review the diff.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::codec::LogRecord;
use super::*;
use crate::domain::monitoring::{Action, Measurement, Update};
use crate::domain::polls::{Poll, Response};
use crate::domain::{
    Ballot, Comment, Phase, PowerLevels, Proposal, ProposalState, Rendered, Stance,
};

// The store's encodings, as these tests reach them.

fn change_to_json(change: &Change) -> Vec<u8> {
    serde_json::to_vec(change).unwrap()
}

fn change_from_json(bytes: &[u8]) -> Change {
    serde_json::from_slice(bytes).unwrap()
}

fn log_to_bytes(level: u8, applied: Vec<u64>, changes: Vec<Change>) -> Vec<u8> {
    LogRecord {
        level,
        applied,
        changes,
    }
    .encode()
    .unwrap()
}

fn log_from_bytes(bytes: &[u8]) -> (u8, Vec<u64>, Vec<Change>) {
    let record = LogRecord::decode(bytes).unwrap();
    (record.level, record.applied, record.changes)
}

fn outbox_to_json(entry: &OutboxEntry) -> Vec<u8> {
    serde_json::to_vec(entry).unwrap()
}

fn outbox_from_json(bytes: &[u8]) -> OutboxEntry {
    serde_json::from_slice(bytes).unwrap()
}

fn dead_letter_to_json(entry: &OutboxEntry, reason: &str) -> Vec<u8> {
    serde_json::to_vec(&(entry, reason)).unwrap()
}

fn dead_letter_from_json(bytes: &[u8]) -> (OutboxEntry, String) {
    serde_json::from_slice(bytes).unwrap()
}

fn session_to_json(session: &Session) -> Vec<u8> {
    serde_json::to_vec(session).unwrap()
}

fn session_from_json(bytes: &[u8]) -> Session {
    serde_json::from_slice(bytes).unwrap()
}

// The samples: one per kind of record, with the corners of each encoding (empty and absent
// fields, non-ASCII text, extreme numbers).

fn proposal(state: ProposalState, card_event: Option<&str>) -> Proposal {
    Proposal {
        number: 12,
        section: "dati".into(),
        room_id: "!dati:hs".into(),
        title: "Dati aperti per tutti".into(),
        description: "Più dati, più \"qualità\".".into(),
        author: "@anna:hs".into(),
        organisation: "Comune di Forlì".into(),
        state,
        answer: Some("Sì".into()),
        hidden: None,
        created_ms: 1_700_000_000_000,
        updated_ms: 1_700_000_100_000,
        source_event: "$source".into(),
        card_event: card_event.map(str::to_owned),
    }
}

fn changes() -> Vec<(&'static str, Change)> {
    vec![
        (
            "power-levels",
            Change::PowerLevels {
                room_id: "!r:hs".into(),
                levels: PowerLevels {
                    users: [("@m:hs".to_owned(), 50), ("@a:hs".to_owned(), 100)].into(),
                    users_default: -1,
                },
            },
        ),
        (
            "bot-joined",
            Change::BotJoined {
                room_id: "!r:hs".into(),
                at_ms: 1_700_000_000_000,
            },
        ),
        (
            "proposal-open",
            Change::Proposal(proposal(ProposalState::Open, Some("$card"))),
        ),
        (
            "proposal-merged",
            Change::Proposal(Proposal {
                hidden: Some("spam".into()),
                answer: None,
                ..proposal(ProposalState::Merged(3), None)
            }),
        ),
        (
            "ballots",
            Change::Ballots {
                number: 7,
                user: "@àèé:hs".into(),
                organisation: "Comune di Forlì".into(),
                ballots: vec![
                    Ballot {
                        stance: Some(Stance::Support),
                        source: 1,
                    },
                    Ballot {
                        stance: Some(Stance::Oppose),
                        source: 2,
                    },
                    Ballot {
                        stance: None,
                        source: u64::MAX,
                    },
                ],
            },
        ),
        (
            "comment",
            Change::Comment(Comment {
                event_id: "$c".into(),
                section: "dati".into(),
                proposal: Some(0),
                author: "@a:hs".into(),
                organisation: "Ente".into(),
                text: "riga 1\nriga 2 ✓".into(),
                at_ms: -5,
            }),
        ),
        (
            "comment-on-section",
            Change::Comment(Comment {
                event_id: "$d".into(),
                section: "dati".into(),
                proposal: None,
                author: "@a:hs".into(),
                organisation: String::new(),
                text: String::new(),
                at_ms: i64::MAX,
            }),
        ),
        (
            "phase",
            Change::Phase {
                section: "dati".into(),
                phase: Phase::Prioritisation,
            },
        ),
        (
            "poll",
            Change::Poll(Poll {
                id: 2,
                section: "dati".into(),
                room_id: "!dati:hs".into(),
                opened_by: "@m:hs".into(),
                opened_ms: 1_700_000_000_000,
                max_selections: 3,
                answers: vec![("a1".into(), 12), ("a2".into(), 7)],
                start_event: Some("$start".into()),
                closed_ms: None,
            }),
        ),
        (
            "poll-response",
            Change::PollResponse {
                poll: 2,
                user: "@u:hs".into(),
                response: Response {
                    event_id: "$resp".into(),
                    at_ms: 1_700_000_000_001,
                    selections: vec!["a1".into()],
                    spoiled: false,
                },
            },
        ),
        (
            "told-server-not-allowed",
            Change::ToldServerNotAllowed {
                room_id: "!r:hs".into(),
                server: "evil.example".into(),
            },
        ),
        (
            "action",
            Change::Action(Action {
                code: "A1.2".into(),
                section: "dati".into(),
                objective: Some("O1".into()),
                title: "Catalogo dei dati".into(),
                owner: None,
                owners: vec!["@o:hs".into()],
                start: Some(NaiveDate::from_ymd_opt(2026, 1, 31).unwrap()),
                due: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
                weight: 1.0,
                proposal: Some(12),
            }),
        ),
        (
            "action-update",
            Change::ActionUpdate {
                code: "A1.2".into(),
                update: Update {
                    event_id: "$upd".into(),
                    author: "@o:hs".into(),
                    at_ms: 1_700_000_000_002,
                    progress: 40,
                    note: "a metà".into(),
                },
            },
        ),
        (
            "measurement",
            Change::Measurement(Measurement {
                event_id: "$meas".into(),
                result: "R1".into(),
                value: 42.5,
                date: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
                note: String::new(),
                author: "@o:hs".into(),
                at_ms: 1_700_000_000_003,
            }),
        ),
        (
            "reminded",
            Change::Reminded {
                room_id: "!r:hs".into(),
                day: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            },
        ),
    ]
}

fn rendered(body: &str) -> Rendered {
    Rendered {
        body: body.into(),
        html: format!("<b>{body}</b>"),
    }
}

fn outgoing() -> Vec<(&'static str, Outgoing)> {
    vec![
        (
            "reply",
            Outgoing::Reply(Reply {
                room_id: "!r:hs".into(),
                in_reply_to: "$e".into(),
                thread_root: Some("$root".into()),
                mentions: vec!["@u:hs".into(), "@v:hs".into()],
                text: rendered("Proposta n. 12 ✓"),
                card_for: Some(12),
            }),
        ),
        (
            "notice",
            Outgoing::Notice(Notice {
                room_id: "!r:hs".into(),
                key: "reminder/2026-03-02/!r:hs".into(),
                text: rendered("Promemoria"),
            }),
        ),
        (
            "reaction",
            Outgoing::Reaction(Reaction {
                room_id: "!r:hs".into(),
                target: "$card".into(),
                key: "👍".into(),
            }),
        ),
        (
            "file",
            Outgoing::File(FilePost {
                room_id: "!r:hs".into(),
                in_reply_to: "$e".into(),
                filename: "chart.png".into(),
                mimetype: "image/png".into(),
                content: vec![0x89, b'P', b'N', b'G', 0, 255],
                image: Some((640, 480)),
            }),
        ),
        (
            "poll",
            Outgoing::Poll(PollPost {
                room_id: "!r:hs".into(),
                poll_id: 2,
                question: "Quali priorità?".into(),
                max_selections: 3,
                answers: vec![("a1".into(), "#12 Dati".into()), ("a2".into(), "#7".into())],
            }),
        ),
        (
            "poll-end",
            Outgoing::PollEnd(PollEndPost {
                room_id: "!r:hs".into(),
                start: "$start".into(),
                text: "1. #12 (3 voti)".into(),
            }),
        ),
    ]
}

fn entry(seq: u64, outgoing: Outgoing) -> OutboxEntry {
    OutboxEntry {
        seq,
        txn_id: format!("pspm-{seq}"),
        outgoing,
    }
}

fn session() -> Session {
    Session {
        user_id: "@pspm:hs".into(),
        device_id: "DEVICE".into(),
        access_token: "syt_secret".into(),
    }
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
    assert_eq!(
        actual, pinned,
        "{name}: the stored encoding changed; if on purpose, see this file's opening comment"
    );
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
    let all = changes();
    vec![all[2].1.clone(), all[4].1.clone(), all[7].1.clone()]
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

#[test]
fn a_store_lays_out_its_keys_as_pinned() {
    let dir = tempfile::tempdir().unwrap();
    fill(&SledStore::open(dir.path()).unwrap());
    let dump: String = {
        let db = sled::open(dir.path()).unwrap();
        let tree = db.open_tree("pspm").unwrap();
        tree.iter()
            .map(|entry| {
                let (key, value) = entry.unwrap();
                format!("{}\t{}\n", escape(&key), escape(&value))
            })
            .collect()
    };
    let pinned = golden("layout.txt", &dump);

    // Read back: the pinned keys and values, written into a fresh sled, open as a store.
    let dir = tempfile::tempdir().unwrap();
    {
        let db = sled::open(dir.path()).unwrap();
        let tree = db.open_tree("pspm").unwrap();
        for line in pinned.lines() {
            let (key, value) = line.split_once('\t').unwrap();
            tree.insert(unescape(key), unescape(value)).unwrap();
        }
        db.flush().unwrap();
    }
    let store = SledStore::open(dir.path()).unwrap();
    assert_eq!(store.next_batch().unwrap().as_deref(), Some("s72_1_0"));
    assert!(store.is_applied("$e1").unwrap() && store.is_applied("$e2").unwrap());
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
