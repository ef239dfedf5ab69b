//! The plan file: a Strategic Plan and its sections (one Matrix room each).
//!
//! Later capabilities (phases, objectives, results, actions) extend these types; unknown keys
//! are refused so that a typo never passes silently.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::draft::Paragraph;
use crate::monitoring::Monitoring;
use crate::{parse_toml, read_text, resolve, ConfigError};

/// The whole plan file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanFile {
    pub plan: Plan,
    #[serde(default)]
    pub sections: Vec<Section>,
    #[serde(default)]
    objectives: Vec<crate::monitoring::RawObjective>,
    #[serde(default)]
    results: Vec<crate::monitoring::RawResult>,
    #[serde(default)]
    actions: Vec<crate::monitoring::RawAction>,
}

/// The plan: one Matrix Space.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Stable identifier; room aliases derive from it, so changing it means new rooms.
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(skip)]
    pub sections: Vec<Section>,
    /// Objectives, expected results and actions to monitor.
    #[serde(skip)]
    pub monitoring: Monitoring,
}

/// A plan section: one Matrix room inside the plan's Space.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Participation phase the section starts in (one of [`PHASES`]); moderators change it
    /// from chat. Default `consultation`.
    #[serde(default)]
    pub phase: Option<String>,
    /// Most proposals one person may support in this section (Decidim-style); none = no limit.
    #[serde(default)]
    pub max_supports: Option<u32>,
    /// The section's draft text: a Markdown, reStructuredText or plain text file, or a folder
    /// of them. Written relative to the plan file; loaded, it is the resolved path.
    #[serde(default)]
    pub text: Option<PathBuf>,
    /// The draft's paragraphs, numbered from 1 (none without `text`).
    #[serde(skip)]
    pub draft: Vec<Paragraph>,
}

/// The participation phases, in order.
pub const PHASES: [&str; 5] = [
    "consultation",
    "prioritisation",
    "consolidation",
    "monitoring",
    "closed",
];

impl Plan {
    /// Alias localpart of the plan's Space, e.g. `pt-2026`.
    pub fn space_alias_localpart(&self) -> String {
        self.id.clone()
    }

    /// Alias localpart of a section room, e.g. `pt-2026.dati`.
    pub fn section_alias_localpart(&self, section: &Section) -> String {
        format!("{}.{}", self.id, section.id)
    }
}

/// Loads and validates a plan file.
pub fn load(path: &Path) -> Result<Plan, ConfigError> {
    parse(path, &read_text(path)?)
}

/// Validates the text of a plan file as [`load`] does, before it is written to `path` (which
/// the errors name): `pspm import plan` writes only a plan that loads.
pub fn parse(path: &Path, text: &str) -> Result<Plan, ConfigError> {
    let file: PlanFile = parse_toml(path, text)?;
    validate_id(path, "plan.id", &file.plan.id)?;
    not_blank(path, "plan.title", &file.plan.title)?;
    if file.sections.is_empty() {
        return Err(ConfigError::invalid(
            path,
            "sections",
            "the plan has no [[sections]]; add at least one",
        ));
    }
    let mut seen = HashSet::new();
    for (i, section) in file.sections.iter().enumerate() {
        validate_id(path, &format!("sections[{i}].id"), &section.id)?;
        not_blank(path, &format!("sections[{i}].title"), &section.title)?;
        if let Some(phase) = &section.phase {
            if !PHASES.contains(&phase.as_str()) {
                return Err(ConfigError::invalid(
                    path,
                    format!("sections[{i}].phase"),
                    format!("\"{phase}\" is not one of {}", PHASES.join(", ")),
                ));
            }
        }
        if section.max_supports == Some(0) {
            return Err(ConfigError::invalid(
                path,
                format!("sections[{i}].max_supports"),
                "must be at least 1 (leave it out for no limit)",
            ));
        }
        if !seen.insert(section.id.as_str()) {
            return Err(ConfigError::invalid(
                path,
                format!("sections[{i}].id"),
                format!("duplicate section id \"{}\"", section.id),
            ));
        }
    }
    // Line numbers for the monitoring part's errors come from the text itself.
    let monitoring = crate::monitoring::validate(
        path,
        text,
        &file.sections,
        file.objectives,
        file.results,
        file.actions,
    )?;
    let mut sections = file.sections;
    let base = path.parent().unwrap_or(Path::new("."));
    for (i, section) in sections.iter_mut().enumerate() {
        let Some(text) = &section.text else {
            continue;
        };
        let key = format!("sections[{i}].text");
        if text.as_os_str().is_empty() {
            return Err(ConfigError::invalid(path, key, "must not be empty"));
        }
        let resolved = resolve(base, text);
        section.draft = crate::draft::load(path, &key, &resolved)?;
        section.text = Some(resolved);
    }
    let mut plan = file.plan;
    plan.sections = sections;
    plan.monitoring = monitoring;
    Ok(plan)
}

/// Whether `id` may be a plan's or a section's id: it becomes (part of) a room alias.
pub fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 48
        && id.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// What is wrong with an id that is not [`is_id`].
pub fn id_rule(id: &str) -> String {
    format!("\"{id}\" must be 1-48 characters of a-z, 0-9, '-' or '_' (it becomes a room alias)")
}

fn validate_id(path: &Path, key: &str, id: &str) -> Result<(), ConfigError> {
    if is_id(id) {
        Ok(())
    } else {
        Err(ConfigError::invalid(path, key, id_rule(id)))
    }
}

fn not_blank(path: &Path, key: &str, value: &str) -> Result<(), ConfigError> {
    if value.trim().is_empty() {
        Err(ConfigError::invalid(path, key, "must not be empty"))
    } else {
        Ok(())
    }
}
