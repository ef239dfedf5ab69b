//! End-to-end encryption with real Synapse and an encrypting client (matrix-sdk, as Element):
//! an encrypted DM answered across a clean stop and a SIGKILL by the same device with the
//! same keys; a plan room a moderator turns encrypted (the bot warns), three people there, a
//! person's new device, and a room key that reaches the bot after its message.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::anyhow;
use pspm_e2e::encrypted::{body, Device};
use pspm_e2e::key_delay::KeyDelay;
use pspm_e2e::local_plan::LocalPlan;
use pspm_e2e::{wait_for, Result, User};
use serde_json::json;

/// The bot's devices and their Curve25519 identity keys, as other users see them.
async fn bot_devices(asker: &User, bot: &str) -> Result<BTreeMap<String, String>> {
    let keys = asker
        .post("/keys/query", json!({ "device_keys": { bot: [] } }))
        .await?;
    let devices = keys["device_keys"][bot]
        .as_object()
        .ok_or_else(|| anyhow!("no device keys for {bot}: {keys}"))?;
    Ok(devices
        .iter()
        .map(|(device, info)| {
            let curve = info["keys"][format!("curve25519:{device}")]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            (device.clone(), curve)
        })
        .collect())
}

/// Whether the bot's device is signed by its own self-signing key (cross-signed).
async fn bot_is_cross_signed(asker: &User, bot: &str) -> Result<bool> {
    let keys = asker
        .post("/keys/query", json!({ "device_keys": { bot: [] } }))
        .await?;
    let Some(self_signing) = keys["self_signing_keys"][bot]["keys"]
        .as_object()
        .and_then(|k| k.keys().next().cloned())
    else {
        return Ok(false);
    };
    let has_master = keys["master_keys"][bot]["keys"].is_object();
    let devices = keys["device_keys"][bot]
        .as_object()
        .cloned()
        .unwrap_or_default();
    Ok(has_master
        && !devices.is_empty()
        && devices
            .values()
            .all(|device| device["signatures"][bot][&self_signing].is_string()))
}

#[tokio::test(flavor = "multi_thread")]
async fn an_encrypted_dm_is_answered_by_the_same_device_across_restarts() -> Result<()> {
    let mut plan = LocalPlan::start("encdm", 1).await?;
    let bot = plan.bot.user_id.clone();
    let person = &plan.people[0];
    let device = Device::log_in(&plan.synapse.url, person).await?;
    let dm = device.create_encrypted_dm(&bot).await?;
    device.wait_joined(&dm, &bot).await?;

    let help = device.ask(&dm, &bot, "!help").await?;
    assert!(
        help.encrypted,
        "a reply in an encrypted DM is encrypted: {help:?}"
    );
    assert!(body(&help).contains("!actions"), "{}", body(&help));
    let mine = device.ask(&dm, &bot, "!actions mine").await?;
    assert!(mine.encrypted);
    assert!(
        body(&mine).starts_with("No actions to show"),
        "{}",
        body(&mine)
    );
    // A message that can never be decrypted (here malformed): one reply asking to re-send.
    let broken = person
        .send(
            dm.room_id().as_str(),
            "m.room.encrypted",
            json!({ "algorithm": "m.megolm.v1.aes-sha2" }),
        )
        .await?;
    let resend = device.wait_reply(&dm, &bot, &broken).await?;
    assert_eq!(
        body(&resend),
        "I cannot decrypt this message. Please send it again."
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        device.replies(&dm, &bot, &broken).await?.len(),
        1,
        "one reply"
    );
    let keys = bot_devices(person, &bot).await?;
    assert_eq!(keys.len(), 1, "one device with keys: {keys:?}");
    assert!(
        bot_is_cross_signed(person, &bot).await?,
        "the bot's device is cross-signed"
    );

    plan.bot.stop()?;
    plan.bot.start()?;
    let after_stop = device.ask(&dm, &bot, "!help").await?;
    assert!(after_stop.encrypted && body(&after_stop).contains("!actions"));

    plan.bot.kill()?;
    plan.bot.start()?;
    let after_kill = device.ask(&dm, &bot, "!actions mine").await?;
    assert!(after_kill.encrypted);
    assert!(body(&after_kill).starts_with("No actions to show"));
    assert_eq!(
        bot_devices(person, &bot).await?,
        keys,
        "the same device and identity keys after the restarts"
    );
    Ok(())
}

