//! The daily reminder: once a day, from the configured local time, each section room with
//! late actions or actions due within [`REMINDER_DAYS`] gets one message listing them. The
//! day is recorded (a `Change`), so a restart the same day sends nothing again; the
//! message's key makes a resend after a crash land once. The people who own late actions
//! are mentioned (`m.mentions` and a pill), so their clients notify them.

use chrono::{DateTime, Utc};

use super::i18n::{Msg, Rendered};
use super::monitoring::{due_within, status, ActionStatus, REMINDER_DAYS};
use super::tracking::{action_line, actions_in, sections, today, Scope};
use super::{Change, Effects, Notice, Settings, State};

pub fn daily(settings: &Settings, state: &State, now: DateTime<Utc>) -> Effects {
    let mut effects = Effects::default();
    let plan = &settings.monitoring;
    let local = now.with_timezone(&plan.config.time_zone);
    if local.time() < plan.config.reminder_time {
        return effects;
    }
    let today = today(settings, now);
    let catalogue = settings.catalogue();
    for section in sections(settings) {
        let Some((room_id, _)) = settings.section_of_id(&section.id) else {
            continue;
        };
        if state.monitoring.reminded.get(room_id) == Some(&today) {
            continue;
        }
        let mut late = Vec::new();
        let mut soon = Vec::new();
        for action in actions_in(settings, state, &Scope::section(section)) {
            match status(action, state.monitoring.progress(&action.code), today) {
                ActionStatus::Done => {}
                ActionStatus::Late => late.push(action),
                _ if due_within(action, today, REMINDER_DAYS) => soon.push(action),
                _ => {}
            }
        }
        effects.changes.push(Change::Reminded {
            room_id: room_id.to_owned(),
            day: today,
        });
        if late.is_empty() && soon.is_empty() {
            continue;
        }
        late.sort_by_key(|a| (a.due, a.code.clone()));
        soon.sort_by_key(|a| (a.due, a.code.clone()));
        let mut lines: Vec<Rendered> = vec![catalogue.render(
            Msg::RemindHeader,
            &[("section", &section.title), ("date", &today.to_string())],
        )];
        lines.extend(
            late.iter()
                .map(|a| action_line(catalogue, state, a, today, Msg::RemindLate)),
        );
        lines.extend(
            soon.iter()
                .map(|a| action_line(catalogue, state, a, today, Msg::RemindSoon)),
        );
        // The people who own late actions are mentioned, so their clients notify them.
        let mut owners: Vec<String> = Vec::new();
        for user in late.iter().flat_map(|a| &a.owners) {
            if !owners.contains(user) {
                owners.push(user.clone());
            }
        }
        if !owners.is_empty() {
            lines.push(
                catalogue
                    .text(Msg::RemindOwners)
                    .then(Rendered::pills(&owners)),
            );
        }
        effects.notices.push(Notice {
            item: None,
            mentions: owners,
            room_id: room_id.to_owned(),
            key: format!("reminder.{room_id}.{today}"),
            text: Rendered::lines(lines),
            tombstone: None,
            secret_tally: None,
        });
    }
    effects
}
