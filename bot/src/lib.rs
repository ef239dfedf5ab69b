//! PSPM, the Participatory Strategic Planning Module: a Matrix bot.
//!
//! # Layout
//! - [`domain`] — pure: plan, commands, i18n, the [`domain::Engine`] that turns inputs into
//!   replies and state changes. No Matrix, sled or tantivy imports; time is passed in.
//! - [`store`] — the [`store::Store`] trait (one atomic, durable commit per sync batch) and
//!   its sled implementation, the only code that imports sled.
//! - [`matrix`] — the adapter: login and session reuse, plan provisioning (Space and section
//!   rooms), the sync loop, event conversion, the outbox sender with retry. The only code that
//!   imports matrix-sdk / ruma.
//! - [`practice_index`] — the good-practice index (`pspm-indexer`) as the domain's repository port.
//! - [`render`] — pure renderers for monitoring: PNG charts and the HTML report.
//! - [`telemetry`] — the operator's metrics and health facts (`/metrics`, `/health`).
//! - [`import`] — `pspm import`: spreadsheets (.xlsx, .ods, CSV) read into the plan file;
//!   reads its input and writes its output, nothing else.
//! - [`app`] — wires config, store, index, engine and adapter together for `pspm run` and the
//!   offline subcommands.

pub mod app;
pub mod domain;
pub mod import;
pub mod matrix;
pub mod practice_index;
pub mod render;
pub mod store;
pub mod telemetry;
