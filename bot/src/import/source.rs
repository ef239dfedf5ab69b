//! The input of an import as tables of cells: the sheets of an .xlsx or .ods workbook
//! (calamine), or CSV files, one per table (a folder of them, or `PREFIX.TABLE.csv` files side
//! by side). Every row keeps the number a spreadsheet shows for it, every cell its column.

use std::path::{Path, PathBuf};

use calamine::{Data, Reader};
use chrono::{NaiveDate, NaiveDateTime};

use super::problem::ImportError;

/// A cell's value, as far as the file says what it is.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Empty,
    Text(String),
    Number(f64),
    /// A date cell (a time of day, if any, left out).
    Date(NaiveDate),
    /// Something no column takes: a formula's error (`#DIV/0!`), a duration.
    Unusable(String),
}

/// A row that holds something.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// As a spreadsheet shows it: the first row is 1.
    pub number: u32,
    /// By column, from column `A`.
    pub values: Vec<Value>,
}

impl Row {
    pub fn value(&self, column: u32) -> &Value {
        self.values.get(column as usize).unwrap_or(&Value::Empty)
    }
}

/// A sheet, or a CSV file: its rows with something in them, the column names first.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// How messages name it: the sheet's name, or the CSV file's.
    pub name: String,
    /// The name that says which table it is: the sheet's name, or the CSV file's `TABLE`.
    pub key: String,
    pub rows: Vec<Row>,
}

/// Everything an import reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// The input's file or folder name, for messages about the input as a whole.
    pub name: String,
    /// What a table is called in this input: `sheet` or `CSV file`.
    pub noun: &'static str,
    pub tables: Vec<Table>,
}

/// Reads a workbook (`.xlsx`, `.ods`, also what else calamine opens: `.xls`, `.xlsb`), a CSV
/// file with its siblings, or a folder of CSV files.
pub fn read(path: &Path) -> Result<Source, ImportError> {
    let fail = |reason: String| ImportError::Read {
        path: path.to_path_buf(),
        reason,
    };
    let metadata = std::fs::metadata(path).map_err(|e| fail(e.to_string()))?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into(),
    );
    if metadata.is_dir() {
        let files = csv_files(path, |_| true).map_err(fail)?;
        if files.is_empty() {
            return Err(fail("the folder holds no .csv file".into()));
        }
        return csv_tables(name, &files);
    }
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "csv" => {
            let stem = path.file_stem().unwrap_or_default().to_string_lossy();
            let Some((prefix, _)) = stem.rsplit_once('.') else {
                return Err(fail(
                    "name the CSV files PREFIX.TABLE.csv (plan.sections.csv, plan.actions.csv, …) or give their folder".into(),
                ));
            };
            let prefix = format!("{prefix}.");
            let folder = match path.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent,
                _ => Path::new("."),
            };
            let files = csv_files(folder, |name| name.starts_with(&prefix)).map_err(fail)?;
            csv_tables(format!("{prefix}*.csv"), &files)
        }
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => workbook(path, name),
        _ => Err(fail(
            "not a spreadsheet: give an .xlsx or .ods file, a CSV file or a folder of CSV files"
                .into(),
        )),
    }
}

/// Reads the input of a one-table import: a workbook, or one CSV file of any name.
pub fn read_one(path: &Path) -> Result<Source, ImportError> {
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if is_csv && path.is_file() {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        return csv_tables(name.into_owned(), &[path.to_path_buf()]);
    }
    read(path)
}

fn workbook(path: &Path, name: String) -> Result<Source, ImportError> {
    let fail = |reason: String| ImportError::Read {
        path: path.to_path_buf(),
        reason,
    };
    let mut book = calamine::open_workbook_auto(path).map_err(|e| fail(e.to_string()))?;
    let mut tables = Vec::new();
    for sheet in book.sheet_names() {
        let range = book
            .worksheet_range(&sheet)
            .map_err(|e| fail(format!("sheet {sheet}: {e}")))?;
        // A range starts at its first cell that holds something, not at A1.
        let (first_row, first_column) = range.start().unwrap_or((0, 0));
        let mut rows = Vec::new();
        for (i, cells) in range.rows().enumerate() {
            let mut values = vec![Value::Empty; first_column as usize];
            values.extend(cells.iter().map(value_of));
            let row = Row {
                number: first_row + i as u32 + 1,
                values,
            };
            if row.values.iter().any(|v| *v != Value::Empty) {
                rows.push(row);
            }
        }
        tables.push(Table {
            name: sheet.clone(),
            key: sheet,
            rows,
        });
    }
    Ok(Source {
        name,
        noun: "sheet",
        tables,
    })
}

