//! The monitoring report as one self-contained HTML5 page: inline style, inline SVG bars, no
//! scripts, fonts or other external resources, so it can be attached to a message, opened
//! offline and read on a phone. Every caller text is escaped.

use std::fmt::{Display, Write as _};

use super::chart::{clamp_percent, number, percent_text, status_colour};
use super::{
    ActionStatus, MonitoringReport, ReportAction, ReportLabels, ReportSection, ReportTurnout,
    TargetBar,
};

/// Mobile first: one column, tables scroll sideways inside their own box, nothing wider than
/// the viewport.
const STYLE: &str = "\
*{box-sizing:border-box}\
body{margin:0 auto;padding:1rem;max-width:60rem;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;line-height:1.45;color:#1a1a1a;background:#fff;overflow-wrap:break-word}\
h1{font-size:1.6rem;margin:.2rem 0}\
h2{font-size:1.3rem;margin:2rem 0 .5rem;padding-top:.5rem;border-top:2px solid #ccc}\
h3{font-size:1.05rem;margin:1.2rem 0 .4rem}\
.meta{color:#5c5c5c;margin:.2rem 0}\
.overall{display:flex;align-items:center;gap:1rem;margin:1rem 0}\
.overall .pct{font-size:2.6rem;font-weight:700;line-height:1}\
.overall svg{flex:1}\
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}\
table{border-collapse:collapse;width:100%;font-size:.92rem}\
th,td{padding:.35rem .5rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}\
th{background:#f4f4f4;white-space:nowrap}\
.num{text-align:right;white-space:nowrap}\
.nowrap{white-space:nowrap}\
.wide{min-width:11rem}\
svg.bar{display:block;width:100%;height:.9rem}\
svg.mini{display:inline-block;width:4.5rem;height:.7rem;vertical-align:middle;margin-left:.4rem}\
.swatch{display:inline-block;width:.8em;height:.8em;border-radius:2px;margin-right:.3em;vertical-align:-.05em}\
.nothing{color:#5c5c5c;font-style:italic}\
details{margin:.3rem 0;border:1px solid #ddd;border-radius:4px;padding:.3rem .6rem}\
summary{cursor:pointer}\
ol.history{margin:.4rem 0;padding-left:1.2rem}\
ol.history li{margin:.3rem 0}\
.note{white-space:pre-wrap}\
a{color:#0072b2}\
";

const TRACK: &str = "#e4e4e4";
const INK: &str = "#1a1a1a";
const MUTED: &str = "#5c5c5c";

/// Writes the report as an HTML5 document.
pub fn render_html(report: &MonitoringReport) -> String {
    let actions: usize = report.sections.iter().map(|s| s.actions.len()).sum();
    let history: usize = report
        .sections
        .iter()
        .flat_map(|s| &s.actions)
        .map(|a| a.history.len())
        .sum();
    // A rough size, so that a large report is written without repeated reallocation.
    let mut page = Page {
        out: String::with_capacity(8192 + 600 * actions + 250 * history),
        decimal_comma: report.language.starts_with("it"),
    };
    page.document(report);
    page.out
}

struct Page {
    out: String,
    /// Italian writes 12,5 where English writes 12.5.
    decimal_comma: bool,
}

impl Page {
    fn raw(&mut self, html: &str) {
        self.out.push_str(html);
    }

    /// Caller text, escaped for both element content and quoted attributes.
    fn text(&mut self, text: &str) {
        html_escape::encode_quoted_attribute_to_string(text, &mut self.out);
    }

    /// Our own values (numbers, colours), which never need escaping.
    fn value(&mut self, value: impl Display) {
        // Writing into a String cannot fail.
        let _ = write!(self.out, "{value}");
    }

    fn percent(&mut self, percent: f64) {
        self.raw("<span class=\"pct\">");
        self.raw(&percent_text(percent));
        self.raw("</span>");
    }

    fn measure(&mut self, value: Option<f64>, unit: &str) {
        let formatted = number(value);
        if self.decimal_comma {
            self.text(&formatted.replace('.', ","));
        } else {
            self.text(&formatted);
        }
        if value.is_some_and(f64::is_finite) && !unit.trim().is_empty() {
            self.raw("\u{a0}");
            self.text(unit.trim());
        }
    }

