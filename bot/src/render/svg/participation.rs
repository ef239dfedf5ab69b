//! The participation chart: a row per organisation (and, for the plan, per section) with
//! four columns — proposals, voters, votes (supports and oppositions stacked) and comments —
//! each a figure and a bar scaled to the largest of its column in the part.

use super::{Draw, Frame, LegendMark, Style, CONTENT, MARGIN};
use crate::render::fonts::Weight;
use crate::render::palette::{INK, MUTED, OPPOSITION, PRIMARY, SUPPORT, TRACK};
use crate::render::{Chart, ParticipationChart, ParticipationPart, TurnoutRow};

/// Rows drawn per part in a chat image; the rest is counted ("… +N").
const CHAT_ROWS: usize = 40;
const NAME_COLUMN: f32 = 232.0;
const COLUMN: f32 = (CONTENT - NAME_COLUMN) / 4.0;

pub(super) fn draw(
    draw: &mut Draw,
    chart: &Chart,
    participation: &ParticipationChart,
    frame: Frame,
) {
    draw.legend(&[
        (
            LegendMark::Swatch(SUPPORT),
            participation.supports_label.clone(),
        ),
        (
            LegendMark::Swatch(OPPOSITION),
            participation.oppositions_label.clone(),
        ),
    ]);
    draw.rule();
    let header = Style::new(14.0, Weight::Bold, MUTED);
    let top = draw.y;
    let mut bottom = top;
    for (index, column) in participation.columns.iter().enumerate() {
        draw.y = top;
        draw.wrapped(column_x(index), COLUMN - 10.0, &header, column);
        bottom = bottom.max(draw.y);
    }
    draw.y = bottom + 4.0;
    for part in &participation.parts {
        draw.heading(&part.heading);
        if part.rows.is_empty() {
            draw.note(&chart.empty_text);
            continue;
        }
        let shown = part.rows.len().min(frame.cap(CHAT_ROWS));
        let maxima = Maxima::of(part);
        for row in &part.rows[..shown] {
            turnout_row(draw, row, &maxima);
        }
        if shown < part.rows.len() {
            let more = (part.rows.len() - shown) as u64;
            draw.note(&format!("… +{}", draw.numbers.count(more)));
        }
        draw.y += 4.0;
    }
}

fn column_x(index: usize) -> f32 {
    MARGIN + NAME_COLUMN + COLUMN * index as f32
}

/// The largest figure of each column in a part: its bars are scaled to it.
struct Maxima {
    proposals: u32,
    voters: u32,
    votes: u32,
    comments: u32,
}

impl Maxima {
    fn of(part: &ParticipationPart) -> Maxima {
        let max = |figure: fn(&TurnoutRow) -> u32| part.rows.iter().map(figure).max().unwrap_or(0);
        Maxima {
            proposals: max(|r| r.proposals),
            voters: max(|r| r.voters),
            votes: max(|r| r.supports.saturating_add(r.oppositions)),
            comments: max(|r| r.comments),
        }
    }
}

fn turnout_row(draw: &mut Draw, row: &TurnoutRow, maxima: &Maxima) {
    let top = draw.y;
    draw.wrapped(
        MARGIN,
        NAME_COLUMN - 12.0,
        &Style::new(15.0, Weight::Regular, INK),
        &row.name,
    );
    let name_bottom = draw.y;
    let figure = Style::new(15.0, Weight::Bold, INK);
    let detail = Style::new(13.0, Weight::Regular, MUTED);
    let baseline = top + 15.0;
    let bar_top = top + 24.0;
    let bar_width = COLUMN - 16.0;
    let votes = row.supports.saturating_add(row.oppositions);
    for (index, (value, max)) in [
        (row.proposals, maxima.proposals),
        (row.voters, maxima.voters),
        (votes, maxima.votes),
        (row.comments, maxima.comments),
    ]
    .into_iter()
    .enumerate()
    {
        let x = column_x(index);
        let text = draw.numbers.count(value);
        draw.text(x, baseline, &figure, false, &text);
        draw.rect(x, bar_top, bar_width, 8.0, 4.0, TRACK);
        let scale = |part: u32| {
            if max == 0 {
                0.0
            } else {
                bar_width * part as f32 / max as f32
            }
        };
        if index == 2 {
            // Supports then oppositions, and both figures in words beside the total.
            let split = format!(
                "({} / {})",
                draw.numbers.count(row.supports),
                draw.numbers.count(row.oppositions)
            );
            let after = x + figure.width(&text) + figure.width(" ");
            draw.text(after, baseline, &detail, false, &split);
            draw.rect(x, bar_top, scale(row.supports), 8.0, 0.0, SUPPORT);
            draw.rect(
                x + scale(row.supports),
                bar_top,
                scale(row.oppositions),
                8.0,
                0.0,
                OPPOSITION,
            );
        } else {
            draw.rect(x, bar_top, scale(value), 8.0, 4.0, PRIMARY);
        }
    }
    draw.y = name_bottom.max(bar_top + 8.0) + 12.0;
}
