//! The monitoring report as one self-contained HTML5 page, written with maud templates, which
//! escape every caller text: the design system's look (`style.css`, Titillium Web embedded),
//! a table of contents, an anchor per section, the charts inlined as the same SVG `!chart`
//! posts, each with its text alternative, and tables with captions and headers holding every
//! figure in text. No scripts and nothing loaded from outside, so it can be attached to a
//! message, opened offline, read on a phone and printed.

mod sections;

use std::sync::LazyLock;

use base64::Engine as _;
use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::fonts;
use super::numbers::{clamp_percent, percent_text};
use super::palette::{status_colour, PRIMARY, TRACK};
use super::svg::{self, Frame};
use super::{ActionStatus, Chart, MonitoringReport, ReportLabels, TurnoutRow};

/// The stylesheet, after the embedded font faces.
static STYLE: LazyLock<String> = LazyLock::new(|| {
    let face = |weight: u16, data: &[u8]| {
        format!(
            "@font-face{{font-family:'Titillium Web';font-style:normal;font-weight:{weight};\
             font-display:swap;src:url(data:font/ttf;base64,{}) format('truetype')}}\n",
            base64::engine::general_purpose::STANDARD.encode(data)
        )
    };
    let mut style = face(400, fonts::REGULAR);
    style.push_str(&face(700, fonts::BOLD));
    style.push_str(include_str!("style.css"));
    style
});

/// Writes the report as an HTML5 document.
pub fn render_html(report: &MonitoringReport) -> String {
    let labels = &report.labels;
    let page = html! {
        (DOCTYPE)
        html lang=(report.language) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (report.plan_title) }
                style { (PreEscaped(STYLE.as_str())) }
            }
            body {
                a.skip href="#main" { (labels.skip) }
                header {
                    div.slim { div.wrap { (labels.masthead) } }
                    div.center {
                        div.wrap {
                            h1 { (report.plan_title) }
                            @if !report.plan_description.is_empty() {
                                p.lead { (report.plan_description) }
                            }
                        }
                    }
                }
                div.wrap.layout {
                    (contents(report))
                    main #main {
                        (summary(report))
                        (participation(report))
                        @for (index, section) in report.sections.iter().enumerate() {
                            (sections::section(index + 1, section, report))
                        }
                    }
                }
                footer {
                    div.wrap {
                        p { (labels.generated) " " (report.generated_at) }
                    }
                }
            }
        }
    };
    page.into_string()
}

/// The table of contents: summary, participation, then each section by its anchor.
fn contents(report: &MonitoringReport) -> Markup {
    let labels = &report.labels;
    html! {
        nav.toc aria-labelledby="contents-title" {
            h2 #contents-title { (labels.contents) }
            ol {
                li { a href="#summary" { (labels.progress) } }
                li { a href="#participation" { (labels.participation) } }
                @for (index, section) in report.sections.iter().enumerate() {
                    li { a href={ "#section-" (index + 1) } { (section.title) } }
                }
            }
        }
    }
}

