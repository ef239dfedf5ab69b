//! axe-core, the accessibility engine (the npm package `scripts/test` installs under
//! `tests/axe/`), run in headless Chromium over a page: a copy of the page with axe and a
//! small runner inlined, which writes the violations into the DOM for `--dump-dom` to read.
//! Offline: nothing is fetched, the page is audited as it renders at the window's width.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context as _};
use serde_json::Value;

use crate::chromium::run_chromium;
use crate::paths::repo_root;
use crate::Result;

/// One rule the page breaks, as axe reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The rule, e.g. `color-contrast`.
    pub id: String,
    /// `minor`, `moderate`, `serious` or `critical`.
    pub impact: String,
    pub help: String,
    /// How many elements break it, and the first few of them (CSS selectors).
    pub count: usize,
    pub targets: Vec<String>,
}

impl Violation {
    /// Serious or critical: what WCAG 2.1 AA conformance cannot have.
    pub fn is_serious(&self) -> bool {
        matches!(self.impact.as_str(), "serious" | "critical")
    }
}

/// `axe.min.js`: `PSPM_AXE` or the copy `scripts/test` installs.
pub fn axe_script() -> Result<PathBuf> {
    let path = std::env::var_os("PSPM_AXE").map_or_else(
        || repo_root().join("tests/axe/node_modules/axe-core/axe.min.js"),
        PathBuf::from,
    );
    if path.is_file() {
        Ok(path)
    } else {
        bail!(
            "{} not found: run scripts/test, which installs axe-core with npm",
            path.display()
        )
    }
}

/// Runs axe's WCAG 2.0/2.1 A and AA rules (and its best practices) over `page` in a
/// `width`×`height` window; returns every violation, whatever its impact.
pub fn axe_audit(page: &Path, width: u32, height: u32) -> Result<Vec<Violation>> {
    let html =
        std::fs::read_to_string(page).with_context(|| format!("cannot read {}", page.display()))?;
    let axe = std::fs::read_to_string(axe_script()?)?;
    let at = html
        .rfind("</body>")
        .ok_or_else(|| anyhow!("{} has no </body>", page.display()))?;
    // Written into a <script> element, whose text must not close it early.
    let axe = axe.replace("</script", "<\\/script");
    let copy = format!(
        "{}<script>{axe}</script><script>{RUNNER}</script>{}",
        &html[..at],
        &html[at..]
    );
    let folder = tempfile::tempdir()?;
    let audited = folder.path().join("audited.html");
    std::fs::write(&audited, copy)?;
    let output = run_chromium(
        &format!("file://{}", audited.display()),
        &[
            "--dump-dom",
            // axe works in timed chunks: the DOM is dumped once they have all run.
            "--virtual-time-budget=120000",
            &format!("--window-size={width},{height}"),
        ],
    )?;
    let dom = String::from_utf8(output.stdout)?;
    if let Some(error) = between(&dom, "<pre id=\"axe-error\">", "</pre>") {
        bail!("axe failed in Chromium: {error}");
    }
    let json = between(
        &dom,
        "<script type=\"application/json\" id=\"axe-results\">",
        "</script>",
    )
    .ok_or_else(|| anyhow!("axe did not finish in Chromium (no results in the DOM)"))?;
    let found: Vec<Value> = serde_json::from_str(json)?;
    Ok(found
        .into_iter()
        .map(|v| Violation {
            id: text(&v["id"]),
            impact: text(&v["impact"]),
            help: text(&v["help"]),
            count: v["count"].as_u64().unwrap_or(0) as usize,
            targets: v["targets"]
                .as_array()
                .map(|t| t.iter().map(text).collect())
                .unwrap_or_default(),
        })
        .collect())
}

/// What the page runs after axe: the violations, as JSON in a data block (`<` escaped, so
/// the block cannot end early), or the error.
const RUNNER: &str = r#"
axe.run(document, {
  runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
  resultTypes: ['violations']
}).then(function (results) {
  var found = results.violations.map(function (v) {
    return {
      id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
      targets: v.nodes.slice(0, 5).map(function (n) { return n.target.join(' '); })
    };
  });
  var out = document.createElement('script');
  out.type = 'application/json';
  out.id = 'axe-results';
  out.textContent = JSON.stringify(found).replace(/</g, '\\u003c');
  document.body.appendChild(out);
}, function (error) {
  var out = document.createElement('pre');
  out.id = 'axe-error';
  out.textContent = String(error);
  document.body.appendChild(out);
});
"#;

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let to = text[from..].find(end)? + from;
    Some(&text[from..to])
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}
