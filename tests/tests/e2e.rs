//! End-to-end tests: a real Synapse per test, the real `pspm` binary, plain HTTP clients.

mod deletion;
mod digests;
mod draft_consultation;
mod encryption;
mod faults;
mod federation;
mod federation_bed;
mod foundation;
mod integrations;
mod live_cli;
mod monitoring;
mod open_data;
mod operations;
mod participation;
mod plan_export;
mod practices;
mod secret_ballots;
mod sending;
