//! Each chart drawn once, as SVG: [`render`] lays out the title, then the body of its kind
//! ([`progress`], [`results`], [`participation`]). The markup comes from maud templates, so
//! every caller text is escaped; text is set in Titillium Web and labels are wrapped, never
//! cut, by the glyph advances of the embedded fonts. `<title>` and `<desc>` carry the chart's
//! name and its text alternative.

mod participation;
mod progress;
mod results;

use std::borrow::Cow;
use std::fmt;

use maud::{html, Markup};

use super::fonts::{self, Weight};
use super::palette::{BACKGROUND, HEADING, MUTED, RULE};
use super::{Chart, ChartBody, Numbers};

/// Width of every chart, in SVG units (pixels at scale 1).
pub const WIDTH: f32 = 800.0;
const MARGIN: f32 = 32.0;
const CONTENT: f32 = WIDTH - 2.0 * MARGIN;

/// Where the chart goes: chat images summarise long lists ("… +N") to stay a reasonable
/// size; the report, which lists everything in its tables too, draws every row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame {
    Chat,
    Report,
}

impl Frame {
    /// Most rows drawn for `chat` rows in chat.
    fn cap(self, chat: usize) -> usize {
        match self {
            Frame::Chat => chat,
            Frame::Report => usize::MAX,
        }
    }
}

/// A drawn chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Svg {
    pub markup: String,
    pub width: f32,
    pub height: f32,
}

/// Draws `chart` for `frame`.
pub fn render(chart: &Chart, frame: Frame) -> Svg {
    let mut draw = Draw {
        out: String::with_capacity(16 * 1024),
        y: 20.0,
        numbers: chart.numbers,
    };
    draw.wrapped(
        MARGIN,
        CONTENT,
        &Style::new(24.0, Weight::Bold, HEADING),
        &chart.title,
    );
    if !chart.subtitle.is_empty() {
        draw.y += 2.0;
        draw.wrapped(
            MARGIN,
            CONTENT,
            &Style::new(15.0, Weight::Regular, MUTED),
            &chart.subtitle,
        );
    }
    draw.y += 12.0;
    match &chart.body {
        ChartBody::Progress(body) => progress::draw(&mut draw, chart, body, frame),
        ChartBody::Results(body) => results::draw(&mut draw, chart, body, frame),
        ChartBody::Participation(body) => participation::draw(&mut draw, chart, body, frame),
    }
    let height = (draw.y + MARGIN).ceil();
    let document = html! {
        svg xmlns="http://www.w3.org/2000/svg" width=(P(WIDTH)) height=(P(height))
            viewBox={ "0 0 " (P(WIDTH)) " " (P(height)) } role="img"
            font-family="'Titillium Web', sans-serif" {
            title { (clean(&chart.title)) }
            desc { (clean(&chart.description)) }
            rect width=(P(WIDTH)) height=(P(height)) fill=(BACKGROUND) {}
            (maud::PreEscaped(&draw.out))
        }
    };
    Svg {
        markup: document.into_string(),
        width: WIDTH,
        height,
    }
}

/// A coordinate or length, written with at most one decimal.
#[derive(Debug, Clone, Copy)]
struct P(f32);

impl fmt::Display for P {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tenths = (self.0 * 10.0).round();
        if tenths % 10.0 == 0.0 {
            write!(f, "{}", tenths / 10.0)
        } else {
            write!(f, "{:.1}", tenths / 10.0)
        }
    }
}

/// Text without what XML forbids (control characters, which draw nothing anyway), so caller
/// text can never make the SVG unreadable; line breaks and tabs become spaces.
pub fn clean(text: &str) -> Cow<'_, str> {
    let forbidden = |c: char| c.is_control() || c == '\u{fffe}' || c == '\u{ffff}';
    if !text.chars().any(forbidden) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .filter_map(|c| match c {
                '\n' | '\r' | '\t' => Some(' '),
                c if forbidden(c) => None,
                c => Some(c),
            })
            .collect(),
    )
}

/// How a piece of text is set.
#[derive(Debug, Clone, Copy)]
struct Style {
    size: f32,
    weight: Weight,
    fill: &'static str,
}

impl Style {
    const fn new(size: f32, weight: Weight, fill: &'static str) -> Style {
        Style { size, weight, fill }
    }

    fn line_height(self) -> f32 {
        (self.size * 1.3).round()
    }

    fn width(self, text: &str) -> f32 {
        fonts::width(text, self.size, self.weight)
    }
}

/// The elements drawn so far and the top of the free space below them.
struct Draw {
    out: String,
    y: f32,
    numbers: Numbers,
}

impl Draw {
    fn add(&mut self, markup: Markup) {
        self.out.push_str(&markup.into_string());
    }

    /// One line of text with its baseline at `y`; `end` aligns its right edge on `x`.
    fn text(&mut self, x: f32, y: f32, style: &Style, end: bool, text: &str) {
        let weight = (style.weight == Weight::Bold).then_some("700");
        let anchor = end.then_some("end");
        self.add(html! {
            text x=(P(x)) y=(P(y)) font-size=(P(style.size)) font-weight=[weight]
                fill=(style.fill) text-anchor=[anchor] { (clean(text)) }
        });
    }

