//! Participation transcripts: proposals, votes by reaction and text, withdrawals, phases and
//! moderation, as chat events in and replies out; plus a randomized tally invariant.

use chrono::{TimeZone, Utc};
use proptest::prelude::*;

use super::participation::{fingerprint, Stance};
use super::*;

const ROOM: &str = "!dati:ministry.test";
const MOD: &str = "@mod:ministry.test";
const ALICE: &str = "@alice:agency.test";
const BOB: &str = "@bob:ministry.test";

fn engine(max_supports: Option<u32>) -> Engine {
    let mut settings = super::tests::settings_for(ROOM, Language::En);
    settings.live_since_ms = 0;
    settings
        .organisations
        .insert("ministry.test".to_owned(), "Ministero".to_owned());
    settings.max_title_chars = 20;
    settings.max_description_chars = 50;
    if let Some(section) = settings.sections.get_mut(ROOM) {
        section.max_supports = max_supports;
    }
    Engine::new(settings, State::default())
}

/// Drives an engine with numbered events; returns the reply bodies of each step.
struct Chat {
    engine: Engine,
    clock: i64,
    /// Every change the engine produced, in order: what the store would persist.
    changes: Vec<Change>,
}

impl Chat {
    fn new(max_supports: Option<u32>) -> Chat {
        Chat {
            engine: engine(max_supports),
            clock: 1_000,
            changes: Vec::new(),
        }
    }

    fn apply(&mut self, input: Input) -> Effects {
        self.clock += 1_000;
        let effects = self.engine.apply(
            input,
            Utc.timestamp_millis_opt(self.clock).single().expect("time"),
        );
        self.changes.extend(effects.changes.iter().cloned());
        effects
    }

    fn say(&mut self, sender: &str, body: &str) -> (String, Vec<String>) {
        let event_id = format!("$m{}", self.clock);
        let effects = self.apply(Input::Message(Message {
            event_id: event_id.clone(),
            room_id: ROOM.into(),
            sender: sender.into(),
            sent_at_ms: self.clock,
            body: body.into(),
            thread_root: None,
            reply_to: None,
            quoted: None,
        }));
        // A card comes back from the homeserver with an event ID.
        for reply in &effects.replies {
            if let Some(number) = reply.card_for {
                let seeds = self.apply(Input::CardPosted {
                    room_id: ROOM.into(),
                    number,
                    event_id: format!("$card{number}"),
                });
                assert_eq!(
                    seeds.reactions.len(),
                    2,
                    "the card is seeded with 👍 and 👎"
                );
            }
        }
        (
            event_id,
            effects.replies.into_iter().map(|r| r.text.body).collect(),
        )
    }

    fn react(&mut self, sender: &str, target: &str, key: &str) -> (String, Vec<String>) {
        let event_id = format!("$r{}", self.clock);
        let effects = self.apply(Input::Reaction(Reacted {
            event_id: event_id.clone(),
            room_id: ROOM.into(),
            sender: sender.into(),
            target: target.into(),
            key: key.into(),
            at_ms: self.clock,
        }));
        (
            event_id,
            effects.replies.into_iter().map(|r| r.text.body).collect(),
        )
    }

    fn redact(&mut self, sender: &str, redacts: &str) {
        self.apply(Input::Redaction {
            room_id: ROOM.into(),
            sender: sender.into(),
            redacts: redacts.into(),
        });
    }

    fn tally(&self, number: u32) -> (u32, u32) {
        let t = self.engine.state().participation.tally(number).total;
        (t.support, t.oppose)
    }
}

