//! What an operator watches: the bot's metrics (Prometheus / OpenMetrics text, served at
//! `/metrics`) and the facts `/health` judges (logged in, last good sync, last message sent).
//! One process-wide instance ([`metrics`]), recorded by the adapter, the outbox and the
//! index; the domain stays unaware of it.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::domain::Input;

type Labels = Vec<(&'static str, String)>;

/// Label sets of the per-event metrics: static strings, so that recording an event
/// allocates nothing.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Kind {
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CommandLabels {
    command: &'static str,
    outcome: &'static str,
}

/// Every metric of the bot, and the health facts.
pub struct Metrics {
    registry: Registry,
    events: Family<Kind, Counter>,
    /// The counters of [`Input::KINDS`], taken once: recording an event does not hash.
    event_counters: Vec<(&'static str, Counter)>,
    commands: Family<CommandLabels, Counter>,
    sync_seconds: Histogram,
    sync_failures: Counter,
    lag_seconds: Histogram,
    commit_seconds: Histogram,
    retries: Family<Labels, Counter>,
    rate_limited: Counter,
    search_seconds: Histogram,
    reminders: Counter,
    digests: Counter,
    sent: Family<Kind, Counter>,
    /// Set at scrape time from what the caller reads (store, index, process).
    outbox_depth: Gauge,
    dead_letters: Gauge,
    index_documents: Gauge,
    resident_bytes: Gauge,
    health: Health,
}

/// What `/health` judges, besides the outbox's depth.
#[derive(Default)]
struct Health {
    logged_in: AtomicBool,
    /// Milliseconds since [`START`] of the last successful `/sync`; -1 before any.
    last_sync_ms: AtomicI64,
    /// Milliseconds since [`START`] of the last message the homeserver accepted; -1 before any.
    last_sent_ms: AtomicI64,
    /// The latest lag observed, in milliseconds; -1 before any.
    last_lag_ms: AtomicI64,
}

/// What `pspm status` shows of a running bot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Live {
    pub synced_ago: Option<Duration>,
    pub lag_seconds: Option<f64>,
}

static START: LazyLock<Instant> = LazyLock::new(Instant::now);
static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

/// The process's metrics.
pub fn metrics() -> &'static Metrics {
    &METRICS
}

fn since_start(at: Instant) -> i64 {
    at.saturating_duration_since(*START).as_millis() as i64
}

/// Seconds from a few milliseconds to a few minutes.
fn seconds_buckets() -> impl Iterator<Item = f64> {
    exponential_buckets(0.001, 2.0, 18)
}

