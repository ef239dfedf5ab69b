//! Integrations benchmark (run with `scripts/bench`):
//!
//! - `pspm import progress` of 10,000 rows while the bot runs, until every update is applied
//!   (the bot's `!ping` answered after its last import message), with Synapse's rate limits
//!   raised (the bot's account exempt, as in production) and at Synapse's defaults (0.2
//!   messages/s, burst 10), each against its floor: a plain client sending the same import
//!   messages' contents to the room.
//! - `POST /api/v1/measurements`: 1,000 measurements from 10 clients at once, the accept
//!   latency's p50 and p99, beside `GET /health` on the same listener, interleaved.
//!
//! Each run checks the outcome: every update and every measurement counted once.

use std::time::{Duration, Instant};

use anyhow::{anyhow, ensure};
use pspm_e2e::bench::{futures_join_all, ms, summary};
use pspm_e2e::{free_port, wait_for, Bot, BotSetup, RateLimits, Result, Synapse, User};
use serde_json::{json, Value};

const SERVER: &str = "ministry.test";
const ROWS: usize = 10_000;
const ACTIONS: usize = 50;
const MEASUREMENTS: usize = 1_000;
const CLIENTS: usize = 10;
const TOKEN: &str = "bench-0123456789abcdef";
const WAIT: Duration = Duration::from_secs(900);

fn plan() -> String {
    let mut plan = String::from(
        "[plan]\nid = \"bench\"\ntitle = \"Benchmark\"\n\n[[sections]]\nid = \"dati\"\ntitle = \"Dati\"\n\n\
         [[objectives]]\ncode = \"OB.1\"\nsection = \"dati\"\ntitle = \"Dati aperti\"\n\n\
         [[results]]\ncode = \"R.1\"\nobjective = \"OB.1\"\ntitle = \"Dataset\"\nunit = \"dataset\"\n",
    );
    for a in 0..ACTIONS {
        plan.push_str(&format!(
            "\n[[actions]]\ncode = \"A.{a}\"\nsection = \"dati\"\nobjective = \"OB.1\"\ntitle = \"Azione {a}\"\ndue = \"2027-12-31\"\n"
        ));
    }
    plan
}

struct Bed {
    _synapse: Synapse,
    bot: Bot,
    moderator: User,
    room: String,
    port: u16,
}

async fn bed(limits: RateLimits) -> Result<Bed> {
    let synapse = Synapse::start(SERVER, limits).await?;
    let bot_user = synapse.register("pspm", false).await?;
    let moderator = synapse.register("mod", false).await?;
    let port = free_port()?;
    let mut bot = Bot::configure(
        &synapse,
        &BotSetup {
            bot: &bot_user,
            plan_id: "bench",
            sections: &["dati"],
            language: "en",
            moderators: &[&moderator.user_id],
            allowed_servers: &[SERVER],
        },
    )?;
    bot.write_plan_text(&plan())?;
    bot.append_config(&format!(
        "[http]\nlisten = \"127.0.0.1:{port}\"\n\n[[http.sources]]\nname = \"bench\"\ntoken = \"{TOKEN}\"\n"
    ))?;
    bot.start()?;
    let alias = format!("#bench.dati:{SERVER}");
    let room = wait_for(Duration::from_secs(120), || async {
        moderator.resolve_alias(&alias).await
    })
    .await?
    .ok_or_else(|| anyhow!("{alias} never resolved"))?;
    moderator
        .join_section(&format!("#bench:{SERVER}"), &room)
        .await?;
    moderator.command(&room, &bot.user_id, "!ping").await?;
    Ok(Bed {
        _synapse: synapse,
        bot,
        moderator,
        room,
        port,
    })
}

/// The bot's import messages in the room, oldest first.
async fn import_messages(bed: &Bed) -> Result<Vec<Value>> {
    Ok(bed
        .moderator
        .messages(&bed.room)
        .await?
        .into_iter()
        .filter(|e| {
            e["sender"] == bed.bot.user_id.as_str() && e["content"]["it.pspm.import"].is_object()
        })
        .collect())
}

