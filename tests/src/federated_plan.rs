//! A plan whose bot lives on the ministry's server of a [`Federation`], admitting ministry,
//! region and municipality (not the outsider), with an organisation name for each: what the
//! federation tests and benchmark start from.

use std::time::Duration;

use anyhow::anyhow;
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
        let file = self
            .moderator
            .command_file(&self.room, &self.bot.user_id, "!export json full")
            .await?;
        let bytes = self
            .moderator
            .download(file["url"].as_str().unwrap_or_default())
            .await?;
        Ok(serde_json::from_slice(&bytes)?)
    }
}

async fn wait_alias(user: &User, alias: &str) -> Result<String> {
    wait_for(WAIT, || async { user.resolve_alias(alias).await })
        .await?
        .ok_or_else(|| anyhow!("{alias} never resolved"))
}
