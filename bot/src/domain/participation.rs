//! Participation: proposals, votes, comments, feedback and phases of each plan section.
//!
//! Tallies are kept incrementally (per proposal, per organisation) so that lists never scan
//! votes. Every mutation goes through a [`Change`](super::Change), so the state folds back
//! from the store exactly as it was built.

use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Where a section is in the participation cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Phase {
    /// Propose, comment, support.
    #[default]
    Consultation,
    /// No new proposals; votes and polls.
    Prioritisation,
    /// Participation closed; moderators answer.
    Consolidation,
    Monitoring,
    Closed,
}

impl Phase {
    pub const ALL: [Phase; 5] = [
        Phase::Consultation,
        Phase::Prioritisation,
        Phase::Consolidation,
        Phase::Monitoring,
        Phase::Closed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Phase::Consultation => "consultation",
            Phase::Prioritisation => "prioritisation",
            Phase::Consolidation => "consolidation",
            Phase::Monitoring => "monitoring",
            Phase::Closed => "closed",
        }
    }

    /// English names and their Italian equivalents.
    pub fn parse(text: &str) -> Option<Phase> {
        match text.to_lowercase().as_str() {
            "consultation" | "consultazione" => Some(Phase::Consultation),
            "prioritisation" | "prioritization" | "prioritizzazione" => Some(Phase::Prioritisation),
            "consolidation" | "consolidamento" => Some(Phase::Consolidation),
            "monitoring" | "monitoraggio" => Some(Phase::Monitoring),
            "closed" | "chiusa" | "chiuso" => Some(Phase::Closed),
            _ => None,
        }
    }

    pub fn allows_proposals(self) -> bool {
        self == Phase::Consultation
    }

    pub fn allows_votes(self) -> bool {
        matches!(self, Phase::Consultation | Phase::Prioritisation)
    }

    pub fn allows_comments(self) -> bool {
        self == Phase::Consultation
    }
}

/// A proposal's lifecycle state (hiding is separate: a hidden proposal keeps its state).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProposalState {
    Open,
    Evaluating,
    Accepted,
    Rejected,
    Withdrawn,
    Merged(u32),
}

impl ProposalState {
    pub fn name(self) -> &'static str {
        match self {
            ProposalState::Open => "open",
            ProposalState::Evaluating => "evaluating",
            ProposalState::Accepted => "accepted",
            ProposalState::Rejected => "rejected",
            ProposalState::Withdrawn => "withdrawn",
            ProposalState::Merged(_) => "merged",
        }
    }

    /// Whether people can still vote on it.
    pub fn is_live(self) -> bool {
        matches!(self, ProposalState::Open | ProposalState::Evaluating)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub number: u32,
    pub section: String,
    pub room_id: String,
    pub title: String,
    pub description: String,
    pub author: String,
    pub organisation: String,
    pub state: ProposalState,
    pub answer: Option<String>,
    /// Reason, when a moderator hid it (abuse): out of lists and public exports.
    pub hidden: Option<String>,
    pub created_ms: i64,
    pub updated_ms: i64,
    /// The message it came from.
    pub source_event: String,
    /// The bot's card for it, once the card is seen in the room.
    pub card_event: Option<String>,
    /// Its message was deleted (by its author or a moderator): its text is gone, a tombstone
    /// with its event stays. See [`super::redactions`].
    pub redacted: bool,
}

impl Proposal {
    /// Whether it shows in lists, counts and votes: neither hidden nor deleted.
    pub fn is_listed(&self) -> bool {
        self.hidden.is_none() && !self.redacted
    }

