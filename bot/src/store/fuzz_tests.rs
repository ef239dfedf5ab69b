//! Fuzz target for the store's decoders: a log record, an applied run or a JSON record that
//! is damaged (a bit flipped, cut short, bytes inserted or repeated) or garbage decodes to an
//! error, never a panic; what does decode converts to the domain, folds into a state, and
//! encodes back to what decodes the same (a run: and a lookup finds exactly what it holds).

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use super::records::{
    applied, from_json, to_json, ChangeRecord, DeadLetterRecord, LogRecord, OutboxRecord,
    SessionRecord,
};
use super::samples::{changes, entry, outgoing, session};
use super::*;
use crate::domain::State;
use pspm_indexer::fuzzing::{cases, run};

/// What a stored value is, so the fuzz decodes it as the store would.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Log,
    AppliedRun,
    Change,
    Outbox,
    DeadLetter,
    Session,
}

const KINDS: &[Kind] = &[
    Kind::Log,
    Kind::AppliedRun,
    Kind::Change,
    Kind::Outbox,
    Kind::DeadLetter,
    Kind::Session,
];

/// Every sample the golden files pin, encoded.
fn samples() -> Vec<(Kind, Vec<u8>)> {
    let mut samples = Vec::new();
    let records: Vec<ChangeRecord> = changes()
        .into_iter()
        .map(|(_, change)| ChangeRecord::from(change))
        .collect();
    for chunk in records.chunks(3) {
        let log = LogRecord {
            level: 1,
            applied: vec![1, u64::MAX, 42],
            changes: chunk
                .iter()
                .map(|record| from_json(&to_json(record).expect("json")).expect("json"))
                .collect(),
        };
        samples.push((Kind::Log, log.encode().expect("encode")));
    }
    for record in &records {
        samples.push((Kind::Change, to_json(record).expect("json")));
    }
    samples.push((Kind::AppliedRun, applied::encode(vec![1, u64::MAX, 42])));
    samples.push((Kind::AppliedRun, applied::encode((0..40).collect())));
    for (n, (_, outgoing)) in outgoing().into_iter().enumerate() {
        let entry = entry(n as u64, outgoing);
        samples.push((
            Kind::Outbox,
            to_json(&OutboxRecord::from(entry.clone())).expect("json"),
        ));
        let dead = DeadLetterRecord(entry.into(), "refused".to_owned());
        samples.push((Kind::DeadLetter, to_json(&dead).expect("json")));
    }
    samples.push((
        Kind::Session,
        to_json(&SessionRecord::from(session())).expect("json"),
    ));
    samples
}

/// Flips, replaces, cuts, inserts, deletes or repeats bytes.
fn mutate(mut bytes: Vec<u8>, mutations: &[(usize, u8, u8)]) -> Vec<u8> {
    for &(at, kind, value) in mutations {
        if bytes.is_empty() {
            bytes.push(value);
            continue;
        }
        let at = at % bytes.len();
        match kind % 7 {
            0 => bytes[at] ^= value.max(1),
            // Printable text and digits keep JSON well-formed more often than random bytes.
            5 => bytes[at] = b' ' + value % 95,
            6 => bytes[at] = b'0' + value % 10,
            1 => bytes.truncate(at),
            2 => bytes.insert(at, value),
            3 => {
                bytes.remove(at);
            }
            _ => {
                let end = (at + usize::from(value % 32)).min(bytes.len());
                let run = bytes[at..end].to_vec();
                bytes.splice(at..at, run);
            }
        }
    }
    bytes
}

/// Whether `bytes` decoded as an applied run, and if so that a lookup finds each of its
/// fingerprints and nothing else.
fn check_run(bytes: &[u8]) -> Result<bool, TestCaseError> {
    let found = |fingerprint| {
        applied::contains(bytes, fingerprint)
            .map_err(|error| TestCaseError::fail(format!("lookup refused: {error}")))
    };
    let Ok(fingerprints) = applied::decode(bytes) else {
        return Ok(false);
    };
    for &fingerprint in &fingerprints {
        prop_assert!(found(fingerprint)?, "{fingerprint} not found");
        let next = fingerprint.wrapping_add(1);
        prop_assert_eq!(found(next)?, fingerprints.contains(&next));
    }
    prop_assert_eq!(applied::encode(fingerprints), bytes.to_vec());
    Ok(true)
}

/// Whether `bytes` decoded as a log record, and if so that it behaves.
fn check_log(bytes: &[u8]) -> Result<bool, TestCaseError> {
    let head = LogRecord::decode_head(bytes);
    let Ok(record) = LogRecord::decode(bytes) else {
        return Ok(false);
    };
    let head = head.map_err(|error| TestCaseError::fail(format!("head refused: {error}")))?;
    prop_assert_eq!(&head, &(record.level, record.applied.clone()));
    let encoded = record
        .encode()
        .map_err(|error| TestCaseError::fail(format!("re-encode: {error}")))?;
    let again = LogRecord::decode(&encoded)
        .map_err(|error| TestCaseError::fail(format!("re-decode: {error}")))?;
    prop_assert_eq!(&again, &record);
    let mut state = State::default();
    for change in record.changes {
        state.apply_change(&Change::from(change));
    }
    Ok(true)
}

#[test]
fn fuzz_store_decode() {
    let samples = samples();
    // How many damaged inputs still decoded: the fuzz must reach past the first check.
    let decoded = std::cell::Cell::new(0usize);
    let strategy = prop_oneof![
        6 => (select(samples), vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..3))
            .prop_map(|((kind, bytes), mutations)| (kind, mutate(bytes, &mutations))),
        1 => (select(KINDS), vec(any::<u8>(), 0..300)),
    ];
    run("store decode", cases(1.0), strategy, |(kind, bytes)| {
        match kind {
            Kind::Log => {
                if check_log(&bytes)? {
                    decoded.set(decoded.get() + 1);
                }
            }
            Kind::AppliedRun => {
                if check_run(&bytes)? {
                    decoded.set(decoded.get() + 1);
                }
            }
            Kind::Change => {
                if let Ok(record) = from_json::<ChangeRecord>(&bytes) {
                    decoded.set(decoded.get() + 1);
                    State::default().apply_change(&Change::from(record));
                }
            }
            Kind::Outbox => {
                if let Ok(record) = from_json::<OutboxRecord>(&bytes) {
                    let _ = OutboxEntry::from(record);
                }
            }
            Kind::DeadLetter => {
                if let Ok(DeadLetterRecord(record, _)) = from_json::<DeadLetterRecord>(&bytes) {
                    let _ = OutboxEntry::from(record);
                }
            }
            Kind::Session => {
                if let Ok(record) = from_json::<SessionRecord>(&bytes) {
                    let _ = Session::from(record);
                }
            }
        }
        Ok(())
    });
    eprintln!(
        "store decode: {} damaged records still decoded",
        decoded.get()
    );
    assert!(
        decoded.get() > 0,
        "nothing decoded: the fuzz stops at the first check"
    );
}
