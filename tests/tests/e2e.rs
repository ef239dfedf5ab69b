//! End-to-end tests: a real Synapse per test, the real `pspm` binary, plain HTTP clients.

mod foundation;
mod participation;
mod practices;
