//! The CSV files of an export: RFC 4180 (CRLF line ends, every field quoted), UTF-8 with a
//! byte-order mark so that spreadsheets read accents, one file per table; no cell a
//! spreadsheet would run as a formula.

use std::collections::BTreeSet;

use super::Export;

impl Export {
    fn organisations(&self) -> BTreeSet<&str> {
        self.proposals
            .iter()
            .flat_map(|p| p.by_organisation.keys().map(String::as_str))
            .collect()
    }

    pub(super) fn proposals_csv(&self) -> String {
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
