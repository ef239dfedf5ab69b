//! The stored form of outbox entries and dead letters (JSON under `o:` and `d:`): an
//! [`OutboxRecord`] mirrors an [`OutboxEntry`] and its [`Outgoing`] payload, with the serde
//! shape the outbox has always had. A file's bytes are base64 here, a storage concern only.

use serde::{Deserialize, Serialize};

use super::secret_ballot::SecretTallyRecord;
use crate::domain::imports::post::ImportPost;
use crate::domain::imports::ImportBatch;
use crate::domain::secret_ballot::SecretTally;
use crate::domain::{
    CardEdit, CardRedaction, CommandReceipt, FilePost, Notice, PollEndPost, PollPost, Reaction,
    Rendered, Reply, Tombstone,
};
use crate::store::{OutboxEntry, Outgoing};

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxRecord {
    pub seq: u64,
    pub txn_id: String,
    pub outgoing: OutgoingRecord,
}

/// A dead letter: the entry and why the homeserver refused it, a JSON array of the two.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct DeadLetterRecord(pub OutboxRecord, pub String);

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub enum OutgoingRecord {
    Reply(ReplyRecord),
    Notice(NoticeRecord),
    Reaction(ReactionRecord),
    File(FileRecord),
    Poll(PollPostRecord),
    PollEnd(PollEndRecord),
    CardEdit(CardEditRecord),
    CardRedaction(CardRedactionRecord),
    Import(ImportRecord),
    OpenDirect(OpenDirectRecord),
}

/// A DM to open with `user`.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct OpenDirectRecord {
    pub user: String,
}

/// An import message. Its updates are kept in the form the message's content has in room
/// history, which `pspm rebuild` reads back: a form that cannot change anyway.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportRecord {
    pub room_id: String,
    pub key: String,
    pub text: RenderedRecord,
    pub content: serde_json::Value,
}

impl From<ImportPost> for ImportRecord {
    fn from(post: ImportPost) -> ImportRecord {
        let ImportPost {
            room_id,
            key,
            text,
            batch,
        } = post;
        ImportRecord {
            room_id,
            key,
            text: text.into(),
            // Plain strings and numbers: serialising cannot fail.
            content: serde_json::to_value(batch).unwrap_or_default(),
        }
    }
}

