//! Latency as a person sees it: a `/sync` loop recording when each event, and each reply,
//! arrives.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::bail;
use serde_json::Value;

use crate::client::User;
use crate::percent_encoding::percent_encode;
use crate::Result;

/// When something arrived, and what: keyed by an event ID.
type Seen = std::sync::Arc<Mutex<std::collections::HashMap<String, (Instant, Value)>>>;

/// A `/sync` long-poll loop for one user that records when each event, and each reply to an
/// event, arrives: latency measured the way a person sees it (not by polling `/messages`).
pub struct Observer {
    /// By the event replied to.
    replies: Seen,
    /// By the event's own ID.
    events: Seen,
    task: tokio::task::JoinHandle<()>,
}

impl Observer {
    /// Starts syncing as `user` from now on.
    pub async fn start(user: &User) -> Result<Observer> {
        let initial = user.get("/sync?timeout=0&filter=%7B%22room%22%3A%7B%22timeline%22%3A%7B%22limit%22%3A1%7D%7D%7D").await?;
        let mut since = initial["next_batch"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let (replies, events) = (Seen::default(), Seen::default());
        let user = user.clone_session();
        let (reply_sink, event_sink) = (replies.clone(), events.clone());
        let task = tokio::spawn(async move {
            loop {
                // A burst must not be cut to the default ten events per room and sync.
                let filter = percent_encode(r#"{"room":{"timeline":{"limit":1000}}}"#);
                let Ok(body) = user
                    .get(&format!(
                        "/sync?timeout=30000&filter={filter}&since={}",
                        percent_encode(&since)
                    ))
                    .await
                else {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                };
                let now = Instant::now();
                since = body["next_batch"].as_str().unwrap_or_default().to_owned();
                let Some(rooms) = body["rooms"]["join"].as_object() else {
                    continue;
                };
                let mut replies = reply_sink.lock().unwrap_or_else(|e| e.into_inner());
                let mut events = event_sink.lock().unwrap_or_else(|e| e.into_inner());
                for room in rooms.values() {
                    for event in room["timeline"]["events"].as_array().into_iter().flatten() {
                        let relates = &event["content"]["m.relates_to"];
                        if let Some(target) = relates["m.in_reply_to"]["event_id"].as_str() {
                            replies
                                .entry(target.to_owned())
                                .or_insert((now, event.clone()));
                        }
                        if let Some(id) = event["event_id"].as_str() {
                            events.entry(id.to_owned()).or_insert((now, event.clone()));
                        }
                    }
                }
            }
        });
        Ok(Observer {
            replies,
            events,
            task,
        })
    }

    /// Waits for the reply to `event_id`; returns when it arrived and the reply event.
    pub async fn reply_to(&self, event_id: &str, timeout: Duration) -> Result<(Instant, Value)> {
        Self::wait(&self.replies, event_id, timeout).await
    }

    /// Whether the reply to `event_id` has arrived.
    pub fn has_reply(&self, event_id: &str) -> bool {
        self.replies
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(event_id)
    }

    /// Waits for the event `event_id` itself; returns when it arrived, and the event.
    pub async fn event(&self, event_id: &str, timeout: Duration) -> Result<(Instant, Value)> {
        Self::wait(&self.events, event_id, timeout).await
    }

    async fn wait(seen: &Seen, key: &str, timeout: Duration) -> Result<(Instant, Value)> {
        let started = Instant::now();
        loop {
            if let Some(found) = seen.lock().unwrap_or_else(|e| e.into_inner()).get(key) {
                return Ok(found.clone());
            }
            if started.elapsed() > timeout {
                bail!("{key} (or a reply to it) did not arrive within {timeout:?}");
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
}

impl Drop for Observer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
