//! End-to-end encryption: matrix-sdk-crypto's `OlmMachine`, fed from the bot's own sync loop
//! (the bot drives `/sync` itself, so the SDK's automatic handling never runs).
//!
//! The machine keeps the device's identity keys and its Olm and Megolm sessions in a SQLite
//! crypto store under the data directory, so a restart is the same device with the same
//! keys. The sync loop hands it each response's to-device events, device-list changes and
//! one-time-key counts ([`Crypto::receive`]) and asks it to decrypt timeline events
//! ([`Crypto::decrypt`]); the outbox asks it to encrypt what it sends to an encrypted room
//! ([`Crypto::encrypt`]): members' devices looked up, Olm sessions claimed, the room key
//! shared, then the content encrypted.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::Context as _;
use matrix_sdk::ruma::api::client::keys::get_keys;
use matrix_sdk::ruma::api::client::membership::get_member_events;
use matrix_sdk::ruma::api::client::state::get_state_event_for_key;
use matrix_sdk::ruma::api::client::sync::sync_events::v3 as sync_v3;
use matrix_sdk::ruma::api::client::to_device::send_event_to_device;
use matrix_sdk::ruma::events::StateEventType;
use matrix_sdk::ruma::serde::Raw;
use matrix_sdk::ruma::{OwnedRoomId, OwnedUserId, RoomId};
use matrix_sdk_crypto::types::events::room::encrypted::EncryptedEvent;
use matrix_sdk_crypto::types::requests::{AnyOutgoingRequest, ToDeviceRequest};
use matrix_sdk_crypto::{
    AttachmentEncryptor, CollectStrategy, DecryptionSettings, EncryptionSettings,
    EncryptionSyncChanges, OlmMachine, RoomEventDecryptionResult, TrustRequirement,
};
use matrix_sdk_sqlite::SqliteCryptoStore;
use serde_json::{json, Value};
use tracing::{info, warn};

use super::events::RawEvent;
use super::Matrix;

/// The folder of the crypto store, inside the data directory.
pub const STORE_DIR: &str = "crypto";
/// How long a key query waits for other servers' answers (the spec's recommendation).
const KEYS_QUERY_TIMEOUT: Duration = Duration::from_secs(10);

/// What became of an encrypted timeline event.
#[derive(Debug)]
pub enum Decryption {
    /// Its clear text, as the room event it carries.
    Clear(RawEvent),
    /// Its room key has not come (yet): try again when keys arrive.
    Later(String),
    /// It can never be decrypted (malformed, withheld, tampered with).
    Never(String),
}

/// The bot's device for end-to-end encryption.
pub struct Crypto {
    machine: OlmMachine,
    /// Held while requests for the machine are in flight or a room key is shared, so that two
    /// tasks never upload the same keys or make two sessions for one room at once.
    busy: tokio::sync::Mutex<()>,
    /// Rooms known to be encrypted (for good) or not (until their state says otherwise).
    encrypted: Mutex<HashMap<OwnedRoomId, bool>>,
}

impl Crypto {
    /// Opens the device's crypto store in `data_dir` for the login's user and device. A store
    /// of another device (the session was lost, a new login made a new device) is set aside,
    /// never mixed with the new one.
    pub async fn open(data_dir: &Path, user_id: &str, device_id: &str) -> anyhow::Result<Crypto> {
        let user: OwnedUserId = user_id
            .try_into()
            .with_context(|| format!("bad user id {user_id}"))?;
        let device = device_id.into();
        let path = data_dir.join(STORE_DIR);
        let machine = match open_machine(&path, &user, &device).await {
            Err(OpenError::OtherDevice(other)) => {
                let aside = data_dir.join(format!("{STORE_DIR}-{other}"));
                warn!(old_device = %other, new_device = %device_id, aside = %aside.display(), "the crypto store belongs to another device; set aside, starting a new one");
                std::fs::rename(&path, &aside)
                    .with_context(|| format!("cannot move {} aside", path.display()))?;
                open_machine(&path, &user, &device).await
            }
            other => other,
        }
        .map_err(|e| anyhow::anyhow!("cannot open the crypto store {}: {e}", path.display()))?;
        let keys = machine.identity_keys();
        info!(device_id, curve25519 = %keys.curve25519, ed25519 = %keys.ed25519, "end-to-end encryption ready");
        Ok(Crypto {
            machine,
            busy: tokio::sync::Mutex::new(()),
            encrypted: Mutex::new(HashMap::new()),
        })
    }

