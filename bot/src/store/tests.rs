//! Store round trips on a temporary sled: commits, exactly-once marks, the outbox, merges and
//! reopening.

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
        item: None,
        secret_tally: None,
        receipt: None,
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
    assert_eq!(
        observable(&store.load_state().unwrap()),
        observable(&expected)
    );
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
    assert_eq!(store.outbox_len().unwrap(), 2);
    let outbox = store.outbox(usize::MAX).unwrap();
    store.remove_outbox(outbox[0].seq).unwrap();
    assert_eq!(store.outbox_len().unwrap(), 1);
    store.dead_letter(&outbox[1], "M_FORBIDDEN").unwrap();
    assert!(store.outbox(usize::MAX).unwrap().is_empty());
    assert_eq!(store.outbox_len().unwrap(), 0);
    let dead = store.dead_letters().unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].0.txn_id, "b");
    assert_eq!(dead[0].1, "M_FORBIDDEN");
}

#[test]
fn dead_letters_go_back_to_their_place_or_away_for_good() {
    let store = SledStore::temporary().unwrap();
    store
        .commit(Batch {
            outgoing: vec![
                ("a".into(), reply(1)),
                ("b".into(), reply(2)),
                ("c".into(), reply(3)),
            ],
            ..Batch::default()
        })
        .unwrap();
    let outbox = store.outbox(usize::MAX).unwrap();
    store.dead_letter(&outbox[0], "M_FORBIDDEN").unwrap();
    store.dead_letter(&outbox[1], "M_TOO_LARGE").unwrap();
    assert_eq!(store.retry_dead_letters(Some(outbox[2].seq)).unwrap(), 0);
    assert_eq!(store.retry_dead_letters(Some(outbox[0].seq)).unwrap(), 1);
    assert_eq!(
        store.outbox(usize::MAX).unwrap(),
        [outbox[0].clone(), outbox[2].clone()]
    );
    let dead = store.dead_letters().unwrap();
    assert_eq!(dead, [(outbox[1].clone(), "M_TOO_LARGE".to_owned())]);
    assert_eq!(store.dead_letter_count().unwrap(), 1);
    assert_eq!(store.drop_dead_letters(None).unwrap(), 1);
    assert!(store.dead_letters().unwrap().is_empty());
    assert_eq!(store.dead_letter_count().unwrap(), 0);
    assert_eq!(store.drop_dead_letters(None).unwrap(), 0);
    assert_eq!(store.outbox(usize::MAX).unwrap().len(), 2);
}

#[test]
fn a_session_never_shows_its_access_token() {
    let session = Session {
        user_id: "@b:hs".into(),
        device_id: "DEVICE".into(),
        access_token: "syt_very_secret".into(),
    };
    let shown = format!("{session:?}");
    assert!(
        shown.contains("DEVICE") && shown.contains("@b:hs"),
        "{shown}"
    );
    assert!(!shown.contains("syt_very_secret"), "{shown}");
    let record = format!("{:?}", records::SessionRecord::from(session));
    assert!(!record.contains("syt_very_secret"), "{record}");
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
    store.save_room("#p:hs", "!r:hs").unwrap();
    assert_eq!(
        store.room_for_alias("#p:hs").unwrap().as_deref(),
        Some("!r:hs")
    );
    assert_eq!(store.room_for_alias("#q:hs").unwrap(), None);
}

fn ballots(number: u32, user: &str, stance: crate::domain::participation::Stance) -> Change {
    Change::Ballots {
        number,
        user: user.into(),
        organisation: "Ente".into(),
        ballots: vec![crate::domain::participation::Ballot {
            stance: Some(stance),
            source: u64::from(number),
        }],
    }
}

/// What a reader of the state sees: the phase and who votes what on each proposal.
fn observable(state: &State) -> Vec<String> {
    let participation = &state.participation;
    let mut seen = vec![format!(
        "{:?}",
        participation.phase("dati", crate::domain::Phase::Consultation)
    )];
    for number in 0..7 {
        let mut voters = participation.voters(number);
        voters.sort_by_key(|(user, _)| *user);
        seen.push(format!(
            "{number}: {voters:?} {:?}",
            participation.tally(number)
        ));
    }
    seen
}

