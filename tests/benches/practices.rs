//! The bot's resident memory with a 100k-document practice index open (run by
//! `scripts/bench`, after `cargo bench -p pspm-indexer` built that index in the folder named
//! by `PSPM_BENCH_INDEX`): the same bot, first with an empty index, then with the big one,
//! each after 90 `!search` commands of every kind, and the search round trip through chat.

use std::path::PathBuf;
use std::time::Instant;

use pspm_e2e::{bot_in_section, percentile, BotSetup, RateLimits, Result, Synapse, User};

const SERVER: &str = "ministry.test";
/// Searches of every kind the bot answers: common and rarer words, inflected forms, two
/// words, phrases, filters, typos (near matches), so that what they read is not one corner
/// of the index.
const QUERIES: [&str; 30] = [
    "software",
    "riuso software",
    "\"codice sorgente\"",
    "type:guideline licenza",
    "amministrazzione",
    "year:2018..2022 dati",
    "amministrazioni",
    "licenze aperte",
    "\"pubblica amministrazione\"",
    "manutenzione evolutiva",
    "valutazione comparativa",
    "titolarità",
    "developers italia",
    "cloud",
    "org:agid sicurezza",
    "interoperabilità",
    "\"open source\"",
    "fornitore",
    "documentazione tecnica",
    "glossario",
    "piattaforma",
    "lang:en software",
    "repository pubblico",
    "capitolato",
    "tag:cloud riuso",
    "licemze",
    "valutazine",
    "esigenze dell'amministrazione",
    "costi di migrazione",
    "contratto",
];

async fn measure(
    synapse: &Synapse,
    alice: &User,
    index: Option<&PathBuf>,
    name: &str,
) -> Result<()> {
    let id = if index.is_some() { "full" } else { "empty" };
    let bot_user = synapse.register(&format!("pspm-{id}"), false).await?;
    let plan_id = format!("rss-{id}");
    let setup = BotSetup {
        bot: &bot_user,
        plan_id: &plan_id,
        sections: &["dati"],
        language: "it",
        moderators: &[],
        allowed_servers: &[SERVER],
    };
    let link_index = |bot: &mut pspm_e2e::Bot| {
        if let Some(index) = index {
            let data = bot.dir.path().join("data");
            std::fs::create_dir_all(&data)?;
            std::os::unix::fs::symlink(index, data.join("index"))?;
        }
        Ok(())
    };
    let (mut bot, room) = bot_in_section(synapse, &setup, link_index, &[alice]).await?;
    let mut round_trips = Vec::new();
    for _ in 0..3 {
        for query in QUERIES {
            let started = Instant::now();
            alice
                .command(&room, &bot.user_id, &format!("!search {query}"))
                .await?;
            round_trips.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    round_trips.sort_by(f64::total_cmp);
    let rss = bot.rss_mb().unwrap_or(f64::NAN);
    println!(
        "bot with {name:<13} resident memory {rss:>6.1} MB; !search as a polling test client sees it: p50 {:.1} ms, p95 {:.1} ms",
        percentile(&round_trips, 50.0),
        percentile(&round_trips, 95.0)
    );
    bot.stop()?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let Some(index) = std::env::var_os("PSPM_BENCH_INDEX").map(PathBuf::from) else {
        println!("practices: set PSPM_BENCH_INDEX to a kept benchmark index (scripts/bench does)");
        return Ok(());
    };
    let synapse = Synapse::start(SERVER, RateLimits::Raised).await?;
    let alice = synapse.register("alice", false).await?;
    synapse.exempt_from_rate_limits(&alice).await?;
    measure(&synapse, &alice, None, "empty index").await?;
    measure(&synapse, &alice, Some(&index), "100k index").await?;
    Ok(())
}
