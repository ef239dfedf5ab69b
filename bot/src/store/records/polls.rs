//! The stored forms of a prioritisation poll and of a voter's response to it.

use serde::{Deserialize, Serialize};

use crate::domain::polls::{Poll, Response};

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct PollRecord {
    pub id: u32,
    pub section: String,
    pub room_id: String,
    pub opened_by: String,
    pub opened_ms: i64,
    pub max_selections: u32,
    /// `[answer id, proposal number]` pairs.
    pub answers: Vec<(String, u32)>,
    pub start_event: Option<String>,
    pub closed_ms: Option<i64>,
    /// Absent before the end's event was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_by: Option<String>,
    /// Absent before polls could close by themselves, and while they do not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes_ms: Option<i64>,
    /// `[answer id, draft action code]` pairs; absent when the poll has only proposals.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<(String, String)>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct ResponseRecord {
    pub event_id: String,
    pub at_ms: i64,
    pub selections: Vec<String>,
    pub spoiled: bool,
    /// Absent before responses after the end were kept, and while false.
    #[serde(default, skip_serializing_if = "is_false")]
    pub after_close: bool,
}

fn is_false(value: &bool) -> bool {
    !value
}

impl From<Poll> for PollRecord {
    fn from(poll: Poll) -> PollRecord {
        let Poll {
            id,
            section,
            room_id,
            opened_by,
            opened_ms,
            max_selections,
            answers,
            start_event,
            closed_ms,
            closed_by,
            closes_ms,
            actions,
        } = poll;
        PollRecord {
            id,
            section,
            room_id,
            opened_by,
            opened_ms,
            max_selections,
            answers,
            start_event,
            closed_ms,
            closed_by,
            closes_ms,
            actions,
        }
    }
}

impl From<PollRecord> for Poll {
    fn from(record: PollRecord) -> Poll {
        let PollRecord {
            id,
            section,
            room_id,
            opened_by,
            opened_ms,
            max_selections,
            answers,
            start_event,
            closed_ms,
            closed_by,
            closes_ms,
            actions,
        } = record;
        Poll {
            id,
            section,
            room_id,
            opened_by,
            opened_ms,
            max_selections,
            answers,
            start_event,
            closed_ms,
            closed_by,
            closes_ms,
            actions,
        }
    }
}

impl From<Response> for ResponseRecord {
    fn from(response: Response) -> ResponseRecord {
        let Response {
            event_id,
            at_ms,
            selections,
            spoiled,
            after_close,
        } = response;
        ResponseRecord {
            event_id,
            at_ms,
            selections,
            spoiled,
            after_close,
        }
    }
}

impl From<ResponseRecord> for Response {
    fn from(record: ResponseRecord) -> Response {
        let ResponseRecord {
            event_id,
            at_ms,
            selections,
            spoiled,
            after_close,
        } = record;
        Response {
            event_id,
            at_ms,
            selections,
            spoiled,
            after_close,
        }
    }
}
