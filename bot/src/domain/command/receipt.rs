//! Which commands the bot's reply records. A deleted message comes back from history without
//! its text, yet deleting `!accept A3` or `!iteration close …` does not undo what it decided:
//! so the answer to a command that changed the plan carries the command, and `pspm rebuild`
//! replays it from there. A message whose deletion takes away what it created (a proposal,
//! a comment) gets none: its text is meant to go, and the bot's tombstone speaks for it.

use crate::domain::{Change, CommandOutcome, CommandReceipt, Message, Settings};

/// The receipt for `message`, a command that came to `outcome` with `changes`, if it needs one.
pub fn receipt(
    settings: &Settings,
    message: &Message,
    outcome: CommandOutcome,
    changes: &[Change],
) -> Option<CommandReceipt> {
    let decided = outcome == CommandOutcome::Done && !changes.is_empty();
    // A rebuild replays the plan's rooms only.
    if !decided || !settings.is_plan_room(&message.room_id) {
        return None;
    }
    if changes
        .iter()
        .any(|change| created_by(change, &message.event_id))
    {
        return None;
    }
    Some(CommandReceipt {
        body: message.body.clone(),
        reply_to: message.reply_to.clone(),
    })
}

/// Whether `change` records something that message `event_id` created and its deletion
/// takes away.
fn created_by(change: &Change, event_id: &str) -> bool {
    match change {
        Change::Proposal(proposal) => proposal.source_event == event_id,
        Change::Comment(comment) => comment.event_id == event_id,
        Change::ItemComment(comment) => comment.event_id == event_id,
        _ => false,
    }
}
