//! Monitoring benchmark (`cargo bench -p pspm --bench monitoring`), no homeserver: a plan of
//! 20 sections, 500 actions, 200 expected results and 20,000 progress updates, then
//! `!status all`, `!chart all` (drawn and rasterised), the other charts and the HTML report,
//! timed. The last chart of each kind and the report are saved under
//! `target/bench-artifacts/` to be looked at.

use std::collections::HashMap;
use std::time::Instant;

use chrono::{NaiveDate, TimeZone, Utc};
use pspm::domain::monitoring::{Action, ExpectedResult, Objective, Plan};
use pspm::domain::tracking;
use pspm::domain::{Engine, Input, Language, Message, Phase, SectionSettings, Settings, State};
use pspm::render::report::render_html;

const SECTIONS: usize = 20;
const ACTIONS: usize = 500;
const RESULTS: usize = 200;
const UPDATES: usize = 20_000;
const MODERATOR: &str = "@mod:ministry.test";

fn day(offset: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).expect("date") + chrono::Days::new(offset as u64)
}

fn settings() -> Settings {
    let sections = (0..SECTIONS)
        .map(|s| {
            (
                format!("!s{s}:ministry.test"),
                SectionSettings {
                    id: format!("s{s}"),
                    position: s,
                    title: format!("Sezione {s} — servizi e dati"),
                    description: String::new(),
                    default_phase: Phase::Monitoring,
                    max_supports: None,
                    draft: Vec::new(),
                },
            )
        })
        .collect();
    let objectives = (0..SECTIONS * 2)
        .map(|o| Objective {
            code: format!("OB.{o}"),
            section: format!("s{}", o % SECTIONS),
            title: format!("Obiettivo {o}"),
        })
        .collect();
    let results = (0..RESULTS)
        .map(|r| ExpectedResult {
            code: format!("R.{r}"),
            objective: format!("OB.{}", r % (SECTIONS * 2)),
            title: format!("Risultato atteso {r}"),
            indicator: "enti".into(),
            unit: "enti".into(),
            baseline: Some(10.0),
            targets: [(2026, 100.0.into()), (2027, 200.0.into())].into(),
        })
        .collect();
    let actions = (0..ACTIONS)
        .map(|a| Action {
            code: format!("CAP{}.LA{a:03}", a % SECTIONS),
            section: format!("s{}", a % SECTIONS),
            objective: Some(format!("OB.{}", a % (SECTIONS * 2))),
            title: format!("Linea d'azione {a} per l'interoperabilità"),
            owner: Some("Agenzia".into()),
            owners: Vec::new(),
            start: Some(day(0)),
            due: Some(day((a as i64 * 7) % 700)),
            weight: 1.0 + (a % 3) as f64,
            proposal: None,
        })
        .collect();
    Settings {
        language: Language::It,
        bot_user: "@pspm:ministry.test".into(),
        moderators: [MODERATOR.to_owned()].into(),
        allowed_servers: ["ministry.test".to_owned()].into(),
        live_since_ms: 0,
        organisations: HashMap::from([("ministry.test".to_owned(), "Ministero".to_owned())])
            .into_iter()
            .collect(),
        sections,
        space_room: None,
        max_title_chars: 200,
        max_description_chars: 5000,
        max_comment_chars: 4000,
        command_burst: 10,
        commands_per_minute: 0,
        plan_id: "bench".into(),
        plan_title: "Piano triennale".into(),
        plan_description: "Benchmark".into(),
        number_hints: HashMap::new(),
        monitoring: Plan {
            objectives,
            results,
            actions,
            config: Default::default(),
        },
        ballot_seed: [0; 32],
    }
}

fn message(n: usize, body: String) -> Input {
    Input::Message(Message {
        event_id: format!("$e{n}"),
        room_id: "!s0:ministry.test".into(),
        sender: MODERATOR.into(),
        sent_at_ms: 1_790_000_000_000 + n as i64,
        body,
        thread_root: None,
        reply_to: None,
        quoted: None,
    })
}

