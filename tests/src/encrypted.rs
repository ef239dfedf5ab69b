//! An encrypting Matrix client, as a stakeholder's Element would be: matrix-sdk with its
//! end-to-end encryption (a device of its own per login, keys in memory), syncing in the
//! background, so it shares room keys with every member's devices and decrypts what it reads.

use std::time::Duration;

use anyhow::{anyhow, Context as _};
use matrix_sdk::config::SyncSettings;
use matrix_sdk::room::MessagesOptions;
use matrix_sdk::ruma::api::client::room::create_room::v3 as create_room;
use matrix_sdk::ruma::events::room::message::RoomMessageEventContent;
use matrix_sdk::ruma::{OwnedRoomId, RoomId, UserId};
use matrix_sdk::{Client, Room, RoomMemberships};
use serde_json::{json, Value};
use tokio::task::JoinHandle;

use crate::{wait_for, Result, User};

/// One device of a user, logged in with matrix-sdk, syncing until dropped.
pub struct Device {
    pub client: Client,
    pub user_id: String,
    pub device_id: String,
    syncing: JoinHandle<()>,
}

impl Drop for Device {
    fn drop(&mut self) {
        self.syncing.abort();
    }
}

/// A message as this device reads it: clear text (decrypted or never encrypted), and whether
/// it came encrypted.
#[derive(Debug, Clone)]
pub struct Read {
    pub event: Value,
    pub encrypted: bool,
}

impl Device {
    /// A new login (so a new device) of `user` on `homeserver` (its URL: the homeserver
    /// itself, or a proxy in front of it).
    pub async fn log_in(homeserver: &str, user: &User) -> Result<Device> {
        let client = Client::builder()
            .homeserver_url(homeserver)
            .build()
            .await
            .context("cannot build the encrypting client")?;
        let response = client
            .matrix_auth()
            .login_username(user.user_id.as_str(), &user.password)
            .initial_device_display_name("pspm e2e")
            .send()
            .await
            .with_context(|| format!("cannot log in {}", user.user_id))?;
        client
            .sync_once(SyncSettings::default().timeout(Duration::ZERO))
            .await?;
        let background = client.clone();
        let syncing = tokio::spawn(async move {
            let settings = SyncSettings::default().timeout(Duration::from_secs(5));
            let _ = background.sync(settings).await;
        });
        Ok(Device {
            client,
            user_id: user.user_id.clone(),
            device_id: response.device_id.to_string(),
            syncing,
        })
    }

    /// The room, once this device's sync knows it.
    pub async fn room(&self, room_id: &str) -> Result<Room> {
        let room_id: OwnedRoomId = room_id.try_into()?;
        wait_for(Duration::from_secs(60), || async {
            Ok(self.client.get_room(&room_id))
        })
        .await?
        .ok_or_else(|| anyhow!("{room_id} unknown to {}", self.user_id))
    }

    /// An encrypted DM with `other` (invited), as Element makes one.
    pub async fn create_encrypted_dm(&self, other: &str) -> Result<Room> {
        let mut request = create_room::Request::new();
        request.is_direct = true;
        request.invite = vec![UserId::parse(other)?];
        request.preset = Some(create_room::RoomPreset::TrustedPrivateChat);
        let encryption = json!({
            "type": "m.room.encryption", "state_key": "",
            "content": { "algorithm": "m.megolm.v1.aes-sha2" },
        });
        request.initial_state = vec![matrix_sdk::ruma::serde::Raw::from_json(
            serde_json::value::to_raw_value(&encryption)?,
        )];
        Ok(self.client.create_room(request).await?)
    }

    /// Joins a room this user was invited to or may join.
    pub async fn join(&self, room_id: &str) -> Result<Room> {
        let room_id: &RoomId = room_id.try_into()?;
        Ok(self.client.join_room_by_id(room_id).await?)
    }

    /// Waits until this device's sync sees `user` joined to `room`: only then does a room key
    /// this device shares reach them.
    pub async fn wait_joined(&self, room: &Room, user: &str) -> Result<()> {
        let wanted = UserId::parse(user)?;
        wait_for(Duration::from_secs(90), || async {
            let joined = room.members(RoomMemberships::JOIN).await?;
            Ok(joined.iter().any(|m| m.user_id() == wanted).then_some(()))
        })
        .await?
        .ok_or_else(|| anyhow!("{user} never joined {}", room.room_id()))
    }

    /// Sends `text` (encrypted when the room is); its event ID.
    pub async fn send_text(&self, room: &Room, text: &str) -> Result<String> {
        let sent = room.send(RoomMessageEventContent::text_plain(text)).await?;
        Ok(sent.response.event_id.to_string())
    }

    /// The room's latest messages as this device reads them, oldest first.
    pub async fn read(&self, room: &Room) -> Result<Vec<Read>> {
        let mut options = MessagesOptions::backward();
        options.limit = 100u32.into();
        let page = room.messages(options).await?;
        let mut read = Vec::new();
        for event in page.chunk.iter().rev() {
            let encrypted = event.encryption_info().is_some();
            let json: Value = serde_json::from_str(event.raw().json().get())?;
            read.push(Read {
                event: json,
                encrypted,
            });
        }
        Ok(read)
    }

    /// The bot's reply to `event_id`, as this device reads it, waiting for it and for its
    /// room key (which may come after the message) to decrypt it.
    pub async fn wait_reply(&self, room: &Room, bot: &str, event_id: &str) -> Result<Read> {
        wait_for(Duration::from_secs(120), || async {
            Ok(self
                .replies(room, bot, event_id)
                .await?
                .into_iter()
                .find(|r| r.event["type"] != "m.room.encrypted"))
        })
        .await?
        .ok_or_else(|| anyhow!("no reply to {event_id} that {} can read", self.user_id))
    }

    /// Every reply of `bot` to `event_id` this device reads now.
    pub async fn replies(&self, room: &Room, bot: &str, event_id: &str) -> Result<Vec<Read>> {
        Ok(self
            .read(room)
            .await?
            .into_iter()
            .filter(|r| {
                r.event["sender"] == bot
                    && r.event["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] == event_id
            })
            .collect())
    }

    /// Sends `text` and waits for the bot's reply to it; the reply's body.
    pub async fn ask(&self, room: &Room, bot: &str, text: &str) -> Result<Read> {
        let event_id = self.send_text(room, text).await?;
        self.wait_reply(room, bot, &event_id).await
    }
}

/// The text of a message as read.
pub fn body(read: &Read) -> &str {
    read.event["content"]["body"].as_str().unwrap_or_default()
}
