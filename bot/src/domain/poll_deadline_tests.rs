//! Polls that close by themselves: `!prioritise … until <date>` (native and secret), closed
//! once at the end of that day in the plan's time zone, whatever tick comes after; a date
//! gone by is refused and changes nothing; digests list the polls closing within 2 days.

use chrono::{DateTime, Utc};

use super::dated_tests::{rome_at, DatedBot, ROOM};
use super::tests::settings;
use super::*;

const MODERATOR: &str = "@mod:ministry.test";
const ALICE: &str = "@alice:ministry.test";
const BOB: &str = "@bob:agency.test";

fn rome(d: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    rome_at(d, hour, minute)
}

/// Three proposals in the section, June 10th in the morning.
fn bot() -> DatedBot {
    let mut bot = DatedBot::new(settings(Language::En));
    for title in ["Open the bus data", "Publish the budget", "Map the lanes"] {
        bot.say(rome(10, 8, 0), ALICE, &format!("!propose {title}"));
    }
    bot
}

impl DatedBot {
    /// The notices and poll ends of polls closed by a tick at `now`.
    fn closed_by_tick(&mut self, now: DateTime<Utc>) -> (Vec<Notice>, Vec<PollEndPost>) {
        let effects = self.apply(Input::Tick, now);
        let notices = effects
            .notices
            .into_iter()
            .filter(|n| n.key.starts_with("poll-deadline-"))
            .collect();
        (notices, effects.poll_ends)
    }
}

#[test]
fn a_poll_with_a_deadline_closes_by_itself_once_at_the_end_of_its_day() {
    let mut bot = bot();
    let opened = bot.say(rome(10, 9, 0), MODERATOR, "!prioritise 2 until 2026-06-12");
    assert_eq!(
        opened,
        "Priority poll 1 is open: pick up to 2 proposals. It closes with `!close`.\n\
         It closes by itself at the end of 2026-06-12 (or earlier with `!close`)."
    );
    let poll = bot.engine.state().polls.polls[&1].clone();
    assert_eq!(
        poll.closes_ms,
        Some(rome(13, 0, 0).timestamp_millis()),
        "the next midnight in Rome"
    );
    bot.apply(
        Input::PollPosted {
            room_id: ROOM.into(),
            poll_id: 1,
            event_id: "$start1".into(),
        },
        rome(10, 9, 0),
    );
    let answer = poll.answers[0].0.clone();
    bot.apply(
        Input::PollResponse(PollAnswered {
            room_id: ROOM.into(),
            sender: BOB.into(),
            event_id: "$r1".into(),
            start: "$start1".into(),
            answers: vec![answer],
            at_ms: rome(11, 9, 0).timestamp_millis(),
        }),
        rome(11, 9, 0),
    );

    assert_eq!(
        bot.closed_by_tick(rome(12, 23, 59)).0.len(),
        0,
        "still open"
    );
    bot.restart();
    let (notices, ends) = bot.closed_by_tick(rome(13, 0, 5));
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].room_id, ROOM);
    let lines: Vec<&str> = notices[0].text.body.lines().collect();
    assert_eq!(lines[0], "Poll 1 closed by itself, at its deadline.");
    assert_eq!(
        lines[1],
        "Poll 1 closed: 1 voter, 0 spoiled votes. Ranking:"
    );
    assert!(
        lines[2].starts_with("1. #1 Open the bus data — 1 vote"),
        "{lines:?}"
    );
    assert_eq!(ends.len(), 1);
    assert_eq!(ends[0].start, "$start1");
    let closed = &bot.engine.state().polls.polls[&1];
    assert_eq!(closed.closed_ms, Some(rome(13, 0, 0).timestamp_millis()));

    // Once: not at the next tick, nor after a restart.
    assert_eq!(bot.closed_by_tick(rome(13, 0, 6)).0.len(), 0);
    bot.restart();
    assert_eq!(bot.closed_by_tick(rome(14, 9, 0)).0.len(), 0);
    // The bot's own poll end, back through sync, records where the end stands.
    let effects = bot.apply(
        Input::PollEnded {
            room_id: ROOM.into(),
            sender: "@pspm:ministry.test".into(),
            event_id: "$end1".into(),
            start: "$start1".into(),
            at_ms: rome(13, 0, 7).timestamp_millis(),
        },
        rome(13, 0, 7),
    );
    assert_eq!(effects.changes.len(), 1);
    assert_eq!(
        bot.engine.state().polls.polls[&1].closed_by.as_deref(),
        Some("$end1")
    );
}

