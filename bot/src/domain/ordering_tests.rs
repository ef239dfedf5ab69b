//! Ballots in the room's order: a vote that reached the bot after the same person's newer
//! one is put back in its place by the order a walk through history saw.

use super::chat_tests::{Chat, ALICE, BOB, MOD, ROOM};
use super::participation::fingerprint;
use super::*;

/// A walk's view of the room: `events` (event ID, sender, reaction target) oldest first.
fn room_order(events: &[(&str, &str, Option<&str>)], newer: &[&str]) -> Input {
    Input::RoomOrder(RoomOrder {
        room_id: ROOM.into(),
        events: events
            .iter()
            .map(|(event_id, sender, target)| Passed {
                event_id: (*event_id).into(),
                sender: (*sender).into(),
                reaction_target: target.map(str::to_owned),
            })
            .collect(),
        newer: newer.iter().map(|id| (*id).to_owned()).collect(),
    })
}

#[test]
fn a_reaction_that_arrives_late_goes_before_the_newer_ones_of_its_sender() {
    let mut chat = Chat::new(None);
    chat.say(ALICE, "!propose Open data");
    // Bob's later 👎 reached the bot first; his earlier 👍 comes late.
    let (newer, _) = chat.react(BOB, "$card1", "👎");
    let (late, _) = chat.react(BOB, "$card1", "👍");
    assert_eq!(
        chat.tally(1),
        (1, 0),
        "as it arrived, before the room's order is known"
    );
    chat.apply(room_order(
        &[
            (late.as_str(), BOB, Some("$card1")),
            (newer.as_str(), BOB, Some("$card1")),
        ],
        &[],
    ));
    assert_eq!(chat.tally(1), (0, 1), "the newer 👎 stands");
    // Withdrawing the 👎 lets the older 👍 count, as room history shows.
    chat.redact(BOB, &newer);
    assert_eq!(chat.tally(1), (1, 0));
}

#[test]
fn the_room_order_places_ballots_between_older_unseen_and_newer_ones() {
    let mut chat = Chat::new(None);
    chat.say(ALICE, "!propose Open data");
    // Oldest, below the walk: a 👍. Applied after the walk began: a 👎 (newer).
    let (oldest, _) = chat.react(BOB, "$card1", "👍");
    let (applied_meanwhile, _) = chat.react(BOB, "$card1", "👎");
    // Found late by the walk, which passed it and a `!vote` after it.
    let (late, _) = chat.react(BOB, "$card1", "👍");
    let (vote_id, _) = chat.say(BOB, "!vote 1 +");
    chat.apply(room_order(
        &[
            (late.as_str(), BOB, Some("$card1")),
            ("$someone-else", ALICE, None),
            (vote_id.as_str(), BOB, None),
        ],
        &[applied_meanwhile.as_str()],
    ));
    let order: Vec<u64> = chat
        .engine
        .state()
        .participation
        .ballots_of(1, BOB)
        .iter()
        .map(|b| b.source)
        .collect();
    let expected: Vec<u64> = [oldest.as_str(), late.as_str(), &vote_id, &applied_meanwhile]
        .iter()
        .map(|id| fingerprint(id))
        .collect();
    assert_eq!(order, expected);
    assert_eq!(
        chat.tally(1),
        (0, 1),
        "the 👎 applied meanwhile is the newest"
    );
}

#[test]
fn the_room_order_changes_nothing_it_does_not_show_and_adds_no_ballot() {
    let mut chat = Chat::new(None);
    chat.say(ALICE, "!propose Open data");
    let (up, _) = chat.react(BOB, "$card1", "👍");
    let before = chat.engine.state().clone();
    // Alice's reaction was never applied (say, from before the live line): no ballot appears.
    let effects = chat.apply(room_order(
        &[
            ("$unapplied", ALICE, Some("$card1")),
            (up.as_str(), BOB, Some("$card1")),
        ],
        &[],
    ));
    assert!(effects.changes.is_empty(), "{:?}", effects.changes);
    assert_eq!(chat.engine.state(), &before);
    assert_eq!(chat.tally(1), (1, 0));
}

