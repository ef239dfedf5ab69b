//! Running PSPM as a service: JSON logs that a shipper can read and that never hold a
//! secret; the command line's conventions (`PSPM_CONFIG`, `--version`, enumerated values).

use pspm_e2e::{bot_in_section, pspm_binary, repo_root, BotSetup, RateLimits, Result, Synapse};
use serde_json::Value;

const SERVER: &str = "ministry.test";

#[tokio::test(flavor = "multi_thread")]
async fn json_logs_parse_line_by_line_and_hold_no_secret() -> Result<()> {
    let synapse = Synapse::start(SERVER, RateLimits::Raised).await?;
    let bot_user = synapse.register("pspm", false).await?;
    let alice = synapse.register("alice", false).await?;
    let (mut bot, room) = bot_in_section(
        &synapse,
        &BotSetup {
            bot: &bot_user,
            plan_id: "ops",
            sections: &["dati"],
            language: "en",
            moderators: &[],
            allowed_servers: &[SERVER],
        },
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
    bot.stop()?;

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
