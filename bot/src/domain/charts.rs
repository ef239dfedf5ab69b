//! The charts' models, built from the state and worded from a catalogue: progress of a
//! section (objectives, then actions) or of the plan (sections with their objectives, then
//! what is late), expected results over time, and participation per organisation (and per
//! section, for the plan). Each carries its text alternative, which says in words what the
//! chart draws: the chat message's body, the SVG's description, the report's caption.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::i18n::{Catalogue, Msg};
use super::monitoring::{
    by_due, counts, status, target_for, target_text, value_for, weighted_progress, Action,
    ActionStatus, ExpectedResult,
};
use super::tracking::{actions_in, results_in, sections, status_names, today, Scope};
use super::turnout::{Turnout, Turnouts};
use super::{Settings, State};
use crate::render::numbers::percent_text;
use crate::render::{
    self, Chart, ChartBody, ParticipationChart, ParticipationPart, ProgressChart, ProgressPart,
    ProgressRow, ResultSeries, ResultsChart, TurnoutRow,
};

/// Longest text alternative, in characters: a message's body stays well inside Matrix's
/// 64 KiB event limit; what does not fit is counted ("and 12 more").
const MAX_DESCRIPTION: usize = 12_000;
/// Late actions a plan's chart lists (the count says how many there are in all).
const MAX_LATE: usize = 20;

/// What a chart shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    Progress,
    Results,
    Participation,
}

/// The chart of `kind` for `scope`, worded in `catalogue`'s language.
pub fn chart(
    settings: &Settings,
    state: &State,
    now: DateTime<Utc>,
    scope: &Scope,
    kind: ChartKind,
    catalogue: &Catalogue,
) -> Chart {
    let words = Words {
        catalogue,
        today: today(settings, now),
    };
    match kind {
        ChartKind::Progress => progress(settings, state, scope, &words),
        ChartKind::Results => results(settings, state, scope, &words),
        ChartKind::Participation => participation(settings, scope, &Turnouts::of(state), &words),
    }
}

/// The participation chart from turnouts already counted (the report counts them once).
pub fn participation_chart(
    settings: &Settings,
    now: DateTime<Utc>,
    scope: &Scope,
    turnouts: &Turnouts,
    catalogue: &Catalogue,
) -> Chart {
    let words = Words {
        catalogue,
        today: today(settings, now),
    };
    participation(settings, scope, turnouts, &words)
}

/// A catalogue and the day the chart describes.
struct Words<'a> {
    catalogue: &'a Catalogue,
    today: NaiveDate,
}

impl Words<'_> {
    fn text(&self, msg: Msg) -> String {
        self.catalogue.template(msg).to_owned()
    }

    fn say(&self, msg: Msg, args: &[(&str, &str)]) -> String {
        self.catalogue.render(msg, args).body
    }

    fn numbers(&self) -> render::Numbers {
        self.catalogue.numbers()
    }

    fn chart(
        &self,
        settings: &Settings,
        title: Msg,
        scope: &Scope,
        description: String,
        body: ChartBody,
    ) -> Chart {
        Chart {
            title: self.say(
                title,
                &[("plan", &settings.plan_title), ("scope", &scope.label)],
            ),
            subtitle: self.say(Msg::ChartSubtitle, &[("date", &self.today.to_string())]),
            description,
            numbers: self.numbers(),
            status_names: status_names(self.catalogue),
            empty_text: self.text(Msg::ChartEmpty),
            body,
        }
    }

    fn status(&self, status: ActionStatus) -> String {
        self.text(super::tracking::status_msg(status))
    }

    /// Items joined by "; ", cut to fit `budget` bytes ("and 12 more").
    fn list(&self, items: impl ExactSizeIterator<Item = String>, budget: usize) -> String {
        self.joined(items, budget, "; ")
    }

    fn joined(
        &self,
        items: impl ExactSizeIterator<Item = String>,
        budget: usize,
        separator: &str,
    ) -> String {
        let total = items.len();
        let mut out = String::new();
        for (index, item) in items.enumerate() {
            if index > 0 {
                out.push_str(separator);
                if out.len() + item.len() > budget {
                    let more = self.numbers().count((total - index) as u64);
                    out.push_str(&self.say(Msg::AltMore, &[("count", &more)]));
                    break;
                }
            }
            out.push_str(&item);
        }
        out
    }

    /// A part of a progress chart in words: "Objectives: OB.1 Open data 40% (in progress); …".
    fn part(&self, part: &ProgressPart, budget: usize) -> String {
        let rows = part.rows.iter().map(|row| {
            let label = if row.code.is_empty() {
                row.title.clone()
            } else {
                format!("{} {}", row.code, row.title)
            };
            self.say(
                Msg::AltRow,
                &[
                    ("label", &label),
                    ("percent", &percent_text(row.percent)),
                    ("status", &self.status(row.status)),
                ],
            )
        });
        self.say(
            Msg::AltPart,
            &[
                ("heading", &part.heading),
                ("rows", &self.list(rows, budget)),
            ],
        )
    }
}

