//! `pspm plan export` from the command line against a store no bot holds: the consolidated
//! plan of a plan file with a Markdown draft and an AgID reStructuredText chapter, as
//! Markdown, as an HTML page read in headless Chromium at a phone's width, and as an
//! OpenDocument file (converted to text by LibreOffice when it is installed).

use std::io::Read as _;
use std::path::Path;
use std::process::Command;

use pspm_e2e::{axe_audit, pspm_binary, repo_root, run_chromium, screenshot, Result};

const AGID: &str =
    "tests/data/practices/agid-linee-guida-riuso-software/riuso-software/modello-di-riuso.rst";

const PLAN: &str = r#"
[plan]
id = "pt-2026"
title = "Piano triennale 2026-2028"
description = "Il piano condiviso."

[[sections]]
id = "dati"
title = "Dati e interoperabilità"
text = "dati.md"

[[sections]]
id = "riuso"
title = "Riuso del software"
text = "riuso.rst"

[[objectives]]
code = "OB.1"
section = "dati"
title = "Più dati pubblici di qualità"

[[results]]
code = "R.1"
objective = "OB.1"
title = "Amministrazioni con API documentate"
indicator = "Amministrazioni"
unit = "amministrazioni"
targets = { "2026" = "almeno 80 amministrazioni", "2028" = 300 }

[[actions]]
code = "A.1"
section = "dati"
objective = "OB.1"
title = "Mantenere il catalogo"
owner = "Agenzia"
start = 2026-09-01
weight = 2
"#;

const DRAFT: &str = "# Dati aperti\n\nLe amministrazioni pubblicano i **dati** che producono.\n\n\
- un catalogo unico\n- licenze aperte\n\n| Anno | Dataset |\n|---|---|\n| 2026 | 180 |\n";

fn export(config: &Path, format: &str, out: &Path) -> Result<String> {
    let output = Command::new(pspm_binary())
        .args(["plan", "export", "--format", format, "--config"])
        .arg(config)
        .arg("--out")
        .arg(out)
        .env_remove("PSPM_CONFIG")
        .output()?;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(String::from_utf8(output.stdout)?)
}

#[test]
fn plan_export_writes_the_consolidated_plan_as_markdown_html_and_odt() -> Result<()> {
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("plan.toml"), PLAN)?;
    std::fs::write(dir.path().join("dati.md"), DRAFT)?;
    std::fs::copy(repo_root().join(AGID), dir.path().join("riuso.rst"))?;
    let config = dir.path().join("pspm.toml");
    std::fs::write(
        &config,
        "[matrix]\nhomeserver_url = \"http://127.0.0.1:9\"\nuser_id = \"@pspm:localhost\"\npassword = \"x\"\n\n\
         [storage]\ndata_dir = \"data\"\n\n[bot]\nallowed_servers = [\"localhost\"]\n\n[plan]\nfile = \"plan.toml\"\n",
    )?;

    let md_path = dir.path().join("out/piano.md");
    assert_eq!(
        export(&config, "md", &md_path)?.trim(),
        md_path.display().to_string()
    );
    let md = std::fs::read_to_string(&md_path)?;
    for expected in [
        "# Piano triennale 2026-2028",
        "## 1. Dati e interoperabilità",
        "### §1.1 Dati aperti",
        "**§1.2** Le amministrazioni pubblicano",
        "### §2.1 Modello di riuso",
        "| R.1 | Amministrazioni con API documentate | Amministrazioni | amministrazioni |  | 2026: almeno 80 amministrazioni; 2028: 300 |",
        "| A.1 | Mantenere il catalogo | OB.1 | Agenzia | 2026-09-01 | continuativa | 2 |",
        "## Allegato: modifiche rispetto al file del piano",
        "Nessun elemento.",
        "Testo corrente: iterazione 1 in corso, sulla bozza del file del piano.",
    ] {
        assert!(md.contains(expected), "{expected:?} missing from:\n{md}");
    }
    // An iteration that does not exist is an error naming the ones there are; nothing written.
    let missing = dir.path().join("missing.md");
    let output = Command::new(pspm_binary())
        .args([
            "plan",
            "export",
            "--format",
            "md",
            "--iteration",
            "blueprint",
            "--config",
        ])
        .arg(&config)
        .arg("--out")
        .arg(&missing)
        .env_remove("PSPM_CONFIG")
        .output()?;
    assert!(!output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim(),
        "pspm: no iteration \"blueprint\"; there are: 1 (current)"
    );
    assert!(!missing.exists());

    let html_path = dir.path().join("piano.html");
    export(&config, "html", &html_path)?;
    let url = format!("file://{}", html_path.display());
    let dom = run_chromium(&url, &["--window-size=390,844", "--dump-dom"])?;
    let dom = String::from_utf8(dom.stdout)?;
    assert!(dom.contains("<html lang=\"it\">"), "{dom}");
    assert!(
        dom.contains("<h3 id=\"p2.1\"><span class=\"pid\">§2.1</span>Modello di riuso</h3>"),
        "{dom}"
    );
    assert!(
        dom.contains("<td>2026: almeno 80 amministrazioni; 2028: 300</td>"),
        "{dom}"
    );
    let shot = screenshot(&url, &dir.path().join("phone.png"), 390, 844)?;
    assert!(shot.dark > 1000, "text on the phone's screen: {shot:?}");
    for width in [390, 1280] {
        let violations = axe_audit(&html_path, width, 2400)?;
        let serious: Vec<_> = violations.iter().filter(|v| v.is_serious()).collect();
        assert!(serious.is_empty(), "axe at {width} px: {serious:#?}");
        println!("axe at {width} px: no serious or critical violations; others: {violations:?}");
    }

    let odt_path = dir.path().join("piano.odt");
    export(&config, "odt", &odt_path)?;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&odt_path)?)?;
    let first = zip.by_index(0)?;
    assert_eq!(
        (first.name()?.into_owned(), first.compression()),
        ("mimetype".to_owned(), zip::CompressionMethod::Stored)
    );
    drop(first);
    let mut content = String::new();
    zip.by_name("content.xml")?.read_to_string(&mut content)?;
    assert!(
        content.contains("text:outline-level=\"3\">§2.1 Modello di riuso</text:h>"),
        "{content}"
    );
    match Command::new("soffice").arg("--version").output() {
        Ok(found) if found.status.success() => {
            let converted = Command::new("soffice")
                .args([
                    "--headless",
                    "--convert-to",
                    "txt:Text (encoded):UTF8",
                    "--outdir",
                ])
                .arg(dir.path())
                .arg(&odt_path)
                .output()?;
            assert!(converted.status.success(), "{converted:?}");
            let text = std::fs::read_to_string(dir.path().join("piano.txt"))?;
            for expected in [
                "§1.1 Dati aperti",
                "§2.1 Modello di riuso",
                "un catalogo unico",
            ] {
                assert!(
                    text.contains(expected),
                    "{expected:?} missing from:\n{text}"
                );
            }
        }
        _ => println!("soffice is not installed: the OpenDocument file was not converted"),
    }
    Ok(())
}
