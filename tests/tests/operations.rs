//! Running PSPM as a service: JSON logs that a shipper can read and that never hold a
//! secret, files it writes while running readable by its user only; the command line's
//! conventions (`PSPM_CONFIG`, `--version`, enumerated values); `pspm import plan` from a
//! spreadsheet to a plan `pspm check` accepts; `/health` and `/metrics`;
//! the deployment files; Synapse on PostgreSQL.

use std::time::Duration;

use pspm_e2e::{
    bot_in_section, pspm_binary, repo_root, wait_for, BotSetup, RateLimits, Result, Synapse,
};
use serde_json::Value;

const SERVER: &str = "ministry.test";

#[tokio::test(flavor = "multi_thread")]
async fn json_logs_parse_line_by_line_and_hold_no_secret() -> Result<()> {
    let synapse = Synapse::start(SERVER, RateLimits::Raised).await?;
    let bot_user = synapse.register("pspm", false).await?;
    let alice = synapse.register("alice", false).await?;
    let (mut bot, room) = bot_in_section(
        &synapse,
        &BotSetup::english(&bot_user, "ops", &[SERVER]),
        |bot| {
            bot.env
                .push(("PSPM_LOG_FORMAT".to_owned(), "json".to_owned()));
            Ok(())
        },
        &[&alice],
    )
    .await?;
    alice.command(&room, &bot.user_id, "!ping").await?;
    alice
        .command(&room, &bot.user_id, "!propose Open data")
        .await?;
    // A restart: the saved session is used again.
    bot.stop()?;
    bot.start()?;
    alice.command(&room, &bot.user_id, "!help").await?;
    // A practice shared while the bot runs writes new index files: born private too.
    alice
        .command(
            &room,
            &bot.user_id,
            "!share Reuse kit | Publishing software as open source.",
        )
        .await?;
    bot.stop()?;
    let mut open_to_others = Vec::new();
    let mut stack = vec![bot.dir.path().join("data")];
    while let Some(path) = stack.pop() {
        let metadata = std::fs::metadata(&path)?;
        let mode = std::os::unix::fs::PermissionsExt::mode(&metadata.permissions()) & 0o777;
        if mode & 0o077 != 0 {
            open_to_others.push(format!("{:o} {}", mode, path.display()));
        }
        if metadata.is_dir() {
            for entry in std::fs::read_dir(&path)? {
                stack.push(entry?.path());
            }
        }
    }
    assert!(open_to_others.is_empty(), "{open_to_others:#?}");

    let log = bot.log();
    let mut lines = 0;
    let mut messages = Vec::new();
    for line in log.lines().filter(|l| !l.trim().is_empty()) {
        let event: Value = serde_json::from_str(line)
            .map_err(|e| anyhow::anyhow!("not a JSON line ({e}): {line}"))?;
        for key in ["timestamp", "level", "target"] {
            assert!(event[key].is_string(), "no {key} in {line}");
        }
        let message = event["fields"]["message"].as_str().unwrap_or_default();
        messages.push(message.to_owned());
        lines += 1;
    }
    assert!(lines >= 5, "{log}");
    assert!(
        messages.iter().any(|m| m.contains("logged in")),
        "{messages:?}"
    );
    // Synapse's access tokens start with `syt_`.
    assert!(!log.contains(&bot_user.password), "the password is logged");
    assert!(!log.contains("syt_"), "an access token is logged");
    Ok(())
}

#[test]
fn the_command_line_names_its_config_by_environment_and_lists_valid_values() -> Result<()> {
    let config = repo_root().join("config/pspm.example.toml");
    let pspm = |args: &[&str], config_env: Option<&std::path::Path>| {
        let mut command = std::process::Command::new(pspm_binary());
        command.args(args).env_remove("PSPM_CONFIG");
        if let Some(path) = config_env {
            command.env("PSPM_CONFIG", path);
        }
        command.output()
    };
    let version = pspm(&["--version"], None)?;
    let version = String::from_utf8(version.stdout)?;
    assert!(
        version.starts_with("pspm ") && version.contains("(store schema "),
        "{version}"
    );
    // Every subcommand takes its config from PSPM_CONFIG when --config is not given.
    let checked = pspm(&["check"], Some(&config))?;
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    assert!(String::from_utf8(checked.stdout)?.contains("plan \"pt-2026\""));
    let missing = pspm(&["check"], None)?;
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("--config"));
    // Enumerated arguments list what is valid.
    let out = tempfile::tempdir()?;
    let out = out.path().join("x");
    let wrong = pspm(
        &[
            "export",
            "--format",
            "xml",
            "--out",
            out.to_str().unwrap_or_default(),
        ],
        Some(&config),
    )?;
    let stderr = String::from_utf8(wrong.stderr)?;
    assert!(!wrong.status.success());
    assert!(
        stderr.contains("[possible values: csv, json, md]"),
        "{stderr}"
    );
    let wrong = pspm(&["--log-format", "xml", "check"], Some(&config))?;
    assert!(String::from_utf8(wrong.stderr)?.contains("[possible values: text, json]"));
    Ok(())
}

