//! A handle on a running Synapse for one test: starting a homeserver of its own, stopping and
//! restarting it, and the admin API (registering users, lifting rate limits, devices and
//! passwords).

use std::path::Path;
use std::process::Command;

use anyhow::{anyhow, bail};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};

use crate::client::User;
use crate::homeserver::{free_port, synapse_python, Server};
use crate::paths::repo_root;
use crate::percent_encoding::percent_encode;
use crate::Result;

/// Synapse's rate limits for a test homeserver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimits {
    /// Every limit raised out of the way.
    Raised,
    /// Synapse's defaults (`rc_message` 0.2/s, burst 10, …).
    Default,
}

/// A handle on a running Synapse, with its own HTTP client: hand each test (each tokio
/// runtime) its own handle ([`Synapse::handle`]). The server stops when its last handle is
/// dropped, unless it is shared by the tests of the run ([`crate::federation::Federation::shared`]).
pub struct Synapse {
    pub url: String,
    pub server_name: String,
    pub(crate) server: std::sync::Arc<Server>,
    http: reqwest::Client,
    admin: tokio::sync::OnceCell<User>,
}

impl Synapse {
    pub async fn start(server_name: &str, limits: RateLimits) -> Result<Synapse> {
        Synapse::start_on(server_name, limits, None).await
    }

    /// As [`Synapse::start`], on PostgreSQL (the cluster's socket folder) instead of SQLite.
    pub async fn start_on_postgres(
        server_name: &str,
        limits: RateLimits,
        postgres: &crate::Postgres,
    ) -> Result<Synapse> {
        Synapse::start_on(server_name, limits, Some(postgres.socket_dir())).await
    }

    async fn start_on(
        server_name: &str,
        limits: RateLimits,
        postgres: Option<&Path>,
    ) -> Result<Synapse> {
        synapse_python()?;
        let dir = tempfile::Builder::new().prefix("pspm-synapse-").tempdir()?;
        let port = free_port()?;
        let mut init = Command::new(repo_root().join("scripts/synapse"));
        if let Some(socket) = postgres {
            init.env("PSPM_SYNAPSE_POSTGRES", socket);
        }
        init.args([
            "init",
            &dir.path().to_string_lossy(),
            &port.to_string(),
            server_name,
        ]);
        if limits == RateLimits::Default {
            init.arg("--default-ratelimits");
        }
        if !init.status()?.success() {
            bail!("scripts/synapse init failed");
        }
        let server = Server::new(
            dir.path().to_path_buf(),
            format!("http://127.0.0.1:{port}"),
            server_name.to_owned(),
            Some(dir.path().to_path_buf()),
            Some(dir),
            false,
        )?;
        server.spawn()?;
        let synapse = Synapse::from_server(std::sync::Arc::new(server));
        synapse.server.wait_ready(&synapse.http).await?;
        Ok(synapse)
    }

    /// A new handle on a server (its own HTTP client).
    pub(crate) fn from_server(server: std::sync::Arc<Server>) -> Synapse {
        Synapse {
            url: server.url.clone(),
            server_name: server.server_name.clone(),
            server,
            http: reqwest::Client::new(),
            admin: tokio::sync::OnceCell::new(),
        }
    }

    /// Another handle on the same server, with its own HTTP client (for another runtime).
    pub fn handle(&self) -> Synapse {
        Synapse::from_server(self.server.clone())
    }

    /// The homeserver's folder (`homeserver.yaml`, `homeserver.log`, the database).
    pub fn dir(&self) -> &Path {
        &self.server.dir
    }

    /// Stops the homeserver (SIGKILL), as an outage would.
    pub fn stop(&mut self) -> Result<()> {
        if self.server.shared {
            bail!(
                "{} is shared by other tests: use a set of your own to stop it",
                self.server_name
            );
        }
        self.server.kill()
    }

    /// Starts the stopped homeserver again on the same ports with the same data (and, when
    /// federated, has it contact its peers so they resend what it missed at once).
    pub async fn restart(&mut self) -> Result<()> {
        if self.server.shared {
            bail!(
                "{} is shared by other tests: use a set of your own to restart it",
                self.server_name
            );
        }
        self.server.kill()?;
        self.server.spawn()?;
        self.server.wait_ready(&self.http).await?;
        self.wake_peers().await
    }

