//! The pure domain: what the bot knows and decides, with no I/O.
//!
//! The Matrix adapter turns room events into [`Input`]s; [`Engine::apply`] returns
//! [`Effects`]: replies to send and [`Change`]s to persist. Time is passed in. Nothing here
//! imports matrix-sdk, ruma, sled or tantivy.

pub mod authority;
pub mod command;
pub mod export;
pub mod i18n;
pub mod monitoring;
pub mod participation;
pub mod polls;
pub mod practices;
pub mod reminders;
mod replay_order;
pub mod turnout;
pub mod votes;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use authority::{Role, MODERATOR_POWER};
pub use i18n::{Catalogue, Language, Msg, Rendered};
pub use participation::{Ballot, Comment, Participation, Phase, Proposal, ProposalState, Stance};
use votes::Redactor;

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
    /// Public Body per homeserver name.
    pub organisations: BTreeMap<String, String>,
    /// The plan's section rooms, by room ID.
    pub sections: HashMap<String, SectionSettings>,
    /// The plan's Space: its power levels make moderators of every section.
    pub space_room: Option<String>,
    pub max_title_chars: usize,
    pub max_description_chars: usize,
    pub plan_id: String,
    pub plan_title: String,
    pub plan_description: String,
    /// Proposal numbers by the event that proposed them, read from the bot's cards in room
    /// history: a rebuild gives every proposal the number it had. Empty when live.
    pub number_hints: HashMap<String, u32>,
    /// Objectives, results and actions from the plan file, and when reminders go out.
    pub monitoring: monitoring::Plan,
}

/// A plan section as the engine sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionSettings {
    pub id: String,
    /// Position in the plan file.
    pub position: usize,
    pub title: String,
    pub default_phase: Phase,
    pub max_supports: Option<u32>,
}

impl Settings {
    /// `section_rooms` pairs each plan section ID with its room ID (from provisioning).
    pub fn from_config(
        config: &pspm_config::Config,
        live_since_ms: i64,
        space_room: Option<&str>,
        section_rooms: &[(String, String)],
    ) -> Settings {
        let sections = section_rooms
            .iter()
            .filter_map(|(section_id, room_id)| {
                let (position, section) = config
                    .plan
                    .sections
                    .iter()
                    .enumerate()
                    .find(|(_, s)| &s.id == section_id)?;
                let default_phase = section
                    .phase
                    .as_deref()
                    .and_then(Phase::parse)
                    .unwrap_or_default();
                Some((
                    room_id.clone(),
                    SectionSettings {
                        id: section.id.clone(),
                        position,
                        title: section.title.clone(),
                        default_phase,
                        max_supports: section.max_supports,
                    },
                ))
            })
            .collect();
        Settings {
            live_since_ms,
            language: config.bot.language,
            bot_user: config.matrix.user_id.clone(),
            moderators: config.bot.moderators.iter().cloned().collect(),
            allowed_servers: config.bot.allowed_servers.iter().cloned().collect(),
            organisations: config.organisations.clone(),
            sections,
            space_room: space_room.map(str::to_owned),
            max_title_chars: config.bot.max_title_chars,
            max_description_chars: config.bot.max_description_chars,
            plan_id: config.plan.id.clone(),
            plan_title: config.plan.title.clone(),
            plan_description: config.plan.description.clone(),
            number_hints: HashMap::new(),
            monitoring: monitoring::Plan::from_config(config),
        }
    }