impl Metrics {
    fn new() -> Metrics {
        LazyLock::force(&START);
        let mut registry = Registry::with_prefix("pspm");
        let events: Family<Kind, Counter> = Family::default();
        let event_counters = Input::KINDS
            .iter()
            .map(|kind| (*kind, events.get_or_create(&Kind { kind }).clone()))
            .collect();
        let metrics = Metrics {
            events,
            event_counters,
            commands: Family::default(),
            sync_seconds: Histogram::new(seconds_buckets()),
            sync_failures: Counter::default(),
            lag_seconds: Histogram::new(seconds_buckets()),
            commit_seconds: Histogram::new(seconds_buckets()),
            retries: Family::default(),
            rate_limited: Counter::default(),
            search_seconds: Histogram::new(seconds_buckets()),
            reminders: Counter::default(),
            digests: Counter::default(),
            sent: Family::default(),
            outbox_depth: Gauge::default(),
            dead_letters: Gauge::default(),
            index_documents: Gauge::default(),
            resident_bytes: Gauge::default(),
            health: Health {
                last_sync_ms: AtomicI64::new(-1),
                last_sent_ms: AtomicI64::new(-1),
                last_lag_ms: AtomicI64::new(-1),
                ..Health::default()
            },
            registry: Registry::default(),
        };
        let r = &mut registry;
        r.register(
            "events_applied",
            "Room events applied, by kind of input",
            metrics.events.clone(),
        );
        r.register(
            "commands",
            "Chat commands, by name and outcome (done, refused, invalid, over_budget)",
            metrics.commands.clone(),
        );
        r.register(
            "sync_duration_seconds",
            "Time of each /sync request, long poll included",
            metrics.sync_seconds.clone(),
        );
        r.register(
            "sync_failures",
            "/sync requests that failed (after retries)",
            metrics.sync_failures.clone(),
        );
        r.register(
            "sync_lag_seconds",
            "From an event's origin_server_ts to its commit by the bot",
            metrics.lag_seconds.clone(),
        );
        r.register(
            "commit_duration_seconds",
            "Time of each durable store commit",
            metrics.commit_seconds.clone(),
        );
        r.register(
            "outbox_depth",
            "Messages committed and not yet confirmed by the homeserver",
            metrics.outbox_depth.clone(),
        );
        r.register(
            "dead_letters",
            "Messages the homeserver refused for good (pspm outbox list)",
            metrics.dead_letters.clone(),
        );
        r.register(
            "messages_sent",
            "Messages the homeserver accepted, by kind",
            metrics.sent.clone(),
        );
        r.register(
            "request_retries",
            "Homeserver requests tried again after a transient failure, by request",
            metrics.retries.clone(),
        );
        r.register(
            "rate_limited",
            "Homeserver refusals with 429 M_LIMIT_EXCEEDED (each waited out and retried)",
            metrics.rate_limited.clone(),
        );
        r.register(
            "search_duration_seconds",
            "Time of each good-practice search",
            metrics.search_seconds.clone(),
        );
        r.register(
            "index_documents",
            "Good practices in the index",
            metrics.index_documents.clone(),
        );
        r.register(
            "reminders_sent",
            "Daily reminders committed for sending",
            metrics.reminders.clone(),
        );
        r.register(
            "digests_sent",
            "Personal digests committed for sending",
            metrics.digests.clone(),
        );
        r.register(
            "process_resident_memory_bytes",
            "The bot's resident set size",
            metrics.resident_bytes.clone(),
        );
        Metrics {
            registry,
            ..metrics
        }
    }

    pub fn event_applied(&self, kind: &'static str) {
        match self.event_counters.iter().find(|(known, _)| *known == kind) {
            Some((_, counter)) => {
                counter.inc();
            }
            None => {
                self.events.get_or_create(&Kind { kind }).inc();
            }
        }
    }

    pub fn command(&self, name: &'static str, outcome: &'static str) {
        self.commands
            .get_or_create(&CommandLabels {
                command: name,
                outcome,
            })
            .inc();
    }

    /// A `/sync` request that took `took`: a success also counts as the last good sync.
    pub fn sync(&self, took: Duration, ok: bool) {
        self.sync_seconds.observe(took.as_secs_f64());
        if ok {
            self.health
                .last_sync_ms
                .store(since_start(Instant::now()), Ordering::Relaxed);
        } else {
            self.sync_failures.inc();
        }
    }

    pub fn lag(&self, seconds: f64) {
        self.lag_seconds.observe(seconds.max(0.0));
        self.health
            .last_lag_ms
            .store((seconds.max(0.0) * 1000.0) as i64, Ordering::Relaxed);
    }

    /// The last good sync and the latest lag.
    pub fn live(&self) -> Live {
        let now = since_start(Instant::now());
        let last_sync = self.health.last_sync_ms.load(Ordering::Relaxed);
        let lag = self.health.last_lag_ms.load(Ordering::Relaxed);
        Live {
            synced_ago: (last_sync >= 0)
                .then(|| Duration::from_millis(now.saturating_sub(last_sync) as u64)),
            lag_seconds: (lag >= 0).then(|| lag as f64 / 1000.0),
        }
    }

    pub fn commit(&self, took: Duration) {
        self.commit_seconds.observe(took.as_secs_f64());
    }

    pub fn retry(&self, what: &str, rate_limited: bool) {
        self.retries
            .get_or_create(&vec![("request", what.to_owned())])
            .inc();
        if rate_limited {
            self.rate_limited.inc();
        }
    }

    pub fn search(&self, took: Duration) {
        self.search_seconds.observe(took.as_secs_f64());
    }

    pub fn reminders(&self, count: usize) {
        self.reminders.inc_by(count as u64);
    }

    pub fn digests(&self, count: usize) {
        self.digests.inc_by(count as u64);
    }

    pub fn sent(&self, kind: &'static str) {
        self.sent.get_or_create(&Kind { kind }).inc();
        self.health
            .last_sent_ms
            .store(since_start(Instant::now()), Ordering::Relaxed);
    }

