//! A data row read field by field — text, numbers, whole numbers, dates — each cell that
//! does not fit its column added to the problems with its place, so that one pass over a
//! sheet reports every problem in it.

use chrono::{Datelike, NaiveDate};

use super::columns::Header;
use super::problem::{Place, Problem};
use super::source::{Row, Table, Value};

/// A problem was added to the list: the field has no value to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reported;

/// A field read: `Ok(None)` when its cell is empty (or its column absent).
pub type Field<T> = Result<Option<T>, Reported>;

/// One data row of a table, and the problems found so far.
pub struct Cells<'a> {
    table: &'a Table,
    header: &'a Header,
    row: &'a Row,
    problems: &'a mut Vec<Problem>,
}

impl<'a> Cells<'a> {
    pub fn new(
        table: &'a Table,
        header: &'a Header,
        row: &'a Row,
        problems: &'a mut Vec<Problem>,
    ) -> Self {
        Cells {
            table,
            header,
            row,
            problems,
        }
    }

    /// The cell of a field's column, or the row when the table has no such column.
    pub fn place(&self, key: &str) -> Place {
        match self.header.column(key) {
            Some(column) => self.place_at(column),
            None => Place::Row {
                table: self.table.name.clone(),
                row: self.row.number,
            },
        }
    }

    pub fn place_at(&self, column: u32) -> Place {
        Place::Cell {
            table: self.table.name.clone(),
            row: self.row.number,
            column,
            header: self.header.name(column).to_owned(),
        }
    }

    /// Adds a problem at a field's cell.
    pub fn complain(&mut self, key: &str, what: impl Into<String>) -> Reported {
        let place = self.place(key);
        self.add(place, what)
    }

    pub fn add(&mut self, place: Place, what: impl Into<String>) -> Reported {
        self.problems.push(Problem {
            place,
            what: what.into(),
        });
        Reported
    }

    /// A required field: its value, or a problem when its cell is empty.
    pub fn needed<T>(&mut self, key: &str, field: Field<T>) -> Result<T, Reported> {
        match field? {
            Some(value) => Ok(value),
            None => Err(self.complain(key, "empty: every row needs a value here")),
        }
    }

    fn value(&self, key: &str) -> Option<(u32, &'a Value)> {
        let column = self.header.column(key)?;
        Some((column, self.row.value(column)))
    }

    /// The cell in a given column, as read.
    pub fn value_at(&self, column: u32) -> &'a Value {
        self.row.value(column)
    }

    /// Text, trimmed; a number or a date as written in a plain cell (`12`, `2026-12-31`).
    pub fn text(&mut self, key: &str) -> Field<String> {
        let Some((column, value)) = self.value(key) else {
            return Ok(None);
        };
        match value {
            Value::Empty => Ok(None),
            Value::Text(text) if text.trim().is_empty() => Ok(None),
            Value::Text(text) => Ok(Some(text.trim().to_owned())),
            Value::Number(n) => Ok(Some(number_text(*n))),
            Value::Date(date) => Ok(Some(date.format("%Y-%m-%d").to_string())),
            Value::Unusable(what) => {
                Err(self.add(self.place_at(column), format!("the cell holds {what}")))
            }
        }
    }

    /// A number: a number cell, or text like `2.5`.
    pub fn number(&mut self, key: &str) -> Field<f64> {
        match self.header.column(key) {
            Some(column) => self.number_at(column),
            None => Ok(None),
        }
    }

    /// The number in a given column (the yearly ones).
    pub fn number_at(&mut self, column: u32) -> Field<f64> {
        let parsed = match self.row.value(column) {
            Value::Empty => return Ok(None),
            Value::Text(text) if text.trim().is_empty() => return Ok(None),
            Value::Number(n) if n.is_finite() => Ok(*n),
            Value::Number(n) => Err(format!("{n} is not a number")),
            Value::Text(text) => {
                let text = text.trim();
                match text.parse::<f64>() {
                    Ok(n) if n.is_finite() && !text.contains(',') => Ok(n),
                    _ if text.contains(',') => {
                        Err(format!("{text:?} is not a number (write 2.5, not 2,5)"))
                    }
                    _ => Err(format!("{text:?} is not a number")),
                }
            }
            Value::Date(date) => Err(format!("{date} is a date, not a number")),
            Value::Unusable(what) => Err(format!("the cell holds {what}")),
        };
        parsed
            .map(Some)
            .map_err(|what| self.add(self.place_at(column), what))
    }

    /// A whole number, 0 or more.
    pub fn whole(&mut self, key: &str) -> Field<u32> {
        let Some(n) = self.number(key)? else {
            return Ok(None);
        };
        if n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n) {
            Ok(Some(n as u32))
        } else {
            Err(self.complain(key, format!("{n} is not a whole number")))
        }
    }

    /// A date: a date cell, or text `YYYY-MM-DD`.
    pub fn date(&mut self, key: &str) -> Field<NaiveDate> {
        let Some((_, value)) = self.value(key) else {
            return Ok(None);
        };
        let parsed = match value {
            Value::Empty => return Ok(None),
            Value::Text(text) if text.trim().is_empty() => return Ok(None),
            Value::Date(date) => Ok(*date),
            Value::Text(text) => NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .map_err(|_| format!("{:?} is not a date (YYYY-MM-DD)", text.trim())),
            Value::Number(n) => Err(format!(
                "{n} is a number, not a date: format the cell as a date, or write YYYY-MM-DD"
            )),
            Value::Unusable(what) => Err(format!("the cell holds {what}")),
        };
        let plausible = parsed.and_then(|date| {
            if (1900..=2200).contains(&date.year()) {
                Ok(date)
            } else {
                Err(format!("{date}: the year must be between 1900 and 2200"))
            }
        });
        plausible.map(Some).map_err(|what| self.complain(key, what))
    }
}

/// A number as text: whole numbers without a decimal point.
fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}