fn row(action: &Action, state: &State, today: NaiveDate) -> ProgressRow {
    let progress = state.monitoring.progress(&action.code);
    ProgressRow {
        code: action.code.clone(),
        title: action.title.clone(),
        percent: f64::from(progress),
        status: status(action, progress, today),
        nested: false,
    }
}

/// The status a group of actions shows as one bar: done when all are, late when any is,
/// ongoing when what is left is open-ended.
pub fn group_status(actions: &[&Action], state: &State, today: NaiveDate) -> ActionStatus {
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
    } else if statuses
        .iter()
        .all(|s| matches!(s, ActionStatus::Ongoing | ActionStatus::Done))
    {
        // Open-ended work under way, nothing with a due date left.
        ActionStatus::Ongoing
    } else {
        ActionStatus::InProgress
    }
}

/// The objectives of `actions` (in plan order) as rows rolled up by weight.
fn objective_rows(
    settings: &Settings,
    state: &State,
    scope: &Scope,
    actions: &[&Action],
    today: NaiveDate,
    nested: bool,
) -> Vec<ProgressRow> {
    settings
        .monitoring
        .objectives
        .iter()
        .filter(|objective| scope.contains(&objective.section))
        .filter_map(|objective| {
            let of_objective: Vec<&Action> = actions
                .iter()
                .copied()
                .filter(|a| a.objective.as_deref() == Some(objective.code.as_str()))
                .collect();
            (!of_objective.is_empty()).then(|| ProgressRow {
                code: objective.code.clone(),
                title: objective.title.clone(),
                percent: weighted_progress(of_objective.iter().copied(), &state.monitoring),
                status: group_status(&of_objective, state, today),
                nested,
            })
        })
        .collect()
}

fn progress(settings: &Settings, state: &State, scope: &Scope, words: &Words<'_>) -> Chart {
    let today = words.today;
    let actions = actions_in(settings, state, scope);
    let overall = weighted_progress(actions.iter().copied(), &state.monitoring);
    let counts: Vec<(ActionStatus, usize)> =
        counts(actions.iter().copied(), &state.monitoring, today)
            .into_iter()
            .collect();
    let parts = match &scope.section {
        Some(_) => {
            let objectives = objective_rows(settings, state, scope, &actions, today, false);
            let mut parts = Vec::new();
            if !objectives.is_empty() {
                parts.push(ProgressPart {
                    heading: words.text(Msg::ChartObjectives),
                    rows: objectives,
                });
            }
            parts.push(ProgressPart {
                heading: words.text(Msg::ChartActions),
                rows: actions.iter().map(|a| row(a, state, today)).collect(),
            });
            parts
        }
        None => {
            let mut rows = Vec::new();
            for section in sections(settings) {
                let section_scope = Scope::section(section);
                let of_section = actions_in(settings, state, &section_scope);
                rows.push(ProgressRow {
                    code: String::new(),
                    title: section.title.clone(),
                    percent: weighted_progress(of_section.iter().copied(), &state.monitoring),
                    status: group_status(&of_section, state, today),
                    nested: false,
                });
                rows.extend(objective_rows(
                    settings,
                    state,
                    &section_scope,
                    &of_section,
                    today,
                    true,
                ));
            }
            let mut parts = vec![ProgressPart {
                heading: words.text(Msg::ChartSections),
                rows,
            }];
            let late = late_rows(&actions, state, today);
            if !late.is_empty() {
                parts.push(ProgressPart {
                    heading: words.text(Msg::ChartLate),
                    rows: late.into_iter().take(MAX_LATE).collect(),
                });
            }
            parts
        }
    };
    let description = progress_description(scope, &actions, state, overall, &counts, &parts, words);
    let body = ChartBody::Progress(ProgressChart {
        overall,
        overall_label: words.text(Msg::ChartOverall),
        counts,
        parts,
    });
    words.chart(settings, Msg::ChartTitle, scope, description, body)
}

