//! Closing a prioritisation poll, native or secret: by `!close`, or by itself at the deadline
//! `!prioritise … until <date>` gave it ([`due`], at each tick). The ranking is posted for
//! everyone; a secret ballot's close also lists every counted ballot's receipt with its
//! choices, and the stored poll keeps no more than that.

use chrono::{DateTime, Utc};

use super::i18n::{Catalogue, Msg, Rendered};
use super::polls::{Poll, Results};
use super::secret_ballot::{SecretPoll, SecretTally};
use super::{Change, Effects, Notice, PollEndPost, Settings, State};

/// A native poll closed at `at_ms` (by event `closed_by`, if one): its stored form, its
/// ranking in `catalogue`, and the poll end to send with that text (once its start is known).
pub fn close_native(
    settings: &Settings,
    state: &State,
    poll: &Poll,
    at_ms: i64,
    closed_by: Option<String>,
    catalogue: &Catalogue,
) -> (Change, Rendered, Option<PollEndPost>) {
    let results = state.polls.results(poll);
    let text = ranking(settings, state, poll.id, &results, catalogue);
    let mut closed = poll.clone();
    closed.closed_ms = Some(at_ms);
    closed.closed_by = closed_by;
    let end = poll.start_event.as_ref().map(|start| PollEndPost {
        room_id: poll.room_id.clone(),
        start: start.clone(),
        text: text.body.clone(),
    });
    (Change::Poll(closed), text, end)
}

/// A secret ballot closed at `at_ms`: the tally and the receipts for everyone (in
/// `catalogue`), what the closing message carries for a rebuild, and its stored form.
pub fn close_secret(
    state: &State,
    poll: &SecretPoll,
    at_ms: i64,
    catalogue: &Catalogue,
) -> (Rendered, SecretTally, Change) {
    let closed = poll.closed(at_ms);
    let tally = closed.tally();
    let mut lines = vec![catalogue.render(
        Msg::SecretClosed,
        &[
            ("id", &poll.id.to_string()),
            ("ballots", &tally.ballots.to_string()),
        ],
    )];
    for (rank, (number, votes)) in tally.ranking.iter().enumerate() {
        lines.push(catalogue.render(
            Msg::CloseLine,
            &[
                ("rank", &(rank + 1).to_string()),
                ("number", &number.to_string()),
                ("title", title_of(state, *number)),
                ("votes", &votes.to_string()),
            ],
        ));
    }
    lines.push(catalogue.text(Msg::SecretReceipts));
    for (receipt, choices) in &closed.receipts {
        let choices: Vec<String> = choices.iter().map(|n| format!("#{n}")).collect();
        lines.push(catalogue.render(
            Msg::SecretReceipt,
            &[("receipt", receipt), ("choices", &choices.join(", "))],
        ));
    }
    let carried = SecretTally {
        poll: closed.id,
        receipts: closed.receipts.clone(),
    };
    (Rendered::lines(lines), carried, Change::SecretPoll(closed))
}

/// The polls whose deadline has come, closed: a notice in each one's room with its ranking
/// (the plan's language), the poll end of a native one, and their stored forms. Closed at
/// their deadline, whenever the tick comes; the change is committed with the notices, so a
/// poll closes once across restarts.
pub fn due(settings: &Settings, state: &State, now: DateTime<Utc>) -> Effects {
    let now_ms = now.timestamp_millis();
    let catalogue = settings.catalogue();
    let is_due = |closed: Option<i64>, closes: Option<i64>| {
        closed.is_none() && closes.is_some_and(|at| at <= now_ms)
    };
    let mut effects = Effects::default();
    for poll in state.polls.polls.values() {
        let Some(deadline) = poll
            .closes_ms
            .filter(|_| is_due(poll.closed_ms, poll.closes_ms))
        else {
            continue;
        };
        let (change, ranked, end) = close_native(settings, state, poll, deadline, None, catalogue);
        let text = Rendered::lines(vec![
            catalogue.render(Msg::PollClosedByItself, &[("id", &poll.id.to_string())]),
            ranked,
        ]);
        effects
            .notices
            .push(notice(&poll.room_id, poll.id, text, None));
        effects.poll_ends.extend(end);
        effects.changes.push(change);
    }
    for poll in state.secret_polls.polls.values() {
        let Some(deadline) = poll
            .closes_ms
            .filter(|_| is_due(poll.closed_ms, poll.closes_ms))
        else {
            continue;
        };
        let (tally, carried, change) = close_secret(state, poll, deadline, catalogue);
        let text = Rendered::lines(vec![
            catalogue.render(Msg::PollClosedByItself, &[("id", &poll.id.to_string())]),
            tally,
        ]);
        effects
            .notices
            .push(notice(&poll.room_id, poll.id, text, Some(carried)));
        effects.changes.push(change);
    }
    effects
}

fn notice(room_id: &str, id: u32, text: Rendered, tally: Option<SecretTally>) -> Notice {
    Notice {
        item: None,
        room_id: room_id.to_owned(),
        key: format!("poll-deadline-{id}"),
        text,
        tombstone: None,
        mentions: Vec::new(),
        secret_tally: tally,
    }
}

fn title_of(state: &State, number: u32) -> &str {
    state
        .participation
        .proposals
        .get(&number)
        .map_or("", |p| p.title.as_str())
}

/// The ranking of a closed poll: a header with the voters, a line per proposal or draft
/// action, most voted first (proposals before actions on a tie).
pub fn ranking(
    settings: &Settings,
    state: &State,
    id: u32,
    results: &Results,
    catalogue: &Catalogue,
) -> Rendered {
    let mut lines = vec![catalogue.render(
        Msg::CloseHeader,
        &[
            ("id", &id.to_string()),
            ("voters", &results.voters.to_string()),
            ("spoiled", &results.spoiled.to_string()),
        ],
    )];
    let mut entries: Vec<(u32, Option<u32>, &str)> = results
        .ranking
        .iter()
        .map(|(number, votes)| (*votes, Some(*number), ""))
        .collect();
    entries.extend(
        results
            .actions
            .iter()
            .map(|(code, votes)| (*votes, None, code.as_str())),
    );
    // Stable: within equal votes, proposals (in their order) before actions.
    entries.sort_by_key(|entry| std::cmp::Reverse(entry.0));
    for (rank, (votes, number, code)) in entries.into_iter().enumerate() {
        let rank = (rank + 1).to_string();
        let votes = votes.to_string();
        lines.push(match number {
            Some(number) => catalogue.render(
                Msg::CloseLine,
                &[
                    ("rank", &rank),
                    ("number", &number.to_string()),
                    ("title", title_of(state, number)),
                    ("votes", &votes),
                ],
            ),
            None => {
                let title = settings
                    .monitoring
                    .actions
                    .iter()
                    .find(|a| a.code == code)
                    .map_or("", |a| a.title.as_str());
                catalogue.render(
                    Msg::CloseActionLine,
                    &[
                        ("rank", &rank),
                        ("code", code),
                        ("title", title),
                        ("votes", &votes),
                    ],
                )
            }
        });
    }
    Rendered::lines(lines)
}
