//! The sync loop: one `/sync` response → domain inputs → one durable store commit.
//!
//! Exactly once: an event is applied only if its ID is not in the store; its effects, its ID,
//! the replies it caused (outbox) and the new `next_batch` are committed together. A crash
//! before the commit replays the response from the old token; a crash after it finds every
//! event marked applied and the replies waiting in the outbox.
//!
//! Events a response brings are applied at once, in its order, so a vote counts as soon as
//! the homeserver has it. A response that holds events from other servers, or a `limited`
//! timeline (a backlog, or a gap federation left), has the room walked back afterwards,
//! beside the next `/sync` ([`super::walk`]); what a walk finds is applied in a commit of its
//! own, with the room's order it saw. A `limited` timeline that holds commands (or votes on
//! a proposal the bot does not know yet) is completed from history before it is applied, so
//! the backlog goes first and commands act in order.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use matrix_sdk::config::RequestConfig;
use matrix_sdk::ruma::api::client::filter::{
    self as ruma_filter, FilterDefinition, LazyLoadOptions,
};
use matrix_sdk::ruma::api::client::sync::sync_events::v3::{
    self as sync_v3, Filter, JoinedRoom, State,
};
use matrix_sdk::ruma::{OwnedRoomId, UInt};
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;
use tracing::{debug, info, warn};

mod decryption;

use decryption::Source;

use super::card_refresh::CardRefresh;
use super::events::{attach_quote, parse_logged, promoted_message, to_input, RawEvent};
use super::invites::Invites;
use super::quotes::{self, Fetched, QuoteFetches};
use super::undecrypted::Undecrypted;
use super::walk::{found, pages_back, Found, Owed, WalkPlan, Walks, APPLIED_RUN};
use super::{Matrix, RequestError};
use crate::domain::participation::fingerprint;
use crate::domain::{cards, digest, Engine, Input, Quoted, RoomOrder};
use crate::store::{Batch, Outgoing, Store};
use crate::telemetry::metrics;

/// Events per room per `/sync`; a larger backlog is fetched with `/messages`.
const TIMELINE_LIMIT: u32 = 100;

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
    /// Rooms to walk back through, for events federation left in a gap.
    pub walks: Walks,
    /// The walk under way beside the sync, if any.
    pub walking: Option<Walking>,
    /// Batches not walked yet, commands waiting for a quote: where the stored token waits.
    pub owed: Owed,
    pub invites: Invites,
    pub quotes: QuoteFetches,
    pub cards: CardRefresh,
    /// Encrypted events waiting for their room keys.
    pub undecrypted: Undecrypted,
}

/// A walk under way, beside the sync: its room, plan and remaining rounds.
pub struct Walking {
    room_id: OwnedRoomId,
    plan: WalkPlan,
    rounds_left: u32,
    /// The batches owed when it started, which it covers.
    mark: u64,
    task: JoinHandle<anyhow::Result<Walked>>,
}

/// A walk's events, newest first, and the quotes of the `!promote` commands among them.
type Walked = (Vec<RawEvent>, HashMap<String, Quoted>);

/// A `/sync` request in flight.
type SyncRequest = Pin<Box<dyn Future<Output = Result<sync_v3::Response, RequestError>> + Send>>;

/// What the loop waits for: the next response, the walk under way, or the next walk's time.
enum Next {
    Synced(Box<Result<sync_v3::Response, RequestError>>),
    Walked(anyhow::Result<Walked>),
    WalkDue,
    CardsDue,
    Quoted(Box<Fetched>),
    Stop,
}