/// Late actions, the longest overdue first.
fn late_rows(actions: &[&Action], state: &State, today: NaiveDate) -> Vec<ProgressRow> {
    let mut late: Vec<&Action> = actions
        .iter()
        .copied()
        .filter(|a| status(a, state.monitoring.progress(&a.code), today) == ActionStatus::Late)
        .collect();
    late.sort_by(|a, b| by_due(a, b));
    late.into_iter().map(|a| row(a, state, today)).collect()
}

/// "Dati: 42% overall across 12 actions (…). 3 actions late: …. Objectives: …. Actions: …."
fn progress_description(
    scope: &Scope,
    actions: &[&Action],
    state: &State,
    overall: f64,
    counts: &[(ActionStatus, usize)],
    parts: &[ProgressPart],
    words: &Words<'_>,
) -> String {
    let numbers = words.numbers();
    let counted = counts
        .iter()
        .map(|(status, count)| {
            words.say(
                Msg::AltCount,
                &[
                    ("status", &words.status(*status)),
                    ("count", &numbers.count(*count as u64)),
                ],
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let mut sentences = vec![words.say(
        Msg::AltProgress,
        &[
            ("scope", &scope.label),
            ("percent", &percent_text(overall)),
            ("count", &numbers.count(actions.len() as u64)),
            ("counts", &counted),
        ],
    )];
    let late = late_rows(actions, state, words.today);
    if late.is_empty() {
        sentences.push(words.text(Msg::AltNoneLate));
    } else {
        let named = late
            .iter()
            .map(|r| format!("{} {} ({})", r.code, r.title, percent_text(r.percent)));
        sentences.push(words.say(
            Msg::AltLate,
            &[
                ("count", &numbers.count(late.len() as u64)),
                ("actions", &words.list(named, MAX_DESCRIPTION / 4)),
            ],
        ));
    }
    // The late list is already said above; the plan's chart repeats it only in the image.
    let drawn = parts
        .iter()
        .filter(|p| p.heading != words.text(Msg::ChartLate));
    let budget = MAX_DESCRIPTION / 2 / parts.len().max(1);
    sentences.extend(drawn.map(|part| words.part(part, budget)));
    sentences.join("\n")
}

fn results(settings: &Settings, state: &State, scope: &Scope, words: &Words<'_>) -> Chart {
    let numbers = words.numbers();
    let year = words.today.year();
    let in_scope = results_in(settings, scope);
    let series: Vec<ResultSeries> = in_scope
        .iter()
        .map(|r| result_series(state, r, year, words))
        .collect();
    let described = series.iter().map(|s| {
        let measurements = s.measurements.iter().map(|(date, value)| {
            words.say(
                Msg::AltMeasurement,
                &[
                    ("value", &numbers.value(Some(*value))),
                    ("date", &date.to_string()),
                ],
            )
        });
        let measurements = if s.measurements.is_empty() {
            words.text(Msg::ChartNoMeasurements)
        } else {
            words.list(measurements, MAX_DESCRIPTION / 8)
        };
        words.say(
            Msg::AltResult,
            &[
                ("label", &format!("{} {}", s.code, s.title)),
                ("summary", &s.summary),
                ("measurements", &measurements),
            ],
        )
    });
    let mut description = words.say(
        Msg::AltResults,
        &[
            ("count", &numbers.count(series.len() as u64)),
            ("scope", &scope.label),
        ],
    );
    if !series.is_empty() {
        description.push('\n');
        description.push_str(&words.joined(described, MAX_DESCRIPTION, "\n"));
    }
    let body = ChartBody::Results(ResultsChart {
        measured_label: words.text(Msg::ChartMeasured),
        baseline_label: words.text(Msg::ChartBaseline),
        target_label: words.text(Msg::ChartTarget),
        no_measurements: words.text(Msg::ChartNoMeasurements),
        results: series,
    });
    words.chart(settings, Msg::ChartResultsTitle, scope, description, body)
}

/// A result's measurements by date (the last recorded for a day counts, as in `!results`),
/// targets by year, and its figures in words.
fn result_series(
    state: &State,
    result: &ExpectedResult,
    year: i32,
    words: &Words<'_>,
) -> ResultSeries {
    let numbers = words.numbers();
    let mut by_day: std::collections::BTreeMap<NaiveDate, f64> = std::collections::BTreeMap::new();
    for measurement in state
        .monitoring
        .measurements
        .get(&result.code)
        .into_iter()
        .flatten()
    {
        by_day.insert(measurement.date, measurement.value);
    }
    let measurements: Vec<(NaiveDate, f64)> = by_day.into_iter().collect();
    let unit = result.unit.trim();
    let with_unit = |value: f64| {
        let number = numbers.value(Some(value));
        if unit.is_empty() {
            number
        } else {
            format!("{number} {unit}")
        }
    };
    // Charts draw the numeric targets only; the summary says the target in force, in words
    // if it has no number.
    let current_target = value_for(result, year).map(|(_, value)| value);
    let mut summary = vec![match measurements.last() {
        Some((date, value)) => words.say(
            Msg::ChartLatest,
            &[("value", &with_unit(*value)), ("date", &date.to_string())],
        ),
        None => words.text(Msg::ChartNoMeasurements),
    }];
    if let Some(baseline) = result.baseline {
        summary.push(words.say(Msg::ChartBaselineValue, &[("value", &with_unit(baseline))]));
    }
    if let Some((target_year, target)) = target_for(result, year) {
        summary.push(words.say(
            Msg::ChartTargetValue,
            &[
                ("year", &target_year.to_string()),
                ("value", &target_text(target, with_unit)),
            ],
        ));
    }
    ResultSeries {
        code: result.code.clone(),
        title: result.title.clone(),
        summary: summary.join(" · "),
        baseline: result.baseline,
        targets: result.numeric_targets().collect(),
        measurements,
        current_target,
    }
}

fn turnout_row(row: Turnout) -> TurnoutRow {
    TurnoutRow {
        name: row.organisation,
        proposals: row.proposals,
        voters: row.voters,
        supports: row.supports,
        oppositions: row.oppositions,
        comments: row.comments,
    }
}

/// Rows per organisation, as the report's tables show them too.
pub fn turnout_rows(rows: Vec<Turnout>) -> Vec<TurnoutRow> {
    rows.into_iter().map(turnout_row).collect()
}

fn participation(
    settings: &Settings,
    scope: &Scope,
    turnouts: &Turnouts,
    words: &Words<'_>,
) -> Chart {
    let by_organisation = |rows: Vec<Turnout>| ParticipationPart {
        heading: words.text(Msg::ChartByOrganisation),
        rows: turnout_rows(rows),
    };
    let parts = match &scope.section {
        Some(section) => vec![by_organisation(turnouts.section(section))],
        None => {
            let by_section = sections(settings)
                .into_iter()
                .map(|section| {
                    let mut total = TurnoutRow {
                        name: section.title.clone(),
                        ..TurnoutRow::default()
                    };
                    for row in turnouts.section(&section.id) {
                        total.proposals += row.proposals;
                        total.voters += row.voters;
                        total.supports += row.supports;
                        total.oppositions += row.oppositions;
                        total.comments += row.comments;
                    }
                    total
                })
                .collect();
            vec![
                ParticipationPart {
                    heading: words.text(Msg::ChartBySection),
                    rows: by_section,
                },
                by_organisation(turnouts.plan()),
            ]
        }
    };
    let numbers = words.numbers();
    let mut sentences = vec![words.say(Msg::AltParticipation, &[("scope", &scope.label)])];
    let budget = MAX_DESCRIPTION / parts.len().max(1);
    for part in &parts {
        let rows = part.rows.iter().map(|row| {
            let count = |n: u32| numbers.count(n);
            words.say(
                Msg::AltTurnout,
                &[
                    ("name", &row.name),
                    ("proposals", &count(row.proposals)),
                    ("voters", &count(row.voters)),
                    (
                        "votes",
                        &count(row.supports.saturating_add(row.oppositions)),
                    ),
                    ("supports", &count(row.supports)),
                    ("oppositions", &count(row.oppositions)),
                    ("comments", &count(row.comments)),
                ],
            )
        });
        let rows = if part.rows.is_empty() {
            words.text(Msg::ChartEmpty)
        } else {
            words.list(rows, budget)
        };
        sentences.push(words.say(Msg::AltPart, &[("heading", &part.heading), ("rows", &rows)]));
    }
    let body = ChartBody::Participation(ParticipationChart {
        columns: [
            words.text(Msg::ReportProposals),
            words.text(Msg::ReportVoters),
            words.text(Msg::ChartVotes),
            words.text(Msg::ReportComments),
        ],
        supports_label: words.text(Msg::ReportSupports),
        oppositions_label: words.text(Msg::ReportOppositions),
        parts,
    });
    words.chart(
        settings,
        Msg::ChartParticipationTitle,
        scope,
        sentences.join("\n"),
        body,
    )
}
