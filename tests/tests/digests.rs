//! Personal digests end to end: a person types `!digest daily` in the section room, the bot
//! opens a DM with them (an `is_direct` invite to a private room), and the digest arrives
//! there with the new proposal and the late action they own (`pspm_digests_sent_total`
//! counts it); after a restart no second digest the same day and no second DM. A person who
//! opens a DM with the bot themselves subscribes there and gets their digest there.

use std::time::Duration;

use anyhow::anyhow;
use pspm_e2e::local_plan::LocalPlan;
use pspm_e2e::{wait_for, Result, User};
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(90);

fn body(event: &Value) -> String {
    event["content"]["body"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Rooms `user` is invited to by `inviter` as a DM (`is_direct`).
pub(crate) async fn direct_invites(user: &User, inviter: &str) -> Result<Vec<String>> {
    let sync = user.get("/sync?timeout=0").await?;
    let invites = sync["rooms"]["invite"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    Ok(invites
        .into_iter()
        .filter(|(_, room)| {
            room["invite_state"]["events"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|e| {
                    e["type"] == "m.room.member"
                        && e["sender"] == inviter
                        && e["content"]["is_direct"] == true
                })
        })
        .map(|(room_id, _)| room_id)
        .collect())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_digest_subscription_opens_a_dm_and_the_digest_arrives_once() -> Result<()> {
    let alice_id = format!("@person0:{}", pspm_e2e::local_plan::SERVER);
    let port = pspm_e2e::free_port()?;
    let mut plan = LocalPlan::start_with("mon", 2, |bot| {
        bot.write_plan_text(&super::monitoring::plan(&alice_id, "@nobody:ministry.test"))?;
        // The digest time has always passed: the first tick after the DM is known sends it.
        bot.append_config(&format!(
            "[monitoring]\nreminder_time = \"00:00\"\ntime_zone = \"Europe/Rome\"\n\n\
             [http]\nlisten = \"127.0.0.1:{port}\"\n"
        ))
    })
    .await?;
    let alice = &plan.people[0];
    assert_eq!(alice.user_id, alice_id);
    let bot_id = plan.bot.user_id.clone();
    let (number, _) = plan
        .propose(&plan.moderator, "Open the bus timetables")
        .await?;

    let reply = plan.ask(alice, "!digest daily").await?;
    assert_eq!(
        body(&reply),
        "Digest daily for all sections; you get it in your DM with me."
    );
    let bad = plan.ask(alice, "!digest hourly").await?;
    assert!(body(&bad).contains("hourly"), "{bad}");

    // The DM: one invite, from the bot, marked direct.
    let dm = wait_for(WAIT, || async {
        Ok(direct_invites(alice, &bot_id).await?.into_iter().next())
    })
    .await?
    .ok_or_else(|| anyhow!("no DM invite from the bot"))?;
    alice.join(&dm).await?;
    let digests = || async {
        let events = alice.messages(&dm).await?;
        Ok::<_, anyhow::Error>(
            events
                .into_iter()
                .filter(|e| {
                    e["sender"] == bot_id.as_str() && body(e).starts_with("Your daily digest")
                })
                .map(|e| body(&e))
                .collect::<Vec<_>>(),
        )
    };
    let digest = wait_for(WAIT, || async { Ok(digests().await?.into_iter().next()) })
        .await?
        .ok_or_else(|| anyhow!("no digest in the DM"))?;
    assert!(
        digest.starts_with("Your daily digest of Piano di monitoraggio — "),
        "{digest}"
    );
    assert!(
        digest.contains(&format!(
            "New proposal #{number} in Dati pubblici: Open the bus timetables"
        )),
        "{digest}"
    );
    assert!(
        digest.contains("Late: `A.LATE` Catalogo dei dati"),
        "{digest}"
    );
    assert!(!digest.contains("A.SOON"), "not hers: {digest}");
    assert_eq!(digests_sent(port).await?, 1);

    // A restart the same day: no second digest, and a new subscription opens no second DM.
    plan.bot.stop()?;
    plan.bot.start()?;
    let reply = plan.ask(alice, "!digest daily dati").await?;
    assert_eq!(
        body(&reply),
        "Digest daily for Dati pubblici; you get it in your DM with me."
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        digests().await?.len(),
        1,
        "one digest a day, across restarts"
    );
    assert!(
        direct_invites(alice, &bot_id).await?.is_empty(),
        "no second DM"
    );
    let joined = alice.get("/joined_rooms").await?;
    let rooms = joined["joined_rooms"].as_array().map_or(0, Vec::len);
    assert_eq!(rooms, 3, "the Space, the section and one DM: {joined}");

    // Bea opens a DM with the bot herself and subscribes there: the reply and the digest
    // come in that DM, and the bot opens no other.
    let bea = &plan.people[1];
    let own_dm = bea
        .create_room(json!({
            "preset": "trusted_private_chat",
            "is_direct": true,
            "invite": [bot_id],
        }))
        .await?;
    wait_for(WAIT, || async {
        Ok((bea.membership(&own_dm, &bot_id).await?.as_deref() == Some("join")).then_some(()))
    })
    .await?
    .ok_or_else(|| anyhow!("the bot never joined Bea's DM"))?;
    let reply = bea.command(&own_dm, &bot_id, "!digest weekly").await?;
    assert_eq!(
        reply["body"],
        "Digest weekly for all sections; you get it in your DM with me."
    );
    let weekly = wait_for(WAIT, || async {
        let events = bea.messages(&own_dm).await?;
        Ok(events
            .into_iter()
            .find(|e| e["sender"] == bot_id.as_str() && body(e).starts_with("Your weekly digest"))
            .map(|e| body(&e)))
    })
    .await?
    .ok_or_else(|| anyhow!("no digest in Bea's DM"))?;
    assert!(weekly.contains("Open the bus timetables"), "{weekly}");
    assert!(!weekly.contains("A.LATE"), "not hers: {weekly}");
    assert!(
        direct_invites(bea, &bot_id).await?.is_empty(),
        "no DM from the bot"
    );
    assert_eq!(digests_sent(port).await?, 1, "counted since the restart");
    Ok(())
}

/// `pspm_digests_sent_total` as the bot's `/metrics` says it now.
async fn digests_sent(port: u16) -> Result<u64> {
    let text = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await?
        .text()
        .await?;
    text.lines()
        .find_map(|line| line.strip_prefix("pspm_digests_sent_total "))
        .and_then(|value| value.trim().parse().ok())
        .ok_or_else(|| anyhow!("no pspm_digests_sent_total in {text}"))
}
