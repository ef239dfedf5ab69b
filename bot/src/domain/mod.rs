//! The pure domain: what the bot knows and decides, with no I/O.
//!
//! The Matrix adapter turns room events into [`Input`]s; [`Engine::apply`] returns
//! [`Effects`]: replies to send and [`Change`]s to persist. Time is passed in. Nothing here
//! imports matrix-sdk, ruma, sled or tantivy.

//!
//! # Layout
//! - [`settings`], [`input`], [`effects`], [`change`], [`state`]: the engine's data: what it
//!   is told, what it decides, what it keeps;
//! - [`engine`]: the one entry point, dispatching each input to the handler that owns it;
//! - [`authority`]: roles and the entry gate; [`budget`]: each person's command budget;
//! - [`participation`], [`votes`], [`ballot_order`], [`cards`], [`polls`], [`turnout`], [`moderation`]:
//!   proposals, ballots, the bot's proposal cards, prioritisation polls, participation per
//!   organisation, what moderating a proposal means; [`secret_ballot`]: secret ballots cast
//!   in DMs, with receipts; [`redactions`]: what a deleted message
//!   takes away; [`consultation`], [`draft_post`]: the draft's paragraphs, objectives and
//!   actions posted once as consultable items, with their ballots and comments;
//! - [`monitoring`], [`tracking`], [`reminders`]: the approved plan followed; [`digest`]:
//!   personal digests in each subscriber's DM with the bot;
//! - [`practice_repository`]: the port to the good-practice repository;
//! - [`command`]: chat commands, one file each; [`export`], [`i18n`]: what users read;
//!   [`open_data`]: the export's DCAT-AP_IT metadata.

pub mod amendments;
pub mod authority;
pub mod ballot_order;
pub mod budget;
pub mod cards;
pub mod change;
pub mod charts;
pub mod command;
pub mod consolidated;
pub mod consultation;
pub mod digest;
pub mod draft_post;
pub mod effects;
pub mod encryption;
pub mod engine;
pub mod export;
pub mod i18n;
pub mod imports;
pub mod input;
pub mod iterations;
pub mod moderation;
pub mod monitoring;
pub mod open_data;
pub mod participation;
pub mod poll_close;
pub mod polls;
pub mod practice_repository;
pub mod redactions;
pub mod reminders;
mod replay_order;
pub mod secret_ballot;
pub mod settings;
pub mod state;
pub mod tracking;
pub mod turnout;
pub mod votes;

pub use authority::{Role, MODERATOR_POWER};
pub use change::Change;
pub use effects::{
    CardEdit, CardRedaction, CommandOutcome, CommandReceipt, CommandRun, Effects, FilePost, Notice,
    PollEndPost, PollPost, Reaction, Reply, Tombstone,
};
pub use engine::Engine;
pub use i18n::{Catalogue, Language, Msg, Rendered};
pub use input::{
    Edited, Input, Message, Passed, PollAnswered, PowerLevels, Quoted, Reacted, Recreated,
    RoomOrder,
};
pub use participation::{Ballot, Comment, Participation, Phase, Proposal, ProposalState, Stance};
pub use settings::{SectionSettings, Settings};
pub use state::State;

#[cfg(test)]
mod amendment_tests;
#[cfg(test)]
mod authority_tests;
#[cfg(test)]
mod chat_tests;
#[cfg(test)]
mod dated_tests;
#[cfg(test)]
mod digest_tests;
#[cfg(test)]
mod direct_tests;
#[cfg(test)]
mod draft_consultation_tests;
#[cfg(test)]
mod draft_fuzz_tests;
#[cfg(test)]
mod encryption_tests;
#[cfg(test)]
mod export_tests;
#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod iteration_tests;
#[cfg(test)]
mod monitoring_tests;
#[cfg(test)]
mod ordering_tests;
#[cfg(test)]
mod participation_tests;
#[cfg(test)]
mod plan_command_tests;
#[cfg(test)]
mod plan_shapes_tests;
#[cfg(test)]
mod poll_deadline_tests;
#[cfg(test)]
mod practices_tests;
#[cfg(test)]
mod receipt_tests;
#[cfg(test)]
mod redaction_tests;
#[cfg(test)]
mod secret_ballot_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod text_tests;
