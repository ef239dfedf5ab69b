//! The engine's part in end-to-end encryption: one reply asking to re-send what could never be
//! decrypted (to admitted senders, after the live line), and a warning when a plan room turns
//! encryption on.

use super::encryption::{EncryptionEnabled, Undecryptable};
use super::tests::{at, settings};
use super::*;

const SECTION: &str = "!section:ministry.test";
const DM: &str = "!dm:ministry.test";
const ALICE: &str = "@alice:ministry.test";
const LIVE_MS: i64 = 1_600_000_000_000;

fn undecryptable(room: &str, sender: &str, at_ms: i64) -> Input {
    Input::Undecryptable(Undecryptable {
        room_id: room.into(),
        event_id: "$secret".into(),
        sender: sender.into(),
        at_ms,
    })
}

fn enabled(room: &str) -> Input {
    Input::EncryptionEnabled(EncryptionEnabled {
        room_id: room.into(),
        event_id: "$enc".into(),
        sender: ALICE.into(),
        at_ms: LIVE_MS + 1_000,
    })
}

#[test]
fn a_message_never_decrypted_gets_one_reply_asking_to_send_it_again() {
    let mut engine = Engine::new(settings(Language::En), State::default());
    let effects = engine.apply(
        undecryptable(DM, ALICE, LIVE_MS + 1_000),
        at(LIVE_MS + 2_000),
    );
    assert_eq!(effects.replies.len(), 1);
    let reply = &effects.replies[0];
    assert_eq!(
        (reply.room_id.as_str(), reply.in_reply_to.as_str()),
        (DM, "$secret")
    );
    assert_eq!(reply.mentions, [ALICE]);
    assert!(
        reply.text.body.contains("send it again"),
        "{}",
        reply.text.body
    );
    assert!(effects.changes.is_empty(), "{:?}", effects.changes);

    let italian = Engine::new(settings(Language::It), State::default()).apply(
        undecryptable(DM, ALICE, LIVE_MS + 1_000),
        at(LIVE_MS + 2_000),
    );
    assert!(
        italian.replies[0].text.body.contains("invialo di nuovo"),
        "{}",
        italian.replies[0].text.body
    );
}

#[test]
fn history_and_servers_not_admitted_get_no_reply() {
    let mut engine = Engine::new(settings(Language::En), State::default());
    let history = engine.apply(undecryptable(DM, ALICE, LIVE_MS - 1), at(LIVE_MS + 2_000));
    assert!(history.replies.is_empty());
    let stranger = engine.apply(
        undecryptable(DM, "@eve:elsewhere.test", LIVE_MS + 1_000),
        at(LIVE_MS + 2_000),
    );
    assert!(stranger.replies.is_empty());
}

#[test]
fn turning_encryption_on_in_a_plan_room_warns_there_and_nowhere_else() {
    let mut engine = Engine::new(settings(Language::It), State::default());
    let effects = engine.apply(enabled(SECTION), at(LIVE_MS + 2_000));
    assert_eq!(effects.notices.len(), 1);
    let notice = &effects.notices[0];
    assert_eq!(notice.room_id, SECTION);
    assert_eq!(notice.mentions, [ALICE]);
    assert!(
        notice.text.body.contains("cifratura end-to-end"),
        "{}",
        notice.text.body
    );
    assert!(
        notice.text.body.contains("pspm rebuild"),
        "{}",
        notice.text.body
    );
    assert!(notice.text.body.contains(ALICE), "{}", notice.text.body);

    let in_dm = engine.apply(enabled(DM), at(LIVE_MS + 2_000));
    assert!(in_dm.notices.is_empty() && in_dm.replies.is_empty());
}
