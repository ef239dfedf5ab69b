//! Tests of `pspm import plan`: the example plan from an .xlsx, an .ods and CSV files
//! (`tests/data/import/`, made by its `make_fixtures.py`) loads as `config/plan.example.toml`
//! does; wrong input gets one line per problem, naming sheet, row and column, and nothing is
//! written.

use std::path::{Path, PathBuf};

use super::{convert, from_source, import};
use crate::import::source::{Row, Source, Table, Value};
use crate::import::ImportError;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("bot/ has a parent")
        .to_path_buf()
}

fn fixture(name: &str) -> PathBuf {
    repo().join("tests/data/import").join(name)
}

/// The problems of an import, one line each as the command prints them, or the plan file.
fn problems(input: &Path) -> Vec<String> {
    match convert(input, Path::new("plan.toml")) {
        Ok((text, _)) => panic!("{} imported:\n{text}", input.display()),
        Err(ImportError::Invalid { problems, .. }) => {
            problems.iter().map(ToString::to_string).collect()
        }
        Err(other) => vec![other.to_string()],
    }
}

/// A folder of CSV files, `(name, text)`.
fn csv_folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write CSV");
    }
    dir
}

const PLAN: (&str, &str) = ("plan.csv", "id,title\npt,Piano\n");
const SECTIONS: (&str, &str) = ("sections.csv", "id,title\ndati,Dati\nservizi,Servizi\n");

/// The problems of a plan made of [`PLAN`], [`SECTIONS`] and `files`.
fn csv_problems(files: &[(&str, &str)]) -> Vec<String> {
    let mut all = vec![PLAN, SECTIONS];
    for file in files {
        all.retain(|(name, _)| name != &file.0);
        all.push(*file);
    }
    let dir = csv_folder(&all);
    problems(dir.path())
}

#[test]
fn the_example_plan_from_xlsx_ods_and_csv_loads_as_the_example_plan_file() {
    let mut example = pspm_config::plan::load(&repo().join("config/plan.example.toml"))
        .expect("the example plan loads");
    assert_eq!(example.monitoring.actions.len(), 3, "{example:?}");
    // A spreadsheet carries no draft text: the example's is a file of its own.
    for section in &mut example.sections {
        section.text = None;
        section.draft.clear();
    }
    for input in [
        "plan.example.xlsx",
        "plan.example.ods",
        "csv",
        "csv/example.sections.csv",
    ] {
        let (text, plan) = convert(&fixture(input), Path::new("plan.toml"))
            .unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(plan, example, "{input}:\n{text}");
        // What a reader of the file sees: dates as TOML dates, whole numbers without ".0".
        assert!(text.contains("\ndue = 2026-12-31\n"), "{input}:\n{text}");
        assert!(text.contains("\nbaseline = 40000\n"), "{input}:\n{text}");
    }
}

#[test]
fn import_writes_a_plan_file_that_loads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("plan.toml");
    let plan = import(&fixture("plan.example.xlsx"), &out).expect("imports");
    let loaded = pspm_config::plan::load(&out).expect("the written file loads");
    assert_eq!(loaded, plan);
    let text = std::fs::read_to_string(&out).expect("written");
    assert!(
        text.starts_with("# Made by `pspm import plan` from plan.example.xlsx"),
        "{text}"
    );
    // Only the plan file: the temporary file it was written as is gone.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["plan.toml"]);
}

#[test]
fn every_wrong_cell_is_named_by_sheet_row_and_column() {
    // Its `azioni` sheet starts at B2.
    assert_eq!(
        problems(&fixture("errors.xlsx")),
        [
            "risultati, row 2, column B (Obiettivo): unknown objective \"OB.9.9\"",
            "azioni, row 3, column J (Peso): \"due\" is not a number",
            "azioni, row 4, column G (Referenti): \"ente1\" is not a Matrix user ID like @name:server",
            "azioni, row 4, column I (Scadenza): \"31/02/2026\" is not a date (YYYY-MM-DD)",
        ]
    );
}

