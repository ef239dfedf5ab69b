//! The Matrix adapter: the only code that imports matrix-sdk / ruma.
//!
//! matrix-sdk is used as the authenticated HTTP client and for its typed requests; the bot
//! drives `/sync` itself and keeps its own `next_batch` token in the store, committed with
//! the effects of the events it covers (the SDK would persist the token before handlers run).
//!
//! - [`Matrix`] — requests with retry and backoff ([`Matrix::send`]), as the bot.
//! - [`login`] — login with session reuse (same device across restarts), and a new login on
//!   the same device when the homeserver revokes the access token while the bot runs.
//! - [`provision`] — the plan's Space and section rooms, created or updated idempotently.
//! - [`sync`] — the sync loop: events → domain inputs → one store commit per response.
//! - [`walk`] — walks back through room history for what federation left in a gap.
//! - [`invites`], [`quotes`] — invites answered and `!promote` quotes fetched off the loop.
//! - [`card_refresh`] — when proposal cards are edited to stay true.
//! - [`events`] — raw event JSON → domain inputs.
//! - [`crypto`] — end-to-end encryption: the `OlmMachine` the sync loop feeds and asks to
//!   decrypt, and the outbox asks to encrypt; `cross_signing` signs the bot's own device.
//! - [`undecrypted`] — encrypted events waiting for their room keys.
//! - [`outbox`] — sends committed outgoing messages with derived transaction IDs;
//!   [`direct`] — opens a person's DM with the bot, once.

mod card_redaction;
pub mod card_refresh;
mod cross_signing;
pub mod crypto;
pub mod direct;
pub mod events;
#[cfg(test)]
mod events_fuzz_tests;
pub mod invites;
pub mod login;
pub mod outbox;
pub mod provision;
pub mod quotes;
pub mod rebuild;
mod receipts;
pub mod sync;
mod tombstones;
pub mod undecrypted;
pub mod walk;

use std::future::{Future, IntoFuture};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use matrix_sdk::ruma::api::error::{ErrorKind, RetryAfter};
use matrix_sdk::{Client, HttpError};
use tracing::warn;

use crate::store::Store;

/// Longest wait between two attempts when the homeserver gives no `retry_after_ms`.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// Refusals of the access token one request lives through (each followed by a new login):
/// more means something other than a revoked token is wrong, and logging in again each time
/// would only hammer the homeserver.
const MAX_TOKEN_REFUSALS: usize = 3;

/// The bot's connection to its homeserver. Cheap to clone; every clone sees a new login.
#[derive(Clone)]
pub struct Matrix {
    shared: Arc<Shared>,
}

/// What every clone of a [`Matrix`] shares.
struct Shared {
    /// The client of the current login; replaced when the bot logs in again.
    current: RwLock<Current>,
    /// Held while logging in again, so that requests refused together log in once.
    relogin: tokio::sync::Mutex<()>,
    /// Why logging in again failed, once it has: the requests that follow fail the same way
    /// without another try (the bot stops, for its operator to fix its credentials).
    failed_relogin: std::sync::Mutex<Option<String>>,
    /// What a new login needs: the config's credentials, and where to save the session.
    login: login::Credentials,
    store: Arc<dyn Store>,
    user_id: String,
    server_name: String,
    /// The device's end-to-end encryption, once `pspm run` has opened it.
    crypto: std::sync::OnceLock<Arc<crypto::Crypto>>,
}

/// The client of one login, numbered so that a refusal can tell whether it is still current.
struct Current {
    generation: u64,
    client: Client,
    device_id: String,
}

/// A request that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// The homeserver refused it, for good or after the retries (see [`with_retry`]). One
    /// line, as before: the SDK's error chain repeats itself.
    #[error("{0}")]
    Http(HttpError),
    /// The access token was revoked and logging in again failed: the bot cannot act as
    /// itself until an operator fixes its credentials.
    #[error("{0:#}")]
    LoggedOut(anyhow::Error),
    /// What was to be sent could not be encrypted for its room.
    #[error("{0}")]
    Encryption(String),
}

impl From<HttpError> for RequestError {
    fn from(error: HttpError) -> Self {
        RequestError::Http(error)
    }
}

