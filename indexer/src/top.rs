//! The best hits of a search that scores documents itself (`phrase_search`,
//! `word_search`): kept as documents arrive in address order, ranked as tantivy ranks them
//! (score descending, then address ascending).

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use tantivy::{DocAddress, Score};

/// The best `size` (score, address) pairs seen, documents arriving in address order.
pub(crate) struct Top {
    size: usize,
    /// The worst kept hit on top: the lowest score, and on a tie the later address.
    worst_first: BinaryHeap<Reverse<Ranked>>,
}

/// A hit ordered best first: higher score, then earlier address.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Ranked(Score, DocAddress);

impl Eq for Ranked {}

impl Ord for Ranked {
    fn cmp(&self, other: &Ranked) -> Ordering {
        self.0
            .total_cmp(&other.0)
            .then_with(|| other.1.cmp(&self.1))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Ranked) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Top {
    pub fn new(size: usize) -> Top {
        Top {
            size,
            worst_first: BinaryHeap::with_capacity(size + 1),
        }
    }

    /// Whether a later document scoring `score` would be kept: it must beat the worst kept
    /// score, since on a tie the earlier address wins.
    pub fn would_take(&self, score: Score) -> bool {
        if self.worst_first.len() < self.size {
            return true;
        }
        self.worst_first
            .peek()
            .is_some_and(|Reverse(worst)| score > worst.0)
    }

    pub fn offer(&mut self, score: Score, address: DocAddress) {
        if !self.would_take(score) {
            return;
        }
        self.worst_first.push(Reverse(Ranked(score, address)));
        if self.worst_first.len() > self.size {
            self.worst_first.pop();
        }
    }

    pub fn into_sorted(self) -> Vec<(Score, DocAddress)> {
        // Ascending `Reverse` order is best first.
        self.worst_first
            .into_sorted_vec()
            .into_iter()
            .map(|Reverse(Ranked(score, address))| (score, address))
            .collect()
    }
}
