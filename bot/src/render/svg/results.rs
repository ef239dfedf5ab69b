//! The results chart: a panel per expected result with its title, its figures in words, and
//! its measurements over time as a line, against the baseline (dashed) and the yearly
//! targets (diamonds at each year's end). Each panel has a scale of its own: results are
//! measured in different units.

use chrono::{Datelike, NaiveDate};
use maud::{html, Markup};

use super::{Draw, Frame, LegendMark, Style, CONTENT, MARGIN, P};
use crate::render::fonts::Weight;
use crate::render::palette::{status_colour, INK, MUTED, PRIMARY, RULE};
use crate::render::{ActionStatus, Chart, ResultSeries, ResultsChart};

/// Panels drawn in a chat image; the rest is counted ("… +N").
const CHAT_PANELS: usize = 30;
/// Room for the value axis's labels, left of the plot.
const AXIS: f32 = 76.0;
const PLOT_HEIGHT: f32 = 120.0;

pub(super) fn draw(draw: &mut Draw, chart: &Chart, results: &ResultsChart, frame: Frame) {
    draw.legend(&[
        (
            LegendMark::Line {
                stroke: PRIMARY,
                dashed: false,
                dot: true,
            },
            results.measured_label.clone(),
        ),
        (
            LegendMark::Line {
                stroke: MUTED,
                dashed: true,
                dot: false,
            },
            results.baseline_label.clone(),
        ),
        (LegendMark::Target(INK), results.target_label.clone()),
    ]);
    draw.rule();
    if results.results.is_empty() {
        draw.note(&chart.empty_text);
        return;
    }
    let shown = results.results.len().min(frame.cap(CHAT_PANELS));
    for series in &results.results[..shown] {
        panel(draw, results, series);
    }
    if shown < results.results.len() {
        let more = (results.results.len() - shown) as u64;
        draw.note(&format!("… +{}", draw.numbers.count(more)));
    }
}

/// Whether `latest` reached `target`; a target below the baseline means lower is better
/// (e.g. emissions), so it is reached from above.
pub fn target_met(baseline: Option<f64>, latest: f64, target: Option<f64>) -> bool {
    match (baseline, target) {
        (Some(baseline), Some(target)) if target < baseline => latest <= target,
        (_, Some(target)) => latest >= target,
        (_, None) => false,
    }
}

fn panel(draw: &mut Draw, results: &ResultsChart, series: &ResultSeries) {
    draw.code_and_title(MARGIN, CONTENT, 17.0, INK, &series.code, &series.title);
    draw.wrapped(
        MARGIN,
        CONTENT,
        &Style::new(14.0, Weight::Regular, MUTED),
        &series.summary,
    );
    let top = draw.y + 10.0;
    let plot = Plot::of(series, top);
    let left = MARGIN + AXIS;
    let right = MARGIN + CONTENT;
    let bottom = top + PLOT_HEIGHT;
    let axis = Style::new(13.0, Weight::Regular, MUTED);
    match plot {
        None => draw.text(
            left + 10.0,
            bottom - 10.0,
            &axis,
            false,
            &results.no_measurements,
        ),
        Some(plot) => {
            // Value axis: round steps from the bottom of the scale, with grid lines.
            for tick in plot.ticks() {
                let y = plot.y(tick);
                draw.line((left, y), (right, y), RULE, 1.0, None);
                draw.text(
                    left - 8.0,
                    y + 4.0,
                    &axis,
                    true,
                    &draw.numbers.value(Some(tick)),
                );
            }
            // Time axis: a tick at each 1 January, the year in the middle of its span.
            for (year, from, to) in plot.years() {
                let (start, end) = (plot.x(from), plot.x(to));
                if from > plot.first {
                    draw.line((start, bottom), (start, bottom + 5.0), MUTED, 1.0, None);
                }
                let label = year.to_string();
                if end - start >= axis.width(&label) + 8.0 {
                    let middle = (start + end) / 2.0;
                    draw.text(
                        middle - axis.width(&label) / 2.0,
                        bottom + 19.0,
                        &axis,
                        false,
                        &label,
                    );
                }
            }
            if let Some(baseline) = series.baseline {
                let y = plot.y(baseline);
                draw.line((left, y), (right, y), MUTED, 1.5, Some("6 4"));
            }
            // A target holds for its year: a dark segment across it, a diamond at its end.
            for (year, value) in &series.targets {
                let (Some(from), Some(to)) = (year_start(*year), year_end(*year)) else {
                    continue;
                };
                let y = plot.y(*value);
                let (start, end) = (plot.x(from.max(plot.first)), plot.x(to.min(plot.last)));
                draw.line((start, y), (end, y), INK, 2.0, None);
                draw.add(diamond(plot.x(to), y, INK));
            }
            let points: Vec<(f32, f32)> = series
                .measurements
                .iter()
                .map(|(date, value)| (plot.x(*date), plot.y(*value)))
                .collect();
            let met = series.measurements.last().is_some_and(|(_, latest)| {
                target_met(series.baseline, *latest, series.current_target)
            });
            let colour = if met {
                status_colour(ActionStatus::Done)
            } else {
                PRIMARY
            };
            if points.len() > 1 {
                draw.add(polyline(&points, colour, 2.5, None));
            }
            for (x, y) in &points {
                draw.add(dot(*x, *y, colour));
            }
            if points.is_empty() {
                draw.text(
                    left + 10.0,
                    bottom - 10.0,
                    &axis,
                    false,
                    &results.no_measurements,
                );
            }
        }
    }
    draw.line((left, bottom), (right, bottom), MUTED, 1.0, None);
    draw.y = bottom + 24.0 + 14.0;
}

