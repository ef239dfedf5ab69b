//! A plan on one homeserver: a bot, a moderator and a few people in its section room, and
//! what the fault tests and the recovery benchmarks read back — the bot's export and the
//! truth room history holds.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{anyhow, bail};
use serde_json::Value;

use crate::federated_plan::{exported, truth_by, Truth};
use crate::{wait_for, Bot, BotSetup, Observer, RateLimits, Result, Synapse, User};

pub const SERVER: &str = "ministry.test";
/// The organisation [`Bot::configure`] names for the homeserver's users.
pub const ORGANISATION: &str = "Ministero di prova";
pub const WAIT: Duration = Duration::from_secs(120);

/// A running bot on its own Synapse with a one-section plan, a moderator and some people.
pub struct LocalPlan {
    pub synapse: Synapse,
    pub bot: Bot,
    pub moderator: User,
    pub people: Vec<User>,
    pub plan: String,
    pub space: String,
    pub room: String,
}

impl LocalPlan {
    /// Starts Synapse (rate limits raised) and the bot; `people` users join the section.
    pub async fn start(plan: &str, people: usize) -> Result<LocalPlan> {
        LocalPlan::start_with(plan, people, |_| Ok(())).await
    }

    /// As [`LocalPlan::start`], with `prepare` changing the bot before it starts.
    pub async fn start_with(
        plan: &str,
        people: usize,
        prepare: impl FnOnce(&mut Bot) -> Result<()>,
    ) -> Result<LocalPlan> {
        let synapse = Synapse::start(SERVER, RateLimits::Raised).await?;
        let bot_user = synapse.register("pspm", false).await?;
        let moderator = synapse.register("mod", false).await?;
        let mut bot = Bot::configure(
            &synapse,
            &BotSetup {
                bot: &bot_user,
                plan_id: plan,
                sections: &["dati"],
                language: "en",
                moderators: &[&moderator.user_id],
                allowed_servers: &[SERVER],
            },
        )?;
        prepare(&mut bot)?;
        bot.start()?;
        let alias = format!("#{plan}.dati:{SERVER}");
        let room = wait_for(WAIT, || async { moderator.resolve_alias(&alias).await })
            .await?
            .ok_or_else(|| anyhow!("{alias} never resolved"))?;
        let space = format!("#{plan}:{SERVER}");
        moderator.join_section(&space, &room).await?;
        let mut members = Vec::new();
        for i in 0..people {
            let person = synapse.register(&format!("person{i}"), false).await?;
            person.join_section(&space, &room).await?;
            members.push(person);
        }
        let local = LocalPlan {
            synapse,
            bot,
            moderator,
            people: members,
            plan: plan.to_owned(),
            space,
            room,
        };
        // The bot answers: it is up and syncing.
        local.ask(&local.moderator, "!ping").await?;
        Ok(local)
    }

    /// Sends a command and waits for the bot's reply (the whole event).
    pub async fn ask(&self, user: &User, text: &str) -> Result<Value> {
        let event_id = user.send_text(&self.room, text).await?;
        user.wait_reply(&self.room, &self.bot.user_id, &event_id, WAIT)
            .await
    }

    /// `!propose title` as `user`: the proposal's number and its card's event ID.
    pub async fn propose(&self, user: &User, title: &str) -> Result<(u64, String)> {
        let card = self.ask(user, &format!("!propose {title}")).await?;
        card_of(&card).ok_or_else(|| anyhow!("not a card: {card}"))
    }

    /// The bot has applied everything each of `users` sent before: a `!ping` from each is
    /// answered (a homeserver delivers a room's events in order).
    /// `count` proposals titled `prefix 0`, `prefix 1`, …, by the people in turn; their
    /// cards' event IDs.
    pub async fn propose_each(&self, count: usize, prefix: &str) -> Result<Vec<String>> {
        let mut cards = Vec::with_capacity(count);
        for i in 0..count {
            let author = &self.people[i % self.people.len()];
            cards.push(self.propose(author, &format!("{prefix} {i}")).await?.1);
        }
        Ok(cards)
    }

