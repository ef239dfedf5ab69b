//! A person's DM with the bot: personal commands work there (`!proposals mine` across the
//! plan, `!actions mine`, `!language`, `!digest`, `!help`), and a command that changes the
//! plan is answered with the rooms it belongs in, changing nothing.

use chrono::{DateTime, TimeZone, Utc};

use super::monitoring_tests::plan;
use super::tests::settings;
use super::*;

const ROOM: &str = "!section:ministry.test";
const ALICE: &str = "@alice:ministry.test";
const MODERATOR: &str = "@mod:ministry.test";
/// Owns action A.2 alone; their organisation (Agenzia) owns A.1.
const OWNER: &str = "@owner:agency.test";

struct Bot {
    engine: Engine,
    sent: usize,
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 10, 8, 0, 0).unwrap()
}

fn dm(user: &str) -> String {
    format!("!dm-{}", &user[1..])
}

impl Bot {
    /// The test plan, with a DM known for Alice, the owner and the moderator.
    fn new() -> Bot {
        let mut settings = settings(Language::En);
        settings.monitoring = plan();
        let mut engine = Engine::new(settings, State::default());
        for user in [ALICE, OWNER, MODERATOR] {
            let direct = Input::DirectRoom {
                room_id: dm(user),
                user: user.into(),
            };
            engine.apply(direct, now());
        }
        Bot { engine, sent: 0 }
    }

    /// `body` from `sender` in `room`: the reply's text and the changes recorded.
    fn message(&mut self, room: &str, sender: &str, body: &str) -> (String, Vec<Change>) {
        self.sent += 1;
        let message = Message {
            event_id: format!("$m{}", self.sent),
            room_id: room.into(),
            sender: sender.into(),
            sent_at_ms: now().timestamp_millis() - 50,
            body: body.into(),
            thread_root: None,
            reply_to: None,
            quoted: None,
        };
        let effects = self.engine.apply(Input::Message(message), now());
        (effects.replies[0].text.body.clone(), effects.changes)
    }

    /// `body` typed by `sender` in their DM with the bot.
    fn in_dm(&mut self, sender: &str, body: &str) -> (String, Vec<Change>) {
        self.message(&dm(sender), sender, body)
    }
}

#[test]
fn plan_commands_in_a_dm_name_their_rooms_and_change_nothing() {
    let mut bot = Bot::new();
    bot.message(ROOM, ALICE, "!propose Open the bus data");
    let section_only = [
        ("!propose More bike lanes", "!propose"),
        ("!vote 1 +", "!vote"),
        ("!withdraw 1", "!withdraw"),
        ("!prioritise 2 5", "!prioritise"),
        ("!close", "!close"),
    ];
    for (typed, command) in section_only {
        let (reply, changes) = bot.in_dm(MODERATOR, typed);
        assert_eq!(
            reply,
            format!(
                "`{command}` belongs in a section room of the plan «Piano»: \
                 #pt.dati:ministry.test. Nothing was changed here."
            ),
            "{typed}"
        );
        assert!(changes.is_empty(), "{typed}: {changes:?}");
    }
    let (reply, changes) = bot.in_dm(MODERATOR, "!accept 1");
    assert_eq!(
        reply,
        "`!accept` belongs in the rooms of the plan «Piano»: its Space #pt:ministry.test \
         or a section room (#pt.dati:ministry.test). Nothing was changed here."
    );
    assert!(changes.is_empty());
    // A participant's plan command is answered the same way, not with "moderators only".
    let (reply, _) = bot.in_dm(ALICE, "!progress A.2 50");
    assert!(
        reply.starts_with("`!progress` belongs in the rooms"),
        "{reply}"
    );
    // The proposal is still there, unvoted, as in the room.
    let (shown, _) = bot.message(ROOM, ALICE, "!proposals");
    assert!(shown.contains("#1 Open the bus data — 👍 0"), "{shown}");
}

#[test]
fn personal_commands_work_in_a_dm() {
    let mut bot = Bot::new();
    bot.message(ROOM, ALICE, "!propose Open the bus data");
    bot.message(ROOM, OWNER, "!propose Publish the budget");
    bot.message(ROOM, ALICE, "!propose Map the cycle lanes");
    let (mine, changes) = bot.in_dm(ALICE, "!proposals mine");
    assert!(changes.is_empty());
    let lines: Vec<&str> = mine.lines().collect();
    assert_eq!(lines[0], "Your proposals in the plan «Piano» (2):");
    assert!(lines[1].starts_with("#3 Map the cycle lanes"), "{mine}");
    assert!(lines[2].starts_with("#1 Open the bus data"), "{mine}");
    assert_eq!(lines.len(), 3, "{mine}");
    // Other orders still need a section room.
    let (top, _) = bot.in_dm(ALICE, "!proposals top");
    assert_eq!(top, "This command works in a plan section room.");

    let (actions, _) = bot.in_dm(OWNER, "!actions mine");
    assert!(
        actions.contains("`A.1`") && actions.contains("`A.2`") && !actions.contains("`A.3`"),
        "{actions}"
    );

    let (reply, changes) = bot.in_dm(ALICE, "!language it");
    assert_eq!(
        changes,
        [Change::ReplyLanguage {
            user: ALICE.into(),
            language: Language::It
        }]
    );
    assert!(!reply.contains("Nothing was changed"), "{reply}");
    let (reply, changes) = bot.in_dm(ALICE, "!digest weekly");
    assert_eq!(changes.len(), 1, "{reply}");
    let (help, _) = bot.in_dm(ALICE, "!help");
    assert!(help.contains("!proposals"), "{help}");
    // Someone else's DM is no DM of theirs: the plan-rooms refusal, nothing kept.
    let (_, changes) = bot.message(&dm(ALICE), OWNER, "!language it");
    assert!(changes.is_empty());
}
