//! Tables of progress and measurements read: columns by their Italian or English names,
//! every problem placed at its cell, the same row always the same key.

use super::*;
use crate::import::source::{csv_text_rows, Value};

fn csv(name: &str, text: &str) -> Source {
    Source {
        name: name.into(),
        noun: "CSV file",
        tables: vec![Table {
            name: name.into(),
            key: name.trim_end_matches(".csv").into(),
            rows: csv_text_rows(text.as_bytes()).expect("CSV"),
        }],
    }
}

fn lines(problems: Vec<Problem>) -> Vec<String> {
    problems.iter().map(ToString::to_string).collect()
}

#[test]
fn columns_are_found_by_their_italian_or_english_names() {
    let read = from_source(
        &csv(
            "avanzamento.csv",
            "Nota;AZIONE;Avanzamento;Data\na metà;A.1;50;2026-03-01\n;;;\n;A.2;70;\n",
        ),
        Kind::Progress,
    )
    .unwrap();
    assert_eq!(read.len(), 2, "the blank row is skipped: {read:?}");
    assert_eq!(read[0].0, "avanzamento.csv, row 2");
    assert_eq!(read[1].0, "avanzamento.csv, row 4");
    let Imported::Progress {
        action,
        progress,
        date,
        note,
        ..
    } = &read[0].1
    else {
        panic!("{read:?}")
    };
    assert_eq!(
        (action.as_str(), *progress, *date, note.as_str()),
        ("A.1", 50, NaiveDate::from_ymd_opt(2026, 3, 1), "a metà")
    );
    assert!(matches!(
        &read[1].1,
        Imported::Progress {
            progress: 70,
            date: None,
            ..
        }
    ));

    let measured = from_source(
        &csv("misure.csv", "risultato,valore\nR.1,82.5\n"),
        Kind::Measurements,
    )
    .unwrap();
    assert!(
        matches!(&measured[0].1, Imported::Measurement { result, value, .. } if result == "R.1" && *value == 82.5)
    );
}

#[test]
fn every_problem_names_its_row_and_column_and_nothing_is_read() {
    let problems = from_source(
        &csv(
            "progress.csv",
            "action,progress,date\nA.1,120,\nA.1,40,31/02/2026\n,40,\nA.2,40,2026-01-01\n",
        ),
        Kind::Progress,
    )
    .unwrap_err();
    assert_eq!(
        lines(problems),
        [
            "progress.csv, row 2, column B (progress): 120 is not a whole percentage from 0 to 100",
            "progress.csv, row 3, column C (date): \"31/02/2026\" is not a date (YYYY-MM-DD)",
            "progress.csv, row 4, column A (action): empty: every row needs a value here",
        ]
    );
    let missing = from_source(&csv("m.csv", "risultato,data\n"), Kind::Measurements).unwrap_err();
    assert_eq!(lines(missing), ["m.csv, row 1: no column value (valore)"]);
}

#[test]
fn a_workbook_gives_the_sheet_so_named_or_its_only_one() {
    let sheet = |name: &str| Table {
        name: name.into(),
        key: name.into(),
        rows: vec![
            crate::import::source::Row {
                number: 1,
                values: vec![Value::Text("result".into()), Value::Text("value".into())],
            },
            crate::import::source::Row {
                number: 2,
                values: vec![Value::Text("R.1".into()), Value::Number(3.0)],
            },
        ],
    };
    let book = |names: &[&str]| Source {
        name: "dati.xlsx".into(),
        noun: "sheet",
        tables: names.iter().map(|n| sheet(n)).collect(),
    };
    assert_eq!(
        from_source(&book(&["Note", "Misurazioni"]), Kind::Measurements).unwrap()[0].0,
        "Misurazioni, row 2"
    );
    assert_eq!(
        from_source(&book(&["Foglio1"]), Kind::Measurements).unwrap()[0].0,
        "Foglio1, row 2"
    );
    assert_eq!(
        lines(from_source(&book(&["Foglio1", "Foglio2"]), Kind::Measurements).unwrap_err()),
        ["dati.xlsx: no sheet named measurements (misurazioni, misure)"]
    );
}

#[test]
fn the_same_row_has_the_same_key_and_another_row_another() {
    let source = csv(
        "m.csv",
        "result,value,date\nR.1,120,2026-03-01\nR.1,120,2026-03-01\nR.1,121,2026-03-01\n",
    );
    let keys = |source: &Source| -> Vec<String> {
        from_source(source, Kind::Measurements)
            .unwrap()
            .iter()
            .map(|(_, u)| u.key().to_owned())
            .collect()
    };
    let first = keys(&source);
    assert_eq!(first, keys(&source));
    assert_eq!(first[0], first[1]);
    assert_ne!(first[0], first[2]);
}

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data/import")
        .join(name)
}

/// Real workbooks (`make_fixtures.py`): the sheet named for progress beside another one,
/// date cells; an ODS with one sheet of any name.
#[test]
fn workbooks_read_with_their_date_cells() {
    let progress = read(&fixture("progress.xlsx"), Kind::Progress).unwrap();
    let labels: Vec<&str> = progress.iter().map(|(label, _)| label.as_str()).collect();
    assert_eq!(labels, ["Avanzamento, row 2", "Avanzamento, row 3"]);
    assert!(matches!(
        &progress[0].1,
        Imported::Progress { action, progress: 40, date: Some(date), note, .. }
            if action == "CAP2.PA.LA01" && *date == NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() && note == "in collaudo"
    ));
    assert!(matches!(
        &progress[1].1,
        Imported::Progress {
            progress: 15,
            date: None,
            ..
        }
    ));
    let measured = read(&fixture("measurements.ods"), Kind::Measurements).unwrap();
    assert!(matches!(
        &measured[..],
        [(label, Imported::Measurement { result, value, date: Some(date), .. })]
            if label == "Foglio1, row 2" && result == "R.A.2.1a" && *value == 12.5
                && *date == NaiveDate::from_ymd_opt(2026, 6, 30).unwrap()
    ));
    // The progress workbook has no measurements sheet, and two sheets: refused, named.
    let error = read(&fixture("progress.xlsx"), Kind::Measurements).unwrap_err();
    let ImportError::Invalid { problems, .. } = error else {
        panic!("{error}")
    };
    assert_eq!(
        lines(problems),
        ["progress.xlsx: no sheet named measurements (misurazioni, misure)"]
    );
}
