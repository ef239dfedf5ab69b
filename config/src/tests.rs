//! Config and plan loading: valid files, and one clear line per mistake.

use std::path::{Path, PathBuf};

use super::*;

const PLAN: &str = r#"
[plan]
id = "pt-2026"
title = "Piano"

[[sections]]
id = "dati"
title = "Dati"
description = "Dati pubblici"
"#;

const CONFIG: &str = r#"
[matrix]
homeserver_url = "http://127.0.0.1:8008"
user_id = "@pspm:localhost"
password = "s3cret"

[storage]
data_dir = "data"

[bot]
language = "en"
moderators = ["@mod:localhost"]
allowed_servers = ["localhost", "agency.example:8448"]

[organisations]
"localhost" = "Ministero"

[plan]
file = "plan.toml"
"#;

fn write(dir: &Path, config: &str, plan: &str) -> PathBuf {
    std::fs::write(dir.join("plan.toml"), plan).unwrap();
    let path = dir.join("pspm.toml");
    std::fs::write(&path, config).unwrap();
    path
}

fn load_error(config: &str, plan: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), config, plan);
    Config::load_with_password(&path, None)
        .expect_err("config should be refused")
        .to_string()
}

#[test]
fn loads_a_valid_config_and_resolves_paths() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), CONFIG, PLAN);
    let config = Config::load_with_password(&path, None).unwrap();
    assert_eq!(config.bot.language, Language::En);
    assert_eq!(config.server_name(), "localhost");
    assert_eq!(config.storage.data_dir, dir.path().join("data"));
    assert_eq!(config.plan.sections.len(), 1);
    assert_eq!(
        config
            .plan
            .section_alias_localpart(&config.plan.sections[0]),
        "pt-2026.dati"
    );
    assert_eq!(config.organisation_of("localhost"), "Ministero");
    assert_eq!(config.organisation_of("other.org"), "other.org");
    assert_eq!(config.bot.sync_timeout_secs, 30);
    // Defaults of the limits on what one person can make the bot do.
    assert_eq!(config.bot.max_comment_chars, 4000);
    assert_eq!(
        (config.bot.command_burst, config.bot.commands_per_minute),
        (30, 60)
    );
}

#[test]
fn a_command_budget_needs_a_burst_of_at_least_one() {
    let config = CONFIG.replace("[bot]\n", "[bot]\ncommand_burst = 0\n");
    let error = load_error(&config, PLAN);
    assert!(error.contains("key `bot.command_burst`"), "{error}");
    let off = CONFIG.replace(
        "[bot]\n",
        "[bot]\ncommand_burst = 0\ncommands_per_minute = 0\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), &off, PLAN);
    assert!(Config::load_with_password(&path, None).is_ok());
}

#[test]
fn paths_relative_to_the_config_are_resolved_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("config");
    std::fs::create_dir_all(dir.path().join("plans")).unwrap();
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::write(dir.path().join("plans/plan.toml"), PLAN).unwrap();
    let text = CONFIG
        .replace("data_dir = \"data\"", "data_dir = \"../.demo/./bot-data\"")
        .replace("file = \"plan.toml\"", "file = \"./../plans/plan.toml\"");
    std::fs::write(conf.join("pspm.toml"), text).unwrap();
    let config = Config::load_with_password(&conf.join("pspm.toml"), None).unwrap();
    assert_eq!(config.storage.data_dir, dir.path().join(".demo/bot-data"));
    assert_eq!(config.plan_path, dir.path().join("plans/plan.toml"));

    // A config named relatively, as `scripts/demo` does.
    let cases = [
        ("config", "../.demo/bot-data", ".demo/bot-data"),
        ("config/./sub", "../../data", "data"),
        ("config", "/srv/pspm/../data", "/srv/data"),
        ("", "data", "data"),
        ("config", "..", "."),
        ("config", "../../up", "../up"),
        ("/", "../data", "/data"),
    ];
    for (base, path, expected) in cases {
        assert_eq!(
            resolve(Path::new(base), Path::new(path)),
            PathBuf::from(expected),
            "{base} + {path}"
        );
    }
}

