//! The consolidated plan, the consultation's deliverable: each section's text (its draft's
//! numbered paragraphs), objectives, expected results and actions (the plan file's and those
//! assigned from accepted proposals), then an annex of what changed. Pure: built from the
//! settings, the state and the plan file's sections, written by `render::plan`.
//!
//! The text is the plan file's (or, from the second iteration, the last version's) with the
//! iteration's accepted amendments applied; for a closed iteration, the version it froze. The
//! annex lists what changed since the previous version: the iteration's accepted amendments
//! and its accepted proposals that became actions.

#[cfg(test)]
mod tests;

use pspm_config::draft::{Format, Kind, Paragraph, ParagraphId};
use pspm_config::Section;

use super::amendments::AmendKind;
use super::i18n::Msg;
use super::iterations;
use super::monitoring::{all_actions, Action};
use super::participation::ProposalState;
use super::{Language, Settings, State};
use crate::render::plan::{
    Annex, AnnexAmendment, AnnexChange, BlockKind, ConsolidatedPlan, PlanAction, PlanLabels,
    PlanObjective, PlanParagraph, PlanResult, PlanSection, SourceFormat,
};
use crate::render::Numbers;

/// The plan as iteration `iteration` left it (the current one: as it stands), its sections in
/// the plan file's order.
pub fn build(settings: &Settings, state: &State, iteration: u32) -> ConsolidatedPlan {
    let sections = settings.plan_sections();
    let catalogue = settings.catalogue();
    let text = |msg: Msg| catalogue.render(msg, &[]).body;
    let numbers = catalogue.numbers();
    let labels = PlanLabels {
        contents: text(Msg::ReportContents),
        objectives: text(Msg::PlanObjectives),
        results: text(Msg::ReportResults),
        actions: text(Msg::ReportActions),
        code: text(Msg::ReportCode),
        title: text(Msg::ReportTitle),
        objective: text(Msg::PlanObjective),
        indicator: text(Msg::ReportIndicator),
        unit: text(Msg::PlanUnit),
        baseline: text(Msg::ReportBaseline),
        targets: text(Msg::PlanTargets),
        owner: text(Msg::ReportOwner),
        start: text(Msg::PlanStart),
        due: text(Msg::ReportDue),
        weight: text(Msg::PlanWeight),
        proposal: text(Msg::ReportProposal),
        organisation: text(Msg::ReportOrganisation),
        supports: text(Msg::ReportSupports),
        oppositions: text(Msg::ReportOppositions),
        section: text(Msg::ReportSection),
        amendment: text(Msg::PlanAmendment),
        paragraph: text(Msg::PlanParagraph),
        change: text(Msg::PlanChange),
        nothing: text(Msg::ReportNothing),
    };
    let ongoing = text(Msg::StatusOngoing);
    let actions = all_actions(&settings.monitoring, &state.monitoring);
    let plan_sections = sections
        .iter()
        .enumerate()
        .map(|(index, section)| {
            let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
            let mut plan_section =
                section_of(settings, section, number, &actions, numbers, &ongoing);
            plan_section.paragraphs = text_of(settings, state, &section.id, number, iteration);
            plan_section
        })
        .collect();
    ConsolidatedPlan {
        language: match settings.language {
            Language::It => "it".into(),
            Language::En => "en".into(),
        },
        labels,
        title: settings.plan_title.clone(),
        version: version_line(settings, state, iteration),
        description: settings.plan_description.clone(),
        sections: plan_sections,
        annex: Annex {
            title: match iteration
                .checked_sub(1)
                .and_then(|n| state.iterations.version(n))
            {
                Some(previous) => {
                    catalogue
                        .render(Msg::PlanAnnexSince, &[("version", &previous.name)])
                        .body
                }
                None => text(Msg::PlanAnnex),
            },
            introduction: text(Msg::PlanAnnexIntro),
            changes: changes(state, &sections, &actions, iteration),
            amendments: amendments_annex(settings, state, &sections, iteration),
        },
    }
}

