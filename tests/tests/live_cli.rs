//! The command line beside a running bot: `pspm export` and `pspm status` read the store the
//! bot holds through its admin socket, with the output they have when it is stopped;
//! `pspm rebuild` refuses while it runs; `pspm backup` taken while people vote restores into
//! a new data directory where the bot goes on as if nothing happened.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use pspm_e2e::bench::futures_join_all;
use pspm_e2e::local_plan::LocalPlan;
use pspm_e2e::traffic::{Mix, Person};
use pspm_e2e::{Result, Rng};
use serde_json::Value;

fn run(plan: &LocalPlan, args: &[&str]) -> Result<String> {
    let output = plan.bot.run_cli(args)?;
    anyhow::ensure!(
        output.status.success(),
        "pspm {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(String::from_utf8(output.stdout)?)
}

/// `pspm report` into `out`: the page, but the minute it was made in (the one thing that may
/// differ between two reports of the same store).
fn report(plan: &LocalPlan, out: &std::path::Path) -> Result<String> {
    run(plan, &["report", "--out", out.to_str().unwrap_or_default()])?;
    let html = std::fs::read_to_string(out.join("index.html"))?;
    let generated = html
        .find("Generated on")
        .and_then(|at| html[at..].find("</p>").map(|end| at..at + end))
        .ok_or_else(|| anyhow::anyhow!("no generation time in the report"))?;
    Ok(format!(
        "{}{}",
        &html[..generated.start],
        &html[generated.end..]
    ))
}

fn without_generation_time(mut export: Value) -> Value {
    export["generated_at"] = Value::Null;
    export
}

fn status_line<'a>(status: &'a str, key: &str) -> Option<&'a str> {
    status
        .lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix('\t'))
}

