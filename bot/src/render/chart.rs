//! The monitoring chart as a PNG: title, legend, one bar per progress row, then results
//! against targets. Drawn straight into an RGB buffer with the embedded bitmap font, so the
//! output is the same bytes on every machine for the same input.

use super::font;

use std::borrow::Cow;

use super::{ActionStatus, Chart, Png, ProgressBar, TargetBar};

/// Image width in pixels; the height grows with the rows.
pub const WIDTH: u32 = 960;
/// Progress rows drawn before the rest is summarised as "… +N".
pub const MAX_PROGRESS_ROWS: usize = 60;
/// Result rows drawn before the rest is summarised as "… +N".
pub const MAX_RESULT_ROWS: usize = 40;

type Rgb = [u8; 3];

const BACKGROUND: Rgb = [0xff, 0xff, 0xff];
const INK: Rgb = [0x1a, 0x1a, 0x1a];
const MUTED: Rgb = [0x5c, 0x5c, 0x5c];
const TRACK: Rgb = [0xe4, 0xe4, 0xe4];
const RULE: Rgb = [0xcc, 0xcc, 0xcc];

/// The colour of a status, from the Okabe–Ito palette so the five stay distinguishable
/// with the common colour-vision deficiencies. Shared with the HTML report.
pub fn status_colour(status: ActionStatus) -> Rgb {
    match status {
        ActionStatus::Done => [0x00, 0x9e, 0x73],
        ActionStatus::InProgress => [0x00, 0x72, 0xb2],
        ActionStatus::DueSoon => [0xe6, 0x9f, 0x00],
        ActionStatus::Late => [0xd5, 0x5e, 0x00],
        ActionStatus::NotStarted => [0x8c, 0x8c, 0x8c],
    }
}

const MARGIN: u32 = 24;
const TITLE_SCALE: u32 = 3;
const TEXT_SCALE: u32 = 2;
const CHAR_WIDTH: u32 = font::ADVANCE * TEXT_SCALE;
const TEXT_HEIGHT: u32 = font::LINE * TEXT_SCALE;
const CONTENT_WIDTH: u32 = WIDTH - 2 * MARGIN;

const ROW_HEIGHT: u32 = 32;
/// Offset of the text in a row, so that capitals are centred on the bar.
const ROW_TEXT_DY: u32 = 2;
const LABEL_WIDTH: u32 = 360;
const TRACK_X: u32 = MARGIN + LABEL_WIDTH + 12;
const TRACK_WIDTH: u32 = 460;
const BAR_DY: u32 = 8;
const BAR_HEIGHT: u32 = 16;
const PERCENT_X: u32 = TRACK_X + TRACK_WIDTH + 12;

const RESULT_ROW_HEIGHT: u32 = 64;
const RESULT_BAR_DY: u32 = 32;
const RESULT_BAR_HEIGHT: u32 = 14;
/// Room kept for "latest / target unit" at the right of a result's label.
const MAX_VALUE_CHARS: usize = 34;

const SWATCH: u32 = 16;

/// Draws `chart` as an 8-bit RGB PNG, [`WIDTH`] pixels wide.
pub fn render_png(chart: &Chart) -> Png {
    let mut canvas = Canvas::new(WIDTH);
    let mut y = 16;

    let title_chars = (CONTENT_WIDTH / (font::ADVANCE * TITLE_SCALE)) as usize;
    let title = fit(&chart.title, title_chars);
    canvas.text(MARGIN, y, &title, TITLE_SCALE, INK);
    canvas.text(MARGIN + 1, y, &title, TITLE_SCALE, INK);
    y += font::LINE * TITLE_SCALE;
    if !chart.subtitle.is_empty() {
        canvas.text(
            MARGIN,
            y,
            &fit(&chart.subtitle, chars_in(CONTENT_WIDTH)),
            TEXT_SCALE,
            MUTED,
        );
        y += TEXT_HEIGHT;
    }
    y += 8;
    y = draw_legend(&mut canvas, y, &chart.status_names);
    canvas.fill(MARGIN, y, CONTENT_WIDTH, 1, RULE);
    y += 12;

    y = draw_heading(&mut canvas, y, &chart.progress_heading);
    if chart.progress.is_empty() {
        y = draw_note(&mut canvas, y, &chart.empty_text);
    }
    for bar in chart.progress.iter().take(MAX_PROGRESS_ROWS) {
        draw_progress_row(&mut canvas, y, bar);
        y += ROW_HEIGHT;
    }
    y = draw_overflow(&mut canvas, y, chart.progress.len(), MAX_PROGRESS_ROWS);
    y += 16;

    y = draw_heading(&mut canvas, y, &chart.results_heading);
    if chart.results.is_empty() {
        y = draw_note(&mut canvas, y, &chart.empty_text);
    }
    for result in chart.results.iter().take(MAX_RESULT_ROWS) {
        draw_result_row(&mut canvas, y, result);
        y += RESULT_ROW_HEIGHT;
    }
    y = draw_overflow(&mut canvas, y, chart.results.len(), MAX_RESULT_ROWS);

    canvas.grow_to(y + MARGIN);
    canvas.into_png()
}

