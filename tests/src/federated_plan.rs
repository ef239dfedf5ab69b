//! A plan whose bot lives on the ministry's server of a [`Federation`], admitting ministry,
//! region and municipality (not the outsider), with an organisation name for each: what the
//! federation tests and benchmark start from.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use anyhow::{anyhow, bail};
use serde_json::Value;

use crate::federation::{unique, Federation};
use crate::{wait_for, Bot, BotSetup, Result, Synapse, User};

pub const MINISTRY: &str = "Ministero dell'Economia e delle Finanze";
pub const REGION: &str = "Regione Lazio";
pub const MUNICIPALITY: &str = "Comune di Roma";
pub const WAIT: Duration = Duration::from_secs(90);

/// A running bot on the ministry's server with a two-section plan, admitting ministry,
/// region and municipality (not the outsider), and a moderator on the ministry.
pub struct World {
    pub fed: Federation,
    pub bot: Bot,
    pub bot_user: User,
    pub moderator: User,
    pub plan: String,
    pub space: String,
    pub room: String,
}

impl World {
    pub async fn new(fed: Federation) -> Result<World> {
        World::start(fed, |_| {}).await
    }

    /// As [`World::new`], with `prepare` changing the bot before it starts.
    pub async fn start(fed: Federation, prepare: impl FnOnce(&mut Bot)) -> Result<World> {
        let ministry = fed.ministry();
        let plan = unique("fed");
        let bot_user = ministry.register(&unique("pspm"), false).await?;
        let moderator = ministry.register(&unique("moderatore"), false).await?;
        let names = fed.server_names();
        let allowed: Vec<&str> = names[..3].iter().map(String::as_str).collect();
        let mut bot = Bot::configure(
            ministry,
            &BotSetup {
                bot: &bot_user,
                plan_id: &plan,
                sections: &["dati", "servizi"],
                language: "en",
                moderators: &[&moderator.user_id],
                allowed_servers: &allowed,
            },
        )?;
        let organisations = format!(
            "[organisations]\n\"{}\" = \"{MINISTRY}\"\n\"{}\" = \"{REGION}\"\n\"{}\" = \"{MUNICIPALITY}\"\n",
            names[0], names[1], names[2]
        );
        let config = std::fs::read_to_string(&bot.config)?;
        let start = config
            .find("[organisations]")
            .ok_or_else(|| anyhow!("no [organisations]"))?;
        let end = config[start..]
            .find("\n\n")
            .map_or(config.len(), |i| start + i + 1);
        std::fs::write(
            &bot.config,
            format!("{}{organisations}{}", &config[..start], &config[end..]),
        )?;
        prepare(&mut bot);
        bot.start()?;
        let space = wait_alias(&moderator, &format!("#{plan}:{}", names[0])).await?;
        let room = wait_alias(&moderator, &format!("#{plan}.dati:{}", names[0])).await?;
        let world = World {
            fed,
            bot,
            bot_user,
            moderator,
            plan,
            space,
            room,
        };
        // The Space lists a section once the bot has set it up (ACL, join rules): only then
        // is joining it the real thing.
        world
            .moderator
            .join_via(&world.space, &[&world.ministry_name()])
            .await?;
        wait_for(WAIT, || async {
            let child = world
                .moderator
                .state(&world.space, "m.space.child", &world.room)
                .await?;
            Ok(child.filter(|c| c["via"].is_array()))
        })
        .await?
        .ok_or_else(|| anyhow!("the Space never listed the section"))?;
        world.enter(&world.moderator).await?;
        // The bot answers: it is up and syncing.
        world.ask(&world.moderator, "!ping").await?;
        Ok(world)
    }

    pub fn ministry_name(&self) -> String {
        self.fed.ministry().server_name.clone()
    }

    /// A new user on `server` who joined the Space (by alias, over federation) and then the
    /// section room (restricted to the Space's members).
    pub async fn participant(&self, server: &Synapse, name: &str) -> Result<User> {
        let user = server.register(&unique(name), false).await?;
        self.enter(&user).await?;
        Ok(user)
    }

    pub async fn enter(&self, user: &User) -> Result<()> {
        let ministry = self.ministry_name();
        user.join_via(&format!("#{}:{ministry}", self.plan), &[&ministry])
            .await?;
        user.join_via(&self.room, &[&ministry]).await?;
        let joined = wait_for(WAIT, || async {
            Ok((user
                .membership(&self.room, &user.user_id)
                .await
                .ok()
                .flatten()
                == Some("join".to_owned()))
            .then_some(()))
        })
        .await?;
        joined.ok_or_else(|| anyhow!("{} is not in the section room", user.user_id))
    }

