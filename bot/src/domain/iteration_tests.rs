//! Iterations through the engine: `!iteration close <name>` freezing the text with its
//! accepted amendments, the next iteration's draft posted with stable ids, the closed
//! iteration's votes, comments, proposals and amendments left as they were, and `!iteration`.

use super::chat_tests::{Chat, ALICE, BOB, MOD, ROOM};
use super::draft_consultation_tests::{chat, come_back, in_thread, items, tally};
use super::*;

/// `body` from `sender`: the replies' bodies and the effects' item notices; an amendment's
/// card comes back from the homeserver as `$<item id>`.
fn send(chat: &mut Chat, sender: &str, body: &str) -> (Vec<String>, Vec<(String, String)>) {
    let effects = chat.apply(Input::Message(chat.message(sender, body)));
    for id in effects.replies.iter().filter_map(|r| r.item.clone()) {
        chat.apply(Input::ItemPosted {
            room_id: ROOM.into(),
            item: id.clone(),
            event_id: format!("${id}"),
        });
    }
    let posted = items(&effects);
    let bodies = effects.replies.into_iter().map(|r| r.text.body).collect();
    (bodies, posted)
}

fn one(chat: &mut Chat, sender: &str, body: &str) -> String {
    let (mut replies, _) = send(chat, sender, body);
    assert_eq!(replies.len(), 1, "{body}: {replies:?}");
    replies.remove(0)
}

/// The draft of iteration 1 posted and back, with votes and a comment on §2, three accepted
/// amendments (§2 replaced, a paragraph after §3, §1 deleted) and one left undecided.
fn first_iteration() -> Chat {
    let mut chat = chat(Phase::Consultation, None);
    let posted = items(&chat.apply(Input::Tick));
    come_back(&mut chat, &posted);
    chat.react(ALICE, "$item§1.2", "👍");
    chat.react(BOB, "$item§1.2", "👎");
    in_thread(&mut chat, BOB, "$item§1.2", "Which formats?");
    one(
        &mut chat,
        ALICE,
        "!amend §2\nPublic bodies publish all their data.",
    );
    one(&mut chat, MOD, "!accept A1");
    one(
        &mut chat,
        ALICE,
        "!amend after §3\nThe catalogue is federated.",
    );
    one(&mut chat, MOD, "!accept A2");
    one(&mut chat, BOB, "!amend §1 delete");
    one(&mut chat, MOD, "!accept A3");
    one(&mut chat, BOB, "!amend §3\n- one catalogue");
    chat
}

