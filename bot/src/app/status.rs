//! `pspm status`: what an operator checks first — is the bot running and synced, does its
//! outbox drain, which rooms and phases the plan has. Gathered by the running bot (asked
//! over the admin socket) or from the store when the bot is stopped.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::domain::{Settings, State};
use crate::store::Store;
use crate::telemetry::metrics;

/// The facts `pspm status` prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Status {
    pub plan_id: String,
    pub plan_title: String,
    /// What only a running bot knows; `None` when it is stopped.
    pub running: Option<Running>,
    /// Whether the store holds a sync token (the bot has synced at least once).
    pub has_synced: bool,
    pub outbox_depth: usize,
    pub dead_letters: usize,
    pub space: Option<String>,
    pub sections: Vec<SectionStatus>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Running {
    /// Seconds since the last successful `/sync`; `None` before the first.
    pub synced_seconds_ago: Option<u64>,
    /// Seconds between the latest event's sending and its application.
    pub lag_seconds: Option<f64>,
    /// Why `/health` would answer 503, if it would.
    pub unhealthy: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionStatus {
    pub id: String,
    pub title: String,
    /// Its room, or its alias when not provisioned yet.
    pub room: String,
    pub phase: String,
}

impl Status {
    /// The status from `store` and its `state`; `sync_timeout` given when the bot asking is
    /// the running one (then its live facts are added).
    pub fn gather(
        settings: &Settings,
        store: &dyn Store,
        state: &State,
        sync_timeout: Option<Duration>,
    ) -> anyhow::Result<Status> {
        let outbox_depth = store.outbox_len()?;
        let running = sync_timeout.map(|timeout| {
            let live = metrics().live();
            Running {
                synced_seconds_ago: live.synced_ago.map(|ago| ago.as_secs()),
                lag_seconds: live.lag_seconds,
                unhealthy: metrics().unhealthy(timeout, outbox_depth),
            }
        });
        let mut sections: Vec<SectionStatus> = settings
            .sections
            .iter()
            .map(|(room, section)| SectionStatus {
                id: section.id.clone(),
                title: section.title.clone(),
                room: room.clone(),
                phase: state
                    .participation
                    .phase(&section.id, section.default_phase)
                    .name()
                    .to_owned(),
            })
            .collect();
        sections.sort_by_key(|section| {
            settings
                .section_of_id(&section.id)
                .map(|(_, s)| s.position)
                .unwrap_or(usize::MAX)
        });
        Ok(Status {
            plan_id: settings.plan_id.clone(),
            plan_title: settings.plan_title.clone(),
            running,
            has_synced: store.next_batch()?.is_some(),
            outbox_depth,
            dead_letters: store.dead_letter_count()?,
            space: settings.space_room.clone(),
            sections,
        })
    }

    /// The lines `pspm status` prints.
    pub fn render(&self) -> String {
        let mut lines = vec![format!("plan\t{} ({})", self.plan_id, self.plan_title)];
        match &self.running {
            Some(running) => {
                lines.push("bot\trunning".to_owned());
                lines.push(match running.synced_seconds_ago {
                    Some(ago) => format!("synced\t{ago} s ago"),
                    None => "synced\tnot yet".to_owned(),
                });
                if let Some(lag) = running.lag_seconds {
                    lines.push(format!("lag\t{lag:.1} s"));
                }
                lines.push(match &running.unhealthy {
                    None => "health\tok".to_owned(),
                    Some(reason) => format!("health\tunhealthy: {reason}"),
                });
            }
            None => {
                lines.push("bot\tstopped".to_owned());
                lines.push(
                    if self.has_synced {
                        "synced\tbefore it stopped (it resumes from there)"
                    } else {
                        "synced\tnever"
                    }
                    .to_owned(),
                );
            }
        }
        lines.push(format!("outbox\t{} waiting", self.outbox_depth));
        lines.push(format!("dead letters\t{}", self.dead_letters));
        lines.push(format!(
            "space\t{}",
            self.space.as_deref().unwrap_or("not provisioned yet")
        ));
        for section in &self.sections {
            lines.push(format!(
                "section\t{}\t{}\t{}\t{}",
                section.id, section.phase, section.room, section.title
            ));
        }
        lines.join("\n")
    }
}
