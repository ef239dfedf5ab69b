//! Harness for end-to-end tests and benchmarks: a real Synapse in a temporary folder on a free
//! loopback port, plain HTTP Matrix clients (independent of the bot's own adapter), and the
//! real `pspm` binary as a child process that can be killed at will.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};

pub mod bench;
pub mod federated_plan;
pub mod federation;

pub type Result<T> = anyhow::Result<T>;

/// The repository root (this crate lives in `tests/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The `pspm` binary built from this workspace (`cargo build -p pspm` comes first: the test
/// script does it).
pub fn pspm_binary() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"));
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    let path = target.join(profile).join("pspm");
    assert!(
        path.exists(),
        "{} is missing: run `cargo build -p pspm` (scripts/test does) before the end-to-end tests",
        path.display()
    );
    path
}

static INSTALL: Mutex<()> = Mutex::new(());

fn synapse_python() -> Result<PathBuf> {
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let output = Command::new(repo_root().join("scripts/synapse"))
        .arg("python")
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run scripts/synapse")?;
    if !output.status.success() {
        bail!("scripts/synapse python failed");
    }
    Ok(PathBuf::from(String::from_utf8(output.stdout)?.trim()))
}

pub fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// Synapse's rate limits for a test homeserver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimits {
    /// Every limit raised out of the way.
    Raised,
    /// Synapse's defaults (`rc_message` 0.2/s, burst 10, …).
    Default,
}

/// A homeserver process and its folder, shared by the [`Synapse`] handles that talk to it.
/// Dropping the last handle kills the process (by its PID) and removes the folder.
pub(crate) struct Server {
    pub(crate) url: String,
    pub(crate) server_name: String,
    pub(crate) dir: PathBuf,
    secret: String,
    process: Mutex<Option<Child>>,
    /// Removed by `scripts/synapse run` when the test binary exits without dropping the
    /// server (a shared one, or after a SIGKILL).
    remove_on_exit: Option<PathBuf>,
    /// Shared by several tests: no handle may stop it.
    pub(crate) shared: bool,
    /// The servers it federates with (itself included), if any.
    pub(crate) peers: Vec<String>,
    /// The admin account's login, registered once whatever the number of handles.
    admin: tokio::sync::OnceCell<(String, String, String)>,
    _temp: Option<tempfile::TempDir>,
}

impl Server {
    /// A server whose `homeserver.yaml` is already written in `dir`; not started yet.
    pub(crate) fn new(
        dir: PathBuf,
        url: String,
        server_name: String,
        remove_on_exit: Option<PathBuf>,
        temp: Option<tempfile::TempDir>,
        shared: bool,
    ) -> Result<Server> {
        let secret = std::fs::read_to_string(dir.join("registration_secret"))?
            .trim()
            .to_owned();
        Ok(Server {
            url,
            server_name,
            dir,
            secret,
            process: Mutex::new(None),
            remove_on_exit,
            shared,
            peers: Vec::new(),
            admin: tokio::sync::OnceCell::new(),
            _temp: temp,
        })
    }

