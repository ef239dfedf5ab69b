//! A throwaway PostgreSQL cluster (`scripts/postgres`) for a Synapse on PostgreSQL, as
//! production Synapse runs; stopped and deleted when dropped.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Result};

use crate::repo_root;

pub struct Postgres {
    dir: tempfile::TempDir,
}

impl Postgres {
    /// Starts a cluster listening on a Unix socket in a new folder, with a `synapse` database.
    pub fn start() -> Result<Postgres> {
        let dir = tempfile::Builder::new()
            .prefix("pspm-postgres-")
            .tempdir()?;
        let status = Command::new(repo_root().join("scripts/postgres"))
            .arg("start")
            .arg(dir.path())
            .status()?;
        if !status.success() {
            bail!("scripts/postgres start failed");
        }
        Ok(Postgres { dir })
    }

    /// The folder of the server's socket (libpq's `host`).
    pub fn socket_dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = Command::new(repo_root().join("scripts/postgres"))
            .arg("stop")
            .arg(self.dir.path())
            .status();
    }
}
