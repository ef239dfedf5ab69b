//! What the monitoring commands share: the scope (a section or the whole plan), today's date,
//! status names, action lines, and the chart and report models built from the state.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::i18n::{Catalogue, Msg, Rendered};
use super::monitoring::{
    self, all_actions, counts, status, weighted_progress, Action, ActionStatus, ExpectedResult,
};
use super::turnout::{Turnout, Turnouts};
use super::votes::state_msg;
use super::{SectionSettings, Settings, State};
use crate::render;

/// A section, or the whole plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub label: String,
    /// `None` for the whole plan.
    pub section: Option<String>,
}

impl Scope {
    pub fn plan(catalogue: &Catalogue) -> Scope {
        Scope {
            label: catalogue.template(Msg::ScopePlan).to_owned(),
            section: None,
        }
    }

    pub fn section(section: &SectionSettings) -> Scope {
        Scope {
            label: section.title.clone(),
            section: Some(section.id.clone()),
        }
    }

    pub fn contains(&self, section: &str) -> bool {
        self.section.as_deref().is_none_or(|s| s == section)
    }
}

/// The report's participation rows.
fn report_turnout(rows: Vec<Turnout>) -> Vec<render::ReportTurnout> {
    rows.into_iter()
        .map(|row| render::ReportTurnout {
            organisation: row.organisation,
            proposals: row.proposals,
            voters: row.voters,
            supports: row.supports,
            oppositions: row.oppositions,
            comments: row.comments,
        })
        .collect()
}

pub fn today(settings: &Settings, now: DateTime<Utc>) -> NaiveDate {
    settings.monitoring.today(now)
}

pub fn status_msg(status: ActionStatus) -> Msg {
    match status {
        ActionStatus::NotStarted => Msg::StatusNotStarted,
        ActionStatus::InProgress => Msg::StatusInProgress,
        ActionStatus::DueSoon => Msg::StatusDueSoon,
        ActionStatus::Late => Msg::StatusLate,
        ActionStatus::Done => Msg::StatusDone,
    }
}

pub fn status_names(catalogue: &Catalogue) -> Vec<(ActionStatus, String)> {
    ActionStatus::ALL
        .iter()
        .map(|s| (*s, catalogue.template(status_msg(*s)).to_owned()))
        .collect()
}

/// Owners as people read them: the organisation, then the users.
pub fn owner_text(catalogue: &Catalogue, action: &Action) -> String {
    let mut owners: Vec<&str> = action.owner.iter().map(String::as_str).collect();
    owners.extend(action.owners.iter().map(String::as_str));
    if owners.is_empty() {
        catalogue.template(Msg::NoOwner).to_owned()
    } else {
        owners.join(", ")
    }
}

/// Actions in scope, plan file order then chat-assigned.
pub fn actions_in<'a>(settings: &'a Settings, state: &'a State, scope: &Scope) -> Vec<&'a Action> {
    all_actions(&settings.monitoring, &state.monitoring)
        .into_iter()
        .filter(|a| scope.contains(&a.section))
        .collect()
}

pub fn results_in<'a>(settings: &'a Settings, scope: &Scope) -> Vec<&'a ExpectedResult> {
    let plan = &settings.monitoring;
    plan.results
        .iter()
        .filter(|r| plan.result_section(r).is_some_and(|s| scope.contains(s)))
        .collect()
}

/// One action as a line of a list, with `msg` taking code, title, status, progress, due, owner.
pub fn action_line(
    catalogue: &Catalogue,
    state: &State,
    action: &Action,
    today: NaiveDate,
    msg: Msg,
) -> Rendered {
    let progress = state.monitoring.progress(&action.code);
    catalogue.render(
        msg,
        &[
            ("code", &action.code),
            ("title", &action.title),
            (
                "status",
                catalogue.template(status_msg(status(action, progress, today))),
            ),
            ("progress", &progress.to_string()),
            ("due", &action.due.to_string()),
            ("owner", &owner_text(catalogue, action)),
        ],
    )
}

/// Sections in plan order.
pub fn sections(settings: &Settings) -> Vec<&SectionSettings> {
    let mut sections: Vec<&SectionSettings> = settings.sections.values().collect();
    sections.sort_by_key(|s| s.position);
    sections
}

/// The status a group of actions shows as one bar: done when all are, late when any is.
fn group_status(actions: &[&Action], state: &State, today: NaiveDate) -> ActionStatus {
    let statuses: Vec<ActionStatus> = actions
        .iter()
        .map(|a| status(a, state.monitoring.progress(&a.code), today))
        .collect();
    if statuses.is_empty() {
        ActionStatus::NotStarted
    } else if statuses.iter().all(|s| *s == ActionStatus::Done) {
        ActionStatus::Done
    } else if statuses.contains(&ActionStatus::Late) {
        ActionStatus::Late
    } else if statuses.contains(&ActionStatus::DueSoon) {
        ActionStatus::DueSoon
    } else if statuses.iter().all(|s| *s == ActionStatus::NotStarted) {
        ActionStatus::NotStarted
    } else {
        ActionStatus::InProgress
    }
}

fn target_bar(state: &State, result: &ExpectedResult, year: i32) -> render::TargetBar {
    render::TargetBar {
        label: format!("{} {}", result.code, result.title),
        unit: result.unit.clone(),
        baseline: result.baseline,
        latest: state.monitoring.latest(&result.code).map(|m| m.value),
        target: monitoring::target_for(result, year),
    }
}

