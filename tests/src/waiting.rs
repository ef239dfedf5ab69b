//! Waiting for something a homeserver or the bot does in its own time, by polling.

use std::time::{Duration, Instant};

use crate::Result;

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
