//! Rebuild benchmark (run with `scripts/bench`): five people send 5,000 events of mixed
//! traffic (votes, withdrawals, comments, commands, a few proposals) while the bot runs;
//! then, the bot stopped, `pspm rebuild` — with the store kept aside, and with the store
//! deleted — against the floor: a plain client paging the same rooms (Space and section)
//! with `/messages`, 500 a page, as the rebuild does (goal: rebuild ≤ 2× the floor). Each
//! rebuild must give the same export but for `generated_at`.

use std::time::{Duration, Instant};

use anyhow::{bail, ensure};
use pspm_e2e::local_plan::LocalPlan;
use pspm_e2e::traffic::{all_act, crowd, Mix};
use pspm_e2e::{percent_encode, Observer, Result, Rng, User};
use serde_json::Value;

const PEOPLE: usize = 5;
const EVENTS: usize = 5_000;
const PROPOSALS: usize = 20;
const RUNS: usize = 3;
const MIX: Mix = Mix {
    votes: 76,
    comments: 12,
    commands: 10,
    proposals: 2,
};

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<()> {
    let mut plan = LocalPlan::start("rebuild", PEOPLE).await?;
    let cards = plan.propose_each(PROPOSALS, "Proposta").await?;
    let observer = Observer::start(&plan.moderator).await?;
    let mut seeds = Rng::from_env_or_time("rebuild benchmark");
    let mut people = crowd(&plan.people, &mut seeds);
    all_act(&mut people, &plan.room, &cards, MIX, EVENTS / PEOPLE).await?;
    let everyone: Vec<&User> = plan.people.iter().collect();
    plan.settle_observed(&observer, &everyone).await?;
    drop(observer);
    plan.bot.stop()?;

    let dir = tempfile::tempdir()?;
    let before = without_time(plan.cli_export(&dir.path().join("before.json"))?);
    let space = plan
        .moderator
        .resolve_alias(&plan.space)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no Space"))?;
    let rooms = [plan.room.clone(), space];
    let mut events = 0;
    for room in &rooms {
        events += page_forward(&plan.moderator, room).await?.0;
    }
    println!("PSPM rebuild benchmark (Synapse on SQLite, loopback, this machine)");
    println!(
        "history: {events} events in the plan's rooms (Space and section), {} proposals",
        before["proposals"].as_array().map_or(0, Vec::len)
    );

    let (mut floor, mut kept, mut lost) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..RUNS {
        let mut paging = Duration::ZERO;
        for room in &rooms {
            paging += page_forward(&plan.moderator, room).await?.1;
        }
        floor.push(paging);
        kept.push(rebuild(&plan, false)?);
        let after = without_time(plan.cli_export(&dir.path().join(format!("kept-{run}.json")))?);
        ensure!(after == before, "a rebuild changed the export");
        lost.push(rebuild(&plan, true)?);
        let after = without_time(plan.cli_export(&dir.path().join(format!("lost-{run}.json")))?);
        ensure!(
            after == before,
            "a rebuild from a deleted store changed the export"
        );
    }
    let (floor, kept, lost) = (median(floor), median(kept), median(lost));
    println!(
        "floor: paging the rooms with /messages (500 a page): {:.2} s = {:.0} events/s (median of {RUNS})",
        floor.as_secs_f64(),
        events as f64 / floor.as_secs_f64()
    );
    for (what, took) in [("store kept aside", kept), ("store deleted", lost)] {
        println!(
            "pspm rebuild, {what}: {:.2} s = {:.0} events/s; rebuild / floor: {:.2}x (goal <= 2x)",
            took.as_secs_f64(),
            events as f64 / took.as_secs_f64(),
            took.as_secs_f64() / floor.as_secs_f64()
        );
    }
    println!("every rebuild gave the same export (but generated_at)");
    Ok(())
}

/// Runs `pspm rebuild` (after deleting every store if `lose_store`); returns its wall time.
fn rebuild(plan: &LocalPlan, lose_store: bool) -> Result<Duration> {
    let data = plan.bot.dir.path().join("data");
    for entry in std::fs::read_dir(&data)? {
        let path = entry?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        // Copies kept by earlier rebuilds go, so that the runs are alike.
        if name.starts_with("state.before-rebuild") || (lose_store && name == "state") {
            std::fs::remove_dir_all(&path)?;
        }
    }
    let started = Instant::now();
    let output = plan.bot.run_cli(&["rebuild"])?;
    let took = started.elapsed();
    if !output.status.success() {
        bail!(
            "pspm rebuild failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(took)
}

/// Pages a room's whole history forward with `/messages`, 500 a page (as `pspm rebuild`
/// does); returns the number of events and the time it took.
async fn page_forward(user: &User, room: &str) -> Result<(usize, Duration)> {
    let started = Instant::now();
    let (mut events, mut from): (usize, Option<String>) = (0, None);
    loop {
        let mut path = format!("/rooms/{}/messages?dir=f&limit=500", percent_encode(room));
        if let Some(from) = &from {
            path.push_str(&format!("&from={}", percent_encode(from)));
        }
        let page = user.get(&path).await?;
        let chunk = page["chunk"].as_array().map_or(0, Vec::len);
        events += chunk;
        match page["end"].as_str() {
            Some(end) if chunk > 0 => from = Some(end.to_owned()),
            _ => break,
        }
    }
    Ok((events, started.elapsed()))
}

fn without_time(mut export: Value) -> Value {
    export["generated_at"] = Value::Null;
    export
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}