fn phase(section: &str, phase: crate::domain::Phase) -> Change {
    Change::Phase {
        section: section.into(),
        phase,
    }
}

#[test]
fn merging_the_log_changes_neither_the_state_nor_what_was_applied() {
    use crate::domain::participation::Stance;
    use crate::domain::Phase;
    let dir = tempfile::tempdir().unwrap();
    let mut expected = State::default();
    let phases = [Phase::Consultation, Phase::Prioritisation, Phase::Closed];
    let stances = [Stance::Support, Stance::Oppose];
    {
        let store = SledStore::open(dir.path()).unwrap();
        for n in 0..300u32 {
            // Later batches overwrite records of earlier ones: the fold must keep the latest.
            let changes = vec![
                phase("dati", phases[n as usize % 3]),
                ballots(n % 7, &format!("@u{}:hs", n % 5), stances[n as usize % 2]),
            ];
            for change in &changes {
                expected.apply_change(change);
            }
            store
                .commit(Batch {
                    applied: vec![format!("$e{n}")],
                    changes,
                    ..Batch::default()
                })
                .unwrap();
            if n == 150 {
                store.merge_due().unwrap();
                // 151 commits = 9 × 16 + 7: 9 records of level 1, 7 of level 0.
                assert_eq!(store.log_len(), 16);
            }
        }
        assert_eq!(
            observable(&store.load_state().unwrap()),
            observable(&expected)
        );
    }
    let store = SledStore::open(dir.path()).unwrap();
    assert_eq!(
        observable(&store.load_state().unwrap()),
        observable(&expected)
    );
    store.merge_due().unwrap();
    // 300 commits = 16 × 16 + 2 × 16 + 12: one record of level 2, 2 of level 1, 12 of level 0.
    assert_eq!(store.log_len(), 15);
    assert_eq!(
        observable(&store.load_state().unwrap()),
        observable(&expected)
    );
    assert!((0..300).all(|n| store.is_applied(&format!("$e{n}")).unwrap()));
    assert!(!store.is_applied("$e300").unwrap());
    drop(store);
    let store = SledStore::open(dir.path()).unwrap();
    assert_eq!(
        observable(&store.load_state().unwrap()),
        observable(&expected)
    );
    assert!(store.is_applied("$e299").unwrap());
}

#[test]
fn a_version_2_store_is_migrated_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let change = phase("dati", crate::domain::Phase::Prioritisation);
    {
        let db = sled::open(dir.path()).unwrap();
        let tree = db.open_tree("pspm").unwrap();
        tree.insert(b"m:schema_version", &2u64.to_be_bytes())
            .unwrap();
        tree.insert(b"a:$old1", &[]).unwrap();
        tree.insert(b"a:$old2", &[]).unwrap();
        // As version 2 wrote it: the change's JSON under its record key.
        tree.insert(
            b"s:phase/dati",
            &br#"{"Phase":{"section":"dati","phase":"prioritisation"}}"#[..],
        )
        .unwrap();
        db.flush().unwrap();
    }
    let store = SledStore::open(dir.path()).unwrap();
    assert!(store.is_applied("$old1").unwrap() && store.is_applied("$old2").unwrap());
    assert!(!store.is_applied("$old3").unwrap());
    let mut expected = State::default();
    expected.apply_change(&change);
    assert_eq!(
        observable(&store.load_state().unwrap()),
        observable(&expected)
    );
}

#[test]
fn a_store_held_open_elsewhere_is_reported_as_locked() {
    let dir = tempfile::tempdir().unwrap();
    let _held = SledStore::open(dir.path()).unwrap();
    match SledStore::open(dir.path()) {
        Err(StoreError::Locked(place)) => assert_eq!(place, dir.path().display().to_string()),
        Err(other) => panic!("not reported as locked: {other}"),
        Ok(_) => panic!("opened twice"),
    }
}

