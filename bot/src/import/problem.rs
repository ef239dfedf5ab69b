//! What an import found wrong, and where: each problem is one line naming the sheet (or CSV
//! file), the row and the column as a spreadsheet shows them (`azioni, row 7, column D
//! (scadenza): …`).

use std::fmt;
use std::path::PathBuf;

/// Where a problem is, as precisely as it is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The input as a whole (a sheet it lacks).
    Input(String),
    /// A sheet, or a CSV file.
    Table(String),
    /// A row of a table, numbered as a spreadsheet shows it (the column names are row 1).
    Row { table: String, row: u32 },
    /// A cell: its row, its column (0 is `A`) and that column's name as written.
    Cell {
        table: String,
        row: u32,
        column: u32,
        header: String,
    },
}

/// One thing wrong with the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub place: Place,
    pub what: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.place {
            Place::Input(name) | Place::Table(name) => write!(f, "{name}: {}", self.what),
            Place::Row { table, row } => write!(f, "{table}, row {row}: {}", self.what),
            Place::Cell {
                table,
                row,
                column,
                header,
            } if header.is_empty() => write!(
                f,
                "{table}, row {row}, column {}: {}",
                column_letter(*column),
                self.what
            ),
            Place::Cell {
                table,
                row,
                column,
                header,
            } => write!(
                f,
                "{table}, row {row}, column {} ({header}): {}",
                column_letter(*column),
                self.what
            ),
        }
    }
}

/// A column's letters as a spreadsheet shows them: 0 is `A`, 25 `Z`, 26 `AA`.
pub fn column_letter(index: u32) -> String {
    let mut letters = Vec::new();
    let mut n = u64::from(index) + 1;
    while n > 0 {
        let rest = (n - 1) % 26;
        letters.push(char::from(b'A' + rest as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}: cannot read: {reason}", path.display())]
    Read { path: PathBuf, reason: String },
    /// What is wrong with the input, every problem found (`problems`, one line each).
    #[error("{}: {} problem{}, nothing written", path.display(), problems.len(), if problems.len() == 1 { "" } else { "s" })]
    Invalid {
        path: PathBuf,
        problems: Vec<Problem>,
    },
    /// The file made would not load: a gap between the import's checks and the plan file's.
    #[error("the plan made from {} would not load, nothing written: {error}", path.display())]
    NotLoadable {
        path: PathBuf,
        error: pspm_config::ConfigError,
    },
    #[error("{}: cannot write: {reason}", path.display())]
    Write { path: PathBuf, reason: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_lettered_as_spreadsheets_do() {
        let letters: Vec<String> = [0, 3, 25, 26, 27, 51, 52, 701, 702]
            .into_iter()
            .map(column_letter)
            .collect();
        assert_eq!(
            letters,
            ["A", "D", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]
        );
    }

    #[test]
    fn a_problem_is_one_line_naming_its_place() {
        let cell = Problem {
            place: Place::Cell {
                table: "azioni".into(),
                row: 7,
                column: 3,
                header: "scadenza".into(),
            },
            what: "\"31/02/2026\" is not a date (YYYY-MM-DD)".into(),
        };
        assert_eq!(
            cell.to_string(),
            "azioni, row 7, column D (scadenza): \"31/02/2026\" is not a date (YYYY-MM-DD)"
        );
        let row = Problem {
            place: Place::Row {
                table: "plan.sections.csv".into(),
                row: 3,
            },
            what: "x".into(),
        };
        assert_eq!(row.to_string(), "plan.sections.csv, row 3: x");
    }
}