impl RequestError {
    /// The Matrix error code, e.g. `M_FORBIDDEN`, for logs and decisions.
    pub fn code(&self) -> Option<String> {
        match self {
            RequestError::Http(error) => error_code(error),
            RequestError::LoggedOut(_) | RequestError::Encryption(_) => None,
        }
    }

    /// The HTTP status of a refusal.
    pub fn status(&self) -> Option<u16> {
        match self {
            RequestError::Http(error) => {
                error.as_client_api_error().map(|e| e.status_code.as_u16())
            }
            RequestError::LoggedOut(_) | RequestError::Encryption(_) => None,
        }
    }
}

/// How a failed request should be handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Network trouble, 5xx, or 429: try again, after `retry_after` if the server said so.
    Transient { retry_after: Option<Duration> },
    /// The server refuses this request for good (4xx other than 429).
    Permanent,
}

pub fn classify(error: &HttpError) -> Failure {
    if let Some(api) = error.as_client_api_error() {
        let status = api.status_code.as_u16();
        if let Some(ErrorKind::LimitExceeded(data)) = api.error_kind() {
            let retry_after = match data.retry_after {
                Some(RetryAfter::Delay(delay)) => Some(delay),
                Some(RetryAfter::DateTime(at)) => Some(
                    at.duration_since(std::time::SystemTime::now())
                        .unwrap_or_default(),
                ),
                None => None,
            };
            return Failure::Transient { retry_after };
        }
        return if status == 429 || status >= 500 {
            Failure::Transient { retry_after: None }
        } else {
            Failure::Permanent
        };
    }
    // The homeserver asks for user-interactive auth: the caller must answer it.
    if error.as_uiaa_response().is_some() {
        return Failure::Permanent;
    }
    match error {
        // A body we could not parse is most likely a proxy's error page: try again.
        HttpError::Reqwest(_) | HttpError::Api(_) => Failure::Transient { retry_after: None },
        _ => Failure::Permanent,
    }
}

/// The Matrix error code of a failed request, e.g. `M_FORBIDDEN`, for logs and decisions.
pub fn error_code(error: &HttpError) -> Option<String> {
    error
        .client_api_error_kind()
        .map(|kind| kind.errcode().to_string())
}

/// Errors that can tell whether trying again may help.
pub trait Retryable: std::fmt::Display {
    fn failure(&self) -> Failure;
    /// Whether the homeserver refused for its rate limit (429).
    fn rate_limited(&self) -> bool {
        false
    }
}

impl Retryable for HttpError {
    fn failure(&self) -> Failure {
        classify(self)
    }
    fn rate_limited(&self) -> bool {
        self.as_client_api_error()
            .is_some_and(|api| api.status_code.as_u16() == 429)
    }
}

impl Retryable for matrix_sdk::Error {
    fn failure(&self) -> Failure {
        match self {
            matrix_sdk::Error::Http(error) => classify(error),
            _ => Failure::Permanent,
        }
    }
}

/// Runs `attempt` until it succeeds or fails permanently, backing off exponentially on
/// transient failures and honouring the server's `retry_after_ms`.
pub async fn with_retry<T, E, F, Fut>(what: &str, mut attempt: F) -> Result<T, E>
where
    E: Retryable,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut backoff = FIRST_BACKOFF;
    loop {
        match attempt().await {
            Ok(value) => return Ok(value),
            Err(error) => match error.failure() {
                Failure::Permanent => return Err(error),
                Failure::Transient { retry_after } => {
                    crate::telemetry::metrics().retry(what, error.rate_limited());
                    let wait = retry_after.unwrap_or(backoff);
                    warn!(what, error = %error, wait_ms = wait.as_millis() as u64, "retrying");
                    tokio::time::sleep(wait).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            },
        }
    }
}

/// Whether the homeserver no longer knows the access token (revoked, or its device deleted).
fn is_unknown_token(error: &HttpError) -> bool {
    matches!(
        error.client_api_error_kind(),
        Some(ErrorKind::UnknownToken { .. })
    )
}

