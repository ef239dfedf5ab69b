//! The export across iterations, through the engine: a draft voted by two organisations, two
//! amendments decided, `!iteration close blueprint 2026`, the draft posted again and voted
//! anew; each row says its iteration, items keep their own votes, `--iteration` keeps one
//! iteration's rows, and the amendments and iterations tables say what happened.

use pspm_config::draft::{split_from, Format as DraftFormat};
use serde_json::Value;

use super::{timestamp, Export, Format, Visibility};
use crate::domain::chat_tests::{Chat, ALICE, BOB, MOD, ROOM};
use crate::domain::export_tests::csv_rows;
use crate::domain::monitoring_tests::{assert_table_matches_json, plan};
use crate::domain::{Effects, Input, Message, Phase};

const DRAFT: &str = "# Open data\n\nPublic bodies publish their data in open formats.\n\n\
- a catalogue\n- an API\n";
const CARLA: &str = "@carla:agency.test";
const MARIO: &str = "@mario:ministry.test";

/// `body` from `sender` in the section's room (in the thread of `root` if given), with each
/// posted draft item and amendment card coming back from the homeserver as `$item<id>`.
fn send(chat: &mut Chat, sender: &str, body: &str, root: Option<&str>) -> Effects {
    let message = Message {
        thread_root: root.map(str::to_owned),
        ..chat.message(sender, body)
    };
    let effects = chat.apply(Input::Message(message));
    come_back(chat, &effects);
    effects
}

fn come_back(chat: &mut Chat, effects: &Effects) {
    let ids: Vec<String> = effects
        .notices
        .iter()
        .filter_map(|n| n.item.clone())
        .chain(effects.replies.iter().filter_map(|r| r.item.clone()))
        .collect();
    for id in ids {
        chat.apply(Input::ItemPosted {
            room_id: ROOM.into(),
            event_id: format!("$item{id}"),
            item: id,
        });
    }
    // A proposal's card too.
    for number in effects.replies.iter().filter_map(|r| r.card_for) {
        chat.apply(Input::CardPosted {
            room_id: ROOM.into(),
            number,
            event_id: format!("$card{number}"),
        });
    }
}

/// Two iterations: what each test below reads. The close happens at `closed_ms`.
fn consulted() -> (Chat, i64) {
    let mut chat = Chat::new(None);
    let settings = &mut chat.engine.settings;
    settings.monitoring = plan();
    for section in settings.sections.values_mut() {
        section.draft = split_from(DraftFormat::Markdown, DRAFT, 1);
        section.default_phase = Phase::Consultation;
    }
    let posted = chat.apply(Input::Tick);
    come_back(&mut chat, &posted);
    // Iteration 1. §1.2: Agenzia 2/0, Ministero 0/1; A1's card: Ministero 1/0, Agenzia 0/1.
    chat.react(ALICE, "$item§1.2", "👍");
    chat.react(CARLA, "$item§1.2", "👍");
    chat.react(BOB, "$item§1.2", "👎");
    send(&mut chat, ALICE, "first thoughts", Some("$item§1.2"));
    send(&mut chat, ALICE, "!propose Open data", None);
    chat.react(BOB, "$card1", "👍");
    send(&mut chat, BOB, "!feedback needs a security part", None);
    send(
        &mut chat,
        ALICE,
        "!amend §2\nPublic bodies publish all their data.",
        None,
    );
    chat.react(BOB, "$itemamendment/A1", "👍");
    chat.react(CARLA, "$itemamendment/A1", "👎");
    send(&mut chat, MOD, "!accept A1", None);
    send(&mut chat, BOB, "!amend §3 delete", None);
    send(&mut chat, MOD, "!reject A2 too early", None);
    let closed_ms = chat.clock;
    let close = send(&mut chat, MOD, "!iteration close blueprint 2026", None);
    assert!(
        close.replies[0].text.body.contains("blueprint 2026"),
        "{:?}",
        close.replies
    );
    if close.notices.is_empty() {
        let posted = chat.apply(Input::Tick);
        come_back(&mut chat, &posted);
    }
    // Iteration 2. §1.2: Ministero 2/0, Agenzia 0/1; A3's card: Agenzia 1/0.
    chat.react(BOB, "$item§1.2@2", "👍");
    chat.react(MARIO, "$item§1.2@2", "👍");
    chat.react(ALICE, "$item§1.2@2", "👎");
    send(&mut chat, BOB, "better now", Some("$item§1.2@2"));
    send(&mut chat, BOB, "!propose Cloud first", None);
    send(&mut chat, CARLA, "!amend after §3\nWith a licence.", None);
    chat.react(ALICE, "$itemamendment/A3@2", "👍");
    (chat, closed_ms)
}

