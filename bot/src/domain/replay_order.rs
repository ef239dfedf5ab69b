//! The order in which merged history replays: a proposal before the votes on it.

use super::Change;

impl Change {
    /// Whether this change replays before the others when a run of history is merged into its
    /// latest changes. A proposal does: a vote's support counts per section, and only the
    /// proposal knows its section, so a proposal's latest record (say, accepted) must not land
    /// after votes it preceded. A proposal's first record always precedes the votes on it, so
    /// this never puts a proposal before history has it.
    pub fn replays_first(&self) -> bool {
        matches!(self, Change::Proposal(_))
    }
}