/// Swatch and name per status, wrapping onto further lines when they don't fit.
fn draw_legend(canvas: &mut Canvas, top: u32, names: &[(ActionStatus, String)]) -> u32 {
    if names.is_empty() {
        return top;
    }
    let mut x = MARGIN;
    let mut y = top;
    for (status, name) in names {
        let name = fit(name, chars_in(CONTENT_WIDTH - SWATCH - 8));
        let item_width = SWATCH + 8 + text_width(&name, TEXT_SCALE);
        if x > MARGIN && x + item_width > WIDTH - MARGIN {
            x = MARGIN;
            y += ROW_HEIGHT;
        }
        canvas.fill(x, y + BAR_DY, SWATCH, SWATCH, status_colour(*status));
        canvas.text(x + SWATCH + 8, y + ROW_TEXT_DY, &name, TEXT_SCALE, INK);
        x += item_width + 24;
    }
    y + ROW_HEIGHT + 8
}

fn draw_heading(canvas: &mut Canvas, y: u32, heading: &str) -> u32 {
    let heading = fit(heading, chars_in(CONTENT_WIDTH));
    // Drawn twice, one pixel apart, for a bold face without a second font.
    canvas.text(MARGIN, y, &heading, TEXT_SCALE, INK);
    canvas.text(MARGIN + 1, y, &heading, TEXT_SCALE, INK);
    y + TEXT_HEIGHT + 8
}

fn draw_note(canvas: &mut Canvas, y: u32, note: &str) -> u32 {
    canvas.text(
        MARGIN,
        y + ROW_TEXT_DY,
        &fit(note, chars_in(CONTENT_WIDTH)),
        TEXT_SCALE,
        MUTED,
    );
    y + ROW_HEIGHT
}

fn draw_overflow(canvas: &mut Canvas, y: u32, rows: usize, cap: usize) -> u32 {
    if rows <= cap {
        return y;
    }
    canvas.text(
        MARGIN,
        y + ROW_TEXT_DY,
        &format!("… +{}", rows - cap),
        TEXT_SCALE,
        MUTED,
    );
    y + ROW_HEIGHT
}

fn draw_progress_row(canvas: &mut Canvas, y: u32, bar: &ProgressBar) {
    canvas.text(
        MARGIN,
        y + ROW_TEXT_DY,
        &fit(&bar.label, chars_in(LABEL_WIDTH)),
        TEXT_SCALE,
        INK,
    );
    let percent = clamp_percent(bar.percent);
    let filled = (f64::from(TRACK_WIDTH) * percent / 100.0).round() as u32;
    // A swatch of the status before the track: a late action at 0% has no bar to colour.
    canvas.fill(
        TRACK_X - 10,
        y + BAR_DY + BAR_HEIGHT.saturating_sub(8) / 2,
        8,
        8.min(BAR_HEIGHT),
        status_colour(bar.status),
    );
    canvas.fill(TRACK_X, y + BAR_DY, TRACK_WIDTH, BAR_HEIGHT, TRACK);
    canvas.fill(
        TRACK_X,
        y + BAR_DY,
        filled,
        BAR_HEIGHT,
        status_colour(bar.status),
    );
    canvas.text(
        PERCENT_X,
        y + ROW_TEXT_DY,
        &percent_text(bar.percent),
        TEXT_SCALE,
        INK,
    );
}

