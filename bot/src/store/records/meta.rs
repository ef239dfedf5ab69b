//! The stored form of the bot's Matrix login (JSON under `m:session`). The other meta values
//! are raw bytes, written by the sled binding: the sync token and room IDs as UTF-8, the first
//! start and the schema version as big-endian integers (`golden/layout.txt` pins them all).

use serde::{Deserialize, Serialize};

use crate::store::Session;

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub user_id: String,
    pub device_id: String,
    pub access_token: String,
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
