//! Monitoring end to end: an accepted proposal becomes an action, its owner updates it and
//! others cannot, `!status` adds up (an open-ended action too, ongoing and never late), a
//! target given as text shows as text, `!chart` and `!chart results` upload PNGs of the
//! announced size whose body says what they show, the daily reminder is posted once and not
//! again after a restart, and the report renders in headless Chromium at phone and desktop
//! widths: what it shows is in the DOM, drawn in screenshots, and axe-core finds no serious
//! or critical accessibility violation.

use std::time::Duration;

use chrono::{Days, Utc};
use pspm_e2e::{
    axe_audit, bot_in_section, repo_root, run_chromium, screenshot, wait_for, BotSetup, RateLimits,
    Result, Synapse,
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
    let started = today - Days::new(400);
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

[[results]]
code = "R.2"
objective = "OB.1"
title = "Enti aderenti"
targets = {{ "{year}" = "almeno 80 amministrazioni" }}

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

[[actions]]
code = "A.ONGOING"
section = "dati"
objective = "OB.1"
title = "Manutenzione continua del catalogo"
owners = ["{bob}"]
start = "{started}"
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
    // Alice owns the late action: the reminder mentions her.
    assert_eq!(
        first["content"]["m.mentions"]["user_ids"],
        serde_json::json!([alice.user_id]),
        "{first}"
    );
    assert!(
        text.contains(&format!("Owners of late actions: {}", alice.user_id)),
        "{text}"
    );
    assert!(
        text.contains("Late: `A.LATE`") && text.contains("Due within 7 days: `A.SOON`"),
        "{text}"
    );
    assert!(!text.contains("A.ONGOING"), "open-ended, never due: {text}");

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
    ask(&bob, "!progress A.ONGOING 25").await?;

    // (1×0 + 1×0 + 2×50 + 1×25) / 5 = 25%.
    let status = body(&ask(&alice, "!status").await?);
    assert!(
        status.contains("Progress of Dati pubblici: 25%"),
        "{status}"
    );
    assert!(
        status.contains(
            "not started 0 · in progress 1 · ongoing (open-ended) 1 · due within 30 days 1 · late 1 · done 0"
        ),
        "{status}"
    );
    assert!(status.contains("`A.LATE` Catalogo dei dati"), "{status}");
    assert!(!status.contains("A.ONGOING"), "never late: {status}");
    let started = (Utc::now().date_naive() - Days::new(400)).to_string();
    let actions = body(&ask(&alice, "!actions").await?);
    assert!(
        actions.trim_end().ends_with(&format!(
            "`A.ONGOING` Manutenzione continua del catalogo — ongoing · 25% · open-ended, from {started} · {}",
            bob.user_id
        )),
        "listed last: {actions}"
    );
    let results = body(&ask(&alice, "!results").await?);
    assert!(
        results.contains("`R.2` Enti aderenti — latest – / target almeno 80 amministrazioni"),
        "{results}"
    );

    // The chart: an m.image whose PNG decodes to the size the event announces, and whose body
    // is its text alternative.
    let artifacts = repo_root().join("target/e2e-artifacts");
    std::fs::create_dir_all(&artifacts)?;
    let chart = alice.command_file(&room, &bot_id, "!chart").await?;
    let text = body(&chart);
    assert!(
        text.starts_with("Dati pubblici: 25% overall across 4 actions")
            && text.contains("A.ONGOING Manutenzione continua del catalogo 25% (ongoing)")
            && text.contains("1 action late: A.LATE Catalogo dei dati (0%)."),
        "{text}"
    );
    check_png(&alice, &chart, &artifacts.join("chart.png")).await?;

    // Results over time: two measurements, and a chart whose body names the result and them.
    let earlier = (Utc::now().date_naive() - Days::new(40)).to_string();
    let measured = ask(&moderator, &format!("!measure R.1 1250 {earlier}")).await?;
    assert!(
        body(&measured).contains("1250 dataset"),
        "{}",
        body(&measured)
    );
    ask(&moderator, "!measure R.1 1400,5").await?;
    let results = alice.command_file(&room, &bot_id, "!chart results").await?;
    let text = body(&results);
    assert!(
        text.starts_with("2 expected results of Dati pubblici.")
            && text.contains("R.2 Enti aderenti: no measurements yet · ")
            && text.contains(" target almeno 80 amministrazioni")
            && text.contains("R.1 Dataset pubblicati: latest 1,400.5 dataset on ")
            && text.contains(&format!(
                "measurements over time: 1,250 on {earlier}; 1,400.5 on "
            )),
        "{text}"
    );
    check_png(&alice, &results, &artifacts.join("chart-results.png")).await?;

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

    // Headless Chromium renders it: the section and its anchor, the percentages, the status
    // names, the charts with their text alternatives, the results and the outcome are in
    // the DOM.
    let dom = String::from_utf8(run_chromium(&url, &["--dump-dom"])?.stdout)?;
    for shown in [
        "<html lang=\"en\">",
        "<h1>Piano di monitoraggio</h1>",
        "<h2 class=\"section-title\" id=\"section-1-title\">Dati pubblici</h2>",
        "<li><a href=\"#section-1\">Dati pubblici</a></li>",
        "<span class=\"pct\" id=\"overall\">25%</span>",
        "<span class=\"pct\">50%</span>",
        "<th class=\"num\" scope=\"col\">not started</th>",
        "<th class=\"num\" scope=\"col\">late</th>",
        "<span class=\"status s-late\">late</span>",
        "<span class=\"status s-due-soon\">due soon</span>",
        "<title>Piano di monitoraggio — Dati pubblici</title>",
        "<desc>Dati pubblici: 25% overall across 4 actions",
        "<p class=\"alt\">Dati pubblici: 25% overall across 4 actions",
        "<th class=\"num\" scope=\"col\">ongoing</th>",
        "<span class=\"status s-ongoing\">ongoing</span>",
        "<td>almeno 80 amministrazioni</td>",
        "<th class=\"wide\" scope=\"row\">R.1 Dataset pubblicati</th>",
        "<td class=\"num\">10&nbsp;dataset</td>",
        "<td class=\"num\">1,400.5&nbsp;dataset</td>",
        "<th class=\"nowrap\" scope=\"row\">A.NEW</th>",
        "survey done",
        "<td class=\"wide\">Open the cadastre</td>",
    ] {
        assert!(dom.contains(shown), "{shown:?} is not in the DOM:\n{dom}");
    }
    let over_time = format!("measurements over time: 1,250 on {earlier}; 1,400.5 on ");
    assert!(dom.contains(&over_time), "{over_time:?} is not in the DOM");

    // …and drawn: at phone and desktop widths the screenshot has text (dark pixels) and
    // coloured bars and swatches on its white background, down the page.
    for width in [390, 1280] {
        let shot = out.join(format!("report-{width}.png"));
        let seen = screenshot(&url, &shot, width, 2400)?;
        assert_eq!((seen.width, seen.height), (width, 2400), "{seen:?}");
        let area = (seen.width * seen.height) as usize;
        assert!(
            seen.inked * 20 > area,
            "under 5% of the page is drawn: {seen:?}"
        );
        assert!(seen.dark > 2_000, "too little text is drawn: {seen:?}");
        assert!(
            seen.coloured > 5_000,
            "the bars and the masthead are not drawn: {seen:?}"
        );
        assert!(
            seen.last_inked_row > 1_500,
            "the page stops near its top: {seen:?}"
        );
        println!("report screenshot: {} ({seen:?})", shot.display());
    }

    // Accessible: axe-core's WCAG 2.1 A/AA rules find nothing serious or critical, at either
    // width.
    for width in [390, 1280] {
        let violations = axe_audit(&page, width, 2400)?;
        let serious: Vec<_> = violations.iter().filter(|v| v.is_serious()).collect();
        assert!(serious.is_empty(), "axe at {width} px: {serious:#?}");
        println!("axe at {width} px: no serious or critical violations; others: {violations:?}");
    }
    // A control: the same audit does catch what it should on a page that breaks the rules.
    let control = tempfile::tempdir()?;
    let broken = control.path().join("broken.html");
    std::fs::write(
        &broken,
        "<!DOCTYPE html><html><head><title>x</title></head><body><main><img src=\"x.png\">\
         <p style=\"color:#bbb;background:#fff\">faint</p></main></body></html>",
    )?;
    let caught: Vec<String> = axe_audit(&broken, 390, 800)?
        .into_iter()
        .filter(|v| v.is_serious())
        .map(|v| v.id)
        .collect();
    for rule in ["html-has-lang", "image-alt", "color-contrast"] {
        assert!(
            caught.iter().any(|id| id == rule),
            "axe missed {rule}: {caught:?}"
        );
    }

    // A blank page of the same size, as a control: the census tells them apart.
    let blank = control.path().join("blank.html");
    std::fs::write(&blank, "<!DOCTYPE html><html><body></body></html>")?;
    let empty = screenshot(
        &format!("file://{}", blank.display()),
        &control.path().join("blank.png"),
        390,
        2400,
    )?;
    assert_eq!(empty.inked, 0, "{empty:?}");
    Ok(())
}

/// Downloads the image a message points to, saves it to `path`, and checks it decodes to the
/// size the message announces.
async fn check_png(user: &pspm_e2e::User, content: &Value, path: &std::path::Path) -> Result<()> {
    assert_eq!(content["msgtype"], "m.image", "{content}");
    assert!(
        content["filename"]
            .as_str()
            .is_some_and(|f| f.ends_with(".png")),
        "{content}"
    );
    let bytes = user
        .download(content["url"].as_str().expect("an mxc URL"))
        .await?;
    std::fs::write(path, &bytes)?;
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let reader = decoder.read_info()?;
    let info = reader.info();
    assert_eq!(
        u64::from(info.width),
        content["info"]["w"].as_u64().unwrap_or(0)
    );
    assert_eq!(
        u64::from(info.height),
        content["info"]["h"].as_u64().unwrap_or(0)
    );
    assert!(
        info.width >= 1000 && info.height >= 300,
        "{}x{}",
        info.width,
        info.height
    );
    Ok(())
}