#[test]
fn nothing_is_written_when_a_cell_is_wrong() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("plan.toml");
    std::fs::write(&out, "# the plan as it was\n").expect("write");
    let error = import(&fixture("errors.xlsx"), &out).expect_err("errors");
    assert_eq!(
        error.to_string(),
        format!(
            "{}: 4 problems, nothing written",
            fixture("errors.xlsx").display()
        )
    );
    assert_eq!(
        std::fs::read_to_string(&out).expect("still there"),
        "# the plan as it was\n"
    );
    assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
}

#[test]
fn sheets_and_columns_are_checked_first_by_their_names() {
    assert_eq!(
        csv_problems(&[
            ("notes.csv", "anything\n1\n"),
            ("objectives.csv", "code,sezione,Titolo,Note\nOB.1,dati,Uno,x\n"),
            ("actions.csv", "codice,titolo,due,scadenza\nA.1,Uno,2026-01-01,2026-01-01\n"),
        ]),
        [
            "notes.csv: not a table of the plan; the CSV files are named plan (piano), sections (sezioni), objectives (obiettivi), results (risultati), actions (azioni)",
            "objectives.csv, row 1, column D (Note): unknown column \"Note\"; the columns of objectives are code (codice, id), section (sezione), title (titolo)",
            "actions.csv, row 1, column D (scadenza): a second column for what column C (due) holds",
            "actions.csv, row 1: no column section (sezione)",
        ]
    );
    let dir = csv_folder(&[
        PLAN,
        ("sezioni.csv", "id\ndati\n"),
        ("sections.csv", "id,title,x\n"),
    ]);
    assert_eq!(
        problems(dir.path()),
        [
            "sezioni.csv: a second sections CSV file (the first is sections.csv)",
            "sections.csv, row 1, column C (x): unknown column \"x\"; the columns of sections are id (identificativo), title (titolo), description (descrizione), phase (fase), max_supports (max_sostegni)",
        ]
    );
    // An empty sheet of another name is a leftover, not a mistake; sections there must be.
    let dir = csv_folder(&[PLAN, ("sections.csv", "id,title\n"), ("Foglio1.csv", "")]);
    assert_eq!(
        problems(dir.path()),
        ["sections.csv, row 2: no section: a plan has at least one, a row each under the column names"]
    );
    let dir = csv_folder(&[PLAN]);
    let name = dir
        .path()
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    assert_eq!(
        problems(dir.path()),
        [format!("{name}: no CSV file named sections (sezioni)")]
    );
}

#[test]
fn ids_and_codes_are_unique_and_references_exist() {
    assert_eq!(
        csv_problems(&[
            ("sections.csv", "id,title\ndati,Dati\nservizi,Servizi\ndati,Ancora\n"),
            ("objectives.csv", "code,section,title\nOB.1,dati,Uno\nOB.2,servizi,Due\nOB.3,dati aperti,Tre\n"),
            ("results.csv", "code,objective,title\nOB.1,OB.1,Doppio\nR.1,OB.9,Senza obiettivo\nR.2,OB.3,Sezione sbagliata ma obiettivo noto\n"),
            (
                "actions.csv",
                "code,section,objective,title,due\nA.1,dati,OB.7,Uno,2026-12-31\nA.2,dati,OB.2,Due,2026-12-31\nA.3,sicurezza,,Tre,2026-12-31\n",
            ),
        ]),
        [
            "sections.csv, row 4, column A (id): duplicate section id \"dati\" (first at row 2)",
            "objectives.csv, row 4, column B (section): unknown section \"dati aperti\"",
            "results.csv, row 2, column A (code): duplicate code \"OB.1\" (first at objectives.csv, row 2)",
            "results.csv, row 3, column B (objective): unknown objective \"OB.9\"",
            "actions.csv, row 2, column C (objective): unknown objective \"OB.7\"",
            "actions.csv, row 3, column C (objective): objective \"OB.2\" belongs to section \"servizi\", not \"dati\"",
            "actions.csv, row 4, column B (section): unknown section \"sicurezza\"",
        ]
    );
}

