//! The monitoring part of the plan file: objectives, expected results and actions.
//!
//! Codes (`OB.1.1`, `R.A.1.1a`, `CAP1.PA.LA01`) are free text, unique across the plan. Every
//! semantic error names the file, the line and the problem, since plans are long files
//! edited by hand.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;
use toml::Spanned;

use crate::plan::Section;
use crate::ConfigError;

/// A strategic objective of a section.
#[derive(Debug, Clone, PartialEq)]
pub struct Objective {
    pub code: String,
    pub section: String,
    pub title: String,
}

/// An expected result of an objective: an indicator with a baseline and yearly targets.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectedResult {
    pub code: String,
    pub objective: String,
    pub title: String,
    pub indicator: String,
    pub unit: String,
    pub baseline: Option<f64>,
    /// Target per year.
    pub targets: BTreeMap<i32, Target>,
}

/// A year's target: a number, a text ("almeno 80 amministrazioni"), or a text with the
/// number that charts draw. One of the two at least.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub value: Option<f64>,
    pub text: Option<String>,
}

impl From<f64> for Target {
    fn from(value: f64) -> Target {
        Target {
            value: Some(value),
            text: None,
        }
    }
}

impl ExpectedResult {
    /// The numeric targets by year, the ones charts draw.
    pub fn numeric_targets(&self) -> impl Iterator<Item = (i32, f64)> + '_ {
        self.targets
            .iter()
            .filter_map(|(year, target)| target.value.map(|value| (*year, value)))
    }
}

/// A line of action: who does what by when, and how much it weighs in the roll-up.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub code: String,
    pub section: String,
    pub objective: Option<String>,
    pub title: String,
    /// Owner organisation (a name from `[organisations]` or a homeserver name).
    pub owner: Option<String>,
    /// Owner Matrix users.
    pub owners: Vec<String>,
    pub start: Option<NaiveDate>,
    /// `None` for an open-ended action (`start` without `due`: "from September 2020"), which
    /// is ongoing until done and never late.
    pub due: Option<NaiveDate>,
    pub weight: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawObjective {
    code: Spanned<String>,
    section: Spanned<String>,
    title: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawResult {
    code: Spanned<String>,
    objective: Spanned<String>,
    title: String,
    #[serde(default)]
    indicator: String,
    #[serde(default)]
    unit: String,
    baseline: Option<f64>,
    /// `"2026" = 50`, `"2026" = "text"` or `"2026" = { text = "…", value = 50 }`.
    targets: Option<Spanned<BTreeMap<String, Spanned<toml::Value>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAction {
    code: Spanned<String>,
    section: Spanned<String>,
    objective: Option<Spanned<String>>,
    title: String,
    owner: Option<String>,
    owners: Option<Spanned<Vec<String>>>,
    start: Option<Spanned<toml::Value>>,
    due: Option<Spanned<toml::Value>>,
    weight: Option<Spanned<f64>>,
}

/// The monitoring model, validated against the plan's sections.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Monitoring {
    pub objectives: Vec<Objective>,
    pub results: Vec<ExpectedResult>,
    pub actions: Vec<Action>,
}

struct Checker<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Checker<'_> {
    fn line(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())]
            .matches('\n')
            .count()
            + 1
    }

    fn at(&self, span: Range<usize>, key: String, reason: impl Into<String>) -> ConfigError {
        ConfigError::At {
            file: self.path.to_path_buf(),
            line: self.line(span.start),
            key,
            reason: reason.into(),
        }
    }

    fn date(&self, value: &Spanned<toml::Value>, key: String) -> Result<NaiveDate, ConfigError> {
        let parsed = match value.get_ref() {
            toml::Value::Datetime(datetime) => datetime.date.and_then(|d| {
                NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
            }),
            toml::Value::String(text) => NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok(),
            _ => None,
        };
        parsed.ok_or_else(|| self.at(value.span(), key, "not a date like 2026-12-31"))
    }
}