#[test]
fn a_secret_ballot_with_a_deadline_posts_its_tally_and_receipts_by_itself() {
    let mut bot = bot();
    let opened = bot.say(
        rome(10, 9, 0),
        MODERATOR,
        "!prioritise secret 1 until 2026-06-10",
    );
    assert!(
        opened
            .ends_with("It closes by itself at the end of 2026-06-10 (or earlier with `!close`)."),
        "{opened}"
    );
    bot.apply(
        Input::DirectRoom {
            room_id: "!dm-bob".into(),
            user: BOB.into(),
        },
        rome(10, 9, 0),
    );
    let ballot = bot.message(rome(10, 10, 0), "!dm-bob", BOB, "!ballot 1 2", None);
    let receipt = ballot.replies[0]
        .text
        .body
        .split("Receipt: `")
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .expect("a receipt")
        .to_owned();
    let (notices, ends) = bot.closed_by_tick(rome(11, 0, 1));
    assert!(ends.is_empty(), "a secret ballot has no Matrix poll to end");
    assert_eq!(notices.len(), 1);
    let text = &notices[0].text.body;
    assert!(
        text.starts_with(
            "Poll 1 closed by itself, at its deadline.\nSecret ballot 1 closed: 1 ballot."
        ),
        "{text}"
    );
    assert!(text.contains(&format!("`{receipt}`: #2")), "{text}");
    let tally = notices[0]
        .secret_tally
        .as_ref()
        .expect("the receipts for a rebuild");
    assert_eq!(tally.poll, 1);
    assert_eq!(tally.receipts.get(&receipt), Some(&vec![2]));
    assert!(bot.engine.state().secret_polls.polls[&1]
        .closed_ms
        .is_some());
    assert!(bot.closed_by_tick(rome(11, 0, 2)).0.is_empty());
}

#[test]
fn a_deadline_gone_by_or_malformed_is_refused_and_changes_nothing() {
    let mut bot = bot();
    let effects = bot.message(
        rome(10, 9, 0),
        ROOM,
        MODERATOR,
        "!prioritise until 2026-06-09",
        None,
    );
    assert!(effects.changes.is_empty() && effects.polls.is_empty());
    assert_eq!(
        effects.replies[0].text.body,
        "2026-06-09 has passed: give today or a day to come as the last day of voting (YYYY-MM-DD)."
    );
    let effects = bot.message(
        rome(10, 9, 0),
        ROOM,
        MODERATOR,
        "!prioritise 2 5 2026-13-40",
        None,
    );
    assert!(effects.changes.is_empty() && effects.polls.is_empty());
    assert!(
        effects.replies[0].text.body.contains("2026-13-40"),
        "{}",
        effects.replies[0].text.body
    );
    assert!(bot.engine.state().polls.polls.is_empty());
}

#[test]
fn digests_list_the_polls_closing_within_two_days() {
    let mut bot = bot();
    bot.say(rome(10, 8, 30), MODERATOR, "!prioritise 2 until 2026-06-12");
    bot.say(rome(10, 8, 31), MODERATOR, "!prioritise 2 until 2026-06-20");
    bot.say(
        rome(10, 8, 31),
        MODERATOR,
        "!prioritise secret 1 until 2026-06-11",
    );
    bot.say(rome(10, 8, 32), BOB, "!digest daily");
    bot.apply(
        Input::DirectRoom {
            room_id: "!dm-bob".into(),
            user: BOB.into(),
        },
        rome(10, 8, 33),
    );
    let digest = bot
        .apply(Input::Tick, rome(11, 9, 0))
        .notices
        .into_iter()
        .find(|n| n.key.starts_with(digest::KEY_PREFIX))
        .expect("a digest");
    let lines: Vec<&str> = digest.text.body.lines().collect();
    let polls: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.contains("closes on") || l.contains("poll") || l.contains("ballot"))
        .collect();
    assert_eq!(
        polls,
        [
            "New prioritisation poll #1 in Dati (3 proposals): vote in the room",
            "New prioritisation poll #2 in Dati (3 proposals): vote in the room",
            "New secret ballot #3 in Dati (3 proposals): vote in your DM with me, with `!ballot 3`",
            "Poll #3 in Dati closes on 2026-06-11: vote before it closes",
            "Poll #1 in Dati closes on 2026-06-12: vote before it closes",
        ],
        "{lines:?}"
    );
}
