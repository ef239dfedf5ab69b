//! The charts as SVG and PNG: the SVG parses, the PNG decodes at the size it announces,
//! hostile and long titles are escaped and wrapped whole, numbers follow the language, bars
//! and lines are where the figures put them. Samples are saved under `target/chart-samples/`
//! to be looked at.

use chrono::NaiveDate;
use resvg::usvg;

use super::*;
use crate::render::palette::{status_colour, PRIMARY};
use crate::render::raster::{rasterise, render_png, SCALE};
use crate::render::{
    ActionStatus, ParticipationChart, ParticipationPart, Png, ProgressChart, ProgressPart,
    ProgressRow, ResultSeries, ResultsChart, TurnoutRow,
};

const HOSTILE: &str = "L'amministrazione <script>alert('x')</script> & “più” è già 🚲🌍 ";

fn names() -> Vec<(ActionStatus, String)> {
    vec![
        (ActionStatus::NotStarted, "non avviata".into()),
        (ActionStatus::InProgress, "in corso".into()),
        (ActionStatus::DueSoon, "in scadenza".into()),
        (ActionStatus::Late, "in ritardo".into()),
        (ActionStatus::Done, "conclusa".into()),
    ]
}

fn chart(title: &str, body: ChartBody) -> Chart {
    Chart {
        title: title.to_owned(),
        subtitle: "Situazione al 2026-06-10".into(),
        description: "Dati: 42% complessivo; 1 azione in ritardo: A.3 Catalogo (0%).".into(),
        numbers: Numbers::Italian,
        status_names: names(),
        empty_text: "nessun dato".into(),
        body,
    }
}

fn row(code: &str, title: &str, percent: f64, status: ActionStatus, nested: bool) -> ProgressRow {
    ProgressRow {
        code: code.into(),
        title: title.into(),
        percent,
        status,
        nested,
    }
}

fn progress(rows: Vec<ProgressRow>) -> ChartBody {
    ChartBody::Progress(ProgressChart {
        overall: 42.0,
        overall_label: "avanzamento complessivo, ponderato".into(),
        counts: vec![
            (ActionStatus::NotStarted, 1),
            (ActionStatus::InProgress, 2),
            (ActionStatus::DueSoon, 1),
            (ActionStatus::Late, 1),
            (ActionStatus::Done, 1),
        ],
        parts: vec![
            ProgressPart {
                heading: "Obiettivi".into(),
                rows: vec![row(
                    "OB.1",
                    "Aprire i dati pubblici",
                    42.0,
                    ActionStatus::Late,
                    false,
                )],
            },
            ProgressPart {
                heading: "Azioni".into(),
                rows,
            },
        ],
    })
}

fn section_rows() -> Vec<ProgressRow> {
    vec![
        row(
            "A.1",
            "Le PA finalizzano la migrazione dei propri servizi verso infrastrutture e servizi cloud qualificati",
            40.0,
            ActionStatus::InProgress,
            false,
        ),
        row("A.2", "Licenze aperte per tutti i dataset", 100.0, ActionStatus::Done, false),
        row("A.3", "Catalogo dei dati — pubblicazione su dati.gov.it", 0.0, ActionStatus::Late, false),
        row("A.4", "Formazione del personale", 75.0, ActionStatus::DueSoon, false),
        row("A.5", "Interoperabilità con la PDND", 0.0, ActionStatus::NotStarted, false),
    ]
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a date")
}

fn results() -> ChartBody {
    ChartBody::Results(ResultsChart {
        measured_label: "misure".into(),
        baseline_label: "valore di base".into(),
        target_label: "obiettivo annuale".into(),
        no_measurements: "nessuna misura finora".into(),
        results: vec![
            ResultSeries {
                code: "R.1".into(),
                title: "Dataset pubblicati in formato aperto".into(),
                summary: "ultimo valore 1.480 dataset al 2026-05-01 · valore di base 1.000 dataset · obiettivo 2026: 1.800 dataset".into(),
                baseline: Some(1000.0),
                targets: vec![(2026, 1800.0), (2027, 2500.0)],
                measurements: vec![
                    (day(2025, 12, 31), 1100.0),
                    (day(2026, 2, 1), 1250.5),
                    (day(2026, 5, 1), 1480.0),
                ],
                current_target: Some(1800.0),
            },
            ResultSeries {
                code: "R.2".into(),
                title: "Emissioni di CO₂ degli uffici".into(),
                summary: "ultimo valore 60 t al 2026-04-01 · valore di base 100 t · obiettivo 2026: 80 t".into(),
                baseline: Some(100.0),
                targets: vec![(2026, 80.0)],
                measurements: vec![(day(2026, 1, 1), 90.0), (day(2026, 4, 1), 60.0)],
                current_target: Some(80.0),
            },
            ResultSeries {
                code: "R.3".into(),
                title: "Servizi con SPID e CIE".into(),
                summary: "nessuna misura finora · obiettivo 2026: 40".into(),
                baseline: None,
                targets: vec![(2026, 40.0)],
                measurements: Vec::new(),
                current_target: Some(40.0),
            },
        ],
    })
}

