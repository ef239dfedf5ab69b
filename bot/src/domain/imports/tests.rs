//! Imports without a homeserver: messages prepared per section room, and each update
//! applied once however often its message comes back.

use chrono::{NaiveDate, TimeZone, Utc};

use super::post::{prepare, MAX_BATCH_BYTES, MAX_PER_MESSAGE};
use super::*;
use crate::domain::monitoring_tests::plan;
use crate::domain::tests::settings;
use crate::domain::{Engine, Input, Language};

const ROOM: &str = "!section:ministry.test";

fn engine() -> Engine {
    let mut settings = settings(Language::It);
    settings.monitoring = plan();
    Engine::new(settings, State::default())
}

fn message(event_id: &str, source: &str, updates: Vec<Imported>) -> Input {
    Input::Imported(ImportMessage {
        room_id: ROOM.into(),
        event_id: event_id.into(),
        at_ms: Utc
            .with_ymd_and_hms(2026, 6, 10, 9, 0, 0)
            .unwrap()
            .timestamp_millis(),
        batch: ImportBatch {
            source: source.into(),
            updates,
        },
    })
}

#[test]
fn updates_are_posted_in_batches_to_their_section_and_unknown_codes_refused() {
    let engine = engine();
    let progress: Vec<(String, Imported)> = (0..550)
        .map(|i| {
            (
                format!("row {}", i + 2),
                Imported::Progress {
                    key: format!("k{i}"),
                    action: "A.1".into(),
                    progress: (i % 101) as u8,
                    date: None,
                    note: String::new(),
                },
            )
        })
        .collect();
    let prepared = prepare(engine.settings(), engine.state(), "import:p.csv", progress).unwrap();
    assert_eq!((prepared.new, prepared.already), (550, 0));
    let sizes: Vec<usize> = prepared
        .posts
        .iter()
        .map(|p| p.batch.updates.len())
        .collect();
    assert_eq!(sizes, [MAX_PER_MESSAGE, MAX_PER_MESSAGE, 50]);
    // Long notes: cut by size, every message's content within the event size limit.
    let long: Vec<(String, Imported)> = (0..100)
        .map(|i| {
            (
                format!("row {i}"),
                Imported::Progress {
                    key: format!("long{i}"),
                    action: "A.1".into(),
                    progress: 10,
                    date: None,
                    note: "è".repeat(1000),
                },
            )
        })
        .collect();
    let long = prepare(engine.settings(), engine.state(), "import:p.csv", long).unwrap();
    assert!(long.posts.len() > 1);
    for post in &long.posts {
        let json = serde_json::to_vec(&post.batch).unwrap();
        assert!(json.len() <= MAX_BATCH_BYTES + 200, "{}", json.len());
    }
    let carried: usize = long.posts.iter().map(|p| p.batch.updates.len()).sum();
    assert_eq!(carried, 100);
    assert!(prepared.posts.iter().all(|p| p.room_id == ROOM));
    let text = &prepared.posts[2].text.body;
    assert!(
        text.starts_with("📥 50 aggiornamenti importati da `import:p.csv`: A.1 "),
        "{text}"
    );
    assert!(text.ends_with("e altri 42."), "{text}");

    let unknown = vec![
        (
            "row 2".to_owned(),
            Imported::Progress {
                key: "x".into(),
                action: "Z.9".into(),
                progress: 5,
                date: None,
                note: String::new(),
            },
        ),
        (
            "row 3".to_owned(),
            Imported::Measurement {
                key: "y".into(),
                result: "R.9".into(),
                value: 1.0,
                date: None,
                note: String::new(),
            },
        ),
    ];
    assert_eq!(
        prepare(engine.settings(), engine.state(), "import:p.csv", unknown).unwrap_err(),
        [
            "row 2: the plan has no action Z.9",
            "row 3: the plan has no expected result R.9"
        ]
    );
}

