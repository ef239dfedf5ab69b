//! The foundation: plan rooms, help, exactly-once replies across crashes, invites, 429s.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use pspm_e2e::{bot_in_section, wait_for, Bot, BotSetup, RateLimits, Result, Rng, Synapse, User};

const SERVER: &str = "ministry.test";

fn alias(localpart: &str) -> String {
    format!("#{localpart}:{SERVER}")
}

/// Waits until every alias resolves; returns the room IDs in the same order.
async fn resolve_all(user: &User, aliases: &[String]) -> Result<Vec<String>> {
    let rooms = wait_for(Duration::from_secs(60), || async {
        let mut rooms = Vec::new();
        for alias in aliases {
            match user.resolve_alias(alias).await? {
                Some(room) => rooms.push(room),
                None => return Ok(None),
            }
        }
        Ok(Some(rooms))
    })
    .await?;
    rooms.ok_or_else(|| anyhow::anyhow!("aliases {aliases:?} did not all resolve"))
}

/// Starts an English bot with a one-section plan (`<plan_id>.dati`, allowed: this server);
/// returns it and the section room's ID.
async fn running_bot(synapse: &Synapse, bot_user: &User, plan_id: &str) -> Result<(Bot, String)> {
    let setup = BotSetup {
        bot: bot_user,
        plan_id,
        sections: &["dati"],
        language: "en",
        moderators: &[],
        allowed_servers: &[SERVER],
    };
    bot_in_section(synapse, &setup, |_| Ok(()), &[]).await
}

/// Joins a room and waits until the bot answers `!ping` there (the bot is up and syncing).
async fn join_and_ping(user: &User, space: &str, room: &str, bot: &str) -> Result<()> {
    user.join_section(space, room).await?;
    let reply = user.command(room, bot, "!ping").await?;
    assert!(
        reply["body"]
            .as_str()
            .unwrap_or_default()
            .starts_with("pong"),
        "{reply}"
    );
    Ok(())
}

async fn space_children(user: &User, space: &str) -> Result<BTreeSet<String>> {
    Ok(user
        .full_state(space)
        .await?
        .into_iter()
        .filter(|e| e["type"] == "m.space.child" && e["content"]["via"].is_array())
        .filter_map(|e| e["state_key"].as_str().map(str::to_owned))
        .collect())
}

