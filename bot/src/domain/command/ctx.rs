//! What a command sees (the message, the sender's role, settings and state) and what it
//! produces besides its reply (changes, notices, files, polls), with the lookups commands share.

use chrono::{DateTime, Utc};

use super::Reach;
use crate::domain::i18n::{Catalogue, Msg, Rendered};
use crate::domain::moderation::{movable, state_notice};
use crate::domain::participation::{Phase, Proposal};
use crate::domain::practice_repository::{
    IndexError, Practice, PracticeRepository, Searches, Status,
};
use crate::domain::secret_ballot::SecretTally;
use crate::domain::tracking::Scope;
use crate::domain::votes::phase_msg;
use crate::domain::{
    Change, FilePost, Message, PollEndPost, PollPost, Reply, Role, SectionSettings, Settings, State,
};

/// What a command sees and what it produces besides its reply.
pub struct Ctx<'a> {
    pub message: &'a Message,
    pub role: Role,
    pub now: DateTime<Utc>,
    pub settings: &'a Settings,
    pub state: &'a State,
    /// The sender's language (`!language`), for what answers them.
    pub catalogue: &'static Catalogue,
    /// The plan's language, for what everyone reads: cards, thread notices, polls.
    pub plan_catalogue: &'static Catalogue,
    pub changes: Vec<Change>,
    /// Messages besides the reply, e.g. notices in a proposal's thread.
    pub thread_notices: Vec<Reply>,
    /// Files to post (exports).
    pub files: Vec<FilePost>,
    pub polls: Vec<PollPost>,
    pub poll_ends: Vec<PollEndPost>,
    /// Set when the reply is a proposal card.
    pub card_for: Option<u32>,
    /// Set when the reply is the card of a consultable item (`amendment/A3`).
    pub item_for: Option<String>,
    /// Set when the reply closes a secret ballot.
    pub secret_tally: Option<SecretTally>,
    /// People the reply mentions besides the sender (e.g. a practice's contributor).
    pub mentions: Vec<String>,
    /// Set when the sender needs a DM with the bot (a secret ballot typed elsewhere); kept
    /// through a refusal.
    pub open_direct: bool,
    /// The good-practice repository, when the bot has one.
    pub practices: Option<&'a dyn PracticeRepository>,
    /// Users' last searches, for `!more`.
    pub searches: &'a mut Searches,
}

/// A command's outcome: the reply, or a refusal that changed nothing.
pub type Outcome = Result<Rendered, Rendered>;

impl<'a> Ctx<'a> {
    pub fn now_ms(&self) -> i64 {
        self.now.timestamp_millis()
    }

    /// The iteration `given` names (a version's name or a number), or the reply that none does.
    pub fn iteration_named(&self, given: &str) -> Result<u32, Rendered> {
        self.state.iterations.find(given).ok_or_else(|| {
            self.catalogue
                .render(Msg::PlanNoIteration, &[("given", given)])
        })
    }

    /// The section of the room the command was sent in.
    pub fn section(&self) -> Result<&SectionSettings, Rendered> {
        self.settings
            .sections
            .get(&self.message.room_id)
            .ok_or_else(|| self.catalogue.text(Msg::NotASectionRoom))
    }

    pub fn phase_of(&self, section_id: &str) -> Phase {
        let default = self
            .settings
            .section_of_id(section_id)
            .map(|(_, s)| s.default_phase)
            .unwrap_or_default();
        self.state.participation.phase(section_id, default)
    }

    /// The sender's role in another room of the plan (e.g. the room of the proposal a
    /// command acts on).
    pub fn role_in(&self, room_id: &str) -> Role {
        crate::domain::authority::role(self.settings, self.state, room_id, &self.message.sender)
    }

    /// Commands that act on a proposal need a moderator of that proposal's room: being one
    /// where the command was typed is not enough.
    pub fn require_moderator_of(&self, proposal: &Proposal) -> Result<(), Rendered> {
        if self.role_in(&proposal.room_id) == Role::Moderator {
            Ok(())
        } else {
            Err(self.catalogue.text(Msg::ModeratorsOnly))
        }
    }

