//! Chat commands: one table, one file per command (parse + apply + help keys).
//!
//! Parsing is pure text work: `!name args…` → a command or a [`ParseError`] that becomes a
//! reply. Leftover arguments are refused, never ignored. Applying reads the state and records
//! [`Change`](crate::domain::Change)s in the [`Ctx`]; the engine folds them afterwards. Who
//! may run a command is checked once, here, from its [`Spec`]; a refusal changes nothing.
//!
//! Imports flow one way: the table → each command's file → [`Ctx`], [`Arguments`],
//! [`ParseError`], [`Spec`] → the rest of the domain. A command file imports no other, except
//! the one command it extends: `!promote` is `!propose` on a quoted message, `!more` the next
//! page of `!search` (kept by the tidy test in `tests/tests/tidy.rs`).

mod arguments;
mod ctx;
mod parse_error;
mod receipt;
mod spec;
mod table;
mod unknown;

use chrono::{DateTime, Utc};

pub use arguments::{Arguments, Reach};
pub use ctx::{Ctx, Outcome};
pub use parse_error::ParseError;
pub use spec::{Home, Spec};

use crate::domain::budget::{Budgets, Spend};
use crate::domain::consultation;
use crate::domain::i18n::{Msg, Rendered};
use crate::domain::practice_repository::{PracticeRepository, Searches};
use crate::domain::{
    authority, Change, CommandOutcome, CommandRun, Effects, Message, Reply, Settings, State,
};

/// The prefix that makes a message a command.
pub const PREFIX: char = '!';

// The one table: variant (file::type): the names it answers to. The order is `!help`'s.
table::commands! {
    Help(help::Help): "help" | "aiuto";
    Ping(ping::Ping): "ping";
    Propose(propose::Propose): "propose" | "proponi";
    Promote(promote::Promote): "promote" | "promuovi";
    Proposals(proposals::Proposals): "proposals" | "proposte";
    Show(show::Show): "show" | "mostra";
    Stats(stats::Stats): "stats" | "statistiche" | "partecipazione";
    Whoami(whoami::Whoami): "whoami" | "chisono";
    Language(language::LanguageCommand): "language" | "lingua";
    Digest(digest::Digest): "digest" | "riepilogo";
    Vote(vote::VoteCommand): "vote" | "vota";
    Unvote(unvote::Unvote): "unvote";
    Withdraw(withdraw::Withdraw): "withdraw" | "ritira";
    Feedback(feedback::Feedback): "feedback";
    Phase(phase::PhaseCommand): "phase" | "fase";
    Evaluate(evaluate::Evaluate): "evaluate";
    Accept(accept::Accept): "accept";
    Reject(reject::Reject): "reject";
    Answer(answer::Answer): "answer";
    Merge(merge::Merge): "merge";
    Hide(hide::Hide): "hide";
    Prioritise(prioritise::Prioritise): "prioritise" | "prioritize" | "priorita" | "priorità";
    Close(close::Close): "close" | "chiudi";
    Ballot(ballot::Ballot): "ballot" | "scheda";
    Export(export::ExportCommand): "export" | "esporta";
    Search(search::Search): "search" | "cerca";
    More(more::More): "more" | "altri";
    Practice(practice::PracticeCommand): "practice" | "pratica";
    Share(share::ShareCommand): "share" | "condividi";
    Rate(rate::Rate): "rate" | "valuta";
    Pending(pending::Pending): "pending" | "inattesa";
    Approve(approve::Approve): "approve" | "approva";
    Decline(decline::Decline): "decline" | "scarta";
    Actions(actions::Actions): "actions" | "azioni";
    Status(status::StatusCommand): "status" | "stato";
    Progress(progress::Progress): "progress" | "avanzamento";
    History(history::History): "history" | "cronologia";
    Measure(measure::Measure): "measure" | "misura";
    Results(results::Results): "results" | "risultati";
    Text(text::Text): "text" | "testo";
    Amend(amend::Amend): "amend" | "emenda";
    Draft(draft::Draft): "draft" | "bozza";
    Chart(chart::ChartCommand): "chart" | "grafico";
    Assign(assign::Assign): "assign" | "assegna";
    Action(action::ActionCommand): "action" | "azione";
    Report(report::ReportCommand): "report" | "rapporto";
    Iteration(iteration::IterationCommand): "iteration" | "iterazione";
    Plan(plan::PlanCommand): "plan" | "piano";
}

