//! What real plans write besides dates and numbers: open-ended actions (a start, no due
//! date: ongoing, never late) and targets given as text (with or without a number), followed
//! through statuses, roll-ups, `!status`, `!actions`, `!results`, `!measure`, the reminder,
//! charts, the report and the export.

use super::charts::{self, ChartKind};
use super::export::{Export, Format, Visibility};
use super::monitoring::{self, Action, ActionStatus, ExpectedResult, Plan, Target};
use super::monitoring_tests::{
    action, assert_table_matches_json, day, plan, posted_png, rome, Clock, MODERATOR, OUTSIDER,
    OWNER,
};
use super::tracking::{self, Scope};
use super::*;
use crate::render::{ChartBody, ResultSeries};

fn text(words: &str) -> Option<String> {
    Some(words.to_owned())
}

/// Open-ended from `start`, owned by [`OWNER`].
fn open_ended(code: &str, start: chrono::NaiveDate) -> Action {
    Action {
        start: Some(start),
        due: None,
        ..action(code, day(2030, 1, 1), 1.0, None, &[OWNER])
    }
}

/// The usual plan, with A.4 open-ended since September 2020, A.5 open-ended from September
/// 2026 (after "today", 2026-06-10), and two results whose targets are text.
fn shaped_plan() -> Plan {
    let mut plan = plan();
    plan.actions.push(open_ended("A.4", day(2020, 9, 1)));
    plan.actions.push(open_ended("A.5", day(2026, 9, 1)));
    let result = |code: &str, unit: &str, targets: Vec<(i32, Target)>| ExpectedResult {
        code: code.into(),
        objective: "OB.1".into(),
        title: format!("Result {code}"),
        indicator: unit.into(),
        unit: unit.into(),
        baseline: Some(40.0),
        targets: targets.into_iter().collect(),
    };
    plan.results.push(result(
        "R.2",
        "comuni",
        vec![
            (
                2021,
                Target {
                    value: None,
                    text: text("almeno 80 amministrazioni"),
                },
            ),
            (
                2026,
                Target {
                    value: Some(7900.0),
                    text: text("tutti i comuni"),
                },
            ),
        ],
    ));
    plan.results.push(result(
        "R.3",
        "",
        vec![(
            2026,
            Target {
                value: None,
                text: text("riduzione significativa"),
            },
        )],
    ));
    plan
}

#[test]
fn an_open_ended_action_is_ongoing_from_its_start_and_never_late() {
    let plan = shaped_plan();
    let (a4, a5) = (&plan.actions[3], &plan.actions[4]);
    let status = monitoring::status;
    assert_eq!(status(a4, 0, day(2026, 6, 10)), ActionStatus::Ongoing);
    assert_eq!(status(a4, 40, day(2026, 6, 10)), ActionStatus::Ongoing);
    // Years on, it is still not late, nor ever due soon.
    assert_eq!(status(a4, 40, day(2040, 1, 1)), ActionStatus::Ongoing);
    assert_eq!(status(a4, 100, day(2026, 6, 10)), ActionStatus::Done);
    // Before its start, nothing done: not started; from the start: ongoing.
    assert_eq!(status(a5, 0, day(2026, 6, 10)), ActionStatus::NotStarted);
    assert_eq!(status(a5, 10, day(2026, 6, 10)), ActionStatus::Ongoing);
    assert_eq!(status(a5, 0, day(2026, 9, 1)), ActionStatus::Ongoing);
    // Open-ended actions sort after the dated ones.
    let mut sorted: Vec<&Action> = plan.actions.iter().rev().collect();
    sorted.sort_by(|a, b| monitoring::by_due(a, b));
    let codes: Vec<&str> = sorted.iter().map(|a| a.code.as_str()).collect();
    assert_eq!(codes, ["A.3", "A.2", "A.1", "A.4", "A.5"]);
}

