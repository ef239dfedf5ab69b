//! Secret ballots as chat: five voters in their DMs, one changing their ballot, one too
//! late; the tally and the receipts at the close, and no voter named anywhere the ballots
//! went: the room, the export, the changes the store keeps.

use chrono::{DateTime, TimeZone, Utc};

use super::export::{Export, Format, Visibility};
use super::tests::settings;
use super::*;

const ROOM: &str = "!section:ministry.test";
const MODERATOR: &str = "@mod:ministry.test";
const VOTERS: [&str; 5] = [
    "@ada:ministry.test",
    "@bruno:agency.test",
    "@carla:agency.test",
    "@dario:ministry.test",
    "@elena:agency.test",
];
const LATE: &str = "@fabio:ministry.test";
/// Proposes; the export names authors, so not a voter here.
const AUTHOR: &str = "@paola:ministry.test";

struct Bot {
    engine: Engine,
    persisted: Vec<Change>,
    sent: usize,
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 10, 8, 0, 0).unwrap()
}

fn dm(user: &str) -> String {
    format!("!dm-{}", &user[1..])
}

impl Bot {
    fn new() -> Bot {
        Bot {
            engine: Engine::new(settings(Language::En), State::default()),
            persisted: Vec::new(),
            sent: 0,
        }
    }

    fn apply(&mut self, input: Input) -> Effects {
        let effects = self.engine.apply(input, now());
        self.persisted.extend(effects.changes.iter().cloned());
        effects
    }

    fn message(&mut self, room: &str, sender: &str, body: &str) -> Effects {
        self.sent += 1;
        let event_id = format!("$m{}", self.sent);
        self.event(&event_id, room, sender, body)
    }

    /// `body` as event `event_id` (the same event again, as a replay after a crash sends it).
    fn event(&mut self, event_id: &str, room: &str, sender: &str, body: &str) -> Effects {
        self.apply(Input::Message(Message {
            event_id: event_id.into(),
            room_id: room.into(),
            sender: sender.into(),
            sent_at_ms: now().timestamp_millis() - 50,
            body: body.into(),
            thread_root: None,
            reply_to: None,
            quoted: None,
        }))
    }

    fn say(&mut self, room: &str, sender: &str, body: &str) -> String {
        self.message(room, sender, body).replies[0]
            .text
            .body
            .clone()
    }

    fn direct(&mut self, user: &str) {
        self.apply(Input::DirectRoom {
            room_id: dm(user),
            user: user.into(),
        });
    }
}

/// The receipt a ballot's reply gives, between backticks after "Receipt: ".
fn receipt_in(reply: &str) -> String {
    let rest = reply
        .split("Receipt: `")
        .nth(1)
        .unwrap_or_else(|| panic!("{reply}"));
    rest.split('`').next().unwrap_or_default().to_owned()
}

