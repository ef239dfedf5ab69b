//! Pure renderers for monitoring: plain data in, bytes out. [`chart`] draws PNG charts with
//! an embedded bitmap font (legible on any machine, no system fonts); [`report`] writes the
//! self-contained HTML report. No I/O, no clock: every text, date and number comes from the
//! caller (labels from the catalogues).

pub mod chart;
mod font;
pub mod report;

/// How an action stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ActionStatus {
    NotStarted,
    InProgress,
    /// In progress and due within 30 days.
    DueSoon,
    /// Due date passed below 100%.
    Late,
    Done,
}

impl ActionStatus {
    pub const ALL: [ActionStatus; 5] = [
        ActionStatus::NotStarted,
        ActionStatus::InProgress,
        ActionStatus::DueSoon,
        ActionStatus::Late,
        ActionStatus::Done,
    ];
}

/// One progress bar: a section, an objective or an action.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressBar {
    pub label: String,
    /// 0–100.
    pub percent: f64,
    pub status: ActionStatus,
}

/// An expected result: latest measured value against this year's target.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetBar {
    pub label: String,
    pub unit: String,
    pub baseline: Option<f64>,
    pub latest: Option<f64>,
    pub target: Option<f64>,
}

/// A chart image: progress bars, then results against targets.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    /// E.g. the date the chart describes.
    pub subtitle: String,
    pub progress_heading: String,
    pub progress: Vec<ProgressBar>,
    pub results_heading: String,
    pub results: Vec<TargetBar>,
    /// Localised name of each status, for the legend.
    pub status_names: Vec<(ActionStatus, String)>,
    /// Shown when there is nothing to draw in a part, e.g. "no results".
    pub empty_text: String,
}

/// A rendered PNG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Png {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Everything the HTML report shows, already localised and formatted.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitoringReport {
    /// `it` or `en`, for `<html lang>`.
    pub language: String,
    pub labels: ReportLabels,
    pub plan_title: String,
    pub plan_description: String,
    /// Formatted generation time.
    pub generated_at: String,
    /// 0–100, weighted over the whole plan.
    pub overall_percent: f64,
    pub status_names: Vec<(ActionStatus, String)>,
    pub sections: Vec<ReportSection>,
    /// Participation per organisation over the whole plan.
    pub turnout: Vec<ReportTurnout>,
}

/// One organisation's participation (a row of the report's participation tables).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportTurnout {
    pub organisation: String,
    pub proposals: u32,
    pub voters: u32,
    pub supports: u32,
    pub oppositions: u32,
    pub comments: u32,
}

/// Fixed texts of the report, from the catalogue.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReportLabels {
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
    pub by_organisation: Vec<ReportTurnout>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReportAction {
    pub code: String,
    pub title: String,
    pub owner: String,
    /// Formatted due date.
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
