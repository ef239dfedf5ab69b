//! The good-practice repository end to end: `pspm index add` while the bot runs, `!search`
//! over the AgID corpus, share → approve → searchable, decline, ratings, moderator rights.

use std::time::{Duration, Instant};

use pspm_e2e::{bot_in_section, repo_root, wait_for, BotSetup, RateLimits, Result, Synapse, User};
use serde_json::Value;

const SERVER: &str = "ministry.test";

fn body(content: &Value) -> String {
    content["body"].as_str().unwrap_or_default().to_owned()
}

/// The title of the first hit of a `!search` reply (`1. <title> — …`).
fn first_hit(reply: &str) -> Option<&str> {
    reply
        .lines()
        .find_map(|line| line.strip_prefix("1. "))
        .and_then(|rest| rest.split(" — ").next())
}

/// The text between the first pair of backticks (ids are shown as `code`).
fn quoted_id(reply: &str) -> Option<&str> {
    reply.split('`').nth(1)
}

#[tokio::test(flavor = "multi_thread")]
async fn search_share_approve_decline_and_rate_in_a_real_room() -> Result<()> {
    let synapse = Synapse::start(SERVER, RateLimits::Raised).await?;
    let bot_user = synapse.register("pspm", false).await?;
    let moderator = synapse.register("mod", false).await?;
    let alice = synapse.register("alice", false).await?;
    let bob = synapse.register("bob", false).await?;
    let (bot, room) = bot_in_section(
        &synapse,
        &BotSetup {
            bot: &bot_user,
            plan_id: "buone",
            sections: &["riuso"],
            language: "it",
            moderators: &[&moderator.user_id],
            allowed_servers: &[SERVER],
        },
        |_| Ok(()),
        &[&moderator, &alice, &bob],
    )
    .await?;
    let ask = |user: &User, text: String| {
        let room = room.clone();
        let bot_id = bot.user_id.clone();
        let user = user.clone_session();
        async move { user.command(&room, &bot_id, &text).await.map(|c| body(&c)) }
    };
    assert!(ask(&alice, "!ping".into()).await?.starts_with("pong"));

    // An operator adds the corpus while the bot runs: no lock failure, every file indexed.
    let corpus = repo_root().join("tests/data/practices");
    let corpus = corpus.to_str().expect("utf-8 path");
    let added = bot.run_cli(&["index", "add", corpus])?;
    let stdout = String::from_utf8_lossy(&added.stdout);
    assert!(
        added.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&added.stderr)
    );
    assert!(
        stdout.contains("added 34,") && stdout.contains("skipped 0"),
        "{stdout}"
    );

    // The running bot sees them within seconds, without a restart.
    let added_at = Instant::now();
    let seen = wait_for(Duration::from_secs(15), || async {
        let reply = ask(&bob, "!search \"messa a riuso\"".into()).await?;
        Ok(first_hit(&reply).map(str::to_owned))
    })
    .await?;
    assert_eq!(
        seen.as_deref(),
        Some("Processo di messa a riuso del software sotto licenza aperta")
    );
    println!(
        "corpus searchable in the bot {:?} after `pspm index add`",
        added_at.elapsed()
    );

    // Hand-picked queries, written from the documents' content: the right one comes first.
    for (query, expected) in [
        (
            "licenze aperte EUPL",
            "Licenze aperte e scelta di una licenza",
        ),
        ("total cost of ownership", "Total Cost of Ownership (TCO)"),
        (
            "ricerca software developers italia",
            "Developers Italia e la ricerca di software in riuso",
        ),
        (
            "modalità di erogazione cloud SaaS",
            "Scelta della modalità di erogazione del software",
        ),
        // A typo and no accents still find it.
        ("licemze aperte", "Licenze aperte e scelta di una licenza"),
    ] {
        let reply = ask(&bob, format!("!search {query}")).await?;
        assert_eq!(first_hit(&reply), Some(expected), "{query}: {reply}");
    }

    // The same search from the command line gives the same text; the words need no quotes.
    let cli = bot.run_cli(&["index", "search", "licenze", "aperte", "EUPL"])?;
    let chat = ask(&bob, "!search licenze aperte EUPL".into()).await?;
    assert_eq!(String::from_utf8_lossy(&cli.stdout).trim_end(), chat);
    // A typo: no exact match, near ones, and the corrected query; the same in both.
    let cli = bot.run_cli(&["index", "search", "licemze", "aperte"])?;
    let chat = ask(&bob, "!search licemze aperte".into()).await?;
    assert_eq!(String::from_utf8_lossy(&cli.stdout).trim_end(), chat);
    assert!(
        chat.starts_with("Nessun risultato esatto per «licemze aperte»: risultati simili")
            && chat.contains("Forse cercavi «licenze aperte»?"),
        "{chat}"
    );
    // A hit names its type in Italian, and says when the document gives no organisation or
    // year (the AgID corpus has no front matter).
    let hit = chat
        .lines()
        .find(|line| line.starts_with("1. "))
        .expect("a first hit");
    assert!(
        hit.contains(" — linea guida · ente n.d. · anno n.d. · `"),
        "{hit}"
    );

    // Share → pending (invisible to others) → approve → everyone finds it.
    let shared = ask(
        &alice,
        "!share Kit per il riuso nei comuni | Guida per i comuni: pubblicare il software gestionale del protocollo informatico in riuso su Developers Italia. | experience | comuni, protocollo".into(),
    )
    .await?;
    let id = quoted_id(&shared)
        .expect("the share reply names the id")
        .to_owned();
    assert_eq!(id.len(), 16, "a 64-bit id: {shared}");
    let query = "!search protocollo informatico comuni".to_owned();
    assert!(ask(&bob, query.clone()).await?.starts_with("Nessuna"));
    assert!(ask(&moderator, "!pending".into()).await?.contains(&id));
    let refused = ask(&bob, format!("!approve {id}")).await?;
    assert!(refused.contains("moderatori"), "{refused}");
    assert!(ask(&moderator, "!pending".into()).await?.contains(&id));
    let approved_event = moderator
        .send_text(&room, &format!("!approve {id}"))
        .await?;
    let approved = moderator
        .wait_reply(
            &room,
            &bot.user_id,
            &approved_event,
            Duration::from_secs(60),
        )
        .await?;
    assert!(body(&approved["content"]).contains("pubblicata"));
    let mentioned = approved["content"]["m.mentions"]["user_ids"].to_string();
    assert!(
        mentioned.contains(&alice.user_id),
        "the contributor is told: {mentioned}"
    );
    let found = ask(&bob, query).await?;
    assert_eq!(
        first_hit(&found),
        Some("Kit per il riuso nei comuni"),
        "{found}"
    );

    // Ratings: one per person, the latest wins.
    assert!(ask(&bob, format!("!rate {id} 2"))
        .await?
        .contains("media 2.0/5 su 1 voto"));
    assert!(ask(&alice, format!("!rate {id} 5"))
        .await?
        .contains("media 3.5/5 su 2 voti"));
    assert!(ask(&bob, format!("!rate {id} 4"))
        .await?
        .contains("media 4.5/5 su 2 voti"));
    let card = ask(&bob, format!("!practice {id}")).await?;
    assert!(card.contains("Valutazione: 4.5/5 (2 voti)"), "{card}");

    // Decline: the contributor gets the reason, the practice is gone.
    let spam = ask(
        &bob,
        "!share Foto delle vacanze | https://example.org/foto".into(),
    )
    .await?;
    let spam_id = quoted_id(&spam).expect("id").to_owned();
    let declined = ask(
        &moderator,
        format!("!decline {spam_id} non è una buona pratica"),
    )
    .await?;
    assert!(declined.contains("non è una buona pratica") && declined.contains(&bob.user_id));
    assert!(ask(&moderator, format!("!practice {spam_id}"))
        .await?
        .contains("Nessuna"));
    assert!(ask(&moderator, "!pending".into())
        .await?
        .contains("Nessuna"));

    // Garbage queries get an answer, never an error.
    for garbage in [
        "\"unbalanced",
        "type: year:..",
        "::: ((( )))",
        "year:abc..zz org:",
    ] {
        let reply = ask(&bob, format!("!search {garbage}")).await?;
        assert!(!reply.contains("non è disponibile"), "{garbage}: {reply}");
    }
    Ok(())
}