#[tokio::test(flavor = "multi_thread")]
async fn plan_rooms_are_created_once_and_reused_across_restarts_and_instances() -> Result<()> {
    let synapse = Synapse::start(SERVER, RateLimits::Raised).await?;
    let bot_user = synapse.register("pspm", false).await?;
    let moderator = synapse.register("mod", false).await?;
    let alice = synapse.register("alice", false).await?;
    let sections = ["servizi", "dati", "sicurezza"];
    let setup = BotSetup {
        bot: &bot_user,
        plan_id: "pt",
        sections: &sections,
        language: "it",
        moderators: &[&moderator.user_id],
        allowed_servers: &[SERVER],
    };
    let mut bot = Bot::configure(&synapse, &setup)?;
    bot.start()?;

    let aliases: Vec<String> = std::iter::once(alias("pt"))
        .chain(sections.iter().map(|s| alias(&format!("pt.{s}"))))
        .collect();
    let rooms = resolve_all(&alice, &aliases).await?;
    let (space, section_rooms) = (&rooms[0], &rooms[1..]);
    join_and_ping(&alice, &alias("pt"), &section_rooms[0], &bot.user_id).await?;

    // The Space is a Space, links to every section, and each section links back.
    alice.join(space).await?;
    let create = alice
        .state(space, "m.room.create", "")
        .await?
        .unwrap_or_default();
    assert_eq!(create["type"], "m.space");
    assert_eq!(
        space_children(&alice, space).await?,
        section_rooms.iter().cloned().collect()
    );
    for (section, room) in sections.iter().zip(section_rooms) {
        alice.join(room).await?;
        let name = alice
            .state(room, "m.room.name", "")
            .await?
            .unwrap_or_default();
        assert_eq!(name["name"], format!("Sezione {section}"));
        let topic = alice
            .state(room, "m.room.topic", "")
            .await?
            .unwrap_or_default();
        assert_eq!(topic["topic"], format!("Descrizione di {section}"));
        assert!(
            alice.state(room, "m.space.parent", space).await?.is_some(),
            "{section} has no parent"
        );
        let power = alice
            .state(room, "m.room.power_levels", "")
            .await?
            .unwrap_or_default();
        assert_eq!(power["users"][&moderator.user_id], 50, "{power}");
        let room_create = alice.state(room, "m.room.create", "").await?;
        assert!(room_create.is_some());
    }
    let joined: BTreeSet<String> = synapse
        .joined_rooms(&bot.user_id)
        .await?
        .into_iter()
        .collect();
    assert_eq!(
        joined,
        rooms.iter().cloned().collect(),
        "the bot is in exactly the plan's rooms"
    );

    // Restart: same rooms, none new, and the same device (no new login).
    bot.stop()?;
    bot.start()?;
    join_and_ping(&alice, &alias("pt"), &section_rooms[1], &bot.user_id).await?;
    assert_eq!(resolve_all(&alice, &aliases).await?, rooms);
    assert_eq!(synapse.joined_rooms(&bot.user_id).await?.len(), rooms.len());
    assert_eq!(
        bot.log().matches("logged in with a new device").count(),
        1,
        "{}",
        bot.log()
    );
    assert_eq!(bot.log().matches("reusing the saved session").count(), 1);

    // A section added to the plan gets its room on the next start; the others stay.
    bot.stop()?;
    let grown = ["servizi", "dati", "sicurezza", "piattaforme"];
    bot.write_plan("pt", &grown)?;
    bot.start()?;
    let new_room = resolve_all(&alice, &[alias("pt.piattaforme")])
        .await?
        .remove(0);
    join_and_ping(&alice, &alias("pt"), &new_room, &bot.user_id).await?;
    assert_eq!(resolve_all(&alice, &aliases).await?, rooms);
    assert_eq!(space_children(&alice, space).await?.len(), 4);
    assert_eq!(synapse.joined_rooms(&bot.user_id).await?.len(), 5);
    bot.stop()?;

    // Two more instances with empty stores, provisioning at the same time a plan with one
    // more section: one new room, no duplicates.
    let more = ["servizi", "dati", "sicurezza", "piattaforme", "territori"];
    let second = Bot::configure(
        &synapse,
        &BotSetup {
            sections: &more,
            ..setup
        },
    )?;
    let third = Bot::configure(
        &synapse,
        &BotSetup {
            sections: &more,
            ..setup
        },
    )?;
    let (a, b) = std::thread::scope(|scope| {
        let a = scope.spawn(|| second.run_cli(&["provision"]));
        let b = scope.spawn(|| third.run_cli(&["provision"]));
        (a.join(), b.join())
    });
    for output in [a, b] {
        let output = output.map_err(|_| anyhow::anyhow!("provision thread panicked"))??;
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert_eq!(synapse.joined_rooms(&bot.user_id).await?.len(), 6);
    assert_eq!(space_children(&alice, space).await?.len(), 5);
    assert_eq!(resolve_all(&alice, &aliases).await?, rooms);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stakeholder_gets_help_in_the_configured_language_with_escaped_html() -> Result<()> {
    let synapse = Synapse::start(SERVER, RateLimits::Raised).await?;
    let bot_user = synapse.register("pspm", false).await?;
    let stakeholder = synapse.register("ente", false).await?;
    let mut bot = Bot::configure(
        &synapse,
        &BotSetup {
            bot: &bot_user,
            plan_id: "pt",
            sections: &["dati"],
            language: "it",
            moderators: &[],
            allowed_servers: &[SERVER],
        },
    )?;
    bot.start()?;
    let room = resolve_all(&stakeholder, &[alias("pt.dati")])
        .await?
        .remove(0);
    stakeholder.join_section(&alias("pt"), &room).await?;

    let help_event = stakeholder.send_text(&room, "!help").await?;
    let reply = stakeholder
        .wait_reply(&room, &bot.user_id, &help_event, Duration::from_secs(60))
        .await?;
    let content = &reply["content"];
    assert_eq!(content["msgtype"], "m.notice");
    assert_eq!(content["format"], "org.matrix.custom.html");
    let body = content["body"].as_str().unwrap_or_default();
    assert!(
        body.starts_with("Comandi disponibili in questa stanza:"),
        "{body}"
    );
    assert!(
        body.contains("`!ping` — verifica che il bot risponda"),
        "{body}"
    );
    assert!(body.contains("`!help [comando]`"), "{body}");
    let html = content["formatted_body"].as_str().unwrap_or_default();
    assert!(html.contains("<code>!ping</code>"), "{html}");
    assert_eq!(
        content["m.relates_to"]["m.in_reply_to"]["event_id"],
        help_event
    );
    assert_eq!(content["m.mentions"]["user_ids"][0], stakeholder.user_id);

    let detail = stakeholder
        .command(&room, &bot.user_id, "!help ping")
        .await?;
    assert!(
        detail["body"]
            .as_str()
            .unwrap_or_default()
            .contains("Risponde «pong»"),
        "{detail}"
    );

    let unknown = stakeholder
        .command(&room, &bot.user_id, "!<b>boh</b>")
        .await?;
    let html = unknown["formatted_body"].as_str().unwrap_or_default();
    assert!(
        html.contains("&lt;b&gt;boh&lt;/b&gt;"),
        "user text must be escaped: {html}"
    );
    assert!(!html.contains("<b>"), "{html}");
    assert!(unknown["body"]
        .as_str()
        .unwrap_or_default()
        .starts_with("Comando sconosciuto"));

    // Plain chat and the bot's own notices get no answer.
    let chat = stakeholder.send_text(&room, "buongiorno a tutti").await?;
    stakeholder.command(&room, &bot.user_id, "!ping").await?;
    let replies = stakeholder.replies_from(&room, &bot.user_id).await?;
    assert!(replies.iter().all(|(target, _)| *target != chat));
    assert_eq!(replies.len(), 4);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn every_command_gets_exactly_one_reply_although_the_bot_is_killed_repeatedly() -> Result<()>
{
    const COMMANDS: usize = 300;
    const MIN_KILLS: u32 = 5;
    let synapse = Synapse::start(SERVER, RateLimits::Raised).await?;
    let bot_user = synapse.register("pspm", false).await?;
    let alice = synapse.register("alice", false).await?;
    let (mut bot, room) = running_bot(&synapse, &bot_user, "crash").await?;
    join_and_ping(&alice, &alias("crash"), &room, &bot.user_id).await?;

    let mut rng = Rng::from_env_or_time("crash test");
    let pauses: Vec<u64> = (0..COMMANDS).map(|_| rng.between(0, 70)).collect();
    let sending = std::sync::atomic::AtomicBool::new(true);
    let sender = async {
        let mut sent = Vec::with_capacity(COMMANDS);
        for pause in pauses {
            sent.push(alice.send_text(&room, "!ping").await?);
            tokio::time::sleep(Duration::from_millis(pause)).await;
        }
        sending.store(false, std::sync::atomic::Ordering::SeqCst);
        Result::Ok(sent)
    };
    // Kills keep coming for as long as commands are being sent, and at least MIN_KILLS times.
    let killer = async {
        let mut kills = 0;
        while kills < MIN_KILLS || sending.load(std::sync::atomic::Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(rng.between(300, 2500))).await;
            bot.kill()?;
            kills += 1;
            tokio::time::sleep(Duration::from_millis(rng.between(0, 600))).await;
            bot.start()?;
        }
        Result::Ok(kills)
    };
    let (sent, kills) = tokio::join!(sender, killer);
    let (sent, kills) = (sent?, kills?);
    assert!(kills >= MIN_KILLS);
    assert!(bot.is_running());

    let wanted: BTreeSet<String> = sent.iter().cloned().collect();
    assert_eq!(wanted.len(), COMMANDS);
    let counts = replies_once_each(&alice, &room, &bot, &wanted, Duration::from_secs(180)).await?;
    assert!(
        counts.values().all(|n| *n == 1),
        "a reply was doubled: {counts:?}"
    );
    let strays: Vec<_> = counts.keys().filter(|t| !wanted.contains(*t)).collect();
    assert_eq!(
        strays.len(),
        1,
        "only the readiness ping besides the 300: {strays:?}"
    );
    assert_eq!(bot.starts(), 1 + kills);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn invites_are_accepted_only_from_allowed_servers() -> Result<()> {
    let synapse = Synapse::start(SERVER, RateLimits::Raised).await?;
    let welcoming = synapse.register("pspm", false).await?;
    let strict = synapse.register("pspm-strict", false).await?;
    let alice = synapse.register("alice", false).await?;
    let mut open_bot = Bot::configure(&synapse, &BotSetup::english(&welcoming, "open", &[SERVER]))?;
    // This bot admits only another homeserver, so the local users count as foreign to it.
    let mut strict_bot = Bot::configure(
        &synapse,
        &BotSetup {
            bot: &strict,
            plan_id: "strict",
            sections: &["dati"],
            language: "en",
            moderators: &[],
            allowed_servers: &["agency.test"],
        },
    )?;
    open_bot.start()?;
    strict_bot.start()?;
    let rooms = resolve_all(&alice, &[alias("open.dati"), alias("strict.dati")]).await?;
    join_and_ping(&alice, &alias("open"), &rooms[0], &open_bot.user_id).await?;

    let room = alice
        .create_room(serde_json::json!({"preset": "private_chat", "name": "invito"}))
        .await?;
    // Sent before the bot is in the room: history, not a command.
    let before_join = alice.send_text(&room, "!ping").await?;
    alice.invite(&room, &open_bot.user_id).await?;
    alice.invite(&room, &strict_bot.user_id).await?;
    let joined = wait_for(Duration::from_secs(60), || async {
        Ok(
            (alice.membership(&room, &open_bot.user_id).await?.as_deref() == Some("join"))
                .then_some(()),
        )
    })
    .await?;
    assert!(
        joined.is_some(),
        "the bot did not accept an invite from an allowed server"
    );
    let reply = alice.command(&room, &open_bot.user_id, "!ping").await?;
    assert!(reply["body"]
        .as_str()
        .unwrap_or_default()
        .starts_with("pong (processing lag:"));
    let answered: Vec<String> = alice
        .replies_from(&room, &open_bot.user_id)
        .await?
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    assert_eq!(answered.len(), 1);
    assert!(
        !answered.contains(&before_join),
        "a command from before the join was answered"
    );

    let declined = wait_for(Duration::from_secs(60), || async {
        Ok((alice
            .membership(&room, &strict_bot.user_id)
            .await?
            .as_deref()
            == Some("leave"))
        .then_some(()))
    })
    .await?;
    assert!(
        declined.is_some(),
        "the invite from a server not allowed was not declined"
    );

    // In its own room the strict bot tells a foreign user why once, then stays silent.
    alice.join_section(&alias("strict"), &rooms[1]).await?;
    let first = alice
        .command(&rooms[1], &strict_bot.user_id, "!ping")
        .await?;
    assert!(
        first["body"]
            .as_str()
            .unwrap_or_default()
            .contains("ministry.test is not allowed"),
        "{first}"
    );
    let second = alice.send_text(&rooms[1], "!help").await?;
    open_bot.stop()?;
    // A third command, then wait for any reply to it to arrive: none may come for either.
    let third = alice.send_text(&rooms[1], "!ping").await?;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let replies = alice.replies_from(&rooms[1], &strict_bot.user_id).await?;
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert!(replies
        .iter()
        .all(|(target, _)| *target != second && *target != third));
    assert!(strict_bot.is_running());
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_on_default_rate_limits_gets_every_reply_once() -> Result<()> {
    const BURST: usize = 20;
    let synapse = Synapse::start(SERVER, RateLimits::Default).await?;
    let bot_user = synapse.register("pspm", false).await?;
    let alice = synapse.register("alice", false).await?;
    // Only the test client is exempted; the bot lives with Synapse's defaults.
    synapse.exempt_from_rate_limits(&alice).await?;
    let (bot, room) = running_bot(&synapse, &bot_user, "burst").await?;
    alice.join_section(&alias("burst"), &room).await?;
    let mut sent = Vec::new();
    for _ in 0..BURST {
        sent.push(alice.send_text(&room, "!ping").await?);
    }
    let wanted: BTreeSet<String> = sent.into_iter().collect();
    let counts = replies_once_each(&alice, &room, &bot, &wanted, Duration::from_secs(240)).await?;
    assert_eq!(
        counts.values().sum::<usize>(),
        BURST,
        "exactly one reply per command"
    );
    assert!(
        bot.log().contains("M_LIMIT_EXCEEDED") || bot.log().contains("Too Many Requests"),
        "the burst never hit the rate limit, so this test proved nothing:\n{}",
        bot.log()
    );
    Ok(())
}

/// Waits until every command in `wanted` has the bot's reply, gives late duplicates a moment,
/// and checks each has exactly one. Returns the reply count of every replied-to event.
async fn replies_once_each(
    user: &User,
    room: &str,
    bot: &Bot,
    wanted: &BTreeSet<String>,
    timeout: Duration,
) -> Result<BTreeMap<String, usize>> {
    let all = wait_for(timeout, || async {
        let answered: BTreeSet<String> = user
            .replies_from(room, &bot.user_id)
            .await?
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        Ok(wanted.is_subset(&answered).then_some(()))
    })
    .await?;
    anyhow::ensure!(
        all.is_some(),
        "not every command was answered within {timeout:?}; bot log:\n{}",
        bot.log()
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (target, _) in user.replies_from(room, &bot.user_id).await? {
        *counts.entry(target).or_default() += 1;
    }
    for command in wanted {
        anyhow::ensure!(
            counts.get(command) == Some(&1),
            "{command} answered {:?} times",
            counts.get(command)
        );
    }
    Ok(counts)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backlog_larger_than_one_sync_is_backfilled_and_answered_once() -> Result<()> {
    const BACKLOG: usize = 250;
    let synapse = Synapse::start(SERVER, RateLimits::Raised).await?;
    let bot_user = synapse.register("pspm", false).await?;
    let alice = synapse.register("alice", false).await?;
    let (mut bot, room) = running_bot(&synapse, &bot_user, "backlog").await?;
    join_and_ping(&alice, &alias("backlog"), &room, &bot.user_id).await?;
    bot.stop()?;
    // While the bot is down, more commands pile up than one /sync returns (100).
    let mut wanted = BTreeSet::new();
    for i in 0..BACKLOG {
        let text = if i % 3 == 0 {
            "chatting meanwhile"
        } else {
            "!ping"
        };
        let event_id = alice.send_text(&room, text).await?;
        if i % 3 != 0 {
            wanted.insert(event_id);
        }
    }
    bot.start()?;
    let counts = replies_once_each(&alice, &room, &bot, &wanted, Duration::from_secs(120)).await?;
    assert!(
        bot.log().contains("walked back through the room's history"),
        "{}",
        bot.log()
    );
    let total: usize = counts.values().sum();
    assert_eq!(total, wanted.len() + 1, "only commands are answered");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_bot_rides_out_a_homeserver_outage() -> Result<()> {
    let mut synapse = Synapse::start(SERVER, RateLimits::Raised).await?;
    let bot_user = synapse.register("pspm", false).await?;
    let alice = synapse.register("alice", false).await?;
    let (mut bot, room) = running_bot(&synapse, &bot_user, "outage").await?;
    join_and_ping(&alice, &alias("outage"), &room, &bot.user_id).await?;
    synapse.stop()?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        bot.is_running(),
        "the bot must not crash while the homeserver is down"
    );
    synapse.restart().await?;
    let reply = alice.command(&room, &bot.user_id, "!ping").await?;
    assert!(reply["body"]
        .as_str()
        .unwrap_or_default()
        .starts_with("pong"));
    assert!(
        bot.log().contains("retrying"),
        "the outage was not noticed:\n{}",
        bot.log()
    );
    Ok(())
}

#[test]
fn an_invalid_config_stops_every_subcommand_with_one_clear_line() -> Result<()> {
    let dir = tempfile::tempdir()?;
    std::fs::write(
        dir.path().join("plan.toml"),
        "[plan]\nid = \"pt\"\ntitle = \"Piano\"\n\n[[sections]]\nid = \"dati\"\ntitle = \"Dati\"\n",
    )?;
    let config = dir.path().join("pspm.toml");
    std::fs::write(
        &config,
        "[matrix]\nhomeserver_url = \"http://127.0.0.1:9\"\nuser_id = \"pspm\"\npassword = \"x\"\n\n\
         [storage]\ndata_dir = \"data\"\n\n[bot]\nallowed_servers = [\"localhost\"]\n\n[plan]\nfile = \"plan.toml\"\n",
    )?;
    for args in [
        vec!["check"],
        vec!["run"],
        vec!["export", "--out", "x.json"],
        vec!["rebuild"],
    ] {
        let output = std::process::Command::new(pspm_e2e::pspm_binary())
            .args(&args)
            .arg("--config")
            .arg(&config)
            .env("PSPM_MATRIX_PASSWORD", "secret-from-env")
            .output()?;
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
        assert!(
            stderr.contains("pspm.toml: key `matrix.user_id`") && stderr.contains("\"pspm\""),
            "{stderr}"
        );
        assert!(
            !stderr.contains("secret-from-env"),
            "secrets never appear: {stderr}"
        );
    }
    Ok(())
}