#[test]
fn import_plan_writes_a_plan_that_check_accepts_or_names_every_wrong_cell() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let data = repo_root().join("tests/data/import");
    let import = |input: &str, out: &std::path::Path| {
        std::process::Command::new(pspm_binary())
            .args(["import", "plan"])
            .arg(data.join(input))
            .arg("--out")
            .arg(out)
            // It needs no config: a plan file comes before one.
            .env_remove("PSPM_CONFIG")
            .output()
    };
    let out = dir.path().join("plan.toml");
    let imported = import("plan.example.xlsx", &out)?;
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    assert_eq!(
        String::from_utf8(imported.stdout)?,
        format!(
            "{}: plan \"pt-2026\" with 4 sections, 1 objective, 2 expected results, 3 actions\n",
            out.display()
        )
    );
    let config = dir.path().join("pspm.toml");
    std::fs::write(
        &config,
        "[matrix]\nhomeserver_url = \"http://127.0.0.1:9\"\nuser_id = \"@pspm:localhost\"\npassword = \"x\"\n\n\
         [storage]\ndata_dir = \"data\"\n\n[bot]\nallowed_servers = [\"localhost\"]\n\n[plan]\nfile = \"plan.toml\"\n",
    )?;
    let checked = std::process::Command::new(pspm_binary())
        .arg("check")
        .arg("--config")
        .arg(&config)
        .output()?;
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    assert!(
        String::from_utf8(checked.stdout)?.contains("plan \"pt-2026\" with 4 sections"),
        "pspm check reads the imported plan"
    );
    // Every wrong cell on a line of its own, and nothing written.
    let refused = dir.path().join("refused.toml");
    let wrong = import("errors.xlsx", &refused)?;
    assert_eq!(wrong.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(wrong.stderr)?.lines().collect::<Vec<_>>(),
        [
            "pspm: risultati, row 2, column B (Obiettivo): unknown objective \"OB.9.9\"".to_owned(),
            "pspm: azioni, row 3, column J (Peso): \"due\" is not a number".to_owned(),
            "pspm: azioni, row 4, column G (Referenti): \"ente1\" is not a Matrix user ID like @name:server".to_owned(),
            "pspm: azioni, row 4, column I (Scadenza): \"31/02/2026\" is not a date (YYYY-MM-DD)".to_owned(),
            format!(
                "pspm: {}: 4 problems, nothing written",
                data.join("errors.xlsx").display()
            ),
        ]
    );
    assert!(!refused.exists(), "nothing written");
    Ok(())
}