impl SyncLoop {
    /// Syncs until `shutdown` turns true. Fails only when the store fails.
    ///
    /// The `/sync` request in flight is never dropped for a walk: a walk ending, or coming
    /// due, is handled beside it, so events reach the bot as soon as its homeserver has them.
    pub async fn run(mut self, mut shutdown: watch::Receiver<bool>) -> anyhow::Result<()> {
        let mut syncing: Option<(Option<String>, SyncRequest)> = None;
        // Where the next `/sync` starts; the stored token may wait behind it (see `Owed`).
        let mut position = self.store.next_batch()?;
        // Cards a change may have left behind before a restart.
        self.cards.touched(cards::shown(self.engine.state()));
        loop {
            if *shutdown.borrow() {
                return Ok(());
            }
            if self.walking.is_none() {
                self.walking = self.start_due_walk();
            }
            if syncing.is_none() {
                let since = position.clone();
                let request = sync_request(self.matrix.clone(), since.clone(), self.sync_timeout);
                syncing = Some((since, request));
            }
            let next_due = self.walks.next_due().filter(|_| self.walking.is_none());
            let cards_due = self.cards.next_due();
            let next = tokio::select! {
                response = async {
                    match syncing.as_mut() {
                        Some((_, request)) => request.await,
                        None => std::future::pending().await,
                    }
                } => Next::Synced(Box::new(response)),
                walked = async {
                    match self.walking.as_mut() {
                        Some(walk) => (&mut walk.task).await.unwrap_or_else(|e| Err(e.into())),
                        None => std::future::pending().await,
                    }
                } => Next::Walked(walked),
                _ = async {
                    match next_due {
                        Some(due) => tokio::time::sleep_until(due.into()).await,
                        None => std::future::pending().await,
                    }
                } => Next::WalkDue,
                Some(fetched) = self.quotes.next() => Next::Quoted(Box::new(fetched)),
                _ = async {
                    match cards_due {
                        Some(due) => tokio::time::sleep_until(due.into()).await,
                        None => std::future::pending().await,
                    }
                } => Next::CardsDue,
                _ = shutdown.changed() => Next::Stop,
            };
            match next {
                Next::Stop => return Ok(()),
                Next::WalkDue => {}
                Next::Synced(response) => {
                    let since = syncing.take().and_then(|(since, _)| since);
                    match *response {
                        Ok(response) => {
                            position = Some(response.next_batch.clone());
                            self.handle(response, since).await?
                        }
                        // Permanent refusal of /sync, or no login any more: surface it.
                        Err(error) => return Err(error).context("the homeserver refuses /sync"),
                    }
                }
                Next::Walked(walked) => {
                    if let Some(walk) = self.walking.take() {
                        let position = position.as_deref().unwrap_or_default();
                        self.handle_walk(walk, walked?, position).await?;
                    }
                }
                Next::CardsDue => {
                    let position = position.as_deref().unwrap_or_default();
                    self.refresh_cards(position)?;
                }
                Next::Quoted(fetched) => {
                    let position = position.as_deref().unwrap_or_default();
                    self.handle_quote(*fetched, position)?;
                }
            }
        }
    }

    /// Starts the walk whose time has come, beside the sync.
    fn start_due_walk(&mut self) -> Option<Walking> {
        let (room_id, plan, rounds_left) = self.walks.take_due(Instant::now())?;
        let matrix = self.matrix.clone();
        let store = self.store.clone();
        let bot_user = self.matrix.user_id().to_owned();
        let (room, walk_plan) = (room_id.clone(), plan.clone());
        // Quotes are fetched in the walk's task, for commands from admitted servers only.
        let mut admitted = self.allowed_servers.clone();
        admitted.insert(self.matrix.server_name().to_owned());
        let task = tokio::spawn(async move {
            let passed = pages_back(
                &matrix,
                &store,
                &room,
                &walk_plan,
                &HashSet::new(),
                &bot_user,
            )
            .await?;
            let wanted = |event: &RawEvent| {
                pspm_config::server_of(&event.sender).is_some_and(|s| admitted.contains(s))
                    && !store.is_applied(&event.event_id).unwrap_or(true)
            };
            let quotes = quotes::quotes_for(&matrix, &room, &passed, wanted).await?;
            Ok((passed, quotes))
        });
        Some(Walking {
            room_id,
            plan,
            rounds_left,
            mark: self.owed.mark(),
            task,
        })
    }

