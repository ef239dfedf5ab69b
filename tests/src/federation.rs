//! Four real Synapse homeservers federating over loopback (`scripts/synapse init-federated`):
//! each named by its own loopback IP and federation port (`127.0.0.N:PORT`), federation over
//! TLS with one self-signed certificate, the client API in plain HTTP on 127.0.0.1.
//!
//! | index | role         | federation IP |
//! |-------|--------------|---------------|
//! | 0     | ministry     | 127.0.0.1 (where the bot lives) |
//! | 1     | region       | 127.0.0.2 |
//! | 2     | municipality | 127.0.0.3 |
//! | 3     | outsider     | 127.0.0.4 (the server tests do not admit) |
//!
//! [`Federation::start`] starts a set for one test (which may stop and restart its servers);
//! [`Federation::shared`] hands out handles on one set started once per test binary, whose
//! processes end with the binary (even on a panic or SIGKILL). Users on a shared set need
//! names of their own ([`unique`]). Server ACLs (`m.room.server_acl`) match hosts without
//! ports over federation, but full names when the local server checks an ACL its user sends:
//! [`server_acl_allow`] lists both.

use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use serde_json::{json, Value};

use crate::homeserver::{synapse_python, Server};
use crate::{percent_encode, repo_root, Result, Synapse, User};

pub const MINISTRY: usize = 0;
pub const REGION: usize = 1;
pub const MUNICIPALITY: usize = 2;
pub const OUTSIDER: usize = 3;

/// The four roles, in index order.
pub const ROLES: [&str; 4] = ["ministry", "region", "municipality", "outsider"];

/// Four federating homeservers (see the module documentation for the roles).
pub struct Federation {
    servers: Vec<Synapse>,
    // Dropped after the servers (fields drop in order): their processes are gone first.
    _root: Option<tempfile::TempDir>,
}

/// The set shared by the tests of one run: no runtime-bound value in here, only processes,
/// folders and credentials.
struct SharedSet {
    servers: Vec<Arc<Server>>,
    _root: tempfile::TempDir,
}

static SHARED: tokio::sync::OnceCell<SharedSet> = tokio::sync::OnceCell::const_new();

impl Federation {
    /// Starts a set of four for the calling test alone; dropped, it stops them and removes
    /// their folders. Its servers may be stopped and restarted ([`Synapse::stop`],
    /// [`Synapse::restart`]).
    pub async fn start() -> Result<Federation> {
        let (servers, root) = start_servers(false).await?;
        Ok(Federation {
            servers: servers.into_iter().map(Synapse::from_server).collect(),
            _root: Some(root),
        })
    }

    /// Handles (with fresh HTTP clients) on the set started once for the whole test binary,
    /// by whichever test asks first. Its servers cannot be stopped.
    pub async fn shared() -> Result<Federation> {
        let set = SHARED
            .get_or_try_init(|| async {
                let (servers, root) = start_servers(true).await?;
                Ok::<_, anyhow::Error>(SharedSet {
                    servers,
                    _root: root,
                })
            })
            .await?;
        Ok(Federation {
            servers: set
                .servers
                .iter()
                .cloned()
                .map(Synapse::from_server)
                .collect(),
            _root: None,
        })
    }

    pub fn server(&self, index: usize) -> &Synapse {
        &self.servers[index]
    }

    /// The server at `index`, to stop or restart it ([`Federation::start`] sets only).
    pub fn server_mut(&mut self, index: usize) -> &mut Synapse {
        &mut self.servers[index]
    }

    pub fn servers(&self) -> &[Synapse] {
        &self.servers
    }

    /// 127.0.0.1: the bot's homeserver.
    pub fn ministry(&self) -> &Synapse {
        &self.servers[MINISTRY]
    }

    /// 127.0.0.2.
    pub fn region(&self) -> &Synapse {
        &self.servers[REGION]
    }

    /// 127.0.0.3.
    pub fn municipality(&self) -> &Synapse {
        &self.servers[MUNICIPALITY]
    }

    /// 127.0.0.4: federates with the others, but tests do not admit it.
    pub fn outsider(&self) -> &Synapse {
        &self.servers[OUTSIDER]
    }

    /// The four server names (`127.0.0.N:PORT`), in index order.
    pub fn server_names(&self) -> Vec<String> {
        self.servers.iter().map(|s| s.server_name.clone()).collect()
    }

