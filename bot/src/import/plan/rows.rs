//! The plan's tables read into the plan file, with the checks `pspm check` makes — ids, codes
//! unique across the plan, sections and objectives that exist, dates, weights — each problem
//! named by its cell. The layout (sheets and columns) is checked first: with a sheet or a
//! column wrong, the cells are not read, so one mistake does not bring a hundred messages.

use std::collections::{BTreeMap, HashMap};

use pspm_config::plan::{id_rule, is_id};

use super::file::{
    ActionTable, Number, ObjectiveTable, PlanFile, PlanTable, ResultTable, SectionTable, TargetCell,
};
use super::sheets;
use crate::domain::Phase;
use crate::import::cells::{Cells, Field, Reported};
use crate::import::columns::{Header, TableSpec};
use crate::import::problem::{Place, Problem};
use crate::import::source::{Source, Table, Value};

/// The plan file the tables hold, or every problem found in them.
pub fn read(source: &Source) -> Result<PlanFile, Vec<Problem>> {
    let mut problems = Vec::new();
    let tables = layout(source, &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut reading = Reading {
        problems,
        codes: HashMap::new(),
        sections: HashMap::new(),
        objectives: HashMap::new(),
    };
    let [plan, sections, objectives, results, actions] = tables;
    let plan = reading.table(plan, Reading::plan).flatten();
    let sections = reading.table(sections, Reading::sections);
    let objectives = reading.table(objectives, Reading::objectives);
    let results = reading.table(results, Reading::results);
    let actions = reading.table(actions, Reading::actions);
    match plan {
        Some(plan) if reading.problems.is_empty() => Ok(PlanFile {
            plan,
            sections: sections.unwrap_or_default(),
            objectives: objectives.unwrap_or_default(),
            results: results.unwrap_or_default(),
            actions: actions.unwrap_or_default(),
        }),
        _ => Err(reading.problems),
    }
}

/// Each table of [`sheets::ALL`] found in the source, with its header read.
fn layout<'s>(source: &'s Source, problems: &mut Vec<Problem>) -> [Option<(&'s Table, Header)>; 5] {
    let noun = source.noun;
    let mut found: [Option<&Table>; 5] = [None; 5];
    for table in &source.tables {
        let place = Place::Table(table.name.clone());
        match sheets::ALL
            .iter()
            .position(|spec| spec.is_named(&table.key))
        {
            Some(i) => match found[i] {
                Some(first) => problems.push(Problem {
                    place,
                    what: format!(
                        "a second {} {noun} (the first is {})",
                        sheets::ALL[i].key,
                        first.name
                    ),
                }),
                None => found[i] = Some(table),
            },
            // A workbook's leftover empty sheet (`Sheet1`, `Foglio1`) holds nothing to lose.
            None if table.rows.is_empty() => {}
            None => problems.push(Problem {
                place,
                what: format!(
                    "not a table of the plan; the {noun}s are named {}",
                    sheets::ALL.map(TableSpec::named).join(", ")
                ),
            }),
        }
    }
    let mut tables = [None, None, None, None, None];
    for ((spec, table), slot) in sheets::ALL.iter().zip(found).zip(&mut tables) {
        match table {
            None if spec.required => problems.push(Problem {
                place: Place::Input(source.name.clone()),
                what: format!("no {noun} named {}", spec.named()),
            }),
            None => {}
            Some(table) if table.rows.is_empty() && spec.required => problems.push(Problem {
                place: Place::Table(table.name.clone()),
                what: "empty: its first row names the columns".into(),
            }),
            // An optional sheet left empty: none of its kind.
            Some(table) if table.rows.is_empty() => {}
            Some(table) => *slot = Some((table, Header::read(spec, table, problems))),
        }
    }
    tables
}

struct Reading {
    problems: Vec<Problem>,
    /// Every code of objectives, results and actions, and where it was first.
    codes: HashMap<String, String>,
    /// Section ids and their rows.
    sections: HashMap<String, u32>,
    /// Objective codes and their sections (`None` when that cell is wrong).
    objectives: HashMap<String, Option<String>>,
}

impl Reading {
    /// Reads a table with `read`, its problems in the order of its rows and columns.
    fn table<T>(
        &mut self,
        table: Option<(&Table, Header)>,
        read: impl FnOnce(&mut Self, &Table, &Header) -> T,
    ) -> Option<T> {
        let (table, header) = table?;
        let before = self.problems.len();
        let read = read(self, table, &header);
        self.problems[before..].sort_by_key(|p| match p.place {
            Place::Cell { row, column, .. } => (row, Some(column)),
            Place::Row { row, .. } => (row, None),
            Place::Input(_) | Place::Table(_) => (0, None),
        });
        Some(read)
    }

    fn plan(&mut self, table: &Table, header: &Header) -> Option<PlanTable> {
        let rows = header.data(table);
        let Some(row) = rows.first() else {
            self.problems.push(Problem {
                place: Place::Row {
                    table: table.name.clone(),
                    row: header.row + 1,
                },
                what: "no plan: its id and title go in the row under the column names".into(),
            });
            return None;
        };
        for extra in &rows[1..] {
            self.problems.push(Problem {
                place: Place::Row {
                    table: table.name.clone(),
                    row: extra.number,
                },
                what: "a second plan: this sheet holds one row under the column names".into(),
            });
        }
        let mut cells = Cells::new(table, header, row, &mut self.problems);
        let id = id(&mut cells);
        let title = required_text(&mut cells, "title");
        let description = cells.text("description");
        Some(PlanTable {
            id: id.ok()?,
            title: title.ok()?,
            description: description.ok()?.unwrap_or_default(),
        })
    }

    fn sections(&mut self, table: &Table, header: &Header) -> Vec<SectionTable> {
        let mut sections = Vec::new();
        if header.data(table).is_empty() {
            self.problems.push(Problem {
                place: Place::Row {
                    table: table.name.clone(),
                    row: header.row + 1,
                },
                what: "no section: a plan has at least one, a row each under the column names"
                    .into(),
            });
        }
        for row in header.data(table) {
            let mut cells = Cells::new(table, header, row, &mut self.problems);
            let id = id(&mut cells).and_then(|id| match self.sections.get(&id) {
                Some(first) => Err(cells.complain(
                    "id",
                    format!("duplicate section id {id:?} (first at row {first})"),
                )),
                None => {
                    self.sections.insert(id.clone(), row.number);
                    Ok(id)
                }
            });
            let title = required_text(&mut cells, "title");
            let description = cells.text("description");
            let phase = cells.text("phase").and_then(|phase| match phase {
                None => Ok(None),
                Some(text) => match Phase::parse(&text) {
                    Some(phase) => Ok(Some(phase.name())),
                    None => Err(cells.complain(
                        "phase",
                        format!(
                            "{text:?} is not a phase: consultation, prioritisation, consolidation, monitoring or closed (or in Italian)"
                        ),
                    )),
                },
            });
            let max_supports = cells.whole("max_supports").and_then(|n| match n {
                Some(0) => Err(cells.complain(
                    "max_supports",
                    "must be at least 1 (leave it empty for no limit)",
                )),
                n => Ok(n),
            });
            if let (Ok(id), Ok(title), Ok(description), Ok(phase), Ok(max_supports)) =
                (id, title, description, phase, max_supports)
            {
                sections.push(SectionTable {
                    id,
                    title,
                    description: description.unwrap_or_default(),
                    phase,
                    max_supports,
                });
            }
        }
        sections
    }

    fn objectives(&mut self, table: &Table, header: &Header) -> Vec<ObjectiveTable> {
        let mut objectives = Vec::new();
        for row in header.data(table) {
            let mut cells = Cells::new(table, header, row, &mut self.problems);
            let code = claim(&mut self.codes, &mut cells, table, row.number);
            let section = known_section(&self.sections, &mut cells);
            let title = required_text(&mut cells, "title");
            // Known even when its row is wrong, so that its results and actions are not
            // reported as well.
            if let Ok(code) = &code {
                self.objectives
                    .insert(code.clone(), section.as_ref().ok().cloned());
            }
            if let (Ok(code), Ok(section), Ok(title)) = (code, section, title) {
                objectives.push(ObjectiveTable {
                    code,
                    section,
                    title,
                });
            }
        }
        objectives
    }

    fn results(&mut self, table: &Table, header: &Header) -> Vec<ResultTable> {
        let mut results = Vec::new();
        for row in header.data(table) {
            let mut cells = Cells::new(table, header, row, &mut self.problems);
            let code = claim(&mut self.codes, &mut cells, table, row.number);
            let objective = cells.text("objective");
            let objective = cells.needed("objective", objective).and_then(|objective| {
                known_objective(&self.objectives, &mut cells, &objective).map(|_| objective)
            });
            let title = required_text(&mut cells, "title");
            let indicator = cells.text("indicator");
            let unit = cells.text("unit");
            let baseline = cells.number("baseline");
            let mut targets = Ok(BTreeMap::new());
            for &(year, column) in &header.years {
                match (target_at(&mut cells, column), &mut targets) {
                    (Ok(Some(target)), Ok(targets)) => {
                        targets.insert(year.to_string(), target);
                    }
                    (Ok(_), _) => {}
                    (Err(reported), _) => targets = Err(reported),
                }
            }
            if let (
                Ok(code),
                Ok(objective),
                Ok(title),
                Ok(indicator),
                Ok(unit),
                Ok(baseline),
                Ok(targets),
            ) = (code, objective, title, indicator, unit, baseline, targets)
            {
                results.push(ResultTable {
                    code,
                    objective,
                    title,
                    indicator: indicator.unwrap_or_default(),
                    unit: unit.unwrap_or_default(),
                    baseline: baseline.map(Number),
                    targets,
                });
            }
        }
        results
    }

    fn actions(&mut self, table: &Table, header: &Header) -> Vec<ActionTable> {
        let mut actions = Vec::new();
        for row in header.data(table) {
            let mut cells = Cells::new(table, header, row, &mut self.problems);
            let code = claim(&mut self.codes, &mut cells, table, row.number);
            let section = known_section(&self.sections, &mut cells);
            let objective = cells.text("objective").and_then(|objective| {
                let Some(objective) = objective else {
                    return Ok(None);
                };
                let its_section = known_objective(&self.objectives, &mut cells, &objective)?;
                match (its_section, &section) {
                    (Some(its), Ok(section)) if its != *section => Err(cells.complain(
                        "objective",
                        format!(
                            "objective {objective:?} belongs to section {its:?}, not {section:?}"
                        ),
                    )),
                    _ => Ok(Some(objective)),
                }
            });
            let title = required_text(&mut cells, "title");
            let owner = cells.text("owner");
            let owners = owners(&mut cells);
            let start = cells.date("start");
            // No due date with a start: an open-ended action.
            let due = match (cells.date("due"), &start) {
                (Ok(None), Ok(None)) => Err(cells.complain(
                    "due",
                    "empty: give a due date, or a start date for an open-ended action",
                )),
                (Ok(Some(due)), Ok(Some(start))) if due < *start => {
                    Err(cells.complain("due", "the due date is before the start date"))
                }
                (due, _) => due,
            };
            let weight = cells.number("weight").and_then(|weight| match weight {
                Some(w) if w <= 0.0 => {
                    Err(cells.complain("weight", "the weight must be a positive number"))
                }
                w => Ok(w.map(Number)),
            });
            if let (
                Ok(code),
                Ok(section),
                Ok(objective),
                Ok(title),
                Ok(owner),
                Ok(owners),
                Ok(start),
                Ok(due),
                Ok(weight),
            ) = (
                code, section, objective, title, owner, owners, start, due, weight,
            ) {
                actions.push(ActionTable {
                    code,
                    section,
                    objective,
                    title,
                    owner,
                    owners,
                    start,
                    due,
                    weight,
                });
            }
        }
        actions
    }
}

/// A year's target: a number, or words ("almeno 80 amministrazioni"). What looks like a
/// number is read as one, so that `2,5` is still refused rather than kept as words.
fn target_at(cells: &mut Cells<'_>, column: u32) -> Field<TargetCell> {
    if let Value::Text(text) = cells.value_at(column) {
        let text = text.trim();
        let numeric = text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '+' | 'e' | 'E' | ' '));
        if !text.is_empty() && !numeric {
            return Ok(Some(TargetCell::Text(text.to_owned())));
        }
    }
    Ok(cells
        .number_at(column)?
        .map(|n| TargetCell::Number(Number(n))))
}