    /// Where notices about it go: the card's thread, else the original message's.
    pub fn thread_root(&self) -> &str {
        self.card_event.as_deref().unwrap_or(&self.source_event)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stance {
    Support,
    Oppose,
}

/// A stable 64-bit fingerprint of an event ID (FNV-1a). Ballots keep this rather than the ID,
/// so that a million votes fit in little memory; redactions are matched by it.
pub fn fingerprint(event_id: &str) -> u64 {
    event_id.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A vote-casting event still standing in the room: a reaction or `!vote` (with a stance) or
/// an `!unvote` (without). A person's vote is the stance of their latest ballot; redacting a
/// ballot's event removes it, so an older one may count again, as the room history shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ballot {
    pub stance: Option<Stance>,
    /// [`fingerprint`] of the event that cast it.
    pub source: u64,
}

/// Ballots remembered per person and proposal; older ones fall off.
pub const MAX_BALLOTS: usize = 8;

/// Strings stored once, referred to by number.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Interner {
    names: Vec<String>,
    ids: HashMap<String, u32>,
}

impl Interner {
    pub fn id(&mut self, name: &str) -> u32 {
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_owned());
        self.ids.insert(name.to_owned(), id);
        id
    }

    pub fn find(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    pub fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", String::as_str)
    }
}

/// One person's ballots on one proposal, and the organisation they vote for. Almost everyone
/// has one ballot: it is kept inline, and only further ones go to the heap.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Slot {
    organisation: u32,
    first: Ballot,
    // A thin pointer keeps the slot at 32 bytes; `Box<[Ballot]>` would be 16 bytes here.
    #[allow(clippy::box_collection)]
    more: Option<Box<Vec<Ballot>>>,
}

impl Slot {
    fn new(organisation: u32, ballots: &[Ballot]) -> Option<Slot> {
        let (first, rest) = ballots.split_first()?;
        Some(Slot {
            organisation,
            first: *first,
            more: (!rest.is_empty()).then(|| Box::new(rest.to_vec())),
        })
    }

    fn ballots(&self) -> impl Iterator<Item = &Ballot> {
        std::iter::once(&self.first).chain(self.more.iter().flat_map(|more| more.iter()))
    }

    fn stance(&self) -> Option<Stance> {
        self.more
            .as_ref()
            .and_then(|more| more.last())
            .unwrap_or(&self.first)
            .stance
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub support: u32,
    pub oppose: u32,
}

impl Counts {
    fn add(&mut self, stance: Stance, delta: i64) {
        let slot = match stance {
            Stance::Support => &mut self.support,
            Stance::Oppose => &mut self.oppose,
        };
        *slot = (i64::from(*slot) + delta).max(0) as u32;
    }

    pub fn is_zero(&self) -> bool {
        self.support == 0 && self.oppose == 0
    }
}

/// A proposal's tally, in total and per organisation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tally {
    pub total: Counts,
    pub by_organisation: BTreeMap<String, Counts>,
}

/// A comment in a proposal's thread, or feedback on a section (`proposal: None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub event_id: String,
    pub section: String,
    pub proposal: Option<u32>,
    pub author: String,
    pub organisation: String,
    pub text: String,
    pub at_ms: i64,
    /// Its message was deleted: the text is gone, a tombstone stays.
    pub redacted: bool,
}

/// What participation knows. Indexes are derived and rebuilt as changes are folded in.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Participation {
    pub proposals: BTreeMap<u32, Proposal>,
    pub tallies: HashMap<u32, Tally>,
    pub comments: BTreeMap<String, Comment>,
    pub phases: HashMap<String, Phase>,
    /// Event (card or source message) → proposal, for reactions and threads.
    pub by_event: HashMap<String, u32>,
    users: Interner,
    organisations: Interner,
    sections: Interner,
    /// `(proposal, user) → ballots`. B-trees rather than hash maps: with a million votes they
    /// take about half the memory (no power-of-two slack), and a proposal's voters are a range.
    slots: BTreeMap<(u32, u32), Slot>,
    /// Fingerprint of a ballot's event → `(proposal, user)`, for withdrawals by redaction.
    vote_sources: BTreeMap<u64, (u32, u32)>,
    /// Supports a user has live in a section (for `max_supports`).
    supports_in_section: HashMap<(u32, u32), u32>,
    live_votes: usize,
    /// Word → proposals with it in the title, and in title or description (for similarity).
    title_postings: HashMap<String, BTreeSet<u32>>,
    text_postings: HashMap<String, BTreeSet<u32>>,
    word_sets: HashMap<u32, (BTreeSet<String>, BTreeSet<String>)>,
}