#[test]
fn five_voters_in_their_dms_one_changes_one_too_late() {
    let mut bot = Bot::new();
    for title in [
        "Open the bus data",
        "Publish the budget",
        "Map the cycle lanes",
    ] {
        bot.say(ROOM, AUTHOR, &format!("!propose {title}"));
    }
    let opened = bot.message(ROOM, MODERATOR, "!prioritise secret 2");
    assert!(opened.polls.is_empty(), "no native poll with visible votes");
    assert_eq!(
        opened.replies[0].text.body,
        "Secret ballot 1 on “Dati” is open: pick up to 2 of these options in your DM with me, \
         with `!ballot 1 1,3` (option numbers). Nobody sees who voted what; the tally and the \
         receipts come at `!close 1`.\n\
         1. #1 Open the bus data\n2. #2 Publish the budget\n3. #3 Map the cycle lanes"
    );
    // Participants may not open one.
    assert_eq!(
        bot.say(ROOM, VOTERS[1], "!prioritise secret"),
        "Only moderators can use this command."
    );

    // A ballot typed in the room is not counted; the bot opens a DM.
    let in_room = bot.message(ROOM, VOTERS[0], "!ballot 1 1");
    assert!(in_room.changes.is_empty());
    assert_eq!(in_room.open_directs, [VOTERS[0]]);
    assert!(in_room.replies[0]
        .text
        .body
        .starts_with("Ballots are secret"));

    for voter in VOTERS.iter().chain([&LATE]) {
        bot.direct(voter);
    }
    // Bad ballots: a clear reply, nothing kept.
    for (bad, reply) in [
        (
            "!ballot 1 1,2,3",
            "Pick at most 2 options. Nothing was counted.",
        ),
        (
            "!ballot 1 4",
            "There is no option 4: the options go from 1 to 3. Nothing was counted.",
        ),
        (
            "!ballot 1 one",
            "Write your choices as option numbers from 1 to 3, e.g. `1,3`. Nothing was counted.",
        ),
        ("!ballot 9 1", "There is no secret ballot 9."),
    ] {
        let effects = bot.message(&dm(VOTERS[0]), VOTERS[0], bad);
        assert!(effects.changes.is_empty(), "{bad}");
        assert_eq!(effects.replies[0].text.body, reply);
    }
    assert!(bot.say(&dm(VOTERS[0]), VOTERS[0], "!ballot 1").ends_with(
        "Options:\n1. #1 Open the bus data\n2. #2 Publish the budget\n3. #3 Map the cycle lanes"
    ));

    // Choices (option numbers): #1 gets 4, #2 gets 2, #3 gets 1 once Dario changes his mind.
    let choices = ["1,2", "1", "1 2", "3", "1"];
    let mut receipts = Vec::new();
    for (voter, choice) in VOTERS.iter().zip(choices) {
        let reply = bot.say(&dm(voter), voter, &format!("!ballot 1 {choice}"));
        receipts.push(receipt_in(&reply));
    }
    let changed = bot.say(&dm(VOTERS[3]), VOTERS[3], "!ballot 1 1");
    assert!(
        changed.starts_with("Your ballot in secret ballot 1: 1. #1 Open the bus data. Receipt: `"),
        "{changed}"
    );
    let void = std::mem::replace(&mut receipts[3], receipt_in(&changed));
    assert_ne!(void, receipts[3]);
    let mut unique = receipts.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 5, "{receipts:?}");
    // No results before the close, even in the export.
    let open = serde_json::to_string(&Export::build(
        &bot.engine.settings,
        bot.engine.state(),
        Visibility::Full,
        now(),
    ))
    .unwrap();
    assert!(
        open.contains(r#""secret":true"#) && open.contains(r#""results":[]"#),
        "{open}"
    );

    let close = bot.message(ROOM, MODERATOR, "!close 1");
    let closed = close.replies[0].text.body.clone();
    let tally = close.replies[0]
        .secret_tally
        .clone()
        .expect("the close carries its receipts");
    let lines: Vec<&str> = closed.lines().collect();
    assert_eq!(
        lines[..5],
        [
            "Secret ballot 1 closed: 5 ballots. Ranking:",
            "1. #1 Open the bus data — 5 votes",
            "2. #2 Publish the budget — 2 votes",
            "3. #3 Map the cycle lanes — 0 votes",
            "Receipts of the ballots counted, with their choices:",
        ]
    );
    let published: Vec<&str> = lines[5..].to_vec();
    assert_eq!(published.len(), 5, "{closed}");
    for (receipt, choice) in receipts.iter().zip(["#1, #2", "#1", "#1, #2", "#1", "#1"]) {
        assert!(
            published.contains(&format!("`{receipt}`: {choice}").as_str()),
            "{receipt} {choice} in {closed}"
        );
    }
    assert!(
        !closed.contains(&void),
        "the replaced ballot's receipt is void"
    );

    let late = bot.message(&dm(LATE), LATE, "!ballot 1 2");
    assert!(late.changes.is_empty());
    assert_eq!(
        late.replies[0].text.body,
        "Secret ballot 1 is closed: your ballot was not counted."
    );

    // No voter is named: not in the room, not in the export, not in what the store keeps.
    let export = Export::build(
        &bot.engine.settings,
        bot.engine.state(),
        Visibility::Full,
        now(),
    );
    let json = serde_json::to_string(&export).unwrap();
    let csv: String = export
        .render(Format::Csv, bot.engine.settings().catalogue())
        .into_iter()
        .map(|file| file.content)
        .collect();
    assert!(json.contains(r#""receipts":[{"receipt":"#), "{json}");
    assert!(json.contains(r#""results":[{"proposal":1,"votes":5},{"proposal":2,"votes":2},{"proposal":3,"votes":0}]"#), "{json}");
    let ballots: Vec<&Change> = bot
        .persisted
        .iter()
        .filter(|c| matches!(c, Change::SecretPoll(_)))
        .collect();
    assert_eq!(ballots.len(), 1 + 6 + 1, "open, six ballots, close");
    let Some(Change::SecretPoll(last)) = ballots.last() else {
        unreachable!()
    };
    assert!(last.secret.is_none() && last.ballots.is_empty());
    assert_eq!(last.receipts.len(), 5);
    for voter in VOTERS.iter().chain([&LATE]) {
        let name = &voter[1..voter.find(':').unwrap()];
        assert!(!closed.contains(name), "{voter} in the close");
        assert!(!json.contains(voter), "{voter} in the export");
        assert!(!csv.contains(voter), "{voter} in the CSV export");
        for change in &ballots {
            assert!(
                !format!("{change:?}").contains(voter),
                "{voter} in {change:?}"
            );
        }
    }

    // The fold of what was persisted is the state: a restart keeps the closed tally.
    let mut state = State::default();
    for change in &bot.persisted {
        state.apply_change(change);
    }
    assert_eq!(state.secret_polls, bot.engine.state().secret_polls);

    // A rebuild replays the room, not the DMs: the close closes an empty ballot, and the
    // bot's close message, coming back, brings the receipts, so the export is the same.
    let mut rebuilt = Bot::new();
    for title in [
        "Open the bus data",
        "Publish the budget",
        "Map the cycle lanes",
    ] {
        rebuilt.say(ROOM, AUTHOR, &format!("!propose {title}"));
    }
    rebuilt.say(ROOM, MODERATOR, "!prioritise secret 2");
    rebuilt.say(ROOM, VOTERS[0], "!ballot 1 1");
    rebuilt.say(ROOM, MODERATOR, "!close 1");
    let back = rebuilt.apply(Input::SecretTallied {
        room_id: ROOM.into(),
        tally: tally.clone(),
    });
    assert_eq!(back.changes.len(), 1);
    let again = rebuilt.apply(Input::SecretTallied {
        room_id: ROOM.into(),
        tally,
    });
    assert!(
        again.changes.is_empty(),
        "live, the result is already there"
    );
    let export = |bot: &Bot| {
        let export = Export::build(
            &bot.engine.settings,
            bot.engine.state(),
            Visibility::Full,
            now(),
        );
        serde_json::to_value(&export.polls).unwrap()
    };
    assert_eq!(export(&rebuilt), export(&bot));
}

#[test]
fn a_ballot_applied_again_counts_once_with_the_same_receipt() {
    let mut bot = Bot::new();
    for title in ["Open the bus data", "Publish the budget"] {
        bot.say(ROOM, AUTHOR, &format!("!propose {title}"));
    }
    bot.say(ROOM, MODERATOR, "!prioritise secret 1");
    bot.direct(VOTERS[0]);
    let first = bot.event("$ballot", &dm(VOTERS[0]), VOTERS[0], "!ballot 1 2");
    let again = bot.event("$ballot", &dm(VOTERS[0]), VOTERS[0], "!ballot 1 2");
    assert_eq!(first.replies[0].text.body, again.replies[0].text.body);
    assert_eq!(
        first.changes, again.changes,
        "the same record: nothing counted twice"
    );
    let closed = bot.say(ROOM, MODERATOR, "!close");
    assert!(
        closed.starts_with(
            "Secret ballot 1 closed: 1 ballot. Ranking:\n1. #2 Publish the budget — 1 vote\n"
        ),
        "{closed}"
    );
}
