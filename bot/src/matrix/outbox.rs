//! Sends committed outbox entries, each with its derived transaction ID, and deletes an entry
//! only once the homeserver has confirmed it. Transient failures are retried forever; an entry
//! refused for good goes to the dead-letter tree, never silently away (`pspm outbox` lists,
//! retries and drops them). A revoked access token is no refusal of the message: it is sent
//! again after a new login, and if the bot cannot log in, the sender stops with the entry
//! still in the outbox.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use matrix_sdk::ruma::api::client::media::create_content;
use matrix_sdk::ruma::api::client::message::send_message_event;
use matrix_sdk::ruma::events::MessageLikeEventType;
use matrix_sdk::ruma::serde::Raw;
use matrix_sdk::ruma::{OwnedRoomId, OwnedTransactionId};
use serde_json::{json, Value};
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;
use tracing::{debug, error, warn};

use super::crypto::Crypto;
use super::events::{
    tombstone_json, CARD_KEY, ITEM_KEY, POLL_KEY, SECRET_TALLY_KEY, TOMBSTONE_KEY,
};
use super::receipts::{receipt_json, COMMAND_KEY};
use super::{card_redaction, direct};
use super::{Matrix, RequestError};
use crate::domain::draft_post;
use crate::domain::imports::post::ImportPost;
use crate::domain::imports::CONTENT_KEY as IMPORT_KEY;
use crate::domain::{CardEdit, FilePost, Notice, PollEndPost, PollPost, Reaction, Reply};
use crate::store::{OutboxEntry, Outgoing, Store};

/// Sends in flight at once: enough to keep up with bursts, few enough to be polite.
const MAX_IN_FLIGHT: usize = 8;
/// How long a shutdown waits for the outbox to drain.
const DRAIN_ON_SHUTDOWN: Duration = Duration::from_secs(5);
/// How often the outbox's depth is logged (at debug level): what a soak watches.
const DEPTH_EVERY: Duration = Duration::from_secs(30);

/// The Matrix content of a reply: an `m.notice` with HTML, as a reply (in the thread, if the
/// command was in one), mentioning the user it answers.
pub fn reply_content(reply: &Reply) -> Value {
    let in_reply_to = json!({ "event_id": reply.in_reply_to });
    let relates_to = match &reply.thread_root {
        Some(root) => json!({
            "rel_type": "m.thread",
            "event_id": root,
            "is_falling_back": false,
            "m.in_reply_to": in_reply_to,
        }),
        None => json!({ "m.in_reply_to": in_reply_to }),
    };
    let mut content = json!({
        "msgtype": "m.notice",
        "body": reply.text.body,
        "format": "org.matrix.custom.html",
        "formatted_body": reply.text.html,
        "m.relates_to": relates_to,
        "m.mentions": { "user_ids": reply.mentions },
    });
    if let Some(number) = reply.card_for {
        content[CARD_KEY] = json!(number);
    }
    if let Some(item) = &reply.item {
        content[ITEM_KEY] = json!(item);
    }
    if let Some(tally) = &reply.secret_tally {
        content[SECRET_TALLY_KEY] = json!({ "poll": tally.poll, "receipts": tally.receipts });
    }
    if let Some(receipt) = receipt_json(reply) {
        content[COMMAND_KEY] = receipt;
    }
    content
}

