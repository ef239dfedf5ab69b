//! The log's merge policy, free of sled so it can be tested on its own: which records merge
//! and when, and what a merged record keeps.
//!
//! Commits append records of level 0. Runs of [`FANOUT`] neighbouring records of one level
//! merge into one record of the next, keeping only the latest change per [`record_key`] (an
//! LSM-style tiered merge: each change is rewritten a few times, never per key). Levels never
//! grow along the log, so merging neighbours keeps history in order.

use std::collections::HashMap;
use std::time::Duration;

use super::records::{ChangeRecord, LogRecord};
use crate::domain::Change;

/// How many records of one level merge into one of the next.
pub const FANOUT: usize = 16;
/// Records of this level are not merged further (at 100 events a commit, up to ~400k events
/// each), so no single value grows without bound.
pub const TOP_LEVEL: u8 = 3;
/// Merges wait for this long without commits, or for this many records in the log: they
/// write much, and the next commit's flush, which carries those writes, would slow a busy
/// stream.
pub const IDLE: Duration = Duration::from_millis(500);
pub const BACKLOG: usize = 4096;

/// The log's shape, `(sequence, level)` of each record oldest first, so that deciding on a
/// merge needs no read of the log.
#[derive(Debug, Default)]
pub struct Shape(Vec<(u64, u8)>);

/// A run of records due to merge.
#[derive(Debug, PartialEq)]
pub struct Run {
    /// Index of its first record in the shape.
    start: usize,
    pub level: u8,
    /// Sequence numbers of its records, oldest first.
    pub seqs: Vec<u64>,
}

