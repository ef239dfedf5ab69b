//! The draft under consultation through the engine: posted once per section (at a tick, or
//! at once when a moderator opens consultation), each paragraph, objective and action an item
//! with 👍/👎 ballots (latest standing, redaction withdraws, no `max_supports`), comments in
//! its thread, and `!text §n` showing its counts.

use pspm_config::draft::{split_from, Format};

use super::chat_tests::{Chat, ALICE, BOB, MOD, ROOM};
use super::monitoring_tests::plan;
use super::*;

const DRAFT: &str = "# Open data\n\nPublic bodies publish their data in open formats.\n\n\
- a catalogue\n- an API\n";

/// A chat whose section has the draft above and the monitoring tests' plan (objective OB.1,
/// actions A.1–A.3), in `phase`.
pub(super) fn chat(phase: Phase, max_supports: Option<u32>) -> Chat {
    let mut chat = Chat::new(max_supports);
    let settings = &mut chat.engine.settings;
    settings.monitoring = plan();
    for section in settings.sections.values_mut() {
        section.draft = split_from(Format::Markdown, DRAFT, 1);
        section.default_phase = phase;
    }
    chat
}

/// The items' notices of `effects`: `(item key, body)`.
pub(super) fn items(effects: &Effects) -> Vec<(String, String)> {
    effects
        .notices
        .iter()
        .filter_map(|n| Some((n.item.clone()?, n.text.body.clone())))
        .collect()
}

/// Each posted item's message comes back from the homeserver as `$item<key>`.
pub(super) fn come_back(chat: &mut Chat, posted: &[(String, String)]) {
    for (key, _) in posted {
        let seeds = chat.apply(Input::ItemPosted {
            room_id: ROOM.into(),
            item: key.clone(),
            event_id: format!("$item{key}"),
        });
        let keys: Vec<&str> = seeds.reactions.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["👍", "👎"], "{key} is seeded with 👍 and 👎");
    }
}

pub(super) fn in_thread(chat: &mut Chat, sender: &str, root: &str, body: &str) -> Effects {
    let message = Message {
        event_id: format!("$t{}", chat.clock),
        thread_root: Some(root.into()),
        ..chat.message(sender, body)
    };
    chat.apply(Input::Message(message))
}

pub(super) fn tally(chat: &Chat, key: &str) -> (u32, u32) {
    let t = chat.engine.state().consultation.tally(key);
    (t.support, t.oppose)
}

#[test]
fn a_tick_posts_the_draft_once_one_message_per_item_each_opening_with_its_id() {
    let mut chat = chat(Phase::Consultation, None);
    let effects = chat.apply(Input::Tick);
    let posted = items(&effects);
    let keys: Vec<&str> = posted.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "§1.1",
            "§1.2",
            "§1.3",
            "objective/OB.1",
            "action/A.1",
            "action/A.2",
            "action/A.3"
        ]
    );
    assert_eq!(posted[0].1, "§1 Open data");
    assert_eq!(
        posted[1].1,
        "§2 Public bodies publish their data in open formats."
    );
    assert_eq!(posted[2].1, "§3 - a catalogue\n- an API");
    assert_eq!(posted[3].1, "Objective OB.1 Open data");
    assert_eq!(
        posted[4].1,
        "Action A.1 Action A.1 — Agenzia, due 2026-12-31"
    );
    let intro = &effects.notices[0];
    assert_eq!(intro.item, None);
    assert!(
        intro
            .text
            .body
            .starts_with("The draft of Dati is under consultation: 7 items"),
        "{}",
        intro.text.body
    );
    // Each is recorded before it is sent: the next tick, and a rebuilt state, post nothing.
    assert_eq!(chat.apply(Input::Tick).notices, []);
    let mut rebuilt = State::default();
    for change in &chat.changes {
        rebuilt.apply_change(change);
    }
    assert_eq!(
        draft_post::due(chat.engine.settings(), &rebuilt).notices,
        []
    );
}

