//! The consolidated plan from a conversation: two sections (a small Markdown draft, an AgID
//! reStructuredText chapter), objectives, results with a text target, an open-ended action,
//! an accepted proposal assigned as an action with its votes; then the three files it makes.

use std::io::Read as _;

use pspm_config::draft::{split, Format};
use pspm_config::monitoring::Target;
use quick_xml::events::Event;

use super::build;
use crate::domain::monitoring::{Action, ExpectedResult, Objective};
use crate::domain::monitoring_tests::{day, plan, Clock, COLLEAGUE, MODERATOR, OUTSIDER, OWNER};
use crate::domain::SectionSettings;
use crate::render::plan::{
    render_html, render_markdown, render_odt, BlockKind, ConsolidatedPlan, SourceFormat,
};

const MARKDOWN: &str =
    "# Dati *aperti* ##\n\nLe amministrazioni pubblicano i **dati** che producono.\n\n\
- un catalogo unico\n- licenze aperte\n\n| Anno | Dataset |\n|---|---|\n| 2026 | 180 |\n\n\
```\ncurl https://dati.example/api\n```\n\n<script>alert(1)</script>\n";

const AGID: &str = include_str!(
    "../../../../tests/data/practices/agid-linee-guida-riuso-software/riuso-software/modello-di-riuso.rst"
);

/// The plan file's two sections, with their drafts, in `clock`'s settings: `dati` (the room
/// the conversation happens in) and `riuso`.
fn with_sections(clock: &mut Clock) {
    let sections = &mut clock.engine.settings.sections;
    let mut riuso = None;
    for section in sections.values_mut() {
        section.description = "About Dati.".into();
        section.draft = split(Format::Markdown, MARKDOWN);
        riuso = Some(SectionSettings {
            id: "riuso".into(),
            position: 1,
            title: "Riuso".into(),
            description: "About Riuso.".into(),
            draft: split(Format::Rst, AGID),
            ..section.clone()
        });
    }
    let riuso = riuso.expect("the settings have the dati section");
    sections.insert("!riuso:ministry.test".into(), riuso);
}

/// The plan after a proposal is supported, opposed, accepted and assigned as `A.10`.
fn consolidated() -> ConsolidatedPlan {
    let mut monitoring = plan();
    monitoring.results.push(ExpectedResult {
        code: "R.2".into(),
        objective: "OB.1".into(),
        title: "Bodies on the catalogue".into(),
        indicator: "bodies".into(),
        unit: "bodies".into(),
        baseline: None,
        targets: [
            (
                2027,
                Target {
                    value: None,
                    text: Some("almeno 80 amministrazioni".into()),
                },
            ),
            (
                2028,
                Target {
                    value: Some(7900.0),
                    text: Some("tutti i comuni".into()),
                },
            ),
        ]
        .into(),
    });
    monitoring.objectives.push(Objective {
        code: "OB.2".into(),
        section: "riuso".into(),
        title: "Reuse first".into(),
    });
    monitoring.actions.push(Action {
        code: "A.20".into(),
        section: "riuso".into(),
        objective: Some("OB.2".into()),
        title: "Keep the catalogue of reusable software".into(),
        owner: Some("Agenzia".into()),
        owners: vec![],
        start: Some(day(2026, 3, 1)),
        due: None,
        weight: 1.5,
        proposal: None,
    });
    let mut clock = Clock::with(monitoring);
    with_sections(&mut clock);
    clock.say(
        OWNER,
        "!propose Open the cadastre\nAll of it, as open data.",
    );
    clock.say(OWNER, "!propose Publish the budget\nEvery year.");
    clock.say(COLLEAGUE, "!vote 1 +");
    clock.say(MODERATOR, "!vote 1 +");
    clock.say(OUTSIDER, "!vote 1 -");
    clock.say(MODERATOR, "!accept 1 yes");
    // Accepted but not assigned: not in the annex.
    clock.say(MODERATOR, "!accept 2 yes");
    let assigned = clock.say(MODERATOR, "!assign 1 A.10 Agenzia 2026-09-30 2");
    assert!(assigned.contains("now action `A.10`"), "{assigned}");
    build(clock.engine.settings(), clock.engine.state(), 1)
}