#[test]
fn password_override_wins_and_never_shows_in_debug() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), CONFIG, PLAN);
    let config = Config::load_with_password(&path, Some("from-env".into())).unwrap();
    assert_eq!(config.matrix.password.expose(), "from-env");
    let debug = format!("{config:?}");
    assert!(
        !debug.contains("from-env") && !debug.contains("s3cret"),
        "{debug}"
    );
}

#[test]
fn missing_password_names_the_key_and_the_variable() {
    let config = CONFIG.replace("password = \"s3cret\"\n", "");
    let error = load_error(&config, PLAN);
    assert!(
        error.contains("pspm.toml: key `matrix.password`"),
        "{error}"
    );
    assert!(error.contains(PASSWORD_ENV), "{error}");
}

#[test]
fn errors_are_one_line_naming_file_key_and_problem() {
    let cases = [
        (
            CONFIG.replace("@pspm:localhost", "pspm"),
            PLAN.to_owned(),
            "pspm.toml: key `matrix.user_id`",
        ),
        (
            CONFIG.replace("\"en\"", "\"fr\""),
            PLAN.to_owned(),
            "pspm.toml: key `bot.language`",
        ),
        (
            CONFIG.replace("[\"@mod:localhost\"]", "[\"mod\"]"),
            PLAN.to_owned(),
            "key `bot.moderators[0]`",
        ),
        (
            CONFIG.replace("[\"localhost\", \"agency.example:8448\"]", "[]"),
            PLAN.to_owned(),
            "key `bot.allowed_servers`",
        ),
        (
            CONFIG.replace("http://127.0.0.1:8008", "ftp://x"),
            PLAN.to_owned(),
            "key `matrix.homeserver_url`",
        ),
        (
            CONFIG.replace("data_dir", "datadir"),
            PLAN.to_owned(),
            "pspm.toml: key `storage",
        ),
        (
            CONFIG.replace("[bot]", "[bot\n"),
            PLAN.to_owned(),
            "pspm.toml: line",
        ),
        (
            CONFIG.replace("plan.toml", "missing.toml"),
            PLAN.to_owned(),
            "missing.toml: cannot read",
        ),
        (
            CONFIG.to_owned(),
            PLAN.replace("pt-2026", "Bad Id"),
            "plan.toml: key `plan.id`",
        ),
        (
            CONFIG.to_owned(),
            format!("{PLAN}\n[[sections]]\nid = \"dati\"\ntitle = \"Again\"\n"),
            "key `sections[1].id`: duplicate",
        ),
        (
            CONFIG.to_owned(),
            PLAN.replace("title = \"Dati\"", "title = \"  \""),
            "key `sections[0].title`",
        ),
        (
            CONFIG.to_owned(),
            PLAN.replace("[[sections]]", "[[section]]"),
            "plan.toml",
        ),
    ];
    for (config, plan, expected) in cases {
        let error = load_error(&config, &plan);
        assert!(
            error.contains(expected),
            "expected {expected:?} in {error:?}"
        );
        assert_eq!(error.lines().count(), 1, "not one line: {error:?}");
    }
}

#[test]
fn ids_and_server_names() {
    for good in [
        "@a:localhost",
        "@pspm.bot:mef.gov.it",
        "@x:127.0.0.1:8448",
        "@y:[::1]:80",
    ] {
        assert!(is_user_id(good), "{good}");
    }
    for bad in [
        "a:localhost",
        "@:localhost",
        "@a",
        "@a:",
        "@a b:localhost",
        "@a:host:port",
    ] {
        assert!(!is_user_id(bad), "{bad}");
    }
    assert_eq!(server_of("@a:mef.gov.it"), Some("mef.gov.it"));
    assert_eq!(server_of("@a:localhost:8448"), Some("localhost:8448"));
}