fn section_of(
    settings: &Settings,
    section: &Section,
    number: u32,
    actions: &[&Action],
    numbers: Numbers,
    ongoing: &str,
) -> PlanSection {
    let monitoring = &settings.monitoring;
    let objectives: Vec<PlanObjective> = monitoring
        .objectives
        .iter()
        .filter(|o| o.section == section.id)
        .map(|o| PlanObjective {
            code: o.code.clone(),
            title: o.title.clone(),
        })
        .collect();
    let results = monitoring
        .results
        .iter()
        .filter(|r| monitoring.result_section(r) == Some(section.id.as_str()))
        .map(|r| PlanResult {
            code: r.code.clone(),
            objective: r.objective.clone(),
            title: r.title.clone(),
            indicator: r.indicator.clone(),
            unit: r.unit.clone(),
            baseline: r
                .baseline
                .map(|b| numbers.value(Some(b)))
                .unwrap_or_default(),
            targets: r
                .targets
                .iter()
                .map(|(year, target)| {
                    // The plan's words for a target, with the number charts draw if it has one.
                    let shown = match (&target.text, target.value) {
                        (Some(words), None) => words.clone(),
                        (Some(words), Some(value)) => {
                            format!("{words} ({})", numbers.value(Some(value)))
                        }
                        (None, value) => numbers.value(value),
                    };
                    (*year, shown)
                })
                .collect(),
        })
        .collect();
    let actions = actions
        .iter()
        .filter(|a| a.section == section.id)
        .map(|a| PlanAction {
            code: a.code.clone(),
            title: a.title.clone(),
            objective: a.objective.clone().unwrap_or_default(),
            owner: a
                .owner
                .iter()
                .chain(a.owners.iter())
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            start: a.start.map(|d| d.to_string()).unwrap_or_default(),
            due: a.due.map_or_else(|| ongoing.to_owned(), |d| d.to_string()),
            weight: numbers.value(Some(a.weight)),
            proposal: a.proposal,
        })
        .collect();
    PlanSection {
        number,
        id: section.id.clone(),
        title: section.title.clone(),
        description: section.description.clone(),
        paragraphs: Vec::new(),
        objectives,
        results,
        actions,
    }
}

/// Which text this is: a closed iteration's version, or the current iteration's text.
fn version_line(settings: &Settings, state: &State, iteration: u32) -> String {
    let catalogue = settings.catalogue();
    let iterations = &state.iterations;
    let number = iteration.to_string();
    let rendered = match (iterations.version(iteration), iterations.latest()) {
        (Some(version), _) => {
            let closed = settings.monitoring.day_of_ms(version.closed_ms);
            let closed = closed.map(|d| d.to_string()).unwrap_or_default();
            catalogue.render(
                Msg::PlanVersionClosed,
                &[
                    ("name", &version.name),
                    ("number", &number),
                    ("closed", &closed),
                ],
            )
        }
        (None, Some(base)) => catalogue.render(
            Msg::PlanVersionCurrent,
            &[("number", &number), ("version", &base.name)],
        ),
        (None, None) => catalogue.render(Msg::PlanVersionFirst, &[]),
    };
    rendered.body
}