#[test]
fn an_import_message_applies_each_update_once() {
    let mut engine = engine();
    let now = Utc.with_ymd_and_hms(2026, 6, 10, 10, 0, 0).unwrap();
    let updates = vec![
        Imported::Progress {
            key: "p1".into(),
            action: "a.1".into(),
            progress: 40,
            date: NaiveDate::from_ymd_opt(2026, 5, 1),
            note: "consegna".into(),
        },
        Imported::Measurement {
            key: "m1".into(),
            result: "R.1".into(),
            value: 150.0,
            date: None,
            note: String::new(),
        },
        // The same key twice in one message counts once.
        Imported::Measurement {
            key: "m1".into(),
            result: "R.1".into(),
            value: 150.0,
            date: None,
            note: String::new(),
        },
    ];
    let effects = engine.apply(message("$imp1", "import:p.csv", updates.clone()), now);
    assert_eq!(effects.changes.len(), 2);
    assert!(effects.replies.is_empty() && effects.notices.is_empty());
    let monitoring = &engine.state().monitoring;
    assert_eq!(monitoring.progress("A.1"), 40);
    let update = &monitoring.updates["A.1"][0];
    assert_eq!(update.author, "@pspm:ministry.test");
    assert_eq!(
        update.origin.as_ref().map(|o| o.source.as_str()),
        Some("import:p.csv")
    );
    let measurement = &monitoring.measurements["R.1"][0];
    assert_eq!(measurement.value, 150.0);
    assert_eq!(
        measurement.date,
        NaiveDate::from_ymd_opt(2026, 6, 10).unwrap()
    );
    // The same updates again, in another message (a second import of the file): nothing.
    let again = engine.apply(message("$imp2", "import:p.csv", updates), now);
    assert!(again.changes.is_empty());
    assert_eq!(engine.state().monitoring.measurements["R.1"].len(), 1);
    // Prepared again, they are not posted at all.
    let prepared = prepare(
        engine.settings(),
        engine.state(),
        "import:p.csv",
        vec![(
            "row 2".into(),
            Imported::Measurement {
                key: "m1".into(),
                result: "R.1".into(),
                value: 150.0,
                date: None,
                note: String::new(),
            },
        )],
    )
    .unwrap();
    assert_eq!(
        (prepared.new, prepared.already, prepared.posts.len()),
        (0, 1, 0)
    );
}

#[test]
fn an_import_message_outside_the_plan_rooms_changes_nothing() {
    let mut engine = engine();
    let Input::Imported(mut elsewhere) = message(
        "$x",
        "import:p.csv",
        vec![Imported::Progress {
            key: "p".into(),
            action: "A.1".into(),
            progress: 90,
            date: None,
            note: String::new(),
        }],
    ) else {
        unreachable!()
    };
    elsewhere.room_id = "!dm:ministry.test".into();
    let now = Utc.with_ymd_and_hms(2026, 6, 10, 10, 0, 0).unwrap();
    let effects = engine.apply(Input::Imported(elsewhere), now);
    assert!(effects.changes.is_empty());
}

#[test]
fn values_travel_as_text_since_event_content_admits_no_fractions() {
    let update = Imported::Measurement {
        key: "k".into(),
        result: "R.1".into(),
        value: 82.5,
        date: None,
        note: String::new(),
    };
    let json = serde_json::to_value(&update).unwrap();
    assert_eq!(json["value"], "82.5");
    assert_eq!(serde_json::from_value::<Imported>(json).unwrap(), update);
    let whole: Imported = serde_json::from_str(
        r#"{"kind":"measurement","key":"k","result":"R.1","value":"42","note":""}"#,
    )
    .unwrap();
    assert!(matches!(whole, Imported::Measurement { value, .. } if value == 42.0));
    let bad = serde_json::from_str::<Imported>(
        r#"{"kind":"measurement","key":"k","result":"R.1","value":"many","note":""}"#,
    );
    assert!(bad.is_err());
}
