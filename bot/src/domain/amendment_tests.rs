//! Amendments through the engine: `!amend` replacing, deleting or adding after a paragraph,
//! each a card voted and commented like a paragraph; `!accept A<n>` changing what `!text`
//! shows, a conflicting accept refused, `!reject A<n>` with its reason, and bad input.

use pspm_config::draft::{split_from, Format};

use super::chat_tests::{Chat, ALICE, BOB, MOD, ROOM};
use super::*;

const DRAFT: &str = "# Open data\n\nPublic bodies publish their data in open formats.\n\n\
- a catalogue\n- an API\n";

fn chat() -> Chat {
    let mut chat = Chat::new(None);
    for section in chat.engine.settings.sections.values_mut() {
        section.draft = split_from(Format::Markdown, DRAFT, 1);
    }
    chat
}

/// `body` from `sender`; the replies' bodies, and the amendment card's item key if any.
fn send(chat: &mut Chat, sender: &str, body: &str) -> (Vec<String>, Option<String>) {
    let effects = chat.apply(Input::Message(chat.message(sender, body)));
    let item = effects.replies.iter().find_map(|r| r.item.clone());
    // The card comes back from the homeserver: it becomes a consultable item.
    if let Some(key) = &item {
        chat.apply(Input::ItemPosted {
            room_id: ROOM.into(),
            item: key.clone(),
            event_id: format!("${key}"),
        });
    }
    let bodies = effects.replies.into_iter().map(|r| r.text.body).collect();
    (bodies, item)
}

fn text(chat: &mut Chat, id: &str) -> String {
    send(chat, BOB, &format!("!text {id}")).0.remove(0)
}

#[test]
fn an_amendment_card_shows_old_new_and_a_word_diff_and_takes_votes() {
    let mut chat = chat();
    let (replies, item) = send(
        &mut chat,
        ALICE,
        "!amend §2\nPublic bodies publish all their data in open, documented formats.",
    );
    assert_eq!(item.as_deref(), Some("amendment/A1"));
    assert_eq!(
        replies,
        ["A1 replaces §1.2 — @alice:agency.test (Agenzia)\n\
          Now: Public bodies publish their data in open formats.\n\
          Proposed: Public bodies publish all their data in open, documented formats.\n\
          Changes: Public bodies publish {+all +}their data in [-open-]{+open, documented+} formats.\n\
          React with 👍 or 👎 to vote, reply in this thread to comment; moderators `!accept A1` or `!reject A1 <reason>`."]
    );
    chat.react(ALICE, "$amendment/A1", "👍");
    chat.react(BOB, "$amendment/A1", "👎");
    let tally = chat.engine.state().consultation.tally("amendment/A1");
    assert_eq!((tally.support, tally.oppose), (1, 1));
    // Until accepted, the paragraph reads as before.
    assert!(text(&mut chat, "§2")
        .starts_with("§1.2 (paragraph):\nPublic bodies publish their data in open formats."));
}

#[test]
fn accepting_changes_the_text_and_a_later_accept_on_the_old_text_is_a_conflict() {
    let mut chat = chat();
    send(&mut chat, ALICE, "!amend §2\nOpen by default.");
    send(&mut chat, BOB, "!amend §2\nOpen when possible.");
    // Only moderators decide.
    let (replies, _) = send(&mut chat, ALICE, "!accept A1");
    assert_eq!(replies.len(), 1);
    assert!(!replies[0].contains("accepted"), "{replies:?}");
    let (replies, _) = send(&mut chat, MOD, "!accept A1");
    assert_eq!(replies, ["A1 accepted: `!text §1.2` shows the new text."]);
    assert_eq!(
        text(&mut chat, "§2"),
        "§1.2 (paragraph):\nOpen by default.\n👍 0 · 👎 0 · 💬 0"
    );
    let (replies, _) = send(&mut chat, MOD, "!accept A2");
    assert_eq!(
        replies,
        [
            "A2 cannot be accepted: §1.2 has changed since it was proposed (A1 accepted). \
          Propose an amendment that merges both on the current text (`!text §1.2`)."
        ]
    );
    assert_eq!(
        chat.engine.state().amendments.all[&2].state,
        amendments::AmendmentState::Open
    );
    // A merged amendment on the current text is accepted.
    send(&mut chat, BOB, "!amend §2\nOpen by default, when possible.");
    let (replies, _) = send(&mut chat, MOD, "!accept A3");
    assert_eq!(replies, ["A3 accepted: `!text §1.2` shows the new text."]);
    let (replies, _) = send(&mut chat, MOD, "!reject A2 merged into A3");
    assert_eq!(replies, ["A2 rejected."]);
    // A decided amendment takes no more votes.
    let (_, replies) = chat.react(ALICE, "$amendment/A2", "👍");
    assert_eq!(replies, ["A2 is already rejected."]);
    assert_eq!(
        chat.engine
            .state()
            .consultation
            .tally("amendment/A2")
            .support,
        0
    );
    let (replies, _) = send(&mut chat, MOD, "!reject A2 again");
    assert_eq!(replies, ["A2 is already rejected."]);
    assert!(text(&mut chat, "§2").starts_with("§1.2 (paragraph):\nOpen by default, when possible."));
    assert_eq!(
        chat.engine.state().amendments.all[&2].answer.as_deref(),
        Some("merged into A3")
    );
}