/// A section with two proposals and an open poll (start `$start`, answers `p1`, `p2`).
fn poll_chat() -> Chat {
    let mut chat = Chat::new(None);
    chat.say(ALICE, "!propose Open data");
    chat.say(BOB, "!propose Cloud first");
    let (_, opened) = chat.say(MOD, "!prioritise 1");
    assert!(opened.concat().contains('1'), "{opened:?}");
    chat.apply(Input::PollPosted {
        room_id: ROOM.into(),
        poll_id: 1,
        event_id: "$start".into(),
    });
    chat
}

fn respond(chat: &mut Chat, sender: &str, event_id: &str, answer: &str) {
    let at_ms = chat.clock;
    chat.apply(Input::PollResponse(PollAnswered {
        event_id: event_id.into(),
        room_id: ROOM.into(),
        sender: sender.into(),
        start: "$start".into(),
        answers: vec![answer.into()],
        at_ms,
    }));
}

fn poll_votes(chat: &Chat) -> Vec<(u32, u32)> {
    let polls = &chat.engine.state().polls;
    polls.results(&polls.polls[&1]).ranking
}

#[test]
fn a_poll_response_sent_before_the_end_but_delivered_after_it_counts_once_the_order_is_known() {
    let mut chat = poll_chat();
    respond(&mut chat, BOB, "$bob", "p2");
    let (close, _) = chat.say(MOD, "!close");
    // Alice's response reached the bot after the end: not counted, as far as it knows.
    respond(&mut chat, ALICE, "$alice-late", "p1");
    assert_eq!(poll_votes(&chat), [(2, 1), (1, 0)]);
    // A walk shows the room has it before the end; a response after the end stays out.
    respond(&mut chat, ALICE, "$alice-after", "p2");
    chat.apply(room_order(
        &[
            ("$bob", BOB, None),
            ("$alice-late", ALICE, None),
            (close.as_str(), MOD, None),
            ("$alice-after", ALICE, None),
        ],
        &[],
    ));
    assert_eq!(poll_votes(&chat), [(1, 1), (2, 1)]);
    // The same walk again changes nothing.
    let again = chat.apply(room_order(
        &[
            ("$bob", BOB, None),
            ("$alice-late", ALICE, None),
            (close.as_str(), MOD, None),
            ("$alice-after", ALICE, None),
        ],
        &[],
    ));
    assert!(again.changes.is_empty(), "{:?}", again.changes);
}

#[test]
fn a_poll_response_applied_before_the_end_but_after_it_in_the_room_stops_counting() {
    let mut chat = poll_chat();
    respond(&mut chat, BOB, "$bob-first", "p1");
    respond(&mut chat, BOB, "$bob-second", "p2");
    let (close, _) = chat.say(MOD, "!close");
    assert_eq!(poll_votes(&chat), [(2, 1), (1, 0)]);
    // The room's order: Bob's second response came after the end (his server was slow to
    // send it to ours, but the end reached the room first).
    chat.apply(room_order(
        &[
            ("$bob-first", BOB, None),
            (close.as_str(), MOD, None),
            ("$bob-second", BOB, None),
        ],
        &[],
    ));
    assert_eq!(poll_votes(&chat), [(1, 1), (2, 0)]);
}

#[test]
fn a_late_reaction_on_a_draft_paragraph_is_put_in_the_rooms_order_too() {
    let mut chat = Chat::new(None);
    chat.engine.settings.sections.values_mut().for_each(|s| {
        s.draft =
            pspm_config::draft::split_from(pspm_config::draft::Format::Text, "One.\n\nTwo.", 1)
    });
    chat.apply(Input::Tick);
    chat.apply(Input::ItemPosted {
        room_id: ROOM.into(),
        item: "§1.2".into(),
        event_id: "$p2".into(),
    });
    let (newer, _) = chat.react(BOB, "$p2", "👎");
    let (late, _) = chat.react(BOB, "$p2", "👍");
    let tally = |chat: &Chat| {
        let t = chat.engine.state().consultation.tally("§1.2");
        (t.support, t.oppose)
    };
    assert_eq!(tally(&chat), (1, 0), "as it arrived");
    chat.apply(room_order(
        &[
            (late.as_str(), BOB, Some("$p2")),
            (newer.as_str(), BOB, Some("$p2")),
        ],
        &[],
    ));
    assert_eq!(tally(&chat), (0, 1), "the newer 👎 stands");
    chat.redact(BOB, &newer);
    assert_eq!(tally(&chat), (1, 0));
}
