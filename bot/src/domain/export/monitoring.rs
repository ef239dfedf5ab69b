//! The monitored plan in the export (schema version 2): objectives; expected results with
//! their indicator, baseline, targets (numbers, and texts beside them) and every measurement;
//! actions with owner, dates (no due date for an open-ended one), weight, status and progress
//! on the export day, and every progress update. Each
//! measurement and update names its author and the Matrix event it came from.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::timestamp;
use crate::domain::monitoring::{self, all_actions, status, ActionStatus, Origin};
use crate::domain::{Settings, State};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectiveRow {
    pub code: String,
    pub section: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultRow {
    pub code: String,
    pub objective: String,
    /// The objective's section, when the objective is known.
    pub section: Option<String>,
    pub title: String,
    pub indicator: String,
    pub unit: String,
    pub baseline: Option<f64>,
    /// Target value per year, for the targets with a number.
    pub targets: BTreeMap<i32, f64>,
    /// Target text per year, for the targets given as text ("almeno 80 amministrazioni"),
    /// with or without a number.
    pub target_text: BTreeMap<i32, String>,
    /// The latest measurement's value (by date), if any.
    pub latest: Option<f64>,
    /// Oldest first, as recorded.
    pub measurements: Vec<MeasurementRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasurementRow {
    pub result: String,
    pub value: f64,
    /// The day the value refers to.
    pub date: NaiveDate,
    pub note: String,
    pub author: String,
    pub organisation: String,
    /// Where it came from: `chat` (`!measure`), `import:<file>`, `webhook:<source>`.
    pub source: String,
    pub created_at: String,
    pub event_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionRow {
    pub code: String,
    pub section: String,
    pub objective: Option<String>,
    pub title: String,
    /// Owner organisation.
    pub owner: Option<String>,
    /// Owner Matrix users.
    pub owners: Vec<String>,
    pub start: Option<NaiveDate>,
    /// `None` for an open-ended action.
    pub due: Option<NaiveDate>,
    pub weight: f64,
    /// The accepted proposal it came from.
    pub proposal: Option<u32>,
    /// On the export day: `not_started`, `in_progress`, `ongoing` (open-ended, under way),
    /// `due_soon`, `late` or `done`.
    pub status: &'static str,
    /// 0–100, the latest update's.
    pub progress: u8,
    /// Oldest first.
    pub progress_history: Vec<ProgressRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgressRow {
    pub action: String,
    pub progress: u8,
    pub note: String,
    pub author: String,
    pub organisation: String,
    /// Where it came from: `chat` (`!progress`), `import:<file>`.
    pub source: String,
    pub created_at: String,
    pub event_id: String,
}

/// The export's name of a status.
pub fn status_name(status: ActionStatus) -> &'static str {
    match status {
        ActionStatus::NotStarted => "not_started",
        ActionStatus::InProgress => "in_progress",
        ActionStatus::Ongoing => "ongoing",
        ActionStatus::DueSoon => "due_soon",
        ActionStatus::Late => "late",
        ActionStatus::Done => "done",
    }
}

pub fn objectives(settings: &Settings) -> Vec<ObjectiveRow> {
    settings
        .monitoring
        .objectives
        .iter()
        .map(|o| ObjectiveRow {
            code: o.code.clone(),
            section: o.section.clone(),
            title: o.title.clone(),
        })
        .collect()
}

pub fn results(settings: &Settings, state: &State) -> Vec<ResultRow> {
    let plan = &settings.monitoring;
    let recorded = &state.monitoring;
    plan.results
        .iter()
        .map(|r| {
            let measurements = recorded
                .measurements
                .get(&r.code)
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .map(|m| MeasurementRow {
                    result: m.result.clone(),
                    value: m.value,
                    date: m.date,
                    note: m.note.clone(),
                    author: m.author.clone(),
                    organisation: settings.organisation_of(&m.author),
                    source: Origin::source_of(m.origin.as_ref()).to_owned(),
                    created_at: timestamp(m.at_ms),
                    event_id: m.event_id.clone(),
                })
                .collect();
            ResultRow {
                code: r.code.clone(),
                objective: r.objective.clone(),
                section: plan.result_section(r).map(str::to_owned),
                title: r.title.clone(),
                indicator: r.indicator.clone(),
                unit: r.unit.clone(),
                baseline: r.baseline,
                targets: r.numeric_targets().collect(),
                target_text: r
                    .targets
                    .iter()
                    .filter_map(|(year, target)| Some((*year, target.text.clone()?)))
                    .collect(),
                latest: recorded.latest(&r.code).map(|m| m.value),
                measurements,
            }
        })
        .collect()
}

pub fn actions(settings: &Settings, state: &State, today: NaiveDate) -> Vec<ActionRow> {
    let recorded = &state.monitoring;
    all_actions(&settings.monitoring, recorded)
        .into_iter()
        .map(|a| {
            let progress = recorded.progress(&a.code);
            let history: &[monitoring::Update] = recorded
                .updates
                .get(&a.code)
                .map(Vec::as_slice)
                .unwrap_or_default();
            ActionRow {
                code: a.code.clone(),
                section: a.section.clone(),
                objective: a.objective.clone(),
                title: a.title.clone(),
                owner: a.owner.clone(),
                owners: a.owners.clone(),
                start: a.start,
                due: a.due,
                weight: a.weight,
                proposal: a.proposal,
                status: status_name(status(a, progress, today)),
                progress,
                progress_history: history
                    .iter()
                    .map(|u| ProgressRow {
                        action: a.code.clone(),
                        progress: u.progress,
                        note: u.note.clone(),
                        author: u.author.clone(),
                        organisation: settings.organisation_of(&u.author),
                        source: Origin::source_of(u.origin.as_ref()).to_owned(),
                        created_at: timestamp(u.at_ms),
                        event_id: u.event_id.clone(),
                    })
                    .collect(),
            }
        })
        .collect()
}
