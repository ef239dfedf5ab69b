//! `pspm import progress` and `pspm import measurements`: a table of updates (a CSV file, or
//! a workbook's sheet named `progress`/`avanzamento` or `measurements`/`misurazioni`, or its
//! only sheet) into the updates the bot posts as its import messages. Each row's key is a
//! fingerprint of what it says, so importing the same file again adds nothing.

use std::path::Path;

use chrono::NaiveDate;

use super::cells::Cells;
use super::columns::{Column, Header, TableSpec};
use super::problem::{ImportError, Place, Problem};
use super::source::{self, Source, Table};
use crate::domain::imports::Imported;
use crate::domain::participation::fingerprint;

/// What a table of updates holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Progress,
    Measurements,
}

const fn column(key: &'static str, names: &'static [&'static str], required: bool) -> Column {
    Column {
        key,
        names,
        required,
    }
}

const DATE: Column = column("date", &["date", "data"], false);
const NOTE: Column = column("note", &["note", "nota"], false);

/// Progress of actions: one row an update.
pub const PROGRESS: TableSpec = TableSpec {
    key: "progress",
    names: &["progress", "avanzamento"],
    required: true,
    columns: &[
        column("action", &["action", "azione"], true),
        column(
            "progress",
            &["progress", "avanzamento", "percentuale"],
            true,
        ),
        DATE,
        NOTE,
    ],
    yearly: None,
};

/// Measurements of expected results' indicators: one row a measurement.
pub const MEASUREMENTS: TableSpec = TableSpec {
    key: "measurements",
    names: &["measurements", "misurazioni", "misure"],
    required: true,
    columns: &[
        column("result", &["result", "risultato"], true),
        column("value", &["value", "valore"], true),
        DATE,
        NOTE,
    ],
    yearly: None,
};

const NOTE_MAX_CHARS: usize = 1000;

impl Kind {
    pub fn spec(self) -> &'static TableSpec {
        match self {
            Kind::Progress => &PROGRESS,
            Kind::Measurements => &MEASUREMENTS,
        }
    }
}

/// The updates in `input`, each labelled with its place (`progress.csv, row 7`), or every
/// problem found.
pub fn read(input: &Path, kind: Kind) -> Result<Vec<(String, Imported)>, ImportError> {
    from_source(&source::read_one(input)?, kind).map_err(|problems| ImportError::Invalid {
        path: input.to_path_buf(),
        problems,
    })
}

/// The table of `kind`: the one so named, else the only one.
fn table_of(source: &Source, kind: Kind) -> Result<&Table, Problem> {
    let spec = kind.spec();
    let named = source.tables.iter().find(|t| spec.is_named(&t.key));
    match (named, source.tables.as_slice()) {
        (Some(table), _) | (None, [table]) => Ok(table),
        _ => Err(Problem {
            place: Place::Input(source.name.clone()),
            what: format!("no {} named {}", source.noun, spec.named()),
        }),
    }
}

/// [`read`] on tables read already.
pub fn from_source(source: &Source, kind: Kind) -> Result<Vec<(String, Imported)>, Vec<Problem>> {
    let table = table_of(source, kind).map_err(|problem| vec![problem])?;
    let mut problems = Vec::new();
    let header = Header::read(kind.spec(), table, &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut updates = Vec::new();
    for row in header.data(table) {
        let mut cells = Cells::new(table, &header, row, &mut problems);
        let label = format!("{}, row {}", table.name, row.number);
        if let Ok(update) = update(&mut cells, kind) {
            updates.push((label, update));
        }
    }
    if problems.is_empty() {
        Ok(updates)
    } else {
        Err(problems)
    }
}

/// One row's update; its problems are in `cells`.
fn update(cells: &mut Cells<'_>, kind: Kind) -> Result<Imported, super::cells::Reported> {
    let (code_key, amount_key) = match kind {
        Kind::Progress => ("action", "progress"),
        Kind::Measurements => ("result", "value"),
    };
    let code = cells.text(code_key);
    let code = cells.needed(code_key, code);
    let amount = cells.number(amount_key);
    let amount = cells.needed(amount_key, amount);
    let date = cells.date("date");
    let note = cells.text("note");
    let (code, amount, date, note) = (code?, amount?, date?, note?.unwrap_or_default());
    if note.chars().count() > NOTE_MAX_CHARS {
        return Err(cells.complain("note", format!("longer than {NOTE_MAX_CHARS} characters")));
    }
    let key = row_key(kind, &code, amount, date, &note);
    match kind {
        Kind::Progress => {
            if amount.fract() != 0.0 || !(0.0..=100.0).contains(&amount) {
                return Err(cells.complain(
                    "progress",
                    format!("{amount} is not a whole percentage from 0 to 100"),
                ));
            }
            Ok(Imported::Progress {
                key,
                action: code,
                progress: amount as u8,
                date,
                note,
            })
        }
        Kind::Measurements => Ok(Imported::Measurement {
            key,
            result: code,
            value: amount,
            date,
            note,
        }),
    }
}

/// What makes a row the same row when imported again.
fn row_key(kind: Kind, code: &str, amount: f64, date: Option<NaiveDate>, note: &str) -> String {
    let date = date.map(|d| d.to_string()).unwrap_or_default();
    let kind = kind.spec().key;
    format!(
        "row.{:016x}",
        fingerprint(&format!("{kind}\n{code}\n{amount}\n{date}\n{note}"))
    )
}

#[cfg(test)]
mod tests;
