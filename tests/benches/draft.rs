//! Draft benchmark (run with `cargo bench -p pspm-e2e --features e2e --bench draft`): a
//! section of 200 paragraphs posted by the bot on Synapse's default rate limits, the bot's
//! account exempt as `deploy/` makes it: the time from the bot's start to the last paragraph
//! in the room (in order) and to its last 👍/👎 seed, then `!text §n` round trips.
//!
//! The run checks the outcome: 200 paragraphs, each once, in order, each seeded.

use std::time::{Duration, Instant};

use anyhow::{anyhow, ensure};
use pspm_e2e::bench::{ms, summary};
use pspm_e2e::{wait_for, Bot, BotSetup, RateLimits, Result, Synapse};
use serde_json::Value;

const SERVER: &str = "ministry.test";
const PARAGRAPHS: usize = 200;
const WAIT: Duration = Duration::from_secs(600);

fn draft() -> String {
    (1..=PARAGRAPHS)
        .map(|n| {
            format!(
                "Paragrafo {n}: le amministrazioni pubblicano i dati che producono in formati \
                 aperti, con licenze che ne consentono il riuso.\n\n"
            )
        })
        .collect()
}

const PLAN: &str = "[plan]\nid = \"bench\"\ntitle = \"Benchmark\"\n\n\
[[sections]]\nid = \"dati\"\ntitle = \"Dati\"\ntext = \"bozza.md\"\n";

#[tokio::main]
async fn main() -> Result<()> {
    let synapse = Synapse::start(SERVER, RateLimits::Default).await?;
    let bot_user = synapse.register("pspm", false).await?;
    synapse.exempt_from_rate_limits(&bot_user).await?;
    let reader = synapse.register("reader", false).await?;
    synapse.exempt_from_rate_limits(&reader).await?;
    let mut bot = Bot::configure(
        &synapse,
        &BotSetup {
            bot: &bot_user,
            plan_id: "bench",
            sections: &["dati"],
            language: "it",
            moderators: &[],
            allowed_servers: &[SERVER],
        },
    )?;
    bot.write_plan_text(PLAN)?;
    std::fs::write(bot.dir.path().join("bozza.md"), draft())?;
    let started = Instant::now();
    bot.start()?;
    let alias = format!("#bench.dati:{SERVER}");
    let room = wait_for(WAIT, || async { reader.resolve_alias(&alias).await })
        .await?
        .ok_or_else(|| anyhow!("{alias} never resolved"))?;
    reader
        .join_section(&format!("#bench:{SERVER}"), &room)
        .await?;
    let bot_id = bot.user_id.clone();
    let is_item =
        |e: &Value| e["sender"] == bot_id.as_str() && e["content"]["it.pspm.item"].is_string();
    let items = wait_for(WAIT, || async {
        let events = reader.messages(&room).await?;
        let items: Vec<Value> = events.into_iter().filter(is_item).collect();
        Ok((items.len() >= PARAGRAPHS).then_some(items))
    })
    .await?
    .ok_or_else(|| anyhow!("the draft was never posted whole"))?;
    let posted = started.elapsed();
    let keys: Vec<&str> = items
        .iter()
        .filter_map(|e| e["content"]["it.pspm.item"].as_str())
        .collect();
    let expected: Vec<String> = (1..=PARAGRAPHS).map(|n| format!("§1.{n}")).collect();
    ensure!(keys == expected, "not once each in order: {keys:?}");
    let seeded = wait_for(WAIT, || async {
        let events = reader.messages(&room).await?;
        let seeds = events
            .iter()
            .filter(|e| e["sender"] == bot_id.as_str() && e["type"] == "m.reaction")
            .count();
        Ok((seeds >= 2 * PARAGRAPHS).then_some(()))
    })
    .await?;
    ensure!(seeded.is_some(), "not every paragraph was seeded");
    let seeded_at = started.elapsed();
    println!(
        "draft of {PARAGRAPHS} paragraphs on Synapse's default rate limits (bot exempt): \
         last paragraph after {:.1} s from the bot's start, last seed after {:.1} s",
        posted.as_secs_f64(),
        seeded_at.as_secs_f64()
    );
    let mut round_trips = Vec::new();
    for n in 0..20 {
        let at = Instant::now();
        let reply = reader
            .command(&room, &bot.user_id, &format!("!testo §{}", 1 + n * 9))
            .await?;
        round_trips.push(ms(at.elapsed()));
        ensure!(
            reply["body"].as_str().is_some_and(|b| b.contains("👍 0")),
            "{reply}"
        );
    }
    summary("!testo §n round trip (ms)", round_trips);
    bot.stop()?;
    Ok(())
}
