//! Secret ballots end to end: a moderator opens `!prioritise secret` in the section room,
//! five people each get a DM from the bot, four vote there (one changes their ballot) and the
//! fifth only after the close (not counted); the close posts the tally and the receipts; the
//! room's history never shows a voter's choice and the chat export names no voter; a rebuild
//! from the room keeps the closed tally.

use std::time::Duration;

use anyhow::anyhow;
use pspm_e2e::local_plan::LocalPlan;
use pspm_e2e::{wait_for, Result};
use serde_json::Value;

use super::digests::direct_invites;
use super::participation::{cli, cli_export, without_time};

const WAIT: Duration = Duration::from_secs(90);

fn body(event: &Value) -> String {
    event["content"]["body"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The receipt a ballot's reply gives, between backticks after "Receipt: ".
fn receipt_in(reply: &str) -> Result<String> {
    reply
        .split("Receipt: `")
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("no receipt in {reply:?}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn voters_vote_in_their_dms_and_the_room_sees_only_the_tally() -> Result<()> {
    let mut plan = LocalPlan::start("sb", 5).await?;
    let bot_id = plan.bot.user_id.clone();
    for title in [
        "Open the bus data",
        "Publish the budget",
        "Map the cycle lanes",
    ] {
        plan.propose(&plan.moderator, title).await?;
    }
    let opened = body(&plan.ask(&plan.moderator, "!prioritise secret 2").await?);
    let id: u32 = opened
        .strip_prefix("Secret ballot ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| anyhow!("not an announcement: {opened}"))?;
    assert!(
        opened.ends_with(
            "\n1. #1 Open the bus data\n2. #2 Publish the budget\n3. #3 Map the cycle lanes"
        ),
        "{opened}"
    );

    // Each person asks in the room (no choice said there): the bot opens a DM with them.
    let mut dms = Vec::new();
    for person in &plan.people {
        let reply = body(&plan.ask(person, &format!("!ballot {id}")).await?);
        assert!(reply.starts_with("Ballots are secret"), "{reply}");
        let dm = wait_for(WAIT, || async {
            Ok(direct_invites(person, &bot_id).await?.into_iter().next())
        })
        .await?
        .ok_or_else(|| anyhow!("no DM invite for {}", person.user_id))?;
        person.join(&dm).await?;
        dms.push(dm);
    }
    // The DM may be known to the bot a moment after the join: ask until it answers there.
    let ballot = |i: usize, choices: &'static str| {
        let (person, dm, bot) = (&plan.people[i], &dms[i], &bot_id);
        async move {
            let text = format!("!ballot {id} {choices}");
            let reply = person.command(dm, bot, &text).await?;
            Ok::<_, anyhow::Error>(reply["body"].as_str().unwrap_or_default().to_owned())
        }
    };
    let mut receipts = Vec::new();
    for (i, choices) in ["1,2", "1", "2", "3"].into_iter().enumerate() {
        let reply = ballot(i, choices).await?;
        receipts.push(receipt_in(&reply)?);
    }
    let changed = ballot(2, "1,3").await?;
    assert!(
        changed.starts_with(&format!(
            "Your ballot in secret ballot {id}: 1. #1 Open the bus data; 3. #3 Map the cycle lanes."
        )),
        "{changed}"
    );
    let void = std::mem::replace(&mut receipts[2], receipt_in(&changed)?);

    let closed = body(&plan.ask(&plan.moderator, &format!("!close {id}")).await?);
    let lines: Vec<&str> = closed.lines().collect();
    assert_eq!(
        lines[..5],
        [
            format!("Secret ballot {id} closed: 4 ballots. Ranking:").as_str(),
            "1. #1 Open the bus data — 3 votes",
            "2. #3 Map the cycle lanes — 2 votes",
            "3. #2 Publish the budget — 1 vote",
            "Receipts of the ballots counted, with their choices:",
        ],
        "{closed}"
    );
    for (receipt, choices) in receipts.iter().zip(["#1, #2", "#1", "#1, #3", "#3"]) {
        assert!(
            lines[5..].contains(&format!("`{receipt}`: {choices}").as_str()),
            "{receipt} {choices} in {closed}"
        );
    }
    assert_eq!(lines.len(), 9, "{closed}");
    assert!(
        !closed.contains(&void),
        "a changed ballot's first receipt is void"
    );
    // The fifth person votes only after the close: not counted.
    let late = ballot(4, "2").await?;
    assert_eq!(
        late,
        format!("Secret ballot {id} is closed: your ballot was not counted.")
    );

    // The room: nobody's choice, no receipt outside the tally, no voter next to a ballot.
    let history = plan.moderator.messages(&plan.room).await?;
    for event in &history {
        let text = body(event);
        let from_person = plan
            .people
            .iter()
            .any(|p| event["sender"] == p.user_id.as_str());
        if from_person && text.starts_with("!ballot") {
            assert_eq!(text, format!("!ballot {id}"), "a choice in the room");
        }
        if !text.starts_with(&format!("Secret ballot {id} closed")) {
            for receipt in receipts.iter().chain([&void]) {
                assert!(!text.contains(receipt.as_str()), "receipt in {text}");
            }
        }
    }
    let export = plan.export().await?;
    let poll = export["polls"]
        .as_array()
        .and_then(|polls| polls.iter().find(|p| p["id"] == id))
        .ok_or_else(|| anyhow!("no poll {id} in {export}"))?;
    assert_eq!(poll["secret"], true);
    assert_eq!(poll["voters"], 4);
    assert_eq!(poll["receipts"].as_array().map_or(0, Vec::len), 4, "{poll}");
    let text = export.to_string();
    for person in &plan.people {
        assert!(
            !text.contains(&person.user_id),
            "{} in the export",
            person.user_id
        );
    }

    // A rebuild replays the room, not the DMs: the close message brings the result back.
    plan.bot.stop()?;
    let dir = tempfile::tempdir()?;
    let before = cli_export(&plan.bot, &dir.path().join("before.json"), true)?;
    cli(&plan.bot, &["rebuild"])?;
    let after = cli_export(&plan.bot, &dir.path().join("after.json"), true)?;
    assert_eq!(
        after["polls"], before["polls"],
        "a rebuild keeps the closed tally"
    );
    assert_eq!(without_time(after), without_time(before));
    Ok(())
}
