//! Drafts split as a reader sees them: Markdown, reStructuredText (a real AgID document among
//! them) and plain text; folders in name order; ids; and the plan file's errors.

use std::path::{Path, PathBuf};

use super::*;

fn items(format: Format, text: &str) -> Vec<(Kind, String)> {
    split(format, text)
        .into_iter()
        .map(|p| (p.kind, p.text))
        .collect()
}

fn item(kind: Kind, text: &str) -> (Kind, String) {
    (kind, text.to_owned())
}

const MARKDOWN: &str = "\
---
title: Capitolo 2
---

# Dati e interoperabilità

Il **Piano** promuove l'uso dei [dati aperti][open] e delle API `REST`.
Una seconda riga dello stesso paragrafo.

## Obiettivi
<!-- nota per i redattori -->

- pubblicare i dataset
  - di elevato valore
  - con licenza aperta
- documentare le API

1. primo
2. secondo

```toml
[plan]
id = \"pt\"
```

| Anno | Target |
|------|--------|
| 2026 | 50     |

> Una citazione.

***

Sottotitolo
-----------

[open]: https://dati.gov.it
";

#[test]
fn markdown_keeps_headings_lists_code_and_tables_whole() {
    assert_eq!(
        items(Format::Markdown, MARKDOWN),
        [
            item(Kind::Heading(1), "# Dati e interoperabilità"),
            item(
                Kind::Paragraph,
                "Il **Piano** promuove l'uso dei [dati aperti][open] e delle API `REST`.\n\
                 Una seconda riga dello stesso paragrafo."
            ),
            item(Kind::Heading(2), "## Obiettivi"),
            item(
                Kind::List,
                "- pubblicare i dataset\n  - di elevato valore\n  - con licenza aperta\n\
                 - documentare le API"
            ),
            item(Kind::List, "1. primo\n2. secondo"),
            item(Kind::Code, "```toml\n[plan]\nid = \"pt\"\n```"),
            item(
                Kind::Table,
                "| Anno | Target |\n|------|--------|\n| 2026 | 50     |"
            ),
            item(Kind::Paragraph, "> Una citazione."),
            item(Kind::Heading(2), "Sottotitolo\n-----------"),
        ]
    );
    // Front matter, the comment, the rule and the link definition are blocks, not items.
    let skipped: Vec<String> = blocks(Format::Markdown, MARKDOWN)
        .into_iter()
        .filter(|b| b.kind.is_none())
        .map(|b| MARKDOWN[b.span].trim().to_owned())
        .collect();
    assert_eq!(
        skipped,
        [
            "---\ntitle: Capitolo 2\n---",
            "<!-- nota per i redattori -->",
            "***",
            "[open]: https://dati.gov.it"
        ]
    );
}

#[test]
fn paragraphs_are_numbered_and_fingerprinted_by_their_words() {
    let paragraphs = split(Format::Markdown, "# Titolo\n\nUno due\ntre.\n\nQuattro.\n");
    let numbers: Vec<u32> = paragraphs.iter().map(|p| p.number).collect();
    assert_eq!(numbers, [1, 2, 3]);
    // Wrapped differently, the same words: the same fingerprint; another word: another.
    assert_eq!(paragraphs[1].fingerprint, fingerprint("Uno  due tre."));
    assert_eq!(paragraphs[1].fingerprint, fingerprint("Uno due\n   tre.\n"));
    assert_ne!(paragraphs[1].fingerprint, fingerprint("Uno due tre!"));
    assert_ne!(paragraphs[1].fingerprint, paragraphs[2].fingerprint);
    // FNV-1a, so ids stay stable across machines and Rust versions.
    assert_eq!(fingerprint("a"), 0xaf63_dc4c_8601_ec8c);
    let later = split_from(Format::Text, "Cinque.\n", 4);
    assert_eq!(later[0].number, 4);
}

const RST: &str = "\
.. _capitolo:

=========
Capitolo
=========

Sezione
=======

Un paragrafo con *enfasi* e un :ref:`riferimento`,
su due righe.

.. note:: Da rivedere

   :class: evidenza

   Il corpo della nota,
   su più righe.

Un esempio::

    pspm check --config pspm.toml
    pspm run

::

    letterale dopo due punti

- primo punto
- secondo punto,
  che continua

  * annidato

#. uno
#. due

:Autore: AgID
:Versione: 1.0

Termine
    La sua definizione.
Altro termine
    Un'altra.

