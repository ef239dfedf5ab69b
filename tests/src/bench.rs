//! What the benchmarks share: percentiles printed in one format, a relay floor (an echo
//! client answering as fast as its sync allows), round trips measured by an [`Observer`],
//! and futures run side by side.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::{percentile, Observer, Result, User};

/// Round trips measured per run.
pub const ROUND_TRIPS: usize = 100;

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub fn summary(name: &str, mut values: Vec<f64>) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    let (p50, p95, p99) = (
        percentile(&values, 50.0),
        percentile(&values, 95.0),
        percentile(&values, 99.0),
    );
    println!(
        "{name:<44} n={:<4} p50={p50:>7.1} ms  p95={p95:>7.1} ms  p99={p99:>7.1} ms",
        values.len()
    );
    (p50, p95, p99)
}

/// The relay floor's other side: answers every `echo` text from someone else at once.
pub async fn run_echo(echo: User) {
    let mut since = String::new();
    loop {
        let path = if since.is_empty() {
            "/sync?timeout=0".to_owned()
        } else {
            format!(
                "/sync?timeout=30000&since={}",
                crate::percent_encode(&since)
            )
        };
        let Ok(body) = echo.get(&path).await else {
            continue;
        };
        let first = since.is_empty();
        since = body["next_batch"].as_str().unwrap_or_default().to_owned();
        if first {
            continue;
        }
        let Some(rooms) = body["rooms"]["join"].as_object() else {
            continue;
        };
        for (room_id, room) in rooms {
            for event in room["timeline"]["events"].as_array().into_iter().flatten() {
                let is_echo = event["sender"] != echo.user_id.as_str()
                    && event["content"]["body"]
                        .as_str()
                        .is_some_and(|b| b.starts_with("echo"));
                if is_echo {
                    let content = json!({"msgtype": "m.notice", "body": "echo",
                        "m.relates_to": {"m.in_reply_to": {"event_id": event["event_id"]}}});
                    // Each answer on its own task, so a burst is not answered one by one.
                    let (echo, room_id) = (echo.clone_session(), room_id.clone());
                    tokio::spawn(
                        async move { echo.send(&room_id, "m.room.message", content).await },
                    );
                }
            }
        }
    }
}

pub async fn round_trips(
    alice: &User,
    observer: &Observer,
    room: &str,
    text: &str,
) -> Result<Vec<f64>> {
    let mut samples = Vec::with_capacity(ROUND_TRIPS);
    for _ in 0..ROUND_TRIPS {
        let started = Instant::now();
        let event_id = alice.send_text(room, text).await?;
        let (arrived, _) = observer
            .reply_to(&event_id, Duration::from_secs(30))
            .await?;
        samples.push(ms(arrived - started));
    }
    Ok(samples)
}

/// Runs futures concurrently and collects their outputs in order.
pub async fn futures_join_all<F: std::future::Future>(
    futures: impl IntoIterator<Item = F>,
) -> Vec<F::Output> {
    let mut handles = Vec::new();
    for future in futures {
        handles.push(future);
    }
    let mut pinned: Vec<std::pin::Pin<Box<F>>> = handles.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = (0..pinned.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, future) in pinned.iter_mut().enumerate() {
            if outputs[i].is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(output) => outputs[i] = Some(output),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}