#[test]
fn a_consultation_cycle() {
    let mut chat = Chat::new(None);
    let (source, replies) = chat.say(ALICE, "!propose Open data\nPublish all datasets");
    assert!(
        replies[0].starts_with(
            "#1 Open data\nPublish all datasets\nProposed by @alice:agency.test (Agenzia)"
        ),
        "{replies:?}"
    );
    chat.say(BOB, "!propose Cloud first");

    // Reactions on the card and on the original message; latest wins; others ignored.
    let (bob_up, _) = chat.react(BOB, "$card1", "👍");
    chat.react(ALICE, &source, "👍🏽");
    chat.react(BOB, "$card1", "🎉");
    assert_eq!(chat.tally(1), (2, 0));
    let (bob_down, _) = chat.react(BOB, "$card1", "👎");
    assert_eq!(chat.tally(1), (1, 1));
    // Removing the older 👍 changes nothing; removing the live 👎 withdraws the vote.
    chat.redact(BOB, &bob_up);
    assert_eq!(chat.tally(1), (1, 1));
    chat.redact(BOB, &bob_down);
    assert_eq!(chat.tally(1), (1, 0));
    // Changing one's mind and then taking the change back: the older reaction counts again.
    let (_up, _) = chat.react(BOB, "$card1", "👍");
    let (down, _) = chat.react(BOB, "$card1", "👎");
    assert_eq!(chat.tally(1), (1, 1));
    chat.redact(BOB, &down);
    assert_eq!(chat.tally(1), (2, 0));
    let (_, replies) = chat.say(BOB, "!unvote 1");
    assert_eq!(replies, ["Vote on #1 withdrawn."]);
    assert_eq!(chat.tally(1), (1, 0));

    // Text votes, per-organisation tally.
    let (_, replies) = chat.say(BOB, "!vote 1 +");
    assert_eq!(replies, ["Support recorded for #1: 👍 2 · 👎 0"]);
    let (_, replies) = chat.say(BOB, "!show 1");
    assert!(
        replies[0].contains("Agenzia: 👍 1 · 👎 0")
            && replies[0].contains("Ministero: 👍 1 · 👎 0"),
        "{replies:?}"
    );
    let (_, replies) = chat.say(BOB, "!unvote 1");
    assert_eq!(replies, ["Vote on #1 withdrawn."]);
    let (_, replies) = chat.say(BOB, "!unvote 1");
    assert_eq!(replies, ["You have no vote on #1."]);

    // Comments in the card's thread are stored; feedback on the section too.
    chat.apply(Input::Message(Message {
        event_id: "$comment".into(),
        room_id: ROOM.into(),
        sender: BOB.into(),
        sent_at_ms: 50_000,
        body: "Which formats?".into(),
        thread_root: Some("$card1".into()),
        reply_to: None,
        quoted: None,
    }));
    let (_, replies) = chat.say(ALICE, "!feedback The section misses interoperability");
    assert!(replies[0].starts_with("Thank you"));
    let comments = &chat.engine.state().participation.comments;
    assert_eq!(comments.len(), 2);
    assert_eq!(comments["$comment"].proposal, Some(1));
    assert_eq!(comments["$comment"].organisation, "Ministero");

    // Lists.
    let (_, replies) = chat.say(BOB, "!proposals top");
    assert!(
        replies[0].starts_with(
            "Proposals in “Dati” (2):\n#1 Open data — 👍 1 👎 0 · open\n#2 Cloud first"
        ),
        "{replies:?}"
    );

    // Phases: no new proposals in prioritisation; votes still.
    let (_, replies) = chat.say(ALICE, "!phase prioritisation");
    assert_eq!(replies, ["Only moderators can use this command."]);
    chat.say(MOD, "!phase prioritisation");
    let (_, replies) = chat.say(ALICE, "!propose Late idea");
    assert_eq!(
        replies,
        ["Not possible in the section's current phase (prioritisation)."]
    );
    assert_eq!(chat.engine.state().participation.proposals.len(), 2);
    chat.say(BOB, "!vote 2 -");
    assert_eq!(chat.tally(2), (0, 1));
    chat.say(MOD, "!phase consolidation");
    let (_, replies) = chat.react(ALICE, "$card2", "👍");
    assert_eq!(
        replies,
        ["Not possible in the section's current phase (consolidation)."]
    );
    assert_eq!(chat.tally(2), (0, 1));

    // Moderation, with notices in the proposal's thread.
    let (_, replies) = chat.say(MOD, "!accept 1 Planned for 2027");
    assert_eq!(replies.len(), 2, "reply and thread notice: {replies:?}");
    assert!(replies[0].contains("accepted") && replies[0].contains("Planned for 2027"));
    let (_, replies) = chat.say(ALICE, "!reject 2 no");
    assert_eq!(replies, ["Only moderators can use this command."]);
    chat.say(MOD, "!merge 2 into 1");
    let merged = &chat.engine.state().participation.proposals[&2];
    assert_eq!(merged.state, ProposalState::Merged(1));
    let (_, replies) = chat.say(BOB, "!withdraw 1");
    assert_eq!(replies, ["Only the author of proposal #1 can withdraw it."]);
    chat.say(MOD, "!hide 1 spam");
    let (_, replies) = chat.say(BOB, "!show 1");
    assert_eq!(replies, ["There is no proposal #1."]);
    let (_, replies) = chat.say(MOD, "!show 1");
    assert!(replies[0].contains("Hidden by moderators: spam"));
}

