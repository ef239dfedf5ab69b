//! The consolidated plan as Markdown: the drafts' Markdown as written, reStructuredText and
//! plain text as paragraphs or fenced blocks, each paragraph led by its id.

use super::tables;
use super::text::{document_level, heading_text};
use super::{BlockKind, ConsolidatedPlan, PlanParagraph, PlanSection, SourceFormat};

/// The plan as one Markdown text.
pub fn render_markdown(plan: &ConsolidatedPlan) -> String {
    let mut md = format!("# {}\n\n", one_line(&plan.title));
    push_text(&mut md, &plan.version);
    push_text(&mut md, &plan.description);
    for section in &plan.sections {
        push_section(&mut md, plan, section);
    }
    let annex = &plan.annex;
    md.push_str(&format!("## {}\n\n", one_line(&annex.title)));
    push_text(&mut md, &annex.introduction);
    let labels = &plan.labels;
    if annex.changes.is_empty() && annex.amendments.is_empty() {
        push_text(&mut md, &labels.nothing);
    }
    if !annex.amendments.is_empty() {
        push_table(
            &mut md,
            &labels.amendment_header(),
            annex.amendment_rows().into_iter(),
        );
    }
    if !annex.changes.is_empty() {
        push_table(
            &mut md,
            &[
                &labels.proposal,
                &labels.section,
                &labels.title,
                &labels.organisation,
                &labels.supports,
                &labels.oppositions,
                &labels.actions,
            ],
            annex.changes.iter().map(|c| {
                vec![
                    format!("#{}", c.proposal),
                    c.section.clone(),
                    c.title.clone(),
                    c.organisation.clone(),
                    c.supports.to_string(),
                    c.oppositions.to_string(),
                    c.action.clone(),
                ]
            }),
        );
        for change in annex
            .changes
            .iter()
            .filter(|c| !c.description.trim().is_empty())
        {
            md.push_str(&format!(
                "**#{} {}**: {}\n\n",
                change.proposal,
                one_line(&change.title),
                one_line(&change.description)
            ));
        }
    }
    md
}

fn push_section(md: &mut String, plan: &ConsolidatedPlan, section: &PlanSection) {
    let labels = &plan.labels;
    md.push_str(&format!(
        "## {}. {}\n\n",
        section.number,
        one_line(&section.title)
    ));
    push_text(md, &section.description);
    for paragraph in &section.paragraphs {
        push_paragraph(md, paragraph);
    }
    if !section.objectives.is_empty() {
        md.push_str(&format!("### {}\n\n", labels.objectives));
        for objective in &section.objectives {
            md.push_str(&format!(
                "- **{}** {}\n",
                objective.code,
                one_line(&objective.title)
            ));
        }
        md.push('\n');
    }
    if !section.results.is_empty() {
        md.push_str(&format!("### {}\n\n", labels.results));
        let (header, rows) = tables::results(labels, &section.results);
        push_table(md, &header, rows.into_iter());
    }
    if !section.actions.is_empty() {
        md.push_str(&format!("### {}\n\n", labels.actions));
        let (header, rows) = tables::actions(labels, &section.actions);
        push_table(md, &header, rows.into_iter());
    }
}

fn push_paragraph(md: &mut String, paragraph: &PlanParagraph) {
    let id = &paragraph.id;
    match (paragraph.kind, paragraph.source) {
        (BlockKind::Heading(level), _) => {
            let hashes = "#".repeat(usize::from(document_level(level)));
            md.push_str(&format!("{hashes} {id} {}\n\n", heading_text(paragraph)));
        }
        (BlockKind::Paragraph, _) => md.push_str(&format!("**{id}** {}\n\n", paragraph.text)),
        (_, SourceFormat::Markdown) => md.push_str(&format!("**{id}**\n\n{}\n\n", paragraph.text)),
        // Not Markdown: shown as written, in a fence longer than any backtick run inside.
        (_, SourceFormat::Rst | SourceFormat::Text) => {
            let longest = longest_run(&paragraph.text, '`');
            let fence = "`".repeat(longest.max(2) + 1);
            md.push_str(&format!(
                "**{id}**\n\n{fence}text\n{}\n{fence}\n\n",
                paragraph.text
            ));
        }
    }
}

fn longest_run(text: &str, wanted: char) -> usize {
    let (mut longest, mut current) = (0, 0);
    for c in text.chars() {
        current = if c == wanted { current + 1 } else { 0 };
        longest = longest.max(current);
    }
    longest
}

fn push_text(md: &mut String, text: &str) {
    if !text.trim().is_empty() {
        md.push_str(text.trim());
        md.push_str("\n\n");
    }
}

fn push_table(md: &mut String, header: &[&String], rows: impl Iterator<Item = Vec<String>>) {
    let cells = |row: Vec<String>| row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ");
    md.push_str(&format!(
        "| {} |\n|{}|\n",
        cells(header.iter().map(|h| (*h).clone()).collect()),
        vec!["---"; header.len()].join("|")
    ));
    for row in rows {
        md.push_str(&format!("| {} |\n", cells(row)));
    }
    md.push('\n');
}

/// A table cell: one line, its pipes escaped.
fn cell(text: &str) -> String {
    one_line(text).replace('|', "\\|")
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