fn turnout(
    name: &str,
    proposals: u32,
    voters: u32,
    supports: u32,
    oppositions: u32,
    comments: u32,
) -> TurnoutRow {
    TurnoutRow {
        name: name.into(),
        proposals,
        voters,
        supports,
        oppositions,
        comments,
    }
}

fn participation() -> ChartBody {
    ChartBody::Participation(ParticipationChart {
        columns: [
            "Proposte".into(),
            "Votanti".into(),
            "Voti".into(),
            "Commenti".into(),
        ],
        supports_label: "Sostegni".into(),
        oppositions_label: "Contrari".into(),
        parts: vec![
            ParticipationPart {
                heading: "Per sezione".into(),
                rows: vec![
                    turnout("Dati pubblici", 12, 48, 1234, 56, 210),
                    turnout("Servizi digitali e piattaforme abilitanti", 3, 9, 20, 4, 12),
                ],
            },
            ParticipationPart {
                heading: "Per ente".into(),
                rows: vec![
                    turnout("Comune di Forlì", 8, 30, 900, 40, 150),
                    turnout("Regione Emilia-Romagna", 7, 27, 354, 20, 72),
                    turnout("Agenzia per l'Italia Digitale", 0, 0, 0, 0, 0),
                ],
            },
        ],
    })
}

fn parse(svg: &Svg) -> usvg::Tree {
    let options = usvg::Options {
        fontdb: crate::render::fonts::DATABASE.clone(),
        ..usvg::Options::default()
    };
    usvg::Tree::from_str(&svg.markup, &options).expect("the SVG parses")
}

/// Decoded RGB pixels.
struct Image {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

impl Image {
    fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        let at = (y as usize * self.width as usize + x as usize) * 3;
        [self.pixels[at], self.pixels[at + 1], self.pixels[at + 2]]
    }

    /// Pixels that are not white, in a band of rows.
    fn inked(&self, rows: std::ops::Range<u32>) -> usize {
        rows.flat_map(|y| (0..self.width).map(move |x| (x, y)))
            .filter(|&(x, y)| self.pixel(x, y) != [255, 255, 255])
            .count()
    }
}

fn decode(png: &Png) -> Image {
    let decoder = png::Decoder::new(std::io::Cursor::new(png.bytes.as_slice()));
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a sane size")];
    let info = reader.next_frame(&mut pixels).expect("a PNG frame");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    pixels.truncate(info.buffer_size());
    Image {
        width: info.width,
        height: info.height,
        pixels,
    }
}

fn hex(colour: &str) -> [u8; 3] {
    let channel = |at: usize| u8::from_str_radix(&colour[at..at + 2], 16).expect("hex");
    [channel(1), channel(3), channel(5)]
}

/// Where the samples go: the workspace's `target/chart-samples/`.
fn samples() -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/chart-samples");
    std::fs::create_dir_all(&dir).expect("the samples folder");
    dir
}

#[test]
fn every_kind_parses_and_decodes_at_the_announced_size() {
    for (name, body) in [
        ("progress", progress(section_rows())),
        ("results", results()),
        ("participation", participation()),
    ] {
        let chart = chart("Piano triennale per l'informatica — Dati pubblici", body);
        let svg = render(&chart, Frame::Chat);
        let tree = parse(&svg);
        assert_eq!(tree.size().width(), svg.width, "{name}");
        assert_eq!(tree.size().height(), svg.height, "{name}");
        let png = render_png(&chart).expect("a PNG");
        let image = decode(&png);
        assert_eq!(
            (image.width, image.height),
            (png.width, png.height),
            "{name}"
        );
        assert_eq!(png.width, (WIDTH * SCALE) as u32, "{name}");
        assert_eq!(png.height, (svg.height * SCALE).ceil() as u32, "{name}");
        assert_eq!(image.pixel(0, 0), [255, 255, 255], "{name}");
        // Something is drawn all the way down, not only at the top.
        let third = image.height / 3;
        for band in [0..third, third..2 * third, 2 * third..image.height] {
            assert!(
                image.inked(band.clone()) > 1000,
                "{name}: {band:?} is blank"
            );
        }
        std::fs::write(samples().join(format!("{name}.png")), &png.bytes).expect("a sample");
        std::fs::write(samples().join(format!("{name}.svg")), &svg.markup).expect("a sample");
    }
}