/// Words that say something: lowercase, letters and digits, four characters or more.
pub fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4)
        .map(str::to_lowercase)
        .collect()
}

impl Participation {
    pub fn next_number(&self) -> u32 {
        self.proposals.keys().next_back().map_or(1, |n| n + 1)
    }

    pub fn phase(&self, section: &str, default: Phase) -> Phase {
        self.phases.get(section).copied().unwrap_or(default)
    }

    pub fn tally(&self, number: u32) -> Tally {
        self.tallies.get(&number).cloned().unwrap_or_default()
    }

    /// How `user` votes on proposal `number` now.
    pub fn stance_of(&self, number: u32, user: &str) -> Option<Stance> {
        let user = self.users.find(user)?;
        self.slots.get(&(number, user)).and_then(Slot::stance)
    }

    /// Everyone with a live vote on proposal `number`.
    pub fn voters(&self, number: u32) -> Vec<(&str, Stance)> {
        self.slots
            .range((number, 0)..=(number, u32::MAX))
            .filter_map(|((_, user), slot)| Some((self.users.name(*user), slot.stance()?)))
            .collect()
    }

    /// Every live vote as `(proposal, voter, organisation)`; voters are opaque numbers, the
    /// same for one person everywhere.
    pub fn live_voters(&self) -> impl Iterator<Item = (u32, u32, &str)> {
        self.slots.iter().filter_map(|(&(number, user), slot)| {
            slot.stance()?;
            Some((number, user, self.organisations.name(slot.organisation)))
        })
    }

    /// Live votes in all.
    pub fn live_votes(&self) -> usize {
        self.live_votes
    }

    /// The proposal and user whose ballot `event_id` cast, if it still stands.
    pub fn ballot_of_event(&self, event_id: &str) -> Option<(u32, &str)> {
        let (number, user) = self.vote_sources.get(&fingerprint(event_id))?;
        Some((*number, self.users.name(*user)))
    }

    pub fn supports_of(&self, section: &str, user: &str) -> u32 {
        match (self.sections.find(section), self.users.find(user)) {
            (Some(section), Some(user)) => self
                .supports_in_section
                .get(&(section, user))
                .copied()
                .unwrap_or(0),
            _ => 0,
        }
    }

    pub fn put_proposal(&mut self, proposal: &Proposal) {
        self.by_event
            .insert(proposal.source_event.clone(), proposal.number);
        if let Some(card) = &proposal.card_event {
            self.by_event.insert(card.clone(), proposal.number);
        }
        self.sections.id(&proposal.section);
        self.index_words(proposal);
        self.proposals.insert(proposal.number, proposal.clone());
    }

    fn index_words(&mut self, proposal: &Proposal) {
        let number = proposal.number;
        if let Some((title, text)) = self.word_sets.remove(&number) {
            for word in &title {
                if let Some(set) = self.title_postings.get_mut(word) {
                    set.remove(&number);
                }
            }
            for word in &text {
                if let Some(set) = self.text_postings.get_mut(word) {
                    set.remove(&number);
                }
            }
        }
        let title = words(&proposal.title);
        let text: BTreeSet<String> = title
            .union(&words(&proposal.description))
            .cloned()
            .collect();
        for word in &title {
            self.title_postings
                .entry(word.clone())
                .or_default()
                .insert(number);
        }
        for word in &text {
            self.text_postings
                .entry(word.clone())
                .or_default()
                .insert(number);
        }
        self.word_sets.insert(number, (title, text));
    }

