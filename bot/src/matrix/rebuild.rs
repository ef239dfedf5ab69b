//! `pspm rebuild`: a fresh store from the plan rooms' history. Sled is a projection of room
//! history; this replays that history through the same engine, each room in its own order
//! (the rooms interleaved by time, the only order there is between rooms), giving each
//! proposal the number its card in history records. Deleted messages come back text-less
//! where the bot's tombstones say they created something ([`super::tombstones`]). Nothing is
//! sent.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chrono::Utc;
use matrix_sdk::config::RequestConfig;
use matrix_sdk::ruma::api::client::message::get_message_events;
use matrix_sdk::ruma::api::client::sync::sync_events::v3 as sync_v3;
use matrix_sdk::ruma::api::Direction;
use matrix_sdk::ruma::{OwnedRoomId, UInt};
use pspm_config::Config;
use tracing::info;

use super::events::{attach_quote, promoted_message, quote_of, to_input, RawEvent, CARD_KEY};
use super::{provision, receipts, tombstones::Deleted, Matrix};
use crate::domain::{Engine, Quoted, Settings, State};
use crate::store::{Batch, Store};

/// What a rebuild did.
#[derive(Debug)]
pub struct RebuildSummary {
    pub events: usize,
    pub proposals: usize,
    pub votes: usize,
    pub comments: usize,
}

/// Rebuilds into `fresh` (an empty store) using the login and first-start time of `old`.
/// Without a store that ran (`old` lost or never synced) the bot logs in again, and its
/// first start is taken to be its first event in the plan rooms, which it created: nothing
/// there is older, and what followed it in time was live for the bot.
pub async fn rebuild(
    config: &Config,
    old: Option<&dyn Store>,
    fresh: Arc<dyn Store>,
) -> anyhow::Result<RebuildSummary> {
    let mut known_start = None;
    if let Some(old) = old {
        if let Some(session) = old.session()? {
            fresh.save_session(&session)?;
        }
        // `pspm run` records the first start before its first sync.
        if old.next_batch()?.is_some() {
            known_start = Some(old.first_start_ms(Utc::now().timestamp_millis())?);
        }
    }
    let matrix = Matrix::connect(config, fresh.clone()).await?;
    let rooms = provision::provision(&matrix, fresh.as_ref(), config).await?;

    // The token comes first: whatever happens after it is delivered by the next sync (and
    // skipped there if the history below already holds it).
    let token = current_token(&matrix).await?;
    // The Space too: its power levels make moderators, and commands sent there count.
    let plan_rooms = rooms
        .sections
        .iter()
        .map(|(_, room)| room)
        .chain([&rooms.space]);
    let mut histories = Vec::new();
    for room_id in plan_rooms {
        let room: OwnedRoomId = room_id.as_str().try_into().context("room id")?;
        histories.push((room_id.clone(), history(&matrix, &room).await?));
    }
    let mut events = interleave(histories);
    receipts::restore(matrix.user_id(), &mut events);

    let first_start_ms = match known_start {
        Some(known) => known,
        None => events
            .iter()
            .filter(|e| e.1.sender == matrix.user_id())
            .map(|e| e.1.origin_server_ts)
            .min()
            .unwrap_or_else(|| Utc::now().timestamp_millis()),
    };
    fresh.first_start_ms(first_start_ms)?;
    let mut settings =
        Settings::from_config(config, first_start_ms, Some(&rooms.space), &rooms.sections);
    // A replayed secret ballot gets a secret no one can derive, as a live one does.
    getrandom::fill(&mut settings.ballot_seed)
        .map_err(|e| anyhow::anyhow!("no random bytes for secret ballots: {e}"))?;
    settings.number_hints = number_hints(matrix.user_id(), events.iter().map(|e| &e.1));
    let mut engine = Engine::new(settings, State::default());
    let mut batch = Batch {
        next_batch: Some(token),
        ..Batch::default()
    };
    let now = Utc::now();
    let quotes: HashMap<String, Quoted> = events
        .iter()
        .filter_map(|e| promoted_message(&e.1))
        .filter_map(|target| {
            events
                .iter()
                .find(|e| e.1.event_id == target)
                .and_then(|e| quote_of(&e.1))
        })
        .map(|quote| (quote.event_id.clone(), quote))
        .collect();
    let deleted = Deleted::from_history(matrix.user_id(), &events);
    for (room_id, event) in &events {
        batch.applied.push(event.event_id.clone());
        let input = deleted
            .input(room_id, event)
            .or_else(|| to_input(room_id, matrix.user_id(), event));
        if let Some(mut input) = input {
            attach_quote(&mut input, &quotes);
            // Replies are history too: only the state changes are kept.
            batch.changes.extend(engine.apply(input, now).changes);
        }
    }
    let participation = &engine.state().participation;
    let report = RebuildSummary {
        events: events.len(),
        proposals: participation.proposals.len(),
        votes: participation.live_votes(),
        comments: participation.comments.len(),
    };
    fresh.commit(batch)?;
    info!(?report, "rebuilt the store from room history");
    Ok(report)
}

