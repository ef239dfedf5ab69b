//! One section of the report: its progress, its actions (chart, table and histories), its
//! expected results (chart over time and table) and the consultation's outcome.

use maud::{html, Markup};

use super::{figure, nothing, percent, plain_colour, status, table_box, turnout};
use crate::render::palette::status_colour;
use crate::render::{MonitoringReport, ReportAction, ReportSection, TargetBar};

pub(super) fn section(number: usize, section: &ReportSection, report: &MonitoringReport) -> Markup {
    let labels = &report.labels;
    let caption = |label: &str| format!("{label} — {}", section.title);
    html! {
        section.plan-section id={ "section-" (number) } {
            h2.section-title id={ "section-" (number) "-title" } { (section.title) }
            p.overall {
                (percent(section.percent, plain_colour(section.percent)))
                span { (labels.overall) }
            }

            h3 { (labels.actions) }
            @if section.actions.is_empty() {
                (nothing(labels))
            } @else {
                (figure(&section.progress_chart, labels))
                (actions(&section.actions, &caption(&labels.actions), report))
                h4 { (labels.history) }
                (histories(&section.actions, report))
            }

            h3 { (labels.results) }
            @if section.results.is_empty() {
                (nothing(labels))
            } @else {
                @if let Some(chart) = &section.results_chart {
                    (figure(chart, labels))
                }
                (results(&section.results, &caption(&labels.results), report))
            }

            h3 { (labels.consultation) }
            @if section.proposals.is_empty() {
                (nothing(labels))
            } @else {
                (table_box(&caption(&labels.consultation), html! {
                    table {
                        caption { (caption(&labels.consultation)) }
                        thead {
                            tr {
                                th scope="col" { (labels.proposal) }
                                th scope="col" { (labels.title) }
                                th scope="col" { (labels.status) }
                                th.num scope="col" { (labels.supports) }
                                th.num scope="col" { (labels.oppositions) }
                            }
                        }
                        tbody {
                            @for proposal in &section.proposals {
                                tr {
                                    th.nowrap scope="row" { "#" (proposal.number) }
                                    td.wide { (proposal.title) }
                                    td { (proposal.state) }
                                    td.num { (report.numbers.count(proposal.supports)) }
                                    td.num { (report.numbers.count(proposal.oppositions)) }
                                }
                            }
                        }
                    }
                }))
            }
            h4 { (labels.participation) }
            (turnout(&section.by_organisation, labels, &caption(&labels.participation), report))
        }
    }
}

fn actions(actions: &[ReportAction], caption: &str, report: &MonitoringReport) -> Markup {
    let labels = &report.labels;
    table_box(
        caption,
        html! {
            table {
                caption { (caption) }
                thead {
                    tr {
                        th scope="col" { (labels.code) }
                        th scope="col" { (labels.title) }
                        th scope="col" { (labels.owner) }
                        th scope="col" { (labels.due) }
                        th scope="col" { (labels.status) }
                        th scope="col" { (labels.progress) }
                    }
                }
                tbody {
                    @for action in actions {
                        tr {
                            th.nowrap scope="row" { (action.code) }
                            td.wide { (action.title) }
                            td { (action.owner) }
                            td.nowrap { (action.due) }
                            td { (status(action.status, report)) }
                            td.nowrap { (percent(action.percent, status_colour(action.status))) }
                        }
                    }
                }
            }
        },
    )
}

/// Each action's updates, oldest first, folded under its code and title (open in print).
fn histories(actions: &[ReportAction], report: &MonitoringReport) -> Markup {
    let labels = &report.labels;
    html! {
        @for action in actions {
            details.history {
                summary { (action.code) " " (action.title) " (" (action.history.len()) ")" }
                @if action.history.is_empty() {
                    (nothing(labels))
                } @else {
                    ol.updates {
                        @for update in &action.history {
                            li {
                                span.nowrap { (update.at) } " · " (update.author) " · "
                                span.pct { (crate::render::numbers::percent_text(update.percent)) }
                                @if !update.note.is_empty() {
                                    br;
                                    span.note { (update.note) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn results(results: &[TargetBar], caption: &str, report: &MonitoringReport) -> Markup {
    let labels = &report.labels;
    let measure = |value: Option<f64>, unit: &str| {
        let number = report.numbers.value(value);
        let unit = unit.trim();
        if value.is_some_and(f64::is_finite) && !unit.is_empty() {
            format!("{number}\u{a0}{unit}")
        } else {
            number
        }
    };
    table_box(
        caption,
        html! {
            table {
                caption { (caption) }
                thead {
                    tr {
                        th scope="col" { (labels.indicator) }
                        th.num scope="col" { (labels.baseline) }
                        th.num scope="col" { (labels.latest) }
                        th.num scope="col" { (labels.target) }
                    }
                }
                tbody {
                    @for result in results {
                        tr {
                            th.wide scope="row" { (result.label) }
                            td.num { (measure(result.baseline, &result.unit)) }
                            td.num { (measure(result.latest, &result.unit)) }
                            @match (&result.target, &result.target_text) {
                                (None, Some(text)) => td { (text) },
                                (target, _) => td.num { (measure(*target, &result.unit)) },
                            }
                        }
                    }
                }
            }
        },
    )
}