#[test]
fn a_heading_is_posted_bold_without_its_markup() {
    let mut chat = chat(Phase::Consultation, None);
    let rst = "=====\nTitle\n=====\n\nSub *section*\n-------------\n\nText.\n";
    chat.engine
        .settings
        .sections
        .values_mut()
        .for_each(|s| s.draft = split_from(Format::Rst, rst, 1));
    let effects = chat.apply(Input::Tick);
    let texts: Vec<(&str, &str)> = effects
        .notices
        .iter()
        .filter(|n| n.item.is_some())
        .map(|n| (n.text.body.as_str(), n.text.html.as_str()))
        .collect();
    assert_eq!(
        &texts[..3],
        [
            ("§1 Title", "<strong>§1 Title</strong>"),
            ("§2 Sub *section*", "<strong>§2 Sub *section*</strong>"),
            ("§3 Text.", "<strong>§3</strong> Text."),
        ]
    );
}

#[test]
fn the_html_of_a_paragraph_escapes_its_text_and_bolds_its_id() {
    let mut chat = chat(Phase::Consultation, None);
    chat.engine
        .settings
        .sections
        .values_mut()
        .for_each(|s| s.draft = split_from(Format::Markdown, "Use <b>tags</b> & more", 1));
    let effects = chat.apply(Input::Tick);
    let paragraph = effects.notices.iter().find(|n| n.item.is_some()).unwrap();
    assert_eq!(
        paragraph.text.html,
        "<strong>§1</strong> Use &lt;b&gt;tags&lt;/b&gt; &amp; more"
    );
}

#[test]
fn a_section_outside_consultation_waits_until_a_moderator_opens_it_then_posts_at_once() {
    let mut chat = chat(Phase::Prioritisation, None);
    assert_eq!(chat.apply(Input::Tick).notices, []);
    let message = Message {
        event_id: "$phase".into(),
        ..chat.message(MOD, "!phase consultation")
    };
    let effects = chat.apply(Input::Message(message));
    assert_eq!(items(&effects).len(), 7);
    assert!(effects
        .changes
        .iter()
        .any(|c| matches!(c, Change::DraftItem(i) if i.key == "§1.2" && i.event_id.is_none())));
    // Moving it away and back does not post it again.
    chat.say(MOD, "!phase prioritisation");
    let effects = chat.apply(Input::Tick);
    assert_eq!(effects.notices, []);
    let (_, replies) = chat.say(MOD, "!phase consultation");
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert_eq!(chat.apply(Input::Tick).notices, []);
}

#[test]
fn thumbs_on_a_paragraph_are_ballots_latest_standing_one_redaction_withdraws() {
    let mut chat = chat(Phase::Consultation, Some(1));
    let posted = items(&chat.apply(Input::Tick));
    come_back(&mut chat, &posted);
    let item = chat.engine.state().consultation.items["§1.2"].clone();
    assert_eq!(item.event_id.as_deref(), Some("$item§1.2"));
    // A card seen again changes nothing.
    let again = chat.apply(Input::ItemPosted {
        room_id: ROOM.into(),
        item: "§1.2".into(),
        event_id: "$other".into(),
    });
    assert_eq!(again, Effects::default());

    let (support, _) = chat.react(ALICE, "$item§1.2", "👍");
    chat.react(BOB, "$item§1.2", "👎🏽");
    assert_eq!(tally(&chat, "§1.2"), (1, 1));
    // Latest standing ballot: Alice opposes now; her redacted opposition brings back support.
    let (oppose, _) = chat.react(ALICE, "$item§1.2", "👎");
    assert_eq!(tally(&chat, "§1.2"), (0, 2));
    chat.redact(ALICE, &oppose);
    assert_eq!(tally(&chat, "§1.2"), (1, 1));
    // Bob cannot withdraw Alice's ballot; Alice can.
    chat.redact(BOB, &support);
    assert_eq!(tally(&chat, "§1.2"), (1, 1));
    chat.redact(ALICE, &support);
    assert_eq!(tally(&chat, "§1.2"), (0, 1));
    // `max_supports` (1 here) is for proposals: Alice supports three items.
    for key in ["§1.1", "§1.3", "action/A.2"] {
        let (_, replies) = chat.react(ALICE, &format!("$item{key}"), "👍");
        assert_eq!(replies, Vec::<String>::new());
        assert_eq!(tally(&chat, key), (1, 0), "{key}");
    }
    let by = chat
        .engine
        .state()
        .consultation
        .tally_by_organisation("action/A.2");
    assert_eq!(by["Agenzia"].support, 1);
    // Other reactions are no votes.
    chat.react(BOB, "$item§1.1", "🎉");
    assert_eq!(tally(&chat, "§1.1"), (1, 0));
}

