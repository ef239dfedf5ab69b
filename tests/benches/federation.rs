//! Federation benchmark: three federating Synapses on loopback, the bot on the ministry's.
//! - `!ping` round trip from a user on the region's server through the bot, against a relay
//!   floor measured the same way (an echo client on the ministry's server);
//! - a burst of 500 vote reactions from users on the region's and the municipality's
//!   servers: the bot's lag (send → durable commit of the vote, from the bot's trace log)
//!   against federation's own delivery (send → the event in a ministry user's `/sync`).
//!   Every vote must count once: each card's final tally is checked, each event applied once.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{anyhow, bail};
use pspm_e2e::bench::{futures_join_all, ms, round_trips, run_echo, summary};
use pspm_e2e::federated_plan::{exported, truth, World};
use pspm_e2e::federation::Federation;
use pspm_e2e::{wait_for, Observer, Result, User};

const VOTERS_PER_SERVER: usize = 5;
const CARDS: usize = 25;

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<()> {
    let fed = Federation::start().await?;
    let w = World::start(fed.handles(), |bot| {
        bot.log_filter = "info,pspm=debug,pspm::matrix::sync=trace,matrix_sdk=warn".to_owned();
    })
    .await?;
    let alice = w.participant(w.fed.region(), "alice").await?;
    let echo = w.participant(w.fed.ministry(), "echo").await?;
    let observer = Observer::start(&alice).await?;
    let warm = alice.send_text(&w.room, "!ping").await?;
    observer.reply_to(&warm, Duration::from_secs(60)).await?;
    let echo_task = tokio::spawn(run_echo(echo.clone_session()));
    let warm = alice.send_text(&w.room, "echo warm-up").await?;
    observer.reply_to(&warm, Duration::from_secs(60)).await?;

    println!("PSPM federation benchmark (3 Synapses on SQLite over loopback TLS, this machine)");
    let relay = summary(
        "relay floor: region -> echo on ministry",
        round_trips(&alice, &observer, &w.room, "echo").await?,
    );
    let bot = summary(
        "!ping: region -> bot on ministry",
        round_trips(&alice, &observer, &w.room, "!ping").await?,
    );
    println!(
        "bot / relay round trip: p50 {:.2}x (goal <= 1.3x), p95 {:.2}x",
        bot.0 / relay.0,
        bot.1 / relay.1
    );
    echo_task.abort();

    // The vote burst.
    let mut cards = Vec::new();
    for i in 0..CARDS {
        cards.push(w.propose(&alice, &format!("Proposta numero {i}")).await?);
    }
    let mut voters = Vec::new();
    for i in 0..VOTERS_PER_SERVER {
        voters.push(w.participant(w.fed.region(), &format!("r{i}")).await?);
        voters.push(
            w.participant(w.fed.municipality(), &format!("m{i}"))
                .await?,
        );
    }
    // Every voter's server must have every card before reacting to it.
    for voter in &voters {
        wait_for(Duration::from_secs(60), || async {
            let history = voter.messages(&w.room).await?;
            Ok(cards
                .iter()
                .all(|(_, card)| history.iter().any(|e| e["event_id"] == card.as_str()))
                .then_some(()))
        })
        .await?
        .ok_or_else(|| anyhow!("cards missing on {}", voter.user_id))?;
    }
    let arrivals = Observer::start(&w.moderator).await?;
    let started = Instant::now();
    // Each server's people vote one after another, as fast as their server takes it; the
    // two servers at once.
    let by_server: Vec<Vec<&User>> = (0..2)
        .map(|server| voters.iter().skip(server).step_by(2).collect())
        .collect();
    let sent = futures_join_all(by_server.iter().map(|people| {
        let cards = &cards;
        let room = &w.room;
        async move {
            let mut out = Vec::new();
            for (_, card) in cards {
                // 👍 then 👎: the final vote of each person on each card is 👎.
                for key in ["👍", "👎"] {
                    for voter in people {
                        let (at, wall) = (Instant::now(), SystemTime::now());
                        let event_id = voter.react(room, card, key).await?;
                        out.push((event_id, at, wall));
                    }
                }
            }
            Result::Ok(out)
        }
    }))
    .await;
    let mut events = Vec::new();
    for batch in sent {
        events.extend(batch?);
    }
    println!(
        "burst: {} reactions from {} users on 2 servers sent in {:.1} s",
        events.len(),
        voters.len(),
        started.elapsed().as_secs_f64()
    );
    // Under a burst from two servers a homeserver often gets an event before the ones it
    // follows, fetches a few, and leaves a gap that only `/messages` fills: such events never
    // reach anyone's `/sync`, and some the homeserver never manages to fetch at all (Synapse:
    // "failed history check"). Delivery is measured over the events that reach `/sync`; the
    // bot must count, once, every event its homeserver's history holds.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut delivery = HashMap::new();
    for (event_id, at, _) in &events {
        let left = deadline.saturating_duration_since(Instant::now());
        if let Ok((arrived, _)) = arrivals.event(event_id, left).await {
            delivery.insert(event_id.clone(), ms(arrived - *at));
        }
    }
    // Let the homeserver settle, then read what its history holds.
    w.settle(&[&voters[0], &voters[1]]).await?;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let history = w.moderator.messages(&w.room).await?;
    let held: HashSet<&str> = history
        .iter()
        .filter_map(|e| e["event_id"].as_str())
        .collect();
    let in_history: Vec<_> = events
        .iter()
        .filter(|(id, _, _)| held.contains(id.as_str()))
        .collect();
    let applied = wait_for(Duration::from_secs(60), || async {
        let applied = applied_at(&w.bot.log(), " applied ");
        Ok(in_history
            .iter()
            .all(|(id, _, _)| applied.contains_key(id))
            .then_some(()))
    })
    .await?;
    let log = w.bot.log();
    let applied_log = applied_at(&log, " applied ");
    let received_log = applied_at(&log, " received ");
    // Kept for a look at where the lag goes (sync, walks, commits).
    let artifacts = pspm_e2e::repo_root().join("target/e2e-artifacts");
    std::fs::create_dir_all(&artifacts)?;
    std::fs::write(artifacts.join("federation-bench-bot.log"), &log)?;
    let lost = in_history
        .iter()
        .filter(|(id, _, _)| !applied_log.contains_key(id))
        .count();
    let mut synced_lag = Vec::new();
    let mut received_lag = Vec::new();
    let mut late_lag = Vec::new();
    let mut doubles = 0;
    for (event_id, _, wall) in &in_history {
        let Some((at, times)) = applied_log.get(event_id) else {
            continue;
        };
        doubles += times - 1;
        let sent_ms = wall
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_err(|e| anyhow!("{e}"))?
            .as_secs_f64()
            * 1000.0;
        if delivery.contains_key(event_id) {
            synced_lag.push(at - sent_ms);
            if let Some((received, _)) = received_log.get(event_id) {
                received_lag.push(received - sent_ms);
            }
        } else {
            late_lag.push(at - sent_ms);
        }
    }
    let only_in_history = in_history
        .iter()
        .filter(|(id, _, _)| !delivery.contains_key(id))
        .count();
    println!(
        "burst: of {} sent, {} reached the ministry's /sync, {only_in_history} only its history \
         (gaps), {} never reached the ministry's homeserver",
        events.len(),
        delivery.len(),
        events.len() - in_history.len()
    );
    let delivery_ids: HashSet<String> = delivery.keys().cloned().collect();
    let delivery = summary(
        "burst: federation delivery (send -> ministry sync)",
        delivery.into_values().collect(),
    );
    let lag = summary(
        "burst: bot lag, same events (send -> committed)",
        synced_lag,
    );
    summary(
        "burst: bot's own sync, same events (send -> received)",
        received_lag,
    );
    summary("burst: bot lag, events only in history", late_lag);
    println!(
        "bot lag p99 - delivery p99: {:.1} ms (goal <= 50 ms); of the ministry's history: {lost} not applied, {doubles} applied twice",
        lag.2 - delivery.2
    );

    // The bot's tallies are those of the ministry's history, per organisation.
    let names = w.fed.server_names();
    let expected = truth(&history, &w.bot.user_id, &names);
    let exported = exported(&w.export().await?);
    let tallies_agree = expected.votes == exported.votes;
    println!("tallies equal the ministry's history: {tallies_agree}");
    if !tallies_agree {
        for (number, by_org) in &expected.votes {
            let got = exported.votes.get(number);
            if got != Some(by_org) {
                println!("  #{number}: history {by_org:?}, bot {got:?}");
                explain(&history, &w.bot.user_id, *number, &log, &delivery_ids);
            }
        }
    }
    if applied.is_none() || lost > 0 || doubles > 0 || !tallies_agree {
        bail!("the burst was not counted exactly once");
    }
    Ok(())
}