/// Drains the outbox whenever woken, until shutdown (then for at most a few more seconds).
pub async fn run(
    matrix: Matrix,
    store: Arc<dyn Store>,
    wake: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let mut in_flight: HashSet<u64> = HashSet::new();
    let mut tasks: JoinSet<(u64, anyhow::Result<()>)> = JoinSet::new();
    let mut deadline: Option<tokio::time::Instant> = None;
    let mut depth_due = tokio::time::Instant::now();
    loop {
        let now = tokio::time::Instant::now();
        if now >= depth_due {
            debug!(
                depth = store.outbox_len()?,
                in_flight = in_flight.len(),
                "outbox"
            );
            depth_due = now + DEPTH_EVERY;
        }
        // In-flight entries are the oldest, so this window always holds the next ones to send.
        for entry in store.outbox(2 * MAX_IN_FLIGHT)? {
            if in_flight.len() >= MAX_IN_FLIGHT {
                break;
            }
            // A draft is read in order: its messages go one at a time, and nothing after them
            // overtakes the one in flight.
            if in_order(&entry) && !in_flight.contains(&entry.seq) && !in_flight.is_empty() {
                break;
            }
            if in_flight.insert(entry.seq) {
                let (matrix, store) = (matrix.clone(), store.clone());
                tasks.spawn(async move {
                    (entry.seq, send_entry(&matrix, store.as_ref(), &entry).await)
                });
            }
        }
        if deadline.is_some() && in_flight.is_empty() {
            return Ok(());
        }
        let until =
            deadline.unwrap_or_else(|| tokio::time::Instant::now() + Duration::from_secs(3600));
        tokio::select! {
            Some(joined) = tasks.join_next() => {
                let (seq, result) = joined?;
                in_flight.remove(&seq);
                // A store failure here would lose track of what was sent: stop the bot.
                result?;
            }
            _ = wake.notified() => {}
            _ = shutdown.changed(), if deadline.is_none() => {
                deadline = Some(tokio::time::Instant::now() + DRAIN_ON_SHUTDOWN);
            }
            _ = tokio::time::sleep_until(depth_due), if deadline.is_none() => {}
            _ = tokio::time::sleep_until(until) => {
                if deadline.is_some() {
                    warn!(pending = in_flight.len(), "shutting down with messages still in the outbox; they are sent on next start");
                    return Ok(());
                }
            }
        }
    }
}

/// Whether `entry` is a message of a draft, which the room must show in its order.
fn in_order(entry: &OutboxEntry) -> bool {
    matches!(&entry.outgoing, Outgoing::Notice(n) if n.key.starts_with(draft_post::KEY_PREFIX))
}

/// The Matrix content of a reaction the bot adds.
pub fn reaction_content(reaction: &Reaction) -> Value {
    json!({
        "m.relates_to": {
            "rel_type": "m.annotation",
            "event_id": reaction.target,
            "key": reaction.key,
        }
    })
}

/// Element sends and renders the unstable MSC3381 types, so the bot sends those.
const POLL_START: &str = "org.matrix.msc3381.poll.start";
const POLL_END: &str = "org.matrix.msc3381.poll.end";

/// A disclosed poll in the unstable MSC3381 form, with a text fallback and the poll's number.
pub fn poll_start_content(poll: &PollPost) -> Value {
    let answers: Vec<Value> = poll
        .answers
        .iter()
        .map(|(id, text)| json!({ "id": id, "org.matrix.msc1767.text": text }))
        .collect();
    let fallback = std::iter::once(poll.question.clone())
        .chain(
            poll.answers
                .iter()
                .enumerate()
                .map(|(i, (_, text))| format!("{}. {text}", i + 1)),
        )
        .collect::<Vec<_>>()
        .join("\n");
    json!({
        POLL_START: {
            "question": { "org.matrix.msc1767.text": poll.question },
            "kind": "org.matrix.msc3381.poll.disclosed",
            "max_selections": poll.max_selections,
            "answers": answers,
        },
        "org.matrix.msc1767.text": fallback,
        POLL_KEY: poll.poll_id,
    })
}

pub fn poll_end_content(end: &PollEndPost) -> Value {
    json!({
        "m.relates_to": { "rel_type": "m.reference", "event_id": end.start },
        POLL_END: {},
        "org.matrix.msc1767.text": end.text,
    })
}

/// Uploads a file's content; a retry after a crash may upload it again, but only one message
/// points to it (the message's transaction ID is fixed).
async fn upload(matrix: &Matrix, file: &FilePost) -> Result<String, RequestError> {
    let mut request = create_content::v3::Request::new(file.content.clone());
    request.filename = Some(file.filename.clone());
    request.content_type = Some(if file.mimetype.starts_with("text/") {
        format!("{}; charset=utf-8", file.mimetype)
    } else {
        file.mimetype.clone()
    });
    let response = matrix
        .send("upload", |client| client.send(request.clone()))
        .await?;
    Ok(response.content_uri.to_string())
}

