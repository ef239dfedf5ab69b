//! The top hits of a query that is one quoted phrase, without reading the positions of
//! every document holding its words.
//!
//! tantivy's phrase scorer checks positions for every document holding all the words of a
//! phrase, and ranking visits every match; for a phrase of common words ("pubblica
//! amministrazione") on a large repository that is tens of thousands of documents and tens
//! of milliseconds. Here a phrase cannot occur more often in a document than its least
//! frequent word, and BM25 grows with the frequency, so scoring the document as if every
//! occurrence of that word were part of the phrase gives an upper bound read from the
//! postings alone. Positions are read only while the matches are still being counted (up
//! to the cap) or when that bound could beat the current top hits. The result is exactly
//! what tantivy returns for the same query (same scores, same order, same ties), which a
//! test checks.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{Bm25Weight, PhraseQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentReader, Term, TERMINATED};

use crate::top::Top;

/// One field a phrase is looked for in: its analysed words with their positions in the
/// phrase (stop words leave gaps), and the boost of the field.
#[derive(Debug, Clone)]
pub(crate) struct PhraseAlternative {
    pub terms: Vec<(usize, Term)>,
    pub boost: Score,
}

/// A phrase alternative opened on one segment: its words' postings, intersected by hand.
struct Cursor {
    /// Postings with the shift that lines their positions up, rarest word first.
    postings: Vec<(SegmentPostings, u32)>,
    fieldnorms: FieldNormReader,
    weight: Bm25Weight,
    doc: DocId,
}

impl Cursor {
    fn open(
        segment: &SegmentReader,
        alternative: &PhraseAlternative,
        weight: &Bm25Weight,
    ) -> tantivy::Result<Option<Cursor>> {
        let field = alternative.terms[0].1.field();
        let inverted = segment.inverted_index(field)?;
        let max_offset = alternative
            .terms
            .iter()
            .map(|(offset, _)| *offset)
            .max()
            .unwrap_or(0);
        let option = if alternative.terms.len() > 1 {
            IndexRecordOption::WithFreqsAndPositions
        } else {
            IndexRecordOption::WithFreqs
        };
        let mut postings = Vec::with_capacity(alternative.terms.len());
        for (offset, term) in &alternative.terms {
            let Some(list) = inverted.read_postings(term, option)? else {
                return Ok(None);
            };
            postings.push((list, (max_offset - offset) as u32));
        }
        postings.sort_by_key(|(list, _)| list.doc_freq());
        let mut cursor = Cursor {
            postings,
            fieldnorms: segment.get_fieldnorms_reader(field)?,
            weight: weight.clone(),
            doc: 0,
        };
        cursor.doc = cursor.align();
        Ok(Some(cursor))
    }

    /// Moves every list to the first document at or after the furthest one that they all
    /// hold.
    fn align(&mut self) -> DocId {
        let mut target = self
            .postings
            .iter()
            .map(|(list, _)| list.doc())
            .max()
            .unwrap_or(TERMINATED);
        'again: loop {
            if target == TERMINATED {
                return TERMINATED;
            }
            for (list, _) in &mut self.postings {
                let doc = if list.doc() < target {
                    list.seek(target)
                } else {
                    list.doc()
                };
                if doc > target {
                    target = doc;
                    continue 'again;
                }
            }
            return target;
        }
    }

    fn advance(&mut self) {
        self.postings[0].0.advance();
        self.doc = self.align();
    }

    /// The score if every occurrence of the least frequent word were the phrase.
    fn bound(&self) -> Score {
        let most = self
            .postings
            .iter()
            .map(|(list, _)| list.term_freq())
            .min()
            .unwrap_or(0);
        self.weight
            .score(self.fieldnorms.fieldnorm_id(self.doc), most)
    }

    /// The real score (0 when the words are all there but not as the phrase), as tantivy's
    /// phrase scorer computes it.
    fn score(&mut self, left: &mut Vec<u32>, right: &mut Vec<u32>) -> Score {
        let count = if self.postings.len() == 1 {
            self.postings[0].0.term_freq()
        } else {
            let (first, rest) = self.postings.split_first_mut().expect("two or more words");
            first.0.positions_with_offset(first.1, left);
            for (list, shift) in rest {
                if left.is_empty() {
                    break;
                }
                list.positions_with_offset(*shift, right);
                let mut kept = 0;
                let mut other = 0;
                for index in 0..left.len() {
                    let position = left[index];
                    while other < right.len() && right[other] < position {
                        other += 1;
                    }
                    if other < right.len() && right[other] == position {
                        left[kept] = position;
                        kept += 1;
                    }
                }
                left.truncate(kept);
            }
            left.len() as u32
        };
        if count == 0 {
            0.0
        } else {
            self.weight
                .score(self.fieldnorms.fieldnorm_id(self.doc), count)
        }
    }
}

