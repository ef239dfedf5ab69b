//! The real `pspm` binary as a child process with a config folder of its own, which a test
//! starts, stops cleanly or kills (SIGKILL) at will.

use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _};

use crate::client::User;
use crate::paths::pspm_binary;
use crate::synapse::Synapse;
use crate::waiting::wait_for;
use crate::Result;

/// What a test bot is configured with.
pub struct BotSetup<'a> {
    pub bot: &'a User,
    pub plan_id: &'a str,
    pub sections: &'a [&'a str],
    pub language: &'a str,
    pub moderators: &'a [&'a str],
    pub allowed_servers: &'a [&'a str],
}

impl<'a> BotSetup<'a> {
    /// An English plan `plan_id` with one section, `dati`, no configured moderator, and
    /// `servers` admitted.
    pub fn english(bot: &'a User, plan_id: &'a str, servers: &'a [&'a str]) -> BotSetup<'a> {
        BotSetup {
            bot,
            plan_id,
            sections: &["dati"],
            language: "en",
            moderators: &[],
            allowed_servers: servers,
        }
    }
}

/// A `pspm run` child process with its own config folder.
pub struct Bot {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    pub user_id: String,
    child: Option<Child>,
    starts: u32,
    /// `RUST_LOG` of the bot process.
    pub log_filter: String,
    /// More environment variables of the bot process (e.g. `PSPM_LOG_FORMAT`).
    pub env: Vec<(String, String)>,
}