fn value_of(data: &Data) -> Value {
    match data {
        Data::Empty => Value::Empty,
        Data::String(text) if text.trim().is_empty() => Value::Empty,
        Data::String(text) => Value::Text(text.clone()),
        Data::Int(n) => Value::Number(*n as f64),
        Data::Float(n) => Value::Number(*n),
        Data::Bool(b) => Value::Text(if *b { "TRUE" } else { "FALSE" }.into()),
        Data::DateTime(when) if when.is_duration() => Value::Unusable("a duration".into()),
        Data::DateTime(when) => when.as_datetime().map_or_else(
            || Value::Unusable("a date out of range".into()),
            |t| Value::Date(t.date()),
        ),
        // ODS dates: `2026-12-31`, or with a time.
        Data::DateTimeIso(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .or_else(|| {
                NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
                    .ok()
                    .map(|t| t.date())
            })
            .map_or_else(|| Value::Text(text.clone()), Value::Date),
        Data::DurationIso(_) => Value::Unusable("a duration".into()),
        Data::Error(error) => Value::Unusable(format!("the formula error {error}")),
    }
}

/// The `.csv` files of `folder` whose names `take` accepts, by name.
fn csv_files(folder: &Path, take: impl Fn(&str) -> bool) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    let entries = std::fs::read_dir(folder).map_err(|e| e.to_string())?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let is_csv = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        if is_csv && path.is_file() && take(&name) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn csv_tables(name: String, files: &[PathBuf]) -> Result<Source, ImportError> {
    let mut tables = Vec::new();
    for path in files {
        let file_name = path.file_name().unwrap_or_default().to_string_lossy();
        let stem = path.file_stem().unwrap_or_default().to_string_lossy();
        // `plan.sections.csv` is the table `sections`, and so is `sections.csv`.
        let key = stem.rsplit('.').next().unwrap_or(&stem).to_owned();
        tables.push(Table {
            name: file_name.into_owned(),
            key,
            rows: csv_rows(path)?,
        });
    }
    Ok(Source {
        name,
        noun: "CSV file",
        tables,
    })
}

fn csv_rows(path: &Path) -> Result<Vec<Row>, ImportError> {
    let fail = |reason: String| ImportError::Read {
        path: path.to_path_buf(),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
    csv_text_rows(&bytes).map_err(fail)
}

/// The rows of a CSV file's bytes, or why they are not CSV text.
pub fn csv_text_rows(bytes: &[u8]) -> Result<Vec<Row>, String> {
    // Excel's "CSV UTF-8" starts with a byte order mark.
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(text))
        .from_reader(text);
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    // Row numbers as a spreadsheet opening the file shows them: blank lines are rows there,
    // while the reader skips them; a quoted field over several lines is one row.
    let (mut number, mut next_line) = (0u32, 1u64);
    loop {
        let more = reader
            .read_byte_record(&mut record)
            .map_err(|e| format!("row {}: {e}", number + 1))?;
        if !more {
            break;
        }
        let starts = record.position().map_or(next_line, |p| p.line());
        let blank_lines = u32::try_from(starts.saturating_sub(next_line)).unwrap_or(u32::MAX);
        number = number.saturating_add(1).saturating_add(blank_lines);
        next_line = reader.position().line();
        let mut values = Vec::with_capacity(record.len());
        for field in &record {
            let field = std::str::from_utf8(field).map_err(|_| {
                format!("row {number} is not UTF-8 text: save the file as \"CSV UTF-8\"")
            })?;
            values.push(if field.trim().is_empty() {
                Value::Empty
            } else {
                Value::Text(field.to_owned())
            });
        }
        if values.iter().any(|v| *v != Value::Empty) {
            rows.push(Row { number, values });
        }
    }
    Ok(rows)
}

/// The separator the first line uses most: `,`, or `;` as spreadsheets in Italian write CSV
/// (the comma being their decimal separator), or a tab.
fn delimiter(text: &[u8]) -> u8 {
    let first_line = text.split(|&b| b == b'\n').next().unwrap_or_default();
    let count = |d: u8| first_line.iter().filter(|&&b| b == d).count();
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|&d| (count(d), d == b','))
        .unwrap_or(b',')
}

#[cfg(test)]
mod tests {
    use super::delimiter;

    #[test]
    fn the_separator_is_the_one_the_first_line_uses_most() {
        assert_eq!(delimiter(b"id,title\n"), b',');
        assert_eq!(delimiter(b"id;title;description\nx,y;z;w\n"), b';');
        assert_eq!(delimiter(b"id\ttitle\n"), b'\t');
        // One column, or as many of each: a comma.
        assert_eq!(delimiter(b"id\n"), b',');
        assert_eq!(delimiter(b"a;b,c\n"), b',');
    }
}
