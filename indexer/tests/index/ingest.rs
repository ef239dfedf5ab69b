//! Ingest: every format with front matter, incremental re-adds, unreadable files, statistics.

use super::chat::share;
use super::*;

/// A one-page PDF with a title in its info dictionary, built with lopdf.
fn make_pdf(title: &str, lines: &[&str]) -> Vec<u8> {
    use lopdf::content::{Content, Operation};
    use lopdf::{dictionary, Document, Object, Stream};

    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let resources_id = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
    let mut operations = vec![
        Operation::new("BT", vec![]),
        Operation::new("Tf", vec!["F1".into(), 12.into()]),
        Operation::new("Td", vec![72.into(), 720.into()]),
    ];
    for line in lines {
        operations.push(Operation::new("Tj", vec![Object::string_literal(*line)]));
        operations.push(Operation::new("Td", vec![0.into(), (-16).into()]));
    }
    operations.push(Operation::new("ET", vec![]));
    let content = Content { operations };
    let content_id = doc.add_object(Stream::new(
        dictionary! {},
        content.encode().expect("encode"),
    ));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => content_id,
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => vec![page_id.into()],
            "Count" => 1,
            "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    let info_id = doc.add_object(dictionary! { "Title" => Object::string_literal(title) });
    doc.trailer.set("Root", catalog_id);
    doc.trailer.set("Info", info_id);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("save pdf");
    bytes
}

fn write(path: &Path, content: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    fs::write(path, content).expect("write");
}

fn by_title(index: &Index, title: &str) -> Practice {
    index
        .list(true)
        .expect("list")
        .into_iter()
        .find(|practice| practice.title == title)
        .unwrap_or_else(|| panic!("no practice titled {title:?}"))
}

#[test]
fn every_format_is_parsed_with_front_matter_overrides() {
    let folder = tempfile::tempdir().expect("tempdir");
    let root = folder.path();
    write(
        &root.join("piano.md"),
        "---\nid: Piano-2024\ntitle: Piano dal front matter\ntype: strategic-plan\n\
         organisation: Comune di Bari\nyear: 2024\ntags: [dati, cloud]\nlicence: CC-BY 4.0\n\
         source: https://example.org/piano\n---\n# Titolo nel testo\n\n\
         Il piano definisce gli obiettivi di **trasformazione digitale** del comune.\n",
    );
    write(
        &root.join("note.txt"),
        "Esperienza di co-progettazione\n\nIl quartiere ha progettato la piazza con i residenti.\n",
    );
    write(
        &root.join("metodo.rst"),
        "Metodologia di valutazione\n==========================\n\n.. image:: schema.png\n\n\
         La valutazione usa :ref:`indicatori <kpi>` condivisi con le `parti interessate <https://x.it>`_.\n",
    );
    write(
        &root.join("guide.html"),
        "<html><head><title>Guidelines for citizen panels</title><style>b{}</style></head>\
         <body><h1>Panels</h1><p>The council selects citizens by lot and pays them for their time.</p>\
         <script>track()</script></body></html>",
    );
    write(
        &root.join("report.pdf"),
        make_pdf(
            "Rapporto annuale",
            &["Il rapporto annuale descrive la spesa per la formazione."],
        ),
    );
    write(&root.join("LICENSE"), "CC0 1.0 Universal\n\nlong text");
    write(&root.join("immagine.png"), [0u8, 1, 2]);

    let index = Index::in_ram().expect("index");
    let report = index
        .add_paths(&[root.to_path_buf()], "@admin:x", at(3), &mut no_progress())
        .expect("add");
    assert_eq!(report.added, 5, "{report:?}");
    assert!(report.failed.is_empty(), "{report:?}");

    let plan = index
        .get("piano-2024")
        .expect("get")
        .expect("front matter id");
    assert_eq!(plan.title, "Piano dal front matter");
    assert_eq!(plan.practice_type, PracticeType::StrategicPlan);
    assert_eq!(plan.organisation.as_deref(), Some("Comune di Bari"));
    assert_eq!(plan.year, Some(2024));
    assert_eq!(plan.tags, vec!["dati", "cloud"]);
    assert_eq!(plan.licence.as_deref(), Some("CC-BY 4.0"));
    assert_eq!(plan.source, "https://example.org/piano");
    assert_eq!(
        plan.summary,
        "Il piano definisce gli obiettivi di trasformazione digitale del comune."
    );
    assert_eq!(plan.added_by, "@admin:x");
    assert_eq!(plan.added_at, at(3));
    assert_eq!(plan.language, PracticeLanguage::It);

    let note = by_title(&index, "Esperienza di co-progettazione");
    assert_eq!(note.practice_type, PracticeType::Experience);
    assert_eq!(
        note.body,
        "Il quartiere ha progettato la piazza con i residenti."
    );
    // The folder's LICENSE applies when front matter is silent.
    assert_eq!(note.licence.as_deref(), Some("CC0 1.0 Universal"));
    assert_eq!(note.id.len(), 8);

    let method = by_title(&index, "Metodologia di valutazione");
    assert_eq!(method.practice_type, PracticeType::Methodology);
    assert_eq!(
        method.summary,
        "La valutazione usa indicatori condivisi con le parti interessate."
    );

    let guide = by_title(&index, "Guidelines for citizen panels");
    assert_eq!(guide.language, PracticeLanguage::En);
    assert_eq!(guide.practice_type, PracticeType::Guideline);
    assert!(guide.body.contains("The council selects citizens by lot"));
    assert!(!guide.body.contains("track()"));

    let pdf = by_title(&index, "Rapporto annuale");
    assert!(
        pdf.body.contains("spesa per la formazione"),
        "{:?}",
        pdf.body
    );
    assert_eq!(search(&index, "formazione"), vec![pdf.id.clone()]);
    assert_eq!(search(&index, "trasformazione"), vec!["piano-2024"]);
}

