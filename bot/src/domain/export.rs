//! The consolidated export: every proposal (with votes in total and per organisation), every
//! comment and feedback item, each with the Matrix event it came from. Rendered as JSON (a
//! documented, versioned schema), CSV (RFC 4180, UTF-8 with BOM, two files) or Markdown.
//!
//! Pure: built from the state at a given time; the same state gives the same bytes apart from
//! `generated_at`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::i18n::{Catalogue, Msg};
use super::participation::{Phase, ProposalState};
use super::votes::{phase_msg, state_msg};
use super::{Settings, State};

pub const SCHEMA: &str = "pspm.export";
pub const VERSION: u32 = 1;

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Export {
    pub schema: &'static str,
    pub version: u32,
    pub generated_at: String,
    pub visibility: Visibility,
    pub plan: PlanInfo,
    pub sections: Vec<SectionInfo>,
    pub proposals: Vec<ProposalRow>,
    pub comments: Vec<CommentRow>,
    pub polls: Vec<PollRow>,
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
}

/// One file of a rendered export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFile {
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
        let polls: Vec<PollRow> = state
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
                    results: results
                        .ranking
                        .iter()
                        .filter(|(number, _)| visible(*number))
                        .map(|(proposal, votes)| PollResult {
                            proposal: *proposal,
                            votes: *votes,
                        })
                        .collect(),
                }
            })
            .collect();
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
                        .map(|(org, c)| {
                            (
                                org.clone(),
                                Votes {
                                    supports: c.support,
                                    oppositions: c.oppose,
                                },
                            )
                        })
                        .collect(),
                    poll_votes: poll_votes(p.number),
                    redacted: p.redacted,
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
            plan: PlanInfo {
                id: settings.plan_id.clone(),
                title: settings.plan_title.clone(),
            },
            sections,
            proposals,
            comments,
            polls,
        }
    }

    /// The files of this export in a format, named after the plan; the Markdown one speaks
    /// the catalogue's language.
    pub fn render(&self, format: Format, catalogue: &Catalogue) -> Vec<ExportFile> {
        let stem = format!("{}-export", self.plan.id);
        match format {
            Format::Json => vec![ExportFile {
                filename: format!("{stem}.json"),
                mimetype: "application/json",
                content: serde_json::to_string_pretty(self).unwrap_or_default(),
            }],
            Format::Csv => vec![
                ExportFile {
                    filename: format!("{stem}.csv"),
                    mimetype: "text/csv",
                    content: self.proposals_csv(),
                },
                ExportFile {
                    filename: format!("{stem}.comments.csv"),
                    mimetype: "text/csv",
                    content: self.comments_csv(),
                },
            ],
            Format::Markdown => vec![ExportFile {
                filename: format!("{stem}.md"),
                mimetype: "text/markdown",
                content: self.markdown(catalogue),
            }],
        }
    }

    fn organisations(&self) -> BTreeSet<&str> {
        self.proposals
            .iter()
            .flat_map(|p| p.by_organisation.keys().map(String::as_str))
            .collect()
    }

    fn proposals_csv(&self) -> String {
        let organisations = self.organisations();
        let mut header: Vec<String> = [
            "section",
            "number",
            "title",
            "description",
            "author",
            "organisation",
            "state",
            "answer",
            "merged_into",
            "hidden_reason",
            "created_at",
            "updated_at",
            "event_id",
            "card_event_id",
            "supports",
            "oppositions",
            "poll_votes",
            "redacted",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        for org in &organisations {
            header.push(format!("supports [{org}]"));
            header.push(format!("oppositions [{org}]"));
        }
        let mut csv = Csv::new();
        csv.row(header.iter().map(String::as_str));
        for p in &self.proposals {
            let mut row = vec![
                p.section.clone(),
                p.number.to_string(),
                p.title.clone(),
                p.description.clone(),
                p.author.clone(),
                p.organisation.clone(),
                p.state.to_owned(),
                p.answer.clone().unwrap_or_default(),
                p.merged_into.map(|n| n.to_string()).unwrap_or_default(),
                p.hidden_reason.clone().unwrap_or_default(),
                p.created_at.clone(),
                p.updated_at.clone(),
                p.event_id.clone(),
                p.card_event_id.clone().unwrap_or_default(),
                p.supports.to_string(),
                p.oppositions.to_string(),
                p.poll_votes.map(|v| v.to_string()).unwrap_or_default(),
                p.redacted.to_string(),
            ];
            for org in &organisations {
                let votes = p.by_organisation.get(*org).copied().unwrap_or_default();
                row.push(votes.supports.to_string());
                row.push(votes.oppositions.to_string());
            }
            csv.row(row.iter().map(String::as_str));
        }
        csv.finish()
    }

    fn comments_csv(&self) -> String {
        let mut csv = Csv::new();
        csv.row([
            "kind",
            "section",
            "proposal",
            "author",
            "organisation",
            "text",
            "created_at",
            "event_id",
            "redacted",
        ]);
        for c in &self.comments {
            let proposal = c.proposal.map(|n| n.to_string()).unwrap_or_default();
            csv.row([
                c.kind,
                &c.section,
                &proposal,
                &c.author,
                &c.organisation,
                &c.text,
                &c.created_at,
                &c.event_id,
                if c.redacted { "true" } else { "false" },
            ]);
        }
        csv.finish()
    }

    /// The readable export: every user-visible word from the catalogue, user text on one
    /// line with what Markdown or HTML would act on escaped.
    fn markdown(&self, catalogue: &Catalogue) -> String {
        let cell = markdown_text;
        let text = |msg: Msg, args: &[(&str, &str)]| catalogue.render(msg, args).body;
        let visibility = catalogue.template(match self.visibility {
            Visibility::Public => Msg::ExportMdPublic,
            Visibility::Full => Msg::ExportMdFull,
        });
        let version = VERSION.to_string();
        let mut md = format!(
            "# {}\n\n{}\n",
            self.plan.title,
            text(
                Msg::ExportMdGenerated,
                &[
                    ("generated_at", &self.generated_at),
                    ("visibility", visibility),
                    ("schema", SCHEMA),
                    ("version", &version),
                ],
            )
        );
        for section in &self.sections {
            let phase = Phase::parse(section.phase)
                .map_or(section.phase, |phase| catalogue.template(phase_msg(phase)));
            md.push_str(&format!("\n## {} ({phase})\n\n", section.title));
            let proposals: Vec<_> = self
                .proposals
                .iter()
                .filter(|p| p.section == section.id)
                .collect();
            if proposals.is_empty() {
                md.push_str(&text(Msg::ExportMdNoProposals, &[]));
                md.push('\n');
            } else {
                let columns = text(Msg::ExportMdColumns, &[]);
                let rule = vec!["---"; columns.split('|').count()].join("|");
                md.push_str(&format!("| {columns} |\n|{rule}|\n"));
                for p in &proposals {
                    let title = if p.redacted {
                        text(Msg::ExportMdRedacted, &[])
                    } else {
                        cell(&p.title)
                    };
                    md.push_str(&format!(
                        "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
                        p.number,
                        title,
                        cell(&p.author),
                        cell(&p.organisation),
                        state_name(catalogue, p.state),
                        p.supports,
                        p.oppositions,
                        cell(p.answer.as_deref().unwrap_or_default())
                    ));
                }
            }
            let comments: Vec<_> = self
                .comments
                .iter()
                .filter(|c| c.section == section.id)
                .collect();
            if !comments.is_empty() {
                md.push_str(&format!("\n### {}\n\n", text(Msg::ExportMdComments, &[])));
                for c in comments {
                    let target = c
                        .proposal
                        .map_or_else(|| text(Msg::ExportMdOnSection, &[]), |n| format!("#{n}"));
                    let line = text(
                        Msg::ExportMdComment,
                        &[
                            ("author", &cell(&c.author)),
                            ("organisation", &cell(&c.organisation)),
                            ("created_at", &c.created_at),
                            ("target", &target),
                            (
                                "text",
                                &if c.redacted {
                                    text(Msg::ExportMdRedacted, &[])
                                } else {
                                    cell(&c.text)
                                },
                            ),
                        ],
                    );
                    md.push_str(&format!("- {line}\n"));
                }
            }
        }
        md
    }
}

