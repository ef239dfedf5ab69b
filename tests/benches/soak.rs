//! Soak benchmark (not in CI): for `PSPM_SOAK_MINUTES` minutes (30 unless set), six people
//! send mixed traffic at their homeserver's pace — each sends as soon as the last send is
//! accepted: proposals, votes, withdrawals, comments in the cards' threads and commands —
//! while the bot runs. Reports the bot's resident memory at the start, every few minutes and
//! at the end, the outbox depth the bot logs every 30 s, the commands still unanswered at each
//! sample; then checks that every command was answered once and that the export's tallies
//! equal what room history says, and reports the bot's memory after a restart on the same
//! store (the state it loads, without what the run's allocations left).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure};
use pspm_e2e::bench::futures_join_all;
use pspm_e2e::federated_plan::exported;
use pspm_e2e::local_plan::{card_of, difference, LocalPlan};
use pspm_e2e::traffic::{crowd, Act, Mix};
use pspm_e2e::{Observer, Result, Rng, User};

const PEOPLE: usize = 6;
const FIRST_PROPOSALS: usize = 5;
/// Proposals stop coming past this many: a plan's section has tens, not thousands.
const MOST_PROPOSALS: usize = 80;
const MIX: Mix = Mix {
    votes: 70,
    comments: 15,
    commands: 13,
    proposals: 2,
};
const NO_PROPOSALS: Mix = Mix {
    proposals: 0,
    ..MIX
};

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<()> {
    let minutes: f64 = match std::env::var("PSPM_SOAK_MINUTES") {
        Ok(value) => value.parse()?,
        Err(_) => 30.0,
    };
    let length = Duration::from_secs_f64(minutes * 60.0);
    let sample_every = Duration::from_secs_f64((minutes * 60.0 / 6.0).clamp(10.0, 300.0));
    let plan = LocalPlan::start("soak", PEOPLE).await?;
    let mut first = Vec::new();
    for i in 0..FIRST_PROPOSALS {
        let author = &plan.people[i % PEOPLE];
        first.push(
            plan.propose(author, &format!("Proposta iniziale {i}"))
                .await?
                .1,
        );
    }
    let cards = Mutex::new(first);
    let observer = Observer::start(&plan.moderator).await?;
    println!("PSPM soak benchmark (Synapse on SQLite, loopback, this machine): {minutes} min");
    let rss_start = plan.bot.rss_mb().unwrap_or(f64::NAN);
    println!("bot RSS at the start: {rss_start:.1} MB");

    let mut seeds = Rng::from_env_or_time("soak benchmark");
    let mut people = crowd(&plan.people, &mut seeds);
    let (sent, sending) = (AtomicUsize::new(0), AtomicBool::new(true));
    let commands = Mutex::new(Vec::new());
    let started = Instant::now();
    let room = &plan.room;
    let traffic = futures_join_all(people.iter_mut().map(|(person, rng)| {
        let (cards, sent, commands, observer) = (&cards, &sent, &commands, &observer);
        async move {
            while started.elapsed() < length {
                let now: Vec<String> = cards.lock().unwrap_or_else(|e| e.into_inner()).clone();
                let mix = if now.len() < MOST_PROPOSALS {
                    MIX
                } else {
                    NO_PROPOSALS
                };
                let act = person.act(room, &now, mix, rng).await?;
                sent.fetch_add(1, Ordering::Relaxed);
                match act {
                    Act::Command(id) => commands.lock().unwrap_or_else(|e| e.into_inner()).push(id),
                    // The author waits for the card, as a person does, then it can be voted on.
                    Act::Proposal(id) => {
                        let (_, reply) = observer.reply_to(&id, Duration::from_secs(120)).await?;
                        let (_, card) = card_of(&reply)
                            .ok_or_else(|| anyhow::anyhow!("not a card: {reply}"))?;
                        cards.lock().unwrap_or_else(|e| e.into_inner()).push(card);
                        commands.lock().unwrap_or_else(|e| e.into_inner()).push(id);
                    }
                    _ => {}
                }
            }
            Result::Ok(())
        }
    }));
    let sampler = async {
        let mut samples = Vec::new();
        while sending.load(Ordering::Relaxed) {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let due = samples.len() as u32 + 1;
            if started.elapsed() < sample_every * due {
                continue;
            }
            let waiting = commands
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .filter(|id| !observer.has_reply(id))
                .count();
            let sample = (
                started.elapsed(),
                sent.load(Ordering::Relaxed),
                plan.bot.rss_mb().unwrap_or(f64::NAN),
                waiting,
            );
            println!(
                "at {:>5.1} min: {:>6} events sent, bot RSS {:>6.1} MB, {waiting} commands waiting for their reply",
                sample.0.as_secs_f64() / 60.0,
                sample.1,
                sample.2
            );
            samples.push(sample);
        }
        samples
    };
    let (traffic, _) = tokio::join!(
        async {
            let done = traffic.await;
            sending.store(false, Ordering::Relaxed);
            done
        },
        sampler
    );
    for person in traffic {
        person?;
    }
    let events = sent.load(Ordering::Relaxed);
    let took = started.elapsed();
    println!(
        "traffic: {events} events in {:.1} min = {:.1} events/s from {PEOPLE} people",
        took.as_secs_f64() / 60.0,
        events as f64 / took.as_secs_f64()
    );

    // Every command answered: then the bot has applied all that came before.
    let everyone: Vec<&User> = plan.people.iter().collect();
    let settling = Instant::now();
    plan.settle_observed(&observer, &everyone).await?;
    let commands = commands.into_inner().unwrap_or_else(|e| e.into_inner());
    for id in &commands {
        observer.reply_to(id, Duration::from_secs(300)).await?;
    }
    println!(
        "caught up {:.1} s after the traffic stopped",
        settling.elapsed().as_secs_f64()
    );
    let rss_end = plan.bot.rss_mb().unwrap_or(f64::NAN);
    println!("bot RSS at the end: {rss_end:.1} MB (start {rss_start:.1} MB)");
    // The outbox depth the bot logged (every 30 s).
    let log = plan.bot.log();
    let depths: Vec<usize> = log
        .lines()
        .filter(|l| l.contains("pspm::matrix::outbox") && l.contains(" outbox "))
        .filter_map(|l| {
            let value = l.split("depth=").nth(1)?;
            value.split_whitespace().next()?.parse().ok()
        })
        .collect();
    ensure!(!depths.is_empty(), "the bot logged no outbox depth");
    println!(
        "outbox depth: first {}, last {}, largest {} ({} samples, every 30 s)",
        depths[0],
        depths[depths.len() - 1],
        depths.iter().max().unwrap_or(&0),
        depths.len()
    );

    // Each command once; the tallies are room history's. The history is read once: at tens
    // of thousands of events, paging it takes minutes.
    let mut plan = plan;
    drop(observer);
    plan.bot.stop()?;
    let dir = tempfile::tempdir()?;
    let export = exported(&plan.cli_export(&dir.path().join("export.json"))?);
    let history = plan.moderator.messages(&plan.room).await?;
    let mut answers = HashMap::new();
    for event in history
        .iter()
        .filter(|e| e["sender"] == plan.bot.user_id.as_str())
    {
        if let Some(target) = event["content"]["m.relates_to"]["m.in_reply_to"]["event_id"].as_str()
        {
            *answers.entry(target.to_owned()).or_insert(0usize) += 1;
        }
    }
    let doubled = commands
        .iter()
        .filter(|c| answers.get(*c).is_some_and(|n| *n > 1))
        .count();
    ensure!(doubled == 0, "{doubled} commands answered more than once");
    let truth = plan.truth_of(&history);
    if export != truth {
        bail!(
            "the tallies do not match room history:\n{}",
            difference(&truth, &export)
        );
    }
    let votes = truth.standing_votes();
    println!(
        "tallies = room history ({} events): {} proposals, {votes} standing votes, {} comments; {} commands answered once each",
        history.len(),
        truth.authors.len(),
        truth.comments.values().sum::<u64>(),
        commands.len()
    );

    // Memory after a restart on the same store: what the state it loads takes, beside what
    // the run had grown to.
    let observer = Observer::start(&plan.moderator).await?;
    plan.bot.start()?;
    let ping = plan.moderator.send_text(&plan.room, "!ping").await?;
    observer.reply_to(&ping, Duration::from_secs(120)).await?;
    println!(
        "bot RSS after a restart on the same store: {:.1} MB",
        plan.bot.rss_mb().unwrap_or(f64::NAN)
    );
    plan.bot.stop()?;
    Ok(())
}
