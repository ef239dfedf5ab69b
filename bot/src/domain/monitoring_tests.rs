//! Monitoring with a fixed clock: roll-up by weight, late and due-soon, measurements against
//! targets, owners' rights, accepted proposals becoming actions, and the daily reminder.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::monitoring::{Action, ActionStatus, ExpectedResult, Objective, Plan};
use super::tests::settings;
use super::*;

pub(super) const ROOM: &str = "!section:ministry.test";
pub(super) const MODERATOR: &str = "@mod:ministry.test";
pub(super) const OWNER: &str = "@owner:agency.test";
pub(super) const COLLEAGUE: &str = "@colleague:agency.test";
pub(super) const OUTSIDER: &str = "@outsider:ministry.test";

pub(super) fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub(super) fn action(
    code: &str,
    due: NaiveDate,
    weight: f64,
    owner: Option<&str>,
    owners: &[&str],
) -> Action {
    Action {
        code: code.into(),
        section: "dati".into(),
        objective: Some("OB.1".into()),
        title: format!("Action {code}"),
        owner: owner.map(str::to_owned),
        owners: owners.iter().map(|o| (*o).to_owned()).collect(),
        start: Some(day(2026, 1, 1)),
        due: Some(due),
        weight,
        proposal: None,
    }
}

pub(super) fn plan() -> Plan {
    Plan {
        objectives: vec![Objective {
            code: "OB.1".into(),
            section: "dati".into(),
            title: "Open data".into(),
        }],
        results: vec![ExpectedResult {
            code: "R.1".into(),
            objective: "OB.1".into(),
            title: "Datasets published".into(),
            indicator: "datasets".into(),
            unit: "datasets".into(),
            baseline: Some(100.0),
            targets: [(2026, 180.0.into()), (2027, 250.0.into())].into(),
        }],
        actions: vec![
            // Weight 3, owned by the agency (organisation).
            action("A.1", day(2026, 12, 31), 3.0, Some("Agenzia"), &[]),
            // Weight 1, owned by one person; due within the month.
            action("A.2", day(2026, 6, 20), 1.0, None, &[OWNER]),
            // Already late on 2026-06-10.
            action("A.3", day(2026, 5, 31), 1.0, None, &[MODERATOR]),
        ],
        config: Default::default(),
    }
}

pub(super) struct Clock {
    pub(super) engine: Engine,
    sent: usize,
}

