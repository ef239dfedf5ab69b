//! The draft under consultation end to end: a section whose text is an AgID
//! reStructuredText chapter gets its draft posted once, one message per paragraph; a comment
//! in a paragraph's thread and 👍 from two people show in `!text §n` and in the export; an
//! accepted amendment changes what `!text §n` shows; `!iteration close` posts the new version
//! as a new draft while the old paragraphs keep their votes; a restart and `pspm rebuild`
//! (after the amendment's, the accept's and the close's messages are deleted)
//! post nothing again and keep the same figures; `pspm plan export --iteration` gives the
//! closed version.

use std::io::Read as _;
use std::path::Path;
use std::time::Duration;

use pspm_e2e::{repo_root, wait_for, Result};
use serde_json::Value;

use super::participation::{body, cli, cli_export, without_time, world_with};

const AGID: &str =
    "tests/data/practices/agid-linee-guida-riuso-software/riuso-software/modello-di-riuso.rst";

const PLAN: &str = r#"
[plan]
id = "bozza"
title = "Piano bozza"
description = "Piano di prova"

[[sections]]
id = "dati"
title = "Riuso del software"
description = "Il capitolo sul riuso"
text = "riuso.rst"

[[objectives]]
code = "OB.1"
section = "dati"
title = "Più software a riuso"

[[actions]]
code = "A.1"
section = "dati"
objective = "OB.1"
title = "Pubblicare il catalogo"
owner = "Agenzia"
start = 2026-09-01
"#;

fn path(path: &Path) -> &str {
    path.to_str().unwrap_or_default()
}

