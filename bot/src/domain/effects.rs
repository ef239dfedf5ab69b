//! What the engine decides to send: replies, notices, reactions, files and polls, gathered
//! with the changes to persist in one [`Effects`] per input.

use super::change::Change;
use super::i18n::Rendered;
use super::input::Message;
use super::secret_ballot::SecretTally;

/// A reaction the bot adds (the 👍/👎 seeds on a proposal card).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reaction {
    pub room_id: String,
    pub target: String,
    pub key: String,
}

/// A poll to start (dot voting among proposals), as a reply to the command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollPost {
    pub room_id: String,
    pub poll_id: u32,
    pub question: String,
    pub max_selections: u32,
    /// `(answer id, text)`.
    pub answers: Vec<(String, String)>,
}

/// A poll to end, with the ranking as its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollEndPost {
    pub room_id: String,
    pub start: String,
    pub text: String,
}

/// A file to upload and post in a room (an export), as a reply to the command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilePost {
    pub room_id: String,
    pub in_reply_to: String,
    pub filename: String,
    pub mimetype: String,
    pub content: Vec<u8>,
    /// Width and height, when the file is an image to show (`m.image`).
    pub image: Option<(u32, u32)>,
    /// What the file shows, in words: the message's `body` (a caption, and an image's text
    /// alternative for screen readers and text-only clients); the file name when `None`.
    pub caption: Option<String>,
}

/// A message that answers no one, e.g. the daily reminder. `key` names it uniquely (its
/// transaction ID derives from it), so it is sent once even if computed twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub room_id: String,
    pub key: String,
    pub text: Rendered,
    /// Set when the notice tells of a deletion: its content carries what was deleted, which
    /// history no longer shows, so that a rebuild reaches the same state.
    pub tombstone: Option<Tombstone>,
    /// Users mentioned (`m.mentions`), so their clients notify them: owners of late actions.
    pub mentions: Vec<String>,
    /// Set when a secret ballot closes by itself: the content carries the receipts, for a
    /// rebuild (as `Reply::secret_tally` on `!close`).
    pub secret_tally: Option<SecretTally>,
    /// Set when the notice is a consultable item of the draft (`§2.3`, `action/A1`): the
    /// content carries its key, so the bot knows the item's message when it comes back.
    pub item: Option<String>,
}

/// What a deleted message had created, as a tombstone notice records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tombstone {
    /// Proposal `number`, from message `source`; its card, when the bot had seen it, is
    /// deleted too.
    Proposal {
        number: u32,
        source: String,
        card: Option<String>,
    },
    /// A comment in proposal `proposal`'s thread, or feedback on the section (`None`).
    Comment {
        source: String,
        proposal: Option<u32>,
    },
    /// The card of proposal `number`, deleted because the proposal was, seen only after.
    Card { number: u32, card: String },
}

/// The bot's card of a deleted proposal, to delete (with the bot's edits of it, which
/// repeat its text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardRedaction {
    pub room_id: String,
    pub card_event: String,
}

/// A new text for the card of proposal `number` (an edit of the card's event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardEdit {
    pub room_id: String,
    pub card_event: String,
    pub number: u32,
    pub text: Rendered,
}

/// A reply to send, as a reply to the message that caused it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub room_id: String,
    pub in_reply_to: String,
    pub thread_root: Option<String>,
    /// Users mentioned, so their clients notify them (the one asking, supporters, …).
    pub mentions: Vec<String>,
    pub text: Rendered,
    /// Set when this is the card of a proposal: the content carries the number so the bot
    /// recognises its card when it comes back from the homeserver.
    pub card_for: Option<u32>,
    /// Set when this is the card of a consultable item (an amendment, `amendment/A3`): the
    /// content carries the key, as a draft item's notice does.
    pub item: Option<String>,
    /// Set on a secret ballot's close: the content carries the receipts, for a rebuild.
    pub secret_tally: Option<SecretTally>,
    /// Set on the answer to a command that changed the plan: the content carries the
    /// command, for a rebuild if its message is deleted.
    pub receipt: Option<CommandReceipt>,
}

/// The command a reply answers, as the reply's content records it. History keeps a deleted
/// message without its text, and `pspm rebuild` must still replay what the command decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandReceipt {
    pub body: String,
    /// The message the command replied to (`!promote` quotes one).
    pub reply_to: Option<String>,
}

impl Reply {
    /// A reply to `event_id` (outside any thread) addressed to `user`.
    pub fn to_event(room_id: &str, event_id: &str, user: &str, text: Rendered) -> Reply {
        Reply {
            room_id: room_id.to_owned(),
            in_reply_to: event_id.to_owned(),
            thread_root: None,
            mentions: vec![user.to_owned()],
            text,
            card_for: None,
            item: None,
            secret_tally: None,
            receipt: None,
        }
    }

    /// A reply to `message`, in its thread, addressed to its sender.
    pub fn to_message(message: &Message, text: Rendered) -> Reply {
        Reply {
            room_id: message.room_id.clone(),
            in_reply_to: message.event_id.clone(),
            thread_root: message.thread_root.clone(),
            mentions: vec![message.sender.clone()],
            text,
            card_for: None,
            item: None,
            secret_tally: None,
            receipt: None,
        }
    }
}

/// What a command came to, for the operator's metrics (`/metrics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandRun {
    /// The command's English name (`propose`, `vote`, …), `unknown` for a `!word` that is
    /// not one.
    pub name: &'static str,
    pub outcome: CommandOutcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandOutcome {
    /// It did what it was asked (or answered what it was asked).
    Done,
    /// It was understood and refused: not allowed, wrong phase, not found, …
    Refused,
    /// Its arguments could not be understood.
    Invalid,
    /// Its sender was over their command budget: nothing was done.
    OverBudget,
}

impl CommandOutcome {
    pub fn name(self) -> &'static str {
        match self {
            CommandOutcome::Done => "done",
            CommandOutcome::Refused => "refused",
            CommandOutcome::Invalid => "invalid",
            CommandOutcome::OverBudget => "over_budget",
        }
    }
}

/// What applying one input produced.
#[derive(Debug, Default, PartialEq)]
pub struct Effects {
    pub replies: Vec<Reply>,
    /// Messages that answer no one (daily reminders).
    pub notices: Vec<Notice>,
    pub reactions: Vec<Reaction>,
    pub files: Vec<FilePost>,
    pub polls: Vec<PollPost>,
    pub poll_ends: Vec<PollEndPost>,
    /// New texts for the bot's proposal cards (Matrix edits of the card).
    pub card_edits: Vec<CardEdit>,
    /// Cards of deleted proposals, to delete.
    pub card_redactions: Vec<CardRedaction>,
    /// People to open a DM with (the bot creates the room and invites them).
    pub open_directs: Vec<String>,
    /// The command the input was, and what came of it.
    pub command: Option<CommandRun>,
    pub changes: Vec<Change>,
}

impl Effects {
    /// Effects that are one change and nothing to send.
    pub fn change(change: Change) -> Effects {
        Effects {
            changes: vec![change],
            ..Effects::default()
        }
    }
}
