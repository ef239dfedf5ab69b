//! Draft benchmark (`cargo bench -p pspm --bench draft`), no homeserver: a plan of 8 sections
//! × 200 paragraphs posted (the engine's side), 2,000 amendments (half accepted), 100k votes
//! on the paragraphs; then `!text §s.p` latency over 1,000 random paragraphs (goal ≤ 5 ms),
//! and the consolidated plan written in every format (`pspm plan export`, `!plan`; goal
//! ≤ 1 s for the three), beside the same plan before any amendment or vote (the baseline);
//! then `!iterazione chiudi`: the version frozen and the next iteration's draft queued, and
//! the closed version's plan written, beside the first draft's queueing and export.

use std::collections::HashMap;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use pspm::domain::consolidated;
use pspm::domain::{
    Engine, Input, Language, Message, Phase, Reacted, SectionSettings, Settings, State,
};
use pspm::render::plan::{render, PlanFormat};
use pspm_config::draft::{split_from, Format};

const SECTIONS: usize = 8;
const PARAGRAPHS: usize = 200;
const AMENDMENTS: usize = 2_000;
const VOTES: usize = 100_000;
const MODERATOR: &str = "@mod:ministry.test";

fn room(section: usize) -> String {
    format!("!s{section}:ministry.test")
}

fn settings() -> Settings {
    let text: String = (1..=PARAGRAPHS)
        .map(|n| {
            format!("Paragrafo {n}: le amministrazioni pubblicano i dati in formati aperti.\n\n")
        })
        .collect();
    let sections = (0..SECTIONS)
        .map(|s| {
            (
                room(s),
                SectionSettings {
                    id: format!("s{s}"),
                    position: s,
                    title: format!("Sezione {s}"),
                    description: String::new(),
                    default_phase: Phase::Consultation,
                    max_supports: None,
                    draft: split_from(Format::Markdown, &text, 1),
                },
            )
        })
        .collect();
    Settings {
        language: Language::It,
        bot_user: "@pspm:ministry.test".into(),
        moderators: [MODERATOR.to_owned()].into(),
        allowed_servers: ["ministry.test".to_owned(), "agency.test".to_owned()].into(),
        live_since_ms: 0,
        organisations: [("agency.test".to_owned(), "Agenzia".to_owned())].into(),
        sections,
        space_room: None,
        max_title_chars: 200,
        max_description_chars: 5000,
        max_comment_chars: 4000,
        command_burst: 10,
        commands_per_minute: 0,
        plan_id: "bench".into(),
        plan_title: "Bench".into(),
        plan_description: String::new(),
        number_hints: HashMap::new(),
        monitoring: Default::default(),
        ballot_seed: [0; 32],
    }
}

fn say(engine: &mut Engine, section: usize, sender: &str, body: String, at: i64) -> String {
    let now = Utc.timestamp_millis_opt(at).single().expect("time");
    let effects = engine.apply(
        Input::Message(Message {
            event_id: format!("$m{at}"),
            room_id: room(section),
            sender: sender.into(),
            sent_at_ms: at,
            body,
            thread_root: None,
            reply_to: None,
            quoted: None,
        }),
        now,
    );
    effects
        .replies
        .into_iter()
        .next()
        .map(|r| r.text.body)
        .unwrap_or_default()
}

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Milliseconds to build the consolidated plan of `engine` and write it in each format, and
/// the bytes written.
fn plan_export(engine: &Engine, iteration: u32) -> (f64, usize) {
    let started = Instant::now();
    let mut bytes = 0;
    for format in [PlanFormat::Markdown, PlanFormat::Html, PlanFormat::Odt] {
        let plan = consolidated::build(engine.settings(), engine.state(), iteration);
        bytes += render(&plan, format).expect("the plan renders").len();
    }
    (started.elapsed().as_secs_f64() * 1000.0, bytes)
}

