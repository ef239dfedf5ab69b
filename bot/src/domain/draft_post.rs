//! Posting a section's draft once per iteration, when it is in consultation: an opening
//! notice, then one message per paragraph (headings too, each its own short message, so every
//! item has an id to vote and comment on), then a card per objective and action of the plan
//! file. Each is recorded as a [`Change::DraftItem`] before it is sent, so a restart or a
//! rebuild posts nothing again. A new iteration posts the version it starts from.

use pspm_config::draft::{Kind, ParagraphId};

use super::consultation::{action_key, objective_key, Item};
use super::i18n::{Msg, Rendered};
use super::iterations;
use super::participation::Phase;
use super::tracking::owner_text;
use super::{Change, Effects, Notice, SectionSettings, Settings, State};

/// The prefix of the keys of draft notices (their transaction IDs derive from them).
pub const KEY_PREFIX: &str = "draft/";

/// The drafts due: every section in consultation with a draft text, not posted yet in the
/// current iteration.
pub fn due(settings: &Settings, state: &State) -> Effects {
    let mut sections: Vec<(&String, &SectionSettings)> = settings.sections.iter().collect();
    sections.sort_by_key(|(_, s)| s.position);
    let iteration = state.iterations.current();
    let mut effects = Effects::default();
    for (room_id, section) in sections {
        let phase = state
            .participation
            .phase(&section.id, section.default_phase);
        // Only a section with a draft text: a plan file kept for monitoring alone (objectives
        // and actions, no text) posts nothing new when the bot is upgraded.
        if iterations::base(settings, state, &section.id, iteration).is_empty()
            || phase != Phase::Consultation
            || state.consultation.posted(&section.id, iteration)
        {
            continue;
        }
        post(settings, state, room_id, section, &mut effects);
    }
    effects
}

/// Whether `changes` may make a draft due: a section moved into consultation, or an
/// iteration closed (the next one posts its version).
pub fn may_post(changes: &[Change]) -> bool {
    changes.iter().any(|change| {
        matches!(
            change,
            Change::Phase {
                phase: Phase::Consultation,
                ..
            } | Change::IterationClosed(_)
        )
    })
}

/// The items of one section, in the order people read them.
fn post(
    settings: &Settings,
    state: &State,
    room_id: &str,
    section: &SectionSettings,
    effects: &mut Effects,
) {
    // Everyone reads the draft: the plan's language.
    let catalogue = settings.catalogue();
    let number = section.position as u32 + 1;
    let iteration = state.iterations.current();
    let mut items: Vec<(String, Rendered)> = Vec::new();
    for paragraph in iterations::base(settings, state, &section.id, iteration) {
        let id = ParagraphId::new(number, paragraph.number);
        let text = match paragraph.kind {
            Kind::Heading(_) => catalogue.render(
                Msg::ItemHeading,
                &[
                    ("id", &id.short()),
                    ("text", &heading_title(&paragraph.text)),
                ],
            ),
            _ => catalogue.render(
                Msg::ItemParagraph,
                &[("id", &id.short()), ("text", &paragraph.flowing_text())],
            ),
        };
        items.push((id.to_string(), text));
    }
    let plan = &settings.monitoring;
    for objective in plan.objectives.iter().filter(|o| o.section == section.id) {
        let text = catalogue.render(
            Msg::ItemObjective,
            &[("code", &objective.code), ("title", &objective.title)],
        );
        items.push((objective_key(&objective.code), text));
    }
    for action in plan.actions.iter().filter(|a| a.section == section.id) {
        let due = action.due.map_or_else(
            || catalogue.template(Msg::StatusOngoing).to_owned(),
            |d| d.to_string(),
        );
        let text = catalogue.render(
            Msg::ItemAction,
            &[
                ("code", &action.code),
                ("title", &action.title),
                ("owner", &owner_text(catalogue, action)),
                ("due", &due),
            ],
        );
        items.push((action_key(&action.code), text));
    }
    if items.is_empty() {
        return;
    }
    let count = items.len().to_string();
    let intro = match state.iterations.latest() {
        None => catalogue.render(
            Msg::DraftPosted,
            &[("section", &section.title), ("count", &count)],
        ),
        Some(version) => catalogue.render(
            Msg::DraftPostedVersion,
            &[
                ("section", &section.title),
                ("count", &count),
                ("iteration", &iteration.to_string()),
                ("version", &version.name),
            ],
        ),
    };
    effects.notices.push(notice(
        room_id,
        iterations::item_id(iteration, &format!("{KEY_PREFIX}{}/intro", section.id)),
        intro,
        None,
    ));
    for (key, text) in items {
        let item = Item {
            key,
            iteration,
            section: section.id.clone(),
            room_id: room_id.to_owned(),
            event_id: None,
        };
        let id = item.id();
        effects.changes.push(Change::DraftItem(item));
        effects.notices.push(notice(
            room_id,
            format!("{KEY_PREFIX}{}/{id}", section.id),
            text,
            Some(id),
        ));
    }
}

/// A heading's words without its markup: Markdown's `#`s, the over- and underlines of
/// reStructuredText and of Markdown's setext headings.
fn heading_title(text: &str) -> String {
    let adornment = |line: &str| {
        let mut chars = line.chars();
        chars.next().is_some_and(|first| {
            !first.is_alphanumeric() && line.chars().count() > 1 && chars.all(|c| c == first)
        })
    };
    let words: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !adornment(line))
        .collect();
    words
        .join(" ")
        .trim_start_matches('#')
        .trim_end_matches('#')
        .trim()
        .to_owned()
}

fn notice(room_id: &str, key: String, text: Rendered, item: Option<String>) -> Notice {
    Notice {
        room_id: room_id.to_owned(),
        key,
        text,
        tombstone: None,
        mentions: Vec::new(),
        secret_tally: None,
        item,
    }
}
