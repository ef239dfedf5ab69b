//! Pure renderers for monitoring: plain data in, bytes out. Each chart is drawn once as SVG
//! ([`svg`]); [`raster`] turns it into an anti-aliased PNG for chat and [`report`] inlines it
//! in the HTML page. Text is set in the embedded typefaces ([`fonts`]), numbers follow the
//! language ([`numbers`]). No I/O, no clock: every text, date and number comes from the
//! caller (labels from the catalogues).

pub mod fonts;
pub mod numbers;
pub mod palette;
pub mod plan;
pub mod raster;
pub mod report;
pub mod svg;

#[cfg(test)]
mod fuzz_tests;

use chrono::NaiveDate;

pub use numbers::Numbers;

/// How an action stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ActionStatus {
    NotStarted,
    InProgress,
    /// Open-ended (no due date), started and not done: never late.
    Ongoing,
    /// In progress and due within 30 days.
    DueSoon,
    /// Due date passed below 100%.
    Late,
    Done,
}

impl ActionStatus {
    pub const ALL: [ActionStatus; 6] = [
        ActionStatus::NotStarted,
        ActionStatus::InProgress,
        ActionStatus::Ongoing,
        ActionStatus::DueSoon,
        ActionStatus::Late,
        ActionStatus::Done,
    ];
}

/// A chart: what `!chart` posts and the report shows, already localised.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    /// E.g. the date the chart describes.
    pub subtitle: String,
    /// The text alternative: what the chart shows, in words (the chat message's body, the
    /// SVG's `<desc>`).
    pub description: String,
    pub numbers: Numbers,
    /// Localised name of each status, for the legend and the rows.
    pub status_names: Vec<(ActionStatus, String)>,
    /// Shown when a part has nothing to draw, e.g. "no data".
    pub empty_text: String,
    pub body: ChartBody,
}

impl Chart {
    /// The localised name of `status` (its debug name if the caller left it out).
    pub fn status_name(&self, status: ActionStatus) -> String {
        self.status_names
            .iter()
            .find(|(named, _)| *named == status)
            .map_or_else(|| format!("{status:?}"), |(_, name)| name.clone())
    }
}

/// The three kinds of chart.
#[derive(Debug, Clone, PartialEq)]
pub enum ChartBody {
    Progress(ProgressChart),
    Results(ResultsChart),
    Participation(ParticipationChart),
}

/// Progress of a scope: the overall figure, actions per status, then parts of bars (the
/// plan's sections with their objectives; a section's objectives, then its actions).
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressChart {
    /// 0–100, weighted.
    pub overall: f64,
    /// E.g. "overall progress".
    pub overall_label: String,
    /// Actions per status, in legend order.
    pub counts: Vec<(ActionStatus, usize)>,
    pub parts: Vec<ProgressPart>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProgressPart {
    pub heading: String,
    pub rows: Vec<ProgressRow>,
}

/// One bar: a section, an objective or an action.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressRow {
    /// Drawn bold before the title; may be empty (sections have none).
    pub code: String,
    pub title: String,
    /// 0–100.
    pub percent: f64,
    pub status: ActionStatus,
    /// Nested under the row before it (an objective under its section).
    pub nested: bool,
}

/// Expected results: a panel per result with its measurements over time against the
/// baseline and the yearly targets.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultsChart {
    /// Legend: the measured line, the baseline, the yearly targets.
    pub measured_label: String,
    pub baseline_label: String,
    pub target_label: String,
    /// Written inside a panel without measurements.
    pub no_measurements: String,
    pub results: Vec<ResultSeries>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResultSeries {
    pub code: String,
    pub title: String,
    /// Latest, baseline and this year's target in words, under the title.
    pub summary: String,
    pub baseline: Option<f64>,
    /// Target per year, by year.
    pub targets: Vec<(i32, f64)>,
    /// Oldest first.
    pub measurements: Vec<(NaiveDate, f64)>,
    /// This year's target (else the latest earlier one): the latest measurement is drawn in
    /// the "done" colour once it reaches it.
    pub current_target: Option<f64>,
}