#[test]
fn incremental_re_add_skips_replaces_and_removes() {
    let folder = tempfile::tempdir().expect("tempdir");
    let root = folder.path().to_path_buf();
    write(&root.join("a.md"), "# Alfa\n\nPrimo documento sul riuso.");
    write(
        &root.join("sub/b.md"),
        "# Beta\n\nSecondo documento sulle licenze.",
    );
    write(
        &root.join("sub/c.md"),
        "# Gamma\n\nTerzo documento sugli appalti.",
    );
    let index = Index::in_ram().expect("index");
    let mut seen: Vec<Progress> = Vec::new();
    let first = index
        .add_paths(
            std::slice::from_ref(&root),
            "@a:x",
            at(1),
            &mut |progress| seen.push(progress),
        )
        .expect("add");
    assert_eq!(
        (first.added, first.replaced, first.unchanged, first.removed),
        (3, 0, 0, 0)
    );
    assert_eq!(seen.last().map(|p| (p.done, p.total)), Some((3, 3)));
    assert!(seen.iter().any(|p| p.current.ends_with("sub/b.md")));
    let alfa = by_title(&index, "Alfa");
    index.rate(&alfa.id, "@u:x", 4).expect("rate");

    write(
        &root.join("a.md"),
        "# Alfa\n\nPrimo documento sul riuso, rivisto.",
    );
    fs::remove_file(root.join("sub/c.md")).expect("remove");
    let second = index
        .add_paths(
            std::slice::from_ref(&root),
            "@b:x",
            at(2),
            &mut no_progress(),
        )
        .expect("re-add");
    assert_eq!(
        (
            second.added,
            second.replaced,
            second.unchanged,
            second.removed
        ),
        (0, 1, 1, 1)
    );
    let alfa_again = by_title(&index, "Alfa");
    assert_eq!(alfa_again.id, alfa.id);
    assert!(alfa_again.body.contains("rivisto"));
    // A new version keeps its ratings and its original addition.
    assert_eq!(alfa_again.rating.count, 1);
    assert_eq!(alfa_again.added_at, at(1));
    assert!(search(&index, "appalti").is_empty());

    let third = index
        .add_paths(
            std::slice::from_ref(&root),
            "@b:x",
            at(3),
            &mut no_progress(),
        )
        .expect("again");
    assert_eq!(
        (third.added, third.replaced, third.unchanged, third.removed),
        (0, 0, 2, 0)
    );

    // Removing by path: a file, then a folder.
    assert_eq!(
        index
            .remove(root.join("a.md").to_str().expect("utf-8"))
            .expect("remove"),
        1
    );
    assert_eq!(
        index
            .remove(root.join("sub").to_str().expect("utf-8"))
            .expect("remove"),
        1
    );
    assert_eq!(index.stats().expect("stats").documents, 0);
    assert_eq!(index.remove("not-there").expect("remove"), 0);
}