    /// Starts Synapse through `scripts/synapse run`, which ends it when this process ends
    /// (even on SIGKILL). Does not wait for it to answer.
    pub(crate) fn spawn(&self) -> Result<()> {
        let mut process = self.process.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(child) = process.as_mut() {
            if child.try_wait()?.is_none() {
                bail!("{} is already running", self.server_name);
            }
        }
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("homeserver.log"))?;
        let mut command = Command::new(repo_root().join("scripts/synapse"));
        command.arg("run").arg(&self.dir);
        if let Some(path) = &self.remove_on_exit {
            command.arg("--remove-on-exit").arg(path);
        }
        let child = command
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("cannot start Synapse")?;
        *process = Some(child);
        Ok(())
    }

    /// Waits until the client API answers.
    pub(crate) async fn wait_ready(&self, http: &reqwest::Client) -> Result<()> {
        let started = Instant::now();
        loop {
            let versions = http
                .get(format!("{}/_matrix/client/versions", self.url))
                .timeout(Duration::from_secs(5))
                .send()
                .await;
            if versions.is_ok_and(|r| r.status().is_success()) {
                return Ok(());
            }
            if let Some(status) = self.exited()? {
                // The folder may be gone with the test: say why here.
                let log =
                    std::fs::read_to_string(self.dir.join("homeserver.log")).unwrap_or_default();
                let mut tail: Vec<&str> = log.lines().rev().take(12).collect();
                if log.contains("Address already in use") {
                    tail.push("(a port is taken: Address already in use)");
                }
                let tail: Vec<&str> = tail.into_iter().rev().collect();
                bail!(
                    "Synapse {} exited with {status}; the end of {}/homeserver.log:\n{}",
                    self.server_name,
                    self.dir.display(),
                    tail.join("\n")
                );
            }
            if started.elapsed() > Duration::from_secs(90) {
                bail!("Synapse {} did not start within 90 s", self.server_name);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn exited(&self) -> Result<Option<std::process::ExitStatus>> {
        let mut process = self.process.lock().unwrap_or_else(|e| e.into_inner());
        match process.as_mut() {
            Some(child) => Ok(child.try_wait()?),
            None => bail!("Synapse {} is not running", self.server_name),
        }
    }

    fn kill(&self) -> Result<()> {
        let mut process = self.process.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(mut child) = process.take() {
            child.kill()?;
            child.wait()?;
        }
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.kill();
    }
}

/// A handle on a running Synapse, with its own HTTP client: hand each test (each tokio
/// runtime) its own handle ([`Synapse::handle`]). The server stops when its last handle is
/// dropped, unless it is shared by the tests of the run ([`crate::federation::Federation::shared`]).
pub struct Synapse {
    pub url: String,
    pub server_name: String,
    server: std::sync::Arc<Server>,
    http: reqwest::Client,
    admin: tokio::sync::OnceCell<User>,
}

impl Synapse {
    pub async fn start(server_name: &str, limits: RateLimits) -> Result<Synapse> {
        synapse_python()?;
        let dir = tempfile::Builder::new().prefix("pspm-synapse-").tempdir()?;
        let port = free_port()?;
        let mut init = Command::new(repo_root().join("scripts/synapse"));
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
                    enc(&user.user_id)
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
                &format!("/_synapse/admin/v1/users/{}/joined_rooms", enc(user_id)),
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

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.server.dir.join("homeserver.log")).unwrap_or_default()
    }
}

/// Percent-encodes a path segment.
pub fn enc(segment: &str) -> String {
    let mut out = String::new();
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A Matrix user driven over plain HTTP.
pub struct User {
    http: reqwest::Client,
    base: String,
    pub user_id: String,
    pub token: String,
    pub password: String,
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
        }
    }

    /// One client-server API call; retries on 429 so tests on default rate limits stay exact.
    pub async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value> {
        loop {
            let mut request = self
                .http
                .request(method.clone(), format!("{}{}", self.base, path))
                .bearer_auth(&self.token)
                .timeout(Duration::from_secs(60));
            if let Some(body) = &body {
                request = request.json(body);
            }
            let response = request
                .send()
                .await
                .with_context(|| format!("{method} {path}"))?;
            let status = response.status();
            let value: Value = response.json().await.unwrap_or(Value::Null);
            if status.as_u16() == 429 {
                let wait = value["retry_after_ms"].as_u64().unwrap_or(500);
                tokio::time::sleep(Duration::from_millis(wait)).await;
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
                .post(&format!("/join/{}", enc(room_or_alias)), json!({}))
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
            &format!("/rooms/{}/invite", enc(room_id)),
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
                &format!("/rooms/{}/send/{kind}/{txn}", enc(room_id)),
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
            &format!("/rooms/{}/redact/{}/{txn}", enc(room_id), enc(event_id)),
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
            &format!("/profile/{}/displayname", enc(&self.user_id)),
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
        match self.get(&format!("/directory/room/{}", enc(alias))).await {
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
                enc(room_id),
                enc(key)
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
        let body = self.get(&format!("/rooms/{}/state", enc(room_id))).await?;
        Ok(body.as_array().cloned().unwrap_or_default())
    }

    /// Every timeline event of a room visible to this user, oldest first.
    pub async fn messages(&self, room_id: &str) -> Result<Vec<Value>> {
        let mut events = Vec::new();
        let mut from: Option<String> = None;
        loop {
            let mut path = format!("/rooms/{}/messages?dir=b&limit=500", enc(room_id));
            if let Some(from) = &from {
                path.push_str(&format!("&from={}", enc(from)));
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

/// Polls `check` every 200 ms until it yields `Some` or `timeout` passes (then `Ok(None)`).
pub async fn wait_for<T, F, Fut>(timeout: Duration, mut check: F) -> Result<Option<T>>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = check().await? {
            return Ok(Some(value));
        }
        if started.elapsed() > timeout {
            return Ok(None);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// What a test bot is configured with.
pub struct BotSetup<'a> {
    pub bot: &'a User,
    pub plan_id: &'a str,
    pub sections: &'a [&'a str],
    pub language: &'a str,
    pub moderators: &'a [&'a str],
    pub allowed_servers: &'a [&'a str],
}

/// A `pspm run` child process with its own config folder.
pub struct Bot {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    pub user_id: String,
    child: Option<Child>,
    starts: u32,
    /// `RUST_LOG` of the bot process.
    pub log_filter: String,
}

impl Bot {
    /// Writes `pspm.toml` and `plan.toml` into a new folder.
    pub fn configure(synapse: &Synapse, setup: &BotSetup<'_>) -> Result<Bot> {
        let dir = tempfile::Builder::new().prefix("pspm-bot-").tempdir()?;
        let list = |items: &[&str]| {
            items
                .iter()
                .map(|i| format!("\"{i}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let config = format!(
            "[matrix]\nhomeserver_url = \"{}\"\nuser_id = \"{}\"\npassword = \"{}\"\n\n\
             [storage]\ndata_dir = \"data\"\n\n\
             [bot]\nlanguage = \"{}\"\nmoderators = [{}]\nallowed_servers = [{}]\nsync_timeout_secs = 30\n\n\
             [organisations]\n\"{}\" = \"Ministero di prova\"\n\n[plan]\nfile = \"plan.toml\"\n",
            synapse.url,
            setup.bot.user_id,
            setup.bot.password,
            setup.language,
            list(setup.moderators),
            list(setup.allowed_servers),
            synapse.server_name,
        );
        let config_path = dir.path().join("pspm.toml");
        std::fs::write(&config_path, config)?;
        let bot = Bot {
            dir,
            config: config_path,
            user_id: setup.bot.user_id.clone(),
            child: None,
            starts: 0,
            log_filter: "info,pspm=debug,matrix_sdk=warn,matrix_sdk::http_client=off".to_owned(),
        };
        bot.write_plan(setup.plan_id, setup.sections)?;
        Ok(bot)
    }

    pub fn write_plan(&self, plan_id: &str, sections: &[&str]) -> Result<()> {
        let mut plan = format!(
            "[plan]\nid = \"{plan_id}\"\ntitle = \"Piano {plan_id}\"\ndescription = \"Piano di prova\"\n"
        );
        for section in sections {
            plan.push_str(&format!(
                "\n[[sections]]\nid = \"{section}\"\ntitle = \"Sezione {section}\"\ndescription = \"Descrizione di {section}\"\n"
            ));
        }
        std::fs::write(self.dir.path().join("plan.toml"), plan)?;
        Ok(())
    }

    /// Replaces the plan file with `text`.
    pub fn write_plan_text(&self, text: &str) -> Result<()> {
        std::fs::write(self.dir.path().join("plan.toml"), text)?;
        Ok(())
    }

    /// Appends tables (e.g. `[monitoring]`) to the config file.
    pub fn append_config(&self, text: &str) -> Result<()> {
        let mut config = std::fs::read_to_string(&self.config)?;
        config.push('\n');
        config.push_str(text);
        std::fs::write(&self.config, config)?;
        Ok(())
    }

    pub fn start(&mut self) -> Result<()> {
        if self.child.is_some() {
            bail!("the bot is already running");
        }
        self.starts += 1;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("bot.log"))?;
        let child = Command::new(pspm_binary())
            .args(["run", "--config"])
            .arg(&self.config)
            .env("RUST_LOG", &self.log_filter)
            .env_remove("PSPM_MATRIX_PASSWORD")
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("cannot start pspm")?;
        self.child = Some(child);
        Ok(())
    }

    /// SIGKILL: the crash the exactly-once design must survive.
    pub fn kill(&mut self) -> Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill()?;
            child.wait()?;
        }
        Ok(())
    }

    /// SIGTERM and wait: a clean stop.
    pub fn stop(&mut self) -> Result<()> {
        if let Some(mut child) = self.child.take() {
            let pid = child.id().to_string();
            Command::new("kill").args(["-TERM", &pid]).status()?;
            let started = Instant::now();
            while child.try_wait()?.is_none() {
                if started.elapsed() > Duration::from_secs(20) {
                    child.kill()?;
                    bail!("the bot did not stop within 20 s of SIGTERM");
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        Ok(())
    }

    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// Resident memory of the running bot process, in MB.
    pub fn rss_mb(&self) -> Option<f64> {
        let pid = self.child.as_ref()?.id();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let kb: f64 = status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()?;
        Some(kb / 1024.0)
    }

    pub fn starts(&self) -> u32 {
        self.starts
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("bot.log")).unwrap_or_default()
    }

    /// Runs `pspm <args> --config <this config>` to completion.
    pub fn run_cli(&self, args: &[&str]) -> Result<std::process::Output> {
        Ok(Command::new(pspm_binary())
            .args(args)
            .arg("--config")
            .arg(&self.config)
            .env("RUST_LOG", "warn")
            .output()?)
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.kill();
    }
}

/// Configures a bot (then `prepare` may change its files), starts it, waits for its first
/// section room and has `members` join it; returns the bot and the room ID.
pub async fn bot_in_section(
    synapse: &Synapse,
    setup: &BotSetup<'_>,
    prepare: impl FnOnce(&Bot) -> Result<()>,
    members: &[&User],
) -> Result<(Bot, String)> {
    let mut bot = Bot::configure(synapse, setup)?;
    prepare(&bot)?;
    bot.start()?;
    let section = setup
        .sections
        .first()
        .ok_or_else(|| anyhow!("the plan needs a section"))?;
    let alias = format!("#{}.{section}:{}", setup.plan_id, synapse.server_name);
    let room = wait_for(Duration::from_secs(60), || async {
        setup.bot.resolve_alias(&alias).await
    })
    .await?
    .ok_or_else(|| anyhow!("{alias} never resolved"))?;
    let space = format!("#{}:{}", setup.plan_id, synapse.server_name);
    for member in members {
        member.join_section(&space, &room).await?;
    }
    Ok((bot, room))
}

/// Headless Chromium (`scripts/test` installs Debian's package): `PSPM_CHROMIUM` or
/// `chromium` on the PATH.
pub fn chromium() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("PSPM_CHROMIUM") {
        return Ok(PathBuf::from(path));
    }
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("chromium"))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| anyhow!("chromium not found: run scripts/test, which installs it"))
}

/// Runs headless Chromium on `url` with `args` (e.g. `--dump-dom`), with the flags that keep
/// it off the network and out of any profile.
pub fn run_chromium(url: &str, args: &[&str]) -> Result<std::process::Output> {
    let profile = tempfile::tempdir()?;
    let output = Command::new(chromium()?)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .output()
        .context("cannot run chromium")?;
    if !output.status.success() {
        bail!(
            "chromium failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(output)
}

/// A tiny deterministic random generator (xorshift), seeded per test and printed so a
/// failing interleaving can be replayed.
pub struct Rng(u64);

impl Rng {
    pub fn from_env_or_time(name: &str) -> Rng {
        let seed = std::env::var("PSPM_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(42)
            });
        eprintln!("{name}: PSPM_TEST_SEED={seed}");
        Rng(seed | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform in `low..high` (milliseconds, say).
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next_u64() % (high - low).max(1)
    }
}

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
                let filter = enc(r#"{"room":{"timeline":{"limit":1000}}}"#);
                let Ok(body) = user
                    .get(&format!(
                        "/sync?timeout=30000&filter={filter}&since={}",
                        enc(&since)
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

/// The `p`-th percentile (0–100) of sorted values.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}
