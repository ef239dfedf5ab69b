//! The sync loop: one `/sync` response → domain inputs → one durable store commit.
//!
//! Exactly once: an event is applied only if its ID is not in the store; its effects, its ID,
//! the replies it caused (outbox) and the new `next_batch` are committed together. A crash
//! before the commit replays the response from the old token; a crash after it finds every
//! event marked applied and the replies waiting in the outbox.
//!
//! Over federation events arrive late and out of order: a homeserver back from an outage
//! gets only the latest event of each room at once and fetches a few missing ones, leaving a
//! gap that only `/messages` fills (Synapse backfills from the other servers there). So when
//! a batch brings events from other servers, or is `limited`, the room's history is walked
//! back from the batch's end until a run of events already applied, and what was not
//! applied is applied in the room's order — never the sender's clock. A walk that found
//! late events has the room walked again from its newest event for a few seconds, between
//! syncs; a late reaction goes before its sender's newer ones.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use matrix_sdk::config::RequestConfig;
use matrix_sdk::ruma::api::client::filter::{
    self as ruma_filter, FilterDefinition, LazyLoadOptions,
};
use matrix_sdk::ruma::api::client::membership::leave_room;
use matrix_sdk::ruma::api::client::message::get_message_events;
use matrix_sdk::ruma::api::client::room::get_room_event;
use matrix_sdk::ruma::api::client::sync::sync_events::v3::{
    self as sync_v3, Filter, InvitedRoom, JoinedRoom, State,
};
use matrix_sdk::ruma::api::Direction;
use matrix_sdk::ruma::{OwnedEventId, OwnedRoomId, UInt};
use tokio::sync::{watch, Notify};
use tracing::{debug, info, warn};

use super::events::{attach_quote, promoted_message, quote_of, to_input, RawEvent};
use super::{provision, with_retry, Matrix};
use crate::domain::{Engine, Input, Quoted};
use crate::store::{Batch, Outgoing, Store};

/// Events per room per `/sync`; a larger backlog is fetched with `/messages`.
const TIMELINE_LIMIT: u32 = 100;
/// Most events fetched back in one room before giving up on reaching an applied one.
const MAX_BACKFILL: usize = 20_000;
/// Already-applied events in a row that end a walk back: past them, history is complete
/// (a gap left by a federation outage sits right below the events that came after it).
const APPLIED_RUN: usize = 30;
/// Pages a walk may go on for to pass every event of its batch.
const REACH_PAGES: usize = 10;
/// Walks again after one that found events its batch had not brought, at most, and the
/// pause before each (meanwhile the sync long-poll is kept this short).
const WALK_ROUNDS: u32 = 12;
const WALK_PAUSE: Duration = Duration::from_millis(300);

/// A room whose history is walked again, from its newest event: a walk found events a
/// batch had not brought, and Synapse may still be backfilling more of that gap. Walking
/// from the newest event, right before a batch is applied, gives every late event the
/// sender's newer events it must go before.
#[derive(Debug, Clone)]
pub struct Rewalk {
    /// Applied events in a row that end the walk: the run of the last walk plus what was
    /// applied in the room since, so the walk reaches past where the last one ended.
    run: usize,
    rounds_left: u32,
    due: std::time::Instant,
}

/// Where a walk back through a room's history starts and when it ends.
struct Walk<'a> {
    /// A batch's end; the newest event when `None`.
    from: Option<&'a str>,
    first_page: usize,
    /// Applied events in a row that end the walk (or where history ends for the bot in the
    /// room: the live line)…
    stop_after_applied: usize,
    /// …once it has passed all of these (a batch's own events: one that came late sits
    /// deeper in the room's order than the events around it in the batch).
    reach: &'a HashSet<String>,
    /// Events applied in the response being handled, not committed yet.
    applied_now: &'a HashSet<String>,
}

/// How long a refused join of a room the bot was invited to is retried.
const INVITE_PATIENCE: Duration = Duration::from_secs(10);

/// The clock the engine is given; a parameter so tests and tools can fix time.
pub type Clock = fn() -> DateTime<Utc>;

