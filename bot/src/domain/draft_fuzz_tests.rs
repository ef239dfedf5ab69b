//! Fuzz target of the draft splitter (`pspm_config::draft`), which reads the plan's section
//! texts: any Markdown, reStructuredText or plain text, shaped by the languages' own tokens or
//! not, splits without a panic into blocks that come in order, never overlap and together hold
//! every character of the text that is not white space; the paragraphs keep, in order, every
//! such character of the blocks that are paragraphs (of the whole text, for plain text); and
//! paragraph ids read back what they print.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use pspm_config::draft::{blocks, fingerprint, split, Format, ParagraphId};
use pspm_indexer::fuzzing::{cases, run};

const MARKDOWN: &[&str] = &[
    "# ",
    "## ",
    "###### ",
    "#",
    "- ",
    "* ",
    "+ ",
    "1. ",
    "2) ",
    "  - ",
    "    ",
    "> ",
    ">",
    "```",
    "```rust",
    "~~~",
    "| a | b |",
    "|---|---|",
    "|",
    "---",
    "***",
    "___",
    "===",
    "[x]: http://a",
    "[^1]: nota",
    "[^1]",
    "<!-- c -->",
    "<div>",
    "</div>",
    "`",
    "**",
    "_",
    "[a](b)",
    "\\",
    "- [ ] ",
    "<",
    "&amp;",
    "\t",
];

const RST: &[&str] = &[
    "..",
    ".. ",
    ".. note::",
    ".. code-block:: python",
    ".. _target:",
    ".. |s| image:: x",
    ".. [1] ",
    ".. list-table::",
    "::",
    " ::",
    "=====",
    "-----",
    "~~~~",
    "====  ====",
    "+---+---+",
    "+===+",
    "| a | b |",
    "- ",
    "* ",
    "#. ",
    "1. ",
    "(2) ",
    "3) ",
    ":field: ",
    ":a:",
    "   ",
    "    ",
    ">>> ",
    "*e*",
    "``x``",
    ":ref:`a`",
    "`",
    "|",
    "\t",
];

/// Text made of `tokens`, words, any Unicode and line breaks.
fn soup(tokens: &'static [&'static str]) -> impl Strategy<Value = String> {
    vec(
        prop_oneof![
            6 => select(tokens).prop_map(str::to_owned),
            3 => "[a-zA-Z0-9àèé ]{0,10}",
            1 => any::<String>(),
            3 => select(&["\n", "\n\n", " ", "\r\n", "\n   ", "\n    "][..]).prop_map(str::to_owned),
        ],
        0..80,
    )
    .prop_map(|parts| parts.concat())
}

fn visible(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn check(format: Format, text: &str) -> Result<(), TestCaseError> {
    let found = blocks(format, text);
    let mut at = 0;
    let mut covered = String::new();
    let mut in_paragraphs = String::new();
    for block in &found {
        prop_assert!(
            block.span.start >= at,
            "{:?} overlaps or goes back",
            block.span
        );
        prop_assert!(
            block.span.start < block.span.end,
            "{:?} is empty",
            block.span
        );
        let Some(source) = text.get(block.span.clone()) else {
            return Err(TestCaseError::fail(format!(
                "{:?} is outside the text or splits a character",
                block.span
            )));
        };
        prop_assert!(
            text[at..block.span.start].trim().is_empty(),
            "{:?} is in no block",
            &text[at..block.span.start]
        );
        covered.push_str(source);
        if block.kind.is_some() {
            in_paragraphs.push_str(source);
        }
        at = block.span.end;
    }
    prop_assert!(
        text[at..].trim().is_empty(),
        "{:?} is in no block",
        &text[at..]
    );
    prop_assert_eq!(visible(&covered), visible(text));

    let paragraphs = split(format, text);
    let mut kept = String::new();
    for (index, paragraph) in paragraphs.iter().enumerate() {
        prop_assert_eq!(paragraph.number as usize, index + 1);
        prop_assert!(!paragraph.text.trim().is_empty());
        prop_assert_eq!(paragraph.text.trim_end(), paragraph.text.as_str());
        prop_assert_eq!(paragraph.fingerprint, fingerprint(&paragraph.text));
        kept.push_str(&paragraph.text);
    }
    prop_assert_eq!(visible(&kept), visible(&in_paragraphs));
    if format == Format::Text {
        prop_assert_eq!(visible(&kept), visible(text));
    }
    Ok(())
}

#[test]
fn fuzz_markdown_drafts() {
    run("draft markdown", cases(1.0), soup(MARKDOWN), |text| {
        check(Format::Markdown, &text)
    });
}

#[test]
fn fuzz_restructuredtext_drafts() {
    run("draft rst", cases(1.0), soup(RST), |text| {
        check(Format::Rst, &text)
    });
}

#[test]
fn fuzz_plain_text_drafts_and_any_text_in_any_format() {
    run("draft text", cases(1.0), any::<String>(), |text| {
        check(Format::Text, &text)?;
        check(Format::Markdown, &text)?;
        check(Format::Rst, &text)
    });
}

#[test]
fn fuzz_fingerprints_ignore_how_lines_are_wrapped() {
    run("draft fingerprint", cases(1.0), soup(RST), |text| {
        let rewrapped = text.split_whitespace().collect::<Vec<_>>().join("\n   ");
        prop_assert_eq!(fingerprint(&text), fingerprint(&rewrapped));
        Ok(())
    });
}

#[test]
fn fuzz_paragraph_ids() {
    let strategy = (
        prop_oneof!["§?[sS]?[0-9]{0,3}\\.?[0-9]{0,3}", any::<String>(),],
        proptest::option::of(0u32..5),
        1u32..=u32::MAX,
        1u32..=u32::MAX,
    );
    run(
        "draft ids",
        cases(1.0),
        strategy,
        |(text, current, section, paragraph)| {
            if let Ok(id) = ParagraphId::parse(&text, current) {
                prop_assert!(id.section > 0 && id.paragraph > 0);
            }
            let id = ParagraphId::new(section, paragraph);
            prop_assert_eq!(ParagraphId::parse(&id.to_string(), None), Ok(id));
            prop_assert_eq!(ParagraphId::parse(&id.short(), Some(section)), Ok(id));
            Ok(())
        },
    );
}
