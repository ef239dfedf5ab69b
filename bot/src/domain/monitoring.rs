//! Monitoring the approved plan: actions (from the plan file or from accepted proposals),
//! progress updates with their history, indicator measurements, statuses and weighted
//! roll-ups, and the daily reminders. Everything is computed for a given day: the clock is the
//! engine's `now`, seen in the plan's time zone.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};

pub use crate::render::ActionStatus;
pub use pspm_config::{ExpectedResult, MonitoringConfig, Objective, Target};

/// Days before the due date from which an action is "due soon" in `!status`.
pub const DUE_SOON_DAYS: i64 = 30;
/// Days ahead the daily reminder looks.
pub const REMINDER_DAYS: i64 = 7;

/// A line of action being monitored: the persisted form (a `Change` record), which the plan
/// file's `pspm_config::Action` converts into and `!assign` creates with its proposal.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub code: String,
    pub section: String,
    pub objective: Option<String>,
    pub title: String,
    /// Owner organisation.
    pub owner: Option<String>,
    /// Owner Matrix users.
    pub owners: Vec<String>,
    pub start: Option<NaiveDate>,
    /// `None`: open-ended ("from September 2020"), ongoing until done, never late.
    pub due: Option<NaiveDate>,
    pub weight: f64,
    /// The accepted proposal it came from.
    pub proposal: Option<u32>,
}

impl From<&pspm_config::Action> for Action {
    fn from(planned: &pspm_config::Action) -> Action {
        Action {
            code: planned.code.clone(),
            section: planned.section.clone(),
            objective: planned.objective.clone(),
            title: planned.title.clone(),
            owner: planned.owner.clone(),
            owners: planned.owners.clone(),
            start: planned.start,
            due: planned.due,
            weight: planned.weight,
            proposal: None,
        }
    }
}

/// One progress update: a `!progress`, or a row of an import.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    pub event_id: String,
    pub author: String,
    pub at_ms: i64,
    pub progress: u8,
    pub note: String,
    /// Where an imported update came from; `None` for `!progress`.
    pub origin: Option<Origin>,
}

/// One measurement of an expected result's indicator: a `!measure`, a row of an import or a
/// source system's call.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    pub event_id: String,
    pub result: String,
    pub value: f64,
    pub date: NaiveDate,
    pub note: String,
    pub author: String,
    pub at_ms: i64,
    /// Where an imported measurement came from; `None` for `!measure`.
    pub origin: Option<Origin>,
}

/// An update that came through the bot's import message: its source (`import:<file>`,
/// `webhook:<source>`) and the key that makes it count once however often it is sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    pub source: String,
    pub key: String,
}

impl Origin {
    /// What an export names as the source: `chat` when there is no origin.
    pub fn source_of(origin: Option<&Origin>) -> &str {
        origin.map_or("chat", |o| o.source.as_str())
    }
}

/// What monitoring knows besides the plan file.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Monitoring {
    /// Actions created or edited from chat, by code (an edited plan-file action is here whole).
    pub assigned: BTreeMap<String, Action>,
    /// Progress updates per action code, in the order applied.
    pub updates: HashMap<String, Vec<Update>>,
    /// Measurements per result code, in the order applied.
    pub measurements: HashMap<String, Vec<Measurement>>,
    /// The last day each room got its reminder.
    pub reminded: HashMap<String, NaiveDate>,
    /// The keys of the imported updates and measurements applied.
    pub imported: HashSet<String>,
}

impl Monitoring {
    pub fn put_update(&mut self, code: &str, update: &Update) {
        let updates = self.updates.entry(code.to_owned()).or_default();
        // Applying the same record twice (a replayed log) must not duplicate history; one
        // import message carries many updates, told apart by their keys.
        if !updates
            .iter()
            .any(|u| u.event_id == update.event_id && u.origin == update.origin)
        {
            updates.push(update.clone());
        }
        if let Some(origin) = &update.origin {
            self.imported.insert(origin.key.clone());
        }
    }

    pub fn put_measurement(&mut self, measurement: &Measurement) {
        let list = self
            .measurements
            .entry(measurement.result.clone())
            .or_default();
        if !list
            .iter()
            .any(|m| m.event_id == measurement.event_id && m.origin == measurement.origin)
        {
            list.push(measurement.clone());
        }
        if let Some(origin) = &measurement.origin {
            self.imported.insert(origin.key.clone());
        }
    }

    /// An action's progress: its latest update's, else 0.
    pub fn progress(&self, code: &str) -> u8 {
        self.updates
            .get(code)
            .and_then(|u| u.last())
            .map_or(0, |u| u.progress)
    }

    /// A result's latest measurement (by date, then by order recorded).
    pub fn latest(&self, result: &str) -> Option<&Measurement> {
        self.measurements
            .get(result)?
            .iter()
            .enumerate()
            .max_by_key(|(i, m)| (m.date, *i))
            .map(|(_, m)| m)
    }
}

/// The plan's monitoring model as the engine sees it: the plan file's part, fixed at start.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub objectives: Vec<Objective>,
    pub results: Vec<ExpectedResult>,
    pub actions: Vec<Action>,
    pub config: MonitoringConfig,
}

impl Plan {
    pub fn from_config(config: &pspm_config::Config) -> Plan {
        let monitoring = &config.plan.monitoring;
        Plan {
            objectives: monitoring.objectives.clone(),
            results: monitoring.results.clone(),
            actions: monitoring.actions.iter().map(Action::from).collect(),
            config: config.monitoring,
        }
    }