    fn nothing(&mut self, labels: &ReportLabels) {
        self.raw("<p class=\"nothing\">");
        self.text(&labels.nothing);
        self.raw("</p>\n");
    }

    /// A 0–100 bar; `class` is `bar` (full width) or `mini` (inline in a table).
    fn progress_bar(&mut self, class: &str, percent: f64, colour: [u8; 3]) {
        let filled = clamp_percent(percent);
        self.raw("<svg class=\"");
        self.raw(class);
        self.raw(
            "\" viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"",
        );
        self.raw(&percent_text(percent));
        self.raw("\"><rect width=\"100\" height=\"10\" rx=\"2\" fill=\"");
        self.raw(TRACK);
        self.raw("\"/><rect width=\"");
        self.value(format_args!("{filled:.1}"));
        self.raw("\" height=\"10\" rx=\"2\" fill=\"");
        self.colour(colour);
        self.raw("\"/></svg>");
    }

    fn colour(&mut self, [r, g, b]: [u8; 3]) {
        self.value(format_args!("#{r:02x}{g:02x}{b:02x}"));
    }

    fn swatch(&mut self, status: ActionStatus) {
        self.raw("<span class=\"swatch\" style=\"background:");
        self.colour(status_colour(status));
        self.raw("\"></span>");
    }

    fn document(&mut self, report: &MonitoringReport) {
        self.raw("<!DOCTYPE html>\n<html lang=\"");
        self.text(&report.language);
        self.raw("\">\n<head>\n<meta charset=\"utf-8\">\n");
        self.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        self.raw("<title>");
        self.text(&report.plan_title);
        self.raw("</title>\n<style>");
        self.raw(STYLE);
        self.raw("</style>\n</head>\n<body>\n<header>\n<h1>");
        self.text(&report.plan_title);
        self.raw("</h1>\n");
        if !report.plan_description.is_empty() {
            self.raw("<p class=\"description\">");
            self.text(&report.plan_description);
            self.raw("</p>\n");
        }
        self.raw("<p class=\"meta\">");
        self.text(&report.generated_at);
        self.raw("</p>\n<div class=\"overall\"><span class=\"pct\" id=\"overall\">");
        self.raw(&percent_text(report.overall_percent));
        self.raw("</span>");
        self.progress_bar(
            "bar",
            report.overall_percent,
            plain_colour(report.overall_percent),
        );
        self.raw("</div>\n</header>\n<main>\n");

        self.summary(report);
        for (index, section) in report.sections.iter().enumerate() {
            self.section(index + 1, section, report);
        }
        self.raw("</main>\n</body>\n</html>\n");
    }

    /// Progress by section: a row per section with its bar and its actions per status.
    fn summary(&mut self, report: &MonitoringReport) {
        let labels = &report.labels;
        self.raw("<section id=\"summary\">\n<h2>");
        self.text(&labels.progress);
        self.raw("</h2>\n");
        if report.sections.is_empty() {
            self.nothing(labels);
            self.raw("</section>\n");
            return;
        }
        self.raw("<div class=\"scroll\"><table>\n<thead><tr><th>");
        self.text(&labels.section);
        self.raw("</th><th>");
        self.text(&labels.progress);
        self.raw("</th>");
        for (status, name) in &report.status_names {
            self.raw("<th class=\"num\">");
            self.swatch(*status);
            self.text(name);
            self.raw("</th>");
        }
        self.raw("</tr></thead>\n<tbody>\n");
        for (index, section) in report.sections.iter().enumerate() {
            self.raw("<tr><td class=\"wide\"><a href=\"#section-");
            self.value(index + 1);
            self.raw("\">");
            self.text(&section.title);
            self.raw("</a></td><td class=\"nowrap\">");
            self.percent(section.percent);
            self.progress_bar("mini", section.percent, plain_colour(section.percent));
            self.raw("</td>");
            for (status, _) in &report.status_names {
                let count = section.counts.iter().find(|(counted, _)| counted == status);
                self.raw("<td class=\"num\">");
                self.value(count.map_or(0, |(_, count)| *count));
                self.raw("</td>");
            }
            self.raw("</tr>\n");
        }
        self.raw("</tbody>\n</table></div>\n");
        self.raw("<h3>");
        self.text(&labels.participation);
        self.raw("</h3>\n");
        self.turnout(&report.turnout, labels);
        self.raw("</section>\n");
    }