#[test]
fn status_and_actions_show_open_ended_actions_and_roll_them_up() {
    let mut clock = Clock::with(shaped_plan());
    clock.say(OWNER, "!progress A.4 40");
    let status = clock.say(OUTSIDER, "!status");
    // (3×0 + 1×0 + 1×0 + 1×40 + 1×0) / 7 = 5.7.
    assert!(status.contains("Progress of Dati: 6%"), "{status}");
    assert!(
        status.contains(
            "not started 2 · in progress 0 · ongoing (open-ended) 1 · due within 30 days 1 · late 1 · done 0"
        ),
        "{status}"
    );
    assert!(
        status.contains("`A.3` Action A.3 — due 2026-05-31"),
        "{status}"
    );
    assert!(!status.contains("A.4"), "never late: {status}");

    let actions = clock.say(OUTSIDER, "!actions");
    let lines: Vec<&str> = actions.lines().skip(1).collect();
    assert_eq!(
        lines,
        [
            "`A.3` Action A.3 — late · 0% · due 2026-05-31 · @mod:ministry.test",
            "`A.2` Action A.2 — due soon · 0% · due 2026-06-20 · @owner:agency.test",
            "`A.1` Action A.1 — not started · 0% · due 2026-12-31 · Agenzia",
            "`A.4` Action A.4 — ongoing · 40% · open-ended, from 2020-09-01 · @owner:agency.test",
            "`A.5` Action A.5 — not started · 0% · open-ended, from 2026-09-01 · @owner:agency.test",
        ],
        "{actions}"
    );
    let late = clock.say(OUTSIDER, "!actions late");
    assert!(late.contains("A.3") && !late.contains("A.4"), "{late}");
    // In Italian too.
    clock.say(OUTSIDER, "!language it");
    let italian = clock.say(OUTSIDER, "!actions");
    assert!(
        italian.contains("`A.4` Action A.4 — continuativa · 40% · senza scadenza, dal 2020-09-01"),
        "{italian}"
    );
}

#[test]
fn a_due_date_can_be_taken_away_but_only_from_an_action_with_a_start() {
    let mut plan = shaped_plan();
    plan.actions.push(Action {
        start: None,
        ..action("A.6", day(2026, 12, 31), 1.0, None, &[])
    });
    let mut clock = Clock::with(plan);
    let edited = clock.say(MODERATOR, "!action A.1 due none");
    assert!(
        edited.contains("start 2026-01-01, due none (open-ended), weight 3"),
        "{edited}"
    );
    let a1 = monitoring::find_action(
        &clock.engine.settings().monitoring,
        &clock.engine.state().monitoring,
        "A.1",
    )
    .cloned();
    assert_eq!(a1.map(|a| a.due), Some(None));
    let refused = clock.say(MODERATOR, "!action A.6 scadenza nessuna");
    assert!(
        refused.contains("an open-ended action needs a start date"),
        "{refused}"
    );
    // A date again makes it an action with a due date.
    assert!(clock
        .say(MODERATOR, "!action A.1 due 2027-03-31")
        .contains("due 2027-03-31"));
}

#[test]
fn the_reminder_leaves_open_ended_actions_out() {
    let mut clock = Clock::with(shaped_plan());
    let reminder = clock.engine.apply(Input::Tick, rome(9, day(2026, 6, 14)));
    let text = &reminder.notices[0].text.body;
    assert!(
        text.contains("Late: `A.3`") && text.contains("Due within 7 days: `A.2`"),
        "{text}"
    );
    assert!(!text.contains("A.4") && !text.contains("A.5"), "{text}");
}

#[test]
fn text_targets_show_where_numbers_would() {
    let mut clock = Clock::with(shaped_plan());
    let results = clock.say(OUTSIDER, "!results");
    // R.2's 2026 target has a number, which is shown; R.3's is only words.
    assert!(
        results.contains("`R.2` Result R.2 — latest – / target 7900 comuni (baseline 40)"),
        "{results}"
    );
    assert!(
        results
            .contains("`R.3` Result R.3 — latest – / target riduzione significativa (baseline 40)"),
        "{results}"
    );
    // A measurement of 2021 is held against 2021's target, which is words.
    let measured = clock.say(MODERATOR, "!measure R.2 75 2021-05-01");
    assert!(
        measured.contains("75 comuni on 2021-05-01 (2021 target: almeno 80 amministrazioni)"),
        "{measured}"
    );
}

