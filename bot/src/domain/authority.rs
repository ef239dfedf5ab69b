//! Who may do what: roles come from the plan's own rooms and the configuration, admission
//! from the sender's homeserver. One gate, [`gate`], called by [`Engine::apply`](super::Engine::apply), decides, before any handler
//! runs, whether an input is acted on at all.

use super::command::is_command;
use super::i18n::Msg;
use super::votes::stance_of_key;
use super::{Change, Effects, Input, PowerLevels, Reply, Settings, State};

/// Power level from which a room member is a moderator (Matrix convention).
pub const MODERATOR_POWER: i64 = 50;

/// Who is asking, as far as permissions go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Participant,
    Moderator,
}

/// The role of `user` for what happens in `room_id`: a configured moderator, or power level
/// ≥ 50 in the plan's Space or in that room when it is one of the plan's sections. Power
/// levels of any other room (a room a participant created, a DM) grant nothing; display
/// names never count.
pub fn role(settings: &Settings, state: &State, room_id: &str, user: &str) -> Role {
    let moderator_in = |room: &str| {
        state
            .power
            .get(room)
            .is_some_and(|levels| levels.of(user) >= MODERATOR_POWER)
    };
    let by_space = settings.space_room.as_deref().is_some_and(moderator_in);
    let by_section = settings.sections.contains_key(room_id) && moderator_in(room_id);
    if settings.moderators.contains(user) || by_space || by_section {
        Role::Moderator
    } else {
        Role::Participant
    }
}

/// Who sent an input, where and when (`None` when its time does not decide anything).
struct Actor<'a> {
    sender: &'a str,
    room_id: &'a str,
    sent_at_ms: Option<i64>,
}

fn actor(input: &Input) -> Option<Actor<'_>> {
    let (sender, room_id, sent_at_ms) = match input {
        Input::Message(m) => (&m.sender, &m.room_id, Some(m.sent_at_ms)),
        Input::Edit(e) => (&e.sender, &e.room_id, Some(e.at_ms)),
        Input::Reaction(r) => (&r.sender, &r.room_id, Some(r.at_ms)),
        Input::PollResponse(p) => (&p.sender, &p.room_id, Some(p.at_ms)),
        Input::Recreated(r) => (&r.sender, &r.room_id, Some(r.at_ms)),
        Input::Undecryptable(u) => (&u.sender, &u.room_id, Some(u.at_ms)),
        Input::EncryptionEnabled(e) => (&e.sender, &e.room_id, Some(e.at_ms)),
        Input::Redaction {
            sender, room_id, ..
        } => (sender, room_id, None),
        Input::PollEnded {
            sender, room_id, ..
        } => (sender, room_id, None),
        Input::PowerLevels { .. }
        | Input::BotJoined { .. }
        | Input::PollPosted { .. }
        | Input::CardPosted { .. }
        | Input::ItemPosted { .. }
        | Input::RoomOrder(_)
        | Input::RefreshCards(_)
        // Read from the bot's own events only; the handler checks the room.
        | Input::Imported(_)
        // A fact about a room, checked by its handler.
        | Input::DirectRoom { .. }
        // Read from the bot's own events only; the handler checks the room.
        | Input::SecretTallied { .. }
        | Input::Tick => return None,
    };
    Some(Actor {
        sender,
        room_id,
        sent_at_ms,
    })
}

/// Messages sent before this time in a room are history, not commands: before the bot first
/// started, or before it joined the room.
pub fn live_line(settings: &Settings, state: &State, room_id: &str) -> i64 {
    let joined = state.joined_at_ms.get(room_id).copied().unwrap_or(i64::MIN);
    settings.live_since_ms.max(joined)
}

/// A room's power levels are kept only for the plan's rooms: another room's never confer a
/// role, so they are not even stored.
pub fn on_power_levels(settings: &Settings, room_id: String, levels: PowerLevels) -> Effects {
    if settings.is_plan_room(&room_id) {
        Effects::change(Change::PowerLevels { room_id, levels })
    } else {
        Effects::default()
    }
}

/// The one entry gate: whether to act on `input` at all. Refuses the bot's own events
/// (but its poll ends, which close its polls), events from before the live line (history
/// is not a command) and events from servers not admitted; tells a server not admitted
/// why, once per room, when its user expected an effect. Nothing is stored per user: one
/// hostile server can mint any number of user IDs.
/// `None` when admitted; a refusal's effects otherwise (at most the notice to a server not
/// admitted).
pub fn gate(settings: &Settings, state: &State, input: &Input) -> Option<Effects> {
    // Inputs without a sender (the bot's own bookkeeping, time passing) are admitted.
    let actor = actor(input)?;
    let refused = Some(Effects::default());
    if actor.sender == settings.bot_user {
        return if matches!(input, Input::PollEnded { .. }) {
            None
        } else {
            refused
        };
    }
    if actor
        .sent_at_ms
        .is_some_and(|at| at < live_line(settings, state, actor.room_id))
    {
        return refused;
    }
    if settings.is_allowed(actor.sender) {
        return None;
    }
    let mut effects = Effects::default();
    let server = pspm_config::server_of(actor.sender).unwrap_or_default();
    let already_told = state
        .told_server_not_allowed
        .contains(&(actor.room_id.to_owned(), server.to_owned()));
    if let (false, Some(mut reply)) = (already_told, expected_answer(state, input)) {
        reply.text = settings
            .catalogue()
            .render(Msg::ServerNotAllowed, &[("server", server)]);
        effects.replies.push(reply);
        effects.changes.push(Change::ToldServerNotAllowed {
            room_id: actor.room_id.to_owned(),
            server: server.to_owned(),
        });
    }
    Some(effects)
}

/// Where the bot would answer `input` if it acted on it: commands, comments in a
/// proposal's thread, votes on proposals and answers to its polls. `None` for the rest.
fn expected_answer(state: &State, input: &Input) -> Option<Reply> {
    let participation = &state.participation;
    let empty = super::Rendered::default();
    match input {
        Input::Message(message) => {
            let in_proposal_thread = message.thread_root.as_ref().is_some_and(|root| {
                participation.by_event.contains_key(root)
                    || state.consultation.by_event.contains_key(root)
            });
            (is_command(&message.body) || in_proposal_thread)
                .then(|| Reply::to_message(message, empty))
        }
        Input::Reaction(reaction) => (stance_of_key(&reaction.key).is_some()
            && (participation.by_event.contains_key(&reaction.target)
                || state.consultation.by_event.contains_key(&reaction.target)))
        .then(|| Reply::to_event(&reaction.room_id, &reaction.target, &reaction.sender, empty)),
        Input::PollResponse(vote) => state
            .polls
            .by_start
            .contains_key(&vote.start)
            .then(|| Reply::to_event(&vote.room_id, &vote.start, &vote.sender, empty)),
        _ => None,
    }
}
