//! The Matrix adapter: the only code that imports matrix-sdk / ruma.
//!
//! matrix-sdk is used as the authenticated HTTP client and for its typed requests; the bot
//! drives `/sync` itself and keeps its own `next_batch` token in the store, committed with
//! the effects of the events it covers (the SDK would persist the token before handlers run).
//!
//! - [`Matrix`] — login with session reuse, requests with retry and backoff.
//! - [`provision`] — the plan's Space and section rooms, created or updated idempotently.
//! - [`sync`] — the sync loop: events → domain inputs → one store commit per response.
//! - [`events`] — raw event JSON → domain inputs.
//! - [`outbox`] — sends committed outgoing messages with derived transaction IDs.

pub mod events;
#[cfg(test)]
mod events_fuzz_tests;
pub mod outbox;
pub mod provision;
pub mod rebuild;
pub mod sync;
pub mod walk;

use std::future::Future;
use std::time::Duration;

use anyhow::{bail, Context as _};
use matrix_sdk::authentication::matrix::MatrixSession;
use matrix_sdk::config::RequestConfig;
use matrix_sdk::ruma::api::client::account::whoami;
use matrix_sdk::ruma::api::error::{ErrorKind, RetryAfter};
use matrix_sdk::store::RoomLoadSettings;
use matrix_sdk::{Client, HttpError, SessionMeta, SessionTokens};
use tracing::{info, warn};

use crate::store::{Session, Store};

/// Longest wait between two attempts when the homeserver gives no `retry_after_ms`.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
const FIRST_BACKOFF: Duration = Duration::from_millis(250);

/// The bot's connection to its homeserver.
#[derive(Clone)]
pub struct Matrix {
    client: Client,
    user_id: String,
    server_name: String,
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
}

impl Retryable for HttpError {
    fn failure(&self) -> Failure {
        classify(self)
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
                    let wait = retry_after.unwrap_or(backoff);
                    warn!(what, error = %error, wait_ms = wait.as_millis() as u64, "retrying");
                    tokio::time::sleep(wait).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            },
        }
    }
}

impl Matrix {
    /// Logs in, reusing the stored session (same device) when it is still valid.
    pub async fn connect(
        config: &pspm_config::Config,
        store: &dyn Store,
    ) -> anyhow::Result<Matrix> {
        let client = Client::builder()
            .homeserver_url(&config.matrix.homeserver_url)
            // Retries are ours (see `with_retry`), so that 429 handling is visible and tested.
            .request_config(
                RequestConfig::new()
                    .disable_retry()
                    .timeout(Duration::from_secs(60)),
            )
            .build()
            .await
            .with_context(|| {
                format!(
                    "cannot set up a client for {}",
                    config.matrix.homeserver_url
                )
            })?;
        let matrix = Matrix {
            client,
            user_id: config.matrix.user_id.clone(),
            server_name: config.server_name().to_owned(),
        };
        if let Some(session) = store
            .session()?
            .filter(|s| s.user_id == config.matrix.user_id)
        {
            if matrix.restore(&session).await? {
                info!(device_id = %session.device_id, "reusing the saved session");
                return Ok(matrix);
            }
            warn!("the saved session is no longer valid; logging in again");
            store.clear_session()?;
        }
        let session = matrix.login(config).await?;
        store.save_session(&session)?;
        info!(device_id = %session.device_id, "logged in with a new device");
        Ok(matrix)
    }

    async fn restore(&self, session: &Session) -> anyhow::Result<bool> {
        let matrix_session = MatrixSession {
            meta: SessionMeta {
                user_id: session
                    .user_id
                    .as_str()
                    .try_into()
                    .context("stored user id")?,
                device_id: session.device_id.as_str().into(),
            },
            tokens: SessionTokens {
                access_token: session.access_token.clone(),
                refresh_token: None,
            },
        };
        self.client
            .matrix_auth()
            .restore_session(matrix_session, RoomLoadSettings::default())
            .await
            .context("cannot restore the saved session")?;
        let whoami = with_retry("whoami", || async {
            self.client.send(whoami::v3::Request::new()).await
        })
        .await;
        match whoami {
            Ok(response) if response.user_id.as_str() == self.user_id => Ok(true),
            Ok(response) => bail!(
                "the saved session belongs to {}, not {}",
                response.user_id,
                self.user_id
            ),
            Err(error)
                if matches!(
                    error.client_api_error_kind(),
                    Some(ErrorKind::UnknownToken(_))
                ) =>
            {
                Ok(false)
            }
            Err(error) => Err(error).context("cannot check the saved session"),
        }
    }

    async fn login(&self, config: &pspm_config::Config) -> anyhow::Result<Session> {
        let password = config.matrix.password.expose();
        let response = with_retry("login", || {
            self.client
                .matrix_auth()
                .login_username(&config.matrix.user_id, password)
                .initial_device_display_name(&config.matrix.device_name)
                .send()
        })
        .await
        .with_context(|| format!("cannot log in as {}", config.matrix.user_id))?;
        Ok(Session {
            user_id: response.user_id.to_string(),
            device_id: response.device_id.to_string(),
            access_token: response.access_token,
        })
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    pub fn server_name(&self) -> &str {
        &self.server_name
    }
}