fn main() {
    let mut engine = Engine::new(settings(), State::default());
    let (baseline_ms, baseline_bytes) = plan_export(&engine, 1);
    let mut at = 1_700_000_000_000_i64;
    let now = Utc.timestamp_millis_opt(at).single().expect("time");
    let started = Instant::now();
    let posted = engine.apply(Input::Tick, now);
    let first_post_ms = started.elapsed().as_secs_f64() * 1000.0;
    let items: Vec<(String, String)> = posted
        .notices
        .iter()
        .filter_map(|n| Some((n.room_id.clone(), n.item.clone()?)))
        .collect();
    println!(
        "draft of {SECTIONS} × {PARAGRAPHS} paragraphs: {} items queued in {first_post_ms:.1} ms",
        items.len(),
    );
    for (room_id, item) in &items {
        engine.apply(
            Input::ItemPosted {
                room_id: room_id.clone(),
                item: item.clone(),
                event_id: format!("${item}"),
            },
            now,
        );
    }
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let started = Instant::now();
    for a in 0..AMENDMENTS {
        at += 1;
        let section = a % SECTIONS;
        let paragraph = 1 + rng.below(PARAGRAPHS as u64);
        let author = format!("@u{}:agency.test", rng.below(5000));
        say(
            &mut engine,
            section,
            &author,
            format!("!amend §{paragraph}\nTesto emendato {a}."),
            at,
        );
        // Half accepted; those on a paragraph changed meanwhile are refused as conflicts.
        if a % 2 == 0 {
            at += 1;
            say(
                &mut engine,
                section,
                MODERATOR,
                format!("!accept A{}", a + 1),
                at,
            );
        }
    }
    println!(
        "{AMENDMENTS} amendments proposed, half accepted: {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    let started = Instant::now();
    for v in 0..VOTES {
        at += 1;
        let (room_id, item) = &items[rng.below(items.len() as u64) as usize];
        let key = if rng.below(4) == 0 { "👎" } else { "👍" };
        engine.apply(
            Input::Reaction(Reacted {
                event_id: format!("$v{v}"),
                room_id: room_id.clone(),
                sender: format!("@u{}:agency.test", rng.below(5000)),
                target: format!("${item}"),
                key: key.into(),
                at_ms: at,
            }),
            now,
        );
    }
    println!(
        "{VOTES} votes on items: {:.0} votes/s",
        VOTES as f64 / started.elapsed().as_secs_f64()
    );
    let mut times = Vec::with_capacity(1000);
    for _ in 0..1000 {
        at += 1;
        let section = rng.below(SECTIONS as u64) as usize;
        let paragraph = 1 + rng.below(PARAGRAPHS as u64);
        let t = Instant::now();
        let reply = say(
            &mut engine,
            section,
            "@reader:agency.test",
            format!("!testo §{}.{paragraph}", section + 1),
            at,
        );
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(reply.contains("👍"), "{reply}");
    }
    times.sort_by(f64::total_cmp);
    println!(
        "!testo §s.p with {} live votes: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        VOTES, times[500], times[990], times[999]
    );
    let (export_ms, export_bytes) = plan_export(&engine, 1);
    println!(
        "consolidated plan in md, html and odt: {export_ms:.0} ms for {} KiB (goal ≤ 1000 ms); \
         before any amendment or vote {baseline_ms:.0} ms for {} KiB: {:.1}×",
        export_bytes / 1024,
        baseline_bytes / 1024,
        export_ms / baseline_ms.max(0.001)
    );

    // The close freezes 1,600 paragraphs against 1,000 accepted amendments and queues the
    // version as the next draft.
    at += 1;
    let started = Instant::now();
    let closed = engine.apply(
        Input::Message(Message {
            event_id: format!("$m{at}"),
            room_id: room(0),
            sender: MODERATOR.into(),
            sent_at_ms: at,
            body: "!iterazione chiudi blueprint 2026".into(),
            thread_root: None,
            reply_to: None,
            quoted: None,
        }),
        Utc.timestamp_millis_opt(at).single().expect("time"),
    );
    let close_ms = started.elapsed().as_secs_f64() * 1000.0;
    let queued = closed.notices.iter().filter(|n| n.item.is_some()).count();
    assert!(queued >= SECTIONS * PARAGRAPHS / 2, "{:?}", closed.replies);
    println!(
        "!iterazione chiudi: version frozen and {queued} items of the next draft queued in \
         {close_ms:.1} ms ({:.1}× the first draft's queueing)",
        close_ms / first_post_ms.max(0.001)
    );
    let (version_ms, version_bytes) = plan_export(&engine, 1);
    println!(
        "the closed version's plan in md, html and odt: {version_ms:.0} ms for {} KiB \
         (goal ≤ 1000 ms; {:.1}× the open iteration's)",
        version_bytes / 1024,
        version_ms / export_ms.max(0.001)
    );
}
