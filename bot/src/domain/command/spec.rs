//! A command's static description: name, who may use it, and its help texts.

use crate::domain::i18n::Msg;
use crate::domain::Role;

/// Static description of a command: name, who may use it, and its help texts (catalogue keys).
#[derive(Debug)]
pub struct Spec {
    pub name: &'static str,
    pub moderator_only: bool,
    /// Where the command is at home: a DM with the bot takes only `Anywhere` commands.
    pub home: Home,
    pub usage: Msg,
    pub summary: Msg,
    pub help: Msg,
}

/// Where a command belongs. The plan's rooms are the record (a rebuild replays them), so a
/// command that changes the plan is answered in a DM with the room it belongs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Home {
    /// Reads, or changes only the sender's own settings: any room, a DM too.
    Anywhere,
    /// A section room (proposals, votes, polls).
    Section,
    /// One of the plan's rooms: the Space or a section room.
    Plan,
}

impl Spec {
    pub fn available_to(&self, role: Role) -> bool {
        !self.moderator_only || role == Role::Moderator
    }
}

impl PartialEq for Spec {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
impl Eq for Spec {}