/// Progress updates in the moderators' export, all actions together.
async fn progress_updates(bed: &Bed) -> Result<usize> {
    let export = bed
        .moderator
        .chat_export(&bed.room, &bed.bot.user_id)
        .await?;
    Ok(export["actions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| a["progress_history"].as_array().map_or(0, Vec::len))
        .sum())
}

async fn import_run(limits: RateLimits, name: &str) -> Result<()> {
    let bed = bed(limits).await?;
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("progress.csv");
    let mut csv = String::from("action,progress,date,note\n");
    let start = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).ok_or_else(|| anyhow!("date"))?;
    for row in 0..ROWS {
        let day = start + chrono::Days::new((row / ACTIONS) as u64);
        csv.push_str(&format!("A.{},{},{day},\n", row % ACTIONS, row % 101));
    }
    std::fs::write(&file, csv)?;

    let started = Instant::now();
    let output = bed
        .bot
        .run_cli(&["import", "progress", file.to_str().unwrap_or_default()])?;
    ensure!(
        output.status.success(),
        "pspm import: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let queued = started.elapsed();
    let said = String::from_utf8(output.stdout)?;
    let messages: usize = said
        .split(" in ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| anyhow!("unexpected output: {said}"))?;
    wait_for(WAIT, || async {
        Ok((import_messages(&bed).await?.len() >= messages).then_some(()))
    })
    .await?
    .ok_or_else(|| anyhow!("the import messages never all arrived"))?;
    // The bot applies a room's events in order: its answer comes after the last import.
    bed.moderator
        .command(&bed.room, &bed.bot.user_id, "!ping")
        .await?;
    let applied = started.elapsed();
    let counted = progress_updates(&bed).await?;
    ensure!(counted == ROWS, "{counted} updates counted, not {ROWS}");

    // The floor: the same contents sent by a plain client, one after the other.
    let contents: Vec<Value> = import_messages(&bed)
        .await?
        .into_iter()
        .map(|e| e["content"].clone())
        .collect();
    let floor_started = Instant::now();
    for content in &contents {
        bed.moderator
            .send(&bed.room, "m.room.message", content.clone())
            .await?;
    }
    let floor = floor_started.elapsed();
    // A client's copies are not the bot's: nothing more is counted.
    bed.moderator
        .command(&bed.room, &bed.bot.user_id, "!ping")
        .await?;
    ensure!(progress_updates(&bed).await? == ROWS, "a copy was counted");
    println!(
        "import of {ROWS} progress rows, {name}: {messages} messages; queued in {:.2} s, all applied in {:.1} s = {:.0} rows/s; floor (a client sending the same {messages} messages): {:.1} s; import / floor: {:.2}x",
        queued.as_secs_f64(),
        applied.as_secs_f64(),
        ROWS as f64 / applied.as_secs_f64(),
        floor.as_secs_f64(),
        applied.as_secs_f64() / floor.as_secs_f64()
    );
    Ok(())
}

async fn webhook_run() -> Result<()> {
    let bed = bed(RateLimits::Raised).await?;
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{}", bed.port);
    let per_client = MEASUREMENTS / CLIENTS;
    let clients = (0..CLIENTS).map(|client| {
        let (http, base) = (http.clone(), base.clone());
        async move {
            let (mut posts, mut gets) = (Vec::new(), Vec::new());
            for i in 0..per_client {
                let n = client * per_client + i;
                let body = json!({ "result": "R.1", "value": n, "date": "2026-06-30",
                                   "idempotency_key": format!("m-{n}") });
                let started = Instant::now();
                let response = http
                    .post(format!("{base}/api/v1/measurements"))
                    .bearer_auth(TOKEN)
                    .json(&body)
                    .send()
                    .await?;
                posts.push(ms(started.elapsed()));
                ensure!(response.status().as_u16() == 202, "{}", response.status());
                let started = Instant::now();
                let health = http.get(format!("{base}/health")).send().await?;
                gets.push(ms(started.elapsed()));
                ensure!(health.status().is_success() || health.status().as_u16() == 503);
            }
            Result::Ok((posts, gets))
        }
    });
    let started = Instant::now();
    let (mut posts, mut gets) = (Vec::new(), Vec::new());
    for result in futures_join_all(clients).await {
        let (p, g) = result?;
        posts.extend(p);
        gets.extend(g);
    }
    let accepted = started.elapsed();
    let counted = wait_for(WAIT, || async {
        let export = bed
            .moderator
            .chat_export(&bed.room, &bed.bot.user_id)
            .await?;
        let n = export["results"][0]["measurements"]
            .as_array()
            .map_or(0, Vec::len);
        Ok((n >= MEASUREMENTS).then_some(n))
    })
    .await?
    .ok_or_else(|| anyhow!("the measurements never all arrived"))?;
    let applied = started.elapsed();
    ensure!(counted == MEASUREMENTS, "{counted} measurements counted");
    println!(
        "webhook: {MEASUREMENTS} measurements from {CLIENTS} clients at once, accepted in {:.2} s, all applied in {:.1} s",
        accepted.as_secs_f64(),
        applied.as_secs_f64()
    );
    let (post_p50, _, post_p99) = summary("POST /api/v1/measurements (accept)", posts);
    let (get_p50, _, get_p99) = summary("GET /health (baseline, interleaved)", gets);
    println!(
        "accept / baseline: p50 {:.2}x, p99 {:.2}x",
        post_p50 / get_p50,
        post_p99 / get_p99
    );
    Ok(())
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<()> {
    println!("PSPM integrations benchmark (Synapse on SQLite, loopback, this machine)");
    webhook_run().await?;
    import_run(RateLimits::Raised, "rate limits raised (the bot exempt)").await?;
    import_run(RateLimits::Default, "Synapse's default rate limits").await?;
    Ok(())
}
