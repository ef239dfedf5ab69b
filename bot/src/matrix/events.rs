//! Raw room events (JSON as the homeserver sent it) → domain inputs.
//!
//! Working on the JSON rather than on typed events keeps unknown or unstable event shapes
//! (e.g. MSC3381 polls as Element sends them) from being dropped by a stricter parser.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::domain::encryption::{EncryptionEnabled, Undecryptable};
use crate::domain::imports::{ImportMessage, CONTENT_KEY as IMPORT_KEY};
use crate::domain::secret_ballot::SecretTally;
use crate::domain::{
    Edited, Input, Message, Passed, PollAnswered, PowerLevels, Quoted, Reacted, Tombstone,
};

/// Content key marking the bot's proposal cards with their number, so the bot recognises its
/// card when the homeserver sends it back (and a rebuild finds it in history).
pub const CARD_KEY: &str = "it.pspm.proposal";
/// In the bot's close of a secret ballot: `{poll, receipts: {receipt: [proposal…]}}`, the
/// result a rebuild cannot count again (the ballots were in DMs).
pub const SECRET_TALLY_KEY: &str = "it.pspm.secret_tally";

/// Content key marking the bot's message of a draft item with the item's key (`§2.3`).
pub const ITEM_KEY: &str = "it.pspm.item";

/// Content key marking the bot's poll starts with the poll's number.
pub const POLL_KEY: &str = "it.pspm.poll";

/// Content key of the bot's tombstone notices: what a deleted message had created, which
/// history no longer shows (a rebuild reads it).
pub const TOMBSTONE_KEY: &str = "it.pspm.tombstone";

/// A tombstone as the notice's content carries it.
pub fn tombstone_json(tombstone: &Tombstone) -> Value {
    match tombstone {
        Tombstone::Proposal {
            number,
            source,
            card,
        } => json!({ "kind": "proposal", "number": number, "source": source, "card": card }),
        Tombstone::Comment { source, proposal } => {
            json!({ "kind": "comment", "source": source, "proposal": proposal })
        }
        Tombstone::Card { number, card } => {
            json!({ "kind": "card", "number": number, "card": card })
        }
    }
}

/// The tombstone an event of the bot's carries, if it is a tombstone notice.
pub fn tombstone_of(event: &RawEvent, bot_user: &str) -> Option<Tombstone> {
    if event.sender != bot_user {
        return None;
    }
    let value = event.content.get(TOMBSTONE_KEY)?;
    let text = |key: &str| value.get(key)?.as_str().map(str::to_owned);
    let number = |key: &str| u32::try_from(value.get(key)?.as_u64()?).ok();
    match value.get("kind")?.as_str()? {
        "proposal" => Some(Tombstone::Proposal {
            number: number("number")?,
            source: text("source")?,
            card: text("card"),
        }),
        "comment" => Some(Tombstone::Comment {
            source: text("source")?,
            proposal: number("proposal"),
        }),
        "card" => Some(Tombstone::Card {
            number: number("number")?,
            card: text("card")?,
        }),
        _ => None,
    }
}

/// Whether history shows `event` deleted (its content stripped by a redaction).
pub fn is_redacted(event: &RawEvent) -> bool {
    event.unsigned.get("redacted_because").is_some()
}

/// The fields of a room event the bot looks at.
#[derive(Debug, Clone, Deserialize)]
pub struct RawEvent {
    pub event_id: String,
    pub sender: String,
    pub origin_server_ts: i64,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub content: Value,
    #[serde(default)]
    pub state_key: Option<String>,
    #[serde(default)]
    pub unsigned: Value,
    /// Room versions up to 10 put a redaction's target here; 11+ in `content.redacts`.
    #[serde(default)]
    pub redacts: Option<String>,
}

impl RawEvent {
    /// Parses one event; `None` for JSON that is not a room event (logged by the caller).
    pub fn parse(json: &str) -> Option<RawEvent> {
        serde_json::from_str(json).ok()
    }
}

