//! The plain types the rest of PSPM sees: no tantivy type crosses this boundary.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What kind of document a practice is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PracticeType {
    StrategicPlan,
    Methodology,
    Guideline,
    Experience,
    /// Public software described by its `publiccode.yml`.
    Software,
    Other,
}

impl PracticeType {
    pub const ALL: [PracticeType; 6] = [
        PracticeType::StrategicPlan,
        PracticeType::Methodology,
        PracticeType::Guideline,
        PracticeType::Experience,
        PracticeType::Software,
        PracticeType::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PracticeType::StrategicPlan => "strategic-plan",
            PracticeType::Methodology => "methodology",
            PracticeType::Guideline => "guideline",
            PracticeType::Experience => "experience",
            PracticeType::Software => "software",
            PracticeType::Other => "other",
        }
    }
}

impl fmt::Display for PracticeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PracticeType {
    type Err = UnknownValue;

    /// Accepts the English names and their Italian equivalents, since users type both.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let normalised = text.trim().to_lowercase().replace([' ', '_'], "-");
        match normalised.as_str() {
            "strategic-plan" | "plan" | "piano-strategico" | "piano" => {
                Ok(PracticeType::StrategicPlan)
            }
            "methodology" | "method" | "metodologia" | "metodo" => Ok(PracticeType::Methodology),
            "guideline" | "guidelines" | "guide" | "linea-guida" | "linee-guida" | "guida" => {
                Ok(PracticeType::Guideline)
            }
            "experience" | "case-study" | "esperienza" | "caso-di-studio" => {
                Ok(PracticeType::Experience)
            }
            "software" | "open-source" => Ok(PracticeType::Software),
            "other" | "altro" => Ok(PracticeType::Other),
            _ => Err(UnknownValue(text.to_string())),
        }
    }
}

/// Language of a practice; decides which analyser indexes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PracticeLanguage {
    It,
    En,
}

impl PracticeLanguage {
    pub const ALL: [PracticeLanguage; 2] = [PracticeLanguage::It, PracticeLanguage::En];

    pub fn as_str(self) -> &'static str {
        match self {
            PracticeLanguage::It => "it",
            PracticeLanguage::En => "en",
        }
    }
}

impl fmt::Display for PracticeLanguage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PracticeLanguage {
    type Err = UnknownValue;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_lowercase().as_str() {
            "it" | "ita" | "italian" | "italiano" => Ok(PracticeLanguage::It),
            "en" | "eng" | "english" | "inglese" => Ok(PracticeLanguage::En),
            _ => Err(UnknownValue(text.to_string())),
        }
    }
}

/// Whether everyone can find a practice or only moderators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Published,
    Pending,
}

impl Status {
    pub const ALL: [Status; 2] = [Status::Published, Status::Pending];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Published => "published",
            Status::Pending => "pending",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value that names no variant of the enum it was parsed into.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown value {0:?}")]
pub struct UnknownValue(pub String);

/// Average of the users' latest ratings.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Rating {
    /// 0.0 when nobody rated.
    pub average: f32,
    pub count: u32,
}

impl Rating {
    pub(crate) fn from_votes(votes: &BTreeMap<String, u8>) -> Rating {
        let count = votes.len() as u32;
        if count == 0 {
            return Rating::default();
        }
        let sum: u32 = votes.values().map(|&stars| u32::from(stars)).sum();
        Rating {
            average: sum as f32 / count as f32,
            count,
        }
    }
}

/// One good practice: a plan, methodology, guideline, experience or piece of software.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Practice {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    #[serde(rename = "type")]
    pub practice_type: PracticeType,
    pub organisation: Option<String>,
    pub year: Option<i32>,
    pub tags: Vec<String>,
    pub language: PracticeLanguage,
    pub licence: Option<String>,
    /// URL or file path the practice came from.
    pub source: String,
    pub added_by: String,
    pub added_at: DateTime<Utc>,
    pub status: Status,
    pub rating: Rating,
    /// Canonical path of the ingested file; `None` for practices shared from chat.
    pub path: Option<PathBuf>,
}

/// A practice shared from chat, waiting for a moderator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Share {
    pub id: String,
    pub title: String,
    /// A URL (becomes the source) or the text of the practice itself.
    pub url_or_text: String,
    pub practice_type: Option<PracticeType>,
    pub tags: Vec<String>,
    pub added_by: String,
    pub added_at: DateTime<Utc>,
}

/// What the caller asks of a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchOptions {
    pub offset: usize,
    pub limit: usize,
    /// Moderators see pending practices too.
    pub include_pending: bool,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            offset: 0,
            limit: 5,
            include_pending: false,
        }
    }
}

