//! Walking back through a room's history for the events a `/sync` did not bring.
//!
//! Over federation events arrive late and out of order: a homeserver back from an outage
//! gets only the latest event of each room at once and fetches a few missing ones, leaving a
//! gap that only `/messages` fills (Synapse backfills from the other servers there). Such
//! events never reach `/sync`, and those that do may come after their sender's newer ones.
//! So the sync loop applies what a `/sync` brings at once, and walks afterwards, off its
//! path ([`Walks`] schedules, [`pages_back`] pages). What a walk finds late is applied, and
//! then the room's order it saw ([`found`]) puts each person's ballots in that order: the
//! events it passed in the order passed, those a `/sync` applied since it was planned that
//! it did not pass after them (they are newer), the rest before (older: below where it
//! ended). What another walk found is not "newer": it lies below that walk's start.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use matrix_sdk::ruma::api::client::message::get_message_events;
use matrix_sdk::ruma::api::Direction;
use matrix_sdk::ruma::{OwnedRoomId, UInt};
use tracing::{debug, warn};

use super::events::{self, parse_logged, RawEvent};
use super::Matrix;
use crate::domain::RoomOrder;
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
    /// Events a `/sync` brought to the room since the walk was planned: newer than any it
    /// passes, though it may start below them.
    pub applied_since: Vec<String>,
}

impl WalkPlan {
    /// Event IDs a `/sync` applied in the room while this walk waits or runs.
    pub fn note_applied(&mut self, applied: &[String]) {
        self.applied_since.extend_from_slice(applied);
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
                    applied_since: Vec::new(),
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
                    applied_since: Vec::new(),
                    ..plan
                },
                rounds_left: rounds_left - 1,
                due: Instant::now() + WALK_PAUSE,
            },
        );
    }

    /// Events applied in a room since its walk was planned (`count`): the walk must reach
    /// past them. Those a `/sync` brought (`fresh`) are newer than anything late it finds.
    pub fn applied_in(&mut self, room_id: &OwnedRoomId, count: usize, fresh: &[String]) {
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

/// Sync batches whose walk has not ended yet, oldest first. Until it ends, the stored sync
/// token stays at the start of the oldest: after a crash `/sync` brings those batches again,
/// their events are skipped as applied, and they are walked again. Nothing found late is lost.
#[derive(Debug, Default)]
pub struct Owed {
    /// `(what is owed: a room's walk or a command's quote, sync token, sequence)`.
    batches: VecDeque<(String, String, u64)>,
    next: u64,
}

impl Owed {
    /// Something of the batch that started at sync token `since` is still to be done: a
    /// walk of room `key`, or the quote fetch of command `key`.
    pub fn owe(&mut self, key: &str, since: &str) {
        self.batches
            .push_back((key.to_owned(), since.to_owned(), self.next));
        self.next += 1;
    }

    /// Marks the batches owed so far; a walk starting now covers them ([`Owed::settle`]).
    pub fn mark(&self) -> u64 {
        self.next
    }

    /// What was owed under `key` before `mark` is done (a walk of that room that started at
    /// `mark` has ended; `u64::MAX` for all of it).
    pub fn settle(&mut self, key: &str, mark: u64) {
        self.batches
            .retain(|(owed, _, seq)| owed != key || *seq >= mark);
    }

    /// The sync token to store: the start of the oldest batch owed, else `position`.
    pub fn resume_from(&self, position: &str) -> String {
        self.batches
            .front()
            .map_or(position, |(_, since, _)| since.as_str())
            .to_owned()
    }
}

/// Pages back as `plan` says and returns every event passed, newest first. Whether an event
/// is applied decides only where the walk stops: what to apply is decided when the events are
/// applied ([`found`]), since the sync loop may apply some meanwhile.
pub async fn pages_back(
    matrix: &Matrix,
    store: &Arc<dyn Store>,
    room_id: &OwnedRoomId,
    plan: &WalkPlan,
    applied_now: &HashSet<String>,
    bot_user: &str,
) -> anyhow::Result<Vec<RawEvent>> {
    let mut page_size = plan.first_page.clamp(1, PAGE);
    let mut walker = Walker::new(plan, bot_user);
    let mut from = plan.from.clone();
    let started = Instant::now();
    'pages: loop {
        walker.pages += 1;
        let mut request =
            get_message_events::v3::Request::new(room_id.clone(), Direction::Backward);
        request.from = from.clone();
        request.limit = UInt::try_from(page_size).unwrap_or(UInt::from(100u32));
        page_size = PAGE;
        let page = matrix
            .send("messages", |client| client.send(request.clone()))
            .await
            .with_context(|| format!("cannot backfill {room_id}"))?;
        for raw in &page.chunk {
            let Some(event) = parse_logged(raw.json().get()) else {
                continue;
            };
            let applied =
                applied_now.contains(&event.event_id) || store.is_applied(&event.event_id)?;
            if walker.step(event, applied) == Step::Stop {
                break 'pages;
            }
        }
        match page.end {
            Some(end) if !page.chunk.is_empty() && walker.unapplied < MAX_BACKFILL => {
                from = Some(end)
            }
            _ => break,
        }
    }
    if walker.unapplied >= MAX_BACKFILL {
        warn!(%room_id, "backfill stopped after {MAX_BACKFILL} events");
    }
    let walk_ms = started.elapsed().as_secs_f64() * 1000.0;
    let (events, unapplied, pages) = (walker.passed.len(), walker.unapplied, walker.pages);
    debug!(%room_id, events, unapplied, pages, walk_ms, "walked back through the room's history");
    Ok(walker.passed)
}

