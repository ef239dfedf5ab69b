//! Participation: proposals, votes, comments, feedback and phases of each plan section.
//!
//! Tallies are kept incrementally (per proposal, per organisation) so that lists never scan
//! votes. Every mutation goes through a [`Change`](super::Change), so the state folds back
//! from the store exactly as it was built.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

/// Where a section is in the participation cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "state", content = "into")]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
}

impl Proposal {
    /// Where notices about it go: the card's thread, else the original message's.
    pub fn thread_root(&self) -> &str {
        self.card_event.as_deref().unwrap_or(&self.source_event)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stance {
    Support,
    Oppose,
}

/// One person's live vote on one proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    pub stance: Stance,
    pub section: String,
    pub organisation: String,
    /// The event that cast it (a reaction or a `!vote`): a redaction of that event withdraws it.
    pub source_event: String,
    pub at_ms: i64,
}

/// A vote-casting event still standing in the room: a reaction or `!vote` (with a stance) or
/// an `!unvote` (without). A person's vote is the stance of their latest ballot; redacting a
/// ballot's event removes it, so an older one may count again, as the room history shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ballot {
    pub stance: Option<Stance>,
    pub section: String,
    pub organisation: String,
    pub source_event: String,
    pub at_ms: i64,
}

/// Ballots remembered per person and proposal; older ones fall off.
pub const MAX_BALLOTS: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub event_id: String,
    pub section: String,
    pub proposal: Option<u32>,
    pub author: String,
    pub organisation: String,
    pub text: String,
    pub at_ms: i64,
}

/// What participation knows. Indexes are derived and rebuilt as changes are folded in.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Participation {
    pub proposals: BTreeMap<u32, Proposal>,
    /// `(proposal, user) → vote`.
    pub votes: HashMap<(u32, String), Vote>,
    pub tallies: HashMap<u32, Tally>,
    pub comments: BTreeMap<String, Comment>,
    pub phases: HashMap<String, Phase>,
    /// Supports a user has live in a section (for `max_supports`).
    pub supports_in_section: HashMap<(String, String), u32>,
    /// Event (card or source message) → proposal, for reactions and threads.
    pub by_event: HashMap<String, u32>,
    /// `(proposal, user) → ballots`, oldest first.
    pub ballots: HashMap<(u32, String), Vec<Ballot>>,
    /// Event of a ballot → `(proposal, user)`, for withdrawals by redaction.
    pub vote_sources: HashMap<String, (u32, String)>,
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

    pub fn vote_of(&self, number: u32, user: &str) -> Option<&Vote> {
        self.votes.get(&(number, user.to_owned()))
    }

    pub fn supports_of(&self, section: &str, user: &str) -> u32 {
        self.supports_in_section
            .get(&(section.to_owned(), user.to_owned()))
            .copied()
            .unwrap_or(0)
    }

    pub fn put_proposal(&mut self, proposal: &Proposal) {
        self.by_event
            .insert(proposal.source_event.clone(), proposal.number);
        if let Some(card) = &proposal.card_event {
            self.by_event.insert(card.clone(), proposal.number);
        }
        self.proposals.insert(proposal.number, proposal.clone());
    }

    pub fn ballots_of(&self, number: u32, user: &str) -> &[Ballot] {
        self.ballots
            .get(&(number, user.to_owned()))
            .map_or(&[], Vec::as_slice)
    }

    /// Replaces a user's ballots on a proposal; their vote becomes the latest ballot's stance.
    pub fn put_ballots(&mut self, number: u32, user: &str, ballots: &[Ballot]) {
        let key = (number, user.to_owned());
        for old in self.ballots.remove(&key).unwrap_or_default() {
            self.vote_sources.remove(&old.source_event);
        }
        for ballot in ballots {
            self.vote_sources
                .insert(ballot.source_event.clone(), key.clone());
        }
        let current = ballots.last().and_then(|b| {
            b.stance.map(|stance| Vote {
                stance,
                section: b.section.clone(),
                organisation: b.organisation.clone(),
                source_event: b.source_event.clone(),
                at_ms: b.at_ms,
            })
        });
        self.set_vote(number, user, current.as_ref());
        if !ballots.is_empty() {
            self.ballots.insert(key, ballots.to_vec());
        }
    }

    /// Sets or clears a user's current vote, keeping every counter in step.
    fn set_vote(&mut self, number: u32, user: &str, vote: Option<&Vote>) {
        let key = (number, user.to_owned());
        if let Some(old) = self.votes.remove(&key) {
            self.count(number, user, &old, -1);
        }
        if let Some(vote) = vote {
            self.count(number, user, vote, 1);
            self.votes.insert(key, vote.clone());
        }
    }

    fn count(&mut self, number: u32, user: &str, vote: &Vote, delta: i64) {
        let tally = self.tallies.entry(number).or_default();
        tally.total.add(vote.stance, delta);
        let by_org = tally
            .by_organisation
            .entry(vote.organisation.clone())
            .or_default();
        by_org.add(vote.stance, delta);
        if by_org.is_zero() {
            tally.by_organisation.remove(&vote.organisation);
        }
        if vote.stance == Stance::Support {
            let key = (vote.section.clone(), user.to_owned());
            let supports = self.supports_in_section.entry(key.clone()).or_default();
            *supports = (i64::from(*supports) + delta).max(0) as u32;
            if *supports == 0 {
                self.supports_in_section.remove(&key);
            }
        }
    }
}
