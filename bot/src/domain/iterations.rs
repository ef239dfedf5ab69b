//! Iterations of the consultation. The first starts from the plan file's draft; a moderator's
//! `!iteration close <name>` freezes the text as it reads then (accepted amendments applied)
//! as a named version, and the next iteration starts from that version: the bot posts it
//! again, and its items take fresh votes and comments.
//!
//! What belongs to which iteration: a draft item carries the iteration it was posted in (its
//! votes and comments are its own); proposals, amendments, comments and polls belong to the
//! iteration their time falls in, the boundaries being the closes' times, which the log keeps.
//! A paragraph keeps its id from version to version; a deleted one's id is never given again;
//! one an amendment added gets the section's next unused number when its version is frozen.

use std::collections::{BTreeMap, HashMap};

use pspm_config::draft::{fingerprint, Format, Kind, Paragraph, ParagraphId};

use super::amendments::{AmendKind, Amendment, AmendmentState};
use super::i18n::{Catalogue, Msg, Rendered};
use super::{Change, Settings, State};

/// The longest name an iteration's version may have.
pub const MAX_NAME_CHARS: usize = 80;

/// A closed iteration: the version of the text it produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// The iteration it closed, from 1.
    pub number: u32,
    /// As the moderator named it: "blueprint 2026".
    pub name: String,
    /// The close command's time: what came before belongs to this iteration.
    pub closed_ms: i64,
    pub closed_by: String,
    /// Each section's text at the close, by section id.
    pub sections: BTreeMap<String, VersionText>,
}

/// A section's text in a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionText {
    /// In reading order.
    pub paragraphs: Vec<Paragraph>,
    /// The highest number any paragraph of the section ever had, deleted ones included: a
    /// paragraph added later gets the next, so no id stands for two different paragraphs.
    pub last_number: u32,
}

/// The closed iterations, in order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Iterations {
    pub closed: Vec<Version>,
}

impl Iterations {
    pub fn apply(&mut self, change: &Change) {
        if let Change::IterationClosed(version) = change {
            // A version is recorded once; the same record applied again changes nothing.
            self.closed.retain(|v| v.number != version.number);
            self.closed.push(version.clone());
            self.closed.sort_by_key(|v| v.number);
        }
    }

    /// The iteration under way, from 1.
    pub fn current(&self) -> u32 {
        u32::try_from(self.closed.len()).unwrap_or(u32::MAX - 1) + 1
    }

    /// The iteration a record made at `at_ms` belongs to.
    pub fn of_ms(&self, at_ms: i64) -> u32 {
        let before = self.closed.iter().filter(|v| v.closed_ms < at_ms).count();
        u32::try_from(before).unwrap_or(u32::MAX - 1) + 1
    }

    /// Whether a record made at `at_ms` belongs to the iteration under way.
    pub fn is_current(&self, at_ms: i64) -> bool {
        self.of_ms(at_ms) == self.current()
    }

    /// The last version closed, which the current iteration started from.
    pub fn latest(&self) -> Option<&Version> {
        self.closed.last()
    }

    pub fn version(&self, number: u32) -> Option<&Version> {
        self.closed.iter().find(|v| v.number == number)
    }

    /// The start of iteration `number` (the close of the one before), if it is not the first.
    pub fn started_ms(&self, number: u32) -> Option<i64> {
        self.version(number.checked_sub(1)?).map(|v| v.closed_ms)
    }

    /// An iteration as people name it: a version's name (any case), or its number, the
    /// current one's included.
    pub fn find(&self, given: &str) -> Option<u32> {
        let given = given.trim();
        if let Ok(number) = given.parse::<u32>() {
            return (1..=self.current()).contains(&number).then_some(number);
        }
        let wanted = given.to_lowercase();
        self.closed
            .iter()
            .find(|v| v.name.to_lowercase() == wanted)
            .map(|v| v.number)
    }
}

/// The refusal of a vote, comment or decision on a record made at `at_ms`, if that record
/// belongs to a closed iteration.
pub fn refusal_if_closed(state: &State, catalogue: &Catalogue, at_ms: i64) -> Option<Rendered> {
    let iteration = state.iterations.of_ms(at_ms);
    (iteration != state.iterations.current()).then(|| closed_refusal(state, catalogue, iteration))
}

/// The reply to a vote, comment or decision on what belongs to a closed iteration: what was
/// voted and said there stays as it was.
pub fn closed_refusal(state: &State, catalogue: &Catalogue, iteration: u32) -> Rendered {
    let name = state
        .iterations
        .version(iteration)
        .map_or_else(String::new, |v| v.name.clone());
    catalogue.render(
        Msg::IterationClosedRecord,
        &[
            ("number", &iteration.to_string()),
            ("name", &name),
            ("current", &state.iterations.current().to_string()),
        ],
    )
}

