//! Faults on one homeserver: Synapse killed (SIGKILL) mid-stream and restarted while three
//! people vote, their clients retrying as a person's client does.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use pspm_e2e::bench::futures_join_all;
use pspm_e2e::local_plan::LocalPlan;
use pspm_e2e::traffic::Person;
use pspm_e2e::{Result, Rng};

#[tokio::test(flavor = "multi_thread")]
async fn votes_count_exactly_once_although_synapse_is_killed_mid_stream() -> Result<()> {
    const VOTES_EACH: usize = 120;
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
    let total = people.len() * VOTES_EACH;
    let sent = AtomicUsize::new(0);
    let (room, synapse) = (&plan.room, &mut plan.synapse);
    let voting = futures_join_all(people.iter_mut().map(|(person, rng)| {
        let (cards, sent) = (&cards, &sent);
        async move {
            for _ in 0..VOTES_EACH {
                person.vote(room, cards, rng).await?;
                sent.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(rng.between(0, 40))).await;
            }
            Result::Ok(())
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
    for person in voted {
        person?;
    }
    let killed_at = killed_at?;
    let retries: u64 = people.iter().map(|(p, _)| p.user.outage_retries()).sum();
    eprintln!("Synapse killed after {killed_at:?} of {total} votes; {retries} requests retried");
    assert_eq!(sent.load(Ordering::SeqCst), total);
    assert!(
        killed_at.len() == KILLS && killed_at.iter().all(|at| *at < total),
        "Synapse was killed mid-stream: after {killed_at:?} of {total} votes"
    );
    assert!(retries > 0, "the votes kept coming while Synapse was down");
    assert!(
        plan.bot.is_running(),
        "the bot rides out the homeserver's death"
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
    let counted: u64 = truth
        .votes
        .values()
        .flat_map(|by| by.values())
        .map(|(s, o)| s + o)
        .sum();
    assert!(counted > 0, "no vote stands: the test proved nothing");
    assert_eq!(truth.authors.len(), cards.len());
    Ok(())
}
