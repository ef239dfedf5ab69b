//! A table of progress or measurements (a CSV file, a spreadsheet's sheet) into updates.
//! Columns are found by name, in Italian or English, in any order and case; every error
//! names the table, the row as the spreadsheet numbers it and the column (letter and name).
//! Each row's key is a fingerprint of what it says, so importing a file again adds nothing.

use chrono::NaiveDate;

use super::Imported;
use crate::domain::monitoring::parse_number;
use crate::domain::participation::fingerprint;

/// A table as read: its name (file or sheet), its header row and its rows, each with the
/// number the spreadsheet shows (the header is row 1).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

/// What a table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Progress,
    Measurements,
}

const NOTE_MAX_CHARS: usize = 1000;

/// The accepted names of each column, English first (the one errors use).
const ACTION: &[&str] = &["action", "azione", "codice azione"];
const PROGRESS: &[&str] = &["progress", "avanzamento", "percentuale"];
const RESULT: &[&str] = &["result", "risultato", "codice risultato"];
const VALUE: &[&str] = &["value", "valore"];
const DATE: &[&str] = &["date", "data"];
const NOTE: &[&str] = &["note", "nota", "note"];

/// Lower case, accents and surrounding spaces away: `Unità ` is `unita`.
fn normalise(name: &str) -> String {
    name.trim()
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'à' | 'á' => 'a',
            'è' | 'é' => 'e',
            'ì' | 'í' => 'i',
            'ò' | 'ó' => 'o',
            'ù' | 'ú' => 'u',
            '_' => ' ',
            c => c,
        })
        .collect()
}

/// The spreadsheet's letter of the column at `index` (0 → A, 26 → AA).
pub fn column_letter(index: usize) -> String {
    let mut letters = Vec::new();
    let mut n = index + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

struct Columns<'a> {
    table: &'a Table,
}

impl Columns<'_> {
    fn find(&self, names: &[&str]) -> Option<usize> {
        self.table
            .header
            .iter()
            .position(|h| names.iter().any(|n| normalise(h) == *n))
    }

    fn require(&self, names: &[&str]) -> Result<usize, String> {
        self.find(names).ok_or_else(|| {
            format!(
                "{}: no column {} (accepted names: {})",
                self.table.name,
                names[0],
                names.join(", ")
            )
        })
    }
}

/// The updates of `table`, each with its label (`table, row N`), or every error found.
pub fn updates(table: &Table, kind: Kind) -> Result<Vec<(String, Imported)>, Vec<String>> {
    let columns = Columns { table };
    let (code, amount) = match kind {
        Kind::Progress => (columns.require(ACTION), columns.require(PROGRESS)),
        Kind::Measurements => (columns.require(RESULT), columns.require(VALUE)),
    };
    let (code, amount) = match (code, amount) {
        (Ok(code), Ok(amount)) => (code, amount),
        (code, amount) => {
            return Err([code.err(), amount.err()].into_iter().flatten().collect());
        }
    };
    let date = columns.find(DATE);
    let note = columns.find(NOTE);
    let mut errors = Vec::new();
    let mut updates = Vec::new();
    for (number, cells) in &table.rows {
        let cell = |index: usize| cells.get(index).map(|c| c.trim()).unwrap_or_default();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let at = |index: usize, problem: String| {
            format!(
                "{}, row {number}, column {} ({}): {problem}",
                table.name,
                column_letter(index),
                table
                    .header
                    .get(index)
                    .map(|h| h.trim())
                    .unwrap_or_default()
            )
        };
        let code_text = cell(code);
        if code_text.is_empty() {
            errors.push(at(code, "empty".into()));
            continue;
        }
        let day = match date.map(cell).filter(|d| !d.is_empty()) {
            None => None,
            Some(text) => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Ok(day) => Some(day),
                Err(_) => {
                    errors.push(at(
                        date.unwrap_or_default(),
                        format!("\"{text}\" is not a date (YYYY-MM-DD)"),
                    ));
                    continue;
                }
            },
        };
        let note_text: String = note.map(cell).unwrap_or_default().to_owned();
        if note_text.chars().count() > NOTE_MAX_CHARS {
            errors.push(at(
                note.unwrap_or_default(),
                format!("longer than {NOTE_MAX_CHARS} characters"),
            ));
            continue;
        }
        let amount_text = cell(amount);
        let key_of = |what: &str| {
            let day = day.map(|d| d.to_string()).unwrap_or_default();
            format!(
                "row.{:016x}",
                fingerprint(&format!(
                    "{what}\n{code_text}\n{amount_text}\n{day}\n{note_text}"
                ))
            )
        };
        let update = match kind {
            Kind::Progress => {
                let progress = amount_text
                    .trim_end_matches('%')
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|p| (0.0..=100.0).contains(p) && p.fract() == 0.0);
                match progress {
                    Some(progress) => Imported::Progress {
                        key: key_of("progress"),
                        action: code_text.to_owned(),
                        progress: progress as u8,
                        date: day,
                        note: note_text.clone(),
                    },
                    None => {
                        errors.push(at(
                            amount,
                            format!("\"{amount_text}\" is not a whole percentage from 0 to 100"),
                        ));
                        continue;
                    }
                }
            }
            Kind::Measurements => match parse_number(amount_text).filter(|v| v.is_finite()) {
                Some(value) => Imported::Measurement {
                    key: key_of("measurement"),
                    result: code_text.to_owned(),
                    value,
                    date: day,
                    note: note_text.clone(),
                },
                None => {
                    errors.push(at(amount, format!("\"{amount_text}\" is not a number")));
                    continue;
                }
            },
        };
        updates.push((format!("{}, row {number}", table.name), update));
    }
    if errors.is_empty() {
        Ok(updates)
    } else {
        Err(errors)
    }
}