    pub(super) fn machine(&self) -> &OlmMachine {
        &self.machine
    }

    /// Whether `data_dir` holds a crypto store.
    pub fn exists(data_dir: &Path) -> bool {
        data_dir.join(STORE_DIR).exists()
    }

    /// Takes in what a sync response brings for encryption, then sends what the machine asks
    /// for (keys to upload, devices to query). Returns whether room keys arrived.
    pub async fn receive(
        &self,
        matrix: &Matrix,
        response: &sync_v3::Response,
    ) -> anyhow::Result<bool> {
        let changes = EncryptionSyncChanges {
            to_device_events: response.to_device.events.clone(),
            changed_devices: &response.device_lists,
            one_time_keys_counts: &response.device_one_time_keys_count,
            unused_fallback_keys: response.device_unused_fallback_key_types.as_deref(),
            next_batch_token: Some(response.next_batch.clone()),
        };
        let (_, room_keys) = self
            .machine
            .receive_sync_changes(changes, &decryption_settings())
            .await
            .context("cannot take in the sync's encryption changes")?;
        // The homeserver refusing a key upload or query must not stop the bot: the machine
        // asks again at the next sync.
        if let Err(error) = self.send_requests(matrix).await {
            warn!("{error:#}: the encryption requests wait for the next sync");
        }
        Ok(!room_keys.is_empty())
    }

    /// Notes a room's encryption from its state or timeline (`m.room.encryption`).
    pub fn note_encrypted(&self, room_id: &RoomId) {
        self.encrypted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(room_id.to_owned(), true);
    }

    /// Decrypts an `m.room.encrypted` timeline event of `room_id`.
    pub async fn decrypt(&self, room_id: &RoomId, event: &RawEvent) -> anyhow::Result<Decryption> {
        let json = json!({
            "type": event.kind, "content": event.content, "sender": event.sender,
            "event_id": event.event_id, "origin_server_ts": event.origin_server_ts,
            "room_id": room_id, "unsigned": event.unsigned,
        });
        let raw: Raw<EncryptedEvent> = Raw::from_json(serde_json::value::to_raw_value(&json)?);
        let result = self
            .machine
            .try_decrypt_room_event(&raw, room_id, &decryption_settings())
            .await
            .context("the crypto store fails")?;
        Ok(match result {
            RoomEventDecryptionResult::Decrypted(decrypted) => {
                match RawEvent::parse(decrypted.event.json().get()) {
                    Some(clear) => Decryption::Clear(clear),
                    None => Decryption::Never("its clear text is not a room event".into()),
                }
            }
            RoomEventDecryptionResult::UnableToDecrypt(info) => {
                use matrix_sdk::deserialized_responses::UnableToDecryptReason as Reason;
                let reason = format!("{:?}", info.reason);
                match info.reason {
                    Reason::MissingMegolmSession {
                        withheld_code: None,
                    }
                    | Reason::UnknownMegolmMessageIndex => Decryption::Later(reason),
                    _ => Decryption::Never(reason),
                }
            }
        })
    }