fn export(chat: &Chat) -> Export {
    Export::build(
        chat.engine.settings(),
        chat.engine.state(),
        Visibility::Full,
        crate::domain::tests::at(0),
    )
}

/// The JSON rows of `table` whose `item` is `item`, as `(iteration, row)`.
fn rows_of<'a>(json: &'a Value, table: &str, item: &str) -> Vec<(u64, &'a Value)> {
    json[table]
        .as_array()
        .expect(table)
        .iter()
        .filter(|r| r["item"] == item)
        .map(|r| (r["iteration"].as_u64().expect("iteration"), r))
        .collect()
}

/// A CSV table as maps from its header to the cells, one per row.
fn named_rows(csv: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let rows = csv_rows(csv);
    rows[1..]
        .iter()
        .map(|row| rows[0].iter().cloned().zip(row.iter().cloned()).collect())
        .collect()
}

fn csv_of(export: &Export, chat: &Chat, table: &str) -> String {
    export
        .render(Format::Csv, chat.engine.settings().catalogue())
        .into_iter()
        .find(|f| f.table == table)
        .unwrap_or_else(|| panic!("no {table}.csv"))
        .content
}

/// `by_organisation` as the CSV's `supports [<org>]` / `oppositions [<org>]` cells.
fn per_organisation(row: &Value, column: &str) -> Option<String> {
    let (field, org) = column.split_once(" [")?;
    let votes = &row["by_organisation"][org.strip_suffix(']')?][field];
    Some(votes.as_u64().unwrap_or(0).to_string())
}