#[test]
fn deleting_and_adding_after_a_paragraph() {
    let mut chat = chat();
    let (replies, _) = send(&mut chat, ALICE, "!amend §3 delete");
    assert!(
        replies[0].starts_with(
            "A1 deletes §1.3 — @alice:agency.test (Agenzia)\nNow: - a catalogue\n- an API"
        ),
        "{replies:?}"
    );
    send(&mut chat, ALICE, "!amend after §1\nWhy open data matters.");
    send(&mut chat, MOD, "!accept A1");
    send(&mut chat, MOD, "!accept A2");
    assert_eq!(
        text(&mut chat, "§3"),
        "§1.3 was deleted (amendment A1).\n👍 0 · 👎 0 · 💬 0"
    );
    assert_eq!(
        text(&mut chat, "§1"),
        "§1.1 (heading):\n# Open data\n+ A2: Why open data matters.\n👍 0 · 👎 0 · 💬 0"
    );
    let (replies, _) = send(&mut chat, ALICE, "!amend §3 delete");
    assert_eq!(replies, ["§1.3 is already deleted."]);
}

#[test]
fn bad_amendments_are_refused_and_change_nothing() {
    let mut chat = chat();
    for (body, expected) in [
        ("!amend §9\nText", "There is no §1.9 in the draft of Dati."),
        (
            "!amend §2.1\nText",
            "§2.1 is in another section: amend it in that section's room.",
        ),
        ("!amend x9\nText", "“x9” is not a paragraph id"),
        ("!accept A7", "There is no amendment A7."),
    ] {
        let sender = if body.starts_with("!accept") {
            MOD
        } else {
            ALICE
        };
        let (replies, item) = send(&mut chat, sender, body);
        assert!(replies[0].starts_with(expected), "{body}: {replies:?}");
        assert_eq!(item, None);
    }
    for body in ["!amend §2", "!amend §2 delete\nand text", "!amend §2 what"] {
        let (replies, item) = send(&mut chat, ALICE, body);
        assert_eq!(replies.len(), 1, "{body}");
        assert!(
            replies[0].contains("!amend"),
            "{body}: usage in {replies:?}"
        );
        assert_eq!(item, None);
    }
    assert!(chat.engine.state().amendments.all.is_empty());
    // Outside consultation, no amendments.
    send(&mut chat, MOD, "!phase prioritisation");
    let (replies, item) = send(&mut chat, ALICE, "!amend §2\nLate.");
    assert!(replies[0].contains("prioritisation"), "{replies:?}");
    assert_eq!(item, None);
}

#[test]
fn amendments_fold_back_from_the_changes_exactly() {
    let mut chat = chat();
    send(&mut chat, ALICE, "!amend §2\nOpen by default.");
    chat.react(BOB, "$amendment/A1", "👍");
    send(&mut chat, MOD, "!accept A1");
    let mut rebuilt = State::default();
    for change in &chat.changes {
        rebuilt.apply_change(change);
    }
    assert_eq!(&rebuilt, chat.engine.state());
}