impl Shape {
    pub fn push(&mut self, seq: u64, level: u8) {
        self.0.push((seq, level));
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The records' sequence numbers, oldest first.
    pub fn seqs(&self) -> Vec<u64> {
        self.0.iter().map(|&(seq, _)| seq).collect()
    }

    /// The first run of [`FANOUT`] records of one level below the top.
    pub fn due(&self) -> Option<Run> {
        let mut run_start = 0;
        for (index, &(_, level)) in self.0.iter().enumerate() {
            if level != self.0[run_start].1 {
                run_start = index;
            }
            if level < TOP_LEVEL && index + 1 - run_start == FANOUT {
                let seqs = self.0[run_start..=index]
                    .iter()
                    .map(|&(seq, _)| seq)
                    .collect();
                return Some(Run {
                    start: run_start,
                    level,
                    seqs,
                });
            }
        }
        None
    }

    /// Notes that `run` (from [`Shape::due`], with no merge since) became one record of the
    /// next level, under the sequence of its oldest.
    pub fn merged(&mut self, run: &Run) {
        let end = run.start + run.seqs.len();
        self.0
            .splice(run.start..end, [(run.seqs[0], run.level + 1)]);
    }
}

/// Whether now is the time for a due merge: after a pause in commits, or when the log is long.
pub fn is_time(since_last_commit: Duration, log_len: usize) -> bool {
    since_last_commit >= IDLE || log_len >= BACKLOG
}

/// The record that replaces a run of `level`: every applied fingerprint (which only records
/// from before schema version 4 held), and the latest change per record in the order of their
/// last appearance, but those that [replay first](Change::replays_first) first.
pub fn merge(level: u8, run: Vec<LogRecord>) -> LogRecord {
    let mut applied = Vec::new();
    let mut changes = Vec::new();
    for record in run {
        applied.extend(record.applied);
        changes.extend(record.changes.into_iter().map(Change::from));
    }
    let mut latest = latest_changes(changes);
    latest.sort_by_key(|change| !change.replays_first());
    LogRecord {
        level: level + 1,
        applied,
        changes: latest.into_iter().map(ChangeRecord::from).collect(),
    }
}

/// What a change is the latest value of: a later change with the same key supersedes it.
pub fn record_key(change: &Change) -> String {
    match change {
        Change::PowerLevels { room_id, .. } => format!("power/{room_id}"),
        Change::BotJoined { room_id, .. } => format!("joined/{room_id}"),
        Change::Proposal(proposal) => format!("proposal/{:010}", proposal.number),
        Change::Ballots { number, user, .. } => format!("vote/{number:010}/{user}"),
        Change::Comment(comment) => format!("comment/{}", comment.event_id),
        Change::Phase { section, .. } => format!("phase/{section}"),
        Change::Poll(poll) => format!("poll/{:010}", poll.id),
        Change::SecretPoll(poll) => format!("secret-poll/{:010}", poll.id),
        Change::PollResponses { poll, user, .. } => format!("poll-response/{poll:010}/{user}"),
        Change::ToldServerNotAllowed { room_id, server } => {
            format!("told-not-allowed/{room_id}/{server}")
        }
        Change::Action(action) => format!("action/{}", action.code),
        Change::ActionUpdate { code, update } => format!("update/{code}/{}", update.event_id),
        Change::Measurement(m) => format!("measure/{}/{}", m.result, m.event_id),
        Change::Reminded { room_id, .. } => format!("reminded/{room_id}"),
        Change::ReplyLanguage { user, .. } => format!("language/{user}"),
        Change::CardShown { number, .. } => format!("card/{number:010}"),
        Change::Digest { user, .. } => format!("digest/{user}"),
        Change::DirectRoom { user, .. } => format!("direct/{user}"),
        Change::Digested { user, .. } => format!("digested/{user}"),
        Change::DraftItem(item) => format!("item/{}", item.id()),
        Change::ItemBallots { item, user, .. } => format!("item-vote/{item}/{user}"),
        Change::ItemComment(comment) => format!("item-comment/{}", comment.event_id),
        Change::Amendment(amendment) => format!("amendment/{:010}", amendment.number),
        Change::IterationClosed(version) => format!("iteration/{:010}", version.number),
    }
}

/// The latest change per [`record_key`], in the order of their last appearance.
fn latest_changes(changes: Vec<Change>) -> Vec<Change> {
    let mut position: HashMap<String, usize> = HashMap::new();
    let mut latest: Vec<Option<Change>> = Vec::new();
    for change in changes {
        if let Some(earlier) = position.insert(record_key(&change), latest.len()) {
            latest[earlier] = None;
        }
        latest.push(Some(change));
    }
    latest.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Phase;

    fn shape(levels: &[u8]) -> Shape {
        let mut shape = Shape::default();
        for (seq, &level) in levels.iter().enumerate() {
            shape.push(seq as u64 * 10, level);
        }
        shape
    }

    #[test]
    fn the_first_full_run_below_the_top_is_due() {
        assert_eq!(shape(&[0; FANOUT - 1]).due(), None);
        let mut levels = vec![2, 1];
        levels.extend([0; FANOUT + 3]);
        let run = shape(&levels).due().unwrap();
        assert_eq!((run.start, run.level), (2, 0));
        assert_eq!(
            run.seqs,
            (2..2 + FANOUT as u64).map(|n| n * 10).collect::<Vec<_>>()
        );
        assert_eq!(shape(&[TOP_LEVEL; FANOUT * 2]).due(), None);
    }

    #[test]
    fn a_merged_run_becomes_one_record_of_the_next_level_under_its_oldest_sequence() {
        let mut levels = vec![1];
        levels.extend([0; FANOUT + 1]);
        let mut shape = shape(&levels);
        let run = shape.due().unwrap();
        shape.merged(&run);
        assert_eq!(shape.0, [(0, 1), (10, 1), (170, 0)]);
    }

    #[test]
    fn merges_wait_for_a_pause_unless_the_log_is_long() {
        assert!(!is_time(IDLE / 2, BACKLOG - 1));
        assert!(is_time(IDLE, 1));
        assert!(is_time(Duration::ZERO, BACKLOG));
    }

    fn phase(section: &str, phase: Phase) -> Change {
        Change::Phase {
            section: section.into(),
            phase,
        }
    }

    fn record(applied: Vec<u64>, changes: Vec<Change>) -> LogRecord {
        LogRecord {
            level: 0,
            applied,
            changes: changes.into_iter().map(ChangeRecord::from).collect(),
        }
    }

    #[test]
    fn a_merge_keeps_every_fingerprint_and_the_latest_change_per_record() {
        let merged = merge(
            0,
            vec![
                record(
                    vec![1],
                    vec![phase("a", Phase::Closed), phase("b", Phase::Closed)],
                ),
                record(vec![2, 3], vec![phase("a", Phase::Monitoring)]),
            ],
        );
        let expected = record(
            vec![1, 2, 3],
            vec![phase("b", Phase::Closed), phase("a", Phase::Monitoring)],
        );
        assert_eq!(
            merged,
            LogRecord {
                level: 1,
                ..expected
            }
        );
    }

    #[test]
    fn a_merge_replays_proposals_first() {
        let proposal = Change::Proposal(crate::domain::Proposal {
            number: 1,
            section: "dati".into(),
            room_id: "!r:hs".into(),
            title: "Open data".into(),
            description: String::new(),
            author: "@a:hs".into(),
            organisation: "Ente".into(),
            state: crate::domain::ProposalState::Accepted,
            answer: None,
            hidden: None,
            created_ms: 0,
            updated_ms: 0,
            source_event: "$p".into(),
            card_event: None,
            redacted: false,
        });
        let vote = Change::Ballots {
            number: 1,
            user: "@u:hs".into(),
            organisation: "Ente".into(),
            ballots: Vec::new(),
        };
        let merged = merge(
            1,
            vec![record(vec![], vec![vote.clone(), proposal.clone()])],
        );
        assert_eq!(merged.changes, record(vec![], vec![proposal, vote]).changes);
    }
}