#[test]
fn votes_on_items_are_refused_when_the_section_is_closed_to_votes() {
    let mut chat = chat(Phase::Consultation, None);
    let posted = items(&chat.apply(Input::Tick));
    come_back(&mut chat, &posted);
    chat.say(MOD, "!phase consolidation");
    let (_, replies) = chat.react(ALICE, "$item§1.2", "👍");
    assert_eq!(replies.len(), 1);
    assert!(replies[0].contains("consolidation"), "{replies:?}");
    assert_eq!(tally(&chat, "§1.2"), (0, 0));
}

#[test]
fn replies_in_an_items_thread_are_comments_and_text_shows_the_counts() {
    let mut chat = chat(Phase::Consultation, None);
    let posted = items(&chat.apply(Input::Tick));
    come_back(&mut chat, &posted);
    let effects = in_thread(&mut chat, ALICE, "$item§1.2", "Say which formats.");
    assert_eq!(effects.replies, []);
    in_thread(&mut chat, BOB, "$item§1.2", "Agreed.");
    chat.react(ALICE, "$item§1.2", "👍");
    chat.react(BOB, "$item§1.2", "👍");
    let comments = chat.engine.state().consultation.comments_on("§1.2");
    let texts: Vec<(&str, &str, &str)> = comments
        .iter()
        .map(|c| (c.author.as_str(), c.organisation.as_str(), c.text.as_str()))
        .collect();
    assert_eq!(
        texts,
        [
            (ALICE, "Agenzia", "Say which formats."),
            (BOB, "Ministero", "Agreed.")
        ]
    );
    let (_, replies) = chat.say(BOB, "!text §2");
    assert_eq!(
        replies,
        ["§1.2 (paragraph):\nPublic bodies publish their data in open formats.\n👍 2 · 👎 0 · 💬 2"]
    );
    // A deleted comment no longer counts; another person cannot delete it.
    let alice_comment = comments_event(&chat, ALICE);
    chat.redact(BOB, &alice_comment);
    assert_eq!(
        chat.engine.state().consultation.comments_on("§1.2").len(),
        2
    );
    chat.redact(ALICE, &alice_comment);
    let (_, replies) = chat.say(BOB, "!text §2");
    assert!(replies[0].ends_with("👍 2 · 👎 0 · 💬 1"), "{replies:?}");
    // Outside consultation, a reply in the thread is refused and not recorded.
    chat.say(MOD, "!phase prioritisation");
    let effects = in_thread(&mut chat, ALICE, "$item§1.2", "Late.");
    assert_eq!(effects.replies.len(), 1);
    assert_eq!(
        chat.engine.state().consultation.comments_on("§1.2").len(),
        1
    );
}

fn comments_event(chat: &Chat, author: &str) -> String {
    chat.engine
        .state()
        .consultation
        .comments
        .values()
        .find(|c| c.author == author)
        .map(|c| c.event_id.clone())
        .expect("a comment")
}