    /// Applies one sync response (brought from sync token `since`) and commits it.
    async fn handle(
        &mut self,
        response: sync_v3::Response,
        since: Option<String>,
    ) -> anyhow::Result<()> {
        let initial = since.is_none();
        let keys_arrived = self.receive_encryption(&response).await?;
        for (room_id, invited) in &response.rooms.invite {
            self.invites
                .answer(&self.matrix, &self.allowed_servers, room_id, invited);
        }
        let mut batch = Batch::default();
        let mut seen = HashSet::new();
        let mut to_walk = Vec::new();
        for (room_id, joined) in &response.rooms.join {
            let events: Vec<RawEvent> = joined
                .timeline
                .events
                .iter()
                .filter_map(|raw| parse_logged(raw.json().get()))
                .collect();
            let source = since.as_deref().map_or(Source::FirstSync, Source::Batch);
            let mut events = self.decrypt_events(room_id, events, source).await?;
            if !events.is_empty() && tracing::enabled!(tracing::Level::TRACE) {
                // When the events reached the bot: with "applied", where its lag goes.
                let ids: Vec<&str> = events.iter().map(|e| e.event_id.as_str()).collect();
                tracing::trace!(events = %ids.join(" "), "received");
            }
            self.apply_state(room_id.as_str(), joined, &mut batch);
            let own_server = Some(self.matrix.server_name());
            let from_elsewhere = events
                .iter()
                .any(|e| pspm_config::server_of(&e.sender) != own_server);
            // What the response itself brings is newer than anything a walk finds late; what
            // completing a limited timeline finds in history is not.
            let fresh: HashSet<String> = events.iter().map(|e| e.event_id.clone()).collect();
            let mut order = None;
            // Synapse marks a timeline `limited` for a backlog and for a gap federation left.
            // Votes need no wait for it (the room's order puts ballots in place later); a
            // command does, as it must act where the room has it.
            let need_no_history = events.iter().all(|e| self.needs_no_history(room_id, e));
            if !initial && joined.timeline.limited && !need_no_history {
                let completed = self
                    .complete_from_history(room_id, &response.next_batch, events, &seen)
                    .await?;
                let late = self.decrypt_events(room_id, completed.late, source).await?;
                (events, order) = (late, Some(completed.order));
            } else if !initial && (from_elsewhere || joined.timeline.limited) {
                to_walk.push((room_id.clone(), events.clone()));
            }
            self.apply_own_joins(room_id.as_str(), &events, &mut batch);
            let quotes = quotes::quotes_in(&events);
            let (mut applied_here, mut fresh_applied) = (0, Vec::new());
            for event in events {
                if !seen.insert(event.event_id.clone())
                    || self.store.is_applied(&event.event_id)?
                    || self.quotes.is_awaiting(&event.event_id)
                {
                    continue;
                }
                if let Some(since) = since.as_deref() {
                    if self.fetch_quote_first(room_id, &event, &quotes, since) {
                        continue;
                    }
                }
                self.apply_event(room_id.as_str(), &event, &quotes, &mut batch);
                applied_here += 1;
                if fresh.contains(&event.event_id) {
                    fresh_applied.push(event.event_id);
                }
            }
            if let Some(order) = order {
                self.apply_order(order, &mut batch);
            }
            self.walks.applied_in(room_id, applied_here, &fresh_applied);
            if let Some(walk) = self.walking.as_mut().filter(|w| &w.room_id == room_id) {
                walk.plan.note_applied(&fresh_applied);
            }
        }
        if keys_arrived || !self.undecrypted.is_empty() {
            self.retry_undecrypted(&mut batch).await?;
        }
        self.apply_tick(&mut batch);
        for (room_id, events) in &to_walk {
            if let Some(since) = &since {
                self.owed.owe(room_id.as_str(), since);
            }
            self.walks
                .after_batch(room_id, &response.next_batch, events);
        }
        batch.next_batch = Some(self.owed.resume_from(&response.next_batch));
        self.commit(batch, "sync")
    }