/// Participation per organisation (and per section, for the plan): proposals, voters, votes
/// (supports and oppositions) and comments.
#[derive(Debug, Clone, PartialEq)]
pub struct ParticipationChart {
    /// Column headings: proposals, voters, votes, comments.
    pub columns: [String; 4],
    /// Legend of the votes column.
    pub supports_label: String,
    pub oppositions_label: String,
    pub parts: Vec<ParticipationPart>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParticipationPart {
    pub heading: String,
    pub rows: Vec<TurnoutRow>,
}

/// One organisation's (or section's) participation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TurnoutRow {
    pub name: String,
    pub proposals: u32,
    pub voters: u32,
    pub supports: u32,
    pub oppositions: u32,
    pub comments: u32,
}

/// A rendered PNG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Png {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// An expected result's latest value against this year's target (a row of the report).
#[derive(Debug, Clone, PartialEq)]
pub struct TargetBar {
    pub label: String,
    pub unit: String,
    pub baseline: Option<f64>,
    pub latest: Option<f64>,
    pub target: Option<f64>,
    /// A target given as text only ("almeno 80 amministrazioni"), shown where the number
    /// would be.
    pub target_text: Option<String>,
}

/// Everything the HTML report shows, already localised and formatted.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitoringReport {
    /// `it` or `en`, for `<html lang>`.
    pub language: String,
    pub numbers: Numbers,
    pub labels: ReportLabels,
    pub plan_title: String,
    pub plan_description: String,
    /// Formatted generation time.
    pub generated_at: String,
    /// 0–100, weighted over the whole plan.
    pub overall_percent: f64,
    pub status_names: Vec<(ActionStatus, String)>,
    /// The plan's progress by section and objective.
    pub overview: Chart,
    /// Participation per section and organisation.
    pub participation: Chart,
    pub sections: Vec<ReportSection>,
    /// Participation per organisation over the whole plan.
    pub turnout: Vec<TurnoutRow>,
}

/// Fixed texts of the report, from the catalogue.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReportLabels {
    /// The band above the title, e.g. "Monitoring of the plan".
    pub masthead: String,
    /// The skip link to the main content.
    pub skip: String,
    /// Heading of the table of contents.
    pub contents: String,
    /// Before the generation time.
    pub generated: String,
    /// Heading of a chart's text alternative.
    pub chart_text: String,
    pub overall: String,
    pub progress: String,
    pub section: String,
    pub actions: String,
    pub code: String,
    pub title: String,
    pub owner: String,
    pub due: String,
    pub status: String,
    pub history: String,
    pub results: String,
    pub indicator: String,
    pub baseline: String,
    pub latest: String,
    pub target: String,
    pub consultation: String,
    pub proposal: String,
    pub supports: String,
    pub oppositions: String,
    pub organisation: String,
    /// Heading of the participation tables.
    pub participation: String,
    pub proposals: String,
    pub voters: String,
    pub comments: String,
    pub nothing: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReportSection {
    pub title: String,
    pub percent: f64,
    /// Actions per status.
    pub counts: Vec<(ActionStatus, usize)>,
    pub actions: Vec<ReportAction>,
    pub results: Vec<TargetBar>,
    pub proposals: Vec<ReportProposal>,
    /// Participation per organisation in the section.
    pub by_organisation: Vec<TurnoutRow>,
    /// The section's objectives and actions.
    pub progress_chart: Chart,
    /// Its results over time; `None` when it has none.
    pub results_chart: Option<Chart>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReportAction {
    pub code: String,
    pub title: String,
    pub owner: String,
    /// Formatted due date, or what stands for it ("open-ended, from 2020-09-01").
    pub due: String,
    pub percent: f64,
    pub status: ActionStatus,
    /// Oldest first.
    pub history: Vec<ReportUpdate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReportUpdate {
    /// Formatted time.
    pub at: String,
    pub author: String,
    pub percent: f64,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReportProposal {
    pub number: u32,
    pub title: String,
    /// Localised state.
    pub state: String,
    pub supports: u32,
    pub oppositions: u32,
}