#[test]
fn the_state_folds_back_from_the_changes_exactly() {
    let mut chat = chat(Phase::Consultation, None);
    let posted = items(&chat.apply(Input::Tick));
    come_back(&mut chat, &posted);
    chat.react(ALICE, "$item§1.1", "👍");
    let (oppose, _) = chat.react(BOB, "$item§1.1", "👎");
    chat.redact(BOB, &oppose);
    in_thread(&mut chat, ALICE, "$itemaction/A.1", "Too late.");
    let mut rebuilt = State::default();
    for change in &chat.changes {
        rebuilt.apply_change(change);
    }
    assert_eq!(&rebuilt, chat.engine.state());
}

fn respond(chat: &mut Chat, sender: &str, answers: &[&str]) {
    let at = chat.clock;
    chat.apply(Input::PollResponse(PollAnswered {
        event_id: format!("$resp{at}"),
        room_id: ROOM.into(),
        sender: sender.into(),
        start: "$poll1".into(),
        answers: answers.iter().map(|a| (*a).to_owned()).collect(),
        at_ms: at,
    }));
}

#[test]
fn prioritise_all_mixes_draft_actions_and_proposals_most_supported_first() {
    let mut chat = chat(Phase::Consultation, None);
    let posted = items(&chat.apply(Input::Tick));
    come_back(&mut chat, &posted);
    chat.react(ALICE, "$itemaction/A.2", "👍");
    chat.react(BOB, "$itemaction/A.2", "👍");
    chat.react(BOB, "$itemaction/A.3", "👍");
    chat.say(ALICE, "!propose Open API");
    chat.react(BOB, "$card1", "👍");

    let message = Message {
        event_id: "$prioritise".into(),
        ..chat.message(MOD, "!prioritise all 2")
    };
    let effects = chat.apply(Input::Message(message));
    assert_eq!(
        effects.replies[0].text.body,
        "Priority poll 1 is open: pick up to 2 among 3 draft actions and 1 proposal. \
         It closes with `!close`."
    );
    let poll = &effects.polls[0];
    assert_eq!(
        poll.question,
        "Which of the draft's actions and the proposals of “Dati” come first? Pick up to 2."
    );
    let answers: Vec<(&str, &str)> = poll
        .answers
        .iter()
        .map(|(id, text)| (id.as_str(), text.as_str()))
        .collect();
    // A.2 (+2) first; #1 and A.3 (+1 each): the proposal first; A.1 (0) last.
    assert_eq!(
        answers,
        [
            ("a1", "Action A.2 Action A.2"),
            ("p1", "#1 Open API"),
            ("a3", "Action A.3 Action A.3"),
            ("a4", "Action A.1 Action A.1"),
        ]
    );
    chat.apply(Input::PollPosted {
        room_id: ROOM.into(),
        poll_id: 1,
        event_id: "$poll1".into(),
    });
    respond(&mut chat, ALICE, &["a1", "p1"]);
    respond(&mut chat, BOB, &["a1"]);
    // An unknown answer spoils the ballot. Ties rank as proposals do: by number, then code.
    respond(&mut chat, MOD, &["a9"]);
    let (_, replies) = chat.say(MOD, "!close");
    assert_eq!(
        replies,
        ["Poll 1 closed: 2 voters, 1 spoiled vote. Ranking:\n\
          1. Action A.2 Action A.2 — 2 votes\n\
          2. #1 Open API — 1 vote\n\
          3. Action A.1 Action A.1 — 0 votes\n\
          4. Action A.3 Action A.3 — 0 votes"]
    );
}

