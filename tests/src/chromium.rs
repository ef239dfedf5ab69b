//! Headless Chromium, in which the monitoring test renders the HTML report.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{anyhow, bail, Context as _};

use crate::Result;

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