/// Event ID → (when the bot's trace log first said `what` of it, in ms since the epoch; how
/// many times it said so).
fn applied_at(log: &str, what: &str) -> HashMap<String, (f64, usize)> {
    let mut applied: HashMap<String, (f64, usize)> = HashMap::new();
    for line in log.lines().filter(|l| l.contains(what)) {
        let Some(stamp) = line
            .split_whitespace()
            .next()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        else {
            continue;
        };
        let at = stamp.timestamp_micros() as f64 / 1000.0;
        let Some(ids) = line.split("events=").nth(1) else {
            continue;
        };
        for id in ids.split_whitespace() {
            let entry = applied.entry(id.to_owned()).or_insert((at, 0));
            entry.1 += 1;
        }
    }
    applied
}

/// Why a card's tally differs: each reaction on it in the room's order, whether it reached
/// the ministry's `/sync`, and what the bot's log says of it.
fn explain(
    history: &[serde_json::Value],
    bot: &str,
    number: u64,
    log: &str,
    synced: &HashSet<String>,
) {
    let card = history
        .iter()
        .find(|e| e["sender"] == bot && e["content"]["it.pspm.proposal"].as_u64() == Some(number));
    let Some(card) = card.and_then(|c| c["event_id"].as_str()) else {
        return;
    };
    for (position, event) in history.iter().enumerate() {
        let relates = &event["content"]["m.relates_to"];
        if event["type"] != "m.reaction" || relates["event_id"] != card {
            continue;
        }
        let id = event["event_id"].as_str().unwrap_or_default();
        println!(
            "    {position} {} {} {id} synced={}",
            event["sender"].as_str().unwrap_or_default(),
            relates["key"].as_str().unwrap_or_default(),
            synced.contains(id)
        );
        for line in log.lines().filter(|l| l.contains(id)) {
            let stamp = line.split_whitespace().next().unwrap_or_default();
            let what = if line.contains(" received ") {
                "received"
            } else if line.contains("source=\"walk\"") || line.contains("source=walk") {
                "applied by a walk"
            } else if line.contains(" applied ") {
                "applied from a sync response"
            } else {
                "other"
            };
            println!("      {stamp} {what}");
        }
    }
}
