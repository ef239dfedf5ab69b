//! Counting and ranking a one-word query from its postings.
//!
//! A word is looked for in the title (boosted) and body of each language: a union of term
//! queries, which tantivy ranks with block-max WAND and PSPM counts apart (up to a cap). For
//! a word in a few thousand documents or fewer, setting up WAND's scorers costs more than
//! reading every posting, so [`WordPostings::top_hits`] merges the postings by document,
//! scores each match with tantivy's own BM25 weights (summed in the order of the terms),
//! counts them and keeps the best; a test checks the result against tantivy's. For a more
//! common word, [`WordPostings::count`] counts without scoring, and tantivy ranks.
//!
//! Either way each term is looked up once per segment, and the document frequencies found
//! are handed to tantivy's BM25 ([`WordPostings::statistics`]) rather than looked up again.

use std::sync::Arc;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::TermInfo;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{Bm25StatisticsProvider, Bm25Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{
    DocAddress, DocId, DocSet, InvertedIndexReader, Score, Searcher, SegmentReader, Term,
    TERMINATED,
};

use crate::top::Top;

/// Documents (counted as tantivy counts them, deleted ones included) up to which the word's
/// postings are read whole rather than ranked by WAND.
pub(crate) const READ_WHOLE_UP_TO: u64 = 2_000;

/// One word's terms (with their boosts) looked up in every segment.
pub(crate) struct WordPostings<'a> {
    searcher: &'a Searcher,
    terms: &'a [(Term, Score)],
    /// Per segment, the terms it holds: their index in `terms`, reader and dictionary entry.
    segments: Vec<Vec<(usize, Arc<InvertedIndexReader>, TermInfo)>>,
    /// Per term, documents holding it across segments.
    frequencies: Vec<u64>,
}

impl<'a> WordPostings<'a> {
    pub fn look_up(searcher: &'a Searcher, terms: &'a [(Term, Score)]) -> tantivy::Result<Self> {
        let mut frequencies = vec![0u64; terms.len()];
        let mut segments = Vec::with_capacity(searcher.segment_readers().len());
        for segment in searcher.segment_readers() {
            let mut held = Vec::with_capacity(terms.len());
            for (at, (term, _)) in terms.iter().enumerate() {
                let inverted = segment.inverted_index(term.field())?;
                if let Some(info) = inverted.get_term_info(term)? {
                    frequencies[at] += u64::from(info.doc_freq);
                    held.push((at, inverted, info));
                }
            }
            segments.push(held);
        }
        Ok(WordPostings {
            searcher,
            terms,
            segments,
            frequencies,
        })
    }

    /// Documents holding any of the terms, at most (deleted ones included).
    pub fn documents_at_most(&self) -> u64 {
        self.frequencies.iter().sum()
    }