impl Bot {
    /// Writes `pspm.toml` and `plan.toml` into a new folder.
    pub fn configure(synapse: &Synapse, setup: &BotSetup<'_>) -> Result<Bot> {
        let dir = tempfile::Builder::new().prefix("pspm-bot-").tempdir()?;
        let list = |items: &[&str]| {
            items
                .iter()
                .map(|i| format!("\"{i}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let config = format!(
            "[matrix]\nhomeserver_url = \"{}\"\nuser_id = \"{}\"\npassword = \"{}\"\n\n\
             [storage]\ndata_dir = \"data\"\n\n\
             [bot]\nlanguage = \"{}\"\nmoderators = [{}]\nallowed_servers = [{}]\nsync_timeout_secs = 30\n\
             # Tests send bursts of commands from one person; the budget has its own tests.\n\
             commands_per_minute = 0\n\n\
             [organisations]\n\"{}\" = \"Ministero di prova\"\n\n[plan]\nfile = \"plan.toml\"\n",
            synapse.url,
            setup.bot.user_id,
            setup.bot.password,
            setup.language,
            list(setup.moderators),
            list(setup.allowed_servers),
            synapse.server_name,
        );
        let config_path = dir.path().join("pspm.toml");
        std::fs::write(&config_path, config)?;
        let bot = Bot {
            dir,
            config: config_path,
            user_id: setup.bot.user_id.clone(),
            child: None,
            starts: 0,
            log_filter: "info,pspm=debug,matrix_sdk=warn,matrix_sdk::http_client=off,matrix_sdk::encryption=off"
                .to_owned(),
            env: Vec::new(),
        };
        bot.write_plan(setup.plan_id, setup.sections)?;
        Ok(bot)
    }

    pub fn write_plan(&self, plan_id: &str, sections: &[&str]) -> Result<()> {
        let mut plan = format!(
            "[plan]\nid = \"{plan_id}\"\ntitle = \"Piano {plan_id}\"\ndescription = \"Piano di prova\"\n"
        );
        for section in sections {
            plan.push_str(&format!(
                "\n[[sections]]\nid = \"{section}\"\ntitle = \"Sezione {section}\"\ndescription = \"Descrizione di {section}\"\n"
            ));
        }
        std::fs::write(self.dir.path().join("plan.toml"), plan)?;
        Ok(())
    }

    /// Replaces the plan file with `text`.
    pub fn write_plan_text(&self, text: &str) -> Result<()> {
        std::fs::write(self.dir.path().join("plan.toml"), text)?;
        Ok(())
    }

    /// Appends tables (e.g. `[monitoring]`) to the config file.
    pub fn append_config(&self, text: &str) -> Result<()> {
        let mut config = std::fs::read_to_string(&self.config)?;
        config.push('\n');
        config.push_str(text);
        std::fs::write(&self.config, config)?;
        Ok(())
    }

    pub fn start(&mut self) -> Result<()> {
        if self.child.is_some() {
            bail!("the bot is already running");
        }
        self.starts += 1;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("bot.log"))?;
        let child = Command::new(pspm_binary())
            .args(["run", "--config"])
            .arg(&self.config)
            .env("RUST_LOG", &self.log_filter)
            .env_remove("PSPM_MATRIX_PASSWORD")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("cannot start pspm")?;
        self.child = Some(child);
        Ok(())
    }

    /// SIGKILL: the crash the exactly-once design must survive.
    pub fn kill(&mut self) -> Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill()?;
            child.wait()?;
        }
        Ok(())
    }

    /// SIGTERM and wait: a clean stop.
    pub fn stop(&mut self) -> Result<()> {
        if let Some(mut child) = self.child.take() {
            let pid = child.id().to_string();
            Command::new("kill").args(["-TERM", &pid]).status()?;
            let started = Instant::now();
            while child.try_wait()?.is_none() {
                if started.elapsed() > Duration::from_secs(20) {
                    child.kill()?;
                    bail!("the bot did not stop within 20 s of SIGTERM");
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        Ok(())
    }

    /// Waits up to `timeout` for the bot to end on its own: its exit status, or `None` if it
    /// still runs.
    pub async fn wait_exit(
        &mut self,
        timeout: Duration,
    ) -> Result<Option<std::process::ExitStatus>> {
        let started = Instant::now();
        while let Some(child) = self.child.as_mut() {
            if let Some(status) = child.try_wait()? {
                self.child = None;
                return Ok(Some(status));
            }
            if started.elapsed() > timeout {
                return Ok(None);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(None)
    }

    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// Resident memory of the running bot process, in MB.
    pub fn rss_mb(&self) -> Option<f64> {
        let pid = self.child.as_ref()?.id();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let kb: f64 = status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()?;
        Some(kb / 1024.0)
    }

    pub fn starts(&self) -> u32 {
        self.starts
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("bot.log")).unwrap_or_default()
    }

    /// Runs `pspm <args> --config <this config>` to completion.
    pub fn run_cli(&self, args: &[&str]) -> Result<std::process::Output> {
        Ok(Command::new(pspm_binary())
            .args(args)
            .arg("--config")
            .arg(&self.config)
            .env("RUST_LOG", "warn")
            .output()?)
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.kill();
        // The test harness runs each test on a thread of its own and shows its output only
        // when it fails: then the bot's last words are beside the failure, not in a temporary
        // folder already deleted. Benchmarks (on the main thread) stay quiet.
        if std::thread::current().name() == Some("main") {
            return;
        }
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        let tail = &lines[lines.len().saturating_sub(LOG_TAIL)..];
        println!("--- the bot's log, last {} lines ---", tail.len());
        for line in tail {
            println!("{line}");
        }
    }
}

/// How much of the bot's log a failed test shows.
const LOG_TAIL: usize = 60;

/// Configures a bot (then `prepare` may change its files), starts it, waits for its first
/// section room and has `members` join it; returns the bot and the room ID.
pub async fn bot_in_section(
    synapse: &Synapse,
    setup: &BotSetup<'_>,
    prepare: impl FnOnce(&mut Bot) -> Result<()>,
    members: &[&User],
) -> Result<(Bot, String)> {
    let mut bot = Bot::configure(synapse, setup)?;
    prepare(&mut bot)?;
    bot.start()?;
    let section = setup
        .sections
        .first()
        .ok_or_else(|| anyhow!("the plan needs a section"))?;
    let alias = format!("#{}.{section}:{}", setup.plan_id, synapse.server_name);
    let room = wait_for(Duration::from_secs(60), || async {
        setup.bot.resolve_alias(&alias).await
    })
    .await?
    .ok_or_else(|| anyhow!("{alias} never resolved"))?;
    let space = format!("#{}:{}", setup.plan_id, synapse.server_name);
    for member in members {
        member.join_section(&space, &room).await?;
    }
    Ok((bot, room))
}
