//! Deleted messages in a rebuild. History shows a deleted message stripped of its content,
//! and the bot's card of a deleted proposal too; the bot's tombstone notices say what they
//! were. From them, a rebuild gives the engine, where the message stood, the record it had
//! created (without text: [`Input::Recreated`]), and for a deleted card what the card was.
//! The redaction that follows in history then deletes the record as it did live.

use std::collections::HashMap;

use super::events::{is_redacted, promoted_message, tombstone_of, RawEvent};
use crate::domain::{Input, Recreated, Tombstone};

/// What the tombstones in a history say.
#[derive(Debug, Default)]
pub struct Deleted {
    /// Deleted message → what it created.
    sources: HashMap<String, Tombstone>,
    /// Deleted card → its proposal's number.
    cards: HashMap<String, u32>,
    /// Deleted message that a `!promote` made a proposal → the `!promote` message.
    promoted_by: HashMap<String, String>,
    /// The deleted messages that `!promote`s quote, by ID (for their sender and time).
    quoted: HashMap<String, RawEvent>,
}

impl Deleted {
    /// Reads the bot's tombstones (and the `!promote`s of deleted messages) in `events`.
    pub fn from_history(bot_user: &str, events: &[(String, RawEvent)]) -> Deleted {
        let mut deleted = Deleted::default();
        for (_, event) in events {
            let Some(tombstone) = tombstone_of(event, bot_user) else {
                continue;
            };
            match &tombstone {
                Tombstone::Proposal {
                    number,
                    source,
                    card,
                } => {
                    if let Some(card) = card {
                        deleted.cards.insert(card.clone(), *number);
                    }
                    deleted.sources.insert(source.clone(), tombstone.clone());
                }
                Tombstone::Comment { source, .. } => {
                    deleted.sources.insert(source.clone(), tombstone.clone());
                }
                Tombstone::Card { number, card } => {
                    deleted.cards.insert(card.clone(), *number);
                }
            }
        }
        let by_id: HashMap<&str, &RawEvent> = events
            .iter()
            .map(|(_, e)| (e.event_id.as_str(), e))
            .collect();
        for (_, event) in events {
            let Some(target) = promoted_message(event) else {
                continue;
            };
            let Some(quoted) = by_id.get(target).filter(|q| is_redacted(q)) else {
                continue;
            };
            if deleted.sources.contains_key(target) && !deleted.promoted_by.contains_key(target) {
                deleted
                    .promoted_by
                    .insert(target.to_owned(), event.event_id.clone());
                deleted.quoted.insert(target.to_owned(), (*quoted).clone());
            }
        }
        deleted
    }

