//! `!prioritise [k] [n]` (moderators): a native Matrix poll with the section's top `n` live
//! proposals as answers, `k` selections each (dot voting).

use super::{Arguments, Ctx, Outcome, ParseError, Spec};
use crate::domain::i18n::Msg;
use crate::domain::polls::Poll;
use crate::domain::votes::phase_refusal;
use crate::domain::{Change, PollPost};

pub const SPEC: Spec = Spec {
    name: "prioritise",
    moderator_only: true,
    usage: Msg::CmdPrioritiseUsage,
    summary: Msg::CmdPrioritiseSummary,
    help: Msg::CmdPrioritiseHelp,
};

/// Clients show at most 20 answers (MSC3381).
const MAX_ANSWERS: u32 = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prioritise {
    pub selections: u32,
    pub answers: u32,
}

impl Prioritise {
    pub fn parse(mut args: Arguments<'_>) -> Result<Prioritise, ParseError> {
        let mut number = |default: u32| -> Result<u32, ParseError> {
            match args.next() {
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
        args.finish(&SPEC)?;
        Ok(Prioritise {
            selections,
            answers,
        })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let section = ctx.section()?;
        let phase = ctx.phase_of(&section.id);
        if !phase.allows_votes() {
            return Err(phase_refusal(ctx.catalogue, phase));
        }
        let participation = &ctx.state.participation;
        let mut top: Vec<_> = participation
            .proposals
            .values()
            .filter(|p| p.section == section.id && p.is_listed() && p.state.is_live())
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
        let id = ctx.state.polls.next_id();
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
        // The poll is for everyone: the plan's language.
        let question = ctx.plan_catalogue.render(
            Msg::PrioritiseQuestion,
            &[
                ("section", &section.title),
                ("k", &max_selections.to_string()),
            ],
        );
        ctx.changes.push(Change::Poll(Poll {
            id,
            section: section.id.clone(),
            room_id: ctx.message.room_id.clone(),
            opened_by: ctx.message.sender.clone(),
            opened_ms: ctx.message.sent_at_ms,
            max_selections,
            answers: answers.iter().map(|(a, n, _)| (a.clone(), *n)).collect(),
            start_event: None,
            closed_ms: None,
            closed_by: None,
        }));
        ctx.polls.push(PollPost {
            room_id: ctx.message.room_id.clone(),
            poll_id: id,
            question: question.body,
            max_selections,
            answers: answers.into_iter().map(|(a, _, text)| (a, text)).collect(),
        });
        Ok(ctx.catalogue.render(
            Msg::PrioritiseOpened,
            &[("id", &id.to_string()), ("k", &max_selections.to_string())],
        ))
    }
}
