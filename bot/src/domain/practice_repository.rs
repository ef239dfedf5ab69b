//! The good-practice repository as the domain sees it: a port ([`PracticeRepository`]) that
//! the `indexer` crate's `Index` implements (in `crate::practices`, outside the domain), and
//! the per-user search pages behind `!more`.
//!
//! Writes through the port (`!share`, `!approve`, `!decline`, `!rate`) happen while the
//! command is applied, before the sync batch is committed; they are idempotent (a share's id
//! comes from its event, approving twice publishes once, a rating replaces the user's last),
//! so an event applied again after a crash leaves the repository as it was.

use std::collections::HashMap;

use super::i18n::Msg;

pub use pspm_indexer::{
    Hit, IndexError, Practice, PracticeType, Rating, SearchOptions, SearchResults, Share, Status,
};

/// Results per `!search` / `!more` page.
pub const PAGE: usize = 5;
/// Related practices shown on a new proposal's card.
pub const RELATED_ON_CARD: usize = 3;

/// What the chat commands need of the repository.
pub trait PracticeRepository: Send + Sync {
    fn search(&self, query: &str, options: SearchOptions) -> Result<SearchResults, IndexError>;
    fn get(&self, id: &str) -> Result<Option<Practice>, IndexError>;
    fn related(&self, text: &str, limit: usize) -> Result<Vec<Hit>, IndexError>;
    fn share(&self, share: Share) -> Result<Practice, IndexError>;
    fn approve(&self, id: &str) -> Result<Practice, IndexError>;
    fn decline(&self, id: &str) -> Result<bool, IndexError>;
    fn rate(&self, id: &str, user: &str, stars: u8) -> Result<Rating, IndexError>;
    fn pending(&self) -> Result<Vec<Practice>, IndexError>;
}

/// A user's last search, so `!more` can show the next page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastSearch {
    pub query: String,
    pub next_offset: usize,
    pub include_pending: bool,
}

/// Last searches by user. Kept in memory only: a page position is not worth a commit, and
/// after a restart `!more` simply asks for a new search.
pub type Searches = HashMap<String, LastSearch>;

/// The id of a practice shared from chat: derived from the sharing event, so applying the
/// same event again shares the same practice. All 64 bits of the event's fingerprint: with
/// 32, two shares out of 9,300 would collide with a 1 % chance, and the second would get
/// the first one's practice back.
pub fn share_id(event_id: &str) -> String {
    format!("{:016x}", super::participation::fingerprint(event_id))
}

/// The 32-bit id that versions before [`share_id`] grew gave the same event. Practices
/// shared then keep it (ids are free text to every command); it is only looked up so that
/// such an event, replayed after an upgrade, does not share its practice a second time.
pub fn legacy_share_id(event_id: &str) -> String {
    format!("{:08x}", super::participation::fingerprint(event_id) >> 32)
}

/// The catalogue's name of a practice type, so a reply says "linea guida" in Italian rather
/// than the stored `guideline`.
pub fn type_name(practice_type: PracticeType) -> Msg {
    match practice_type {
        PracticeType::StrategicPlan => Msg::PracticeTypeStrategicPlan,
        PracticeType::Methodology => Msg::PracticeTypeMethodology,
        PracticeType::Guideline => Msg::PracticeTypeGuideline,
        PracticeType::Experience => Msg::PracticeTypeExperience,
        PracticeType::Software => Msg::PracticeTypeSoftware,
        PracticeType::Other => Msg::PracticeTypeOther,
    }
}
