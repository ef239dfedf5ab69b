//! Secret ballots (`!prioritise secret`, `!ballot`, `!close <poll>`): each participant votes
//! in their DM with the bot, the room sees only the options and, at the close, the tally and
//! the receipts. While the ballot is open a ballot is kept under a voter key, a keyed hash of
//! the voter under the poll's secret, holding only the current choices; the close keeps the
//! receipts with their choices, erases the secret and drops the voter keys, so nothing left
//! ties a choice to a person.

use std::collections::BTreeMap;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::i18n::{Catalogue, Msg, Rendered};
use super::{Change, Effects, State};

/// A secret ballot among proposals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretPoll {
    pub id: u32,
    pub section: String,
    pub room_id: String,
    /// The moderator who opened it.
    pub opened_by: String,
    pub opened_ms: i64,
    pub max_selections: u32,
    /// Proposal numbers, option 1 first.
    pub options: Vec<u32>,
    /// The key of voter keys and receipts (hex); `None` once closed.
    pub secret: Option<String>,
    /// While open: each voter's current ballot, by voter key.
    pub ballots: BTreeMap<String, SecretBallot>,
    pub closed_ms: Option<i64>,
    /// Once closed: each counted ballot as its receipt and choices, by receipt.
    pub receipts: BTreeMap<String, Vec<u32>>,
    /// When it closes by itself (`!prioritise secret … until <date>`), if it does.
    pub closes_ms: Option<i64>,
}

/// A voter's current ballot: the proposals chosen and its receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretBallot {
    pub receipt: String,
    pub choices: Vec<u32>,
}

/// The secret ballots, by ID (IDs are shared with the native polls).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SecretPolls {
    pub polls: BTreeMap<u32, SecretPoll>,
}

/// A closed ballot's count: `(proposal, votes)`, most voted first, and the ballots counted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tally {
    pub ranking: Vec<(u32, u32)>,
    pub ballots: u32,
}

/// What a secret ballot's close posts besides its text, so that the bot's own message
/// brings the result back where the ballots cannot be (a rebuild replays no DM).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretTally {
    pub poll: u32,
    /// Receipt → proposals chosen.
    pub receipts: BTreeMap<String, Vec<u32>>,
}

/// Why a ballot is not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BallotError {
    /// Not numbers `1..=options`, or none.
    Unreadable,
    /// An option outside `1..=options`.
    NoSuchOption(u32),
    /// More choices than the poll allows.
    TooMany { allowed: u32 },
}

impl SecretPolls {
    pub fn apply(&mut self, change: &Change) {
        if let Change::SecretPoll(poll) = change {
            self.polls.insert(poll.id, poll.clone());
        }
    }

    /// The section's open secret ballot most recently opened.
    pub fn latest_open(&self, section: &str) -> Option<&SecretPoll> {
        self.polls
            .values()
            .rev()
            .find(|p| p.section == section && p.closed_ms.is_none())
    }
}

impl SecretPoll {
    /// The poll's choices as typed (`1,3` or `1 3`): option numbers, each once.
    pub fn read_choices(&self, typed: &[&str]) -> Result<Vec<u32>, BallotError> {
        let mut options = Vec::new();
        for word in typed.iter().flat_map(|w| w.split([',', ';'])) {
            let word = word.trim().trim_start_matches('#');
            if word.is_empty() {
                continue;
            }
            let option: u32 = word.parse().map_err(|_| BallotError::Unreadable)?;
            if option == 0 || option as usize > self.options.len() {
                return Err(BallotError::NoSuchOption(option));
            }
            if !options.contains(&option) {
                options.push(option);
            }
        }
        if options.is_empty() {
            return Err(BallotError::Unreadable);
        }
        if options.len() > self.max_selections as usize {
            return Err(BallotError::TooMany {
                allowed: self.max_selections,
            });
        }
        Ok(options)
    }

    /// The poll with `voter`'s ballot (from event `event_id`) replacing any earlier one, and
    /// its receipt; `None` when closed.
    pub fn cast(
        &self,
        voter: &str,
        event_id: &str,
        options: &[u32],
    ) -> Option<(SecretPoll, String)> {
        let secret = self.secret.as_deref()?;
        let receipt = receipt(secret, voter, event_id);
        let choices = options
            .iter()
            .filter_map(|o| {
                (*o as usize)
                    .checked_sub(1)
                    .and_then(|i| self.options.get(i))
            })
            .copied()
            .collect();
        let mut poll = self.clone();
        poll.ballots.insert(
            voter_key(secret, voter),
            SecretBallot {
                receipt: receipt.clone(),
                choices,
            },
        );
        Some((poll, receipt))
    }

