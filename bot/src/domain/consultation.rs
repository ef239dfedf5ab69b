//! Consultable items of the draft: the paragraphs of a section's text and the plan file's
//! objectives and actions, each posted once as a message of its own; 👍/👎 on it are support
//! and opposition (the ballot rules of proposals, without `max_supports`), replies in its
//! thread are comments.

use std::collections::{BTreeMap, HashMap};

use super::amendments::{self, AmendmentState};
use super::i18n::{Msg, Rendered};
use super::input::{Message, Reacted};
use super::iterations;
use super::participation::{fingerprint, Ballot, Counts, Stance, MAX_BALLOTS};
use super::votes::{phase_refusal, stance_of_key, Redactor, OPPOSE, SUPPORT};
use super::{Change, Effects, Reaction, Reply, Role, Settings, State};

/// One consultable item as posted: its key (`§2.3`, `objective/O1`, `action/A1`), the
/// iteration it was posted in, where it stands and, once its message came back from the
/// homeserver, that message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub key: String,
    pub iteration: u32,
    pub section: String,
    pub room_id: String,
    pub event_id: Option<String>,
}

impl Item {
    /// What its ballots and comments are kept under: [`iterations::item_id`].
    pub fn id(&self) -> String {
        iterations::item_id(self.iteration, &self.key)
    }
}

/// A comment in an item's thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemComment {
    pub event_id: String,
    /// The item's id ([`Item::id`]).
    pub item: String,
    pub section: String,
    pub author: String,
    pub organisation: String,
    pub text: String,
    pub at_ms: i64,
    /// Its message was deleted: the text is gone.
    pub redacted: bool,
}

/// The key of an objective's item.
pub fn objective_key(code: &str) -> String {
    format!("objective/{code}")
}

/// The key of a draft action's item.
pub fn action_key(code: &str) -> String {
    format!("action/{code}")
}

/// One person's ballots on one item.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Slot {
    organisation: String,
    ballots: Vec<Ballot>,
}

impl Slot {
    fn stance(&self) -> Option<Stance> {
        self.ballots.last().and_then(|b| b.stance)
    }
}

/// What consultation on the draft knows: posted items, ballots and comments.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Consultation {
    /// By [`Item::id`].
    pub items: BTreeMap<String, Item>,
    /// An item's message → its id, for reactions and threads.
    pub by_event: HashMap<String, String>,
    /// `(item, user)` → ballots: an item's voters are a range.
    slots: BTreeMap<(String, String), Slot>,
    /// Fingerprint of a ballot's event → `(item, user)`, for withdrawals by redaction.
    vote_sources: HashMap<u64, (String, String)>,
    pub comments: BTreeMap<String, ItemComment>,
}

impl Consultation {
    pub fn apply(&mut self, change: &Change) {
        match change {
            Change::DraftItem(item) => {
                if let Some(event) = &item.event_id {
                    self.by_event.insert(event.clone(), item.id());
                }
                self.items.insert(item.id(), item.clone());
            }
            Change::ItemBallots {
                item,
                user,
                organisation,
                ballots,
            } => self.put_ballots(item, user, organisation, ballots),
            Change::ItemComment(comment) => {
                self.comments
                    .insert(comment.event_id.clone(), comment.clone());
            }
            _ => {}
        }
    }

    fn put_ballots(&mut self, item: &str, user: &str, organisation: &str, ballots: &[Ballot]) {
        let key = (item.to_owned(), user.to_owned());
        if let Some(old) = self.slots.remove(&key) {
            for ballot in &old.ballots {
                self.vote_sources.remove(&ballot.source);
            }
        }
        if ballots.is_empty() {
            return;
        }
        for ballot in ballots {
            self.vote_sources.insert(ballot.source, key.clone());
        }
        self.slots.insert(
            key,
            Slot {
                organisation: organisation.to_owned(),
                ballots: ballots.to_vec(),
            },
        );
    }

    /// Whether the draft of `section` was posted in `iteration` (once per iteration; an
    /// amendment's card is not the draft).
    pub fn posted(&self, section: &str, iteration: u32) -> bool {
        self.items.values().any(|i| {
            i.section == section && i.iteration == iteration && !i.key.starts_with("amendment/")
        })
    }

    pub fn ballots_of(&self, item: &str, user: &str) -> Vec<Ballot> {
        self.slots
            .get(&(item.to_owned(), user.to_owned()))
            .map_or_else(Vec::new, |slot| slot.ballots.clone())
    }

