//! Says how to run the end-to-end tests when a plain `cargo test` leaves them out (they need
//! the `e2e` feature), instead of letting them fail for want of a homeserver.

#[cfg(not(feature = "e2e"))]
#[test]
fn end_to_end_tests_are_off_without_the_e2e_feature() {
    use std::io::Write as _;

    // Written to stderr itself: the test harness captures `eprintln!` of a passing test, and
    // this line is for the person who ran `cargo test`.
    let _ = writeln!(
        std::io::stderr(),
        "end-to-end tests against real Synapse homeservers are off: run scripts/test, \
         or cargo build -p pspm && cargo test -p pspm-e2e --features e2e"
    );
}
