//! The good-practice repository as open data (`pspm index export`): every published practice
//! with its metadata and rating, as JSON (schema `pspm.practices`, version 1) or CSV (the same
//! rules as the plan's export). The texts themselves stay in the repository: their sources
//! are linked.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::csv::Csv;
use super::ExportFile;
use crate::domain::practice_repository::Practice;

pub const SCHEMA: &str = "pspm.practices";
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PracticesExport {
    pub schema: &'static str,
    pub version: u32,
    pub generated_at: String,
    pub practices: Vec<PracticeRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PracticeRow {
    pub id: String,
    pub title: String,
    pub summary: String,
    #[serde(rename = "type")]
    pub practice_type: String,
    pub organisation: Option<String>,
    pub year: Option<i32>,
    pub tags: Vec<String>,
    pub language: String,
    pub licence: Option<String>,
    /// URL or file path it came from.
    pub source: String,
    pub added_by: String,
    pub added_at: String,
    /// 0 when nobody rated it.
    pub rating_average: f32,
    pub rating_count: u32,
}

impl PracticesExport {
    /// `practices` (the published ones, as the repository lists them), sorted by id.
    pub fn build(practices: Vec<Practice>, now: DateTime<Utc>) -> PracticesExport {
        let mut practices: Vec<PracticeRow> = practices
            .into_iter()
            .map(|p| PracticeRow {
                id: p.id,
                title: p.title,
                summary: p.summary,
                practice_type: p.practice_type.to_string(),
                organisation: p.organisation,
                year: p.year,
                tags: p.tags,
                language: p.language.to_string(),
                licence: p.licence,
                source: p.source,
                added_by: p.added_by,
                added_at: p.added_at.to_rfc3339_opts(SecondsFormat::Secs, true),
                rating_average: p.rating.average,
                rating_count: p.rating.count,
            })
            .collect();
        practices.sort_by(|a, b| a.id.cmp(&b.id));
        PracticesExport {
            schema: SCHEMA,
            version: VERSION,
            generated_at: now.to_rfc3339_opts(SecondsFormat::Millis, true),
            practices,
        }
    }

    pub fn json(&self) -> ExportFile {
        ExportFile {
            table: "practices",
            filename: "practices.json".to_owned(),
            mimetype: "application/json",
            content: serde_json::to_string_pretty(self).unwrap_or_default(),
        }
    }

    /// One row per practice, the columns named as the JSON fields (`tags` joined with `; `).
    pub fn csv(&self) -> ExportFile {
        let mut csv = Csv::new();
        csv.row([
            "id",
            "title",
            "summary",
            "type",
            "organisation",
            "year",
            "tags",
            "language",
            "licence",
            "source",
            "added_by",
            "added_at",
            "rating_average",
            "rating_count",
        ]);
        for p in &self.practices {
            let row = [
                p.id.clone(),
                p.title.clone(),
                p.summary.clone(),
                p.practice_type.clone(),
                p.organisation.clone().unwrap_or_default(),
                p.year.map(|y| y.to_string()).unwrap_or_default(),
                p.tags.join("; "),
                p.language.clone(),
                p.licence.clone().unwrap_or_default(),
                p.source.clone(),
                p.added_by.clone(),
                p.added_at.clone(),
                p.rating_average.to_string(),
                p.rating_count.to_string(),
            ];
            csv.row(row.iter().map(String::as_str));
        }
        ExportFile {
            table: "practices",
            filename: "practices.csv".to_owned(),
            mimetype: "text/csv",
            content: csv.finish(),
        }
    }
}