    /// Every live vote on `item`: `(user, organisation, stance)`, by user.
    pub fn voters(&self, item: &str) -> Vec<(&str, &str, Stance)> {
        let start = (item.to_owned(), String::new());
        self.slots
            .range(start..)
            .take_while(|((key, _), _)| key == item)
            .filter_map(|((_, user), slot)| {
                Some((user.as_str(), slot.organisation.as_str(), slot.stance()?))
            })
            .collect()
    }

    /// Support and opposition on `item`.
    pub fn tally(&self, item: &str) -> Counts {
        let mut counts = Counts::default();
        for (_, _, stance) in self.voters(item) {
            match stance {
                Stance::Support => counts.support += 1,
                Stance::Oppose => counts.oppose += 1,
            }
        }
        counts
    }

    /// Support and opposition on `item` per organisation.
    pub fn tally_by_organisation(&self, item: &str) -> BTreeMap<String, Counts> {
        let mut by: BTreeMap<String, Counts> = BTreeMap::new();
        for (_, organisation, stance) in self.voters(item) {
            let counts = by.entry(organisation.to_owned()).or_default();
            match stance {
                Stance::Support => counts.support += 1,
                Stance::Oppose => counts.oppose += 1,
            }
        }
        by
    }

    /// The comments on `item` still standing, oldest first.
    pub fn comments_on(&self, item: &str) -> Vec<&ItemComment> {
        let mut comments: Vec<&ItemComment> = self
            .comments
            .values()
            .filter(|c| c.item == item && !c.redacted)
            .collect();
        comments.sort_by_key(|c| c.at_ms);
        comments
    }
}

/// The phase of `section` now.
fn phase_of(settings: &Settings, state: &State, section: &str) -> super::Phase {
    let default = settings
        .section_of_id(section)
        .map(|(_, s)| s.default_phase)
        .unwrap_or_default();
    state.participation.phase(section, default)
}

/// The bot's message for item `id` ([`Item::id`]) came back as `event_id`: remember it (also
/// when a rebuild finds it in history) and seed the 👍/👎 reactions the first time.
pub fn on_posted(
    settings: &Settings,
    state: &State,
    room_id: &str,
    id: &str,
    event_id: &str,
) -> Effects {
    let Some(section) = settings.sections.get(room_id) else {
        return Effects::default();
    };
    let known = state.consultation.items.get(id);
    if known.is_some_and(|i| i.event_id.is_some()) {
        return Effects::default();
    }
    let (key, iteration) = iterations::split_item_id(id);
    let mut effects = Effects::change(Change::DraftItem(Item {
        key: key.to_owned(),
        iteration,
        section: section.id.clone(),
        room_id: room_id.to_owned(),
        event_id: Some(event_id.to_owned()),
    }));
    for key in [SUPPORT, OPPOSE] {
        effects.reactions.push(Reaction {
            room_id: room_id.to_owned(),
            target: event_id.to_owned(),
            key: key.to_owned(),
        });
    }
    effects
}

/// A 👍/👎 on an item's message is a vote on it, in a phase that allows votes.
pub fn on_reaction(settings: &Settings, state: &State, reaction: &Reacted) -> Effects {
    let Some(stance) = stance_of_key(&reaction.key) else {
        return Effects::default();
    };
    let Some(item) = state
        .consultation
        .by_event
        .get(&reaction.target)
        .and_then(|key| state.consultation.items.get(key))
    else {
        return Effects::default();
    };
    let catalogue = settings.catalogue_for(state, &reaction.sender);
    let refuse = |text| Effects {
        replies: vec![Reply::to_event(
            &reaction.room_id,
            &reaction.target,
            &reaction.sender,
            text,
        )],
        ..Effects::default()
    };
    let phase = phase_of(settings, state, &item.section);
    if !phase.allows_votes() {
        return refuse(phase_refusal(catalogue, phase));
    }
    if item.iteration != state.iterations.current() {
        return refuse(iterations::closed_refusal(state, catalogue, item.iteration));
    }
    // A decided amendment takes no more votes, as a decided proposal takes none.
    let decided = item
        .key
        .strip_prefix("amendment/")
        .and_then(amendments::parse_number)
        .and_then(|n| state.amendments.all.get(&n))
        .filter(|a| a.state != AmendmentState::Open);
    if let Some(amendment) = decided {
        let state_name = catalogue.template(amendments::state_msg(&amendment.state));
        return refuse(catalogue.render(
            Msg::AmendDecided,
            &[
                ("amendment", &format!("A{}", amendment.number)),
                ("state", state_name),
            ],
        ));
    }
    let id = item.id();
    let mut ballots = state.consultation.ballots_of(&id, &reaction.sender);
    let source = fingerprint(&reaction.event_id);
    // The same event delivered twice casts one ballot, where it first stood.
    if !ballots.iter().any(|b| b.source == source) {
        ballots.push(Ballot {
            stance: Some(stance),
            source,
        });
    }
    let excess = ballots.len().saturating_sub(MAX_BALLOTS);
    ballots.drain(..excess);
    Effects::change(Change::ItemBallots {
        item: id,
        user: reaction.sender.clone(),
        organisation: settings.organisation_of(&reaction.sender),
        ballots,
    })
}