/// One ranked search result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub id: String,
    pub title: String,
    #[serde(rename = "type")]
    pub practice_type: PracticeType,
    pub organisation: Option<String>,
    pub year: Option<i32>,
    pub status: Status,
    pub score: f32,
    /// Matches in `<b>`, everything else escaped as HTML text (`&`, `<`, `>`; quotes are
    /// left as they are): element content, not an attribute value.
    pub snippet_html: String,
    /// The same snippet without markup.
    pub snippet_text: String,
    /// A near match (found through a correction of the query's words), not an exact one.
    #[serde(default)]
    pub near: bool,
}

/// A page of hits and how many matched in all.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SearchResults {
    pub hits: Vec<Hit>,
    /// How many matched when `total_is_exact`; otherwise at least this many (counting
    /// stops at [`crate::index::COUNT_CAP`], or just past the requested page when that
    /// ends further), to be shown as "1000+". Either way there is a next page exactly
    /// when `offset + hits.len() < total`.
    pub total: usize,
    /// False when counting stopped at the cap.
    #[serde(default = "exact_by_default")]
    pub total_is_exact: bool,
    pub offset: usize,
    /// Set when the exact query found fewer than a page, so near matches follow the exact
    /// ones: the first `near.exact` of `total` are exact, the rest near.
    #[serde(default)]
    pub near: Option<NearMatches>,
}

/// Near matches after too few exact ones: how many were exact, and what the query's words
/// were taken for.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NearMatches {
    /// Exact matches, counted exactly; they come first.
    pub exact: usize,
    /// Each word the repository does not hold as typed, with the likeliest word it does:
    /// the "did you mean". Empty when every word is there, just in too few practices.
    pub corrections: Vec<Correction>,
}

impl NearMatches {
    /// The query as it would read with the corrections, for "did you mean …?"; `None`
    /// when nothing was corrected.
    pub fn suggestion(&self, query: &str) -> Option<String> {
        if self.corrections.is_empty() {
            return None;
        }
        let mut suggestion = String::with_capacity(query.len());
        let mut rest = query;
        // Words are replaced where they stand, so quotes and filters stay as typed.
        while let Some(start) = rest.find(|c: char| c.is_alphanumeric()) {
            suggestion.push_str(&rest[..start]);
            let word_end = rest[start..]
                .find(|c: char| !c.is_alphanumeric())
                .map_or(rest.len(), |end| start + end);
            let word = &rest[start..word_end];
            let lowered = word.to_lowercase();
            match self
                .corrections
                .iter()
                .find(|correction| correction.typed == lowered)
            {
                Some(correction) => suggestion.push_str(&correction.corrected),
                None => suggestion.push_str(word),
            }
            rest = &rest[word_end..];
        }
        suggestion.push_str(rest);
        Some(suggestion)
    }
}

/// A word of the query as typed (lower-cased) and the word of the repository it was taken
/// for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    pub typed: String,
    pub corrected: String,
}

/// Results serialised before `total_is_exact` existed counted everything.
fn exact_by_default() -> bool {
    true
}

/// Counts reported after ingesting paths.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IngestReport {
    pub added: usize,
    pub replaced: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// Files skipped, each with the reason.
    pub failed: Vec<(PathBuf, String)>,
}

/// What one file may cost to ingest; a file over a limit is skipped, with the reason, in
/// [`IngestReport::failed`]. The bot sets them from its `[index]` configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestLimits {
    /// Larger files are not read at all.
    pub max_file_bytes: u64,
    /// Most bytes one PDF stream decompresses to (an object or cross-reference stream
    /// when the file is loaded, a page's content when its text is read): a small file
    /// cannot inflate to gigabytes.
    pub max_pdf_stream_bytes: usize,
    /// Most bytes of text kept from one file (its body once parsed).
    pub max_text_bytes: usize,
}

const MIB: usize = 1024 * 1024;

impl Default for IngestLimits {
    fn default() -> Self {
        IngestLimits {
            max_file_bytes: 64 * MIB as u64,
            max_pdf_stream_bytes: 16 * MIB,
            max_text_bytes: 16 * MIB,
        }
    }
}

/// Where an ingest is; handed to the caller's progress callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
    pub current: PathBuf,
}

/// Index contents at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Stats {
    pub documents: usize,
    pub by_type: BTreeMap<PracticeType, usize>,
    pub by_status: BTreeMap<Status, usize>,
    pub by_language: BTreeMap<PracticeLanguage, usize>,
    pub size_bytes: u64,
}
