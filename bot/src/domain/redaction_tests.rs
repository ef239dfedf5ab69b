//! Deleted messages: a proposal, comment or feedback deleted by its author or a moderator
//! leaves no text in the state or any export, only a tombstone; the card goes too; a rebuild
//! that sees the deletions as history shows them reaches the same export.

use super::chat_tests::{Chat, ALICE, BOB, MOD, ROOM};
use super::export::{Export, Format, Visibility};
use super::*;

const SECRET_TITLE: &str = "Secret plan";
const SECRET_DESCRIPTION: &str = "private details";
const SECRET_COMMENT: &str = "my private remark";
const SECRET_FEEDBACK: &str = "confidential feedback";

/// A message in proposal 1's thread (a comment).
fn comment(chat: &mut Chat, sender: &str, body: &str) -> String {
    let event_id = format!("$m{}", chat.clock);
    chat.apply(Input::Message(Message {
        event_id: event_id.clone(),
        room_id: ROOM.into(),
        sender: sender.into(),
        sent_at_ms: chat.clock,
        body: body.into(),
        thread_root: Some("$card1".into()),
        reply_to: None,
        quoted: None,
    }));
    event_id
}

/// Every export format, as one text.
fn exported(chat: &Chat) -> String {
    let settings = chat.engine.settings();
    let export = Export::build(
        settings,
        chat.engine.state(),
        Visibility::Full,
        super::tests::at(0),
    );
    [Format::Json, Format::Csv, Format::Markdown]
        .into_iter()
        .flat_map(|format| export.render(format, settings.catalogue()))
        .map(|file| file.content)
        .collect::<Vec<_>>()
        .join("\n")
}

fn export_json(chat: &Chat) -> serde_json::Value {
    let export = Export::build(
        chat.engine.settings(),
        chat.engine.state(),
        Visibility::Full,
        super::tests::at(0),
    );
    serde_json::to_value(export).expect("json")
}

fn redaction(sender: &str, redacts: &str) -> Input {
    Input::Redaction {
        room_id: ROOM.into(),
        sender: sender.into(),
        redacts: redacts.into(),
    }
}

#[test]
fn a_proposal_deleted_by_its_author_leaves_a_tombstone_and_its_card_goes() {
    let mut chat = Chat::new(None);
    let (source, _) = chat.say(
        ALICE,
        &format!("!propose {SECRET_TITLE}\n{SECRET_DESCRIPTION}"),
    );
    chat.react(BOB, "$card1", "👍");
    assert!(exported(&chat).contains(SECRET_TITLE));

    let effects = chat.apply(redaction(ALICE, &source));
    assert_eq!(
        effects.card_redactions,
        [CardRedaction {
            room_id: ROOM.into(),
            card_event: "$card1".into(),
        }]
    );
    assert_eq!(effects.notices.len(), 1, "{effects:?}");
    let notice = &effects.notices[0];
    assert_eq!(
        notice.tombstone,
        Some(Tombstone::Proposal {
            number: 1,
            source: source.clone(),
            card: Some("$card1".into()),
        })
    );
    assert!(notice.text.body.contains("#1"), "{}", notice.text.body);
    assert!(!notice.text.body.contains(SECRET_TITLE));

    let all = exported(&chat);
    assert!(
        !all.contains(SECRET_TITLE) && !all.contains(SECRET_DESCRIPTION),
        "{all}"
    );
    let json = export_json(&chat);
    let row = &json["proposals"][0];
    assert_eq!(row["number"], 1);
    assert_eq!(row["event_id"], source.as_str());
    assert_eq!(row["redacted"], true);
    assert_eq!(row["title"], "");
    assert_eq!(row["description"], "");
    assert!(all.contains("(text deleted)"), "{all}");
    // Nobody finds it, votes on it or sees it in lists any more.
    let (_, show) = chat.say(BOB, "!show 1");
    assert_eq!(
        show,
        ["Proposal #1 was deleted: its text is no longer part of the plan."]
    );
    let (_, vote) = chat.say(BOB, "!vote 1 -");
    assert!(vote[0].contains("#1"), "{vote:?}");
    let (_, list) = chat.say(BOB, "!proposals");
    assert!(!list.concat().contains("#1"), "{list:?}");
    // The card is not edited afterwards (it is deleted), and deleting again does nothing.
    let refresh = chat.apply(Input::RefreshCards(vec![1]));
    assert!(refresh.card_edits.is_empty());
    assert_eq!(chat.apply(redaction(ALICE, &source)), Effects::default());
}