    /// Sends a command and waits for the bot's reply as `user`'s own server shows it.
    pub async fn ask(&self, user: &User, text: &str) -> Result<Value> {
        let event_id = user.send_text(&self.room, text).await?;
        user.wait_reply(&self.room, &self.bot.user_id, &event_id, WAIT)
            .await
    }

    /// `!propose` and the card's event ID.
    pub async fn propose(&self, user: &User, title: &str) -> Result<(u64, String)> {
        let card = self.ask(user, &format!("!propose {title}")).await?;
        let number = card["content"]["it.pspm.proposal"]
            .as_u64()
            .ok_or_else(|| anyhow!("not a card: {card}"))?;
        let event_id = card["event_id"].as_str().unwrap_or_default().to_owned();
        Ok((number, event_id))
    }

    /// The bot has processed everything each of `users` sent before: a `!ping` from each is
    /// answered (a server delivers its events in order).
    pub async fn settle(&self, users: &[&User]) -> Result<()> {
        for user in users {
            self.ask(user, "!ping").await?;
        }
        Ok(())
    }

    pub async fn export(&self) -> Result<Value> {
        self.moderator
            .chat_export(&self.room, &self.bot.user_id)
            .await
    }
}

async fn wait_alias(user: &User, alias: &str) -> Result<String> {
    wait_for(WAIT, || async { user.resolve_alias(alias).await })
        .await?
        .ok_or_else(|| anyhow!("{alias} never resolved"))
}

/// What room history says, counted per organisation: the truth the bot must match.
#[derive(Debug, Default, PartialEq)]
pub struct Truth {
    /// Proposal number → author's organisation.
    pub authors: BTreeMap<u64, String>,
    /// Proposal number → organisation → (supports, oppositions).
    pub votes: BTreeMap<u64, BTreeMap<String, (u64, u64)>>,
    /// Organisation → comments in proposal threads.
    pub comments: BTreeMap<String, u64>,
    /// Organisation → people whose latest poll answer is a valid, non-empty one.
    pub poll_voters: BTreeMap<String, u64>,
}

impl Truth {
    /// Standing votes on every proposal, supports and oppositions together.
    pub fn standing_votes(&self) -> u64 {
        self.votes
            .values()
            .flat_map(|by| by.values())
            .map(|(s, o)| s + o)
            .sum()
    }
}

fn organisation(names: &[String], user: &str) -> String {
    let server = user.split_once(':').map_or("", |(_, s)| s);
    match names.iter().position(|n| n == server) {
        Some(0) => MINISTRY.into(),
        Some(1) => REGION.into(),
        Some(2) => MUNICIPALITY.into(),
        _ => server.into(),
    }
}

/// Counts the truth from `history` (oldest first, as `/messages` gives it): cards and the
/// `!propose` they answer, the latest standing 👍/👎 of each person on each card, thread
/// replies on cards, and each person's latest poll answer.
pub fn truth(history: &[Value], bot: &str, names: &[String]) -> Truth {
    truth_by(history, bot, &|user| organisation(names, user))
}