/// Label and "latest / target unit" on one line; below, a track up to the largest of the
/// three values, the latest as a filled bar, the target as a tall tick and the baseline as a
/// small triangle under the track.
fn draw_result_row(canvas: &mut Canvas, y: u32, result: &TargetBar) {
    let values = result_values(result);
    let values = fit(&values, MAX_VALUE_CHARS);
    let values_width = text_width(&values, TEXT_SCALE);
    canvas.text(
        WIDTH - MARGIN - values_width,
        y + ROW_TEXT_DY,
        &values,
        TEXT_SCALE,
        INK,
    );
    let label_room = CONTENT_WIDTH.saturating_sub(values_width + CHAR_WIDTH);
    canvas.text(
        MARGIN,
        y + ROW_TEXT_DY,
        &fit(&result.label, chars_in(label_room)),
        TEXT_SCALE,
        INK,
    );

    let bar_y = y + RESULT_BAR_DY;
    canvas.fill(MARGIN, bar_y, CONTENT_WIDTH, RESULT_BAR_HEIGHT, TRACK);
    let finite = |value: Option<f64>| value.filter(|v| v.is_finite());
    let (baseline, latest, target) = (
        finite(result.baseline),
        finite(result.latest),
        finite(result.target),
    );
    let scale_max = [baseline, latest, target]
        .into_iter()
        .flatten()
        .fold(0.0_f64, f64::max);
    if scale_max <= 0.0 {
        return;
    }
    let x_of = |value: f64| {
        MARGIN + (f64::from(CONTENT_WIDTH) * value.clamp(0.0, scale_max) / scale_max).round() as u32
    };
    if let Some(latest) = latest {
        let colour = if target_met(baseline, latest, target) {
            status_colour(ActionStatus::Done)
        } else {
            status_colour(ActionStatus::InProgress)
        };
        canvas.fill(
            MARGIN,
            bar_y,
            x_of(latest) - MARGIN,
            RESULT_BAR_HEIGHT,
            colour,
        );
    }
    if let Some(baseline) = baseline {
        let x = x_of(baseline).min(WIDTH - MARGIN - 1);
        for step in 0..6 {
            canvas.fill(
                x.saturating_sub(step),
                bar_y + RESULT_BAR_HEIGHT + 2 + step,
                2 * step + 1,
                1,
                MUTED,
            );
        }
    }
    if let Some(target) = target {
        let x = x_of(target).clamp(MARGIN + 1, WIDTH - MARGIN - 2);
        canvas.fill(x - 1, bar_y - 5, 3, RESULT_BAR_HEIGHT + 10, INK);
    }
}

/// Whether the latest value reached the target; a target below the baseline means lower is
/// better (e.g. emissions), so it is reached from above.
pub(super) fn target_met(baseline: Option<f64>, latest: f64, target: Option<f64>) -> bool {
    match (baseline, target) {
        (Some(baseline), Some(target)) if target < baseline => latest <= target,
        (_, Some(target)) => latest >= target,
        (_, None) => false,
    }
}

fn result_values(result: &TargetBar) -> String {
    let values = format!("{} / {}", number(result.latest), number(result.target));
    let unit = result.unit.trim();
    if unit.is_empty() {
        values
    } else {
        format!("{values} {unit}")
    }
}