fn required_text(cells: &mut Cells<'_>, key: &str) -> Result<String, Reported> {
    let text = cells.text(key);
    cells.needed(key, text)
}

/// A plan's or a section's id: it becomes a room alias.
fn id(cells: &mut Cells<'_>) -> Result<String, Reported> {
    let id = required_text(cells, "id")?;
    if is_id(&id) {
        Ok(id)
    } else {
        // The rule quotes the id: a line break in it stays on the message's one line.
        Err(cells.complain("id", id_rule(&id.escape_debug().to_string())))
    }
}

/// A code of an objective, result or action: one word, unique across the plan.
fn claim(
    codes: &mut HashMap<String, String>,
    cells: &mut Cells<'_>,
    table: &Table,
    row: u32,
) -> Result<String, Reported> {
    let code = required_text(cells, "code")?;
    if code.chars().any(char::is_whitespace) {
        return Err(cells.complain("code", "a code is one word, e.g. OB.1.1"));
    }
    match codes.get(&code) {
        Some(first) => Err(cells.complain(
            "code",
            format!("duplicate code {code:?} (first at {first})"),
        )),
        None => {
            codes.insert(code.clone(), format!("{}, row {row}", table.name));
            Ok(code)
        }
    }
}

fn known_section(
    sections: &HashMap<String, u32>,
    cells: &mut Cells<'_>,
) -> Result<String, Reported> {
    let section = required_text(cells, "section")?;
    if sections.contains_key(&section) {
        Ok(section)
    } else {
        Err(cells.complain("section", format!("unknown section {section:?}")))
    }
}

/// The section of a known objective (`None` when its own row names none that exists).
fn known_objective(
    objectives: &HashMap<String, Option<String>>,
    cells: &mut Cells<'_>,
    objective: &str,
) -> Result<Option<String>, Reported> {
    match objectives.get(objective) {
        Some(section) => Ok(section.clone()),
        None => Err(cells.complain("objective", format!("unknown objective {objective:?}"))),
    }
}

/// The owners' Matrix user IDs, separated by commas, semicolons, spaces or line breaks.
fn owners(cells: &mut Cells<'_>) -> Result<Vec<String>, Reported> {
    let Some(text) = cells.text("owners")? else {
        return Ok(Vec::new());
    };
    let owners: Vec<String> = text
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .collect();
    match owners.iter().find(|id| !pspm_config::is_user_id(id)) {
        Some(bad) => Err(cells.complain(
            "owners",
            format!("{bad:?} is not a Matrix user ID like @name:server"),
        )),
        None => Ok(owners),
    }
}
