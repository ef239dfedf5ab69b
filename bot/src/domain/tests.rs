//! Domain transcripts: messages in, replies out, no I/O.

use std::collections::HashMap;

use chrono::{DateTime, TimeZone, Utc};

use super::*;

const ROOM: &str = "!section:ministry.test";
/// The plan's Space.
pub(super) const SPACE: &str = "!space:ministry.test";

pub(super) fn settings(language: Language) -> Settings {
    settings_for(ROOM, language)
}

/// One section, `dati`, in `room`; a moderator by configuration; the agency's organisation.
pub(super) fn settings_for(room: &str, language: Language) -> Settings {
    Settings {
        language,
        bot_user: "@pspm:ministry.test".into(),
        moderators: ["@mod:ministry.test".to_owned()].into(),
        allowed_servers: ["ministry.test".to_owned(), "agency.test".to_owned()].into(),
        live_since_ms: 1_600_000_000_000,
        organisations: [("agency.test".to_owned(), "Agenzia".to_owned())].into(),
        sections: [(
            room.to_owned(),
            SectionSettings {
                id: "dati".into(),
                position: 0,
                title: "Dati".into(),
                description: String::new(),
                default_phase: Phase::Consultation,
                max_supports: None,
                draft: Vec::new(),
            },
        )]
        .into(),
        space_room: Some(SPACE.into()),
        max_title_chars: 200,
        max_description_chars: 5000,
        max_comment_chars: 4000,
        command_burst: 10,
        commands_per_minute: 0,
        plan_id: "pt".into(),
        plan_title: "Piano".into(),
        plan_description: String::new(),
        number_hints: HashMap::new(),
        monitoring: Default::default(),
        ballot_seed: [7; 32],
    }
}

pub(super) fn at(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().expect("valid time")
}

/// Runs a transcript of `(sender, body)` lines, each sent 1 s apart and processed 25 ms after
/// it was sent; returns the reply bodies (None where the bot stays silent).
fn transcript(engine: &mut Engine, lines: &[(&str, &str)]) -> Vec<Option<String>> {
    lines
        .iter()
        .enumerate()
        .map(|(i, (sender, body))| {
            let sent = 1_700_000_000_000 + i as i64 * 1000;
            let effects = engine.apply(
                Input::Message(Message {
                    event_id: format!("$e{i}"),
                    room_id: ROOM.into(),
                    sender: (*sender).into(),
                    sent_at_ms: sent,
                    body: (*body).into(),
                    thread_root: None,
                    reply_to: None,
                    quoted: None,
                }),
                at(sent + 25),
            );
            assert!(effects.replies.len() <= 1, "one reply per command at most");
            effects.replies.first().map(|reply| {
                assert_eq!(reply.in_reply_to, format!("$e{i}"));
                assert_eq!(reply.mentions, [sender.to_string()]);
                reply.text.body.clone()
            })
        })
        .collect()
}

fn engine(language: Language) -> Engine {
    Engine::new(settings(language), State::default())
}

#[test]
fn ping_and_help_in_italian() {
    let mut engine = engine(Language::It);
    let replies = transcript(
        &mut engine,
        &[
            ("@alice:agency.test", "!ping"),
            ("@alice:agency.test", "just chatting"),
            ("@alice:agency.test", "!help"),
            ("@alice:agency.test", "!help ping"),
            ("@alice:agency.test", "!boh"),
            ("@alice:agency.test", "!help boh"),
            ("@alice:agency.test", "!ping extra"),
        ],
    );
    assert_eq!(
        replies[0].as_deref(),
        Some("pong (ritardo di elaborazione: 25 ms)")
    );
    assert_eq!(replies[1], None);
    let help = replies[2].as_deref().unwrap_or_default();
    assert!(help.starts_with("Comandi disponibili"), "{help}");
    assert!(
        help.contains("`!ping` — verifica che il bot risponda"),
        "{help}"
    );
    assert!(replies[3]
        .as_deref()
        .unwrap_or_default()
        .contains("Risponde «pong»"));
    assert!(replies[4]
        .as_deref()
        .unwrap_or_default()
        .starts_with("Comando sconosciuto «!boh»"));
    assert!(replies[5]
        .as_deref()
        .unwrap_or_default()
        .contains("Non esiste il comando «boh»"));
    assert!(replies[6]
        .as_deref()
        .unwrap_or_default()
        .starts_with("Troppi argomenti per `!ping`"));
}

#[test]
fn english_catalogue_when_configured() {
    let mut engine = engine(Language::En);
    let replies = transcript(
        &mut engine,
        &[
            ("@bob:ministry.test", "!ping"),
            ("@bob:ministry.test", "!help"),
        ],
    );
    assert_eq!(replies[0].as_deref(), Some("pong (processing lag: 25 ms)"));
    assert!(replies[1]
        .as_deref()
        .unwrap_or_default()
        .starts_with("Commands available"));
}

#[test]
fn the_bot_ignores_itself() {
    let mut engine = engine(Language::It);
    assert_eq!(
        transcript(&mut engine, &[("@pspm:ministry.test", "!ping")]),
        [None]
    );
}

#[test]
fn senders_from_servers_not_allowed_are_told_once_and_ignored() {
    let mut engine = engine(Language::En);
    let replies = transcript(
        &mut engine,
        &[
            ("@eve:rogue.test", "!ping"),
            ("@eve:rogue.test", "!ping"),
            ("@eve:rogue.test", "!help"),
            ("@mallory:rogue.test", "hello"),
        ],
    );
    assert!(replies[0]
        .as_deref()
        .unwrap_or_default()
        .contains("rogue.test is not allowed"));
    assert_eq!(&replies[1..], [None, None, None]);
}

