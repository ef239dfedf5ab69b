//! Personal digests: each subscriber (`!digest daily|weekly`) gets, from the configured local
//! time, one message in their DM with the bot listing what changed since their last digest
//! in the sections they follow. The digest's day is recorded (a `Change`) with the message,
//! so a restart in the same period sends nothing again; the message's key makes a resend
//! after a crash land once. Nothing is sent when nothing changed.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};

use super::i18n::{Catalogue, Msg, Rendered};
use super::monitoring::{all_actions, due_within, is_owner, status, ActionStatus, REMINDER_DAYS};
use super::tracking::{action_line, sections, today};
use super::votes::state_msg;
use super::{Change, Effects, Notice, Settings, State};

/// The start of every digest notice's key: how the adapter counts digests apart from reminders.
pub const KEY_PREFIX: &str = "digest.";

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// How soon a poll's deadline makes it a digest's item.
const CLOSING_SOON_MS: i64 = 2 * DAY_MS;

/// How often a person gets their digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Daily,
    /// On Mondays, or seven days after the last one.
    Weekly,
}

impl Period {
    pub fn days(self) -> i64 {
        match self {
            Period::Daily => 1,
            Period::Weekly => 7,
        }
    }

    pub fn msg(self) -> Msg {
        match self {
            Period::Daily => Msg::DigestDaily,
            Period::Weekly => Msg::DigestWeekly,
        }
    }
}

/// A person's subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub period: Period,
    /// Section IDs followed; empty for all.
    pub sections: Vec<String>,
    /// When they subscribed: a first digest covers one period before it.
    pub since_ms: i64,
}

/// The digests' state: subscriptions, each person's DM with the bot, and their last digest.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Digests {
    pub subscriptions: BTreeMap<String, Subscription>,
    /// The room where the bot talks to each person alone, once known.
    pub direct_rooms: BTreeMap<String, String>,
    /// Each subscriber's last digest: its local day and its instant (ms).
    pub last: BTreeMap<String, (NaiveDate, i64)>,
}

impl Digests {
    pub fn apply(&mut self, change: &Change) {
        match change {
            Change::Digest {
                user,
                subscription: Some(subscription),
            } => {
                self.subscriptions
                    .insert(user.clone(), subscription.clone());
            }
            Change::Digest {
                user,
                subscription: None,
            } => {
                self.subscriptions.remove(user);
            }
            Change::DirectRoom { user, room_id } => {
                self.direct_rooms.insert(user.clone(), room_id.clone());
            }
            Change::Digested { user, day, at_ms } => {
                self.last.insert(user.clone(), (*day, *at_ms));
            }
            _ => {}
        }
    }

    /// Whether `room_id` is `user`'s DM with the bot.
    pub fn is_direct_of(&self, user: &str, room_id: &str) -> bool {
        self.direct_rooms
            .get(user)
            .is_some_and(|room| room == room_id)
    }
}

/// Records that `room_id` is `user`'s DM with the bot (an `is_direct` invite between them).
pub fn on_direct_room(settings: &Settings, user: String, room_id: String) -> Effects {
    if user == settings.bot_user || !settings.is_allowed(&user) {
        return Effects::default();
    }
    Effects::change(Change::DirectRoom { user, room_id })
}

/// Whether `user`'s digest is due on `today`, given their last one.
fn is_due(period: Period, last: Option<NaiveDate>, today: NaiveDate) -> bool {
    let Some(last) = last else { return true };
    match period {
        Period::Daily => last < today,
        Period::Weekly => {
            (today - last).num_days() >= 7 || (today.weekday() == Weekday::Mon && last < today)
        }
    }
}

/// The digests due at `now`: one notice per subscriber with news, in their DM.
pub fn due(settings: &Settings, state: &State, now: DateTime<Utc>) -> Effects {
    let mut effects = Effects::default();
    let plan = &settings.monitoring;
    if now.with_timezone(&plan.config.time_zone).time() < plan.config.reminder_time {
        return effects;
    }
    let today = today(settings, now);
    let digests = &state.digests;
    for (user, subscription) in &digests.subscriptions {
        let last = digests.last.get(user).copied();
        if !is_due(subscription.period, last.map(|(day, _)| day), today) {
            continue;
        }
        // Until the DM exists there is nowhere to send it: the next tick tries again.
        let Some(room_id) = digests.direct_rooms.get(user) else {
            continue;
        };
        let since_ms = last.map_or(
            subscription.since_ms - subscription.period.days() * DAY_MS,
            |(_, at)| at,
        );
        let catalogue = settings.catalogue_for(state, user);
        let lines = items(
            settings,
            state,
            user,
            subscription,
            since_ms,
            (today, now.timestamp_millis()),
            catalogue,
        );
        effects.changes.push(Change::Digested {
            user: user.clone(),
            day: today,
            at_ms: now.timestamp_millis(),
        });
        if lines.is_empty() {
            continue;
        }
        let header = catalogue.render(
            Msg::DigestHeader,
            &[
                ("period", catalogue.template(subscription.period.msg())),
                ("plan", &settings.plan_title),
                ("date", &today.to_string()),
            ],
        );
        effects.notices.push(Notice {
            item: None,
            mentions: Vec::new(),
            room_id: room_id.clone(),
            key: format!("{KEY_PREFIX}{user}.{today}"),
            text: Rendered::lines(std::iter::once(header).chain(lines)),
            tombstone: None,
            secret_tally: None,
        });
    }
    effects
}

