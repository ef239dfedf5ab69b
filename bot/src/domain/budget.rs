//! Each person's command budget (a token bucket): `command_burst` commands in a row, and
//! `commands_per_minute` more each minute. Without it one person could make the bot post a
//! thousand charts. It lives in the engine, not in the stored state: a restart forgives.
//! Time is the message's own, never later than the bot's clock (a backdated message only
//! costs its sender; a forward-dated one cannot buy tokens), so a backlog the bot catches up
//! on is judged at the pace it was sent.

use std::collections::HashMap;

use super::Settings;

/// People whose bucket is full are forgotten once there are this many.
const REMEMBERED: usize = 10_000;

#[derive(Debug, Default)]
pub struct Budgets {
    buckets: HashMap<String, Bucket>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at_ms: i64,
    /// Told once that they are over budget, until a command goes through again.
    told: bool,
}

/// What a command costs its sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spend {
    Granted,
    /// Over budget: tell them (the first refusal in a row), with the seconds to wait.
    Refused {
        tell: bool,
        wait_secs: u64,
    },
}

impl Budgets {
    /// Takes one command from `user`'s budget at `at_ms` (ms since the epoch).
    pub fn spend(&mut self, settings: &Settings, user: &str, at_ms: i64) -> Spend {
        if settings.commands_per_minute == 0 {
            return Spend::Granted;
        }
        let capacity = f64::from(settings.command_burst.max(1));
        let per_ms = f64::from(settings.commands_per_minute) / 60_000.0;
        if self.buckets.len() >= REMEMBERED {
            self.buckets
                .retain(|_, b| b.tokens + (at_ms - b.at_ms).max(0) as f64 * per_ms < capacity);
        }
        let bucket = self.buckets.entry(user.to_owned()).or_insert(Bucket {
            tokens: capacity,
            at_ms,
            told: false,
        });
        let elapsed = (at_ms - bucket.at_ms).max(0) as f64;
        bucket.tokens = (bucket.tokens + elapsed * per_ms).min(capacity);
        bucket.at_ms = bucket.at_ms.max(at_ms);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            bucket.told = false;
            return Spend::Granted;
        }
        let wait_secs = ((1.0 - bucket.tokens) / per_ms / 1000.0).ceil() as u64;
        let tell = !bucket.told;
        bucket.told = true;
        Spend::Refused {
            tell,
            wait_secs: wait_secs.max(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tests::settings as plan_settings;
    use crate::domain::Language;

    fn settings() -> Settings {
        plan_settings(Language::It)
    }

    #[test]
    fn a_burst_then_one_notice_then_tokens_come_back_with_time() {
        let mut settings = settings();
        settings.command_burst = 3;
        settings.commands_per_minute = 6; // one every 10 s
        let mut budgets = Budgets::default();
        for _ in 0..3 {
            assert_eq!(budgets.spend(&settings, "@a:x", 0), Spend::Granted);
        }
        assert_eq!(
            budgets.spend(&settings, "@a:x", 1_000),
            Spend::Refused {
                tell: true,
                wait_secs: 9
            }
        );
        assert_eq!(
            budgets.spend(&settings, "@a:x", 2_000),
            Spend::Refused {
                tell: false,
                wait_secs: 8
            },
            "told once"
        );
        assert_eq!(
            budgets.spend(&settings, "@b:x", 2_000),
            Spend::Granted,
            "per person"
        );
        assert_eq!(budgets.spend(&settings, "@a:x", 10_000), Spend::Granted);
        assert!(matches!(
            budgets.spend(&settings, "@a:x", 10_500),
            Spend::Refused { tell: true, .. }
        ));
        // A message dated in the past buys nothing; a long pause refills up to the burst.
        assert!(matches!(
            budgets.spend(&settings, "@a:x", -1_000_000),
            Spend::Refused { .. }
        ));
        for _ in 0..3 {
            assert_eq!(budgets.spend(&settings, "@a:x", 3_600_000), Spend::Granted);
        }
        assert!(matches!(
            budgets.spend(&settings, "@a:x", 3_600_000),
            Spend::Refused { .. }
        ));
    }

    #[test]
    fn no_limit_when_the_rate_is_zero() {
        let mut settings = settings();
        settings.commands_per_minute = 0;
        let mut budgets = Budgets::default();
        for _ in 0..1_000 {
            assert_eq!(budgets.spend(&settings, "@a:x", 0), Spend::Granted);
        }
    }
}
