//! The app's own rules, on real tasks and a real store in a temporary folder: an essential
//! task that ends stops the bot, the data directory is private, errors name paths plainly,
//! and the `pspm outbox` operations.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use pspm_config::Config;
use tokio::sync::watch;

use super::essential::Essential;
use super::{index_add, open_store, outbox_drop, outbox_list, outbox_retry, STATE};
use crate::domain::{Rendered, Reply};
use crate::store::{Batch, Outgoing};

/// A config in `dir/config/` whose data directory is `data_dir` (relative to that folder).
fn config_in(dir: &Path, data_dir: &str) -> Config {
    let folder = dir.join("config");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("plan.toml"),
        "[plan]\nid = \"pt\"\ntitle = \"Piano\"\n\n[[sections]]\nid = \"dati\"\ntitle = \"Dati\"\n",
    )
    .unwrap();
    let config = format!(
        "[matrix]\nhomeserver_url = \"http://127.0.0.1:8008\"\nuser_id = \"@pspm:localhost\"\n\
         password = \"p\"\n\n[storage]\ndata_dir = \"{data_dir}\"\n\n[bot]\n\
         allowed_servers = [\"localhost\"]\n\n[plan]\nfile = \"plan.toml\"\n"
    );
    let path = folder.join("pspm.toml");
    std::fs::write(&path, config).unwrap();
    Config::load_with_password(&path, None).unwrap()
}

/// A task that runs until told to stop, and records that it was told.
async fn until_shutdown(
    mut shutdown: watch::Receiver<bool>,
    stopped: Arc<AtomicBool>,
) -> anyhow::Result<()> {
    let _ = shutdown.wait_for(|stop| *stop).await;
    stopped.store(true, Ordering::SeqCst);
    Ok(())
}

#[tokio::test]
async fn an_essential_task_that_fails_stops_the_others_and_the_bot_with_why() {
    let (shutdown, receiver) = watch::channel(false);
    let sync_stopped = Arc::new(AtomicBool::new(false));
    let mut tasks = Essential::default();
    tasks.spawn(
        "the sync loop",
        until_shutdown(receiver, sync_stopped.clone()),
    );
    tasks.spawn("the outbox sender", async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        Err(anyhow::anyhow!("cannot write the store"))
    });
    let error = tasks
        .run_until(std::future::pending(), &shutdown)
        .await
        .expect_err("the bot must stop with an error");
    assert_eq!(
        error.to_string(),
        "the outbox sender ended: cannot write the store"
    );
    assert!(sync_stopped.load(Ordering::SeqCst));
}

#[tokio::test]
async fn an_essential_task_that_panics_or_just_returns_stops_the_bot_too() {
    let (shutdown, receiver) = watch::channel(false);
    let mut tasks = Essential::default();
    tasks.spawn(
        "the sync loop",
        until_shutdown(receiver.clone(), Arc::default()),
    );
    tasks.spawn("the outbox sender", async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        panic!("no more room");
    });
    let error = tasks
        .run_until(std::future::pending(), &shutdown)
        .await
        .expect_err("a panic stops the bot");
    assert_eq!(
        error.to_string(),
        "the outbox sender ended: it panicked: no more room"
    );

    let (shutdown, receiver) = watch::channel(false);
    let mut tasks = Essential::default();
    tasks.spawn("the sync loop", until_shutdown(receiver, Arc::default()));
    tasks.spawn("the outbox sender", async { Ok(()) });
    let error = tasks
        .run_until(std::future::pending(), &shutdown)
        .await
        .expect_err("a task may not end on its own");
    assert_eq!(
        error.to_string(),
        "the outbox sender ended: without an error"
    );
}

#[tokio::test]
async fn a_signal_stops_every_task_cleanly() {
    let (shutdown, receiver) = watch::channel(false);
    let (sync_stopped, sender_stopped) = (Arc::default(), Arc::new(AtomicBool::new(false)));
    let mut tasks = Essential::default();
    tasks.spawn(
        "the sync loop",
        until_shutdown(receiver.clone(), Arc::clone(&sync_stopped)),
    );
    tasks.spawn(
        "the outbox sender",
        until_shutdown(receiver, sender_stopped.clone()),
    );
    tasks
        .run_until(tokio::time::sleep(Duration::from_millis(20)), &shutdown)
        .await
        .expect("a signal is a clean stop");
    assert!(sync_stopped.load(Ordering::SeqCst) && sender_stopped.load(Ordering::SeqCst));
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Every file and folder under `dir`.
fn everything_in(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        found.push(path.clone());
        if path.is_dir() {
            everything_in(&path, found);
        }
    }
}

