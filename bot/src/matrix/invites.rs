//! Invites answered off the sync loop: a join goes to the room's servers over federation,
//! and one that is down must not hold up the events of every other room. Each answer is
//! bounded; a room whose answer is still under way is not answered twice.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use matrix_sdk::ruma::api::client::membership::leave_room;
use matrix_sdk::ruma::api::client::sync::sync_events::v3::InvitedRoom;
use matrix_sdk::ruma::OwnedRoomId;
use tokio::task::JoinHandle;
use tracing::{info, warn};

use super::{provision, Matrix};

/// How long a refused join is retried: over federation the inviting server may not have
/// stored the invite yet when the join reaches it ("not invited").
const INVITE_PATIENCE: Duration = Duration::from_secs(10);
/// The most an answer (join or decline, retries included) may take.
const ANSWER_LIMIT: Duration = Duration::from_secs(60);

/// The invites being answered, by room.
#[derive(Default)]
pub struct Invites {
    answering: HashMap<OwnedRoomId, JoinHandle<()>>,
}

impl Invites {
    /// Joins when the inviter's server is allowed, otherwise declines, in a task of its own.
    pub fn answer(
        &mut self,
        matrix: &Matrix,
        allowed_servers: &BTreeSet<String>,
        room_id: &OwnedRoomId,
        invited: &InvitedRoom,
    ) {
        self.answering.retain(|_, task| !task.is_finished());
        if self.answering.contains_key(room_id) {
            return;
        }
        let inviter = inviter(matrix.user_id(), invited);
        let allowed = inviter
            .as_deref()
            .and_then(pspm_config::server_of)
            .is_some_and(|server| allowed_servers.contains(server));
        let (matrix, room) = (matrix.clone(), room_id.clone());
        let task = tokio::spawn(async move {
            let answer = async {
                if allowed {
                    info!(%room, inviter = ?inviter, "accepting invite");
                    provision::join(&matrix, &room, INVITE_PATIENCE).await
                } else {
                    info!(%room, inviter = ?inviter, "declining invite from a server not allowed");
                    let request = leave_room::v3::Request::new(room.clone());
                    matrix
                        .send("decline", |client| client.send(request.clone()))
                        .await
                        .map(|_| ())
                        .map_err(anyhow::Error::from)
                }
            };
            match tokio::time::timeout(ANSWER_LIMIT, answer).await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => {
                    warn!(%room, error = %format!("{error:#}"), "cannot answer the invite")
                }
                Err(_) => warn!(%room, "gave up answering the invite after {ANSWER_LIMIT:?}"),
            }
        });
        self.answering.insert(room_id.clone(), task);
    }
}

/// Who invited `bot_user`, from the invite's stripped state.
fn inviter(bot_user: &str, invited: &InvitedRoom) -> Option<String> {
    invited.invite_state.events.iter().find_map(|raw| {
        let value: serde_json::Value = serde_json::from_str(raw.json().get()).ok()?;
        let is_our_invite = value["type"] == "m.room.member"
            && value["state_key"] == bot_user
            && value["content"]["membership"] == "invite";
        is_our_invite.then(|| value["sender"].as_str().map(str::to_owned))?
    })
}
