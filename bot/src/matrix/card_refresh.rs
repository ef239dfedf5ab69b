//! When to bring proposal cards up to date: a card touched by a committed change (a vote, a
//! new state) is refreshed a moment later, once, however many changes came meanwhile, so a
//! burst of votes makes one edit per card. What the card says is decided by the domain
//! ([`crate::domain::cards::refresh`]), which also skips a card that already says it.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// How long a touched card waits for more changes before its edit.
const SETTLE: Duration = Duration::from_secs(2);

#[derive(Debug, Default)]
pub struct CardRefresh {
    due: BTreeMap<u32, Instant>,
}

impl CardRefresh {
    /// Cards whose proposals changed: each is refreshed at most [`SETTLE`] after its first
    /// change (later changes do not push it back).
    pub fn touched(&mut self, numbers: impl IntoIterator<Item = u32>) {
        let due = Instant::now() + SETTLE;
        for number in numbers {
            self.due.entry(number).or_insert(due);
        }
    }

    pub fn next_due(&self) -> Option<Instant> {
        self.due.values().min().copied()
    }

    /// The cards whose time has come, removed.
    pub fn take_due(&mut self, now: Instant) -> Vec<u32> {
        let numbers: Vec<u32> = self
            .due
            .iter()
            .filter(|(_, due)| **due <= now)
            .map(|(number, _)| *number)
            .collect();
        for number in &numbers {
            self.due.remove(number);
        }
        numbers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_touched_many_times_is_due_once_at_its_first_touch_plus_the_settling_time() {
        let mut refresh = CardRefresh::default();
        let start = Instant::now();
        refresh.touched([1, 2]);
        let first_due = refresh.next_due().expect("due");
        refresh.touched([1, 1, 1]);
        assert_eq!(refresh.next_due(), Some(first_due), "not pushed back");
        assert!(refresh.take_due(start).is_empty(), "not before it settles");
        assert_eq!(
            refresh.take_due(first_due + Duration::from_millis(1)),
            [1, 2]
        );
        assert_eq!(refresh.next_due(), None);
    }
}
