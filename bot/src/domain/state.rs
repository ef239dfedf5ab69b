//! The engine's state: a projection of room history, rebuilt by folding [`Change`]s.

use std::collections::{BTreeSet, HashMap};

use super::change::Change;
use super::i18n::Language;
use super::input::PowerLevels;
use super::participation::Participation;
use super::{amendments, consultation, digest, iterations, monitoring, polls, secret_ballot};

/// The engine's state: a projection of room history.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct State {
    pub(super) power: HashMap<String, PowerLevels>,
    pub(super) joined_at_ms: HashMap<String, i64>,
    /// `(room, server)` pairs told that the server is not admitted.
    pub(super) told_server_not_allowed: BTreeSet<(String, String)>,
    /// The reply language each person chose; the others get the plan's.
    reply_languages: HashMap<String, Language>,
    /// A fingerprint of each card's text as last sent, by proposal number.
    pub(super) cards_shown: HashMap<u32, u64>,
    pub participation: Participation,
    pub polls: polls::Polls,
    pub secret_polls: secret_ballot::SecretPolls,
    pub monitoring: monitoring::Monitoring,
    pub digests: digest::Digests,
    pub consultation: consultation::Consultation,
    pub amendments: amendments::Amendments,
    pub iterations: iterations::Iterations,
}

impl State {
    /// The language to answer `user` in: their choice, else the plan's `default`.
    pub fn language_of(&self, user: &str, default: Language) -> Language {
        self.reply_languages.get(user).copied().unwrap_or(default)
    }

    pub fn apply_change(&mut self, change: &Change) {
        match change {
            Change::PowerLevels { room_id, levels } => {
                self.power.insert(room_id.clone(), levels.clone());
            }
            Change::BotJoined { room_id, at_ms } => {
                self.joined_at_ms.insert(room_id.clone(), *at_ms);
            }
            Change::CardShown { number, text } => {
                self.cards_shown.insert(*number, *text);
            }
            Change::ReplyLanguage { user, language } => {
                self.reply_languages.insert(user.clone(), *language);
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
            Change::SecretPoll(_) => self.secret_polls.apply(change),
            Change::PollResponses {
                poll,
                user,
                responses,
            } => self.polls.put_history(*poll, user, responses),
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
            Change::Digest { .. } | Change::DirectRoom { .. } | Change::Digested { .. } => {
                self.digests.apply(change)
            }
            Change::DraftItem(_) | Change::ItemBallots { .. } | Change::ItemComment(_) => {
                self.consultation.apply(change)
            }
            Change::Amendment(amendment) => self.amendments.put(amendment),
            Change::IterationClosed(_) => self.iterations.apply(change),
        }
    }
}
