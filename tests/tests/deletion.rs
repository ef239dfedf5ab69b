//! Deleted messages end to end: a proposal, a thread comment and a feedback deleted in a
//! real room leave the exports (tombstones stay), the proposal's card and the bot's edits of
//! it are deleted in the room, and `pspm rebuild`, with the store kept or lost, reaches the
//! same export.

use std::time::Duration;

use pspm_e2e::{wait_for, Result};
use serde_json::Value;

use super::participation::{body, cli, cli_export, delete_store, without_time, world};

const SECRETS: [&str; 4] = [
    "Piano riservato",
    "Dettagli da non pubblicare",
    "Commento da ritirare",
    "Contributo da ritirare",
];

/// Whether history shows `event` deleted.
fn deleted(events: &[Value], event_id: &str) -> bool {
    events.iter().any(|e| {
        e["event_id"] == event_id
            && e["unsigned"]["redacted_because"].is_object()
            && e["content"].as_object().is_none_or(|c| c.is_empty())
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn deleted_messages_leave_the_exports_and_a_rebuild_agrees() -> Result<()> {
    let mut w = world("deletion").await?;
    let proposal = w
        .alice
        .send_text(&w.room, &format!("!propose {}\n{}", SECRETS[0], SECRETS[1]))
        .await?;
    let card = w.card(1).await?;
    w.ask(&w.bob, "!propose Interoperabilità").await?;
    let other_card = w.card(2).await?;
    w.bob.react(&w.room, &card, "👍").await?;
    w.moderator.react(&w.room, &other_card, "👍").await?;
    // The card is edited to show the vote: the edit repeats the proposal's text.
    let card_edit = wait_for(Duration::from_secs(30), || async {
        let events = w.bob.messages(&w.room).await?;
        Ok(events.into_iter().find_map(|e| {
            (e["sender"] == w.bot.user_id.as_str()
                && e["content"]["m.relates_to"]["event_id"] == card.as_str()
                && body(&e["content"]["m.new_content"]).contains("👍 1"))
            .then(|| e["event_id"].as_str().map(str::to_owned))
            .flatten()
        }))
    })
    .await?
    .ok_or_else(|| anyhow::anyhow!("the card was never edited"))?;
    let remark = w.bob.send_in_thread(&w.room, &card, SECRETS[2]).await?;
    w.bob
        .send_in_thread(&w.room, &other_card, "Un commento che resta")
        .await?;
    let feedback = w
        .alice
        .send_text(&w.room, &format!("!feedback {}", SECRETS[3]))
        .await?;
    w.alice
        .wait_reply(&w.room, &w.bot.user_id, &feedback, Duration::from_secs(30))
        .await?;
    w.wait_tally(1, 1, 0).await?;

    // Deleted by their authors, and the feedback by a moderator.
    w.alice.redact(&w.room, &proposal).await?;
    w.bob.redact(&w.room, &remark).await?;
    w.moderator.redact(&w.room, &feedback).await?;
    let tombstones = wait_for(Duration::from_secs(30), || async {
        let events = w.bob.messages(&w.room).await?;
        let tombstones: Vec<Value> = events
            .iter()
            .filter(|e| e["content"]["it.pspm.tombstone"].is_object())
            .cloned()
            .collect();
        let gone = deleted(&events, &card) && deleted(&events, &card_edit);
        Ok((tombstones.len() == 3 && gone).then_some(tombstones))
    })
    .await?
    .ok_or_else(|| anyhow::anyhow!("no three tombstones and a deleted card and edit"))?;
    let proposal_tombstone = tombstones
        .iter()
        .find(|t| t["content"]["it.pspm.tombstone"]["kind"] == "proposal")
        .ok_or_else(|| anyhow::anyhow!("no proposal tombstone"))?;
    assert_eq!(
        proposal_tombstone["content"]["it.pspm.tombstone"]["card"],
        card.as_str()
    );
    assert!(body(&proposal_tombstone["content"]).contains("#1"));
    let shown = w.ask(&w.bob, "!show 1").await?;
    assert_eq!(
        body(&shown),
        "Proposal #1 was deleted: its text is no longer part of the plan."
    );
    let listed = w.ask(&w.bob, "!proposals").await?;
    assert!(!body(&listed).contains("#1 "), "{listed}");

    // No export holds the deleted text; the tombstones keep the events.
    w.bot.stop()?;
    let dir = tempfile::tempdir()?;
    let before = cli_export(&w.bot, &dir.path().join("before.json"), true)?;
    let text = before.to_string();
    for secret in SECRETS {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    let first = &before["proposals"][0];
    assert_eq!(
        (&first["redacted"], &first["title"], &first["event_id"]),
        (
            &Value::Bool(true),
            &Value::from(""),
            &Value::from(proposal.as_str())
        )
    );
    assert_eq!(first["supports"], 1, "votes cast before the deletion stay");
    let comments = before["comments"].as_array().cloned().unwrap_or_default();
    let redacted: Vec<&str> = comments
        .iter()
        .filter(|c| c["redacted"] == true && c["text"] == "")
        .filter_map(|c| c["event_id"].as_str())
        .collect();
    assert_eq!(redacted, [remark.as_str(), feedback.as_str()]);
    assert!(comments
        .iter()
        .any(|c| c["text"] == "Un commento che resta"));
    for format in ["csv", "md"] {
        let out = dir.path().join(format!("export.{format}"));
        cli(
            &w.bot,
            &[
                "export",
                "--format",
                format,
                "--full",
                "--out",
                out.to_str().unwrap_or_default(),
            ],
        )?;
        let mut written = String::new();
        for entry in std::fs::read_dir(dir.path())? {
            let path = entry?.path();
            if path.to_string_lossy().contains(&format!("export.{format}"))
                || path.extension().is_some_and(|e| e == format)
            {
                written.push_str(&std::fs::read_to_string(path)?);
            }
        }
        assert!(!written.is_empty(), "no {format} export written");
        for secret in SECRETS {
            assert!(!written.contains(secret), "{secret} in the {format} export");
        }
    }

    cli(&w.bot, &["rebuild"])?;
    let rebuilt = cli_export(&w.bot, &dir.path().join("rebuilt.json"), true)?;
    assert_eq!(without_time(rebuilt), without_time(before.clone()));
    delete_store(&w.bot)?;
    cli(&w.bot, &["rebuild"])?;
    let from_history = cli_export(&w.bot, &dir.path().join("from-history.json"), true)?;
    assert_eq!(
        without_time(from_history),
        without_time(before),
        "history and tombstones are enough"
    );
    Ok(())
}
