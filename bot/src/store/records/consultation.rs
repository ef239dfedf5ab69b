//! The stored forms of the draft's consultable items and the comments on them (inside a
//! [`super::ChangeRecord`], as JSON).

use serde::{Deserialize, Serialize};

use crate::domain::consultation::{Item, ItemComment};

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemRecord {
    pub key: String,
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

impl From<Item> for ItemRecord {
    fn from(item: Item) -> ItemRecord {
        let Item {
            key,
            section,
            room_id,
            event_id,
        } = item;
        ItemRecord {
            key,
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
            section,
            room_id,
            event_id,
        } = record;
        Item {
            key,
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