/// A redaction of the event that cast a ballot on an item withdraws it (by the voter or a
/// moderator only); of a comment on an item, deletes its text (by its author or a moderator).
/// A ballot on an item of a closed iteration stays: that iteration's votes are final (a
/// deleted comment's text goes, whenever it is deleted).
pub fn on_redaction(state: &State, redactor: Redactor<'_>, redacted: &str) -> Option<Change> {
    let consultation = &state.consultation;
    if let Some(comment) = consultation.comments.get(redacted) {
        if comment.redacted
            || (redactor.sender != comment.author && redactor.role != Role::Moderator)
        {
            return None;
        }
        return Some(Change::ItemComment(ItemComment {
            text: String::new(),
            redacted: true,
            ..comment.clone()
        }));
    }
    let gone = fingerprint(redacted);
    let (item, user) = consultation.vote_sources.get(&gone)?;
    if redactor.sender != user && redactor.role != Role::Moderator {
        return None;
    }
    if iterations::split_item_id(item).1 != state.iterations.current() {
        return None;
    }
    let slot = consultation.slots.get(&(item.clone(), user.clone()))?;
    Some(Change::ItemBallots {
        item: item.clone(),
        user: user.clone(),
        organisation: slot.organisation.clone(),
        ballots: slot
            .ballots
            .iter()
            .filter(|b| b.source != gone)
            .copied()
            .collect(),
    })
}

/// The item whose thread `message` is in, if any.
pub fn thread_item<'a>(state: &'a State, message: &Message) -> Option<&'a str> {
    let root = message.thread_root.as_ref()?;
    state.consultation.by_event.get(root).map(String::as_str)
}

/// A reply in an item's thread is a comment on it, while its section is in consultation and
/// its iteration under way; otherwise the reply says why not. Recorded comments get no answer.
pub fn comment(settings: &Settings, state: &State, message: &Message, id: &str) -> Effects {
    let Some(item) = state.consultation.items.get(id) else {
        return Effects::default();
    };
    let catalogue = settings.catalogue_for(state, &message.sender);
    let phase = phase_of(settings, state, &item.section);
    let refusal = if !phase.allows_comments() {
        Some(phase_refusal(catalogue, phase))
    } else if item.iteration != state.iterations.current() {
        Some(iterations::closed_refusal(state, catalogue, item.iteration))
    } else {
        let length = message.body.chars().count();
        let max = settings.max_comment_chars;
        (length > max).then(|| {
            catalogue.render(
                Msg::CommentTooLong,
                &[("length", &length.to_string()), ("max", &max.to_string())],
            )
        })
    };
    if let Some(text) = refusal {
        return Effects {
            replies: vec![Reply::to_message(message, text)],
            ..Effects::default()
        };
    }
    Effects::change(Change::ItemComment(ItemComment {
        event_id: message.event_id.clone(),
        item: item.id(),
        section: item.section.clone(),
        author: message.sender.clone(),
        organisation: settings.organisation_of(&message.sender),
        text: message.body.clone(),
        at_ms: message.sent_at_ms,
        redacted: false,
    }))
}

/// "👍 3 · 👎 1 · 💬 2" for an item, by its id.
pub fn counts_line(settings: &Settings, state: &State, user: &str, id: &str) -> Rendered {
    let tally = state.consultation.tally(id);
    let comments = state.consultation.comments_on(id).len();
    settings.catalogue_for(state, user).render(
        Msg::ItemCounts,
        &[
            ("support", &tally.support.to_string()),
            ("oppose", &tally.oppose.to_string()),
            ("comments", &comments.to_string()),
        ],
    )
}
