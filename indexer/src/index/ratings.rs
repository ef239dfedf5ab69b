//! Ratings, kept beside the index in `ratings.json` rather than in the practices'
//! documents: a document cannot be rewritten without its whole text, which a published
//! practice no longer stores (see `schema`).
//!
//! Written only while holding the index's writer lock (so the bot and `pspm index` take
//! turns), by writing a temporary file and renaming it over the old one, so a reader sees
//! the old ratings or the new, never half of them. An index in RAM keeps them in memory.

use std::collections::BTreeMap;
use std::fs;
use std::io::{ErrorKind, Write};
use std::path::PathBuf;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::practice::Rating;
use crate::IndexError;

const FILE_NAME: &str = "ratings.json";
const FORMAT_VERSION: u32 = 1;

/// Each practice's latest rating per user.
pub(crate) type Votes = BTreeMap<String, BTreeMap<String, u8>>;

#[derive(Debug, Default, Serialize, Deserialize)]
struct RatingsFile {
    version: u32,
    votes: Votes,
}

pub(super) enum Ratings {
    OnDisk(PathBuf),
    InMemory(Mutex<Votes>),
}

impl Ratings {
    /// The ratings of the index in `directory`.
    pub fn on_disk(directory: PathBuf) -> Ratings {
        Ratings::OnDisk(directory.join(FILE_NAME))
    }

    pub fn in_memory() -> Ratings {
        Ratings::InMemory(Mutex::new(Votes::new()))
    }

    /// Every practice's votes.
    pub fn load(&self) -> Result<Votes, IndexError> {
        match self {
            Ratings::OnDisk(path) => match fs::read(path) {
                Ok(bytes) => {
                    let file: RatingsFile = serde_json::from_slice(&bytes)?;
                    if file.version != FORMAT_VERSION {
                        return Err(IndexError::Corrupt(format!(
                            "{} has format {}, not {FORMAT_VERSION}",
                            path.display(),
                            file.version
                        )));
                    }
                    Ok(file.votes)
                }
                Err(error) if error.kind() == ErrorKind::NotFound => Ok(Votes::new()),
                Err(error) => Err(error.into()),
            },
            Ratings::InMemory(votes) => Ok(lock(votes).clone()),
        }
    }

    /// Replaces every practice's votes; call only holding the writer lock.
    pub fn save(&self, votes: Votes) -> Result<(), IndexError> {
        match self {
            Ratings::OnDisk(path) => write_atomically(path, votes),
            Ratings::InMemory(current) => {
                *lock(current) = votes;
                Ok(())
            }
        }
    }

    /// Forgets the votes of practices that are gone (removed, declined, replaced under
    /// another id); call only holding the writer lock.
    pub fn forget<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> Result<(), IndexError> {
        let mut votes = self.load()?;
        let before = votes.len();
        for id in ids {
            votes.remove(id);
        }
        if votes.len() == before {
            return Ok(());
        }
        self.save(votes)
    }
}

/// The rating of a practice with these votes.
pub(crate) fn rating(votes: &Votes, id: &str) -> Rating {
    votes
        .get(id)
        .map_or_else(Rating::default, Rating::from_votes)
}

fn lock(votes: &Mutex<Votes>) -> std::sync::MutexGuard<'_, Votes> {
    // A panic while holding the lock cannot leave the map half-written: it is replaced whole.
    votes
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write_atomically(path: &std::path::Path, votes: Votes) -> Result<(), IndexError> {
    let json = serde_json::to_vec_pretty(&RatingsFile {
        version: FORMAT_VERSION,
        votes,
    })?;
    let temporary = path.with_extension("json.tmp");
    let mut file = fs::File::create(&temporary)?;
    file.write_all(&json)?;
    file.sync_all()?;
    fs::rename(&temporary, path)?;
    Ok(())
}
