//! Open data end to end: after progress and measurements in a real room, `pspm publish`
//! writes the public export as JSON and CSV tables with DCAT-AP_IT metadata that describes
//! exactly the files written (URL, format, size), and refuses clearly without `[publish]`;
//! `pspm index export` writes the published good practices, every CSV column as in the JSON.

use std::collections::BTreeMap;

use pspm_e2e::{bot_in_section, repo_root, BotSetup, RateLimits, Result, Synapse};
use serde_json::Value;

use super::monitoring::plan;

const SERVER: &str = "ministry.test";

#[tokio::test(flavor = "multi_thread")]
async fn publish_writes_the_tables_and_their_dcat_ap_it_catalogue() -> Result<()> {
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
            language: "it",
            moderators: &[&moderator.user_id],
            allowed_servers: &[SERVER],
        },
        |bot| bot.write_plan_text(&plan(&alice.user_id, &bob.user_id)),
        &[&moderator, &alice, &bob],
    )
    .await?;
    let bot_id = bot.user_id.clone();
    alice
        .command(&room, &bot_id, "!progress A.LATE 40 schema pronto")
        .await?;
    moderator
        .command(&room, &bot_id, "!measure R.1 27 2026-10-31 primo conteggio")
        .await?;
    alice
        .command(&room, &bot_id, "!propose Catalogo unico")
        .await?;
    bot.stop()?;

    let out = tempfile::tempdir()?;
    let out_arg = out.path().to_str().unwrap_or_default();
    let refused = bot.run_cli(&["publish", "--out", out_arg])?;
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        stderr.contains("key `publish.base_url`") && stderr.lines().count() == 1,
        "{stderr}"
    );

    bot.append_config(
        "[publish]\nbase_url = \"https://dati.example.gov.it/pspm/\"\npublisher = \"Ministero di prova\"\npublisher_id = \"m_pr\"\n",
    )?;
    let published = bot.run_cli(&["publish", "--out", out_arg])?;
    assert!(
        published.status.success(),
        "{}",
        String::from_utf8_lossy(&published.stderr)
    );
    let written: Vec<String> = String::from_utf8(published.stdout)?
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        written.len(),
        9,
        "JSON, seven CSV tables and the metadata: {written:?}"
    );

    let export: Value = serde_json::from_str(&std::fs::read_to_string(
        out.path().join("mon-export.json"),
    )?)?;
    assert_eq!(export["version"], 4);
    assert_eq!(export["visibility"], "public");
    let late = export["actions"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["code"] == "A.LATE"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (late["progress"].as_u64(), late["status"].as_str()),
        (Some(40), Some("late"))
    );
    assert_eq!(late["progress_history"][0]["note"], "schema pronto");
    // An open-ended action: no due date, ongoing; a target in words beside the numbers.
    let ongoing = export["actions"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["code"] == "A.ONGOING"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (&ongoing["due"], ongoing["status"].as_str()),
        (&Value::Null, Some("ongoing"))
    );
    let year = chrono::Utc::now().format("%Y").to_string();
    assert_eq!(
        export["results"][1]["target_text"][&year],
        "almeno 80 amministrazioni"
    );
    assert_eq!(export["results"][1]["targets"], serde_json::json!({}));
    let results_csv = std::fs::read_to_string(out.path().join("mon-export.results.csv"))?;
    assert!(
        results_csv.contains(&format!("\"target {year}\",\"target text {year}\""))
            && results_csv.contains("\"almeno 80 amministrazioni\""),
        "{results_csv}"
    );
    let actions_csv = std::fs::read_to_string(out.path().join("mon-export.actions.csv"))?;
    assert!(
        actions_csv
            .lines()
            .any(|l| l.starts_with("\"A.ONGOING\"") && l.contains(",\"\",\"1\",\"\",\"ongoing\",")),
        "{actions_csv}"
    );
    assert_eq!(export["results"][0]["measurements"][0]["value"], 27.0);
    assert_eq!(export["proposals"][0]["title"], "Catalogo unico");

    let catalogue: Value = serde_json::from_str(&std::fs::read_to_string(
        out.path().join("dcat-ap_it.jsonld"),
    )?)?;
    assert!(catalogue["@context"]["dcatapit"].is_string());
    assert_eq!(catalogue["dct:publisher"]["dct:identifier"], "m_pr");
    let datasets = catalogue["dcat:dataset"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut described = BTreeMap::new();
    for dataset in &datasets {
        assert_eq!(dataset["dct:title"]["@language"], "it");
        for distribution in dataset["dcat:distribution"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let url = distribution["dcat:accessURL"]["@id"]
                .as_str()
                .unwrap_or_default();
            let name = url
                .strip_prefix("https://dati.example.gov.it/pspm/")
                .unwrap_or_else(|| panic!("{url} is not under base_url"));
            let size: u64 = distribution["dcat:byteSize"]["@value"]
                .as_str()
                .unwrap_or_default()
                .parse()?;
            described.insert(name.to_owned(), size);
        }
    }
    // Every data file written is described, with its real size, and nothing else is.
    let on_disk: BTreeMap<String, u64> = std::fs::read_dir(out.path())?
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_name() != "dcat-ap_it.jsonld")
        .map(|entry| {
            let len = entry.metadata().map(|m| m.len()).unwrap_or_default();
            (entry.file_name().to_string_lossy().into_owned(), len)
        })
        .collect();
    assert_eq!(described, on_disk);
    assert_eq!(datasets.len(), 8);

    // The good-practice repository, exported: JSON and CSV agree, row by row and column by
    // column, and the metadata describes the file.
    let corpus = repo_root().join("tests/data/practices");
    let added = bot.run_cli(&["index", "add", corpus.to_str().unwrap_or_default()])?;
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let json_path = out.path().join("pratiche.json");
    let csv_path = out.path().join("pratiche.csv");
    for (format, path) in [("json", &json_path), ("csv", &csv_path)] {
        let args = [
            "index",
            "export",
            "--format",
            format,
            "--out",
            path.to_str().unwrap_or_default(),
            "--dcat",
        ];
        let exported = bot.run_cli(&args)?;
        assert!(
            exported.status.success(),
            "{}",
            String::from_utf8_lossy(&exported.stderr)
        );
    }
    let practices: Value = serde_json::from_str(&std::fs::read_to_string(&json_path)?)?;
    assert_eq!(practices["schema"], "pspm.practices");
    let rows = practices["practices"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let published = published_count(&bot)?;
    assert!(published > 0);
    assert_eq!(rows.len(), published);
    let csv = std::fs::read_to_string(&csv_path)?;
    let mut reader =
        csv::ReaderBuilder::new().from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader.headers()?.iter().map(str::to_owned).collect();
    let records: Vec<csv::StringRecord> =
        reader.records().collect::<std::result::Result<_, _>>()?;
    assert_eq!(records.len(), rows.len());
    for (json, record) in rows.iter().zip(&records) {
        for (column, cell) in header.iter().zip(record.iter()) {
            let expected = match &json[column.as_str()] {
                Value::String(text) => text.clone(),
                Value::Null => String::new(),
                Value::Array(items) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("; "),
                other => other.to_string(),
            };
            let same = match (cell.parse::<f64>(), expected.parse::<f64>()) {
                (Ok(a), Ok(b)) => a == b,
                _ => cell.trim_start_matches('\'') == expected,
            };
            assert!(same, "{column}: {cell:?} ≠ {expected:?}");
        }
    }
    let metadata: Value = serde_json::from_str(&std::fs::read_to_string(
        out.path().join("pratiche.json.dcat-ap_it.jsonld"),
    )?)?;
    let distribution = &metadata["dcat:dataset"][0]["dcat:distribution"][0];
    assert_eq!(
        distribution["dcat:accessURL"]["@id"],
        "https://dati.example.gov.it/pspm/pratiche.json"
    );
    assert_eq!(
        distribution["dcat:byteSize"]["@value"],
        std::fs::metadata(&json_path)?.len().to_string()
    );

    // Published again, the package holds the practices too, described like the tables.
    let again = tempfile::tempdir()?;
    let published = bot.run_cli(&[
        "publish",
        "--out",
        again.path().to_str().unwrap_or_default(),
    ])?;
    assert!(published.status.success());
    let catalogue: Value = serde_json::from_str(&std::fs::read_to_string(
        again.path().join("dcat-ap_it.jsonld"),
    )?)?;
    let practices_dataset = catalogue["dcat:dataset"]
        .as_array()
        .and_then(|all| {
            all.iter().find(|d| {
                d["@id"]
                    .as_str()
                    .is_some_and(|id| id.ends_with("#practices"))
            })
        })
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("no practices dataset"))?;
    assert_eq!(
        practices_dataset["dcat:distribution"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    assert_eq!(
        std::fs::read_to_string(again.path().join("practices.csv"))?
            .lines()
            .count(),
        published_count(&bot)? + 1
    );
    Ok(())
}

/// How many practices `pspm index list` shows (the published ones).
fn published_count(bot: &pspm_e2e::Bot) -> Result<usize> {
    let listed = bot.run_cli(&["index", "list"])?;
    Ok(String::from_utf8(listed.stdout)?.lines().count())
}
