//! A Matrix client of the client-server API in plain HTTP, independent of the bot's own
//! adapter: what the people in a test type and see.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _};
use serde_json::{json, Value};

use crate::percent_encoding::percent_encode;
use crate::waiting::wait_for;
use crate::Result;

/// A Matrix user driven over plain HTTP.
pub struct User {
    pub(crate) http: reqwest::Client,
    pub(crate) base: String,
    pub user_id: String,
    pub token: String,
    pub password: String,
    /// How long a request rides out a homeserver that does not answer (connection refused,
    /// 5xx) before failing; zero fails at once. See [`User::patient`].
    pub(crate) patience: Duration,
    /// Requests of this session (and its clones) retried while the homeserver was down.
    pub(crate) outage_retries: std::sync::Arc<AtomicU64>,
}

/// Transaction IDs unique across every client of this process.
static NEXT_TXN: AtomicU64 = AtomicU64::new(0);

impl User {
    /// The same login, with its own transaction counter (for a second task).
    pub fn clone_session(&self) -> User {
        User {
            http: self.http.clone(),
            base: self.base.clone(),
            user_id: self.user_id.clone(),
            token: self.token.clone(),
            password: self.password.clone(),
            patience: self.patience,
            outage_retries: self.outage_retries.clone(),
        }
    }

    /// How many requests of this session were retried because the homeserver was down.
    pub fn outage_retries(&self) -> u64 {
        self.outage_retries.load(Ordering::Relaxed)
    }

    /// The same login, retrying what a homeserver that is down or restarting refuses, for up
    /// to `patience`, as a person's client does. A retried send keeps its transaction ID, so
    /// the homeserver records it once.
    pub fn patient(&self, patience: Duration) -> User {
        User {
            patience,
            ..self.clone_session()
        }
    }