#[test]
fn closing_freezes_the_text_and_posts_the_version_with_the_ids_it_kept() {
    let mut chat = first_iteration();
    assert_eq!(
        one(&mut chat, ALICE, "!iteration close blueprint 2026"),
        "Only moderators can use this command."
    );
    assert!(
        one(&mut chat, MOD, "!iteration close 2").contains("cannot name the version"),
        "a number names an iteration by position"
    );
    assert_eq!(
        chat.engine.state().iterations.current(),
        1,
        "refusals change nothing"
    );

    let (replies, posted) = send(&mut chat, MOD, "!iteration close blueprint 2026");
    assert_eq!(
        replies,
        [
            "Iteration 1 closed: version “blueprint 2026” has 3 paragraphs in 1 section, with 3 \
             accepted amendments. Iteration 2 begins: the draft is posted again in the sections \
             under consultation; iteration 1 keeps its votes and comments.\n\
             1 undecided amendment stays with the closed iteration, with no effect on the text: A4."
        ]
    );
    // §1 deleted; §2 with A1's text; §3 kept; A2's paragraph numbered after the last (§4).
    let texts: Vec<(&str, &str)> = posted
        .iter()
        .map(|(id, body)| (id.as_str(), body.as_str()))
        .collect();
    assert_eq!(
        texts,
        [
            ("§1.2@2", "§2 Public bodies publish all their data."),
            ("§1.3@2", "§3 - a catalogue\n- an API"),
            ("§1.4@2", "§4 The catalogue is federated."),
            ("objective/OB.1@2", "Objective OB.1 Open data"),
            (
                "action/A.1@2",
                "Action A.1 Action A.1 — Agenzia, due 2026-12-31"
            ),
            (
                "action/A.2@2",
                "Action A.2 Action A.2 — @owner:agency.test, due 2026-06-20"
            ),
            (
                "action/A.3@2",
                "Action A.3 Action A.3 — @mod:ministry.test, due 2026-05-31"
            ),
        ]
    );
    let version = chat.engine.state().iterations.latest().expect("a version");
    let frozen: Vec<(u32, &str)> = version.sections["dati"]
        .paragraphs
        .iter()
        .map(|p| (p.number, p.text.as_str()))
        .collect();
    assert_eq!(
        frozen,
        [
            (2, "Public bodies publish all their data."),
            (3, "- a catalogue\n- an API"),
            (4, "The catalogue is federated."),
        ]
    );
    // Posted once: the next tick posts nothing.
    assert_eq!(chat.apply(Input::Tick).notices, []);
    come_back(&mut chat, &posted);

    // The new §2 is a new item; the old one keeps its votes and comment.
    chat.react(ALICE, "$item§1.2@2", "👍");
    assert_eq!(tally(&chat, "§1.2@2"), (1, 0));
    assert_eq!(tally(&chat, "§1.2"), (1, 1));
    let (_, refused) = chat.react(BOB, "$item§1.2", "👍");
    assert_eq!(
        refused,
        [
            "This belongs to iteration 1 (“blueprint 2026”), which is closed: its votes and \
          comments stay as they were. Iteration 2 is under way: `!text` shows its draft."
        ]
    );
    chat.redact(ALICE, "$r5000");
    assert_eq!(
        tally(&chat, "§1.2"),
        (1, 1),
        "a closed iteration's vote stays"
    );
    let comment = in_thread(&mut chat, ALICE, "$item§1.2", "Late remark");
    assert!(comment.replies[0].text.body.contains("which is closed"));
    assert_eq!(
        chat.engine.state().consultation.comments_on("§1.2").len(),
        1
    );
    // The undecided amendment was made on the old text: it cannot be accepted now.
    assert!(one(&mut chat, MOD, "!accept A4").contains("belongs to iteration 1"));

    // `!text` reads the version, with the new item's counts.
    assert_eq!(
        one(&mut chat, BOB, "!text §2"),
        "§1.2 (paragraph):\nPublic bodies publish all their data.\n👍 1 · 👎 0 · 💬 0"
    );
    assert!(one(&mut chat, BOB, "!text §1").contains("§1.2–§1.4"));
    let listing = one(&mut chat, BOB, "!text");
    let lines: Vec<&str> = listing.lines().collect();
    assert_eq!(
        lines[..4],
        [
            "Draft of Dati, iteration 2 on version “blueprint 2026” (3 paragraphs):",
            "§2 Public bodies publish all their data.",
            "§3 - a catalogue - an API",
            "§4 The catalogue is federated.",
        ]
    );
}

#[test]
fn the_second_iteration_amends_its_version_and_closes_with_new_numbers_only_for_additions() {
    let mut chat = first_iteration();
    let (_, posted) = send(&mut chat, MOD, "!iteration close blueprint 2026");
    come_back(&mut chat, &posted);
    one(
        &mut chat,
        ALICE,
        "!amend §2\nEvery public body publishes its data.",
    );
    assert!(one(&mut chat, MOD, "!accept A5").starts_with("A5 accepted"));
    one(&mut chat, ALICE, "!amend after §2\nWith an open licence.");
    one(&mut chat, MOD, "!accept A6");
    assert!(one(&mut chat, BOB, "!text §2").contains("Every public body publishes its data."));
    // The first version is still as it was frozen.
    let first = &chat.engine.state().iterations.closed[0].sections["dati"];
    assert_eq!(
        first.paragraphs[0].text,
        "Public bodies publish all their data."
    );

    assert_eq!(
        one(&mut chat, MOD, "!iteration close blueprint 2026"),
        "“blueprint 2026” cannot name the version: it already names or numbers an iteration. \
         Choose another name."
    );
    let (_, posted) = send(&mut chat, MOD, "!iteration close final");
    let ids: Vec<&str> = posted.iter().map(|(id, _)| id.as_str()).take(4).collect();
    // §1 (deleted in the first iteration) is never given again: the addition is §5.
    assert_eq!(ids, ["§1.2@3", "§1.5@3", "§1.3@3", "§1.4@3"]);
    assert_eq!(posted[1].1, "§5 With an open licence.");

    let show = one(&mut chat, BOB, "!iteration");
    let lines: Vec<&str> = show.lines().collect();
    assert!(
        lines[0].starts_with("Iteration 3 is under way since "),
        "{show}"
    );
    assert!(lines[0].ends_with(", on version “final”."), "{show}");
    assert_eq!(
        lines[1],
        "In this iteration: 0 proposals, 0 amendments (accepted: 0)."
    );
    assert!(lines[2].starts_with("Iteration 1: version “blueprint 2026”, closed on "));
    assert!(
        lines[2].ends_with(" by @mod:ministry.test, 3 paragraphs."),
        "{show}"
    );
    assert!(
        lines[3].ends_with(" by @mod:ministry.test, 4 paragraphs."),
        "{show}"
    );

    // The state is a projection of its changes: folding them again gives the same.
    let mut rebuilt = State::default();
    for change in &chat.changes {
        rebuilt.apply_change(change);
    }
    assert_eq!(&rebuilt, chat.engine.state());
}