#[test]
fn a_hostile_long_title_is_escaped_and_wrapped_whole() {
    let long = format!("{HOSTILE}{}", "parola ".repeat(60));
    assert!(long.chars().count() >= 300);
    let mut hostile = chart(
        &long,
        progress(vec![row("A.<1>", &long, 50.0, ActionStatus::Late, false)]),
    );
    hostile.description = long.clone();
    hostile.subtitle = "\u{0}\u{1b}[31m\u{fffe} control".into();
    let svg = render(&hostile, Frame::Chat);
    assert!(!svg.markup.contains("<script"), "raw tag in the SVG");
    assert!(svg
        .markup
        .contains("&lt;script&gt;alert('x')&lt;/script&gt; &amp;"));
    assert!(svg.markup.contains("A.&lt;1&gt;"));
    // Every word of the title is drawn: wrapped over lines, not cut.
    let tree = parse(&svg);
    assert!(tree.root().has_children());
    let words: usize = svg.markup.matches("parola").count();
    // 60 in the chart's title, 60 in the row's title, 60 in <title> and 60 in <desc>.
    assert_eq!(words, 240);
    assert!(!svg.markup.contains('…'));
    let png = render_png(&hostile).expect("a PNG");
    let image = decode(&png);
    assert_eq!((image.width, image.height), (png.width, png.height));
    std::fs::write(samples().join("hostile.png"), &png.bytes).expect("a sample");
}

#[test]
fn accents_and_emoji_are_drawn_not_boxes_or_blanks() {
    // The same title with and without its accents draws different pixels; an emoji draws
    // ink of its own (the emoji face), where a missing glyph would leave a gap or a box.
    let title = |text: &str| render_png(&chart(text, progress(Vec::new()))).expect("a PNG");
    let (accented, plain) = (
        decode(&title("Attività è già più")),
        decode(&title("Attivita e gia piu")),
    );
    assert_eq!(accented.height, plain.height);
    let band = 0..(60.0 * SCALE) as u32;
    assert!(
        accented.inked(band.clone()) > plain.inked(band.clone()),
        "the accents add ink"
    );
    let with_emoji = decode(&title("Bici 🚲🚲🚲🚲"));
    let without = decode(&title("Bici"));
    assert!(with_emoji.inked(band.clone()) > without.inked(band.clone()) + 400);
}

#[test]
fn every_script_draws_its_own_glyphs_not_the_same_boxes() {
    // Two different words of a script, as many characters each, drawn as boxes would give
    // the same pixels.
    let title = |text: &str| {
        let png = render_png(&chart(text, progress(Vec::new()))).expect("a PNG");
        decode(&png)
    };
    let band = 0..(60.0 * SCALE) as u32;
    for (one, other) in [
        ("数据开放", "云服务优"),
        ("データ公開", "クラウド化"),
        ("데이터개방", "클라우드화"),
        ("ข้อมูล", "บริการ"),
        ("डेटा", "सेवा"),
        ("ዳታ", "ክፍ"),
    ] {
        let (a, b) = (title(one), title(other));
        assert!(a.inked(band.clone()) > 0, "{one} draws nothing");
        assert!(
            a.pixels != b.pixels,
            "{one} and {other} draw the same: boxes"
        );
    }
}

#[test]
fn numbers_follow_the_language() {
    let mut italian = chart("Partecipazione", participation());
    let svg = render(&italian, Frame::Chat).markup;
    assert!(svg.contains(">1.290<"), "votes 1234 + 56");
    assert!(svg.contains(">(1.234 / 56)<"));
    italian.numbers = Numbers::English;
    let svg = render(&italian, Frame::Chat).markup;
    assert!(svg.contains(">1,290<"));
    assert!(svg.contains(">(1,234 / 56)<"));
    // The value axis of a result too.
    let mut results = chart("Risultati", results());
    let svg = render(&results, Frame::Chat).markup;
    assert!(
        svg.contains(">1.000<") && svg.contains(">3.000<"),
        "axis steps of 1,000"
    );
    results.numbers = Numbers::English;
    let svg = render(&results, Frame::Chat).markup;
    assert!(svg.contains(">1,000<") && svg.contains(">3,000<"));
}

