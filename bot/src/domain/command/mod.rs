//! Chat commands: one [`Command`] enum, one file per command (parse + apply + help keys).
//!
//! Parsing is pure text work: `!name args…` → a command or a [`ParseError`] that becomes a
//! reply. Leftover arguments are refused, never ignored. Applying reads the state and records
//! [`Change`]s in the [`Ctx`]; the engine applies them afterwards.

mod accept;
mod action;
mod actions;
mod answer;
mod approve;
pub mod assign;
mod chart;
mod close;
mod decline;
mod evaluate;
mod export;
pub mod feedback;
mod help;
mod hide;
mod history;
mod measure;
mod merge;
mod moderation;
mod more;
mod pending;
mod phase;
mod ping;
mod practice;
mod prioritise;
mod progress;
mod promote;
mod proposals;
pub mod propose;
mod rate;
mod reject;
mod report;
mod results;
pub mod search;
mod share;
mod show;
mod stats;
mod status;
pub mod tracking;
mod unknown;
mod unvote;
mod vote;
mod withdraw;

use chrono::{DateTime, Utc};

use super::i18n::{Catalogue, Msg, Rendered};
use super::participation::{Phase, Proposal};
use super::practices::{IndexError, Practice, PracticeRepository, Searches, Status};
use super::votes::{phase_msg, state_msg};
use super::{
    Change, FilePost, Message, PollEndPost, PollPost, Reply, Role, SectionSettings, Settings, State,
};

/// The prefix that makes a message a command.
pub const PREFIX: char = '!';

/// Static description of a command: name, who may use it, and its help texts (catalogue keys).
#[derive(Debug)]
pub struct Spec {
    pub name: &'static str,
    pub moderator_only: bool,
    pub usage: Msg,
    pub summary: Msg,
    pub help: Msg,
}

impl Spec {
    pub fn available_to(&self, role: Role) -> bool {
        !self.moderator_only || role == Role::Moderator
    }
}

impl PartialEq for Spec {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
impl Eq for Spec {}

/// Every command, in the order `!help` lists them.
pub const SPECS: &[&Spec] = &[
    &help::SPEC,
    &ping::SPEC,
    &propose::SPEC,
    &promote::SPEC,
    &proposals::SPEC,
    &show::SPEC,
    &stats::SPEC,
    &vote::SPEC,
    &unvote::SPEC,
    &withdraw::SPEC,
    &feedback::SPEC,
    &phase::SPEC,
    &evaluate::SPEC,
    &accept::SPEC,
    &reject::SPEC,
    &answer::SPEC,
    &merge::SPEC,
    &hide::SPEC,
    &prioritise::SPEC,
    &close::SPEC,
    &export::SPEC,
    &search::SPEC,
    &more::SPEC,
    &practice::SPEC,
    &share::SPEC,
    &rate::SPEC,
    &pending::SPEC,
    &approve::SPEC,
    &decline::SPEC,
    &actions::SPEC,
    &status::SPEC,
    &progress::SPEC,
    &history::SPEC,
    &measure::SPEC,
    &results::SPEC,
    &chart::SPEC,
    &assign::SPEC,
    &action::SPEC,
    &report::SPEC,
];

pub fn spec(name: &str) -> Option<&'static Spec> {
    SPECS.iter().copied().find(|spec| spec.name == name)
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Help(help::Help),
    Ping(ping::Ping),
    Propose(propose::Propose),
    Promote(promote::Promote),
    Proposals(proposals::Proposals),
    Show(show::Show),
    Stats(stats::Stats),
    Vote(vote::VoteCommand),
    Unvote(unvote::Unvote),
    Withdraw(withdraw::Withdraw),
    Feedback(feedback::Feedback),
    Phase(phase::PhaseCommand),
    Evaluate(evaluate::Evaluate),
    Accept(accept::Accept),
    Reject(reject::Reject),
    Answer(answer::Answer),
    Merge(merge::Merge),
    Hide(hide::Hide),
    Export(export::ExportCommand),
    Prioritise(prioritise::Prioritise),
    Close(close::Close),
    Search(search::Search),
    More(more::More),
    Practice(practice::PracticeCommand),
    Share(share::ShareCommand),
    Rate(rate::Rate),
    Pending(pending::Pending),
    Approve(approve::Approve),
    Decline(decline::Decline),
    Actions(actions::Actions),
    Status(status::StatusCommand),
    Progress(progress::Progress),
    History(history::History),
    Measure(measure::Measure),
    Results(results::Results),
    Chart(chart::ChartCommand),
    Assign(assign::Assign),
    Action(action::ActionCommand),
    Report(report::ReportCommand),
    Unknown(unknown::Unknown),
}

