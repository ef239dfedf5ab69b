//! The moderation workflow from chat: a practice is shared (pending), approved or
//! declined by a moderator, and rated by anyone; moderators list what is pending.

use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

use super::load::{count_term, find_one, load_oldest_first};
use super::ratings::rating;
use super::writer::Written;
use super::Index;
use crate::analysis::detect_language;
use crate::ingest::infer_type;
use crate::parse;
use crate::practice::{Practice, Rating, Share, Status};
use crate::schema::{make_doc, Record};
use crate::IndexError;

impl Index {
    /// Stores a practice shared from chat as pending. Sharing the same id again returns the
    /// stored practice unchanged.
    pub fn share(&self, share: Share) -> Result<Practice, IndexError> {
        let id = share.id.trim().to_string();
        let title = parse::collapse_whitespace(&share.title);
        if id.is_empty() {
            return Err(IndexError::Invalid("the id is empty".to_string()));
        }
        if title.is_empty() {
            return Err(IndexError::Invalid("the title is empty".to_string()));
        }
        let fields = self.fields;
        self.single_write(|writer, searcher| {
            if let Some(existing) =
                find_one(searcher, &fields, Term::from_field_text(fields.id, &id))?
            {
                let mut practice = existing.practice;
                practice.rating = rating(&self.ratings.load()?, &practice.id);
                return Ok(Written::unchanged(practice));
            }
            let content = share.url_or_text.trim();
            let is_url = content.starts_with("http://") || content.starts_with("https://");
            let body = content.to_string();
            let summary = if is_url {
                String::new()
            } else {
                parse::summarise(&body)
            };
            let practice = Practice {
                id: id.clone(),
                practice_type: share
                    .practice_type
                    .unwrap_or_else(|| infer_type(&title, None, &body)),
                language: detect_language(&format!("{title}\n{body}")),
                summary,
                title,
                body,
                organisation: None,
                year: None,
                tags: share
                    .tags
                    .iter()
                    .map(|tag| tag.trim().to_string())
                    .filter(|tag| !tag.is_empty())
                    .collect(),
                licence: None,
                source: if is_url {
                    content.to_string()
                } else {
                    "chat".to_string()
                },
                added_by: share.added_by.clone(),
                added_at: share.added_at,
                status: Status::Pending,
                rating: Rating::default(),
                path: None,
            };
            writer.add_document(make_doc(&fields, Record::new(practice.clone(), None))?)?;
            Ok(Written::changed(practice))
        })
    }

    /// Publishes a pending practice; approving a published one changes nothing. A pending
    /// practice stores its whole text, so publishing indexes all of it again.
    pub fn approve(&self, id: &str) -> Result<Practice, IndexError> {
        let fields = self.fields;
        self.single_write(|writer, searcher| {
            let term = Term::from_field_text(fields.id, id);
            let mut record = find_one(searcher, &fields, term.clone())?
                .ok_or_else(|| IndexError::NotFound(id.to_string()))?;
            record.practice.rating = rating(&self.ratings.load()?, id);
            if record.practice.status == Status::Published {
                return Ok(Written::unchanged(record.practice));
            }
            record.practice.status = Status::Published;
            let practice = record.practice.clone();
            writer.delete_term(term);
            writer.add_document(make_doc(&fields, record)?)?;
            Ok(Written::changed(practice))
        })
    }

    /// Removes a pending practice. Returns whether there was one; a published practice is
    /// refused (use [`Index::remove`]) so a mistyped id cannot drop the repository's content.
    pub fn decline(&self, id: &str) -> Result<bool, IndexError> {
        let fields = self.fields;
        self.single_write(|writer, searcher| {
            let term = Term::from_field_text(fields.id, id);
            match find_one(searcher, &fields, term.clone())? {
                None => Ok(Written::unchanged(false)),
                Some(record) if record.practice.status == Status::Published => {
                    Err(IndexError::NotPending(id.to_string()))
                }
                Some(_) => {
                    writer.delete_term(term);
                    Ok(Written {
                        outcome: true,
                        changed: true,
                        gone: vec![id.to_string()],
                    })
                }
            }
        })
    }

    /// Records `user`'s rating (1 to 5) of a practice; a user's latest rating replaces
    /// their earlier one. Returns the practice's new rating. Ratings are kept beside the
    /// documents (see `ratings`): rating rewrites none.
    pub fn rate(&self, id: &str, user: &str, stars: u8) -> Result<Rating, IndexError> {
        if !(1..=5).contains(&stars) {
            return Err(IndexError::InvalidRating(stars));
        }
        let fields = self.fields;
        self.single_write(|_writer, searcher| {
            if count_term(searcher, Term::from_field_text(fields.id, id))? == 0 {
                return Err(IndexError::NotFound(id.to_string()));
            }
            let mut votes = self.ratings.load()?;
            let by_user = votes.entry(id.to_string()).or_default();
            if by_user.get(user) == Some(&stars) {
                return Ok(Written::unchanged(rating(&votes, id)));
            }
            by_user.insert(user.to_string(), stars);
            let new_rating = rating(&votes, id);
            self.ratings.save(votes)?;
            Ok(Written::unchanged(new_rating))
        })
    }

    /// Practices waiting for a moderator, oldest first.
    pub fn pending(&self) -> Result<Vec<Practice>, IndexError> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(
            Term::from_field_text(self.fields.status, Status::Pending.as_str()),
            IndexRecordOption::Basic,
        );
        load_oldest_first(&searcher, &self.fields, &query, &self.ratings.load()?)
    }
}
