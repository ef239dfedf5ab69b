//! `!progress <code> <0-100> [note]`: a moderator or one of the action's owners records its
//! progress; every update stays in the history.

use crate::domain::tracking::{owner_text, status_msg, today};
use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::Msg;
use crate::domain::monitoring::{find_action, is_owner, status, Update};
use crate::domain::{Change, Role};

pub const SPEC: Spec = Spec {
    name: "progress",
    moderator_only: false,
    home: Home::Plan,
    usage: Msg::CmdProgressUsage,
    summary: Msg::CmdProgressSummary,
    help: Msg::CmdProgressHelp,
};

const MAX_NOTE_CHARS: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub code: String,
    pub progress: u8,
    pub note: String,
}

impl Progress {
    pub fn parse(mut args: Arguments<'_>) -> Result<Progress, ParseError> {
        let code = args.next().ok_or(ParseError::Missing { spec: &SPEC })?;
        let value = args.next().ok_or(ParseError::Missing { spec: &SPEC })?;
        let progress = value
            .trim_end_matches('%')
            .parse::<u8>()
            .ok()
            .filter(|p| *p <= 100)
            .ok_or_else(|| ParseError::Invalid {
                spec: &SPEC,
                given: value.to_owned(),
            })?;
        let note = args.rest();
        if note.chars().count() > MAX_NOTE_CHARS {
            return Err(ParseError::TooManyArguments { spec: &SPEC });
        }
        Ok(Progress {
            code: code.to_owned(),
            progress,
            note: note.to_owned(),
        })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let catalogue = ctx.catalogue;
        let monitoring = &ctx.state.monitoring;
        let action = find_action(&ctx.settings.monitoring, monitoring, &self.code)
            .ok_or_else(|| catalogue.render(Msg::ActionNotFound, &[("code", &self.code)]))?;
        let sender = &ctx.message.sender;
        let organisation = ctx.settings.organisation_of(sender);
        let server = pspm_config::server_of(sender).unwrap_or_default();
        if ctx.role != Role::Moderator && !is_owner(action, sender, &organisation, server) {
            return Err(catalogue.render(
                Msg::ProgressNotOwner,
                &[
                    ("code", &action.code),
                    ("owner", &owner_text(catalogue, action)),
                ],
            ));
        }
        let before = monitoring.progress(&action.code);
        let today = today(ctx.settings, ctx.now);
        let reply = catalogue.render(
            Msg::ProgressDone,
            &[
                ("code", &action.code),
                ("title", &action.title),
                ("from", &before.to_string()),
                ("to", &self.progress.to_string()),
                (
                    "status",
                    catalogue.template(status_msg(status(action, self.progress, today))),
                ),
            ],
        );
        ctx.changes.push(Change::ActionUpdate {
            code: action.code.clone(),
            update: Update {
                event_id: ctx.message.event_id.clone(),
                author: sender.clone(),
                at_ms: ctx.message.sent_at_ms,
                progress: self.progress,
                note: self.note,
                origin: None,
            },
        });
        Ok(reply)
    }
}
