//! Reading practices back: one by id, all of them, and the lookups every other operation
//! shares (the first document holding a term, every document matching a query, counts).

use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::query::{Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use super::ratings::{rating, Votes};
use super::Index;
use crate::practice::Practice;
use crate::schema::{read_doc, Fields, Record};
use crate::IndexError;

impl Index {
    /// One practice by id, whatever its status. Its `body` is the text the index keeps:
    /// whole while pending, the opening once published (the file keeps the rest).
    pub fn get(&self, id: &str) -> Result<Option<Practice>, IndexError> {
        let searcher = self.reader.searcher();
        let record = find_one(
            &searcher,
            &self.fields,
            Term::from_field_text(self.fields.id, id),
        )?;
        let Some(mut practice) = record.map(|record| record.practice) else {
            return Ok(None);
        };
        practice.rating = rating(&self.ratings.load()?, id);
        Ok(Some(practice))
    }

    /// Every practice (published only unless asked), oldest first.
    pub fn list(&self, include_pending: bool) -> Result<Vec<Practice>, IndexError> {
        let searcher = self.reader.searcher();
        let query: Box<dyn Query> = if include_pending {
            Box::new(tantivy::query::AllQuery)
        } else {
            self.queries.published_only()
        };
        load_oldest_first(&searcher, &self.fields, &*query, &self.ratings.load()?)
    }
}

/// The first live document holding `term`, read back.
pub(super) fn find_one(
    searcher: &Searcher,
    fields: &Fields,
    term: Term,
) -> Result<Option<Record>, IndexError> {
    let query = TermQuery::new(term, IndexRecordOption::Basic);
    let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
    match top.first() {
        Some((_, address)) => {
            let doc: TantivyDocument = searcher.doc(*address)?;
            Ok(Some(read_doc(fields, &doc)?))
        }
        None => Ok(None),
    }
}

/// Every live document matching `query`, read back in index order.
pub(super) fn load_all(
    searcher: &Searcher,
    fields: &Fields,
    query: &dyn Query,
) -> Result<Vec<Record>, IndexError> {
    let addresses = searcher.search(query, &DocSetCollector)?;
    let mut addresses: Vec<DocAddress> = addresses.into_iter().collect();
    addresses.sort();
    addresses
        .into_iter()
        .map(|address| {
            let doc: TantivyDocument = searcher.doc(address)?;
            read_doc(fields, &doc)
        })
        .collect()
}

/// The practices of every live document matching `query`, with their ratings, oldest
/// first (then by id).
pub(super) fn load_oldest_first(
    searcher: &Searcher,
    fields: &Fields,
    query: &dyn Query,
    votes: &Votes,
) -> Result<Vec<Practice>, IndexError> {
    let mut practices: Vec<Practice> = load_all(searcher, fields, query)?
        .into_iter()
        .map(|record| Practice {
            rating: rating(votes, &record.practice.id),
            ..record.practice
        })
        .collect();
    practices.sort_by(|a, b| a.added_at.cmp(&b.added_at).then_with(|| a.id.cmp(&b.id)));
    Ok(practices)
}

/// How many live documents hold `term`.
pub(super) fn count_term(searcher: &Searcher, term: Term) -> Result<usize, IndexError> {
    Ok(searcher.search(&TermQuery::new(term, IndexRecordOption::Basic), &Count)?)
}