/// `event` as a walk back through history passed it, for [`crate::domain::RoomOrder`].
pub fn passed(event: &RawEvent) -> Passed {
    let relates_to = &event.content["m.relates_to"];
    let reaction_target = (event.kind == "m.reaction" && relates_to["rel_type"] == "m.annotation")
        .then(|| relates_to["event_id"].as_str().map(str::to_owned))
        .flatten();
    Passed {
        event_id: event.event_id.clone(),
        sender: event.sender.clone(),
        reaction_target,
    }
}

/// The message a `!promote` command replies to, if `event` is one.
pub fn promoted_message(event: &RawEvent) -> Option<&str> {
    let body = event.content.get("body")?.as_str()?.trim_start();
    if !body.to_lowercase().starts_with("!promote") {
        return None;
    }
    event.content["m.relates_to"]["m.in_reply_to"]["event_id"].as_str()
}

/// A text message as `!promote` quotes it.
pub fn quote_of(event: &RawEvent) -> Option<Quoted> {
    Some(Quoted {
        event_id: event.event_id.clone(),
        sender: event.sender.clone(),
        body: event.content.get("body")?.as_str()?.to_owned(),
        sent_at_ms: event.origin_server_ts,
    })
}

/// Gives a message the quoted message it replies to, when known.
pub fn attach_quote(input: &mut Input, quotes: &HashMap<String, Quoted>) {
    if let Input::Message(message) = input {
        if let Some(target) = &message.reply_to {
            message.quoted = quotes.get(target).cloned();
        }
    }
}

