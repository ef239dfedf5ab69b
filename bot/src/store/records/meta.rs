//! The stored form of the bot's Matrix login (JSON under `m:session`). The other meta values
//! are raw bytes, written by the sled binding: the sync token and room IDs as UTF-8, the first
//! start and the schema version as big-endian integers (`golden/layout.txt` pins them all).

use serde::{Deserialize, Serialize};

use crate::store::Session;

#[derive(PartialEq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub user_id: String,
    pub device_id: String,
    pub access_token: String,
}

/// Like [`Session`]'s, hides the access token.
impl std::fmt::Debug for SessionRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRecord")
            .field("user_id", &self.user_id)
            .field("device_id", &self.device_id)
            .field("access_token", &"***")
            .finish()
    }
}

impl From<Session> for SessionRecord {
    fn from(session: Session) -> SessionRecord {
        let Session {
            user_id,
            device_id,
            access_token,
        } = session;
        SessionRecord {
            user_id,
            device_id,
            access_token,
        }
    }
}

impl From<SessionRecord> for Session {
    fn from(record: SessionRecord) -> Session {
        let SessionRecord {
            user_id,
            device_id,
            access_token,
        } = record;
        Session {
            user_id,
            device_id,
            access_token,
        }
    }
}
