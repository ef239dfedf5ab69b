//! The index handle: opening, the short-lived writer, ingest, search, related practices and
//! the chat-side operations.
//!
//! Concurrency: readers never block. A writer is opened for one operation and dropped after
//! its commit, because tantivy allows one writer per directory across processes and the bot
//! must not keep `pspm index add` out. When the lock is busy the operation waits with
//! backoff (up to `lock_timeout`). Every read-modify-write re-reads the document after
//! taking the lock, so two processes never overwrite each other's changes.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::directory::error::LockError;
use tantivy::directory::MmapDirectory;
use tantivy::query::{BooleanQuery, BoostQuery, EnableScoring, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::{
    DocAddress, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, TantivyError,
    Term, TERMINATED,
};

use crate::analysis::{self, detect_language};
use crate::ingest::{self, content_hash, infer_type};
use crate::parse::{self, truncate_words};
use crate::phrase_search;
use crate::practice::{
    Hit, Language, Practice, PracticeType, Progress, Rating, Report, SearchOptions, SearchResults,
    Share, Stats, Status,
};
use crate::query::{self, QueryBuilder};
use crate::schema::{self, make_doc, path_key, read_doc, Fields, Record};
use crate::IndexError;

/// Writer memory for one chat operation (tantivy's per-thread minimum is 15 MB; the arena
/// grows only as documents arrive, so this is a ceiling, not a cost).
const SINGLE_OPERATION_BUDGET: usize = 50_000_000;
/// Writer memory for bulk ingest, split across its threads.
const BULK_BUDGET: usize = 96_000_000;
const BULK_THREADS: usize = 2;
/// How long a write waits for another process's writer before giving up.
const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(30);
/// Bytes of body handed to the snippet generator, around the first likely match: it
/// analyses all it is given, and a long PDF would cost milliseconds per hit.
const SNIPPET_WINDOW_BYTES: usize = 600;
/// Characters of body text shown around the matches.
const SNIPPET_CHARS: usize = 200;
/// Most hits a page may hold and the furthest a page may start; keeps `!more` cheap.
const MAX_LIMIT: usize = 100;
const MAX_OFFSET: usize = 10_000;
/// Matches counted exactly; past this a search reports "this many or more". A common word
/// matches a third of a large repository, and nobody pages through a thousand hits in chat.
pub const COUNT_CAP: usize = 1_000;
/// Distinctive terms taken from a proposal for `related`.
const RELATED_TERMS: usize = 12;
/// A related practice must score at least this fraction of what a document holding each of
/// the proposal's distinctive terms once would score. Terms the repository has never seen
/// count in that ideal, so a proposal about something the repository lacks finds nothing.
/// On the AgID corpus relevant proposals score 1.2–1.7 at the top, unrelated ones (a
/// school trip, cycle lanes, waste taxes) at most 0.3.
const RELATED_MIN_SIMILARITY: f32 = 0.5;

/// The good-practice repository. Cheap to share behind an `Arc`; all methods take `&self`.
pub struct Index {
    index: tantivy::Index,
    reader: IndexReader,
    fields: Fields,
    directory: Option<PathBuf>,
    lock_timeout: Duration,
    /// Built once: making the analysers (stop-word sets) is measurable per search.
    queries: QueryBuilder,
}

impl From<TantivyError> for IndexError {
    fn from(error: TantivyError) -> Self {
        IndexError::Engine(error.to_string())
    }
}

impl From<serde_json::Error> for IndexError {
    fn from(error: serde_json::Error) -> Self {
        IndexError::Corrupt(error.to_string())
    }
}

impl Index {
    /// Opens the index in `directory`, creating it (and the directory) when missing.
    pub fn open(directory: impl AsRef<Path>) -> Result<Index, IndexError> {
        let directory = directory.as_ref();
        fs::create_dir_all(directory)?;
        let mmap = MmapDirectory::open(directory).map_err(|error| IndexError::Open {
            path: directory.to_path_buf(),
            reason: error.to_string(),
        })?;
        let (schema, fields) = schema::build();
        let index = match tantivy::Index::open_or_create(mmap, schema) {
            Ok(index) => index,
            Err(TantivyError::SchemaError(_)) => {
                return Err(IndexError::SchemaMismatch(directory.to_path_buf()))
            }
            Err(error) => {
                return Err(IndexError::Open {
                    path: directory.to_path_buf(),
                    reason: error.to_string(),
                })
            }
        };
        Index::with_tantivy(index, fields, Some(directory.to_path_buf()))
    }

    /// An index in memory, for tests and tools.
    pub fn in_ram() -> Result<Index, IndexError> {
        let (schema, fields) = schema::build();
        Index::with_tantivy(tantivy::Index::create_in_ram(schema), fields, None)
    }

    fn with_tantivy(
        index: tantivy::Index,
        fields: Fields,
        directory: Option<PathBuf>,
    ) -> Result<Index, IndexError> {
        analysis::register(index.tokenizers());
        // Commits by other processes show up within about a second without a restart.
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        Ok(Index {
            index,
            reader,
            fields,
            directory,
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
            queries: QueryBuilder::new(fields),
        })
    }

    /// How long writes wait for another writer (default 30 s).
    pub fn with_lock_timeout(mut self, lock_timeout: Duration) -> Index {
        self.lock_timeout = lock_timeout;
        self
    }

    /// Makes the latest commit (from any process) visible now rather than within a second.
    pub fn reload(&self) -> Result<(), IndexError> {
        self.reader.reload()?;
        Ok(())
    }

    fn acquire_writer(&self, threads: usize, budget: usize) -> Result<IndexWriter, IndexError> {
        let deadline = Instant::now() + self.lock_timeout;
        let mut backoff = Duration::from_millis(20);
        let mut told = false;
        loop {
            match self.index.writer_with_num_threads(threads, budget) {
                Ok(writer) => return Ok(writer),
                Err(TantivyError::LockFailure(LockError::LockBusy, _)) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return Err(IndexError::Locked(self.lock_timeout));
                    }
                    if !told {
                        tracing::info!("index busy with another writer; waiting");
                        told = true;
                    }
                    thread::sleep(backoff.min(deadline - now));
                    backoff = (backoff * 2).min(Duration::from_millis(500));
                }
                Err(error) => return Err(error.into()),
            }
        }
    }

    /// Runs `operation` holding the writer, on a searcher that sees every commit made
    /// before the lock was taken. The operation says whether it changed anything; only then
    /// is there a commit.
    fn write<T>(
        &self,
        threads: usize,
        budget: usize,
        operation: impl FnOnce(&mut IndexWriter, &Searcher) -> Result<(T, bool), IndexError>,
    ) -> Result<T, IndexError> {
        let mut writer = self.acquire_writer(threads, budget)?;
        self.reader.reload()?;
        let searcher = self.reader.searcher();
        // On error the writer is dropped uncommitted: nothing of the operation remains.
        let (outcome, changed) = operation(&mut writer, &searcher)?;
        if changed {
            writer.commit()?;
            writer.wait_merging_threads()?;
            self.reader.reload()?;
        }
        Ok(outcome)
    }

    fn single_write<T>(
        &self,
        operation: impl FnOnce(&mut IndexWriter, &Searcher) -> Result<(T, bool), IndexError>,
    ) -> Result<T, IndexError> {
        self.write(1, SINGLE_OPERATION_BUDGET, operation)
    }

    /// Adds files and folders (recursively). Unchanged files are skipped, changed ones
    /// replaced, and files gone from a re-added folder removed. A file that cannot be read
    /// or parsed is reported in `failed` and the rest goes on.
    pub fn add_paths(
        &self,
        paths: &[PathBuf],
        added_by: &str,
        added_at: DateTime<Utc>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Report, IndexError> {
        let walk = ingest::walk(paths);
        let total = walk.candidates.len();
        let fields = self.fields;
        self.write(BULK_THREADS, BULK_BUDGET, |writer, searcher| {
            let mut report = Report {
                failed: walk.failed.clone(),
                ..Report::default()
            };
            let mut seen: HashSet<String> = HashSet::new();
            for (done, candidate) in walk.candidates.iter().enumerate() {
                progress(Progress {
                    done,
                    total,
                    current: candidate.path.clone(),
                });
                let key = path_key(&candidate.path);
                seen.insert(key.clone());
                let bytes = match fs::read(&candidate.path) {
                    Ok(bytes) => bytes,
                    Err(error) => {
                        tracing::warn!(path = %candidate.path.display(), %error, "skipping unreadable file");
                        report.failed.push((candidate.path.clone(), error.to_string()));
                        continue;
                    }
                };
                let hash = content_hash(&bytes);
                let existing = find_one(searcher, &fields, Term::from_field_text(fields.path, &key))?;
                if existing
                    .as_ref()
                    .is_some_and(|record| record.content_hash.as_deref() == Some(hash.as_str()))
                {
                    report.unchanged += 1;
                    continue;
                }
                let practice = match ingest::practice_from_file(candidate, &bytes, added_by, added_at) {
                    Ok(practice) => practice,
                    Err(reason) => {
                        tracing::warn!(path = %candidate.path.display(), %reason, "skipping file");
                        report.failed.push((candidate.path.clone(), reason));
                        continue;
                    }
                };
                let mut record = Record::new(practice, Some(hash));
                writer.delete_term(Term::from_field_text(fields.path, &key));
                writer.delete_term(Term::from_field_text(fields.id, &record.practice.id));
                match existing {
                    Some(old) => {
                        // A new version of the same document keeps its history.
                        if old.practice.id == record.practice.id {
                            record.votes = old.votes;
                            record.practice.rating = Rating::from_votes(&record.votes);
                        }
                        record.practice.added_by = old.practice.added_by;
                        record.practice.added_at = old.practice.added_at;
                        report.replaced += 1;
                    }
                    None => report.added += 1,
                }
                writer.add_document(make_doc(&fields, record)?)?;
            }
            for root in &walk.roots {
                let under_root = TermQuery::new(
                    Term::from_field_text(fields.folder, &path_key(root)),
                    IndexRecordOption::Basic,
                );
                for record in load_all(searcher, &fields, &under_root)? {
                    let Some(path) = &record.practice.path else { continue };
                    let key = path_key(path);
                    if !seen.contains(&key) {
                        writer.delete_term(Term::from_field_text(fields.path, &key));
                        report.removed += 1;
                    }
                }
            }
            progress(Progress {
                done: total,
                total,
                current: PathBuf::new(),
            });
            let changed = report.added + report.replaced + report.removed > 0;
            Ok((report, changed))
        })
    }

    /// Adds already-built practices in bulk (migrations, benchmarks): same documents as
    /// ingest, replacing any practice with the same id. Returns how many were added.
    pub fn import(
        &self,
        practices: impl IntoIterator<Item = Practice>,
    ) -> Result<usize, IndexError> {
        let fields = self.fields;
        self.write(BULK_THREADS, BULK_BUDGET, |writer, searcher| {
            // Into an empty index only ids repeated within this import have anything to
            // replace; skipping the other deletes spares the commit a dictionary lookup per
            // document and segment.
            let empty = searcher.segment_readers().is_empty();
            let mut seen: HashSet<String> = HashSet::new();
            let mut count = 0;
            for practice in practices {
                if !empty || !seen.insert(practice.id.clone()) {
                    writer.delete_term(Term::from_field_text(fields.id, &practice.id));
                }
                let mut record = Record::new(practice, None);
                record.practice.rating = Rating::default();
                writer.add_document(make_doc(&fields, record)?)?;
                count += 1;
            }
            Ok((count, count > 0))
        })
    }

    /// Removes a practice by id, or every practice from a file or under a folder.
    /// Returns how many were removed (0 when nothing matched).
    pub fn remove(&self, id_or_path: &str) -> Result<usize, IndexError> {
        let fields = self.fields;
        let candidate_path = fs::canonicalize(id_or_path)
            .or_else(|_| std::path::absolute(id_or_path))
            .unwrap_or_else(|_| PathBuf::from(id_or_path));
        let path = path_key(&candidate_path);
        self.single_write(|writer, searcher| {
            let by_id = Term::from_field_text(fields.id, id_or_path.trim());
            let count = count_term(searcher, by_id.clone())?;
            if count > 0 {
                writer.delete_term(by_id);
                return Ok((count, true));
            }
            let by_path = Term::from_field_text(fields.path, &path);
            let under_folder = Term::from_field_text(fields.folder, &path);
            let count = count_term(searcher, by_path.clone())?
                + count_term(searcher, under_folder.clone())?;
            writer.delete_term(by_path);
            writer.delete_term(under_folder);
            Ok((count, count > 0))
        })
    }

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

    fn hits(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        top: Vec<(f32, DocAddress)>,
    ) -> Result<Vec<Hit>, IndexError> {
        let mut generators: HashMap<Language, SnippetGenerator> = HashMap::new();
        let mut stems_by_language: HashMap<Language, Vec<String>> = HashMap::new();
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let record = read_doc(&self.fields, &doc)?;
            let practice = record.practice;
            let language = practice.language;
            let generator = match generators.entry(language) {
                std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
                std::collections::hash_map::Entry::Vacant(entry) => {
                    let mut generator =
                        SnippetGenerator::create(searcher, query, self.fields.body(language))?;
                    generator.set_max_num_chars(SNIPPET_CHARS);
                    entry.insert(generator)
                }
            };
            let stems = stems_by_language
                .entry(language)
                .or_insert_with(|| query_stems(query, self.fields.body(language)));
            let snippet = generator.snippet(snippet_window(&practice.body, stems));
            let (snippet_html, snippet_text) = if snippet.highlighted().is_empty() {
                // Title-only or fuzzy matches: the summary says more than a random fragment.
                let text = truncate_words(&practice.summary, SNIPPET_CHARS);
                (escape_html(&text), text)
            } else {
                render_snippet(&snippet)
            };
            hits.push(Hit {
                id: practice.id,
                title: practice.title,
                practice_type: practice.practice_type,
                organisation: practice.organisation,
                year: practice.year,
                status: practice.status,
                score,
                snippet_html,
                snippet_text,
            });
        }
        Ok(hits)
    }

    /// Up to `limit` published practices related to a proposal's text, best first; empty
    /// when none is relevant enough (see [`RELATED_MIN_SIMILARITY`]).
    pub fn related(&self, text: &str, limit: usize) -> Result<Vec<Hit>, IndexError> {
        let limit = limit.min(MAX_LIMIT);
        if limit == 0 {
            return Ok(Vec::new());
        }
        let sample: String = text.chars().take(20_000).collect();
        let language = detect_language(&sample);
        let mut analyzer = match language {
            Language::It => analysis::italian(),
            Language::En => analysis::english(),
        };
        let mut frequencies: BTreeMap<String, u32> = BTreeMap::new();
        for token in analysis::tokens(&mut analyzer, &sample) {
            // Numbers and two-letter fragments are not topics.
            if token.chars().count() >= 3 && !token.chars().all(|c| c.is_ascii_digit()) {
                *frequencies.entry(token).or_default() += 1;
            }
        }
        if frequencies.is_empty() {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let documents = searcher.num_docs().max(1) as f32;
        let body_field = self.fields.body(language);
        let idf = |doc_freq: u64| {
            (1.0 + (documents - doc_freq as f32 + 0.5) / (doc_freq as f32 + 0.5)).ln()
        };
        let mut weighted: Vec<(f32, f32, String, bool)> = Vec::new();
        for (term_text, frequency) in frequencies {
            let doc_freq = searcher.doc_freq(&Term::from_field_text(body_field, &term_text))?;
            let term_idf = idf(doc_freq.max(1));
            weighted.push((
                (frequency as f32).sqrt() * term_idf,
                term_idf,
                term_text,
                doc_freq > 0,
            ));
        }
        weighted.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.2.cmp(&b.2)));
        weighted.truncate(RELATED_TERMS);
        let ideal: f32 = weighted.iter().map(|(_, term_idf, _, _)| term_idf).sum();
        let terms: Vec<(Occur, Box<dyn Query>)> = weighted
            .iter()
            .filter(|(_, _, _, known)| *known)
            .flat_map(|(_, _, term_text, _)| {
                let body: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_field_text(body_field, term_text),
                    IndexRecordOption::WithFreqs,
                ));
                let title: Box<dyn Query> = Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(
                        Term::from_field_text(self.fields.title(language), term_text),
                        IndexRecordOption::WithFreqs,
                    )),
                    0.5,
                ));
                [(Occur::Should, body), (Occur::Should, title)]
            })
            .collect();
        if terms.is_empty() || ideal <= 0.0 {
            return Ok(Vec::new());
        }
        let builder = QueryBuilder::new(self.fields);
        let query = BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(BooleanQuery::new(terms)) as Box<dyn Query>,
            ),
            (Occur::Must, builder.published_only()),
        ]);
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let relevant: Vec<(f32, DocAddress)> = top
            .into_iter()
            .filter(|(score, _)| score / ideal >= RELATED_MIN_SIMILARITY)
            .collect();
        tracing::debug!(ideal, kept = relevant.len(), "related practices");
        self.hits(&searcher, &query, relevant)
    }

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
                return Ok((existing.practice, false));
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
            Ok((practice, true))
        })
    }

    /// Publishes a pending practice; approving a published one changes nothing.
    pub fn approve(&self, id: &str) -> Result<Practice, IndexError> {
        let fields = self.fields;
        self.single_write(|writer, searcher| {
            let term = Term::from_field_text(fields.id, id);
            let mut record = find_one(searcher, &fields, term.clone())?
                .ok_or_else(|| IndexError::NotFound(id.to_string()))?;
            if record.practice.status == Status::Published {
                return Ok((record.practice, false));
            }
            record.practice.status = Status::Published;
            let practice = record.practice.clone();
            writer.delete_term(term);
            writer.add_document(make_doc(&fields, record)?)?;
            Ok((practice, true))
        })
    }

    /// Removes a pending practice. Returns whether there was one; a published practice is
    /// refused (use [`Index::remove`]) so a mistyped id cannot drop the repository's content.
    pub fn decline(&self, id: &str) -> Result<bool, IndexError> {
        let fields = self.fields;
        self.single_write(|writer, searcher| {
            let term = Term::from_field_text(fields.id, id);
            match find_one(searcher, &fields, term.clone())? {
                None => Ok((false, false)),
                Some(record) if record.practice.status == Status::Published => {
                    Err(IndexError::NotPending(id.to_string()))
                }
                Some(_) => {
                    writer.delete_term(term);
                    Ok((true, true))
                }
            }
        })
    }

    /// Records `user`'s rating (1 to 5) of a practice; a user's latest rating replaces
    /// their earlier one. Returns the practice's new rating.
    pub fn rate(&self, id: &str, user: &str, stars: u8) -> Result<Rating, IndexError> {
        if !(1..=5).contains(&stars) {
            return Err(IndexError::InvalidRating(stars));
        }
        let fields = self.fields;
        self.single_write(|writer, searcher| {
            let term = Term::from_field_text(fields.id, id);
            let mut record = find_one(searcher, &fields, term.clone())?
                .ok_or_else(|| IndexError::NotFound(id.to_string()))?;
            if record.votes.get(user) == Some(&stars) {
                return Ok((record.practice.rating, false));
            }
            record.set_vote(user, stars);
            let rating = record.practice.rating;
            writer.delete_term(term);
            writer.add_document(make_doc(&fields, record)?)?;
            Ok((rating, true))
        })
    }

    /// One practice by id, whatever its status.
    pub fn get(&self, id: &str) -> Result<Option<Practice>, IndexError> {
        let searcher = self.reader.searcher();
        let record = find_one(
            &searcher,
            &self.fields,
            Term::from_field_text(self.fields.id, id),
        )?;
        Ok(record.map(|record| record.practice))
    }

    /// Every practice (published only unless asked), oldest first.
    pub fn list(&self, include_pending: bool) -> Result<Vec<Practice>, IndexError> {
        let searcher = self.reader.searcher();
        let query: Box<dyn Query> = if include_pending {
            Box::new(tantivy::query::AllQuery)
        } else {
            QueryBuilder::new(self.fields).published_only()
        };
        let mut practices: Vec<Practice> = load_all(&searcher, &self.fields, &*query)?
            .into_iter()
            .map(|record| record.practice)
            .collect();
        practices.sort_by(|a, b| a.added_at.cmp(&b.added_at).then_with(|| a.id.cmp(&b.id)));
        Ok(practices)
    }

    /// Practices waiting for a moderator, oldest first.
    pub fn pending(&self) -> Result<Vec<Practice>, IndexError> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(
            Term::from_field_text(self.fields.status, Status::Pending.as_str()),
            IndexRecordOption::Basic,
        );
        let mut practices: Vec<Practice> = load_all(&searcher, &self.fields, &query)?
            .into_iter()
            .map(|record| record.practice)
            .collect();
        practices.sort_by(|a, b| a.added_at.cmp(&b.added_at).then_with(|| a.id.cmp(&b.id)));
        Ok(practices)
    }

    /// Document counts by type, status and language, and the index's size.
    pub fn stats(&self) -> Result<Stats, IndexError> {
        let searcher = self.reader.searcher();
        let fields = self.fields;
        let mut stats = Stats {
            documents: searcher.num_docs() as usize,
            ..Stats::default()
        };
        for practice_type in PracticeType::ALL {
            let count = count_term(
                &searcher,
                Term::from_field_text(fields.practice_type, practice_type.as_str()),
            )?;
            if count > 0 {
                stats.by_type.insert(practice_type, count);
            }
        }
        for status in Status::ALL {
            let count = count_term(
                &searcher,
                Term::from_field_text(fields.status, status.as_str()),
            )?;
            if count > 0 {
                stats.by_status.insert(status, count);
            }
        }
        for language in Language::ALL {
            let count = count_term(
                &searcher,
                Term::from_field_text(fields.language, language.as_str()),
            )?;
            if count > 0 {
                stats.by_language.insert(language, count);
            }
        }
        stats.size_bytes = match &self.directory {
            Some(directory) => directory_size(directory)?,
            None => searcher.space_usage()?.total().get_bytes(),
        };
        Ok(stats)
    }
}