pub struct SyncLoop {
    pub matrix: Matrix,
    pub store: Arc<dyn Store>,
    pub engine: Engine,
    pub allowed_servers: BTreeSet<String>,
    pub sync_timeout: Duration,
    pub outbox_wake: Arc<Notify>,
    pub clock: Clock,
    /// Rooms to walk again from their newest event, after a walk found late events.
    pub rewalks: HashMap<OwnedRoomId, Rewalk>,
}

impl SyncLoop {
    /// Syncs until `shutdown` turns true. Fails only when the store fails.
    pub async fn run(mut self, mut shutdown: watch::Receiver<bool>) -> anyhow::Result<()> {
        loop {
            if *shutdown.borrow() {
                return Ok(());
            }
            let since = self.store.next_batch()?;
            let response = tokio::select! {
                response = self.sync(since.clone()) => response,
                _ = shutdown.changed() => return Ok(()),
            };
            let response = match response {
                Ok(response) => response,
                Err(error) => {
                    // Permanent refusal of /sync (e.g. token revoked): surface it.
                    return Err(anyhow::anyhow!("{error}")).context("the homeserver refuses /sync");
                }
            };
            self.handle(response, since.is_none()).await?;
        }
    }

    async fn sync(
        &self,
        since: Option<String>,
    ) -> Result<sync_v3::Response, matrix_sdk::HttpError> {
        // Only what the bot reads: less for the homeserver to compute on every sync.
        let mut filter = FilterDefinition::default();
        filter.presence = ruma_filter::Filter::ignore_all();
        filter.account_data = ruma_filter::Filter::ignore_all();
        filter.room.account_data = ruma_filter::RoomEventFilter::ignore_all();
        filter.room.ephemeral = ruma_filter::RoomEventFilter::ignore_all();
        filter.room.timeline.limit = Some(UInt::from(TIMELINE_LIMIT));
        filter.room.state.lazy_load_options = LazyLoadOptions::Enabled {
            include_redundant_members: false,
        };
        let initial = since.is_none();
        let mut request = sync_v3::Request::new();
        request.since = since;
        request.filter = Some(Filter::FilterDefinition(filter));
        // The first sync only learns the present; it must not wait for news.
        request.timeout = Some(if initial {
            Duration::ZERO
        } else if !self.rewalks.is_empty() {
            WALK_PAUSE
        } else {
            self.sync_timeout
        });
        let config = RequestConfig::new()
            .disable_retry()
            .timeout(self.sync_timeout + Duration::from_secs(30));
        let client = self.matrix.client();
        with_retry("sync", || async {
            client
                .send(request.clone())
                .with_request_config(config)
                .await
        })
        .await
    }

