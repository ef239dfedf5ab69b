//! The plan file as `pspm import plan` writes it: serde structs in the shape of
//! `config/plan.example.toml` (`[plan]`, `[[sections]]`, `[[objectives]]`, `[[results]]`,
//! `[[actions]]`), serialized by `toml`; empty optional keys are left out.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Serialize, Serializer};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanFile {
    pub plan: PlanTable,
    pub sections: Vec<SectionTable>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub objectives: Vec<ObjectiveTable>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub results: Vec<ResultTable>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<ActionTable>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanTable {
    pub id: String,
    pub title: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionTable {
    pub id: String,
    pub title: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_supports: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectiveTable {
    pub code: String,
    pub section: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultTable {
    pub code: String,
    pub objective: String,
    pub title: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub indicator: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub unit: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Number>,
    /// By year, as the plan file keys them (`"2026" = 50000`, `"2028" = "tutti i comuni"`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub targets: BTreeMap<String, TargetCell>,
}

/// A year's target as a cell gives it: a number, or words.
#[derive(Debug, Clone, PartialEq)]
pub enum TargetCell {
    Number(Number),
    Text(String),
}

impl Serialize for TargetCell {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            TargetCell::Number(number) => number.serialize(serializer),
            TargetCell::Text(text) => serializer.serialize_str(text),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionTable {
    pub code: String,
    pub section: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objective: Option<String>,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub owners: Vec<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "optional_date"
    )]
    pub start: Option<NaiveDate>,
    /// `None`: open-ended (it has a start).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "optional_date"
    )]
    pub due: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<Number>,
}

/// A number written as people write it: `40000`, not `40000.0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Number(pub f64);

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Whole numbers up to 2^53 are exact both ways.
        if self.0.fract() == 0.0 && self.0.abs() <= 9_007_199_254_740_992.0 {
            serializer.serialize_i64(self.0 as i64)
        } else {
            serializer.serialize_f64(self.0)
        }
    }
}

/// A TOML date (`2026-12-31`, not a string).
fn date<S: Serializer>(date: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
    let part = |n: u32| u8::try_from(n).unwrap_or_default();
    toml::value::Datetime {
        date: Some(toml::value::Date {
            year: u16::try_from(date.year()).unwrap_or_default(),
            month: part(date.month()),
            day: part(date.day()),
        }),
        time: None,
        offset: None,
    }
    .serialize(serializer)
}

fn optional_date<S: Serializer>(
    when: &Option<NaiveDate>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match when {
        Some(when) => date(when, serializer),
        None => serializer.serialize_none(),
    }
}
