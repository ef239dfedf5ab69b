//! Monitoring end to end: an accepted proposal becomes an action, its owner updates it and
//! others cannot, `!status` adds up, `!chart` uploads a PNG of the announced size, the daily
//! reminder is posted once and not again after a restart, and the report renders in
//! headless Chromium: what it shows is in the DOM and drawn in a screenshot.

use std::time::Duration;

use chrono::{Days, Utc};
use pspm_e2e::{
    bot_in_section, repo_root, run_chromium, screenshot, wait_for, BotSetup, RateLimits, Result,
    Synapse,
};
use serde_json::Value;

const SERVER: &str = "ministry.test";

fn body(content: &Value) -> String {
    content["body"].as_str().unwrap_or_default().to_owned()
}

pub(crate) fn plan(alice: &str, bob: &str) -> String {
    // Dates relative to today, with margins so the test holds around midnight in Rome.
    let today = Utc::now().date_naive();
    let late = today - Days::new(3);
    let soon = today + Days::new(3);
    format!(
        r#"
[plan]
id = "mon"
title = "Piano di monitoraggio"

[[sections]]
id = "dati"
title = "Dati pubblici"
phase = "consultation"

[[objectives]]
code = "OB.1"
section = "dati"
title = "Aprire i dati"

[[results]]
code = "R.1"
objective = "OB.1"
title = "Dataset pubblicati"
unit = "dataset"
baseline = 10
targets = {{ "{year}" = 50 }}

[[actions]]
code = "A.LATE"
section = "dati"
objective = "OB.1"
title = "Catalogo dei dati"
owners = ["{alice}"]
due = "{late}"

[[actions]]
code = "A.SOON"
section = "dati"
objective = "OB.1"
title = "Licenze aperte"
owners = ["{bob}"]
due = "{soon}"
"#,
        year = today.format("%Y"),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn actions_progress_status_chart_reminder_and_report() -> Result<()> {
    let synapse = Synapse::start(SERVER, RateLimits::Raised).await?;
    let bot_user = synapse.register("pspm", false).await?;
    let moderator = synapse.register("mod", false).await?;
    let alice = synapse.register("alice", false).await?;
    let bob = synapse.register("bob", false).await?;
    let (mut bot, room) = bot_in_section(
        &synapse,
        &BotSetup {
            bot: &bot_user,
            plan_id: "mon",
            sections: &["dati"],
            language: "en",
            moderators: &[&moderator.user_id],
            allowed_servers: &[SERVER],
        },
        |bot| {
            bot.write_plan_text(&plan(&alice.user_id, &bob.user_id))?;
            // The reminder time has always passed: the first tick of the day sends it.
            bot.append_config(
                "[monitoring]\nreminder_time = \"00:00\"\ntime_zone = \"Europe/Rome\"\n",
            )
        },
        &[&moderator, &alice, &bob],
    )
    .await?;
    let bot_id = bot.user_id.clone();
    let ask = |user: &pspm_e2e::User, text: &str| {
        let (room, bot_id, user, text) = (
            room.clone(),
            bot_id.clone(),
            user.clone_session(),
            text.to_owned(),
        );
        async move { user.command(&room, &bot_id, &text).await }
    };
    let reminders = || async {
        let events = alice.messages(&room).await?;
        Ok::<_, anyhow::Error>(
            events
                .into_iter()
                .filter(|e| {
                    e["sender"] == bot_id.as_str()
                        && body(&e["content"]).starts_with("Reminder for Dati pubblici")
                })
                .collect::<Vec<_>>(),
        )
    };

    // The reminder: one message, late and due-soon actions listed.
    let first = wait_for(Duration::from_secs(60), || async {
        Ok(reminders().await?.into_iter().next())
    })
    .await?
    .ok_or_else(|| anyhow::anyhow!("no reminder"))?;
    let text = body(&first["content"]);
    assert!(
        text.contains("Late: `A.LATE`") && text.contains("Due within 7 days: `A.SOON`"),
        "{text}"
    );

    // A proposal accepted and assigned; its owner updates it, others cannot.
    let card = ask(
        &alice,
        "!propose Open the cadastre\nEvery parcel, as open data.",
    )
    .await?;
    assert!(body(&card).starts_with("#1 "), "{}", body(&card));
    ask(&moderator, "!accept 1 agreed").await?;
    let due = (Utc::now().date_naive() + Days::new(60)).to_string();
    let assigned = ask(
        &moderator,
        &format!("!assign 1 A.NEW {} {due} 2", bob.user_id),
    )
    .await?;
    assert!(
        body(&assigned).contains("now action `A.NEW`"),
        "{}",
        body(&assigned)
    );
    let updated = ask(&bob, "!progress A.NEW 50 survey done").await?;
    assert!(body(&updated).contains("0% → 50%"), "{}", body(&updated));
    let refused = ask(&alice, "!progress A.NEW 90").await?;
    assert!(
        body(&refused).contains("Only moderators and the owners"),
        "{}",
        body(&refused)
    );
    let out_of_range = ask(&bob, "!progress A.NEW 150").await?;
    assert!(body(&out_of_range).contains("!progress <code> <0-100>"));

    // (1×0 + 1×0 + 2×50) / 4 = 25%.
    let status = body(&ask(&alice, "!status").await?);
    assert!(
        status.contains("Progress of Dati pubblici: 25%"),
        "{status}"
    );
    assert!(
        status.contains("not started 0 · in progress 1 · due within 30 days 1 · late 1 · done 0"),
        "{status}"
    );
    assert!(status.contains("`A.LATE` Catalogo dei dati"), "{status}");

    // The chart: an m.image whose PNG decodes to the size the event announces.
    let chart = alice.command_file(&room, &bot_id, "!chart").await?;
    assert_eq!(chart["msgtype"], "m.image", "{chart}");
    let bytes = alice
        .download(chart["url"].as_str().expect("an mxc URL"))
        .await?;
    let artifacts = repo_root().join("target/e2e-artifacts");
    std::fs::create_dir_all(&artifacts)?;
    std::fs::write(artifacts.join("chart.png"), &bytes)?;
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let reader = decoder.read_info()?;
    let info = reader.info();
    assert_eq!(
        u64::from(info.width),
        chart["info"]["w"].as_u64().unwrap_or(0)
    );
    assert_eq!(
        u64::from(info.height),
        chart["info"]["h"].as_u64().unwrap_or(0)
    );
    assert!(
        info.width >= 600 && info.height >= 200,
        "{}x{}",
        info.width,
        info.height
    );

    // A restart the same day sends no second reminder.
    bot.stop()?;
    bot.start()?;
    assert!(body(&ask(&alice, "!ping").await?).starts_with("pong"));
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        reminders().await?.len(),
        1,
        "one reminder a day, across restarts"
    );

    // `!report` uploads the HTML page; `pspm report` writes the same page offline.
    let uploaded = moderator.command_file(&room, &bot_id, "!report").await?;
    assert_eq!(uploaded["info"]["mimetype"], "text/html", "{uploaded}");
    bot.stop()?;
    let out = repo_root().join("target/e2e-artifacts/report");
    let written = bot.run_cli(&["report", "--out", out.to_str().expect("utf-8")])?;
    assert!(
        written.status.success(),
        "{}",
        String::from_utf8_lossy(&written.stderr)
    );
    let page = out.join("index.html");
    let url = format!("file://{}", page.display());

    // Headless Chromium renders it: the section, the percentages as text and as the bars'
    // labels, the bars' legend, the results chart's row and the outcome are in the DOM.
    let dom = String::from_utf8(run_chromium(&url, &["--dump-dom"])?.stdout)?;
    for shown in [
        "<h1>Piano di monitoraggio</h1>",
        "<h2 class=\"section-title\">Dati pubblici</h2>",
        "<a href=\"#section-1\">Dati pubblici</a>",
        "<span class=\"pct\" id=\"overall\">25%</span>",
        "role=\"img\" aria-label=\"25%\"",
        "role=\"img\" aria-label=\"50%\"",
        "</span>not started</th>",
        "</span>in progress</th>",
        "</span>due soon</th>",
        "</span>late</th>",
        "</span>done</th>",
        "<td class=\"wide\">R.1 Dataset pubblicati</td>",
        "<td class=\"num\">10&nbsp;dataset</td>",
        "<td class=\"num\">50&nbsp;dataset</td>",
        "<td class=\"nowrap\">A.NEW</td>",
        "survey done",
        "<td class=\"wide\">Open the cadastre</td>",
    ] {
        assert!(dom.contains(shown), "{shown:?} is not in the DOM:\n{dom}");
    }

    // …and drawn: a phone-width screenshot has text (dark pixels) and coloured bars and
    // swatches on its white background, down the page, not only the size it asked for.
    let shot = out.join("report.png");
    let seen = screenshot(&url, &shot, 390, 2400)?;
    assert_eq!((seen.width, seen.height), (390, 2400), "{seen:?}");
    let area = (seen.width * seen.height) as usize;
    assert!(
        seen.inked * 50 > area,
        "under 2% of the page is drawn: {seen:?}"
    );
    assert!(seen.dark > 2_000, "too little text is drawn: {seen:?}");
    assert!(
        seen.coloured > 500,
        "the bars and swatches are not drawn: {seen:?}"
    );
    assert!(
        seen.last_inked_row > 800,
        "the page stops near its top: {seen:?}"
    );
    // A blank page of the same size, as a control: the census tells them apart.
    let control = tempfile::tempdir()?;
    let blank = control.path().join("blank.html");
    std::fs::write(&blank, "<!DOCTYPE html><html><body></body></html>")?;
    let empty = screenshot(
        &format!("file://{}", blank.display()),
        &control.path().join("blank.png"),
        390,
        2400,
    )?;
    assert_eq!(empty.inked, 0, "{empty:?}");
    println!("report screenshot: {} ({seen:?})", shot.display());
    Ok(())
}
