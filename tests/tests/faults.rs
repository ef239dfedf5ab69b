//! Faults on one homeserver: Synapse killed (SIGKILL) mid-stream and restarted while three
//! people vote (and now and then ask the bot something), their clients retrying as a
//! person's client does.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use pspm_e2e::bench::futures_join_all;
use pspm_e2e::local_plan::{LocalPlan, WAIT};
use pspm_e2e::traffic::{Act, Mix, Person};
use pspm_e2e::{wait_for, Result, Rng};

#[tokio::test(flavor = "multi_thread")]
async fn votes_count_and_commands_are_answered_exactly_once_although_synapse_is_killed_mid_stream(
) -> Result<()> {
    const ACTS_EACH: usize = 120;
    // Mostly votes; a command now and then, whose reply the bot sends across the kills too.
    const MIX: Mix = Mix {
        votes: 9,
        comments: 0,
        commands: 1,
        proposals: 0,
    };
    const KILLS: usize = 2;
    let mut plan = LocalPlan::start("sigkill", 3).await?;
    let mut cards = Vec::new();
    for (i, title) in ["Dati aperti", "Cloud", "Identità digitale", "Formazione"]
        .iter()
        .enumerate()
    {
        cards.push(plan.propose(&plan.people[i % 3], title).await?.1);
    }

    let mut seeds = Rng::from_env_or_time("synapse kill test");
    // Their clients ride out the outage: a send is retried, with its transaction ID.
    let mut people: Vec<(Person, Rng)> = plan
        .people
        .iter()
        .map(|user| {
            let person = Person::new(user.patient(Duration::from_secs(180)));
            (person, Rng::seeded(seeds.next_u64()))
        })
        .collect();
    let total = people.len() * ACTS_EACH;
    let sent = AtomicUsize::new(0);
    let (room, synapse) = (&plan.room, &mut plan.synapse);
    let voting = futures_join_all(people.iter_mut().map(|(person, rng)| {
        let (cards, sent) = (&cards, &sent);
        async move {
            let mut commands = Vec::new();
            for _ in 0..ACTS_EACH {
                if let Act::Command(id) = person.act(room, cards, MIX, rng).await? {
                    commands.push(id);
                }
                sent.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(rng.between(0, 40))).await;
            }
            Result::Ok(commands)
        }
    }));
    // Synapse dies while votes are on their way, at a third and two thirds of the stream.
    let killer = async {
        let mut killed_at = Vec::new();
        for kill in 1..=KILLS {
            let at = total * kill / (KILLS + 1);
            while sent.load(Ordering::SeqCst) < at {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            synapse.stop()?;
            killed_at.push(sent.load(Ordering::SeqCst));
            tokio::time::sleep(Duration::from_secs(2)).await;
            synapse.restart().await?;
        }
        Result::Ok(killed_at)
    };
    let (voted, killed_at) = tokio::join!(voting, killer);
    let mut commands = Vec::new();
    for person in voted {
        commands.extend(person?);
    }
    let killed_at = killed_at?;
    let retries: u64 = people.iter().map(|(p, _)| p.user.outage_retries()).sum();
    eprintln!(
        "Synapse killed after {killed_at:?} of {total} actions ({} commands); {retries} requests retried",
        commands.len()
    );
    assert_eq!(sent.load(Ordering::SeqCst), total);
    assert!(
        killed_at.len() == KILLS && killed_at.iter().all(|at| *at < total),
        "Synapse was killed mid-stream: after {killed_at:?} of {total} actions"
    );
    assert!(retries > 0, "the votes kept coming while Synapse was down");
    assert!(
        plan.bot.is_running() && plan.bot.log().contains("retrying"),
        "the bot noticed the homeserver's death and rode it out:\n{}",
        plan.bot.log()
    );

    // Room history holds each vote the people sent once: retried sends kept their
    // transaction IDs, so none was lost or doubled.
    let history = plan.moderator.messages(&plan.room).await?;
    let standing = history
        .iter()
        .filter(|e| e["type"] == "m.reaction" && e["content"]["m.relates_to"]["key"].is_string())
        .filter(|e| {
            plan.people
                .iter()
                .any(|p| e["sender"] == p.user_id.as_str())
        })
        .count();
    let expected: usize = people.iter().map(|(person, _)| person.standing()).sum();
    assert_eq!(standing, expected, "standing reactions in history");

    // Every vote counts once: the export per proposal and organisation is room history's.
    let everyone: Vec<&pspm_e2e::User> = plan.people.iter().collect();
    plan.settle(&everyone).await?;
    let truth = plan.export_matches_history().await?;
    let counted = truth.standing_votes();
    assert!(counted > 0, "no vote stands: the test proved nothing");
    assert_eq!(truth.authors.len(), cards.len());

    // Each command has the bot's reply once, sent across the kills with its transaction ID.
    assert!(!commands.is_empty(), "no command was sent");
    let replies = || async {
        let mut counts = std::collections::HashMap::new();
        for (target, _) in plan
            .moderator
            .replies_from(&plan.room, &plan.bot.user_id)
            .await?
        {
            *counts.entry(target).or_insert(0) += 1;
        }
        Result::Ok(counts)
    };
    wait_for(WAIT, || async {
        let counts = replies().await?;
        Ok(commands
            .iter()
            .all(|c| counts.contains_key(c))
            .then_some(()))
    })
    .await?;
    // A doubled reply would follow within moments.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let replies = replies().await?;
    for command in &commands {
        assert_eq!(replies.get(command), Some(&1), "replies to {command}");
    }
    Ok(())
}