/// Why a command's text could not be understood; rendered as a reply with its usage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    TooManyArguments { spec: &'static Spec },
    Missing { spec: &'static Spec },
    Invalid { spec: &'static Spec, given: String },
}

impl ParseError {
    pub fn render(&self, catalogue: &Catalogue) -> Rendered {
        let (msg, spec, given) = match self {
            ParseError::TooManyArguments { spec } => (Msg::ParseTooManyArguments, spec, ""),
            ParseError::Missing { spec } => (Msg::ParseMissing, spec, ""),
            ParseError::Invalid { spec, given } => (Msg::ParseInvalid, spec, given.as_str()),
        };
        let given: String = given.chars().take(40).collect();
        catalogue.render(
            msg,
            &[
                ("command", spec.name),
                ("usage", catalogue.template(spec.usage)),
                ("given", &given),
            ],
        )
    }
}

/// What a command sees and what it produces besides its reply.
pub struct Ctx<'a> {
    pub message: &'a Message,
    pub role: Role,
    pub now: DateTime<Utc>,
    pub settings: &'a Settings,
    pub state: &'a State,
    pub catalogue: &'static Catalogue,
    pub changes: Vec<Change>,
    /// Messages besides the reply, e.g. notices in a proposal's thread.
    pub notices: Vec<Reply>,
    /// Files to post (exports).
    pub files: Vec<FilePost>,
    pub polls: Vec<PollPost>,
    pub poll_ends: Vec<PollEndPost>,
    /// Set when the reply is a proposal card.
    pub card_for: Option<u32>,
    /// People the reply mentions besides the sender (e.g. a practice's contributor).
    pub mentions: Vec<String>,
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

    pub fn require_moderator(&self) -> Result<(), Rendered> {
        if self.role == Role::Moderator {
            Ok(())
        } else {
            Err(self.catalogue.text(Msg::ModeratorsOnly))
        }
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

    /// A proposal by number; hidden ones exist only for moderators of its room.
    pub fn proposal(&self, number: u32) -> Result<&'_ Proposal, Rendered> {
        self.state
            .participation
            .proposals
            .get(&number)
            .filter(|p| p.hidden.is_none() || self.role_in(&p.room_id) == Role::Moderator)
            .ok_or_else(|| {
                self.catalogue
                    .render(Msg::ProposalNotFound, &[("number", &number.to_string())])
            })
    }

    /// Posts a notice in a proposal's thread.
    pub fn notify_thread(&mut self, proposal: &Proposal, text: Rendered, mentions: Vec<String>) {
        let root = proposal.thread_root().to_owned();
        self.notices.push(Reply {
            room_id: proposal.room_id.clone(),
            in_reply_to: root.clone(),
            thread_root: Some(root),
            mentions,
            text,
            card_for: None,
        });
    }

    /// A proposal's card: title, description, author, section, state, tally.
    pub fn card(&self, proposal: &Proposal) -> Rendered {
        let catalogue = self.catalogue;
        let tally = self.state.participation.tally(proposal.number);
        let section_title = self
            .settings
            .section_of_id(&proposal.section)
            .map_or(proposal.section.as_str(), |(_, s)| s.title.as_str());
        let mut state = catalogue.template(state_msg(proposal.state)).to_owned();
        if let super::ProposalState::Merged(into) = proposal.state {
            state = format!("{state} → #{into}");
        }
        let mut lines = vec![catalogue.render(
            Msg::CardTitle,
            &[
                ("number", &proposal.number.to_string()),
                ("title", &proposal.title),
            ],
        )];
        if !proposal.description.is_empty() {
            lines.push(catalogue.render(
                Msg::CardDescription,
                &[("description", &proposal.description)],
            ));
        }
        lines.push(catalogue.render(
            Msg::CardMeta,
            &[
                ("author", &proposal.author),
                ("organisation", &proposal.organisation),
                ("section", section_title),
                ("state", &state),
            ],
        ));
        if let Some(answer) = &proposal.answer {
            lines.push(catalogue.render(Msg::CardAnswer, &[("answer", answer)]));
        }
        lines.push(catalogue.render(
            Msg::CardTally,
            &[
                ("support", &tally.total.support.to_string()),
                ("oppose", &tally.total.oppose.to_string()),
            ],
        ));
        Rendered::lines(lines)
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
}

impl Command {
    /// `None` when the text is not a command at all (no `!` prefix, or a lone `!`).
    pub fn parse(text: &str) -> Option<Result<Command, ParseError>> {
        let rest = text.trim_start().strip_prefix(PREFIX)?;
        if rest.starts_with(char::is_whitespace) {
            return None;
        }
        let mut words = Arguments::new(rest);
        let name = words.next()?.to_lowercase();
        Some(match name.as_str() {
            "help" | "aiuto" => help::Help::parse(words).map(Command::Help),
            "ping" => ping::Ping::parse(words).map(Command::Ping),
            "propose" | "proponi" => propose::Propose::parse(words).map(Command::Propose),
            "promote" | "promuovi" => promote::Promote::parse(words).map(Command::Promote),
            "proposals" | "proposte" => proposals::Proposals::parse(words).map(Command::Proposals),
            "show" | "mostra" => show::Show::parse(words).map(Command::Show),
            "stats" | "statistiche" | "partecipazione" => {
                stats::Stats::parse(words).map(Command::Stats)
            }
            "vote" | "vota" => vote::VoteCommand::parse(words).map(Command::Vote),
            "unvote" => unvote::Unvote::parse(words).map(Command::Unvote),
            "withdraw" | "ritira" => withdraw::Withdraw::parse(words).map(Command::Withdraw),
            "feedback" => feedback::Feedback::parse(words).map(Command::Feedback),
            "phase" | "fase" => phase::PhaseCommand::parse(words).map(Command::Phase),
            "evaluate" => evaluate::Evaluate::parse(words).map(Command::Evaluate),
            "accept" => accept::Accept::parse(words).map(Command::Accept),
            "reject" => reject::Reject::parse(words).map(Command::Reject),
            "answer" => answer::Answer::parse(words).map(Command::Answer),
            "merge" => merge::Merge::parse(words).map(Command::Merge),
            "hide" => hide::Hide::parse(words).map(Command::Hide),
            "export" | "esporta" => export::ExportCommand::parse(words).map(Command::Export),
            "prioritise" | "prioritize" | "priorita" | "priorità" => {
                prioritise::Prioritise::parse(words).map(Command::Prioritise)
            }
            "close" | "chiudi" => close::Close::parse(words).map(Command::Close),
            "search" | "cerca" => search::Search::parse(words).map(Command::Search),
            "more" | "altri" => more::More::parse(words).map(Command::More),
            "practice" | "pratica" => {
                practice::PracticeCommand::parse(words).map(Command::Practice)
            }
            "share" | "condividi" => share::ShareCommand::parse(words).map(Command::Share),
            "rate" | "valuta" => rate::Rate::parse(words).map(Command::Rate),
            "pending" | "inattesa" => pending::Pending::parse(words).map(Command::Pending),
            "approve" | "approva" => approve::Approve::parse(words).map(Command::Approve),
            "decline" | "scarta" => decline::Decline::parse(words).map(Command::Decline),
            "actions" | "azioni" => actions::Actions::parse(words).map(Command::Actions),
            "status" | "stato" => status::StatusCommand::parse(words).map(Command::Status),
            "progress" | "avanzamento" => progress::Progress::parse(words).map(Command::Progress),
            "history" | "cronologia" => history::History::parse(words).map(Command::History),
            "measure" | "misura" => measure::Measure::parse(words).map(Command::Measure),
            "results" | "risultati" => results::Results::parse(words).map(Command::Results),
            "chart" | "grafico" => chart::ChartCommand::parse(words).map(Command::Chart),
            "assign" | "assegna" => assign::Assign::parse(words).map(Command::Assign),
            "action" | "azione" => action::ActionCommand::parse(words).map(Command::Action),
            "report" | "rapporto" => report::ReportCommand::parse(words).map(Command::Report),
            _ => Ok(Command::Unknown(unknown::Unknown { name })),
        })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Rendered {
        let outcome = match self {
            Command::Help(c) => Ok(c.apply(ctx)),
            Command::Ping(c) => Ok(c.apply(ctx)),
            Command::Propose(c) => c.apply(ctx),
            Command::Promote(c) => c.apply(ctx),
            Command::Proposals(c) => c.apply(ctx),
            Command::Show(c) => c.apply(ctx),
            Command::Stats(c) => c.apply(ctx),
            Command::Vote(c) => c.apply(ctx),
            Command::Unvote(c) => c.apply(ctx),
            Command::Withdraw(c) => c.apply(ctx),
            Command::Feedback(c) => c.apply(ctx),
            Command::Phase(c) => c.apply(ctx),
            Command::Evaluate(c) => c.apply(ctx),
            Command::Accept(c) => c.apply(ctx),
            Command::Reject(c) => c.apply(ctx),
            Command::Answer(c) => c.apply(ctx),
            Command::Merge(c) => c.apply(ctx),
            Command::Hide(c) => c.apply(ctx),
            Command::Export(c) => c.apply(ctx),
            Command::Prioritise(c) => c.apply(ctx),
            Command::Close(c) => c.apply(ctx),
            Command::Search(c) => c.apply(ctx),
            Command::More(c) => c.apply(ctx),
            Command::Practice(c) => c.apply(ctx),
            Command::Share(c) => c.apply(ctx),
            Command::Rate(c) => c.apply(ctx),
            Command::Pending(c) => c.apply(ctx),
            Command::Approve(c) => c.apply(ctx),
            Command::Decline(c) => c.apply(ctx),
            Command::Actions(c) => c.apply(ctx),
            Command::Status(c) => c.apply(ctx),
            Command::Progress(c) => c.apply(ctx),
            Command::History(c) => c.apply(ctx),
            Command::Measure(c) => c.apply(ctx),
            Command::Results(c) => c.apply(ctx),
            Command::Chart(c) => c.apply(ctx),
            Command::Assign(c) => c.apply(ctx),
            Command::Action(c) => c.apply(ctx),
            Command::Report(c) => c.apply(ctx),
            Command::Unknown(c) => Ok(c.apply(ctx)),
        };
        // A rebuild replays only the plan's rooms: what changes the plan happens there.
        let outcome = outcome.and_then(|reply| {
            if ctx.changes.is_empty() || ctx.settings.is_plan_room(&ctx.message.room_id) {
                Ok(reply)
            } else {
                Err(ctx
                    .catalogue
                    .render(Msg::PlanRoomsOnly, &[("plan", &ctx.settings.plan_title)]))
            }
        });
        match outcome {
            Ok(reply) => reply,
            Err(refusal) => {
                // A refusal changes nothing.
                ctx.changes.clear();
                ctx.notices.clear();
                ctx.files.clear();
                ctx.polls.clear();
                ctx.poll_ends.clear();
                ctx.card_for = None;
                ctx.mentions.clear();
                refusal
            }
        }
    }
}

/// Whitespace-separated words of a command line, with access to the unparsed rest.
pub struct Arguments<'a> {
    rest: &'a str,
}

impl<'a> Arguments<'a> {
    pub fn new(text: &'a str) -> Self {
        Arguments { rest: text }
    }

    /// Fails with `TooManyArguments` when anything is left.
    pub fn finish(self, spec: &'static Spec) -> Result<(), ParseError> {
        if self.rest.trim().is_empty() {
            Ok(())
        } else {
            Err(ParseError::TooManyArguments { spec })
        }
    }

    /// A proposal number, `12` or `#12`.
    pub fn number(&mut self, spec: &'static Spec) -> Result<u32, ParseError> {
        let word = self.next().ok_or(ParseError::Missing { spec })?;
        word.trim_start_matches('#')
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| ParseError::Invalid {
                spec,
                given: word.to_owned(),
            })
    }

    /// Everything left, trimmed (may span lines).
    pub fn rest(self) -> &'a str {
        self.rest.trim()
    }

    /// Everything left, which must not be empty.
    pub fn required_rest(self, spec: &'static Spec) -> Result<&'a str, ParseError> {
        let rest = self.rest();
        if rest.is_empty() {
            Err(ParseError::Missing { spec })
        } else {
            Ok(rest)
        }
    }
}

impl<'a> Iterator for Arguments<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let trimmed = self.rest.trim_start();
        if trimmed.is_empty() {
            self.rest = trimmed;
            return None;
        }
        let end = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
        let (word, rest) = trimmed.split_at(end);
        self.rest = rest;
        Some(word)
    }
}

#[cfg(test)]
mod tests;