#[test]
fn unreadable_and_corrupt_files_are_reported_and_skipped() {
    let folder = tempfile::tempdir().expect("tempdir");
    let root = folder.path().to_path_buf();
    write(&root.join("good.md"), "# Buono\n\nUn documento leggibile.");
    write(
        &root.join("broken.pdf"),
        b"%PDF-1.4\nthis is not really a pdf\n%%EOF",
    );
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.join("missing.md"), root.join("dangling.md")).expect("symlink");
    let index = Index::in_ram().expect("index");
    let report = index
        .add_paths(
            &[root.clone(), root.join("nowhere.md"), root.join("good.md")],
            "@a:x",
            at(1),
            &mut no_progress(),
        )
        .expect("add");
    assert_eq!(report.added, 1, "{report:?}");
    let failed: Vec<String> = report
        .failed
        .iter()
        .map(|(path, _)| {
            path.file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert!(failed.contains(&"broken.pdf".to_string()), "{report:?}");
    assert!(failed.contains(&"nowhere.md".to_string()), "{report:?}");
    #[cfg(unix)]
    assert!(failed.contains(&"dangling.md".to_string()), "{report:?}");
    assert!(report.failed.iter().all(|(_, reason)| !reason.is_empty()));
    assert_eq!(search(&index, "leggibile").len(), 1);
}

/// The reason `name` was skipped for, from the report.
fn skipped_because(report: &pspm_indexer::IngestReport, name: &str) -> String {
    report
        .failed
        .iter()
        .find(|(path, _)| path.ends_with(name))
        .map(|(_, reason)| reason.clone())
        .unwrap_or_else(|| panic!("{name} was not skipped: {report:?}"))
}

#[test]
fn files_over_the_limits_are_skipped_with_the_reason() {
    let folder = tempfile::tempdir().expect("tempdir");
    let root = folder.path().to_path_buf();
    write(&root.join("small.md"), "# Piccolo\n\nUn documento breve.");
    // Over the default 64 MiB (sparse: nothing is written): refused unread.
    let huge = fs::File::create(root.join("huge.txt")).expect("create");
    huge.set_len(65 * 1024 * 1024).expect("set_len");
    drop(huge);
    let index = Index::in_ram().expect("index");
    let report = index
        .add_paths(
            std::slice::from_ref(&root),
            "@a:x",
            at(1),
            &mut no_progress(),
        )
        .expect("add");
    assert_eq!(report.added, 1, "{report:?}");
    let reason = skipped_because(&report, "huge.txt");
    assert!(
        reason.contains("65.0 MiB") && reason.contains("64.0 MiB"),
        "{reason}"
    );
    fs::remove_file(root.join("huge.txt")).expect("remove");

    // Smaller limits: 2 MiB of page content compressed into a few kilobytes, and text
    // longer than allowed.
    let lines: Vec<String> = (0..40_000)
        .map(|n| format!("riga {n} del documento compresso"))
        .collect();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let mut bomb = lopdf::Document::load_mem(&make_pdf("Bomba", &lines)).expect("pdf");
    bomb.compress();
    let mut bytes = Vec::new();
    bomb.save_to(&mut bytes).expect("save");
    assert!(bytes.len() < 256 * 1024, "{} bytes", bytes.len());
    write(&root.join("bomb.pdf"), &bytes);
    write(
        &root.join("long.md"),
        format!("# Lungo\n\n{}", "parola ".repeat(400_000)),
    );
    let limits = pspm_indexer::IngestLimits {
        max_file_bytes: 8 * 1024 * 1024,
        max_pdf_stream_bytes: 1024 * 1024,
        max_text_bytes: 1024 * 1024,
    };
    let index = Index::in_ram().expect("index").with_ingest_limits(limits);
    let report = index
        .add_paths(
            std::slice::from_ref(&root),
            "@a:x",
            at(1),
            &mut no_progress(),
        )
        .expect("add");
    assert_eq!(report.added, 1, "{report:?}");
    let reason = skipped_because(&report, "bomb.pdf");
    assert!(
        reason.contains("decompresses to more than the limit of 1.0 MiB"),
        "{reason}"
    );
    let reason = skipped_because(&report, "long.md");
    assert!(
        reason.contains("text (2.7 MiB) is longer than the limit of 1.0 MiB"),
        "{reason}"
    );
    assert_eq!(search(&index, "documento breve").len(), 1);
}

#[test]
fn stats_count_by_type_status_and_language() {
    let index = sample_index();
    index
        .share(share("p", "Proposta", "testo della proposta"))
        .expect("share");
    let stats = index.stats().expect("stats");
    assert_eq!(stats.documents, 5);
    assert_eq!(stats.by_status.get(&Status::Published), Some(&4));
    assert_eq!(stats.by_status.get(&Status::Pending), Some(&1));
    assert_eq!(stats.by_language.get(&PracticeLanguage::En), Some(&1));
    assert_eq!(stats.by_type.get(&PracticeType::Guideline), Some(&1));
    assert!(stats.size_bytes > 0);
}
