//! Sending: a revoked access token, a bot that can no longer log in, dead letters and the
//! `pspm outbox` commands that show, retry and drop them.

use std::collections::BTreeMap;
use std::time::Duration;

use pspm_e2e::{bot_in_section, wait_for, Bot, BotSetup, RateLimits, Result, Synapse, User};
use serde_json::json;

const SERVER: &str = "ministry.test";

/// The display name of the bot's device (the config's default `matrix.device_name`).
const BOT_DEVICE: &str = "PSPM bot";

/// Starts an English bot with a one-section plan that `members` join; returns it and the
/// section room, once the bot answers there.
async fn running_bot(
    synapse: &Synapse,
    bot_user: &User,
    members: &[&User],
) -> Result<(Bot, String)> {
    let setup = BotSetup {
        bot: bot_user,
        plan_id: "pt",
        sections: &["dati"],
        language: "en",
        moderators: &[],
        allowed_servers: &[SERVER],
    };
    let (bot, room) = bot_in_section(synapse, &setup, |_| Ok(()), members).await?;
    if let Some(member) = members.first() {
        member.command(&room, &bot.user_id, "!ping").await?;
    }
    Ok((bot, room))
}

/// A bot on a Synapse with its default rate limits, and 14 `!ping`s from alice (exempt from
/// them) sent at once: the bot's replies hit the limit, so some wait in its outbox.
struct Throttled {
    synapse: Synapse,
    bot_user: User,
    bot: Bot,
    room: String,
    alice: User,
    pings: Vec<String>,
}

async fn throttled() -> Result<Throttled> {
    let synapse = Synapse::start(SERVER, RateLimits::Default).await?;
    let bot_user = synapse.register("pspm", false).await?;
    let alice = synapse.register("alice", false).await?;
    synapse.exempt_from_rate_limits(&alice).await?;
    let (bot, room) = running_bot(&synapse, &bot_user, &[&alice]).await?;
    let mut pings = Vec::new();
    for _ in 0..14 {
        pings.push(alice.send_text(&room, "!ping").await?);
    }
    wait_for(Duration::from_secs(60), || async {
        Ok(bot.log().contains("M_LIMIT_EXCEEDED").then_some(()))
    })
    .await?
    .ok_or_else(|| {
        anyhow::anyhow!(
            "the replies never hit the rate limit:
{}",
            bot.log()
        )
    })?;
    Ok(Throttled {
        synapse,
        bot_user,
        bot,
        room,
        alice,
        pings,
    })
}

/// The IDs of the bot's own devices (named as its config names them).
async fn bot_devices(synapse: &Synapse, bot: &Bot) -> Result<Vec<String>> {
    Ok(synapse
        .devices(&bot.user_id)
        .await?
        .into_iter()
        .filter(|(_, name)| name == BOT_DEVICE)
        .map(|(id, _)| id)
        .collect())
}

/// How many replies of the bot each event got.
async fn replies_per_event(user: &User, room: &str, bot: &Bot) -> Result<BTreeMap<String, usize>> {
    let mut counts = BTreeMap::new();
    for (target, _) in user.replies_from(room, &bot.user_id).await? {
        *counts.entry(target).or_insert(0) += 1;
    }
    Ok(counts)
}