#[tokio::test(flavor = "multi_thread")]
async fn export_and_status_work_while_the_bot_runs_and_rebuild_says_it_must_stop() -> Result<()> {
    let mut plan = LocalPlan::start("livecli", 2).await?;
    let (first, _) = plan.propose(&plan.people[0], "Dati aperti").await?;
    plan.propose(&plan.people[1], "Cloud della PA").await?;
    plan.ask(&plan.people[1], &format!("!vote {first} +"))
        .await?;
    plan.ask(&plan.moderator, "!phase prioritisation").await?;
    let dir = tempfile::tempdir()?;

    // While it runs: the store is the bot's, the command line asks it.
    let socket = plan.bot.dir.path().join("data/admin.sock");
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&socket)?.permissions());
    assert_eq!(
        mode & 0o777,
        0o600,
        "the admin socket is the bot user's only"
    );
    let running = plan.cli_export(&dir.path().join("running.json"))?;
    let chat = plan.export().await?;
    assert_eq!(
        without_generation_time(running.clone()),
        without_generation_time(chat),
        "pspm export while the bot runs = !export json full"
    );
    assert_eq!(running["proposals"].as_array().map(Vec::len), Some(2));
    let status = run(&plan, &["status"])?;
    assert_eq!(status_line(&status, "bot"), Some("running"), "{status}");
    let synced = status_line(&status, "synced").unwrap_or_default();
    let seconds: u64 = synced
        .strip_suffix(" s ago")
        .and_then(|s| s.parse().ok())
        .unwrap_or(u64::MAX);
    assert!(seconds <= 60, "synced within the sync timeout: {status}");
    assert_eq!(status_line(&status, "health"), Some("ok"), "{status}");
    assert_eq!(
        status_line(&status, "outbox"),
        Some("0 waiting"),
        "{status}"
    );
    assert_eq!(status_line(&status, "dead letters"), Some("0"), "{status}");
    let section = status_line(&status, "section").unwrap_or_default();
    assert!(
        section.starts_with(&format!("dati\tprioritisation\t{}\t", plan.room)),
        "{status}"
    );
    let running_report = report(&plan, &dir.path().join("running-report"))?;
    assert!(
        running_report.contains("Dati aperti"),
        "the report shows the proposals"
    );
    let rebuild = plan.bot.run_cli(&["rebuild"])?;
    assert!(!rebuild.status.success());
    let said = String::from_utf8_lossy(&rebuild.stderr);
    assert!(said.contains("needs the bot stopped"), "{said}");

    // Stopped: the same export, and the status from the store.
    plan.bot.stop()?;
    assert!(!socket.exists(), "a clean stop removes the socket");
    let stopped = plan.cli_export(&dir.path().join("stopped.json"))?;
    assert_eq!(
        without_generation_time(stopped),
        without_generation_time(running)
    );
    assert_eq!(
        report(&plan, &dir.path().join("stopped-report"))?,
        running_report,
        "the same report"
    );
    let status = run(&plan, &["status"])?;
    assert_eq!(status_line(&status, "bot"), Some("stopped"), "{status}");
    assert!(
        status.contains(&format!("dati\tprioritisation\t{}", plan.room)),
        "{status}"
    );
    assert_eq!(
        status_line(&status, "outbox"),
        Some("0 waiting"),
        "{status}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_taken_while_three_people_vote_restores_to_the_true_tallies() -> Result<()> {
    const ACTS_EACH: usize = 60;
    // Comments too: one applied twice would show in the count.
    const MIX: Mix = Mix {
        votes: 4,
        comments: 1,
        commands: 0,
        proposals: 0,
    };
    let mut plan = LocalPlan::start("backup", 3).await?;
    let cards = plan.propose_each(4, "Proposta").await?;
    plan.ask(
        &plan.people[0],
        "!share Kit del riuso | Pubblicare il software come open source.",
    )
    .await?;
    let mut seeds = Rng::from_env_or_time("backup test");
    let mut people: Vec<(Person, Rng)> = plan
        .people
        .iter()
        .map(|user| {
            (
                Person::new(user.clone_session()),
                Rng::seeded(seeds.next_u64()),
            )
        })
        .collect();
    let backup = plan.bot.dir.path().join("pspm.backup");
    let sent = AtomicUsize::new(0);
    let total = people.len() * ACTS_EACH;
    let room = &plan.room;
    let voting = futures_join_all(people.iter_mut().map(|(person, rng)| {
        let (cards, sent) = (&cards, &sent);
        async move {
            for _ in 0..ACTS_EACH {
                person.act(room, cards, MIX, rng).await?;
                sent.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(rng.between(0, 30))).await;
            }
            Result::Ok(())
        }
    }));
    let backing_up = async {
        while sent.load(Ordering::SeqCst) < total / 2 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let output = plan
            .bot
            .run_cli(&["backup", "--out", backup.to_str().unwrap_or_default()])?;
        anyhow::ensure!(
            output.status.success(),
            "pspm backup failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Result::Ok((
            sent.load(Ordering::SeqCst),
            String::from_utf8(output.stdout)?,
        ))
    };
    let (voted, backed_up) = tokio::join!(voting, backing_up);
    for person in voted {
        person?;
    }
    let (at, said) = backed_up?;
    eprintln!("backup after {at} of {total} votes: {said}");
    assert!(at < total, "the backup was taken while people voted");
    let everyone: Vec<&pspm_e2e::User> = plan.people.iter().collect();
    plan.settle(&everyone).await?;
    plan.bot.stop()?;

    // Restore into a new data directory and start there: it catches up on the votes after
    // the backup, and counts none twice.
    let restored_config = plan.bot.dir.path().join("restored.toml");
    let config = std::fs::read_to_string(&plan.bot.config)?;
    std::fs::write(
        &restored_config,
        config.replace("data_dir = \"data\"", "data_dir = \"restored\""),
    )?;
    plan.bot.config = restored_config;
    let restore = plan
        .bot
        .run_cli(&["restore", backup.to_str().unwrap_or_default()])?;
    let restored_said = String::from_utf8_lossy(&restore.stdout);
    assert!(
        restore.status.success() && restored_said.starts_with("restored "),
        "{restored_said}{}",
        String::from_utf8_lossy(&restore.stderr)
    );
    // A second restore finds the data directory taken and changes nothing.
    let again = plan
        .bot
        .run_cli(&["restore", backup.to_str().unwrap_or_default()])?;
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("is not empty"));
    plan.bot.start()?;
    plan.settle(&everyone).await?;
    let truth = plan.export_matches_history().await?;
    assert!(
        truth.standing_votes() > 0,
        "no vote stands: the test proved nothing"
    );
    assert!(
        !truth.comments.is_empty(),
        "no comment: the test proved nothing"
    );
    assert_eq!(
        truth.authors.len(),
        cards.len(),
        "no proposal applied twice"
    );
    // The good-practice index came back too.
    let list = run(&plan, &["index", "list", "--pending"])?;
    assert!(list.contains("Kit del riuso"), "{list}");
    // And the bot goes on: one more vote counts once.
    plan.ask(&plan.people[2], "!ping").await?;
    assert!(plan.bot.is_running());
    // The backup has no encryption keys: the device whose keys stayed behind is not reused.
    let log = plan.bot.log();
    assert!(log.contains("logging in as a new device"), "{log}");
    // And it cross-signs the new device, replacing the keys (the homeserver asks for the
    // password: user-interactive auth).
    assert_eq!(
        log.matches("the bot's device is cross-signed").count(),
        2,
        "{log}"
    );
    Ok(())
}
