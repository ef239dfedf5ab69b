//! What the store keeps in memory about applied events, in a space that does not grow with
//! history, free of sled. The complete set of fingerprints is on disk; in memory:
//! - a [`Window`] of the most recent ones: its "yes" is always right;
//! - a [`Filter`] over all of them (a Bloom filter of a fixed size): its "no" is always right.
//!
//! So most lookups need no read: an event just applied is in the window, one never applied
//! (every new event) is refused by the filter. Only what neither settles is read from disk:
//! an old event, or one of the filter's false positives, which grow as history fills it.

use std::collections::{HashSet, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

/// How many fingerprints the window holds unless told otherwise (about 1 MB): more than a
/// sync response, a walk over a gap or a backlog of a few minutes brings.
pub const DEFAULT_WINDOW: usize = 32_768;
/// The filter's size unless told otherwise: 2 MiB, under 0.1% false positives at 1M events,
/// 2% at 2M, then more (each one costs a read).
pub const DEFAULT_FILTER_BYTES: usize = 2 << 20;
/// Bits set per fingerprint, best for about 2M of them in the default size.
const PROBES: u64 = 6;

/// The last `capacity` fingerprints put in, oldest out first.
#[derive(Debug)]
pub struct Window {
    capacity: usize,
    order: VecDeque<u64>,
    members: HashSet<u64, BuildHasherDefault<Mixed>>,
}

impl Window {
    pub fn new(capacity: usize) -> Window {
        Window {
            capacity,
            // Grown as filled: a small store does not pay for the whole window.
            order: VecDeque::new(),
            members: HashSet::default(),
        }
    }

    pub fn contains(&self, fingerprint: u64) -> bool {
        self.members.contains(&fingerprint)
    }

    /// Puts `fingerprint` in as the newest, unless it is in already; the oldest goes if the
    /// window is full.
    pub fn insert(&mut self, fingerprint: u64) {
        if self.capacity == 0 || !self.members.insert(fingerprint) {
            return;
        }
        self.order.push_back(fingerprint);
        if self.order.len() > self.capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.members.remove(&oldest);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }
}

/// A Bloom filter of a fixed size: after `insert(f)`, `may_contain(f)` is true.
#[derive(Debug)]
pub struct Filter {
    bits: Vec<u64>,
    /// The number of bits less one (a power of two less one).
    mask: u64,
}

impl Filter {
    /// A filter of `bytes` rounded down to a power of two (at least 8).
    pub fn new(bytes: usize) -> Filter {
        let words = (bytes / 8).max(1);
        let words = 1usize << words.ilog2();
        Filter {
            bits: vec![0; words],
            mask: (words as u64 * 64) - 1,
        }
    }

    pub fn insert(&mut self, fingerprint: u64) {
        for bit in probes(fingerprint, self.mask) {
            self.bits[(bit / 64) as usize] |= 1 << (bit % 64);
        }
    }

    pub fn may_contain(&self, fingerprint: u64) -> bool {
        probes(fingerprint, self.mask)
            .all(|bit| self.bits[(bit / 64) as usize] & (1 << (bit % 64)) != 0)
    }

    /// The filter as kept on disk: its words, big-endian.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.bits
            .iter()
            .flat_map(|word| word.to_be_bytes())
            .collect()
    }

    /// The filter `to_bytes` gave, if it has the size `Filter::new(bytes)` would.
    pub fn from_bytes(stored: &[u8], bytes: usize) -> Option<Filter> {
        let mut filter = Filter::new(bytes);
        if stored.len() != filter.bits.len() * 8 {
            return None;
        }
        for (word, chunk) in filter.bits.iter_mut().zip(stored.chunks_exact(8)) {
            *word = u64::from_be_bytes(chunk.try_into().ok()?);
        }
        Some(filter)
    }
}

/// The bits of `fingerprint` in a filter of `mask + 1` bits: double hashing of a mix of it
/// (event fingerprints are FNV, whose low bits vary less).
fn probes(fingerprint: u64, mask: u64) -> impl Iterator<Item = u64> {
    let mixed = mix(fingerprint);
    let (first, step) = (mixed, mixed.rotate_left(32) | 1);
    (0..PROBES).map(move |i| first.wrapping_add(i.wrapping_mul(step)) & mask)
}

/// Hashes a fingerprint, already a hash, with one [`mix`] rather than SipHash: the window
/// takes a hundred per commit.
#[derive(Default)]
struct Mixed(u64);

impl Hasher for Mixed {
    fn finish(&self) -> u64 {
        mix(self.0)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 ^= n;
    }
}

/// The finaliser of SplitMix64: every input bit reaches every output bit.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::participation::fingerprint;

    #[test]
    fn the_oldest_fingerprints_leave_a_full_window() {
        let mut window = Window::new(3);
        for fingerprint in 1..=5 {
            window.insert(fingerprint);
        }
        assert_eq!(window.len(), 3);
        assert!(!window.contains(1) && !window.contains(2));
        assert!((3..=5).all(|f| window.contains(f)));
    }

    #[test]
    fn a_fingerprint_put_in_twice_takes_one_place() {
        let mut window = Window::new(2);
        window.insert(7);
        window.insert(7);
        window.insert(8);
        assert!(window.contains(7) && window.contains(8));
        assert_eq!(window.len(), 2);
    }

    #[test]
    fn an_empty_window_holds_nothing() {
        let mut window = Window::new(0);
        window.insert(1);
        assert_eq!(window.len(), 0);
        assert!(!window.contains(1));
    }

    #[test]
    fn the_filter_keeps_everything_put_in_and_refuses_most_of_the_rest() {
        // 64 KiB for 50k event IDs: about 1% false positives by the formula.
        let mut filter = Filter::new(64 << 10);
        let ids = |range: std::ops::Range<u32>| range.map(|n| fingerprint(&format!("$e{n}")));
        for f in ids(0..50_000) {
            filter.insert(f);
        }
        assert!(ids(0..50_000).all(|f| filter.may_contain(f)));
        let false_positives = ids(50_000..100_000)
            .filter(|&f| filter.may_contain(f))
            .count();
        assert!(false_positives < 1_000, "{false_positives} of 50,000");
    }

    #[test]
    fn a_filter_reads_back_as_kept_if_of_the_size_asked() {
        let mut filter = Filter::new(64);
        for fingerprint in [1, 99, u64::MAX] {
            filter.insert(fingerprint);
        }
        let kept = filter.to_bytes();
        let back = Filter::from_bytes(&kept, 64).unwrap();
        assert!([1, 99, u64::MAX].iter().all(|&f| back.may_contain(f)));
        assert_eq!(back.to_bytes(), kept);
        assert!(Filter::from_bytes(&kept, 128).is_none());
        assert!(Filter::from_bytes(&kept[..63], 64).is_none());
    }

    #[test]
    fn a_filter_is_a_power_of_two_of_at_least_one_word() {
        assert_eq!(Filter::new(0).bits.len(), 1);
        assert_eq!(Filter::new(100).bits.len(), 8);
        let mut tiny = Filter::new(0);
        tiny.insert(5);
        assert!(tiny.may_contain(5));
    }
}
