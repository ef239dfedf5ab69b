//! Harness for end-to-end tests and benchmarks: a real Synapse in a temporary folder on a free
//! loopback port, plain HTTP Matrix clients (independent of the bot's own adapter), and the
//! real `pspm` binary as a child process that can be killed at will.
//!
//! The tests and benchmarks that use it need the `e2e` feature (`scripts/test` turns it on);
//! without it, `cargo test` only says how to run them.
//!
//! # Layout
//!
//! - `paths`: the repository root and the `pspm` binary built from it.
//! - `homeserver`: a Synapse process and its folder, through `scripts/synapse`.
//! - `synapse`: [`Synapse`], a test's handle on a homeserver, with the admin API.
//! - `client`: [`User`], a Matrix client in plain HTTP.
//! - `percent_encoding`: [`percent_encode`] for the IDs put in a URL.
//! - `bot`: [`Bot`], the `pspm` process, configured from a [`BotSetup`].
//! - `waiting`: [`wait_for`], polling until something happens.
//! - `observer`: [`Observer`], latency seen through `/sync`.
//! - `chromium`: headless Chromium for the HTML report, and a census of a screenshot's pixels.
//! - `axe`: [`axe_audit`], axe-core's accessibility rules run over a page in Chromium.
//! - `rng`: [`Rng`], random interleavings that can be replayed.
//! - `statistics`: [`percentile`].
//! - [`federation`]: four federating homeservers; [`federated_plan`]: a bot on them.
//! - [`local_plan`]: a bot, a moderator and some people on one homeserver, with the export
//!   and the truth of room history; [`traffic`]: mixed traffic from those people.
//! - [`bench`]: what the benchmarks share.
//! - [`encrypted`]: an encrypting client (matrix-sdk), a device per login; [`key_delay`]: a
//!   proxy that holds its room keys back.

// matrix-sdk's sync future is deep: proving it `Send` needs more than the default 128.
#![recursion_limit = "256"]

mod axe;
mod bot;
mod chromium;
mod client;
mod homeserver;
mod observer;
mod paths;
mod percent_encoding;
mod postgres;
mod rng;
mod statistics;
mod synapse;
mod waiting;

#[cfg(feature = "e2e")]
pub mod encrypted;
#[cfg(feature = "e2e")]
pub mod key_delay;

pub mod bench;
pub mod federated_plan;
pub mod federation;
pub mod local_plan;
pub mod traffic;

pub use axe::{axe_audit, axe_script, Violation};
pub use bot::{bot_in_section, Bot, BotSetup};
pub use chromium::{census, chromium, run_chromium, screenshot, Census};
pub use client::User;
pub use homeserver::free_port;
pub use observer::Observer;
pub use paths::{pspm_binary, repo_root};
pub use percent_encoding::percent_encode;
pub use postgres::Postgres;
pub use rng::Rng;
pub use statistics::percentile;
pub use synapse::{RateLimits, Synapse};
pub use waiting::wait_for;

pub type Result<T> = anyhow::Result<T>;
