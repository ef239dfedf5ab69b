//! Foundation benchmark against a local Synapse (run with `scripts/bench`):
//! - `!ping` round trip through the bot vs. a relay floor: a minimal echo client on another
//!   account that answers each message as soon as its sync delivers it (the same two hops);
//! - the bot's lag (command `origin_server_ts` → reply `origin_server_ts`) under a burst of
//!   500 commands from 5 clients, next to the homeserver's own send latency in that burst.

use std::time::{Duration, Instant};

use pspm_e2e::bench::{futures_join_all, ms, round_trips, run_echo, summary};
use pspm_e2e::{bot_in_section, BotSetup, Observer, RateLimits, Result, Synapse, User};
use serde_json::Value;

const SERVER: &str = "ministry.test";
const BURST_CLIENTS: usize = 5;
const BURST_EACH: usize = 100;

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<()> {
    let synapse = Synapse::start(SERVER, RateLimits::Raised).await?;
    let bot_user = synapse.register("pspm", false).await?;
    let alice = synapse.register("alice", false).await?;
    let echo = synapse.register("echo", false).await?;
    let (mut bot, room) = bot_in_section(
        &synapse,
        &BotSetup::english(&bot_user, "bench", &[SERVER]),
        |_| Ok(()),
        &[&alice, &echo],
    )
    .await?;
    let observer = Observer::start(&alice).await?;
    // Warm-up: the bot is syncing, the echo client too.
    let warm = alice.send_text(&room, "!ping").await?;
    observer.reply_to(&warm, Duration::from_secs(60)).await?;
    let echo_task = tokio::spawn(run_echo(echo.clone_session()));
    let warm = alice.send_text(&room, "echo warm-up").await?;
    observer.reply_to(&warm, Duration::from_secs(60)).await?;

    println!("PSPM foundation benchmark (Synapse on SQLite, loopback, this machine)");
    let relay = summary(
        "relay floor round trip (echo client)",
        round_trips(&alice, &observer, &room, "echo").await?,
    );
    let bot_rt = summary(
        "!ping round trip through the bot",
        round_trips(&alice, &observer, &room, "!ping").await?,
    );
    println!(
        "bot / relay: p50 {:.2}x, p95 {:.2}x (goal <= 1.3x)",
        bot_rt.0 / relay.0,
        bot_rt.1 / relay.1
    );

    // Bursts: 5 clients × 100 messages, as fast as each can send; first answered by the echo
    // client (the floor under load), then by the bot.
    let mut clients = Vec::new();
    for i in 0..BURST_CLIENTS {
        let user = synapse.register(&format!("burst{i}"), false).await?;
        user.join_section(&format!("#bench:{SERVER}"), &room)
            .await?;
        clients.push(user);
    }
    let (relay_sends, relay_lags) =
        burst(&clients, &alice, &observer, &room, "echo", &echo.user_id).await?;
    echo_task.abort();
    let (bot_sends, bot_lags) =
        burst(&clients, &alice, &observer, &room, "!ping", &bot.user_id).await?;
    let relay_send = summary("burst via echo: homeserver send latency", relay_sends);
    let relay_lag = summary("burst via echo: echo lag (msg ts -> reply ts)", relay_lags);
    let bot_send = summary("burst via bot: homeserver send latency", bot_sends);
    let bot_lag = summary("burst via bot: bot lag (command ts -> reply ts)", bot_lags);
    println!(
        "lag p99 - send latency p99: bot {:.1} ms (goal <= 50 ms), echo floor {:.1} ms",
        bot_lag.2 - bot_send.2,
        relay_lag.2 - relay_send.2
    );
    bot.stop()?;
    if let Some(path) = std::env::var_os("PSPM_BENCH_BOT_LOG") {
        std::fs::write(path, bot.log())?;
    }
    Ok(())
}

/// Sends `BURST_EACH` messages from each client at once; returns the clients' send latencies
/// and, per message, the responder's reply `origin_server_ts` minus the message's.
async fn burst(
    clients: &[User],
    alice: &User,
    observer: &Observer,
    room: &str,
    text: &str,
    responder: &str,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let started = Instant::now();
    let sends = futures_join_all(clients.iter().map(|client| async move {
        let mut out = Vec::with_capacity(BURST_EACH);
        for _ in 0..BURST_EACH {
            let t = Instant::now();
            let event_id = client.send_text(room, text).await?;
            out.push((event_id, ms(t.elapsed())));
        }
        Result::Ok(out)
    }))
    .await;
    let mut sent = Vec::new();
    let mut send_latency = Vec::new();
    for result in sends {
        for (event_id, latency) in result? {
            sent.push(event_id);
            send_latency.push(latency);
        }
    }
    for event_id in &sent {
        observer
            .reply_to(event_id, Duration::from_secs(120))
            .await?;
    }
    println!(
        "burst of {} {text:?} from {BURST_CLIENTS} clients answered in {:.1} s",
        sent.len(),
        started.elapsed().as_secs_f64()
    );
    let wanted: std::collections::HashSet<&str> = sent.iter().map(String::as_str).collect();
    let timeline: Vec<Value> = alice.messages(room).await?;
    let sent_at: std::collections::HashMap<&str, i64> = timeline
        .iter()
        .filter_map(|e| Some((e["event_id"].as_str()?, e["origin_server_ts"].as_i64()?)))
        .collect();
    let mut lags = Vec::with_capacity(sent.len());
    for event in &timeline {
        let Some(target) = event["content"]["m.relates_to"]["m.in_reply_to"]["event_id"].as_str()
        else {
            continue;
        };
        if event["sender"] != responder || !wanted.contains(target) {
            continue;
        }
        if let (Some(sent_ts), Some(reply_ts)) =
            (sent_at.get(target), event["origin_server_ts"].as_i64())
        {
            lags.push((reply_ts - sent_ts) as f64);
        }
    }
    Ok((send_latency, lags))
}
