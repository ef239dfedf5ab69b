//! The tasks `pspm run` cannot go on without: the sync loop (without it the bot is deaf) and
//! the outbox sender (without it the bot commits replies that nothing sends). When one ends
//! on its own, by an error or a panic, the bot stops with one clear log line and an error
//! (exit status 1), for a supervisor (systemd, a container runtime) to start it again: a
//! restart resumes from the last commit, with the outbox as it was.

use std::collections::HashMap;
use std::future::Future;

use anyhow::anyhow;
use tokio::sync::watch;
use tokio::task::{Id, JoinError, JoinSet};
use tracing::{error, info, warn};

/// Essential tasks under way, by name.
#[derive(Default)]
pub struct Essential {
    tasks: JoinSet<anyhow::Result<()>>,
    names: HashMap<Id, &'static str>,
}

impl Essential {
    /// Starts an essential task; `name` says what it is in the log ("the sync loop").
    pub fn spawn<F>(&mut self, name: &'static str, task: F)
    where
        F: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        let handle = self.tasks.spawn(task);
        self.names.insert(handle.id(), name);
    }

    /// Runs until `signal` or until a task ends on its own; then tells every task to stop
    /// (through `shutdown`) and waits for them. A task that ended on its own is an error, so
    /// is one that fails while stopping.
    pub async fn run_until(
        mut self,
        signal: impl Future<Output = ()>,
        shutdown: &watch::Sender<bool>,
    ) -> anyhow::Result<()> {
        let first = tokio::select! {
            Some(joined) = self.tasks.join_next_with_id() => Some(self.outcome(joined)),
            () = signal => None,
        };
        let _ = shutdown.send(true);
        let mut failure = match first {
            None => {
                info!("stopping");
                None
            }
            Some((name, why)) => {
                let why = why.unwrap_or_else(|| "without an error".to_owned());
                error!("pspm stops: {name} ended: {why}; restart the bot once the cause is fixed (a supervisor such as systemd does it): what it committed is kept, replies not sent yet included");
                Some(anyhow!("{name} ended: {why}"))
            }
        };
        while let Some(joined) = self.tasks.join_next_with_id().await {
            if let (name, Some(why)) = self.outcome(joined) {
                warn!("{name} stopped with an error: {why}");
                failure.get_or_insert_with(|| anyhow!("{name} stopped with an error: {why}"));
            }
        }
        failure.map_or(Ok(()), Err)
    }

    /// The task's name, and what went wrong with it (`None`: it ended without an error).
    fn outcome(
        &self,
        joined: Result<(Id, anyhow::Result<()>), JoinError>,
    ) -> (&'static str, Option<String>) {
        let (id, why) = match joined {
            Ok((id, Ok(()))) => (id, None),
            Ok((id, Err(error))) => (id, Some(format!("{error:#}"))),
            Err(join_error) => {
                let id = join_error.id();
                let why = if join_error.is_panic() {
                    let payload = join_error.into_panic();
                    let message = payload
                        .downcast_ref::<&str>()
                        .map(|s| (*s).to_owned())
                        .or_else(|| payload.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    format!("it panicked: {message}")
                } else {
                    "it was cancelled".to_owned()
                };
                (id, Some(why))
            }
        };
        (self.names.get(&id).copied().unwrap_or("a task"), why)
    }
}