/// The bot's cards for proposals titled `title` in what `device` reads.
async fn cards_titled(
    device: &Device,
    room: &matrix_sdk::Room,
    bot: &str,
    title: &str,
) -> Result<usize> {
    Ok(device
        .read(room)
        .await?
        .iter()
        .filter(|r| {
            r.event["sender"] == bot
                && r.event["content"]["it.pspm.proposal"].is_u64()
                && body(r).contains(title)
        })
        .count())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_encrypted_plan_room_with_a_new_device_and_a_late_room_key() -> Result<()> {
    let plan = LocalPlan::start("encroom", 2).await?;
    let bot = plan.bot.user_id.clone();
    let room_id = plan.room.clone();
    let moderator = Device::log_in(&plan.synapse.url, &plan.moderator).await?;
    let first = Device::log_in(&plan.synapse.url, &plan.people[0]).await?;
    // The second person's client goes through a proxy that can hold its room keys back.
    let delay = KeyDelay::start(&plan.synapse.url).await?;
    let second = Device::log_in(&delay.url, &plan.people[1]).await?;

    // Turning encryption on takes power level 100: the homeserver's admin API raises the
    // moderator (through the room's creator, the bot).
    let admin = plan.synapse.admin().await?;
    admin
        .request(
            reqwest::Method::POST,
            &format!(
                "/_synapse/admin/v1/rooms/{}/make_room_admin",
                pspm_e2e::percent_encode(&room_id)
            ),
            Some(json!({ "user_id": plan.moderator.user_id })),
        )
        .await?;
    let room = moderator.room(&room_id).await?;
    room.enable_encryption().await?;

    // Everyone reads the warning, encrypted.
    for device in [&moderator, &first, &second] {
        let room = device.room(&room_id).await?;
        let warning = wait_for(Duration::from_secs(90), || async {
            Ok(device.read(&room).await?.into_iter().find(|r| {
                r.event["sender"] == bot.as_str()
                    && body(r).contains("turned on end-to-end encryption")
            }))
        })
        .await?
        .ok_or_else(|| anyhow!("{} never read the warning", device.user_id))?;
        assert!(warning.encrypted, "{warning:?}");
        assert!(
            body(&warning).contains("pspm rebuild"),
            "{}",
            body(&warning)
        );
        assert!(
            body(&warning).contains(&plan.moderator.user_id),
            "{}",
            body(&warning)
        );
    }

    // Plan commands in the encrypted room: a proposal from each person.
    let first_room = first.room(&room_id).await?;
    let card = first
        .ask(&first_room, &bot, "!propose Open the bus data")
        .await?;
    assert!(card.encrypted && is_card(&card, 1), "{:?}", card.event);
    let second_room = second.room(&room_id).await?;
    let card = second
        .ask(&second_room, &bot, "!propose Publish the budget")
        .await?;
    assert!(card.encrypted && is_card(&card, 2), "{:?}", card.event);

    // The first person's new device: its message is read, and it reads the bot's answer.
    let new_device = Device::log_in(&plan.synapse.url, &plan.people[0]).await?;
    assert_ne!(new_device.device_id, first.device_id);
    let new_room = new_device.room(&room_id).await?;
    let answer = new_device
        .ask(&new_room, &bot, "!propose Map the cycle lanes")
        .await?;
    assert!(
        answer.encrypted && is_card(&answer, 3),
        "{:?}",
        answer.event
    );
    // And the old device still reads what the bot says.
    let old_view = first
        .wait_reply(&first_room, &bot, &answer_source(&answer)?)
        .await;
    assert!(
        old_view.is_ok(),
        "the first device reads the answer to the new one"
    );

    // A room key that comes after its message: the second person's key share is held back.
    // A new session is shared for a new message only once the old one rotates: discard it.
    delay.hold();
    second_room.discard_room_key().await?;
    let late = second
        .send_text(&second_room, "!propose Count the late keys")
        .await?;
    assert!(delay.held() > 0, "the room key share was held back");
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(
        second.replies(&second_room, &bot, &late).await?.is_empty(),
        "no answer before the key"
    );
    delay.release().await?;
    let card = second.wait_reply(&second_room, &bot, &late).await?;
    assert!(card.encrypted && is_card(&card, 4), "{:?}", card.event);
    // Applied once: one card, one reply, even after more syncs.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(second.replies(&second_room, &bot, &late).await?.len(), 1);
    assert_eq!(
        cards_titled(&second, &second_room, &bot, "Count the late keys").await?,
        1
    );
    assert!(
        plan.bot.log().contains("its room key came: decrypted"),
        "the message waited for its key"
    );
    let proposals = second.ask(&second_room, &bot, "!proposals new").await?;
    assert_eq!(
        body(&proposals).matches("Count the late keys").count(),
        1,
        "{}",
        body(&proposals)
    );
    Ok(())
}

/// Whether `read` is the card of proposal `number`.
fn is_card(read: &pspm_e2e::encrypted::Read, number: u64) -> bool {
    read.event["content"]["it.pspm.proposal"] == number
}

/// The event a reply answers.
fn answer_source(reply: &pspm_e2e::encrypted::Read) -> Result<String> {
    reply.event["content"]["m.relates_to"]["m.in_reply_to"]["event_id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("not a reply: {:?}", reply.event))
}
