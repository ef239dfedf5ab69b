//! Prioritisation polls (native Matrix polls, MSC3381) with dot voting: `max_selections = k`
//! among the top proposals. Counting follows MSC3381: only a voter's latest response counts;
//! an empty one is an un-vote; more selections than allowed or unknown answers spoil the
//! vote; responses after the end do not count. "Latest" and "after" are in the room's order,
//! never by senders' clocks: the order the bot applies events in, corrected by the room's
//! order when a walk through history shows it ([`on_room_order`]: over federation a response
//! sent before the end can reach the bot after it).

use std::collections::{BTreeMap, HashMap, HashSet};

use super::authority::role;
use super::participation::MAX_BALLOTS;
use super::{Change, Effects, PollAnswered, Role, RoomOrder, Settings, State};

/// A poll the bot opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Poll {
    pub id: u32,
    pub section: String,
    pub room_id: String,
    /// Who asked for it (`!prioritise`); the Matrix sender is the bot.
    pub opened_by: String,
    pub opened_ms: i64,
    pub max_selections: u32,
    /// `(answer id, proposal number)`, in the order shown.
    pub answers: Vec<(String, u32)>,
    /// The poll start event, once seen in the room.
    pub start_event: Option<String>,
    pub closed_ms: Option<i64>,
    /// The event that closed it (`!close`, or a poll end), where the room's order puts the end.
    pub closed_by: Option<String>,
    /// When it closes by itself (`!prioritise … until <date>`), if it does.
    pub closes_ms: Option<i64>,
    /// `(answer id, draft action code)`: the plan file's actions among the answers
    /// (`!prioritise actions|all`).
    pub actions: Vec<(String, String)>,
}

/// A voter's latest response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub event_id: String,
    pub at_ms: i64,
    /// Valid selections; empty for an un-vote or a spoiled vote.
    pub selections: Vec<String>,
    pub spoiled: bool,
    /// Sent after the poll's end in the room's order: kept, not counted.
    pub after_close: bool,
}

/// A poll's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Results {
    /// `(proposal, votes)`, most voted first.
    pub ranking: Vec<(u32, u32)>,
    /// `(draft action code, votes)`, most voted first.
    pub actions: Vec<(String, u32)>,
    pub voters: u32,
    pub spoiled: u32,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Polls {
    pub polls: BTreeMap<u32, Poll>,
    /// Each voter's responses in the room's order (the last [`MAX_BALLOTS`]).
    histories: HashMap<(u32, String), Vec<Response>>,
    /// The response that counts for each voter: their latest before the end (derived).
    pub responses: HashMap<(u32, String), Response>,
    /// Start event → poll.
    pub by_start: HashMap<String, u32>,
}

impl Polls {
    pub fn next_id(&self) -> u32 {
        self.polls.keys().next_back().map_or(1, |n| n + 1)
    }

    pub fn put_poll(&mut self, poll: &Poll) {
        if let Some(start) = &poll.start_event {
            self.by_start.insert(start.clone(), poll.id);
        }
        self.polls.insert(poll.id, poll.clone());
    }

    /// A voter's responses to poll `id`, in the room's order.
    pub fn history(&self, id: u32, voter: &str) -> &[Response] {
        self.histories
            .get(&(id, voter.to_owned()))
            .map_or(&[], Vec::as_slice)
    }

    /// Records a voter's responses; the latest before the end counts.
    pub fn put_history(&mut self, id: u32, voter: &str, responses: &[Response]) {
        let key = (id, voter.to_owned());
        match responses.iter().rev().find(|r| !r.after_close) {
            Some(counted) => self.responses.insert(key.clone(), counted.clone()),
            None => self.responses.remove(&key),
        };
        if responses.is_empty() {
            self.histories.remove(&key);
        } else {
            self.histories.insert(key, responses.to_vec());
        }
    }

    /// The open poll of a section most recently opened.
    pub fn latest_open(&self, section: &str) -> Option<&Poll> {
        self.polls
            .values()
            .rev()
            .find(|p| p.section == section && p.closed_ms.is_none())
    }

    /// Judges a response against the poll's rules; `None` when it was seen before. One
    /// that comes after the poll's end is kept (a walk may yet show that the room has it
    /// before the end) but does not count.
    pub fn judge(
        &self,
        poll: &Poll,
        voter: &str,
        event_id: &str,
        answers: &[String],
        at_ms: i64,
    ) -> Option<Response> {
        if self
            .history(poll.id, voter)
            .iter()
            .any(|r| r.event_id == event_id)
        {
            return None;
        }
        let mut unique: Vec<String> = Vec::new();
        for answer in answers {
            if !unique.contains(answer) {
                unique.push(answer.clone());
            }
        }
        let known = unique.iter().all(|a| {
            poll.answers.iter().any(|(id, _)| id == a) || poll.actions.iter().any(|(id, _)| id == a)
        });
        let spoiled = !known || unique.len() > poll.max_selections as usize;
        Some(Response {
            event_id: event_id.to_owned(),
            at_ms,
            selections: if spoiled { Vec::new() } else { unique },
            spoiled,
            after_close: poll.closed_ms.is_some(),
        })
    }

