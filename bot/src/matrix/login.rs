//! The bot's login: the saved session reused across restarts (one device), a password login
//! when there is none or it is no longer valid, and a new login on the same device when the
//! homeserver revokes the access token while the bot runs ([`Matrix::send`] asks for it).
//!
//! Each login gets a client of its own: matrix-sdk sets a client's session once.

use std::sync::{Arc, PoisonError};
use std::time::Duration;

use anyhow::{bail, Context as _};
use matrix_sdk::authentication::matrix::MatrixSession;
use matrix_sdk::config::RequestConfig;
use matrix_sdk::ruma::api::client::account::whoami;
use matrix_sdk::store::RoomLoadSettings;
use matrix_sdk::{Client, SessionMeta, SessionTokens};
use pspm_config::Secret;
use tracing::{info, warn};

use super::{is_unknown_token, with_retry, Current, Matrix};
use crate::store::{Session, Store};

/// What a login needs, from the config.
pub struct Credentials {
    pub homeserver_url: String,
    pub user_id: String,
    pub password: Secret,
    pub device_name: String,
}

impl Credentials {
    pub fn from_config(config: &pspm_config::Config) -> Credentials {
        Credentials {
            homeserver_url: config.matrix.homeserver_url.clone(),
            user_id: config.matrix.user_id.clone(),
            password: config.matrix.password.clone(),
            device_name: config.matrix.device_name.clone(),
        }
    }
}

impl Matrix {
    /// Logs in, reusing the stored session (same device) when it is still valid; otherwise
    /// logs in with the password, on the stored device if there is one.
    pub async fn connect(
        config: &pspm_config::Config,
        store: Arc<dyn Store>,
    ) -> anyhow::Result<Matrix> {
        let credentials = Credentials::from_config(config);
        let saved = store
            .session()?
            .filter(|s| s.user_id == credentials.user_id);
        let mut device = None;
        if let Some(session) = saved {
            let client = new_client(&credentials).await?;
            if restore(&client, &session, &credentials.user_id).await? {
                info!(device_id = %session.device_id, "reusing the saved session");
                crate::telemetry::metrics().logged_in(true);
                return Ok(Matrix::new(
                    client,
                    session.device_id,
                    credentials,
                    store,
                    config.server_name().to_owned(),
                ));
            }
            warn!(device_id = %session.device_id, "the saved session is no longer valid; logging in again on the same device");
            device = Some(session.device_id);
        }
        let (client, session) = log_in(&credentials, device.as_deref())
            .await
            .with_context(|| format!("cannot log in as {}", credentials.user_id))?;
        store.save_session(&session)?;
        crate::telemetry::metrics().logged_in(true);
        if device.is_none() {
            info!(device_id = %session.device_id, "logged in with a new device");
        } else {
            info!(device_id = %session.device_id, "logged in again");
        }
        Ok(Matrix::new(
            client,
            session.device_id,
            credentials,
            store,
            config.server_name().to_owned(),
        ))
    }

    /// Logs in again with the configured password on the same device, after the login
    /// numbered `refused` saw its token refused; does nothing if another request already did
    /// it. The error says the bot cannot act as itself any more.
    pub(super) async fn log_in_again(&self, refused: u64) -> anyhow::Result<()> {
        let shared = &self.shared;
        let _one_at_a_time = shared.relogin.lock().await;
        let (generation, _) = self.current();
        if generation != refused {
            return Ok(());
        }
        // Every request the revocation refused asks; the homeserver hears the password once
        // (its login rate limit counts failures, and would hold back the next start).
        let failed = shared
            .failed_relogin
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(why) = failed {
            return Err(anyhow::anyhow!(why));
        }
        let device_id = shared
            .current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .device_id
            .clone();
        warn!(%device_id, "the homeserver no longer accepts the bot's access token; logging in again with the configured password, on the same device");
        crate::telemetry::metrics().logged_in(false);
        let logged_in = log_in(&shared.login, Some(&device_id))
            .await
            .with_context(|| format!("cannot log in again as {}", shared.login.user_id));
        let (client, session) = match logged_in {
            Ok(done) => done,
            Err(error) => {
                *shared
                    .failed_relogin
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = Some(format!("{error:#}"));
                return Err(error);
            }
        };
        crate::telemetry::metrics().logged_in(true);
        shared.store.save_session(&session)?;
        info!(device_id = %session.device_id, "logged in again");
        *shared
            .current
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Current {
            generation: refused + 1,
            client,
            device_id: session.device_id,
        };
        Ok(())
    }
}

impl Matrix {
    /// Logs in with the configured password as a new device, the current one left behind
    /// (its encryption keys were lost: a device cannot change its identity keys).
    pub(super) async fn log_in_new_device(&self) -> anyhow::Result<()> {
        let shared = &self.shared;
        let _one_at_a_time = shared.relogin.lock().await;
        let (generation, _) = self.current();
        let (client, session) = log_in(&shared.login, None)
            .await
            .with_context(|| format!("cannot log in as {}", shared.login.user_id))?;
        shared.store.save_session(&session)?;
        info!(device_id = %session.device_id, "logged in with a new device");
        *shared
            .current
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Current {
            generation: generation + 1,
            client,
            device_id: session.device_id,
        };
        Ok(())
    }
}

async fn new_client(credentials: &Credentials) -> anyhow::Result<Client> {
    Client::builder()
        .homeserver_url(&credentials.homeserver_url)
        // Retries are ours (see `with_retry`), so that 429 handling is visible and tested.
        .request_config(
            RequestConfig::new()
                .disable_retry()
                .timeout(Duration::from_secs(60)),
        )
        .build()
        .await
        .with_context(|| format!("cannot set up a client for {}", credentials.homeserver_url))
}

/// Whether `session` is still valid, as `client`'s session.
async fn restore(client: &Client, session: &Session, user_id: &str) -> anyhow::Result<bool> {
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
    client
        .matrix_auth()
        .restore_session(matrix_session, RoomLoadSettings::default())
        .await
        .context("cannot restore the saved session")?;
    let whoami = with_retry("whoami", || async {
        client.send(whoami::v3::Request::new()).await
    })
    .await;
    match whoami {
        Ok(response) if response.user_id.as_str() == user_id => Ok(true),
        Ok(response) => bail!(
            "the saved session belongs to {}, not {user_id}",
            response.user_id
        ),
        Err(error) if is_unknown_token(&error) => Ok(false),
        Err(error) => Err(error).context("cannot check the saved session"),
    }
}

/// A password login on a new client, on `device` when given (the homeserver keeps its ID).
async fn log_in(
    credentials: &Credentials,
    device: Option<&str>,
) -> anyhow::Result<(Client, Session)> {
    let client = new_client(credentials).await?;
    let password = credentials.password.expose();
    let response = with_retry("login", || {
        let mut login = client
            .matrix_auth()
            .login_username(&credentials.user_id, password)
            .initial_device_display_name(&credentials.device_name);
        if let Some(device) = device {
            login = login.device_id(device);
        }
        login.send()
    })
    .await?;
    let session = Session {
        user_id: response.user_id.to_string(),
        device_id: response.device_id.to_string(),
        access_token: response.access_token,
    };
    Ok((client, session))
}
