//! The messages `!promote` commands quote, fetched off the sync loop. A fetch may go to
//! other servers (the homeserver asks them for an event it lacks), so each is bounded, and a
//! command waits for its quote alone while the loop goes on with everything else; only a
//! command the engine would act on (an admitted sender, after the live line) gets a fetch.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use matrix_sdk::ruma::api::client::room::get_room_event;
use matrix_sdk::ruma::{OwnedEventId, OwnedRoomId};
use tokio::sync::mpsc;
use tracing::warn;

use super::events::{parse_logged, promoted_message, quote_of, RawEvent};
use super::{Matrix, RequestError};
use crate::domain::Quoted;

/// The longest a quote is waited for; then the command says it cannot find the message.
const QUOTE_PATIENCE: Duration = Duration::from_secs(5);

/// A command whose quote fetch has ended (`quote` is `None` when it failed).
pub struct Fetched {
    pub room_id: OwnedRoomId,
    pub event: RawEvent,
    pub target: String,
    pub quote: Option<Quoted>,
}

/// Commands waiting for their quotes.
pub struct QuoteFetches {
    sender: mpsc::UnboundedSender<Fetched>,
    receiver: mpsc::UnboundedReceiver<Fetched>,
    awaiting: HashSet<String>,
}

impl Default for QuoteFetches {
    fn default() -> Self {
        let (sender, receiver) = mpsc::unbounded_channel();
        QuoteFetches {
            sender,
            receiver,
            awaiting: HashSet::new(),
        }
    }
}

impl QuoteFetches {
    /// Fetches the message `event` quotes, in a task of its own. Without a login the fetch
    /// never ends: the command waits (the stored token before it), and a restart applies it.
    pub fn start(&mut self, matrix: &Matrix, room_id: &OwnedRoomId, event: RawEvent, target: &str) {
        self.awaiting.insert(event.event_id.clone());
        let (matrix, room_id, target) = (matrix.clone(), room_id.clone(), target.to_owned());
        let sender = self.sender.clone();
        tokio::spawn(async move {
            let Ok(quote) = fetch(&matrix, &room_id, &target).await else {
                return;
            };
            // The loop owns the receiver as long as it runs.
            let _ = sender.send(Fetched {
                room_id,
                event,
                target,
                quote,
            });
        });
    }

    /// Whether `event_id` waits for its quote (a walk that finds it leaves it alone).
    pub fn is_awaiting(&self, event_id: &str) -> bool {
        self.awaiting.contains(event_id)
    }

    /// The next fetch to end.
    pub async fn next(&mut self) -> Option<Fetched> {
        let fetched = self.receiver.recv().await?;
        self.awaiting.remove(&fetched.event.event_id);
        Some(fetched)
    }
}

/// The quotes `!promote` commands in `events` can take from `events` themselves.
pub fn quotes_in(events: &[RawEvent]) -> HashMap<String, Quoted> {
    events
        .iter()
        .filter_map(promoted_message)
        .filter_map(|target| {
            let quoted = events.iter().find(|e| e.event_id == target)?;
            Some((target.to_owned(), quote_of(quoted)?))
        })
        .collect()
}

/// The quotes of the `!promote` commands among `events` that are `wanted` (admitted, not
/// applied yet): from `events`, or fetched. Called off the loop (a walk's task). An error:
/// the bot can no longer log in.
pub async fn quotes_for(
    matrix: &Matrix,
    room_id: &OwnedRoomId,
    events: &[RawEvent],
    wanted: impl Fn(&RawEvent) -> bool,
) -> anyhow::Result<HashMap<String, Quoted>> {
    let mut quotes = quotes_in(events);
    for event in events.iter().filter(|e| wanted(e)) {
        let Some(target) = promoted_message(event) else {
            continue;
        };
        if !quotes.contains_key(target) {
            if let Some(quote) = fetch(matrix, room_id, target).await? {
                quotes.insert(target.to_owned(), quote);
            }
        }
    }
    Ok(quotes)
}

/// The message `target` in `room_id` as `!promote` quotes it, within [`QUOTE_PATIENCE`]
/// (`None`: not found in time). An error: the bot can no longer log in, so the command must
/// not be answered as if the message were missing.
pub async fn fetch(
    matrix: &Matrix,
    room_id: &OwnedRoomId,
    target: &str,
) -> anyhow::Result<Option<Quoted>> {
    let Ok(event_id) = OwnedEventId::try_from(target) else {
        return Ok(None);
    };
    let request = get_room_event::v3::Request::new(room_id.clone(), event_id);
    let attempt = matrix.send("get event", |client| client.send(request.clone()));
    match tokio::time::timeout(QUOTE_PATIENCE, attempt).await {
        Ok(Ok(response)) => Ok(parse_logged(response.event.json().get())
            .as_ref()
            .and_then(quote_of)),
        Ok(Err(RequestError::LoggedOut(error))) => Err(error),
        Ok(Err(error)) => {
            warn!(%room_id, target, %error, "cannot fetch the message to promote");
            Ok(None)
        }
        Err(_) => {
            warn!(%room_id, target, "gave up fetching the message to promote");
            Ok(None)
        }
    }
}