/// A proposal state's name in the catalogue's language (the export's identifier if unknown).
fn state_name<'a>(catalogue: &'a Catalogue, state: &'a str) -> &'a str {
    let known = [
        ProposalState::Open,
        ProposalState::Evaluating,
        ProposalState::Accepted,
        ProposalState::Rejected,
        ProposalState::Withdrawn,
        ProposalState::Merged(0),
    ];
    known
        .into_iter()
        .find(|s| s.name() == state)
        .map_or(state, |s| catalogue.template(state_msg(s)))
}

/// RFC 4180 CSV: CRLF line ends, every field quoted; a BOM so that spreadsheets read UTF-8
/// (accents) correctly. Every cell is [`spreadsheet_safe`].
struct Csv {
    writer: csv::Writer<Vec<u8>>,
}

impl Csv {
    fn new() -> Csv {
        let writer = csv::WriterBuilder::new()
            .quote_style(csv::QuoteStyle::Always)
            .terminator(csv::Terminator::CRLF)
            .from_writer("\u{FEFF}".as_bytes().to_vec());
        Csv { writer }
    }

    fn row<'a>(&mut self, fields: impl IntoIterator<Item = &'a str>) {
        let record = fields.into_iter().map(spreadsheet_safe);
        // Writing into memory cannot fail.
        let _ = self
            .writer
            .write_record(record.map(|field| field.into_owned()));
    }

    fn finish(self) -> String {
        let bytes = self.writer.into_inner().unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
    }
}

/// A cell a spreadsheet shows as text: one that starts like a formula (`=`, `+`, `-`, `@`,
/// tab, carriage return) gets a leading `'` (OWASP's rule against CSV injection).
fn spreadsheet_safe(field: &str) -> std::borrow::Cow<'_, str> {
    if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{field}").into()
    } else {
        field.into()
    }
}

/// User text as one Markdown table cell that shows as typed: on one line, with every
/// character Markdown or HTML would act on escaped (no tag, link, image or emphasis).
fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '!' | '|' | '<' | '>'
            | '&' | '~' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::spreadsheet_safe;

    #[test]
    fn cells_that_start_like_a_formula_get_a_quote_and_others_stay() {
        for risky in ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"] {
            assert_eq!(spreadsheet_safe(risky), format!("'{risky}"));
        }
        for plain in ["Open data", "1-2", "a=b", "", "'quoted"] {
            assert_eq!(spreadsheet_safe(plain), plain);
        }
    }
}