    pub fn logged_in(&self, yes: bool) {
        self.health.logged_in.store(yes, Ordering::Relaxed);
    }

    /// The text a scrape gets, with the gauges read now.
    pub fn render(&self, now: &Gauges) -> String {
        self.outbox_depth.set(now.outbox_depth as i64);
        self.dead_letters.set(now.dead_letters as i64);
        self.index_documents.set(now.index_documents as i64);
        self.resident_bytes
            .set(resident_bytes().unwrap_or(0) as i64);
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut text, &self.registry);
        text
    }

    /// Why the bot is not healthy, if it is not: logged in, a good `/sync` within
    /// `2 × sync_timeout`, and the outbox empty or a message accepted within that time.
    pub fn unhealthy(&self, sync_timeout: Duration, outbox_depth: usize) -> Option<String> {
        let within = 2 * sync_timeout.as_millis() as i64;
        let now = since_start(Instant::now());
        let health = &self.health;
        if !health.logged_in.load(Ordering::Relaxed) {
            return Some("not logged in".to_owned());
        }
        let last_sync = health.last_sync_ms.load(Ordering::Relaxed);
        if last_sync < 0 || now - last_sync > within {
            let ago = if last_sync < 0 {
                "never".to_owned()
            } else {
                format!("{} s ago", (now - last_sync) / 1000)
            };
            return Some(format!("last successful sync: {ago}"));
        }
        let last_sent = health.last_sent_ms.load(Ordering::Relaxed);
        if outbox_depth > 0 && (last_sent < 0 || now - last_sent > within) {
            return Some(format!(
                "the outbox is not draining: {outbox_depth} messages waiting, none sent for {} s",
                if last_sent < 0 { now } else { now - last_sent } / 1000
            ));
        }
        None
    }
}

/// Gauges read at scrape time from the store and the index.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gauges {
    pub outbox_depth: usize,
    pub dead_letters: usize,
    pub index_documents: usize,
}

/// The process's resident set size, from `/proc/self/status` (Linux); also what the
/// benchmarks report.
pub fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_needs_a_login_a_recent_sync_and_a_draining_outbox() {
        let metrics = Metrics::new();
        let timeout = Duration::from_secs(30);
        assert_eq!(
            metrics.unhealthy(timeout, 0).as_deref(),
            Some("not logged in")
        );
        metrics.logged_in(true);
        let never = metrics.unhealthy(timeout, 0).unwrap_or_default();
        assert!(never.contains("last successful sync: never"), "{never}");
        metrics.sync(Duration::from_millis(5), true);
        assert_eq!(metrics.unhealthy(timeout, 0), None);
        let stuck = metrics.unhealthy(timeout, 3).unwrap_or_default();
        assert!(stuck.contains("not draining: 3 messages"), "{stuck}");
        metrics.sent("reply");
        assert_eq!(
            metrics.unhealthy(timeout, 3),
            None,
            "a message just went out"
        );
        // A failed sync does not count as a good one.
        metrics.sync(Duration::from_millis(5), false);
        assert_eq!(metrics.unhealthy(timeout, 0), None);
    }

    #[test]
    fn the_text_names_every_metric_with_its_help_and_counts_what_was_recorded() {
        let metrics = Metrics::new();
        metrics.event_applied("reaction");
        metrics.event_applied("reaction");
        metrics.event_applied("something new");
        metrics.command("vote", "refused");
        let text = metrics.render(&Gauges {
            outbox_depth: 2,
            dead_letters: 1,
            index_documents: 34,
        });
        for line in [
            "pspm_events_applied_total{kind=\"reaction\"} 2",
            "pspm_events_applied_total{kind=\"message\"} 0",
            "pspm_events_applied_total{kind=\"something new\"} 1",
            "pspm_commands_total{command=\"vote\",outcome=\"refused\"} 1",
            "pspm_outbox_depth 2",
            "pspm_dead_letters 1",
            "pspm_index_documents 34",
            "# HELP pspm_sync_lag_seconds From an event's origin_server_ts to its commit by the bot.",
        ] {
            assert!(text.lines().any(|l| l == line), "{line:?} not in\n{text}");
        }
        assert!(text.ends_with("# EOF\n"), "{text}");
    }
}