/// In an encrypted room, what the bot sends is encrypted for every device of its members
/// (reactions excepted, as other clients do); elsewhere it goes as it is.
async fn encrypt(
    matrix: &Matrix,
    room_id: &OwnedRoomId,
    kind: MessageLikeEventType,
    content: Value,
) -> Result<(MessageLikeEventType, Value), RequestError> {
    let Some(crypto) = matrix.crypto() else {
        return Ok((kind, content));
    };
    match crypto
        .encrypt(matrix, room_id, &kind.to_string(), &content)
        .await
    {
        Ok(Some(encrypted)) => Ok((MessageLikeEventType::RoomEncrypted, encrypted)),
        Ok(None) => Ok((kind, content)),
        Err(error) => Err(match error.downcast::<RequestError>() {
            Ok(request) => request,
            Err(other) => RequestError::Encryption(format!("{other:#}")),
        }),
    }
}

/// The content of a file message, its file uploaded: in an encrypted room the file is
/// encrypted first and the message carries its key (`file`), as clients expect.
async fn upload_for_room(matrix: &Matrix, file: &FilePost) -> Result<Value, RequestError> {
    let encrypted = match matrix.crypto() {
        Some(crypto) => {
            let room_id: OwnedRoomId = file
                .room_id
                .as_str()
                .try_into()
                .map_err(|e| RequestError::Encryption(format!("bad room id: {e}")))?;
            crypto
                .is_encrypted(matrix, &room_id)
                .await
                .map_err(|e| RequestError::Encryption(format!("{e:#}")))?
        }
        None => false,
    };
    if !encrypted {
        let url = upload(matrix, file).await?;
        return Ok(file_content(file, &url));
    }
    let (ciphertext, mut key) = Crypto::encrypt_attachment(&file.content)
        .map_err(|e| RequestError::Encryption(format!("{e:#}")))?;
    let sealed = FilePost {
        content: ciphertext,
        mimetype: "application/octet-stream".into(),
        ..file.clone()
    };
    let url = upload(matrix, &sealed).await?;
    key["url"] = json!(url);
    let mut content = file_content(file, &url);
    if let Some(fields) = content.as_object_mut() {
        fields.remove("url");
    }
    content["file"] = key;
    Ok(content)
}

/// An `m.file` (or, for an image, `m.image`) message pointing to uploaded content, as a
/// reply to the command.
pub fn file_content(file: &FilePost, url: &str) -> Value {
    // With `filename` set, a `body` that differs is the file's caption (Matrix 1.10).
    let mut content = json!({
        "msgtype": "m.file",
        "body": file.caption.as_deref().unwrap_or(&file.filename),
        "filename": file.filename,
        "url": url,
        "info": { "mimetype": file.mimetype, "size": file.content.len() },
        "m.relates_to": { "m.in_reply_to": { "event_id": file.in_reply_to } },
    });
    if let Some((width, height)) = file.image {
        content["msgtype"] = json!("m.image");
        content["info"]["w"] = json!(width);
        content["info"]["h"] = json!(height);
    }
    content
}

/// The Matrix content of a notice that answers no one (a reminder, a tombstone).
pub fn notice_content(notice: &Notice) -> Value {
    let mut content = json!({
        "msgtype": "m.notice",
        "body": notice.text.body,
        "format": "org.matrix.custom.html",
        "formatted_body": notice.text.html,
    });
    if let Some(tombstone) = &notice.tombstone {
        content[TOMBSTONE_KEY] = tombstone_json(tombstone);
    }
    if let Some(tally) = &notice.secret_tally {
        content[SECRET_TALLY_KEY] = json!({ "poll": tally.poll, "receipts": tally.receipts });
    }
    if let Some(item) = &notice.item {
        content[ITEM_KEY] = json!(item);
    }
    // Only when someone is mentioned: without `m.mentions` clients keep their older rules.
    if !notice.mentions.is_empty() {
        content["m.mentions"] = json!({ "user_ids": notice.mentions });
    }
    content
}

/// An import message: a notice people read, carrying the updates for the bot to apply when
/// it comes back (and for `pspm rebuild` to find in history).
pub fn import_content(post: &ImportPost) -> Value {
    json!({
        "msgtype": "m.notice",
        "body": post.text.body,
        "format": "org.matrix.custom.html",
        "formatted_body": post.text.html,
        IMPORT_KEY: post.batch,
    })
}