#[test]
fn charts_draw_only_numeric_targets_and_say_the_others() {
    let mut clock = Clock::with(shaped_plan());
    clock.say(OWNER, "!progress A.4 40");
    let now = rome(10, day(2026, 6, 10));
    let settings = clock.engine.settings();
    let state = clock.engine.state();
    let scope = Scope::section(&settings.sections[super::monitoring_tests::ROOM]);
    let catalogue = settings.catalogue();
    let chart = charts::chart(settings, state, now, &scope, ChartKind::Results, catalogue);
    let ChartBody::Results(results) = &chart.body else {
        panic!("a results chart");
    };
    let series = |code: &str| -> &ResultSeries {
        results.results.iter().find(|s| s.code == code).expect(code)
    };
    assert_eq!(series("R.2").targets, [(2026, 7900.0)]);
    assert_eq!(series("R.2").current_target, Some(7900.0));
    assert!(
        series("R.2").summary.ends_with("2026 target 7,900 comuni"),
        "{}",
        series("R.2").summary
    );
    assert!(series("R.3").targets.is_empty());
    assert_eq!(series("R.3").current_target, None);
    assert!(
        series("R.3")
            .summary
            .ends_with("2026 target riduzione significativa"),
        "{}",
        series("R.3").summary
    );
    // Both kinds rasterise, and their text alternatives say the same.
    let posted = posted_png(&clock.at(now, OUTSIDER, "!chart results"));
    let alternative = posted.caption.expect("a text alternative");
    assert!(
        alternative.contains("2026 target riduzione significativa"),
        "{alternative}"
    );
    let progress = posted_png(&clock.at(now, OUTSIDER, "!chart"));
    let alternative = progress.caption.expect("a text alternative");
    assert!(
        alternative.contains(
            "(not started: 2, in progress: 0, ongoing: 1, due soon: 1, late: 1, done: 0)"
        ) && alternative.contains("A.4 Action A.4 40% (ongoing)"),
        "{alternative}"
    );
    // An objective whose remaining work is all open-ended shows as ongoing.
    let state = clock.engine.state();
    let plan = &clock.engine.settings().monitoring;
    let group = |codes: &[&str]| {
        let actions: Vec<&Action> = plan
            .actions
            .iter()
            .filter(|a| codes.contains(&a.code.as_str()))
            .collect();
        charts::group_status(&actions, state, day(2026, 6, 10))
    };
    assert_eq!(group(&["A.4"]), ActionStatus::Ongoing);
    assert_eq!(group(&["A.4", "A.3"]), ActionStatus::Late);
    assert_eq!(group(&["A.4", "A.1"]), ActionStatus::InProgress);
}

#[test]
fn the_report_shows_open_ended_actions_and_text_targets() {
    let mut clock = Clock::with(shaped_plan());
    clock.say(OWNER, "!progress A.4 40");
    let now = rome(10, day(2026, 6, 10));
    let report = tracking::report(clock.engine.settings(), clock.engine.state(), now);
    let section = &report.sections[0];
    let a4 = section
        .actions
        .iter()
        .find(|a| a.code == "A.4")
        .expect("A.4");
    assert_eq!(
        (a4.due.as_str(), a4.status),
        ("open-ended, from 2020-09-01", ActionStatus::Ongoing)
    );
    assert!(report
        .status_names
        .iter()
        .any(|(s, n)| *s == ActionStatus::Ongoing && n == "ongoing"));
    let r3 = section
        .results
        .iter()
        .find(|r| r.label.starts_with("R.3"))
        .expect("R.3");
    assert_eq!(
        (r3.target, r3.target_text.as_deref()),
        (None, Some("riduzione significativa"))
    );
    let r2 = section
        .results
        .iter()
        .find(|r| r.label.starts_with("R.2"))
        .expect("R.2");
    assert_eq!((r2.target, r2.target_text.as_deref()), (Some(7900.0), None));
    let html = crate::render::report::render_html(&report);
    assert!(
        html.contains("<td>riduzione significativa</td>"),
        "the text stands in the target's cell"
    );
    assert!(html.contains("<span class=\"status s-ongoing\">ongoing</span>"));
    assert!(html.contains("open-ended, from 2020-09-01"));
    // A plan without open-ended actions has no column for them.
    let plain = tracking::report(Clock::new().engine.settings(), &State::default(), now);
    assert!(plain
        .status_names
        .iter()
        .all(|(s, _)| *s != ActionStatus::Ongoing));
}