    fn section(&mut self, number: usize, section: &ReportSection, report: &MonitoringReport) {
        let labels = &report.labels;
        self.raw("<section id=\"section-");
        self.value(number);
        self.raw("\">\n<h2 class=\"section-title\">");
        self.text(&section.title);
        self.raw("</h2>\n<div class=\"overall\">");
        self.percent(section.percent);
        self.progress_bar("bar", section.percent, plain_colour(section.percent));
        self.raw("</div>\n");

        self.raw("<h3>");
        self.text(&labels.actions);
        self.raw("</h3>\n");
        if section.actions.is_empty() {
            self.nothing(labels);
        } else {
            self.actions(&section.actions, report);
        }

        self.raw("<h3>");
        self.text(&labels.results);
        self.raw("</h3>\n");
        if section.results.is_empty() {
            self.nothing(labels);
        } else {
            self.results(&section.results, labels);
        }

        self.raw("<h3>");
        self.text(&labels.consultation);
        self.raw("</h3>\n");
        self.consultation(section, labels);
        self.raw("</section>\n");
    }

    fn actions(&mut self, actions: &[ReportAction], report: &MonitoringReport) {
        let labels = &report.labels;
        self.raw("<div class=\"scroll\"><table>\n<thead><tr>");
        for header in [
            &labels.code,
            &labels.title,
            &labels.owner,
            &labels.due,
            &labels.status,
        ] {
            self.raw("<th>");
            self.text(header);
            self.raw("</th>");
        }
        self.raw("<th>");
        self.text(&labels.progress);
        self.raw("</th></tr></thead>\n<tbody>\n");
        for action in actions {
            self.raw("<tr><td class=\"nowrap\">");
            self.text(&action.code);
            self.raw("</td><td class=\"wide\">");
            self.text(&action.title);
            self.raw("</td><td>");
            self.text(&action.owner);
            self.raw("</td><td class=\"nowrap\">");
            self.text(&action.due);
            self.raw("</td><td class=\"nowrap\">");
            self.swatch(action.status);
            self.text(status_name(report, action.status));
            self.raw("</td><td class=\"nowrap\">");
            self.percent(action.percent);
            self.progress_bar("mini", action.percent, status_colour(action.status));
            self.raw("</td></tr>\n");
        }
        self.raw("</tbody>\n</table></div>\n");

        // Histories below the table rather than inside it, so they stay readable on a phone.
        for action in actions {
            self.raw("<details><summary>");
            self.text(&labels.history);
            self.raw(": ");
            self.text(&action.code);
            self.raw(" ");
            self.text(&action.title);
            self.raw(" (");
            self.value(action.history.len());
            self.raw(")</summary>\n");
            if action.history.is_empty() {
                self.nothing(labels);
            } else {
                self.raw("<ol class=\"history\">\n");
                for update in &action.history {
                    self.raw("<li><span class=\"nowrap\">");
                    self.text(&update.at);
                    self.raw("</span> · ");
                    self.text(&update.author);
                    self.raw(" · ");
                    self.percent(update.percent);
                    if !update.note.is_empty() {
                        self.raw("<br><span class=\"note\">");
                        self.text(&update.note);
                        self.raw("</span>");
                    }
                    self.raw("</li>\n");
                }
                self.raw("</ol>\n");
            }
            self.raw("</details>\n");
        }
    }

    fn results(&mut self, results: &[TargetBar], labels: &ReportLabels) {
        self.raw("<div class=\"scroll\"><table>\n<thead><tr><th>");
        self.text(&labels.indicator);
        self.raw("</th>");
        for header in [&labels.baseline, &labels.latest, &labels.target] {
            self.raw("<th class=\"num\">");
            self.text(header);
            self.raw("</th>");
        }
        self.raw("<th></th></tr></thead>\n<tbody>\n");
        for result in results {
            self.raw("<tr><td class=\"wide\">");
            self.text(&result.label);
            self.raw("</td>");
            for value in [result.baseline, result.latest, result.target] {
                self.raw("<td class=\"num\">");
                self.measure(value, &result.unit);
                self.raw("</td>");
            }
            self.raw("<td>");
            self.result_bar(result);
            self.raw("</td></tr>\n");
        }
        self.raw("</tbody>\n</table></div>\n");
    }