    /// Registers a user through the shared-secret admin API. The password is `<name>-password`.
    pub async fn register(&self, name: &str, admin: bool) -> Result<User> {
        let url = format!("{}/_synapse/admin/v1/register", self.url);
        let nonce: Value = self.http.get(&url).send().await?.json().await?;
        let nonce = nonce["nonce"]
            .as_str()
            .ok_or_else(|| anyhow!("no nonce"))?
            .to_owned();
        let password = format!("{name}-password");
        let mut mac = Hmac::<sha1::Sha1>::new_from_slice(self.server.secret.as_bytes())?;
        mac.update(nonce.as_bytes());
        mac.update(b"\0");
        mac.update(name.as_bytes());
        mac.update(b"\0");
        mac.update(password.as_bytes());
        mac.update(b"\0");
        mac.update(if admin {
            b"admin" as &[u8]
        } else {
            b"notadmin"
        });
        let mac: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let response = self
            .http
            .post(&url)
            .json(&json!({"nonce": nonce, "username": name, "password": password, "admin": admin, "mac": mac}))
            .send()
            .await?;
        let status = response.status();
        let body: Value = response.json().await?;
        if !status.is_success() {
            bail!("registering {name}: {status} {body}");
        }
        Ok(User {
            http: self.http.clone(),
            base: self.url.clone(),
            user_id: body["user_id"].as_str().unwrap_or_default().to_owned(),
            token: body["access_token"].as_str().unwrap_or_default().to_owned(),
            password,
            patience: std::time::Duration::ZERO,
            outage_retries: Default::default(),
        })
    }

    /// The homeserver's admin account (created on first use, shared by every handle).
    pub async fn admin(&self) -> Result<&User> {
        self.admin
            .get_or_try_init(|| async {
                let (user_id, token, password) = self
                    .server
                    .admin
                    .get_or_try_init(|| async {
                        let admin = self.register("admin", true).await?;
                        Ok::<_, anyhow::Error>((admin.user_id, admin.token, admin.password))
                    })
                    .await?
                    .clone();
                Ok(User {
                    http: self.http.clone(),
                    base: self.url.clone(),
                    user_id,
                    token,
                    password,
                    patience: std::time::Duration::ZERO,
                    outage_retries: Default::default(),
                })
            })
            .await
    }

    /// Lifts Synapse's rate limits for one user (admin API override).
    pub async fn exempt_from_rate_limits(&self, user: &User) -> Result<()> {
        let admin = self.admin().await?;
        admin
            .request(
                reqwest::Method::POST,
                &format!(
                    "/_synapse/admin/v1/users/{}/override_ratelimit",
                    percent_encode(&user.user_id)
                ),
                Some(json!({"messages_per_second": 0, "burst_count": 0})),
            )
            .await?;
        Ok(())
    }

    /// Rooms a user is joined to, seen by the admin API.
    pub async fn joined_rooms(&self, user_id: &str) -> Result<Vec<String>> {
        let admin = self.admin().await?;
        let body = admin
            .request(
                reqwest::Method::GET,
                &format!(
                    "/_synapse/admin/v1/users/{}/joined_rooms",
                    percent_encode(user_id)
                ),
                None,
            )
            .await?;
        Ok(body["joined_rooms"]
            .as_array()
            .map(|rooms| {
                rooms
                    .iter()
                    .filter_map(|r| r.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// A user's devices, seen by the admin API: `(device_id, display name)`.
    pub async fn devices(&self, user_id: &str) -> Result<Vec<(String, String)>> {
        let admin = self.admin().await?;
        let body = admin
            .request(
                reqwest::Method::GET,
                &format!(
                    "/_synapse/admin/v2/users/{}/devices",
                    percent_encode(user_id)
                ),
                None,
            )
            .await?;
        Ok(body["devices"]
            .as_array()
            .map(|devices| {
                devices
                    .iter()
                    .map(|d| {
                        let field = |name: &str| d[name].as_str().unwrap_or_default().to_owned();
                        (field("device_id"), field("display_name"))
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Deletes a user's device through the admin API, which revokes its access token (as
    /// signing that session out from another client does).
    pub async fn delete_device(&self, user_id: &str, device_id: &str) -> Result<()> {
        let admin = self.admin().await?;
        admin
            .request(
                reqwest::Method::DELETE,
                &format!(
                    "/_synapse/admin/v2/users/{}/devices/{}",
                    percent_encode(user_id),
                    percent_encode(device_id)
                ),
                None,
            )
            .await?;
        Ok(())
    }

    /// Sets a user's password through the admin API; with `log_out`, every device of the user
    /// is signed out too (all its access tokens revoked).
    pub async fn set_password(&self, user_id: &str, password: &str, log_out: bool) -> Result<()> {
        let admin = self.admin().await?;
        admin
            .request(
                reqwest::Method::PUT,
                &format!("/_synapse/admin/v2/users/{}", percent_encode(user_id)),
                Some(json!({"password": password, "logout_devices": log_out})),
            )
            .await?;
        Ok(())
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.server.dir.join("homeserver.log")).unwrap_or_default()
    }
}
