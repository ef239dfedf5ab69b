//! Walking back through a room's history for the events a `/sync` did not bring.
//!
//! Over federation events arrive late and out of order: a homeserver back from an outage
//! gets only the latest event of each room at once and fetches a few missing ones, leaving a
//! gap that only `/messages` fills (Synapse backfills from the other servers there). Such
//! events never reach `/sync`. Events that do reach `/sync` come in causal order (Synapse
//! persists the missing events it fetches before the event that needed them), so the sync
//! loop applies them at once and walks afterwards, off its path ([`Walks`] schedules, [`pages_back`]
//! pages). What a walk finds goes in the room's order, each late event with its sender's
//! applied events above it (`newer`): those the walk passed, and those a `/sync` brought
//! while it waited or ran (all newer than anything in a gap; not what another walk found),
//! so a late ballot goes before its sender's newer ones.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use matrix_sdk::ruma::api::client::message::get_message_events;
use matrix_sdk::ruma::api::Direction;
use matrix_sdk::ruma::{OwnedRoomId, UInt};
use tracing::{debug, warn};

use super::events::{parse_logged, RawEvent};
use super::with_retry;
use crate::store::{Store, StoreError};

/// Events per page of `/messages`.
pub const PAGE: usize = 100;
/// Most events fetched back in one room before giving up on reaching an applied one.
const MAX_BACKFILL: usize = 20_000;
/// Already-applied events in a row that end a walk back: past them, history is complete
/// (a gap left by a federation outage sits right below the events that came after it).
pub const APPLIED_RUN: usize = 30;
/// Pages a walk may go on for to pass every event it must reach.
const REACH_PAGES: usize = 10;
/// Walks again after one that found late events, at most, and the pause before each:
/// Synapse fills a gap from the other servers in the foreground only when a page shows it,
/// in the background otherwise.
const WALK_ROUNDS: u32 = 12;
const WALK_PAUSE: Duration = Duration::from_millis(300);

/// Where a walk back starts and when it ends.
#[derive(Debug, Clone, Default)]
pub struct WalkPlan {
    /// A batch's end; the newest event when `None`.
    pub from: Option<String>,
    pub first_page: usize,
    /// Applied events in a row that end the walk (or where history ends for the bot in the
    /// room: the live line)…
    pub stop_after_applied: usize,
    /// …once it has passed all of these (a batch's own events).
    pub reach: HashSet<String>,
    /// Events a `/sync` brought to the room, by sender, since the walk was planned: newer
    /// than any late event it may find, though the walk may start below them.
    pub applied_since: HashMap<String, Vec<String>>,
}

impl WalkPlan {
    /// `(sender, event ID)`s applied in the room while this walk waits or runs.
    pub fn note_applied(&mut self, applied: &[(String, String)]) {
        for (sender, event_id) in applied {
            self.applied_since
                .entry(sender.clone())
                .or_default()
                .push(event_id.clone());
        }
    }
}

/// A room waiting for a walk, and how many more it gets.
#[derive(Debug, Clone)]
struct PendingWalk {
    plan: WalkPlan,
    rounds_left: u32,
    due: Instant,
}

/// The rooms to walk, each once its time has come; one walk at a time.
#[derive(Debug, Default)]
pub struct Walks {
    pending: HashMap<OwnedRoomId, PendingWalk>,
}

impl Walks {
    /// A batch brought events from other servers: walk back from its end, past its events,
    /// now. A room already due for a walk from its newest event keeps that (it reaches
    /// further) and also passes these events.
    pub fn after_batch(&mut self, room_id: &OwnedRoomId, batch_end: &str, events: &[RawEvent]) {
        let ids = events.iter().map(|e| e.event_id.clone());
        match self.pending.get_mut(room_id) {
            Some(pending) => {
                // A walk from an older batch's end would never pass this one's events.
                if pending.plan.from.is_some() {
                    pending.plan.from = Some(batch_end.to_owned());
                    pending.plan.first_page += events.len();
                }
                pending.plan.reach.extend(ids);
                pending.due = pending.due.min(Instant::now());
            }
            None => {
                let reach: HashSet<String> = ids.collect();
                let plan = WalkPlan {
                    from: Some(batch_end.to_owned()),
                    first_page: events.len() + APPLIED_RUN + 1,
                    stop_after_applied: APPLIED_RUN,
                    reach,
                    applied_since: HashMap::new(),
                };
                self.pending.insert(
                    room_id.clone(),
                    PendingWalk {
                        plan,
                        rounds_left: 1,
                        due: Instant::now(),
                    },
                );
            }
        }
    }

