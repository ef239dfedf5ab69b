//! Progress and measurements that come from outside chat — a spreadsheet (`pspm import`) or
//! a source system (`POST /api/v1/measurements`) — and go through the room all the same:
//! the bot posts them as its import message (`post.rs`), and applies them when the message
//! comes back through sync (here), so room history stays the record and `pspm rebuild`
//! finds them. Each update carries a key; one whose key was applied before changes nothing.
//!
//! - `post.rs`: updates into import messages, one per section room and batch.
//!
//! Reading files into updates is `crate::import::updates`.

pub mod post;

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use super::monitoring::{find_action, Measurement, Origin, Update};
use super::tracking::today;
use super::{Change, Effects, Settings, State};

/// The key of the import message's content in the bot's `m.notice`.
pub const CONTENT_KEY: &str = "it.pspm.import";

/// What an import message carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportBatch {
    /// Where the updates came from: `import:<file name>` or `webhook:<source name>`.
    pub source: String,
    pub updates: Vec<Imported>,
}

/// One imported update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Imported {
    Progress {
        key: String,
        action: String,
        progress: u8,
        /// The day it refers to; the message's day when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        date: Option<NaiveDate>,
        #[serde(default)]
        note: String,
    },
    Measurement {
        key: String,
        result: String,
        /// As text in the event: Matrix event content admits no fractions (canonical JSON).
        #[serde(with = "number_as_text")]
        value: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        date: Option<NaiveDate>,
        #[serde(default)]
        note: String,
    },
}

/// An `f64` written as text (`"82.5"`), read back from text or, leniently, a number.
mod number_as_text {
    use serde::{de, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Number {
            Text(String),
            Number(f64),
        }
        match Number::deserialize(deserializer)? {
            Number::Number(value) => Ok(value),
            Number::Text(text) => text
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| de::Error::custom(format!("\"{text}\" is not a number"))),
        }
    }
}

impl Imported {
    pub fn key(&self) -> &str {
        match self {
            Imported::Progress { key, .. } | Imported::Measurement { key, .. } => key,
        }
    }
}

/// The bot's import message, seen in a room.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportMessage {
    pub room_id: String,
    pub event_id: String,
    pub at_ms: i64,
    pub batch: ImportBatch,
}

/// Applies the updates of an import message that no earlier message applied. Only the bot
/// posts these (the adapter reads them from its own events only), and only in a section room.
pub fn on_imported(settings: &Settings, state: &State, message: &ImportMessage) -> Effects {
    let mut effects = Effects::default();
    if !settings.is_plan_room(&message.room_id) {
        return effects;
    }
    let mut seen = std::collections::HashSet::new();
    for update in &message.batch.updates {
        let key = update.key();
        if state.monitoring.imported.contains(key) || !seen.insert(key) {
            continue;
        }
        let origin = Some(Origin {
            source: message.batch.source.clone(),
            key: key.to_owned(),
        });
        match update {
            Imported::Progress {
                action,
                progress,
                date,
                note,
                ..
            } => {
                // Checked when posted; the plan file may have changed since.
                let Some(action) = find_action(&settings.monitoring, &state.monitoring, action)
                else {
                    tracing::warn!(%action, "an imported update names no action: skipped");
                    continue;
                };
                let at_ms = date
                    .map(|day| day.and_time(NaiveTime::MIN).and_utc().timestamp_millis())
                    .unwrap_or(message.at_ms);
                effects.changes.push(Change::ActionUpdate {
                    code: action.code.clone(),
                    update: Update {
                        event_id: message.event_id.clone(),
                        author: settings.bot_user.clone(),
                        at_ms,
                        progress: (*progress).min(100),
                        note: note.clone(),
                        origin,
                    },
                });
            }
            Imported::Measurement {
                result,
                value,
                date,
                note,
                ..
            } => {
                let Some(result) = settings
                    .monitoring
                    .results
                    .iter()
                    .find(|r| r.code.eq_ignore_ascii_case(result))
                else {
                    tracing::warn!(%result, "an imported measurement names no result: skipped");
                    continue;
                };
                let sent =
                    chrono::DateTime::from_timestamp_millis(message.at_ms).unwrap_or_default();
                effects.changes.push(Change::Measurement(Measurement {
                    event_id: message.event_id.clone(),
                    result: result.code.clone(),
                    value: *value,
                    date: date.unwrap_or_else(|| today(settings, sent)),
                    note: note.clone(),
                    author: settings.bot_user.clone(),
                    at_ms: message.at_ms,
                    origin,
                }));
            }
        }
    }
    effects
}

#[cfg(test)]
mod tests;
