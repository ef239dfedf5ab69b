//! The runner the fuzz targets of the workspace share (the bot's too, through the
//! `fuzzing` feature): a few thousand cases each in a normal `cargo test`,
//! as many as `PSPM_FUZZ_CASES` says for a long run (see the README), and a line per target
//! with its count and time (shown with `--nocapture`).

use std::time::Instant;

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// Cases per target when `PSPM_FUZZ_CASES` is not set: seconds in all in a debug build.
const DEFAULT_CASES: u32 = 2_000;

/// Cases per target: `PSPM_FUZZ_CASES` times `weight` (a slow target runs a fraction).
pub fn cases(weight: f64) -> u32 {
    let base = std::env::var("PSPM_FUZZ_CASES")
        .ok()
        .and_then(|cases| cases.trim().parse::<u32>().ok())
        .unwrap_or(DEFAULT_CASES);
    ((f64::from(base) * weight) as u32).max(1)
}

/// Runs `test` on `cases` inputs from `strategy`; a failure or panic fails the calling test
/// with the smallest input proptest shrank it to.
pub fn run<S: Strategy>(
    target: &str,
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    let config = Config {
        cases,
        // Found failures become named regression tests, not files beside the sources.
        failure_persistence: None,
        ..Config::default()
    };
    let started = Instant::now();
    let result = TestRunner::new(config).run(&strategy, test);
    eprintln!(
        "fuzz {target}: {cases} inputs in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    if let Err(error) = result {
        panic!("fuzz {target}: {error}");
    }
}
