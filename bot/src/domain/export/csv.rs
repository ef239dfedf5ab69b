//! The CSV files of an export: RFC 4180 (CRLF line ends, every field quoted), UTF-8 with a
//! byte-order mark so that spreadsheets read accents, one file per table; no cell a
//! spreadsheet would run as a formula.

use std::collections::{BTreeMap, BTreeSet};

use super::{Export, Votes};
use crate::domain::monitoring::format_number;

/// A table whose rows have votes per organisation: the `fixed` columns, then a
/// `supports [<organisation>]` / `oppositions [<organisation>]` pair for every organisation
/// any row has, in one order for the header and every row, so that a column always holds
/// what its header names.
pub(super) fn voted_table(
    fixed: &[&str],
    rows: Vec<(Vec<String>, &BTreeMap<String, Votes>)>,
) -> String {
    let organisations: BTreeSet<&str> = rows
        .iter()
        .flat_map(|(_, votes)| votes.keys().map(String::as_str))
        .collect();
    let mut header: Vec<String> = fixed.iter().map(|s| (*s).to_owned()).collect();
    for org in &organisations {
        header.push(format!("supports [{org}]"));
        header.push(format!("oppositions [{org}]"));
    }
    let mut csv = Csv::new();
    csv.row(header.iter().map(String::as_str));
    for (mut cells, by_organisation) in rows {
        for org in &organisations {
            let votes = by_organisation.get(*org).copied().unwrap_or_default();
            cells.push(votes.supports.to_string());
            cells.push(votes.oppositions.to_string());
        }
        csv.row(cells.iter().map(String::as_str));
    }
    csv.finish()
}

impl Export {
    pub(super) fn proposals_csv(&self) -> String {
        let rows = self.proposals.iter().map(|p| {
            let cells = vec![
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
                p.iteration.to_string(),
            ];
            (cells, &p.by_organisation)
        });
        voted_table(
            &[
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
                "iteration",
            ],
            rows.collect(),
        )
    }

    pub(super) fn comments_csv(&self) -> String {
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
            "iteration",
        ]);
        for c in &self.comments {
            let proposal = c.proposal.map(|n| n.to_string()).unwrap_or_default();
            let iteration = c.iteration.to_string();
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
                &iteration,
            ]);
        }
        csv.finish()
    }
}

impl Export {
    pub(super) fn objectives_csv(&self) -> String {
        let mut csv = Csv::new();
        csv.row(["code", "section", "title"]);
        for o in &self.objectives {
            csv.row([o.code.as_str(), &o.section, &o.title]);
        }
        csv.finish()
    }

    /// One row per result; its targets as one `target <year>` column per year any has a
    /// number for, then one `target text <year>` column per year any has a text for.
    pub(super) fn results_csv(&self) -> String {
        let years: BTreeSet<i32> = self
            .results
            .iter()
            .flat_map(|r| r.targets.keys().copied())
            .collect();
        let text_years: BTreeSet<i32> = self
            .results
            .iter()
            .flat_map(|r| r.target_text.keys().copied())
            .collect();
        let mut header: Vec<String> = [
            "code",
            "objective",
            "section",
            "title",
            "indicator",
            "unit",
            "baseline",
            "latest",
            "measurements",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        header.extend(years.iter().map(|year| format!("target {year}")));
        header.extend(text_years.iter().map(|year| format!("target text {year}")));
        let mut csv = Csv::new();
        csv.row(header.iter().map(String::as_str));
        let number = |value: Option<f64>| value.map(format_number).unwrap_or_default();
        for r in &self.results {
            let mut row = vec![
                r.code.clone(),
                r.objective.clone(),
                r.section.clone().unwrap_or_default(),
                r.title.clone(),
                r.indicator.clone(),
                r.unit.clone(),
                number(r.baseline),
                number(r.latest),
                r.measurements.len().to_string(),
            ];
            row.extend(
                years
                    .iter()
                    .map(|year| number(r.targets.get(year).copied())),
            );
            row.extend(
                text_years
                    .iter()
                    .map(|year| r.target_text.get(year).cloned().unwrap_or_default()),
            );
            csv.row(row.iter().map(String::as_str));
        }
        csv.finish()
    }

    pub(super) fn measurements_csv(&self) -> String {
        let mut csv = Csv::new();
        csv.row([
            "result",
            "value",
            "date",
            "note",
            "author",
            "organisation",
            "source",
            "created_at",
            "event_id",
        ]);
        for m in self.results.iter().flat_map(|r| &r.measurements) {
            let (value, date) = (format_number(m.value), m.date.to_string());
            csv.row([
                m.result.as_str(),
                &value,
                &date,
                &m.note,
                &m.author,
                &m.organisation,
                &m.source,
                &m.created_at,
                &m.event_id,
            ]);
        }
        csv.finish()
    }

    pub(super) fn actions_csv(&self) -> String {
        let mut csv = Csv::new();
        csv.row([
            "code",
            "section",
            "objective",
            "title",
            "owner",
            "owners",
            "start",
            "due",
            "weight",
            "proposal",
            "status",
            "progress",
            "updates",
        ]);
        for a in &self.actions {
            let row = [
                a.code.clone(),
                a.section.clone(),
                a.objective.clone().unwrap_or_default(),
                a.title.clone(),
                a.owner.clone().unwrap_or_default(),
                a.owners.join("; "),
                a.start.map(|d| d.to_string()).unwrap_or_default(),
                a.due.map(|d| d.to_string()).unwrap_or_default(),
                format_number(a.weight),
                a.proposal.map(|n| n.to_string()).unwrap_or_default(),
                a.status.to_owned(),
                a.progress.to_string(),
                a.progress_history.len().to_string(),
            ];
            csv.row(row.iter().map(String::as_str));
        }
        csv.finish()
    }

    pub(super) fn progress_csv(&self) -> String {
        let mut csv = Csv::new();
        csv.row([
            "action",
            "progress",
            "note",
            "author",
            "organisation",
            "source",
            "created_at",
            "event_id",
        ]);
        for u in self.actions.iter().flat_map(|a| &a.progress_history) {
            let progress = u.progress.to_string();
            csv.row([
                u.action.as_str(),
                &progress,
                &u.note,
                &u.author,
                &u.organisation,
                &u.source,
                &u.created_at,
                &u.event_id,
            ]);
        }
        csv.finish()
    }
}

/// RFC 4180 CSV: CRLF line ends, every field quoted; a BOM so that spreadsheets read UTF-8
/// (accents) correctly. Every cell is [`spreadsheet_safe`].
pub(super) struct Csv {
    writer: csv::Writer<Vec<u8>>,
}

impl Csv {
    pub(super) fn new() -> Csv {
        let writer = csv::WriterBuilder::new()
            .quote_style(csv::QuoteStyle::Always)
            .terminator(csv::Terminator::CRLF)
            .from_writer("\u{FEFF}".as_bytes().to_vec());
        Csv { writer }
    }

    pub(super) fn row<'a>(&mut self, fields: impl IntoIterator<Item = &'a str>) {
        let record = fields.into_iter().map(spreadsheet_safe);
        // Writing into memory cannot fail.
        let _ = self
            .writer
            .write_record(record.map(|field| field.into_owned()));
    }

    pub(super) fn finish(self) -> String {
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
