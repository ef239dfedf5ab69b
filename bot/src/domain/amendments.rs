//! Amendments to the draft: `A<n>` replaces a paragraph, deletes it or adds a paragraph after
//! it. Each is a consultable item (its card, `amendment/A<n>`, takes 👍/👎 and comments like a
//! paragraph); moderators accept or reject it. The current text of a paragraph is the one the
//! iteration started from (the plan file's, then the last version's) with the iteration's
//! accepted amendments applied in the order they were accepted; an amendment made on a text
//! that has changed since, or in a closed iteration, cannot be accepted (a merged one, on the
//! current text, must be proposed).

use std::collections::BTreeMap;

use similar::{ChangeTag, TextDiff};

use super::i18n::{Catalogue, Msg, Rendered};
use super::iterations;
use super::participation::fingerprint;
use super::{Change, Settings, State};

/// What an amendment does to its paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmendKind {
    /// The paragraph's text becomes the amendment's.
    Replace,
    /// The paragraph goes.
    Delete,
    /// The amendment's text is added as a paragraph after it.
    InsertAfter,
}

impl AmendKind {
    pub fn name(self) -> &'static str {
        match self {
            AmendKind::Replace => "replace",
            AmendKind::Delete => "delete",
            AmendKind::InsertAfter => "insert_after",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmendmentState {
    Open,
    Accepted,
    Rejected,
}

impl AmendmentState {
    pub fn name(&self) -> &'static str {
        match self {
            AmendmentState::Open => "open",
            AmendmentState::Accepted => "accepted",
            AmendmentState::Rejected => "rejected",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amendment {
    pub number: u32,
    pub section: String,
    pub room_id: String,
    /// The paragraph it amends, `§2.3`.
    pub paragraph: String,
    pub kind: AmendKind,
    /// The new text (empty for a deletion).
    pub text: String,
    /// [`fingerprint`] of the paragraph's current text when it was proposed.
    pub base: u64,
    pub author: String,
    pub organisation: String,
    pub created_ms: i64,
    pub source_event: String,
    pub state: AmendmentState,
    /// The moderator's reason or answer.
    pub answer: Option<String>,
    /// When it was accepted: the order accepted amendments apply in.
    pub decided_ms: Option<i64>,
}

impl Amendment {
    /// Its item key, for its card's ballots and comments.
    pub fn item_key(&self) -> String {
        item_key(self.number)
    }
}

pub fn item_key(number: u32) -> String {
    format!("amendment/A{number}")
}

/// `A3`, `a3` → 3.
pub fn parse_number(word: &str) -> Option<u32> {
    let digits = word.strip_prefix(['A', 'a'])?;
    digits.parse().ok().filter(|n| *n > 0)
}

/// Every amendment, by number.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Amendments {
    pub all: BTreeMap<u32, Amendment>,
}

impl Amendments {
    pub fn put(&mut self, amendment: &Amendment) {
        self.all.insert(amendment.number, amendment.clone());
    }

    pub fn next_number(&self) -> u32 {
        self.all.keys().next_back().map_or(1, |n| n + 1)
    }
}

/// A paragraph as it reads now: its text as the current iteration started (the plan file's,
/// or the last version's) with the iteration's accepted replacements and deletions applied
/// (`None`: deleted, or no such paragraph), and the paragraphs accepted after it, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Current {
    pub text: Option<String>,
    pub added_after: Vec<(u32, String)>,
}

pub fn current(settings: &Settings, state: &State, section: &str, paragraph: &str) -> Current {
    let iteration = state.iterations.current();
    let base = iterations::base(settings, state, section, iteration);
    // One paragraph: its own amendments are found without indexing them all.
    let found = pspm_config::draft::ParagraphId::parse(paragraph, None)
        .ok()
        .and_then(|id| base.iter().find(|p| p.number == id.paragraph))
        .map(|p| iterations::amend(p, iterations::accepted_on(state, paragraph, iteration)));
    let Some(amended) = found else {
        return Current {
            text: None,
            added_after: Vec::new(),
        };
    };
    Current {
        text: amended.text().map(str::to_owned),
        added_after: amended
            .added
            .iter()
            .map(|a| (a.number, a.text.clone()))
            .collect(),
    }
}

/// The fingerprint an amendment's `base` is compared with: of the current text, or of
/// nothing for a deleted paragraph.
pub fn base_of(current: &Current) -> u64 {
    fingerprint(current.text.as_deref().unwrap_or_default())
}

/// A word diff of `old` to `new` in one line of plain text: `[-removed-]{+added+}`, as
/// `git diff --word-diff` writes it.
pub fn word_diff(old: &str, new: &str) -> String {
    let diff = TextDiff::from_words(old, new);
    let mut out = String::new();
    let mut open: Option<ChangeTag> = None;
    let close = |out: &mut String, tag: Option<ChangeTag>| match tag {
        Some(ChangeTag::Delete) => out.push_str("-]"),
        Some(ChangeTag::Insert) => out.push_str("+}"),
        _ => {}
    };
    for change in diff.iter_all_changes() {
        let tag = change.tag();
        if open != Some(tag) {
            close(&mut out, open);
            match tag {
                ChangeTag::Delete => out.push_str("[-"),
                ChangeTag::Insert => out.push_str("{+"),
                ChangeTag::Equal => {}
            }
            open = Some(tag);
        }
        out.push_str(change.value());
    }
    close(&mut out, open);
    out
}

/// A moderator's decision on amendment `number`: accepted (its text becomes the paragraph's
/// current one, unless that changed since it was proposed) or rejected with a reason. The
/// change to record and the reply, or the refusal.
pub fn decide(
    settings: &Settings,
    state: &State,
    catalogue: &Catalogue,
    number: u32,
    accept: bool,
    answer: Option<String>,
    at_ms: i64,
) -> Result<(Change, Rendered), Rendered> {
    let name = format!("A{number}");
    let amendment = state
        .amendments
        .all
        .get(&number)
        .ok_or_else(|| catalogue.render(Msg::AmendNotFound, &[("amendment", &name)]))?;
    if amendment.state != AmendmentState::Open {
        let state_name = catalogue.template(state_msg(&amendment.state));
        return Err(catalogue.render(
            Msg::AmendDecided,
            &[("amendment", &name), ("state", state_name)],
        ));
    }
    // An amendment of a closed iteration was made on a text that is no longer the current one.
    if let Some(refusal) = iterations::refusal_if_closed(state, catalogue, amendment.created_ms) {
        return Err(refusal);
    }
    let iteration = state.iterations.current();
    let now = current(settings, state, &amendment.section, &amendment.paragraph);
    // An addition after a paragraph changes no text: nothing to conflict with.
    if accept && amendment.kind != AmendKind::InsertAfter && base_of(&now) != amendment.base {
        let by: Vec<String> = iterations::accepted_on(state, &amendment.paragraph, iteration)
            .iter()
            .filter(|a| a.kind != AmendKind::InsertAfter)
            .map(|a| format!("A{}", a.number))
            .collect();
        return Err(catalogue.render(
            Msg::AmendConflict,
            &[
                ("amendment", &name),
                ("paragraph", &amendment.paragraph),
                ("by", &by.join(", ")),
            ],
        ));
    }
    let mut decided = amendment.clone();
    decided.state = if accept {
        AmendmentState::Accepted
    } else {
        AmendmentState::Rejected
    };
    decided.answer = answer.or(decided.answer);
    decided.decided_ms = Some(at_ms);
    let msg = if accept {
        Msg::AmendAccepted
    } else {
        Msg::AmendRejected
    };
    let reply = catalogue.render(
        msg,
        &[("amendment", &name), ("paragraph", &amendment.paragraph)],
    );
    Ok((Change::Amendment(decided), reply))
}

pub fn state_msg(state: &AmendmentState) -> Msg {
    match state {
        AmendmentState::Open => Msg::StateOpen,
        AmendmentState::Accepted => Msg::StateAccepted,
        AmendmentState::Rejected => Msg::StateRejected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_diff_marks_what_goes_and_what_comes() {
        assert_eq!(
            word_diff(
                "publish data in open formats",
                "publish all data in formats"
            ),
            "publish {+all +}data in[- open-] formats"
        );
        assert_eq!(word_diff("same", "same"), "same");
    }

    #[test]
    fn amendment_numbers_read_with_or_without_case() {
        assert_eq!(parse_number("A3"), Some(3));
        assert_eq!(parse_number("a12"), Some(12));
        assert_eq!(parse_number("A0"), None);
        assert_eq!(parse_number("3"), None);
        assert_eq!(parse_number("Ax"), None);
    }
}
