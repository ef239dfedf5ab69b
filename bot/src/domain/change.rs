//! A persistent change to the engine's state: what the store keeps, and what a rebuild folds
//! back into a [`State`](super::State).

use super::amendments;
use super::consultation;
use super::digest::Subscription;
use super::i18n::Language;
use super::input::PowerLevels;
use super::iterations;
use super::monitoring;
use super::participation::{Ballot, Comment, Phase, Proposal};
use super::polls;
use super::secret_ballot::SecretPoll;

/// A persistent change to the engine's state. The store keeps the latest change per record
/// (in the order of [`Change::replays_first`]); folding them back with
/// [`State::apply_change`](super::State::apply_change) rebuilds the state.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    PowerLevels {
        room_id: String,
        levels: PowerLevels,
    },
    BotJoined {
        room_id: String,
        at_ms: i64,
    },
    Proposal(Proposal),
    /// A person's standing ballots on a proposal (their vote is the latest one's stance).
    Ballots {
        number: u32,
        user: String,
        organisation: String,
        ballots: Vec<Ballot>,
    },
    Comment(Comment),
    Phase {
        section: String,
        phase: Phase,
    },
    Poll(polls::Poll),
    /// A secret ballot: open with its current ballots by voter key, or closed with receipts.
    SecretPoll(SecretPoll),
    /// A voter's responses to a poll, in the room's order (the latest before the end counts).
    PollResponses {
        poll: u32,
        user: String,
        responses: Vec<polls::Response>,
    },
    /// A server not admitted was told so in a room (once per server and room). Records of
    /// older stores (one per user) decode with empty fields and tell nothing.
    ToldServerNotAllowed {
        room_id: String,
        server: String,
    },
    /// An action assigned from chat (an accepted proposal).
    Action(monitoring::Action),
    ActionUpdate {
        code: String,
        update: monitoring::Update,
    },
    Measurement(monitoring::Measurement),
    /// The language a person asked the bot to answer them in (`!language`).
    ReplyLanguage {
        user: String,
        language: Language,
    },
    /// The day a room got its reminder.
    Reminded {
        room_id: String,
        day: chrono::NaiveDate,
    },
    /// What a proposal's card says now (a fingerprint of its text), as last sent.
    CardShown {
        number: u32,
        text: u64,
    },
    /// A person's digest subscription (`!digest`); `None` when they turned it off.
    Digest {
        user: String,
        subscription: Option<Subscription>,
    },
    /// The room where the bot talks to `user` alone (an `is_direct` invite between them).
    DirectRoom {
        user: String,
        room_id: String,
    },
    /// The day (local) and instant a person's digest was made, sent or not (nothing new).
    Digested {
        user: String,
        day: chrono::NaiveDate,
        at_ms: i64,
    },
    /// A consultable item of the draft, queued for posting (`event_id: None`) or posted.
    DraftItem(consultation::Item),
    /// A person's standing ballots on a draft item.
    ItemBallots {
        item: String,
        user: String,
        organisation: String,
        ballots: Vec<Ballot>,
    },
    /// A comment in a draft item's thread.
    ItemComment(consultation::ItemComment),
    /// An amendment to the draft, as proposed, accepted or rejected.
    Amendment(amendments::Amendment),
    /// An iteration closed: the version of the text it froze.
    IterationClosed(iterations::Version),
}