    /// Users whose ballot in poll `id` counts (valid and not empty).
    pub fn voters(&self, id: u32) -> impl Iterator<Item = &str> {
        self.responses
            .iter()
            .filter(move |((poll, _), response)| {
                *poll == id && !response.spoiled && !response.selections.is_empty()
            })
            .map(|((_, user), _)| user.as_str())
    }

    pub fn results(&self, poll: &Poll) -> Results {
        let mut votes: BTreeMap<u32, u32> = poll.answers.iter().map(|(_, n)| (*n, 0)).collect();
        let mut action_votes: BTreeMap<&str, u32> = poll
            .actions
            .iter()
            .map(|(_, code)| (code.as_str(), 0))
            .collect();
        let mut results = Results::default();
        for ((id, _), response) in &self.responses {
            if *id != poll.id {
                continue;
            }
            if response.spoiled {
                results.spoiled += 1;
                continue;
            }
            if response.selections.is_empty() {
                continue;
            }
            results.voters += 1;
            for selection in &response.selections {
                if let Some((_, number)) = poll.answers.iter().find(|(a, _)| a == selection) {
                    *votes.entry(*number).or_default() += 1;
                }
                if let Some((_, code)) = poll.actions.iter().find(|(a, _)| a == selection) {
                    *action_votes.entry(code.as_str()).or_default() += 1;
                }
            }
        }
        results.ranking = votes.into_iter().collect();
        results
            .ranking
            .sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        results.actions = action_votes
            .into_iter()
            .map(|(code, votes)| (code.to_owned(), votes))
            .collect();
        results
            .actions
            .sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        results
    }
}

/// The bot's own poll start came back from the homeserver: the poll now has its event.
pub fn on_posted(state: &State, room_id: &str, poll_id: u32, event_id: String) -> Effects {
    match state.polls.polls.get(&poll_id) {
        Some(poll) if poll.start_event.is_none() && poll.room_id == room_id => {
            let mut poll = poll.clone();
            poll.start_event = Some(event_id);
            Effects::change(Change::Poll(poll))
        }
        _ => Effects::default(),
    }
}

/// A response to one of the bot's polls, judged by the MSC3381 rules (see [`Polls::judge`]).
pub fn on_response(state: &State, vote: &PollAnswered) -> Effects {
    let polls = &state.polls;
    let Some(poll) = polls
        .by_start
        .get(&vote.start)
        .and_then(|id| polls.polls.get(id))
    else {
        return Effects::default();
    };
    polls
        .judge(
            poll,
            &vote.sender,
            &vote.event_id,
            &vote.answers,
            vote.at_ms,
        )
        .map(|response| {
            let mut responses = polls.history(poll.id, &vote.sender).to_vec();
            responses.push(response);
            // A voter who keeps changing their mind keeps their latest responses only.
            let excess = responses.len().saturating_sub(MAX_BALLOTS);
            responses.drain(..excess);
            Effects::change(Change::PollResponses {
                poll: poll.id,
                user: vote.sender.clone(),
                responses,
            })
        })
        .unwrap_or_default()
}

/// Puts the poll responses a walk passed in the room's order, and on the right side of their
/// poll's end: like ballots (see [`super::ballot_order`]), responses it did not pass and that
/// are not `newer` are older than those it passed, and the newer ones come last. A response
/// the room has before the end counts; one after it does not.
pub fn on_room_order(state: &State, order: &RoomOrder) -> Effects {
    let position_of: HashMap<&str, usize> = order
        .events
        .iter()
        .enumerate()
        .map(|(position, event)| (event.event_id.as_str(), position))
        .collect();
    let newer: HashSet<&str> = order.newer.iter().map(String::as_str).collect();
    let mut effects = Effects::default();
    let polls = &state.polls;
    let mut touched: Vec<&(u32, String)> = polls
        .histories
        .iter()
        .filter(|(_, history)| {
            history
                .iter()
                .any(|r| position_of.contains_key(r.event_id.as_str()))
        })
        .map(|(key, _)| key)
        .collect();
    touched.sort();
    for key @ (id, voter) in touched {
        let Some(poll) = polls.polls.get(id) else {
            continue;
        };
        // Where the end stands against the passed responses: among them; after all of them
        // (newer, or no end); or before all of them (applied before the walk's oldest).
        let end_at = match (poll.closed_ms, poll.closed_by.as_deref()) {
            (None, _) => None,
            (Some(_), Some(end)) if newer.contains(end) => None,
            (Some(_), Some(end)) => Some(position_of.get(end).copied()),
            // Closed before the end's event was recorded: long before any walk now.
            (Some(_), None) => Some(None),
        };
        let history = polls.history(*id, voter);
        let (mut passed, rest): (Vec<Response>, Vec<Response>) = history
            .iter()
            .cloned()
            .partition(|r| position_of.contains_key(r.event_id.as_str()));
        passed.sort_by_key(|r| position_of.get(r.event_id.as_str()).copied());
        for response in &mut passed {
            let position = position_of
                .get(response.event_id.as_str())
                .copied()
                .unwrap_or_default();
            response.after_close = match end_at {
                None => false,
                Some(Some(end)) => position > end,
                Some(None) => true,
            };
        }
        let (later, earlier): (Vec<Response>, Vec<Response>) = rest
            .into_iter()
            .partition(|r| newer.contains(r.event_id.as_str()));
        let ordered: Vec<Response> = earlier.into_iter().chain(passed).chain(later).collect();
        if ordered != history {
            effects.changes.push(Change::PollResponses {
                poll: *id,
                user: key.1.clone(),
                responses: ordered,
            });
        }
    }
    effects
}