+------+--------+
| Anno | Target |
+======+========+
| 2026 | 50     |
+------+--------+

====  ======
Anno  Target
====  ======
2026  50
====  ======

Sottosezione
------------

.. commento che non si pubblica

.. code-block:: python

   print(\"ciao\")

----

Fine.
";

#[test]
fn restructuredtext_titles_directives_literal_blocks_lists_and_tables() {
    assert_eq!(
        items(Format::Rst, RST),
        [
            item(Kind::Heading(1), "=========\nCapitolo\n========="),
            item(Kind::Heading(2), "Sezione\n======="),
            item(
                Kind::Paragraph,
                "Un paragrafo con *enfasi* e un :ref:`riferimento`,\nsu due righe."
            ),
            item(
                Kind::Directive,
                ".. note:: Da rivedere\n\n   :class: evidenza\n\n   Il corpo della nota,\n   su più righe."
            ),
            item(Kind::Paragraph, "Un esempio::"),
            item(
                Kind::Code,
                "    pspm check --config pspm.toml\n    pspm run"
            ),
            item(Kind::Code, "    letterale dopo due punti"),
            item(
                Kind::List,
                "- primo punto\n- secondo punto,\n  che continua\n\n  * annidato"
            ),
            item(Kind::List, "#. uno\n#. due"),
            item(Kind::List, ":Autore: AgID\n:Versione: 1.0"),
            item(
                Kind::List,
                "Termine\n    La sua definizione.\nAltro termine\n    Un'altra."
            ),
            item(
                Kind::Table,
                "+------+--------+\n| Anno | Target |\n+======+========+\n| 2026 | 50     |\n+------+--------+"
            ),
            item(
                Kind::Table,
                "====  ======\nAnno  Target\n====  ======\n2026  50\n====  ======"
            ),
            item(Kind::Heading(3), "Sottosezione\n------------"),
            item(Kind::Code, ".. code-block:: python\n\n   print(\"ciao\")"),
            item(Kind::Paragraph, "Fine."),
        ]
    );
}

fn agid(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data/practices/agid-linee-guida-riuso-software")
        .join(path)
}

fn agid_items(path: &str) -> Vec<(Kind, String)> {
    let text = std::fs::read_to_string(agid(path)).unwrap();
    items(Format::Rst, &text)
}

#[test]
fn a_real_agid_document_splits_as_it_reads() {
    // premessa.rst: a title, a paragraph, a list of six names and a toctree directive.
    let premessa = agid_items("premessa.rst");
    let kinds: Vec<Kind> = premessa.iter().map(|(k, _)| *k).collect();
    assert_eq!(
        kinds,
        [
            Kind::Heading(1),
            Kind::Paragraph,
            Kind::List,
            Kind::Directive
        ]
    );
    assert_eq!(premessa[0].1, "Premessa\n========");
    assert_eq!(
        premessa[2]
            .1
            .lines()
            .filter(|l| l.starts_with("* "))
            .count(),
        6
    );
    assert!(premessa[2]
        .1
        .ends_with("Guido Scorza, Team per la Trasformazione Digitale."));
    assert!(premessa[3].1.starts_with(".. toctree::\n   :maxdepth: 3"));
    assert!(premessa[3].1.ends_with("premessa/glossario.rst"));

    // titolarita.rst: its target is no item; then the title, five paragraphs and two lists.
    let titolarita = agid_items("premessa/titolarita.rst");
    let kinds: Vec<Kind> = titolarita.iter().map(|(k, _)| *k).collect();
    assert_eq!(
        kinds,
        [
            Kind::Heading(1),
            Kind::Paragraph,
            Kind::List,
            Kind::Paragraph,
            Kind::Paragraph,
            Kind::Paragraph,
            Kind::Paragraph,
            Kind::Paragraph,
            Kind::List,
        ]
    );
    assert_eq!(titolarita[0].1, "Titolarità\n----------");
    assert!(titolarita[1]
        .1
        .starts_with("Ai sensi dell'articolo 69 del CAD"));
    assert!(titolarita[1].1.ends_with("ogni qualvolta che:"));
    assert_eq!(
        titolarita[2]
            .1
            .lines()
            .filter(|l| l.starts_with("-  "))
            .count(),
        2
    );
    assert!(titolarita[7]
        .1
        .starts_with("Ad esempio, espressioni come quelle"));
    assert_eq!(
        titolarita[8]
            .1
            .lines()
            .filter(|l| l.starts_with("-  "))
            .count(),
        5
    );
    assert!(titolarita[8]
        .1
        .ends_with("competono all'amministrazione committente\"."));

    // glossario.rst: the terms are one definition list.
    let glossario = agid_items("premessa/glossario.rst");
    assert_eq!(glossario[0], item(Kind::Heading(1), "Glossario\n---------"));
    assert_eq!(glossario[1].0, Kind::List);
    assert!(glossario[1].1.starts_with("Artefatti\n    Sottoprodotto"));

    // The synoptic table of annex E is one item, whole.
    let annex = agid_items(
        "attachments/allegato-e-tabella-sinottica-degli-elementi-necessari-al-percorso-decisionale.rst",
    );
    let kinds: Vec<Kind> = annex.iter().map(|(k, _)| *k).collect();
    assert_eq!(kinds, [Kind::Heading(1), Kind::Paragraph, Kind::Table]);
    assert_eq!(annex[2].1.lines().count(), 26);
}

#[test]
fn plain_text_splits_at_blank_lines() {
    assert_eq!(
        items(
            Format::Text,
            "\n\nPrimo paragrafo\nsu due righe.\n   \n\nSecondo.\r\n\r\n- non è una lista\n- solo testo\n"
        ),
        [
            item(Kind::Paragraph, "Primo paragrafo\nsu due righe."),
            item(Kind::Paragraph, "Secondo."),
            item(Kind::Paragraph, "- non è una lista\n- solo testo"),
        ]
    );
    assert!(split(Format::Text, " \n\t\n").is_empty());
}

#[test]
fn formats_are_told_by_extension() {
    assert_eq!(
        Format::of(Path::new("a/capitolo.MD")),
        Some(Format::Markdown)
    );
    assert_eq!(Format::of(Path::new("capitolo.rst")), Some(Format::Rst));
    assert_eq!(Format::of(Path::new("note.txt")), Some(Format::Text));
    assert_eq!(Format::of(Path::new("piano.docx")), None);
    assert_eq!(Format::of(Path::new("README")), None);
}

#[test]
fn ids_read_as_people_write_them() {
    let id = ParagraphId::new(2, 3);
    assert_eq!(id.to_string(), "§2.3");
    assert_eq!(id.short(), "§3");
    for text in ["§2.3", " § 2.3 ", "2.3", "s2.3", "S2.3"] {
        assert_eq!(ParagraphId::parse(text, None), Ok(id), "{text}");
    }
    assert_eq!(ParagraphId::parse("§3", Some(2)), Ok(id));
    // The section in the id wins over the room's.
    assert_eq!(ParagraphId::parse("§2.3", Some(5)), Ok(id));
    assert_eq!(
        ParagraphId::parse("§3", None),
        Err(IdError::NoSection("§3".into()))
    );
    for bad in [
        "3", "s3", "§", "§0.1", "§1.0", "§2.3.4", "§-1", "§+1", "§x", "2.", ".3", "",
    ] {
        assert!(
            matches!(ParagraphId::parse(bad, Some(1)), Err(IdError::Invalid(_))),
            "{bad}"
        );
    }
    assert_eq!(
        ParagraphId::parse("§9", Some(1)).map(|id| id.to_string()),
        Ok("§1.9".to_owned())
    );
    assert_eq!(
        IdError::Invalid("§x".into()).to_string(),
        "\"§x\" is not a paragraph id like §2.3"
    );
}

const PLAN: &str = r#"
[plan]
id = "pt"
title = "Piano"

[[sections]]
id = "dati"
title = "Dati"
text = "testi/dati"

[[sections]]
id = "servizi"
title = "Servizi"
text = "./testi/../testi/servizi.rst"

[[sections]]
id = "sicurezza"
title = "Sicurezza"
"#;

#[test]
fn the_plan_file_loads_each_sections_draft_a_folder_in_name_order() {
    let dir = tempfile::tempdir().unwrap();
    let texts = dir.path().join("testi");
    std::fs::create_dir_all(texts.join("dati/immagini")).unwrap();
    std::fs::write(
        texts.join("dati/02-obiettivi.md"),
        "## Obiettivi\n\n- uno\n- due\n",
    )
    .unwrap();
    std::fs::write(
        texts.join("dati/01-intro.rst"),
        "Dati\n====\n\nIntroduzione.\n",
    )
    .unwrap();
    std::fs::write(texts.join("dati/03-note.txt"), "Nota finale.\n").unwrap();
    // Not drafts: another kind of file, a hidden file, a subfolder.
    std::fs::write(texts.join("dati/schema.png"), [0x89, b'P', b'N', b'G']).unwrap();
    std::fs::write(texts.join("dati/.bozza.md"), "# Bozza\n").unwrap();
    std::fs::write(texts.join("dati/immagini/x.md"), "# No\n").unwrap();
    std::fs::write(texts.join("servizi.rst"), "Servizi\n-------\n\nTesto.\n").unwrap();
    let path = dir.path().join("plan.toml");
    let plan = crate::plan::parse(&path, PLAN).unwrap();

    let dati = &plan.sections[0];
    assert_eq!(dati.text.as_deref(), Some(texts.join("dati").as_path()));
    let read: Vec<(u32, Kind, &str)> = dati
        .draft
        .iter()
        .map(|p| (p.number, p.kind, p.text.as_str()))
        .collect();
    assert_eq!(
        read,
        [
            (1, Kind::Heading(1), "Dati\n===="),
            (2, Kind::Paragraph, "Introduzione."),
            (3, Kind::Heading(2), "## Obiettivi"),
            (4, Kind::List, "- uno\n- due"),
            (5, Kind::Paragraph, "Nota finale."),
        ]
    );
    // Resolved like the config's paths: no `.` or `folder/..` left.
    let servizi = &plan.sections[1];
    assert_eq!(
        servizi.text.as_deref(),
        Some(texts.join("servizi.rst").as_path())
    );
    assert_eq!(servizi.draft.len(), 2);
    assert_eq!(
        (
            plan.sections[2].text.as_deref(),
            plan.sections[2].draft.len()
        ),
        (None, 0)
    );
}

#[test]
fn a_draft_that_cannot_be_used_is_one_line_naming_plan_file_key_and_draft() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path();
    let path = base.join("plan.toml");
    std::fs::create_dir_all(base.join("vuota")).unwrap();
    std::fs::write(base.join("vuota/leggimi.pdf"), "x").unwrap();
    std::fs::write(base.join("bianco.md"), "\n\n   \n").unwrap();
    std::fs::write(
        base.join("commenti.rst"),
        ".. solo un commento\n\n.. _e-un-target:\n",
    )
    .unwrap();
    std::fs::write(base.join("piano.docx"), "x").unwrap();
    let error = |text: &str| {
        let plan = format!(
            "[plan]\nid = \"pt\"\ntitle = \"P\"\n\n[[sections]]\nid = \"a\"\ntitle = \"A\"\n\n\
             [[sections]]\nid = \"b\"\ntitle = \"B\"\ntext = {text:?}\n"
        );
        crate::plan::parse(&path, &plan)
            .expect_err("the draft should be refused")
            .to_string()
    };
    let plan = path.display();
    let at = |name: &str| base.join(name).display().to_string();
    assert!(
        error("manca.md").starts_with(&format!(
            "{plan}: key `sections[1].text`: cannot read {}: ",
            at("manca.md")
        )),
        "{}",
        error("manca.md")
    );
    assert_eq!(
        error("bianco.md"),
        format!(
            "{plan}: key `sections[1].text`: {} has no text",
            at("bianco.md")
        )
    );
    assert_eq!(
        error("commenti.rst"),
        format!(
            "{plan}: key `sections[1].text`: {} has no text",
            at("commenti.rst")
        )
    );
    assert_eq!(
        error("vuota"),
        format!(
            "{plan}: key `sections[1].text`: the folder {} holds no .md, .rst or .txt file",
            at("vuota")
        )
    );
    assert_eq!(
        error("piano.docx"),
        format!(
            "{plan}: key `sections[1].text`: {} is not Markdown (.md), reStructuredText (.rst) or plain text (.txt)",
            at("piano.docx")
        )
    );
    assert_eq!(
        error(""),
        format!("{plan}: key `sections[1].text`: must not be empty")
    );
}

#[test]
fn a_paragraph_wrapped_in_its_file_flows_into_one_line_and_a_list_keeps_its_lines() {
    let draft = split(
        Format::Markdown,
        "Le amministrazioni pubblicano\nin formato aperto   i dati.\n\n- uno;\n- due.\n",
    );
    assert_eq!(
        draft[0].flowing_text(),
        "Le amministrazioni pubblicano in formato aperto i dati."
    );
    assert_eq!(draft[1].flowing_text(), "- uno;\n- due.");
}
