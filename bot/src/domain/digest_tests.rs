//! Personal digests with a fixed clock: two subscribers get the right items in their DMs,
//! once per period, nothing when nothing changed, and not again after a restart (the engine
//! rebuilt from the changes it persisted).

use chrono::{DateTime, Utc};

use super::dated_tests::{rome_at, DatedBot, ROOM};
use super::monitoring_tests::plan;
use super::tests::settings;
use super::*;

const MODERATOR: &str = "@mod:ministry.test";
const ALICE: &str = "@alice:ministry.test";
/// Owns action A.2 (due 2026-06-20) in the test plan.
const OWNER: &str = "@owner:agency.test";
const COMMENTER: &str = "@carla:agency.test";

fn rome(d: u32, hour: u32) -> DateTime<Utc> {
    rome_at(d, hour, 0)
}

type Bot = DatedBot;

impl DatedBot {
    /// The digests a tick at `now` sends: (room, text).
    fn tick(&mut self, now: DateTime<Utc>) -> Vec<(String, String)> {
        self.apply(Input::Tick, now)
            .notices
            .into_iter()
            .filter(|n| n.key.starts_with(digest::KEY_PREFIX))
            .map(|n| (n.room_id, n.text.body))
            .collect()
    }
}

fn bot_settings() -> Settings {
    let mut settings = settings(Language::En);
    settings.monitoring = plan();
    settings
}

fn dm(user: &str) -> String {
    format!("!dm-{}", &user[1..])
}

#[test]
fn subscribing_replies_where_typed_and_asks_for_a_dm_once() {
    let mut bot = Bot::new(bot_settings());
    let now = rome(8, 10);
    assert_eq!(
        bot.say(now, ALICE, "!digest"),
        "You get no digest. To get one: `!digest daily` or `!digest weekly`, optionally followed by section IDs."
    );
    let effects = bot.message(now, ROOM, ALICE, "!digest daily", None);
    assert_eq!(
        effects.replies[0].text.body,
        "Digest daily for all sections; you get it in your DM with me."
    );
    assert_eq!(effects.open_directs, [ALICE]);
    // Bad input: a clear reply, nothing recorded, no DM asked for.
    for bad in [
        "!digest hourly",
        "!digest weekly nowhere",
        "!digest off now",
    ] {
        let effects = bot.message(now, ROOM, OWNER, bad, None);
        assert!(effects.changes.is_empty(), "{bad}");
        assert!(effects.open_directs.is_empty(), "{bad}");
        assert!(!effects.replies[0].text.body.is_empty(), "{bad}");
    }
    assert_eq!(
        bot.say(now, OWNER, "!digest weekly nowhere"),
        "There is no section “nowhere”. Sections: `dati`. Nothing changed."
    );
    assert_eq!(
        bot.say(now, OWNER, "!digest weekly dati"),
        "Digest weekly for Dati; you get it in your DM with me."
    );
    assert_eq!(
        bot.say(now, OWNER, "!digest"),
        "You get the weekly digest for Dati. To stop it: `!digest off`."
    );
    // Once the DM is known, a new subscription asks for none, and it is accepted there.
    bot.apply(
        Input::DirectRoom {
            room_id: dm(ALICE),
            user: ALICE.into(),
        },
        now,
    );
    let effects = bot.message(now, &dm(ALICE), ALICE, "!digest weekly", None);
    assert_eq!(
        effects.replies[0].text.body,
        "Digest weekly for all sections; you get it in your DM with me."
    );
    assert!(effects.open_directs.is_empty());
    // Someone else's DM is no plan room: refused, nothing recorded.
    let effects = bot.message(now, &dm(ALICE), OWNER, "!digest off", None);
    assert!(effects.changes.is_empty());
    assert_eq!(
        bot.say(now, ALICE, "!digest off"),
        "Digest off: I send you no more digests."
    );
    assert_eq!(
        bot.say(now, ALICE, "!digest").split('.').next(),
        Some("You get no digest")
    );
}

#[test]
fn each_subscriber_gets_their_news_once_per_period_in_their_dm() {
    let mut bot = Bot::new(bot_settings());
    // Monday June 8th: a proposal from Alice, then two subscriptions.
    let proposed = bot.message(rome(8, 9), ROOM, ALICE, "!propose Open the bus data", None);
    let proposal_event = proposed.replies[0].in_reply_to.clone();
    bot.say(rome(8, 10), ALICE, "!digest daily");
    bot.say(rome(8, 10), OWNER, "!digest weekly dati");
    // No DM yet: nothing to send, nothing recorded, the next tick tries again.
    assert!(bot.tick(rome(8, 11)).is_empty());
    for user in [ALICE, OWNER] {
        bot.apply(
            Input::DirectRoom {
                room_id: dm(user),
                user: user.into(),
            },
            rome(8, 11),
        );
    }
    let first = bot.tick(rome(8, 11));
    assert_eq!(first.len(), 2, "{first:?}");
    let alice = &first.iter().find(|(room, _)| room == &dm(ALICE)).unwrap().1;
    assert_eq!(
        alice,
        "Your daily digest of Piano — 2026-06-08\nNew proposal #1 in Dati: Open the bus data"
    );
    let owner = &first.iter().find(|(room, _)| room == &dm(OWNER)).unwrap().1;
    assert_eq!(
        owner,
        "Your weekly digest of Piano — 2026-06-08\nNew proposal #1 in Dati: Open the bus data",
        "A.2, theirs, is due on the 20th: beyond 7 days"
    );
    // Once per period, also after a restart.
    assert!(bot.tick(rome(8, 18)).is_empty());
    bot.restart();
    assert!(bot.tick(rome(8, 19)).is_empty());
    // Tuesday: nothing changed for Alice, no message; the weekly one is not due.
    assert!(bot.tick(rome(9, 9)).is_empty());
    // A moderator answers Alice's proposal and someone comments on it.
    bot.say(
        rome(9, 10),
        MODERATOR,
        "!answer 1 The data office takes it on",
    );
    bot.message(
        rome(9, 11),
        ROOM,
        COMMENTER,
        "Timetables too, please",
        Some(&proposal_event),
    );
    let wednesday = bot.tick(rome(10, 9));
    assert_eq!(wednesday.len(), 1, "{wednesday:?}");
    assert_eq!(
        wednesday[0],
        (
            dm(ALICE),
            "Your daily digest of Piano — 2026-06-10\n\
             Your proposal #1 Open the bus data is now open; the moderators' answer: The data office takes it on\n\
             1 new comment on your proposal #1 Open the bus data"
                .to_owned()
        )
    );
    bot.restart();
    assert!(bot.tick(rome(10, 20)).is_empty());
    // Next Monday the weekly digest is due again: what is late or due soon for its owner.
    let monday = bot.tick(rome(15, 9));
    let owner = &monday
        .iter()
        .find(|(room, _)| room == &dm(OWNER))
        .unwrap()
        .1;
    assert!(
        owner.starts_with("Your weekly digest of Piano — 2026-06-15"),
        "{owner}"
    );
    assert!(owner.contains("Due within 7 days: `A.2`"), "{owner}");
    assert!(
        !owner.contains("New proposal"),
        "nothing new since the 8th: {owner}"
    );
    assert!(
        monday.iter().all(|(room, _)| room != &dm(ALICE)),
        "nothing new for Alice: {monday:?}"
    );
}