#[test]
fn a_bar_is_as_long_as_its_percent_in_its_status_colour() {
    let svg = render(
        &chart(
            "x",
            progress(vec![row("A.1", "Metà", 50.0, ActionStatus::DueSoon, false)]),
        ),
        Frame::Chat,
    )
    .markup;
    let colour = status_colour(ActionStatus::DueSoon);
    let half = CONTENT / 2.0;
    assert!(
        svg.contains(&format!(
            "width=\"{}\" height=\"12\" rx=\"6\" fill=\"{colour}\"",
            P(half)
        )),
        "{svg}"
    );
    // The status is written out beside the colour.
    assert!(svg.contains(">· in scadenza<"));
    // In pixels: the bar's colour reaches a little before the middle of the track, not past it.
    let png = decode(
        &render_png(&chart(
            "x",
            progress(vec![row("A.1", "Metà", 50.0, ActionStatus::DueSoon, false)]),
        ))
        .expect("a PNG"),
    );
    let target = hex(colour);
    let row_y = (0..png.height)
        .find(|&y| png.pixel(((MARGIN + 20.0) * SCALE) as u32, y) == target)
        .expect("the bar");
    let x = |fraction: f32| ((MARGIN + CONTENT * fraction) * SCALE) as u32;
    assert_eq!(png.pixel(x(0.45), row_y + 3), target);
    assert_ne!(png.pixel(x(0.55), row_y + 3), target);
}

#[test]
fn chat_images_count_what_they_leave_out_and_the_report_draws_all() {
    let many: Vec<ProgressRow> = (0..200)
        .map(|i| {
            row(
                &format!("A.{i}"),
                "Azione",
                50.0,
                ActionStatus::InProgress,
                false,
            )
        })
        .collect();
    let body = progress(many);
    let chat = render(&chart("x", body.clone()), Frame::Chat);
    let report = render(&chart("x", body), Frame::Report);
    assert!(chat.markup.contains(">A.78<") && !chat.markup.contains(">A.79<"));
    assert!(
        chat.markup.contains("… +121"),
        "1 objective + 79 actions drawn of 201"
    );
    assert!(report.markup.contains(">A.199<"));
    assert!(!report.markup.contains("… +"));
    assert!(report.height > chat.height * 2.0);
}

#[test]
fn results_draw_a_line_through_the_measurements_and_a_diamond_per_target() {
    let svg = render(&chart("Risultati", results()), Frame::Chat).markup;
    // R.1 (three measurements) and R.2 (two) have lines; R.3 has none and says so.
    let lines: Vec<&str> = svg
        .split("<polyline ")
        .skip(1)
        .filter(|p| p.contains("stroke-width=\"2.5\""))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[0].split("points=\"").nth(1).map(|p| p
            .split('"')
            .next()
            .unwrap_or("")
            .split(' ')
            .count()),
        Some(3)
    );
    // R.2 reached its target from above (lower is better): drawn in the "done" colour.
    assert!(lines[1].contains(status_colour(ActionStatus::Done)));
    assert!(lines[0].contains(PRIMARY));
    assert_eq!(
        svg.matches("<polygon ").count(),
        1 + 2 + 1 + 1,
        "legend, R.1, R.2, R.3"
    );
    assert!(svg.contains(">nessuna misura finora<"));
    // Years on the time axis.
    assert!(svg.contains(">2026<"));
    assert!(
        svg.matches("stroke-dasharray=\"6 4\"").count() >= 3,
        "baselines and legend"
    );
}

#[test]
fn rendering_is_deterministic_and_empty_charts_say_so() {
    let input = chart("Piano", results());
    assert_eq!(
        render_png(&input).expect("a PNG"),
        render_png(&input).expect("a PNG")
    );
    let empty = chart("Piano", progress(Vec::new()));
    let svg = render(&empty, Frame::Chat).markup;
    assert!(svg.contains(">nessun dato<"));
    let empty = chart(
        "Piano",
        ChartBody::Results(ResultsChart {
            results: Vec::new(),
            ..match results() {
                ChartBody::Results(r) => r,
                _ => unreachable!(),
            }
        }),
    );
    assert!(render(&empty, Frame::Chat).markup.contains(">nessun dato<"));
    // A scale of 1 gives an image the SVG's size.
    let svg = render(&input, Frame::Chat);
    let png = rasterise(&svg, 1.0).expect("a PNG");
    assert_eq!((png.width, png.height), (WIDTH as u32, svg.height as u32));
}