#[test]
fn a_closed_iterations_proposals_take_no_more_votes_and_polls_must_close_first() {
    let mut chat = chat(Phase::Consultation, None);
    chat.say(ALICE, "!propose Open API");
    chat.say(BOB, "!propose Federated catalogue");
    chat.react(BOB, "$card1", "👍");
    let (_, opened) = chat.say(MOD, "!prioritise proposals 1");
    assert!(
        opened[0].starts_with("Priority poll 1 is open"),
        "{opened:?}"
    );
    assert_eq!(
        one(&mut chat, MOD, "!iteration close blueprint 2026"),
        "Before closing the iteration, close the polls still open (`!close <n>`): 1."
    );
    chat.say(MOD, "!close");
    one(&mut chat, MOD, "!iteration close blueprint 2026");

    let (_, refused) = chat.react(ALICE, "$card1", "👍");
    assert!(refused[0].contains("belongs to iteration 1"), "{refused:?}");
    let (_, refused) = chat.say(ALICE, "!vote 2 +");
    assert!(refused[0].contains("belongs to iteration 1"), "{refused:?}");
    let (_, refused) = chat.say(BOB, "!unvote 1");
    assert!(refused[0].contains("belongs to iteration 1"), "{refused:?}");
    assert_eq!(chat.tally(1), (1, 0));
    assert_eq!(chat.tally(2), (0, 0));

    // A proposal of the new iteration is voted; the closed iteration's two do not count
    // towards a new poll.
    chat.say(ALICE, "!propose Open source first");
    chat.react(BOB, "$card3", "👍");
    assert_eq!(chat.tally(3), (1, 0));
    let (_, refused) = chat.say(MOD, "!prioritise proposals 1");
    assert_eq!(
        refused,
        ["A priority poll needs at least two open proposals."]
    );
    chat.say(BOB, "!propose Cloud region");
    let (_, opened) = chat.say(MOD, "!prioritise proposals 1");
    assert_eq!(
        opened,
        ["Priority poll 2 is open: pick up to 1 proposal. It closes with `!close`."]
    );
    let answers: Vec<u32> = chat.engine.state().polls.polls[&2]
        .answers
        .iter()
        .map(|(_, number)| *number)
        .collect();
    assert_eq!(answers, [3, 4]);
}

#[test]
fn a_section_out_of_consultation_at_the_close_gets_the_new_draft_when_it_returns() {
    let mut chat = chat(Phase::Consultation, None);
    let posted = items(&chat.apply(Input::Tick));
    come_back(&mut chat, &posted);
    one(&mut chat, MOD, "!phase prioritisation");
    let (_, posted) = send(&mut chat, MOD, "!iteration close blueprint 2026");
    assert_eq!(posted, [], "not in consultation: nothing posted yet");
    let (_, posted) = send(&mut chat, MOD, "!phase consultation");
    assert_eq!(posted[0].0, "§1.1@2");
    assert_eq!(posted.len(), 7);
}