#[test]
fn the_data_directory_and_the_store_are_readable_by_the_bots_user_only() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), "../data");
    let data_dir = dir.path().join("data");
    // A folder made before, open to everyone, is closed too.
    std::fs::create_dir_all(&data_dir).unwrap();
    std::fs::set_permissions(&data_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let store = open_store(&config).unwrap();
    store
        .save_session(&crate::store::Session {
            user_id: "@pspm:localhost".into(),
            device_id: "D".into(),
            access_token: "secret-token".into(),
        })
        .unwrap();
    drop(store);
    // Opened again, as on every start.
    drop(open_store(&config).unwrap());
    assert_eq!(mode(&data_dir), 0o700);
    let mut found = Vec::new();
    everything_in(&data_dir.join(STATE), &mut found);
    assert!(!found.is_empty());
    for path in found {
        let expected = if path.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode(&path), expected, "{}", path.display());
    }
}

#[test]
fn a_store_in_use_is_named_once_by_its_plain_path() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), "../data");
    let _running_bot = open_store(&config).unwrap();
    let error = format!(
        "{:#}",
        outbox_list(&config).expect_err("the store is in use")
    );
    let plain = dir.path().join("data").join(STATE);
    assert_eq!(
        error,
        format!(
            "the store in {} is in use by another process (a running bot holds it: stop the bot, or use the chat commands)",
            plain.display()
        )
    );
}

fn reply(room: &str, n: u32) -> Outgoing {
    Outgoing::Reply(Reply {
        room_id: room.into(),
        in_reply_to: format!("$e{n}"),
        thread_root: None,
        mentions: Vec::new(),
        text: Rendered {
            body: format!("pong {n}"),
            html: format!("pong {n}"),
        },
        card_for: None,
        item: None,
        secret_tally: None,
        receipt: None,
    })
}

#[test]
fn dead_letters_are_listed_retried_and_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), "data");
    {
        let store = open_store(&config).unwrap();
        store
            .commit(Batch {
                outgoing: (1..=4)
                    .map(|n| (format!("t{n}"), reply(&format!("!r{n}:hs"), n)))
                    .collect(),
                ..Batch::default()
            })
            .unwrap();
        let entries = store.outbox(usize::MAX).unwrap();
        for entry in &entries[..3] {
            store.dead_letter(entry, "M_FORBIDDEN").unwrap();
        }
    }
    let listing = outbox_list(&config).unwrap();
    assert_eq!(listing.waiting, 1);
    let rooms: Vec<&str> = listing
        .dead_letters
        .iter()
        .map(|d| d.room_id.as_str())
        .collect();
    assert_eq!(rooms, ["!r1:hs", "!r2:hs", "!r3:hs"]);
    assert!(listing
        .dead_letters
        .iter()
        .all(|d| d.kind == "reply" && d.reason == "M_FORBIDDEN"));
    let seqs: Vec<u64> = listing.dead_letters.iter().map(|d| d.seq).collect();

    assert_eq!(outbox_retry(&config, Some(seqs[1])).unwrap(), 1);
    let error = outbox_drop(&config, Some(seqs[1])).expect_err("it is not a dead letter now");
    assert_eq!(
        error.to_string(),
        format!(
            "no dead letter has sequence number {} (see pspm outbox list)",
            seqs[1]
        )
    );
    assert_eq!(outbox_drop(&config, Some(seqs[0])).unwrap(), 1);
    let listing = outbox_list(&config).unwrap();
    assert_eq!(listing.waiting, 2);
    assert_eq!(listing.dead_letters.len(), 1);
    assert_eq!(listing.dead_letters[0].seq, seqs[2]);

    // The retried entry goes back to its place in send order, with its transaction ID.
    let outbox = open_store(&config).unwrap().outbox(usize::MAX).unwrap();
    let txns: Vec<&str> = outbox.iter().map(|e| e.txn_id.as_str()).collect();
    assert_eq!(txns, ["t2", "t4"]);
    assert_eq!(outbox[0].seq, seqs[1]);

    assert_eq!(outbox_retry(&config, None).unwrap(), 1);
    assert_eq!(outbox_drop(&config, None).unwrap(), 0);
    let listing = outbox_list(&config).unwrap();
    assert_eq!((listing.dead_letters.len(), listing.waiting), (0, 3));
}

