//! Search: a page of hits for the lenient query language (see [`crate::query`]) and how
//! many practices matched, counted up to a cap. Exact (stemmed) matches first; only when
//! they are fewer than a page do near matches follow them (see `crate::query::near`).

use std::collections::HashSet;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{EnableScoring, Query};
use tantivy::{DocAddress, Searcher, TERMINATED};

use super::snippets::{word_for, ReadHit};
use super::Index;
use crate::phrase_search;
use crate::practice::{Correction, NearMatches, SearchOptions, SearchResults};
use crate::query::{self, BuiltQuery, NearQuery, QueryBuilder};
use crate::word_search::{self, WordPostings};
use crate::IndexError;

/// Most hits a page may hold and the furthest a page may start; keeps `!more` cheap.
pub(super) const MAX_LIMIT: usize = 100;
const MAX_OFFSET: usize = 10_000;
/// Matches counted exactly; past this a search reports "this many or more". A common word
/// matches a third of a large repository, and nobody pages through a thousand hits in chat.
pub const COUNT_CAP: usize = 1_000;

type Top = Vec<(f32, DocAddress)>;

impl Index {
    /// Searches published practices (and pending ones when asked) with the lenient syntax
    /// described in [`crate::query`]. Malformed queries never fail: at worst they find
    /// nothing.
    ///
    /// The total is exact below [`COUNT_CAP`] (or beyond the requested page, when that ends
    /// further); past it counting stops, `total` is the cap and `total_is_exact` is false.
    /// Either way `offset + hits.len() < total` says whether a next page exists.
    ///
    /// When the exact query finds fewer than `limit` practices, near matches (words a typo
    /// or two away from the query's) follow the exact ones, `SearchResults::near` says how
    /// many were exact and what the words were taken for, and near hits are marked.
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
        let empty = SearchResults {
            hits: Vec::new(),
            total: 0,
            total_is_exact: true,
            offset,
            near: None,
        };
        let facts = self.facts(&searcher);
        let Some(exact) = builder.build(&facts, &parsed, options.include_pending) else {
            return Ok(empty);
        };
        // Counting one past the page keeps the next-page test true on deep pages.
        let cap = COUNT_CAP.max(offset + limit + 1);
        if limit == 0 {
            let counted = count_up_to(&searcher, &*exact.query, cap)?;
            return Ok(SearchResults {
                total: counted,
                total_is_exact: counted < cap,
                ..empty
            });
        }
        let (top, counted) = exact_page(&searcher, &exact, offset, limit, cap)?;
        if counted < limit && !parsed.words.is_empty() {
            if let Some(near) =
                builder.build_near(&searcher, &facts, &parsed, options.include_pending, limit)
            {
                let page = Page { offset, limit, cap };
                if let Some(results) =
                    self.near_page(&searcher, &mut builder, &exact, counted, &near, page)?
                {
                    return Ok(results);
                }
            }
        }
        let hits = self.hits(&searcher, &top, &mut builder, &exact.stems, false)?;
        Ok(SearchResults {
            hits: hits.into_iter().map(|read| read.hit).collect(),
            total: counted,
            total_is_exact: counted < cap,
            offset,
            near: None,
        })
    }

    /// The page when near matches follow the `exact_count` exact ones (fewer than a page,
    /// so all of them are at hand); `None` when the near query adds nothing.
    fn near_page(
        &self,
        searcher: &Searcher,
        builder: &mut QueryBuilder,
        exact: &BuiltQuery,
        exact_count: usize,
        near: &NearQuery,
        page: Page,
    ) -> Result<Option<SearchResults>, IndexError> {
        // The near query matches what the exact one does, and more.
        let total = count_up_to(searcher, &*near.query, page.cap)?;
        if total <= exact_count {
            return Ok(None);
        }
        let exact_top: Top = if exact_count == 0 {
            Vec::new()
        } else {
            searcher.search(
                &*exact.query,
                &TopDocs::with_limit(exact_count).order_by_score(),
            )?
        };
        let shown: HashSet<DocAddress> = exact_top.iter().map(|(_, address)| *address).collect();
        let near_top: Top = searcher
            .search(
                &*near.query,
                &TopDocs::with_limit(page.offset + page.limit + exact_count).order_by_score(),
            )?
            .into_iter()
            .filter(|(_, address)| !shown.contains(address))
            .collect();
        // Exact hits first, then near ones; the page is a slice of that order.
        let exact_part: Top = exact_top
            .into_iter()
            .skip(page.offset)
            .take(page.limit)
            .collect();
        let near_part: Top = near_top
            .into_iter()
            .skip(page.offset.saturating_sub(exact_count))
            .take(page.limit - exact_part.len())
            .collect();
        let mut hits = self.hits(searcher, &exact_part, builder, &exact.stems, false)?;
        let near_hits = self.hits(searcher, &near_part, builder, &near.stems, true)?;
        let corrections = self.corrections(builder, near, &near_hits);
        hits.extend(near_hits);
        Ok(Some(SearchResults {
            hits: hits.into_iter().map(|read| read.hit).collect(),
            total,
            total_is_exact: total < page.cap,
            offset: page.offset,
            near: Some(NearMatches {
                exact: exact_count,
                corrections,
            }),
        }))
    }

    /// Each word no practice holds, with the word it was taken for as the page's near hits
    /// write it (the index holds stems, not words), else as the stem.
    fn corrections(
        &self,
        builder: &mut QueryBuilder,
        near: &NearQuery,
        hits: &[ReadHit],
    ) -> Vec<Correction> {
        near.corrections
            .iter()
            .map(|correction| {
                let analyzer = builder.analyzer(correction.language);
                let written = hits
                    .iter()
                    .filter(|read| read.language == correction.language)
                    .find_map(|read| {
                        word_for(&read.hit.title, &correction.stem, analyzer)
                            .or_else(|| word_for(&read.text, &correction.stem, analyzer))
                    });
                Correction {
                    typed: correction.typed.clone(),
                    corrected: written.unwrap_or_else(|| correction.stem.clone()),
                }
            })
            .collect()
    }
}

