//! `[publish]`: what `pspm publish` says of the open-data package in its DCAT-AP_IT metadata:
//! where the files are served, who publishes them, under which licence. Optional as a whole;
//! `pspm publish` asks for what it needs ([`PublishConfig::require`]).

use std::path::Path;

use serde::Deserialize;

use crate::ConfigError;

/// CC BY 4.0 in the Italian licence vocabulary (the default licence of Italian open data).
pub const CC_BY_4: &str = "https://w3id.org/italia/controlled-vocabulary/licences/A21_CCBY40";

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishConfig {
    /// Where the published folder is served: each file's URL is this plus its name.
    pub base_url: Option<String>,
    /// The Public Body that publishes the data and holds its rights.
    pub publisher: Option<String>,
    /// Its code in the IPA register (the index of Italian public administrations), by which
    /// DCAT-AP_IT identifies it.
    pub publisher_id: Option<String>,
    /// The licence's URI.
    #[serde(default = "default_licence")]
    pub licence: String,
    #[serde(default = "default_licence_name")]
    pub licence_name: String,
    /// How often the data changes: a code of the EU frequency vocabulary (`IRREG`, `DAILY`,
    /// `WEEKLY`, `MONTHLY`, `UPDATE_CONT`, …).
    #[serde(default = "default_frequency")]
    pub frequency: String,
    /// A mailbox for questions about the data (the datasets' contact point).
    pub contact_email: Option<String>,
    /// The catalogue's home page.
    pub homepage: Option<String>,
}

/// What publishing needs, all present.
#[derive(Debug, Clone, PartialEq)]
pub struct Publishing<'a> {
    /// Ends with `/`.
    pub base_url: String,
    pub publisher: &'a str,
    pub publisher_id: &'a str,
    pub config: &'a PublishConfig,
}

fn default_licence() -> String {
    CC_BY_4.to_owned()
}

fn default_licence_name() -> String {
    "Creative Commons Attribuzione 4.0 Internazionale (CC BY 4.0)".to_owned()
}

fn default_frequency() -> String {
    "IRREG".to_owned()
}

impl Default for PublishConfig {
    fn default() -> Self {
        PublishConfig {
            base_url: None,
            publisher: None,
            publisher_id: None,
            licence: default_licence(),
            licence_name: default_licence_name(),
            frequency: default_frequency(),
            contact_email: None,
            homepage: None,
        }
    }
}

fn is_web_url(text: &str) -> bool {
    text.strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .is_some_and(|rest| !rest.is_empty() && !rest.contains(char::is_whitespace))
}

impl PublishConfig {
    /// Checks what is given (at load time, so a bad value stops every subcommand).
    pub(crate) fn validate(&self, file: &Path) -> Result<(), ConfigError> {
        let invalid = |key: &str, reason: String| ConfigError::invalid(file, key, reason);
        for (key, value) in [
            ("publish.base_url", self.base_url.as_deref()),
            ("publish.homepage", self.homepage.as_deref()),
            ("publish.licence", Some(self.licence.as_str())),
        ] {
            if let Some(url) = value.filter(|url| !is_web_url(url)) {
                return Err(invalid(key, format!("\"{url}\" is not an http(s) URL")));
            }
        }
        if !self
            .frequency
            .chars()
            .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
            || self.frequency.is_empty()
        {
            return Err(invalid(
                "publish.frequency",
                format!(
                    "\"{}\" is not a code of the EU frequency vocabulary (IRREG, DAILY, WEEKLY, MONTHLY, …)",
                    self.frequency
                ),
            ));
        }
        if let Some(mail) = self.contact_email.as_deref() {
            let valid = mail
                .split_once('@')
                .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'));
            if !valid {
                return Err(invalid(
                    "publish.contact_email",
                    format!("\"{mail}\" is not an e-mail address"),
                ));
            }
        }
        Ok(())
    }

    /// What `pspm publish` needs, or the first key missing.
    pub fn require<'a>(&'a self, file: &Path) -> Result<Publishing<'a>, ConfigError> {
        let missing = |key: &str, what: &str| {
            ConfigError::invalid(file, key, format!("`pspm publish` needs {what}"))
        };
        let base_url = self
            .base_url
            .as_deref()
            .ok_or_else(|| missing("publish.base_url", "the URL the files will be served at"))?;
        let publisher = self
            .publisher
            .as_deref()
            .ok_or_else(|| missing("publish.publisher", "the publishing Public Body's name"))?;
        let publisher_id = self.publisher_id.as_deref().ok_or_else(|| {
            missing(
                "publish.publisher_id",
                "the publisher's IPA code (DCAT-AP_IT identifies it by it)",
            )
        })?;
        Ok(Publishing {
            base_url: if base_url.ends_with('/') {
                base_url.to_owned()
            } else {
                format!("{base_url}/")
            },
            publisher,
            publisher_id,
            config: self,
        })
    }
}
