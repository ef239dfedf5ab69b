//! The stored form of a secret ballot: open, its current ballots by voter key; closed, only
//! receipts and choices (the secret and the voter keys gone).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::secret_ballot::{SecretBallot, SecretPoll, SecretTally};

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct SecretPollRecord {
    pub id: u32,
    pub section: String,
    pub room_id: String,
    pub opened_by: String,
    pub opened_ms: i64,
    pub max_selections: u32,
    /// Proposal numbers, option 1 first.
    pub options: Vec<u32>,
    pub secret: Option<String>,
    /// Voter key → current ballot (empty once closed).
    pub ballots: BTreeMap<String, SecretBallotRecord>,
    pub closed_ms: Option<i64>,
    /// Receipt → proposals chosen (empty while open).
    pub receipts: BTreeMap<String, Vec<u32>>,
    /// Absent before polls could close by themselves, and while they do not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes_ms: Option<i64>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct SecretBallotRecord {
    pub receipt: String,
    pub choices: Vec<u32>,
}

impl From<SecretPoll> for SecretPollRecord {
    fn from(poll: SecretPoll) -> SecretPollRecord {
        let SecretPoll {
            id,
            section,
            room_id,
            opened_by,
            opened_ms,
            max_selections,
            options,
            secret,
            ballots,
            closed_ms,
            receipts,
            closes_ms,
        } = poll;
        SecretPollRecord {
            id,
            section,
            room_id,
            opened_by,
            opened_ms,
            max_selections,
            options,
            secret,
            ballots: ballots
                .into_iter()
                .map(|(key, SecretBallot { receipt, choices })| {
                    (key, SecretBallotRecord { receipt, choices })
                })
                .collect(),
            closed_ms,
            receipts,
            closes_ms,
        }
    }
}

impl From<SecretPollRecord> for SecretPoll {
    fn from(record: SecretPollRecord) -> SecretPoll {
        let SecretPollRecord {
            id,
            section,
            room_id,
            opened_by,
            opened_ms,
            max_selections,
            options,
            secret,
            ballots,
            closed_ms,
            receipts,
            closes_ms,
        } = record;
        SecretPoll {
            id,
            section,
            room_id,
            opened_by,
            opened_ms,
            max_selections,
            options,
            secret,
            ballots: ballots
                .into_iter()
                .map(|(key, SecretBallotRecord { receipt, choices })| {
                    (key, SecretBallot { receipt, choices })
                })
                .collect(),
            closed_ms,
            receipts,
            closes_ms,
        }
    }
}

/// What a secret ballot's close message carries (in an outbox reply).
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct SecretTallyRecord {
    pub poll: u32,
    pub receipts: BTreeMap<String, Vec<u32>>,
}

impl From<SecretTally> for SecretTallyRecord {
    fn from(tally: SecretTally) -> SecretTallyRecord {
        let SecretTally { poll, receipts } = tally;
        SecretTallyRecord { poll, receipts }
    }
}

impl From<SecretTallyRecord> for SecretTally {
    fn from(record: SecretTallyRecord) -> SecretTally {
        let SecretTallyRecord { poll, receipts } = record;
        SecretTally { poll, receipts }
    }
}