/// 1 January of `year`, when the calendar has it.
fn year_start(year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, 1, 1)
}

/// 31 December of `year`, when the calendar has it.
fn year_end(year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, 12, 31)
}

/// The smallest of 1, 2, 2.5 and 5 times a power of ten that is at least `raw`.
fn nice_step(raw: f64) -> f64 {
    let power = 10_f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|step| *step >= raw)
        .unwrap_or(10.0 * power)
}

/// A panel's scales: values from `low` to `high` in `step`s, days from `first` to `last`.
struct Plot {
    low: f64,
    high: f64,
    step: f64,
    first: NaiveDate,
    last: NaiveDate,
    top: f32,
}

impl Plot {
    /// `None` when the series has nothing to place (no value at all).
    fn of(series: &ResultSeries, top: f32) -> Option<Plot> {
        let values: Vec<f64> = series
            .measurements
            .iter()
            .map(|(_, v)| *v)
            .chain(series.baseline)
            .chain(series.targets.iter().map(|(_, v)| *v))
            .filter(|v| v.is_finite())
            .collect();
        if values.is_empty() {
            return None;
        }
        let lowest = values.iter().copied().fold(0.0_f64, f64::min);
        let highest = values.iter().copied().fold(f64::MIN, f64::max);
        // Up to four round steps from a round bottom (0 unless values go below it).
        let span = (highest - lowest).max(f64::MIN_POSITIVE.sqrt());
        let step = nice_step(span / 4.0);
        let low = (lowest / step).floor() * step;
        let high = (low + ((highest - low) / step).ceil().max(1.0) * step).max(low + step);
        let dates: Vec<NaiveDate> = series
            .measurements
            .iter()
            .map(|(date, _)| *date)
            .chain(
                series
                    .targets
                    .iter()
                    .flat_map(|(year, _)| [year_start(*year), year_end(*year)])
                    .flatten(),
            )
            .collect();
        let (first, last) = match (dates.iter().min(), dates.iter().max()) {
            (Some(first), Some(last)) if first < last => (*first, *last),
            (Some(only), _) => (
                only.checked_sub_days(chrono::Days::new(183))
                    .unwrap_or(*only),
                only.checked_add_days(chrono::Days::new(183))
                    .unwrap_or(*only),
            ),
            // The baseline alone: no dates, so no time axis.
            (None, _) => (NaiveDate::MIN, NaiveDate::MIN),
        };
        Some(Plot {
            low,
            high,
            step,
            first,
            last,
            top,
        })
    }

    fn ticks(&self) -> impl Iterator<Item = f64> + '_ {
        let steps = ((self.high - self.low) / self.step).round() as usize;
        (0..=steps.min(10)).map(move |i| self.low + self.step * i as f64)
    }

    /// Each year the time axis covers, with the part of it in range (at most twelve,
    /// evenly spread, so long spans stay legible).
    fn years(&self) -> Vec<(i32, NaiveDate, NaiveDate)> {
        if self.first >= self.last {
            return Vec::new();
        }
        let (first, last) = (self.first.year(), self.last.year());
        let count = (last - first + 1) as usize;
        let stride = count.div_ceil(12);
        (first..=last)
            .step_by(stride.max(1))
            .filter_map(|year| {
                let from = year_start(year)?.max(self.first);
                let to = year_end(year)?.min(self.last);
                Some((year, from, to))
            })
            .collect()
    }

    fn y(&self, value: f64) -> f32 {
        let fraction = if value.is_finite() {
            ((value - self.low) / (self.high - self.low)).clamp(0.0, 1.0)
        } else {
            0.0
        };
        self.top + PLOT_HEIGHT - (fraction as f32) * PLOT_HEIGHT
    }

    /// The plot keeps 3% of its width free on each side, so end points are not on the edge.
    fn x(&self, date: NaiveDate) -> f32 {
        let span = (self.last - self.first).num_days().max(1) as f32;
        let fraction = ((date - self.first).num_days() as f32 / span).clamp(0.0, 1.0);
        let left = MARGIN + AXIS;
        let width = CONTENT - AXIS;
        left + width * (0.03 + 0.94 * fraction)
    }
}

fn polyline(points: &[(f32, f32)], stroke: &str, width: f32, dashes: Option<&str>) -> Markup {
    let mut coordinates = String::with_capacity(points.len() * 12);
    for (x, y) in points {
        coordinates.push_str(&format!("{},{} ", P(*x), P(*y)));
    }
    html! {
        polyline points=(coordinates.trim_end()) fill="none" stroke=(stroke) stroke-width=(P(width))
            stroke-linejoin="round" stroke-dasharray=[dashes] {}
    }
}

/// A measurement: a white dot ringed in the line's colour.
pub(super) fn dot(x: f32, y: f32, stroke: &str) -> Markup {
    html! {
        circle cx=(P(x)) cy=(P(y)) r="3.5" fill="#ffffff" stroke=(stroke) stroke-width="2" {}
    }
}

/// A yearly target.
pub(super) fn diamond(x: f32, y: f32, fill: &str) -> Markup {
    let points = format!(
        "{},{} {},{} {},{} {},{}",
        P(x),
        P(y - 6.0),
        P(x + 6.0),
        P(y),
        P(x),
        P(y + 6.0),
        P(x - 6.0),
        P(y)
    );
    html! { polygon points=(points) fill=(fill) {} }
}