    /// The day it is in the plan's time zone.
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.config.time_zone).date_naive()
    }

    /// The day an instant (milliseconds since the epoch) falls on in the plan's time zone.
    pub fn day_of_ms(&self, at_ms: i64) -> Option<NaiveDate> {
        DateTime::from_timestamp_millis(at_ms).map(|at| self.today(at))
    }

    /// Whether a code is taken by an objective, a result or a plan action.
    pub fn has_code(&self, code: &str) -> bool {
        self.objectives.iter().any(|o| o.code == code)
            || self.results.iter().any(|r| r.code == code)
            || self.actions.iter().any(|a| a.code == code)
    }

    /// The section of a result (through its objective).
    pub fn result_section(&self, result: &ExpectedResult) -> Option<&str> {
        self.objectives
            .iter()
            .find(|o| o.code == result.objective)
            .map(|o| o.section.as_str())
    }
}

/// Every action: the plan file's (as edited from chat, if they were), then those assigned
/// from chat.
pub fn all_actions<'a>(plan: &'a Plan, monitoring: &'a Monitoring) -> Vec<&'a Action> {
    let edited = |a: &'a Action| monitoring.assigned.get(&a.code).unwrap_or(a);
    plan.actions
        .iter()
        .map(edited)
        .chain(
            monitoring
                .assigned
                .values()
                .filter(|a| !plan.actions.iter().any(|p| p.code == a.code)),
        )
        .collect()
}

/// Finds an action by code, ignoring case (codes are typed by hand).
pub fn find_action<'a>(
    plan: &'a Plan,
    monitoring: &'a Monitoring,
    code: &str,
) -> Option<&'a Action> {
    all_actions(plan, monitoring)
        .into_iter()
        .find(|a| a.code.eq_ignore_ascii_case(code))
}

/// How an action stands on `today` with `progress`. An open-ended one is ongoing from its
/// start until it is done: never late, never due soon.
pub fn status(action: &Action, progress: u8, today: NaiveDate) -> ActionStatus {
    let not_started = progress == 0;
    match action.due {
        _ if progress >= 100 => ActionStatus::Done,
        None if not_started && action.start.is_some_and(|start| start > today) => {
            ActionStatus::NotStarted
        }
        None => ActionStatus::Ongoing,
        Some(due) if due < today => ActionStatus::Late,
        Some(due) if (due - today).num_days() <= DUE_SOON_DAYS => ActionStatus::DueSoon,
        Some(_) if not_started => ActionStatus::NotStarted,
        Some(_) => ActionStatus::InProgress,
    }
}

/// Whether `action` is due within `days` of `today` (or overdue); an open-ended one never is.
pub fn due_within(action: &Action, today: NaiveDate, days: i64) -> bool {
    action
        .due
        .is_some_and(|due| (due - today).num_days() <= days)
}

/// Orders actions by due date, open-ended ones last, then by code.
pub fn by_due(a: &Action, b: &Action) -> std::cmp::Ordering {
    (a.due.is_none(), a.due, &a.code).cmp(&(b.due.is_none(), b.due, &b.code))
}

/// Progress of a set of actions, weighted (0 when there are none).
pub fn weighted_progress<'a>(
    actions: impl IntoIterator<Item = &'a Action>,
    monitoring: &Monitoring,
) -> f64 {
    let (mut done, mut total) = (0.0, 0.0);
    for action in actions {
        done += action.weight * f64::from(monitoring.progress(&action.code));
        total += action.weight;
    }
    if total > 0.0 {
        done / total
    } else {
        0.0
    }
}

/// Actions per status; `ongoing` only when some action is (plans without open-ended actions
/// never show it).
pub fn counts<'a>(
    actions: impl IntoIterator<Item = &'a Action>,
    monitoring: &Monitoring,
    today: NaiveDate,
) -> BTreeMap<ActionStatus, usize> {
    let mut counts: BTreeMap<ActionStatus, usize> =
        ActionStatus::ALL.iter().map(|s| (*s, 0)).collect();
    for action in actions {
        *counts
            .entry(status(action, monitoring.progress(&action.code), today))
            .or_default() += 1;
    }
    counts.retain(|status, count| *status != ActionStatus::Ongoing || *count > 0);
    counts
}

/// The target for `year`, else the latest earlier one (targets often stop at the plan's end),
/// else the first; with its year.
pub fn target_for(result: &ExpectedResult, year: i32) -> Option<(i32, &Target)> {
    result
        .targets
        .range(..=year)
        .next_back()
        .or_else(|| result.targets.iter().next())
        .map(|(year, target)| (*year, target))
}

/// The numeric target for `year` by the same rule, among the targets with a number: what
/// charts draw and measurements are held against.
pub fn value_for(result: &ExpectedResult, year: i32) -> Option<(i32, f64)> {
    let numbers: BTreeMap<i32, f64> = result.numeric_targets().collect();
    numbers
        .range(..=year)
        .next_back()
        .or_else(|| numbers.iter().next())
        .map(|(year, value)| (*year, *value))
}

/// A target as people read it: its number (through `number`, which may add the unit), else
/// its text.
pub fn target_text(target: &Target, number: impl Fn(f64) -> String) -> String {
    match (target.value, &target.text) {
        (Some(value), _) => number(value),
        (None, Some(text)) => text.clone(),
        (None, None) => String::new(),
    }
}

/// Whether `user` (with `organisation`) owns `action`.
pub fn is_owner(action: &Action, user: &str, organisation: &str, server: &str) -> bool {
    action.owners.iter().any(|o| o == user)
        || action.owner.as_deref().is_some_and(|owner| {
            owner.eq_ignore_ascii_case(organisation) || owner.eq_ignore_ascii_case(server)
        })
}

/// A number as people write it: no trailing zeros, a comma accepted as decimal point.
pub fn parse_number(text: &str) -> Option<f64> {
    let value: f64 = text.trim().replace(',', ".").parse().ok()?;
    value.is_finite().then_some(value)
}

pub fn format_number(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded}")
    }
}
