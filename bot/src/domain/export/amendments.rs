//! The amendments in the export: each `A<n>` with what it does to which paragraph, its state
//! and answer, and the votes on its card (in total and per organisation), in the iteration it
//! was proposed in; as JSON rows and as a CSV table.

use std::collections::BTreeMap;

use serde::Serialize;

use super::csv::voted_table;
use super::{item_votes, timestamp, Export, Votes};
use crate::domain::{iterations, State};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AmendmentRow {
    /// `3` for `A3`.
    pub number: u32,
    pub section: String,
    /// The paragraph it amends, `§2.3`.
    pub paragraph: String,
    /// `replace`, `delete` or `insert_after`.
    pub kind: &'static str,
    /// The new text; empty for a deletion.
    pub text: String,
    /// `open`, `accepted` or `rejected`.
    pub state: &'static str,
    /// The moderator's reason or answer.
    pub answer: Option<String>,
    pub author: String,
    pub organisation: String,
    pub created_at: String,
    /// When a moderator accepted or rejected it.
    pub decided_at: Option<String>,
    /// The iteration it was proposed in.
    pub iteration: u32,
    /// On its card.
    pub supports: u32,
    pub oppositions: u32,
    pub by_organisation: BTreeMap<String, Votes>,
    /// The message it was proposed in.
    pub event_id: String,
}

/// Every amendment, by number.
pub fn amendments(state: &State) -> Vec<AmendmentRow> {
    state
        .amendments
        .all
        .values()
        .map(|a| {
            let iteration = state.iterations.of_ms(a.created_ms);
            // Its card is an item of the iteration it was proposed in.
            let card = iterations::item_id(iteration, &a.item_key());
            let (votes, by_organisation) = item_votes(state, &card);
            AmendmentRow {
                number: a.number,
                section: a.section.clone(),
                paragraph: a.paragraph.clone(),
                kind: a.kind.name(),
                text: a.text.clone(),
                state: a.state.name(),
                answer: a.answer.clone(),
                author: a.author.clone(),
                organisation: a.organisation.clone(),
                created_at: timestamp(a.created_ms),
                decided_at: a.decided_ms.map(timestamp),
                iteration,
                supports: votes.supports,
                oppositions: votes.oppositions,
                by_organisation,
                event_id: a.source_event.clone(),
            }
        })
        .collect()
}

impl Export {
    pub(super) fn amendments_csv(&self) -> String {
        let rows = self.amendments.iter().map(|a| {
            let cells = vec![
                a.number.to_string(),
                a.section.clone(),
                a.paragraph.clone(),
                a.kind.to_owned(),
                a.text.clone(),
                a.state.to_owned(),
                a.answer.clone().unwrap_or_default(),
                a.author.clone(),
                a.organisation.clone(),
                a.created_at.clone(),
                a.decided_at.clone().unwrap_or_default(),
                a.iteration.to_string(),
                a.supports.to_string(),
                a.oppositions.to_string(),
                a.event_id.clone(),
            ];
            (cells, &a.by_organisation)
        });
        voted_table(
            &[
                "number",
                "section",
                "paragraph",
                "kind",
                "text",
                "state",
                "answer",
                "author",
                "organisation",
                "created_at",
                "decided_at",
                "iteration",
                "supports",
                "oppositions",
                "event_id",
            ],
            rows.collect(),
        )
    }
}
