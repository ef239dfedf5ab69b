//! The progress chart: the overall percentage, actions per status (which is also the legend),
//! then a bar per section, objective or action, each with its full title, its percentage and
//! its status written out beside the bar's colour.

use super::{Draw, Frame, LegendMark, Style, CONTENT, MARGIN};
use crate::render::fonts::Weight;
use crate::render::numbers::{clamp_percent, percent_text};
use crate::render::palette::{status_colour, INK, PRIMARY, TRACK};
use crate::render::{Chart, ProgressChart, ProgressRow};

/// Rows drawn in a chat image; the rest is counted ("… +N").
const CHAT_ROWS: usize = 80;
/// How far a nested row (an objective under its section) is indented.
const NESTED: f32 = 24.0;

pub(super) fn draw(draw: &mut Draw, chart: &Chart, progress: &ProgressChart, frame: Frame) {
    headline(draw, chart, progress);
    draw.rule();
    // The right-hand column fits the widest "100% · status".
    let status_width = chart
        .status_names
        .iter()
        .map(|(_, name)| right_text_width("100%", name))
        .fold(right_text_width("100%", ""), f32::max);
    let mut budget = frame.cap(CHAT_ROWS);
    for part in &progress.parts {
        draw.heading(&part.heading);
        if part.rows.is_empty() {
            draw.note(&chart.empty_text);
            continue;
        }
        let shown = part.rows.len().min(budget);
        for row in &part.rows[..shown] {
            bar_row(draw, chart, row, status_width);
        }
        budget -= shown;
        if shown < part.rows.len() {
            draw.note(&format!(
                "… +{}",
                draw.numbers.count(part.rows.len() as u64 - shown as u64)
            ));
        }
        draw.y += 4.0;
    }
}

/// "42%" large, what it is, then the count of actions per status with their colours.
fn headline(draw: &mut Draw, chart: &Chart, progress: &ProgressChart) {
    let big = Style::new(44.0, Weight::Bold, PRIMARY);
    let percent = percent_text(progress.overall);
    draw.text(MARGIN, draw.y + 40.0, &big, false, &percent);
    let label = Style::new(17.0, Weight::Regular, INK);
    let x = MARGIN + big.width(&percent) + 12.0;
    if x + label.width(&progress.overall_label) <= MARGIN + CONTENT {
        draw.text(x, draw.y + 38.0, &label, false, &progress.overall_label);
        draw.y += 56.0;
    } else {
        draw.y += 52.0;
        draw.wrapped(MARGIN, CONTENT, &label, &progress.overall_label);
        draw.y += 6.0;
    }
    let entries: Vec<(LegendMark, String)> = progress
        .counts
        .iter()
        .map(|(status, count)| {
            (
                LegendMark::Swatch(status_colour(*status)),
                format!(
                    "{} {}",
                    chart.status_name(*status),
                    draw.numbers.count(*count as u64)
                ),
            )
        })
        .collect();
    if !entries.is_empty() {
        draw.legend(&entries);
    }
}

fn right_text_width(percent: &str, status: &str) -> f32 {
    let bold = Style::new(15.0, Weight::Bold, INK);
    let regular = Style::new(15.0, Weight::Regular, INK);
    bold.width(percent) + regular.width(&format!(" · {status}"))
}

/// The gap a space makes (SVG drops a text's leading spaces, so gaps are placed, not typed).
fn space(style: &Style) -> f32 {
    style.width(" ")
}

/// Title lines (code in bold), percentage and status at the right of the first line, then
/// the bar across the whole width.
fn bar_row(draw: &mut Draw, chart: &Chart, row: &ProgressRow, status_width: f32) {
    let indent = if row.nested { NESTED } else { 0.0 };
    let size = if row.nested { 15.0 } else { 16.0 };
    let x = MARGIN + indent;
    let label_width = CONTENT - indent - status_width - 16.0;
    let colour = status_colour(row.status);
    let baseline = draw.code_and_title(x, label_width, size, INK, &row.code, &row.title);
    let percent = percent_text(row.percent);
    let status = format!("· {}", chart.status_name(row.status));
    let regular = Style::new(15.0, Weight::Regular, colour);
    let bold = Style::new(15.0, Weight::Bold, INK);
    let right = MARGIN + CONTENT;
    draw.text(right, baseline, &regular, true, &status);
    let before_status = right - regular.width(&status) - space(&regular);
    draw.text(before_status, baseline, &bold, true, &percent);

    let bar_height = if row.nested { 8.0 } else { 12.0 };
    let top = draw.y + 4.0;
    let width = CONTENT - indent;
    draw.rect(x, top, width, bar_height, bar_height / 2.0, TRACK);
    let filled = width * (clamp_percent(row.percent) / 100.0) as f32;
    // A sliver even at 0%, so a not-started or late row still shows its colour on the bar.
    draw.rect(
        x,
        top,
        filled.max(bar_height),
        bar_height,
        bar_height / 2.0,
        colour,
    );
    draw.y = top + bar_height + if row.nested { 12.0 } else { 16.0 };
}