#[test]
fn the_model_holds_sections_paragraphs_monitoring_and_the_annex() {
    let plan = consolidated();
    assert_eq!(plan.title, "Piano");
    assert_eq!(plan.language, "en");
    let [dati, riuso] = &plan.sections[..] else {
        panic!("two sections: {:?}", plan.sections);
    };
    assert_eq!((dati.number, dati.title.as_str()), (1, "Dati"));
    let ids: Vec<_> = dati
        .paragraphs
        .iter()
        .map(|p| (p.id.as_str(), p.kind))
        .collect();
    assert_eq!(
        ids,
        [
            ("§1.1", BlockKind::Heading(1)),
            ("§1.2", BlockKind::Paragraph),
            ("§1.3", BlockKind::List),
            ("§1.4", BlockKind::Table),
            ("§1.5", BlockKind::Code),
            ("§1.6", BlockKind::Paragraph),
        ]
    );
    assert_eq!(riuso.paragraphs[0].id, "§2.1");
    assert_eq!(riuso.paragraphs[0].kind, BlockKind::Heading(1));
    assert_eq!(riuso.paragraphs[0].source, SourceFormat::Rst);
    assert!(riuso.paragraphs.iter().any(|p| p.kind == BlockKind::List));
    assert_eq!(dati.objectives[0].code, "OB.1");
    let r2 = dati.results.iter().find(|r| r.code == "R.2").unwrap();
    assert_eq!(
        r2.targets,
        [
            (2027, "almeno 80 amministrazioni".to_owned()),
            (2028, "tutti i comuni (7,900)".to_owned())
        ]
    );
    let r1 = &dati.results[0];
    assert_eq!(
        (r1.baseline.as_str(), r1.targets[0].1.as_str()),
        ("100", "180")
    );
    let a10 = dati.actions.iter().find(|a| a.code == "A.10").unwrap();
    assert_eq!(
        (
            a10.owner.as_str(),
            a10.due.as_str(),
            a10.weight.as_str(),
            a10.proposal
        ),
        ("Agenzia", "2026-09-30", "2", Some(1))
    );
    let a20 = &riuso.actions[0];
    assert_eq!(
        (
            a20.code.as_str(),
            a20.start.as_str(),
            a20.due.as_str(),
            a20.weight.as_str()
        ),
        ("A.20", "2026-03-01", "ongoing", "1.5")
    );
    assert_eq!(plan.annex.title, "Annex: changes since the plan file");
    let [change] = &plan.annex.changes[..] else {
        panic!("one change: {:?}", plan.annex.changes);
    };
    assert_eq!(
        (
            change.proposal,
            change.title.as_str(),
            change.organisation.as_str(),
            change.supports,
            change.oppositions,
            change.action.as_str(),
            change.section.as_str()
        ),
        (1, "Open the cadastre", "Agenzia", 2, 1, "A.10", "Dati")
    );
}

#[test]
fn the_markdown_shows_the_text_with_its_ids_and_the_annex() {
    let md = render_markdown(&consolidated());
    for expected in [
        "# Piano\n",
        "## 1. Dati\n\nAbout Dati.\n",
        "### §1.1 Dati aperti\n",
        "**§1.2** Le amministrazioni pubblicano i **dati** che producono.",
        "**§1.3**\n\n- un catalogo unico\n- licenze aperte",
        "| 2026 | 180 |",
        "### §2.1 Modello di riuso\n",
        "| R.2 | Bodies on the catalogue | bodies | bodies |  | 2027: almeno 80 amministrazioni; 2028: tutti i comuni (7,900) |",
        "| A.10 | Open the cadastre (Proposal #1) |  | Agenzia | 2026-06-10 | 2026-09-30 | 2 |",
        "| A.20 | Keep the catalogue of reusable software | OB.2 | Agenzia | 2026-03-01 | ongoing | 1.5 |",
        "## Annex: changes since the plan file\n",
        "| #1 | Dati | Open the cadastre | Agenzia | 2 | 1 | A.10 |",
    ] {
        assert!(md.contains(expected), "{expected:?} missing from:\n{md}");
    }
    // The RST list is shown as written, in a fence.
    assert!(md.contains("```text\n1. L'amministrazione \"A\""), "{md}");
}

