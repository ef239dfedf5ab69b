//! Public Bodies on their own homeservers: four real Synapses federating over loopback
//! (ministry with the bot, region, municipality, and an outsider the plan does not admit).
//! Ground truth is counted from room history as a homeserver shows it, never from the bot.

use anyhow::anyhow;
use pspm_e2e::federated_plan::{
    export_matches_history, World, MINISTRY, MUNICIPALITY, REGION, WAIT,
};
use pspm_e2e::federation::{unique, Federation};
use pspm_e2e::{wait_for, Result};
use serde_json::{json, Value};

fn body(reply: &Value) -> &str {
    reply["content"]["body"].as_str().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn public_bodies_take_part_from_their_own_servers_and_are_counted_per_organisation(
) -> Result<()> {
    let w = World::new(Federation::shared().await?).await?;
    let regione_a = w.participant(w.fed.region(), "regione-a").await?;
    let regione_b = w.participant(w.fed.region(), "regione-b").await?;
    let comune = w.participant(w.fed.municipality(), "comune").await?;
    let ministero = w.participant(w.fed.ministry(), "ministero").await?;

    let (first, first_card) = w.propose(&regione_a, "Catalogo regionale dei dati").await?;
    let (second, second_card) = w.propose(&comune, "Sportello digitale unico").await?;
    for (user, card, key) in [
        (&regione_a, &first_card, "👍"),
        (&regione_b, &first_card, "👎"),
        (&comune, &first_card, "👍"),
        (&ministero, &first_card, "👍"),
        (&regione_b, &second_card, "👍"),
        (&ministero, &second_card, "👎"),
    ] {
        user.react(&w.room, card, key).await?;
    }
    // A change of mind: the latest standing reaction counts.
    let changed = comune.react(&w.room, &second_card, "👎").await?;
    comune.redact(&w.room, &changed).await?;
    comune.react(&w.room, &second_card, "👍").await?;
    regione_a
        .send_in_thread(&w.room, &second_card, "Serve anche per le imprese")
        .await?;
    comune
        .send_in_thread(&w.room, &first_card, "Con quali formati?")
        .await?;
    regione_b
        .send_in_thread(&w.room, &first_card, "Anche dati territoriali")
        .await?;

    // A native poll, answered from two servers (one answer spoiled by an unknown id).
    w.ask(&w.moderator, "!prioritise 1 2").await?;
    let start = wait_for(WAIT, || async {
        Ok(regione_a.messages(&w.room).await?.into_iter().find(|e| {
            e["type"] == "org.matrix.msc3381.poll.start" && e["sender"] == w.bot.user_id.as_str()
        }))
    })
    .await?
    .ok_or_else(|| anyhow!("the poll never reached the region"))?;
    let poll = &start["content"]["org.matrix.msc3381.poll.start"];
    let answer = poll["answers"][0]["id"].as_str().unwrap_or_default();
    let start_id = start["event_id"].as_str().unwrap_or_default();
    let respond = |answers: Value| {
        json!({"org.matrix.msc3381.poll.response": {"answers": answers},
               "m.relates_to": {"rel_type": "m.reference", "event_id": start_id}})
    };
    let kind = "org.matrix.msc3381.poll.response";
    regione_a
        .send(&w.room, kind, respond(json!([answer])))
        .await?;
    comune.send(&w.room, kind, respond(json!([answer]))).await?;
    regione_b
        .send(&w.room, kind, respond(json!(["nope"])))
        .await?;

    w.settle(&[&regione_a, &regione_b, &comune, &ministero])
        .await?;
    let truth = export_matches_history(&w, &w.moderator).await?;
    // The truth is not empty: every organisation shows up where it acted.
    assert_eq!(truth.authors[&first], REGION);
    assert_eq!(truth.authors[&second], MUNICIPALITY);
    assert_eq!(truth.votes[&first][REGION], (1, 1));
    assert_eq!(truth.votes[&first][MUNICIPALITY], (1, 0));
    assert_eq!(truth.votes[&first][MINISTRY], (1, 0));
    assert_eq!(truth.votes[&second][MUNICIPALITY], (1, 0));
    assert_eq!(truth.comments[REGION], 2);
    assert_eq!(truth.poll_voters[REGION], 1);
    assert_eq!(truth.poll_voters[MUNICIPALITY], 1);

    // The same figures in chat, as people of another server read them.
    let shown = w.ask(&regione_b, &format!("!show {first}")).await?;
    for line in [
        format!("{REGION}: 👍 1 · 👎 1"),
        format!("{MUNICIPALITY}: 👍 1 · 👎 0"),
        format!("{MINISTRY}: 👍 1 · 👎 0"),
    ] {
        assert!(body(&shown).contains(&line), "{line}\n{}", body(&shown));
    }
    let stats = w.ask(&comune, "!stats").await?;
    for line in [
        format!("{REGION}: proposals 1 · voters 2 · votes 3 (👍 2 · 👎 1) · comments 2"),
        format!("{MUNICIPALITY}: proposals 1 · voters 1 · votes 2 (👍 2 · 👎 0) · comments 1"),
        format!("{MINISTRY}: proposals 0 · voters 1 · votes 2 (👍 1 · 👎 1) · comments 0"),
    ] {
        assert!(body(&stats).contains(&line), "{line}\n{}", body(&stats));
    }
    Ok(())
}

/// Lifts the plan rooms' ACL as a room admin could (the bot's own account: it created the
/// rooms), so that a server not admitted can get in: the state before ACLs existed.
async fn lift_acl(w: &World) -> Result<()> {
    for room in [&w.space, &w.room] {
        w.bot_user
            .put(
                &format!(
                    "/rooms/{}/state/m.room.server_acl/",
                    pspm_e2e::percent_encode(room)
                ),
                json!({"allow": ["*"], "deny": [], "allow_ip_literals": true}),
            )
            .await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_not_admitted_cannot_join_and_what_it_sent_before_the_acl_changes_nothing(
) -> Result<()> {
    let mut w = World::new(Federation::shared().await?).await?;
    let ministry = w.ministry_name();
    let regione = w.participant(w.fed.region(), "regione").await?;
    let (number, card) = w.propose(&regione, "Open data").await?;
    regione.react(&w.room, &card, "👍").await?;

    // With the ACL: the outsider's server is refused at the door, Space and section.
    let outsider = w
        .fed
        .outsider()
        .register(&unique("estraneo"), false)
        .await?;
    for room in [format!("#{}:{ministry}", w.plan), w.room.clone()] {
        let refused = outsider
            .try_join_via(&room, &[&ministry])
            .await?
            .err()
            .ok_or_else(|| anyhow!("the outsider joined {room}"))?;
        assert_eq!(refused.status, 403, "{refused:?}");
    }

    // Without it (as before ACLs existed), the outsider gets in and acts: nothing counts.
    w.settle(&[&regione]).await?;
    let before = w.export().await?;
    lift_acl(&w).await?;
    w.enter(&outsider).await?;
    let told = w.ask(&outsider, "!propose Spam").await?;
    assert!(
        body(&told).contains("is not allowed to take part"),
        "{told}"
    );
    outsider.react(&w.room, &card, "👎").await?;
    outsider
        .send_in_thread(&w.room, &card, "commento estraneo")
        .await?;
    outsider
        .send_text(&w.room, &format!("!vote {number} -"))
        .await?;
    w.settle(&[&regione]).await?;
    let after = w.export().await?;
    assert_eq!(after["proposals"], before["proposals"]);
    assert_eq!(after["comments"], before["comments"]);

    // A restart puts the ACL back; a fresh outsider is refused again. (An ACL turns away
    // servers not in the room: the outsider leaves first, and that leave has landed.)
    outsider
        .post(
            &format!("/rooms/{}/leave", pspm_e2e::percent_encode(&w.room)),
            json!({}),
        )
        .await?;
    wait_for(WAIT, || async {
        let membership = w.moderator.membership(&w.room, &outsider.user_id).await?;
        Ok((membership.as_deref() == Some("leave")).then_some(()))
    })
    .await?
    .ok_or_else(|| anyhow!("the outsider's leave never reached the ministry"))?;
    w.bot.stop()?;
    w.bot.start()?;
    let acl = wait_for(WAIT, || async {
        let acl = w
            .moderator
            .state(&w.room, "m.room.server_acl", "")
            .await?
            .unwrap_or_default();
        Ok((acl["allow"] != json!(["*"])).then_some(acl))
    })
    .await?
    .ok_or_else(|| anyhow!("the ACL was not restored on restart"))?;
    let hosts: Vec<&str> = acl["allow"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        hosts.contains(&"127.0.0.2") && hosts.contains(&"127.0.0.3"),
        "{acl}"
    );
    assert!(!hosts.iter().any(|h| h.starts_with("127.0.0.4")), "{acl}");
    let second = w
        .fed
        .outsider()
        .register(&unique("estraneo"), false)
        .await?;
    let refused = second
        .try_join_via(&w.room, &[&ministry])
        .await?
        .err()
        .ok_or_else(|| anyhow!("a new outsider joined after the restart"))?;
    assert_eq!(refused.status, 403);
    w.settle(&[&regione]).await?;
    assert_eq!(w.export().await?["proposals"], before["proposals"]);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn many_user_ids_of_a_server_not_admitted_get_one_answer() -> Result<()> {
    const USERS: usize = 12;
    let w = World::new(Federation::shared().await?).await?;
    let regione = w.participant(w.fed.region(), "regione").await?;
    let (_, card) = w.propose(&regione, "Open data").await?;
    lift_acl(&w).await?;
    let mut sent = Vec::new();
    for _ in 0..USERS {
        let outsider = w
            .fed
            .outsider()
            .register(&unique("estraneo"), false)
            .await?;
        w.enter(&outsider).await?;
        sent.push(outsider.send_text(&w.room, "!ping").await?);
        // A server reacts only to events it has: wait until the card has reached it.
        wait_for(WAIT, || async {
            let history = outsider.messages(&w.room).await?;
            Ok(history
                .iter()
                .any(|e| e["event_id"] == card.as_str())
                .then_some(()))
        })
        .await?
        .ok_or_else(|| anyhow!("the card never reached the outsider's server"))?;
        outsider.react(&w.room, &card, "👎").await?;
    }
    w.settle(&[&regione]).await?;
    // Everything the outsiders sent has reached the bot's server by now (or never will).
    let outsider_server = w.fed.outsider().server_name.clone();
    let history = w.moderator.messages(&w.room).await?;
    let arrived = history
        .iter()
        .filter(|e| sent.iter().any(|s| e["event_id"] == s.as_str()))
        .count();
    assert_eq!(
        arrived, USERS,
        "the outsiders' commands reached the ministry"
    );
    let notices = history
        .iter()
        .filter(|e| e["sender"] == w.bot.user_id.as_str())
        .filter(|e| {
            e["content"]["body"]
                .as_str()
                .is_some_and(|b| b.contains(&format!("{outsider_server} is not allowed")))
        })
        .count();
    assert_eq!(notices, 1, "one notice for the whole server");
    let answered = history
        .iter()
        .filter(|e| e["sender"] == w.bot.user_id.as_str())
        .filter_map(|e| e["content"]["m.relates_to"]["m.in_reply_to"]["event_id"].as_str())
        .filter(|target| sent.iter().any(|s| s == target))
        .count();
    assert!(
        answered <= 1,
        "{answered} outsiders' commands were answered"
    );
    let shown = w.ask(&regione, "!show 1").await?;
    assert!(body(&shown).contains("👍 0 · 👎 0"), "{}", body(&shown));
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn power_in_a_room_of_her_own_or_a_dm_gives_no_authority_over_the_plan() -> Result<()> {
    let w = World::new(Federation::shared().await?).await?;
    let regione = w.participant(w.fed.region(), "regione").await?;
    let (number, _) = w.propose(&regione, "Open data").await?;
    w.settle(&[&regione]).await?;
    let before = w.export().await?;
    let own = regione
        .create_room(json!({"preset": "private_chat", "name": "la mia stanza"}))
        .await?;
    let dm = regione
        .create_room(json!({"preset": "trusted_private_chat", "is_direct": true}))
        .await?;
    let commands = [
        "!phase closed all".to_owned(),
        format!("!hide {number} x"),
        format!("!accept {number}"),
        "!export json full".to_owned(),
    ];
    for room in [&own, &dm] {
        regione.invite(room, &w.bot.user_id).await?;
        wait_for(WAIT, || async {
            Ok(
                (regione.membership(room, &w.bot.user_id).await?.as_deref() == Some("join"))
                    .then_some(()),
            )
        })
        .await?
        .ok_or_else(|| {
            let log = w.bot.log();
            let mut lines: Vec<&str> = log.lines().filter(|l| l.contains(room.as_str())).collect();
            lines.extend(log.lines().rev().take(15));
            anyhow!(
                "the bot did not join {room}; its log says:\n{}",
                lines.join("\n")
            )
        })?;
        for raise in [false, true] {
            if raise {
                // A fresh power-levels event: she is 100 there, and so is everyone.
                let mut levels = regione
                    .state(room, "m.room.power_levels", "")
                    .await?
                    .unwrap_or_default();
                // (Room version 12 gives the creator power outside `users`.)
                if let Some(users) = levels["users"].as_object_mut() {
                    if users.contains_key(&regione.user_id) {
                        users.insert(regione.user_id.clone(), json!(100));
                    }
                }
                levels["users_default"] = json!(100);
                regione
                    .put(
                        &format!(
                            "/rooms/{}/state/m.room.power_levels/",
                            pspm_e2e::percent_encode(room)
                        ),
                        levels,
                    )
                    .await?;
            }
            for command in &commands {
                let reply = regione.command(room, &w.bot.user_id, command).await?;
                assert_eq!(
                    reply["body"], "Only moderators can use this command.",
                    "{command} (power raised: {raise})"
                );
            }
        }
    }
    let after = w.export().await?;
    assert_eq!(after["proposals"], before["proposals"]);
    assert_eq!(after["sections"], before["sections"]);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn where_anyone_may_redact_nobody_removes_another_persons_vote() -> Result<()> {
    let w = World::new(Federation::shared().await?).await?;
    let regione = w.participant(w.fed.region(), "regione").await?;
    let comune = w.participant(w.fed.municipality(), "comune").await?;
    let (number, card) = w.propose(&regione, "Open data").await?;
    // An admin lowers the redact level to 0: Synapse now lets anyone redact anything.
    let mut levels = w
        .bot_user
        .state(&w.room, "m.room.power_levels", "")
        .await?
        .unwrap_or_default();
    levels["redact"] = json!(0);
    w.bot_user
        .put(
            &format!(
                "/rooms/{}/state/m.room.power_levels/",
                pspm_e2e::percent_encode(&w.room)
            ),
            levels,
        )
        .await?;
    let vote = regione.react(&w.room, &card, "👍").await?;
    w.settle(&[&regione]).await?;
    comune.redact(&w.room, &vote).await?;
    w.settle(&[&comune]).await?;
    let shown = w.ask(&comune, &format!("!show {number}")).await?;
    assert!(body(&shown).contains("👍 1 · 👎 0"), "{}", body(&shown));
    // Her own redaction does withdraw it.
    regione.redact(&w.room, &vote).await?;
    w.settle(&[&regione]).await?;
    let shown = w.ask(&comune, &format!("!show {number}")).await?;
    assert!(body(&shown).contains("👍 0 · 👎 0"), "{}", body(&shown));
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invite_from_a_server_that_went_down_holds_up_no_other_room() -> Result<()> {
    let mut fed = Federation::start().await?;
    let w = World::new(fed.handles()).await?;
    let regione = w.participant(w.fed.region(), "regione").await?;
    let own = regione
        .create_room(json!({"preset": "private_chat", "name": "stanza regionale"}))
        .await?;
    // The invite reaches the ministry's server; then the only server in that room goes down,
    // so the bot's join cannot succeed for as long as it tries.
    regione.invite(&own, &w.bot.user_id).await?;
    fed.server_mut(pspm_e2e::federation::REGION).stop()?;
    wait_for(WAIT, || async {
        Ok(w.bot.log().contains("accepting invite").then_some(()))
    })
    .await?
    .ok_or_else(|| anyhow!("the bot never saw the invite"))?;
    let asked = std::time::Instant::now();
    let reply = w.ask(&w.moderator, "!ping").await?;
    let took = asked.elapsed();
    assert!(body(&reply).contains("pong"), "{reply}");
    // Joining alone would take the bot 10 s of retries; the plan's rooms do not wait for it.
    assert!(
        took < std::time::Duration::from_secs(5),
        "!ping answered after {took:?} while the bot was joining a room on a server that is down"
    );
    Ok(())
}