/// The bot's draft messages in the room (not amendment cards): `(item key, event ID,
/// body)`, oldest first.
fn posted_items(events: &[Value], bot: &str) -> Vec<(String, String, String)> {
    events
        .iter()
        .filter(|e| e["sender"] == bot && e["content"]["it.pspm.proposal"].is_null())
        .filter(|e| {
            !e["content"]["it.pspm.item"]
                .as_str()
                .is_some_and(|key| key.starts_with("amendment/"))
        })
        .filter_map(|e| {
            Some((
                e["content"]["it.pspm.item"].as_str()?.to_owned(),
                e["event_id"].as_str()?.to_owned(),
                body(&e["content"]).to_owned(),
            ))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sections_draft_is_posted_once_and_its_paragraphs_take_comments_and_votes() -> Result<()>
{
    let mut w = world_with("bozza", |bot| {
        bot.write_plan_text(PLAN)?;
        std::fs::copy(repo_root().join(AGID), bot.dir.path().join("riuso.rst"))?;
        Ok(())
    })
    .await?;
    let listing = w.ask(&w.bob, "!text").await?;
    let count: usize = body(&listing)
        .split_once('(')
        .and_then(|(_, rest)| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no count in {listing}"))?;
    assert!(count > 5, "{listing}");
    // Every paragraph, then the objective and the action, each posted once.
    let bot = w.bot.user_id.clone();
    let items = wait_for(Duration::from_secs(60), || async {
        let items = posted_items(&w.alice.messages(&w.room).await?, &bot);
        Ok((items.len() == count + 2).then_some(items))
    })
    .await?
    .ok_or_else(|| anyhow::anyhow!("the draft's {count} paragraphs were not all posted"))?;
    for (n, (key, _, text)) in items.iter().take(count).enumerate() {
        assert_eq!(key, &format!("§1.{}", n + 1));
        assert!(text.starts_with(&format!("§{} ", n + 1)), "{text}");
    }
    assert_eq!(items[0].2, "§1 Modello di riuso");
    assert!(
        items[1]
            .2
            .starts_with("§2 Si descrive nel dettaglio il modello di riuso delineato dal CAD."),
        "{}",
        items[1].2
    );
    assert_eq!(items[count].2, "Objective OB.1 Più software a riuso");
    assert_eq!(
        items[count + 1].2,
        "Action A.1 Pubblicare il catalogo — Agenzia, due ongoing"
    );

    // A comment in the thread of §2, and 👍 on it from two people.
    let paragraph = items[1].1.clone();
    w.alice
        .send_in_thread(&w.room, &paragraph, "Quali sono i passi del flusso?")
        .await?;
    w.alice.react(&w.room, &paragraph, "👍").await?;
    w.bob.react(&w.room, &paragraph, "👍").await?;
    let shown = wait_for(Duration::from_secs(30), || async {
        let shown = w.ask(&w.moderator, "!text §2").await?;
        let text = body(&shown).to_owned();
        Ok(text.ends_with("👍 2 · 👎 0 · 💬 1").then_some(text))
    })
    .await?
    .ok_or_else(|| anyhow::anyhow!("!text §2 never showed 2 supports and 1 comment"))?;
    assert!(
        shown.starts_with("§1.2 (paragraph):\nSi descrive nel dettaglio il modello di riuso"),
        "{shown}"
    );

    // An amendment to §2: its card is voted on; once accepted, `!text §2` shows the new text.
    let card = w
        .ask(
            &w.alice,
            "!amend §2\nSi descrive il modello di riuso delineato dal CAD, passo per passo.",
        )
        .await?;
    assert!(
        body(&card).starts_with("A1 replaces §1.2 — @alice:ministry.test (Ministero di prova)"),
        "{card}"
    );
    assert_eq!(card["it.pspm.item"], "amendment/A1");
    let accepted = w.ask(&w.moderator, "!accept A1").await?;
    assert_eq!(
        body(&accepted),
        "A1 accepted: `!text §1.2` shows the new text."
    );
    let amended = w.ask(&w.bob, "!text §2").await?;
    assert_eq!(
        body(&amended),
        "§1.2 (paragraph):\nSi descrive il modello di riuso delineato dal CAD, passo per passo.\n\
         👍 2 · 👎 0 · 💬 1"
    );

    // `!plan`: the moderator gets the consolidated plan (OpenDocument) with the new text.
    let file = w.moderator.command_file(&w.room, &bot, "!plan").await?;
    assert_eq!(
        file["info"]["mimetype"],
        "application/vnd.oasis.opendocument.text"
    );
    let bytes = w
        .moderator
        .download(file["url"].as_str().unwrap_or_default())
        .await?;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
    let mut content = String::new();
    zip.by_name("content.xml")?.read_to_string(&mut content)?;
    assert!(
        content.contains("Si descrive il modello di riuso delineato dal CAD, passo per passo."),
        "{content}"
    );

    // The moderator closes the iteration: its version is posted as the new draft, with the
    // same ids and the amended §2; the old §2 keeps its votes, the new one takes its own.
    let closed = w
        .ask(&w.moderator, "!iteration close blueprint 2026")
        .await?;
    assert!(
        body(&closed).starts_with(&format!(
            "Iteration 1 closed: version “blueprint 2026” has {count} paragraphs in 1 section, \
             with 1 accepted amendment."
        )),
        "{closed}"
    );
    let all = wait_for(Duration::from_secs(60), || async {
        let items = posted_items(&w.alice.messages(&w.room).await?, &bot);
        Ok((items.len() == 2 * (count + 2)).then_some(items))
    })
    .await?
    .ok_or_else(|| anyhow::anyhow!("the second iteration's draft was not all posted"))?;
    let second = &all[count + 2..];
    for (n, (key, _, _)) in second.iter().take(count).enumerate() {
        assert_eq!(key, &format!("§1.{}@2", n + 1));
    }
    assert_eq!(
        second[1].2,
        "§2 Si descrive il modello di riuso delineato dal CAD, passo per passo."
    );
    w.bob.react(&w.room, &second[1].1, "👎").await?;
    // A vote on the closed iteration's §2 is refused and counts nowhere.
    w.moderator.react(&w.room, &paragraph, "👍").await?;
    let shown = wait_for(Duration::from_secs(30), || async {
        let shown = w.ask(&w.alice, "!text §2").await?;
        let text = body(&shown).to_owned();
        Ok(text.ends_with("👍 0 · 👎 1 · 💬 0").then_some(text))
    })
    .await?
    .ok_or_else(|| anyhow::anyhow!("!text §2 never showed the new item's vote"))?;
    assert!(
        shown.starts_with("§1.2 (paragraph):\nSi descrive il modello di riuso delineato dal CAD"),
        "{shown}"
    );

    // A restart posts nothing again.
    w.bot.stop()?;
    w.bot.start()?;
    w.ask(&w.bob, "!ping").await?;
    let after_restart = posted_items(&w.alice.messages(&w.room).await?, &bot);
    assert_eq!(
        after_restart.len(),
        2 * (count + 2),
        "each iteration's draft posted once"
    );

    // Deleting the messages of the amendment, its accept and the close undoes none of them,
    // and a rebuild must replay them all the same: the bot's answers record the commands.
    assert_eq!(accepted["it.pspm.command"]["body"], "!accept A1");
    assert_eq!(
        closed["it.pspm.command"]["body"],
        "!iteration close blueprint 2026"
    );
    for (user, answer) in [
        (&w.alice, &card),
        (&w.moderator, &accepted),
        (&w.moderator, &closed),
    ] {
        let command = answer["m.relates_to"]["m.in_reply_to"]["event_id"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("an answer to no command: {answer}"))?;
        user.redact(&w.room, command).await?;
    }
    let after_deletions = w.ask(&w.bob, "!text §2").await?;
    assert_eq!(body(&after_deletions), shown);

    // The export has the paragraph's votes per organisation and its comment; a rebuild from
    // history gives the same.
    w.bot.stop()?;
    let dir = tempfile::tempdir()?;
    let export = cli_export(&w.bot, &dir.path().join("export.json"), false)?;
    let row = |iteration: u32| {
        export["items"]
            .as_array()
            .and_then(|rows| {
                rows.iter()
                    .find(|r| r["item"] == "§1.2" && r["iteration"] == iteration)
            })
            .ok_or_else(|| anyhow::anyhow!("no §1.2 of iteration {iteration} in {export}"))
    };
    let first = row(1)?;
    assert_eq!(first["event_id"], paragraph.as_str());
    assert_eq!(first["supports"], 2);
    assert_eq!(first["oppositions"], 0);
    assert_eq!(
        first["by_organisation"]["Ministero di prova"]["supports"],
        2
    );
    assert_eq!(first["comments"], 1);
    let again = row(2)?;
    assert_eq!(again["event_id"], second[1].1.as_str());
    assert_eq!(
        (&again["supports"], &again["oppositions"]),
        (&0.into(), &1.into())
    );
    assert_eq!(
        again["text"],
        "Si descrive il modello di riuso delineato dal CAD, passo per passo."
    );
    assert_eq!(
        export["item_comments"][0]["text"],
        "Quali sono i passi del flusso?"
    );
    assert_eq!(export["item_comments"][0]["iteration"], 1);
    cli(&w.bot, &["rebuild"])?;
    let rebuilt = cli_export(&w.bot, &dir.path().join("rebuilt.json"), false)?;
    assert_eq!(without_time(rebuilt), without_time(export));

    // The closed version's consolidated plan has the amended text, and A1 in its annex; the
    // ODT too. The current one starts from it, with nothing changed since.
    let md = dir.path().join("piano.md");
    cli(
        &w.bot,
        &[
            "plan",
            "export",
            "--format",
            "md",
            "--out",
            path(&md),
            "--iteration",
            "Blueprint 2026",
        ],
    )?;
    let md = std::fs::read_to_string(md)?;
    assert!(
        md.contains("**§1.2** Si descrive il modello di riuso delineato dal CAD, passo per passo."),
        "{md}"
    );
    assert!(
        md.contains(
            "| A1 | Riuso del software | §1.2 | text replaced | Ministero di prova | 0 | 0 |"
        ),
        "{md}"
    );
    assert!(
        md.contains("Version “blueprint 2026”: the text iteration 1 closed with"),
        "{md}"
    );
    let current = dir.path().join("corrente.md");
    cli(
        &w.bot,
        &["plan", "export", "--format", "md", "--out", path(&current)],
    )?;
    let current = std::fs::read_to_string(current)?;
    assert!(
        current.contains("Current text: iteration 2 under way, on version “blueprint 2026”."),
        "{current}"
    );
    assert!(
        current.contains("## Annex: changes since version “blueprint 2026”"),
        "{current}"
    );
    assert!(!current.contains("| A1 |"), "{current}");
    assert!(
        current.contains(
            "**§1.2** Si descrive il modello di riuso delineato dal CAD, passo per passo."
        ),
        "{current}"
    );
    let odt = dir.path().join("piano.odt");
    cli(
        &w.bot,
        &[
            "plan",
            "export",
            "--format",
            "odt",
            "--out",
            path(&odt),
            "--iteration",
            "1",
        ],
    )?;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&odt)?)?;
    let mut content = String::new();
    zip.by_name("content.xml")?.read_to_string(&mut content)?;
    assert!(
        content.contains("Si descrive il modello di riuso delineato dal CAD, passo per passo."),
        "{content}"
    );
    Ok(())
}