    pub fn catalogue(&self) -> &'static Catalogue {
        Catalogue::get(self.language)
    }

    /// The Public Body of a user: the `[organisations]` entry of their server, else the server.
    pub fn organisation_of(&self, user: &str) -> String {
        let server = pspm_config::server_of(user).unwrap_or(user);
        self.organisations
            .get(server)
            .cloned()
            .unwrap_or_else(|| server.to_owned())
    }

    /// Whether `room_id` is one of the plan's rooms (the Space or a section), the only rooms
    /// whose power levels count and whose history a rebuild replays.
    pub fn is_plan_room(&self, room_id: &str) -> bool {
        self.sections.contains_key(room_id) || self.space_room.as_deref() == Some(room_id)
    }

    pub fn is_allowed(&self, user: &str) -> bool {
        pspm_config::server_of(user).is_some_and(|server| self.allowed_servers.contains(server))
    }

    pub fn section_of_id(&self, section_id: &str) -> Option<(&str, &SectionSettings)> {
        self.sections
            .iter()
            .find(|(_, s)| s.id == section_id)
            .map(|(room, s)| (room.as_str(), s))
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
    /// The message this one replies to (`m.in_reply_to`), if any.
    pub reply_to: Option<String>,
    /// That message, when the adapter fetched it (for `!promote`).
    pub quoted: Option<Quoted>,
}

/// A message another one replies to, as `!promote` needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quoted {
    pub event_id: String,
    pub sender: String,
    pub body: String,
    pub sent_at_ms: i64,
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
    /// An edit (`m.replace`) of an earlier message.
    Edit(Edited),
    /// A reaction (`m.annotation`) on an event.
    Reaction(Reacted),
    /// An event was redacted (e.g. a reaction removed).
    Redaction {
        room_id: String,
        sender: String,
        redacts: String,
    },
    /// The bot's own poll start, seen in the room.
    PollPosted {
        room_id: String,
        poll_id: u32,
        event_id: String,
    },
    /// A poll response, stable (`m.poll.response`) or unstable (MSC3381) form.
    PollResponse(PollAnswered),
    /// A poll end sent by someone (e.g. from a client's "end poll" button).
    PollEnded {
        room_id: String,
        sender: String,
        start: String,
        at_ms: i64,
    },
    /// Time passes: the daily reminders are due when the day's reminder time has come.
    Tick,
    /// The bot's own proposal card, seen in the room: now it has an event ID.
    CardPosted {
        room_id: String,
        number: u32,
        event_id: String,
    },
}

/// An edit of an earlier message: `m.new_content`'s body replaces the original's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edited {
    pub event_id: String,
    pub room_id: String,
    pub sender: String,
    pub original: String,
    pub new_body: String,
    pub at_ms: i64,
}

/// A reaction on an event; 👍/👎 on a proposal are votes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reacted {
    pub event_id: String,
    pub room_id: String,
    pub sender: String,
    pub target: String,
    pub key: String,
    pub at_ms: i64,
    /// Events of the same sender, already applied, that come after this one in the room: it
    /// reached the bot late (over federation), so its ballot goes before theirs.
    pub newer: Vec<String>,
}

/// A response to the poll started by event `start`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollAnswered {
    pub event_id: String,
    pub room_id: String,
    pub sender: String,
    pub start: String,
    pub answers: Vec<String>,
    pub at_ms: i64,
}

/// A reaction the bot adds (the 👍/👎 seeds on a proposal card).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    pub room_id: String,
    pub target: String,
    pub key: String,
}

/// A poll to start (dot voting among proposals), as a reply to the command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollPost {
    pub room_id: String,
    pub poll_id: u32,
    pub question: String,
    pub max_selections: u32,
    /// `(answer id, text)`.
    pub answers: Vec<(String, String)>,
}

/// A poll to end, with the ranking as its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollEndPost {
    pub room_id: String,
    pub start: String,
    pub text: String,
}

/// A file to upload and post in a room (an export), as a reply to the command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilePost {
    pub room_id: String,
    pub in_reply_to: String,
    pub filename: String,
    pub mimetype: String,
    pub content: Vec<u8>,
    /// Width and height, when the file is an image to show (`m.image`).
    #[serde(default)]
    pub image: Option<(u32, u32)>,
}

/// A message that answers no one, e.g. the daily reminder. `key` names it uniquely (its
/// transaction ID derives from it), so it is sent once even if computed twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub room_id: String,
    pub key: String,
    pub text: Rendered,
}

