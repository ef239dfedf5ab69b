//! Trust rules on crafted events: roles only from the plan's rooms, redactions of others'
//! votes, servers not admitted ignored and told once per server and room.

use chrono::{TimeZone, Utc};

use super::*;

const DATI: &str = "!dati:ministry.test";
const SERVIZI: &str = "!servizi:ministry.test";
const SPACE: &str = super::tests::SPACE;
/// A room a participant created herself (power level 100 there) and invited the bot to.
const HER_ROOM: &str = "!hers:agency.test";
const MOD: &str = "@mod:ministry.test";
const ALICE: &str = "@alice:agency.test";
const BOB: &str = "@bob:agency.test";

struct Chat {
    engine: Engine,
    clock: i64,
}

impl Chat {
    fn new() -> Chat {
        let mut settings = super::tests::settings_for(DATI, Language::En);
        settings.live_since_ms = 0;
        settings.sections.insert(
            SERVIZI.to_owned(),
            SectionSettings {
                id: "servizi".into(),
                position: 1,
                title: "Servizi".into(),
                description: String::new(),
                default_phase: Phase::Consultation,
                max_supports: None,
                draft: Vec::new(),
            },
        );
        Chat {
            engine: Engine::new(settings, State::default()),
            clock: 1_000,
        }
    }

    fn apply(&mut self, input: Input) -> Effects {
        self.clock += 1_000;
        let now = Utc.timestamp_millis_opt(self.clock).single().expect("time");
        self.engine.apply(input, now)
    }

    fn say(&mut self, room: &str, sender: &str, body: &str) -> Effects {
        let effects = self.apply(Input::Message(Message {
            event_id: format!("$m{}", self.clock),
            room_id: room.into(),
            sender: sender.into(),
            sent_at_ms: self.clock,
            body: body.into(),
            thread_root: None,
            reply_to: None,
            quoted: None,
        }));
        if let Some(number) = effects.replies.iter().find_map(|r| r.card_for) {
            self.apply(Input::CardPosted {
                room_id: room.into(),
                number,
                event_id: format!("$card{number}"),
            });
        }
        effects
    }

    fn react(&mut self, room: &str, sender: &str, target: &str, key: &str) -> (String, Effects) {
        let event_id = format!("$r{}", self.clock);
        let effects = self.apply(Input::Reaction(Reacted {
            event_id: event_id.clone(),
            room_id: room.into(),
            sender: sender.into(),
            target: target.into(),
            key: key.into(),
            at_ms: self.clock,
        }));
        (event_id, effects)
    }

    fn power(&mut self, room: &str, user: &str, level: i64) -> Effects {
        self.apply(Input::PowerLevels {
            room_id: room.into(),
            levels: PowerLevels {
                users: [(user.to_owned(), level)].into(),
                users_default: 0,
            },
        })
    }

    fn tally(&self, number: u32) -> (u32, u32) {
        let tally = self.engine.state().participation.tally(number).total;
        (tally.support, tally.oppose)
    }
}