    /// The content to send instead of `content` of type `kind` in `room_id`: `None` when the
    /// room is not encrypted (or the type is never encrypted: reactions, as other clients do),
    /// else `m.room.encrypted` content for every device of its members.
    pub async fn encrypt(
        &self,
        matrix: &Matrix,
        room_id: &RoomId,
        kind: &str,
        content: &Value,
    ) -> anyhow::Result<Option<Value>> {
        if kind == "m.reaction" || !self.is_encrypted(matrix, room_id).await? {
            return Ok(None);
        }
        let members = members(matrix, room_id).await?;
        let _busy = self.busy.lock().await;
        self.machine
            .update_tracked_users(members.iter().map(AsRef::as_ref))
            .await?;
        self.send_requests_locked(matrix).await?;
        if let Some((id, request)) = self
            .machine
            .get_missing_sessions(members.iter().map(AsRef::as_ref))
            .await?
        {
            let response = matrix
                .send("keys claim", |client| client.send(request.clone()))
                .await?;
            self.machine.mark_request_as_sent(&id, &response).await?;
        }
        let settings = EncryptionSettings {
            sharing_strategy: CollectStrategy::AllDevices,
            ..EncryptionSettings::default()
        };
        let shares = self
            .machine
            .share_room_key(room_id, members.iter().map(AsRef::as_ref), settings)
            .await?;
        for share in shares {
            if let Err(error) = send_to_device(matrix, &self.machine, &share).await {
                // A key some devices never got would leave them unable to read what follows.
                self.machine.discard_room_key(room_id).await?;
                return Err(error);
            }
        }
        let plain = Raw::from_json(serde_json::value::to_raw_value(content)?);
        let encrypted = self
            .machine
            .encrypt_room_event_raw(room_id, kind, &plain)
            .await?;
        Ok(Some(serde_json::from_str(encrypted.content.json().get())?))
    }

    /// A file's bytes encrypted for an encrypted room, and the `file` object a message gives
    /// clients to fetch and decrypt it (without its `url`, known once it is uploaded).
    pub fn encrypt_attachment(content: &[u8]) -> anyhow::Result<(Vec<u8>, Value)> {
        let mut reader = content;
        let mut encryptor = AttachmentEncryptor::new(&mut reader);
        let mut ciphertext = Vec::with_capacity(content.len());
        std::io::Read::read_to_end(&mut encryptor, &mut ciphertext)?;
        let info = encryptor.finish();
        Ok((ciphertext, serde_json::to_value(info)?))
    }

    /// Whether `room_id` is encrypted: known from sync, else asked of the homeserver once.
    pub async fn is_encrypted(&self, matrix: &Matrix, room_id: &RoomId) -> anyhow::Result<bool> {
        let known = self
            .encrypted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(room_id)
            .copied();
        if let Some(known) = known {
            return Ok(known);
        }
        let request = get_state_event_for_key::v3::Request::new(
            room_id.to_owned(),
            StateEventType::RoomEncryption,
            String::new(),
        );
        let encrypted = match matrix
            .send("room encryption", |client| client.send(request.clone()))
            .await
        {
            Ok(_) => true,
            Err(error) if error.code().as_deref() == Some("M_NOT_FOUND") => false,
            Err(error) => return Err(error).context("cannot read the room's encryption"),
        };
        let mut rooms = self
            .encrypted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Sync may have seen encryption turned on meanwhile: that stays.
        Ok(*rooms.entry(room_id.to_owned()).or_insert(encrypted))
    }

    /// Sends what the machine asks for: keys to upload, devices to query, to-device messages.
    pub async fn send_requests(&self, matrix: &Matrix) -> anyhow::Result<()> {
        let _busy = self.busy.lock().await;
        self.send_requests_locked(matrix).await
    }

