//! Fuzz target of the charts: any text a title, a code, a name or a status may carry
//! (control characters, markup, emoji, scripts no font has, thousands of characters) gives an
//! SVG that parses, holds no markup of its own from that text, and rasterises.

use chrono::NaiveDate;
use proptest::prelude::*;
use pspm_indexer::fuzzing::{cases, run};
use resvg::usvg;

use super::raster::rasterise;
use super::svg::{render, Frame};
use super::*;

/// Text as people and attackers write it: mostly words, some markup and odd characters.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,80}",
        "[a-zàèéìòù' ]{0,300}",
        Just("<script>alert('x')</script> & \"q\" ]]> <!-- --> <![CDATA[".to_owned()),
        any::<String>(),
        "[\\x00-\\x1f\\u{fffe}\\u{ffff}\\u{202e}🚲中文]{0,20}",
    ]
}

fn chart(texts: Vec<String>, kind: u8, numbers: Numbers) -> Chart {
    let t = |i: usize| texts[i % texts.len()].clone();
    let body = match kind % 3 {
        0 => ChartBody::Progress(ProgressChart {
            overall: 42.0,
            overall_label: t(0),
            counts: ActionStatus::ALL.iter().map(|s| (*s, 3)).collect(),
            parts: vec![ProgressPart {
                heading: t(1),
                rows: (0..3)
                    .map(|i| ProgressRow {
                        code: t(i + 2),
                        title: t(i + 3),
                        percent: f64::from(i as u8) * 40.0,
                        status: ActionStatus::ALL[i],
                        nested: i == 1,
                    })
                    .collect(),
            }],
        }),
        1 => ChartBody::Results(ResultsChart {
            measured_label: t(0),
            baseline_label: t(1),
            target_label: t(2),
            no_measurements: t(3),
            results: vec![ResultSeries {
                code: t(4),
                title: t(5),
                summary: t(6),
                baseline: Some(-3.5),
                targets: vec![(2026, 1e9), (2027, 0.0)],
                measurements: vec![
                    (NaiveDate::MIN, 1.0),
                    (
                        NaiveDate::from_ymd_opt(2026, 2, 1).expect("a date"),
                        f64::NAN,
                    ),
                ],
                current_target: Some(1e9),
            }],
        }),
        _ => ChartBody::Participation(ParticipationChart {
            columns: [t(0), t(1), t(2), t(3)],
            supports_label: t(4),
            oppositions_label: t(5),
            parts: vec![ParticipationPart {
                heading: t(6),
                rows: vec![TurnoutRow {
                    name: t(7),
                    proposals: u32::MAX,
                    voters: 0,
                    supports: u32::MAX,
                    oppositions: u32::MAX,
                    comments: 1,
                }],
            }],
        }),
    };
    Chart {
        title: t(8),
        subtitle: t(9),
        description: t(10),
        numbers,
        status_names: ActionStatus::ALL.iter().map(|s| (*s, t(11))).collect(),
        empty_text: t(12),
        body,
    }
}

#[test]
fn fuzz_chart_text() {
    let options = usvg::Options {
        fontdb: fonts::DATABASE.clone(),
        ..usvg::Options::default()
    };
    let strategy = (
        proptest::collection::vec(text(), 1..14),
        any::<u8>(),
        any::<bool>(),
    );
    // Drawing shapes every glyph (seconds per hundred in a debug build): 3% of the usual count.
    run(
        "chart text",
        cases(0.03),
        strategy,
        |(texts, kind, italian)| {
            let numbers = if italian {
                Numbers::Italian
            } else {
                Numbers::English
            };
            let chart = chart(texts, kind, numbers);
            let svg = render(&chart, Frame::Chat);
            let tree = usvg::Tree::from_str(&svg.markup, &options);
            prop_assert!(tree.is_ok(), "{:?}: {}", tree.err(), svg.markup);
            prop_assert!(!svg.markup.contains("<script"));
            // A tenth of the size keeps the rasteriser in the loop cheaply.
            let png = rasterise(&svg, 0.1);
            prop_assert!(png.is_ok(), "{:?}", png.err());
            Ok(())
        },
    );
}