/// A poll end from a client's "end poll" button: it closes the poll when sent by the bot,
/// the poll's opener or a moderator of its room.
pub fn on_ended(
    settings: &Settings,
    state: &State,
    sender: &str,
    event_id: &str,
    start: &str,
    at_ms: i64,
) -> Effects {
    let polls = &state.polls;
    let Some(poll) = polls.by_start.get(start).and_then(|id| polls.polls.get(id)) else {
        return Effects::default();
    };
    let allowed = sender == settings.bot_user
        || sender == poll.opened_by
        || role(settings, state, &poll.room_id, sender) == Role::Moderator;
    // The bot's own end of a poll that closed by itself: where the room's order puts it.
    if sender == settings.bot_user && poll.closed_ms.is_some() && poll.closed_by.is_none() {
        let mut poll = poll.clone();
        poll.closed_by = Some(event_id.to_owned());
        return Effects::change(Change::Poll(poll));
    }
    if !allowed || poll.closed_ms.is_some() {
        return Effects::default();
    }
    let mut poll = poll.clone();
    poll.closed_ms = Some(at_ms);
    poll.closed_by = Some(event_id.to_owned());
    Effects::change(Change::Poll(poll))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll() -> Poll {
        Poll {
            id: 1,
            section: "dati".into(),
            room_id: "!r".into(),
            opened_by: "@m:hs".into(),
            opened_ms: 0,
            max_selections: 2,
            answers: vec![("p1".into(), 1), ("p2".into(), 2), ("p3".into(), 3)],
            start_event: Some("$start".into()),
            closed_ms: None,
            closed_by: None,
            closes_ms: None,
            actions: Vec::new(),
        }
    }

    fn respond(polls: &mut Polls, voter: &str, id: &str, answers: &[&str], at: i64) -> bool {
        let p = polls.polls[&1].clone();
        let answers: Vec<String> = answers.iter().map(|a| (*a).to_owned()).collect();
        match polls.judge(&p, voter, id, &answers, at) {
            Some(response) => {
                let mut history = polls.history(1, voter).to_vec();
                history.push(response);
                polls.put_history(1, voter, &history);
                true
            }
            None => false,
        }
    }

    #[test]
    fn msc3381_rules() {
        let mut polls = Polls::default();
        polls.put_poll(&poll());
        assert!(respond(&mut polls, "@a", "$1", &["p1", "p2"], 10));
        assert!(
            respond(&mut polls, "@b", "$2", &["p1", "p2", "p3"], 11),
            "too many: spoiled, but recorded"
        );
        assert!(
            respond(&mut polls, "@c", "$3", &["p9"], 12),
            "unknown answer: spoiled"
        );
        assert!(respond(&mut polls, "@d", "$4", &["p3"], 13));
        assert!(
            respond(&mut polls, "@d", "$5", &["p2"], 14),
            "changed ballot"
        );
        assert!(
            respond(&mut polls, "@d", "$6", &["p3"], 12),
            "a later response counts, whatever its timestamp says"
        );
        assert!(
            !respond(&mut polls, "@d", "$6", &["p3"], 12),
            "the same response again: ignored"
        );
        assert!(respond(&mut polls, "@e", "$7", &["p3"], 15));
        assert!(respond(&mut polls, "@e", "$8", &[], 16), "empty: un-vote");
        let results = polls.results(&polls.polls[&1]);
        assert_eq!(results.ranking, [(1, 1), (2, 1), (3, 1)]);
        assert_eq!((results.voters, results.spoiled), (2, 2));

        let mut closed = poll();
        closed.closed_ms = Some(20);
        closed.closed_by = Some("$end".into());
        polls.put_poll(&closed);
        let before = polls.results(&polls.polls[&1]);
        assert!(
            respond(&mut polls, "@f", "$9", &["p1"], 21),
            "after the end: kept, should a walk show it was sent before"
        );
        assert!(respond(&mut polls, "@g", "$10", &["p1"], 5));
        assert!(respond(&mut polls, "@a", "$11", &["p3"], 5));
        assert_eq!(
            polls.results(&polls.polls[&1]),
            before,
            "nothing after the end counts, even dated before it"
        );
    }
}