/// A section's text in iteration `iteration`: a closed one's version as frozen; the current
/// one's base with its accepted amendments applied.
fn text_of(
    settings: &Settings,
    state: &State,
    section: &str,
    number: u32,
    iteration: u32,
) -> Vec<PlanParagraph> {
    if let Some(version) = state.iterations.version(iteration) {
        return version
            .sections
            .get(section)
            .map(|text| {
                text.paragraphs
                    .iter()
                    .map(|p| paragraph(number, p))
                    .collect()
            })
            .unwrap_or_default();
    }
    let base = iterations::base(settings, state, section, iteration);
    let mut out = Vec::with_capacity(base.len());
    // A paragraph added after `§2.3` by `A5` follows it as `§2.3+A5`: its version numbers it.
    for amended in iterations::amended(state, number, base, iteration) {
        let p = amended.paragraph;
        if let Some(text) = amended.text() {
            let mut kept = paragraph(number, p);
            if amended.replaced_by.is_some() {
                kept.text = text.to_owned();
            }
            out.push(kept);
        }
        for addition in amended.added {
            let mut inserted = paragraph(number, p);
            inserted.id = format!("{}+A{}", inserted.id, addition.number);
            inserted.kind = BlockKind::Paragraph;
            inserted.text = addition.text.clone();
            out.push(inserted);
        }
    }
    out
}

fn paragraph(section: u32, paragraph: &Paragraph) -> PlanParagraph {
    PlanParagraph {
        id: ParagraphId::new(section, paragraph.number).to_string(),
        kind: match paragraph.kind {
            Kind::Heading(level) => BlockKind::Heading(level),
            Kind::Paragraph => BlockKind::Paragraph,
            Kind::List => BlockKind::List,
            Kind::Code => BlockKind::Code,
            Kind::Directive => BlockKind::Directive,
            Kind::Table => BlockKind::Table,
        },
        source: match paragraph.format {
            Format::Markdown => SourceFormat::Markdown,
            Format::Rst => SourceFormat::Rst,
            Format::Text => SourceFormat::Text,
        },
        text: paragraph.text.clone(),
    }
}

/// The iteration's accepted amendments, by number, with their author's organisation and
/// votes.
fn amendments_annex(
    settings: &Settings,
    state: &State,
    sections: &[Section],
    iteration: u32,
) -> Vec<AnnexAmendment> {
    let catalogue = settings.catalogue();
    // By number: the amendments are kept so.
    iterations::accepted_in(state, iteration)
        .map(|a| {
            let tally = state
                .consultation
                .tally(&iterations::item_id(iteration, &a.item_key()));
            let change = match a.kind {
                AmendKind::Replace => Msg::PlanChangeReplaced,
                AmendKind::Delete => Msg::PlanChangeDeleted,
                AmendKind::InsertAfter => Msg::PlanChangeAdded,
            };
            AnnexAmendment {
                amendment: format!("A{}", a.number),
                section: sections
                    .iter()
                    .find(|s| s.id == a.section)
                    .map_or_else(|| a.section.clone(), |s| s.title.clone()),
                paragraph: a.paragraph.clone(),
                change: catalogue.render(change, &[]).body,
                organisation: a.organisation.clone(),
                supports: tally.support,
                oppositions: tally.oppose,
            }
        })
        .collect()
}

/// The iteration's accepted proposals assigned as actions, by proposal number; hidden ones
/// stay out, as they do of every public export.
fn changes(
    state: &State,
    sections: &[Section],
    actions: &[&Action],
    iteration: u32,
) -> Vec<AnnexChange> {
    let participation = &state.participation;
    let mut changes: Vec<AnnexChange> = actions
        .iter()
        .filter_map(|action| {
            let number = action.proposal?;
            let proposal = participation.proposals.get(&number)?;
            if proposal.hidden.is_some()
                || proposal.state != ProposalState::Accepted
                || state.iterations.of_ms(proposal.created_ms) != iteration
            {
                return None;
            }
            let tally = participation.tally(number).total;
            let section = sections
                .iter()
                .find(|s| s.id == proposal.section)
                .map_or_else(|| proposal.section.clone(), |s| s.title.clone());
            Some(AnnexChange {
                proposal: number,
                section,
                title: proposal.title.clone(),
                description: proposal.description.clone(),
                organisation: proposal.organisation.clone(),
                supports: tally.support,
                oppositions: tally.oppose,
                action: action.code.clone(),
            })
        })
        .collect();
    changes.sort_by_key(|c| c.proposal);
    changes
}