#[test]
fn the_export_round_trips_open_ended_actions_and_text_targets() {
    let mut clock = Clock::with(shaped_plan());
    clock.say(OWNER, "!progress A.4 40");
    let now = rome(10, day(2026, 6, 10));
    let export = Export::build(
        clock.engine.settings(),
        clock.engine.state(),
        Visibility::Public,
        now,
    );
    let json = serde_json::to_value(&export).unwrap();
    let action = |code: &str| {
        json["actions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["code"] == code)
            .cloned()
            .expect(code)
    };
    let a4 = action("A.4");
    assert_eq!(
        (&a4["start"], &a4["due"], &a4["status"]),
        (
            &"2020-09-01".into(),
            &serde_json::Value::Null,
            &"ongoing".into()
        )
    );
    assert_eq!(action("A.1")["due"], "2026-12-31");
    let result = |code: &str| {
        json["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == code)
            .cloned()
            .expect(code)
    };
    assert_eq!(
        result("R.2")["targets"],
        serde_json::json!({ "2026": 7900.0 })
    );
    assert_eq!(
        result("R.2")["target_text"],
        serde_json::json!({ "2021": "almeno 80 amministrazioni", "2026": "tutti i comuni" })
    );
    assert_eq!(result("R.3")["targets"], serde_json::json!({}));
    assert_eq!(result("R.1")["target_text"], serde_json::json!({}));

    let files = export.render(Format::Csv, clock.engine.settings().catalogue());
    let file = |suffix: &str| {
        files
            .iter()
            .find(|f| f.filename.ends_with(suffix))
            .map(|f| f.content.clone())
            .unwrap_or_else(|| panic!("no {suffix}"))
    };
    let results = file(".results.csv");
    assert!(
        results.lines().next().unwrap().ends_with(
            r#""measurements","target 2026","target 2027","target text 2021","target text 2026""#
        ),
        "{results}"
    );
    assert_table_matches_json(
        &results,
        json["results"].as_array().unwrap(),
        &|row, column| {
            if column == "measurements" {
                return Some(row["measurements"].as_array()?.len().to_string());
            }
            if let Some(year) = column.strip_prefix("target text ") {
                return Some(
                    row["target_text"][year]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                );
            }
            column
                .strip_prefix("target ")
                .map(|year| match &row["targets"][year] {
                    serde_json::Value::Null => String::new(),
                    value => value.to_string(),
                })
        },
    );
    let actions_csv = file(".actions.csv");
    assert!(
        actions_csv.contains(
            r#""A.4","dati","OB.1","Action A.4","","'@owner:agency.test","2020-09-01","","1","","ongoing","40","1""#
        ),
        "{actions_csv}"
    );
    let md = &export.render(Format::Markdown, clock.engine.settings().catalogue())[0].content;
    assert!(
        md.contains("| 2021: almeno 80 amministrazioni, 2026: 7900 |")
            && md.contains(
                "| A.4 | Action A.4 |  | open-ended, from 2020-09-01 | ongoing | 40% | 1 |"
            ),
        "{md}"
    );
}