/// A card's new text as a Matrix edit (`m.replace`): clients show the new content in place
/// of the card's. The card's number stays in the new content only: the edit itself is not a
/// card (a rebuild sees one card per proposal).
pub fn card_edit_content(edit: &CardEdit) -> Value {
    json!({
        "msgtype": "m.notice",
        "body": format!("* {}", edit.text.body),
        "format": "org.matrix.custom.html",
        "formatted_body": format!("* {}", edit.text.html),
        "m.new_content": {
            "msgtype": "m.notice",
            "body": edit.text.body,
            "format": "org.matrix.custom.html",
            "formatted_body": edit.text.html,
            CARD_KEY: edit.number,
        },
        "m.relates_to": { "rel_type": "m.replace", "event_id": edit.card_event },
    })
}

async fn send_entry(matrix: &Matrix, store: &dyn Store, entry: &OutboxEntry) -> anyhow::Result<()> {
    let (room_id, kind, content) = match &entry.outgoing {
        Outgoing::CardRedaction(redaction) => {
            return card_redaction::send(matrix, store, entry, redaction).await;
        }
        Outgoing::OpenDirect(user) => return direct::send(matrix, store, entry, user).await,
        Outgoing::Reply(reply) => (
            &reply.room_id,
            MessageLikeEventType::RoomMessage,
            reply_content(reply),
        ),
        Outgoing::Notice(notice) => (
            &notice.room_id,
            MessageLikeEventType::RoomMessage,
            notice_content(notice),
        ),
        Outgoing::Reaction(reaction) => (
            &reaction.room_id,
            MessageLikeEventType::Reaction,
            reaction_content(reaction),
        ),
        Outgoing::Poll(poll) => (
            &poll.room_id,
            MessageLikeEventType::from(POLL_START),
            poll_start_content(poll),
        ),
        Outgoing::PollEnd(end) => (
            &end.room_id,
            MessageLikeEventType::from(POLL_END),
            poll_end_content(end),
        ),
        Outgoing::CardEdit(edit) => (
            &edit.room_id,
            MessageLikeEventType::RoomMessage,
            card_edit_content(edit),
        ),
        Outgoing::Import(post) => (
            &post.room_id,
            MessageLikeEventType::RoomMessage,
            import_content(post),
        ),
        Outgoing::File(file) => match upload_for_room(matrix, file).await {
            Ok(content) => (&file.room_id, MessageLikeEventType::RoomMessage, content),
            Err(RequestError::LoggedOut(error)) => return Err(error),
            Err(upload_error) => {
                let reason = upload_error
                    .code()
                    .unwrap_or_else(|| upload_error.to_string());
                error!(seq = entry.seq, %reason, "the homeserver refuses an upload; moved to dead letters");
                store.dead_letter(entry, &reason)?;
                return Ok(());
            }
        },
    };
    let room_id: OwnedRoomId = match room_id.as_str().try_into() {
        Ok(id) => id,
        Err(e) => {
            store.dead_letter(entry, &format!("bad room id: {e}"))?;
            return Ok(());
        }
    };
    let (kind, content) = match encrypt(matrix, &room_id, kind, content).await {
        Ok(sealed) => sealed,
        Err(RequestError::LoggedOut(error)) => return Err(error),
        Err(encrypt_error) => {
            error!(seq = entry.seq, %room_id, reason = %encrypt_error, "cannot encrypt a message for its room; moved to dead letters");
            store.dead_letter(entry, &format!("cannot encrypt: {encrypt_error}"))?;
            return Ok(());
        }
    };
    let txn_id: OwnedTransactionId = entry.txn_id.as_str().into();
    let content = Raw::from_json(serde_json::value::to_raw_value(&content)?);
    let request = send_message_event::v3::Request::new_raw(room_id, txn_id, kind, content);
    match matrix
        .send("send", |client| client.send(request.clone()))
        .await
    {
        Ok(_) => {
            crate::telemetry::metrics().sent(entry.outgoing.kind());
            store.remove_outbox(entry.seq)?
        }
        // The same reaction is already there (e.g. sent before a crash under another txn).
        Err(send_error) if send_error.code().as_deref() == Some("M_DUPLICATE_ANNOTATION") => {
            store.remove_outbox(entry.seq)?;
        }
        // Not the message's fault: the entry stays for the next start.
        Err(RequestError::LoggedOut(error)) => return Err(error),
        Err(send_error) => {
            let reason = send_error.code().unwrap_or_else(|| send_error.to_string());
            error!(seq = entry.seq, txn_id = %entry.txn_id, %reason, "the homeserver refuses a message; moved to dead letters");
            store.dead_letter(entry, &reason)?;
        }
    }
    Ok(())
}
