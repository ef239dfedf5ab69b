//! The admin socket: how the command line reaches a running bot, which holds the store (sled
//! admits one process). A Unix socket in `storage.data_dir`, mode 0600, so only the bot's own
//! user may ask. One request a connection: a JSON line; the answer is a JSON line (`ok`, or
//! `error`), then, for a copy of the store, its bytes until the connection closes.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use tokio::sync::{watch, Notify};

use super::import::{self, Queued};
use super::status::Status;
use crate::domain::imports::Imported;
use crate::domain::Settings;
use crate::store::Store;

/// The socket's name in `storage.data_dir`.
pub const SOCKET: &str = "admin.sock";
/// The longest request line read.
const MAX_REQUEST_BYTES: u64 = 64 * 1024 * 1024;

/// What the command line asks.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "request", rename_all = "kebab-case")]
pub enum Request {
    /// The facts of `pspm status`.
    Status,
    /// A copy of the store ([`Store::copy_to`]) after the answer line.
    Copy,
    /// Imported updates to queue (`pspm import progress|measurements`).
    Import {
        source: String,
        updates: Vec<(String, Imported)>,
    },
}

/// The answer line.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Answer {
    Status(Status),
    /// The copy follows.
    Copy,
    Queued(Queued),
    /// Updates the plan has no place for, one line each; nothing was queued.
    Refused(Vec<String>),
    Error(String),
}

pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SOCKET)
}

/// What the socket's answers are made from.
pub struct AdminServer {
    pub store: Arc<dyn Store>,
    pub settings: Settings,
    pub sync_timeout: Duration,
    /// Wakes the outbox sender when an import is queued.
    pub outbox_wake: Arc<Notify>,
}

/// Binds the socket now (replacing one a crashed run left: the store's lock, held by this
/// process, says no other bot is running) and returns the server, which runs until
/// `shutdown` and then removes the socket.
pub fn bind(
    data_dir: &Path,
    server: AdminServer,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<impl std::future::Future<Output = anyhow::Result<()>>> {
    let path = socket_path(data_dir);
    match std::fs::remove_file(&path) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            return Err(error).with_context(|| format!("cannot replace {}", path.display()))
        }
        _ => {}
    }
    let listener = tokio::net::UnixListener::bind(&path)
        .with_context(|| format!("cannot listen on {}", path.display()))?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
        .with_context(|| format!("cannot make {} private", path.display()))?;
    let server = Arc::new(server);
    Ok(async move {
        loop {
            tokio::select! {
                _ = shutdown.wait_for(|stop| *stop) => break,
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => serve(server.clone(), stream),
                    Err(error) => tracing::warn!(%error, "admin socket: cannot accept"),
                },
            }
        }
        let _ = std::fs::remove_file(&path);
        Ok(())
    })
}

/// Answers one connection on a blocking thread: answers read the store and may stream a
/// copy of it.
fn serve(server: Arc<AdminServer>, stream: tokio::net::UnixStream) {
    tokio::task::spawn_blocking(move || {
        let answered = stream
            .into_std()
            .and_then(|stream| stream.set_nonblocking(false).map(|()| stream))
            .map_err(anyhow::Error::from)
            .and_then(|stream| server.answer(stream));
        if let Err(error) = answered {
            tracing::warn!("admin socket: {error:#}");
        }
    });
}

impl AdminServer {
    fn answer(&self, stream: UnixStream) -> anyhow::Result<()> {
        let mut line = String::new();
        BufReader::new((&stream).take(MAX_REQUEST_BYTES)).read_line(&mut line)?;
        let mut out = std::io::BufWriter::new(&stream);
        let request = match serde_json::from_str::<Request>(&line) {
            Ok(request) => request,
            Err(error) => {
                return write_answer(&mut out, &Answer::Error(format!("bad request: {error}")))
            }
        };
        tracing::info!(?request, "admin socket request");
        let answer = match request {
            Request::Copy => {
                write_answer(&mut out, &Answer::Copy)?;
                self.store.copy_to(&mut out)?;
                out.flush()?;
                return Ok(());
            }
            Request::Status => self
                .store
                .load_state()
                .map_err(anyhow::Error::from)
                .and_then(|state| {
                    Status::gather(
                        &self.settings,
                        self.store.as_ref(),
                        &state,
                        Some(self.sync_timeout),
                    )
                })
                .map(Answer::Status),
            Request::Import { source, updates } => self
                .store
                .load_state()
                .map_err(anyhow::Error::from)
                .and_then(|state| {
                    match import::queue(
                        &self.settings,
                        &state,
                        self.store.as_ref(),
                        &source,
                        updates,
                        Some(&self.outbox_wake),
                    ) {
                        Ok(queued) => Ok(Answer::Queued(queued)),
                        Err(import::ImportError::Refused(errors)) => Ok(Answer::Refused(errors)),
                        Err(import::ImportError::Store(error)) => Err(error.into()),
                    }
                }),
        };
        let answer = answer.unwrap_or_else(|error| Answer::Error(format!("{error:#}")));
        write_answer(&mut out, &answer)
    }
}

fn write_answer(out: &mut impl Write, answer: &Answer) -> anyhow::Result<()> {
    serde_json::to_writer(&mut *out, answer)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

/// Asks the running bot; `None` when no bot listens in `data_dir` (no socket, or a socket
/// left by a bot that is gone). On success, the answer and the rest of the stream.
pub fn ask(
    data_dir: &Path,
    request: &Request,
) -> anyhow::Result<Option<(Answer, BufReader<UnixStream>)>> {
    let path = socket_path(data_dir);
    let mut stream = match UnixStream::connect(&path) {
        Ok(stream) => stream,
        Err(error)
            if matches!(
                error.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused
            ) =>
        {
            return Ok(None)
        }
        Err(error) => {
            return Err(error)
                .with_context(|| format!("cannot reach the bot at {}", path.display()))
        }
    };
    // Buffered: serde writes token by token, and a request may hold thousands of updates.
    let mut request_line = serde_json::to_vec(request)?;
    request_line.push(b'\n');
    stream.write_all(&request_line)?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .context("the running bot did not answer")?;
    let answer = serde_json::from_str(&line)
        .with_context(|| format!("the running bot answered something unexpected: {line:?}"))?;
    Ok(Some((answer, reader)))
}