#[test]
fn limits_and_refusals_change_nothing() {
    let mut chat = Chat::new(Some(1));
    let (_, replies) = chat.say(ALICE, "!propose This title is far too long for the limit");
    assert!(replies[0].starts_with("Proposal too long"), "{replies:?}");
    assert!(chat.engine.state().participation.proposals.is_empty());
    chat.say(ALICE, "!propose A");
    chat.say(ALICE, "!propose B");
    chat.react(BOB, "$card1", "👍");
    let (_, replies) = chat.react(BOB, "$card2", "👍");
    assert!(
        replies[0].starts_with("You already support 1 proposals"),
        "{replies:?}"
    );
    assert_eq!(chat.tally(2), (0, 0));
    // Opposing is not limited, and changing a support into opposition frees the slot.
    chat.react(BOB, "$card1", "👎");
    chat.react(BOB, "$card2", "👍");
    assert_eq!((chat.tally(1), chat.tally(2)), ((0, 1), (1, 0)));
    let (_, replies) = chat.say(ALICE, "!withdraw 1");
    assert_eq!(replies[0], "Proposal #1 was withdrawn by its author.");
    let (_, replies) = chat.say(BOB, "!vote 1 +");
    assert_eq!(replies, ["Proposal #1 is withdrawn: voting is closed."]);
    let (_, replies) = chat.say("@eve:rogue.test", "!vote 2 +");
    assert!(replies[0].contains("rogue.test is not allowed"));
    assert_eq!(chat.tally(2), (1, 0));
    let (_, replies) = chat.say(ALICE, "!vote 9 +");
    assert_eq!(replies, ["There is no proposal #9."]);
}

#[test]
fn titles_with_html_are_escaped_in_the_card() {
    let mut chat = Chat::new(None);
    let effects = chat.apply(Input::Message(Message {
        event_id: "$p".into(),
        room_id: ROOM.into(),
        sender: ALICE.into(),
        sent_at_ms: 5_000,
        body: "!propose <b>x</b>".into(),
        thread_root: None,
        reply_to: None,
        quoted: None,
    }));
    let html = &effects.replies[0].text.html;
    assert!(
        html.starts_with("<strong>#1 &lt;b&gt;x&lt;/b&gt;</strong>"),
        "{html}"
    );
}

/// One step of a participation interleaving.
#[derive(Debug, Clone)]
enum Step {
    React {
        user: usize,
        number: u32,
        key: usize,
        on_card: bool,
    },
    TextVote {
        user: usize,
        number: u32,
        support: bool,
    },
    Unvote {
        user: usize,
        number: u32,
    },
    Redact {
        user: usize,
        which: usize,
    },
    Duplicate {
        which: usize,
    },
    Edit {
        number: u32,
    },
}

