//! Command receipts in Matrix content. The bot's answer to a command that changed the plan
//! carries the command (`it.pspm.command`: its message, text, thread and quoted message).
//! History shows a deleted message stripped of all of that, so before a rebuild replays
//! history, [`restore`] gives each deleted command back the content its receipt records:
//! the rebuild then reads it as the bot did live.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::events::{is_redacted, RawEvent};
use crate::domain::Reply;

/// Content key of the command receipt in the bot's replies.
pub const COMMAND_KEY: &str = "it.pspm.command";

/// The receipt as `reply`'s content carries it, if it has one.
pub fn receipt_json(reply: &Reply) -> Option<Value> {
    let receipt = reply.receipt.as_ref()?;
    Some(json!({
        "source": reply.in_reply_to,
        "body": receipt.body,
        "thread_root": reply.thread_root,
        "reply_to": receipt.reply_to,
    }))
}

/// Puts back the content of the deleted commands in `events` (room, event) that the bot's
/// receipts in the same room record. Only the bot's own receipts count.
pub fn restore(bot_user: &str, events: &mut [(String, RawEvent)]) {
    let receipts: HashMap<(&str, &str), Value> = events
        .iter()
        .filter(|(_, event)| event.sender == bot_user)
        .filter_map(|(room, event)| {
            let receipt = event.content.get(COMMAND_KEY)?;
            let source = receipt.get("source")?.as_str()?;
            Some(((room.as_str(), source), command_content(receipt)?))
        })
        .collect();
    let restored: Vec<(usize, Value)> = events
        .iter()
        .enumerate()
        .filter(|(_, (_, event))| is_redacted(event) && event.sender != bot_user)
        .filter_map(|(i, (room, event))| {
            let content = receipts.get(&(room.as_str(), event.event_id.as_str()))?;
            Some((i, content.clone()))
        })
        .collect();
    for (i, content) in restored {
        events[i].1.content = content;
    }
}

/// The content of a command message as its receipt records it.
fn command_content(receipt: &Value) -> Option<Value> {
    let body = receipt.get("body")?.as_str()?;
    let mut content = json!({ "msgtype": "m.text", "body": body });
    let reply_to = receipt.get("reply_to").and_then(Value::as_str);
    let in_reply_to = reply_to.map(|id| json!({ "event_id": id }));
    match (
        receipt.get("thread_root").and_then(Value::as_str),
        in_reply_to,
    ) {
        (Some(root), in_reply_to) => {
            content["m.relates_to"] = json!({ "rel_type": "m.thread", "event_id": root });
            if let Some(in_reply_to) = in_reply_to {
                content["m.relates_to"]["m.in_reply_to"] = in_reply_to;
            }
        }
        (None, Some(in_reply_to)) => {
            content["m.relates_to"] = json!({ "m.in_reply_to": in_reply_to });
        }
        (None, None) => {}
    }
    Some(content)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CommandReceipt, Input, Message, Rendered};
    use crate::matrix::events::to_input;
    use crate::matrix::outbox::reply_content;

    const BOT: &str = "@bot:hs";
    const ROOM: &str = "!r:hs";

    fn ok() -> Rendered {
        Rendered {
            body: "ok".into(),
            html: "ok".into(),
        }
    }

    fn deleted(id: &str, sender: &str) -> RawEvent {
        RawEvent::parse(
            &json!({
                "event_id": id, "sender": sender, "origin_server_ts": 10,
                "type": "m.room.message", "content": {},
                "unsigned": { "redacted_because": { "type": "m.room.redaction" } },
            })
            .to_string(),
        )
        .expect("an event")
    }

    fn answer(sender: &str, source: &str, receipt: Option<CommandReceipt>) -> RawEvent {
        let reply = Reply {
            thread_root: Some("$root".into()),
            receipt,
            ..Reply::to_event(ROOM, source, "@mod:hs", ok())
        };
        RawEvent::parse(
            &json!({
                "event_id": "$answer", "sender": sender, "origin_server_ts": 11,
                "type": "m.room.message", "content": reply_content(&reply),
            })
            .to_string(),
        )
        .expect("an event")
    }

    fn message(input: Option<Input>) -> Message {
        match input {
            Some(Input::Message(message)) => message,
            other => panic!("not a message: {other:?}"),
        }
    }

    #[test]
    fn a_deleted_command_reads_as_it_was_sent() {
        let receipt = CommandReceipt {
            body: "!promote".into(),
            reply_to: Some("$quoted".into()),
        };
        let mut events = vec![
            (ROOM.to_owned(), deleted("$cmd", "@mod:hs")),
            (ROOM.to_owned(), answer(BOT, "$cmd", Some(receipt))),
        ];
        restore(BOT, &mut events);
        let restored = message(to_input(ROOM, BOT, &events[0].1));
        assert_eq!(restored.event_id, "$cmd");
        assert_eq!(restored.sender, "@mod:hs");
        assert_eq!(restored.body, "!promote");
        assert_eq!(restored.thread_root.as_deref(), Some("$root"));
        assert_eq!(restored.reply_to.as_deref(), Some("$quoted"));
    }

    #[test]
    fn only_the_bots_receipts_for_deleted_messages_in_the_same_room_count() {
        let receipt = || {
            Some(CommandReceipt {
                body: "!accept A1".into(),
                reply_to: None,
            })
        };
        let mut events = vec![
            // A receipt forged by someone else.
            (ROOM.to_owned(), deleted("$a", "@mod:hs")),
            (ROOM.to_owned(), answer("@mallory:hs", "$a", receipt())),
            // The bot's receipt, but for a message of another room.
            ("!other:hs".to_owned(), deleted("$b", "@mod:hs")),
            (ROOM.to_owned(), answer(BOT, "$b", receipt())),
            // A reply without a receipt.
            (ROOM.to_owned(), deleted("$c", "@mod:hs")),
            (ROOM.to_owned(), answer(BOT, "$c", None)),
        ];
        restore(BOT, &mut events);
        for i in [0, 2, 4] {
            assert_eq!(events[i].1.content, json!({}), "{}", events[i].1.event_id);
            assert_eq!(to_input(&events[i].0, BOT, &events[i].1), None);
        }
    }
}
