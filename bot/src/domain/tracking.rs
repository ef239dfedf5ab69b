//! What the monitoring commands share: the scope (a section or the whole plan), today's date,
//! status names, action lines, and the report's model built from the state (the charts'
//! models are `charts.rs`).

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::charts::{self, turnout_rows, ChartKind};
use super::i18n::{Catalogue, Msg, Rendered};
use super::monitoring::{
    self, all_actions, counts, status, weighted_progress, Action, ActionStatus, ExpectedResult,
};
use super::turnout::Turnouts;
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

pub fn today(settings: &Settings, now: DateTime<Utc>) -> NaiveDate {
    settings.monitoring.today(now)
}

pub fn status_msg(status: ActionStatus) -> Msg {
    match status {
        ActionStatus::NotStarted => Msg::StatusNotStarted,
        ActionStatus::InProgress => Msg::StatusInProgress,
        ActionStatus::Ongoing => Msg::StatusOngoing,
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

/// An open-ended action's stand-in for a due date: "open-ended, from 2020-09-01".
fn open_ended(catalogue: &Catalogue, action: &Action) -> String {
    let start = action
        .start
        .map_or_else(|| "–".to_owned(), |s| s.to_string());
    catalogue
        .render(Msg::ActionOpenEnded, &[("start", &start)])
        .body
}

/// The due date, or for an open-ended action what stands for it.
pub fn due_text(catalogue: &Catalogue, action: &Action) -> String {
    match action.due {
        Some(due) => due.to_string(),
        None => open_ended(catalogue, action),
    }
}

/// "due 2026-12-31", or "open-ended, from 2020-09-01".
pub fn when_text(catalogue: &Catalogue, action: &Action) -> String {
    match action.due {
        Some(due) => {
            catalogue
                .render(Msg::ActionDueOn, &[("date", &due.to_string())])
                .body
        }
        None => open_ended(catalogue, action),
    }
}

/// One action as a line of a list, with `msg` taking code, title, status, progress, due (the
/// date), when (the date as a phrase, or that it is open-ended), owner.
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
            ("due", &due_text(catalogue, action)),
            ("when", &when_text(catalogue, action)),
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

fn target_bar(state: &State, result: &ExpectedResult, year: i32) -> render::TargetBar {
    let target = monitoring::target_for(result, year).map(|(_, target)| target);
    render::TargetBar {
        label: format!("{} {}", result.code, result.title),
        unit: result.unit.clone(),
        baseline: result.baseline,
        latest: state.monitoring.latest(&result.code).map(|m| m.value),
        target: target.and_then(|t| t.value),
        target_text: target
            .filter(|t| t.value.is_none())
            .and_then(|t| t.text.clone()),
    }
}

/// The browser report of the whole plan.
pub fn report(settings: &Settings, state: &State, now: DateTime<Utc>) -> render::MonitoringReport {
    let catalogue = settings.catalogue();
    let today = today(settings, now);
    let text = |msg: Msg| catalogue.template(msg).to_owned();
    let labels = render::ReportLabels {
        masthead: text(Msg::ReportMasthead),
        skip: text(Msg::ReportSkip),
        contents: text(Msg::ReportContents),
        generated: text(Msg::ReportGenerated),
        chart_text: text(Msg::ReportChartText),
        overall: text(Msg::ChartOverall),
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
            let results = results_in(settings, &scope);
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
                            due: due_text(catalogue, a),
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
                results_chart: (!results.is_empty()).then(|| {
                    charts::chart(settings, state, now, &scope, ChartKind::Results, catalogue)
                }),
                results: results
                    .into_iter()
                    .map(|r| target_bar(state, r, today.year()))
                    .collect(),
                proposals,
                by_organisation: turnout_rows(turnouts.section(&section.id)),
                progress_chart: charts::chart(
                    settings,
                    state,
                    now,
                    &scope,
                    ChartKind::Progress,
                    catalogue,
                ),
            }
        })
        .collect();
    let all = all_actions(&settings.monitoring, &state.monitoring);
    let plan = Scope::plan(catalogue);
    // The report's columns of statuses: `ongoing` only when some action is.
    let in_plan = counts(all.iter().copied(), &state.monitoring, today);
    let status_names = status_names(catalogue)
        .into_iter()
        .filter(|(status, _)| in_plan.contains_key(status))
        .collect();
    render::MonitoringReport {
        language: match settings.language {
            crate::domain::Language::It => "it".into(),
            crate::domain::Language::En => "en".into(),
        },
        numbers: catalogue.numbers(),
        labels,
        overview: charts::chart(settings, state, now, &plan, ChartKind::Progress, catalogue),
        participation: charts::participation_chart(settings, now, &plan, &turnouts, catalogue),
        plan_title: settings.plan_title.clone(),
        plan_description: settings.plan_description.clone(),
        generated_at: format_time(settings, now.timestamp_millis()),
        overall_percent: weighted_progress(all.iter().copied(), &state.monitoring),
        status_names,
        sections,
        turnout: turnout_rows(turnouts.plan()),
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