fn step() -> impl Strategy<Value = Step> {
    let user = 0..4usize;
    let number = 1..=4u32;
    prop_oneof![
        4 => (user.clone(), number.clone(), 0..3usize, any::<bool>())
            .prop_map(|(user, number, key, on_card)| Step::React { user, number, key, on_card }),
        2 => (user.clone(), number.clone(), any::<bool>()).prop_map(|(user, number, support)| Step::TextVote { user, number, support }),
        1 => (user.clone(), number.clone()).prop_map(|(user, number)| Step::Unvote { user, number }),
        2 => (user, any::<usize>()).prop_map(|(user, which)| Step::Redact { user, which }),
        1 => any::<usize>().prop_map(|which| Step::Duplicate { which }),
        1 => number.prop_map(|number| Step::Edit { number }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// For any interleaving of votes, re-votes, withdrawals (text and redaction), re-delivered
    /// reactions and edits: the incremental tallies equal the recount of the live votes, per
    /// organisation too; the support limit holds; folding the change stream gives the same state.
    #[test]
    fn tallies_always_equal_the_recount_of_live_votes(steps in proptest::collection::vec(step(), 0..250), limited in any::<bool>()) {
        let users = ["@a:agency.test", "@b:agency.test", "@c:ministry.test", "@d:ministry.test"];
        let mut chat = Chat::new(limited.then_some(2));
        let mut sources = Vec::new();
        for i in 0..4 {
            let (source, _) = chat.say(users[i % 2], &format!("!propose P{i}"));
            sources.push(source);
        }
        let mut reactions: Vec<Input> = Vec::new();
        for step in steps {
            match step {
                Step::React { user, number, key, on_card } => {
                    let target = if on_card { format!("$card{number}") } else { sources[number as usize - 1].clone() };
                    let (event_id, _) = chat.react(users[user], &target, ["👍", "👎", "❤️"][key]);
                    reactions.push(Input::Reaction(Reacted {
                        event_id, room_id: ROOM.into(), sender: users[user].into(), target,
                        key: ["👍", "👎", "❤️"][key].into(), at_ms: chat.clock,
                    }));
                }
                Step::TextVote { user, number, support } => {
                    chat.say(users[user], &format!("!vote {number} {}", if support { "+" } else { "-" }));
                }
                Step::Unvote { user, number } => {
                    chat.say(users[user], &format!("!unvote {number}"));
                }
                Step::Redact { user, which } if !reactions.is_empty() => {
                    if let Input::Reaction(Reacted { event_id, .. }) = &reactions[which % reactions.len()] {
                        let event_id = event_id.clone();
                        chat.redact(users[user], &event_id);
                    }
                }
                Step::Duplicate { which } if !reactions.is_empty() => {
                    let before = chat.engine.state().clone();
                    let again = reactions[which % reactions.len()].clone();
                    let is_live = matches!(&again, Input::Reaction(Reacted { event_id, .. })
                        if chat.engine.state().participation.ballot_of_event(event_id).is_some());
                    chat.apply(again);
                    if is_live {
                        prop_assert_eq!(&before, chat.engine.state(), "a re-delivered reaction changed the state");
                    }
                }
                Step::Edit { number } => {
                    let source = sources[number as usize - 1].clone();
                    let author = chat.engine.state().participation.proposals[&number].author.clone();
                    let at_ms = chat.clock;
                    chat.apply(Input::Edit(Edited {
                        event_id: format!("$edit{at_ms}"), room_id: ROOM.into(), sender: author,
                        original: source, new_body: format!("!propose Edited {at_ms}"), at_ms,
                    }));
                }
                _ => {}
            }
        }
        let participation = &chat.engine.state().participation;
        let mut live = 0;
        for number in 1..=4 {
            let voters = participation.voters(number);
            live += voters.len();
            let support = voters.iter().filter(|(_, s)| *s == Stance::Support).count() as u32;
            let oppose = voters.len() as u32 - support;
            prop_assert_eq!(chat.tally(number), (support, oppose), "#{}", number);
            let by_org: u32 = participation.tally(number).by_organisation.values().map(|c| c.support + c.oppose).sum();
            prop_assert_eq!(by_org, support + oppose);
            for (user, stance) in voters {
                prop_assert_eq!(participation.stance_of(number, user), Some(stance));
            }
        }
        prop_assert_eq!(participation.live_votes(), live);
        if limited {
            for user in users {
                prop_assert!(participation.supports_of("dati", user) <= 2, "{} over the limit", user);
            }
        }
        let mut rebuilt = State::default();
        for change in &chat.changes {
            rebuilt.apply_change(change);
        }
        prop_assert_eq!(&rebuilt, chat.engine.state(), "the stored changes rebuild the state");
    }
}

#[test]
fn edits_promotion_and_similar_warnings() {
    let mut chat = Chat::new(None);
    let (source, _) = chat.say(ALICE, "!propose Portale dati\nUn catalogo unico");
    let edit = |chat: &mut Chat, sender: &str, body: &str| {
        let effects = chat.apply(Input::Edit(Edited {
            event_id: format!("$edit{}", chat.clock),
            room_id: ROOM.into(),
            sender: sender.into(),
            original: source.clone(),
            new_body: body.into(),
            at_ms: chat.clock,
        }));
        effects
            .replies
            .into_iter()
            .map(|r| r.text.body)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        edit(&mut chat, ALICE, "!propose Portale dati aperti"),
        ["Proposal #1 updated: Portale dati aperti"]
    );
    assert_eq!(
        chat.engine.state().participation.proposals[&1].description,
        ""
    );
    assert!(
        edit(&mut chat, BOB, "!propose Hijack").is_empty(),
        "only the author's edits count"
    );
    assert_eq!(
        chat.engine.state().participation.proposals[&1].title,
        "Portale dati aperti"
    );

    // A similar proposal is still created, with a warning.
    let (_, replies) = chat.say(BOB, "!propose Dati aperti portale");
    assert!(replies[0].contains("Similar to #1"), "{replies:?}");
    assert_eq!(chat.engine.state().participation.proposals.len(), 2);

    chat.react(BOB, "$card1", "👍");
    assert_eq!(
        edit(&mut chat, ALICE, "!propose Something else"),
        ["Proposal #1 already has votes: the edit was not applied."]
    );
    assert_eq!(
        chat.engine.state().participation.proposals[&1].title,
        "Portale dati aperti"
    );

    // !promote: a moderator turns someone's message into a proposal authored by them.
    let quoted = Quoted {
        event_id: "$idea".into(),
        sender: BOB.into(),
        body: "Formazione digitale\nper i dipendenti".into(),
        sent_at_ms: 3_000,
    };
    let promote = |chat: &mut Chat, sender: &str, quoted: Option<Quoted>| {
        let effects = chat.apply(Input::Message(Message {
            event_id: format!("$p{}", chat.clock),
            room_id: ROOM.into(),
            sender: sender.into(),
            sent_at_ms: chat.clock,
            body: "!promote".into(),
            thread_root: None,
            reply_to: Some("$idea".into()),
            quoted,
        }));
        effects
            .replies
            .into_iter()
            .map(|r| r.text.body)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        promote(&mut chat, ALICE, Some(quoted.clone())),
        ["Only moderators can use this command."]
    );
    let replies = promote(&mut chat, MOD, Some(quoted.clone()));
    assert!(
        replies[0].starts_with(
            "#3 Formazione digitale\nper i dipendenti\nProposed by @bob:ministry.test (Ministero)"
        ),
        "{replies:?}"
    );
    let promoted = &chat.engine.state().participation.proposals[&3];
    assert_eq!(
        (promoted.source_event.as_str(), promoted.created_ms),
        ("$idea", 3_000)
    );
    assert_eq!(
        promote(&mut chat, MOD, Some(quoted)),
        ["That message is already proposal #3."]
    );
    assert_eq!(
        promote(&mut chat, MOD, None),
        ["Use `!promote` as a reply to the message to turn into a proposal."]
    );
}

#[test]
fn stats_count_each_organisation_in_its_own_column() {
    const CAROL: &str = "@carol:agency.test";
    let mut chat = Chat::new(None);
    chat.say(ALICE, "!propose Open data");
    chat.say(BOB, "!propose Cloud first");
    chat.say(ALICE, "!propose Spam here");
    chat.say(MOD, "!hide 3 spam");
    // Agency: Alice and Carol vote (3 votes: 2 👍, 1 👎); Ministry: Bob once (👎).
    chat.react(ALICE, "$card1", "👍");
    chat.react(CAROL, "$card1", "👍");
    chat.react(CAROL, "$card2", "👎");
    chat.react(BOB, "$card1", "👎");
    // A vote on the hidden proposal is not public and does not count.
    chat.say(BOB, "!vote 3 +");
    chat.apply(Input::Message(Message {
        event_id: "$c1".into(),
        room_id: ROOM.into(),
        sender: BOB.into(),
        sent_at_ms: 60_000,
        body: "Which formats?".into(),
        thread_root: Some("$card1".into()),
        reply_to: None,
        quoted: None,
    }));
    chat.say(CAROL, "!feedback More about APIs");
    let (_, replies) = chat.say(BOB, "!stats");
    assert_eq!(
        replies[0],
        "Participation per organisation — Dati\n\
         Agenzia: proposals 1 · voters 2 · votes 3 (👍 2 · 👎 1) · comments 1\n\
         Ministero: proposals 1 · voters 1 · votes 1 (👍 0 · 👎 1) · comments 1"
    );
    let (_, replies) = chat.say(BOB, "!stats all");
    assert!(
        replies[0].starts_with("Participation per organisation — Dati\nAgenzia: proposals 1")
            && replies[0].contains("Participation per organisation — the whole plan\nAgenzia"),
        "{replies:?}"
    );
    let (_, replies) = chat.say(BOB, "!stats boh");
    assert!(replies[0].starts_with("I do not understand"), "{replies:?}");
}

#[test]
fn every_csv_column_holds_what_its_header_names_for_three_organisations() {
    use super::export::{Export, Format, Visibility};
    let mut chat = Chat::new(None);
    chat.engine
        .settings
        .allowed_servers
        .insert("region.test".into());
    chat.engine
        .settings
        .organisations
        .insert("region.test".into(), "Regione".into());
    chat.say(ALICE, "!propose Open data");
    chat.say(BOB, "!propose Cloud first");
    // Different figures in every column: agency 2/0, ministry 0/1, region 1/2 on #1.
    for (user, key) in [
        ("@a1:agency.test", "👍"),
        ("@a2:agency.test", "👍"),
        ("@m1:ministry.test", "👎"),
        ("@r1:region.test", "👍"),
        ("@r2:region.test", "👎"),
        ("@r3:region.test", "👎"),
    ] {
        chat.react(user, "$card1", key);
    }
    chat.react("@r1:region.test", "$card2", "👎");
    let state = chat.engine.state();
    let export = Export::build(
        &chat.engine.settings,
        state,
        Visibility::Full,
        super::tests::at(0),
    );
    let json = serde_json::to_value(&export).expect("json");
    let csv = export.render(Format::Csv, chat.engine.settings().catalogue())[0]
        .content
        .clone();
    let rows = csv_rows(&csv);
    let header = &rows[0];
    assert_eq!(rows.len(), 3);
    for row in &rows[1..] {
        assert_eq!(row.len(), header.len(), "{header:?}\n{row:?}");
        let number: u64 = row[1].parse().expect("number");
        let proposal = json["proposals"]
            .as_array()
            .and_then(|all| all.iter().find(|p| p["number"] == number))
            .expect("in the JSON export");
        for (column, value) in header.iter().zip(row) {
            let expected = if let Some(org) = column
                .strip_prefix("supports [")
                .and_then(|c| c.strip_suffix(']'))
            {
                proposal["by_organisation"][org]["supports"].to_string()
            } else if let Some(org) = column
                .strip_prefix("oppositions [")
                .and_then(|c| c.strip_suffix(']'))
            {
                proposal["by_organisation"][org]["oppositions"].to_string()
            } else {
                match &proposal[column.as_str()] {
                    serde_json::Value::String(text) => text.clone(),
                    serde_json::Value::Null => String::new(),
                    other => other.to_string(),
                }
            };
            let expected = if expected == "null" {
                "0".into()
            } else {
                expected
            };
            // What a spreadsheet would take for a formula starts with a quote (user IDs: `@`).
            let expected = if expected.starts_with('@') {
                format!("'{expected}")
            } else {
                expected
            };
            assert_eq!(value, &expected, "column {column} of #{number}");
        }
    }
    let region_supports = header
        .iter()
        .position(|c| c == "supports [Regione]")
        .expect("a column per organisation");
    assert_eq!(rows[1][region_supports], "1");
    assert_eq!(rows[1][region_supports + 1], "2");
}

#[test]
fn feedback_and_comments_over_the_length_limit_are_refused_and_not_stored() {
    let mut chat = Chat::new(None);
    chat.engine.settings.max_comment_chars = 20;
    chat.say(ALICE, "!propose Open data");
    let long = "x".repeat(21);
    let (_, replies) = chat.say(BOB, &format!("!feedback {long}"));
    assert_eq!(
        replies,
        ["Text too long: 21/20 characters. It was not recorded: shorten it or split it into several messages."]
    );
    let effects = chat.apply(Input::Message(Message {
        event_id: "$long-comment".into(),
        room_id: ROOM.into(),
        sender: BOB.into(),
        sent_at_ms: chat.clock,
        body: long.clone(),
        thread_root: Some("$card1".into()),
        reply_to: None,
        quoted: None,
    }));
    assert!(effects.replies[0]
        .text
        .body
        .starts_with("Text too long: 21/20"));
    assert!(chat.engine.state().participation.comments.is_empty());
    let (_, replies) = chat.say(BOB, &format!("!feedback {}", "x".repeat(20)));
    assert!(replies[0].starts_with("Thank you"), "{replies:?}");
    assert_eq!(chat.engine.state().participation.comments.len(), 1);
}

#[test]
fn a_person_over_the_command_budget_is_told_once_and_the_commands_change_nothing() {
    let mut chat = Chat::new(None);
    chat.engine.settings.command_burst = 2;
    chat.engine.settings.commands_per_minute = 1;
    // `Chat` moves its clock a second per message: two commands pass, then the budget is spent.
    chat.say(ALICE, "!propose Open data");
    chat.say(ALICE, "!propose Cloud first");
    let (_, replies) = chat.say(ALICE, "!propose Third idea");
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert!(
        replies[0].starts_with("You are sending commands too fast: try again in 5")
            && replies[0].contains(" seconds. Until then your commands are ignored"),
        "{replies:?}"
    );
    let (_, replies) = chat.say(ALICE, "!propose Fourth idea");
    assert!(replies.is_empty(), "told once: {replies:?}");
    assert_eq!(chat.engine.state().participation.proposals.len(), 2);
    // Others are not held back; and a minute later she may go on.
    let (_, replies) = chat.say(BOB, "!proposals");
    assert!(replies[0].starts_with("Proposals in"), "{replies:?}");
    chat.clock += 60_000;
    let (_, replies) = chat.say(ALICE, "!propose Fifth idea");
    assert!(replies.iter().any(|r| r.contains("#3")), "{replies:?}");
}

#[test]
fn a_card_is_edited_to_stay_true_and_never_to_what_it_already_says() {
    let mut chat = Chat::new(None);
    chat.say(ALICE, "!propose Open data");
    let refresh = |chat: &mut Chat| chat.apply(Input::RefreshCards(vec![1]));
    let effects = refresh(&mut chat);
    assert_eq!(
        effects.card_edits.len(),
        1,
        "a card never edited is brought up to date"
    );
    chat.react(BOB, "$card1", "👍");
    chat.react(ALICE, "$card1", "👎");
    chat.react(BOB, "$card1", "👎");
    let effects = refresh(&mut chat);
    let edit = &effects.card_edits[0];
    assert_eq!((edit.card_event.as_str(), edit.number), ("$card1", 1));
    assert!(
        edit.text.body.contains(
            "👍 0 · 👎 2 — react with 👍 or 👎 to vote (the bot's own reactions are not votes)"
        ),
        "{}",
        edit.text.body
    );
    assert!(
        edit.text.body.starts_with("#1 Open data"),
        "{}",
        edit.text.body
    );
    assert!(
        refresh(&mut chat).card_edits.is_empty(),
        "it already says so"
    );
    // A state change shows; a hidden proposal's card says only that it is hidden.
    chat.say(MOD, "!accept 1 Good idea");
    let effects = refresh(&mut chat);
    assert!(
        effects.card_edits[0].text.body.contains("accepted"),
        "{:?}",
        effects.card_edits
    );
    assert!(effects.card_edits[0].text.body.contains("Good idea"));
    chat.say(MOD, "!hide 1 abuse");
    let effects = refresh(&mut chat);
    assert_eq!(
        effects.card_edits[0].text.body,
        "#1 — proposal hidden by the moderators."
    );
    // Only proposals with a card are edited.
    assert!(chat
        .apply(Input::RefreshCards(vec![99]))
        .card_edits
        .is_empty());
}

/// A CSV export's rows as a spreadsheet reads them (BOM dropped), header first.
fn csv_rows(csv: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(|record| {
            record
                .expect("a CSV record")
                .iter()
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

#[test]
fn no_exported_cell_runs_as_a_formula_or_as_markup() {
    use super::export::{Export, Format, Visibility};
    let mut chat = Chat::new(None);
    let titles = [
        "=HYPERLINK(\"h\",\"y\")",
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1,2)",
        "<b>x</b> [a](h)",
    ];
    for title in titles {
        let (_, replies) = chat.say(ALICE, &format!("!propose {title}"));
        assert!(
            replies.iter().any(|r| r.contains('#')),
            "{title}: {replies:?}"
        );
    }
    let markup = "<img src=x onerror=alert(1)> [premi qui](http://evil.example) \
                  ![x](http://evil.example/i.png) **forte**";
    chat.say(BOB, &format!("!feedback {markup}"));
    let export = Export::build(
        &chat.engine.settings,
        chat.engine.state(),
        Visibility::Full,
        super::tests::at(0),
    );
    // JSON keeps the text verbatim.
    let json = serde_json::to_value(&export).expect("json");
    let json_titles: Vec<&str> = json["proposals"]
        .as_array()
        .expect("proposals")
        .iter()
        .filter_map(|p| p["title"].as_str())
        .collect();
    assert_eq!(json_titles, titles);
    // CSV: every cell that starts like a formula starts with a quote instead.
    let catalogue = chat.engine.settings().catalogue();
    let rows = csv_rows(&export.render(Format::Csv, catalogue)[0].content);
    let title_column = rows[0].iter().position(|c| c == "title").expect("title");
    for row in &rows[1..] {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a formula-like cell: {cell:?}"
            );
        }
    }
    let csv_titles: Vec<&str> = rows[1..].iter().map(|r| r[title_column].as_str()).collect();
    assert_eq!(
        csv_titles,
        [
            "'=HYPERLINK(\"h\",\"y\")",
            "'+1+cmd|' /C calc'!A0",
            "'-2+3",
            "'@SUM(1,2)",
            "<b>x</b> [a](h)",
        ]
    );
    // Markdown, as a viewer renders it: the text shows as typed, with no tag, link or image.
    let markdown = &export.render(Format::Markdown, catalogue)[0].content;
    let mut html = String::new();
    pulldown_cmark::html::push_html(
        &mut html,
        pulldown_cmark::Parser::new_ext(markdown, pulldown_cmark::Options::ENABLE_TABLES),
    );
    for forbidden in ["<img", "<a ", "<strong>", "<b>"] {
        assert!(!html.contains(forbidden), "{forbidden} in {html}");
    }
    assert!(html.contains("&lt;b&gt;x&lt;/b&gt; [a](h)"), "{html}");
    assert!(
        html.contains(
            "&lt;img src=x onerror=alert(1)&gt; [premi qui](http://evil.example) \
             ![x](http://evil.example/i.png) **forte**"
        ),
        "{html}"
    );
}

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

#[test]
fn the_markdown_export_speaks_the_plan_language_in_every_heading() {
    use super::export::{Export, Format, Visibility};
    let mut chat = Chat::new(None);
    let (_, replies) = chat.say(ALICE, "!propose Open <data>");
    assert!(replies.iter().any(|r| r.contains("#1")), "{replies:?}");
    chat.say(BOB, "!feedback the section needs a security part");
    let markdown = |language| {
        let catalogue = Catalogue::get(language);
        let export = Export::build(
            chat.engine.settings(),
            chat.engine.state(),
            Visibility::Public,
            super::tests::at(0),
        );
        export.render(Format::Markdown, catalogue)[0]
            .content
            .clone()
    };
    let italian = markdown(Language::It);
    for expected in [
        "(pubblica), schema pspm.export v1.",
        "(consultazione)",
        "| # | Titolo | Autore | Ente | Stato | 👍 | 👎 | Risposta |\n|---|---|---|---|---|---|---|---|",
        "| aperta |",
        "### Commenti e contributi",
        "su la sezione: the section needs a security part",
    ] {
        assert!(italian.contains(expected), "{expected:?} in:\n{italian}");
    }
    assert!(
        italian.contains("| 1 | Open \\<data\\> | @alice:agency.test |"),
        "{italian}"
    );
    for english in [
        "Export ",
        "public",
        "Title",
        "Comments",
        "consultation",
        "| open |",
    ] {
        assert!(!italian.contains(english), "{english:?} in:\n{italian}");
    }
    let english = markdown(Language::En);
    assert!(
        english.contains("| # | Title | Author | Organisation | State |"),
        "{english}"
    );
    assert!(english.contains("### Comments and feedback"), "{english}");
}

#[test]
fn whoami_tells_the_organisation_and_the_role_in_this_room() {
    let mut chat = Chat::new(None);
    let (_, replies) = chat.say(BOB, "!whoami");
    assert_eq!(
        replies,
        [
            "@bob:ministry.test: your proposals and votes count for Ministero (server \
          ministry.test); in this room you are a participant."
        ]
    );
    let (_, replies) = chat.say(ALICE, "!whoami");
    assert!(
        replies[0].contains("count for Agenzia (server agency.test)"),
        "{replies:?}"
    );
    let (_, replies) = chat.say(MOD, "!chisono");
    assert!(
        replies[0].ends_with("in this room you are a moderator."),
        "{replies:?}"
    );
    let (_, replies) = chat.say(BOB, "!whoami now");
    assert!(
        replies[0].contains("!whoami"),
        "leftovers refused: {replies:?}"
    );
}

#[test]
fn each_person_may_choose_the_language_of_their_replies() {
    let mut chat = Chat::new(None);
    let (_, replies) = chat.say(BOB, "!lingua it");
    assert_eq!(replies, ["D'ora in poi ti rispondo in italiano."]);
    let (_, replies) = chat.say(BOB, "!language");
    assert!(
        replies[0].starts_with("Ti rispondo in italiano."),
        "{replies:?}"
    );
    let (_, replies) = chat.say(BOB, "!whoami");
    assert!(
        replies[0].contains("in questa stanza sei partecipante"),
        "{replies:?}"
    );
    // Everyone else still gets the plan's language.
    let (_, replies) = chat.say(ALICE, "!whoami");
    assert!(
        replies[0].contains("in this room you are a participant"),
        "{replies:?}"
    );
    // A refused vote is explained in the voter's language too.
    chat.say(ALICE, "!propose Open data");
    chat.say(MOD, "!phase closed");
    let (_, refusals) = chat.react(BOB, "$card1", "👍");
    assert_eq!(
        refusals,
        ["Non è possibile nella fase attuale della sezione (chiusa)."]
    );
    // What everyone reads stays in the plan's language: his proposal's card, and the notice
    // in its thread when he withdraws it (only his own reply is in Italian).
    chat.say(MOD, "!phase consultation");
    let (_, card) = chat.say(BOB, "!propose Dati per tutti");
    assert!(card[0].starts_with("#2 Dati per tutti"), "{card:?}");
    assert!(card[0].contains("· state: open"), "{card:?}");
    let (_, withdrawn) = chat.say(BOB, "!withdraw 2");
    assert_eq!(
        withdrawn,
        [
            "La proposta #2 è stata ritirata dall'autore.",
            "Proposal #2 was withdrawn by its author."
        ]
    );
    // `!help` knows a command by its aliases too.
    let (_, help) = chat.say(ALICE, "!help lingua");
    assert!(help[0].starts_with("`!language [it|en]`"), "{help:?}");
    let (_, replies) = chat.say(BOB, "!language fr");
    assert!(replies[0].contains("!language [it|en]"), "{replies:?}");
    let (_, replies) = chat.say(BOB, "!language en");
    assert_eq!(replies, ["From now on I answer you in English."]);
}