fn percentiles(mut samples: Vec<f64>) -> (f64, f64) {
    samples.sort_by(f64::total_cmp);
    (samples[samples.len() / 2], samples[samples.len() - 1])
}

fn main() {
    println!("PSPM monitoring benchmark");
    let now = Utc
        .timestamp_millis_opt(1_790_000_000_000)
        .single()
        .expect("time");
    let settings = settings();
    let codes: Vec<String> = settings
        .monitoring
        .actions
        .iter()
        .map(|a| a.code.clone())
        .collect();
    let mut engine = Engine::new(settings, State::default());
    let started = Instant::now();
    for n in 0..UPDATES {
        let code = &codes[(n * 7919) % codes.len()];
        let effects = engine.apply(
            message(n, format!("!progress {code} {} nota {n}", n % 101)),
            now,
        );
        assert_eq!(effects.changes.len(), 1, "update {n} applied");
    }
    for r in 0..RESULTS {
        engine.apply(
            message(
                UPDATES + r,
                format!("!measure R.{r} {} 2026-06-01", r % 150),
            ),
            now,
        );
    }
    println!(
        "{SECTIONS} sections, {ACTIONS} actions, {RESULTS} results, {UPDATES} progress updates applied in {:.2} s",
        started.elapsed().as_secs_f64()
    );

    let mut status = Vec::new();
    let mut chart = Vec::new();
    let mut chart_bytes = 0;
    for i in 0..30 {
        let t = Instant::now();
        let effects = engine.apply(message(1_000_000 + i, "!status all".into()), now);
        status.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(effects.replies[0].text.body.contains("tutto il piano"));
        let t = Instant::now();
        let effects = engine.apply(message(2_000_000 + i, "!chart all".into()), now);
        chart.push(t.elapsed().as_secs_f64() * 1000.0);
        chart_bytes = effects.files[0].content.len();
    }
    let (p50, max) = percentiles(status);
    println!("!status all: p50 {p50:.2} ms, max {max:.2} ms over 30 runs (goal <= 5 ms)");
    let (p50, max) = percentiles(chart);
    println!(
        "!chart all: p50 {p50:.1} ms, max {max:.1} ms over 30 runs, PNG {chart_bytes} bytes (goal <= 200 ms)"
    );
    let artifacts =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-artifacts");
    std::fs::create_dir_all(&artifacts).expect("the artifacts folder");
    for (n, command) in [
        "!chart all",
        "!chart results all",
        "!chart participation all",
        "!chart",
    ]
    .into_iter()
    .enumerate()
    {
        let mut times = Vec::new();
        let mut file = None;
        for i in 0..10 {
            let t = Instant::now();
            let effects = engine.apply(message(3_000_000 + n * 100 + i, command.into()), now);
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            file = effects.files.into_iter().next();
        }
        let file = file.expect("a chart");
        let (width, height) = file.image.expect("an image");
        let (p50, max) = percentiles(times);
        println!(
            "{command}: p50 {p50:.1} ms, max {max:.1} ms over 10 runs, {width}×{height} PNG of {} bytes, a body of {} characters",
            file.content.len(),
            file.caption.as_deref().map_or(0, |c| c.chars().count())
        );
        std::fs::write(artifacts.join(&file.filename), &file.content).expect("a chart saved");
    }
    let mut report = Vec::new();
    let mut html_bytes = 0;
    for _ in 0..10 {
        let t = Instant::now();
        let html = render_html(&tracking::report(engine.settings(), engine.state(), now));
        report.push(t.elapsed().as_secs_f64() * 1000.0);
        html_bytes = html.len();
    }
    let (p50, max) = percentiles(report);
    println!(
        "report: p50 {p50:.0} ms, max {max:.0} ms over 10 runs, {html_bytes} bytes of HTML (goal <= 1000 ms)"
    );
    let html = render_html(&tracking::report(engine.settings(), engine.state(), now));
    std::fs::write(artifacts.join("report.html"), html).expect("the report saved");
}