    async fn send_requests_locked(&self, matrix: &Matrix) -> anyhow::Result<()> {
        for outgoing in self.machine.outgoing_requests().await? {
            let id = outgoing.request_id();
            match outgoing.request() {
                AnyOutgoingRequest::KeysUpload(request) => {
                    let response = matrix
                        .send("keys upload", |client| client.send(request.clone()))
                        .await?;
                    self.machine.mark_request_as_sent(id, &response).await?;
                }
                AnyOutgoingRequest::KeysQuery(query) => {
                    let mut request = get_keys::v3::Request::new();
                    request.device_keys = query.device_keys.clone();
                    request.timeout = Some(KEYS_QUERY_TIMEOUT);
                    let response = matrix
                        .send("keys query", |client| client.send(request.clone()))
                        .await?;
                    self.machine.mark_request_as_sent(id, &response).await?;
                }
                AnyOutgoingRequest::KeysClaim(request) => {
                    let response = matrix
                        .send("keys claim", |client| client.send(request.clone()))
                        .await?;
                    self.machine.mark_request_as_sent(id, &response).await?;
                }
                AnyOutgoingRequest::ToDeviceRequest(request) => {
                    send_to_device(matrix, &self.machine, request).await?;
                }
                AnyOutgoingRequest::SignatureUpload(request) => {
                    let response = matrix
                        .send("signature upload", |client| client.send(request.clone()))
                        .await?;
                    self.machine.mark_request_as_sent(id, &response).await?;
                }
                // In-room verification: the bot verifies no one.
                AnyOutgoingRequest::RoomMessage(_) => {}
            }
        }
        Ok(())
    }
}

/// Why the machine could not be opened.
#[derive(Debug, thiserror::Error)]
enum OpenError {
    #[error("the store belongs to device {0}")]
    OtherDevice(String),
    #[error("{0}")]
    Store(String),
}

async fn open_machine(
    path: &Path,
    user: &OwnedUserId,
    device: &matrix_sdk::ruma::OwnedDeviceId,
) -> Result<OlmMachine, OpenError> {
    let store = SqliteCryptoStore::open(path, None)
        .await
        .map_err(|e| OpenError::Store(e.to_string()))?;
    OlmMachine::with_store(user, device, store, None)
        .await
        .map_err(|error| match error {
            matrix_sdk_crypto::CryptoStoreError::MismatchedAccount { expected, .. } => {
                OpenError::OtherDevice(expected.1.to_string())
            }
            other => OpenError::Store(other.to_string()),
        })
}

/// Decrypts from anyone: the sender's identity comes from the homeserver (the event's
/// `sender`), as for every unencrypted event, not from device verification.
fn decryption_settings() -> DecryptionSettings {
    DecryptionSettings {
        sender_device_trust_requirement: TrustRequirement::Untrusted,
    }
}

async fn send_to_device(
    matrix: &Matrix,
    machine: &OlmMachine,
    request: &ToDeviceRequest,
) -> anyhow::Result<()> {
    let send = send_event_to_device::v3::Request::new_raw(
        request.event_type.clone(),
        request.txn_id.clone(),
        request.messages.clone(),
    );
    let response = matrix
        .send("to-device", |client| client.send(send.clone()))
        .await?;
    machine
        .mark_request_as_sent(&request.txn_id, &response)
        .await?;
    Ok(())
}

/// The users a room key goes to: those joined or invited.
async fn members(matrix: &Matrix, room_id: &RoomId) -> anyhow::Result<Vec<OwnedUserId>> {
    let request = get_member_events::v3::Request::new(room_id.to_owned());
    let response = matrix
        .send("members", |client| client.send(request.clone()))
        .await
        .context("cannot list the room's members")?;
    let mut users = BTreeMap::new();
    for raw in &response.chunk {
        let Ok(event) = serde_json::from_str::<Value>(raw.json().get()) else {
            continue;
        };
        let membership = event["content"]["membership"].as_str();
        if matches!(membership, Some("join" | "invite")) {
            if let Some(user) = event["state_key"]
                .as_str()
                .and_then(|u| OwnedUserId::try_from(u).ok())
            {
                users.insert(user.to_string(), user);
            }
        }
    }
    Ok(users.into_values().collect())
}