/// What changed for `user` since `since_ms` in the sections they follow, one line each.
fn items(
    settings: &Settings,
    state: &State,
    user: &str,
    subscription: &Subscription,
    since_ms: i64,
    (today, now_ms): (NaiveDate, i64),
    catalogue: &Catalogue,
) -> Vec<Rendered> {
    let follows = |section: &str| {
        subscription.sections.is_empty() || subscription.sections.iter().any(|s| s == section)
    };
    let title_of = |section: &str| {
        sections(settings)
            .into_iter()
            .find(|s| s.id == section)
            .map_or_else(|| section.to_owned(), |s| s.title.clone())
    };
    let participation = &state.participation;
    let mut lines = Vec::new();
    let listed = || {
        participation
            .proposals
            .values()
            .filter(|p| p.is_listed() && follows(&p.section))
    };
    for proposal in listed().filter(|p| p.created_ms > since_ms) {
        lines.push(catalogue.render(
            Msg::DigestNewProposal,
            &[
                ("number", &proposal.number.to_string()),
                ("title", &proposal.title),
                ("section", &title_of(&proposal.section)),
            ],
        ));
    }
    let own = || listed().filter(|p| p.author == user);
    for proposal in own().filter(|p| p.created_ms <= since_ms && p.updated_ms > since_ms) {
        let state_name = catalogue.template(state_msg(proposal.state));
        let args = [
            ("number", proposal.number.to_string()),
            ("title", proposal.title.clone()),
            ("state", state_name.to_owned()),
            ("answer", proposal.answer.clone().unwrap_or_default()),
        ];
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let msg = if proposal.answer.is_some() {
            Msg::DigestOwnAnswered
        } else {
            Msg::DigestOwnChanged
        };
        lines.push(catalogue.render(msg, &args));
    }
    for proposal in own() {
        let comments = participation
            .comments
            .values()
            .filter(|c| {
                c.proposal == Some(proposal.number)
                    && c.at_ms > since_ms
                    && c.author != user
                    && !c.redacted
            })
            .count();
        if comments > 0 {
            lines.push(catalogue.render(
                Msg::DigestComments,
                &[
                    ("count", &comments.to_string()),
                    ("number", &proposal.number.to_string()),
                    ("title", &proposal.title),
                ],
            ));
        }
    }
    for poll in state
        .polls
        .polls
        .values()
        .filter(|p| p.opened_ms > since_ms && p.closed_ms.is_none() && follows(&p.section))
    {
        lines.push(catalogue.render(
            Msg::DigestPoll,
            &[
                ("poll", &poll.id.to_string()),
                ("section", &title_of(&poll.section)),
                ("count", &poll.answers.len().to_string()),
            ],
        ));
    }
    for poll in state
        .secret_polls
        .polls
        .values()
        .filter(|p| p.opened_ms > since_ms && p.closed_ms.is_none() && follows(&p.section))
    {
        lines.push(catalogue.render(
            Msg::DigestSecretPoll,
            &[
                ("poll", &poll.id.to_string()),
                ("section", &title_of(&poll.section)),
                ("count", &poll.options.len().to_string()),
            ],
        ));
    }
    // Polls, native or secret, that close by themselves within 2 days: a last call.
    let closing_by = now_ms + CLOSING_SOON_MS;
    let native = state
        .polls
        .polls
        .values()
        .map(|p| (p.id, &p.section, p.closed_ms, p.closes_ms));
    let secret = state
        .secret_polls
        .polls
        .values()
        .map(|p| (p.id, &p.section, p.closed_ms, p.closes_ms));
    let mut closing: Vec<_> = native
        .chain(secret)
        .filter_map(|(id, section, closed, closes)| {
            let at = closes.filter(|at| closed.is_none() && *at > now_ms && *at <= closing_by)?;
            follows(section).then_some((at, id, section))
        })
        .collect();
    closing.sort();
    for (at, id, section) in closing {
        // The deadline is the next midnight: the last day of voting is the day before.
        let last_day = settings
            .monitoring
            .today(chrono::DateTime::from_timestamp_millis(at - 1).unwrap_or_default());
        lines.push(catalogue.render(
            Msg::DigestPollClosing,
            &[
                ("poll", &id.to_string()),
                ("section", &title_of(section)),
                ("date", &last_day.to_string()),
            ],
        ));
    }
    let organisation = settings.organisation_of(user);
    let server = pspm_config::server_of(user).unwrap_or_default();
    let mut late = Vec::new();
    let mut soon = Vec::new();
    for action in all_actions(&settings.monitoring, &state.monitoring) {
        if !follows(&action.section) || !is_owner(action, user, &organisation, server) {
            continue;
        }
        match status(action, state.monitoring.progress(&action.code), today) {
            ActionStatus::Done => {}
            ActionStatus::Late => late.push(action),
            _ if due_within(action, today, REMINDER_DAYS) => soon.push(action),
            _ => {}
        }
    }
    late.sort_by_key(|a| (a.due, a.code.clone()));
    soon.sort_by_key(|a| (a.due, a.code.clone()));
    lines.extend(
        late.iter()
            .map(|a| action_line(catalogue, state, a, today, Msg::RemindLate)),
    );
    lines.extend(
        soon.iter()
            .map(|a| action_line(catalogue, state, a, today, Msg::RemindSoon)),
    );
    lines
}