/// The first live document holding `term`, read back.
fn find_one(
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

fn load_all(
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

fn count_term(searcher: &Searcher, term: Term) -> Result<usize, IndexError> {
    Ok(searcher.search(&TermQuery::new(term, IndexRecordOption::Basic), &Count)?)
}

fn directory_size(directory: &Path) -> Result<u64, IndexError> {
    let mut size = 0;
    for entry in fs::read_dir(directory)? {
        let metadata = entry?.metadata()?;
        if metadata.is_file() {
            size += metadata.len();
        }
    }
    Ok(size)
}

/// The indexed terms of `field` that `query` looks for.
fn query_stems(query: &dyn Query, field: tantivy::schema::Field) -> Vec<String> {
    let mut stems = Vec::new();
    query.query_terms(&mut |term, _| {
        if term.field() == field {
            if let Some(text) = term.value().as_str() {
                stems.push(text.to_string());
            }
        }
    });
    stems
}

/// The part of `body` worth highlighting: a window starting a little before the earliest
/// occurrence of a stem (stems are mostly prefixes of the words they come from).
fn snippet_window<'a>(body: &'a str, stems: &[String]) -> &'a str {
    if body.len() <= SNIPPET_WINDOW_BYTES {
        return body;
    }
    // ASCII lower-casing keeps byte offsets, so positions map back onto `body`.
    let lowered = body.to_ascii_lowercase();
    let first = stems
        .iter()
        .filter_map(|stem| lowered.find(stem.as_str()))
        .min()
        .unwrap_or(0);
    let start = body.floor_char_boundary(first.saturating_sub(SNIPPET_WINDOW_BYTES / 3));
    let end = body.floor_char_boundary((start + SNIPPET_WINDOW_BYTES).min(body.len()));
    &body[start..end]
}

pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The snippet as HTML (matches in `<b>`, text escaped) and as plain text, whitespace
/// collapsed so multi-line fragments read as one line in chat.
fn render_snippet(snippet: &Snippet) -> (String, String) {
    let fragment = snippet.fragment();
    let mut html = String::new();
    let mut text = String::new();
    let mut position = 0;
    for range in snippet.highlighted() {
        if range.start < position || range.end > fragment.len() {
            continue;
        }
        let before = &fragment[position..range.start];
        html.push_str(&escape_html(&flow(before)));
        text.push_str(&flow(before));
        let matched = &fragment[range.clone()];
        html.push_str("<b>");
        html.push_str(&escape_html(matched));
        html.push_str("</b>");
        text.push_str(matched);
        position = range.end;
    }
    let after = &fragment[position..];
    html.push_str(&escape_html(&flow(after)));
    text.push_str(&flow(after));
    (html.trim().to_string(), text.trim().to_string())
}

/// Whitespace runs (newlines included) become one space, keeping edge spaces so the
/// pieces around a match still join with a space.
fn flow(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortcut for phrase-only queries must return exactly what tantivy returns for
    /// the same query: same documents, order, scores and (capped) count, with pending
    /// practices excluded and with the bound pruning positions (small caps).
    #[test]
    fn phrase_shortcut_matches_tantivy() {
        let corpus = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/data/practices"
        ));
        assert!(
            corpus.is_dir(),
            "test corpus missing at {}",
            corpus.display()
        );
        let index = Index::in_ram().expect("index");
        let at = Utc::now();
        index
            .add_paths(&[corpus.to_path_buf()], "@admin:x", at, &mut |_| {})
            .expect("ingest");
        index
            .share(Share {
                id: "pending".to_string(),
                title: "Riuso del software".to_string(),
                url_or_text: "Il riuso del software nella pubblica amministrazione.".to_string(),
                practice_type: None,
                tags: Vec::new(),
                added_by: "@someone:x".to_string(),
                added_at: at,
            })
            .expect("share");
        let searcher = index.reader.searcher();
        let phrases = [
            "\"riuso del software\"",
            "\"pubblica amministrazione\"",
            "\"codice sorgente\"",
            "\"software open source\"",
            "\"open source\"",
            "\"del software\"",
            "\"guida alle licenze open source\"",
            "\"total cost of ownership\"",
            "\"amministrazione titolare\"",
            "\"software\"",
            "\"developers italia\"",
            "\"parole che non stanno insieme\"",
        ];
        let mut compared = 0;
        for phrase in phrases {
            for include_pending in [false, true] {
                let parsed = query::parse(phrase);
                let built = QueryBuilder::new(index.fields)
                    .build(&searcher, &parsed, include_pending)
                    .expect("a query");
                let shortcut = built.phrase.as_ref().expect("a phrase-only query");
                assert_eq!(shortcut.excluded.is_empty(), include_pending);
                for (wanted, cap) in [(1, 1), (3, 1), (5, 2), (5, 1000), (40, 7), (200, 1000)] {
                    let (expected, exact) = searcher
                        .search(
                            &*built.query,
                            &(TopDocs::with_limit(wanted).order_by_score(), Count),
                        )
                        .expect("tantivy");
                    let (found, counted) = phrase_search::top_hits(
                        &searcher,
                        &shortcut.alternatives,
                        &shortcut.excluded,
                        wanted,
                        cap,
                    )
                    .expect("shortcut");
                    assert_eq!(
                        counted,
                        exact.min(cap),
                        "{phrase} wanted {wanted} cap {cap}"
                    );
                    let addresses = |hits: &[(f32, DocAddress)]| {
                        hits.iter().map(|(_, address)| *address).collect::<Vec<_>>()
                    };
                    assert_eq!(
                        addresses(&found),
                        addresses(&expected),
                        "{phrase} wanted {wanted} cap {cap}"
                    );
                    for ((score, _), (tantivy_score, _)) in found.iter().zip(&expected) {
                        assert!(
                            (score - tantivy_score).abs() <= 1e-5 * tantivy_score.abs(),
                            "{phrase}: {score} against {tantivy_score}"
                        );
                    }
                    compared += found.len();
                }
            }
        }
        assert!(compared > 500, "too few hits compared: {compared}");
    }
}