/// The best `wanted` documents (score descending, then address ascending) holding the
/// phrase in any alternative and none of the `excluded` terms, and how many match, counted
/// no further than `cap`.
pub(crate) fn top_hits(
    searcher: &Searcher,
    alternatives: &[PhraseAlternative],
    excluded: &[Term],
    wanted: usize,
    cap: usize,
) -> tantivy::Result<(Vec<(Score, DocAddress)>, usize)> {
    // The same weights tantivy gives the phrase (or single-word) queries, boost included.
    let weights = alternatives
        .iter()
        .map(|alternative| {
            let terms = if alternative.terms.len() > 1 {
                PhraseQuery::new_with_offset(alternative.terms.clone()).phrase_terms()
            } else {
                vec![alternative.terms[0].1.clone()]
            };
            Ok(Bm25Weight::for_terms(searcher, &terms)?.boost_by(alternative.boost))
        })
        .collect::<tantivy::Result<Vec<Bm25Weight>>>()?;
    let mut top = Top::new(wanted);
    let mut counted = 0;
    let (mut left, mut right) = (Vec::new(), Vec::new());
    for (ordinal, segment) in searcher.segment_readers().iter().enumerate() {
        // Cursors stay in the alternatives' order, so scores add up in tantivy's order.
        let mut cursors = Vec::with_capacity(alternatives.len());
        for (alternative, weight) in alternatives.iter().zip(&weights) {
            if let Some(cursor) = Cursor::open(segment, alternative, weight)? {
                cursors.push(cursor);
            }
        }
        let mut exclusions = Vec::with_capacity(excluded.len());
        for term in excluded {
            if let Some(list) = segment
                .inverted_index(term.field())?
                .read_postings(term, IndexRecordOption::Basic)?
            {
                exclusions.push(list);
            }
        }
        let alive = segment.alive_bitset();
        loop {
            let doc = cursors
                .iter()
                .map(|cursor| cursor.doc)
                .min()
                .unwrap_or(TERMINATED);
            if doc == TERMINATED {
                break;
            }
            let wanted_doc = alive.is_none_or(|alive| alive.is_alive(doc))
                && !exclusions.iter_mut().any(|list| {
                    let at = if list.doc() < doc {
                        list.seek(doc)
                    } else {
                        list.doc()
                    };
                    at == doc
                });
            if wanted_doc {
                let address = DocAddress::new(ordinal as u32, doc);
                let must_count = counted < cap;
                if must_count || top.would_take(bound(&cursors, doc)) {
                    let mut score = 0.0;
                    let mut found = false;
                    for cursor in cursors.iter_mut().filter(|cursor| cursor.doc == doc) {
                        let part = cursor.score(&mut left, &mut right);
                        if part > 0.0 {
                            score += part;
                            found = true;
                        }
                    }
                    if found {
                        if must_count {
                            counted += 1;
                        }
                        top.offer(score, address);
                    }
                }
            }
            for cursor in cursors.iter_mut().filter(|cursor| cursor.doc == doc) {
                cursor.advance();
            }
        }
    }
    Ok((top.into_sorted(), counted))
}

/// The most `doc` could score: the sum of its alternatives' bounds.
fn bound(cursors: &[Cursor], doc: DocId) -> Score {
    cursors
        .iter()
        .filter(|cursor| cursor.doc == doc)
        .fold(0.0, |bound, cursor| bound + cursor.bound())
}