#[test]
fn values_are_checked_as_the_plan_file_checks_them() {
    assert_eq!(
        csv_problems(&[
            ("plan.csv", "id,title\nPT 2026,\n"),
            (
                "sections.csv",
                "id,title,phase,max_supports\ndati,Dati,voto,0\nservizi,Servizi,Consultazione,2.5\n",
            ),
            ("objectives.csv", "code,section,title\nOB 1,dati,Uno\nOB.2,dati,Due\n"),
            ("results.csv", "code,objective,title,baseline,target 2026,target_1800\nR.1,OB.2,Uno,\"2,5\",x\n"),
            (
                "actions.csv",
                "code,section,title,start,due,weight,owners\n\
                 A.1,dati,Uno,2026-06-01,2026-01-31,-1,\"@a:example.org, @b\"\n\
                 A.2,dati,,46023,,,\n",
            ),
        ]),
        [
            // The layout first: a year out of range is a column name wrong.
            "results.csv, row 1, column F (target_1800): the year must be between 1900 and 2200",
        ]
    );
    assert_eq!(
        csv_problems(&[
            ("plan.csv", "id,title\nPT 2026,\n"),
            (
                "sections.csv",
                "id,title,phase,max_supports\ndati,Dati,voto,0\nservizi,Servizi,Consultazione,2.5\n",
            ),
            ("objectives.csv", "code,section,title\nOB 1,dati,Uno\nOB.2,dati,Due\n"),
            // Words are a target too ("almeno 80"); what looks like a number must be one.
            (
                "results.csv",
                "code,objective,title,baseline,target 2026,target 2027\nR.1,OB.2,Uno,\"2,5\",\"1,5\",almeno 80\n",
            ),
            // A start without a due date: open-ended (A.4); neither: a problem (A.3).
            (
                "actions.csv",
                "code,section,title,start,due,weight,owners\n\
                 A.1,dati,Uno,2026-06-01,2026-01-31,-1,\"@a:example.org, @b\"\n\
                 A.2,dati,,46023,,,\n\
                 A.3,dati,Tre,,,,\n\
                 A.4,dati,Quattro,2020-09-01,,,\n",
            ),
        ]),
        [
            "plan.csv, row 2, column A (id): \"PT 2026\" must be 1-48 characters of a-z, 0-9, '-' or '_' (it becomes a room alias)",
            "plan.csv, row 2, column B (title): empty: every row needs a value here",
            "sections.csv, row 2, column C (phase): \"voto\" is not a phase: consultation, prioritisation, consolidation, monitoring or closed (or in Italian)",
            "sections.csv, row 2, column D (max_supports): must be at least 1 (leave it empty for no limit)",
            "sections.csv, row 3, column D (max_supports): 2.5 is not a whole number",
            "objectives.csv, row 2, column A (code): a code is one word, e.g. OB.1.1",
            "results.csv, row 2, column D (baseline): \"2,5\" is not a number (write 2.5, not 2,5)",
            "results.csv, row 2, column E (target 2026): \"1,5\" is not a number (write 2.5, not 2,5)",
            "actions.csv, row 2, column E (due): the due date is before the start date",
            "actions.csv, row 2, column F (weight): the weight must be a positive number",
            "actions.csv, row 2, column G (owners): \"@b\" is not a Matrix user ID like @name:server",
            "actions.csv, row 3, column C (title): empty: every row needs a value here",
            "actions.csv, row 3, column D (start): \"46023\" is not a date (YYYY-MM-DD)",
            "actions.csv, row 4, column E (due): empty: give a due date, or a start date for an open-ended action",
        ]
    );
}

