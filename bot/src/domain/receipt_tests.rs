//! Command receipts: the answer to a command that changed the plan records the command (for
//! a rebuild, should its message be deleted); a read, a refusal, and a message whose deletion
//! takes away what it created get none.

use pspm_config::draft::{split_from, Format};

use super::chat_tests::{Chat, ALICE, BOB, MOD, ROOM};
use super::*;

fn chat() -> Chat {
    let mut chat = Chat::new(None);
    for section in chat.engine.settings.sections.values_mut() {
        section.draft = split_from(Format::Markdown, "# Data\n\nOpen formats.\n", 1);
    }
    chat
}

/// The receipt on the answer to `body` from `sender` in `room`.
fn receipt_in(chat: &mut Chat, room: &str, sender: &str, body: &str) -> Option<CommandReceipt> {
    let message = Message {
        room_id: room.into(),
        reply_to: Some("$earlier".into()),
        ..chat.message(sender, body)
    };
    let event_id = message.event_id.clone();
    let effects = chat.apply(Input::Message(message));
    assert_eq!(effects.replies.len(), 1, "one answer to {body}");
    let reply = &effects.replies[0];
    assert_eq!(reply.in_reply_to, event_id);
    reply.receipt.clone()
}

fn receipt(chat: &mut Chat, sender: &str, body: &str) -> Option<CommandReceipt> {
    receipt_in(chat, ROOM, sender, body)
}

fn recorded(body: &str) -> Option<CommandReceipt> {
    Some(CommandReceipt {
        body: body.into(),
        reply_to: Some("$earlier".into()),
    })
}

#[test]
fn decisions_carry_their_command() {
    let mut chat = chat();
    let amend = "!amend §2\nOpen formats, by default.";
    assert_eq!(receipt(&mut chat, ALICE, amend), recorded(amend));
    assert_eq!(
        receipt(&mut chat, MOD, "!accept A1"),
        recorded("!accept A1")
    );
    assert_eq!(
        receipt(&mut chat, MOD, "!iteration close blueprint"),
        recorded("!iteration close blueprint")
    );
}

#[test]
fn reads_refusals_and_what_a_deletion_takes_away_carry_none() {
    let mut chat = chat();
    // A read changes nothing.
    assert_eq!(receipt(&mut chat, BOB, "!text §2"), None);
    // A refusal changes nothing.
    assert_eq!(
        receipt(&mut chat, ALICE, "!iteration close blueprint"),
        None
    );
    assert_eq!(receipt(&mut chat, ALICE, "!accept A9"), None);
    // A proposal and a feedback are their message: deleting it deletes them.
    assert_eq!(receipt(&mut chat, ALICE, "!propose Open data"), None);
    assert_eq!(receipt(&mut chat, BOB, "!feedback Add a catalogue"), None);
    // A vote is not what its message created: its receipt replays it, and the deletion
    // that follows in history withdraws it as it did live.
    assert_eq!(receipt(&mut chat, BOB, "!vote 1 +"), recorded("!vote 1 +"));
    // Outside the plan's rooms (a DM) nothing is replayed, so nothing is recorded.
    assert_eq!(receipt_in(&mut chat, "!dm:hs", BOB, "!language en"), None);
}