    /// The poll closed at `at_ms`: receipts and choices kept, voter keys and secret gone.
    pub fn closed(&self, at_ms: i64) -> SecretPoll {
        let mut poll = self.clone();
        poll.closed_ms = Some(at_ms);
        poll.secret = None;
        let ballots = std::mem::take(&mut poll.ballots);
        poll.receipts = ballots
            .into_values()
            .map(|b| (b.receipt, b.choices))
            .collect();
        poll
    }

    /// The count of the ballots (the receipts once closed).
    pub fn tally(&self) -> Tally {
        let mut votes: BTreeMap<u32, u32> = self.options.iter().map(|n| (*n, 0)).collect();
        let choices: Vec<&Vec<u32>> = if self.closed_ms.is_some() {
            self.receipts.values().collect()
        } else {
            self.ballots.values().map(|b| &b.choices).collect()
        };
        for choice in &choices {
            for number in choice.iter() {
                *votes.entry(*number).or_default() += 1;
            }
        }
        let mut ranking: Vec<(u32, u32)> = votes.into_iter().collect();
        ranking.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Tally {
            ranking,
            ballots: choices.len() as u32,
        }
    }
}

/// The bot's own close message came back (live, or in a rebuild's replay): a closed poll
/// gets its receipts from it when it lacks them (a rebuild closed it without its ballots).
pub fn on_tallied(state: &State, room_id: &str, tally: &SecretTally) -> Effects {
    match state.secret_polls.polls.get(&tally.poll) {
        Some(poll)
            if poll.room_id == room_id
                && poll.closed_ms.is_some()
                && poll.receipts != tally.receipts =>
        {
            let mut poll = poll.clone();
            poll.receipts = tally.receipts.clone();
            poll.ballots.clear();
            poll.secret = None;
            Effects::change(Change::SecretPoll(poll))
        }
        _ => Effects::default(),
    }
}

/// Option `option` (from 1) of `poll`: `2. #7 Title`.
pub fn option_line(
    catalogue: &Catalogue,
    state: &State,
    poll: &SecretPoll,
    option: u32,
) -> Rendered {
    let number = (option as usize)
        .checked_sub(1)
        .and_then(|i| poll.options.get(i))
        .copied()
        .unwrap_or_default();
    let title = state
        .participation
        .proposals
        .get(&number)
        .map_or("", |p| p.title.as_str());
    catalogue.render(
        Msg::SecretOption,
        &[
            ("option", &option.to_string()),
            ("number", &number.to_string()),
            ("title", title),
        ],
    )
}

type HmacSha256 = Hmac<Sha256>;

fn keyed_hash(key: &[u8], parts: &[&str]) -> [u8; 32] {
    // HMAC takes a key of any length: this cannot fail.
    let Ok(mut mac) = HmacSha256::new_from_slice(key) else {
        return [0; 32];
    };
    for part in parts {
        // Lengths first, so no two different lists of parts hash alike.
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part.as_bytes());
    }
    mac.finalize().into_bytes().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new poll's secret: a keyed hash of the poll under the bot's random seed (drawn at each
/// start), so it cannot be derived from anything stored or seen in the rooms.
pub fn poll_secret(seed: &[u8; 32], id: u32, event_id: &str) -> String {
    hex(&keyed_hash(seed, &["poll", &id.to_string(), event_id]))
}

/// Where a voter's ballot is kept while the poll is open.
fn voter_key(secret: &str, voter: &str) -> String {
    hex(&keyed_hash(secret.as_bytes(), &["voter", voter])[..16])
}

/// A ballot's receipt: `xxxx-xxxx-xxxx` (hex), new with each ballot a voter sends.
fn receipt(secret: &str, voter: &str, event_id: &str) -> String {
    let digest = hex(&keyed_hash(secret.as_bytes(), &["receipt", voter, event_id])[..6]);
    format!("{}-{}-{}", &digest[..4], &digest[4..8], &digest[8..])
}
