//! Fuzz targets for the command parser and the engine behind it. Any message text is a
//! command, a parse error or not a command, and never a panic; a parse error renders as a
//! reply in both languages; through the engine, every command from a participant or a
//! moderator, in any order with the others, gets an answer.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use super::command::{is_command, Command};
use super::tests::{at, settings};
use super::*;
use pspm_indexer::fuzzing::{cases, run};

const ROOM: &str = "!section:ministry.test";
const SENDERS: &[&str] = &[
    "@mod:ministry.test",
    "@alice:agency.test",
    "@bob:agency.test",
    "@eve:elsewhere.test",
];

const NAMES: &[&str] = &[
    "help",
    "aiuto",
    "ping",
    "propose",
    "proponi",
    "promote",
    "promuovi",
    "proposals",
    "proposte",
    "show",
    "mostra",
    "stats",
    "statistiche",
    "partecipazione",
    "whoami",
    "chisono",
    "language",
    "lingua",
    "vote",
    "vota",
    "unvote",
    "withdraw",
    "ritira",
    "feedback",
    "phase",
    "fase",
    "evaluate",
    "accept",
    "reject",
    "answer",
    "merge",
    "hide",
    "prioritise",
    "prioritize",
    "priorita",
    "priorità",
    "close",
    "chiudi",
    "ballot",
    "scheda",
    "export",
    "esporta",
    "search",
    "cerca",
    "more",
    "altri",
    "practice",
    "pratica",
    "share",
    "condividi",
    "rate",
    "valuta",
    "pending",
    "inattesa",
    "approve",
    "approva",
    "decline",
    "scarta",
    "actions",
    "azioni",
    "status",
    "stato",
    "progress",
    "avanzamento",
    "history",
    "cronologia",
    "measure",
    "misura",
    "results",
    "risultati",
    "chart",
    "grafico",
    "assign",
    "assegna",
    "action",
    "azione",
    "report",
    "rapporto",
    "PING",
    "Vota",
    "frobnicate",
    "",
];

const ARGUMENTS: &[&str] = &[
    "#1",
    "#2",
    "#0",
    "1",
    "2",
    "3",
    "0",
    "-1",
    "99999999999999999999",
    "#",
    "##1",
    "1.5",
    "50%",
    "100",
    "yes",
    "no",
    "sì",
    "si",
    "support",
    "oppose",
    "favore",
    "contro",
    "+1",
    "-",
    "👍",
    "👎",
    "consultation",
    "prioritisation",
    "consolidation",
    "monitoring",
    "closed",
    "all",
    "section",
    "tutto",
    "piano",
    "|",
    "||",
    "2026-12-31",
    "2026-02-30",
    "31/12/2026",
    "OB.1.1",
    "R.1",
    "A.1",
    "CAP1.PA.LA01",
    "@alice:agency.test",
    "@x",
    "it",
    "en",
    "fr",
    "csv",
    "json",
    "md",
    "done",
    "late",
    "completata",
    "in-corso",
    "guideline",
    "type:",
    "year:2020",
    "\"",
    "!",
    "!ping",
    "\n",
    "\n\n",
    "  ",
    "\t",
];

/// Command-shaped text: `!`, a name (or an alias, or nonsense), then argument-shaped words.
fn command_text() -> impl Strategy<Value = String> {
    let argument = prop_oneof![
        6 => select(ARGUMENTS).prop_map(str::to_owned),
        2 => "[a-zA-Zàèé0-9]{1,12}",
        1 => any::<String>(),
    ];
    (
        select(&["!", " !", "!", "!!", "", "! "][..]),
        select(NAMES),
        vec(argument, 0..8),
    )
        .prop_map(|(prefix, name, arguments)| format!("{prefix}{name} {}", arguments.join(" ")))
}

/// Any text: command-shaped mostly, some of it anything at all.
fn message_text() -> impl Strategy<Value = String> {
    prop_oneof![8 => command_text(), 1 => any::<String>(), 1 => "![a-z]{0,3}[ -~]{0,30}"]
}

#[test]
fn fuzz_command_parse() {
    let catalogues = [Catalogue::get(Language::It), Catalogue::get(Language::En)];
    run("command parse", cases(1.0), message_text(), |text| {
        match Command::parse(&text) {
            None => prop_assert!(!is_command(&text)),
            Some(parsed) => {
                prop_assert!(is_command(&text));
                if let Err(error) = parsed {
                    for catalogue in catalogues {
                        prop_assert!(!error.render(catalogue).body.trim().is_empty());
                    }
                }
            }
        }
        Ok(())
    });
}

/// One message of a conversation: who, what, and whether it is in the thread of or replies
/// to an earlier message.
fn conversation() -> impl Strategy<Value = Vec<(usize, String, Option<usize>, Option<usize>)>> {
    vec(
        (
            0..SENDERS.len(),
            message_text(),
            proptest::option::of(0usize..8),
            proptest::option::of(0usize..8),
        ),
        1..8,
    )
}

#[test]
fn fuzz_engine_messages() {
    // How many messages changed the plan: the generator must reach past parse errors.
    let changed = std::cell::Cell::new(0usize);
    run("engine messages", cases(1.0), conversation(), |messages| {
        let mut engine = Engine::new(settings(Language::It), State::default());
        let mut bodies: Vec<(String, String)> = Vec::new();
        for (n, (sender, body, thread, reply)) in messages.into_iter().enumerate() {
            let event_id = format!("$e{n}");
            let earlier = |choice: Option<usize>| {
                choice.and_then(|i| {
                    bodies
                        .get(i % bodies.len().max(1))
                        .map(|(id, _)| id.clone())
                })
            };
            let reply_to = earlier(reply);
            let quoted = reply_to.as_ref().and_then(|target| {
                bodies
                    .iter()
                    .find(|(id, _)| id == target)
                    .map(|(id, body)| Quoted {
                        event_id: id.clone(),
                        sender: SENDERS[1].into(),
                        body: body.clone(),
                        sent_at_ms: 1_700_000_000_000,
                    })
            });
            let sent = 1_700_000_000_000 + n as i64 * 1_000;
            let effects = engine.apply(
                Input::Message(Message {
                    event_id: event_id.clone(),
                    room_id: ROOM.into(),
                    sender: SENDERS[sender].into(),
                    sent_at_ms: sent,
                    body: body.clone(),
                    thread_root: earlier(thread),
                    reply_to,
                    quoted,
                }),
                at(sent + 25),
            );
            // Users of servers not admitted are told once per server and room, not per
            // command; everyone else's command gets its answer.
            if is_command(&body) && !SENDERS[sender].ends_with("elsewhere.test") {
                prop_assert!(!effects.replies.is_empty(), "no reply to {body:?}");
            }
            if !effects.changes.is_empty() {
                changed.set(changed.get() + 1);
            }
            bodies.push((event_id, body));
        }
        Ok(())
    });
    eprintln!("engine messages: {} changed the plan", changed.get());
    assert!(changed.get() > 0, "no generated message changed the plan");
}
