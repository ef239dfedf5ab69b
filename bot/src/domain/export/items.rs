//! The draft's consultable items in the export: each posted paragraph, objective and action
//! with its support and opposition (in total and per organisation) and its comments count,
//! and the comments in items' threads, each in the iteration it was posted in; as JSON rows
//! and as two CSV tables.

use std::collections::BTreeMap;

use pspm_config::draft::ParagraphId;
use serde::Serialize;

use super::csv::{voted_table, Csv};
use super::{item_votes, timestamp, Export, Votes};
use crate::domain::consultation::Item;
use crate::domain::{amendments, iterations, Settings, State};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemRow {
    /// `§2.3`, `objective/<code>`, `action/<code>` or `amendment/A<n>`.
    pub item: String,
    pub section: String,
    /// `paragraph` (any block of the text: heading, list, …), `objective`, `action` or
    /// `amendment`.
    pub kind: &'static str,
    /// The paragraph's text as posted in its iteration, the objective's or action's title,
    /// or the amendment's text.
    pub text: String,
    pub event_id: Option<String>,
    pub supports: u32,
    pub oppositions: u32,
    pub by_organisation: BTreeMap<String, Votes>,
    /// Comments in its thread still standing.
    pub comments: u32,
    /// The iteration it was posted in: its votes and comments are that iteration's.
    pub iteration: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemCommentRow {
    /// The item's key, as in [`ItemRow::item`].
    pub item: String,
    pub section: String,
    pub author: String,
    pub organisation: String,
    pub text: String,
    pub created_at: String,
    pub event_id: String,
    pub iteration: u32,
}

/// What an item is and says: a paragraph as its iteration posted it, an objective or action
/// from the plan file, an amendment as proposed.
fn described(settings: &Settings, state: &State, item: &Item) -> (&'static str, String) {
    let (section, key) = (item.section.as_str(), item.key.as_str());
    let plan = &settings.monitoring;
    if let Some(number) = key
        .strip_prefix("amendment/")
        .and_then(amendments::parse_number)
    {
        let text = state.amendments.all.get(&number).map(|a| a.text.clone());
        return ("amendment", text.unwrap_or_default());
    }
    if let Some(code) = key.strip_prefix("objective/") {
        let title = plan.objectives.iter().find(|o| o.code == code);
        return (
            "objective",
            title.map(|o| o.title.clone()).unwrap_or_default(),
        );
    }
    if let Some(code) = key.strip_prefix("action/") {
        let title = plan.actions.iter().find(|a| a.code == code);
        return ("action", title.map(|a| a.title.clone()).unwrap_or_default());
    }
    let text = ParagraphId::parse(key, None).ok().and_then(|id| {
        iterations::base(settings, state, section, item.iteration)
            .iter()
            .find(|p| p.number == id.paragraph)
            .map(|p| p.text.clone())
    });
    ("paragraph", text.unwrap_or_default())
}

/// Every posted item, by iteration, section and then in the order posted (paragraphs by
/// number).
pub fn items(settings: &Settings, state: &State) -> Vec<ItemRow> {
    let consultation = &state.consultation;
    let position = |section: &str| settings.section_of_id(section).map(|(_, s)| s.position);
    let order = |key: &str| match ParagraphId::parse(key, None) {
        Ok(id) => (0, id.paragraph, String::new()),
        Err(_) if key.starts_with("objective/") => (1, 0, key.to_owned()),
        Err(_) if key.starts_with("amendment/") => {
            let number = key
                .strip_prefix("amendment/")
                .and_then(amendments::parse_number);
            (3, number.unwrap_or_default(), String::new())
        }
        Err(_) => (2, 0, key.to_owned()),
    };
    let mut rows: Vec<_> = consultation.items.values().collect();
    rows.sort_by_key(|i| (i.iteration, position(&i.section), order(&i.key)));
    rows.into_iter()
        .map(|item| {
            let (kind, text) = described(settings, state, item);
            // Ballots and comments are kept under the item's id, its key in iteration 1.
            let id = item.id();
            let (votes, by_organisation) = item_votes(state, &id);
            ItemRow {
                item: item.key.clone(),
                section: item.section.clone(),
                kind,
                text,
                event_id: item.event_id.clone(),
                supports: votes.supports,
                oppositions: votes.oppositions,
                by_organisation,
                comments: consultation.comments_on(&id).len() as u32,
                iteration: item.iteration,
            }
        })
        .collect()
}

/// Every comment on an item still standing, oldest first. A deleted one leaves no row: room
/// history keeps nothing of it, so a rebuild from history gives the same export.
pub fn item_comments(state: &State) -> Vec<ItemCommentRow> {
    let mut rows: Vec<ItemCommentRow> = state
        .consultation
        .comments
        .values()
        .filter(|c| !c.redacted)
        .map(|c| {
            let (key, iteration) = iterations::split_item_id(&c.item);
            ItemCommentRow {
                item: key.to_owned(),
                section: c.section.clone(),
                author: c.author.clone(),
                organisation: c.organisation.clone(),
                text: c.text.clone(),
                created_at: timestamp(c.at_ms),
                event_id: c.event_id.clone(),
                iteration,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        a.created_at
            .cmp(&b.created_at)
            .then(a.event_id.cmp(&b.event_id))
    });
    rows
}

impl Export {
    pub(super) fn items_csv(&self) -> String {
        let rows = self.items.iter().map(|i| {
            let cells = vec![
                i.item.clone(),
                i.section.clone(),
                i.kind.to_owned(),
                i.text.clone(),
                i.event_id.clone().unwrap_or_default(),
                i.supports.to_string(),
                i.oppositions.to_string(),
                i.comments.to_string(),
                i.iteration.to_string(),
            ];
            (cells, &i.by_organisation)
        });
        voted_table(
            &[
                "item",
                "section",
                "kind",
                "text",
                "event_id",
                "supports",
                "oppositions",
                "comments",
                "iteration",
            ],
            rows.collect(),
        )
    }

    pub(super) fn item_comments_csv(&self) -> String {
        let mut csv = Csv::new();
        csv.row([
            "item",
            "section",
            "author",
            "organisation",
            "text",
            "created_at",
            "event_id",
            "iteration",
        ]);
        for c in &self.item_comments {
            let iteration = c.iteration.to_string();
            csv.row([
                c.item.as_str(),
                &c.section,
                &c.author,
                &c.organisation,
                &c.text,
                &c.created_at,
                &c.event_id,
                &iteration,
            ]);
        }
        csv.finish()
    }
}