/// The rooms' histories (each oldest first, in the room's order) as one sequence: each room
/// keeps its order, whatever the timestamps inside it say (a server with a skewed clock does
/// not move its events), and the rooms are merged by the time of their next event.
fn interleave(histories: Vec<(String, Vec<RawEvent>)>) -> Vec<(String, RawEvent)> {
    let mut rooms: Vec<(String, std::collections::VecDeque<RawEvent>)> = histories
        .into_iter()
        .map(|(room, events)| (room, events.into()))
        .collect();
    let mut merged = Vec::new();
    loop {
        let next = rooms
            .iter()
            .enumerate()
            .filter_map(|(i, (_, events))| events.front().map(|e| (e.origin_server_ts, i)))
            .min();
        let Some((_, i)) = next else {
            return merged;
        };
        let (room, events) = &mut rooms[i];
        if let Some(event) = events.pop_front() {
            merged.push((room.clone(), event));
        }
    }
}

/// Proposal numbers recorded by the bot's cards: `source event → number`.
fn number_hints<'a>(
    bot_user: &str,
    events: impl Iterator<Item = &'a RawEvent>,
) -> HashMap<String, u32> {
    events
        .filter(|e| e.sender == bot_user)
        .filter_map(|e| {
            let number = u32::try_from(e.content.get(CARD_KEY)?.as_u64()?).ok()?;
            let source = e.content["m.relates_to"]["m.in_reply_to"]["event_id"].as_str()?;
            Some((source.to_owned(), number))
        })
        .collect()
}

async fn current_token(matrix: &Matrix) -> anyhow::Result<String> {
    let mut request = sync_v3::Request::new();
    request.timeout = Some(Duration::ZERO);
    let config = RequestConfig::new()
        .disable_retry()
        .timeout(Duration::from_secs(120));
    let response = matrix
        .send("sync", |client| {
            client.send(request.clone()).with_request_config(config)
        })
        .await
        .context("cannot sync")?;
    Ok(response.next_batch)
}

/// Every event of a room, oldest first.
async fn history(matrix: &Matrix, room: &OwnedRoomId) -> anyhow::Result<Vec<RawEvent>> {
    let mut events = Vec::new();
    let mut from: Option<String> = None;
    loop {
        let mut request = get_message_events::v3::Request::new(room.clone(), Direction::Forward);
        request.from = from.clone();
        request.limit = UInt::from(500u32);
        let page = matrix
            .send("messages", |client| client.send(request.clone()))
            .await
            .with_context(|| format!("cannot read the history of {room}"))?;
        events.extend(
            page.chunk
                .iter()
                .filter_map(|raw| RawEvent::parse(raw.json().get())),
        );
        match page.end {
            Some(end) if !page.chunk.is_empty() => from = Some(end),
            _ => break,
        }
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str, ts: i64) -> RawEvent {
        RawEvent::parse(&format!(
            r#"{{"event_id":"{id}","sender":"@a:x","origin_server_ts":{ts},"type":"m.room.message"}}"#
        ))
        .expect("an event")
    }

    #[test]
    fn each_room_keeps_its_order_whatever_its_timestamps_and_rooms_merge_by_time() {
        let section = vec![event("$s1", 10), event("$backdated", 1), event("$s3", 30)];
        let space = vec![event("$p1", 5), event("$p2", 20)];
        let merged = interleave(vec![("!s".into(), section), ("!p".into(), space)]);
        let order: Vec<(&str, &str)> = merged
            .iter()
            .map(|(room, e)| (room.as_str(), e.event_id.as_str()))
            .collect();
        assert_eq!(
            order,
            [
                ("!p", "$p1"),
                ("!s", "$s1"),
                ("!s", "$backdated"),
                ("!p", "$p2"),
                ("!s", "$s3"),
            ]
        );
    }
}
