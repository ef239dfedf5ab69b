use super::*;
use crate::domain::{PowerLevels, Rendered, Reply};

fn reply(n: u32) -> Outgoing {
    Outgoing::Reply(Reply {
        room_id: "!r:hs".into(),
        in_reply_to: format!("$e{n}"),
        thread_root: None,
        mentions: vec!["@u:hs".into()],
        text: Rendered {
            body: format!("pong {n}"),
            html: format!("pong {n}"),
        },
        card_for: None,
    })
}

#[test]
fn a_commit_is_all_there_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = SledStore::open(dir.path()).unwrap();
        assert_eq!(store.next_batch().unwrap(), None);
        store
            .commit(Batch {
                next_batch: Some("s1".into()),
                applied: vec!["$e1".into(), "$e2".into()],
                outgoing: vec![("t1".into(), reply(1)), ("t2".into(), reply(2))],
                changes: vec![Change::PowerLevels {
                    room_id: "!r:hs".into(),
                    levels: PowerLevels {
                        users: [("@m:hs".to_owned(), 50)].into(),
                        users_default: 0,
                    },
                }],
            })
            .unwrap();
    }
    let store = SledStore::open(dir.path()).unwrap();
    assert_eq!(store.next_batch().unwrap().as_deref(), Some("s1"));
    assert!(store.is_applied("$e1").unwrap() && store.is_applied("$e2").unwrap());
    assert!(!store.is_applied("$e3").unwrap());
    let outbox = store.outbox(usize::MAX).unwrap();
    assert_eq!(
        outbox.iter().map(|e| e.txn_id.as_str()).collect::<Vec<_>>(),
        ["t1", "t2"]
    );
    assert!(outbox[0].seq < outbox[1].seq);
    let mut expected = State::default();
    expected.apply_change(&Change::PowerLevels {
        room_id: "!r:hs".into(),
        levels: PowerLevels {
            users: [("@m:hs".to_owned(), 50)].into(),
            users_default: 0,
        },
    });
    assert_eq!(store.load_state().unwrap(), expected);
}

#[test]
fn outbox_removal_and_dead_letters() {
    let store = SledStore::temporary().unwrap();
    store
        .commit(Batch {
            outgoing: vec![("a".into(), reply(1)), ("b".into(), reply(2))],
            ..Batch::default()
        })
        .unwrap();
    assert_eq!(store.outbox(1).unwrap().len(), 1);
    let outbox = store.outbox(usize::MAX).unwrap();
    store.remove_outbox(outbox[0].seq).unwrap();
    store.dead_letter(&outbox[1], "M_FORBIDDEN").unwrap();
    assert!(store.outbox(usize::MAX).unwrap().is_empty());
    let dead = store.dead_letters().unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].0.txn_id, "b");
    assert_eq!(dead[0].1, "M_FORBIDDEN");
}

#[test]
fn later_batches_keep_earlier_tokens_unless_they_bring_one() {
    let store = SledStore::temporary().unwrap();
    store
        .commit(Batch {
            next_batch: Some("s1".into()),
            ..Batch::default()
        })
        .unwrap();
    store
        .commit(Batch {
            applied: vec!["$x".into()],
            ..Batch::default()
        })
        .unwrap();
    assert_eq!(store.next_batch().unwrap().as_deref(), Some("s1"));
}

#[test]
fn first_start_is_set_once() {
    let store = SledStore::temporary().unwrap();
    assert_eq!(store.first_start_ms(1000).unwrap(), 1000);
    assert_eq!(store.first_start_ms(2000).unwrap(), 1000);
}

#[test]
fn session_and_rooms_round_trip() {
    let store = SledStore::temporary().unwrap();
    assert_eq!(store.session().unwrap(), None);
    let session = Session {
        user_id: "@b:hs".into(),
        device_id: "D".into(),
        access_token: "tok".into(),
    };
    store.save_session(&session).unwrap();
    assert_eq!(store.session().unwrap(), Some(session));
    store.clear_session().unwrap();
    assert_eq!(store.session().unwrap(), None);
    store.save_room("#p:hs", "!r:hs").unwrap();
    assert_eq!(
        store.room_for_alias("#p:hs").unwrap().as_deref(),
        Some("!r:hs")
    );
    assert_eq!(store.room_for_alias("#q:hs").unwrap(), None);
}