impl Matrix {
    fn new(
        client: Client,
        device_id: String,
        login: login::Credentials,
        store: Arc<dyn Store>,
        server_name: String,
    ) -> Matrix {
        Matrix {
            shared: Arc::new(Shared {
                current: RwLock::new(Current {
                    generation: 0,
                    client,
                    device_id,
                }),
                relogin: tokio::sync::Mutex::new(()),
                failed_relogin: std::sync::Mutex::new(None),
                user_id: login.user_id.clone(),
                login,
                store,
                server_name,
                crypto: std::sync::OnceLock::new(),
            }),
        }
    }

    /// Sends a request as the bot: retried as [`with_retry`] says, and when the homeserver no
    /// longer accepts the access token, sent again after a new login on the same device.
    /// `attempt` builds the request on the current client, e.g.
    /// `|client| client.send(request.clone())`.
    pub async fn send<T, F, Fut>(&self, what: &str, mut attempt: F) -> Result<T, RequestError>
    where
        F: FnMut(Client) -> Fut,
        Fut: IntoFuture<Output = Result<T, HttpError>>,
    {
        for _ in 0..MAX_TOKEN_REFUSALS {
            let (generation, client) = self.current();
            match with_retry(what, || attempt(client.clone()).into_future()).await {
                Err(error) if is_unknown_token(&error) => {
                    warn!(what, "the homeserver refuses the access token");
                    self.log_in_again(generation)
                        .await
                        .map_err(RequestError::LoggedOut)?;
                }
                result => return result.map_err(RequestError::from),
            }
        }
        Err(RequestError::LoggedOut(anyhow::anyhow!(
            "the homeserver refuses every new access token of {} ({what})",
            self.user_id()
        )))
    }

    fn current(&self) -> (u64, Client) {
        let current = self
            .shared
            .current
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        (current.generation, current.client.clone())
    }

    pub fn user_id(&self) -> &str {
        &self.shared.user_id
    }

    pub fn server_name(&self) -> &str {
        &self.shared.server_name
    }

    /// The device of the current login (the same across restarts and new logins).
    pub fn device_id(&self) -> String {
        let current = self
            .shared
            .current
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        current.device_id.clone()
    }

    /// Opens the device's crypto store in `data_dir`: from then on the sync loop decrypts and
    /// the outbox encrypts.
    pub async fn enable_encryption(&self, data_dir: &std::path::Path) -> anyhow::Result<()> {
        // No crypto store (a restore, a new machine) for a device whose keys the homeserver
        // has: that identity is gone, and its one-time keys would clash with new ones.
        if !crypto::Crypto::exists(data_dir) && self.device_has_keys().await? {
            warn!(device_id = %self.device_id(), "this device's encryption keys are not in the data directory (restored from a backup?): logging in as a new device");
            self.log_in_new_device().await?;
        }
        let crypto = crypto::Crypto::open(data_dir, self.user_id(), &self.device_id()).await?;
        // Without it clients call the bot an unverified session; nothing else depends on it.
        if let Err(error) = crypto
            .cross_sign(self, self.shared.login.password.expose())
            .await
        {
            warn!("{error:#}: the bot's device stays without cross-signing");
        }
        // A second call keeps the first machine: one device, one machine.
        let _ = self.shared.crypto.set(Arc::new(crypto));
        Ok(())
    }

    /// Whether the homeserver has encryption keys for the current device.
    async fn device_has_keys(&self) -> anyhow::Result<bool> {
        use matrix_sdk::ruma::api::client::keys::get_keys;
        let user: matrix_sdk::ruma::OwnedUserId = self.user_id().try_into()?;
        let device = self.device_id();
        let mut request = get_keys::v3::Request::new();
        request.device_keys = [(user.clone(), vec![device.as_str().into()])].into();
        let response = self
            .send("keys query", |client| client.send(request.clone()))
            .await?;
        Ok(response
            .device_keys
            .get(&user)
            .is_some_and(|devices| devices.contains_key(device.as_str())))
    }

    /// The device's end-to-end encryption, when enabled.
    pub fn crypto(&self) -> Option<&crypto::Crypto> {
        self.shared.crypto.get().map(AsRef::as_ref)
    }
}
