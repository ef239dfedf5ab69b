//! The consolidated export: every proposal (with votes in total and per organisation), every
//! comment and feedback item, each with the Matrix event it came from, the draft's items and
//! amendments, the iterations of the consultation (each row says which it belongs to, and an
//! export can be limited to one), and the monitored plan (objectives, results and their
//! measurements, actions and their progress). Rendered as JSON
//! (a documented, versioned schema), CSV (RFC 4180, UTF-8 with BOM, one file per table) or
//! Markdown.
//!
//! Pure: built from the state at a given time; the same state gives the same bytes apart from
//! `generated_at`.

pub mod amendments;
mod csv;
pub mod items;
#[cfg(test)]
mod iteration_tests;
pub mod iterations;
mod markdown;
pub mod monitoring;
pub mod practices;

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::i18n::Catalogue;
use super::participation::{Counts, ProposalState};
use super::{Settings, State};

pub const SCHEMA: &str = "pspm.export";
/// 2: the monitored plan (`objectives`, `results`, `actions`) joined the participation.
/// 3: the draft's consultable items (`items`) and the comments on them (`item_comments`).
/// 4: iterations: each participation row's `iteration`, the `amendments` and `iterations`
/// tables, and `iteration` (the one an export is limited to, if any).
pub const VERSION: u32 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
    Markdown,
}

impl Format {
    pub fn parse(text: &str) -> Option<Format> {
        match text.to_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "md" | "markdown" => Some(Format::Markdown),
            _ => None,
        }
    }
}

/// Public exports leave hidden proposals (and their comments) out; full ones keep them, with
/// the reason, for moderators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    Public,
    Full,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Export {
    pub schema: &'static str,
    pub version: u32,
    pub generated_at: String,
    pub visibility: Visibility,
    /// The iteration the participation rows are limited to; `None`: every iteration's.
    pub iteration: Option<u32>,
    pub plan: PlanInfo,
    pub sections: Vec<SectionInfo>,
    /// Every iteration, a limited export's too.
    pub iterations: Vec<iterations::IterationRow>,
    pub proposals: Vec<ProposalRow>,
    pub comments: Vec<CommentRow>,
    pub polls: Vec<PollRow>,
    pub objectives: Vec<monitoring::ObjectiveRow>,
    pub results: Vec<monitoring::ResultRow>,
    pub actions: Vec<monitoring::ActionRow>,
    pub items: Vec<items::ItemRow>,
    pub item_comments: Vec<items::ItemCommentRow>,
    pub amendments: Vec<amendments::AmendmentRow>,
}

/// A prioritisation poll and its results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PollRow {
    pub id: u32,
    pub section: String,
    pub opened_by: String,
    pub opened_at: String,
    pub closed_at: Option<String>,
    pub max_selections: u32,
    pub event_id: Option<String>,
    pub voters: u32,
    /// Voters (valid, non-empty ballots) per organisation.
    pub voters_by_organisation: BTreeMap<String, u32>,
    pub spoiled: u32,
    /// `(proposal, votes)`, most voted first.
    pub results: Vec<PollResult>,
    /// A secret ballot (`!prioritise secret`): no voters by organisation, and its results
    /// only once closed.
    pub secret: bool,
    /// A closed secret ballot's receipts with their choices, by receipt: no names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub receipts: Vec<ReceiptRow>,
    /// The iteration it was opened in.
    pub iteration: u32,
}

