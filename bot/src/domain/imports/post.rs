//! Updates into the bot's import messages: each checked against the plan (an action or a
//! result it has), those already applied left out, the rest grouped by the section room they
//! belong to, in batches of up to [`MAX_PER_MESSAGE`] updates and [`MAX_BATCH_BYTES`] — few
//! messages, so that a bulk import stays within the homeserver's rate limits (10,000 rows are
//! about 40 messages), and each event well under Matrix's 64 KiB.

use std::collections::BTreeMap;

use super::{ImportBatch, Imported};
use crate::domain::i18n::{Msg, Rendered};
use crate::domain::monitoring::{find_action, format_number};
use crate::domain::participation::fingerprint;
use crate::domain::{Settings, State};

/// Most updates in one import message (about 110 bytes each without a note).
pub const MAX_PER_MESSAGE: usize = 250;
/// Most bytes of a message's updates as JSON: an event may have 64 KiB in all, and a note
/// up to a thousand characters makes one update 3 KiB or more.
pub const MAX_BATCH_BYTES: usize = 40_000;
/// Updates the message's text names; the rest are counted.
const NAMED_IN_TEXT: usize = 8;

/// One import message to send.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportPost {
    pub room_id: String,
    /// The transaction ID's seed: the same batch sent twice is one event.
    pub key: String,
    pub text: Rendered,
    pub batch: ImportBatch,
}

/// What [`prepare`] made of the updates.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub posts: Vec<ImportPost>,
    /// Updates to post.
    pub new: usize,
    /// Updates whose key was applied before: left out.
    pub already: usize,
}

/// The import messages for `updates` (each with a label for errors, such as its row), or
/// every update the plan has no place for, one line each.
pub fn prepare(
    settings: &Settings,
    state: &State,
    source: &str,
    updates: Vec<(String, Imported)>,
) -> Result<Prepared, Vec<String>> {
    let mut errors = Vec::new();
    let mut by_room: BTreeMap<String, Vec<Imported>> = BTreeMap::new();
    let mut already = 0;
    let mut new = 0;
    for (label, update) in updates {
        let section = match &update {
            Imported::Progress { action, .. } => {
                find_action(&settings.monitoring, &state.monitoring, action)
                    .map(|a| a.section.clone())
                    .ok_or_else(|| format!("{label}: the plan has no action {action}"))
            }
            Imported::Measurement { result, .. } => settings
                .monitoring
                .results
                .iter()
                .find(|r| r.code.eq_ignore_ascii_case(result))
                .and_then(|r| settings.monitoring.result_section(r))
                .map(str::to_owned)
                .ok_or_else(|| format!("{label}: the plan has no expected result {result}")),
        };
        let room = section.and_then(|section| {
            section_room(settings, &section)
                .ok_or_else(|| format!("{label}: section {section} has no room"))
        });
        match room {
            Err(error) => errors.push(error),
            Ok(_) if state.monitoring.imported.contains(update.key()) => already += 1,
            Ok(room) => {
                new += 1;
                by_room.entry(room).or_default().push(update);
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut posts = Vec::new();
    for (room_id, updates) in by_room {
        for chunk in batches(updates) {
            let batch = ImportBatch {
                source: source.to_owned(),
                updates: chunk,
            };
            let keys: Vec<&str> = batch.updates.iter().map(Imported::key).collect();
            let key = format!("import.{:016x}", fingerprint(&keys.join("\n")));
            posts.push(ImportPost {
                text: text(settings, &batch),
                room_id: room_id.clone(),
                key,
                batch,
            });
        }
    }
    Ok(Prepared {
        posts,
        new,
        already,
    })
}

/// `updates` in order, cut where a batch would pass [`MAX_PER_MESSAGE`] or
/// [`MAX_BATCH_BYTES`].
fn batches(updates: Vec<Imported>) -> Vec<Vec<Imported>> {
    let mut batches = Vec::new();
    let (mut batch, mut bytes) = (Vec::new(), 0);
    for update in updates {
        // Plain strings and numbers: serialising cannot fail.
        let size = serde_json::to_vec(&update).map_or(0, |json| json.len()) + 1;
        if !batch.is_empty() && (batch.len() == MAX_PER_MESSAGE || bytes + size > MAX_BATCH_BYTES) {
            batches.push(std::mem::take(&mut batch));
            bytes = 0;
        }
        bytes += size;
        batch.push(update);
    }
    if !batch.is_empty() {
        batches.push(batch);
    }
    batches
}

/// The room of the section with ID `section`.
fn section_room(settings: &Settings, section: &str) -> Option<String> {
    settings
        .sections
        .iter()
        .find(|(_, s)| s.id == section)
        .map(|(room, _)| room.clone())
}

/// What people read: how many updates, from where, the first few.
fn text(settings: &Settings, batch: &ImportBatch) -> Rendered {
    let catalogue = settings.catalogue();
    let mut items: Vec<String> = batch
        .updates
        .iter()
        .take(NAMED_IN_TEXT)
        .map(|update| match update {
            Imported::Progress {
                action,
                progress,
                date,
                ..
            } => match date {
                Some(date) => format!("{action} {progress}% ({date})"),
                None => format!("{action} {progress}%"),
            },
            Imported::Measurement {
                result,
                value,
                date,
                ..
            } => match date {
                Some(date) => format!("{result} = {} ({date})", format_number(*value)),
                None => format!("{result} = {}", format_number(*value)),
            },
        })
        .collect();
    let more = batch.updates.len().saturating_sub(NAMED_IN_TEXT);
    if more > 0 {
        items.push(
            catalogue
                .render(Msg::ImportMore, &[("count", &more.to_string())])
                .body,
        );
    }
    catalogue.render(
        Msg::ImportPosted,
        &[
            ("count", &batch.updates.len().to_string()),
            ("source", &batch.source),
            ("items", &items.join(", ")),
        ],
    )
}
