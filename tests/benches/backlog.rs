//! Backlog benchmark (run with `scripts/bench`): the bot is stopped while five people act —
//! 5,000 events: votes, withdrawals, comments in the cards' threads, commands — then started.
//! - the catch-up: from the start to the commit that applied the backlog (from the bot's
//!   log), and to the reply to a `!ping` sent after it (every reply sent), each less the same
//!   measure for a start with nothing to catch up (login, provisioning, first sync), and the
//!   events per second they make;
//! - beside it, the floor: the time a plain client takes to page the same events with
//!   `/messages` (100 a page, as the bot's walk does), which the bot must at least do;
//! - nothing lost: every command in the backlog answered once, the export equal to what room
//!   history says.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure};
use pspm_e2e::federated_plan::exported;
use pspm_e2e::local_plan::{difference, LocalPlan};
use pspm_e2e::traffic::{all_act, crowd, Act, Mix};
use pspm_e2e::{percent_encode, Observer, Result, Rng, User};

const PEOPLE: usize = 5;
const BACKLOG: usize = 5_000;
const PROPOSALS: usize = 10;
/// Runs of the floor, whose median is reported (the machine's other load varies).
const FLOOR_RUNS: usize = 3;
const MIX: Mix = Mix {
    votes: 80,
    comments: 12,
    commands: 8,
    proposals: 0,
};

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<()> {
    let mut plan = LocalPlan::start("backlog", PEOPLE).await?;
    let cards = plan.propose_each(PROPOSALS, "Proposta").await?;
    let observer = Observer::start(&plan.moderator).await?;
    println!("PSPM backlog benchmark (Synapse on SQLite, loopback, this machine)");

    // A start with nothing to catch up: what the catch-up below is measured beyond.
    plan.bot.stop()?;
    let (log_before, wall_start) = (plan.bot.log().len(), chrono::Utc::now());
    let (idle, _) = start_and_ping(&mut plan, &observer).await?;
    println!("a start with nothing to catch up, from the bot's log:");
    breakdown(&plan.bot.log()[log_before..], wall_start, 1);

    // The backlog, sent by five people at once while the bot is down.
    plan.bot.stop()?;
    let mut seeds = Rng::from_env_or_time("backlog benchmark");
    let mut people = crowd(&plan.people, &mut seeds);
    let sending = Instant::now();
    let sent = all_act(&mut people, &plan.room, &cards, MIX, BACKLOG / PEOPLE).await?;
    let mut commands = Vec::new();
    let mut events = 0;
    for act in sent.into_iter().flatten() {
        events += 1;
        if let Act::Command(id) = act {
            commands.push(id);
        }
    }
    let sent_in = sending.elapsed();
    println!(
        "backlog: {events} events ({} commands) sent by {PEOPLE} people in {:.1} s",
        commands.len(),
        sent_in.as_secs_f64()
    );

    let log_before = plan.bot.log().len();
    let wall_start = chrono::Utc::now();
    let (catch_up, marker) = start_and_ping(&mut plan, &observer).await?;
    let beyond = catch_up.saturating_sub(idle);
    println!(
        "start with nothing to catch up: {:.2} s; with the backlog: {:.2} s",
        idle.as_secs_f64(),
        catch_up.as_secs_f64()
    );
    println!("the start with the backlog, from the bot's log:");
    let applied = breakdown(&plan.bot.log()[log_before..], wall_start, events)
        .ok_or_else(|| anyhow::anyhow!("the bot's log does not show the backlog applied"))?;
    let applied = Duration::from_millis(applied as u64).saturating_sub(idle);
    println!(
        "catch-up, beyond a start's own time: backlog applied in {:.2} s = {:.0} events/s; every reply sent ({} commands) in {:.2} s = {:.0} events/s",
        applied.as_secs_f64(),
        events as f64 / applied.as_secs_f64(),
        commands.len(),
        beyond.as_secs_f64(),
        events as f64 / beyond.as_secs_f64()
    );
    let mut floors = Vec::new();
    for _ in 0..FLOOR_RUNS {
        floors.push(page_back(&plan.moderator, &plan.room, &marker, events).await?);
    }
    floors.sort();
    let floor = floors[FLOOR_RUNS / 2];
    println!(
        "floor: paging the same {events} events with /messages (100 a page), median of {FLOOR_RUNS}: {:.2} s = {:.0} events/s; applied / floor: {:.2}x",
        floor.as_secs_f64(),
        events as f64 / floor.as_secs_f64(),
        applied.as_secs_f64() / floor.as_secs_f64()
    );

    // Nothing lost: each command answered once, the export is room history's.
    let all_in = pspm_e2e::wait_for(Duration::from_secs(120), || async {
        let answered = replies(&plan).await?;
        Ok(commands
            .iter()
            .all(|c| answered.contains_key(c))
            .then_some(()))
    })
    .await?;
    ensure!(all_in.is_some(), "not every command was answered");
    // Late duplicates would come within moments.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let answered = replies(&plan).await?;
    let missing = commands
        .iter()
        .filter(|c| !answered.contains_key(*c))
        .count();
    let doubled = commands
        .iter()
        .filter(|c| answered.get(*c).is_some_and(|n| *n > 1))
        .count();
    ensure!(
        missing == 0 && doubled == 0,
        "{missing} commands unanswered, {doubled} answered twice"
    );
    plan.bot.stop()?;
    let dir = tempfile::tempdir()?;
    let export = exported(&plan.cli_export(&dir.path().join("export.json"))?);
    let truth = plan.truth().await?;
    if export != truth {
        bail!(
            "the export does not match room history:\n{}",
            difference(&truth, &export)
        );
    }
    let votes = truth.standing_votes();
    let comments: u64 = truth.comments.values().sum();
    println!(
        "nothing lost: {} commands answered once each; export = room history ({votes} standing votes, {comments} comments)",
        commands.len()
    );
    Ok(())
}