    /// The input `event` stands for when it is (or promotes) a deleted message; `None` when
    /// the usual reading applies.
    pub fn input(&self, room_id: &str, event: &RawEvent) -> Option<Input> {
        if let Some(target) = promoted_message(event) {
            if self.promoted_by.get(target) == Some(&event.event_id) {
                let quoted = self.quoted.get(target)?;
                return Some(Input::Recreated(Recreated {
                    room_id: room_id.to_owned(),
                    sender: event.sender.clone(),
                    at_ms: event.origin_server_ts,
                    author: quoted.sender.clone(),
                    created_ms: quoted.origin_server_ts,
                    what: self.sources.get(target)?.clone(),
                }));
            }
        }
        if !is_redacted(event) {
            return None;
        }
        if let Some(number) = self.cards.get(&event.event_id) {
            return Some(Input::CardPosted {
                room_id: room_id.to_owned(),
                number: *number,
                event_id: event.event_id.clone(),
            });
        }
        // A promoted message is recreated where the `!promote` stands, not where it does.
        if self.promoted_by.contains_key(&event.event_id) {
            return None;
        }
        let what = self.sources.get(&event.event_id)?.clone();
        Some(Input::Recreated(Recreated {
            room_id: room_id.to_owned(),
            sender: event.sender.clone(),
            at_ms: event.origin_server_ts,
            author: event.sender.clone(),
            created_ms: event.origin_server_ts,
            what,
        }))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const BOT: &str = "@bot:hs";

    fn event(
        id: &str,
        sender: &str,
        ts: i64,
        content: serde_json::Value,
        redacted: bool,
    ) -> RawEvent {
        let unsigned = if redacted {
            json!({ "redacted_because": { "type": "m.room.redaction" } })
        } else {
            json!({})
        };
        RawEvent::parse(
            &json!({
                "event_id": id, "sender": sender, "origin_server_ts": ts,
                "type": "m.room.message", "content": content, "unsigned": unsigned,
            })
            .to_string(),
        )
        .expect("an event")
    }

    fn tombstone(id: &str, what: serde_json::Value) -> (String, RawEvent) {
        let content = json!({ "msgtype": "m.notice", "body": "🗑️", "it.pspm.tombstone": what });
        ("!r:hs".into(), event(id, BOT, 90, content, false))
    }

    #[test]
    fn deleted_proposals_comments_and_cards_come_back_where_they_stood() {
        let history = vec![
            (
                "!r:hs".to_owned(),
                event("$p", "@a:hs", 10, json!({}), true),
            ),
            ("!r:hs".to_owned(), event("$card", BOT, 11, json!({}), true)),
            (
                "!r:hs".to_owned(),
                event("$c", "@b:hs", 12, json!({}), true),
            ),
            (
                "!r:hs".to_owned(),
                event("$other", "@b:hs", 13, json!({}), true),
            ),
            tombstone(
                "$t1",
                json!({"kind": "proposal", "number": 4, "source": "$p", "card": "$card"}),
            ),
            tombstone(
                "$t2",
                json!({"kind": "comment", "source": "$c", "proposal": 4}),
            ),
        ];
        let deleted = Deleted::from_history(BOT, &history);
        let inputs: Vec<Option<Input>> = history
            .iter()
            .map(|(room, e)| deleted.input(room, e))
            .collect();
        assert_eq!(
            inputs[0],
            Some(Input::Recreated(Recreated {
                room_id: "!r:hs".into(),
                sender: "@a:hs".into(),
                at_ms: 10,
                author: "@a:hs".into(),
                created_ms: 10,
                what: Tombstone::Proposal {
                    number: 4,
                    source: "$p".into(),
                    card: Some("$card".into()),
                },
            }))
        );
        assert_eq!(
            inputs[1],
            Some(Input::CardPosted {
                room_id: "!r:hs".into(),
                number: 4,
                event_id: "$card".into(),
            })
        );
        assert!(matches!(
            &inputs[2],
            Some(Input::Recreated(Recreated { what: Tombstone::Comment { proposal: Some(4), .. }, author, .. }))
                if author == "@b:hs"
        ));
        // A deleted message no tombstone speaks of, and the tombstones themselves: as usual.
        assert!(inputs[3..].iter().all(Option::is_none));
    }

    #[test]
    fn a_promoted_deleted_message_comes_back_where_the_promote_stands() {
        let promote = json!({
            "msgtype": "m.text", "body": "!promote",
            "m.relates_to": { "m.in_reply_to": { "event_id": "$q" } },
        });
        let history = vec![
            (
                "!r:hs".to_owned(),
                event("$q", "@a:hs", 10, json!({}), true),
            ),
            (
                "!r:hs".to_owned(),
                event("$promote", "@mod:hs", 20, promote, false),
            ),
            tombstone(
                "$t",
                json!({"kind": "proposal", "number": 2, "source": "$q", "card": null}),
            ),
        ];
        let deleted = Deleted::from_history(BOT, &history);
        assert_eq!(deleted.input(&history[0].0, &history[0].1), None);
        assert_eq!(
            deleted.input(&history[1].0, &history[1].1),
            Some(Input::Recreated(Recreated {
                room_id: "!r:hs".into(),
                sender: "@mod:hs".into(),
                at_ms: 20,
                author: "@a:hs".into(),
                created_ms: 10,
                what: Tombstone::Proposal {
                    number: 2,
                    source: "$q".into(),
                    card: None,
                },
            }))
        );
    }
}