    /// Applies one sync response and commits it.
    async fn handle(&mut self, response: sync_v3::Response, initial: bool) -> anyhow::Result<()> {
        let received = std::time::Instant::now();
        for (room_id, invited) in &response.rooms.invite {
            self.answer_invite(room_id, invited).await;
        }
        let mut batch = Batch {
            next_batch: Some(response.next_batch.clone()),
            ..Batch::default()
        };
        let mut seen = HashSet::new();
        let timelines: Vec<(&OwnedRoomId, &JoinedRoom, Vec<RawEvent>)> = response
            .rooms
            .join
            .iter()
            .map(|(room_id, joined)| {
                let events = joined
                    .timeline
                    .events
                    .iter()
                    .filter_map(|raw| parse_logged(raw.json().get()))
                    .collect();
                (room_id, joined, events)
            })
            .collect();
        let fresh: HashSet<&str> = timelines
            .iter()
            .flat_map(|(_, _, events)| events.iter().map(|e| e.event_id.as_str()))
            .collect();
        if !fresh.is_empty() && tracing::enabled!(tracing::Level::TRACE) {
            // When the events reached the bot: with "applied", where its lag goes.
            let ids: Vec<&str> = timelines
                .iter()
                .flat_map(|(_, _, events)| events.iter().map(|e| e.event_id.as_str()))
                .collect();
            tracing::trace!(events = %ids.join(" "), "received");
        }
        // Rooms due for another walk first: what it finds late comes before this response's
        // events (a walk from the newest event also returns those, applied here in order).
        for (room_id, events) in self.walk_again(&fresh).await? {
            let quotes = self.fetch_quotes(&room_id, &events).await;
            for event in events {
                if seen.insert(event.event_id.clone()) && !self.store.is_applied(&event.event_id)? {
                    self.apply_event(room_id.as_str(), &event, &quotes, &mut batch);
                }
            }
        }
        for (room_id, joined, mut events) in timelines {
            self.apply_state(room_id.as_str(), joined, &mut batch);
            let from_elsewhere = events
                .iter()
                .any(|e| pspm_config::server_of(&e.sender) != Some(self.matrix.server_name()));
            if !initial && (joined.timeline.limited || from_elsewhere) {
                events = self
                    .complete_from_history(room_id, &response.next_batch, events, &seen)
                    .await?;
            }
            self.apply_own_joins(room_id.as_str(), &events, &mut batch);
            let quotes = self.fetch_quotes(room_id, &events).await;
            let mut applied_here = 0;
            for event in events {
                if !seen.insert(event.event_id.clone()) || self.store.is_applied(&event.event_id)? {
                    continue;
                }
                self.apply_event(room_id.as_str(), &event, &quotes, &mut batch);
                applied_here += 1;
            }
            if let Some(rewalk) = self.rewalks.get_mut(room_id) {
                rewalk.run += applied_here;
            }
        }
        self.apply_tick(&mut batch);
        let replies = batch.outgoing.len();
        let applied = batch.applied.len();
        // Which events a durable commit covers: how a benchmark measures the bot's lag.
        let applied_ids = tracing::enabled!(tracing::Level::TRACE)
            .then(|| batch.applied.join(" "))
            .unwrap_or_default();
        let commit_started = std::time::Instant::now();
        self.store
            .commit(batch)
            .context("cannot commit a sync batch")?;
        if applied > 0 {
            tracing::trace!(events = %applied_ids, "applied");
            let commit_ms = commit_started.elapsed().as_secs_f64() * 1000.0;
            let handle_ms = received.elapsed().as_secs_f64() * 1000.0;
            debug!(applied, replies, commit_ms, handle_ms, "batch committed");
        }
        if replies > 0 {
            self.outbox_wake.notify_one();
        }
        Ok(())
    }

    /// Room state delivered outside the timeline (initial sync, joins): power levels.
    fn apply_state(&mut self, room_id: &str, joined: &JoinedRoom, batch: &mut Batch) {
        let state_events = match &joined.state {
            State::Before(events) | State::After(events) => &events.events,
            _ => return,
        };
        for raw in state_events {
            if let Some(event) = parse_logged(raw.json().get()) {
                if let Some(input @ Input::PowerLevels { .. }) =
                    to_input(room_id, self.matrix.user_id(), &event)
                {
                    // Practice commands may wait for the index's writer lock (a bulk `pspm index add`):
                    // let the runtime move its other tasks (the outbox sender) off this thread meanwhile.
                    let now = (self.clock)();
                    let effects = tokio::task::block_in_place(|| self.engine.apply(input, now));
                    batch.changes.extend(effects.changes);
                }
            }
        }
    }

    /// The bot's own join comes after the history it was invited into: apply it before the
    /// rest of the batch so that those earlier messages count as history.
    fn apply_own_joins(&mut self, room_id: &str, events: &[RawEvent], batch: &mut Batch) {
        for event in events {
            if let Some(input @ Input::BotJoined { .. }) =
                to_input(room_id, self.matrix.user_id(), event)
            {
                // Practice commands may wait for the index's writer lock (a bulk `pspm index add`):
                // let the runtime move its other tasks (the outbox sender) off this thread meanwhile.
                let now = (self.clock)();
                let effects = tokio::task::block_in_place(|| self.engine.apply(input, now));
                batch.changes.extend(effects.changes);
            }
        }
    }