/// 2026-06-10 at `hour`:00 in Rome (CEST, UTC+2).
pub(super) fn rome(hour: u32, date: NaiveDate) -> DateTime<Utc> {
    chrono_tz::Europe::Rome
        .from_local_datetime(&date.and_hms_opt(hour, 0, 0).unwrap())
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

impl Clock {
    pub(super) fn new() -> Clock {
        Clock::with(plan())
    }

    pub(super) fn with(plan: Plan) -> Clock {
        let mut settings = settings(Language::En);
        settings.monitoring = plan;
        Clock {
            engine: Engine::new(settings, State::default()),
            sent: 0,
        }
    }

    pub(super) fn at(&mut self, now: DateTime<Utc>, sender: &str, body: &str) -> Effects {
        self.sent += 1;
        self.engine.apply(
            Input::Message(Message {
                event_id: format!("$m{}", self.sent),
                room_id: ROOM.into(),
                sender: sender.into(),
                sent_at_ms: now.timestamp_millis() - 50,
                body: body.into(),
                thread_root: None,
                reply_to: None,
                quoted: None,
            }),
            now,
        )
    }

    /// The reply to the command (moderation also posts notices in proposals' threads).
    pub(super) fn say(&mut self, sender: &str, body: &str) -> String {
        let effects = self.at(rome(10, day(2026, 6, 10)), sender, body);
        let event_id = format!("$m{}", self.sent);
        let replies: Vec<_> = effects
            .replies
            .iter()
            .filter(|r| r.in_reply_to == event_id)
            .collect();
        assert_eq!(replies.len(), 1, "{body}");
        replies[0].text.body.clone()
    }
}

#[test]
fn status_rolls_up_by_weight_and_lists_what_is_late() {
    let mut clock = Clock::new();
    assert!(clock
        .say(COLLEAGUE, "!progress A.1 50 halfway")
        .contains("0% → 50%"));
    assert!(clock.say(OWNER, "!progress A.2 100").contains("(done)"));
    let status = clock.say(OUTSIDER, "!status");
    // (3×50 + 1×100 + 1×0) / 5 = 50.
    assert!(status.contains("Progress of Dati: 50%"), "{status}");
    assert!(
        status.contains("not started 0 · in progress 1 · due within 30 days 0 · late 1 · done 1"),
        "{status}"
    );
    assert!(
        status.contains("`A.3` Action A.3 — due 2026-05-31, 0%"),
        "{status}"
    );
    assert!(
        status.contains("Objective `OB.1` Open data: 50%"),
        "{status}"
    );
    let late = clock.say(OUTSIDER, "!actions late");
    assert!(late.contains("A.3") && !late.contains("A.1"), "{late}");
    let mine = clock.say(OWNER, "!actions mine");
    assert!(
        mine.contains("A.2") && mine.contains("A.1") && !mine.contains("A.3"),
        "{mine}"
    );
}

#[test]
fn statuses_on_given_days() {
    let plan = plan();
    let a2 = &plan.actions[1];
    assert_eq!(
        monitoring::status(a2, 0, day(2026, 5, 1)),
        ActionStatus::NotStarted
    );
    assert_eq!(
        monitoring::status(a2, 10, day(2026, 5, 1)),
        ActionStatus::InProgress
    );
    assert_eq!(
        monitoring::status(a2, 10, day(2026, 6, 1)),
        ActionStatus::DueSoon
    );
    assert_eq!(
        monitoring::status(a2, 99, day(2026, 6, 21)),
        ActionStatus::Late
    );
    assert_eq!(
        monitoring::status(a2, 100, day(2027, 1, 1)),
        ActionStatus::Done
    );
}

#[test]
fn only_moderators_and_owners_update_and_only_from_0_to_100() {
    let mut clock = Clock::new();
    let refused = clock.say(OUTSIDER, "!progress A.2 30");
    assert!(
        refused.contains("Only moderators and the owners of `A.2`"),
        "{refused}"
    );
    for bad in [
        "!progress A.2 101",
        "!progress A.2 -5",
        "!progress A.2 half",
        "!progress A.2",
    ] {
        assert!(
            clock.say(OWNER, bad).contains("!progress <code> <0-100>"),
            "{bad}"
        );
    }
    assert!(clock
        .say(OWNER, "!progress A.9 10")
        .contains("No action with code `A.9`"));
    assert!(
        clock.engine.state().monitoring.updates.is_empty(),
        "refusals change nothing"
    );
    // Organisation ownership: anyone from the agency's server.
    assert!(clock
        .say(COLLEAGUE, "!progress a.1 20")
        .contains("0% → 20%"));
    assert!(clock
        .say(MODERATOR, "!progress A.1 35 checked")
        .contains("20% → 35%"));
    let history = clock.say(OUTSIDER, "!history A.1");
    assert!(
        history.contains(COLLEAGUE) && history.contains("35% checked"),
        "{history}"
    );
}

#[test]
fn measurements_against_this_years_target() {
    let mut clock = Clock::new();
    assert!(clock
        .say(OUTSIDER, "!measure R.1 150")
        .contains("Only moderators"));
    let done = clock.say(COLLEAGUE, "!measure R.1 150 2026-05-31 first count");
    assert!(
        done.contains("150 datasets on 2026-05-31 (2026 target: 180)"),
        "{done}"
    );
    clock.say(MODERATOR, "!measure R.1 140,5 2026-04-30");
    let results = clock.say(OUTSIDER, "!results");
    // The latest by date wins, not the latest typed.
    assert!(
        results.contains("latest 150 (2026-05-31) / target 180 datasets (baseline 100)"),
        "{results}"
    );
    assert!(clock
        .say(MODERATOR, "!measure R.9 1")
        .contains("No expected result"));
    assert!(clock
        .say(MODERATOR, "!measure R.1 lots")
        .contains("!measure <result-code>"));
}

#[test]
fn an_accepted_proposal_becomes_an_action_its_owner_can_update() {
    let mut clock = Clock::new();
    clock.say(OWNER, "!propose Open the cadastre\nAll of it.");
    assert!(clock
        .say(MODERATOR, "!assign 1 A.10 @owner:agency.test 2026-09-30")
        .contains("not accepted"));
    clock.say(MODERATOR, "!accept 1 yes");
    assert!(clock
        .say(OWNER, "!assign 1 A.10 @owner:agency.test 2026-09-30")
        .contains("moderators"));
    assert!(clock
        .say(MODERATOR, "!assign 1 A.1 Agenzia 2026-09-30")
        .contains("already used"));
    assert!(clock
        .say(MODERATOR, "!assign 1 A.10 Nobody 2026-09-30")
        .contains("Unknown owner"));
    assert!(clock
        .say(MODERATOR, "!assign 1 A.10 Agenzia 30/09/2026")
        .contains("!assign <n>"));
    let assigned = clock.say(MODERATOR, "!assign 1 A.10 @owner:agency.test 2026-09-30 2");
    assert!(
        assigned.contains("now action `A.10` “Open the cadastre”"),
        "{assigned}"
    );
    assert!(assigned.contains("weight 2"), "{assigned}");
    assert!(clock
        .say(MODERATOR, "!assign 1 A.11 Agenzia 2026-09-30")
        .contains("already action `A.10`"));
    assert!(clock.say(OWNER, "!progress A.10 40").contains("0% → 40%"));
    let status = clock.say(OUTSIDER, "!status all");
    // (3×0 + 1×0 + 1×0 + 2×40) / 7 = 11.4.
    assert!(
        status.contains("Progress of the whole plan: 11%"),
        "{status}"
    );
}

#[test]
fn the_reminder_goes_out_once_a_day_from_the_reminder_time() {
    let mut clock = Clock::new();
    let tick = |clock: &mut Clock, now| clock.engine.apply(Input::Tick, now);
    // 08:00 in Rome: before the default 09:00.
    assert!(tick(&mut clock, rome(8, day(2026, 6, 10)))
        .notices
        .is_empty());
    let first = tick(&mut clock, rome(9, day(2026, 6, 10)));
    assert_eq!(first.notices.len(), 1);
    let text = &first.notices[0].text.body;
    assert!(text.contains("Late: `A.3`"), "{text}");
    assert!(
        !text.contains("A.2"),
        "A.2 is due in 10 days, beyond the 7-day horizon: {text}"
    );
    assert_eq!(first.notices[0].key, format!("reminder.{ROOM}.2026-06-10"));
    // The owner of the late action is mentioned: in `m.mentions` and as a pill.
    assert_eq!(first.notices[0].mentions, [MODERATOR]);
    assert!(
        text.ends_with(&format!("\nOwners of late actions: {MODERATOR}")),
        "{text}"
    );
    assert!(first.notices[0].text.html.ends_with(&format!(
        "Owners of late actions: <a href=\"https://matrix.to/#/{MODERATOR}\">{MODERATOR}</a>"
    )));
    assert!(
        tick(&mut clock, rome(18, day(2026, 6, 10)))
            .notices
            .is_empty(),
        "once a day"
    );
    let next_day = tick(&mut clock, rome(9, day(2026, 6, 14)));
    assert_eq!(
        next_day.notices[0].mentions,
        [MODERATOR],
        "A.3 is still late"
    );
    assert!(next_day.notices[0]
        .text
        .body
        .contains("Due within 7 days: `A.2`"));
    // Nothing due: no message (but the day is recorded).
    clock.say(MODERATOR, "!progress A.3 100");
    clock.say(OWNER, "!progress A.2 100");
    let quiet = tick(&mut clock, rome(9, day(2026, 6, 15)));
    assert!(quiet.notices.is_empty() && !quiet.changes.is_empty());
}

/// The one file a command posted, after checking it is a PNG of the size it announces.
pub(super) fn posted_png(effects: &Effects) -> FilePost {
    assert_eq!(effects.files.len(), 1, "{:?}", effects.replies);
    let file = effects.files[0].clone();
    assert_eq!(file.mimetype, "image/png");
    let decoder = png::Decoder::new(std::io::Cursor::new(file.content.as_slice()));
    let reader = decoder.read_info().expect("a PNG");
    let (width, height) = file.image.expect("an image");
    assert_eq!((reader.info().width, reader.info().height), (width, height));
    assert!(width >= 800 && height >= 200, "{width}×{height}");
    file
}

#[test]
fn a_chart_is_a_png_whose_body_says_what_it_shows() {
    let mut clock = Clock::new();
    let now = rome(10, day(2026, 6, 10));
    clock.say(COLLEAGUE, "!progress A.1 50 halfway");
    // Progress of the section: objectives, then actions; the body is its text alternative.
    let chart = posted_png(&clock.at(now, OUTSIDER, "!chart"));
    assert_eq!(chart.filename, "dati-2026-06-10.png");
    let text = chart.caption.expect("a text alternative");
    for said in [
        // (3×50 + 1×0 + 1×0) / 5 = 30%.
        "Dati: 30% overall across 3 actions (not started: 0, in progress: 1, due soon: 1, late: 1, done: 0).",
        "1 action late: A.3 Action A.3 (0%).",
        "Objectives: OB.1 Open data 30% (late).",
        "Actions: A.1 Action A.1 50% (in progress); A.2 Action A.2 0% (due soon); A.3 Action A.3 0% (late).",
    ] {
        assert!(text.contains(said), "{said:?} not in {text}");
    }
    // The whole plan: sections with their objectives.
    let plan = posted_png(&clock.at(now, OUTSIDER, "!chart all"));
    assert_eq!(plan.filename, "pt-2026-06-10.png");
    let text = plan.caption.expect("a text alternative");
    assert!(
        text.starts_with("the whole plan: 30% overall across 3 actions"),
        "{text}"
    );
    assert!(
        text.contains("Sections and their objectives: Dati 30% (late); OB.1 Open data 30% (late)."),
        "{text}"
    );
    // Nothing else is posted or changed by a chart.
    assert!(clock.at(now, OUTSIDER, "!chart section").changes.is_empty());
}

#[test]
fn the_results_chart_names_each_result_and_its_measurements_over_time() {
    let mut clock = Clock::new();
    let now = rome(10, day(2026, 6, 10));
    clock.say(MODERATOR, "!measure R.1 1200,5 2026-01-15");
    clock.say(MODERATOR, "!measure R.1 1500 2026-05-01");
    let chart = posted_png(&clock.at(now, OUTSIDER, "!chart results"));
    assert_eq!(chart.filename, "dati-results-2026-06-10.png");
    let text = chart.caption.expect("a text alternative");
    assert!(text.starts_with("1 expected result of Dati."), "{text}");
    assert!(
        text.contains(
            "R.1 Datasets published: latest 1,500 datasets on 2026-05-01 · baseline 100 datasets · \
             2026 target 180 datasets; measurements over time: 1,200.5 on 2026-01-15; 1,500 on 2026-05-01."
        ),
        "{text}"
    );
    // In Italian, with Italian separators.
    clock.say(OUTSIDER, "!language it");
    let text = posted_png(&clock.at(now, OUTSIDER, "!chart risultati"))
        .caption
        .expect("a text alternative");
    assert!(
        text.contains("misure nel tempo: 1.200,5 al 2026-01-15; 1.500 al 2026-05-01."),
        "{text}"
    );
    // `all` reaches the whole plan from a section room.
    let all = posted_png(&clock.at(now, OUTSIDER, "!chart results all"));
    assert_eq!(all.filename, "pt-results-2026-06-10.png");
}

#[test]
fn the_participation_chart_counts_per_organisation() {
    let mut clock = Clock::new();
    let now = rome(10, day(2026, 6, 10));
    clock.at(now, OWNER, "!propose Open the cadastre\nAll of it.");
    clock.at(now, COLLEAGUE, "!vote 1 +");
    let chart = posted_png(&clock.at(now, OUTSIDER, "!chart participation"));
    assert_eq!(chart.filename, "dati-participation-2026-06-10.png");
    let text = chart.caption.expect("a text alternative");
    assert!(text.starts_with("Participation in Dati."), "{text}");
    assert!(
        text.contains(
            "By organisation: Agenzia: 1 proposal, 1 voter, 1 vote (1 for, 0 against), 0 comments."
        ),
        "{text}"
    );
    let plan = posted_png(&clock.at(now, OUTSIDER, "!chart participation all"));
    let text = plan.caption.expect("a text alternative");
    assert!(text.contains("By section: Dati: 1 proposal"), "{text}");
}

#[test]
fn a_chart_that_is_not_one_is_refused_and_posts_nothing() {
    let mut clock = Clock::new();
    let now = rome(10, day(2026, 6, 10));
    for bad in [
        "!chart everything",
        "!chart all all",
        "!chart results section extra",
        "!chart participation 2",
    ] {
        let effects = clock.at(now, OUTSIDER, bad);
        assert!(effects.files.is_empty(), "{bad}");
        assert!(
            effects.replies[0]
                .text
                .body
                .contains("!chart [section|all|results|participation]"),
            "{bad}: {}",
            effects.replies[0].text.body
        );
    }
}

#[test]
fn moderators_edit_actions_from_chat() {
    let mut clock = Clock::new();
    assert!(clock
        .say(OWNER, "!action A.3 due 2026-12-31")
        .contains("moderators"));
    for bad in [
        "!action A.3 colour red",
        "!action A.3 due tomorrow",
        "!action A.3 weight 0",
        "!action A.3",
    ] {
        assert!(
            clock.say(MODERATOR, bad).contains("!action <code>"),
            "{bad}"
        );
    }
    let refused = clock.say(MODERATOR, "!action A.3 due 2025-12-31");
    assert!(refused.contains("before the start"), "{refused}");
    assert!(clock.say(OUTSIDER, "!actions late").contains("A.3"));
    let edited = clock.say(MODERATOR, "!action a.3 due 2026-12-31");
    assert!(edited.contains("due 2026-12-31"), "{edited}");
    assert!(
        !clock.say(OUTSIDER, "!actions late").contains("A.3"),
        "no longer late"
    );
    let moved = clock.say(MODERATOR, "!action A.3 owner Agenzia");
    assert!(moved.contains("owner Agenzia"), "{moved}");
    assert!(clock
        .say(COLLEAGUE, "!progress A.3 10")
        .contains("0% → 10%"));
    clock.say(MODERATOR, "!action A.3 title Catalogue of datasets");
    assert!(clock
        .say(OUTSIDER, "!actions")
        .contains("`A.3` Catalogue of datasets"));
    // Still one action A.3, in the plan file's place.
    let all = clock.say(OUTSIDER, "!actions all");
    assert_eq!(all.matches("`A.3`").count(), 1, "{all}");
}

#[test]
fn a_replayed_measurement_keeps_the_day_it_was_sent() {
    let mut clock = Clock::new();
    // Sent on 10 June, applied on 12 June (as in a rebuild from history).
    let sent = rome(10, day(2026, 6, 10));
    let effects = clock.engine.apply(
        Input::Message(Message {
            event_id: "$late".into(),
            room_id: ROOM.into(),
            sender: MODERATOR.into(),
            sent_at_ms: sent.timestamp_millis(),
            body: "!measure R.1 120".into(),
            thread_root: None,
            reply_to: None,
            quoted: None,
        }),
        rome(10, day(2026, 6, 12)),
    );
    assert!(effects.replies[0].text.body.contains("on 2026-06-10"));
    let latest = clock.engine.state().monitoring.latest("R.1").cloned();
    assert_eq!(latest.map(|m| m.date), Some(day(2026, 6, 10)));
}

/// Every cell of a monitoring CSV table against the JSON export's value of the same name:
/// `rows` are the JSON objects in the table's order; `derived` answers columns that are not
/// plain fields (per-year targets, counts, joined lists).
pub(super) fn assert_table_matches_json(
    csv: &str,
    rows: &[serde_json::Value],
    derived: &dyn Fn(&serde_json::Value, &str) -> Option<String>,
) {
    let table = super::export_tests::csv_rows(csv);
    let header = &table[0];
    assert_eq!(table.len(), rows.len() + 1, "{csv}");
    for (json, row) in rows.iter().zip(&table[1..]) {
        assert_eq!(row.len(), header.len(), "{header:?}\n{row:?}");
        for (column, cell) in header.iter().zip(row) {
            let expected = derived(json, column).unwrap_or_else(|| match &json[column.as_str()] {
                serde_json::Value::String(text) => text.clone(),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            });
            // Numbers as people write them: 100, not 100.0.
            let same = match (cell.parse::<f64>(), expected.parse::<f64>()) {
                (Ok(a), Ok(b)) => a == b,
                _ => cell.trim_start_matches('\'') == expected,
            };
            assert!(same, "column {column}: {cell:?} ≠ {expected:?} in {json}");
        }
    }
}

#[test]
fn the_export_holds_the_monitored_plan_and_each_csv_column_means_what_it_says() {
    use super::export::{Export, Format, Visibility};
    let mut clock = Clock::new();
    clock.say(COLLEAGUE, "!progress A.1 30 started");
    clock.say(OWNER, "!progress A.1 50 halfway");
    clock.say(OWNER, "!progress A.2 100");
    clock.say(MODERATOR, "!measure R.1 150 2026-05-31 spring count");
    clock.say(MODERATOR, "!measure R.1 140 2026-03-31");
    let now = rome(10, day(2026, 6, 10));
    let export = Export::build(
        clock.engine.settings(),
        clock.engine.state(),
        Visibility::Public,
        now,
    );
    let json = serde_json::to_value(&export).unwrap();
    assert_eq!(json["version"], 4);
    assert_eq!(json["objectives"][0]["code"], "OB.1");
    let actions = json["actions"].as_array().unwrap();
    let statuses: Vec<(&str, &str, u64)> = actions
        .iter()
        .map(|a| {
            (
                a["code"].as_str().unwrap(),
                a["status"].as_str().unwrap(),
                a["progress"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("A.1", "in_progress", 50),
            ("A.2", "done", 100),
            ("A.3", "late", 0)
        ]
    );
    let history = actions[0]["progress_history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(
        (
            &history[0]["author"],
            &history[0]["organisation"],
            &history[0]["note"]
        ),
        (&COLLEAGUE.into(), &"Agenzia".into(), &"started".into())
    );
    assert_eq!(history[1]["event_id"], "$m2");
    let result = &json["results"][0];
    assert_eq!(result["latest"], 150.0, "the latest by date, not by order");
    assert_eq!(result["targets"]["2027"], 250.0);
    assert_eq!(result["section"], "dati");
    let measurements = result["measurements"].as_array().unwrap();
    assert_eq!(measurements.len(), 2);
    assert_eq!(measurements[0]["date"], "2026-05-31");
    assert_eq!(measurements[0]["source"], "chat");
    assert_eq!(measurements[0]["author"], MODERATOR);

    let files = export.render(Format::Csv, clock.engine.settings().catalogue());
    let file = |suffix: &str| {
        files
            .iter()
            .find(|f| f.filename.ends_with(suffix))
            .map(|f| f.content.clone())
            .unwrap_or_else(|| panic!("no {suffix}"))
    };
    let all_measurements: Vec<_> = measurements.to_vec();
    let all_updates: Vec<_> = actions
        .iter()
        .flat_map(|a| a["progress_history"].as_array().unwrap().clone())
        .collect();
    let none = |_: &serde_json::Value, _: &str| None;
    assert_table_matches_json(
        &file(".objectives.csv"),
        json["objectives"].as_array().unwrap(),
        &none,
    );
    assert_table_matches_json(
        &file(".results.csv"),
        json["results"].as_array().unwrap(),
        &|row, column| match column {
            "measurements" => Some(row["measurements"].as_array()?.len().to_string()),
            _ => column
                .strip_prefix("target ")
                .map(|year| row["targets"][year].to_string()),
        },
    );
    assert_table_matches_json(&file(".measurements.csv"), &all_measurements, &none);
    assert_table_matches_json(
        &file(".actions.csv"),
        actions,
        &|row, column| match column {
            "owners" => Some(
                row["owners"]
                    .as_array()?
                    .iter()
                    .filter_map(|o| o.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            "updates" => Some(row["progress_history"].as_array()?.len().to_string()),
            _ => None,
        },
    );
    assert_table_matches_json(&file(".progress.csv"), &all_updates, &none);

    let md = &export.render(Format::Markdown, clock.engine.settings().catalogue())[0].content;
    assert!(
        md.contains("## Monitoring")
            && md.contains("| R.1 | Datasets published | datasets \\(datasets\\) | 100 | 2026: 180, 2027: 250 | 150 | 2 |")
            && md.contains("| A.3 | Action A.3 |  | 2026-05-31 | late | 0% | 0 |"),
        "{md}"
    );
}
