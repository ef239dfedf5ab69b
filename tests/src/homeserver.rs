//! A Synapse process and its folder, started and stopped through `scripts/synapse`: what
//! the [`Synapse`](crate::Synapse) handles of one test, or of a federation of four, talk to.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};

use crate::paths::repo_root;
use crate::Result;

/// Tests of one binary start their homeservers at the same time: one of them installs
/// Synapse (first use), the others wait for it.
static INSTALL: Mutex<()> = Mutex::new(());

/// Synapse's Python interpreter, installing Synapse into `.venv` on first use.
pub(crate) fn synapse_python() -> Result<PathBuf> {
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

/// A loopback port no one listens on right now.
pub fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// A homeserver process and its folder, shared by the [`Synapse`](crate::Synapse) handles
/// that talk to it. Dropping the last handle kills the process (by its PID) and removes the
/// folder.
pub(crate) struct Server {
    pub(crate) url: String,
    pub(crate) server_name: String,
    pub(crate) dir: PathBuf,
    /// The shared secret of the admin API that registers users.
    pub(crate) secret: String,
    process: Mutex<Option<Child>>,
    /// Removed by `scripts/synapse run` when the test binary exits without dropping the
    /// server (a shared one, or after a SIGKILL).
    remove_on_exit: Option<PathBuf>,
    /// Shared by several tests: no handle may stop it.
    pub(crate) shared: bool,
    /// The servers it federates with (itself included), if any.
    pub(crate) peers: Vec<String>,
    /// The admin account's login, registered once whatever the number of handles.
    pub(crate) admin: tokio::sync::OnceCell<(String, String, String)>,
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

    pub(crate) fn kill(&self) -> Result<()> {
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