    /// The messages that `!promote` commands in `events` reply to: from the batch itself, or
    /// fetched. A message that cannot be fetched stays out (the command says so).
    async fn fetch_quotes(
        &self,
        room_id: &OwnedRoomId,
        events: &[RawEvent],
    ) -> HashMap<String, Quoted> {
        let mut quotes = HashMap::new();
        for target in events.iter().filter_map(promoted_message) {
            if let Some(found) = events
                .iter()
                .find(|e| e.event_id == target)
                .and_then(quote_of)
            {
                quotes.insert(target.to_owned(), found);
                continue;
            }
            let Ok(event_id) = OwnedEventId::try_from(target) else {
                continue;
            };
            let request = get_room_event::v3::Request::new(room_id.clone(), event_id);
            let client = self.matrix.client();
            match with_retry("get event", || async { client.send(request.clone()).await }).await {
                Ok(response) => {
                    if let Some(found) = parse_logged(response.event.json().get())
                        .as_ref()
                        .and_then(quote_of)
                    {
                        quotes.insert(target.to_owned(), found);
                    }
                }
                Err(error) => {
                    warn!(%room_id, target, %error, "cannot fetch the message to promote")
                }
            }
        }
        quotes
    }

    fn apply_event(
        &mut self,
        room_id: &str,
        event: &RawEvent,
        quotes: &HashMap<String, Quoted>,
        batch: &mut Batch,
    ) {
        batch.applied.push(event.event_id.clone());
        let Some(mut input) = to_input(room_id, self.matrix.user_id(), event) else {
            return;
        };
        attach_quote(&mut input, quotes);
        // Practice commands may wait for the index's writer lock (a bulk `pspm index add`):
        // let the runtime move its other tasks (the outbox sender) off this thread meanwhile.
        let now = (self.clock)();
        let effects = tokio::task::block_in_place(|| self.engine.apply(input, now));
        let replies = effects.replies.into_iter().map(Outgoing::Reply);
        let reactions = effects.reactions.into_iter().map(Outgoing::Reaction);
        let files = effects.files.into_iter().map(Outgoing::File);
        let polls = effects.polls.into_iter().map(Outgoing::Poll);
        let poll_ends = effects.poll_ends.into_iter().map(Outgoing::PollEnd);
        let all = replies
            .chain(reactions)
            .chain(files)
            .chain(polls)
            .chain(poll_ends);
        for (index, outgoing) in all.enumerate() {
            batch
                .outgoing
                .push((transaction_id(&event.event_id, index), outgoing));
        }
        batch.changes.extend(effects.changes);
    }

    /// Lets time pass in the engine (daily reminders), in the same commit as the batch. Each
    /// sync response, so at least every `sync_timeout`.
    fn apply_tick(&mut self, batch: &mut Batch) {
        let effects = self.engine.apply(Input::Tick, (self.clock)());
        for notice in effects.notices {
            batch
                .outgoing
                .push((transaction_id(&notice.key, 0), Outgoing::Notice(notice)));
        }
        batch.changes.extend(effects.changes);
    }

    /// The batch's `timeline` completed with what room history holds and was not applied,
    /// oldest first in the room's order. A walk that finds events the batch did not bring
    /// (a gap left by federation, or a `limited` timeline) schedules the room to be walked
    /// again shortly, from its newest event: Synapse fills a gap from the other servers in the
    /// foreground only when a page shows it, in the background otherwise.
    async fn complete_from_history(
        &mut self,
        room_id: &OwnedRoomId,
        batch_end: &str,
        timeline: Vec<RawEvent>,
        applied_now: &HashSet<String>,
    ) -> anyhow::Result<Vec<RawEvent>> {
        // The first page holds the batch and the run behind it, usually all it takes.
        let first_page = timeline.len() + APPLIED_RUN + 1;
        let known: HashSet<String> = timeline.iter().map(|e| e.event_id.clone()).collect();
        let walk = Walk {
            from: Some(batch_end),
            first_page,
            stop_after_applied: APPLIED_RUN,
            reach: &known,
            applied_now,
        };
        let mut events = self.backfill(room_id, walk).await?;
        // What the walk did not reach (too deep, or not shown by `/messages`) still counts once.
        let walked: HashSet<&str> = events.iter().map(|e| e.event_id.as_str()).collect();
        let mut unreached = Vec::new();
        for event in timeline {
            if !walked.contains(event.event_id.as_str())
                && !applied_now.contains(&event.event_id)
                && !self.store.is_applied(&event.event_id)?
            {
                unreached.push(event);
            }
        }
        if !unreached.is_empty() {
            warn!(%room_id, events = unreached.len(), "batch events the walk back did not reach");
        }
        events.extend(unreached);
        // Only federation leaves gaps: a long backlog from this server needs no second look.
        let own_server = Some(self.matrix.server_name());
        let late_from_elsewhere = events.iter().any(|e| {
            !known.contains(&e.event_id) && pspm_config::server_of(&e.sender) != own_server
        });
        if late_from_elsewhere {
            info!(%room_id, "events missing from the sync batch found in history");
            // A room already due again keeps the longer reach of the two.
            let run = events.len() + APPLIED_RUN;
            let rewalk = self.rewalks.entry(room_id.clone()).or_insert(Rewalk {
                run,
                rounds_left: WALK_ROUNDS,
                due: std::time::Instant::now() + WALK_PAUSE,
            });
            rewalk.run = rewalk.run.max(run);
            rewalk.rounds_left = WALK_ROUNDS;
        }
        Ok(events)
    }

