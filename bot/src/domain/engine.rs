//! The engine: one input at a time through the entry gate to the handler that owns it, and
//! the changes folded into the state.

use chrono::{DateTime, Utc};

use super::{
    authority, ballot_order, budget, cards, command, consultation, digest, draft_post, encryption,
    imports, poll_close, polls, practice_repository, redactions, reminders, secret_ballot, votes,
    Change, Effects, Input, Role, Settings, State,
};

/// Decides what to do with each input. Owns the state; single-threaded by design: the sync
/// loop is the only writer.
pub struct Engine {
    pub(super) settings: Settings,
    pub(super) state: State,
    practices: Option<std::sync::Arc<dyn practice_repository::PracticeRepository>>,
    searches: practice_repository::Searches,
    budgets: budget::Budgets,
}

impl Engine {
    pub fn new(settings: Settings, state: State) -> Engine {
        Engine {
            settings,
            state,
            practices: None,
            searches: practice_repository::Searches::new(),
            budgets: budget::Budgets::default(),
        }
    }

    /// Gives the engine the good-practice repository (without it, practice commands answer
    /// that the repository is not available).
    pub fn with_practices(
        mut self,
        practices: std::sync::Arc<dyn practice_repository::PracticeRepository>,
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
        let mut effects = match authority::gate(&self.settings, &self.state, &input) {
            Some(refused) => refused,
            None => self.dispatch(input, now),
        };
        for change in &effects.changes {
            self.state.apply_change(change);
        }
        // A section moved into consultation gets its draft at once, not at the next tick.
        if draft_post::may_post(&effects.changes) {
            let posted = draft_post::due(&self.settings, &self.state);
            for change in &posted.changes {
                self.state.apply_change(change);
            }
            effects.notices.extend(posted.notices);
            effects.changes.extend(posted.changes);
        }
        effects
    }

    /// Whether a reaction on `event_id` would be a vote: it is a proposal's card or message.
    pub fn is_vote_target(&self, event_id: &str) -> bool {
        self.state.participation.by_event.contains_key(event_id)
            || self.state.consultation.by_event.contains_key(event_id)
    }

    /// Whether the entry gate lets `input` through (the adapter asks before fetching what a
    /// command needs, e.g. the message `!promote` quotes).
    pub fn admits(&self, input: &Input) -> bool {
        authority::gate(&self.settings, &self.state, input).is_none()
    }

    /// The handler that owns the input; each reads what it needs and returns its effects.
    fn dispatch(&mut self, input: Input, now: DateTime<Utc>) -> Effects {
        let Engine {
            settings,
            state,
            practices,
            searches,
            budgets,
        } = self;
        let (settings, state) = (&*settings, &*state);
        match input {
            Input::Message(message) => {
                let repository = practices.as_deref();
                command::on_message(
                    settings, state, repository, searches, budgets, &message, now,
                )
            }
            Input::PowerLevels { room_id, levels } => {
                authority::on_power_levels(settings, room_id, levels)
            }
            Input::BotJoined { room_id, at_ms } => {
                Effects::change(Change::BotJoined { room_id, at_ms })
            }
            Input::Reaction(reaction)
                if state.consultation.by_event.contains_key(&reaction.target) =>
            {
                consultation::on_reaction(settings, state, &reaction)
            }
            Input::Reaction(reaction) => votes::on_reaction(settings, state, &reaction),
            Input::Redaction {
                room_id,
                sender,
                redacts,
            } => redactions::on_redaction(
                settings,
                state,
                practices.as_deref(),
                &room_id,
                &sender,
                &redacts,
            ),
            Input::Recreated(recreated) => redactions::recreate(settings, state, &recreated),
            Input::PollPosted {
                room_id,
                poll_id,
                event_id,
            } => polls::on_posted(state, &room_id, poll_id, event_id),
            Input::PollResponse(response) => polls::on_response(state, &response),
            Input::PollEnded {
                sender,
                event_id,
                start,
                at_ms,
                ..
            } => polls::on_ended(settings, state, &sender, &event_id, &start, at_ms),
            Input::Edit(edit) => command::propose::on_edit(settings, state, &edit),
            Input::CardPosted {
                room_id,
                number,
                event_id,
            } => cards::on_posted(settings, state, &room_id, number, &event_id),
            Input::ItemPosted {
                room_id,
                item,
                event_id,
            } => consultation::on_posted(settings, state, &room_id, &item, &event_id),
            Input::Tick => {
                let mut effects = reminders::daily(settings, state, now);
                let digests = digest::due(settings, state, now);
                effects.notices.extend(digests.notices);
                effects.changes.extend(digests.changes);
                let closed = poll_close::due(settings, state, now);
                effects.notices.extend(closed.notices);
                effects.poll_ends.extend(closed.poll_ends);
                effects.changes.extend(closed.changes);
                let drafts = draft_post::due(settings, state);
                effects.notices.extend(drafts.notices);
                effects.changes.extend(drafts.changes);
                effects
            }
            Input::DirectRoom { room_id, user } => digest::on_direct_room(settings, user, room_id),
            Input::Undecryptable(event) => encryption::on_undecryptable(settings, state, &event),
            Input::EncryptionEnabled(event) => encryption::on_encryption_enabled(settings, &event),
            Input::SecretTallied { room_id, tally } => {
                secret_ballot::on_tallied(state, &room_id, &tally)
            }
            Input::RoomOrder(order) => {
                let mut effects = ballot_order::on_room_order(settings, state, &order);
                let polls = polls::on_room_order(state, &order);
                effects.changes.extend(polls.changes);
                effects
            }
            Input::Imported(message) => imports::on_imported(settings, state, &message),
            Input::RefreshCards(numbers) => {
                cards::refresh(settings, state, practices.as_deref(), &numbers)
            }
        }
    }
}