/// The chart of a scope: per action for a section, per section for the plan.
pub fn chart(
    settings: &Settings,
    state: &State,
    now: DateTime<Utc>,
    scope: &Scope,
) -> render::Chart {
    let catalogue = settings.catalogue();
    let today = today(settings, now);
    let progress = match &scope.section {
        Some(_) => actions_in(settings, state, scope)
            .into_iter()
            .map(|a| {
                let progress = state.monitoring.progress(&a.code);
                render::ProgressBar {
                    label: format!("{} {}", a.code, a.title),
                    percent: f64::from(progress),
                    status: status(a, progress, today),
                }
            })
            .collect(),
        None => sections(settings)
            .into_iter()
            .map(|section| {
                let actions = actions_in(settings, state, &Scope::section(section));
                render::ProgressBar {
                    label: section.title.clone(),
                    percent: weighted_progress(actions.iter().copied(), &state.monitoring),
                    status: group_status(&actions, state, today),
                }
            })
            .collect(),
    };
    render::Chart {
        title: catalogue
            .render(
                Msg::ChartTitle,
                &[("plan", &settings.plan_title), ("scope", &scope.label)],
            )
            .body,
        subtitle: catalogue
            .render(Msg::ChartSubtitle, &[("date", &today.to_string())])
            .body,
        progress_heading: catalogue.template(Msg::ChartProgress).to_owned(),
        progress,
        results_heading: catalogue.template(Msg::ChartResults).to_owned(),
        results: results_in(settings, scope)
            .into_iter()
            .map(|r| target_bar(state, r, today.year()))
            .collect(),
        status_names: status_names(catalogue),
        empty_text: catalogue.template(Msg::ChartEmpty).to_owned(),
    }
}

/// The browser report of the whole plan.
pub fn report(settings: &Settings, state: &State, now: DateTime<Utc>) -> render::MonitoringReport {
    let catalogue = settings.catalogue();
    let today = today(settings, now);
    let text = |msg: Msg| catalogue.template(msg).to_owned();
    let labels = render::ReportLabels {
        progress: text(Msg::ReportProgress),
        section: text(Msg::ReportSection),
        actions: text(Msg::ReportActions),
        code: text(Msg::ReportCode),
        title: text(Msg::ReportTitle),
        owner: text(Msg::ReportOwner),
        due: text(Msg::ReportDue),
        status: text(Msg::ReportStatus),
        history: text(Msg::ReportHistory),
        results: text(Msg::ReportResults),
        indicator: text(Msg::ReportIndicator),
        baseline: text(Msg::ReportBaseline),
        latest: text(Msg::ReportLatest),
        target: text(Msg::ReportTarget),
        consultation: text(Msg::ReportConsultation),
        proposal: text(Msg::ReportProposal),
        supports: text(Msg::ReportSupports),
        oppositions: text(Msg::ReportOppositions),
        organisation: text(Msg::ReportOrganisation),
        participation: text(Msg::ReportParticipation),
        proposals: text(Msg::ReportProposals),
        voters: text(Msg::ReportVoters),
        comments: text(Msg::ReportComments),
        nothing: text(Msg::ReportNothing),
    };
    let participation = &state.participation;
    let turnouts = Turnouts::of(state);
    let sections = sections(settings)
        .into_iter()
        .map(|section| {
            let scope = Scope::section(section);
            let actions = actions_in(settings, state, &scope);
            let proposals = participation
                .proposals
                .values()
                .filter(|p| p.section == section.id && p.is_listed())
                .map(|p| {
                    let tally = participation.tally(p.number);
                    render::ReportProposal {
                        number: p.number,
                        title: p.title.clone(),
                        state: catalogue.template(state_msg(p.state)).to_owned(),
                        supports: tally.total.support,
                        oppositions: tally.total.oppose,
                    }
                })
                .collect();
            render::ReportSection {
                title: section.title.clone(),
                percent: weighted_progress(actions.iter().copied(), &state.monitoring),
                counts: counts(actions.iter().copied(), &state.monitoring, today)
                    .into_iter()
                    .collect(),
                actions: actions
                    .iter()
                    .map(|a| {
                        let progress = state.monitoring.progress(&a.code);
                        render::ReportAction {
                            code: a.code.clone(),
                            title: a.title.clone(),
                            owner: owner_text(catalogue, a),
                            due: a.due.to_string(),
                            percent: f64::from(progress),
                            status: status(a, progress, today),
                            history: state
                                .monitoring
                                .updates
                                .get(&a.code)
                                .map(|updates| {
                                    updates
                                        .iter()
                                        .map(|u| render::ReportUpdate {
                                            at: format_time(settings, u.at_ms),
                                            author: u.author.clone(),
                                            percent: f64::from(u.progress),
                                            note: u.note.clone(),
                                        })
                                        .collect()
                                })
                                .unwrap_or_default(),
                        }
                    })
                    .collect(),
                results: results_in(settings, &scope)
                    .into_iter()
                    .map(|r| target_bar(state, r, today.year()))
                    .collect(),
                proposals,
                by_organisation: report_turnout(turnouts.section(&section.id)),
            }
        })
        .collect();
    let all = all_actions(&settings.monitoring, &state.monitoring);
    render::MonitoringReport {
        language: match settings.language {
            crate::domain::Language::It => "it".into(),
            crate::domain::Language::En => "en".into(),
        },
        labels,
        plan_title: settings.plan_title.clone(),
        plan_description: settings.plan_description.clone(),
        generated_at: format_time(settings, now.timestamp_millis()),
        overall_percent: weighted_progress(all.iter().copied(), &state.monitoring),
        status_names: status_names(catalogue),
        sections,
        turnout: report_turnout(turnouts.plan()),
    }
}

/// A time in the plan's time zone, to the minute.
pub fn format_time(settings: &Settings, at_ms: i64) -> String {
    DateTime::from_timestamp_millis(at_ms)
        .map(|t| {
            t.with_timezone(&settings.monitoring.config.time_zone)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}