/// Whether a walk goes on after an event.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    Go,
    Stop,
}

/// Where a walk is, event by event: it ends after a run of applied events (once past all it
/// must reach), or at the bot's own join (history below it is not the bot's to act on). The
/// room's order decides, never an event's timestamp: a server with a skewed clock cannot cut
/// a walk short.
struct Walker<'a> {
    plan: &'a WalkPlan,
    bot_user: &'a str,
    to_reach: usize,
    applied_run: usize,
    unapplied: usize,
    pages: usize,
    passed: Vec<RawEvent>,
}

impl<'a> Walker<'a> {
    fn new(plan: &'a WalkPlan, bot_user: &'a str) -> Walker<'a> {
        Walker {
            plan,
            bot_user,
            to_reach: plan.reach.len(),
            applied_run: 0,
            unapplied: 0,
            pages: 0,
            passed: Vec::new(),
        }
    }

    fn step(&mut self, event: RawEvent, applied: bool) -> Step {
        if self.plan.reach.contains(&event.event_id) {
            self.to_reach = self.to_reach.saturating_sub(1);
        }
        let own_join = event.kind == "m.room.member"
            && event.state_key.as_deref() == Some(self.bot_user)
            && event.content["membership"] == "join";
        if applied {
            self.applied_run += 1;
        } else {
            self.applied_run = 0;
            self.unapplied += 1;
        }
        self.passed.push(event);
        let past_the_run = self.applied_run >= self.plan.stop_after_applied
            && (self.to_reach == 0 || self.pages >= REACH_PAGES);
        if own_join || past_the_run {
            Step::Stop
        } else {
            Step::Go
        }
    }
}

/// What a walk found, as things stand when it is applied.
pub struct Found {
    /// Events it passed that are not applied yet, oldest first.
    pub late: Vec<RawEvent>,
    /// Every event it passed in the room's order, and the events a `/sync` applied since it
    /// was planned that it did not pass (newer than all it passed).
    pub order: RoomOrder,
}