/// Sends a `!ping` while the bot is stopped, starts it and returns the time until the reply,
/// and the ping's event ID.
async fn start_and_ping(plan: &mut LocalPlan, observer: &Observer) -> Result<(Duration, String)> {
    let ping = plan.moderator.send_text(&plan.room, "!ping").await?;
    let started = Instant::now();
    plan.bot.start()?;
    let (arrived, _) = observer.reply_to(&ping, Duration::from_secs(600)).await?;
    Ok((arrived - started, ping))
}

/// Pages back from just before `event_id` with `/messages`, 100 a page, until `events`
/// events are passed; returns the time it took.
async fn page_back(user: &User, room: &str, event_id: &str, events: usize) -> Result<Duration> {
    let context = user
        .get(&format!(
            "/rooms/{}/context/{}?limit=0",
            percent_encode(room),
            percent_encode(event_id)
        ))
        .await?;
    let mut from = context["start"].as_str().map(str::to_owned);
    let started = Instant::now();
    let mut passed = 0;
    while passed < events {
        let mut path = format!("/rooms/{}/messages?dir=b&limit=100", percent_encode(room));
        if let Some(from) = &from {
            path.push_str(&format!("&from={}", percent_encode(from)));
        }
        let page = user.get(&path).await?;
        let chunk = page["chunk"].as_array().map_or(0, Vec::len);
        passed += chunk;
        match page["end"].as_str() {
            Some(end) if chunk > 0 => from = Some(end.to_owned()),
            _ => break,
        }
    }
    ensure!(
        passed >= events,
        "only {passed} events in the room's history"
    );
    Ok(started.elapsed())
}

/// Where a start's time went, from the bot's log of it: milliseconds after the start of the
/// first line of each step. Returns when the commits had applied `events` events.
fn breakdown(log: &str, start: chrono::DateTime<chrono::Utc>, events: usize) -> Option<i64> {
    let at = |line: &str| {
        line.split_whitespace()
            .next()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| (t.with_timezone(&chrono::Utc) - start).num_milliseconds())
    };
    let field = |line: &str, name: &str| {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(name))
            .and_then(|v| v.parse::<f64>().ok())
    };
    for (needle, step) in [
        ("reusing the saved session", "logged in"),
        ("is live", "plan rooms provisioned"),
        (
            "walked back through the room's history",
            "room history paged back",
        ),
    ] {
        match log.lines().find(|l| l.contains(needle)) {
            Some(line) => {
                let walk = field(line, "walk_ms=")
                    .map(|ms| format!(" (the walk: {ms:.0} ms)"))
                    .unwrap_or_default();
                println!("  {step}: at {} ms{walk}", at(line).unwrap_or(-1));
            }
            None => println!("  {step}: not in the bot's log"),
        }
    }
    let mut applied = 0.0;
    for line in log.lines().filter(|l| l.contains("batch committed")) {
        applied += field(line, "applied=").unwrap_or(0.0);
        if applied >= events as f64 {
            let when = at(line)?;
            println!("  {events} events applied and committed: at {when} ms");
            return Some(when);
        }
    }
    None
}

/// The bot's replies in the room, counted per event replied to.
async fn replies(plan: &LocalPlan) -> Result<BTreeMap<String, usize>> {
    let mut counts = BTreeMap::new();
    for (target, _) in plan
        .moderator
        .replies_from(&plan.room, &plan.bot.user_id)
        .await?
    {
        *counts.entry(target).or_default() += 1;
    }
    Ok(counts)
}