    /// Latest as a bar on a scale up to the largest value, target as a dark tick, baseline as
    /// a grey tick; the same reading as the chart.
    fn result_bar(&mut self, result: &TargetBar) {
        let finite = |value: Option<f64>| value.filter(|v| v.is_finite());
        let (baseline, latest, target) = (
            finite(result.baseline),
            finite(result.latest),
            finite(result.target),
        );
        let max = [baseline, latest, target]
            .into_iter()
            .flatten()
            .fold(0.0_f64, f64::max);
        let at = |value: f64| {
            if max > 0.0 {
                (value.clamp(0.0, max) / max * 100.0).min(99.0)
            } else {
                0.0
            }
        };
        self.raw("<svg class=\"mini\" viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" aria-hidden=\"true\"><rect y=\"2\" width=\"100\" height=\"6\" fill=\"");
        self.raw(TRACK);
        self.raw("\"/>");
        if let Some(latest) = latest.filter(|_| max > 0.0) {
            let colour = if super::chart::target_met(baseline, latest, target) {
                status_colour(ActionStatus::Done)
            } else {
                status_colour(ActionStatus::InProgress)
            };
            self.raw("<rect y=\"2\" width=\"");
            self.value(format_args!("{:.1}", latest.clamp(0.0, max) / max * 100.0));
            self.raw("\" height=\"6\" fill=\"");
            self.colour(colour);
            self.raw("\"/>");
        }
        if let Some(baseline) = baseline.filter(|_| max > 0.0) {
            self.raw("<rect x=\"");
            self.value(format_args!("{:.1}", at(baseline)));
            self.raw("\" y=\"6\" width=\"1\" height=\"4\" fill=\"");
            self.raw(MUTED);
            self.raw("\"/>");
        }
        if let Some(target) = target.filter(|_| max > 0.0) {
            self.raw("<rect x=\"");
            self.value(format_args!("{:.1}", at(target)));
            self.raw("\" width=\"1.5\" height=\"10\" fill=\"");
            self.raw(INK);
            self.raw("\"/>");
        }
        self.raw("</svg>");
    }

    fn consultation(&mut self, section: &ReportSection, labels: &ReportLabels) {
        if section.proposals.is_empty() {
            self.nothing(labels);
        } else {
            self.raw("<div class=\"scroll\"><table>\n<thead><tr><th class=\"num\">");
            self.text(&labels.proposal);
            self.raw("</th><th>");
            self.text(&labels.title);
            self.raw("</th><th>");
            self.text(&labels.status);
            self.raw("</th><th class=\"num\">");
            self.text(&labels.supports);
            self.raw("</th><th class=\"num\">");
            self.text(&labels.oppositions);
            self.raw("</th></tr></thead>\n<tbody>\n");
            for proposal in &section.proposals {
                self.raw("<tr><td class=\"num\">#");
                self.value(proposal.number);
                self.raw("</td><td class=\"wide\">");
                self.text(&proposal.title);
                self.raw("</td><td>");
                self.text(&proposal.state);
                self.raw("</td><td class=\"num\">");
                self.value(proposal.supports);
                self.raw("</td><td class=\"num\">");
                self.value(proposal.oppositions);
                self.raw("</td></tr>\n");
            }
            self.raw("</tbody>\n</table></div>\n");
        }

        self.raw("<h3>");
        self.text(&labels.participation);
        self.raw("</h3>\n");
        self.turnout(&section.by_organisation, labels);
    }

    /// Participation per organisation: proposals, voters, supports, oppositions, comments.
    fn turnout(&mut self, rows: &[ReportTurnout], labels: &ReportLabels) {
        if rows.is_empty() {
            self.nothing(labels);
            return;
        }
        self.raw("<div class=\"scroll\"><table class=\"turnout\">\n<thead><tr><th>");
        self.text(&labels.organisation);
        for label in [
            &labels.proposals,
            &labels.voters,
            &labels.supports,
            &labels.oppositions,
            &labels.comments,
        ] {
            self.raw("</th><th class=\"num\">");
            self.text(label);
        }
        self.raw("</th></tr></thead>\n<tbody>\n");
        for row in rows {
            self.raw("<tr><td>");
            self.text(&row.organisation);
            for value in [
                row.proposals,
                row.voters,
                row.supports,
                row.oppositions,
                row.comments,
            ] {
                self.raw("</td><td class=\"num\">");
                self.value(value);
            }
            self.raw("</td></tr>\n");
        }
        self.raw("</tbody>\n</table></div>\n");
    }
}