#[test]
fn the_systemd_unit_is_hardened_and_verifies() -> Result<()> {
    let unit = std::fs::read_to_string(repo_root().join("deploy/pspm.service"))?;
    let has = |line: &str| unit.lines().any(|l| l.trim() == line);
    for required in [
        "User=pspm",
        "ExecStart=/usr/local/bin/pspm run --config /etc/pspm/pspm.toml",
        "EnvironmentFile=/etc/pspm/pspm.env",
        "StateDirectory=pspm",
        "Restart=on-failure",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "CapabilityBoundingSet=",
        "WantedBy=multi-user.target",
    ] {
        assert!(has(required), "{required} missing from deploy/pspm.service");
    }
    assert!(
        !unit.contains("PSPM_MATRIX_PASSWORD="),
        "no password in the unit"
    );
    // systemd's own check, where the tool is installed (Debian's `systemd` package); it wants
    // the binary to exist, so the copy it checks runs the one just built.
    let analyze = std::process::Command::new("systemd-analyze")
        .arg("--version")
        .output();
    if analyze.is_ok_and(|o| o.status.success()) {
        let dir = tempfile::tempdir()?;
        let copy = dir.path().join("pspm.service");
        let binary = pspm_binary();
        std::fs::write(
            &copy,
            unit.replace("/usr/local/bin/pspm", binary.to_str().unwrap_or_default()),
        )?;
        let verified = std::process::Command::new("systemd-analyze")
            .arg("verify")
            .arg(&copy)
            .output()?;
        let stderr = String::from_utf8_lossy(&verified.stderr);
        assert!(
            verified.status.success() && stderr.trim().is_empty(),
            "{stderr}"
        );
    } else {
        eprintln!("systemd-analyze is not installed: the unit's keys were checked only");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_synapse_script_creates_the_bot_account_without_rate_limits() -> Result<()> {
    let synapse = Synapse::start(SERVER, RateLimits::Default).await?;
    let admin = synapse.register("admin", true).await?;
    let venv_bin = repo_root().join(".venv/bin");
    let path = format!(
        "{}:{}",
        venv_bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let created = std::process::Command::new(repo_root().join("deploy/synapse-bot-account.sh"))
        .arg(synapse.dir().join("homeserver.yaml"))
        .arg(&synapse.url)
        .arg("pspm")
        .arg(&admin.token)
        .env("PATH", path)
        .env("PSPM_MATRIX_PASSWORD", "a-long-bot-password")
        .output()?;
    assert!(
        created.status.success(),
        "{}{}",
        String::from_utf8_lossy(&created.stdout),
        String::from_utf8_lossy(&created.stderr)
    );
    let user_id = format!("@pspm:{SERVER}");
    let limits: Value = reqwest::Client::new()
        .get(format!(
            "{}/_synapse/admin/v1/users/{user_id}/override_ratelimit",
            synapse.url
        ))
        .bearer_auth(&admin.token)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(
        (&limits["messages_per_second"], &limits["burst_count"]),
        (&Value::from(0), &Value::from(0)),
        "{limits}"
    );
    // The account logs in with the password the script was given.
    let login: Value = reqwest::Client::new()
        .post(format!("{}/_matrix/client/v3/login", synapse.url))
        .json(&serde_json::json!({
            "type": "m.login.password",
            "identifier": { "type": "m.id.user", "user": "pspm" },
            "password": "a-long-bot-password",
        }))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(login["user_id"], user_id.as_str(), "{login}");
    Ok(())
}

/// The samples of a metrics text (`name{labels} value`), checking every line is either a
/// comment (`# HELP`, `# TYPE`, `# UNIT`, `# EOF`) or a well-formed sample.
fn samples(text: &str) -> Result<std::collections::BTreeMap<String, f64>> {
    let mut samples = std::collections::BTreeMap::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        if line.starts_with("# ") {
            continue;
        }
        let (series, value) = line
            .rsplit_once(' ')
            .ok_or_else(|| anyhow::anyhow!("not a sample: {line}"))?;
        let name_end = series.find('{').unwrap_or(series.len());
        let name = &series[..name_end];
        anyhow::ensure!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "bad metric name in {line}"
        );
        anyhow::ensure!(
            name_end == series.len() || series.ends_with('}'),
            "bad labels in {line}"
        );
        let value: f64 = value
            .parse()
            .map_err(|_| anyhow::anyhow!("bad value in {line}"))?;
        samples.insert(series.to_owned(), value);
    }
    anyhow::ensure!(text.trim_end().ends_with("# EOF"), "no # EOF");
    Ok(samples)
}

#[tokio::test(flavor = "multi_thread")]
async fn health_follows_the_homeserver_and_metrics_count_commands() -> Result<()> {
    let mut synapse = Synapse::start(SERVER, RateLimits::Raised).await?;
    let bot_user = synapse.register("pspm", false).await?;
    let alice = synapse.register("alice", false).await?;
    let port = pspm_e2e::free_port()?;
    let (bot, room) = bot_in_section(
        &synapse,
        &BotSetup::english(&bot_user, "ops", &[SERVER]),
        |bot| {
            // A short sync timeout: unhealthy within 2 × 2 s of losing the homeserver.
            let config = std::fs::read_to_string(&bot.config)?
                .replace("sync_timeout_secs = 30", "sync_timeout_secs = 2");
            std::fs::write(&bot.config, config)?;
            bot.append_config(&format!("[http]\nlisten = \"127.0.0.1:{port}\"\n"))
        },
        &[&alice],
    )
    .await?;
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let health = || async {
        let response = http.get(format!("{base}/health")).send().await?;
        let status = response.status().as_u16();
        let body: Value = response.json().await?;
        Ok::<_, anyhow::Error>((status, body))
    };
    let scrape = || async {
        let response = http.get(format!("{base}/metrics")).send().await?;
        let kind = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        anyhow::ensure!(kind.starts_with("application/openmetrics-text"), "{kind}");
        samples(&response.text().await?)
    };
    alice.command(&room, &bot.user_id, "!ping").await?;
    let ok = wait_for(Duration::from_secs(30), || async {
        let (status, body) = health().await?;
        Ok((status == 200).then_some(body))
    })
    .await?;
    assert!(ok.is_some(), "never healthy: {:?}", health().await?);

    let pings = r#"pspm_commands_total{command="ping",outcome="done"}"#;
    let before = scrape().await?;
    for _ in 0..3 {
        alice.command(&room, &bot.user_id, "!ping").await?;
    }
    alice.command(&room, &bot.user_id, "!vote 99 +").await?;
    let after = scrape().await?;
    let count = |samples: &std::collections::BTreeMap<String, f64>, series: &str| {
        samples.get(series).copied().unwrap_or(0.0)
    };
    assert_eq!(
        count(&after, pings) - count(&before, pings),
        3.0,
        "{after:?}"
    );
    assert_eq!(
        count(
            &after,
            r#"pspm_commands_total{command="vote",outcome="refused"}"#
        ),
        1.0
    );
    let messages = r#"pspm_events_applied_total{kind="message"}"#;
    assert!(count(&after, messages) >= count(&before, messages) + 4.0);
    assert!(count(&after, "pspm_process_resident_memory_bytes") > 1e6);
    assert!(count(&after, "pspm_sync_duration_seconds_count") > 0.0);
    assert!(
        count(&after, r#"pspm_messages_sent_total{kind="reply"}"#) >= 4.0,
        "{after:?}"
    );

    // The homeserver goes away: unhealthy, with the reason; back: healthy again.
    synapse.stop()?;
    let down = wait_for(Duration::from_secs(30), || async {
        let (status, body) = health().await?;
        Ok((status == 503).then_some(body))
    })
    .await?
    .ok_or_else(|| anyhow::anyhow!("still healthy with the homeserver down"))?;
    assert!(
        down["reason"].as_str().unwrap_or_default().contains("sync"),
        "{down}"
    );
    synapse.restart().await?;
    let up = wait_for(Duration::from_secs(60), || async {
        let (status, _) = health().await?;
        Ok((status == 200).then_some(()))
    })
    .await?;
    assert!(up.is_some(), "not healthy again: {:?}", health().await?);
    alice.command(&room, &bot.user_id, "!ping").await?;
    Ok(())
}

/// Production Synapse runs on PostgreSQL: the bot's participation, a restart and a rebuild
/// against one, with the export equal to what the room's history says.
#[tokio::test(flavor = "multi_thread")]
async fn participation_restart_and_rebuild_on_a_synapse_backed_by_postgresql() -> Result<()> {
    // Declared first, dropped last: Synapse stops before its database does.
    let postgres = pspm_e2e::Postgres::start()?;
    let synapse = Synapse::start_on_postgres(SERVER, RateLimits::Raised, &postgres).await?;
    let database = std::fs::read_to_string(synapse.dir().join("homeserver.yaml"))?;
    assert!(database.contains("name: psycopg2"), "{database}");
    let bot_user = synapse.register("pspm", false).await?;
    let alice = synapse.register("alice", false).await?;
    let bob = synapse.register("bob", false).await?;
    let (mut bot, room) = bot_in_section(
        &synapse,
        &BotSetup::english(&bot_user, "pg", &[SERVER]),
        |_| Ok(()),
        &[&alice, &bob],
    )
    .await?;
    let card = alice
        .command(&room, &bot.user_id, "!propose Open data")
        .await?;
    assert!(
        card["body"].as_str().unwrap_or_default().starts_with("#1 "),
        "{card}"
    );
    bob.command(&room, &bot.user_id, "!vote 1 +").await?;
    bot.stop()?;
    bot.start()?;
    alice.command(&room, &bot.user_id, "!vote 1 -").await?;
    let shown = bob.command(&room, &bot.user_id, "!show 1").await?;
    assert!(
        shown["body"]
            .as_str()
            .unwrap_or_default()
            .contains("👍 1 · 👎 1"),
        "{shown}"
    );
    bot.stop()?;
    let dir = tempfile::tempdir()?;
    let export = |name: &str| -> Result<Value> {
        let path = dir.path().join(name);
        let out = path.to_str().unwrap_or_default();
        let written = bot.run_cli(&["export", "--format", "json", "--full", "--out", out])?;
        anyhow::ensure!(written.status.success(), "{written:?}");
        let mut export: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
        export["generated_at"] = Value::Null;
        Ok(export)
    };
    let before = export("before.json")?;
    assert_eq!(before["proposals"][0]["supports"], 1);
    assert_eq!(before["proposals"][0]["oppositions"], 1);
    let rebuilt = bot.run_cli(&["rebuild"])?;
    assert!(rebuilt.status.success(), "{rebuilt:?}");
    assert_eq!(export("after.json")?, before);
    Ok(())
}