/// The text after the `!` when `text` is a command at all (not a lone `!`).
fn command_text(text: &str) -> Option<&str> {
    let rest = text.trim_start().strip_prefix(PREFIX)?;
    (!rest.is_empty() && !rest.starts_with(char::is_whitespace)).then_some(rest)
}

/// Whether `text` is a command, without parsing its arguments.
pub fn is_command(text: &str) -> bool {
    command_text(text).is_some()
}

impl Command {
    /// `None` when the text is not a command at all (no `!` prefix, or a lone `!`).
    pub fn parse(text: &str) -> Option<Result<Command, ParseError>> {
        let rest = command_text(text)?;
        let mut words = Arguments::new(rest);
        let name = words.next()?.to_lowercase();
        Some(Command::parse_named(&name, words))
    }

    /// The command's name in metrics: its spec's, `unknown` for a word that is none.
    pub fn name(&self) -> &'static str {
        self.spec().map_or("unknown", |spec| spec.name)
    }

    /// Runs the command if the sender may; a refusal leaves nothing behind in `ctx`. Also
    /// says whether it was done or refused.
    pub fn apply(self, ctx: &mut Ctx<'_>) -> (Rendered, CommandOutcome) {
        let unknown = matches!(self, Command::Unknown(_));
        let in_direct = ctx
            .state
            .digests
            .is_direct_of(&ctx.message.sender, &ctx.message.room_id);
        let outcome = match self.spec() {
            // The plan's rooms stay the record: a DM says where the command belongs.
            Some(spec) if in_direct && spec.home != Home::Anywhere => Err(belongs_in(ctx, spec)),
            Some(spec) if !spec.available_to(ctx.role) => {
                Err(ctx.catalogue.text(Msg::ModeratorsOnly))
            }
            _ => self.run(ctx),
        };
        // A rebuild replays only the plan's rooms: what changes the plan happens there.
        let outcome = outcome.and_then(|reply| {
            if ctx.changes.is_empty()
                || ctx.settings.is_plan_room(&ctx.message.room_id)
                || is_personal_in_direct(ctx)
            {
                Ok(reply)
            } else {
                Err(ctx
                    .catalogue
                    .render(Msg::PlanRoomsOnly, &[("plan", &ctx.settings.plan_title)]))
            }
        });
        match outcome {
            Ok(reply) if unknown => (reply, CommandOutcome::Invalid),
            Ok(reply) => (reply, CommandOutcome::Done),
            Err(refusal) => {
                ctx.discard();
                (refusal, CommandOutcome::Refused)
            }
        }
    }
}

/// Whether what `ctx` recorded belongs to the sender alone (their digest, their language,
/// their secret ballot)
/// and the command came from their DM with the bot, where personal commands are at home.
fn is_personal_in_direct(ctx: &Ctx<'_>) -> bool {
    let sender = &ctx.message.sender;
    ctx.state.digests.is_direct_of(sender, &ctx.message.room_id)
        && ctx.changes.iter().all(|change| match change {
            Change::Digest { user, .. } | Change::ReplyLanguage { user, .. } => user == sender,
            // A secret ballot is cast in a DM, to keep it secret (`!ballot`).
            Change::SecretPoll(_) => true,
            _ => false,
        })
}

/// The answer to a plan command typed in a DM: the rooms where it belongs, by alias.
fn belongs_in(ctx: &Ctx<'_>, spec: &Spec) -> Rendered {
    let command = format!("{PREFIX}{}", spec.name);
    let sections = ctx.settings.section_aliases().join(", ");
    let space = ctx.settings.space_alias();
    let plan = &ctx.settings.plan_title;
    let vars = [
        ("command", command.as_str()),
        ("plan", plan.as_str()),
        ("sections", sections.as_str()),
        ("space", space.as_str()),
    ];
    match spec.home {
        Home::Section => ctx.catalogue.render(Msg::BelongsInSection, &vars),
        _ => ctx.catalogue.render(Msg::BelongsInPlan, &vars),
    }
}