impl From<ImportRecord> for ImportPost {
    fn from(record: ImportRecord) -> ImportPost {
        let ImportRecord {
            room_id,
            key,
            text,
            content,
        } = record;
        // A record this binary wrote reads back; an unreadable one is sent with no update
        // (its text still tells people what it was) rather than stopping the outbox.
        let batch = serde_json::from_value(content).unwrap_or_else(|_| ImportBatch {
            source: "unreadable".to_owned(),
            updates: Vec::new(),
        });
        ImportPost {
            room_id,
            key,
            text: text.into(),
            batch,
        }
    }
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct CardRedactionRecord {
    pub room_id: String,
    pub card_event: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct CardEditRecord {
    pub room_id: String,
    pub card_event: String,
    pub number: u32,
    pub text: RenderedRecord,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct ReplyRecord {
    pub room_id: String,
    pub in_reply_to: String,
    pub thread_root: Option<String>,
    pub mentions: Vec<String>,
    pub text: RenderedRecord,
    pub card_for: Option<u32>,
    /// Absent but on a secret ballot's close.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_tally: Option<SecretTallyRecord>,
    /// Absent but on an amendment's card: its item key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// Absent but on the answer to a command that changed the plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<CommandReceiptRecord>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct CommandReceiptRecord {
    pub body: String,
    pub reply_to: Option<String>,
}

impl From<CommandReceipt> for CommandReceiptRecord {
    fn from(CommandReceipt { body, reply_to }: CommandReceipt) -> Self {
        CommandReceiptRecord { body, reply_to }
    }
}

impl From<CommandReceiptRecord> for CommandReceipt {
    fn from(CommandReceiptRecord { body, reply_to }: CommandReceiptRecord) -> Self {
        CommandReceipt { body, reply_to }
    }
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct NoticeRecord {
    pub room_id: String,
    pub key: String,
    pub text: RenderedRecord,
    /// Absent in notices stored before deletions were recorded, and in other notices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tombstone: Option<TombstoneRecord>,
    /// Absent in notices stored before notices mentioned anyone, and in those that do not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<String>,
    /// Absent but in the notice of a secret ballot closed by itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_tally: Option<SecretTallyRecord>,
    /// Absent but in a draft item's notice: the item's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind")]
pub enum TombstoneRecord {
    Proposal {
        number: u32,
        source: String,
        card: Option<String>,
    },
    Comment {
        source: String,
        proposal: Option<u32>,
    },
    Card {
        number: u32,
        card: String,
    },
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct RenderedRecord {
    pub body: String,
    pub html: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct ReactionRecord {
    pub room_id: String,
    pub target: String,
    pub key: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct FileRecord {
    pub room_id: String,
    pub in_reply_to: String,
    pub filename: String,
    pub mimetype: String,
    #[serde(with = "base64_bytes")]
    pub content: Vec<u8>,
    /// Absent from records written before files could be images.
    #[serde(default)]
    pub image: Option<(u32, u32)>,
    /// Absent from records written before files had captions (and from files without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct PollPostRecord {
    pub room_id: String,
    pub poll_id: u32,
    pub question: String,
    pub max_selections: u32,
    pub answers: Vec<(String, String)>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct PollEndRecord {
    pub room_id: String,
    pub start: String,
    pub text: String,
}

/// Standard base64 with padding, as a JSON string.
mod base64_bytes {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(deserializer)?;
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(serde::de::Error::custom)
    }
}

impl From<OutboxEntry> for OutboxRecord {
    fn from(entry: OutboxEntry) -> OutboxRecord {
        let OutboxEntry {
            seq,
            txn_id,
            outgoing,
        } = entry;
        OutboxRecord {
            seq,
            txn_id,
            outgoing: outgoing.into(),
        }
    }
}

impl From<OutboxRecord> for OutboxEntry {
    fn from(record: OutboxRecord) -> OutboxEntry {
        let OutboxRecord {
            seq,
            txn_id,
            outgoing,
        } = record;
        OutboxEntry {
            seq,
            txn_id,
            outgoing: outgoing.into(),
        }
    }
}

impl From<Outgoing> for OutgoingRecord {
    fn from(outgoing: Outgoing) -> OutgoingRecord {
        match outgoing {
            Outgoing::Reply(reply) => OutgoingRecord::Reply(reply.into()),
            Outgoing::Notice(notice) => OutgoingRecord::Notice(notice.into()),
            Outgoing::Reaction(reaction) => OutgoingRecord::Reaction(reaction.into()),
            Outgoing::File(file) => OutgoingRecord::File(file.into()),
            Outgoing::Poll(poll) => OutgoingRecord::Poll(poll.into()),
            Outgoing::PollEnd(end) => OutgoingRecord::PollEnd(end.into()),
            Outgoing::CardEdit(edit) => OutgoingRecord::CardEdit(edit.into()),
            Outgoing::CardRedaction(CardRedaction {
                room_id,
                card_event,
            }) => OutgoingRecord::CardRedaction(CardRedactionRecord {
                room_id,
                card_event,
            }),
            Outgoing::Import(post) => OutgoingRecord::Import(post.into()),
            Outgoing::OpenDirect(user) => OutgoingRecord::OpenDirect(OpenDirectRecord { user }),
        }
    }
}

impl From<OutgoingRecord> for Outgoing {
    fn from(record: OutgoingRecord) -> Outgoing {
        match record {
            OutgoingRecord::Reply(reply) => Outgoing::Reply(reply.into()),
            OutgoingRecord::Notice(notice) => Outgoing::Notice(notice.into()),
            OutgoingRecord::Reaction(reaction) => Outgoing::Reaction(reaction.into()),
            OutgoingRecord::File(file) => Outgoing::File(file.into()),
            OutgoingRecord::Poll(poll) => Outgoing::Poll(poll.into()),
            OutgoingRecord::PollEnd(end) => Outgoing::PollEnd(end.into()),
            OutgoingRecord::CardEdit(edit) => Outgoing::CardEdit(edit.into()),
            OutgoingRecord::CardRedaction(CardRedactionRecord {
                room_id,
                card_event,
            }) => Outgoing::CardRedaction(CardRedaction {
                room_id,
                card_event,
            }),
            OutgoingRecord::Import(record) => Outgoing::Import(record.into()),
            OutgoingRecord::OpenDirect(OpenDirectRecord { user }) => Outgoing::OpenDirect(user),
        }
    }
}

impl From<Reply> for ReplyRecord {
    fn from(reply: Reply) -> ReplyRecord {
        let Reply {
            room_id,
            in_reply_to,
            thread_root,
            mentions,
            text,
            card_for,
            secret_tally,
            item,
            receipt,
        } = reply;
        ReplyRecord {
            room_id,
            in_reply_to,
            thread_root,
            mentions,
            text: text.into(),
            card_for,
            secret_tally: secret_tally.map(SecretTallyRecord::from),
            item,
            receipt: receipt.map(CommandReceiptRecord::from),
        }
    }
}

impl From<ReplyRecord> for Reply {
    fn from(record: ReplyRecord) -> Reply {
        let ReplyRecord {
            room_id,
            in_reply_to,
            thread_root,
            mentions,
            text,
            card_for,
            secret_tally,
            item,
            receipt,
        } = record;
        Reply {
            room_id,
            in_reply_to,
            thread_root,
            mentions,
            text: text.into(),
            card_for,
            secret_tally: secret_tally.map(SecretTally::from),
            item,
            receipt: receipt.map(CommandReceipt::from),
        }
    }
}

impl From<Notice> for NoticeRecord {
    fn from(notice: Notice) -> NoticeRecord {
        let Notice {
            room_id,
            key,
            text,
            tombstone,
            mentions,
            secret_tally,
            item,
        } = notice;
        NoticeRecord {
            room_id,
            key,
            text: text.into(),
            tombstone: tombstone.map(TombstoneRecord::from),
            mentions,
            secret_tally: secret_tally.map(SecretTallyRecord::from),
            item,
        }
    }
}

impl From<NoticeRecord> for Notice {
    fn from(record: NoticeRecord) -> Notice {
        let NoticeRecord {
            room_id,
            key,
            text,
            tombstone,
            mentions,
            secret_tally,
            item,
        } = record;
        Notice {
            room_id,
            key,
            text: text.into(),
            tombstone: tombstone.map(Tombstone::from),
            mentions,
            secret_tally: secret_tally.map(SecretTally::from),
            item,
        }
    }
}

impl From<Tombstone> for TombstoneRecord {
    fn from(tombstone: Tombstone) -> TombstoneRecord {
        match tombstone {
            Tombstone::Proposal {
                number,
                source,
                card,
            } => TombstoneRecord::Proposal {
                number,
                source,
                card,
            },
            Tombstone::Comment { source, proposal } => {
                TombstoneRecord::Comment { source, proposal }
            }
            Tombstone::Card { number, card } => TombstoneRecord::Card { number, card },
        }
    }
}

impl From<TombstoneRecord> for Tombstone {
    fn from(record: TombstoneRecord) -> Tombstone {
        match record {
            TombstoneRecord::Proposal {
                number,
                source,
                card,
            } => Tombstone::Proposal {
                number,
                source,
                card,
            },
            TombstoneRecord::Comment { source, proposal } => {
                Tombstone::Comment { source, proposal }
            }
            TombstoneRecord::Card { number, card } => Tombstone::Card { number, card },
        }
    }
}

impl From<Rendered> for RenderedRecord {
    fn from(rendered: Rendered) -> RenderedRecord {
        let Rendered { body, html } = rendered;
        RenderedRecord { body, html }
    }
}

impl From<RenderedRecord> for Rendered {
    fn from(record: RenderedRecord) -> Rendered {
        let RenderedRecord { body, html } = record;
        Rendered { body, html }
    }
}

impl From<Reaction> for ReactionRecord {
    fn from(reaction: Reaction) -> ReactionRecord {
        let Reaction {
            room_id,
            target,
            key,
        } = reaction;
        ReactionRecord {
            room_id,
            target,
            key,
        }
    }
}

impl From<ReactionRecord> for Reaction {
    fn from(record: ReactionRecord) -> Reaction {
        let ReactionRecord {
            room_id,
            target,
            key,
        } = record;
        Reaction {
            room_id,
            target,
            key,
        }
    }
}

impl From<FilePost> for FileRecord {
    fn from(file: FilePost) -> FileRecord {
        let FilePost {
            room_id,
            in_reply_to,
            filename,
            mimetype,
            content,
            image,
            caption,
        } = file;
        FileRecord {
            room_id,
            in_reply_to,
            filename,
            mimetype,
            content,
            image,
            caption,
        }
    }
}

impl From<FileRecord> for FilePost {
    fn from(record: FileRecord) -> FilePost {
        let FileRecord {
            room_id,
            in_reply_to,
            filename,
            mimetype,
            content,
            image,
            caption,
        } = record;
        FilePost {
            room_id,
            in_reply_to,
            filename,
            mimetype,
            content,
            image,
            caption,
        }
    }
}

impl From<PollPost> for PollPostRecord {
    fn from(poll: PollPost) -> PollPostRecord {
        let PollPost {
            room_id,
            poll_id,
            question,
            max_selections,
            answers,
        } = poll;
        PollPostRecord {
            room_id,
            poll_id,
            question,
            max_selections,
            answers,
        }
    }
}

impl From<PollPostRecord> for PollPost {
    fn from(record: PollPostRecord) -> PollPost {
        let PollPostRecord {
            room_id,
            poll_id,
            question,
            max_selections,
            answers,
        } = record;
        PollPost {
            room_id,
            poll_id,
            question,
            max_selections,
            answers,
        }
    }
}

impl From<PollEndPost> for PollEndRecord {
    fn from(end: PollEndPost) -> PollEndRecord {
        let PollEndPost {
            room_id,
            start,
            text,
        } = end;
        PollEndRecord {
            room_id,
            start,
            text,
        }
    }
}

impl From<PollEndRecord> for PollEndPost {
    fn from(record: PollEndRecord) -> PollEndPost {
        let PollEndRecord {
            room_id,
            start,
            text,
        } = record;
        PollEndPost {
            room_id,
            start,
            text,
        }
    }
}

impl From<CardEdit> for CardEditRecord {
    fn from(edit: CardEdit) -> CardEditRecord {
        let CardEdit {
            room_id,
            card_event,
            number,
            text,
        } = edit;
        CardEditRecord {
            room_id,
            card_event,
            number,
            text: text.into(),
        }
    }
}

impl From<CardEditRecord> for CardEdit {
    fn from(record: CardEditRecord) -> CardEdit {
        let CardEditRecord {
            room_id,
            card_event,
            number,
            text,
        } = record;
        CardEdit {
            room_id,
            card_event,
            number,
            text: text.into(),
        }
    }
}