    /// `text` wrapped into `width` from `x`, below the current top, which moves past it.
    fn wrapped(&mut self, x: f32, width: f32, style: &Style, text: &str) -> usize {
        let lines = fonts::wrap(text, style.size, style.weight, width, 0.0);
        for line in &lines {
            self.y += style.line_height();
            self.text(x, self.y - style.line_height() * 0.25, style, false, line);
        }
        lines.len()
    }

    /// A bold code, then the title in regular weight (bold itself when there is no code),
    /// wrapped together into `width`; the first baseline is returned, and the top moves past
    /// the last line.
    fn code_and_title(
        &mut self,
        x: f32,
        width: f32,
        size: f32,
        fill: &'static str,
        code: &str,
        title: &str,
    ) -> f32 {
        let bold = Style::new(size, Weight::Bold, fill);
        let regular = Style::new(size, Weight::Regular, fill);
        let code = clean(code);
        let lead = if code.is_empty() {
            0.0
        } else {
            bold.width(&code) + regular.width(" ")
        };
        // Without a code (a section's row), the title itself is bold.
        let title_style = if code.is_empty() { bold } else { regular };
        let lines = fonts::wrap(title, size, title_style.weight, width, lead);
        let line_height = regular.line_height();
        let first = self.y + line_height * 0.75;
        for (index, line) in lines.iter().enumerate() {
            let baseline = first + line_height * index as f32;
            if index == 0 && !code.is_empty() {
                self.add(html! {
                    text x=(P(x)) y=(P(baseline)) font-size=(P(size)) fill=(fill) {
                        tspan font-weight="700" { (code) } " " (clean(line))
                    }
                });
            } else {
                self.text(x, baseline, &title_style, false, line);
            }
        }
        self.y += line_height * lines.len() as f32;
        first
    }

    fn rect(&mut self, x: f32, y: f32, width: f32, height: f32, radius: f32, fill: &str) {
        if width <= 0.0 || height <= 0.0 {
            return;
        }
        self.add(html! {
            rect x=(P(x)) y=(P(y)) width=(P(width)) height=(P(height)) rx=(P(radius)) fill=(fill) {}
        });
    }

    fn line(
        &mut self,
        from: (f32, f32),
        to: (f32, f32),
        stroke: &str,
        width: f32,
        dashes: Option<&str>,
    ) {
        self.add(html! {
            line x1=(P(from.0)) y1=(P(from.1)) x2=(P(to.0)) y2=(P(to.1)) stroke=(stroke)
                stroke-width=(P(width)) stroke-dasharray=[dashes] {}
        });
    }

    /// A section heading of the chart.
    fn heading(&mut self, text: &str) {
        self.y += 6.0;
        self.wrapped(
            MARGIN,
            CONTENT,
            &Style::new(18.0, Weight::Bold, HEADING),
            text,
        );
        self.y += 6.0;
    }

    /// A muted note, e.g. "no data" or "… +12".
    fn note(&mut self, text: &str) {
        self.wrapped(
            MARGIN,
            CONTENT,
            &Style::new(15.0, Weight::Regular, MUTED),
            text,
        );
        self.y += 6.0;
    }

    fn rule(&mut self) {
        self.line(
            (MARGIN, self.y),
            (MARGIN + CONTENT, self.y),
            RULE,
            1.0,
            None,
        );
        self.y += 14.0;
    }

    /// Legend entries (a mark, then its text) flowing left to right, wrapping at the edge.
    fn legend(&mut self, entries: &[(LegendMark, String)]) {
        let style = Style::new(15.0, Weight::Regular, super::palette::INK);
        let mut x = MARGIN;
        let mut top = self.y;
        for (mark, label) in entries {
            let item = mark.width() + 6.0 + style.width(label);
            if x > MARGIN && x + item > MARGIN + CONTENT {
                x = MARGIN;
                top += 24.0;
            }
            let middle = top + 11.0;
            mark.draw(self, x, middle);
            self.text(x + mark.width() + 6.0, middle + 5.0, &style, false, label);
            x += item + 20.0;
        }
        self.y = top + 28.0;
    }
}

/// What a legend entry shows before its text.
#[derive(Debug, Clone, Copy)]
enum LegendMark {
    Swatch(&'static str),
    /// A line with a dot, `dashed` or not.
    Line {
        stroke: &'static str,
        dashed: bool,
        dot: bool,
    },
    /// A yearly target: a segment ending in a diamond.
    Target(&'static str),
}

impl LegendMark {
    fn width(self) -> f32 {
        match self {
            LegendMark::Swatch(_) => 12.0,
            LegendMark::Line { .. } | LegendMark::Target(_) => 28.0,
        }
    }

    fn draw(self, draw: &mut Draw, x: f32, middle: f32) {
        match self {
            LegendMark::Swatch(fill) => draw.rect(x, middle - 6.0, 12.0, 12.0, 2.0, fill),
            LegendMark::Line {
                stroke,
                dashed,
                dot,
            } => {
                let dashes = dashed.then_some("6 4");
                draw.line((x, middle), (x + 28.0, middle), stroke, 2.0, dashes);
                if dot {
                    draw.add(results::dot(x + 14.0, middle, stroke));
                }
            }
            LegendMark::Target(fill) => {
                draw.line((x, middle), (x + 22.0, middle), fill, 2.0, None);
                draw.add(results::diamond(x + 22.0, middle, fill));
            }
        }
    }
}

#[cfg(test)]
mod tests;
