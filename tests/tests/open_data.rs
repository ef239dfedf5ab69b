//! Open data end to end: after progress and measurements in a real room, `pspm publish`
//! writes the public export as JSON and CSV tables with DCAT-AP_IT metadata that describes
//! exactly the files written (URL, format, size), and refuses clearly without `[publish]`.

use std::collections::BTreeMap;

use pspm_e2e::{bot_in_section, BotSetup, RateLimits, Result, Synapse};
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
    assert_eq!(export["version"], 2);
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
    Ok(())
}