    /// Walks the rooms whose turn has come again; returns what was found, per room (with the
    /// `fresh` events of the sync response being handled, which are not late). A room is
    /// done after [`WALK_ROUNDS`] walks in a row have found no late event.
    async fn walk_again(
        &mut self,
        fresh: &HashSet<&str>,
    ) -> anyhow::Result<Vec<(OwnedRoomId, Vec<RawEvent>)>> {
        let now = std::time::Instant::now();
        let due: Vec<OwnedRoomId> = self
            .rewalks
            .iter()
            .filter(|(_, rewalk)| rewalk.due <= now)
            .map(|(room, _)| room.clone())
            .collect();
        let mut found = Vec::new();
        for room_id in due {
            let Some(mut rewalk) = self.rewalks.remove(&room_id) else {
                continue;
            };
            let walk = Walk {
                from: None,
                first_page: TIMELINE_LIMIT as usize,
                stop_after_applied: rewalk.run,
                reach: &HashSet::new(),
                applied_now: &HashSet::new(),
            };
            let events = self.backfill(&room_id, walk).await?;
            let late = events
                .iter()
                .filter(|e| !fresh.contains(e.event_id.as_str()))
                .count();
            if late > 0 {
                info!(%room_id, events = late, "late events found in history");
                rewalk.rounds_left = WALK_ROUNDS;
            }
            if rewalk.rounds_left > 1 {
                rewalk.rounds_left -= 1;
                rewalk.run += events.len();
                rewalk.due = now + WALK_PAUSE;
                self.rewalks.insert(room_id.clone(), rewalk);
            }
            found.push((room_id, events));
        }
        Ok(found)
    }