/// A reply to send, as a reply to the message that caused it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub room_id: String,
    pub in_reply_to: String,
    pub thread_root: Option<String>,
    /// Users mentioned, so their clients notify them (the one asking, supporters, …).
    pub mentions: Vec<String>,
    pub text: Rendered,
    /// Set when this is the card of a proposal: the content carries the number so the bot
    /// recognises its card when it comes back from the homeserver.
    pub card_for: Option<u32>,
}

impl Reply {
    /// A reply to `event_id` (outside any thread) addressed to `user`.
    pub fn to_event(room_id: &str, event_id: &str, user: &str, text: Rendered) -> Reply {
        Reply {
            room_id: room_id.to_owned(),
            in_reply_to: event_id.to_owned(),
            thread_root: None,
            mentions: vec![user.to_owned()],
            text,
            card_for: None,
        }
    }
}

/// A persistent change to the engine's state. The store keeps the latest change per record
/// (in the order of [`Change::replays_first`]); folding them back with [`State::apply_change`]
/// rebuilds the state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Change {
    PowerLevels {
        room_id: String,
        levels: PowerLevels,
    },
    BotJoined {
        room_id: String,
        at_ms: i64,
    },
    Proposal(Proposal),
    /// A person's standing ballots on a proposal (their vote is the latest one's stance).
    Ballots {
        number: u32,
        user: String,
        organisation: String,
        ballots: Vec<Ballot>,
    },
    Comment(Comment),
    Phase {
        section: String,
        phase: Phase,
    },
    Poll(polls::Poll),
    PollResponse {
        poll: u32,
        user: String,
        response: polls::Response,
    },
    /// A server not admitted was told so in a room (once per server and room). Records of
    /// older stores (one per user) decode with empty fields and tell nothing.
    ToldServerNotAllowed {
        #[serde(default)]
        room_id: String,
        #[serde(default)]
        server: String,
    },
    /// An action assigned from chat (an accepted proposal).
    Action(monitoring::Action),
    ActionUpdate {
        code: String,
        update: monitoring::Update,
    },
    Measurement(monitoring::Measurement),
    /// The day a room got its reminder.
    Reminded {
        room_id: String,
        day: chrono::NaiveDate,
    },
}

/// What applying one input produced.
#[derive(Debug, Default, PartialEq)]
pub struct Effects {
    pub replies: Vec<Reply>,
    /// Messages that answer no one (daily reminders).
    pub notices: Vec<Notice>,
    pub reactions: Vec<Reaction>,
    pub files: Vec<FilePost>,
    pub polls: Vec<PollPost>,
    pub poll_ends: Vec<PollEndPost>,
    pub changes: Vec<Change>,
}

/// The engine's state: a projection of room history.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct State {
    power: HashMap<String, PowerLevels>,
    joined_at_ms: HashMap<String, i64>,
    /// `(room, server)` pairs told that the server is not admitted.
    told_server_not_allowed: BTreeSet<(String, String)>,
    pub participation: Participation,
    pub polls: polls::Polls,
    pub monitoring: monitoring::Monitoring,
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
            Change::Proposal(proposal) => self.participation.put_proposal(proposal),
            Change::Ballots {
                number,
                user,
                organisation,
                ballots,
            } => {
                self.participation
                    .put_ballots(*number, user, organisation, ballots);
            }
            Change::Comment(comment) => {
                self.participation
                    .comments
                    .insert(comment.event_id.clone(), comment.clone());
            }
            Change::Phase { section, phase } => {
                self.participation.phases.insert(section.clone(), *phase);
            }
            Change::Poll(poll) => self.polls.put_poll(poll),
            Change::PollResponse {
                poll,
                user,
                response,
            } => {
                self.polls
                    .responses
                    .insert((*poll, user.clone()), response.clone());
            }
            Change::ToldServerNotAllowed { room_id, server } => {
                self.told_server_not_allowed
                    .insert((room_id.clone(), server.clone()));
            }
            Change::Action(action) => {
                self.monitoring
                    .assigned
                    .insert(action.code.clone(), action.clone());
            }
            Change::ActionUpdate { code, update } => self.monitoring.put_update(code, update),
            Change::Measurement(measurement) => self.monitoring.put_measurement(measurement),
            Change::Reminded { room_id, day } => {
                self.monitoring.reminded.insert(room_id.clone(), *day);
            }
        }
    }
}

