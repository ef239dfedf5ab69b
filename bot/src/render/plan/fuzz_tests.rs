//! Fuzz target of the consolidated plan's renderers: any draft text, of any kind and format
//! (Markdown syntax, markup, control characters, long runs), gives Markdown, an HTML page with
//! no markup of its own from that text, and an OpenDocument file whose XML parses.

use std::io::Read as _;

use proptest::prelude::*;
use pspm_indexer::fuzzing::{cases, run};
use quick_xml::events::Event;

use super::*;

/// Draft text: Markdown's and reStructuredText's syntax, markup, odd characters.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[-*#>|`_~\\[\\]()!:=. \n a-z0-9<>&\"]{0,160}",
        "\\PC{0,80}",
        Just("<script>alert('x')</script> [x](javascript:alert(1)) ]]> <![CDATA[".to_owned()),
        any::<String>(),
        "[\\x00-\\x1f\\u{fffe}\\u{ffff}\\u{202e}🚲中文 \t]{0,20}",
    ]
}

fn kind() -> impl Strategy<Value = BlockKind> {
    prop_oneof![
        (0u8..9).prop_map(BlockKind::Heading),
        Just(BlockKind::Paragraph),
        Just(BlockKind::List),
        Just(BlockKind::Code),
        Just(BlockKind::Directive),
        Just(BlockKind::Table),
    ]
}

fn source() -> impl Strategy<Value = SourceFormat> {
    prop_oneof![
        Just(SourceFormat::Markdown),
        Just(SourceFormat::Rst),
        Just(SourceFormat::Text),
    ]
}

fn plan(paragraphs: Vec<(String, BlockKind, SourceFormat)>, other: String) -> ConsolidatedPlan {
    ConsolidatedPlan {
        version: other.clone(),
        language: "it".into(),
        title: other.clone(),
        description: other.clone(),
        sections: vec![PlanSection {
            number: 1,
            id: "s".into(),
            title: other.clone(),
            description: other.clone(),
            paragraphs: paragraphs
                .into_iter()
                .enumerate()
                .map(|(i, (text, kind, source))| PlanParagraph {
                    id: format!("§1.{}", i + 1),
                    kind,
                    source,
                    text,
                })
                .collect(),
            objectives: vec![PlanObjective {
                code: other.clone(),
                title: other.clone(),
            }],
            results: vec![PlanResult {
                title: other.clone(),
                targets: vec![(2026, other.clone())],
                ..PlanResult::default()
            }],
            actions: vec![PlanAction {
                title: other.clone(),
                proposal: Some(1),
                ..PlanAction::default()
            }],
        }],
        annex: Annex {
            title: other.clone(),
            introduction: other.clone(),
            changes: vec![AnnexChange {
                title: other.clone(),
                description: other.clone(),
                ..AnnexChange::default()
            }],
            amendments: vec![AnnexAmendment {
                amendment: other.clone(),
                paragraph: other.clone(),
                change: other,
                ..AnnexAmendment::default()
            }],
        },
        ..ConsolidatedPlan::default()
    }
}

#[test]
fn fuzz_plan_text() {
    let strategy = (
        proptest::collection::vec((text(), kind(), source()), 1..6),
        text(),
    );
    run("plan text", cases(0.3), strategy, |(paragraphs, other)| {
        let plan = plan(paragraphs, other);
        render_markdown(&plan);
        let html = render_html(&plan);
        prop_assert!(!html.contains("<script"), "{html}");
        prop_assert!(
            !html.to_ascii_lowercase().contains("href=\"javascript"),
            "{html}"
        );
        let odt = render_odt(&plan);
        prop_assert!(odt.is_ok(), "{:?}", odt.err());
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(odt.unwrap_or_default()))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        for name in [
            "content.xml",
            "styles.xml",
            "meta.xml",
            "META-INF/manifest.xml",
        ] {
            let mut xml = String::new();
            zip.by_name(name)
                .map_err(|e| TestCaseError::fail(e.to_string()))?
                .read_to_string(&mut xml)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let mut reader = quick_xml::Reader::from_str(&xml);
            let mut depth = 0i64;
            loop {
                match reader.read_event() {
                    Ok(Event::Start(_)) => depth += 1,
                    Ok(Event::End(_)) => depth -= 1,
                    Ok(Event::Eof) => break,
                    Ok(_) => {}
                    Err(error) => {
                        return Err(TestCaseError::fail(format!("{name}: {error}: {xml}")))
                    }
                }
            }
            prop_assert_eq!(depth, 0, "{}: {}", name, xml);
        }
        Ok(())
    });
}