    /// Pages back as `walk` says, returning the events not applied yet in the room's order,
    /// oldest first, each with its sender's applied events above it (`newer`).
    async fn backfill(
        &self,
        room_id: &OwnedRoomId,
        walk: Walk<'_>,
    ) -> anyhow::Result<Vec<RawEvent>> {
        let mut page_size = walk.first_page.min(TIMELINE_LIMIT as usize);
        let mut collected = Vec::new();
        let mut from = walk.from.map(str::to_owned);
        let mut to_reach = walk.reach.len();
        let mut applied_run = 0;
        // Newest first: what each sender has applied above the point the walk has reached.
        let mut applied_above: HashMap<String, Vec<String>> = HashMap::new();
        let live_since_ms = self.engine.live_since_ms(room_id.as_str());
        let (started, mut pages) = (std::time::Instant::now(), 0);
        'pages: loop {
            pages += 1;
            let mut request =
                get_message_events::v3::Request::new(room_id.clone(), Direction::Backward);
            request.from = from.clone();
            request.limit = UInt::try_from(page_size).unwrap_or(UInt::from(TIMELINE_LIMIT));
            page_size = TIMELINE_LIMIT as usize;
            let client = self.matrix.client();
            let page = with_retry("messages", || async { client.send(request.clone()).await })
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))
                .with_context(|| format!("cannot backfill {room_id}"))?;
            for raw in &page.chunk {
                let Some(mut event) = parse_logged(raw.json().get()) else {
                    continue;
                };
                if walk.reach.contains(&event.event_id) {
                    to_reach -= 1;
                }
                // Applied earlier in the same response counts as applied: not committed yet,
                // but its ballot already stands, and a late one must go before it.
                if walk.applied_now.contains(&event.event_id)
                    || self.store.is_applied(&event.event_id)?
                {
                    applied_above
                        .entry(event.sender.clone())
                        .or_default()
                        .push(event.event_id.clone());
                    applied_run += 1;
                    if applied_run >= walk.stop_after_applied
                        && (to_reach == 0 || pages >= REACH_PAGES)
                    {
                        break 'pages;
                    }
                    continue;
                }
                applied_run = 0;
                if event.origin_server_ts < live_since_ms {
                    break 'pages;
                }
                // Only a reaction's ballot is placed by what came after it.
                if event.kind == "m.reaction" {
                    event.newer = applied_above
                        .get(&event.sender)
                        .cloned()
                        .unwrap_or_default();
                }
                collected.push(event);
            }
            match page.end {
                Some(end) if !page.chunk.is_empty() && collected.len() < MAX_BACKFILL => {
                    from = Some(end)
                }
                _ => break,
            }
        }
        if collected.len() >= MAX_BACKFILL {
            warn!(%room_id, "backfill stopped after {MAX_BACKFILL} events");
        }
        let walk_ms = started.elapsed().as_secs_f64() * 1000.0;
        debug!(%room_id, events = collected.len(), pages, walk_ms, "walked back through the room's history");
        collected.reverse();
        Ok(collected)
    }

    /// Joins when the inviter's server is allowed, otherwise declines the invite.
    async fn answer_invite(&self, room_id: &OwnedRoomId, invited: &InvitedRoom) {
        let inviter = invited.invite_state.events.iter().find_map(|raw| {
            let value: serde_json::Value = serde_json::from_str(raw.json().get()).ok()?;
            let is_our_invite = value["type"] == "m.room.member"
                && value["state_key"] == self.matrix.user_id()
                && value["content"]["membership"] == "invite";
            is_our_invite.then(|| value["sender"].as_str().map(str::to_owned))?
        });
        let server = inviter.as_deref().and_then(pspm_config::server_of);
        let client = self.matrix.client();
        if server.is_some_and(|s| self.allowed_servers.contains(s)) {
            info!(%room_id, inviter = ?inviter, "accepting invite");
            // Over federation the inviting server may not have stored the invite yet when
            // the join reaches it ("not invited"): give it a few seconds.
            if let Err(error) = provision::join(&self.matrix, room_id, INVITE_PATIENCE).await {
                warn!(%room_id, error = %format!("{error:#}"), "cannot join the room I was invited to");
            }
        } else {
            info!(%room_id, inviter = ?inviter, "declining invite from a server not allowed");
            let request = leave_room::v3::Request::new(room_id.clone());
            if let Err(error) =
                with_retry("decline", || async { client.send(request.clone()).await }).await
            {
                warn!(%room_id, %error, "cannot decline the invite");
            }
        }
    }
}

/// The transaction ID of the `index`-th message caused by `event_id`: the same on every
/// replay, so a resend after a crash is deduplicated by the homeserver.
pub fn transaction_id(event_id: &str, index: usize) -> String {
    let safe: String = event_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '.'
            }
        })
        .collect();
    format!("pspm{safe}.{index}")
}

fn parse_logged(json: &str) -> Option<RawEvent> {
    let event = RawEvent::parse(json);
    if event.is_none() {
        warn!("skipping an event that is not a room event");
    }
    event
}

#[cfg(test)]
mod tests {
    use super::transaction_id;

    #[test]
    fn transaction_ids_are_stable_and_url_safe() {
        let id = transaction_id("$AbC+/=:x", 1);
        assert_eq!(id, transaction_id("$AbC+/=:x", 1));
        assert_ne!(id, transaction_id("$AbC+/=:x", 0));
        assert!(
            id.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c)),
            "{id}"
        );
    }
}