#[test]
fn role_comes_from_config_or_power_levels_never_from_names() {
    let mut engine = engine(Language::It);
    assert_eq!(engine.role(ROOM, "@mod:ministry.test"), Role::Moderator);
    assert_eq!(engine.role(ROOM, "@alice:agency.test"), Role::Participant);
    let levels = PowerLevels {
        users: [
            ("@alice:agency.test".to_owned(), 50),
            ("@bob:agency.test".to_owned(), 49),
        ]
        .into(),
        users_default: 0,
    };
    let effects = engine.apply(
        Input::PowerLevels {
            room_id: ROOM.into(),
            levels: levels.clone(),
        },
        at(0),
    );
    assert_eq!(
        effects.changes,
        [Change::PowerLevels {
            room_id: ROOM.into(),
            levels
        }]
    );
    assert_eq!(engine.role(ROOM, "@alice:agency.test"), Role::Moderator);
    assert_eq!(engine.role(ROOM, "@bob:agency.test"), Role::Participant);
    assert_eq!(
        engine.role("!other:ministry.test", "@alice:agency.test"),
        Role::Participant
    );
}

#[test]
fn changes_fold_back_into_the_same_state() {
    let mut engine = engine(Language::En);
    let mut changes = Vec::new();
    changes.extend(
        engine
            .apply(
                Input::PowerLevels {
                    room_id: ROOM.into(),
                    levels: PowerLevels::default(),
                },
                at(0),
            )
            .changes,
    );
    let effects = engine.apply(
        Input::Message(Message {
            event_id: "$x".into(),
            room_id: ROOM.into(),
            sender: "@eve:rogue.test".into(),
            sent_at_ms: 1_700_000_000_000,
            body: "!ping".into(),
            thread_root: Some("$root".into()),
            reply_to: None,
            quoted: None,
        }),
        at(0),
    );
    assert_eq!(effects.replies[0].thread_root.as_deref(), Some("$root"));
    changes.extend(effects.changes);
    let mut rebuilt = State::default();
    for change in &changes {
        rebuilt.apply_change(change);
    }
    assert_eq!(&rebuilt, engine.state());
}

#[test]
fn a_negative_lag_from_clock_skew_shows_as_zero() {
    let mut engine = engine(Language::En);
    let effects = engine.apply(
        Input::Message(Message {
            event_id: "$x".into(),
            room_id: ROOM.into(),
            sender: "@bob:agency.test".into(),
            sent_at_ms: 1_700_000_010_000,
            body: "!ping".into(),
            thread_root: None,
            reply_to: None,
            quoted: None,
        }),
        at(1_700_000_009_000),
    );
    assert_eq!(effects.replies[0].text.body, "pong (processing lag: 0 ms)");
}

#[test]
fn messages_from_before_the_first_start_or_the_join_are_history() {
    let mut engine = engine(Language::En);
    let ping = |id: &str, sent_at_ms: i64| {
        Input::Message(Message {
            event_id: id.into(),
            room_id: ROOM.into(),
            sender: "@bob:agency.test".into(),
            sent_at_ms,
            body: "!ping".into(),
            thread_root: None,
            reply_to: None,
            quoted: None,
        })
    };
    let now = at(1_700_000_000_000);
    assert!(engine
        .apply(ping("$old", 1_599_999_999_999), now)
        .replies
        .is_empty());
    assert_eq!(
        engine
            .apply(ping("$live", 1_600_000_000_000), now)
            .replies
            .len(),
        1
    );
    engine.apply(
        Input::BotJoined {
            room_id: ROOM.into(),
            at_ms: 1_650_000_000_000,
        },
        now,
    );
    assert!(engine
        .apply(ping("$before-join", 1_649_999_999_999), now)
        .replies
        .is_empty());
    assert_eq!(
        engine
            .apply(ping("$after-join", 1_650_000_000_001), now)
            .replies
            .len(),
        1
    );
    assert_eq!(
        authority::live_line(engine.settings(), engine.state(), "!elsewhere:hs"),
        1_600_000_000_000
    );
}

#[test]
fn each_command_says_what_came_of_it_for_the_metrics() {
    let mut engine = engine(Language::En);
    engine.settings.command_burst = 5;
    engine.settings.commands_per_minute = 1;
    let sent = 1_700_000_000_000;
    let mut run = |body: &str| {
        engine
            .apply(
                Input::Message(Message {
                    event_id: format!("${body}"),
                    room_id: ROOM.into(),
                    sender: "@alice:agency.test".into(),
                    sent_at_ms: sent,
                    body: body.into(),
                    thread_root: None,
                    reply_to: None,
                    quoted: None,
                }),
                at(sent + 25),
            )
            .command
            .map(|run| (run.name, run.outcome))
    };
    assert_eq!(run("just chatting"), None);
    assert_eq!(run("!ping"), Some(("ping", CommandOutcome::Done)));
    assert_eq!(run("!vote 99 +"), Some(("vote", CommandOutcome::Refused)));
    assert_eq!(run("!vote"), Some(("vote", CommandOutcome::Invalid)));
    assert_eq!(run("!boh"), Some(("unknown", CommandOutcome::Invalid)));
    assert_eq!(
        run("!phase closed"),
        Some(("phase", CommandOutcome::Refused))
    );
    // The sixth command in the same instant is over the budget of five.
    assert_eq!(run("!ping"), Some(("ping", CommandOutcome::OverBudget)));
}
