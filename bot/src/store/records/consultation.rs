//! The stored forms of the draft's consultable items, the comments on them and the
//! amendments (inside a [`super::ChangeRecord`], as JSON).

use serde::{Deserialize, Serialize};

use crate::domain::amendments::{AmendKind, Amendment, AmendmentState};
use crate::domain::consultation::{Item, ItemComment};

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemRecord {
    pub key: String,
    /// Absent for the first iteration, as before there were iterations.
    #[serde(default = "first", skip_serializing_if = "is_first")]
    pub iteration: u32,
    pub section: String,
    pub room_id: String,
    pub event_id: Option<String>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemCommentRecord {
    pub event_id: String,
    pub item: String,
    pub section: String,
    pub author: String,
    pub organisation: String,
    pub text: String,
    pub at_ms: i64,
    #[serde(default)]
    pub redacted: bool,
}

fn first() -> u32 {
    1
}

fn is_first(iteration: &u32) -> bool {
    *iteration == 1
}

impl From<Item> for ItemRecord {
    fn from(item: Item) -> ItemRecord {
        let Item {
            key,
            iteration,
            section,
            room_id,
            event_id,
        } = item;
        ItemRecord {
            key,
            iteration,
            section,
            room_id,
            event_id,
        }
    }
}

impl From<ItemRecord> for Item {
    fn from(record: ItemRecord) -> Item {
        let ItemRecord {
            key,
            iteration,
            section,
            room_id,
            event_id,
        } = record;
        Item {
            key,
            iteration,
            section,
            room_id,
            event_id,
        }
    }
}

impl From<ItemComment> for ItemCommentRecord {
    fn from(comment: ItemComment) -> ItemCommentRecord {
        let ItemComment {
            event_id,
            item,
            section,
            author,
            organisation,
            text,
            at_ms,
            redacted,
        } = comment;
        ItemCommentRecord {
            event_id,
            item,
            section,
            author,
            organisation,
            text,
            at_ms,
            redacted,
        }
    }
}

impl From<ItemCommentRecord> for ItemComment {
    fn from(record: ItemCommentRecord) -> ItemComment {
        let ItemCommentRecord {
            event_id,
            item,
            section,
            author,
            organisation,
            text,
            at_ms,
            redacted,
        } = record;
        ItemComment {
            event_id,
            item,
            section,
            author,
            organisation,
            text,
            at_ms,
            redacted,
        }
    }
}

/// An amendment as stored.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct AmendmentRecord {
    pub number: u32,
    pub section: String,
    pub room_id: String,
    pub paragraph: String,
    /// `replace`, `delete` or `insert_after`.
    pub kind: String,
    pub text: String,
    pub base: u64,
    pub author: String,
    pub organisation: String,
    pub created_ms: i64,
    pub source_event: String,
    /// `open`, `accepted` or `rejected`.
    pub state: String,
    pub answer: Option<String>,
    pub decided_ms: Option<i64>,
}

impl From<Amendment> for AmendmentRecord {
    fn from(amendment: Amendment) -> AmendmentRecord {
        let Amendment {
            number,
            section,
            room_id,
            paragraph,
            kind,
            text,
            base,
            author,
            organisation,
            created_ms,
            source_event,
            state,
            answer,
            decided_ms,
        } = amendment;
        AmendmentRecord {
            number,
            section,
            room_id,
            paragraph,
            kind: kind.name().to_owned(),
            text,
            base,
            author,
            organisation,
            created_ms,
            source_event,
            state: state.name().to_owned(),
            answer,
            decided_ms,
        }
    }
}

impl From<AmendmentRecord> for Amendment {
    fn from(record: AmendmentRecord) -> Amendment {
        let AmendmentRecord {
            number,
            section,
            room_id,
            paragraph,
            kind,
            text,
            base,
            author,
            organisation,
            created_ms,
            source_event,
            state,
            answer,
            decided_ms,
        } = record;
        // Written by this code only; an unknown word reads as the mildest meaning.
        let kind = match kind.as_str() {
            "delete" => AmendKind::Delete,
            "insert_after" => AmendKind::InsertAfter,
            _ => AmendKind::Replace,
        };
        let state = match state.as_str() {
            "accepted" => AmendmentState::Accepted,
            "rejected" => AmendmentState::Rejected,
            _ => AmendmentState::Open,
        };
        Amendment {
            number,
            section,
            room_id,
            paragraph,
            kind,
            text,
            base,
            author,
            organisation,
            created_ms,
            source_event,
            state,
            answer,
            decided_ms,
        }
    }
}