    /// A walk found late events after passing `passed` events: walk the room again from its
    /// newest event for a while, reaching past where this walk ended.
    pub fn again(&mut self, room_id: &OwnedRoomId, passed: usize) {
        let pending = self
            .pending
            .entry(room_id.clone())
            .or_insert_with(|| PendingWalk {
                plan: WalkPlan::default(),
                rounds_left: WALK_ROUNDS,
                due: Instant::now() + WALK_PAUSE,
            });
        pending.plan.from = None;
        pending.plan.first_page = PAGE;
        pending.plan.stop_after_applied = pending.plan.stop_after_applied.max(passed + APPLIED_RUN);
        pending.rounds_left = WALK_ROUNDS;
    }

    /// A walk that found nothing late: the room gets its remaining rounds, each reaching past
    /// the last.
    pub fn after_quiet_walk(&mut self, room_id: &OwnedRoomId, plan: WalkPlan, rounds_left: u32) {
        if rounds_left <= 1 || self.pending.contains_key(room_id) {
            return;
        }
        self.pending.insert(
            room_id.clone(),
            PendingWalk {
                plan: WalkPlan {
                    from: None,
                    first_page: PAGE,
                    applied_since: HashMap::new(),
                    ..plan
                },
                rounds_left: rounds_left - 1,
                due: Instant::now() + WALK_PAUSE,
            },
        );
    }

    /// Events applied in a room since its walk was planned (`count`): the walk must reach
    /// past them. Those a `/sync` brought (`fresh`) are newer than anything late it finds.
    pub fn applied_in(&mut self, room_id: &OwnedRoomId, count: usize, fresh: &[(String, String)]) {
        if let Some(pending) = self.pending.get_mut(room_id) {
            pending.plan.stop_after_applied += count;
            pending.plan.note_applied(fresh);
        }
    }

    /// The walk whose time has come (the earliest due), removed from the plan.
    pub fn take_due(&mut self, now: Instant) -> Option<(OwnedRoomId, WalkPlan, u32)> {
        let room_id = self
            .pending
            .iter()
            .filter(|(_, pending)| pending.due <= now)
            .min_by_key(|(_, pending)| pending.due)
            .map(|(room, _)| room.clone())?;
        let pending = self.pending.remove(&room_id)?;
        Some((room_id, pending.plan, pending.rounds_left))
    }

    /// When the next walk is due, if any is planned.
    pub fn next_due(&self) -> Option<Instant> {
        self.pending.values().map(|pending| pending.due).min()
    }
}

