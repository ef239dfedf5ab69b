//! Prioritisation polls (native Matrix polls, MSC3381) with dot voting: `max_selections = k`
//! among the top proposals. Counting follows MSC3381: only a voter's latest response (by
//! `origin_server_ts`) counts; an empty one is an un-vote; more selections than allowed or
//! unknown answers spoil the vote; responses after the end do not count.

use std::collections::{BTreeMap, HashMap};

use super::authority::role;
use super::{Change, Effects, PollAnswered, Role, Settings, State};

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
}

/// A voter's latest response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub event_id: String,
    pub at_ms: i64,
    /// Valid selections; empty for an un-vote or a spoiled vote.
    pub selections: Vec<String>,
    pub spoiled: bool,
}

/// A poll's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Results {
    /// `(proposal, votes)`, most voted first.
    pub ranking: Vec<(u32, u32)>,
    pub voters: u32,
    pub spoiled: u32,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Polls {
    pub polls: BTreeMap<u32, Poll>,
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

    /// The open poll of a section most recently opened.
    pub fn latest_open(&self, section: &str) -> Option<&Poll> {
        self.polls
            .values()
            .rev()
            .find(|p| p.section == section && p.closed_ms.is_none())
    }

    /// Judges a response against the poll's rules; `None` when it must be ignored: the poll
    /// is closed, or it is the voter's current response delivered again. Order is the room's,
    /// as the bot applies events, never the sender's clock (a backdated response cannot slip
    /// into a closed poll nor undo a later one): the latest applied response is the voter's.
    pub fn judge(
        &self,
        poll: &Poll,
        voter: &str,
        event_id: &str,
        answers: &[String],
        at_ms: i64,
    ) -> Option<Response> {
        if poll.closed_ms.is_some() {
            return None;
        }
        if let Some(previous) = self.responses.get(&(poll.id, voter.to_owned())) {
            if previous.event_id == event_id {
                return None;
            }
        }
        let mut unique: Vec<String> = Vec::new();
        for answer in answers {
            if !unique.contains(answer) {
                unique.push(answer.clone());
            }
        }
        let known = unique
            .iter()
            .all(|a| poll.answers.iter().any(|(id, _)| id == a));
        let spoiled = !known || unique.len() > poll.max_selections as usize;
        Some(Response {
            event_id: event_id.to_owned(),
            at_ms,
            selections: if spoiled { Vec::new() } else { unique },
            spoiled,
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
            }
        }
        results.ranking = votes.into_iter().collect();
        results
            .ranking
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
            Effects::change(Change::PollResponse {
                poll: poll.id,
                user: vote.sender.clone(),
                response,
            })
        })
        .unwrap_or_default()
}

/// A poll end from a client's "end poll" button: it closes the poll when sent by the bot,
/// the poll's opener or a moderator of its room.
pub fn on_ended(
    settings: &Settings,
    state: &State,
    sender: &str,
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
    if !allowed || poll.closed_ms.is_some() {
        return Effects::default();
    }
    let mut poll = poll.clone();
    poll.closed_ms = Some(at_ms);
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
        }
    }

    fn respond(polls: &mut Polls, voter: &str, id: &str, answers: &[&str], at: i64) -> bool {
        let p = polls.polls[&1].clone();
        let answers: Vec<String> = answers.iter().map(|a| (*a).to_owned()).collect();
        match polls.judge(&p, voter, id, &answers, at) {
            Some(response) => {
                polls.responses.insert((1, voter.to_owned()), response);
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
        polls.put_poll(&closed);
        assert!(
            !respond(&mut polls, "@f", "$9", &["p1"], 21),
            "after the end: ignored"
        );
        assert!(
            !respond(&mut polls, "@g", "$10", &["p1"], 5),
            "after the end, even dated before it"
        );
    }
}