/// Overall progress, the plan's chart, and progress by section with actions per status.
fn summary(report: &MonitoringReport) -> Markup {
    let labels = &report.labels;
    html! {
        section #summary {
            h2 #summary-title { (labels.progress) }
            p.overall {
                span.pct #overall { (percent_text(report.overall_percent)) }
                span { (labels.overall) }
            }
            (figure(&report.overview, labels))
            @if report.sections.is_empty() {
                (nothing(labels))
            } @else {
                (table_box(&labels.progress, html! {
                    table {
                        caption { (labels.progress) }
                        thead {
                            tr {
                                th scope="col" { (labels.section) }
                                th scope="col" { (labels.progress) }
                                @for (_, name) in &report.status_names {
                                    th.num scope="col" { (name) }
                                }
                            }
                        }
                        tbody {
                            @for (index, section) in report.sections.iter().enumerate() {
                                tr {
                                    th.wide scope="row" {
                                        a href={ "#section-" (index + 1) } { (section.title) }
                                    }
                                    td.nowrap { (percent(section.percent, plain_colour(section.percent))) }
                                    @for (status, _) in &report.status_names {
                                        td.num {
                                            (report.numbers.count(section.counts.iter().find(|(s, _)| s == status).map_or(0, |(_, n)| *n as u64)))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }))
            }
        }
    }
}

/// Participation per section and organisation: the chart, then the plan's table.
fn participation(report: &MonitoringReport) -> Markup {
    let labels = &report.labels;
    html! {
        section #participation {
            h2 #participation-title { (labels.participation) }
            (figure(&report.participation, labels))
            (turnout(&report.turnout, labels, &labels.participation, report))
        }
    }
}

/// A chart inlined as SVG (it names itself by its `<title>`, and describes itself by its
/// `<desc>`), its text alternative also readable under it; the frame scrolls sideways on a
/// phone rather than shrink the text.
fn figure(chart: &Chart, labels: &ReportLabels) -> Markup {
    let drawn = svg::render(chart, Frame::Report);
    html! {
        figure.chart {
            div.canvas tabindex="0" role="region" aria-label=(chart.title) {
                (PreEscaped(drawn.markup))
            }
            figcaption {
                details {
                    summary { (labels.chart_text) }
                    p.alt { (chart.description) }
                }
            }
        }
    }
}

/// A table in a frame that scrolls sideways on a phone; keyboard users can focus and
/// scroll it too.
fn table_box(name: &str, table: Markup) -> Markup {
    html! {
        div.scroll tabindex="0" role="region" aria-label=(name) { (table) }
    }
}

fn nothing(labels: &ReportLabels) -> Markup {
    html! { p.nothing { (labels.nothing) } }
}

/// A percentage in words, and a bar beside it for the eye (hidden from screen readers,
/// which read the number).
fn percent(value: f64, colour: &str) -> Markup {
    let filled = clamp_percent(value);
    html! {
        span.pct { (percent_text(value)) }
        svg.mini viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false" {
            rect width="100" height="10" rx="2" fill=(TRACK) {}
            rect width=(format!("{filled:.1}")) height="10" rx="2" fill=(colour) {}
        }
    }
}

/// A status written out, with its colour as a dot before it.
fn status(status: ActionStatus, report: &MonitoringReport) -> Markup {
    let class = match status {
        ActionStatus::NotStarted => "status s-not-started",
        ActionStatus::InProgress => "status s-in-progress",
        ActionStatus::Ongoing => "status s-ongoing",
        ActionStatus::DueSoon => "status s-due-soon",
        ActionStatus::Late => "status s-late",
        ActionStatus::Done => "status s-done",
    };
    let name = report
        .status_names
        .iter()
        .find(|(named, _)| *named == status)
        .map_or_else(|| format!("{status:?}"), |(_, name)| name.clone());
    html! { span class=(class) { (name) } }
}

/// Participation per organisation: proposals, voters, supports, oppositions, comments.
fn turnout(
    rows: &[TurnoutRow],
    labels: &ReportLabels,
    caption: &str,
    report: &MonitoringReport,
) -> Markup {
    if rows.is_empty() {
        return nothing(labels);
    }
    let numbers = report.numbers;
    table_box(
        caption,
        html! {
            table.turnout {
                caption { (caption) }
                thead {
                    tr {
                        th scope="col" { (labels.organisation) }
                        th.num scope="col" { (labels.proposals) }
                        th.num scope="col" { (labels.voters) }
                        th.num scope="col" { (labels.supports) }
                        th.num scope="col" { (labels.oppositions) }
                        th.num scope="col" { (labels.comments) }
                    }
                }
                tbody {
                    @for row in rows {
                        tr {
                            th scope="row" { (row.name) }
                            @for value in [row.proposals, row.voters, row.supports, row.oppositions, row.comments] {
                                td.num { (numbers.count(value)) }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// Bars without a status of their own (plan, sections): green once complete, blue before.
fn plain_colour(percent: f64) -> &'static str {
    if clamp_percent(percent) >= 100.0 {
        status_colour(ActionStatus::Done)
    } else {
        PRIMARY
    }
}

#[cfg(test)]
mod tests;
