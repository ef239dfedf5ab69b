//! Participation end to end: proposals, cards, reactions, redactions, text votes, threads,
//! phases, moderation and refusals, against a real Synapse.

use std::collections::BTreeMap;
use std::time::Duration;

use pspm_e2e::{bot_in_section, wait_for, Bot, BotSetup, RateLimits, Result, Synapse, User};
use serde_json::Value;

const SERVER: &str = "ministry.test";

pub(crate) struct World {
    /// Kept alive for the test's duration.
    _synapse: Synapse,
    pub(crate) bot: Bot,
    pub(crate) moderator: User,
    pub(crate) alice: User,
    pub(crate) bob: User,
    pub(crate) room: String,
}

pub(crate) async fn world(plan_id: &str) -> Result<World> {
    world_with(plan_id, |_| Ok(())).await
}

/// As [`world`], with `prepare` changing the bot (its plan file) before it starts.
pub(crate) async fn world_with(
    plan_id: &str,
    prepare: impl FnOnce(&mut Bot) -> Result<()>,
) -> Result<World> {
    let synapse = Synapse::start(SERVER, RateLimits::Raised).await?;
    let bot_user = synapse.register("pspm", false).await?;
    let moderator = synapse.register("mod", false).await?;
    let alice = synapse.register("alice", false).await?;
    let bob = synapse.register("bob", false).await?;
    let (bot, room) = bot_in_section(
        &synapse,
        &BotSetup {
            bot: &bot_user,
            plan_id,
            sections: &["dati"],
            language: "en",
            moderators: &[&moderator.user_id],
            allowed_servers: &[SERVER],
        },
        prepare,
        &[&moderator, &alice, &bob],
    )
    .await?;
    Ok(World {
        _synapse: synapse,
        bot,
        moderator,
        alice,
        bob,
        room,
    })
}

pub(crate) fn body(content: &Value) -> &str {
    content["body"].as_str().unwrap_or_default()
}

impl World {
    /// Sends a command and returns the bot's reply content.
    pub(crate) async fn ask(&self, user: &User, text: &str) -> Result<Value> {
        user.command(&self.room, &self.bot.user_id, text).await
    }

    /// The event ID of the bot's card for proposal `number`, once it is in the room.
    pub(crate) async fn card(&self, number: u64) -> Result<String> {
        let found = wait_for(Duration::from_secs(30), || async {
            let events = self.alice.messages(&self.room).await?;
            Ok(events.into_iter().find_map(|e| {
                (e["sender"] == self.bot.user_id.as_str()
                    && e["content"]["it.pspm.proposal"] == number)
                    .then(|| e["event_id"].as_str().map(str::to_owned))
                    .flatten()
            }))
        })
        .await?;
        found.ok_or_else(|| anyhow::anyhow!("no card for #{number}"))
    }