pub(crate) fn validate(
    path: &Path,
    text: &str,
    sections: &[Section],
    objectives: Vec<RawObjective>,
    results: Vec<RawResult>,
    actions: Vec<RawAction>,
) -> Result<Monitoring, ConfigError> {
    let check = Checker { path, text };
    // Where each code was first defined, for "duplicate code" messages.
    let mut codes: HashMap<String, usize> = HashMap::new();
    let mut claim = |code: &Spanned<String>, key: String| -> Result<String, ConfigError> {
        let trimmed = code.get_ref().trim();
        if trimmed.is_empty() || trimmed.chars().any(char::is_whitespace) {
            return Err(check.at(code.span(), key, "a code is one word, e.g. OB.1.1"));
        }
        let line = check.line(code.span().start);
        if let Some(first) = codes.insert(trimmed.to_owned(), line) {
            return Err(check.at(
                code.span(),
                key,
                format!("duplicate code \"{trimmed}\" (first defined at line {first})"),
            ));
        }
        Ok(trimmed.to_owned())
    };
    let known_section = |section: &Spanned<String>, key: String| {
        if sections.iter().any(|s| &s.id == section.get_ref()) {
            Ok(section.get_ref().clone())
        } else {
            Err(check.at(
                section.span(),
                key,
                format!("unknown section \"{}\"", section.get_ref()),
            ))
        }
    };
    let mut monitoring = Monitoring::default();
    for (i, raw) in objectives.into_iter().enumerate() {
        let code = claim(&raw.code, format!("objectives[{i}].code"))?;
        let section = known_section(&raw.section, format!("objectives[{i}].section"))?;
        monitoring.objectives.push(Objective {
            code,
            section,
            title: raw.title,
        });
    }
    let objective_section: HashMap<String, String> = monitoring
        .objectives
        .iter()
        .map(|o| (o.code.clone(), o.section.clone()))
        .collect();
    let known_objective = |objective: &Spanned<String>, key: String| {
        objective_section
            .get(objective.get_ref())
            .cloned()
            .ok_or_else(|| {
                check.at(
                    objective.span(),
                    key,
                    format!("unknown objective \"{}\"", objective.get_ref()),
                )
            })
    };
    for (i, raw) in results.into_iter().enumerate() {
        let code = claim(&raw.code, format!("results[{i}].code"))?;
        known_objective(&raw.objective, format!("results[{i}].objective"))?;
        let mut targets = BTreeMap::new();
        for (year, value) in raw.targets.iter().flat_map(|t| t.get_ref()) {
            let key = || format!("results[{i}].targets.\"{year}\"");
            let parsed: Option<i32> = year.parse().ok().filter(|y| (1900..=2200).contains(y));
            let Some(year) = parsed else {
                return Err(check.at(
                    raw.targets.as_ref().map_or(raw.code.span(), |t| t.span()),
                    format!("results[{i}].targets"),
                    format!("\"{year}\" is not a year like 2026"),
                ));
            };
            let target =
                target(value.get_ref()).map_err(|reason| check.at(value.span(), key(), reason))?;
            targets.insert(year, target);
        }
        monitoring.results.push(ExpectedResult {
            code,
            objective: raw.objective.into_inner(),
            title: raw.title,
            indicator: raw.indicator,
            unit: raw.unit,
            baseline: raw.baseline.filter(|b| b.is_finite()),
            targets,
        });
    }
    for (i, raw) in actions.into_iter().enumerate() {
        let code = claim(&raw.code, format!("actions[{i}].code"))?;
        let section = known_section(&raw.section, format!("actions[{i}].section"))?;
        let objective = match &raw.objective {
            Some(objective) => {
                let its_section = known_objective(objective, format!("actions[{i}].objective"))?;
                if its_section != section {
                    return Err(check.at(objective.span(),
                        format!("actions[{i}].objective"),
                        format!(
                            "objective \"{}\" belongs to section \"{its_section}\", not \"{section}\"",
                            objective.get_ref()
                        ),
                    ));
                }
                Some(objective.get_ref().clone())
            }
            None => None,
        };
        let owners: Vec<String> = raw
            .owners
            .iter()
            .flat_map(|o| o.get_ref().clone())
            .collect();
        for owner in &owners {
            if crate::server_of(owner).is_none() {
                return Err(check.at(
                    raw.owners.as_ref().map_or(raw.code.span(), |o| o.span()),
                    format!("actions[{i}].owners"),
                    format!("\"{owner}\" is not a Matrix user ID like @name:server"),
                ));
            }
        }
        let start = match &raw.start {
            Some(start) => Some(check.date(start, format!("actions[{i}].start"))?),
            None => None,
        };
        let due = match &raw.due {
            Some(due) => {
                let date = check.date(due, format!("actions[{i}].due"))?;
                if start.is_some_and(|start| date < start) {
                    return Err(check.at(
                        due.span(),
                        format!("actions[{i}].due"),
                        "the due date is before the start date",
                    ));
                }
                Some(date)
            }
            None if start.is_none() => {
                return Err(check.at(
                    raw.code.span(),
                    format!("actions[{i}].due"),
                    "missing: give a due date, or a start date for an open-ended action",
                ))
            }
            None => None,
        };
        let weight = match &raw.weight {
            Some(weight) if !(weight.get_ref().is_finite() && *weight.get_ref() > 0.0) => {
                return Err(check.at(
                    weight.span(),
                    format!("actions[{i}].weight"),
                    "the weight must be a positive number",
                ))
            }
            Some(weight) => *weight.get_ref(),
            None => 1.0,
        };
        monitoring.actions.push(Action {
            code,
            section,
            objective,
            title: raw.title,
            owner: raw.owner.filter(|o| !o.trim().is_empty()),
            owners,
            start,
            due,
            weight,
        });
    }
    Ok(monitoring)
}

/// A target as the plan file writes it: a number, a text, or `{ text = "…", value = 80 }`.
fn target(value: &toml::Value) -> Result<Target, String> {
    const SHAPES: &str = "a target is a number, a text, or { text = \"…\", value = 80 }";
    let number = |value: &toml::Value| match value {
        toml::Value::Integer(n) => Some(*n as f64),
        toml::Value::Float(x) if x.is_finite() => Some(*x),
        _ => None,
    };
    let text = |text: &str| {
        let text = text.trim();
        (!text.is_empty()).then(|| text.to_owned())
    };
    match value {
        toml::Value::String(words) => text(words)
            .map(|words| Target {
                value: None,
                text: Some(words),
            })
            .ok_or_else(|| "the target's text is empty".to_owned()),
        toml::Value::Table(table) => {
            if let Some(unknown) = table.keys().find(|k| *k != "text" && *k != "value") {
                return Err(format!("unknown key `{unknown}`: {SHAPES}"));
            }
            let words = match table.get("text") {
                Some(toml::Value::String(words)) => text(words),
                Some(_) => return Err("`text` must be a text".to_owned()),
                None => None,
            };
            let value = match table.get("value") {
                Some(value) => Some(
                    number(value).ok_or_else(|| "`value` must be a finite number".to_owned())?,
                ),
                None => None,
            };
            if words.is_none() && value.is_none() {
                return Err(format!("the target has neither text nor value: {SHAPES}"));
            }
            Ok(Target { value, text: words })
        }
        other => number(other)
            .map(Target::from)
            .ok_or_else(|| format!("{other} is not a target: {SHAPES}")),
    }
}