/// [`truth`] with the organisation of each user given by `organisation`.
pub fn truth_by(history: &[Value], bot: &str, organisation: &dyn Fn(&str) -> String) -> Truth {
    let mut truth = Truth::default();
    let by_id: HashMap<&str, &Value> = history
        .iter()
        .filter_map(|e| Some((e["event_id"].as_str()?, e)))
        .collect();
    let mut cards: HashMap<String, u64> = HashMap::new();
    for event in history.iter().filter(|e| e["sender"] == bot) {
        if let Some(number) = event["content"]["it.pspm.proposal"].as_u64() {
            let asked = event["content"]["m.relates_to"]["m.in_reply_to"]["event_id"]
                .as_str()
                .and_then(|id| by_id.get(id));
            if let Some(asked) = asked {
                let author = asked["sender"].as_str().unwrap_or_default();
                truth.authors.insert(number, organisation(author));
            }
            cards.insert(
                event["event_id"].as_str().unwrap_or_default().into(),
                number,
            );
        }
    }
    // MSC3381: an answer counts when it picks known answers, no more than allowed.
    let poll_start = history
        .iter()
        .find(|e| e["sender"] == bot && e["type"] == "org.matrix.msc3381.poll.start");
    let known: Vec<&str> = poll_start
        .and_then(|e| e["content"]["org.matrix.msc3381.poll.start"]["answers"].as_array())
        .into_iter()
        .flatten()
        .filter_map(|a| a["id"].as_str())
        .collect();
    let max_selections = poll_start
        .and_then(|e| e["content"]["org.matrix.msc3381.poll.start"]["max_selections"].as_u64())
        .unwrap_or(1) as usize;
    let mut latest: BTreeMap<(u64, String), &str> = BTreeMap::new();
    let mut poll: BTreeMap<String, bool> = BTreeMap::new();
    for event in history.iter().filter(|e| e["sender"] != bot) {
        let sender = event["sender"].as_str().unwrap_or_default().to_owned();
        let relates = &event["content"]["m.relates_to"];
        let target = relates["event_id"].as_str().unwrap_or_default();
        match event["type"].as_str().unwrap_or_default() {
            // A redacted reaction has lost its content: it no longer stands.
            "m.reaction" => {
                if let (Some(number), Some(key)) = (cards.get(target), relates["key"].as_str()) {
                    if key == "👍" || key == "👎" {
                        latest.insert((*number, sender), if key == "👍" { "+" } else { "-" });
                    }
                }
            }
            "m.room.message" if relates["rel_type"] == "m.thread" && cards.contains_key(target) => {
                *truth.comments.entry(organisation(&sender)).or_default() += 1;
            }
            "org.matrix.msc3381.poll.response" => {
                let answers = &event["content"]["org.matrix.msc3381.poll.response"]["answers"];
                let valid = answers.as_array().is_some_and(|a| {
                    !a.is_empty()
                        && a.len() <= max_selections
                        && a.iter()
                            .all(|id| id.as_str().is_some_and(|id| known.contains(&id)))
                });
                poll.insert(sender, valid);
            }
            _ => {}
        }
    }
    for ((number, user), stance) in latest {
        let counts = truth
            .votes
            .entry(number)
            .or_default()
            .entry(organisation(&user))
            .or_default();
        if stance == "+" {
            counts.0 += 1;
        } else {
            counts.1 += 1;
        }
    }
    for (user, valid) in poll {
        if valid {
            *truth.poll_voters.entry(organisation(&user)).or_default() += 1;
        }
    }
    truth
}

/// The same figures as the bot's JSON export states them.
pub fn exported(export: &Value) -> Truth {
    let mut truth = Truth::default();
    for proposal in export["proposals"].as_array().into_iter().flatten() {
        let number = proposal["number"].as_u64().unwrap_or_default();
        truth.authors.insert(
            number,
            proposal["organisation"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
        let mut votes = BTreeMap::new();
        for (organisation, counts) in proposal["by_organisation"]
            .as_object()
            .into_iter()
            .flatten()
        {
            let pair = (
                counts["supports"].as_u64().unwrap_or_default(),
                counts["oppositions"].as_u64().unwrap_or_default(),
            );
            if pair != (0, 0) {
                votes.insert(organisation.clone(), pair);
            }
        }
        if !votes.is_empty() {
            truth.votes.insert(number, votes);
        }
    }
    for comment in export["comments"].as_array().into_iter().flatten() {
        if comment["kind"] == "comment" {
            *truth
                .comments
                .entry(comment["organisation"].as_str().unwrap_or_default().into())
                .or_default() += 1;
        }
    }
    for poll in export["polls"].as_array().into_iter().flatten() {
        for (organisation, voters) in poll["voters_by_organisation"]
            .as_object()
            .into_iter()
            .flatten()
        {
            *truth.poll_voters.entry(organisation.clone()).or_default() +=
                voters.as_u64().unwrap_or_default();
        }
    }
    truth
}

/// Waits until the export agrees with room history as `viewer`'s server shows it; returns
/// the truth (the last disagreement on timeout).
pub async fn export_matches_history(w: &World, viewer: &User) -> Result<Truth> {
    let names = w.fed.server_names();
    let mut last = String::new();
    for _ in 0..30 {
        let history = viewer.messages(&w.room).await?;
        let expected = truth(&history, &w.bot.user_id, &names);
        let got = exported(&w.export().await?);
        if got == expected {
            return Ok(expected);
        }
        last = format!("history: {expected:#?}\nexport: {got:#?}");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    bail!("the export never matched room history\n{last}")
}