#[test]
fn supports_per_section_survive_a_merge_that_updates_the_proposal_after_its_votes() {
    use crate::domain::participation::Stance;
    use crate::domain::{Proposal, ProposalState};
    let proposal = |state: ProposalState| {
        Change::Proposal(Proposal {
            number: 1,
            section: "dati".into(),
            room_id: "!r:hs".into(),
            title: "Open data".into(),
            description: String::new(),
            author: "@a:hs".into(),
            organisation: "Ente".into(),
            state,
            answer: None,
            hidden: None,
            created_ms: 0,
            updated_ms: 0,
            source_event: "$p".into(),
            card_event: None,
            redacted: false,
        })
    };
    let store = SledStore::temporary().unwrap();
    let mut history = vec![proposal(ProposalState::Open)];
    history.extend((0..5).map(|n| ballots(1, &format!("@u{n}:hs"), Stance::Support)));
    history.push(proposal(ProposalState::Accepted));
    let mut expected = State::default();
    for (n, change) in history.into_iter().enumerate() {
        expected.apply_change(&change);
        // One change per commit, and enough commits for a merge of them all.
        store
            .commit(Batch {
                applied: vec![format!("$e{n}")],
                changes: vec![change],
                ..Batch::default()
            })
            .unwrap();
    }
    for n in 7..16 {
        store
            .commit(Batch {
                applied: vec![format!("$e{n}")],
                ..Batch::default()
            })
            .unwrap();
    }
    store.merge_due().unwrap();
    assert_eq!(store.log_len(), 1);
    let loaded = store.load_state().unwrap();
    assert_eq!(expected.participation.supports_of("dati", "@u3:hs"), 1);
    assert_eq!(loaded.participation.supports_of("dati", "@u3:hs"), 1);
    assert_eq!(observable(&loaded), observable(&expected));
}

/// A copy taken while batches commit holds whole batches only: the restored store's state,
/// applied events and sync token agree with each other, and it goes on committing after them.
#[test]
fn a_copy_taken_during_commits_restores_to_a_consistent_store() {
    use crate::domain::participation::Stance;
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(SledStore::open(&dir.path().join("live")).unwrap());
    let committing = {
        let store = store.clone();
        std::thread::spawn(move || {
            for n in 1..=400u32 {
                store
                    .commit(Batch {
                        next_batch: Some(format!("s{n}")),
                        applied: vec![format!("$vote{n}")],
                        outgoing: vec![(format!("t{n}"), reply(n))],
                        changes: vec![ballots(n, &format!("@u{n}:hs"), Stance::Support)],
                    })
                    .unwrap();
            }
        })
    };
    // Copy in the middle of the commits.
    while store.next_batch().unwrap().is_none() {
        std::thread::yield_now();
    }
    let mut copy = Vec::new();
    let records = store.copy_to(&mut copy).unwrap();
    committing.join().unwrap();
    assert!(records > 0);

    let restored_dir = dir.path().join("restored");
    assert_eq!(
        SledStore::restore(&restored_dir, &mut &copy[..]).unwrap(),
        records
    );
    let restored = SledStore::open(&restored_dir).unwrap();
    let token = restored.next_batch().unwrap().expect("a token");
    let at: u32 = token.trim_start_matches('s').parse().unwrap();
    // Everything up to the token, nothing after it.
    for n in 1..=400u32 {
        assert_eq!(
            restored.is_applied(&format!("$vote{n}")).unwrap(),
            n <= at,
            "{n}"
        );
    }
    let mut expected = State::default();
    for n in 1..=at {
        expected.apply_change(&ballots(n, &format!("@u{n}:hs"), Stance::Support));
    }
    let state = restored.load_state().unwrap();
    assert_eq!(observable(&state), observable(&expected));
    for n in 1..=400u32 {
        let voters = state.participation.voters(n).len();
        assert_eq!(voters, usize::from(n <= at), "proposal {n}, copy at {at}");
    }
    assert_eq!(restored.outbox_len().unwrap(), at as usize);
    // New sequence numbers go past the restored ones: the next commit is last in every list.
    let before = restored.outbox(usize::MAX).unwrap();
    restored
        .commit(Batch {
            next_batch: Some("s-next".into()),
            applied: vec!["$after".into()],
            outgoing: vec![("t-next".into(), reply(999))],
            changes: vec![],
        })
        .unwrap();
    let after = restored.outbox(usize::MAX).unwrap();
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(after.last().unwrap().txn_id, "t-next");
    assert!(restored.is_applied("$after").unwrap());
    // A store already there is not overwritten.
    drop(restored);
    let error = SledStore::restore(&restored_dir, &mut &copy[..]).unwrap_err();
    assert!(
        error.to_string().contains("already holds a store"),
        "{error}"
    );
}
