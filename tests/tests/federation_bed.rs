//! The federated test bed itself: four Synapse homeservers on loopback federate, a server ACL
//! keeps one out, and a server that was down catches up once it is back.

use std::time::{Duration, Instant};

use pspm_e2e::federation::{host, server_acl_allow, unique, Federation, MINISTRY, REGION};
use pspm_e2e::{percent_encode, percentile, Result};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread")]
async fn four_servers_federate_and_a_server_acl_keeps_the_outsider_out() -> Result<()> {
    let fed = Federation::shared().await?;
    let names = fed.server_names();
    let ministry = fed.ministry().register(&unique("ministero"), false).await?;
    let region = fed.region().register(&unique("regione"), false).await?;
    let municipality = fed
        .municipality()
        .register(&unique("comune"), false)
        .await?;
    let outsider = fed.outsider().register(&unique("estraneo"), false).await?;
    let latecomer = fed.outsider().register(&unique("estraneo"), false).await?;

    let alias_name = unique("piazza");
    let room = ministry
        .create_room(
            json!({"preset": "public_chat", "room_alias_name": alias_name, "name": "Piazza"}),
        )
        .await?;
    // By alias (resolved over federation by the ministry) and by room ID through the ministry.
    let alias = format!("#{alias_name}:{}", names[MINISTRY]);
    assert_eq!(region.join(&alias).await?, room);
    assert_eq!(
        municipality.join_via(&room, &[&names[MINISTRY]]).await?,
        room
    );

    ministry.send_text(&room, "dal ministero").await?;
    region.send_text(&room, "dalla regione").await?;
    municipality.send_text(&room, "dal comune").await?;
    for user in [&ministry, &region, &municipality] {
        for text in ["dal ministero", "dalla regione", "dal comune"] {
            user.wait_text(&room, text, WAIT).await?;
        }
    }

    // No ACL yet: the outsider gets in and is heard; then leaves, so its server is out of
    // the room (a server still in a room lets its users join locally, ACL or not).
    assert_eq!(outsider.join_via(&room, &[&names[REGION]]).await?, room);
    outsider.send_text(&room, "da fuori").await?;
    ministry.wait_text(&room, "da fuori", WAIT).await?;
    region.wait_text(&room, "da fuori", WAIT).await?;
    outsider
        .post(
            &format!("/rooms/{}/leave", percent_encode(&room)),
            json!({}),
        )
        .await?;
    // Synapse drops its cached ACL before the new one is stored: federation traffic for the
    // room arriving meanwhile (here: that leave) caches the old one again, and the ACL does
    // not hold on the sending server until the next change. Let the room settle first.
    for user in [&ministry, &region] {
        let left = pspm_e2e::wait_for(WAIT, || async {
            let membership = user.membership(&room, &outsider.user_id).await?;
            Ok((membership.as_deref() == Some("leave")).then_some(()))
        })
        .await?;
        assert!(
            left.is_some(),
            "{} never saw the outsider leave",
            user.user_id
        );
    }

    // Hosts for the other servers (ports dropped), plus full names for the sender's own
    // server, which checks the ACL against its name with the port.
    let allowed = server_acl_allow(&names[..3]);
    assert_eq!(
        allowed[..3].iter().map(|h| host(h)).collect::<Vec<_>>(),
        ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
    );
    ministry
        .put(
            &format!("/rooms/{}/state/m.room.server_acl", percent_encode(&room)),
            json!({"allow": allowed, "deny": [], "allow_ip_literals": true}),
        )
        .await?;
    for user in [&region, &municipality] {
        let acl = pspm_e2e::wait_for(WAIT, || async {
            user.state(&room, "m.room.server_acl", "").await
        })
        .await?;
        assert!(acl.is_some(), "{} never saw the server ACL", user.user_id);
    }

    // Whichever admitted server the outsider asks, it is refused.
    for via in [&names[MINISTRY], &names[REGION]] {
        let refusal = latecomer
            .try_join_via(&room, &[via])
            .await?
            .expect_err("the outsider's server is not in the ACL");
        assert_eq!(
            (refusal.status, refusal.errcode.as_str()),
            (403, "M_FORBIDDEN"),
            "{refusal:?}"
        );
    }
    assert_eq!(
        ministry.membership(&room, &latecomer.user_id).await?,
        None,
        "the ministry never saw the refused join"
    );

    // The admitted servers still talk: delivery from the region to the ministry's /sync.
    let arrivals = pspm_e2e::Observer::start(&ministry).await?;
    let mut latencies = Vec::new();
    for i in 0..20 {
        let sent = Instant::now();
        let event_id = region.send_text(&room, &format!("misura {i}")).await?;
        let (arrived, event) = arrivals.event(&event_id, WAIT).await?;
        assert_eq!(event["sender"], region.user_id.as_str());
        latencies.push(arrived.duration_since(sent).as_secs_f64() * 1000.0);
    }
    latencies.sort_by(f64::total_cmp);
    eprintln!(
        "federation: region → ministry, send to /sync over {} messages: p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms",
        latencies.len(),
        percentile(&latencies, 50.0),
        percentile(&latencies, 95.0),
        latencies[latencies.len() - 1],
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_was_down_catches_up_when_it_is_back() -> Result<()> {
    let mut fed = Federation::start().await?;
    let names = fed.server_names();
    let ministry = fed.ministry().register("ministero", false).await?;
    let region = fed.region().register("regione", false).await?;
    let room = ministry
        .create_room(json!({"preset": "public_chat", "name": "Piazza"}))
        .await?;
    assert_eq!(region.join_via(&room, &[&names[MINISTRY]]).await?, room);
    ministry.send_text(&room, "prima").await?;
    region.wait_text(&room, "prima", WAIT).await?;

    fed.server_mut(REGION).stop()?;
    ministry.send_text(&room, "durante").await?;
    let down = Instant::now();
    fed.server_mut(REGION).restart().await?;
    let back = Instant::now();
    region.wait_text(&room, "durante", WAIT).await?;
    eprintln!(
        "federation: region down {:.1} s; the message sent meanwhile arrived {:.1} s after it was back",
        back.duration_since(down).as_secs_f64(),
        back.elapsed().as_secs_f64()
    );
    region.send_text(&room, "dopo").await?;
    ministry.wait_text(&room, "dopo", WAIT).await?;
    Ok(())
}
