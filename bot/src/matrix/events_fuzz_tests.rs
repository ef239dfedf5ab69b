//! Fuzz target for event JSON → domain input: whatever a homeserver (or another server
//! through federation) sends, shaped like a room event or not, with fields of the wrong
//! types, nested where they should not be, or cut short, is an input or nothing: never a
//! panic.

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Map, Value};

use super::events::{
    is_redacted, parse_logged, passed, promoted_message, quote_of, to_input, tombstone_of, RawEvent,
};
use super::receipts;
use super::tombstones::Deleted;
use crate::domain::Input;
use pspm_indexer::fuzzing::{cases, run};

const BOT: &str = "@pspm:ministry.test";
const ROOM: &str = "!section:ministry.test";

const KEYS: &[&str] = &[
    "body",
    "msgtype",
    "m.relates_to",
    "rel_type",
    "event_id",
    "key",
    "m.in_reply_to",
    "m.new_content",
    "it.pspm.proposal",
    "it.pspm.poll",
    "it.pspm.tombstone",
    "it.pspm.command",
    "thread_root",
    "reply_to",
    "kind",
    "number",
    "source",
    "card",
    "proposal",
    "redacted_because",
    "org.matrix.msc3381.poll.response",
    "m.selections",
    "answers",
    "membership",
    "users",
    "users_default",
    "redacts",
    "prev_content",
    "format",
    "formatted_body",
    "m.mentions",
];

const STRINGS: &[&str] = &[
    "m.text",
    "m.notice",
    "comment",
    "proposal",
    "card",
    "m.annotation",
    "m.reference",
    "m.replace",
    "m.thread",
    "join",
    "leave",
    "👍",
    "👎",
    "!ping",
    "!promote",
    "!vote #1 yes",
    "$e1",
    "$e2",
    "@pspm:ministry.test",
    "@alice:agency.test",
    "",
    "1",
    "a1",
];

/// A JSON value built from the keys and strings events use, and from anything at all.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        4 => select(STRINGS).prop_map(|s| Value::String(s.to_owned())),
        1 => any::<String>().prop_map(Value::String),
        2 => any::<i64>().prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        1 => any::<f64>().prop_map(Value::from),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => Just(Value::Null),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            btree_map(select(KEYS).prop_map(str::to_owned), inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// An event: the fields the bot reads, each now and then of the wrong type or missing.
fn event_json() -> impl Strategy<Value = String> {
    let kind = select(
        &[
            "m.room.message",
            "m.reaction",
            "m.room.redaction",
            "m.room.member",
            "m.room.power_levels",
            "m.poll.start",
            "m.poll.response",
            "m.poll.end",
            "org.matrix.msc3381.poll.start",
            "org.matrix.msc3381.poll.response",
            "org.matrix.msc3381.poll.end",
            "m.room.create",
            "x.custom",
        ][..],
    );
    let sender = select(&[BOT, "@alice:agency.test", "@eve:elsewhere.test", ""][..]);
    (
        kind,
        sender,
        any::<i64>(),
        value(),
        proptest::option::of(prop_oneof![
            select(&[BOT, ""][..]).prop_map(Value::from),
            value()
        ]),
        proptest::option::of(value()),
        proptest::option::of(value()),
        0u8..8,
    )
        .prop_map(
            |(kind, sender, ts, content, state_key, unsigned, redacts, drop)| {
                let mut event = json!({
                    "event_id": "$fuzz",
                    "sender": sender,
                    "origin_server_ts": ts,
                    "type": kind,
                    "content": content,
                });
                let fields = event.as_object_mut().expect("an object");
                for (name, field) in [
                    ("state_key", state_key),
                    ("unsigned", unsigned),
                    ("redacts", redacts),
                ] {
                    if let Some(field) = field {
                        fields.insert(name.to_owned(), field);
                    }
                }
                // Now and then a required field is missing.
                if let Some(name) =
                    ["event_id", "sender", "origin_server_ts", "type"].get(usize::from(drop))
                {
                    fields.remove(*name);
                }
                event.to_string()
            },
        )
}

/// Text as a server might send it: an event, an event cut short, or anything.
fn event_text() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => event_json(),
        2 => (event_json(), any::<prop::sample::Index>()).prop_map(|(json, cut)| {
            let at = cut.index(json.len().max(1));
            json.char_indices().take_while(|(i, _)| *i < at).map(|(_, c)| c).collect()
        }),
        1 => any::<String>(),
    ]
}

#[test]
fn fuzz_events() {
    run("events", cases(1.0), event_text(), |json| {
        let Some(event) = RawEvent::parse(&json) else {
            prop_assert!(parse_logged(&json).is_none());
            return Ok(());
        };
        let _ = passed(&event);
        let _ = promoted_message(&event);
        if tombstone_of(&event, BOT).is_some() {
            prop_assert_eq!(
                event.sender.as_str(),
                BOT,
                "only the bot's tombstones count"
            );
        }
        // A rebuild reads tombstones and deleted events from history alike.
        let history = [(ROOM.to_owned(), event.clone())];
        let deleted = Deleted::from_history(BOT, &history);
        if deleted.input(ROOM, &event).is_some() {
            prop_assert!(is_redacted(&event) || promoted_message(&event).is_some());
        }
        // Only a deleted message of someone else's gets its content back, and only from a
        // receipt (here, the event itself, as if the bot had sent it).
        let receipt = RawEvent {
            sender: BOT.to_owned(),
            ..event.clone()
        };
        let mut history = [(ROOM.to_owned(), event.clone()), (ROOM.to_owned(), receipt)];
        receipts::restore(BOT, &mut history);
        if history[0].1.content != event.content {
            prop_assert!(is_redacted(&event) && event.sender != BOT);
            prop_assert!(history[0].1.content["body"].is_string());
        }
        prop_assert_eq!(&history[1].1.content, &event.content);
        if let Some(quoted) = quote_of(&event) {
            prop_assert_eq!(quoted.event_id, event.event_id.clone());
        }
        if let Some(Input::Message(message)) = to_input(ROOM, BOT, &event) {
            prop_assert_eq!(&message.event_id, &event.event_id);
            prop_assert_eq!(Some(message.body.as_str()), event.content["body"].as_str());
        }
        Ok(())
    });
}