#[test]
fn items_keep_their_iterations_votes_text_and_comments() {
    let (chat, _) = consulted();
    let export = export(&chat);
    let json = serde_json::to_value(&export).expect("json");
    assert_eq!(json["version"], 4);
    assert_eq!(json["iteration"], Value::Null);
    let paragraph = rows_of(&json, "items", "§1.2");
    let [(1, first), (2, second)] = paragraph[..] else {
        panic!("§1.2 once per iteration: {paragraph:?}");
    };
    assert_eq!(
        first["text"],
        "Public bodies publish their data in open formats."
    );
    assert_eq!(first["event_id"], "$item§1.2");
    assert_eq!(
        (
            &first["by_organisation"]["Agenzia"],
            &first["by_organisation"]["Ministero"]
        ),
        (
            &serde_json::json!({"supports": 2, "oppositions": 0}),
            &serde_json::json!({"supports": 0, "oppositions": 1})
        )
    );
    assert_eq!(first["comments"], 1);
    // As iteration 2 posted it: A1 accepted.
    assert_eq!(second["text"], "Public bodies publish all their data.");
    assert_eq!(second["event_id"], "$item§1.2@2");
    assert_eq!(
        (&second["supports"], &second["oppositions"]),
        (&2.into(), &1.into())
    );
    assert_eq!(second["by_organisation"]["Ministero"]["supports"], 2);
    assert_eq!(second["by_organisation"]["Agenzia"]["oppositions"], 1);
    assert_eq!(second["comments"], 1);
    // A2 (deleting §1.3) was rejected: iteration 2 posts §1.3 again.
    assert_eq!(rows_of(&json, "items", "§1.3").len(), 2);
    let cards: Vec<(u64, &str)> = json["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|r| r["kind"] == "amendment")
        .map(|r| {
            (
                r["iteration"].as_u64().unwrap_or(0),
                r["item"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        cards,
        [
            (1, "amendment/A1"),
            (1, "amendment/A2"),
            (2, "amendment/A3")
        ]
    );

    // The CSV: each per-organisation column holds what its header names, row by row.
    let items_csv = csv_of(&export, &chat, "items");
    assert_table_matches_json(
        &items_csv,
        json["items"].as_array().expect("items"),
        &per_organisation,
    );
    let rows = named_rows(&items_csv);
    let cells = |iteration: &str| {
        let row = rows
            .iter()
            .find(|r| r["item"] == "§1.2" && r["iteration"] == iteration)
            .expect("§1.2");
        [
            "supports [Agenzia]",
            "oppositions [Agenzia]",
            "supports [Ministero]",
            "oppositions [Ministero]",
        ]
        .map(|column| row[column].clone())
    };
    assert_eq!(cells("1"), ["2", "0", "0", "1"]);
    assert_eq!(cells("2"), ["0", "1", "2", "0"]);

    // Comments: the item's key, and the iteration from its id.
    let comments: Vec<(&str, u64, &str)> = json["item_comments"]
        .as_array()
        .expect("item_comments")
        .iter()
        .map(|c| {
            (
                c["item"].as_str().unwrap_or(""),
                c["iteration"].as_u64().unwrap_or(0),
                c["text"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        comments,
        [("§1.2", 1, "first thoughts"), ("§1.2", 2, "better now")]
    );
    assert_table_matches_json(
        &csv_of(&export, &chat, "item_comments"),
        json["item_comments"].as_array().expect("item_comments"),
        &|_, _| None,
    );
}

#[test]
fn proposals_comments_and_amendments_say_their_iteration() {
    let (chat, closed_ms) = consulted();
    let export = export(&chat);
    let json = serde_json::to_value(&export).expect("json");
    let proposals: Vec<(u64, u64)> = json["proposals"]
        .as_array()
        .expect("proposals")
        .iter()
        .map(|p| {
            (
                p["number"].as_u64().unwrap_or(0),
                p["iteration"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(proposals, [(1, 1), (2, 2)]);
    assert_eq!(json["comments"][0]["kind"], "feedback");
    assert_eq!(json["comments"][0]["iteration"], 1);
    let proposals_csv = named_rows(&csv_of(&export, &chat, "proposals"));
    let by_number: Vec<(&str, &str)> = proposals_csv
        .iter()
        .map(|r| (r["number"].as_str(), r["iteration"].as_str()))
        .collect();
    assert_eq!(by_number, [("1", "1"), ("2", "2")]);
    assert_eq!(
        named_rows(&csv_of(&export, &chat, "comments"))[0]["iteration"],
        "1"
    );

    let amendments = json["amendments"].as_array().expect("amendments");
    assert_eq!(amendments.len(), 3);
    let a1 = &amendments[0];
    assert_eq!(
        (
            &a1["number"],
            &a1["section"],
            &a1["paragraph"],
            &a1["kind"],
            &a1["text"],
            &a1["state"],
            &a1["author"],
            &a1["organisation"],
            &a1["iteration"],
        ),
        (
            &1.into(),
            &"dati".into(),
            &"§1.2".into(),
            &"replace".into(),
            &"Public bodies publish all their data.".into(),
            &"accepted".into(),
            &ALICE.into(),
            &"Agenzia".into(),
            &1.into(),
        )
    );
    assert!(a1["decided_at"]
        .as_str()
        .is_some_and(|at| at > a1["created_at"].as_str().unwrap_or("")));
    assert!(a1["decided_at"]
        .as_str()
        .is_some_and(|at| *at < *timestamp(closed_ms)));
    assert_eq!(
        (&a1["supports"], &a1["oppositions"]),
        (&1.into(), &1.into())
    );
    assert_eq!(a1["by_organisation"]["Ministero"]["supports"], 1);
    assert_eq!(a1["by_organisation"]["Agenzia"]["oppositions"], 1);
    assert!(a1["event_id"].as_str().is_some_and(|e| e.starts_with("$m")));
    let a2 = &amendments[1];
    assert_eq!(
        (&a2["kind"], &a2["text"], &a2["state"], &a2["answer"]),
        (
            &"delete".into(),
            &"".into(),
            &"rejected".into(),
            &"too early".into()
        )
    );
    let a3 = &amendments[2];
    assert_eq!(
        (
            &a3["kind"],
            &a3["paragraph"],
            &a3["state"],
            &a3["iteration"],
            &a3["decided_at"]
        ),
        (
            &"insert_after".into(),
            &"§1.3".into(),
            &"open".into(),
            &2.into(),
            &Value::Null
        )
    );
    // Its card is an item of iteration 2: the votes are found under that item's id.
    assert_eq!(a3["by_organisation"]["Agenzia"]["supports"], 1);

    let amendments_csv = csv_of(&export, &chat, "amendments");
    assert_table_matches_json(&amendments_csv, amendments, &per_organisation);
    let rows = named_rows(&amendments_csv);
    assert_eq!(
        (
            rows[0]["number"].as_str(),
            rows[0]["supports [Ministero]"].as_str(),
            rows[0]["oppositions [Ministero]"].as_str(),
            rows[0]["supports [Agenzia]"].as_str(),
            rows[0]["oppositions [Agenzia]"].as_str(),
        ),
        ("1", "1", "0", "0", "1")
    );
    assert_eq!(rows[1]["answer"], "too early");
    assert_eq!(rows[2]["iteration"], "2");
}

#[test]
fn the_iterations_table_has_the_closed_version_then_the_current_one() {
    let (chat, closed_ms) = consulted();
    let export = export(&chat);
    let json = serde_json::to_value(&export).expect("json");
    let closed_at = timestamp(closed_ms);
    assert_eq!(
        json["iterations"],
        serde_json::json!([
            {
                "number": 1,
                "name": "blueprint 2026",
                "state": "closed",
                "started_at": null,
                "closed_at": closed_at,
                "closed_by": MOD,
                "paragraphs": 3,
            },
            {
                "number": 2,
                "name": null,
                "state": "current",
                "started_at": closed_at,
                "closed_at": null,
                "closed_by": null,
                "paragraphs": null,
            },
        ])
    );
    let rows = csv_rows(&csv_of(&export, &chat, "iterations"));
    assert_eq!(
        rows,
        [
            vec![
                "number",
                "name",
                "state",
                "started_at",
                "closed_at",
                "closed_by",
                "paragraphs"
            ],
            vec![
                "1",
                "blueprint 2026",
                "closed",
                "",
                &closed_at,
                &format!("'{MOD}"),
                "3"
            ],
            vec!["2", "", "current", &closed_at, "", "", ""],
        ]
    );
}

#[test]
fn an_export_of_one_iteration_keeps_only_its_rows_and_every_iteration() {
    let (chat, _) = consulted();
    let whole = export(&chat);
    let state = chat.engine.state();
    assert_eq!(state.iterations.find("Blueprint 2026"), Some(1));
    for (given, iteration) in [("blueprint 2026", 1), ("2", 2)] {
        let number = state.iterations.find(given).expect(given);
        let one = export(&chat).of_iteration(number);
        let json = serde_json::to_value(&one).expect("json");
        assert_eq!(json["iteration"], iteration);
        for table in [
            "proposals",
            "comments",
            "polls",
            "items",
            "item_comments",
            "amendments",
        ] {
            let rows = json[table].as_array().expect(table);
            let all = serde_json::to_value(&whole).expect("json")[table]
                .as_array()
                .expect(table)
                .iter()
                .filter(|r| r["iteration"] == iteration)
                .count();
            assert_eq!(rows.len(), all, "{table} of iteration {iteration}");
            assert!(rows.iter().all(|r| r["iteration"] == iteration), "{table}");
        }
        assert_eq!(one.iterations, whole.iterations);
        assert_eq!(
            (&one.objectives, &one.results, &one.actions),
            (&whole.objectives, &whole.results, &whole.actions)
        );
    }
    let first = export(&chat).of_iteration(1);
    let items: Vec<&str> = first.items.iter().map(|i| i.item.as_str()).collect();
    assert_eq!(
        items,
        [
            "§1.1",
            "§1.2",
            "§1.3",
            "objective/OB.1",
            "action/A.1",
            "action/A.2",
            "action/A.3",
            "amendment/A1",
            "amendment/A2"
        ]
    );
    assert_eq!(
        first.proposals.iter().map(|p| p.number).collect::<Vec<_>>(),
        [1]
    );
    let second = export(&chat).of_iteration(2);
    assert_eq!(
        second
            .amendments
            .iter()
            .map(|a| a.number)
            .collect::<Vec<_>>(),
        [3]
    );
    // The CSV files of one iteration: its rows only, the iterations table whole.
    let rows = named_rows(&csv_of(&second, &chat, "items"));
    assert!(rows.iter().all(|r| r["iteration"] == "2"), "{rows:?}");
    assert_eq!(rows.len(), 8, "seven items and A3's card");
    assert_eq!(csv_rows(&csv_of(&second, &chat, "iterations")).len(), 3);

    // The report says which iteration it holds; a whole export says nothing of it.
    let catalogue = chat.engine.settings().catalogue();
    let report = |export: &Export| {
        export.render(Format::Markdown, catalogue)[0]
            .content
            .clone()
    };
    assert!(
        report(&first).contains(
            "\nIteration 1 (blueprint 2026) only: its proposals, comments, polls, draft items \
             and amendments.\n"
        ),
        "{}",
        report(&first)
    );
    assert!(report(&second).contains("\nIteration 2 only: "));
    assert!(!report(&whole).contains("Iteration"), "{}", report(&whole));
}

#[test]
fn export_in_chat_takes_an_iteration_by_name_and_refuses_an_unknown_one() {
    let (mut chat, _) = consulted();
    let effects = send(
        &mut chat,
        MOD,
        "!export json iteration blueprint   2026",
        None,
    );
    let [file] = &effects.files[..] else {
        panic!("one JSON file: {:?}", effects.replies);
    };
    let json: Value = serde_json::from_slice(&file.content).expect("json");
    assert_eq!(json["iteration"], 1);
    assert_eq!(json["proposals"].as_array().map(Vec::len), Some(1));
    assert_eq!(json["iterations"].as_array().map(Vec::len), Some(2));

    let effects = send(&mut chat, MOD, "!export iteration draft zero", None);
    assert_eq!(effects.files, []);
    assert_eq!(
        effects.replies[0].text.body,
        "There is no iteration “draft zero”: `!iteration` lists the versions."
    );
    let effects = send(&mut chat, MOD, "!export csv iteration", None);
    assert_eq!(effects.files, []);
}
