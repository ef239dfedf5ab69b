//! The iterations of the consultation in the export: each closed one with its version's name,
//! when it started and closed, who closed it and how many paragraphs its version has, then
//! the one under way; as JSON rows and as a CSV table.

use serde::Serialize;

use super::csv::Csv;
use super::{timestamp, Export};
use crate::domain::State;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IterationRow {
    /// From 1.
    pub number: u32,
    /// Its version's name; `None` for the one under way.
    pub name: Option<String>,
    /// `closed` or `current`.
    pub state: &'static str,
    /// The close of the iteration before; `None` for the first.
    pub started_at: Option<String>,
    pub closed_at: Option<String>,
    pub closed_by: Option<String>,
    /// The paragraphs of its version, every section's; `None` for the one under way.
    pub paragraphs: Option<u32>,
}

/// Every iteration, the closed ones then the one under way.
pub fn iterations(state: &State) -> Vec<IterationRow> {
    let iterations = &state.iterations;
    let started = |number: u32| iterations.started_ms(number).map(timestamp);
    iterations
        .closed
        .iter()
        .map(|v| IterationRow {
            number: v.number,
            name: Some(v.name.clone()),
            state: "closed",
            started_at: started(v.number),
            closed_at: Some(timestamp(v.closed_ms)),
            closed_by: Some(v.closed_by.clone()),
            paragraphs: Some(
                v.sections
                    .values()
                    .map(|t| u32::try_from(t.paragraphs.len()).unwrap_or(u32::MAX))
                    .sum(),
            ),
        })
        .chain(std::iter::once(IterationRow {
            number: iterations.current(),
            name: None,
            state: "current",
            started_at: started(iterations.current()),
            closed_at: None,
            closed_by: None,
            paragraphs: None,
        }))
        .collect()
}

impl Export {
    pub(super) fn iterations_csv(&self) -> String {
        let mut csv = Csv::new();
        csv.row([
            "number",
            "name",
            "state",
            "started_at",
            "closed_at",
            "closed_by",
            "paragraphs",
        ]);
        for i in &self.iterations {
            let row = [
                i.number.to_string(),
                i.name.clone().unwrap_or_default(),
                i.state.to_owned(),
                i.started_at.clone().unwrap_or_default(),
                i.closed_at.clone().unwrap_or_default(),
                i.closed_by.clone().unwrap_or_default(),
                i.paragraphs.map(|n| n.to_string()).unwrap_or_default(),
            ];
            csv.row(row.iter().map(String::as_str));
        }
        csv.finish()
    }
}
