//! The harness of the domain tests that run on calendar time: an engine driven at given
//! instants (in Rome, as the plan's time zone), which keeps every change it made and can be
//! restarted from them as the store restarts the bot.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::*;

/// The section room of [`super::tests::settings`].
pub(super) const ROOM: &str = "!section:ministry.test";

/// June `d`, 2026.
pub(super) fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, d).expect("a June day")
}

/// June `d`, 2026 at `hour`:`minute` in Rome.
pub(super) fn rome_at(d: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Rome
        .from_local_datetime(&day(d).and_hms_opt(hour, minute, 0).expect("a time"))
        .single()
        .expect("one instant")
        .with_timezone(&Utc)
}

/// An engine and every change it persisted, to rebuild it as a restart does.
pub(super) struct DatedBot {
    pub(super) engine: Engine,
    settings: Settings,
    persisted: Vec<Change>,
    sent: usize,
}

impl DatedBot {
    pub(super) fn new(settings: Settings) -> DatedBot {
        DatedBot {
            engine: Engine::new(settings.clone(), State::default()),
            settings,
            persisted: Vec::new(),
            sent: 0,
        }
    }

    pub(super) fn apply(&mut self, input: Input, now: DateTime<Utc>) -> Effects {
        let effects = self.engine.apply(input, now);
        self.persisted.extend(effects.changes.iter().cloned());
        effects
    }

    /// `body` from `sender` in `room` (in `thread`, if given), sent just before `now`.
    pub(super) fn message(
        &mut self,
        now: DateTime<Utc>,
        room: &str,
        sender: &str,
        body: &str,
        thread: Option<&str>,
    ) -> Effects {
        self.sent += 1;
        let message = Message {
            event_id: format!("$m{}", self.sent),
            room_id: room.into(),
            sender: sender.into(),
            sent_at_ms: now.timestamp_millis() - 50,
            body: body.into(),
            thread_root: thread.map(str::to_owned),
            reply_to: None,
            quoted: None,
        };
        self.apply(Input::Message(message), now)
    }

    /// The reply to a command typed in the section room.
    pub(super) fn say(&mut self, now: DateTime<Utc>, sender: &str, body: &str) -> String {
        let effects = self.message(now, ROOM, sender, body, None);
        effects.replies[0].text.body.clone()
    }

    /// A restart: a new engine on the state folded from what was persisted.
    pub(super) fn restart(&mut self) {
        let mut state = State::default();
        for change in &self.persisted {
            state.apply_change(change);
        }
        self.engine = Engine::new(self.settings.clone(), state);
    }
}