#[test]
fn hosts_drop_their_port_and_ip_literals_are_told_apart() {
    assert_eq!(host_of("mef.gov.it"), "mef.gov.it");
    assert_eq!(host_of("127.0.0.2:8448"), "127.0.0.2");
    assert_eq!(host_of("[::1]:8448"), "[::1]");
    assert_eq!(host_of("[::1]"), "[::1]");
    assert!(is_ip_literal("127.0.0.2"));
    assert!(is_ip_literal("[::1]"));
    assert!(!is_ip_literal("regione.lazio.it"));
    assert!(!is_ip_literal("localhost"));
}

#[test]
fn room_access_defaults_to_the_space_and_accepts_public() {
    let dir = tempfile::tempdir().unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("pspm.example.toml");
    let config = Config::load_with_password(&path, None).unwrap();
    assert_eq!(config.bot.room_access, RoomAccess::Space);
    let text = std::fs::read_to_string(&path).unwrap();
    for (value, expected) in [
        ("public", Some(RoomAccess::Public)),
        ("space", Some(RoomAccess::Space)),
        ("open", None),
    ] {
        let edited = text.replace(
            "sync_timeout_secs = 30",
            &format!("sync_timeout_secs = 30\nroom_access = \"{value}\""),
        );
        let file = dir.path().join("pspm.toml");
        std::fs::write(&file, edited).unwrap();
        std::fs::copy(
            path.with_file_name("plan.example.toml"),
            dir.path().join("plan.example.toml"),
        )
        .unwrap();
        // The example plan's draft text, at the path relative to the plan file.
        std::fs::create_dir_all(dir.path().join("bozza")).unwrap();
        std::fs::copy(
            path.with_file_name("bozza").join("dati.md"),
            dir.path().join("bozza/dati.md"),
        )
        .unwrap();
        match (Config::load_with_password(&file, None), expected) {
            (Ok(config), Some(expected)) => assert_eq!(config.bot.room_access, expected),
            (Err(error), None) => assert!(error.to_string().contains("bot.room_access"), "{error}"),
            (other, _) => panic!("{value}: {other:?}"),
        }
    }
}

#[test]
fn index_limits_default_and_are_validated() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), CONFIG, PLAN);
    let config = Config::load_with_password(&path, None).unwrap();
    assert_eq!(
        config.index,
        IndexConfig {
            max_file_mib: 64,
            max_pdf_stream_mib: 16,
            max_text_mib: 16,
        }
    );
    let set = format!("{CONFIG}\n[index]\nmax_file_mib = 200\nmax_text_mib = 1\n");
    let path = write(dir.path(), &set, PLAN);
    let config = Config::load_with_password(&path, None).unwrap();
    assert_eq!(
        (
            config.index.max_file_mib,
            config.index.max_pdf_stream_mib,
            config.index.max_text_mib
        ),
        (200, 16, 1)
    );
    for (section, expected) in [
        (
            "max_file_mib = 0",
            "key `index.max_file_mib`: must be between 1 and 4096",
        ),
        (
            "max_pdf_stream_mib = 5000",
            "key `index.max_pdf_stream_mib`: must be between 1 and 4096",
        ),
        ("max_text_mib = -1", "key `index.max_text_mib`"),
        ("max_file_mb = 10", "unknown field `max_file_mb`"),
    ] {
        let error = load_error(&format!("{CONFIG}\n[index]\n{section}\n"), PLAN);
        assert!(error.contains(expected), "{section}: {error}");
        assert_eq!(error.lines().count(), 1, "not one line: {error:?}");
    }
}

#[test]
fn example_files_load() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("pspm.example.toml");
    let config = Config::load_with_password(&path, None).unwrap();
    assert!(config.plan.sections.len() >= 3);
    assert!(config
        .bot
        .allowed_servers
        .contains(&config.server_name().to_owned()));
    // The example shows the defaults.
    assert_eq!(config.index, IndexConfig::default());
}

const MONITORED: &str = r#"
[plan]
id = "pt-2026"
title = "Piano"

[[sections]]
id = "dati"
title = "Dati"

[[objectives]]
code = "OB.1.1"
section = "dati"
title = "Dati aperti"

