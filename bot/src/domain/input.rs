//! Everything the Matrix adapter can tell the engine, as plain data.

use std::collections::BTreeMap;

/// A text message in a room the bot is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub event_id: String,
    pub room_id: String,
    pub sender: String,
    /// `origin_server_ts`, milliseconds since the Unix epoch.
    pub sent_at_ms: i64,
    pub body: String,
    /// Root of the thread the message is in, so the reply goes to the same thread.
    pub thread_root: Option<String>,
    /// The message this one replies to (`m.in_reply_to`), if any.
    pub reply_to: Option<String>,
    /// That message, when the adapter fetched it (for `!promote`).
    pub quoted: Option<Quoted>,
}

/// A message another one replies to, as `!promote` needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quoted {
    pub event_id: String,
    pub sender: String,
    pub body: String,
    pub sent_at_ms: i64,
}

/// A room's `m.room.power_levels`, reduced to what authorisation needs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PowerLevels {
    pub users: BTreeMap<String, i64>,
    pub users_default: i64,
}

impl PowerLevels {
    pub fn of(&self, user: &str) -> i64 {
        self.users.get(user).copied().unwrap_or(self.users_default)
    }
}

/// Everything the adapter can tell the engine.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    Message(Message),
    PowerLevels {
        room_id: String,
        levels: PowerLevels,
    },
    /// The bot joined a room at this time: earlier messages there are history.
    BotJoined {
        room_id: String,
        at_ms: i64,
    },
    /// An edit (`m.replace`) of an earlier message.
    Edit(Edited),
    /// A reaction (`m.annotation`) on an event.
    Reaction(Reacted),
    /// An event was redacted (e.g. a reaction removed).
    Redaction {
        room_id: String,
        sender: String,
        redacts: String,
    },
    /// The bot's own poll start, seen in the room.
    PollPosted {
        room_id: String,
        poll_id: u32,
        event_id: String,
    },
    /// A poll response, stable (`m.poll.response`) or unstable (MSC3381) form.
    PollResponse(PollAnswered),
    /// A poll end sent by someone (e.g. from a client's "end poll" button).
    PollEnded {
        room_id: String,
        sender: String,
        event_id: String,
        start: String,
        at_ms: i64,
    },
    /// Time passes: the daily reminders are due when the day's reminder time has come.
    Tick,
    /// The bot's own proposal card, seen in the room: now it has an event ID.
    CardPosted {
        room_id: String,
        number: u32,
        event_id: String,
    },
    /// The bot's own message of a draft item (`§2.3`, `action/A1`), seen in the room.
    ItemPosted {
        room_id: String,
        item: String,
        event_id: String,
    },
    /// Time to bring these proposals' cards up to date (the adapter's debounce is over).
    RefreshCards(Vec<u32>),
    /// A stretch of the room's history in the room's order: over federation events reach
    /// the bot out of order, so each person's ballots are put in this order.
    RoomOrder(RoomOrder),
    /// At rebuild, where a deleted message stood: what it created, without its text (a
    /// tombstone notice tells what), so the deletion that follows finds it as it was live.
    Recreated(Recreated),
    /// The bot's own import message (progress or measurements from a file or a source
    /// system), seen in a room.
    Imported(crate::domain::imports::ImportMessage),
    /// An `is_direct` invite passed between the bot and `user` in this room: their DM.
    DirectRoom {
        room_id: String,
        user: String,
    },
    /// The bot's own close of a secret ballot, seen in a room, with its receipts.
    SecretTallied {
        room_id: String,
        tally: crate::domain::secret_ballot::SecretTally,
    },
    /// A message the bot could never decrypt (its room key never came).
    Undecryptable(crate::domain::encryption::Undecryptable),
    /// A room turned end-to-end encryption on.
    EncryptionEnabled(crate::domain::encryption::EncryptionEnabled),
}

impl Input {
    /// Every value [`Input::kind`] gives, in its order.
    pub const KINDS: [&'static str; 20] = [
        "message",
        "power_levels",
        "bot_joined",
        "edit",
        "reaction",
        "redaction",
        "poll_posted",
        "poll_response",
        "poll_ended",
        "tick",
        "card_posted",
        "refresh_cards",
        "room_order",
        "recreated",
        "imported",
        "direct_room",
        "secret_tallied",
        "undecryptable",
        "encryption_enabled",
        "item_posted",
    ];

    /// Its kind in a word, for the operator's metrics (one of [`Input::KINDS`]).
    pub fn kind(&self) -> &'static str {
        match self {
            Input::Message(_) => "message",
            Input::PowerLevels { .. } => "power_levels",
            Input::BotJoined { .. } => "bot_joined",
            Input::Edit(_) => "edit",
            Input::Reaction(_) => "reaction",
            Input::Redaction { .. } => "redaction",
            Input::PollPosted { .. } => "poll_posted",
            Input::PollResponse(_) => "poll_response",
            Input::PollEnded { .. } => "poll_ended",
            Input::Tick => "tick",
            Input::CardPosted { .. } => "card_posted",
            Input::RefreshCards(_) => "refresh_cards",
            Input::RoomOrder(_) => "room_order",
            Input::Recreated(_) => "recreated",
            Input::Imported(_) => "imported",
            Input::DirectRoom { .. } => "direct_room",
            Input::SecretTallied { .. } => "secret_tallied",
            Input::Undecryptable(_) => "undecryptable",
            Input::EncryptionEnabled(_) => "encryption_enabled",
            Input::ItemPosted { .. } => "item_posted",
        }
    }
}

/// A record a deleted message created, as a rebuild recreates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recreated {
    pub room_id: String,
    /// Who sent the message that created it, and when (for `!promote`, the command).
    pub sender: String,
    pub at_ms: i64,
    /// Its author and time (for `!promote`, the quoted message's).
    pub author: String,
    pub created_ms: i64,
    pub what: super::Tombstone,
}

/// Events of one room as a walk back through its history passed them, and what was applied
/// since the walk began that it did not pass.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoomOrder {
    pub room_id: String,
    /// Oldest first.
    pub events: Vec<Passed>,
    /// Events applied since the walk began that it did not pass: all newer than those it did.
    pub newer: Vec<String>,
}

/// One event of a [`RoomOrder`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passed {
    pub event_id: String,
    pub sender: String,
    /// The event a reaction annotates; `None` for other events.
    pub reaction_target: Option<String>,
}

/// An edit of an earlier message: `m.new_content`'s body replaces the original's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edited {
    pub event_id: String,
    pub room_id: String,
    pub sender: String,
    pub original: String,
    pub new_body: String,
    pub at_ms: i64,
}

/// A reaction on an event; 👍/👎 on a proposal are votes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reacted {
    pub event_id: String,
    pub room_id: String,
    pub sender: String,
    pub target: String,
    pub key: String,
    pub at_ms: i64,
}

/// A response to the poll started by event `start`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollAnswered {
    pub event_id: String,
    pub room_id: String,
    pub sender: String,
    pub start: String,
    pub answers: Vec<String>,
    pub at_ms: i64,
}