/// A value as plain digits: whole numbers without decimals, others with at most two; "–"
/// when missing or not a number.
pub(super) fn number(value: Option<f64>) -> String {
    let Some(value) = value.filter(|v| v.is_finite()) else {
        return "–".to_owned();
    };
    // Adding zero turns -0 into 0.
    let value = value + 0.0;
    if value.fract() == 0.0 && value.abs() < 1e15 {
        return format!("{value:.0}");
    }
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// 0–100; NaN counts as 0.
pub(super) fn clamp_percent(percent: f64) -> f64 {
    if percent.is_nan() {
        0.0
    } else {
        percent.clamp(0.0, 100.0)
    }
}

/// Whole percent, rounded half up, e.g. `73%`.
pub(super) fn percent_text(percent: f64) -> String {
    format!("{}%", (clamp_percent(percent) + 0.5).floor() as u32)
}

fn chars_in(width: u32) -> usize {
    (width / CHAR_WIDTH) as usize
}

fn text_width(text: &str, scale: u32) -> u32 {
    let chars = u32::try_from(text.chars().count()).unwrap_or(u32::MAX);
    chars.saturating_mul(font::ADVANCE * scale)
}

/// `text` cut to `max_chars`, ending in "…" when cut.
fn fit(text: &str, max_chars: usize) -> Cow<'_, str> {
    if text.chars().count() <= max_chars {
        return Cow::Borrowed(text);
    }
    if max_chars == 0 {
        return Cow::Borrowed("");
    }
    let mut cut: String = text.chars().take(max_chars - 1).collect();
    cut.push('…');
    Cow::Owned(cut)
}

/// An RGB pixel buffer of fixed width whose height grows as things are drawn lower down.
struct Canvas {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

impl Canvas {
    fn new(width: u32) -> Self {
        Canvas {
            width,
            height: 0,
            pixels: Vec::new(),
        }
    }

    fn grow_to(&mut self, height: u32) {
        if height > self.height {
            self.height = height;
            self.pixels
                .resize(self.width as usize * height as usize * 3, BACKGROUND[0]);
        }
    }

    /// Fills a rectangle, clipped at the right edge.
    fn fill(&mut self, x: u32, y: u32, width: u32, height: u32, colour: Rgb) {
        let x_end = x.saturating_add(width).min(self.width);
        if x >= x_end || height == 0 {
            return;
        }
        self.grow_to(y + height);
        let stride = self.width as usize * 3;
        for row in y..y + height {
            let start = row as usize * stride + x as usize * 3;
            let end = row as usize * stride + x_end as usize * 3;
            for pixel in self.pixels[start..end].chunks_exact_mut(3) {
                pixel.copy_from_slice(&colour);
            }
        }
    }

    /// Draws one line of text with its cell's top-left corner at (x, y); characters past the
    /// right edge are clipped, those without a glyph are drawn as a box.
    fn text(&mut self, x: u32, y: u32, text: &str, scale: u32, colour: Rgb) {
        let advance = font::ADVANCE * scale;
        let mut left = x;
        for c in text.chars() {
            if left >= self.width {
                break;
            }
            let cell = font::cell(c).unwrap_or(font::REPLACEMENT);
            for (row, bits) in (0u32..).zip(cell) {
                for column in 0..font::ADVANCE {
                    if bits & (0b10_0000 >> column) != 0 {
                        self.fill(left + column * scale, y + row * scale, scale, scale, colour);
                    }
                }
            }
            left += advance;
        }
    }

