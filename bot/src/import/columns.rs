//! Which table a sheet is and which field a column holds, by their names in English or
//! Italian, compared without case, accents or punctuation (`Unità` = `unita`, `Max supports`
//! = `max_supports`); and the header row read against them.

use std::collections::HashMap;

use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

use super::problem::{Place, Problem};
use super::source::{Row, Table, Value};

/// A column a table may have.
#[derive(Debug)]
pub struct Column {
    /// The field it fills (also its English name).
    pub key: &'static str,
    /// Every name it goes by, English first, as written in the README.
    pub names: &'static [&'static str],
    pub required: bool,
}

/// A table an import reads.
#[derive(Debug)]
pub struct TableSpec {
    pub key: &'static str,
    /// Its sheet names, English first.
    pub names: &'static [&'static str],
    pub required: bool,
    pub columns: &'static [Column],
    /// Columns named this word and a year (`target_2026`, `Target 2027`), one value a year.
    pub yearly: Option<&'static str>,
}

impl TableSpec {
    /// Whether a sheet (or CSV file) so named is this table.
    pub fn is_named(&self, name: &str) -> bool {
        let name = normalize(name);
        self.names.iter().any(|n| normalize(n) == name)
    }

    /// Its names for messages: `sections (sezioni)`.
    pub fn named(&self) -> String {
        also(self.names)
    }
}

/// `first (other, …)`.
fn also(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [first, rest @ ..] => format!("{first} ({})", rest.join(", ")),
    }
}

/// A name without case, accents or punctuation: `Unità di misura` → `unita_di_misura`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut gap = false;
    for c in name.nfd().filter(|c| !is_combining_mark(*c)) {
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('_');
            }
            gap = false;
            out.extend(c.to_lowercase());
        } else {
            gap = true;
        }
    }
    out
}

/// The header row of a table, read: where each field is.
#[derive(Debug, Default)]
pub struct Header {
    /// The row the column names are in.
    pub row: u32,
    at: HashMap<&'static str, u32>,
    /// Each column's name as written, by column.
    names: HashMap<u32, String>,
    /// The yearly columns: year and column, in the order of the sheet.
    pub years: Vec<(i32, u32)>,
}

impl Header {
    /// The column of a field, if the table has it.
    pub fn column(&self, key: &str) -> Option<u32> {
        self.at.get(key).copied()
    }

    /// A column's name as written.
    pub fn name(&self, column: u32) -> &str {
        self.names.get(&column).map_or("", String::as_str)
    }

    /// Reads the header row (the table's first row holding something) against `spec`,
    /// adding a problem for each unknown, repeated or missing column.
    pub fn read(spec: &TableSpec, table: &Table, problems: &mut Vec<Problem>) -> Header {
        let Some(row) = table.rows.first() else {
            return Header::default();
        };
        let mut header = Header {
            row: row.number,
            ..Header::default()
        };
        let cell = |column: u32, header: &str| Place::Cell {
            table: table.name.clone(),
            row: row.number,
            column,
            header: header.to_owned(),
        };
        for (column, value) in (0u32..).zip(&row.values) {
            let written = match value {
                Value::Empty => continue,
                // On one line: messages name the column by it.
                Value::Text(text) => text.split_whitespace().collect::<Vec<_>>().join(" "),
                Value::Number(n) => n.to_string(),
                Value::Date(d) => d.to_string(),
                Value::Unusable(what) => what.clone(),
            };
            header.names.insert(column, written.clone());
            let normal = normalize(&written);
            let field = spec
                .columns
                .iter()
                .find(|c| c.names.iter().any(|n| normalize(n) == normal));
            let first = match (field, year_of(spec, &normal)) {
                (Some(field), _) => {
                    let first = header.column(field.key);
                    header.at.entry(field.key).or_insert(column);
                    first
                }
                (None, Some(Ok(year))) => {
                    let first = header.years.iter().find(|(y, _)| *y == year).map(|y| y.1);
                    if first.is_none() {
                        header.years.push((year, column));
                    }
                    first
                }
                (None, Some(Err(()))) => {
                    problems.push(Problem {
                        place: cell(column, &written),
                        what: "the year must be between 1900 and 2200".into(),
                    });
                    None
                }
                (None, None) => {
                    problems.push(Problem {
                        place: cell(column, &written),
                        what: format!(
                            "unknown column {written:?}; the columns of {} are {}",
                            spec.key,
                            columns_of(spec)
                        ),
                    });
                    None
                }
            };
            if let Some(first) = first {
                problems.push(Problem {
                    place: cell(column, &written),
                    what: format!(
                        "a second column for what column {} ({}) holds",
                        super::problem::column_letter(first),
                        header.name(first)
                    ),
                });
            }
        }
        for column in spec.columns.iter().filter(|c| c.required) {
            if header.column(column.key).is_none() {
                problems.push(Problem {
                    place: Place::Row {
                        table: table.name.clone(),
                        row: row.number,
                    },
                    what: format!("no column {}", also(column.names)),
                });
            }
        }
        header
    }

    /// The rows under the header.
    pub fn data<'t>(&self, table: &'t Table) -> &'t [Row] {
        table.rows.get(1..).unwrap_or_default()
    }
}

/// The year of a yearly column's normalized name (`target_2026`), `Err` when out of range.
fn year_of(spec: &TableSpec, normal: &str) -> Option<Result<i32, ()>> {
    let rest = normal.strip_prefix(spec.yearly?)?;
    let digits = rest.strip_prefix('_').unwrap_or(rest);
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let year: i32 = digits.parse().ok()?;
    Some(if (1900..=2200).contains(&year) {
        Ok(year)
    } else {
        Err(())
    })
}

/// A table's columns for messages: `code (codice, id), section (sezione), …`.
fn columns_of(spec: &TableSpec) -> String {
    let mut all: Vec<String> = spec.columns.iter().map(|c| also(c.names)).collect();
    if let Some(word) = spec.yearly {
        all.push(format!("{word}_YEAR"));
    }
    all.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_without_case_accents_or_punctuation() {
        assert_eq!(normalize("Unità"), "unita");
        assert_eq!(normalize("  Max supports "), "max_supports");
        assert_eq!(normalize("max-supports"), "max_supports");
        assert_eq!(normalize("Target 2026"), "target_2026");
        assert_eq!(normalize("TARGET_2026"), "target_2026");
        assert_eq!(normalize("Scadenza (data)"), "scadenza_data");
        assert_eq!(normalize("ATTIVITÀ"), "attivita");
        assert_eq!(normalize("UNITA'"), "unita");
    }
}