    /// Live, visible proposals of `section` sharing at least `threshold` of their words
    /// (Jaccard) with `title`, or with `title` and `description` together.
    pub fn similar(
        &self,
        section: &str,
        title: &str,
        description: &str,
        threshold: f64,
    ) -> Vec<u32> {
        let title_words = words(title);
        let text_words: BTreeSet<String> =
            title_words.union(&words(description)).cloned().collect();
        let overlaps = |query: &BTreeSet<String>, postings: &HashMap<String, BTreeSet<u32>>| {
            let mut common: HashMap<u32, usize> = HashMap::new();
            for word in query {
                for number in postings.get(word).into_iter().flatten() {
                    *common.entry(*number).or_default() += 1;
                }
            }
            common
        };
        let jaccard =
            |common: usize, a: usize, b: usize| common as f64 / (a + b - common).max(1) as f64;
        let by_title = overlaps(&title_words, &self.title_postings);
        let by_text = overlaps(&text_words, &self.text_postings);
        let mut found: Vec<u32> = by_text
            .iter()
            .filter(|(number, common)| {
                let Some((title_set, text_set)) = self.word_sets.get(number) else {
                    return false;
                };
                let title_common = by_title.get(number).copied().unwrap_or(0);
                jaccard(title_common, title_words.len(), title_set.len()) >= threshold
                    || jaccard(**common, text_words.len(), text_set.len()) >= threshold
            })
            .map(|(number, _)| *number)
            .filter(|number| {
                self.proposals
                    .get(number)
                    .is_some_and(|p| p.section == section && p.is_listed() && p.state.is_live())
            })
            .collect();
        found.sort_unstable();
        found
    }

    pub fn ballots_of(&self, number: u32, user: &str) -> Vec<Ballot> {
        self.users
            .find(user)
            .and_then(|user| self.slots.get(&(number, user)))
            .map_or_else(Vec::new, |slot| slot.ballots().copied().collect())
    }

    /// Replaces a user's ballots on a proposal; their vote becomes the latest ballot's stance.
    pub fn put_ballots(&mut self, number: u32, user: &str, organisation: &str, ballots: &[Ballot]) {
        let user = self.users.id(user);
        let key = (number, user);
        if let Some(old) = self.slots.remove(&key) {
            for ballot in old.ballots() {
                self.vote_sources.remove(&ballot.source);
            }
            if let Some(stance) = old.stance() {
                self.count(number, user, old.organisation, stance, -1);
            }
        }
        let organisation = self.organisations.id(organisation);
        let Some(slot) = Slot::new(organisation, ballots) else {
            return;
        };
        for ballot in slot.ballots() {
            self.vote_sources.insert(ballot.source, key);
        }
        if let Some(stance) = slot.stance() {
            self.count(number, user, slot.organisation, stance, 1);
        }
        self.slots.insert(key, slot);
    }

    /// Keeps tallies and support counts in step. The store replays a proposal's record before
    /// the votes on it, so a proposal's section is known here.
    fn count(&mut self, number: u32, user: u32, organisation: u32, stance: Stance, delta: i64) {
        self.live_votes = (self.live_votes as i64 + delta).max(0) as usize;
        let organisation = self.organisations.name(organisation);
        let tally = self.tallies.entry(number).or_default();
        tally.total.add(stance, delta);
        // The organisation is nearly always there already: allocate its name only when not.
        if !tally.by_organisation.contains_key(organisation) {
            tally
                .by_organisation
                .insert(organisation.to_owned(), Counts::default());
        }
        if let Some(by_org) = tally.by_organisation.get_mut(organisation) {
            by_org.add(stance, delta);
            if by_org.is_zero() {
                tally.by_organisation.remove(organisation);
            }
        }
        if stance == Stance::Support {
            let Some(section) = self
                .proposals
                .get(&number)
                .and_then(|p| self.sections.find(&p.section))
            else {
                return;
            };
            let supports = self.supports_in_section.entry((section, user)).or_default();
            *supports = (i64::from(*supports) + delta).max(0) as u32;
            if *supports == 0 {
                self.supports_in_section.remove(&(section, user));
            }
        }
    }
}
