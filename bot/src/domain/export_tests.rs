//! Exports as their readers get them: every CSV column against the JSON, no cell a
//! spreadsheet runs as a formula, Markdown that shows user text as typed, in the plan's
//! language.

use super::chat_tests::{Chat, ALICE, BOB};
use super::*;

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

/// A CSV export's rows as a spreadsheet reads them (BOM dropped), header first.
pub(super) fn csv_rows(csv: &str) -> Vec<Vec<String>> {
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
        "(pubblica), schema pspm.export v4.",
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
