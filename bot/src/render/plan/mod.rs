//! The consolidated plan (`pspm plan export`): its plain model, which the domain fills, and
//! the three renderers that write it.
//!
//! - `markdown.rs` — Markdown text.
//! - `html.rs` — a self-contained HTML page (maud; inline CSS, phone and print).
//! - `odt.rs` — an OpenDocument Text file (quick-xml in a zip).
//! - `text.rs` — what the three share: a heading's words, levels, anchors, XML-safe text.
//!
//! The plan's text is each section's draft as the plan file holds it; a later version puts the
//! accepted amendments into it, and the annex says what changed since the previous version.

#[cfg(test)]
mod fuzz_tests;
mod html;
mod markdown;
mod odt;
mod tables;
mod text;

pub use html::render_html;
pub use markdown::render_markdown;
pub use odt::{render_odt, OdtError};

/// The file formats of `pspm plan export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanFormat {
    Markdown,
    Html,
    Odt,
}

/// The plan written in `format`.
pub fn render(plan: &ConsolidatedPlan, format: PlanFormat) -> Result<Vec<u8>, OdtError> {
    Ok(match format {
        PlanFormat::Markdown => render_markdown(plan).into_bytes(),
        PlanFormat::Html => render_html(plan).into_bytes(),
        PlanFormat::Odt => render_odt(plan)?,
    })
}

/// The whole document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConsolidatedPlan {
    /// `it` or `en`, for `<html lang>` and the ODT's language.
    pub language: String,
    pub labels: PlanLabels,
    pub title: String,
    /// Which version of the text this is: "Version “blueprint 2026” (iteration 1, …)".
    pub version: String,
    pub description: String,
    pub sections: Vec<PlanSection>,
    pub annex: Annex,
}

/// Fixed texts, from the catalogue.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlanLabels {
    pub contents: String,
    pub objectives: String,
    pub results: String,
    pub actions: String,
    pub code: String,
    pub title: String,
    pub objective: String,
    pub indicator: String,
    pub unit: String,
    pub baseline: String,
    pub targets: String,
    pub owner: String,
    pub start: String,
    pub due: String,
    pub weight: String,
    pub proposal: String,
    pub organisation: String,
    pub supports: String,
    pub oppositions: String,
    pub section: String,
    pub amendment: String,
    pub paragraph: String,
    pub change: String,
    /// What an empty list shows.
    pub nothing: String,
}

/// A section, in plan-file order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlanSection {
    /// 1-based position, the first number of its paragraph ids.
    pub number: u32,
    pub id: String,
    pub title: String,
    pub description: String,
    pub paragraphs: Vec<PlanParagraph>,
    pub objectives: Vec<PlanObjective>,
    pub results: Vec<PlanResult>,
    pub actions: Vec<PlanAction>,
}

/// A numbered paragraph of a section's text.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanParagraph {
    /// As people cite it, `§2.3`.
    pub id: String,
    pub kind: BlockKind,
    pub source: SourceFormat,
    /// Its source text (Markdown, reStructuredText or plain).
    pub text: String,
}

/// What a paragraph is (the draft's kinds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// Level 1 (highest) to 6 within the draft.
    Heading(u8),
    Paragraph,
    List,
    Code,
    Directive,
    Table,
}

/// The language a paragraph's text is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    Markdown,
    Rst,
    Text,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlanObjective {
    pub code: String,
    pub title: String,
}

/// An expected result, its numbers already written in the plan's language.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlanResult {
    pub code: String,
    pub objective: String,
    pub title: String,
    pub indicator: String,
    pub unit: String,
    /// Empty when there is none.
    pub baseline: String,
    /// Year and target (a number as written, or the target's words).
    pub targets: Vec<(i32, String)>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlanAction {
    pub code: String,
    pub title: String,
    /// Objective code, or empty.
    pub objective: String,
    pub owner: String,
    /// Dates as written (`2027-03-31`), or empty; an open-ended action's `due` is the
    /// catalogue's "ongoing".
    pub start: String,
    pub due: String,
    pub weight: String,
    /// The accepted proposal it was assigned from.
    pub proposal: Option<u32>,
}

/// What changed since the previous version of the plan.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Annex {
    pub title: String,
    pub introduction: String,
    pub changes: Vec<AnnexChange>,
    pub amendments: Vec<AnnexAmendment>,
}

/// An accepted amendment, as the text now reads it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AnnexAmendment {
    /// `A3`.
    pub amendment: String,
    pub section: String,
    /// `§2.3`.
    pub paragraph: String,
    /// What it did, in words: replaced, deleted, added after.
    pub change: String,
    pub organisation: String,
    pub supports: u32,
    pub oppositions: u32,
}

impl Annex {
    /// The amendments table's rows, as every format writes them.
    pub fn amendment_rows(&self) -> Vec<Vec<String>> {
        self.amendments
            .iter()
            .map(|a| {
                vec![
                    a.amendment.clone(),
                    a.section.clone(),
                    a.paragraph.clone(),
                    a.change.clone(),
                    a.organisation.clone(),
                    a.supports.to_string(),
                    a.oppositions.to_string(),
                ]
            })
            .collect()
    }
}

impl PlanLabels {
    /// The amendments table's header.
    pub fn amendment_header(&self) -> [&String; 7] {
        [
            &self.amendment,
            &self.section,
            &self.paragraph,
            &self.change,
            &self.organisation,
            &self.supports,
            &self.oppositions,
        ]
    }
}

/// An accepted proposal that became an action.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AnnexChange {
    pub proposal: u32,
    pub section: String,
    pub title: String,
    pub description: String,
    pub organisation: String,
    pub supports: u32,
    pub oppositions: u32,
    /// The action's code.
    pub action: String,
}
