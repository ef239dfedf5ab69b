//! The report's HTML: every caller text escaped (by the templates), the document's language,
//! headings in order, tables with captions and headers, the charts inlined with their text
//! alternatives, numbers in the report's language, and nothing loaded from outside.

use super::*;
use crate::render::{
    ChartBody, Numbers, ParticipationChart, ParticipationPart, ProgressChart, ProgressPart,
    ProgressRow, ReportAction, ReportProposal, ReportSection, ReportUpdate, ResultSeries,
    ResultsChart, TargetBar,
};

fn labels() -> ReportLabels {
    ReportLabels {
        masthead: "Monitoraggio del piano strategico".to_owned(),
        skip: "Vai al contenuto".to_owned(),
        contents: "Indice".to_owned(),
        generated: "Generato il".to_owned(),
        chart_text: "Il grafico in parole".to_owned(),
        overall: "avanzamento complessivo, ponderato".to_owned(),
        progress: "Avanzamento".to_owned(),
        section: "Sezione".to_owned(),
        actions: "Azioni".to_owned(),
        code: "Codice".to_owned(),
        title: "Titolo".to_owned(),
        owner: "Responsabile".to_owned(),
        due: "Scadenza".to_owned(),
        status: "Stato".to_owned(),
        history: "Cronologia".to_owned(),
        results: "Risultati attesi".to_owned(),
        indicator: "Indicatore".to_owned(),
        baseline: "Base".to_owned(),
        latest: "Ultimo".to_owned(),
        target: "Obiettivo".to_owned(),
        consultation: "Consultazione".to_owned(),
        proposal: "Proposta".to_owned(),
        supports: "Sostegni".to_owned(),
        oppositions: "Opposizioni".to_owned(),
        organisation: "Ente".to_owned(),
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

fn chart(title: &str, description: &str, body: ChartBody) -> Chart {
    Chart {
        title: title.to_owned(),
        subtitle: "Situazione al 2026-03-31".to_owned(),
        description: description.to_owned(),
        numbers: Numbers::Italian,
        status_names: status_names(),
        empty_text: "nessun dato".to_owned(),
        body,
    }
}

fn progress_chart(title: &str, rows: Vec<ProgressRow>) -> Chart {
    chart(
        title,
        &format!("{title}: 73% complessivo."),
        ChartBody::Progress(ProgressChart {
            overall: 72.5,
            overall_label: "avanzamento complessivo".to_owned(),
            counts: vec![(ActionStatus::InProgress, 1), (ActionStatus::Done, 1)],
            parts: vec![ProgressPart {
                heading: "Azioni".to_owned(),
                rows,
            }],
        }),
    )
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

fn turnout_row(name: &str) -> TurnoutRow {
    TurnoutRow {
        name: name.to_owned(),
        proposals: 2,
        voters: 7,
        supports: 1234,
        oppositions: 1,
        comments: 4,
    }
}

fn section(title: &str, percent: f64) -> ReportSection {
    let actions = vec![
        action(
            "1.1",
            40.0,
            ActionStatus::InProgress,
            vec![update(10.0, "avvio"), update(40.0, "gara")],
        ),
        action("1.2", 100.0, ActionStatus::Done, vec![update(100.0, "")]),
    ];
    let rows = actions
        .iter()
        .map(|a| ProgressRow {
            code: a.code.clone(),
            title: a.title.clone(),
            percent: a.percent,
            status: a.status,
            nested: false,
        })
        .collect();
    ReportSection {
        title: title.to_owned(),
        percent,
        counts: vec![(ActionStatus::InProgress, 1), (ActionStatus::Done, 1)],
        actions,
        results: vec![TargetBar {
            label: "Piste ciclabili".to_owned(),
            unit: "km".to_owned(),
            baseline: Some(10.0),
            latest: Some(14.5),
            target: Some(2000.0),
            target_text: None,
        }],
        proposals: vec![ReportProposal {
            number: 7,
            title: "Più rastrelliere".to_owned(),
            state: "Accolta".to_owned(),
            supports: 12,
            oppositions: 3,
        }],
        by_organisation: vec![turnout_row("FIAB")],
        progress_chart: progress_chart(title, rows),
        results_chart: Some(chart(
            &format!("Risultati di {title}"),
            "R.1 Piste ciclabili: ultimo valore 14,5 km.",
            ChartBody::Results(ResultsChart {
                measured_label: "misure".to_owned(),
                baseline_label: "base".to_owned(),
                target_label: "obiettivo".to_owned(),
                no_measurements: "nessuna misura".to_owned(),
                results: vec![ResultSeries {
                    code: "R.1".to_owned(),
                    title: "Piste ciclabili".to_owned(),
                    summary: "ultimo valore 14,5 km".to_owned(),
                    baseline: Some(10.0),
                    targets: vec![(2026, 20.0)],
                    measurements: vec![(
                        chrono::NaiveDate::from_ymd_opt(2026, 2, 1).expect("a date"),
                        14.5,
                    )],
                    current_target: Some(20.0),
                }],
            }),
        )),
    }
}

fn report() -> MonitoringReport {
    let sections = vec![
        section("Mobilità sostenibile", 70.0),
        section("Scuola", 75.5),
    ];
    MonitoringReport {
        language: "it".to_owned(),
        numbers: Numbers::Italian,
        labels: labels(),
        plan_title: "Piano strategico 2026–2028".to_owned(),
        plan_description: "Il piano della città".to_owned(),
        generated_at: "31/03/2026 09:00".to_owned(),
        overall_percent: 72.5,
        status_names: status_names(),
        overview: progress_chart("Piano strategico — tutto il piano", Vec::new()),
        participation: chart(
            "Partecipazione — tutto il piano",
            "Partecipazione a tutto il piano. Per ente: Comune: 5 proposte.",
            ChartBody::Participation(ParticipationChart {
                columns: [
                    "Proposte".into(),
                    "Votanti".into(),
                    "Voti".into(),
                    "Commenti".into(),
                ],
                supports_label: "Sostegni".into(),
                oppositions_label: "Contrari".into(),
                parts: vec![ParticipationPart {
                    heading: "Per ente".into(),
                    rows: vec![turnout_row("Comune")],
                }],
            }),
        ),
        sections,
        turnout: vec![turnout_row("Comune")],
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
    report.overview.title = evil.to_owned();
    report.overview.description = evil.to_owned();
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
    tainted.by_organisation[0].name = evil.to_owned();
    tainted.progress_chart = progress_chart(
        evil,
        vec![ProgressRow {
            code: evil.to_owned(),
            title: evil.to_owned(),
            percent: 50.0,
            status: ActionStatus::Late,
            nested: false,
        }],
    );
    // The second section has no actions, so the "nothing" label shows too.
    let without_actions = ReportSection {
        actions: Vec::new(),
        ..section(evil, 0.0)
    };
    report.sections = vec![tainted, without_actions];

    let html = render_html(&report);
    assert!(!html.contains("<script"), "raw script tag in {html}");
    assert!(!html.contains("\"quoted\""));
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot; 'single'")
    );
    assert!(html.starts_with("<!DOCTYPE html><html lang=\"it&quot;&gt;&lt;script&gt;"));
}

#[test]
fn the_document_carries_its_language_viewport_and_landmarks() {
    let mut report = report();
    report.language = "en".to_owned();
    let html = render_html(&report);
    assert!(html.starts_with("<!DOCTYPE html><html lang=\"en\">"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(
        html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
    );
    assert!(html.contains("<a class=\"skip\" href=\"#main\">Vai al contenuto</a>"));
    for landmark in [
        "<header>",
        "<nav class=\"toc\"",
        "<main id=\"main\">",
        "<footer>",
    ] {
        assert_eq!(html.matches(landmark).count(), 1, "{landmark}");
    }
    assert!(html.trim_end().ends_with("</html>"));
}

#[test]
fn headings_go_down_one_level_at_a_time() {
    let html = render_html(&report());
    let mut last = 0;
    let mut levels = Vec::new();
    for (at, _) in html.match_indices("<h") {
        let Some(level) = html[at + 2..].chars().next().and_then(|c| c.to_digit(10)) else {
            continue;
        };
        assert!(level <= last + 1, "h{level} after h{last} at {at}");
        levels.push(level);
        last = level;
    }
    assert_eq!(levels.first(), Some(&1));
    assert_eq!(levels.iter().filter(|l| **l == 1).count(), 1);
}

#[test]
fn contents_link_to_an_anchor_per_section() {
    let html = render_html(&report());
    for (anchor, title) in [
        ("section-1", "Mobilità sostenibile"),
        ("section-2", "Scuola"),
    ] {
        assert!(
            html.contains(&format!("<li><a href=\"#{anchor}\">{title}</a></li>")),
            "{anchor}"
        );
        assert!(
            html.contains(&format!("<section class=\"plan-section\" id=\"{anchor}\"")),
            "{anchor}"
        );
        assert!(html.contains(&format!(
            "<h2 class=\"section-title\" id=\"{anchor}-title\">{title}</h2>"
        )));
    }
    assert!(html.contains("<li><a href=\"#summary\">Avanzamento</a></li>"));
    assert!(html.contains("<section id=\"summary\""));
    assert!(html.contains("<section id=\"participation\""));
}

#[test]
fn every_table_has_a_caption_and_header_cells() {
    let html = render_html(&report());
    let tables = html.matches("<table").count();
    assert!(tables >= 10, "{tables}");
    assert_eq!(html.matches("<caption>").count(), tables);
    assert_eq!(html.matches("<thead>").count(), tables);
    assert!(html.contains("<caption>Azioni — Scuola</caption>"));
    // Every body row starts with a header cell naming it.
    for row in html
        .split("<tbody>")
        .skip(1)
        .flat_map(|b| b.split("<tr>").skip(1))
    {
        assert!(row.starts_with("<th "), "{row}");
    }
    // Scrolling frames can be reached by keyboard and are named.
    assert_eq!(
        html.matches("<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=")
            .count(),
        tables
    );
}

#[test]
fn charts_are_inlined_with_their_text_alternatives() {
    let html = render_html(&report());
    // The plan's, the participation chart, and each section's actions and results.
    assert_eq!(html.matches("<figure class=\"chart\">").count(), 2 + 2 * 2);
    assert_eq!(
        html.matches("<svg xmlns=\"http://www.w3.org/2000/svg\"")
            .count(),
        6
    );
    assert!(html.contains("<title>Risultati di Scuola</title>"));
    assert!(html.contains("<desc>Scuola: 73% complessivo.</desc>"));
    assert!(html.contains("<p class=\"alt\">Scuola: 73% complessivo.</p>"));
    assert!(html.contains("<summary>Il grafico in parole</summary>"));
    // Inline mini bars repeat the written percentage: hidden from screen readers.
    assert!(html.contains("<svg class=\"mini\" viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" aria-hidden=\"true\""));
}

#[test]
fn status_is_written_out_not_only_coloured() {
    let html = render_html(&report());
    assert!(html.contains("<span class=\"status s-done\">Completata</span>"));
    assert!(html.contains("<span class=\"status s-in-progress\">In corso</span>"));
    assert!(html.contains("<th class=\"num\" scope=\"col\">In ritardo</th>"));
}

#[test]
fn percentages_and_numbers_follow_the_language() {
    let html = render_html(&report());
    assert!(html.contains("<span class=\"pct\" id=\"overall\">73%</span>"));
    for percent in ["70%", "76%", "40%", "100%", "10%"] {
        assert!(
            html.contains(&format!("<span class=\"pct\">{percent}</span>")),
            "{percent}"
        );
    }
    assert!(html.contains("<td class=\"num\">14,5\u{a0}km</td>"));
    assert!(html.contains("<td class=\"num\">2.000\u{a0}km</td>"));
    assert!(html.contains("<td class=\"num\">1.234</td>"));
    let mut report = report();
    report.numbers = Numbers::English;
    report.sections[0].results[0].latest = None;
    let html = render_html(&report);
    assert!(html.contains("<td class=\"num\">2,000\u{a0}km</td>"));
    assert!(html.contains("<td class=\"num\">1,234</td>"));
    assert!(html.contains("<td class=\"num\">–</td>"));
}

#[test]
fn empty_lists_show_nothing() {
    let mut report = report();
    report.sections = Vec::new();
    report.turnout = Vec::new();
    let html = render_html(&report);
    assert_eq!(
        html.matches("<p class=\"nothing\">Nessun elemento</p>")
            .count(),
        2
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
}

#[test]
fn the_page_loads_nothing_from_outside() {
    let html = render_html(&report());
    for reference in [
        "http://", "https://", "src=", "<script", "<link", "@import", "<img",
    ] {
        let outside = html.matches(reference).count();
        // The SVG namespace is a name, not a request.
        let allowed = if reference == "http://" {
            html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
        } else {
            0
        };
        assert_eq!(outside, allowed, "{reference}");
    }
    // The only url() are the embedded font faces.
    assert_eq!(html.matches("url(").count(), 2);
    assert_eq!(html.matches("url(data:font/ttf;base64,").count(), 2);
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
    assert_eq!(html.matches("<details class=\"history\">").count(), 20 * 25);
    assert_eq!(html.matches("<li>").count(), 20 * 25 * 40 + 2 + 20);
    assert_eq!(html.matches("Più rastrelliere").count(), 500);
}

#[test]
fn a_sample_is_saved_to_be_looked_at() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/chart-samples");
    std::fs::create_dir_all(&dir).expect("the samples folder");
    let html = render_html(&report());
    std::fs::write(dir.join("report.html"), &html).expect("a sample");
    assert!(html.len() > 100_000, "the fonts are embedded");
}