    /// Applies what a walk found late, then the room's order it saw, and plans the room's
    /// next walk; `position` is where the sync has come to.
    async fn handle_walk(
        &mut self,
        walk: Walking,
        (passed, quotes): Walked,
        position: &str,
    ) -> anyhow::Result<()> {
        let Walking {
            room_id,
            plan,
            rounds_left,
            mark,
            ..
        } = walk;
        let walked = passed.len();
        let Found { mut late, order } = found(
            &self.store,
            &HashSet::new(),
            &room_id,
            passed,
            &plan.applied_since,
        )?;
        late.retain(|e| !self.quotes.is_awaiting(&e.event_id));
        // What waits for its key here is not owed: a later walk finds it again if need be.
        let late = self.decrypt_events(&room_id, late, Source::Walk).await?;
        let own_server = Some(self.matrix.server_name());
        let from_elsewhere = late
            .iter()
            .any(|e| pspm_config::server_of(&e.sender) != own_server);
        let mut batch = Batch::default();
        if !late.is_empty() {
            info!(%room_id, events = late.len(), "late events found in history");
            for event in &late {
                self.apply_event(room_id.as_str(), event, &quotes, &mut batch);
            }
        }
        self.apply_order(order, &mut batch);
        self.owed.settle(room_id.as_str(), mark);
        batch.next_batch = Some(self.owed.resume_from(position));
        self.commit(batch, "walk")?;
        if late.is_empty() {
            self.walks.after_quiet_walk(&room_id, plan, rounds_left);
            return Ok(());
        }
        // Only federation leaves gaps: a long backlog from this server needs no second look.
        if from_elsewhere {
            self.walks.again(&room_id, walked);
        }
        Ok(())
    }

    /// Whether `event` is a `!promote` the engine would act on whose quoted message is not in
    /// its batch: then it waits for a fetch off the loop, and the stored sync token waits
    /// before its batch (`since`) until it is applied.
    fn fetch_quote_first(
        &mut self,
        room_id: &OwnedRoomId,
        event: &RawEvent,
        quotes: &HashMap<String, Quoted>,
        since: &str,
    ) -> bool {
        let Some(target) = promoted_message(event).filter(|t| !quotes.contains_key(*t)) else {
            return false;
        };
        let admitted = to_input(room_id.as_str(), self.matrix.user_id(), event)
            .is_some_and(|input| self.engine.admits(&input));
        if admitted {
            self.owed.owe(&event.event_id, since);
            self.quotes
                .start(&self.matrix, room_id, event.clone(), target);
        }
        admitted
    }

    /// Applies a command whose quote fetch has ended; `position` is where the sync has come to.
    fn handle_quote(&mut self, fetched: Fetched, position: &str) -> anyhow::Result<()> {
        let mut batch = Batch::default();
        if !self.store.is_applied(&fetched.event.event_id)? {
            let quotes = fetched
                .quote
                .map(|quote| HashMap::from([(fetched.target, quote)]))
                .unwrap_or_default();
            self.apply_event(
                fetched.room_id.as_str(),
                &fetched.event,
                &quotes,
                &mut batch,
            );
        }
        self.owed.settle(&fetched.event.event_id, u64::MAX);
        batch.next_batch = Some(self.owed.resume_from(position));
        self.commit(batch, "quote")
    }

    /// Edits the cards whose time has come; `position` is where the sync has come to.
    fn refresh_cards(&mut self, position: &str) -> anyhow::Result<()> {
        let numbers = self.cards.take_due(Instant::now());
        if numbers.is_empty() {
            return Ok(());
        }
        let effects = self
            .engine
            .apply(Input::RefreshCards(numbers), (self.clock)());
        let mut batch = Batch::default();
        for edit in effects.card_edits {
            // The same text for the same card is the same message: a resend is deduplicated.
            let key = format!("card{}-{:x}", edit.number, fingerprint(&edit.text.body));
            batch
                .outgoing
                .push((transaction_id(&key, 0), Outgoing::CardEdit(edit)));
        }
        batch.changes = effects.changes;
        batch.next_batch = Some(self.owed.resume_from(position));
        self.commit(batch, "cards")
    }

