//! The adapter from the domain's [`PracticeRepository`] port to the tantivy-backed index of
//! the `indexer` crate.

use pspm_indexer::Index;

use crate::domain::practice_repository::{
    Hit, IndexError, Practice, PracticeRepository, Rating, SearchOptions, SearchResults, Share,
};

impl PracticeRepository for Index {
    fn search(&self, query: &str, options: SearchOptions) -> Result<SearchResults, IndexError> {
        let started = std::time::Instant::now();
        let results = Index::search(self, query, options);
        crate::telemetry::metrics().search(started.elapsed());
        results
    }
    fn get(&self, id: &str) -> Result<Option<Practice>, IndexError> {
        Index::get(self, id)
    }
    fn related(&self, text: &str, limit: usize) -> Result<Vec<Hit>, IndexError> {
        Index::related(self, text, limit)
    }
    fn share(&self, share: Share) -> Result<Practice, IndexError> {
        Index::share(self, share)
    }
    fn approve(&self, id: &str) -> Result<Practice, IndexError> {
        Index::approve(self, id)
    }
    fn decline(&self, id: &str) -> Result<bool, IndexError> {
        Index::decline(self, id)
    }
    fn rate(&self, id: &str, user: &str, stars: u8) -> Result<Rating, IndexError> {
        Index::rate(self, id, user, stars)
    }
    fn pending(&self) -> Result<Vec<Practice>, IndexError> {
        Index::pending(self)
    }
}
