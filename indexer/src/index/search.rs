//! Search: a page of hits for the lenient query language (see [`crate::query`]) and how
//! many practices matched, counted up to a cap.

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{EnableScoring, Query};
use tantivy::{Searcher, TERMINATED};

use super::Index;
use crate::phrase_search;
use crate::practice::{SearchOptions, SearchResults};
use crate::query;
use crate::IndexError;

/// Most hits a page may hold and the furthest a page may start; keeps `!more` cheap.
pub(super) const MAX_LIMIT: usize = 100;
const MAX_OFFSET: usize = 10_000;
/// Matches counted exactly; past this a search reports "this many or more". A common word
/// matches a third of a large repository, and nobody pages through a thousand hits in chat.
pub const COUNT_CAP: usize = 1_000;

impl Index {
    /// Searches published practices (and pending ones when asked) with the lenient syntax
    /// described in [`crate::query`]. Malformed queries never fail: at worst they find
    /// nothing.
    ///
    /// The total is exact below [`COUNT_CAP`] (or beyond the requested page, when that ends
    /// further); past it counting stops, `total` is the cap and `total_is_exact` is false.
    /// Either way `offset + hits.len() < total` says whether a next page exists.
    pub fn search(
        &self,
        query_text: &str,
        options: SearchOptions,
    ) -> Result<SearchResults, IndexError> {
        let parsed = query::parse(query_text);
        let offset = options.offset.min(MAX_OFFSET);
        let limit = options.limit.min(MAX_LIMIT);
        let searcher = self.reader.searcher();
        let mut builder = self.queries.clone();
        let Some(built) = builder.build(&searcher, &parsed, options.include_pending) else {
            return Ok(SearchResults {
                hits: Vec::new(),
                total: 0,
                total_is_exact: true,
                offset,
            });
        };
        let query = &*built.query;
        // Counting one past the page keeps the next-page test true on deep pages.
        let cap = COUNT_CAP.max(offset + limit + 1);
        if limit == 0 {
            let counted = count_up_to(&searcher, query, cap)?;
            return Ok(SearchResults {
                hits: Vec::new(),
                total: counted,
                total_is_exact: counted < cap,
                offset,
            });
        }
        let top_docs = TopDocs::with_limit(limit)
            .and_offset(offset)
            .order_by_score();
        let (top, counted) = if let Some(phrase) = &built.phrase {
            // One phrase: positions are read only where they can change the page or the
            // count (see `phrase_search`).
            let (mut top, counted) = phrase_search::top_hits(
                &searcher,
                &phrase.alternatives,
                &phrase.excluded,
                offset + limit,
                cap,
            )?;
            (top.split_off(offset.min(top.len())), counted)
        } else if built.prunable {
            // Block-max WAND skips most matches, so an exact count would cost more than the
            // hits: count apart, stopping at the cap.
            let counted = count_up_to(&searcher, query, cap)?;
            (searcher.search(query, &top_docs)?, counted)
        } else {
            // Every match is visited and scored for the top hits anyway; counting them on
            // the way costs next to nothing.
            let (top, counted) = searcher.search(query, &(top_docs, Count))?;
            (top, counted.min(cap))
        };
        let hits = self.hits(&searcher, query, top)?;
        Ok(SearchResults {
            hits,
            total: counted,
            total_is_exact: counted < cap,
            offset,
        })
    }
}

/// How many live documents match `query`, counting no further than `cap`. Scoring is off,
/// so phrases only check that they occur and nothing is ranked.
fn count_up_to(searcher: &Searcher, query: &dyn Query, cap: usize) -> Result<usize, IndexError> {
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let mut counted = 0;
    for segment in searcher.segment_readers() {
        let alive = segment.alive_bitset();
        let mut scorer = weight.scorer(segment, 1.0)?;
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            if alive.is_none_or(|alive| alive.is_alive(doc)) {
                counted += 1;
                if counted >= cap {
                    return Ok(cap);
                }
            }
            doc = scorer.advance();
        }
    }
    Ok(counted)
}
