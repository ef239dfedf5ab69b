//! Source systems post measurements to the bot's webhook: a valid token gives a measurement
//! in the room and in `!results`, named after its source; a wrong token 401, a malformed body
//! 422; the same idempotency key twice is one measurement, and 200 concurrent posts each
//! count once.

use std::time::Duration;

use pspm_e2e::bench::futures_join_all;
use pspm_e2e::{bot_in_section, wait_for, BotSetup, RateLimits, Result, Synapse};
use serde_json::{json, Value};

const SERVER: &str = "ministry.test";
const ISTAT_TOKEN: &str = "istat-0123456789abcdef";
const PAYMENTS_TOKEN: &str = "payments-fedcba9876543210";

/// The measurements of R.1 in the moderators' export.
fn measurements(export: &Value) -> Vec<Value> {
    export["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["code"] == "R.1")
        .flat_map(|r| r["measurements"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// A bot with the monitoring plan whose moderator (also the actions' owner) is in its
/// section room; `prepare` changes its files first. The bot has answered a `!ping`: it is
/// up, its HTTP endpoints with it.
async fn monitored_plan(
    synapse: &Synapse,
    prepare: impl FnOnce(&mut pspm_e2e::Bot) -> Result<()>,
) -> Result<(pspm_e2e::Bot, pspm_e2e::User, String)> {
    let bot_user = synapse.register("pspm", false).await?;
    let moderator = synapse.register("mod", false).await?;
    let (bot, room) = bot_in_section(
        synapse,
        &BotSetup {
            bot: &bot_user,
            plan_id: "mon",
            sections: &["dati"],
            language: "en",
            moderators: &[&moderator.user_id],
            allowed_servers: &[SERVER],
        },
        |bot| {
            let plan = crate::monitoring::plan(&moderator.user_id, &moderator.user_id);
            bot.write_plan_text(&plan)?;
            prepare(bot)
        },
        &[&moderator],
    )
    .await?;
    moderator.command(&room, &bot.user_id, "!ping").await?;
    Ok((bot, moderator, room))
}

#[tokio::test(flavor = "multi_thread")]
async fn source_systems_post_measurements_once_each_with_their_token() -> Result<()> {
    let synapse = Synapse::start(SERVER, RateLimits::Raised).await?;
    let port = pspm_e2e::free_port()?;
    let (bot, moderator, room) = monitored_plan(&synapse, |bot| {
        bot.env
            .push(("PSPM_PAYMENTS_TOKEN".to_owned(), PAYMENTS_TOKEN.to_owned()));
        bot.append_config(&format!(
            "[http]\nlisten = \"127.0.0.1:{port}\"\n\n\
             [[http.sources]]\nname = \"istat\"\ntoken = \"{ISTAT_TOKEN}\"\n\n\
             [[http.sources]]\nname = \"payments\"\ntoken_env = \"PSPM_PAYMENTS_TOKEN\"\n"
        ))
    })
    .await?;
    let http = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/api/v1/measurements");
    let post = |token: Option<&str>, body: String| {
        let mut request = http
            .post(&url)
            .header("content-type", "application/json")
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move {
            let response = request.send().await?;
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            Result::Ok((status, body))
        }
    };
    let measurement = |key: &str, value: f64| {
        json!({ "result": "R.1", "value": value, "date": "2026-06-30",
                "note": "dal sistema", "idempotency_key": key })
        .to_string()
    };

    // Accepted: in the room as the bot's import message, then in !results.
    let (status, body) = post(Some(ISTAT_TOKEN), measurement("istat-2026-06", 42.0)).await?;
    assert_eq!(
        (status, body["status"].as_str()),
        (202, Some("accepted")),
        "{body}"
    );
    let imported = wait_for(Duration::from_secs(60), || async {
        let history = moderator.messages(&room).await?;
        Ok(history.into_iter().find(|e| {
            e["sender"] == bot.user_id.as_str() && e["content"]["it.pspm.import"].is_object()
        }))
    })
    .await?
    .ok_or_else(|| anyhow::anyhow!("no import message in the room:\n{}", bot.log()))?;
    let text = imported["content"]["body"].as_str().unwrap_or_default();
    assert!(
        text.contains("1 update imported from `webhook:istat`: R.1 = 42 (2026-06-30)"),
        "{text}"
    );
    let results = wait_for(Duration::from_secs(30), || async {
        let reply = moderator.command(&room, &bot.user_id, "!results").await?;
        let text = reply["body"].as_str().unwrap_or_default().to_owned();
        Ok(text.contains("latest 42").then_some(text))
    })
    .await?;
    assert!(
        results.is_some(),
        "!results never showed the measurement: {}",
        moderator.command(&room, &bot.user_id, "!results").await?["body"]
    );

    // Refused: no token, a wrong one, a malformed or incomplete body, an unknown result.
    let (status, body) = post(None, measurement("x", 1.0)).await?;
    assert_eq!(status, 401, "{body}");
    let (status, _) = post(Some("istat-0123456789abcdeX"), measurement("x", 1.0)).await?;
    assert_eq!(status, 401);
    for (bad, says) in [
        ("{\"result\": \"R.1\", \"value\": ".to_owned(), "not JSON"),
        (
            json!({ "result": "R.1", "idempotency_key": "k" }).to_string(),
            "value",
        ),
        (
            json!({ "result": "R.1", "value": "many", "idempotency_key": "k" }).to_string(),
            "invalid type",
        ),
        (
            json!({ "result": "R.1", "value": 1, "date": "30/06/2026", "idempotency_key": "k" })
                .to_string(),
            "is not a date",
        ),
        (
            json!({ "result": "R.9", "value": 1, "idempotency_key": "k" }).to_string(),
            "no expected result R.9",
        ),
    ] {
        let (status, body) = post(Some(PAYMENTS_TOKEN), bad.clone()).await?;
        let error = body["error"].as_str().unwrap_or_default();
        assert_eq!(status, 422, "{bad}: {body}");
        assert!(error.contains(says), "{bad}: {error}");
    }

    // The same key again: accepted as a duplicate, no second measurement.
    let (status, body) = post(Some(ISTAT_TOKEN), measurement("istat-2026-06", 42.0)).await?;
    assert_eq!(
        (status, body["status"].as_str()),
        (202, Some("duplicate")),
        "{body}"
    );

    // 200 at once from the payments system, 20 of them sent twice.
    let posts = (0..220).map(|i| {
        let key = format!("pay-{}", i % 200);
        post(Some(PAYMENTS_TOKEN), measurement(&key, f64::from(i % 200)))
    });
    let answers = futures_join_all(posts).await;
    let mut accepted = 0;
    for answer in answers {
        let (status, body) = answer?;
        assert_eq!(status, 202, "{body}");
        if body["status"] == "accepted" {
            accepted += 1;
        }
    }
    assert_eq!(accepted, 200);
    let counted = wait_for(Duration::from_secs(120), || async {
        let export = moderator.chat_export(&room, &bot.user_id).await?;
        let all = measurements(&export);
        Ok((all.len() >= 201).then_some(all))
    })
    .await?
    .ok_or_else(|| anyhow::anyhow!("the 200 measurements never all arrived"))?;
    // A moment more: a doubled one would show now.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let all = measurements(&moderator.chat_export(&room, &bot.user_id).await?);
    assert_eq!(all.len(), 201, "{counted:?}");
    let from = |source: &str| all.iter().filter(|m| m["source"] == source).count();
    assert_eq!((from("webhook:istat"), from("webhook:payments")), (1, 200));
    let mut values: Vec<i64> = all
        .iter()
        .filter(|m| m["source"] == "webhook:payments")
        .map(|m| m["value"].as_f64().unwrap_or(-1.0) as i64)
        .collect();
    values.sort_unstable();
    assert_eq!(values, (0..200).collect::<Vec<i64>>());

    let log = bot.log();
    assert!(
        !log.contains(ISTAT_TOKEN) && !log.contains(PAYMENTS_TOKEN),
        "a token is logged"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn spreadsheet_imports_go_through_the_rooms_survive_a_rebuild_and_count_once() -> Result<()> {
    let synapse = Synapse::start(SERVER, RateLimits::Raised).await?;
    let (mut bot, moderator, room) = monitored_plan(&synapse, |_| Ok(())).await?;
    let dir = tempfile::tempdir()?;
    let progress = dir.path().join("avanzamento.csv");
    std::fs::write(
        &progress,
        "azione;avanzamento;data;nota\nA.LATE;40;2026-03-01;catalogo in collaudo\nA.SOON;70;;\n",
    )?;
    let measurements_file = dir.path().join("measurements.csv");
    std::fs::write(&measurements_file, "result,value,date\nR.1,33,2026-06-30\n")?;
    let import = |bot: &pspm_e2e::Bot, what: &str, file: &std::path::Path| -> Result<String> {
        let output = bot.run_cli(&["import", what, file.to_str().unwrap_or_default()])?;
        anyhow::ensure!(
            output.status.success(),
            "pspm import {what}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Ok(String::from_utf8(output.stdout)?)
    };

    // While the bot runs: posted in the room, then applied.
    let said = import(&bot, "progress", &progress)?;
    assert!(
        said.ends_with("2 new updates in 1 message, 0 imported before\n"),
        "{said}"
    );
    let said = import(&bot, "measurements", &measurements_file)?;
    assert!(said.contains("1 new update in 1 message"), "{said}");
    let status = wait_for(Duration::from_secs(60), || async {
        let text = moderator.command(&room, &bot.user_id, "!status").await?["body"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        Ok(text
            .contains("Progress of")
            .then_some(text)
            // (40 + 70 + 0) / 3: the plan's open-ended A.ONGOING counts too.
            .filter(|t| t.contains("37%")))
    })
    .await?
    .ok_or_else(|| anyhow::anyhow!("!status never showed the imported progress"))?;
    assert!(
        status.contains("`A.LATE` Catalogo dei dati — due") && status.contains("40%"),
        "{status}"
    );
    let history = moderator.messages(&room).await?;
    let imports: Vec<&Value> = history
        .iter()
        .filter(|e| e["content"]["it.pspm.import"].is_object())
        .collect();
    assert_eq!(imports.len(), 2, "one message per file");
    assert!(imports.iter().all(|e| e["sender"] == bot.user_id.as_str()));
    let text = imports[0]["content"]["body"].as_str().unwrap_or_default();
    assert_eq!(
        text,
        "📥 2 updates imported from `import:avanzamento.csv`: A.LATE 40% (2026-03-01), A.SOON 70%."
    );

    // The same file again: nothing new, nothing posted.
    let said = import(&bot, "progress", &progress)?;
    assert!(
        said.ends_with("0 new updates in 0 messages, 2 imported before\n"),
        "{said}"
    );
    // A row that names no action: refused whole, with its place.
    let wrong = dir.path().join("wrong.csv");
    std::fs::write(&wrong, "action,progress\nA.SOON,80\nA.NONE,10\n")?;
    let refused = bot.run_cli(&["import", "progress", wrong.to_str().unwrap_or_default()])?;
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        stderr.contains("wrong.csv, row 3: the plan has no action A.NONE"),
        "{stderr}"
    );

    let export = moderator.chat_export(&room, &bot.user_id).await?;
    let action = |export: &Value, code: &str| {
        export["actions"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|a| a["code"] == code)
            .cloned()
            .unwrap_or(Value::Null)
    };
    let late = action(&export, "A.LATE");
    assert_eq!(late["progress"], 40);
    let history = &late["progress_history"][0];
    assert_eq!(
        (history["source"].as_str(), history["note"].as_str()),
        (Some("import:avanzamento.csv"), Some("catalogo in collaudo"))
    );
    assert_eq!(
        measurements(&export)[0]["source"],
        "import:measurements.csv"
    );
    let remove_time = |mut export: Value| {
        export["generated_at"] = Value::Null;
        export
    };

    // Room history is the record: a rebuild gives the same export.
    bot.stop()?;
    let rebuilt = bot.run_cli(&["rebuild"])?;
    assert!(
        rebuilt.status.success(),
        "{}",
        String::from_utf8_lossy(&rebuilt.stderr)
    );
    let out = dir.path().join("after-rebuild.json");
    let exported = bot.run_cli(&[
        "export",
        "--format",
        "json",
        "--full",
        "--out",
        out.to_str().unwrap_or_default(),
    ])?;
    assert!(
        exported.status.success(),
        "{}",
        String::from_utf8_lossy(&exported.stderr)
    );
    let after: Value = serde_json::from_str(&std::fs::read_to_string(&out)?)?;
    assert_eq!(remove_time(after), remove_time(export));
    // And after the rebuild, importing again still adds nothing.
    let said = import(&bot, "progress", &progress)?;
    assert!(
        said.ends_with("0 new updates in 0 messages, 2 imported before\n"),
        "{said}"
    );
    Ok(())
}