[[results]]
code = "R.A.1.1a"
objective = "OB.1.1"
title = "Enti che pubblicano dati"
indicator = "Enti"
unit = "enti"
baseline = 100
targets = { "2026" = 180, "2027" = 250 }

[[actions]]
code = "CAP1.PA.LA01"
section = "dati"
objective = "OB.1.1"
title = "Pubblicare i dataset"
owner = "Ministero"
owners = ["@ente:localhost"]
start = 2026-01-01
due = "2026-12-31"
weight = 2
"#;

#[test]
fn monitoring_model_loads_with_dates_targets_and_weights() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), CONFIG, MONITORED);
    let config = Config::load_with_password(&path, None).unwrap();
    let monitoring = &config.plan.monitoring;
    assert_eq!(monitoring.objectives[0].code, "OB.1.1");
    let result = &monitoring.results[0];
    assert_eq!(result.baseline, Some(100.0));
    assert_eq!(result.targets.get(&2027), Some(&Target::from(250.0)));
    let action = &monitoring.actions[0];
    assert_eq!(action.start, chrono::NaiveDate::from_ymd_opt(2026, 1, 1));
    assert_eq!(action.due, chrono::NaiveDate::from_ymd_opt(2026, 12, 31));
    assert_eq!(action.weight, 2.0);
    assert_eq!(action.owners, ["@ente:localhost"]);
    assert_eq!(config.monitoring, MonitoringConfig::default());
}

#[test]
fn targets_may_be_texts_and_actions_open_ended() {
    let plan = MONITORED
        .replace(
            r#"targets = { "2026" = 180, "2027" = 250 }"#,
            r#"targets = { "2021" = "almeno 80 amministrazioni", "2026" = { text = "tutti i comuni", value = 7900 }, "2027" = 250.5, "2028" = { text = " 300 enti " } }"#,
        )
        .replace("due = \"2026-12-31\"\n", "");
    assert_ne!(plan, MONITORED);
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), CONFIG, &plan);
    let config = Config::load_with_password(&path, None).unwrap();
    let monitoring = &config.plan.monitoring;
    let result = &monitoring.results[0];
    let text = |t: &str| Some(t.to_owned());
    assert_eq!(
        result.targets.get(&2021),
        Some(&Target {
            value: None,
            text: text("almeno 80 amministrazioni")
        })
    );
    assert_eq!(
        result.targets.get(&2026),
        Some(&Target {
            value: Some(7900.0),
            text: text("tutti i comuni")
        })
    );
    assert_eq!(result.targets.get(&2027), Some(&Target::from(250.5)));
    assert_eq!(
        result.targets.get(&2028),
        Some(&Target {
            value: None,
            text: text("300 enti")
        })
    );
    // Charts draw the numbers only.
    assert_eq!(
        result.numeric_targets().collect::<Vec<_>>(),
        [(2026, 7900.0), (2027, 250.5)]
    );
    let action = &monitoring.actions[0];
    assert_eq!(
        (action.start, action.due),
        (chrono::NaiveDate::from_ymd_opt(2026, 1, 1), None)
    );
}