/// Pages back as `plan` says and returns every event passed, newest first. Whether an event
/// is applied decides only where the walk stops: what to apply is decided when the events are
/// applied ([`unapplied_oldest_first`]), since the sync loop may apply some meanwhile.
pub async fn pages_back(
    client: &matrix_sdk::Client,
    store: &Arc<dyn Store>,
    room_id: &OwnedRoomId,
    plan: &WalkPlan,
    applied_now: &HashSet<String>,
    live_since_ms: i64,
) -> anyhow::Result<Vec<RawEvent>> {
    let mut page_size = plan.first_page.clamp(1, PAGE);
    let mut passed = Vec::new();
    let mut from = plan.from.clone();
    let mut to_reach = plan.reach.len();
    let (mut applied_run, mut unapplied) = (0, 0);
    let (started, mut pages) = (Instant::now(), 0);
    'pages: loop {
        pages += 1;
        let mut request =
            get_message_events::v3::Request::new(room_id.clone(), Direction::Backward);
        request.from = from.clone();
        request.limit = UInt::try_from(page_size).unwrap_or(UInt::from(100u32));
        page_size = PAGE;
        let page = with_retry("messages", || async { client.send(request.clone()).await })
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| format!("cannot backfill {room_id}"))?;
        for raw in &page.chunk {
            let Some(event) = parse_logged(raw.json().get()) else {
                continue;
            };
            if plan.reach.contains(&event.event_id) {
                to_reach -= 1;
            }
            if applied_now.contains(&event.event_id) || store.is_applied(&event.event_id)? {
                applied_run += 1;
                passed.push(event);
                if applied_run >= plan.stop_after_applied && (to_reach == 0 || pages >= REACH_PAGES)
                {
                    break 'pages;
                }
                continue;
            }
            applied_run = 0;
            if event.origin_server_ts < live_since_ms {
                break 'pages;
            }
            unapplied += 1;
            passed.push(event);
        }
        match page.end {
            Some(end) if !page.chunk.is_empty() && unapplied < MAX_BACKFILL => from = Some(end),
            _ => break,
        }
    }
    if unapplied >= MAX_BACKFILL {
        warn!(%room_id, "backfill stopped after {MAX_BACKFILL} events");
    }
    let walk_ms = started.elapsed().as_secs_f64() * 1000.0;
    debug!(%room_id, events = passed.len(), unapplied, pages, walk_ms, "walked back through the room's history");
    Ok(passed)
}

/// The events of a walk (newest first) not applied yet, in the room's order, oldest first,
/// each with its sender's applied events above it (`newer`), as things stand now: those the
/// walk passed, and those applied since it was planned (`applied_since`, all newer).
pub fn unapplied_oldest_first(
    store: &Arc<dyn Store>,
    applied_now: &HashSet<String>,
    passed: Vec<RawEvent>,
    applied_since: &HashMap<String, Vec<String>>,
) -> Result<Vec<RawEvent>, StoreError> {
    let mut applied_above = applied_since.clone();
    let mut unapplied = Vec::new();
    for mut event in passed {
        if applied_now.contains(&event.event_id) || store.is_applied(&event.event_id)? {
            applied_above
                .entry(event.sender.clone())
                .or_default()
                .push(event.event_id);
            continue;
        }
        event.newer = applied_above
            .get(&event.sender)
            .cloned()
            .unwrap_or_default();
        unapplied.push(event);
    }
    unapplied.reverse();
    Ok(unapplied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Batch, SledStore};

    fn event(id: &str, sender: &str) -> RawEvent {
        RawEvent::parse(&format!(
            r#"{{"event_id":"{id}","sender":"{sender}","origin_server_ts":1,"type":"m.reaction"}}"#
        ))
        .expect("an event")
    }

    #[test]
    fn a_late_event_goes_before_its_senders_newer_ones_passed_or_applied_meanwhile() {
        let store: Arc<dyn Store> = Arc::new(SledStore::temporary().expect("store"));
        let applied = ["$newer-passed", "$other-sender", "$older-applied"];
        store
            .commit(Batch {
                applied: applied.iter().map(|id| id.to_string()).collect(),
                ..Batch::default()
            })
            .expect("commit");
        // Newest first, as a walk passes them.
        let passed = vec![
            event("$newer-passed", "@a:x"),
            event("$other-sender", "@b:x"),
            event("$late", "@a:x"),
            event("$late-b", "@b:x"),
            event("$older-applied", "@a:x"),
        ];
        let meanwhile = HashMap::from([("@a:x".to_owned(), vec!["$meanwhile".to_owned()])]);
        let late = unapplied_oldest_first(&store, &HashSet::new(), passed, &meanwhile)
            .expect("store reads");
        let found: Vec<(&str, &[String])> = late
            .iter()
            .map(|e| (e.event_id.as_str(), e.newer.as_slice()))
            .collect();
        assert_eq!(
            found,
            [
                ("$late-b", &["$other-sender".to_owned()][..]),
                (
                    "$late",
                    &["$meanwhile".to_owned(), "$newer-passed".to_owned()][..]
                ),
            ]
        );
    }
}
