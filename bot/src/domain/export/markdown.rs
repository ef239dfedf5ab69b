//! The Markdown file of an export: a readable report in the catalogue's language, user text
//! shown as typed.

use super::monitoring::status_name;
use super::{Export, Visibility, SCHEMA, VERSION};
use crate::domain::i18n::{Catalogue, Msg};
use crate::domain::monitoring::{format_number, ActionStatus};
use crate::domain::participation::{Phase, ProposalState};
use crate::domain::tracking::status_msg;
use crate::domain::votes::{phase_msg, state_msg};

impl Export {
    /// The readable export: every user-visible word from the catalogue, user text on one
    /// line with what Markdown or HTML would act on escaped.
    pub(super) fn markdown(&self, catalogue: &Catalogue) -> String {
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
        if let Some(number) = self.iteration {
            // The version's name beside its number, for a closed iteration.
            let name = self
                .iterations
                .iter()
                .find(|i| i.number == number)
                .and_then(|i| i.name.as_deref());
            let iteration = match name {
                Some(name) => format!("{number} ({})", cell(name)),
                None => number.to_string(),
            };
            md.push_str(&format!(
                "\n{}\n",
                text(Msg::ExportMdIteration, &[("iteration", &iteration)])
            ));
        }
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
        md.push_str(&self.monitoring_markdown(catalogue));
        md
    }

    /// The monitored plan: expected results, then actions, each a table.
    fn monitoring_markdown(&self, catalogue: &Catalogue) -> String {
        if self.results.is_empty() && self.actions.is_empty() {
            return String::new();
        }
        let cell = markdown_text;
        let text = |msg: Msg| catalogue.render(msg, &[]).body;
        let table_head = |columns: String| {
            let rule = vec!["---"; columns.split('|').count()].join("|");
            format!("| {columns} |\n|{rule}|\n")
        };
        let number = |value: Option<f64>| value.map(format_number).unwrap_or_default();
        let mut md = format!("\n## {}\n", text(Msg::ExportMdMonitoring));
        if !self.results.is_empty() {
            md.push_str(&format!("\n### {}\n\n", text(Msg::ExportMdResults)));
            md.push_str(&table_head(text(Msg::ExportMdResultsColumns)));
            for r in &self.results {
                // Each year's number, else its text.
                let years: std::collections::BTreeSet<i32> = r
                    .targets
                    .keys()
                    .chain(r.target_text.keys())
                    .copied()
                    .collect();
                let targets: Vec<String> = years
                    .into_iter()
                    .map(|year| {
                        let target = match (r.targets.get(&year), r.target_text.get(&year)) {
                            (Some(value), _) => format_number(*value),
                            (None, Some(text)) => cell(text),
                            (None, None) => String::new(),
                        };
                        format!("{year}: {target}")
                    })
                    .collect();
                md.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {} | {} |\n",
                    cell(&r.code),
                    cell(&r.title),
                    cell(&format!("{} ({})", r.indicator, r.unit)),
                    number(r.baseline),
                    targets.join(", "),
                    number(r.latest),
                    r.measurements.len()
                ));
            }
        }
        if !self.actions.is_empty() {
            md.push_str(&format!("\n### {}\n\n", text(Msg::ExportMdActions)));
            md.push_str(&table_head(text(Msg::ExportMdActionsColumns)));
            for a in &self.actions {
                let status = ActionStatus::ALL
                    .into_iter()
                    .find(|s| status_name(*s) == a.status)
                    .map_or(a.status, |s| catalogue.template(status_msg(s)));
                let due = match (a.due, a.start) {
                    (Some(due), _) => due.to_string(),
                    (None, start) => {
                        let start = start.map_or_else(|| "–".to_owned(), |s| s.to_string());
                        catalogue
                            .render(Msg::ActionOpenEnded, &[("start", &start)])
                            .body
                    }
                };
                md.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {}% | {} |\n",
                    cell(&a.code),
                    cell(&a.title),
                    cell(a.owner.as_deref().unwrap_or_default()),
                    due,
                    status,
                    a.progress,
                    a.progress_history.len()
                ));
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