    /// BM25's statistics, with the frequencies of the word's terms as already found.
    pub fn statistics(&self) -> Known<'_> {
        Known {
            searcher: self.searcher,
            terms: self.terms,
            frequencies: &self.frequencies,
        }
    }

    /// How many live documents hold any of the terms, counting no further than `cap`: in a
    /// segment without deletions the longest list counts by its length (with a single list,
    /// straight from the dictionary), and only the others' documents are looked at.
    pub fn count(&self, cap: usize) -> tantivy::Result<usize> {
        let mut counted = 0;
        for (segment, held) in self.searcher.segment_readers().iter().zip(&self.segments) {
            let alive = segment.alive_bitset();
            if let ([(_, _, info)], None) = (held.as_slice(), alive) {
                counted += info.doc_freq as usize;
            } else {
                counted += count_segment(segment, held, cap - counted.min(cap))?;
            }
            if counted >= cap {
                return Ok(cap);
            }
        }
        Ok(counted)
    }

    /// The best `wanted` live documents (score descending, then address ascending) and how
    /// many match, counted no further than `cap`, reading every posting.
    pub fn top_hits(
        &self,
        wanted: usize,
        cap: usize,
    ) -> tantivy::Result<(Vec<(Score, DocAddress)>, usize)> {
        let statistics = self.statistics();
        let weights = self
            .terms
            .iter()
            .map(|(term, boost)| {
                Ok(
                    Bm25Weight::for_terms(&statistics, std::slice::from_ref(term))?
                        .boost_by(*boost),
                )
            })
            .collect::<tantivy::Result<Vec<Bm25Weight>>>()?;
        let mut top = Top::new(wanted);
        let mut counted = 0;
        for (ordinal, (segment, held)) in self
            .searcher
            .segment_readers()
            .iter()
            .zip(&self.segments)
            .enumerate()
        {
            // In the order of the terms, so scores add up in the order tantivy's do.
            let mut lists: Vec<(SegmentPostings, FieldNormReader, &Bm25Weight)> = Vec::new();
            for (at, inverted, info) in held {
                let postings =
                    inverted.read_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?;
                let field: Field = self.terms[*at].0.field();
                lists.push((
                    postings,
                    segment.get_fieldnorms_reader(field)?,
                    &weights[*at],
                ));
            }
            let alive = segment.alive_bitset();
            loop {
                let doc = lists
                    .iter()
                    .map(|(postings, _, _)| postings.doc())
                    .min()
                    .unwrap_or(TERMINATED);
                if doc == TERMINATED {
                    break;
                }
                let mut score: Score = 0.0;
                for (postings, fieldnorms, weight) in lists.iter_mut() {
                    if postings.doc() == doc {
                        score += weight.score(fieldnorms.fieldnorm_id(doc), postings.term_freq());
                        postings.advance();
                    }
                }
                if alive.is_none_or(|alive| alive.is_alive(doc)) {
                    counted += 1;
                    top.offer(score, DocAddress::new(ordinal as u32, doc));
                }
            }
        }
        Ok((top.into_sorted(), counted.min(cap)))
    }
}

/// The live documents of one segment holding any of `held`'s terms, counting no further
/// than `cap`.
fn count_segment(
    segment: &SegmentReader,
    held: &[(usize, Arc<InvertedIndexReader>, TermInfo)],
    cap: usize,
) -> tantivy::Result<usize> {
    let mut lists: Vec<SegmentPostings> = Vec::with_capacity(held.len());
    for (_, inverted, info) in held {
        lists.push(inverted.read_postings_from_terminfo(info, IndexRecordOption::Basic)?);
    }
    let Some(longest) = (0..lists.len()).max_by_key(|&at| lists[at].doc_freq()) else {
        return Ok(0);
    };
    let mut longest = lists.swap_remove(longest);
    let alive = segment.alive_bitset();
    let mut counted = match alive {
        None => longest.doc_freq(),
        Some(alive) => longest.doc_freq_given_deletes(alive),
    } as usize;
    if counted >= cap {
        return Ok(cap);
    }
    // The others' live documents, each once, that the longest list does not hold.
    let mut others: Vec<DocId> = Vec::new();
    for mut list in lists {
        let mut doc = list.doc();
        while doc != TERMINATED {
            if alive.is_none_or(|alive| alive.is_alive(doc)) {
                others.push(doc);
            }
            doc = list.advance();
        }
    }
    others.sort_unstable();
    others.dedup();
    for doc in others {
        if longest.doc() < doc {
            longest.seek(doc);
        }
        if longest.doc() != doc {
            counted += 1;
            if counted >= cap {
                return Ok(cap);
            }
        }
    }
    Ok(counted)
}

/// BM25's statistics with the document frequencies of some terms already known.
pub(crate) struct Known<'a> {
    searcher: &'a Searcher,
    terms: &'a [(Term, Score)],
    frequencies: &'a [u64],
}

impl Bm25StatisticsProvider for Known<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        self.searcher.total_num_tokens(field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        self.searcher.total_num_docs()
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        match self.terms.iter().position(|(known, _)| known == term) {
            Some(at) => Ok(self.frequencies[at]),
            None => self.searcher.doc_freq(term),
        }
    }
}
