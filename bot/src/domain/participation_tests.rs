//! Participation transcripts: proposals, votes by reaction and text, withdrawals, phases and
//! moderation, as chat events in and replies out; plus a randomized tally invariant.

use proptest::prelude::*;

use super::chat_tests::{Chat, ALICE, BOB, MOD, ROOM};
use super::participation::Stance;
use super::*;

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