#[test]
fn comments_and_feedback_deleted_by_their_authors_or_a_moderator_leave_tombstones() {
    let mut chat = Chat::new(None);
    chat.say(ALICE, "!propose Open data");
    let remark = comment(&mut chat, BOB, SECRET_COMMENT);
    let (feedback, _) = chat.say(BOB, &format!("!feedback {SECRET_FEEDBACK}"));
    let kept = comment(&mut chat, ALICE, "a remark that stays");

    // Someone else cannot delete them (where a room lets them redact).
    assert_eq!(chat.apply(redaction(ALICE, &remark)), Effects::default());
    assert!(exported(&chat).contains(SECRET_COMMENT));

    let by_author = chat.apply(redaction(BOB, &remark));
    assert_eq!(
        by_author.notices[0].tombstone,
        Some(Tombstone::Comment {
            source: remark.clone(),
            proposal: Some(1),
        })
    );
    let by_moderator = chat.apply(redaction(MOD, &feedback));
    assert_eq!(
        by_moderator.notices[0].tombstone,
        Some(Tombstone::Comment {
            source: feedback.clone(),
            proposal: None,
        })
    );
    let all = exported(&chat);
    assert!(
        !all.contains(SECRET_COMMENT) && !all.contains(SECRET_FEEDBACK),
        "{all}"
    );
    assert!(all.contains("a remark that stays"));
    let json = export_json(&chat);
    let comments = json["comments"].as_array().expect("comments");
    let tombstone = |id: &str| comments.iter().find(|c| c["event_id"] == id).cloned();
    for id in [&remark, &feedback] {
        let row = tombstone(id).expect("a tombstone row");
        assert_eq!(
            (row["redacted"].clone(), row["text"].clone()),
            (true.into(), "".into())
        );
    }
    assert_eq!(tombstone(&kept).expect("kept")["redacted"], false);
    let (_, stats) = chat.say(BOB, "!stats");
    assert!(
        stats.concat().contains('1'),
        "only the kept comment counts: {stats:?}"
    );
}

#[test]
fn a_card_that_comes_back_after_its_proposal_was_deleted_is_deleted_too() {
    let mut chat = Chat::new(None);
    let source = format!("$m{}", chat.clock + 1_000);
    let created = chat.apply(Input::Message(Message {
        event_id: source.clone(),
        room_id: ROOM.into(),
        sender: ALICE.into(),
        sent_at_ms: chat.clock + 1_000,
        body: format!("!propose {SECRET_TITLE}"),
        thread_root: None,
        reply_to: None,
        quoted: None,
    }));
    assert_eq!(created.replies[0].card_for, Some(1));
    let deleted = chat.apply(redaction(ALICE, &source));
    assert!(deleted.card_redactions.is_empty(), "no card known yet");
    let card = chat.apply(Input::CardPosted {
        room_id: ROOM.into(),
        number: 1,
        event_id: "$late".into(),
    });
    assert!(card.reactions.is_empty(), "no vote seeds on a deleted card");
    assert_eq!(card.card_redactions[0].card_event, "$late");
    assert_eq!(
        card.notices[0].tombstone,
        Some(Tombstone::Card {
            number: 1,
            card: "$late".into(),
        })
    );
}

/// Live: proposals, votes, a comment, an edit, then deletions. Rebuilt: the same events as
/// history shows them afterwards (deleted ones without content, recreated from the
/// tombstones). Same export.
#[test]
fn a_rebuild_from_history_with_tombstones_reaches_the_live_export() {
    let mut live = Chat::new(None);
    let (first, _) = live.say(ALICE, &format!("!propose {SECRET_TITLE}"));
    live.say(BOB, "!propose Cloud first");
    live.react(BOB, "$card1", "👍");
    live.react(MOD, "$card1", "👎");
    let remark = comment(&mut live, BOB, SECRET_COMMENT);
    live.say(MOD, "!vote 1 +");
    live.apply(redaction(ALICE, &first));
    live.apply(redaction(BOB, &remark));
    live.react(BOB, "$card2", "👍");

    // The same history, read back: the clock restarts so every event keeps its time.
    let mut rebuilt = Chat::new(None);
    let recreated = |chat: &Chat, what: Tombstone, sender: &str| {
        Input::Recreated(Recreated {
            room_id: ROOM.into(),
            sender: sender.into(),
            at_ms: chat.clock,
            author: sender.into(),
            created_ms: chat.clock,
            what,
        })
    };
    let input = recreated(
        &rebuilt,
        Tombstone::Proposal {
            number: 1,
            source: first.clone(),
            card: Some("$card1".into()),
        },
        ALICE,
    );
    rebuilt.apply(input);
    rebuilt.apply(Input::CardPosted {
        room_id: ROOM.into(),
        number: 1,
        event_id: "$card1".into(),
    });
    rebuilt.say(BOB, "!propose Cloud first");
    rebuilt.react(BOB, "$card1", "👍");
    rebuilt.react(MOD, "$card1", "👎");
    let input = recreated(
        &rebuilt,
        Tombstone::Comment {
            source: remark.clone(),
            proposal: Some(1),
        },
        BOB,
    );
    rebuilt.apply(input);
    rebuilt.say(MOD, "!vote 1 +");
    rebuilt.apply(redaction(ALICE, &first));
    rebuilt.apply(redaction(BOB, &remark));
    rebuilt.react(BOB, "$card2", "👍");

    assert_eq!(export_json(&rebuilt), export_json(&live));
    assert_eq!(
        live.tally(1),
        (2, 0),
        "votes cast before the deletion stay counted"
    );
    assert!(!exported(&rebuilt).contains(SECRET_TITLE));
}
