//! Fuzz target of `pspm import plan`: any cells under any of the plan's column names (odd
//! text, any number, dates at the edges, formula errors) either make a plan file that loads
//! — the import never writes one `pspm check` would refuse — or problems, never a panic; and
//! any bytes as a CSV file are rows or a reason.

use std::path::Path;

use chrono::NaiveDate;
use proptest::prelude::*;
use pspm_indexer::fuzzing::{cases, run};

use super::plan::from_source;
use super::problem::ImportError;
use super::source::{csv_text_rows, Row, Source, Table, Value};

/// Words that refer to one another often enough for plans to come out whole.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "a", "b", "OB.1", "OB.2", "R.1", "A.1", "consultazione", "closed", "@u:example.org",
            "2026-01-31", "2026-12-31", "2,5", "1.5", "0", "-1", "1e400", "NaN",
        ])
        .prop_map(str::to_owned),
        2 => "\\PC{0,12}",
        1 => any::<String>(),
        1 => "[\\x00-\\x1f\"'#=\\[\\]{}\\\\ ]{1,6}",
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        2 => Just(Value::Empty),
        6 => word().prop_map(Value::Text),
        2 => any::<f64>().prop_map(Value::Number),
        1 => prop::sample::select(vec![0.5, 1.0, 2.0, 40000.0, 9.007_199_254_740_993e15])
            .prop_map(Value::Number),
        2 => (1800i32..2300, 1u32..13, 1u32..29).prop_map(|(y, m, d)| {
            NaiveDate::from_ymd_opt(y, m, d).map_or(Value::Empty, Value::Date)
        }),
        1 => Just(Value::Unusable("the formula error #REF!".to_owned())),
    ]
}

/// Mostly one of `plausible`, now and then anything.
fn cell(plausible: &'static [&'static str]) -> BoxedStrategy<Value> {
    prop_oneof![
        8 => prop::sample::select(plausible).prop_map(|text| match text {
            "" => Value::Empty,
            text => Value::Text(text.to_owned()),
        }),
        1 => value(),
    ]
    .boxed()
}

fn number() -> BoxedStrategy<Value> {
    prop_oneof![
        3 => Just(Value::Empty),
        5 => prop::sample::select(vec![0.5, 1.0, 2.0, 40000.0, 9.007_199_254_740_993e15, 1e300])
            .prop_map(Value::Number),
        1 => value(),
    ]
    .boxed()
}

fn date() -> BoxedStrategy<Value> {
    prop_oneof![
        4 => (1u32..13, 1u32..29).prop_map(|(m, d)| {
            NaiveDate::from_ymd_opt(2026, m, d).map_or(Value::Empty, Value::Date)
        }),
        4 => cell(&["2026-01-31", "2026-12-31", "2027-06-30"]),
        1 => Just(Value::Empty),
    ]
    .boxed()
}

/// A table: its column names, and rows of a cell from each column's strategy.
fn table(
    name: &'static str,
    columns: Vec<(&'static str, BoxedStrategy<Value>)>,
    rows: std::ops::Range<usize>,
) -> impl Strategy<Value = Table> {
    let header: Vec<Value> = columns
        .iter()
        .map(|(name, _)| Value::Text((*name).to_owned()))
        .collect();
    let row: Vec<BoxedStrategy<Value>> = columns.into_iter().map(|(_, s)| s).collect();
    prop::collection::vec(row, rows).prop_map(move |body| {
        let mut all = vec![Row {
            number: 1,
            values: header.clone(),
        }];
        all.extend(
            (2u32..)
                .zip(body)
                .map(|(number, values)| Row { number, values }),
        );
        Table {
            name: name.to_owned(),
            key: name.to_owned(),
            rows: all,
        }
    })
}

fn source() -> impl Strategy<Value = Source> {
    let title = || cell(&["Dati", "Servizi digitali", "Città, \"sì\"", "x"]);
    let section = || cell(&["a", "b"]);
    let objective = || cell(&["OB.1", "OB.2"]);
    (
        table(
            "piano",
            vec![
                ("id", cell(&["pt-2026"])),
                ("titolo", title()),
                ("description", title()),
            ],
            1..2,
        ),
        table(
            "sezioni",
            vec![
                ("id", section()),
                ("title", title()),
                ("fase", cell(&["", "", "consultazione", "closed"])),
                ("max_supports", number()),
            ],
            1..3,
        ),
        table(
            "obiettivi",
            vec![
                ("code", objective()),
                ("sezione", section()),
                ("title", title()),
            ],
            0..3,
        ),
        table(
            "risultati",
            vec![
                ("code", cell(&["R.1", "R.2"])),
                ("obiettivo", objective()),
                ("title", title()),
                ("unità", cell(&["", "dataset", "%"])),
                ("baseline", number()),
                ("target 2026", number()),
                ("Target_2200", number()),
            ],
            0..3,
        ),
        table(
            "azioni",
            vec![
                ("codice", cell(&["A.1", "A.2"])),
                ("section", section()),
                ("objective", cell(&["", "OB.1", "OB.2"])),
                ("title", title()),
                (
                    "referenti",
                    cell(&["", "@u:example.org", "@a:example.org; @b:example.org"]),
                ),
                ("inizio", date()),
                ("due", date()),
                ("peso", number()),
            ],
            0..3,
        ),
    )
        .prop_map(|(a, b, c, d, e)| Source {
            name: "fuzz.xlsx".to_owned(),
            noun: "sheet",
            tables: vec![a, b, c, d, e],
        })
}

#[test]
fn fuzz_any_cells_make_a_plan_that_loads_or_problems() {
    let made = std::sync::atomic::AtomicU32::new(0);
    let count = cases(0.5);
    run("import plan", count, source(), |source| {
        match from_source(&source, Path::new("fuzz.xlsx"), Path::new("plan.toml")) {
            Ok(_) => {
                made.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            Err(ImportError::Invalid { problems, .. }) => {
                prop_assert!(!problems.is_empty());
                for problem in &problems {
                    let line = problem.to_string();
                    prop_assert!(!line.contains(['\n', '\r']), "{line}");
                }
            }
            Err(other) => prop_assert!(false, "{other}"),
        }
        Ok(())
    });
    // The target reaches the writing too, not only the problems.
    let made = made.into_inner();
    eprintln!("fuzz import plan: {made} inputs made a plan");
    // About one input in forty does.
    assert!(
        made > 0 || count < 500,
        "no input made a plan: the strategy is too wild"
    );
}

#[test]
fn fuzz_any_bytes_as_csv_are_rows_or_a_reason() {
    let bytes = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        "[a-z,;\t\"\n\r ]{0,200}".prop_map(String::into_bytes),
    ];
    run("import csv", cases(0.5), bytes, |bytes| {
        if let Ok(rows) = csv_text_rows(&bytes) {
            // Numbered as a spreadsheet shows them: from 1, going up.
            prop_assert!(rows.windows(2).all(|w| w[0].number < w[1].number));
            prop_assert!(rows.first().is_none_or(|r| r.number >= 1));
        }
        Ok(())
    });
}
