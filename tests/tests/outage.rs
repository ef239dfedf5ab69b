//! Fault injection across homeservers: the ministry's server (the bot's) goes down while
//! the others keep voting. A binary of its own, so that it runs after the other end-to-end
//! tests and not under their load: a homeserver that cannot keep up fails to backfill the
//! gap its outage left and backs off for an hour (Synapse), so what it never gets no bot can
//! count — that is the homeserver's limit, not what this test is about.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::bail;
use pspm_e2e::federated_plan::{export_matches_history, World};
use pspm_e2e::federation::{Federation, MINISTRY};
use pspm_e2e::Result;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread")]
async fn votes_sent_while_the_ministry_is_down_count_exactly_once() -> Result<()> {
    let mut fed = Federation::start().await?;
    let handles = fed.handles();
    let w = World::new(handles).await?;
    let voters = [
        w.participant(w.fed.region(), "regione-a").await?,
        w.participant(w.fed.region(), "regione-b").await?,
        w.participant(w.fed.municipality(), "comune-a").await?,
        w.participant(w.fed.municipality(), "comune-b").await?,
    ];
    let mut cards = Vec::new();
    for (i, title) in ["Dati aperti", "Cloud", "Identità digitale"]
        .iter()
        .enumerate()
    {
        cards.push(w.propose(&voters[i], title).await?.1);
    }
    w.settle(&voters.iter().collect::<Vec<_>>()).await?;

    fed.server_mut(MINISTRY).stop()?;
    let outage = std::time::Instant::now();
    let mut sent = 0;
    let mut round = 0;
    // Each person's standing reaction per card and key (the same one twice is refused).
    let mut standing: HashMap<(usize, usize, &str), String> = HashMap::new();
    while outage.elapsed() < Duration::from_secs(20) {
        for (i, voter) in voters.iter().enumerate() {
            let card = (round + i) % cards.len();
            let key = if (round + i) % 3 == 0 { "👎" } else { "👍" };
            if let Some(previous) = standing.remove(&(i, card, key)) {
                voter.redact(&w.room, &previous).await?;
                sent += 1;
            }
            let reaction = voter.react(&w.room, &cards[card], key).await?;
            standing.insert((i, card, key), reaction);
            sent += 1;
        }
        round += 1;
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    fed.server_mut(MINISTRY).restart().await?;
    eprintln!("outage: {sent} events sent from region and municipality in 20 s");

    // Region's history is complete (it never went down): it is the truth.
    w.settle(&voters.iter().collect::<Vec<_>>()).await?;
    let truth = match export_matches_history(&w, &voters[0]).await {
        Ok(truth) => truth,
        Err(error) => {
            let bot_log = w.bot.log();
            let walks: Vec<&str> = bot_log
                .lines()
                .filter(|l| l.contains("walked back") || l.contains("missing from the sync"))
                .filter(|l| !l.contains("events=1"))
                .collect();
            let hs_log = fed.ministry().log();
            let backfill: Vec<&str> = hs_log
                .lines()
                .filter(|l| l.contains("ackfill") || l.contains("missing"))
                .take(60)
                .collect();
            let reactions =
                |history: &[Value]| history.iter().filter(|e| e["type"] == "m.reaction").count();
            let at_ministry = reactions(&w.moderator.messages(&w.room).await?);
            let at_region = reactions(&voters[0].messages(&w.room).await?);
            bail!(
                "{error:#}\nreactions in history: ministry {at_ministry}, region {at_region}\nbot walks:\n{}\nministry:\n{}",
                walks.join("\n"),
                backfill.join("\n")
            )
        }
    };
    let counted = truth.standing_votes();
    assert!(counted > 0);
    drop(w);
    Ok(())
}