/// `[index]` reaches `pspm index add`: a file over `max_file_mib` is skipped, with the
/// key named in the reason.
#[test]
fn index_limits_come_from_the_config() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config");
    std::fs::copy(root.join("plan.example.toml"), dir.path().join("plan.toml")).expect("plan");
    copy_draft(&root, dir.path());
    let config_text = std::fs::read_to_string(root.join("pspm.example.toml"))
        .expect("config")
        .replace("plan.example.toml", "plan.toml")
        .replace("../.demo/bot-data", "data")
        .replace("max_file_mib = 64", "max_file_mib = 1");
    let config_path = dir.path().join("pspm.toml");
    std::fs::write(&config_path, config_text).expect("write config");
    let config = Config::load_with_password(&config_path, None).expect("config loads");
    let files = dir.path().join("files");
    std::fs::create_dir(&files).expect("mkdir");
    std::fs::write(files.join("small.md"), "# Piccolo\n\nBreve.").expect("write");
    std::fs::write(files.join("large.txt"), "parola ".repeat(200_000)).expect("write");
    let report = index_add(&config, &[files], "operator").expect("ingest");
    assert_eq!(report.added, 1, "{report:?}");
    let [(path, reason)] = report.failed.as_slice() else {
        panic!("one file skipped: {report:?}");
    };
    assert!(path.ends_with("large.txt"), "{report:?}");
    assert!(
        reason.contains("larger than the limit of 1.0 MiB (index.max_file_mib)"),
        "{reason}"
    );
}

/// `pspm index search` renders near matches as the chat does, in the plan's language: the
/// header says no practice matched exactly and the corrected query is offered.
#[test]
fn index_search_announces_near_matches_with_the_corrected_query() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), "data");
    let files = dir.path().join("pratiche");
    std::fs::create_dir_all(&files).unwrap();
    std::fs::write(
        files.join("licenze.md"),
        "# Guida alle licenze\n\nLe licenze aperte permettono il riuso del codice sorgente.\n",
    )
    .unwrap();
    index_add(&config, &[files], "@operatore:localhost").unwrap();
    let page = super::index_search(&config, "licemze aperte", false).unwrap();
    let lines: Vec<&str> = page.lines().collect();
    assert_eq!(
        lines[0], "Nessun risultato esatto per «licemze aperte»: risultati simili (1–1 di 1):",
        "{page}"
    );
    assert_eq!(lines[1], "Forse cercavi «licenze aperte»?", "{page}");
    assert!(lines[2].starts_with("1. Guida alle licenze"), "{page}");
}

/// A data directory holding a good-practice index of the previous layout opens: the index
/// is moved to the current layout on the spot, keeping its practices and ratings (see the
/// indexer's `migrate`), so an upgrade needs no command.
#[test]
fn an_index_of_the_previous_layout_is_migrated_when_the_bot_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), "data");
    let old = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../indexer/tests/data/index-layout-1"
    ));
    let index_dir = super::index_dir(&config);
    std::fs::create_dir_all(&index_dir).unwrap();
    for entry in std::fs::read_dir(old).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), index_dir.join(entry.file_name())).unwrap();
    }
    let index = super::open_index(&config).unwrap();
    let rated = index.get("riuso-software").unwrap().expect("kept");
    assert_eq!(rated.rating.count, 2);
    assert_eq!(index.list(true).unwrap().len(), 3);
}

/// The example plan's draft text, beside a copy of the plan file (its path is relative).
fn copy_draft(config_dir: &Path, to: &Path) {
    std::fs::create_dir_all(to.join("bozza")).expect("mkdir");
    std::fs::copy(config_dir.join("bozza/dati.md"), to.join("bozza/dati.md")).expect("draft");
}
