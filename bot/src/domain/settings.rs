//! What the engine needs from the configuration, and the questions it asks of it (a user's
//! organisation, whether a room is one of the plan's).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::i18n::{Catalogue, Language};
use super::monitoring;
use super::participation::Phase;
use super::State;

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
    /// Longest feedback or comment.
    pub max_comment_chars: usize,
    /// Commands a person may send in a row, and how many a minute gives back (0: no limit).
    pub command_burst: u32,
    pub commands_per_minute: u32,
    pub plan_id: String,
    pub plan_title: String,
    pub plan_description: String,
    /// Proposal numbers by the event that proposed them, read from the bot's cards in room
    /// history: a rebuild gives every proposal the number it had. Empty when live.
    pub number_hints: HashMap<String, u32>,
    /// Objectives, results and actions from the plan file, and when reminders go out.
    pub monitoring: monitoring::Plan,
    /// Random bytes the app draws at each start: the seed of secret ballots' secrets.
    pub ballot_seed: [u8; 32],
}

/// A plan section as the engine sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionSettings {
    pub id: String,
    /// Position in the plan file.
    pub position: usize,
    pub title: String,
    pub description: String,
    pub default_phase: Phase,
    pub max_supports: Option<u32>,
    /// The section's draft paragraphs, numbered from 1 (none without a draft).
    pub draft: Vec<pspm_config::draft::Paragraph>,
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
                        description: section.description.clone(),
                        default_phase,
                        max_supports: section.max_supports,
                        draft: section.draft.clone(),
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
            max_comment_chars: config.bot.max_comment_chars,
            command_burst: config.bot.command_burst,
            commands_per_minute: config.bot.commands_per_minute,
            plan_id: config.plan.id.clone(),
            plan_title: config.plan.title.clone(),
            plan_description: config.plan.description.clone(),
            number_hints: HashMap::new(),
            monitoring: monitoring::Plan::from_config(config),
            // The app draws it (the domain touches no source of randomness).
            ballot_seed: [0; 32],
        }
    }

    /// The plan's sections as the plan file has them, in its order, with their drafts: what
    /// the consolidated plan is built from.
    pub fn plan_sections(&self) -> Vec<pspm_config::Section> {
        let mut sections: Vec<&SectionSettings> = self.sections.values().collect();
        sections.sort_by_key(|s| s.position);
        sections
            .into_iter()
            .map(|s| pspm_config::Section {
                id: s.id.clone(),
                title: s.title.clone(),
                description: s.description.clone(),
                phase: Some(s.default_phase.name().to_owned()),
                max_supports: s.max_supports,
                text: None,
                draft: s.draft.clone(),
            })
            .collect()
    }

    pub fn catalogue(&self) -> &'static Catalogue {
        Catalogue::get(self.language)
    }

    /// The catalogue to answer `user` in: the language they chose, else the plan's.
    pub fn catalogue_for(&self, state: &State, user: &str) -> &'static Catalogue {
        Catalogue::get(state.language_of(user, self.language))
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

    /// The aliases of the plan's section rooms, in the plan's order (provisioning gives each
    /// section `#<plan>.<section>` on the bot's server): what a DM names as their home.
    pub fn section_aliases(&self) -> Vec<String> {
        let server = pspm_config::server_of(&self.bot_user).unwrap_or_default();
        let mut sections: Vec<&SectionSettings> = self.sections.values().collect();
        sections.sort_by_key(|s| s.position);
        sections
            .iter()
            .map(|s| format!("#{}.{}:{server}", self.plan_id, s.id))
            .collect()
    }

    /// The alias of the plan's Space, `#<plan>` on the bot's server.
    pub fn space_alias(&self) -> String {
        let server = pspm_config::server_of(&self.bot_user).unwrap_or_default();
        format!("#{}:{server}", self.plan_id)
    }

    pub fn section_of_id(&self, section_id: &str) -> Option<(&str, &SectionSettings)> {
        self.sections
            .iter()
            .find(|(_, s)| s.id == section_id)
            .map(|(room, s)| (room.as_str(), s))
    }
}