/// A counted secret ballot: its receipt and the proposals it chose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptRow {
    pub receipt: String,
    pub proposals: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PollResult {
    pub proposal: u32,
    pub votes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanInfo {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionInfo {
    pub id: String,
    pub title: String,
    pub phase: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Votes {
    pub supports: u32,
    pub oppositions: u32,
}

impl From<&Counts> for Votes {
    fn from(counts: &Counts) -> Votes {
        Votes {
            supports: counts.support,
            oppositions: counts.oppose,
        }
    }
}

/// A consultable item's votes, by its id: in total and per organisation (one pass over its
/// voters; the total is the organisations' sum).
fn item_votes(state: &State, id: &str) -> (Votes, BTreeMap<String, Votes>) {
    let by_organisation: BTreeMap<String, Votes> = state
        .consultation
        .tally_by_organisation(id)
        .iter()
        .map(|(org, counts)| (org.clone(), counts.into()))
        .collect();
    let total = by_organisation
        .values()
        .fold(Votes::default(), |total, v| Votes {
            supports: total.supports + v.supports,
            oppositions: total.oppositions + v.oppositions,
        });
    (total, by_organisation)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProposalRow {
    pub section: String,
    pub number: u32,
    pub title: String,
    pub description: String,
    pub author: String,
    pub organisation: String,
    pub state: &'static str,
    pub answer: Option<String>,
    pub merged_into: Option<u32>,
    /// Only in full exports.
    pub hidden_reason: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub event_id: String,
    pub card_event_id: Option<String>,
    pub supports: u32,
    pub oppositions: u32,
    pub by_organisation: BTreeMap<String, Votes>,
    /// Votes in the latest prioritisation poll that offered this proposal.
    pub poll_votes: Option<u32>,
    /// Its message was deleted: title and description are empty, the rest stays.
    pub redacted: bool,
    /// The iteration it was made in.
    pub iteration: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommentRow {
    /// `comment` (in a proposal's thread) or `feedback` (on the section).
    pub kind: &'static str,
    pub section: String,
    pub proposal: Option<u32>,
    pub author: String,
    pub organisation: String,
    pub text: String,
    pub created_at: String,
    pub event_id: String,
    /// Its message was deleted: the text is empty.
    pub redacted: bool,
    /// The iteration it was made in.
    pub iteration: u32,
}

/// One file of a rendered export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFile {
    /// What it holds: `export` (the JSON, every table), `report` (the Markdown), or a
    /// table's name (`proposals`, `comments`, `objectives`, …) for a CSV file.
    pub table: &'static str,
    pub filename: String,
    pub mimetype: &'static str,
    pub content: String,
}

pub fn timestamp(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Export {
    pub fn build(
        settings: &Settings,
        state: &State,
        visibility: Visibility,
        now: DateTime<Utc>,
    ) -> Export {
        let participation = &state.participation;
        let mut sections: Vec<_> = settings.sections.values().collect();
        sections.sort_by_key(|s| s.position);
        let sections = sections
            .into_iter()
            .map(|s| SectionInfo {
                id: s.id.clone(),
                title: s.title.clone(),
                phase: participation.phase(&s.id, s.default_phase).name(),
            })
            .collect();
        let visible = |number: u32| {
            visibility == Visibility::Full
                || participation
                    .proposals
                    .get(&number)
                    .is_some_and(|p| p.hidden.is_none())
        };
        let mut polls: Vec<PollRow> = state
            .polls
            .polls
            .values()
            .map(|poll| {
                let results = state.polls.results(poll);
                PollRow {
                    id: poll.id,
                    section: poll.section.clone(),
                    opened_by: poll.opened_by.clone(),
                    opened_at: timestamp(poll.opened_ms),
                    closed_at: poll.closed_ms.map(timestamp),
                    max_selections: poll.max_selections,
                    event_id: poll.start_event.clone(),
                    voters: results.voters,
                    voters_by_organisation: state.polls.voters(poll.id).fold(
                        BTreeMap::new(),
                        |mut by, user| {
                            *by.entry(settings.organisation_of(user)).or_default() += 1;
                            by
                        },
                    ),
                    spoiled: results.spoiled,
                    results: poll_results(&results.ranking, visible),
                    secret: false,
                    receipts: Vec::new(),
                    iteration: state.iterations.of_ms(poll.opened_ms),
                }
            })
            .chain(state.secret_polls.polls.values().map(|poll| {
                // Open, it shows nothing of its ballots: results come at the close.
                let tally = poll.closed_ms.map(|_| poll.tally()).unwrap_or_default();
                PollRow {
                    id: poll.id,
                    section: poll.section.clone(),
                    opened_by: poll.opened_by.clone(),
                    opened_at: timestamp(poll.opened_ms),
                    closed_at: poll.closed_ms.map(timestamp),
                    max_selections: poll.max_selections,
                    event_id: None,
                    voters: tally.ballots,
                    voters_by_organisation: BTreeMap::new(),
                    spoiled: 0,
                    results: poll_results(&tally.ranking, visible),
                    secret: true,
                    receipts: poll
                        .receipts
                        .iter()
                        .map(|(receipt, proposals)| ReceiptRow {
                            receipt: receipt.clone(),
                            proposals: proposals.clone(),
                        })
                        .collect(),
                    iteration: state.iterations.of_ms(poll.opened_ms),
                }
            }))
            .collect();
        polls.sort_by_key(|p| p.id);
        let poll_votes = |number: u32| {
            polls.iter().rev().find_map(|poll| {
                poll.results
                    .iter()
                    .find(|r| r.proposal == number)
                    .map(|r| r.votes)
            })
        };
        let proposals = participation
            .proposals
            .values()
            .filter(|p| visible(p.number))
            .map(|p| {
                let tally = participation.tally(p.number);
                ProposalRow {
                    section: p.section.clone(),
                    number: p.number,
                    title: p.title.clone(),
                    description: p.description.clone(),
                    author: p.author.clone(),
                    organisation: p.organisation.clone(),
                    state: p.state.name(),
                    answer: p.answer.clone(),
                    merged_into: match p.state {
                        ProposalState::Merged(into) => Some(into),
                        _ => None,
                    },
                    hidden_reason: p.hidden.clone().filter(|_| visibility == Visibility::Full),
                    created_at: timestamp(p.created_ms),
                    updated_at: timestamp(p.updated_ms),
                    event_id: p.source_event.clone(),
                    card_event_id: p.card_event.clone(),
                    supports: tally.total.support,
                    oppositions: tally.total.oppose,
                    by_organisation: tally
                        .by_organisation
                        .iter()
                        .map(|(org, counts)| (org.clone(), counts.into()))
                        .collect(),
                    poll_votes: poll_votes(p.number),
                    redacted: p.redacted,
                    iteration: state.iterations.of_ms(p.created_ms),
                }
            })
            .collect();
        let mut comments: Vec<CommentRow> = participation
            .comments
            .values()
            .filter(|c| c.proposal.is_none_or(visible))
            .map(|c| CommentRow {
                kind: if c.proposal.is_some() {
                    "comment"
                } else {
                    "feedback"
                },
                section: c.section.clone(),
                proposal: c.proposal,
                author: c.author.clone(),
                organisation: c.organisation.clone(),
                text: c.text.clone(),
                created_at: timestamp(c.at_ms),
                event_id: c.event_id.clone(),
                redacted: c.redacted,
                iteration: state.iterations.of_ms(c.at_ms),
            })
            .collect();
        comments.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then(a.event_id.cmp(&b.event_id))
        });
        Export {
            schema: SCHEMA,
            version: VERSION,
            generated_at: now.to_rfc3339_opts(SecondsFormat::Millis, true),
            visibility,
            iteration: None,
            plan: PlanInfo {
                id: settings.plan_id.clone(),
                title: settings.plan_title.clone(),
            },
            sections,
            iterations: iterations::iterations(state),
            proposals,
            comments,
            polls,
            objectives: monitoring::objectives(settings),
            results: monitoring::results(settings, state),
            actions: monitoring::actions(settings, state, settings.monitoring.today(now)),
            items: items::items(settings, state),
            item_comments: items::item_comments(state),
            amendments: amendments::amendments(state),
        }
    }

    /// This export limited to iteration `iteration`: the proposals, comments, polls, items,
    /// item comments and amendments of other iterations go; the iterations and the monitored
    /// plan stay whole.
    pub fn of_iteration(mut self, iteration: u32) -> Export {
        self.iteration = Some(iteration);
        self.proposals.retain(|r| r.iteration == iteration);
        self.comments.retain(|r| r.iteration == iteration);
        self.polls.retain(|r| r.iteration == iteration);
        self.items.retain(|r| r.iteration == iteration);
        self.item_comments.retain(|r| r.iteration == iteration);
        self.amendments.retain(|r| r.iteration == iteration);
        self
    }

    /// The files of this export in a format, named after the plan; the Markdown one speaks
    /// the catalogue's language.
    pub fn render(&self, format: Format, catalogue: &Catalogue) -> Vec<ExportFile> {
        let stem = format!("{}-export", self.plan.id);
        match format {
            Format::Json => vec![ExportFile {
                table: "export",
                filename: format!("{stem}.json"),
                mimetype: "application/json",
                content: serde_json::to_string_pretty(self).unwrap_or_default(),
            }],
            Format::Csv => {
                // The proposals keep the plain name they have always had.
                let csv = |table: &'static str, content: String| ExportFile {
                    table,
                    filename: if table == "proposals" {
                        format!("{stem}.csv")
                    } else {
                        format!("{stem}.{table}.csv")
                    },
                    mimetype: "text/csv",
                    content,
                };
                let mut files = vec![
                    csv("proposals", self.proposals_csv()),
                    csv("comments", self.comments_csv()),
                ];
                // A plan without monitoring gets no empty monitoring tables.
                if !(self.objectives.is_empty()
                    && self.results.is_empty()
                    && self.actions.is_empty())
                {
                    files.extend([
                        csv("objectives", self.objectives_csv()),
                        csv("results", self.results_csv()),
                        csv("measurements", self.measurements_csv()),
                        csv("actions", self.actions_csv()),
                        csv("progress", self.progress_csv()),
                    ]);
                }
                // Only once a draft was posted (an iteration closed: one was).
                if !self.items.is_empty() || self.iterations.len() > 1 {
                    files.extend([
                        csv("items", self.items_csv()),
                        csv("item_comments", self.item_comments_csv()),
                        csv("amendments", self.amendments_csv()),
                        csv("iterations", self.iterations_csv()),
                    ]);
                }
                files
            }
            Format::Markdown => vec![ExportFile {
                table: "report",
                filename: format!("{stem}.md"),
                mimetype: "text/markdown",
                content: self.markdown(catalogue),
            }],
        }
    }
}

/// A poll's `(proposal, votes)` ranking as the export's rows, the proposals the export may
/// show only.
fn poll_results(ranking: &[(u32, u32)], visible: impl Fn(u32) -> bool) -> Vec<PollResult> {
    ranking
        .iter()
        .filter(|(number, _)| visible(*number))
        .map(|&(proposal, votes)| PollResult { proposal, votes })
        .collect()
}