    /// Whether `event` may be applied before the history a `limited` timeline left out: a
    /// vote on a proposal the bot knows, a redaction (of something earlier, or nothing), the
    /// bot's own cards and polls, or what the engine does not act on (the bot's card edits).
    /// A vote on a card that may sit in that history, or any command, must wait for it.
    fn needs_no_history(&self, room_id: &OwnedRoomId, event: &RawEvent) -> bool {
        match to_input(room_id.as_str(), self.matrix.user_id(), event) {
            None => true,
            Some(Input::Reaction(reaction)) => self.engine.is_vote_target(&reaction.target),
            Some(
                Input::Redaction { .. }
                | Input::CardPosted { .. }
                | Input::ItemPosted { .. }
                | Input::PollPosted { .. }
                | Input::Imported(_),
            ) => true,
            Some(_) => false,
        }
    }

    /// Puts each person's ballots in the room's order a walk saw.
    fn apply_order(&mut self, order: RoomOrder, batch: &mut Batch) {
        let effects = self.engine.apply(Input::RoomOrder(order), (self.clock)());
        if !effects.changes.is_empty() {
            debug!(
                ballots = effects.changes.len(),
                "ballots put in the room's order"
            );
        }
        batch.changes.extend(effects.changes);
    }

    /// The one durable write of what was applied (with its trace for the benchmarks).
    fn commit(&mut self, batch: Batch, source: &'static str) -> anyhow::Result<()> {
        let replies = batch.outgoing.len();
        let applied = batch.applied.len();
        // Which events a durable commit covers: how a benchmark measures the bot's lag.
        let applied_ids = tracing::enabled!(tracing::Level::TRACE)
            .then(|| batch.applied.join(" "))
            .unwrap_or_default();
        // A card shows what its proposal is now: a change to it is followed by an edit.
        self.cards.touched(cards::touched(&batch.changes));
        let commit_started = Instant::now();
        self.store
            .commit(batch)
            .context("cannot commit a sync batch")?;
        metrics().commit(commit_started.elapsed());
        if applied > 0 {
            tracing::trace!(source, events = %applied_ids, "applied");
            let commit_ms = commit_started.elapsed().as_secs_f64() * 1000.0;
            debug!(applied, replies, commit_ms, "batch committed");
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
        metrics().event_applied(input.kind());
        // Practice commands may wait for the index's writer lock (a bulk `pspm index add`):
        // let the runtime move its other tasks (the outbox sender) off this thread meanwhile.
        let now = (self.clock)();
        let lag = (now.timestamp_millis() - event.origin_server_ts) as f64 / 1000.0;
        metrics().lag(lag);
        let effects = tokio::task::block_in_place(|| self.engine.apply(input, now));
        if let Some(run) = effects.command {
            metrics().command(run.name, run.outcome.name());
        }
        let replies = effects.replies.into_iter().map(Outgoing::Reply);
        let reactions = effects.reactions.into_iter().map(Outgoing::Reaction);
        let files = effects.files.into_iter().map(Outgoing::File);
        let polls = effects.polls.into_iter().map(Outgoing::Poll);
        let poll_ends = effects.poll_ends.into_iter().map(Outgoing::PollEnd);
        let card_edits = effects.card_edits.into_iter().map(Outgoing::CardEdit);
        let card_redactions = effects
            .card_redactions
            .into_iter()
            .map(Outgoing::CardRedaction);
        let open_directs = effects.open_directs.into_iter().map(Outgoing::OpenDirect);
        let all = replies
            .chain(reactions)
            .chain(files)
            .chain(polls)
            .chain(poll_ends)
            .chain(card_edits)
            .chain(card_redactions)
            .chain(open_directs);
        for (index, outgoing) in all.enumerate() {
            batch
                .outgoing
                .push((transaction_id(&event.event_id, index), outgoing));
        }
        for notice in effects.notices {
            batch
                .outgoing
                .push((transaction_id(&notice.key, 0), Outgoing::Notice(notice)));
        }
        batch.changes.extend(effects.changes);
    }

    /// Lets time pass in the engine (daily reminders), in the same commit as the batch. Each
    /// sync response, so at least every `sync_timeout`.
    fn apply_tick(&mut self, batch: &mut Batch) {
        let effects = self.engine.apply(Input::Tick, (self.clock)());
        let digests = effects
            .notices
            .iter()
            .filter(|n| n.key.starts_with(digest::KEY_PREFIX))
            .count();
        metrics().reminders(effects.notices.len() - digests);
        metrics().digests(digests);
        for notice in effects.notices {
            batch
                .outgoing
                .push((transaction_id(&notice.key, 0), Outgoing::Notice(notice)));
        }
        batch.changes.extend(effects.changes);
    }

    /// A `limited` batch's `timeline` completed with what room history holds and was not
    /// applied, oldest first in the room's order (a backlog goes before the batch).
    async fn complete_from_history(
        &mut self,
        room_id: &OwnedRoomId,
        batch_end: &str,
        timeline: Vec<RawEvent>,
        applied_now: &HashSet<String>,
    ) -> anyhow::Result<Found> {
        let plan = WalkPlan {
            from: Some(batch_end.to_owned()),
            first_page: timeline.len() + APPLIED_RUN + 1,
            stop_after_applied: APPLIED_RUN,
            reach: timeline.iter().map(|e| e.event_id.clone()).collect(),
            applied_since: Vec::new(),
        };
        let bot_user = self.matrix.user_id();
        let passed = pages_back(
            &self.matrix,
            &self.store,
            room_id,
            &plan,
            applied_now,
            bot_user,
        )
        .await?;
        let walked = passed.len();
        let Found {
            late: mut events,
            order,
        } = found(&self.store, applied_now, room_id, passed, &[])?;
        // What the walk did not reach (too deep, or not shown by `/messages`) still counts once.
        let found: HashSet<&str> = events.iter().map(|e| e.event_id.as_str()).collect();
        let mut unreached = Vec::new();
        for event in &timeline {
            if !found.contains(event.event_id.as_str())
                && !applied_now.contains(&event.event_id)
                && !self.store.is_applied(&event.event_id)?
            {
                unreached.push(event.clone());
            }
        }
        if !unreached.is_empty() {
            warn!(%room_id, events = unreached.len(), "batch events the walk back did not reach");
        }
        events.extend(unreached);
        let own_server = Some(self.matrix.server_name());
        let late_from_elsewhere = events.iter().any(|e| {
            !plan.reach.contains(&e.event_id) && pspm_config::server_of(&e.sender) != own_server
        });
        if late_from_elsewhere {
            info!(%room_id, "events missing from the sync batch found in history");
            self.walks.again(room_id, walked);
        }
        Ok(Found {
            late: events,
            order,
        })
    }
}

/// One `/sync` from `since`, long-polling for at most `wait`; owns all it needs, so it can
/// stay in flight while the loop does other work.
fn sync_request(matrix: Matrix, since: Option<String>, wait: Duration) -> SyncRequest {
    Box::pin(async move {
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
        // The first sync only learns the present: it must not wait for news.
        request.timeout = Some(if initial { Duration::ZERO } else { wait });
        let config = RequestConfig::new()
            .disable_retry()
            .timeout(wait + Duration::from_secs(30));
        let started = Instant::now();
        let response = matrix
            .send("sync", |client| {
                client.send(request.clone()).with_request_config(config)
            })
            .await;
        metrics().sync(started.elapsed(), response.is_ok());
        response
    })
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