/// Decides what to do with each input. Owns the state; single-threaded by design: the sync
/// loop is the only writer.
pub struct Engine {
    settings: Settings,
    state: State,
    practices: Option<std::sync::Arc<dyn practices::PracticeRepository>>,
    searches: practices::Searches,
}

impl Engine {
    pub fn new(settings: Settings, state: State) -> Engine {
        Engine {
            settings,
            state,
            practices: None,
            searches: practices::Searches::new(),
        }
    }

    /// Gives the engine the good-practice repository (without it, practice commands answer
    /// that the repository is not available).
    pub fn with_practices(
        mut self,
        practices: std::sync::Arc<dyn practices::PracticeRepository>,
    ) -> Engine {
        self.practices = Some(practices);
        self
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    /// The role of a user for what happens in a room (see [`authority::role`]).
    pub fn role(&self, room_id: &str, user: &str) -> Role {
        authority::role(&self.settings, &self.state, room_id, user)
    }

    /// Applies one input at time `now`, updating the state and returning what to persist and send.
    pub fn apply(&mut self, input: Input, now: DateTime<Utc>) -> Effects {
        let mut effects = Effects::default();
        if !self.admits(&input, &mut effects) {
            self.fold(&effects);
            return effects;
        }
        match input {
            // Only the plan's rooms confer roles: another room's levels are not even kept.
            Input::PowerLevels { room_id, levels } => {
                if self.settings.is_plan_room(&room_id) {
                    effects
                        .changes
                        .push(Change::PowerLevels { room_id, levels });
                }
            }
            Input::BotJoined { room_id, at_ms } => {
                effects.changes.push(Change::BotJoined { room_id, at_ms });
            }
            Input::Message(message) => self.apply_message(&message, now, &mut effects),
            Input::Reaction(reaction) => votes::apply_reaction(self, &reaction, &mut effects),
            Input::Redaction {
                room_id,
                sender,
                redacts,
            } => {
                let redactor = Redactor {
                    sender: &sender,
                    role: self.role(&room_id, &sender),
                };
                effects.changes.extend(votes::withdraw_by_redaction(
                    &self.settings,
                    &self.state,
                    redactor,
                    &redacts,
                ));
            }
            Input::PollPosted {
                room_id,
                poll_id,
                event_id,
            } => {
                if let Some(poll) = self.state.polls.polls.get(&poll_id) {
                    if poll.start_event.is_none() && poll.room_id == room_id {
                        let mut poll = poll.clone();
                        poll.start_event = Some(event_id);
                        effects.changes.push(Change::Poll(poll));
                    }
                }
            }
            Input::PollResponse(response) => self.apply_poll_response(&response, &mut effects),
            Input::PollEnded {
                sender,
                start,
                at_ms,
                ..
            } => {
                if let Some(poll) = self
                    .state
                    .polls
                    .by_start
                    .get(&start)
                    .and_then(|id| self.state.polls.polls.get(id))
                {
                    let allowed = sender == self.settings.bot_user
                        || sender == poll.opened_by
                        || self.role(&poll.room_id, &sender) == Role::Moderator;
                    if allowed && poll.closed_ms.is_none() {
                        let mut poll = poll.clone();
                        poll.closed_ms = Some(at_ms);
                        effects.changes.push(Change::Poll(poll));
                    }
                }
            }
            Input::Edit(edit) => command::propose::apply_edit(self, &edit, &mut effects),
            Input::CardPosted {
                room_id,
                number,
                event_id,
            } => {
                self.apply_card(&room_id, number, &event_id, &mut effects);
            }
            Input::Tick => reminders::daily(self, now, &mut effects),
        }
        self.fold(&effects);
        effects
    }

    fn fold(&mut self, effects: &Effects) {
        for change in &effects.changes {
            self.state.apply_change(change);
        }
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

    fn apply_message(&mut self, message: &Message, now: DateTime<Utc>, effects: &mut Effects) {
        let parsed = command::Command::parse(&message.body);
        let thread_proposal = message
            .thread_root
            .as_ref()
            .and_then(|root| self.state.participation.by_event.get(root).copied());
        if parsed.is_none() && thread_proposal.is_none() {
            return;
        }
        let mut ctx = command::Ctx {
            message,
            role: self.role(&message.room_id, &message.sender),
            now,
            settings: &self.settings,
            state: &self.state,
            catalogue: self.settings.catalogue(),
            changes: Vec::new(),
            notices: Vec::new(),
            files: Vec::new(),
            polls: Vec::new(),
            poll_ends: Vec::new(),
            card_for: None,
            mentions: Vec::new(),
            practices: self.practices.as_deref(),
            searches: &mut self.searches,
        };
        let text = match (parsed, thread_proposal) {
            (Some(Ok(command)), _) => Some(command.apply(&mut ctx)),
            (Some(Err(error)), _) => Some(error.render(ctx.catalogue)),
            (None, Some(number)) => command::feedback::comment_in_thread(&mut ctx, number),
            (None, None) => None,
        };
        if let Some(text) = text {
            let mut reply = reply_to(message, text);
            reply.card_for = ctx.card_for;
            for user in ctx.mentions.drain(..) {
                if !reply.mentions.contains(&user) {
                    reply.mentions.push(user);
                }
            }
            effects.replies.push(reply);
        }
        effects.replies.append(&mut ctx.notices);
        effects.files.append(&mut ctx.files);
        effects.polls.append(&mut ctx.polls);
        effects.poll_ends.append(&mut ctx.poll_ends);
        effects.changes.append(&mut ctx.changes);
    }

    fn apply_poll_response(&self, vote: &PollAnswered, effects: &mut Effects) {
        let polls = &self.state.polls;
        let Some(poll) = polls
            .by_start
            .get(&vote.start)
            .and_then(|id| polls.polls.get(id))
        else {
            return;
        };
        if let Some(response) = polls.judge(
            poll,
            &vote.sender,
            &vote.event_id,
            &vote.answers,
            vote.at_ms,
        ) {
            effects.changes.push(Change::PollResponse {
                poll: poll.id,
                user: vote.sender.clone(),
                response,
            });
        }
    }

    /// The card came back with its event ID: remember it and seed the vote reactions.
    fn apply_card(&self, room_id: &str, number: u32, event_id: &str, effects: &mut Effects) {
        let Some(proposal) = self.state.participation.proposals.get(&number) else {
            return;
        };
        if proposal.card_event.is_some() || proposal.room_id != room_id {
            return;
        }
        let mut proposal = proposal.clone();
        proposal.card_event = Some(event_id.to_owned());
        effects.changes.push(Change::Proposal(proposal));
        for key in [votes::SUPPORT, votes::OPPOSE] {
            effects.reactions.push(Reaction {
                room_id: room_id.to_owned(),
                target: event_id.to_owned(),
                key: key.to_owned(),
            });
        }
    }
}

fn reply_to(message: &Message, text: Rendered) -> Reply {
    Reply {
        room_id: message.room_id.clone(),
        in_reply_to: message.event_id.clone(),
        thread_root: message.thread_root.clone(),
        mentions: vec![message.sender.clone()],
        text,
        card_for: None,
    }
}

#[cfg(test)]
mod authority_tests;
#[cfg(test)]
mod monitoring_tests;
#[cfg(test)]
mod participation_tests;
#[cfg(test)]
mod practices_tests;
#[cfg(test)]
mod tests;