#[test]
fn the_html_page_is_one_readable_document() {
    let html = render_html(&consolidated());
    assert!(
        html.starts_with("<!DOCTYPE html><html lang=\"en\">"),
        "{html}"
    );
    assert!(html.contains("@media print"));
    assert!(
        html.contains("<h3 id=\"p1.1\"><span class=\"pid\">§1.1</span>Dati aperti</h3>"),
        "{html}"
    );
    assert!(html.contains("<strong>dati</strong>"), "{html}");
    assert!(
        html.contains(
            "<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"§1.4\"><table>"
        ),
        "{html}"
    );
    assert!(
        html.contains("<span class=\"pid\">§2.1</span>Modello di riuso"),
        "{html}"
    );
    // Raw HTML in a draft is text, never markup.
    assert!(!html.contains("<script>"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(html.contains("almeno 80 amministrazioni"));
    assert!(html.contains("Annex: changes since the plan file"));
}

#[test]
fn the_odt_is_a_package_whose_content_holds_the_outline_and_paragraphs() {
    let bytes = render_odt(&consolidated()).unwrap();
    // The mimetype first and stored, as readers sniff it at byte 38.
    assert_eq!(&bytes[30..38], b"mimetype");
    assert_eq!(&bytes[38..77], b"application/vnd.oasis.opendocument.text");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let names: Vec<_> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    for name in [
        "mimetype",
        "META-INF/manifest.xml",
        "content.xml",
        "styles.xml",
        "meta.xml",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
    }
    let mut content = String::new();
    zip.by_name("content.xml")
        .unwrap()
        .read_to_string(&mut content)
        .unwrap();
    let (headings, paragraphs) = odt_text(&content);
    assert!(
        headings.contains(&(3, "§1.1 Dati aperti".to_owned())),
        "{headings:?}"
    );
    assert!(
        headings.contains(&(2, "1. Dati".to_owned())),
        "{headings:?}"
    );
    assert!(
        headings.contains(&(3, "§2.1 Modello di riuso".to_owned())),
        "{headings:?}"
    );
    assert!(
        paragraphs.contains(&"§1.2 Le amministrazioni pubblicano i dati che producono.".to_owned()),
        "{paragraphs:?}"
    );
    assert!(
        paragraphs.contains(&"un catalogo unico".to_owned()),
        "{paragraphs:?}"
    );
    assert!(
        paragraphs.contains(&"almeno 80 amministrazioni".to_owned())
            || paragraphs
                .iter()
                .any(|p| p.contains("almeno 80 amministrazioni"))
    );
    assert!(content.contains("<table:table "), "{content}");
    assert!(content.contains("<text:list "), "{content}");
    assert!(
        paragraphs
            .iter()
            .any(|p| p == "curl https://dati.example/api"),
        "{paragraphs:?}"
    );
}

/// The headings (outline level, text) and paragraphs' texts of an ODT's `content.xml`, read
/// with an XML parser.
pub(crate) fn odt_text(content: &str) -> (Vec<(u8, String)>, Vec<String>) {
    let mut reader = quick_xml::Reader::from_str(content);
    let (mut headings, mut paragraphs) = (Vec::new(), Vec::new());
    let mut current: Option<(Option<u8>, String)> = None;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) if matches!(e.name().as_ref(), "text:h" | "text:p") => {
                let level = e
                    .try_get_attribute("text:outline-level")
                    .unwrap()
                    .map(|a| a.value.parse().unwrap());
                current = Some((level, String::new()));
            }
            Event::Text(t) => {
                if let Some((_, text)) = &mut current {
                    text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some((_, text)) = &mut current {
                    let name = r.into_inner();
                    text.push_str(match name.as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        _ => "'",
                    });
                }
            }
            Event::Empty(e) if e.name().as_ref() == "text:s" => {
                if let Some((_, text)) = &mut current {
                    text.push(' ');
                }
            }
            Event::End(e) if matches!(e.name().as_ref(), "text:h" | "text:p") => {
                match current.take() {
                    Some((Some(level), text)) => headings.push((level, text)),
                    Some((None, text)) => paragraphs.push(text),
                    None => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    (headings, paragraphs)
}

#[test]
fn accepted_amendments_change_the_text_in_their_order_and_others_do_not() {
    use crate::domain::amendments::{AmendKind, Amendment, AmendmentState};
    use crate::domain::{Change, State};
    let amendment = |number, paragraph: &str, kind, text: &str, state, decided| Amendment {
        number,
        section: "dati".into(),
        room_id: "!dati:ministry.test".into(),
        paragraph: paragraph.into(),
        kind,
        text: text.into(),
        base: 0,
        author: OWNER.into(),
        organisation: "Agenzia".into(),
        created_ms: 1,
        source_event: format!("$a{number}"),
        state,
        answer: None,
        decided_ms: decided,
    };
    let mut state = State::default();
    for a in [
        // Accepted later than A3: its text is the one that stands.
        amendment(
            1,
            "§1.2",
            AmendKind::Replace,
            "Second text.",
            AmendmentState::Accepted,
            Some(20),
        ),
        amendment(
            2,
            "§1.3",
            AmendKind::Delete,
            "",
            AmendmentState::Accepted,
            Some(5),
        ),
        amendment(
            3,
            "§1.2",
            AmendKind::Replace,
            "First text.",
            AmendmentState::Accepted,
            Some(10),
        ),
        amendment(
            4,
            "§1.1",
            AmendKind::InsertAfter,
            "Why it matters.",
            AmendmentState::Accepted,
            Some(1),
        ),
        amendment(
            5,
            "§1.4",
            AmendKind::Delete,
            "",
            AmendmentState::Rejected,
            Some(2),
        ),
        amendment(6, "§1.4", AmendKind::Delete, "", AmendmentState::Open, None),
    ] {
        state.apply_change(&Change::Amendment(a));
    }
    let mut clock = Clock::with(plan());
    with_sections(&mut clock);
    let model = build(clock.engine.settings(), &state, 1);
    let paragraphs: Vec<(&str, &str)> = model.sections[0]
        .paragraphs
        .iter()
        .take(4)
        .map(|p| (p.id.as_str(), p.text.as_str()))
        .collect();
    assert_eq!(
        paragraphs,
        [
            ("§1.1", "# Dati *aperti* ##"),
            ("§1.1+A4", "Why it matters."),
            ("§1.2", "Second text."),
            ("§1.4", "| Anno | Dataset |\n|---|---|\n| 2026 | 180 |"),
        ]
    );
    let markdown = render_markdown(&model);
    assert!(
        markdown.contains("**§1.1+A4** Why it matters."),
        "{markdown}"
    );
    assert!(!markdown.contains("un catalogo unico"), "§1.3 deleted");
    // The annex lists the accepted ones, by number, with what each did.
    let annex: Vec<(&str, &str, &str, &str)> = model
        .annex
        .amendments
        .iter()
        .map(|a| {
            (
                a.amendment.as_str(),
                a.section.as_str(),
                a.paragraph.as_str(),
                a.change.as_str(),
            )
        })
        .collect();
    assert_eq!(
        annex,
        [
            ("A1", "Dati", "§1.2", "text replaced"),
            ("A2", "Dati", "§1.3", "deleted"),
            ("A3", "Dati", "§1.2", "text replaced"),
            ("A4", "Dati", "§1.1", "paragraph added after"),
        ]
    );
    assert!(
        markdown.contains("| A4 | Dati | §1.1 | paragraph added after | Agenzia | 0 | 0 |"),
        "{markdown}"
    );
    let html = render_html(&model);
    assert!(html.contains("<td>paragraph added after</td>"), "{html}");
}