#[test]
fn bad_targets_and_actions_without_dates_are_refused_with_their_line() {
    let line_of = |plan: &str, needle: &str| {
        plan.lines()
            .position(|l| l.contains(needle))
            .map(|i| i + 1)
            .unwrap()
    };
    let targets = r#"targets = { "2026" = 180, "2027" = 250 }"#;
    let cases = [
        (
            MONITORED.replace(targets, r#"targets = { "2026" = "  " }"#),
            "targets",
            "key `results[0].targets.\"2026\"`: the target's text is empty",
        ),
        (
            MONITORED.replace(targets, r#"targets = { "2026" = { value = 5, note = "x" } }"#),
            "targets",
            "unknown key `note`: a target is a number, a text, or { text = \"…\", value = 80 }",
        ),
        (
            MONITORED.replace(targets, r#"targets = { "2026" = {} }"#),
            "targets",
            "the target has neither text nor value",
        ),
        (
            MONITORED.replace(targets, r#"targets = { "2026" = { text = "x", value = "80" } }"#),
            "targets",
            "`value` must be a finite number",
        ),
        (
            MONITORED.replace(targets, r#"targets = { "2026" = true }"#),
            "targets",
            "true is not a target",
        ),
        (
            MONITORED.replace(targets, r#"targets = { "duemila" = 5 }"#),
            "targets",
            "\"duemila\" is not a year like 2026",
        ),
        (
            MONITORED
                .replace("start = 2026-01-01\n", "")
                .replace("due = \"2026-12-31\"\n", ""),
            "code = \"CAP1.PA.LA01\"",
            "key `actions[0].due`: missing: give a due date, or a start date for an open-ended action",
        ),
    ];
    for (plan, needle, reason) in cases {
        assert_ne!(plan, MONITORED, "{reason}");
        let error = load_error(CONFIG, &plan);
        let line = line_of(&plan, needle);
        assert!(
            error.contains(&format!("plan.toml: line {line}: ")),
            "{error}"
        );
        assert!(error.contains(reason), "{reason}: {error}");
        assert_eq!(error.lines().count(), 1);
    }
}

#[test]
fn monitoring_errors_name_file_line_and_problem() {
    // The 1-based line of the `nth` line containing `needle`.
    let line_of = |plan: &str, needle: &str, nth: usize| {
        plan.lines()
            .enumerate()
            .filter(|(_, l)| l.contains(needle))
            .nth(nth)
            .map(|(i, _)| i + 1)
            .unwrap()
    };
    let duplicate = MONITORED.replace("code = \"CAP1.PA.LA01\"", "code = \"OB.1.1\"");
    let first = line_of(&duplicate, "code = \"OB.1.1\"", 0);
    let cases = [
        (
            line_of(&duplicate, "code = \"OB.1.1\"", 1),
            format!("duplicate code \"OB.1.1\" (first defined at line {first})"),
            duplicate,
        ),
        {
            let plan = MONITORED.replace(
                "section = \"dati\"\nobjective = \"OB.1.1\"\ntitle = \"Pubblicare",
                "section = \"servizi\"\nobjective = \"OB.1.1\"\ntitle = \"Pubblicare",
            );
            (
                line_of(&plan, "servizi", 0),
                "unknown section \"servizi\"".to_owned(),
                plan,
            )
        },
        {
            let plan = MONITORED.replace(
                "objective = \"OB.1.1\"\ntitle = \"Enti",
                "objective = \"OB.9\"\ntitle = \"Enti",
            );
            (
                line_of(&plan, "OB.9", 0),
                "unknown objective \"OB.9\"".to_owned(),
                plan,
            )
        },
        {
            let plan = MONITORED.replace("due = \"2026-12-31\"", "due = \"2025-12-31\"");
            (
                line_of(&plan, "due =", 0),
                "the due date is before the start date".to_owned(),
                plan,
            )
        },
        {
            let plan = MONITORED.replace("due = \"2026-12-31\"", "due = \"31/12/2026\"");
            (
                line_of(&plan, "due =", 0),
                "not a date like 2026-12-31".to_owned(),
                plan,
            )
        },
        {
            let plan = MONITORED.replace("weight = 2", "weight = -1");
            (
                line_of(&plan, "weight =", 0),
                "the weight must be a positive number".to_owned(),
                plan,
            )
        },
    ];
    for (line, reason, plan) in cases {
        assert_ne!(plan, MONITORED, "the case must change the plan: {reason}");
        let error = load_error(CONFIG, &plan);
        assert!(
            error.contains(&format!("plan.toml: line {line}: ")),
            "{error}"
        );
        assert!(error.contains(&reason), "{reason}: {error}");
        assert_eq!(error.lines().count(), 1);
    }
    let bad_zone = CONFIG.to_owned() + "\n[monitoring]\ntime_zone = \"Mars/Olympus\"\n";
    assert!(load_error(&bad_zone, PLAN).contains("monitoring.time_zone"));
}

#[test]
fn publishing_is_optional_checked_when_given_and_complete_when_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), CONFIG, PLAN);
    let config = Config::load_with_password(&path, None).unwrap();
    assert_eq!(config.publish.licence, publish::CC_BY_4);
    let missing = config.publish.require(&path).unwrap_err().to_string();
    assert!(
        missing.contains("key `publish.base_url`") && missing.contains("pspm publish"),
        "{missing}"
    );

    let given = format!(
        "{CONFIG}\n[publish]\nbase_url = \"https://dati.mef.gov.it/pspm\"\npublisher = \"MEF\"\npublisher_id = \"m_ef\"\n"
    );
    let path = write(dir.path(), &given, PLAN);
    let config = Config::load_with_password(&path, None).unwrap();
    let publishing = config.publish.require(&path).unwrap();
    assert_eq!(publishing.base_url, "https://dati.mef.gov.it/pspm/");
    assert_eq!(
        (publishing.publisher, publishing.publisher_id),
        ("MEF", "m_ef")
    );

    for (line, key) in [
        ("base_url = \"ftp://x\"", "publish.base_url"),
        ("frequency = \"every day\"", "publish.frequency"),
        ("contact_email = \"nobody\"", "publish.contact_email"),
        ("licence = \"CC-BY\"", "publish.licence"),
        ("colour = \"blue\"", "colour"),
    ] {
        let error = load_error(&format!("{CONFIG}\n[publish]\n{line}\n"), PLAN);
        assert!(error.contains(key), "{line}: {error}");
        assert_eq!(error.lines().count(), 1, "{error}");
    }
}

#[test]
fn source_systems_need_a_listener_a_name_and_a_long_token_from_the_environment_or_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let given = format!(
        "{CONFIG}\n[http]\nlisten = \"127.0.0.1:9090\"\n\n[[http.sources]]\nname = \"istat\"\ntoken = \"0123456789abcdef-istat\"\n\n[[http.sources]]\nname = \"sistema_pagamenti\"\ntoken_env = \"PSPM_TEST_TOKEN_SET\"\n"
    );
    let path = write(dir.path(), &given, PLAN);
    let raw: super::http::HttpConfig = toml::from_str::<toml::Table>(&given).unwrap()["http"]
        .clone()
        .try_into()
        .unwrap();
    let env = |variable: &str| (variable == "PSPM_TEST_TOKEN_SET").then(|| "x".repeat(32));
    let sources = raw.sources(&path, env).unwrap();
    assert_eq!(
        sources
            .iter()
            .map(|s| (s.name.as_str(), s.token.expose().len()))
            .collect::<Vec<_>>(),
        [("istat", 22), ("sistema_pagamenti", 32)]
    );
    // The token never shows in Debug output.
    assert!(!format!("{sources:?}").contains("0123456789abcdef"));

    let source = |body: &str| {
        format!("{CONFIG}\n[http]\nlisten = \"127.0.0.1:9090\"\n\n[[http.sources]]\n{body}\n")
    };
    for (config, key, says) in [
        (
            format!("{CONFIG}\n[[http.sources]]\nname = \"a\"\ntoken = \"0123456789abcdef\"\n"),
            "http.sources",
            "needs http.listen",
        ),
        (source("name = \"con spazi\"\ntoken = \"0123456789abcdef\""), "http.sources[0].name", "letters"),
        (source("name = \"a\"\ntoken = \"short\""), "http.sources[0].token", "at least 16"),
        (source("name = \"a\""), "http.sources[0].token", "one of the two"),
        (
            source("name = \"a\"\ntoken_env = \"PSPM_TEST_TOKEN_NEVER_SET\""),
            "http.sources[0].token_env",
            "PSPM_TEST_TOKEN_NEVER_SET is not set",
        ),
        (
            source("name = \"a\"\ntoken = \"0123456789abcdef\"\n\n[[http.sources]]\nname = \"a\"\ntoken = \"0123456789abcdef\""),
            "http.sources[1].name",
            "named twice",
        ),
    ] {
        let error = load_error(&config, PLAN);
        assert!(error.contains(key) && error.contains(says), "{error}");
        assert_eq!(error.lines().count(), 1, "{error}");
    }
}