/// Where the caller's page is, and where counting stops.
#[derive(Clone, Copy)]
struct Page {
    offset: usize,
    limit: usize,
    cap: usize,
}

/// The exact query's page and how many it matches (up to `cap`).
fn exact_page(
    searcher: &Searcher,
    built: &BuiltQuery,
    offset: usize,
    limit: usize,
    cap: usize,
) -> Result<(Top, usize), IndexError> {
    let query = &*built.query;
    let top_docs = TopDocs::with_limit(limit)
        .and_offset(offset)
        .order_by_score();
    if let Some(phrase) = &built.phrase {
        // One phrase: positions are read only where they can change the page or the
        // count (see `phrase_search`).
        let (mut top, counted) = phrase_search::top_hits(
            searcher,
            &phrase.alternatives,
            &phrase.excluded,
            offset + limit,
            cap,
        )?;
        return Ok((top.split_off(offset.min(top.len())), counted));
    }
    if built.prunable {
        // Block-max WAND skips most matches, so an exact count would cost more than the
        // hits: count apart, stopping at the cap.
        if let Some(terms) = &built.word_terms {
            let word = WordPostings::look_up(searcher, terms)?;
            if word.documents_at_most() <= word_search::READ_WHOLE_UP_TO {
                let (mut top, counted) = word.top_hits(offset + limit, cap)?;
                return Ok((top.split_off(offset.min(top.len())), counted));
            }
            let counted = word.count(cap)?;
            let top =
                searcher.search_with_statistics_provider(query, &top_docs, &word.statistics())?;
            return Ok((top, counted));
        }
        let counted = count_up_to(searcher, query, cap)?;
        return Ok((searcher.search(query, &top_docs)?, counted));
    }
    // Every match is visited and scored for the top hits anyway; counting them on the way
    // costs next to nothing.
    let (top, counted) = searcher.search(query, &(top_docs, Count))?;
    Ok((top, counted.min(cap)))
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
