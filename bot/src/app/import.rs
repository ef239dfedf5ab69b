//! Posting imported updates: the import messages go into the outbox in one commit, and the
//! bot applies them when they come back through sync. With the bot running, the command line
//! hands the updates over the admin socket; with the bot stopped, it queues them in the store
//! and the bot sends them when it next starts.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use crate::domain::imports::post::{prepare, Prepared};
use crate::domain::imports::Imported;
use crate::domain::{Settings, State};
use crate::store::{Batch, Outgoing, Store};

/// What an import queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queued {
    /// Updates queued.
    pub new: usize,
    /// Updates left out: applied before.
    pub already: usize,
    /// Import messages they go in.
    pub messages: usize,
}

/// Why nothing was queued.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Updates the plan has no place for, one line each.
    #[error("{}", .0.join("\n"))]
    Refused(Vec<String>),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// Checks `updates` against the plan and queues their import messages in `store`'s outbox
/// (one commit: all of them or none), waking the sender when there is one.
pub fn queue(
    settings: &Settings,
    state: &State,
    store: &dyn Store,
    source: &str,
    updates: Vec<(String, Imported)>,
    wake: Option<&Arc<Notify>>,
) -> Result<Queued, ImportError> {
    let Prepared {
        posts,
        new,
        already,
    } = prepare(settings, state, source, updates).map_err(ImportError::Refused)?;
    let messages = posts.len();
    if messages > 0 {
        let outgoing = posts
            .into_iter()
            .map(|post| (post.key.clone(), Outgoing::Import(post)))
            .collect();
        store.commit(Batch {
            outgoing,
            ..Batch::default()
        })?;
        if let Some(wake) = wake {
            wake.notify_one();
        }
    }
    Ok(Queued {
        new,
        already,
        messages,
    })
}