/// `pspm outbox <args>` on a stopped bot: its status, standard output and error.
fn outbox_cli(bot: &Bot, args: &[&str]) -> Result<(bool, String, String)> {
    let mut all = vec!["outbox"];
    all.extend_from_slice(args);
    let output = bot.run_cli(&all)?;
    Ok((
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    ))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_token_is_renewed_on_the_same_device_and_every_reply_goes_out() -> Result<()> {
    // Synapse's default rate limits hold the bot's replies back, so that some are waiting to
    // be sent again when the token is revoked.
    let Throttled {
        synapse,
        mut bot,
        room,
        alice,
        mut pings,
        ..
    } = throttled().await?;
    let devices = bot_devices(&synapse, &bot).await?;
    assert_eq!(devices.len(), 1, "{devices:?}");
    // Signing the bot's session out (as an admin or another client can) revokes its token
    // while replies wait: every command, before and after, must be answered once.
    synapse.delete_device(&bot.user_id, &devices[0]).await?;
    for _ in 0..2 {
        pings.push(alice.send_text(&room, "!ping").await?);
    }
    let answered_once =
        |counts: &BTreeMap<String, usize>| pings.iter().all(|ping| counts.get(ping) == Some(&1));
    let counts = wait_for(Duration::from_secs(180), || async {
        let counts = replies_per_event(&alice, &room, &bot).await?;
        Ok(answered_once(&counts).then_some(counts))
    })
    .await?;
    let log = bot.log();
    assert!(
        counts.is_some(),
        "{:?}\n{log}",
        replies_per_event(&alice, &room, &bot).await?
    );
    // A reply refused for its token was sent again, after one new login on the same device.
    assert!(
        log.lines()
            .any(|line| line.contains("refuses the access token") && line.contains("what=\"send\"")),
        "{log}"
    );
    assert_eq!(log.matches("logged in again").count(), 1, "{log}");
    assert_eq!(bot_devices(&synapse, &bot).await?, devices);
    assert!(bot.is_running(), "{log}");

    // Revoked while the bot is stopped: it logs in again on start, on the same device.
    bot.stop()?;
    synapse.delete_device(&bot.user_id, &devices[0]).await?;
    bot.start()?;
    alice.command(&room, &bot.user_id, "!ping").await?;
    assert_eq!(bot_devices(&synapse, &bot).await?, devices);
    assert!(
        bot.log().contains("the saved session is no longer valid"),
        "{}",
        bot.log()
    );

    // Nothing went to the dead letters.
    bot.stop()?;
    let (ok, listed, stderr) = outbox_cli(&bot, &["list"])?;
    assert!(ok, "{stderr}");
    assert_eq!(listed, "", "{stderr}");
    assert!(stderr.contains("no dead letters"), "{stderr}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bot_that_can_no_longer_log_in_stops_with_a_clear_line_and_loses_no_reply() -> Result<()>
{
    // Default rate limits hold replies back, so that some wait in the outbox.
    let Throttled {
        synapse,
        bot_user,
        mut bot,
        room,
        alice,
        pings,
    } = throttled().await?;

    // An admin changes the bot's password and signs it out everywhere: it can neither send
    // nor log in again with what its config holds. It must not go on silently.
    synapse
        .set_password(&bot.user_id, "changed-by-an-admin", true)
        .await?;
    let status = bot
        .wait_exit(Duration::from_secs(60))
        .await?
        .ok_or_else(|| anyhow::anyhow!("the bot went on running:\n{}", bot.log()))?;
    assert!(!status.success(), "{status}");
    let log = bot.log();
    let stop_line = log
        .lines()
        .find(|line| line.contains("pspm stops:"))
        .ok_or_else(|| anyhow::anyhow!("no line says why the bot stopped:\n{log}"))?;
    assert!(
        stop_line.contains(&format!("cannot log in again as {}", bot.user_id)),
        "{stop_line}"
    );
    assert!(stop_line.contains("M_FORBIDDEN"), "{stop_line}");
    assert!(stop_line.contains("restart the bot"), "{stop_line}");
    // The replies not sent yet wait in the outbox; none is a dead letter.
    let (ok, listed, stderr) = outbox_cli(&bot, &["list"])?;
    assert!(ok && listed.is_empty(), "{listed}{stderr}");
    assert!(stderr.contains("no dead letters"), "{stderr}");
    assert!(!stderr.contains("; 0 messages waiting"), "{stderr}\n{log}");

    // Once the password is set back, a restart answers every command, once.
    synapse
        .set_password(&bot.user_id, &bot_user.password, false)
        .await?;
    bot.start()?;
    let answered_once =
        |counts: &BTreeMap<String, usize>| pings.iter().all(|ping| counts.get(ping) == Some(&1));
    let counts = wait_for(Duration::from_secs(180), || async {
        let counts = replies_per_event(&alice, &room, &bot).await?;
        Ok(answered_once(&counts).then_some(counts))
    })
    .await?;
    assert!(
        counts.is_some(),
        "{:?}\n{}",
        replies_per_event(&alice, &room, &bot).await?,
        bot.log()
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn dead_letters_are_listed_retried_and_dropped_from_the_command_line() -> Result<()> {
    let synapse = Synapse::start(SERVER, RateLimits::Raised).await?;
    let bot_user = synapse.register("pspm", false).await?;
    let alice = synapse.register("alice", false).await?;
    let (mut bot, _) = running_bot(&synapse, &bot_user, &[&alice]).await?;

    // A room where only its creator may speak: the homeserver refuses the bot's replies for
    // good, and they become dead letters.
    let quiet = alice
        .create_room(json!({
            "preset": "private_chat",
            "power_level_content_override": {"events_default": 50},
        }))
        .await?;
    alice.invite(&quiet, &bot.user_id).await?;
    wait_for(Duration::from_secs(60), || async {
        let joined = alice.membership(&quiet, &bot.user_id).await?;
        Ok((joined.as_deref() == Some("join")).then_some(()))
    })
    .await?
    .ok_or_else(|| anyhow::anyhow!("the bot did not join"))?;
    let first = alice.send_text(&quiet, "!ping").await?;
    let second = alice.send_text(&quiet, "!ping").await?;
    wait_for(Duration::from_secs(60), || async {
        Ok((bot.log().matches("moved to dead letters").count() >= 2).then_some(()))
    })
    .await?
    .ok_or_else(|| anyhow::anyhow!("no dead letters:\n{}", bot.log()))?;

    // The store is the running bot's: the commands say to stop it first.
    let (ok, _, stderr) = outbox_cli(&bot, &["list"])?;
    assert!(!ok, "{stderr}");
    assert!(stderr.contains("stop the bot"), "{stderr}");
    bot.stop()?;

    // One line per dead letter: sequence number, room, kind, reason.
    let (ok, listed, stderr) = outbox_cli(&bot, &["list"])?;
    assert!(ok, "{stderr}");
    let lines: Vec<Vec<&str>> = listed.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(lines.len(), 2, "{listed}");
    for line in &lines {
        assert_eq!(
            line[1..],
            [quiet.as_str(), "reply", "M_FORBIDDEN"],
            "{listed}"
        );
    }
    assert!(stderr.contains("2 dead letters"), "{stderr}");
    let seqs: Vec<&str> = lines.iter().map(|line| line[0]).collect();
    let (ok, _, stderr) = outbox_cli(&bot, &["retry", "999999999"])?;
    assert!(!ok, "an unknown sequence number is refused");
    assert!(
        stderr.contains("no dead letter has sequence number 999999999"),
        "{stderr}"
    );

    // The room lets the bot speak; the first reply is sent again, the second dropped.
    let mut levels = alice
        .state(&quiet, "m.room.power_levels", "")
        .await?
        .unwrap_or_default();
    levels["events_default"] = json!(0);
    alice
        .put(
            &format!(
                "/rooms/{}/state/m.room.power_levels/",
                pspm_e2e::percent_encode(&quiet)
            ),
            levels,
        )
        .await?;
    let (ok, out, stderr) = outbox_cli(&bot, &["retry", seqs[0]])?;
    assert!(ok, "{stderr}");
    assert!(out.contains("1 dead letter back in the outbox"), "{out}");
    let (ok, out, stderr) = outbox_cli(&bot, &["drop", "--all"])?;
    assert!(ok, "{stderr}");
    assert!(out.contains("1 dead letter dropped"), "{out}");
    let (ok, listed, stderr) = outbox_cli(&bot, &["list"])?;
    assert!(ok && listed.is_empty(), "{listed}{stderr}");

    bot.start()?;
    alice
        .wait_reply(&quiet, &bot.user_id, &first, Duration::from_secs(60))
        .await?;
    // A later command is answered after it, and the dropped reply never comes.
    let third = alice.send_text(&quiet, "!ping").await?;
    alice
        .wait_reply(&quiet, &bot.user_id, &third, Duration::from_secs(60))
        .await?;
    let counts = replies_per_event(&alice, &quiet, &bot).await?;
    assert_eq!(
        counts,
        BTreeMap::from([(first, 1), (third, 1)]),
        "the dropped reply to {second} stays unsent"
    );
    Ok(())
}