    /// Waits until `!show n` reports `expected` as its tally line.
    pub(crate) async fn wait_tally(&self, number: u64, support: u32, oppose: u32) -> Result<()> {
        let expected = format!("👍 {support} · 👎 {oppose}");
        let mut last = String::new();
        for _ in 0..50 {
            let shown = self.ask(&self.bob, &format!("!show {number}")).await?;
            last = body(&shown).to_owned();
            if last.contains(&expected) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        anyhow::bail!("#{number} never showed {expected}; last:\n{last}")
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn proposals_votes_threads_and_moderation_in_a_real_room() -> Result<()> {
    let w = world("cycle").await?;

    // Help differs by role; the moderator's shows moderation commands.
    let stakeholder_help = w.ask(&w.alice, "!help").await?;
    assert!(body(&stakeholder_help).contains("!propose"));
    assert!(
        !body(&stakeholder_help).contains("!accept"),
        "{}",
        body(&stakeholder_help)
    );
    let moderator_help = w.ask(&w.moderator, "!help").await?;
    assert!(body(&moderator_help).contains("!accept"));

    // A proposal with HTML in its title: the card escapes it and carries the number.
    let card_reply = w
        .ask(
            &w.alice,
            "!propose Open <b>data</b>\nPublish every dataset with an API.",
        )
        .await?;
    assert!(
        body(&card_reply).starts_with("#1 Open <b>data</b>"),
        "{}",
        body(&card_reply)
    );
    let html = card_reply["formatted_body"].as_str().unwrap_or_default();
    assert!(
        html.contains("&lt;b&gt;data&lt;/b&gt;") && !html.contains("<b>"),
        "{html}"
    );
    assert_eq!(card_reply["it.pspm.proposal"], 1);
    let card = w.card(1).await?;

    // The bot seeds 👍 and 👎 on its card.
    let seeded = wait_for(Duration::from_secs(30), || async {
        let events = w.alice.messages(&w.room).await?;
        let seeds = events
            .iter()
            .filter(|e| e["type"] == "m.reaction" && e["sender"] == w.bot.user_id.as_str())
            .filter(|e| e["content"]["m.relates_to"]["event_id"] == card.as_str())
            .count();
        Ok((seeds == 2).then_some(()))
    })
    .await?;
    assert!(
        seeded.is_some(),
        "the card was not seeded with two reactions"
    );

    // Votes by reaction, withdrawal by redaction, text votes.
    let alice_up = w.alice.react(&w.room, &card, "👍").await?;
    w.bob.react(&w.room, &card, "👎").await?;
    w.wait_tally(1, 1, 1).await?;
    w.alice.redact(&w.room, &alice_up).await?;
    w.wait_tally(1, 0, 1).await?;
    let voted = w.ask(&w.alice, "!vote 1 +").await?;
    assert_eq!(body(&voted), "Support recorded for #1: 👍 1 · 👎 1");
    let shown = w.ask(&w.bob, "!show 1").await?;
    assert!(
        body(&shown).contains("Ministero di prova: 👍 1 · 👎 1"),
        "{}",
        body(&shown)
    );

    // A comment in the card's thread, and feedback on the section.
    w.bob
        .send_in_thread(&w.room, &card, "Which formats?")
        .await?;
    let feedback = w
        .ask(&w.bob, "!feedback Interoperability is missing")
        .await?;
    assert!(body(&feedback).starts_with("Thank you"));
    let shown = w.ask(&w.bob, "!show 1").await?;
    assert!(body(&shown).contains("Comments: 1"), "{}", body(&shown));

    // Moderator commands: refused for others, even with a moderator's display name.
    w.bob.set_display_name("mod").await?;
    let refused = w.ask(&w.bob, "!accept 1").await?;
    assert_eq!(body(&refused), "Only moderators can use this command.");
    let refused = w.ask(&w.bob, "!phase prioritisation").await?;
    assert_eq!(body(&refused), "Only moderators can use this command.");

    // Phases refuse what they do not allow, and change nothing.
    w.ask(&w.moderator, "!phase prioritisation").await?;
    let late = w.ask(&w.alice, "!propose Too late").await?;
    assert_eq!(
        body(&late),
        "Not possible in the section's current phase (prioritisation)."
    );
    let listed = w.ask(&w.alice, "!proposals").await?;
    assert!(
        body(&listed).starts_with("Proposals in “Sezione dati” (1):"),
        "{}",
        body(&listed)
    );
    w.ask(&w.moderator, "!phase consultation").await?;

    // Editing the !propose message updates the proposal while it has no votes.
    let cloud = w.bob.send_text(&w.room, "!propose Cloud frist").await?;
    w.bob
        .wait_reply(&w.room, &w.bot.user_id, &cloud, Duration::from_secs(30))
        .await?;
    w.bob.edit(&w.room, &cloud, "!propose Cloud first").await?;
    let updated = wait_for(Duration::from_secs(30), || async {
        let shown = w.ask(&w.alice, "!show 2").await?;
        Ok(body(&shown).starts_with("#2 Cloud first").then_some(()))
    })
    .await?;
    assert!(updated.is_some(), "the edit did not update proposal #2");

    // A moderator promotes someone's plain message to a proposal authored by them.
    let idea = w
        .alice
        .send_text(&w.room, "Formazione digitale per i dipendenti")
        .await?;
    let promote = w.moderator.reply(&w.room, &idea, "!promote").await?;
    let promoted = w
        .alice
        .wait_reply(&w.room, &w.bot.user_id, &promote, Duration::from_secs(30))
        .await?;
    let promoted = body(&promoted["content"]).to_owned();
    assert!(
        promoted.starts_with("#3 Formazione digitale per i dipendenti"),
        "{promoted}"
    );
    assert!(
        promoted.contains(&format!("Proposed by {}", w.alice.user_id)),
        "{promoted}"
    );

    // Moderation with notices in the proposal's thread.
    let accepted = w.ask(&w.moderator, "!accept 1 In the 2027 plan").await?;
    assert!(body(&accepted).contains("accepted") && body(&accepted).contains("In the 2027 plan"));
    w.ask(&w.moderator, "!reject 2 Out of scope").await?;
    w.ask(&w.moderator, "!merge 3 into 1").await?;
    w.ask(&w.moderator, "!hide 2 spam").await?;
    let hidden = w.ask(&w.alice, "!show 2").await?;
    assert_eq!(body(&hidden), "There is no proposal #2.");
    let thread_notices = w
        .alice
        .messages(&w.room)
        .await?
        .into_iter()
        .filter(|e| e["sender"] == w.bot.user_id.as_str())
        .filter(|e| {
            e["content"]["m.relates_to"]["rel_type"] == "m.thread"
                && e["content"]["m.relates_to"]["event_id"] == card.as_str()
        })
        .count();
    assert!(thread_notices >= 1, "no state notice in the card's thread");
    Ok(())
}

/// Runs `pspm <args>` on the bot's config and requires success.
pub(crate) fn cli(bot: &Bot, args: &[&str]) -> Result<()> {
    let output = bot.run_cli(args)?;
    anyhow::ensure!(
        output.status.success(),
        "pspm {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(())
}

/// `pspm export --format json` into `path` (with `--full` if asked), parsed.
pub(crate) fn cli_export(bot: &Bot, path: &std::path::Path, full: bool) -> Result<Value> {
    let path_arg = path.to_str().unwrap_or_default();
    let mut args = vec!["export", "--format", "json", "--out", path_arg];
    if full {
        args.push("--full");
    }
    cli(bot, &args)?;
    Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
}

/// Deletes the bot's store and the copy a rebuild keeps of it.
pub(crate) fn delete_store(bot: &Bot) -> Result<()> {
    for entry in std::fs::read_dir(bot.dir.path().join("data"))? {
        let path = entry?.path();
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("state"))
        {
            std::fs::remove_dir_all(path)?;
        }
    }
    Ok(())
}

/// The JSON export without its generation time, for comparisons.
pub(crate) fn without_time(mut export: Value) -> Value {
    export["generated_at"] = Value::Null;
    export
}

#[tokio::test(flavor = "multi_thread")]
async fn exports_in_three_formats_and_a_rebuild_reproduces_them() -> Result<()> {
    let mut w = world("export").await?;
    w.ask(
        &w.alice,
        "!propose Dati aperti, \"subito\"\nPubblicare i dataset; con qualità e accessibilità.",
    )
    .await?;
    w.ask(&w.bob, "!propose Interoperabilità").await?;
    w.ask(&w.bob, "!propose Spam").await?;
    let card = w.card(1).await?;
    w.alice.react(&w.room, &card, "👍").await?;
    w.bob.react(&w.room, &card, "👎").await?;
    w.ask(&w.moderator, "!vote 2 +").await?;
    w.bob
        .send_in_thread(&w.room, &card, "Quali formati? CSV, JSON")
        .await?;
    w.ask(&w.alice, "!feedback Manca la sicurezza").await?;
    w.ask(&w.moderator, "!accept 1 Nel piano 2027").await?;
    w.ask(&w.moderator, "!hide 3 spam").await?;
    w.wait_tally(1, 1, 1).await?;

    // !export uploads files to the room; moderators only.
    let refused = w.ask(&w.alice, "!export").await?;
    assert_eq!(body(&refused), "Only moderators can use this command.");
    let mut files = BTreeMap::new();
    for format in ["json", "csv", "md"] {
        let command = w
            .moderator
            .send_text(&w.room, &format!("!export {format}"))
            .await?;
        let wanted = if format == "csv" { 2 } else { 1 };
        let posted = wait_for(Duration::from_secs(60), || async {
            let posted: Vec<Value> = w
                .moderator
                .messages(&w.room)
                .await?
                .into_iter()
                .filter(|e| e["content"]["msgtype"] == "m.file")
                .filter(|e| {
                    e["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] == command.as_str()
                })
                .collect();
            Ok((posted.len() == wanted).then_some(posted))
        })
        .await?
        .ok_or_else(|| anyhow::anyhow!("!export {format} posted no file"))?;
        for event in posted {
            let name = event["content"]["body"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let url = event["content"]["url"].as_str().unwrap_or_default();
            let bytes = w.moderator.download(url).await?;
            files.insert(name, String::from_utf8(bytes)?);
        }
    }
    let json: Value = serde_json::from_str(&files["export-export.json"])?;
    assert_eq!(
        (json["schema"].as_str(), json["version"].as_u64()),
        (Some("pspm.export"), Some(4))
    );
    assert_eq!(json["visibility"], "public");
    let proposals = json["proposals"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        proposals.len(),
        2,
        "the hidden proposal is not in the public export"
    );
    let first = &proposals[0];
    assert_eq!(first["title"], "Dati aperti, \"subito\"");
    assert_eq!(first["state"], "accepted");
    assert_eq!(first["answer"], "Nel piano 2027");
    assert_eq!(
        (first["supports"].as_u64(), first["oppositions"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        first["by_organisation"]["Ministero di prova"]["supports"],
        1
    );
    assert!(first["event_id"]
        .as_str()
        .is_some_and(|id| id.starts_with('$')));
    assert_eq!(first["card_event_id"], card.as_str());
    assert_eq!(proposals[1]["supports"], 1);
    let comments = json["comments"].as_array().cloned().unwrap_or_default();
    let kinds: Vec<&str> = comments.iter().filter_map(|c| c["kind"].as_str()).collect();
    assert_eq!(kinds, ["comment", "feedback"]);
    assert_eq!(comments[0]["proposal"], 1);
    assert_eq!(comments[0]["text"], "Quali formati? CSV, JSON");

    let csv = &files["export-export.csv"];
    assert!(csv.starts_with('\u{FEFF}'), "a BOM for spreadsheets");
    assert!(csv.contains("\r\n"), "RFC 4180 line ends");
    assert!(
        csv.contains("\"Dati aperti, \"\"subito\"\"\""),
        "quotes doubled: {csv}"
    );
    assert!(csv.contains("qualità e accessibilità"), "accents intact");
    assert!(csv.contains("\"supports [Ministero di prova]\""));
    assert_eq!(
        csv.lines().count(),
        3,
        "header and one row per public proposal"
    );
    let comments_csv = &files["export-export.comments.csv"];
    assert!(comments_csv.contains("\"feedback\"") && comments_csv.contains("Manca la sicurezza"));
    let md = &files["export-export.md"];
    assert!(
        md.contains("## Sezione dati (consultation)")
            && md.contains("| # | Title | Author | Organisation | State | 👍 | 👎 | Answer |")
            && md.contains("| 1 | Dati aperti")
            && md.contains("| accepted | 1 | 1 | Nel piano 2027 |")
            && md.contains("on the section: Manca la sicurezza"),
        "{md}"
    );

    // What needs the store to itself refuses, clearly, while the bot holds it (the export
    // reads it through the bot: `live_cli.rs`).
    let dir = tempfile::tempdir()?;
    for busy in [&["rebuild"][..], &["outbox", "list"]] {
        let refused = w.bot.run_cli(busy)?;
        assert!(!refused.status.success());
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(
            said.contains("needs the bot stopped") || said.contains("a running bot holds it"),
            "{busy:?}: {said}"
        );
    }

    // Offline: the same export from the CLI; then a rebuild from history gives it again.
    w.bot.stop()?;
    let before = cli_export(&w.bot, &dir.path().join("before.json"), true)?;
    assert_eq!(before["visibility"], "full");
    assert_eq!(before["proposals"].as_array().map(Vec::len), Some(3));
    assert_eq!(before["proposals"][2]["hidden_reason"], "spam");
    let public = cli_export(&w.bot, &dir.path().join("public.json"), false)?;
    assert_eq!(
        without_time(public),
        without_time(json.clone()),
        "CLI and chat exports agree"
    );

    cli(&w.bot, &["rebuild"])?;
    let after = cli_export(&w.bot, &dir.path().join("after.json"), true)?;
    assert_eq!(
        without_time(after),
        without_time(before.clone()),
        "a rebuild reproduces the export"
    );

    // The store lost (deleted with the copy the rebuild kept): room history is enough.
    delete_store(&w.bot)?;
    cli(&w.bot, &["rebuild"])?;
    let from_nothing = cli_export(&w.bot, &dir.path().join("from-nothing.json"), true)?;
    assert_eq!(
        without_time(from_nothing),
        without_time(before),
        "a rebuild without the store reproduces the export"
    );

    // The bot runs on the rebuilt store without answering history again.
    let replies_before = w.alice.replies_from(&w.room, &w.bot.user_id).await?.len();
    w.bot.start()?;
    let shown = w.ask(&w.alice, "!show 1").await?;
    assert!(body(&shown).contains("👍 1 · 👎 1"), "{}", body(&shown));
    let replies_after = w.alice.replies_from(&w.room, &w.bot.user_id).await?.len();
    assert_eq!(replies_after, replies_before + 1);
    Ok(())
}

/// One user's vote as the room history says: the latest unredacted 👍/👎.
#[derive(Clone)]
struct Cast {
    reaction: String,
    key: &'static str,
}

#[tokio::test(flavor = "multi_thread")]
async fn votes_survive_crashes_exactly_once_and_a_rebuild_agrees() -> Result<()> {
    const ACTIONS: usize = 600;
    const MIN_KILLS: u32 = 5;
    let mut w = world("crashvotes").await?;
    let proposals = 4u64;
    for i in 1..=proposals {
        w.ask(&w.alice, &format!("!propose Proposta {i}")).await?;
    }
    let mut cards = Vec::new();
    for i in 1..=proposals {
        cards.push(w.card(i).await?);
    }
    let voters = [&w.alice, &w.bob, &w.moderator];
    let mut rng = pspm_e2e::Rng::from_env_or_time("vote crash test");
    // Truth, from what the room receives: per (voter, card) the live reactions.
    let mut live: BTreeMap<(usize, usize), Vec<Cast>> = BTreeMap::new();
    let plan: Vec<(usize, usize, u64)> = (0..ACTIONS)
        .map(|_| {
            (
                rng.between(0, 3) as usize,
                rng.between(0, proposals) as usize,
                rng.between(0, 10),
            )
        })
        .collect();
    let sending = std::sync::atomic::AtomicBool::new(true);
    let sender = async {
        for (voter, card, choice) in plan {
            let casts = live.entry((voter, card)).or_default();
            let key = if choice < 6 { "👍" } else { "👎" };
            let user = voters[voter];
            if let Some(pos) = casts
                .iter()
                .position(|c| c.key == key)
                .filter(|_| choice % 2 == 0 || casts.len() == 2)
            {
                // Withdraw: redact the reaction with that key.
                let cast = casts.remove(pos);
                user.redact(&w.room, &cast.reaction).await?;
            } else if casts.iter().all(|c| c.key != key) {
                let reaction = user.react(&w.room, &cards[card], key).await?;
                casts.push(Cast { reaction, key });
            }
        }
        sending.store(false, std::sync::atomic::Ordering::SeqCst);
        Result::Ok(())
    };
    let mut kill_rng = pspm_e2e::Rng::from_env_or_time("vote crash killer");
    let bot = &mut w.bot;
    let killer = async {
        let mut kills = 0;
        while kills < MIN_KILLS || sending.load(std::sync::atomic::Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(kill_rng.between(300, 2000))).await;
            bot.kill()?;
            kills += 1;
            tokio::time::sleep(Duration::from_millis(kill_rng.between(0, 500))).await;
            bot.start()?;
        }
        Result::Ok(kills)
    };
    let (sent, kills) = tokio::join!(sender, killer);
    sent?;
    assert!(kills? >= MIN_KILLS);

    // The truth: a voter's vote on a card is the stance of their most recent live reaction.
    let mut truth = vec![(0u32, 0u32); proposals as usize];
    for ((_, card), casts) in &live {
        if let Some(last) = casts.last() {
            match last.key {
                "👍" => truth[*card].0 += 1,
                _ => truth[*card].1 += 1,
            }
        }
    }
    for (index, (support, oppose)) in truth.iter().enumerate() {
        w.wait_tally(index as u64 + 1, *support, *oppose).await?;
    }

    w.bot.stop()?;
    let dir = tempfile::tempdir()?;
    let export = |name: &str| -> Result<Value> {
        Ok(without_time(cli_export(
            &w.bot,
            &dir.path().join(name),
            true,
        )?))
    };
    let before = export("before.json")?;
    for (index, (support, oppose)) in truth.iter().enumerate() {
        let row = &before["proposals"][index];
        assert_eq!(
            (row["supports"].as_u64(), row["oppositions"].as_u64()),
            (Some(u64::from(*support)), Some(u64::from(*oppose))),
            "#{}",
            index + 1
        );
    }
    cli(&w.bot, &["rebuild"])?;
    assert_eq!(
        export("after.json")?,
        before,
        "rebuild reproduces the export"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_prioritisation_poll_counts_unstable_and_stable_responses_by_msc3381_rules() -> Result<()>
{
    let w = world("polls").await?;
    for title in ["Primo", "Secondo", "Terzo"] {
        w.ask(&w.alice, &format!("!propose {title}")).await?;
    }
    w.ask(&w.bob, "!vote 1 +").await?;
    let refused = w.ask(&w.alice, "!prioritise").await?;
    assert_eq!(body(&refused), "Only moderators can use this command.");
    let opened = w.ask(&w.moderator, "!prioritise 2 3").await?;
    assert!(
        body(&opened).starts_with("Priority poll 1 is open"),
        "{}",
        body(&opened)
    );

    let start = wait_for(Duration::from_secs(30), || async {
        Ok(w.alice.messages(&w.room).await?.into_iter().find(|e| {
            e["type"] == "org.matrix.msc3381.poll.start" && e["sender"] == w.bot.user_id.as_str()
        }))
    })
    .await?
    .ok_or_else(|| anyhow::anyhow!("no poll start from the bot"))?;
    let poll = &start["content"]["org.matrix.msc3381.poll.start"];
    assert_eq!(poll["max_selections"], 2);
    let answers: Vec<&str> = poll["answers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["id"].as_str())
        .collect();
    assert_eq!(answers, ["p1", "p2", "p3"], "the most supported first");
    let start_id = start["event_id"].as_str().unwrap_or_default().to_owned();
    let relates = serde_json::json!({"rel_type": "m.reference", "event_id": start_id});
    let unstable = |answers: &[&str]| serde_json::json!({"org.matrix.msc3381.poll.response": {"answers": answers}, "m.relates_to": relates});
    // Alice votes, then changes her ballot; Bob's has too many answers (spoiled); the
    // moderator answers in the stable form.
    w.alice
        .send(
            &w.room,
            "org.matrix.msc3381.poll.response",
            unstable(&["p1", "p2"]),
        )
        .await?;
    w.bob
        .send(
            &w.room,
            "org.matrix.msc3381.poll.response",
            unstable(&["p1", "p2", "p3"]),
        )
        .await?;
    w.alice
        .send(
            &w.room,
            "org.matrix.msc3381.poll.response",
            unstable(&["p3"]),
        )
        .await?;
    w.moderator
        .send(
            &w.room,
            "m.poll.response",
            serde_json::json!({"m.selections": ["p1"], "m.relates_to": relates}),
        )
        .await?;
    // Give the bot the responses before closing (closing is a command after them in the room).
    let refused = w.ask(&w.alice, "!close").await?;
    assert_eq!(body(&refused), "Only moderators can use this command.");
    let ranking = w.ask(&w.moderator, "!close").await?;
    let text = body(&ranking);
    assert!(
        text.starts_with("Poll 1 closed: 2 voters, 1 spoiled vote."),
        "{text}"
    );
    assert!(
        text.contains("1. #1 Primo — 1 vote\n")
            && text.contains("2. #3 Terzo — 1 vote\n")
            && text.contains("3. #2 Secondo — 0 votes"),
        "{text}"
    );

    // A response after the end does not count; the end is posted as a poll end.
    w.bob
        .send(
            &w.room,
            "org.matrix.msc3381.poll.response",
            unstable(&["p2"]),
        )
        .await?;
    let ended = wait_for(Duration::from_secs(30), || async {
        Ok(w.alice.messages(&w.room).await?.into_iter().find(|e| {
            e["type"] == "org.matrix.msc3381.poll.end"
                && e["content"]["m.relates_to"]["event_id"] == start_id.as_str()
        }))
    })
    .await?;
    assert!(ended.is_some(), "no poll end event");
    let export = w.moderator.send_text(&w.room, "!export json").await?;
    let file = wait_for(Duration::from_secs(30), || async {
        Ok(w.moderator.messages(&w.room).await?.into_iter().find(|e| {
            e["content"]["msgtype"] == "m.file"
                && e["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] == export.as_str()
        }))
    })
    .await?
    .ok_or_else(|| anyhow::anyhow!("no export file"))?;
    let json: Value = serde_json::from_slice(
        &w.moderator
            .download(file["content"]["url"].as_str().unwrap_or_default())
            .await?,
    )?;
    let poll = &json["polls"][0];
    assert_eq!(
        (poll["voters"].as_u64(), poll["spoiled"].as_u64()),
        (Some(2), Some(1))
    );
    assert!(poll["closed_at"].is_string());
    assert_eq!(json["proposals"][1]["poll_votes"], 0);
    assert_eq!(json["proposals"][2]["poll_votes"], 1);

    w.ask(&w.moderator, "!phase consolidation").await?;
    let late = w.ask(&w.moderator, "!prioritise").await?;
    assert_eq!(
        body(&late),
        "Not possible in the section's current phase (consolidation)."
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_card_shows_the_tally_after_a_burst_of_votes_with_a_few_edits() -> Result<()> {
    let w = world("cards").await?;
    let reply = w.ask(&w.alice, "!propose Open data").await?;
    assert!(body(&reply).starts_with("#1 Open data"), "{reply}");
    let card = w.card(1).await?;
    // A burst: each person reacts, changes their mind, then takes the first reaction back.
    let people = [&w.alice, &w.bob, &w.moderator];
    let mut first = Vec::new();
    for (i, person) in people.iter().enumerate() {
        first.push(person.react(&w.room, &card, ["👍", "👎"][i % 2]).await?);
    }
    for (i, person) in people.iter().enumerate() {
        person.react(&w.room, &card, ["👎", "👍"][i % 2]).await?;
    }
    for (person, reaction) in people.iter().zip(&first) {
        person.redact(&w.room, reaction).await?;
    }
    // Final votes: alice 👎, bob 👍, the moderator 👎.
    let wanted = "👍 1 · 👎 2";
    let edits = wait_for(Duration::from_secs(30), || async {
        let events = w.bob.messages(&w.room).await?;
        let edits: Vec<Value> = events
            .into_iter()
            .filter(|e| {
                e["sender"] == w.bot.user_id.as_str()
                    && e["content"]["m.relates_to"]["rel_type"] == "m.replace"
                    && e["content"]["m.relates_to"]["event_id"] == card.as_str()
            })
            .collect();
        let latest = edits
            .last()
            .map(|e| body(&e["content"]["m.new_content"]).to_owned());
        Ok(latest
            .is_some_and(|text| text.contains(wanted))
            .then_some(edits))
    })
    .await?
    .ok_or_else(|| anyhow::anyhow!("the card never showed {wanted}"))?;
    // What the card says is what the bot counts, and a reader's client shows the edit.
    let shown = body(&edits[edits.len() - 1]["content"]["m.new_content"]).to_owned();
    assert!(shown.starts_with("#1 Open data"), "{shown}");
    assert!(
        shown.contains("the bot's own reactions are not votes"),
        "{shown}"
    );
    let listed = w.ask(&w.bob, "!proposals").await?;
    assert!(body(&listed).contains("👍 1 👎 2"), "{listed}");
    // Nine events on the card, a few edits (they wait for the burst to settle).
    assert!(
        edits.len() <= 4,
        "{} edits for 9 votes and withdrawals",
        edits.len()
    );
    Ok(())
}