    pub async fn settle(&self, users: &[&User]) -> Result<()> {
        for user in users {
            self.ask(user, "!ping").await?;
        }
        Ok(())
    }

    /// As [`LocalPlan::settle`], waiting for the replies through `observer`'s `/sync` rather
    /// than by reading the room's history again and again (long histories).
    pub async fn settle_observed(&self, observer: &Observer, users: &[&User]) -> Result<()> {
        for user in users {
            let ping = user.send_text(&self.room, "!ping").await?;
            observer.reply_to(&ping, WAIT).await?;
        }
        Ok(())
    }

    /// The moderators' JSON export, asked for in chat (`!export json full`).
    pub async fn export(&self) -> Result<Value> {
        self.moderator
            .chat_export(&self.room, &self.bot.user_id)
            .await
    }

    /// `pspm export --format json --full` into `path`, offline (the bot stopped), parsed.
    pub fn cli_export(&self, path: &std::path::Path) -> Result<Value> {
        let path_arg = path.to_str().unwrap_or_default();
        let output = self
            .bot
            .run_cli(&["export", "--format", "json", "--full", "--out", path_arg])?;
        if !output.status.success() {
            bail!(
                "pspm export failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
    }

    /// What the section room's history says (every person is of [`ORGANISATION`]).
    pub async fn truth(&self) -> Result<Truth> {
        Ok(self.truth_of(&self.moderator.messages(&self.room).await?))
    }

    /// What `history` (the section room's, oldest first) says.
    pub fn truth_of(&self, history: &[Value]) -> Truth {
        truth_by(history, &self.bot.user_id, &|_| ORGANISATION.to_owned())
    }

    /// Waits until the chat export agrees with room history; returns the truth, or the last
    /// disagreement after `WAIT`.
    pub async fn export_matches_history(&self) -> Result<Truth> {
        let started = std::time::Instant::now();
        loop {
            let expected = self.truth().await?;
            let got = exported(&self.export().await?);
            if got == expected {
                return Ok(expected);
            }
            if started.elapsed() > WAIT {
                bail!(
                    "the export never matched room history\n{}",
                    difference(&expected, &got)
                );
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

/// A card's proposal number and event ID, if `event` is one of the bot's cards.
pub fn card_of(event: &Value) -> Option<(u64, String)> {
    let number = event["content"]["it.pspm.proposal"].as_u64()?;
    let event_id = event["event_id"].as_str()?.to_owned();
    Some((number, event_id))
}

/// Where an export and room history disagree, proposal by proposal.
pub fn difference(history: &Truth, export: &Truth) -> String {
    let mut lines = Vec::new();
    let numbers: std::collections::BTreeSet<&u64> = history
        .votes
        .keys()
        .chain(export.votes.keys())
        .chain(history.authors.keys())
        .chain(export.authors.keys())
        .collect();
    let none = BTreeMap::new();
    for number in numbers {
        let (h, e) = (
            history.votes.get(number).unwrap_or(&none),
            export.votes.get(number).unwrap_or(&none),
        );
        if h != e {
            lines.push(format!("#{number} votes: history {h:?}, export {e:?}"));
        }
        if history.authors.get(number) != export.authors.get(number) {
            lines.push(format!(
                "#{number} author: history {:?}, export {:?}",
                history.authors.get(number),
                export.authors.get(number)
            ));
        }
    }
    if history.comments != export.comments {
        lines.push(format!(
            "comments: history {:?}, export {:?}",
            history.comments, export.comments
        ));
    }
    if history.poll_voters != export.poll_voters {
        lines.push(format!(
            "poll voters: history {:?}, export {:?}",
            history.poll_voters, export.poll_voters
        ));
    }
    lines.join("\n")
}