    /// Another set of handles on the same servers (fresh HTTP clients, for another runtime);
    /// the original keeps ownership of a set from [`Federation::start`]: drop the handles
    /// first, since dropping the original removes the folders.
    pub fn handles(&self) -> Federation {
        Federation {
            servers: self.servers.iter().map(Synapse::handle).collect(),
            _root: None,
        }
    }
}

/// The host of a server name, without the port: what `m.room.server_acl` matches.
pub fn host(server_name: &str) -> &str {
    server_name
        .rsplit_once(':')
        .map_or(server_name, |(host, _)| host)
}

/// The `allow` list of an `m.room.server_acl` admitting `servers`: each host (what a server
/// receiving federation traffic matches, ports dropped) and each full name (what Synapse
/// matches when one of its own users sends the ACL: it refuses one that does not admit
/// `127.0.0.1:PORT` itself, "Can't create an ACL event that denies the local server").
pub fn server_acl_allow<S: AsRef<str>>(servers: &[S]) -> Vec<String> {
    let hosts = servers.iter().map(|s| host(s.as_ref()).to_owned());
    let names = servers.iter().map(|s| s.as_ref().to_owned());
    hosts.chain(names).collect()
}

/// A name no other caller in this test binary gets (`prefix-N`): users and aliases on the
/// shared set must not collide across tests.
pub fn unique(prefix: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("{prefix}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Ports for the set: a client port on 127.0.0.1 and a federation port on each server's own
/// IP, all held open together so they differ.
fn pick_ports() -> Result<Vec<(u16, u16)>> {
    let mut listeners = Vec::new();
    let mut ports = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for n in 1..=4u8 {
        let mut pick = |ip: [u8; 4]| -> Result<u16> {
            loop {
                let listener = std::net::TcpListener::bind((std::net::Ipv4Addr::from(ip), 0))
                    .with_context(|| format!("cannot bind {ip:?}"))?;
                let port = listener.local_addr()?.port();
                listeners.push(listener);
                if seen.insert(port) {
                    return Ok(port);
                }
            }
        };
        let client = pick([127, 0, 0, 1])?;
        let federation = pick([127, 0, 0, n])?;
        ports.push((client, federation));
    }
    Ok(ports)
}

/// Starts a set, again on other ports if a port picked was taken meanwhile (ports are free
/// when picked, but other tests and outgoing connections may take one before Synapse binds).
async fn start_servers(shared: bool) -> Result<(Vec<Arc<Server>>, tempfile::TempDir)> {
    let mut attempt = 1;
    loop {
        match try_start_servers(shared).await {
            Err(error) if attempt < 3 && error.to_string().contains("Address already in use") => {
                eprintln!("federation: a port was taken, starting again on others: {error:#}");
                attempt += 1;
            }
            result => return result,
        }
    }
}

/// Writes the four configs and starts the four servers concurrently; returns when all
/// answer.
async fn try_start_servers(shared: bool) -> Result<(Vec<Arc<Server>>, tempfile::TempDir)> {
    let started = Instant::now();
    synapse_python()?;
    let root = tempfile::Builder::new()
        .prefix("pspm-federation-")
        .tempdir()?;
    let certs = root.path().join("tls");
    let ports = pick_ports()?;
    let names: Vec<String> = ports
        .iter()
        .enumerate()
        .map(|(i, (_, federation))| format!("127.0.0.{}:{federation}", i + 1))
        .collect();
    // The four inits run concurrently (the first makes the certificate, under a lock).
    let mut inits = Vec::new();
    for (i, (client, _)) in ports.iter().enumerate() {
        let dir = root.path().join(ROLES[i]);
        let child = Command::new(repo_root().join("scripts/synapse"))
            .arg("init-federated")
            .arg(&dir)
            .arg(client.to_string())
            .arg(&names[i])
            .arg(format!("127.0.0.{}", i + 1))
            .arg(&certs)
            .args(&names)
            .spawn()
            .context("cannot run scripts/synapse init-federated")?;
        inits.push(child);
    }
    for mut init in inits {
        if !init.wait()?.success() {
            bail!("scripts/synapse init-federated failed");
        }
    }
    let mut servers = Vec::new();
    for (i, (client, _)) in ports.iter().enumerate() {
        let mut server = Server::new(
            root.path().join(ROLES[i]),
            format!("http://127.0.0.1:{client}"),
            names[i].clone(),
            Some(root.path().to_path_buf()),
            None,
            shared,
        )?;
        server.peers = names.clone();
        server.spawn()?;
        servers.push(Arc::new(server));
    }
    let http = reqwest::Client::new();
    tokio::try_join!(
        servers[0].wait_ready(&http),
        servers[1].wait_ready(&http),
        servers[2].wait_ready(&http),
        servers[3].wait_ready(&http),
    )?;
    eprintln!(
        "federation: {} homeservers ({}) ready in {:.1} s{}",
        servers.len(),
        names.join(", "),
        started.elapsed().as_secs_f64(),
        if shared { ", shared by this run" } else { "" },
    );
    Ok((servers, root))
}

impl Synapse {
    /// Has a federated server that is back from an outage make a signed request to each
    /// peer (an alias lookup, answered 404). A peer then marks it up and resends what it owes
    /// at once; otherwise, once its retries of about 10 s are spent, it waits for new traffic
    /// to this server or its own periodic wake-up, every 60 s and not configurable.
    pub(crate) async fn wake_peers(&self) -> Result<()> {
        let peers = &self.server.peers;
        if peers.is_empty() {
            return Ok(());
        }
        let admin = self.admin().await?;
        for peer in peers.iter().filter(|p| **p != self.server_name) {
            // A peer that is down itself answers with an error: nothing to wake there.
            let _ = admin.resolve_alias(&format!("#pspm-wake:{peer}")).await;
        }
        Ok(())
    }
}

/// A join refused by the homeserver.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub status: u16,
    pub errcode: String,
    pub error: String,
}

impl User {
    /// One join attempt through `via` (servers already in the room, for a room ID this user's
    /// server does not know yet; aliases resolve over federation without it): the room ID,
    /// or the homeserver's refusal.
    pub async fn try_join_via(
        &self,
        room_or_alias: &str,
        via: &[&str],
    ) -> Result<std::result::Result<String, Refusal>> {
        let mut path = format!("/_matrix/client/v3/join/{}", percent_encode(room_or_alias));
        for (i, server) in via.iter().enumerate() {
            path.push(if i == 0 { '?' } else { '&' });
            path.push_str(&format!("server_name={}", percent_encode(server)));
        }
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .timeout(Duration::from_secs(60))
            .json(&json!({}))
            .send()
            .await
            .with_context(|| format!("POST {path}"))?;
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            return Ok(Ok(body["room_id"].as_str().unwrap_or_default().to_owned()));
        }
        Ok(Err(Refusal {
            status,
            errcode: body["errcode"].as_str().unwrap_or_default().to_owned(),
            error: body["error"].as_str().unwrap_or_default().to_owned(),
        }))
    }

    /// Joins a room through `via` (see [`User::try_join_via`]). Like [`User::join`], a
    /// refusal or a rate limit is retried for 15 s: an alias can resolve before the room's
    /// join rules are set, and a remote join can race the room's creation.
    pub async fn join_via(&self, room_or_alias: &str, via: &[&str]) -> Result<String> {
        let started = Instant::now();
        loop {
            match self.try_join_via(room_or_alias, via).await? {
                Ok(room_id) => return Ok(room_id),
                Err(refusal)
                    if (refusal.status == 403 || refusal.status == 429)
                        && started.elapsed() < Duration::from_secs(15) =>
                {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(refusal) => bail!(
                    "{} cannot join {room_or_alias}: {} {} {}",
                    self.user_id,
                    refusal.status,
                    refusal.errcode,
                    refusal.error
                ),
            }
        }
    }

    /// The bodies of the `m.room.message` events a room's history shows this user, oldest
    /// first, with their senders.
    pub async fn texts(&self, room_id: &str) -> Result<Vec<(String, String)>> {
        Ok(self
            .messages(room_id)
            .await?
            .into_iter()
            .filter(|e| e["type"] == "m.room.message")
            .map(|e| {
                (
                    e["sender"].as_str().unwrap_or_default().to_owned(),
                    e["content"]["body"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect())
    }

    /// Waits until this user's history of the room shows `text` (from anyone); `timeout`
    /// passing is an error naming what was seen.
    pub async fn wait_text(&self, room_id: &str, text: &str, timeout: Duration) -> Result<()> {
        let seen = crate::wait_for(timeout, || async {
            let texts = self.texts(room_id).await?;
            Ok(texts.iter().any(|(_, body)| body == text).then_some(()))
        })
        .await?;
        if seen.is_none() {
            bail!(
                "{} never saw {text:?} in {room_id}; saw {:?}",
                self.user_id,
                self.texts(room_id).await?
            );
        }
        Ok(())
    }
}
