//! `[http]`: the bot's HTTP endpoints for operators (`/health`, `/metrics`). Off unless
//! `listen` is set; meant for a loopback or internal address.

use std::net::SocketAddr;
use std::path::Path;

use serde::Deserialize;

use crate::ConfigError;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// `address:port` to listen on, e.g. `127.0.0.1:9090`.
    pub listen: Option<String>,
}

impl HttpConfig {
    /// The address to listen on, if any, checked.
    pub(crate) fn address(&self, file: &Path) -> Result<Option<SocketAddr>, ConfigError> {
        self.listen
            .as_deref()
            .map(|text| {
                text.trim().parse().map_err(|_| {
                    ConfigError::invalid(
                        file,
                        "http.listen",
                        format!("\"{text}\" is not an address:port like 127.0.0.1:9090"),
                    )
                })
            })
            .transpose()
    }
}