/// Sorts out a walk's events (newest first): which are late, and the room's order they show.
pub fn found(
    store: &Arc<dyn Store>,
    applied_now: &HashSet<String>,
    room_id: &OwnedRoomId,
    mut passed: Vec<RawEvent>,
    applied_since: &[String],
) -> Result<Found, StoreError> {
    passed.reverse();
    let order = {
        let ids: HashSet<&str> = passed.iter().map(|e| e.event_id.as_str()).collect();
        RoomOrder {
            room_id: room_id.to_string(),
            events: passed.iter().map(events::passed).collect(),
            newer: applied_since
                .iter()
                .filter(|id| !ids.contains(id.as_str()))
                .cloned()
                .collect(),
        }
    };
    let mut late = Vec::new();
    for event in passed {
        if !applied_now.contains(&event.event_id) && !store.is_applied(&event.event_id)? {
            late.push(event);
        }
    }
    Ok(Found { late, order })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Passed;
    use crate::store::{Batch, SledStore};

    fn event(id: &str, sender: &str, target: Option<&str>) -> RawEvent {
        let content = match target {
            Some(target) => format!(
                r#"{{"m.relates_to":{{"rel_type":"m.annotation","event_id":"{target}","key":"👍"}}}}"#
            ),
            None => r#"{"body":"hi"}"#.to_owned(),
        };
        let kind = if target.is_some() {
            "m.reaction"
        } else {
            "m.room.message"
        };
        RawEvent::parse(&format!(
            r#"{{"event_id":"{id}","sender":"{sender}","origin_server_ts":1,"type":"{kind}","content":{content}}}"#
        ))
        .expect("an event")
    }

    fn member(id: &str, user: &str) -> RawEvent {
        RawEvent::parse(&format!(
            r#"{{"event_id":"{id}","sender":"{user}","origin_server_ts":5,"type":"m.room.member","state_key":"{user}","content":{{"membership":"join"}}}}"#
        ))
        .expect("an event")
    }

    #[test]
    fn a_walk_ends_at_a_run_of_applied_events_or_the_bots_join_never_at_a_timestamp() {
        let plan = WalkPlan {
            stop_after_applied: 2,
            reach: HashSet::from(["$batch".to_owned()]),
            ..WalkPlan::default()
        };
        let mut walker = Walker::new(&plan, "@bot:x");
        // Newest first. An unapplied event dated 1970 (a skewed server) does not end it…
        let mut backdated = event("$backdated", "@a:x", None);
        backdated.origin_server_ts = 0;
        assert_eq!(walker.step(backdated, false), Step::Go);
        // …nor a run of applied events before it has passed the batch's own events…
        assert_eq!(walker.step(event("$a1", "@a:x", None), true), Step::Go);
        assert_eq!(walker.step(event("$a2", "@a:x", None), true), Step::Go);
        assert_eq!(walker.step(event("$batch", "@a:x", None), true), Step::Stop);
        // …and the bot's own join ends it whatever came before.
        let mut walker = Walker::new(&plan, "@bot:x");
        assert_eq!(walker.step(member("$other", "@a:x"), false), Step::Go);
        assert_eq!(walker.step(member("$join", "@bot:x"), false), Step::Stop);
        let passed: Vec<&str> = walker.passed.iter().map(|e| e.event_id.as_str()).collect();
        assert_eq!(passed, ["$other", "$join"]);
    }

    #[test]
    fn the_stored_token_waits_for_the_oldest_batch_not_walked() {
        let (a, b) = ("!a:x", "!b:x");
        let mut owed = Owed::default();
        assert_eq!(owed.resume_from("t9"), "t9");
        owed.owe(a, "t1");
        let walk_of_a = owed.mark();
        owed.owe(b, "t2");
        owed.owe(a, "t3");
        assert_eq!(owed.resume_from("t9"), "t1");
        // The walk of `a` that started before its second batch covers only the first.
        owed.settle(a, walk_of_a);
        assert_eq!(owed.resume_from("t9"), "t2");
        owed.settle(b, owed.mark());
        assert_eq!(owed.resume_from("t9"), "t3");
        owed.settle(a, u64::MAX);
        assert_eq!(owed.resume_from("t9"), "t9");
    }

    #[test]
    fn a_walk_finds_the_unapplied_events_and_the_rooms_order() {
        let store: Arc<dyn Store> = Arc::new(SledStore::temporary().expect("store"));
        store
            .commit(Batch {
                applied: vec!["$applied".to_owned()],
                ..Batch::default()
            })
            .expect("commit");
        let room: OwnedRoomId = "!r:x".try_into().expect("room ID");
        // Newest first, as a walk passes them.
        let passed = vec![
            event("$applied", "@a:x", Some("$card")),
            event("$now", "@b:x", None),
            event("$late", "@a:x", Some("$card")),
        ];
        let applied_now = HashSet::from(["$now".to_owned()]);
        let meanwhile = ["$applied".to_owned(), "$meanwhile".to_owned()];
        let found = found(&store, &applied_now, &room, passed, &meanwhile).expect("store reads");
        let late: Vec<&str> = found.late.iter().map(|e| e.event_id.as_str()).collect();
        assert_eq!(late, ["$late"]);
        let passed = |id: &str, sender: &str, target: Option<&str>| Passed {
            event_id: id.into(),
            sender: sender.into(),
            reaction_target: target.map(str::to_owned),
        };
        assert_eq!(
            found.order,
            RoomOrder {
                room_id: "!r:x".into(),
                events: vec![
                    passed("$late", "@a:x", Some("$card")),
                    passed("$now", "@b:x", None),
                    passed("$applied", "@a:x", Some("$card")),
                ],
                newer: vec!["$meanwhile".into()],
            }
        );
    }
}