/// The id under which a draft item is kept: its key (`§2.3`, `action/A1`, `amendment/A4`),
/// with the iteration after an `@` from the second on (the first's ids are the keys alone, as
/// they were before iterations).
pub fn item_id(iteration: u32, key: &str) -> String {
    if iteration <= 1 {
        key.to_owned()
    } else {
        format!("{key}@{iteration}")
    }
}

/// An item id's key and iteration.
pub fn split_item_id(id: &str) -> (&str, u32) {
    match id.rsplit_once('@') {
        Some((key, digits)) => match digits.parse::<u32>() {
            Ok(iteration) if iteration > 1 => (key, iteration),
            _ => (id, 1),
        },
        None => (id, 1),
    }
}

/// A section's text as iteration `iteration` started: the plan file's for the first, the
/// version the one before it closed with for the others (a section the plan file added since
/// starts from its text there).
pub fn base<'a>(
    settings: &'a Settings,
    state: &'a State,
    section: &str,
    iteration: u32,
) -> &'a [Paragraph] {
    match frozen_before(state, section, iteration) {
        Some(text) => &text.paragraphs,
        None => settings
            .section_of_id(section)
            .map_or(&[], |(_, s)| s.draft.as_slice()),
    }
}

/// The section's text in the version iteration `iteration` started from, if any.
fn frozen_before<'a>(state: &'a State, section: &str, iteration: u32) -> Option<&'a VersionText> {
    let previous = state.iterations.version(iteration.checked_sub(1)?)?;
    previous.sections.get(section)
}

/// The highest paragraph number `section` has had as iteration `iteration` started.
fn last_number(settings: &Settings, state: &State, section: &str, iteration: u32) -> u32 {
    match frozen_before(state, section, iteration) {
        Some(text) => text.last_number,
        None => base(settings, state, section, iteration)
            .iter()
            .map(|p| p.number)
            .max()
            .unwrap_or(0),
    }
}

/// Iteration `iteration`'s accepted amendments, by number.
pub fn accepted_in(state: &State, iteration: u32) -> impl Iterator<Item = &Amendment> {
    state.amendments.all.values().filter(move |a| {
        a.state == AmendmentState::Accepted && state.iterations.of_ms(a.created_ms) == iteration
    })
}

/// The accepted amendments of iteration `iteration` to paragraph `paragraph` (`§2.3`), in the
/// order they were accepted.
pub fn accepted_on<'a>(state: &'a State, paragraph: &str, iteration: u32) -> Vec<&'a Amendment> {
    let mut accepted: Vec<&Amendment> = accepted_in(state, iteration)
        .filter(|a| a.paragraph == paragraph)
        .collect();
    accepted.sort_by_key(|a| (a.decided_ms, a.number));
    accepted
}

/// A paragraph of an iteration's base with the iteration's accepted amendments to it applied,
/// in the order they were accepted.
#[derive(Debug)]
pub struct Amended<'a> {
    pub paragraph: &'a Paragraph,
    /// The last accepted replacement, whose text it now has.
    pub replaced_by: Option<&'a Amendment>,
    /// Deleted by an amendment accepted after any replacement.
    pub deleted: bool,
    /// The amendments that added a paragraph after it.
    pub added: Vec<&'a Amendment>,
}

impl<'a> Amended<'a> {
    /// Its text now; `None` once deleted.
    pub fn text(&self) -> Option<&'a str> {
        if self.deleted {
            return None;
        }
        Some(self.replaced_by.map_or(&self.paragraph.text, |a| &a.text))
    }
}

/// `base` (the paragraphs of section number `section`) with iteration `iteration`'s accepted
/// amendments applied. The amendments are read once, whatever the number of paragraphs.
pub fn amended<'a>(
    state: &'a State,
    section: u32,
    base: &'a [Paragraph],
    iteration: u32,
) -> Vec<Amended<'a>> {
    let mut by_paragraph: HashMap<&str, Vec<&Amendment>> = HashMap::new();
    for amendment in accepted_in(state, iteration) {
        by_paragraph
            .entry(amendment.paragraph.as_str())
            .or_default()
            .push(amendment);
    }
    base.iter()
        .map(|paragraph| {
            let id = ParagraphId::new(section, paragraph.number).to_string();
            let mut accepted = by_paragraph.remove(id.as_str()).unwrap_or_default();
            accepted.sort_by_key(|a| (a.decided_ms, a.number));
            amend(paragraph, accepted)
        })
        .collect()
}