/// The status's localised name, or its code name if the catalogue left it out.
fn status_name(report: &MonitoringReport, status: ActionStatus) -> &str {
    report
        .status_names
        .iter()
        .find(|(named, _)| *named == status)
        .map_or(fallback_status_name(status), |(_, name)| name.as_str())
}

fn fallback_status_name(status: ActionStatus) -> &'static str {
    match status {
        ActionStatus::NotStarted => "not started",
        ActionStatus::InProgress => "in progress",
        ActionStatus::DueSoon => "due soon",
        ActionStatus::Late => "late",
        ActionStatus::Done => "done",
    }
}

/// Bars without a status of their own (plan, sections): green once complete, blue before.
fn plain_colour(percent: f64) -> [u8; 3] {
    if clamp_percent(percent) >= 100.0 {
        status_colour(ActionStatus::Done)
    } else {
        status_colour(ActionStatus::InProgress)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{ReportProposal, ReportUpdate};

    fn labels() -> ReportLabels {
        ReportLabels {
            progress: "Avanzamento".to_owned(),
            section: "Sezione".to_owned(),
            actions: "Azioni".to_owned(),
            code: "Codice".to_owned(),
            title: "Titolo".to_owned(),
            owner: "Responsabile".to_owned(),
            due: "Scadenza".to_owned(),
            status: "Stato".to_owned(),
            history: "Storico".to_owned(),
            results: "Risultati attesi".to_owned(),
            indicator: "Indicatore".to_owned(),
            baseline: "Base".to_owned(),
            latest: "Ultimo".to_owned(),
            target: "Obiettivo".to_owned(),
            consultation: "Consultazione".to_owned(),
            proposal: "Proposta".to_owned(),
            supports: "Sostegni".to_owned(),
            oppositions: "Opposizioni".to_owned(),
            organisation: "Organizzazione".to_owned(),
            participation: "Partecipazione per ente".to_owned(),
            proposals: "Proposte".to_owned(),
            voters: "Votanti".to_owned(),
            comments: "Commenti".to_owned(),
            nothing: "Nessun elemento".to_owned(),
        }
    }

    fn status_names() -> Vec<(ActionStatus, String)> {
        vec![
            (ActionStatus::NotStarted, "Non avviata".to_owned()),
            (ActionStatus::InProgress, "In corso".to_owned()),
            (ActionStatus::DueSoon, "In scadenza".to_owned()),
            (ActionStatus::Late, "In ritardo".to_owned()),
            (ActionStatus::Done, "Completata".to_owned()),
        ]
    }

    fn update(percent: f64, note: &str) -> ReportUpdate {
        ReportUpdate {
            at: "12/03/2026 10:30".to_owned(),
            author: "@anna:comune.it".to_owned(),
            percent,
            note: note.to_owned(),
        }
    }

    fn action(
        code: &str,
        percent: f64,
        status: ActionStatus,
        history: Vec<ReportUpdate>,
    ) -> ReportAction {
        ReportAction {
            code: code.to_owned(),
            title: format!("Azione {code}"),
            owner: "Ufficio mobilità".to_owned(),
            due: "30/06/2026".to_owned(),
            percent,
            status,
            history,
        }
    }

    fn section(title: &str, percent: f64) -> ReportSection {
        ReportSection {
            title: title.to_owned(),
            percent,
            counts: vec![(ActionStatus::InProgress, 1), (ActionStatus::Done, 1)],
            actions: vec![
                action(
                    "1.1",
                    40.0,
                    ActionStatus::InProgress,
                    vec![update(10.0, "avvio"), update(40.0, "gara")],
                ),
                action("1.2", 100.0, ActionStatus::Done, vec![update(100.0, "")]),
            ],
            results: vec![TargetBar {
                label: "Piste ciclabili".to_owned(),
                unit: "km".to_owned(),
                baseline: Some(10.0),
                latest: Some(14.5),
                target: Some(20.0),
            }],
            proposals: vec![ReportProposal {
                number: 7,
                title: "Più rastrelliere".to_owned(),
                state: "Accolta".to_owned(),
                supports: 12,
                oppositions: 3,
            }],
            by_organisation: vec![ReportTurnout {
                organisation: "FIAB".to_owned(),
                proposals: 2,
                voters: 7,
                supports: 9,
                oppositions: 1,
                comments: 4,
            }],
        }
    }

    fn report() -> MonitoringReport {
        MonitoringReport {
            language: "it".to_owned(),
            labels: labels(),
            plan_title: "Piano strategico 2026–2028".to_owned(),
            plan_description: "Il piano della città".to_owned(),
            generated_at: "31/03/2026 09:00".to_owned(),
            overall_percent: 72.5,
            status_names: status_names(),
            sections: vec![
                section("Mobilità sostenibile", 70.0),
                section("Scuola", 75.5),
            ],
            turnout: vec![ReportTurnout {
                organisation: "Comune".to_owned(),
                proposals: 5,
                voters: 11,
                supports: 20,
                oppositions: 3,
                comments: 8,
            }],
        }
    }

    #[test]
    fn caller_text_is_escaped_everywhere() {
        let evil = "<script>alert(1)</script> & \"quoted\" 'single'";
        let mut report = report();
        report.language = "it\"><script>alert(1)</script>".to_owned();
        report.plan_title = evil.to_owned();
        report.plan_description = evil.to_owned();
        report.generated_at = evil.to_owned();
        report.labels.nothing = evil.to_owned();
        report.status_names[1].1 = evil.to_owned();
        let mut tainted = section(evil, 50.0);
        tainted.actions[0].code = evil.to_owned();
        tainted.actions[0].title = evil.to_owned();
        tainted.actions[0].owner = evil.to_owned();
        tainted.actions[0].due = evil.to_owned();
        tainted.actions[0].history[0].author = evil.to_owned();
        tainted.actions[0].history[0].note = evil.to_owned();
        tainted.actions[0].history[0].at = evil.to_owned();
        tainted.results[0].label = evil.to_owned();
        tainted.results[0].unit = evil.to_owned();
        tainted.proposals[0].title = evil.to_owned();
        tainted.proposals[0].state = evil.to_owned();
        tainted.by_organisation[0].organisation = evil.to_owned();
        // The second section has no actions, so the "nothing" label shows too.
        let without_actions = ReportSection {
            actions: Vec::new(),
            ..section(evil, 0.0)
        };
        report.sections = vec![tainted, without_actions];

        let html = render_html(&report);
        assert!(!html.contains("<script"), "raw script tag in {html}");
        assert!(!html.contains("\"quoted\""));
        assert!(!html.contains("'single'"));
        assert!(html.contains(
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot; &#x27;single&#x27;"
        ));
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"it&quot;&gt;&lt;script&gt;"));
    }

    #[test]
    fn the_document_carries_its_language_and_viewport() {
        let mut report = report();
        report.language = "en".to_owned();
        let html = render_html(&report);
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
        assert!(html.contains("<meta charset=\"utf-8\">"));
        assert!(html
            .contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
        assert!(html.trim_end().ends_with("</html>"));
    }

    #[test]
    fn section_titles_and_percentages_appear() {
        let html = render_html(&report());
        assert!(html.contains("<span class=\"pct\" id=\"overall\">73%</span>"));
        assert!(html.contains(
            "<section id=\"section-1\">\n<h2 class=\"section-title\">Mobilità sostenibile</h2>"
        ));
        assert!(
            html.contains("<section id=\"section-2\">\n<h2 class=\"section-title\">Scuola</h2>")
        );
        assert_eq!(html.matches("class=\"section-title\"").count(), 2);
        assert!(html.contains("<a href=\"#section-2\">Scuola</a></td>"));
        // Section, action and history percentages, each marked.
        for percent in ["70%", "76%", "40%", "100%", "10%"] {
            assert!(
                html.contains(&format!("<span class=\"pct\">{percent}</span>")),
                "{percent}"
            );
        }
        // Status names head the summary, counts fill it; 0 where a status has no actions.
        assert!(html.contains("In ritardo</th>"));
        assert!(html.contains("<td class=\"num\">0</td>"));
        assert!(html.contains("<td class=\"num\">1</td>"));
        // Actions name their status; results, proposals and organisations are listed.
        assert!(html.contains("Completata</td>"));
        assert!(html.contains("14,5\u{a0}km"));
        assert!(html.contains("#7</td><td class=\"wide\">Più rastrelliere</td><td>Accolta</td><td class=\"num\">12</td><td class=\"num\">3</td>"));
        // Each participation column holds its own figure: proposals, voters, 👍, 👎, comments.
        assert!(html.contains("<td>FIAB</td><td class=\"num\">2</td><td class=\"num\">7</td><td class=\"num\">9</td><td class=\"num\">1</td><td class=\"num\">4</td>"));
        assert!(html.contains("<details><summary>Storico: 1.1 Azione 1.1 (2)</summary>"));
        assert!(html.contains("gara"));
    }

    #[test]
    fn percentages_round_half_up_and_clamp() {
        for (percent, text) in [
            (72.5, "73%"),
            (72.49, "72%"),
            (0.5, "1%"),
            (-5.0, "0%"),
            (250.0, "100%"),
            (f64::NAN, "0%"),
        ] {
            let mut report = report();
            report.overall_percent = percent;
            let html = render_html(&report);
            assert!(
                html.contains(&format!("id=\"overall\">{text}</span>")),
                "{percent}"
            );
        }
    }

    #[test]
    fn numbers_follow_the_language() {
        let mut report = report();
        report.language = "en".to_owned();
        assert!(render_html(&report).contains("14.5\u{a0}km"));
        report.sections[0].results[0].latest = None;
        assert!(render_html(&report).contains("<td class=\"num\">–</td>"));
    }

    #[test]
    fn empty_lists_show_nothing() {
        let mut report = report();
        report.sections = Vec::new();
        let html = render_html(&report);
        assert_eq!(
            html.matches("<p class=\"nothing\">Nessun elemento</p>")
                .count(),
            1
        );

        let mut report = self::report();
        let mut empty = section("Vuota", 0.0);
        empty.actions = Vec::new();
        empty.results = Vec::new();
        empty.proposals = Vec::new();
        empty.by_organisation = Vec::new();
        let mut silent = section("Senza storico", 0.0);
        silent.actions[0].history = Vec::new();
        report.sections = vec![empty, silent];
        let html = render_html(&report);
        // Actions, results, proposals and organisations of the first section, then one history.
        assert_eq!(
            html.matches("<p class=\"nothing\">Nessun elemento</p>")
                .count(),
            5
        );
        assert!(html.contains("(0)</summary>\n<p class=\"nothing\">Nessun elemento</p>"));
    }

    #[test]
    fn the_page_loads_nothing_from_outside() {
        let html = render_html(&report());
        for reference in [
            "http://", "https://", "src=", "<script", "<link", "@import", "url(", "<img",
        ] {
            assert!(!html.contains(reference), "{reference}");
        }
        // Every table scrolls inside its own box, so a phone never scrolls the whole page.
        assert_eq!(
            html.matches("<table").count(),
            html.matches("<div class=\"scroll\"><table").count()
        );
        assert!(html.matches("<svg").count() >= 8);
    }

    #[test]
    fn a_large_report_renders_completely() {
        let mut report = report();
        let history: Vec<ReportUpdate> = (0..40)
            .map(|i| update(f64::from(i) * 2.5, "aggiornamento"))
            .collect();
        report.sections = (0..20)
            .map(|s| {
                let mut section = section(&format!("Sezione {s}"), 50.0);
                section.actions = (0..25)
                    .map(|a| {
                        action(
                            &format!("{s}.{a}"),
                            50.0,
                            ActionStatus::InProgress,
                            history.clone(),
                        )
                    })
                    .collect();
                section.results = vec![section.results[0].clone(); 10];
                section.proposals = vec![section.proposals[0].clone(); 25];
                section
            })
            .collect();
        let html = render_html(&report);
        assert_eq!(html.matches("class=\"section-title\"").count(), 20);
        assert_eq!(html.matches("<details>").count(), 20 * 25);
        assert_eq!(html.matches("<li>").count(), 20 * 25 * 40);
        assert_eq!(html.matches("Più rastrelliere").count(), 500);
    }
}