    /// One client-server API call; retries on 429 so tests on default rate limits stay exact.
    pub async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value> {
        let started = Instant::now();
        loop {
            let mut request = self
                .http
                .request(method.clone(), format!("{}{}", self.base, path))
                .bearer_auth(&self.token)
                .timeout(Duration::from_secs(60));
            if let Some(body) = &body {
                request = request.json(body);
            }
            let response = match request.send().await {
                Ok(response) => response,
                Err(_) if started.elapsed() < self.patience => {
                    self.outage_retries.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
                Err(error) => return Err(error).with_context(|| format!("{method} {path}")),
            };
            let status = response.status();
            let value: Value = response.json().await.unwrap_or(Value::Null);
            if status.as_u16() == 429 {
                let wait = value["retry_after_ms"].as_u64().unwrap_or(500);
                tokio::time::sleep(Duration::from_millis(wait)).await;
                continue;
            }
            if status.is_server_error() && started.elapsed() < self.patience {
                self.outage_retries.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
            if !status.is_success() {
                bail!("{method} {path}: {status} {value}");
            }
            return Ok(value);
        }
    }

    fn client_path(path: &str) -> String {
        format!("/_matrix/client/v3{path}")
    }

    pub async fn get(&self, path: &str) -> Result<Value> {
        self.request(reqwest::Method::GET, &Self::client_path(path), None)
            .await
    }

    pub async fn post(&self, path: &str, body: Value) -> Result<Value> {
        self.request(reqwest::Method::POST, &Self::client_path(path), Some(body))
            .await
    }

    pub async fn put(&self, path: &str, body: Value) -> Result<Value> {
        self.request(reqwest::Method::PUT, &Self::client_path(path), Some(body))
            .await
    }

    /// Joins a room. A room's alias can resolve a moment before its join rules are set
    /// (Synapse creates the alias first), so a refusal is retried for a few seconds.
    pub async fn join(&self, room_or_alias: &str) -> Result<String> {
        let started = Instant::now();
        loop {
            match self
                .post(
                    &format!("/join/{}", percent_encode(room_or_alias)),
                    json!({}),
                )
                .await
            {
                Ok(body) => return Ok(body["room_id"].as_str().unwrap_or_default().to_owned()),
                Err(error)
                    if error.to_string().contains("M_FORBIDDEN")
                        && started.elapsed() < Duration::from_secs(15) =>
                {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// Joins a plan's section room as a person does: its Space first (by ID or alias), since
    /// section rooms are restricted to the Space's members, then the room.
    pub async fn join_section(&self, space: &str, room: &str) -> Result<String> {
        self.join(space).await?;
        self.join(room).await
    }

    pub async fn create_room(&self, body: Value) -> Result<String> {
        let body = self.post("/createRoom", body).await?;
        Ok(body["room_id"].as_str().unwrap_or_default().to_owned())
    }

    pub async fn invite(&self, room_id: &str, user_id: &str) -> Result<()> {
        self.post(
            &format!("/rooms/{}/invite", percent_encode(room_id)),
            json!({"user_id": user_id}),
        )
        .await?;
        Ok(())
    }

    /// Sends an event and returns its ID.
    pub async fn send(&self, room_id: &str, kind: &str, content: Value) -> Result<String> {
        let txn = format!(
            "t{}-{}",
            std::process::id(),
            NEXT_TXN.fetch_add(1, Ordering::Relaxed)
        );
        let body = self
            .put(
                &format!("/rooms/{}/send/{kind}/{txn}", percent_encode(room_id)),
                content,
            )
            .await?;
        Ok(body["event_id"].as_str().unwrap_or_default().to_owned())
    }

    pub async fn send_text(&self, room_id: &str, text: &str) -> Result<String> {
        self.send(
            room_id,
            "m.room.message",
            json!({"msgtype": "m.text", "body": text}),
        )
        .await
    }

    pub async fn react(&self, room_id: &str, target: &str, key: &str) -> Result<String> {
        let content =
            json!({"m.relates_to": {"rel_type": "m.annotation", "event_id": target, "key": key}});
        self.send(room_id, "m.reaction", content).await
    }

    pub async fn redact(&self, room_id: &str, event_id: &str) -> Result<()> {
        let txn = format!(
            "r{}-{}",
            std::process::id(),
            NEXT_TXN.fetch_add(1, Ordering::Relaxed)
        );
        self.put(
            &format!(
                "/rooms/{}/redact/{}/{txn}",
                percent_encode(room_id),
                percent_encode(event_id)
            ),
            json!({}),
        )
        .await?;
        Ok(())
    }

    /// Edits one of this user's text messages.
    pub async fn edit(&self, room_id: &str, original: &str, new_body: &str) -> Result<String> {
        let content = json!({
            "msgtype": "m.text",
            "body": format!("* {new_body}"),
            "m.new_content": {"msgtype": "m.text", "body": new_body},
            "m.relates_to": {"rel_type": "m.replace", "event_id": original},
        });
        self.send(room_id, "m.room.message", content).await
    }

    /// Sends a text as a reply to `target`.
    pub async fn reply(&self, room_id: &str, target: &str, text: &str) -> Result<String> {
        let content = json!({
            "msgtype": "m.text",
            "body": text,
            "m.relates_to": {"m.in_reply_to": {"event_id": target}},
        });
        self.send(room_id, "m.room.message", content).await
    }

    /// Sends a message in the thread rooted at `root`.
    pub async fn send_in_thread(&self, room_id: &str, root: &str, text: &str) -> Result<String> {
        let content = json!({
            "msgtype": "m.text",
            "body": text,
            "m.relates_to": {"rel_type": "m.thread", "event_id": root, "is_falling_back": true,
                             "m.in_reply_to": {"event_id": root}},
        });
        self.send(room_id, "m.room.message", content).await
    }

    pub async fn set_display_name(&self, name: &str) -> Result<()> {
        self.put(
            &format!("/profile/{}/displayname", percent_encode(&self.user_id)),
            json!({"displayname": name}),
        )
        .await?;
        Ok(())
    }

    /// Downloads uploaded content (`mxc://server/id`) through the authenticated media API.
    pub async fn download(&self, mxc: &str) -> Result<Vec<u8>> {
        let path = mxc
            .strip_prefix("mxc://")
            .ok_or_else(|| anyhow!("not an mxc URI: {mxc}"))?;
        let response = self
            .http
            .get(format!(
                "{}/_matrix/client/v1/media/download/{path}",
                self.base
            ))
            .bearer_auth(&self.token)
            .send()
            .await?;
        if !response.status().is_success() {
            bail!("download {mxc}: {}", response.status());
        }
        Ok(response.bytes().await?.to_vec())
    }

    pub async fn resolve_alias(&self, alias: &str) -> Result<Option<String>> {
        match self
            .get(&format!("/directory/room/{}", percent_encode(alias)))
            .await
        {
            Ok(body) => Ok(body["room_id"].as_str().map(str::to_owned)),
            Err(error) if error.to_string().contains("404") => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// A state event's content, `None` when absent.
    pub async fn state(&self, room_id: &str, kind: &str, key: &str) -> Result<Option<Value>> {
        match self
            .get(&format!(
                "/rooms/{}/state/{kind}/{}",
                percent_encode(room_id),
                percent_encode(key)
            ))
            .await
        {
            Ok(body) => Ok(Some(body)),
            Err(error) if error.to_string().contains("404") => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// The whole room state as events.
    pub async fn full_state(&self, room_id: &str) -> Result<Vec<Value>> {
        let body = self
            .get(&format!("/rooms/{}/state", percent_encode(room_id)))
            .await?;
        Ok(body.as_array().cloned().unwrap_or_default())
    }

    /// Every timeline event of a room visible to this user, oldest first.
    pub async fn messages(&self, room_id: &str) -> Result<Vec<Value>> {
        let mut events = Vec::new();
        let mut from: Option<String> = None;
        loop {
            let mut path = format!(
                "/rooms/{}/messages?dir=b&limit=500",
                percent_encode(room_id)
            );
            if let Some(from) = &from {
                path.push_str(&format!("&from={}", percent_encode(from)));
            }
            let page = self.get(&path).await?;
            let chunk = page["chunk"].as_array().cloned().unwrap_or_default();
            let end = page["end"].as_str().map(str::to_owned);
            if chunk.is_empty() || end.is_none() {
                events.extend(chunk);
                break;
            }
            events.extend(chunk);
            from = end;
        }
        events.reverse();
        Ok(events)
    }

    /// Replies (`m.in_reply_to`) that `sender` sent in a room, as `(replied-to event, event)`.
    pub async fn replies_from(&self, room_id: &str, sender: &str) -> Result<Vec<(String, Value)>> {
        Ok(self
            .messages(room_id)
            .await?
            .into_iter()
            .filter(|e| e["sender"] == sender && e["type"] == "m.room.message")
            .filter_map(|e| {
                let target = e["content"]["m.relates_to"]["m.in_reply_to"]["event_id"]
                    .as_str()?
                    .to_owned();
                Some((target, e))
            })
            .collect())
    }

    /// Waits for the reply of `sender` to `event_id`.
    pub async fn wait_reply(
        &self,
        room_id: &str,
        sender: &str,
        event_id: &str,
        timeout: Duration,
    ) -> Result<Value> {
        let found = wait_for(timeout, || async {
            let replies = self.replies_from(room_id, sender).await?;
            Ok(replies
                .into_iter()
                .find(|(target, _)| target == event_id)
                .map(|(_, e)| e))
        })
        .await?;
        found.ok_or_else(|| anyhow!("no reply from {sender} to {event_id} within {timeout:?}"))
    }

    /// Sends a text and waits for `sender`'s file (`m.file`/`m.image`) in reply to it;
    /// returns the file message's content.
    pub async fn command_file(&self, room_id: &str, bot: &str, text: &str) -> Result<Value> {
        let event_id = self.send_text(room_id, text).await?;
        let found = wait_for(Duration::from_secs(60), || async {
            let replies = self.replies_from(room_id, bot).await?;
            Ok(replies.into_iter().find_map(|(target, e)| {
                let is_file = e["content"]["url"].is_string();
                (target == event_id && is_file).then(|| e["content"].clone())
            }))
        })
        .await?;
        found.ok_or_else(|| anyhow!("no file from {bot} in reply to {text:?}"))
    }

    /// The full JSON export, asked for in chat (`!export json full`: moderators only) and
    /// downloaded.
    pub async fn chat_export(&self, room_id: &str, bot: &str) -> Result<Value> {
        let file = self.command_file(room_id, bot, "!export json full").await?;
        let bytes = self
            .download(file["url"].as_str().unwrap_or_default())
            .await?;
        Ok(serde_json::from_slice(&bytes)?)
    }

    /// Sends a text and waits for `sender`'s reply to it; returns the reply's content.
    pub async fn command(&self, room_id: &str, bot: &str, text: &str) -> Result<Value> {
        let event_id = self.send_text(room_id, text).await?;
        let reply = self
            .wait_reply(room_id, bot, &event_id, Duration::from_secs(60))
            .await?;
        Ok(reply["content"].clone())
    }

    pub async fn membership(&self, room_id: &str, user_id: &str) -> Result<Option<String>> {
        Ok(self
            .state(room_id, "m.room.member", user_id)
            .await?
            .and_then(|content| content["membership"].as_str().map(str::to_owned)))
    }
}