#[test]
fn italian_csv_with_semicolons_and_a_byte_order_mark_imports() {
    let dir = csv_folder(&[
        ("piano.piano.csv", "\u{feff}ID;Titolo\npt;Piano\n"),
        (
            "piano.sezioni.csv",
            "\u{feff}Id;Titolo;Fase;Max sostegni\n\n;;;\ndati;\"Dati; aperti\";Prioritizzazione;3\n",
        ),
        (
            "piano.azioni.csv",
            "\u{feff}Codice;Sezione;Titolo;Scadenza;Peso\nA.1;dati;\"Prima\nriga\";2026-12-31;1.5\nA.2;dati;Seconda;31/12/2026;\n",
        ),
    ]);
    // Row numbers as a spreadsheet shows the file: blank lines are rows, a quoted line break
    // is not a new row.
    assert_eq!(
        problems(&dir.path().join("piano.azioni.csv")),
        ["piano.azioni.csv, row 3, column D (Scadenza): \"31/12/2026\" is not a date (YYYY-MM-DD)"]
    );
    std::fs::write(
        dir.path().join("piano.azioni.csv"),
        "Codice;Sezione;Titolo;Scadenza;Peso\nA.1;dati;\"Prima\nriga\";2026-12-31;1.5\n",
    )
    .expect("write");
    let (_, plan) = convert(
        &dir.path().join("piano.sezioni.csv"),
        Path::new("plan.toml"),
    )
    .expect("imports");
    let section = &plan.sections[0];
    assert_eq!(
        (
            section.id.as_str(),
            section.title.as_str(),
            section.phase.as_deref(),
            section.max_supports
        ),
        ("dati", "Dati; aperti", Some("prioritisation"), Some(3))
    );
    let action = &plan.monitoring.actions[0];
    assert_eq!((action.title.as_str(), action.weight), ("Prima\nriga", 1.5));
}

#[test]
fn inputs_that_are_not_spreadsheets_are_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plain = dir.path().join("plan.txt");
    std::fs::write(&plain, "id,title\n").expect("write");
    assert_eq!(
        problems(&plain),
        [format!(
            "{}: cannot read: not a spreadsheet: give an .xlsx or .ods file, a CSV file or a folder of CSV files",
            plain.display()
        )]
    );
    let lone = dir.path().join("plan.csv");
    std::fs::write(&lone, "id,title\n").expect("write");
    assert_eq!(
        problems(&lone),
        [format!(
            "{}: cannot read: name the CSV files PREFIX.TABLE.csv (plan.sections.csv, plan.actions.csv, …) or give their folder",
            lone.display()
        )]
    );
    let broken = dir.path().join("plan.xlsx");
    std::fs::write(&broken, "not a zip").expect("write");
    let read = problems(&broken);
    assert!(
        read.len() == 1 && read[0].starts_with(&format!("{}: cannot read: ", broken.display())),
        "{read:?}"
    );
    let missing = dir.path().join("missing.ods");
    assert_eq!(
        problems(&missing),
        [format!(
            "{}: cannot read: No such file or directory (os error 2)",
            missing.display()
        )]
    );
}

#[test]
fn a_cell_of_spaces_is_empty() {
    // Found by the fuzz target: a code of spaces passed as a code, which the plan file refuses.
    let text = |t: &str| Value::Text(t.to_owned());
    let table = |name: &str, rows: Vec<Vec<Value>>| Table {
        name: name.to_owned(),
        key: name.to_owned(),
        rows: (1u32..)
            .zip(rows)
            .map(|(number, values)| Row { number, values })
            .collect(),
    };
    let source = Source {
        name: "piano.xlsx".into(),
        noun: "sheet",
        tables: vec![
            table(
                "piano",
                vec![
                    vec![text("id"), text("titolo")],
                    vec![text("pt"), text("Piano")],
                ],
            ),
            table(
                "sezioni",
                vec![
                    vec![text("id"), text("titolo")],
                    vec![text("dati"), text(" \t")],
                ],
            ),
            table(
                "obiettivi",
                vec![
                    vec![text("codice"), text("sezione"), text("titolo")],
                    vec![text("\u{a0}"), text("dati"), text("Uno")],
                ],
            ),
        ],
    };
    match from_source(&source, Path::new("piano.xlsx"), Path::new("plan.toml")) {
        Err(ImportError::Invalid { problems, .. }) => assert_eq!(
            problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                "sezioni, row 2, column B (titolo): empty: every row needs a value here",
                "obiettivi, row 2, column A (codice): empty: every row needs a value here",
            ]
        ),
        other => panic!("{other:?}"),
    }
}
