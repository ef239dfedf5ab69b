//! `!prioritise [actions|proposals|all] [secret] [k] [n] [until YYYY-MM-DD]` (moderators): a
//! native Matrix poll with the section's top `n` live proposals as answers (or its draft
//! actions, or both mixed, the most supported first), `k` selections each (dot voting); with
//! `secret`, a secret ballot among proposals instead: the room sees the options, each person
//! votes in their DM (`!ballot`). With a date, it closes by itself at the end of that day.

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use chrono::{NaiveDate, TimeZone as _};

use crate::domain::i18n::{Catalogue, Msg, Rendered};
use crate::domain::secret_ballot::{option_line, poll_secret, SecretPoll};
use crate::domain::polls::Poll;
use crate::domain::votes::phase_refusal;
use crate::domain::consultation::action_key;
use crate::domain::iterations;
use crate::domain::participation::Proposal;
use crate::domain::{Change, PollPost, SectionSettings, State};

pub const SPEC: Spec = Spec {
    name: "prioritise",
    moderator_only: true,
    home: Home::Section,
    usage: Msg::CmdPrioritiseUsage,
    summary: Msg::CmdPrioritiseSummary,
    help: Msg::CmdPrioritiseHelp,
};

/// Clients show at most 20 answers (MSC3381).
const MAX_ANSWERS: u32 = 20;

/// What the poll's answers are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Among {
    #[default]
    Proposals,
    /// The plan file's actions of the section (the draft's).
    Actions,
    /// Draft actions and proposals together.
    All,
}