    fn into_png(self) -> Png {
        let mut bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut bytes, self.width, self.height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        // Flat colours compress well even at the fast level, which keeps large charts quick.
        encoder.set_compression(png::Compression::Fast);
        let written = encoder.write_header().and_then(|mut writer| {
            writer.write_image_data(&self.pixels)?;
            writer.finish()
        });
        // Writing to memory only fails on a header/data mismatch, which the canvas rules out.
        written.expect("an RGB buffer of width × height × 3 encodes");
        Png {
            bytes,
            width: self.width,
            height: self.height,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, percent: f64, status: ActionStatus) -> ProgressBar {
        ProgressBar {
            label: label.to_owned(),
            percent,
            status,
        }
    }

    fn result(
        label: &str,
        baseline: Option<f64>,
        latest: Option<f64>,
        target: Option<f64>,
    ) -> TargetBar {
        TargetBar {
            label: label.to_owned(),
            unit: "km".to_owned(),
            baseline,
            latest,
            target,
        }
    }

    fn chart(progress: Vec<ProgressBar>, results: Vec<TargetBar>) -> Chart {
        Chart {
            title: "Piano strategico — avanzamento".to_owned(),
            subtitle: "31/03/2026".to_owned(),
            progress_heading: "Avanzamento".to_owned(),
            progress,
            results_heading: "Risultati attesi".to_owned(),
            results,
            status_names: Vec::new(),
            empty_text: "nessun dato".to_owned(),
        }
    }

    struct Image {
        width: u32,
        height: u32,
        pixels: Vec<u8>,
    }

    impl Image {
        fn pixel(&self, x: u32, y: u32) -> Rgb {
            let at = (y as usize * self.width as usize + x as usize) * 3;
            [self.pixels[at], self.pixels[at + 1], self.pixels[at + 2]]
        }

        /// The first row whose pixel at `x` has `colour`.
        fn first_row_with(&self, x: u32, colour: Rgb) -> Option<u32> {
            (0..self.height).find(|&y| self.pixel(x, y) == colour)
        }
    }

    fn decode(png: &Png) -> Image {
        let decoder = png::Decoder::new(std::io::Cursor::new(png.bytes.as_slice()));
        let mut reader = decoder.read_info().expect("a valid PNG header");
        let mut pixels = vec![0; reader.output_buffer_size().expect("a sane size")];
        let info = reader.next_frame(&mut pixels).expect("a valid PNG frame");
        assert_eq!(info.color_type, png::ColorType::Rgb);
        assert_eq!(info.bit_depth, png::BitDepth::Eight);
        pixels.truncate(info.buffer_size());
        Image {
            width: info.width,
            height: info.height,
            pixels,
        }
    }

    #[test]
    fn the_png_decodes_with_the_reported_size() {
        let mut full = chart(
            vec![
                bar("Sezione 1", 73.0, ActionStatus::InProgress),
                bar("Sezione 2", 100.0, ActionStatus::Done),
            ],
            vec![result(
                "Piste ciclabili",
                Some(10.0),
                Some(14.5),
                Some(20.0),
            )],
        );
        full.status_names = ActionStatus::ALL
            .iter()
            .map(|s| (*s, format!("{s:?}")))
            .collect();
        let png = render_png(&full);
        let image = decode(&png);
        assert_eq!((image.width, image.height), (png.width, png.height));
        assert_eq!(png.width, WIDTH);
        assert_eq!(image.pixel(0, 0), BACKGROUND);
    }

    #[test]
    fn rendering_is_deterministic() {
        let input = chart(
            vec![bar("Azione 1.1", 40.0, ActionStatus::Late)],
            vec![result("Indicatore", None, Some(3.0), None)],
        );
        assert_eq!(render_png(&input), render_png(&input));
    }

    #[test]
    fn height_grows_with_rows() {
        let one = render_png(&chart(
            vec![bar("a", 10.0, ActionStatus::InProgress)],
            Vec::new(),
        ));
        let three = render_png(&chart(
            vec![bar("a", 10.0, ActionStatus::InProgress); 3],
            Vec::new(),
        ));
        assert_eq!(three.height, one.height + 2 * ROW_HEIGHT);
        let with_result = render_png(&chart(
            vec![bar("a", 10.0, ActionStatus::InProgress); 3],
            vec![result("r", None, Some(1.0), Some(2.0)); 2],
        ));
        // Two result rows replace the single "empty" line.
        assert_eq!(
            with_result.height,
            three.height + 2 * RESULT_ROW_HEIGHT - ROW_HEIGHT
        );
        assert_eq!(decode(&with_result).height, with_result.height);
    }

    #[test]
    fn rows_beyond_the_caps_are_summarised() {
        let many = chart(
            vec![bar("azione", 50.0, ActionStatus::InProgress); 500],
            vec![result("r", Some(1.0), Some(2.0), Some(3.0)); 100],
        );
        let capped = chart(
            vec![bar("azione", 50.0, ActionStatus::InProgress); MAX_PROGRESS_ROWS + 1],
            vec![result("r", Some(1.0), Some(2.0), Some(3.0)); MAX_RESULT_ROWS + 1],
        );
        let at_cap = chart(
            vec![bar("azione", 50.0, ActionStatus::InProgress); MAX_PROGRESS_ROWS],
            vec![result("r", Some(1.0), Some(2.0), Some(3.0)); MAX_RESULT_ROWS],
        );
        let (many, capped) = (render_png(&many), render_png(&capped));
        // Same rows drawn, only the "… +N" text differs.
        assert_eq!(many.height, capped.height);
        assert_ne!(many.bytes, capped.bytes);
        assert_eq!(many.height, render_png(&at_cap).height + 2 * ROW_HEIGHT);
    }

    #[test]
    fn accented_letters_have_glyphs_of_their_own() {
        for c in "àáèéìíòóùúÀÈÉÌÒÙçÇñüöä’“”«»–—…·°€".chars()
        {
            let cell = font::cell(c).unwrap_or_else(|| panic!("no glyph for {c:?}"));
            assert_ne!(cell, font::REPLACEMENT, "{c:?}");
            assert!(cell.iter().any(|row| *row != 0), "{c:?} is blank");
        }
        for (accented, base) in [
            ('à', 'a'),
            ('è', 'e'),
            ('é', 'e'),
            ('ò', 'o'),
            ('ù', 'u'),
            ('È', 'E'),
        ] {
            assert_ne!(
                font::cell(accented),
                font::cell(base),
                "{accented:?} lost its accent"
            );
        }
        assert_ne!(font::cell('è'), font::cell('é'));
        assert_eq!(font::cell('\u{4e00}'), None);
    }

    #[test]
    fn an_accented_label_draws_glyphs_not_replacement_boxes() {
        let accented = decode(&render_png(&chart(
            vec![bar("àèéìòù", 50.0, ActionStatus::Done)],
            Vec::new(),
        )));
        let boxes = decode(&render_png(&chart(
            vec![bar("一二三四五六", 50.0, ActionStatus::Done)],
            Vec::new(),
        )));
        assert_eq!(accented.height, boxes.height);
        // The label's line: the bar's row, back to the top of the text cell.
        let filled = status_colour(ActionStatus::Done);
        let bar_row = accented
            .first_row_with(TRACK_X + 1, filled)
            .expect("the bar");
        assert_eq!(boxes.first_row_with(TRACK_X + 1, filled), Some(bar_row));
        let text_rows =
            bar_row - BAR_DY + ROW_TEXT_DY..bar_row - BAR_DY + ROW_TEXT_DY + TEXT_HEIGHT;
        let label_columns = |image: &Image| -> Vec<Vec<bool>> {
            (MARGIN..MARGIN + 6 * CHAR_WIDTH)
                .map(|x| {
                    text_rows
                        .clone()
                        .map(|y| image.pixel(x, y) == INK)
                        .collect()
                })
                .collect()
        };
        let (accented_columns, box_columns) = (label_columns(&accented), label_columns(&boxes));
        assert_ne!(accented_columns, box_columns);
        // A box's left side is a solid vertical run of LINE - 3 cells; no accented glyph has one.
        let longest_run = |column: &Vec<bool>| {
            column
                .split(|ink| !ink)
                .map(<[bool]>::len)
                .max()
                .unwrap_or(0) as u32
        };
        let tallest = |columns: &[Vec<bool>]| columns.iter().map(longest_run).max().unwrap_or(0);
        assert!(tallest(&box_columns) >= (font::LINE - 3) * TEXT_SCALE);
        assert!(tallest(&accented_columns) < (font::LINE - 3) * TEXT_SCALE);
    }

    #[test]
    fn bar_length_is_proportional_to_the_percent() {
        let colour = status_colour(ActionStatus::InProgress);
        let image = decode(&render_png(&chart(
            vec![bar("metà", 50.0, ActionStatus::InProgress)],
            Vec::new(),
        )));
        let quarter = TRACK_X + TRACK_WIDTH / 4;
        let three_quarters = TRACK_X + TRACK_WIDTH * 3 / 4;
        let row = image
            .first_row_with(quarter, colour)
            .expect("the filled part of the bar");
        assert_eq!(image.pixel(three_quarters, row), TRACK);
        assert_eq!(image.pixel(TRACK_X + TRACK_WIDTH / 2 - 1, row), colour);
        assert_eq!(image.pixel(TRACK_X + TRACK_WIDTH / 2 + 1, row), TRACK);
    }

    #[test]
    fn out_of_range_percents_clamp() {
        let colour = status_colour(ActionStatus::Late);
        let first = TRACK_X + 1;
        let last = TRACK_X + TRACK_WIDTH - 2;
        for (percent, full) in [
            (0.0, false),
            (-5.0, false),
            (f64::NAN, false),
            (f64::NEG_INFINITY, false),
            (100.0, true),
            (250.0, true),
            (f64::INFINITY, true),
        ] {
            let image = decode(&render_png(&chart(
                vec![bar("x", percent, ActionStatus::Late)],
                Vec::new(),
            )));
            let row = image
                .first_row_with(first, TRACK)
                .or_else(|| image.first_row_with(first, colour));
            let row = row.expect("a bar");
            let expected = if full { colour } else { TRACK };
            assert_eq!(image.pixel(first, row), expected, "{percent}");
            assert_eq!(image.pixel(last, row), expected, "{percent}");
        }
        assert_eq!(percent_text(-5.0), "0%");
        assert_eq!(percent_text(250.0), "100%");
        assert_eq!(percent_text(f64::NAN), "0%");
        assert_eq!(percent_text(72.5), "73%");
        assert_eq!(percent_text(72.49), "72%");
    }

    #[test]
    fn an_empty_part_shows_the_empty_text() {
        let with_text = chart(Vec::new(), Vec::new());
        let mut without_text = with_text.clone();
        without_text.empty_text = String::new();
        let (with_text, without_text) = (
            decode(&render_png(&with_text)),
            decode(&render_png(&without_text)),
        );
        assert_eq!(with_text.height, without_text.height);
        let muted = |image: &Image| image.pixels.chunks_exact(3).filter(|p| *p == MUTED).count();
        assert!(muted(&with_text) > muted(&without_text));
        let differing: Vec<Rgb> = (0..with_text.height)
            .flat_map(|y| (0..WIDTH).map(move |x| (x, y)))
            .filter(|&(x, y)| with_text.pixel(x, y) != without_text.pixel(x, y))
            .map(|(x, y)| with_text.pixel(x, y))
            .collect();
        assert!(!differing.is_empty());
        assert!(differing.iter().all(|p| *p == MUTED));
    }

    #[test]
    fn results_show_latest_against_target() {
        let ink_columns = |image: &Image, y: u32| {
            (MARGIN..WIDTH - MARGIN)
                .filter(|&x| image.pixel(x, y) == INK)
                .count()
        };
        let done = status_colour(ActionStatus::Done);
        let behind = status_colour(ActionStatus::InProgress);

        let image = decode(&render_png(&chart(
            Vec::new(),
            vec![result("km", Some(0.0), Some(50.0), Some(100.0))],
        )));
        let row = image
            .first_row_with(MARGIN + 1, behind)
            .expect("the latest bar");
        // Latest 50 of a 100 scale: half the track is filled.
        assert_eq!(image.pixel(MARGIN + CONTENT_WIDTH / 4, row), behind);
        assert_eq!(image.pixel(MARGIN + CONTENT_WIDTH * 3 / 4, row), TRACK);
        // The target tick sits at the end of the track.
        assert_eq!(ink_columns(&image, row), 3);

        // Lower is better when the target is below the baseline.
        let image = decode(&render_png(&chart(
            Vec::new(),
            vec![result("CO₂", Some(100.0), Some(60.0), Some(80.0))],
        )));
        assert!(image.first_row_with(MARGIN + 1, done).is_some());

        // Nothing measured: only the track, and the text uses dashes.
        let image = decode(&render_png(&chart(
            Vec::new(),
            vec![result("vuoto", None, None, None)],
        )));
        assert!(image.first_row_with(MARGIN + 1, TRACK).is_some());
        assert_eq!(
            result_values(&result("vuoto", None, None, None)),
            "– / – km"
        );
        assert_eq!(number(Some(-0.0)), "0");
        assert_eq!(number(Some(12.5)), "12.5");
        assert_eq!(number(Some(f64::NAN)), "–");
    }

    #[test]
    fn long_labels_are_cut_with_an_ellipsis() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abcd", 4), "abcd");
        assert_eq!(fit("àèìòù", 3), "àè…");
        assert_eq!(fit("abc", 0), "");
        let long = "x".repeat(500);
        let png = render_png(&chart(
            vec![bar(&long, 50.0, ActionStatus::Done)],
            vec![result(&long, None, Some(1.0), None)],
        ));
        assert_eq!(decode(&png).width, WIDTH);
    }
}
