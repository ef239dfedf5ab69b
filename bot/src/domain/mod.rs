//! The pure domain: what the bot knows and decides, with no I/O.
//!
//! The Matrix adapter turns room events into [`Input`]s; [`Engine::apply`] returns
//! [`Effects`]: replies to send and [`Change`]s to persist. Time is passed in. Nothing here
//! imports matrix-sdk, ruma, sled or tantivy.

pub mod command;
pub mod i18n;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use i18n::{Catalogue, Language, Msg, Rendered};

/// Power level from which a room member is a moderator (Matrix convention).
pub const MODERATOR_POWER: i64 = 50;

/// What the engine needs from the configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    pub language: Language,
    pub bot_user: String,
    /// Moderators by configuration, whatever their power level.
    pub moderators: BTreeSet<String>,
    pub allowed_servers: BTreeSet<String>,
    /// When the bot first started (ms since the epoch): older messages are history, not commands.
    pub live_since_ms: i64,
}

impl Settings {
    pub fn from_config(config: &pspm_config::Config, live_since_ms: i64) -> Settings {
        Settings {
            live_since_ms,
            language: config.bot.language,
            bot_user: config.matrix.user_id.clone(),
            moderators: config.bot.moderators.iter().cloned().collect(),
            allowed_servers: config.bot.allowed_servers.iter().cloned().collect(),
        }
    }

    pub fn catalogue(&self) -> &'static Catalogue {
        Catalogue::get(self.language)
    }
}

/// A text message in a room the bot is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub event_id: String,
    pub room_id: String,
    pub sender: String,
    /// `origin_server_ts`, milliseconds since the Unix epoch.
    pub sent_at_ms: i64,
    pub body: String,
    /// Root of the thread the message is in, so the reply goes to the same thread.
    pub thread_root: Option<String>,
}

/// A room's `m.room.power_levels`, reduced to what authorisation needs.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PowerLevels {
    pub users: BTreeMap<String, i64>,
    pub users_default: i64,
}

impl PowerLevels {
    pub fn of(&self, user: &str) -> i64 {
        self.users.get(user).copied().unwrap_or(self.users_default)
    }
}

/// Everything the adapter can tell the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Message(Message),
    PowerLevels {
        room_id: String,
        levels: PowerLevels,
    },
    /// The bot joined a room at this time: earlier messages there are history.
    BotJoined {
        room_id: String,
        at_ms: i64,
    },
}

/// A reply to send, as a reply to the message that caused it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub room_id: String,
    pub in_reply_to: String,
    pub thread_root: Option<String>,
    /// The user the reply answers (mentioned, so their client notifies them).
    pub to_user: String,
    pub text: Rendered,
}

/// A persistent change to the engine's state. The store keeps the latest value per
/// [`Change::record_key`]; folding the records back with [`State::apply_change`] rebuilds the state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    PowerLevels {
        room_id: String,
        levels: PowerLevels,
    },
    BotJoined {
        room_id: String,
        at_ms: i64,
    },
    ToldServerNotAllowed {
        user: String,
    },
}

impl Change {
    pub fn record_key(&self) -> String {
        match self {
            Change::PowerLevels { room_id, .. } => format!("power/{room_id}"),
            Change::BotJoined { room_id, .. } => format!("joined/{room_id}"),
            Change::ToldServerNotAllowed { user } => format!("told-not-allowed/{user}"),
        }
    }
}

/// What applying one input produced.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Effects {
    pub replies: Vec<Reply>,
    pub changes: Vec<Change>,
}

/// The engine's state: a projection of room history.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct State {
    power: HashMap<String, PowerLevels>,
    joined_at_ms: HashMap<String, i64>,
    told_server_not_allowed: BTreeSet<String>,
}

impl State {
    pub fn apply_change(&mut self, change: &Change) {
        match change {
            Change::PowerLevels { room_id, levels } => {
                self.power.insert(room_id.clone(), levels.clone());
            }
            Change::BotJoined { room_id, at_ms } => {
                self.joined_at_ms.insert(room_id.clone(), *at_ms);
            }
            Change::ToldServerNotAllowed { user } => {
                self.told_server_not_allowed.insert(user.clone());
            }
        }
    }
}

/// Who is asking, as far as permissions go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Participant,
    Moderator,
}

/// Decides what to do with each input. Owns the state; single-threaded by design: the sync
/// loop is the only writer.
pub struct Engine {
    settings: Settings,
    state: State,
}

impl Engine {
    pub fn new(settings: Settings, state: State) -> Engine {
        Engine { settings, state }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    /// The role of a user in a room: configured moderator or power level ≥ 50 there.
    /// Never decided by display name.
    pub fn role(&self, room_id: &str, user: &str) -> Role {
        let by_power = self
            .state
            .power
            .get(room_id)
            .is_some_and(|levels| levels.of(user) >= MODERATOR_POWER);
        if by_power || self.settings.moderators.contains(user) {
            Role::Moderator
        } else {
            Role::Participant
        }
    }

    /// Applies one input at time `now`, updating the state and returning what to persist and send.
    pub fn apply(&mut self, input: Input, now: DateTime<Utc>) -> Effects {
        let mut effects = Effects::default();
        match input {
            Input::PowerLevels { room_id, levels } => {
                effects
                    .changes
                    .push(Change::PowerLevels { room_id, levels });
            }
            Input::BotJoined { room_id, at_ms } => {
                effects.changes.push(Change::BotJoined { room_id, at_ms });
            }
            Input::Message(message) => self.apply_message(&message, now, &mut effects),
        }
        for change in &effects.changes {
            self.state.apply_change(change);
        }
        effects
    }

    /// Messages sent before this time in this room are history: before the bot first started,
    /// or before it joined the room.
    pub fn live_since_ms(&self, room_id: &str) -> i64 {
        let joined = self
            .state
            .joined_at_ms
            .get(room_id)
            .copied()
            .unwrap_or(i64::MIN);
        self.settings.live_since_ms.max(joined)
    }

    fn apply_message(&self, message: &Message, now: DateTime<Utc>, effects: &mut Effects) {
        if message.sender == self.settings.bot_user
            || message.sent_at_ms < self.live_since_ms(&message.room_id)
        {
            return;
        }
        let Some(parsed) = command::Command::parse(&message.body) else {
            return;
        };
        let catalogue = self.settings.catalogue();
        let server = pspm_config::server_of(&message.sender).unwrap_or_default();
        if !self.settings.allowed_servers.contains(server) {
            if !self.state.told_server_not_allowed.contains(&message.sender) {
                let text = catalogue.render(Msg::ServerNotAllowed, &[("server", server)]);
                effects.replies.push(reply_to(message, text));
                effects.changes.push(Change::ToldServerNotAllowed {
                    user: message.sender.clone(),
                });
            }
            return;
        }
        let request = command::Request {
            message,
            role: self.role(&message.room_id, &message.sender),
            now,
            catalogue,
        };
        let text = match parsed {
            Ok(command) => command.apply(&request),
            Err(error) => error.render(catalogue),
        };
        effects.replies.push(reply_to(message, text));
    }
}

fn reply_to(message: &Message, text: Rendered) -> Reply {
    Reply {
        room_id: message.room_id.clone(),
        in_reply_to: message.event_id.clone(),
        thread_root: message.thread_root.clone(),
        to_user: message.sender.clone(),
        text,
    }
}

#[cfg(test)]
mod tests;