impl Among {
    fn parse(word: &str) -> Option<Among> {
        match word.to_lowercase().as_str() {
            "proposals" | "proposte" => Some(Among::Proposals),
            "actions" | "azioni" => Some(Among::Actions),
            "all" | "tutto" | "tutte" | "tutti" => Some(Among::All),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prioritise {
    pub among: Among,
    /// A secret ballot in DMs rather than a native poll.
    pub secret: bool,
    pub selections: u32,
    pub answers: u32,
    /// The last day of voting, when it closes by itself.
    pub until: Option<NaiveDate>,
}

impl Prioritise {
    pub fn parse(mut args: Arguments<'_>) -> Result<Prioritise, ParseError> {
        let mut ahead = args.clone();
        let among = ahead.next().and_then(Among::parse);
        if among.is_some() {
            args = ahead;
        }
        let among = among.unwrap_or_default();
        let mut ahead = args.clone();
        let secret = matches!(
            ahead.next().map(str::to_lowercase).as_deref(),
            Some("secret" | "segreta" | "segreto")
        );
        if secret {
            args = ahead;
        }
        // A date (`YYYY-MM-DD`, after `until`, `entro` or `fino al` if one likes) anywhere
        // after the numbers: the poll closes by itself at the end of that day.
        let mut numbers = Vec::new();
        let mut until = None;
        for word in args.by_ref() {
            if matches!(
                word.to_lowercase().as_str(),
                "until" | "entro" | "fino" | "al"
            ) {
                continue;
            }
            match NaiveDate::parse_from_str(word, "%Y-%m-%d") {
                Ok(date) if until.is_none() => until = Some(date),
                _ => numbers.push(word),
            }
        }
        let mut numbers = numbers.into_iter();
        let mut number = |default: u32| -> Result<u32, ParseError> {
            match numbers.next() {
                None => Ok(default),
                Some(word) => word
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_ANSWERS).contains(n))
                    .ok_or_else(|| ParseError::Invalid {
                        spec: &SPEC,
                        given: word.to_owned(),
                    }),
            }
        };
        let selections = number(3)?;
        let answers = number(10)?;
        if let Some(extra) = numbers.next() {
            return Err(ParseError::Invalid {
                spec: &SPEC,
                given: extra.to_owned(),
            });
        }
        args.finish(&SPEC)?;
        Ok(Prioritise {
            among,
            secret,
            selections,
            answers,
            until,
        })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let section = ctx.section()?;
        let closes_ms = match self.until {
            Some(date) => Some(closes_at(ctx, date)?),
            None => None,
        };
        let phase = ctx.phase_of(&section.id);
        if !phase.allows_votes() {
            return Err(phase_refusal(ctx.catalogue, phase));
        }
        if self.among != Among::Proposals {
            if self.secret {
                return Err(ctx.catalogue.text(Msg::PrioritiseSecretProposalsOnly));
            }
            let section = section.clone();
            return self.apply_mixed(ctx, &section, closes_ms);
        }
        let participation = &ctx.state.participation;
        let mut top: Vec<_> = candidates(ctx.state, &section.id)
            .map(|p| {
                let t = participation.tally(p.number).total;
                (i64::from(t.support) - i64::from(t.oppose), t.support, p)
            })
            .collect();
        top.sort_by(|a, b| {
            b.0.cmp(&a.0)
                .then(b.1.cmp(&a.1))
                .then(a.2.number.cmp(&b.2.number))
        });
        top.truncate(self.answers as usize);
        if top.len() < 2 {
            return Err(ctx.catalogue.text(Msg::PrioritiseTooFew));
        }
        // Native and secret polls share their IDs: `!close <id>` names either.
        let id = ctx
            .state
            .polls
            .next_id()
            .max(ctx.state.secret_polls.polls.keys().next_back().map_or(1, |n| n + 1));
        let answers: Vec<(String, u32, String)> = top
            .iter()
            .map(|(_, _, p)| {
                (
                    format!("p{}", p.number),
                    p.number,
                    format!("#{} {}", p.number, p.title),
                )
            })
            .collect();
        let max_selections = self.selections.min(answers.len() as u32);
        if self.secret {
            let poll = SecretPoll {
                id,
                section: section.id.clone(),
                room_id: ctx.message.room_id.clone(),
                opened_by: ctx.message.sender.clone(),
                opened_ms: ctx.message.sent_at_ms,
                max_selections,
                options: answers.iter().map(|(_, n, _)| *n).collect(),
                secret: Some(poll_secret(
                    &ctx.settings.ballot_seed,
                    id,
                    &ctx.message.event_id,
                )),
                ballots: Default::default(),
                closed_ms: None,
                receipts: Default::default(),
                closes_ms,
            };
            // The announcement is for everyone: the plan's language.
            let catalogue = ctx.plan_catalogue;
            let mut lines = vec![catalogue.render(
                Msg::SecretOpened,
                &[
                    ("id", &id.to_string()),
                    ("section", &section.title),
                    ("k", &max_selections.to_string()),
                ],
            )];
            for option in 1..=poll.options.len() as u32 {
                lines.push(option_line(catalogue, ctx.state, &poll, option));
            }
            if let Some(date) = self.until {
                lines.push(closes_line(catalogue, date));
            }
            ctx.changes.push(Change::SecretPoll(poll));
            return Ok(Rendered::lines(lines));
        }
        // The poll is for everyone: the plan's language.
        let question = ctx.plan_catalogue.render(
            Msg::PrioritiseQuestion,
            &[
                ("section", &section.title),
                ("k", &max_selections.to_string()),
            ],
        );
        let poll = Native {
            id,
            section: section.id.clone(),
            max_selections,
            answers: answers.iter().map(|(a, n, _)| (a.clone(), *n)).collect(),
            actions: Vec::new(),
            closes_ms,
        };
        let shown = answers.into_iter().map(|(a, _, text)| (a, text)).collect();
        open_native(ctx, poll, question, shown);
        let opened = ctx.catalogue.render(
            Msg::PrioritiseOpened,
            &[("id", &id.to_string()), ("k", &max_selections.to_string())],
        );
        Ok(with_deadline(ctx.catalogue, opened, self.until))
    }
}

impl Prioritise {
    /// A native poll among the section's draft actions (and, with `all`, its live proposals),
    /// the most supported first (support less opposition, then support, proposals before
    /// actions, then by number or code).
    fn apply_mixed(
        self,
        ctx: &mut Ctx<'_>,
        section: &SectionSettings,
        closes_ms: Option<i64>,
    ) -> Outcome {
        // `(net support, support, proposal number or action code, answer text)`.
        let mut options: Vec<(i64, u32, Option<u32>, String, String)> = Vec::new();
        for action in ctx
            .settings
            .monitoring
            .actions
            .iter()
            .filter(|a| a.section == section.id)
        {
            let id = iterations::item_id(ctx.state.iterations.current(), &action_key(&action.code));
            let t = ctx.state.consultation.tally(&id);
            let text = ctx.plan_catalogue.render(
                Msg::PrioritiseActionAnswer,
                &[("code", &action.code), ("title", &action.title)],
            );
            options.push((
                i64::from(t.support) - i64::from(t.oppose),
                t.support,
                None,
                action.code.clone(),
                text.body,
            ));
        }
        let actions_count = options.len();
        let participation = &ctx.state.participation;
        let mut proposals_count = 0;
        if self.among == Among::All {
            for p in candidates(ctx.state, &section.id) {
                let t = participation.tally(p.number).total;
                proposals_count += 1;
                options.push((
                    i64::from(t.support) - i64::from(t.oppose),
                    t.support,
                    Some(p.number),
                    String::new(),
                    format!("#{} {}", p.number, p.title),
                ));
            }
        }
        options.sort_by(|a, b| {
            b.0.cmp(&a.0)
                .then(b.1.cmp(&a.1))
                .then(b.2.is_some().cmp(&a.2.is_some()))
                .then(a.2.cmp(&b.2))
                .then(a.3.cmp(&b.3))
        });
        options.truncate(self.answers as usize);
        if options.len() < 2 {
            return Err(ctx.catalogue.render(
                Msg::PrioritiseItemsTooFew,
                &[
                    ("section", &section.title),
                    ("actions", &actions_count.to_string()),
                    ("proposals", &proposals_count.to_string()),
                ],
            ));
        }
        let id = ctx
            .state
            .polls
            .next_id()
            .max(ctx.state.secret_polls.polls.keys().next_back().map_or(1, |n| n + 1));
        let mut answers = Vec::new();
        let mut actions = Vec::new();
        let mut shown = Vec::new();
        for (index, (_, _, number, code, text)) in options.into_iter().enumerate() {
            match number {
                Some(number) => {
                    let answer = format!("p{number}");
                    answers.push((answer.clone(), number));
                    shown.push((answer, text));
                }
                None => {
                    // Codes may hold anything; the answer id is a position.
                    let answer = format!("a{}", index + 1);
                    actions.push((answer.clone(), code));
                    shown.push((answer, text));
                }
            }
        }
        let max_selections = self.selections.min(shown.len() as u32);
        let (shown_actions, shown_proposals) = (actions.len(), answers.len());
        let question = ctx.plan_catalogue.render(
            Msg::PrioritiseItemsQuestion,
            &[
                ("section", &section.title),
                ("k", &max_selections.to_string()),
            ],
        );
        let poll = Native {
            id,
            section: section.id.clone(),
            max_selections,
            answers,
            actions,
            closes_ms,
        };
        open_native(ctx, poll, question, shown);
        let opened = ctx.catalogue.render(
            Msg::PrioritiseItemsOpened,
            &[
                ("id", &id.to_string()),
                ("k", &max_selections.to_string()),
                ("actions", &shown_actions.to_string()),
                ("proposals", &shown_proposals.to_string()),
            ],
        );
        Ok(with_deadline(ctx.catalogue, opened, self.until))
    }
}

/// What a native poll is opened with; the rest comes from the command's message.
struct Native {
    id: u32,
    section: String,
    max_selections: u32,
    /// `(answer id, proposal number)`.
    answers: Vec<(String, u32)>,
    /// `(answer id, draft action code)`.
    actions: Vec<(String, String)>,
    closes_ms: Option<i64>,
}

/// Records the poll the command's message opens, and sends it with `shown` as its answers'
/// texts (the question in the plan's language).
fn open_native(ctx: &mut Ctx<'_>, poll: Native, question: Rendered, shown: Vec<(String, String)>) {
    ctx.polls.push(PollPost {
        room_id: ctx.message.room_id.clone(),
        poll_id: poll.id,
        question: question.body,
        max_selections: poll.max_selections,
        answers: shown,
    });
    ctx.changes.push(Change::Poll(Poll {
        id: poll.id,
        section: poll.section,
        room_id: ctx.message.room_id.clone(),
        opened_by: ctx.message.sender.clone(),
        opened_ms: ctx.message.sent_at_ms,
        max_selections: poll.max_selections,
        answers: poll.answers,
        start_event: None,
        closed_ms: None,
        closed_by: None,
        closes_ms: poll.closes_ms,
        actions: poll.actions,
    }));
}

/// The reply that a poll is open, with its deadline's line when it has one.
fn with_deadline(catalogue: &Catalogue, opened: Rendered, until: Option<NaiveDate>) -> Rendered {
    match until {
        Some(date) => Rendered::lines(vec![opened, closes_line(catalogue, date)]),
        None => opened,
    }
}

/// The end of `date` in the plan's time zone (the next midnight), which must be to come.
fn closes_at(ctx: &Ctx<'_>, date: NaiveDate) -> Result<i64, Rendered> {
    let refused = || {
        ctx.catalogue
            .render(Msg::PrioritiseUntilPast, &[("date", &date.to_string())])
    };
    if date < ctx.settings.monitoring.today(ctx.now) {
        return Err(refused());
    }
    let next_midnight = date
        .succ_opt()
        .and_then(|day| day.and_hms_opt(0, 0, 0))
        .ok_or_else(refused)?;
    ctx.settings
        .monitoring
        .config
        .time_zone
        .from_local_datetime(&next_midnight)
        .earliest()
        .map(|at| at.timestamp_millis())
        .ok_or_else(refused)
}

fn closes_line(catalogue: &Catalogue, date: NaiveDate) -> Rendered {
    catalogue.render(Msg::PrioritiseCloses, &[("date", &date.to_string())])
}

/// The proposals of `section` a priority poll may offer: listed, still live, and of the
/// iteration under way (a closed iteration's proposals take no more votes).
fn candidates<'s>(state: &'s State, section: &'s str) -> impl Iterator<Item = &'s Proposal> {
    state.participation.proposals.values().filter(move |p| {
        p.section == section
            && p.is_listed()
            && p.state.is_live()
            && state.iterations.is_current(p.created_ms)
    })
}
