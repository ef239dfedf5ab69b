//! `!plan`: a moderator gets the consolidated plan as a file (OpenDocument by default, HTML
//! or Markdown on request) with the section's text in it; others are refused, and a format
//! the bot does not write gets the usage.

use chrono::{TimeZone, Utc};
use pspm_config::draft::{split, Format};

use super::tests::settings;
use super::*;

const ROOM: &str = "!section:ministry.test";
const MODERATOR: &str = "@mod:ministry.test";
const ALICE: &str = "@alice:ministry.test";
const DRAFT: &str = "# Dati aperti\n\nLe amministrazioni pubblicano i dati del trasporto.\n";

fn ask(engine: &mut Engine, sender: &str, body: &str) -> Effects {
    let now = Utc.with_ymd_and_hms(2026, 6, 10, 8, 0, 0).unwrap();
    engine.apply(
        Input::Message(Message {
            event_id: "$plan".into(),
            room_id: ROOM.into(),
            sender: sender.into(),
            sent_at_ms: now.timestamp_millis() - 50,
            body: body.into(),
            thread_root: None,
            reply_to: None,
            quoted: None,
        }),
        now,
    )
}

fn engine() -> Engine {
    let mut settings = settings(Language::En);
    if let Some(section) = settings.sections.get_mut(ROOM) {
        section.draft = split(Format::Markdown, DRAFT);
    }
    Engine::new(settings, State::default())
}

#[test]
fn a_moderator_gets_the_consolidated_plan_in_the_format_asked() {
    let mut engine = engine();
    let odt = ask(&mut engine, MODERATOR, "!plan");
    assert_eq!(odt.replies[0].text.body, "The consolidated plan.");
    let file = &odt.files[0];
    assert_eq!(file.filename, "pt-plan-2026-06-10.odt");
    assert_eq!(file.mimetype, "application/vnd.oasis.opendocument.text");
    assert_eq!(&file.content[..2], b"PK", "a zip");
    let stored = String::from_utf8_lossy(&file.content[..100]);
    assert!(
        stored.contains("application/vnd.oasis.opendocument.text"),
        "{stored}"
    );

    let markdown = ask(&mut engine, MODERATOR, "!plan md");
    let text = String::from_utf8(markdown.files[0].content.clone()).expect("UTF-8");
    assert_eq!(markdown.files[0].mimetype, "text/markdown");
    assert!(
        text.contains("Le amministrazioni pubblicano i dati del trasporto."),
        "{text}"
    );
    assert!(text.contains("Dati aperti"), "{text}");

    let html = ask(&mut engine, MODERATOR, "!piano HTML");
    let page = String::from_utf8(html.files[0].content.clone()).expect("UTF-8");
    assert!(page.contains("Le amministrazioni pubblicano i dati del trasporto."));
    assert!(html.files[0].filename.ends_with(".html"));
}

#[test]
fn others_and_unknown_formats_get_a_reply_and_no_file() {
    let mut engine = engine();
    let refused = ask(&mut engine, ALICE, "!plan");
    assert!(refused.files.is_empty());
    assert!(!refused.replies[0].text.body.is_empty());
    let unknown = ask(&mut engine, MODERATOR, "!plan pdf");
    assert!(unknown.files.is_empty());
    assert!(
        unknown.replies[0].text.body.contains("pdf"),
        "{}",
        unknown.replies[0].text.body
    );
}