/// The domain input an event stands for, if any. `bot_user` is the bot's own user ID.
pub fn to_input(room_id: &str, bot_user: &str, event: &RawEvent) -> Option<Input> {
    match event.kind.as_str() {
        // A DM: the bot invited the person to a room it made for them, or they invited it.
        "m.room.member"
            if event.content.get("is_direct") == Some(&Value::Bool(true))
                && event.content.get("membership").and_then(Value::as_str) == Some("invite") =>
        {
            let invited = event.state_key.as_deref()?;
            let user = if event.sender == bot_user {
                invited
            } else if invited == bot_user {
                event.sender.as_str()
            } else {
                return None;
            };
            Some(Input::DirectRoom {
                room_id: room_id.to_owned(),
                user: user.to_owned(),
            })
        }
        "m.room.member" if event.state_key.as_deref() == Some(bot_user) => {
            let joined = event.content.get("membership").and_then(Value::as_str) == Some("join");
            // A profile change repeats "join": only a real join moves the history line.
            let was_joined = event.unsigned["prev_content"]["membership"] == "join";
            (joined && !was_joined).then(|| Input::BotJoined {
                room_id: room_id.to_owned(),
                at_ms: event.origin_server_ts,
            })
        }
        // Still encrypted when applied: it could never be decrypted (see `sync/decryption.rs`).
        "m.room.encrypted" if event.state_key.is_none() => {
            Some(Input::Undecryptable(Undecryptable {
                room_id: room_id.to_owned(),
                event_id: event.event_id.clone(),
                sender: event.sender.clone(),
                at_ms: event.origin_server_ts,
            }))
        }
        // Turned on once for good: a repeat of the state event changes nothing people see.
        "m.room.encryption"
            if event.state_key.as_deref() == Some("")
                && event.unsigned["prev_content"]["algorithm"].is_null() =>
        {
            Some(Input::EncryptionEnabled(EncryptionEnabled {
                room_id: room_id.to_owned(),
                event_id: event.event_id.clone(),
                sender: event.sender.clone(),
                at_ms: event.origin_server_ts,
            }))
        }
        "m.room.message" if event.sender == bot_user => {
            if let Some(batch) = event.content.get(IMPORT_KEY) {
                let batch = serde_json::from_value(batch.clone()).ok()?;
                return Some(Input::Imported(ImportMessage {
                    room_id: room_id.to_owned(),
                    event_id: event.event_id.clone(),
                    at_ms: event.origin_server_ts,
                    batch,
                }));
            }
            if let Some(tally) = event.content.get(SECRET_TALLY_KEY) {
                let poll = u32::try_from(tally.get("poll")?.as_u64()?).ok()?;
                let receipts = serde_json::from_value(tally.get("receipts")?.clone()).ok()?;
                return Some(Input::SecretTallied {
                    room_id: room_id.to_owned(),
                    tally: SecretTally { poll, receipts },
                });
            }
            if let Some(item) = event.content.get(ITEM_KEY).and_then(|i| i.as_str()) {
                return Some(Input::ItemPosted {
                    room_id: room_id.to_owned(),
                    item: item.to_owned(),
                    event_id: event.event_id.clone(),
                });
            }
            let number = event.content.get(CARD_KEY)?.as_u64()?;
            Some(Input::CardPosted {
                room_id: room_id.to_owned(),
                number: u32::try_from(number).ok()?,
                event_id: event.event_id.clone(),
            })
        }
        "m.room.message" => {
            edit(room_id, event).or_else(|| message(room_id, event).map(Input::Message))
        }
        "org.matrix.msc3381.poll.start" | "m.poll.start" if event.sender == bot_user => {
            let poll_id = u32::try_from(event.content.get(POLL_KEY)?.as_u64()?).ok()?;
            Some(Input::PollPosted {
                room_id: room_id.to_owned(),
                poll_id,
                event_id: event.event_id.clone(),
            })
        }
        "org.matrix.msc3381.poll.response" | "m.poll.response" => {
            let start = reference_target(&event.content)?;
            let answers = event
                .content
                .get("org.matrix.msc3381.poll.response")
                .and_then(|r| r.get("answers"))
                .or_else(|| event.content.get("m.selections"))?
                .as_array()?
                .iter()
                .map(|a| a.as_str().map(str::to_owned).unwrap_or_default())
                .collect();
            Some(Input::PollResponse(PollAnswered {
                event_id: event.event_id.clone(),
                room_id: room_id.to_owned(),
                sender: event.sender.clone(),
                start,
                answers,
                at_ms: event.origin_server_ts,
            }))
        }
        "org.matrix.msc3381.poll.end" | "m.poll.end" => Some(Input::PollEnded {
            room_id: room_id.to_owned(),
            sender: event.sender.clone(),
            event_id: event.event_id.clone(),
            start: reference_target(&event.content)?,
            at_ms: event.origin_server_ts,
        }),
        "m.reaction" => {
            let relates_to = event.content.get("m.relates_to")?;
            if relates_to.get("rel_type")?.as_str()? != "m.annotation" {
                return None;
            }
            Some(Input::Reaction(Reacted {
                event_id: event.event_id.clone(),
                room_id: room_id.to_owned(),
                sender: event.sender.clone(),
                target: relates_to.get("event_id")?.as_str()?.to_owned(),
                key: relates_to.get("key")?.as_str()?.to_owned(),
                at_ms: event.origin_server_ts,
            }))
        }
        "m.room.redaction" => {
            let redacts = event
                .content
                .get("redacts")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or_else(|| event.redacts.clone())?;
            Some(Input::Redaction {
                room_id: room_id.to_owned(),
                sender: event.sender.clone(),
                redacts,
            })
        }
        "m.room.power_levels" if event.state_key.as_deref() == Some("") => {
            Some(Input::PowerLevels {
                room_id: room_id.to_owned(),
                levels: power_levels(&event.content),
            })
        }
        _ => None,
    }
}

/// The event a `m.reference` relation points to.
fn reference_target(content: &Value) -> Option<String> {
    let relates_to = content.get("m.relates_to")?;
    if relates_to.get("rel_type")?.as_str()? != "m.reference" {
        return None;
    }
    Some(relates_to.get("event_id")?.as_str()?.to_owned())
}