/// A message: a command, or a comment in a proposal's thread. Returns the reply and what the
/// command did; other messages are not the bot's business.
pub fn on_message(
    settings: &Settings,
    state: &State,
    practices: Option<&dyn PracticeRepository>,
    searches: &mut Searches,
    budgets: &mut Budgets,
    message: &Message,
    now: DateTime<Utc>,
) -> Effects {
    let mut effects = Effects::default();
    let parsed = Command::parse(&message.body);
    if parsed.is_some() {
        let at_ms = message.sent_at_ms.min(now.timestamp_millis());
        if let Spend::Refused { tell, wait_secs } = budgets.spend(settings, &message.sender, at_ms)
        {
            effects.command = parsed.as_ref().map(|parsed| CommandRun {
                name: command_name(parsed),
                outcome: CommandOutcome::OverBudget,
            });
            if tell {
                let catalogue = settings.catalogue_for(state, &message.sender);
                let seconds = wait_secs.to_string();
                let text = catalogue.render(Msg::BudgetExceeded, &[("seconds", &seconds)]);
                effects.replies.push(Reply::to_message(message, text));
            }
            return effects;
        }
    }
    let thread_proposal = message
        .thread_root
        .as_ref()
        .and_then(|root| state.participation.by_event.get(root).copied());
    if parsed.is_none() && thread_proposal.is_none() {
        if let Some(item) = consultation::thread_item(state, message) {
            return consultation::comment(settings, state, message, item);
        }
        return effects;
    }
    let mut ctx = Ctx {
        message,
        role: authority::role(settings, state, &message.room_id, &message.sender),
        now,
        settings,
        state,
        catalogue: settings.catalogue_for(state, &message.sender),
        plan_catalogue: settings.catalogue(),
        changes: Vec::new(),
        thread_notices: Vec::new(),
        files: Vec::new(),
        polls: Vec::new(),
        poll_ends: Vec::new(),
        card_for: None,
        item_for: None,
        secret_tally: None,
        mentions: Vec::new(),
        open_direct: false,
        practices,
        searches,
    };
    let mut receipt = None;
    let text = match (parsed, thread_proposal) {
        (Some(Ok(command)), _) => {
            let name = command.name();
            let (text, outcome) = command.apply(&mut ctx);
            effects.command = Some(CommandRun { name, outcome });
            receipt = receipt::receipt(settings, message, outcome, &ctx.changes);
            Some(text)
        }
        (Some(Err(error)), _) => {
            effects.command = Some(CommandRun {
                name: error.spec().name,
                outcome: CommandOutcome::Invalid,
            });
            Some(error.render(ctx.catalogue))
        }
        (None, Some(number)) => feedback::comment_in_thread(&mut ctx, number),
        (None, None) => None,
    };
    if let Some(text) = text {
        let mut reply = Reply::to_message(message, text);
        reply.card_for = ctx.card_for;
        reply.item = ctx.item_for.take();
        reply.secret_tally = ctx.secret_tally.take();
        reply.receipt = receipt;
        for user in ctx.mentions.drain(..) {
            if !reply.mentions.contains(&user) {
                reply.mentions.push(user);
            }
        }
        effects.replies.push(reply);
    }
    effects.replies.append(&mut ctx.thread_notices);
    effects.files.append(&mut ctx.files);
    effects.polls.append(&mut ctx.polls);
    effects.poll_ends.append(&mut ctx.poll_ends);
    // A new subscriber, or a secret ballot's voter, without a DM with the bot gets one: the
    // adapter creates it.
    let subscribes = ctx.changes.iter().any(|change| {
        matches!(change, Change::Digest { user, subscription: Some(_) } if user == &message.sender)
    });
    let wants_direct = subscribes || ctx.open_direct;
    if wants_direct && !state.digests.direct_rooms.contains_key(&message.sender) {
        effects.open_directs.push(message.sender.clone());
    }
    effects.changes.append(&mut ctx.changes);
    effects
}

/// The name a parsed command goes by in metrics.
fn command_name(parsed: &Result<Command, ParseError>) -> &'static str {
    match parsed {
        Ok(command) => command.name(),
        Err(error) => error.spec().name,
    }
}

#[cfg(test)]
mod tests;