fn body(effects: &Effects) -> String {
    effects
        .replies
        .iter()
        .map(|r| r.text.body.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn power_in_a_room_of_her_own_grants_nothing_even_after_raising_it() {
    let mut chat = Chat::new();
    chat.say(DATI, BOB, "!propose Open data catalogue");
    let before = chat.engine.state().clone();
    for attempt in 0..2 {
        // She created the room (100) and then sends a fresh power-levels event there.
        let kept = chat.power(HER_ROOM, ALICE, 100 + attempt);
        assert!(
            kept.changes.is_empty(),
            "levels of other rooms are not kept"
        );
        for command in [
            "!phase closed all",
            "!hide 1 x",
            "!accept 1",
            "!export json full",
        ] {
            let effects = chat.say(HER_ROOM, ALICE, command);
            assert!(effects.changes.is_empty(), "{command}");
            assert!(effects.files.is_empty(), "{command}");
            assert_eq!(
                body(&effects),
                "Only moderators can use this command.",
                "{command}"
            );
        }
        assert_eq!(chat.engine.role(HER_ROOM, ALICE), Role::Participant);
        assert_eq!(chat.engine.role(DATI, ALICE), Role::Participant);
    }
    assert_eq!(chat.engine.state(), &before);
}

#[test]
fn the_space_makes_moderators_of_every_section_and_a_section_only_of_itself() {
    let mut chat = Chat::new();
    chat.say(DATI, BOB, "!propose Open data catalogue");
    chat.say(SERVIZI, BOB, "!propose Digital services");
    // Alice moderates the Servizi room only: she cannot accept a Dati proposal from there.
    chat.power(SERVIZI, ALICE, 50);
    assert_eq!(chat.engine.role(SERVIZI, ALICE), Role::Moderator);
    assert_eq!(chat.engine.role(DATI, ALICE), Role::Participant);
    let refused = chat.say(SERVIZI, ALICE, "!accept 1");
    assert_eq!(body(&refused), "Only moderators can use this command.");
    assert!(refused.changes.is_empty());
    let accepted = chat.say(SERVIZI, ALICE, "!accept 2");
    assert_eq!(accepted.changes.len(), 1, "{}", body(&accepted));
    // Power in the Space counts everywhere in the plan.
    chat.power(SPACE, BOB, 50);
    assert_eq!(chat.engine.role(DATI, BOB), Role::Moderator);
    assert_eq!(chat.engine.role(SERVIZI, BOB), Role::Moderator);
    assert_eq!(chat.say(DATI, BOB, "!accept 1").changes.len(), 1);
}

#[test]
fn outside_the_plan_rooms_a_moderator_may_read_but_not_change_the_plan() {
    let mut chat = Chat::new();
    chat.say(DATI, BOB, "!propose Open data catalogue");
    let refused = chat.say(HER_ROOM, MOD, "!accept 1");
    assert!(refused.changes.is_empty());
    assert!(
        body(&refused).contains("use it in the plan's rooms"),
        "{}",
        body(&refused)
    );
    let shown = chat.say(HER_ROOM, MOD, "!show 1");
    assert!(
        body(&shown).contains("Open data catalogue"),
        "{}",
        body(&shown)
    );
    let export = chat.say(HER_ROOM, MOD, "!export json");
    assert_eq!(export.files.len(), 1, "reading the plan is fine anywhere");
}

#[test]
fn only_the_voter_or_a_moderator_can_withdraw_a_vote_by_redaction() {
    let mut chat = Chat::new();
    chat.say(DATI, BOB, "!propose Open data catalogue");
    let (alice_vote, _) = chat.react(DATI, ALICE, "$card1", "👍");
    let (bob_vote, _) = chat.react(DATI, BOB, "$card1", "👍");
    assert_eq!(chat.tally(1), (2, 0));
    // Bob redacts Alice's reaction (the room lets anyone redact): her vote stays.
    let effects = chat.apply(Input::Redaction {
        room_id: DATI.into(),
        sender: BOB.into(),
        redacts: alice_vote.clone(),
    });
    assert!(effects.changes.is_empty());
    assert_eq!(chat.tally(1), (2, 0));
    // Bob's own redaction withdraws his vote; a moderator's withdraws Alice's.
    chat.apply(Input::Redaction {
        room_id: DATI.into(),
        sender: BOB.into(),
        redacts: bob_vote,
    });
    assert_eq!(chat.tally(1), (1, 0));
    chat.apply(Input::Redaction {
        room_id: DATI.into(),
        sender: MOD.into(),
        redacts: alice_vote,
    });
    assert_eq!(chat.tally(1), (0, 0));
}

#[test]
fn a_server_not_admitted_is_ignored_and_told_once_per_room_whatever_its_user_ids() {
    let mut chat = Chat::new();
    chat.say(DATI, BOB, "!propose Open data catalogue");
    let (bob_vote, _) = chat.react(DATI, BOB, "$card1", "👍");
    chat.apply(Input::PollResponse(PollAnswered {
        event_id: "$nothing".into(),
        room_id: DATI.into(),
        sender: BOB.into(),
        start: "$no-poll".into(),
        answers: vec![],
        at_ms: 0,
    }));
    let before = chat.engine.state().clone();
    let mut notices = 0;
    let mut changes = Vec::new();
    for i in 0..500 {
        let rogue = format!("@user{i}:rogue.test");
        for effects in [
            chat.say(DATI, &rogue, "!propose Spam"),
            chat.react(DATI, &rogue, "$card1", "👎").1,
            chat.apply(Input::Redaction {
                room_id: DATI.into(),
                sender: rogue.clone(),
                redacts: bob_vote.clone(),
            }),
            chat.apply(Input::Edit(Edited {
                event_id: format!("$edit{i}"),
                room_id: DATI.into(),
                sender: rogue.clone(),
                original: "$m1000".into(),
                new_body: "!propose Changed".into(),
                at_ms: chat.clock,
            })),
        ] {
            notices += effects.replies.len();
            changes.extend(effects.changes);
        }
    }
    assert_eq!(notices, 1, "one notice for the server in this room");
    assert_eq!(
        changes,
        [Change::ToldServerNotAllowed {
            room_id: DATI.into(),
            server: "rogue.test".into()
        }],
        "nothing stored per user"
    );
    assert_eq!(chat.tally(1), (1, 0));
    assert_eq!(chat.engine.state().participation, before.participation);
    // Another room gets its own notice, once.
    let elsewhere: usize = (0..3)
        .map(|i| {
            chat.say(SERVIZI, &format!("@other{i}:rogue.test"), "!ping")
                .replies
                .len()
        })
        .sum();
    assert_eq!(elsewhere, 1);
}