/// `paragraph` with `accepted` (its accepted amendments, in the order accepted) applied.
pub fn amend<'a>(paragraph: &'a Paragraph, accepted: Vec<&'a Amendment>) -> Amended<'a> {
    let mut amended = Amended {
        paragraph,
        replaced_by: None,
        deleted: false,
        added: Vec::new(),
    };
    for amendment in accepted {
        match amendment.kind {
            AmendKind::Replace => {
                amended.replaced_by = Some(amendment);
                amended.deleted = false;
            }
            AmendKind::Delete => amended.deleted = true,
            AmendKind::InsertAfter => amended.added.push(amendment),
        }
    }
    amended
}

/// A section's text at the end of iteration `iteration` as it reads now: its base with the
/// iteration's accepted amendments applied. Paragraphs added are numbered after the
/// section's last number, in reading order.
pub fn amended_text(
    settings: &Settings,
    state: &State,
    section: &str,
    iteration: u32,
) -> VersionText {
    let base = base(settings, state, section, iteration);
    let Some(position) = settings.section_of_id(section).map(|(_, s)| s.position) else {
        return VersionText {
            paragraphs: base.to_vec(),
            last_number: 0,
        };
    };
    let section_number = u32::try_from(position + 1).unwrap_or(u32::MAX);
    let mut next = last_number(settings, state, section, iteration);
    let mut paragraphs = Vec::with_capacity(base.len());
    for amended in amended(state, section_number, base, iteration) {
        match (amended.text(), amended.replaced_by) {
            (None, _) => {}
            (Some(text), Some(_)) => paragraphs.push(Paragraph {
                text: text.to_owned(),
                fingerprint: fingerprint(text),
                ..amended.paragraph.clone()
            }),
            (Some(_), None) => paragraphs.push(amended.paragraph.clone()),
        }
        for addition in amended.added {
            next = next.saturating_add(1);
            paragraphs.push(Paragraph {
                number: next,
                kind: Kind::Paragraph,
                // Typed in chat: words, not markup.
                format: Format::Text,
                text: addition.text.clone(),
                fingerprint: fingerprint(&addition.text),
            });
        }
    }
    VersionText {
        paragraphs,
        last_number: next,
    }
}

/// The version iteration `state.iterations.current()` closes with, named `name`.
pub fn freeze(settings: &Settings, state: &State, name: &str, by: &str, at_ms: i64) -> Version {
    let iteration = state.iterations.current();
    let mut sections: Vec<_> = settings.sections.values().collect();
    sections.sort_by_key(|s| s.position);
    let sections = sections
        .into_iter()
        .map(|s| {
            (
                s.id.clone(),
                amended_text(settings, state, &s.id, iteration),
            )
        })
        .filter(|(_, text)| !text.paragraphs.is_empty())
        .collect();
    Version {
        number: iteration,
        name: name.trim().to_owned(),
        closed_ms: at_ms,
        closed_by: by.to_owned(),
        sections,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_ids_of_the_first_iteration_are_the_keys_alone() {
        assert_eq!(item_id(1, "§2.3"), "§2.3");
        assert_eq!(item_id(2, "§2.3"), "§2.3@2");
        assert_eq!(split_item_id("§2.3@2"), ("§2.3", 2));
        assert_eq!(split_item_id("action/A1@13"), ("action/A1", 13));
        assert_eq!(split_item_id("§2.3"), ("§2.3", 1));
        assert_eq!(split_item_id("action/a@b"), ("action/a@b", 1));
    }

    #[test]
    fn a_record_belongs_to_the_iteration_its_time_falls_in() {
        let mut iterations = Iterations::default();
        assert_eq!((iterations.current(), iterations.of_ms(5)), (1, 1));
        for (number, closed_ms) in [(1, 100), (2, 200)] {
            iterations.apply(&Change::IterationClosed(Version {
                number,
                name: format!("v{number}"),
                closed_ms,
                closed_by: "@m:hs".into(),
                sections: BTreeMap::new(),
            }));
        }
        assert_eq!(iterations.current(), 3);
        assert_eq!(
            [0, 100, 101, 200, 201].map(|ms| iterations.of_ms(ms)),
            [1, 1, 2, 2, 3]
        );
        assert_eq!(iterations.find("V1"), Some(1));
        assert_eq!(iterations.find(" v2 "), Some(2));
        assert_eq!(iterations.find("3"), Some(3));
        assert_eq!(iterations.find("4"), None);
        assert_eq!(iterations.find("blueprint"), None);
        assert_eq!(iterations.started_ms(3), Some(200));
        assert_eq!(iterations.started_ms(1), None);
    }
}