    /// A proposal by number; hidden ones exist only for moderators of its room, deleted ones
    /// for nobody (the reply says it was deleted).
    pub fn proposal(&self, number: u32) -> Result<&'_ Proposal, Rendered> {
        let number_text = number.to_string();
        match self.state.participation.proposals.get(&number) {
            Some(p) if p.redacted => Err(self
                .catalogue
                .render(Msg::ProposalRedacted, &[("number", &number_text)])),
            Some(p) if p.hidden.is_none() || self.role_in(&p.room_id) == Role::Moderator => Ok(p),
            _ => Err(self
                .catalogue
                .render(Msg::ProposalNotFound, &[("number", &number_text)])),
        }
    }

    /// Posts a notice in a proposal's thread, in the plan's language.
    pub fn notify_thread(
        &mut self,
        proposal: &Proposal,
        text: impl Fn(&Catalogue) -> Rendered,
        mentions: Vec<String>,
    ) {
        let text = text(self.plan_catalogue);
        let root = proposal.thread_root().to_owned();
        self.thread_notices.push(Reply {
            room_id: proposal.room_id.clone(),
            in_reply_to: root.clone(),
            thread_root: Some(root),
            mentions,
            text,
            card_for: None,
            item: None,
            secret_tally: None,
            receipt: None,
        });
    }

    /// A proposal's card: title, description, author, section, state, tally, in the plan's
    /// language (everyone reads it).
    pub fn card(&self, proposal: &Proposal) -> Rendered {
        crate::domain::cards::card_text(self.settings, self.state, proposal)
    }

    /// When the message was sent.
    pub fn sent_at(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.message.sent_at_ms).unwrap_or(self.now)
    }

    /// The good-practice repository, or the reply that it is not available.
    pub fn repository(&self) -> Result<&'a dyn PracticeRepository, Rendered> {
        self.practices
            .ok_or_else(|| self.catalogue.text(Msg::RepositoryUnavailable))
    }

    /// The reply for a repository failure: what the user can act on, or "not available".
    pub fn repository_error(&self, error: &IndexError) -> Rendered {
        match error {
            IndexError::NotFound(id) => self.catalogue.render(Msg::PracticeNotFound, &[("id", id)]),
            IndexError::NotPending(id) => {
                self.catalogue.render(Msg::DeclinePublished, &[("id", id)])
            }
            other => {
                tracing::warn!(error = %other, "good-practice repository failed");
                self.catalogue.text(Msg::RepositoryUnavailable)
            }
        }
    }

    /// A practice by id as the sender may see it: pending ones only for moderators.
    pub fn visible_practice(&self, id: &str) -> Result<Practice, Rendered> {
        self.repository()?
            .get(id)
            .map_err(|e| self.repository_error(&e))?
            .filter(|p| p.status == Status::Published || self.role == Role::Moderator)
            .ok_or_else(|| self.repository_error(&IndexError::NotFound(id.to_owned())))
    }

    pub fn phase_name(&self, phase: Phase) -> &'static str {
        self.catalogue.template(phase_msg(phase))
    }

    /// Applies `edit` to proposal `number` (a moderator of its room), posts the state notice
    /// in the proposal's thread, and replies with the same notice.
    pub fn moderate(&mut self, number: u32, edit: impl FnOnce(&mut Proposal)) -> Outcome {
        let mut proposal = self.proposal(number)?.clone();
        self.require_moderator_of(&proposal)?;
        edit(&mut proposal);
        proposal.updated_ms = self.message.sent_at_ms;
        let author = proposal.author.clone();
        self.notify_thread(&proposal, |c| state_notice(c, &proposal), vec![author]);
        let notice = state_notice(self.catalogue, &proposal);
        self.changes.push(Change::Proposal(proposal));
        Ok(notice)
    }

    /// [`Ctx::moderate`] for a change of state: refused when the proposal is withdrawn or merged.
    pub fn change_state(&mut self, number: u32, edit: impl FnOnce(&mut Proposal)) -> Outcome {
        if self.proposal(number).is_ok_and(|p| !movable(p.state)) {
            return Err(self.catalogue.render(
                Msg::ModerationNotMovable,
                &[("number", &number.to_string())],
            ));
        }
        self.moderate(number, edit)
    }

    /// The scope a monitoring command covers: the room's section, or the whole plan when
    /// asked for (`all`) or typed outside a section.
    pub fn scope(&self, reach: Reach) -> Scope {
        match (reach, self.settings.sections.get(&self.message.room_id)) {
            (Reach::Here, Some(section)) => Scope::section(section),
            _ => Scope::plan(self.catalogue),
        }
    }

    /// An owner as typed: a user (that person alone), or an organisation by name or server
    /// (`_` for spaces). Also used by `!action … owner`.
    pub fn owner_of(&self, owner: &str) -> Result<(Option<String>, Vec<String>), Rendered> {
        // A person owns it alone: naming someone is not handing it to their whole body.
        if owner.starts_with('@') && pspm_config::server_of(owner).is_some() {
            return Ok((None, vec![owner.to_owned()]));
        }
        let wanted = owner.replace('_', " ");
        self.settings
            .organisations
            .iter()
            .find(|(server, name)| {
                server.eq_ignore_ascii_case(&wanted) || name.eq_ignore_ascii_case(&wanted)
            })
            .map(|(_, name)| (Some(name.clone()), Vec::new()))
            .ok_or_else(|| {
                self.catalogue
                    .render(Msg::AssignUnknownOwner, &[("owner", owner)])
            })
    }

    /// Forgets everything but the reply: a refusal changes nothing.
    pub fn discard(&mut self) {
        self.changes.clear();
        self.thread_notices.clear();
        self.files.clear();
        self.polls.clear();
        self.poll_ends.clear();
        self.card_for = None;
        self.item_for = None;
        self.secret_tally = None;
        self.mentions.clear();
    }
}