#[test]
fn prioritise_actions_takes_only_draft_actions_and_refuses_a_secret_ballot() {
    let mut chat = chat(Phase::Consultation, None);
    chat.say(ALICE, "!propose Open API");
    let (_, replies) = chat.say(MOD, "!prioritise azioni 1 2");
    assert_eq!(
        replies,
        [
            "Priority poll 1 is open: pick up to 1 among 2 draft actions and 0 proposals. \
          It closes with `!close`."
        ]
    );
    let (_, replies) = chat.say(MOD, "!prioritise actions secret");
    assert_eq!(
        replies,
        ["A secret ballot is among proposals only: leave out `actions` or `all`, or `secret`."]
    );
    // Without a word, as before: proposals only (one is too few).
    let (_, replies) = chat.say(MOD, "!prioritise");
    assert_eq!(
        replies,
        ["A priority poll needs at least two open proposals."]
    );
    chat.engine.settings.monitoring.actions.truncate(1);
    let (_, replies) = chat.say(MOD, "!prioritise actions");
    assert_eq!(
        replies,
        ["A priority poll needs at least two options: Dati has 1 draft action and 0 open proposals."]
    );
}

#[test]
fn the_export_has_each_items_votes_per_organisation_and_its_comments() {
    use super::export::{Export, Format, Visibility};
    use super::export_tests::csv_rows;
    let mut chat = chat(Phase::Consultation, None);
    let posted = items(&chat.apply(Input::Tick));
    come_back(&mut chat, &posted);
    // §1.2: Agenzia 2/0, Ministero 0/1; action A.1: Ministero 1/0.
    chat.react(ALICE, "$item§1.2", "👍");
    chat.react("@carla:agency.test", "$item§1.2", "👍");
    chat.react(BOB, "$item§1.2", "👎");
    chat.react(BOB, "$itemaction/A.1", "👍");
    let comment_event = format!("$t{}", chat.clock);
    in_thread(
        &mut chat,
        ALICE,
        "$item§1.2",
        "=HYPERLINK(\"x\") which formats?",
    );
    let export = Export::build(
        chat.engine.settings(),
        chat.engine.state(),
        Visibility::Public,
        super::tests::at(0),
    );
    let json = serde_json::to_value(&export).expect("json");
    assert_eq!(json["version"], 4);
    let paragraph = &json["items"][1];
    assert_eq!(paragraph["item"], "§1.2");
    assert_eq!(paragraph["kind"], "paragraph");
    assert_eq!(
        paragraph["text"],
        "Public bodies publish their data in open formats."
    );
    assert_eq!(paragraph["by_organisation"]["Agenzia"]["supports"], 2);
    assert_eq!(paragraph["by_organisation"]["Ministero"]["oppositions"], 1);
    assert_eq!(paragraph["comments"], 1);

    let files = export.render(Format::Csv, chat.engine.settings().catalogue());
    let file = |table: &str| {
        let file = files.iter().find(|f| f.table == table).expect(table);
        csv_rows(&file.content)
    };
    let items = file("items");
    assert_eq!(
        items[0],
        [
            "item",
            "section",
            "kind",
            "text",
            "event_id",
            "supports",
            "oppositions",
            "comments",
            "iteration",
            "supports [Agenzia]",
            "oppositions [Agenzia]",
            "supports [Ministero]",
            "oppositions [Ministero]"
        ]
    );
    assert_eq!(items.len(), 8, "7 items");
    assert_eq!(
        items[2],
        [
            "§1.2",
            "dati",
            "paragraph",
            "Public bodies publish their data in open formats.",
            "$item§1.2",
            "2",
            "1",
            "1",
            "1",
            "2",
            "0",
            "0",
            "1"
        ]
    );
    assert_eq!(
        items[5],
        [
            "action/A.1",
            "dati",
            "action",
            "Action A.1",
            "$itemaction/A.1",
            "1",
            "0",
            "0",
            "1",
            "0",
            "0",
            "1",
            "0"
        ]
    );
    let comments = file("item_comments");
    assert_eq!(comments.len(), 2);
    let row = &comments[1];
    assert_eq!(
        &row[..4],
        ["§1.2", "dati", "'@alice:agency.test", "Agenzia"]
    );
    // A formula is quoted, as in every exported cell.
    assert_eq!(row[4], "'=HYPERLINK(\"x\") which formats?");
    assert_eq!(row[6], comment_event);
    assert_eq!(row[7], "1", "its iteration");
    assert_eq!(row.len(), 8);
}
