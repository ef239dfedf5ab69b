//! `!text` and `!draft` through the engine: the section's draft listed and read by paragraph
//! id (in a section room, the Space, with bad or unknown ids), and the plan file's listing.

use pspm_config::draft::{split_from, Format};

use super::tests::{at, settings_for, SPACE};
use super::*;

const ROOM: &str = "!section:ministry.test";

const DRAFT: &str = "# Open data\n\nPublic bodies publish their data in open formats, \
so that anyone can reuse it without asking permission or paying any fee at all.\n\n\
- a catalogue\n- an API\n";

fn engine(language: Language, draft: &str) -> Engine {
    let mut settings = settings_for(ROOM, language);
    for section in settings.sections.values_mut() {
        section.draft = split_from(Format::Markdown, draft, 1);
    }
    Engine::new(settings, State::default())
}

/// The reply to `body` sent in `room`.
fn reply(engine: &mut Engine, room: &str, body: &str) -> String {
    let sent = 1_700_000_000_000;
    let effects = engine.apply(
        Input::Message(Message {
            event_id: "$e".into(),
            room_id: room.into(),
            sender: "@alice:agency.test".into(),
            sent_at_ms: sent,
            body: body.into(),
            thread_root: None,
            reply_to: None,
            quoted: None,
        }),
        at(sent + 25),
    );
    effects.replies.first().expect("a reply").text.body.clone()
}

#[test]
fn text_lists_the_sections_paragraphs_with_headings_marked() {
    let mut engine = engine(Language::En, DRAFT);
    let listing = reply(&mut engine, ROOM, "!text");
    assert!(
        listing.contains("Draft of Dati (3 paragraphs)"),
        "{listing}"
    );
    assert!(listing.contains("§1 # Open data"), "{listing}");
    assert!(
        listing.contains(
            "§2 Public bodies publish their data in open formats, so that anyone can reuse it wi…"
        ),
        "{listing}"
    );
    assert!(listing.contains("§3 - a catalogue - an API"), "{listing}");
}

#[test]
fn text_shows_one_paragraph_whole_by_short_or_full_id() {
    let mut english = engine(Language::En, DRAFT);
    for id in ["§3", "§1.3", "1.3", "s1.3"] {
        let shown = reply(&mut english, ROOM, &format!("!text {id}"));
        assert_eq!(
            shown, "§1.3 (list):\n- a catalogue\n- an API\n👍 0 · 👎 0 · 💬 0",
            "{id}"
        );
    }
    let shown = reply(&mut english, SPACE, "!testo §1.2");
    assert!(
        shown.contains("without asking permission or paying any fee at all."),
        "{shown}"
    );
    // In Italian the kind is named in Italian.
    let mut italian = engine(Language::It, DRAFT);
    let shown = reply(&mut italian, ROOM, "!testo §3");
    assert!(
        shown.starts_with("§1.3 (elenco):\n- a catalogue"),
        "{shown}"
    );
    let shown = reply(&mut italian, ROOM, "!testo §1");
    assert!(shown.starts_with("§1.1 (titolo):"), "{shown}");
}

#[test]
fn text_refuses_unknown_and_bad_ids_in_the_persons_language() {
    let mut engine = engine(Language::It, DRAFT);
    assert_eq!(
        reply(&mut engine, ROOM, "!testo §9"),
        "§1.9 non esiste: Dati ha §1.1–§1.3."
    );
    assert!(reply(&mut engine, ROOM, "!testo tre").contains("“tre” non è un id di paragrafo"));
    assert!(reply(&mut engine, SPACE, "!testo").contains("`!testo §2.3`"));
    assert!(reply(&mut engine, SPACE, "!testo §3").contains("“§3” non è un id"));
    assert!(reply(&mut engine, SPACE, "!testo §4.1").contains("“§4.1” non è un id"));
}

#[test]
fn text_says_when_a_section_has_no_draft() {
    let mut engine = engine(Language::En, "");
    assert_eq!(reply(&mut engine, ROOM, "!text"), "Dati has no draft text.");
    assert_eq!(
        reply(&mut engine, ROOM, "!text §1"),
        "Dati has no draft text."
    );
}

#[test]
fn draft_lists_objectives_results_and_actions_in_the_section_and_the_space() {
    let mut settings = settings_for(ROOM, Language::En);
    settings.monitoring = super::monitoring_tests::plan();
    settings.monitoring.actions[2].due = None;
    let mut engine = Engine::new(settings, State::default());
    let listing = reply(&mut engine, ROOM, "!draft");
    for line in [
        "Plan for Dati:",
        "Objectives:\nOB.1 Open data",
        "Expected results:\nR.1 Datasets published — targets 2026: 180 datasets, 2027: 250 datasets",
        "Actions:\nA.1 Action A.1 — Agenzia, 2026-12-31",
        "A.2 Action A.2 — @owner:agency.test, 2026-06-20",
        "A.3 Action A.3 — @mod:ministry.test, ongoing",
    ] {
        assert!(listing.contains(line), "{line:?} in {listing}");
    }
    assert!(reply(&mut engine, SPACE, "!bozza").contains("A.3 Action A.3"));
    assert!(reply(&mut engine, ROOM, "!draft now").contains("!draft"));
}

#[test]
fn draft_says_when_the_plan_has_nothing_for_the_section() {
    let mut engine = engine(Language::It, DRAFT);
    assert_eq!(
        reply(&mut engine, ROOM, "!bozza"),
        "Dati non ha obiettivi, risultati o azioni nel piano."
    );
}

#[test]
fn a_long_draft_is_listed_fifty_paragraphs_a_page() {
    let long: String = (1..=120)
        .map(|n| format!("Paragraph number {n} of the long chapter.\n\n"))
        .collect();
    let mut chapter = engine(Language::En, &long);
    let first = reply(&mut chapter, ROOM, "!text");
    let lines: Vec<&str> = first.lines().collect();
    assert_eq!(lines[0], "Draft of Dati (120 paragraphs):");
    assert_eq!(lines[1], "§1 Paragraph number 1 of the long chapter.");
    assert_eq!(lines[50], "§50 Paragraph number 50 of the long chapter.");
    assert_eq!(lines[51], "Page 1 of 3: `!text 2` for the next paragraphs.");
    assert_eq!(lines.len(), 52);
    let last = reply(&mut chapter, ROOM, "!text 3");
    let lines: Vec<&str> = last.lines().collect();
    assert_eq!(lines[1], "§101 Paragraph number 101 of the long chapter.");
    assert_eq!(lines[20], "§120 Paragraph number 120 of the long chapter.");
    assert_eq!(lines[21], "Page 3 of 3.");
    // Past the last page, the last one; page 0 is no page.
    assert_eq!(reply(&mut chapter, ROOM, "!text 9"), last);
    assert!(reply(&mut chapter, ROOM, "!text 0").contains('0'));
    // A short draft has no page line.
    let mut short = engine(Language::En, DRAFT);
    assert!(!reply(&mut short, ROOM, "!text").contains("Page"));
}
