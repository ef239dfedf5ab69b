//! `[http]`: the bot's HTTP endpoints: for operators (`/health`, `/metrics`) and for source
//! systems (`POST /api/v1/measurements`, one `[[http.sources]]` each, with its bearer token).
//! Off unless `listen` is set; meant for a loopback or internal address.

use std::net::SocketAddr;
use std::path::Path;

use serde::Deserialize;

use crate::{ConfigError, Secret};

/// The shortest token accepted: a guessable one would open the plan to anyone.
const MIN_TOKEN_CHARS: usize = 16;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// `address:port` to listen on, e.g. `127.0.0.1:9090`.
    pub listen: Option<String>,
    /// The source systems that may post measurements.
    #[serde(default)]
    pub sources: Vec<RawSource>,
}

/// A `[[http.sources]]` entry as written.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    pub name: String,
    /// The token itself (better kept out of the file: `token_env`).
    pub token: Option<Secret>,
    /// The environment variable that holds the token.
    pub token_env: Option<String>,
}

/// A source system allowed to post measurements: its name (recorded as each measurement's
/// source, `webhook:<name>`) and its bearer token.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpSource {
    pub name: String,
    pub token: Secret,
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

    /// The sources with their tokens, read from the environment where `token_env` says.
    pub(crate) fn sources(
        &self,
        file: &Path,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Vec<HttpSource>, ConfigError> {
        if !self.sources.is_empty() && self.listen.is_none() {
            return Err(ConfigError::invalid(
                file,
                "http.sources",
                "needs http.listen, the address to serve them on",
            ));
        }
        let mut sources: Vec<HttpSource> = Vec::new();
        for (index, source) in self.sources.iter().enumerate() {
            let key = |field: &str| format!("http.sources[{index}].{field}");
            let name = source.name.trim();
            let plain = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
            if name.is_empty() || !name.chars().all(plain) {
                return Err(ConfigError::invalid(
                    file,
                    key("name"),
                    format!("\"{name}\" is not a name of letters, digits, - and _"),
                ));
            }
            if sources.iter().any(|s| s.name == name) {
                return Err(ConfigError::invalid(
                    file,
                    key("name"),
                    format!("\"{name}\" is named twice"),
                ));
            }
            let token = match (&source.token, &source.token_env) {
                (Some(token), None) => token.clone(),
                (None, Some(variable)) => Secret::new(env(variable).ok_or_else(|| {
                    ConfigError::invalid(
                        file,
                        key("token_env"),
                        format!("the environment variable {variable} is not set"),
                    )
                })?),
                _ => {
                    return Err(ConfigError::invalid(
                        file,
                        key("token"),
                        "give the token in token_env (an environment variable, preferred) or token, one of the two",
                    ))
                }
            };
            if token.expose().trim().chars().count() < MIN_TOKEN_CHARS {
                return Err(ConfigError::invalid(
                    file,
                    key("token"),
                    format!("a token needs at least {MIN_TOKEN_CHARS} characters"),
                ));
            }
            sources.push(HttpSource {
                name: name.to_owned(),
                token: Secret::new(token.expose().trim()),
            });
        }
        Ok(sources)
    }
}