fn message(room_id: &str, event: &RawEvent) -> Option<Message> {
    let content = &event.content;
    // Notices are what bots send: answering them could start a loop between bots.
    if content.get("msgtype")?.as_str()? != "m.text" {
        return None;
    }
    let relates_to = content.get("m.relates_to");
    let rel_type = relates_to
        .and_then(|r| r.get("rel_type"))
        .and_then(Value::as_str);
    if rel_type == Some("m.replace") {
        // An edit is not a new command (see `edit`).
        return None;
    }
    let thread_root = match rel_type {
        Some("m.thread") => relates_to
            .and_then(|r| r.get("event_id"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        _ => None,
    };
    Some(Message {
        event_id: event.event_id.clone(),
        room_id: room_id.to_owned(),
        sender: event.sender.clone(),
        sent_at_ms: event.origin_server_ts,
        body: content.get("body")?.as_str()?.to_owned(),
        thread_root,
        reply_to: relates_to
            .and_then(|r| r.get("m.in_reply_to"))
            .and_then(|r| r.get("event_id"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        quoted: None,
    })
}

/// An edit of a text message: `m.replace` with the new content in `m.new_content`.
fn edit(room_id: &str, event: &RawEvent) -> Option<Input> {
    let relates_to = event.content.get("m.relates_to")?;
    if relates_to.get("rel_type")?.as_str()? != "m.replace" {
        return None;
    }
    let new_content = event.content.get("m.new_content")?;
    if new_content.get("msgtype")?.as_str()? != "m.text" {
        return None;
    }
    Some(Input::Edit(Edited {
        event_id: event.event_id.clone(),
        room_id: room_id.to_owned(),
        sender: event.sender.clone(),
        original: relates_to.get("event_id")?.as_str()?.to_owned(),
        new_body: new_content.get("body")?.as_str()?.to_owned(),
        at_ms: event.origin_server_ts,
    }))
}

/// Power levels may be numbers or (in old room versions) numeric strings.
fn power_levels(content: &Value) -> PowerLevels {
    let level = |value: &Value| match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    let users = content
        .get("users")
        .and_then(Value::as_object)
        .map(|users| {
            users
                .iter()
                .filter_map(|(user, value)| Some((user.clone(), level(value)?)))
                .collect()
        })
        .unwrap_or_default();
    PowerLevels {
        users,
        users_default: content.get("users_default").and_then(level).unwrap_or(0),
    }
}

/// An event of a timeline or a page, or `None` (logged) when it is not a room event.
pub fn parse_logged(json: &str) -> Option<RawEvent> {
    let event = RawEvent::parse(json);
    if event.is_none() {
        tracing::warn!("skipping an event that is not a room event");
    }
    event
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn event(kind: &str, content: Value, state_key: Option<&str>) -> RawEvent {
        let mut json = json!({
            "event_id": "$e", "sender": "@a:hs", "origin_server_ts": 42,
            "type": kind, "content": content,
        });
        if let Some(key) = state_key {
            json["state_key"] = json!(key);
        }
        RawEvent::parse(&json.to_string()).expect("valid event")
    }

    #[test]
    fn encryption_turned_on_and_undecryptable_events_are_inputs() {
        let on = event(
            "m.room.encryption",
            json!({ "algorithm": "m.megolm.v1.aes-sha2" }),
            Some(""),
        );
        match to_input("!r:hs", "@bot:hs", &on) {
            Some(Input::EncryptionEnabled(enabled)) => {
                assert_eq!(
                    (enabled.room_id.as_str(), enabled.sender.as_str()),
                    ("!r:hs", "@a:hs")
                );
            }
            other => panic!("{other:?}"),
        }
        let sealed = event(
            "m.room.encrypted",
            json!({ "algorithm": "m.megolm.v1.aes-sha2" }),
            None,
        );
        assert!(matches!(
            to_input("!r:hs", "@bot:hs", &sealed),
            Some(Input::Undecryptable(u)) if u.event_id == "$e" && u.sender == "@a:hs"
        ));
        let mut again = on.clone();
        again.unsigned = json!({ "prev_content": { "algorithm": "m.megolm.v1.aes-sha2" } });
        assert!(to_input("!r:hs", "@bot:hs", &again).is_none());
    }

    #[test]
    fn text_messages_become_inputs_with_their_thread() {
        let plain = event(
            "m.room.message",
            json!({"msgtype": "m.text", "body": "!ping"}),
            None,
        );
        let Some(Input::Message(m)) = to_input("!r:hs", "@bot:hs", &plain) else {
            panic!("no message")
        };
        assert_eq!(
            (m.body.as_str(), m.sent_at_ms, m.thread_root),
            ("!ping", 42, None)
        );

        let threaded = event(
            "m.room.message",
            json!({"msgtype": "m.text", "body": "!ping",
                   "m.relates_to": {"rel_type": "m.thread", "event_id": "$root"}}),
            None,
        );
        let Some(Input::Message(m)) = to_input("!r:hs", "@bot:hs", &threaded) else {
            panic!("no message")
        };
        assert_eq!(m.thread_root.as_deref(), Some("$root"));
    }

    #[test]
    fn notices_edits_redacted_and_other_events_are_not_messages() {
        let cases = [
            event(
                "m.room.message",
                json!({"msgtype": "m.notice", "body": "!ping"}),
                None,
            ),
            event(
                "m.room.message",
                json!({"msgtype": "m.text", "body": "* !ping",
                       "m.relates_to": {"rel_type": "m.replace", "event_id": "$o"}}),
                None,
            ),
            event("m.room.message", json!({}), None),
            event(
                "m.room.message",
                json!({"msgtype": "m.text", "body": 3}),
                None,
            ),
            event(
                "m.reaction",
                json!({"m.relates_to": {"rel_type": "m.reference", "event_id": "$x"}}),
                None,
            ),
            event("m.room.power_levels", json!({}), Some("x")),
        ];
        for case in cases {
            assert_eq!(to_input("!r:hs", "@bot:hs", &case), None, "{case:?}");
        }
        assert!(RawEvent::parse("{\"type\": \"m.room.message\"}").is_none());
    }

    #[test]
    fn reactions_redactions_and_own_cards() {
        let reaction = event(
            "m.reaction",
            json!({"m.relates_to": {"rel_type": "m.annotation", "event_id": "$card", "key": "👍"}}),
            None,
        );
        assert!(matches!(
            to_input("!r:hs", "@bot:hs", &reaction),
            Some(Input::Reaction(ref r)) if r.target == "$card" && r.key == "👍"
        ));
        let v11 = event("m.room.redaction", json!({"redacts": "$r"}), None);
        let mut v10 = event("m.room.redaction", json!({}), None);
        v10.redacts = Some("$r".into());
        for redaction in [v11, v10] {
            assert!(matches!(
                to_input("!r:hs", "@bot:hs", &redaction),
                Some(Input::Redaction { ref redacts, .. }) if redacts == "$r"
            ));
        }
        let mut card = event(
            "m.room.message",
            json!({"msgtype": "m.notice", "body": "#3", CARD_KEY: 3}),
            None,
        );
        card.sender = "@bot:hs".into();
        assert_eq!(
            to_input("!r:hs", "@bot:hs", &card),
            Some(Input::CardPosted {
                room_id: "!r:hs".into(),
                number: 3,
                event_id: "$e".into()
            })
        );
        let mut item = event(
            "m.room.message",
            json!({"msgtype": "m.notice", "body": "§3 …", ITEM_KEY: "§2.3"}),
            None,
        );
        item.sender = "@bot:hs".into();
        assert_eq!(
            to_input("!r:hs", "@bot:hs", &item),
            Some(Input::ItemPosted {
                room_id: "!r:hs".into(),
                item: "§2.3".into(),
                event_id: "$e".into()
            })
        );
        let mut tally = event(
            "m.room.message",
            json!({"msgtype": "m.notice", "body": "closed",
                   SECRET_TALLY_KEY: {"poll": 4, "receipts": {"a1b2-c3d4-e5f6": [3, 7]}}}),
            None,
        );
        tally.sender = "@bot:hs".into();
        assert_eq!(
            to_input("!r:hs", "@bot:hs", &tally),
            Some(Input::SecretTallied {
                room_id: "!r:hs".into(),
                tally: SecretTally {
                    poll: 4,
                    receipts: [("a1b2-c3d4-e5f6".to_owned(), vec![3, 7])].into(),
                },
            })
        );
        let mut plain = event(
            "m.room.message",
            json!({"msgtype": "m.notice", "body": "pong"}),
            None,
        );
        plain.sender = "@bot:hs".into();
        assert_eq!(to_input("!r:hs", "@bot:hs", &plain), None);
    }

    #[test]
    fn poll_responses_in_both_forms() {
        let relates = json!({"rel_type": "m.reference", "event_id": "$start"});
        let unstable = event(
            "org.matrix.msc3381.poll.response",
            json!({"org.matrix.msc3381.poll.response": {"answers": ["p1", "p2"]}, "m.relates_to": relates}),
            None,
        );
        let stable = event(
            "m.poll.response",
            json!({"m.selections": ["p1", "p2"], "m.relates_to": relates}),
            None,
        );
        for response in [unstable, stable] {
            assert!(matches!(
                to_input("!r:hs", "@bot:hs", &response),
                Some(Input::PollResponse(ref p)) if p.start == "$start" && p.answers == ["p1", "p2"]
            ));
        }
        let end = event(
            "org.matrix.msc3381.poll.end",
            json!({"m.relates_to": relates}),
            None,
        );
        assert!(matches!(
            to_input("!r:hs", "@bot:hs", &end),
            Some(Input::PollEnded { .. })
        ));
        let mut own = event("org.matrix.msc3381.poll.start", json!({POLL_KEY: 2}), None);
        own.sender = "@bot:hs".into();
        assert!(matches!(
            to_input("!r:hs", "@bot:hs", &own),
            Some(Input::PollPosted { poll_id: 2, .. })
        ));
    }

    #[test]
    fn the_bots_own_join_marks_where_history_ends() {
        let join = event(
            "m.room.member",
            json!({"membership": "join"}),
            Some("@bot:hs"),
        );
        assert_eq!(
            to_input("!r:hs", "@bot:hs", &join),
            Some(Input::BotJoined {
                room_id: "!r:hs".into(),
                at_ms: 42
            })
        );
        let mut rename = join.clone();
        rename.unsigned = json!({"prev_content": {"membership": "join"}});
        assert_eq!(to_input("!r:hs", "@bot:hs", &rename), None);
        let other = event(
            "m.room.member",
            json!({"membership": "join"}),
            Some("@a:hs"),
        );
        assert_eq!(to_input("!r:hs", "@bot:hs", &other), None);
    }

    #[test]
    fn a_direct_invite_between_the_bot_and_a_person_makes_their_dm() {
        let direct = json!({"membership": "invite", "is_direct": true});
        let dm = |user: &str| {
            Some(Input::DirectRoom {
                room_id: "!r:hs".into(),
                user: user.into(),
            })
        };
        // The bot invites a person to the room it made for them.
        let mut by_bot = event("m.room.member", direct.clone(), Some("@b:hs"));
        by_bot.sender = "@bot:hs".into();
        assert_eq!(to_input("!r:hs", "@bot:hs", &by_bot), dm("@b:hs"));
        // A person invites the bot to their DM.
        let to_bot = event("m.room.member", direct.clone(), Some("@bot:hs"));
        assert_eq!(to_input("!r:hs", "@bot:hs", &to_bot), dm("@a:hs"));
        // Between two others, or not direct: no DM of the bot's.
        let others = event("m.room.member", direct, Some("@b:hs"));
        assert_eq!(to_input("!r:hs", "@bot:hs", &others), None);
        let plain = event(
            "m.room.member",
            json!({"membership": "invite"}),
            Some("@bot:hs"),
        );
        assert_eq!(to_input("!r:hs", "@bot:hs", &plain), None);
    }

    #[test]
    fn power_levels_accept_numbers_and_numeric_strings() {
        let pl = event(
            "m.room.power_levels",
            json!({"users": {"@a:hs": 100, "@b:hs": "50", "@c:hs": "x"}, "users_default": 10}),
            Some(""),
        );
        let Some(Input::PowerLevels { levels, .. }) = to_input("!r:hs", "@bot:hs", &pl) else {
            panic!("no power levels")
        };
        assert_eq!(levels.of("@a:hs"), 100);
        assert_eq!(levels.of("@b:hs"), 50);
        assert_eq!(levels.of("@c:hs"), 10);
    }
}
