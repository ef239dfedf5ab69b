//! Typed configuration and plan loading for PSPM, shared by the bot and the indexer.
//!
//! # Layout
//! - [`Config`] — the operator's TOML file (`[matrix]`, `[storage]`, `[bot]`, `[organisations]`,
//!   `[plan]`, `[monitoring]`, `[index]`), loaded and validated by [`Config::load`].
//! - [`plan`] — the plan file the config points to: the plan and its sections.
//! - [`draft`] — a section's draft text split into numbered paragraphs, and their ids.
//! - [`monitoring`] — the plan's objectives, expected results and actions.
//! - [`ConfigError`] — every failure names the file, the key and what is wrong, in one line.
//!
//! Nothing here talks to Matrix or to storage: loading is a pure function of the files.

pub mod draft;
pub mod http;
pub mod monitoring;
pub mod plan;
pub mod publish;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;

pub use monitoring::{Action, ExpectedResult, Monitoring, Objective, Target};
pub use plan::{Plan, PlanFile, Section, PHASES};
pub use publish::{PublishConfig, Publishing};

/// Environment variable that overrides `matrix.password`.
pub const PASSWORD_ENV: &str = "PSPM_MATRIX_PASSWORD";

/// A configuration or plan file that cannot be used. `Display` is one line: file, key, problem.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: cannot read: {reason}")]
    Read { file: PathBuf, reason: String },
    #[error("{file}: line {line}: {reason}")]
    Syntax {
        file: PathBuf,
        line: usize,
        reason: String,
    },
    #[error("{file}: line {line}: key `{key}`: {reason}")]
    At {
        file: PathBuf,
        line: usize,
        key: String,
        reason: String,
    },
    #[error("{file}: key `{key}`: {reason}")]
    Invalid {
        file: PathBuf,
        key: String,
        reason: String,
    },
}

impl ConfigError {
    pub(crate) fn invalid(file: &Path, key: impl Into<String>, reason: impl Into<String>) -> Self {
        ConfigError::Invalid {
            file: file.to_path_buf(),
            key: key.into(),
            reason: reason.into(),
        }
    }
}

/// A secret string that never shows itself in `Debug` output or logs.
#[derive(Clone, Deserialize, PartialEq, Eq, Default)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Language of every user-visible text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    It,
    En,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatrixConfig {
    pub homeserver_url: String,
    pub user_id: String,
    #[serde(default)]
    pub password: Secret,
    /// Display name of the bot's device; the same device is reused across restarts.
    #[serde(default = "default_device_name")]
    pub device_name: String,
}

fn default_device_name() -> String {
    "PSPM bot".to_owned()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageConfig {
    /// Relative paths are resolved against the config file's folder.
    pub data_dir: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BotConfig {
    #[serde(default)]
    pub language: Language,
    #[serde(default)]
    pub moderators: Vec<String>,
    /// Homeservers whose users may take part (invite the bot, run commands). The bot's own
    /// server is not implied: list it too.
    pub allowed_servers: Vec<String>,
    /// Long-poll timeout of each `/sync`, in seconds.
    #[serde(default = "default_sync_timeout")]
    pub sync_timeout_secs: u64,
    /// Longest proposal title, in characters.
    #[serde(default = "default_max_title")]
    pub max_title_chars: usize,
    /// Longest proposal description, in characters.
    #[serde(default = "default_max_description")]
    pub max_description_chars: usize,
    /// Longest feedback or comment, in characters.
    #[serde(default = "default_max_comment")]
    pub max_comment_chars: usize,
    /// Commands a person may send in a row before the bot asks them to slow down…
    #[serde(default = "default_command_burst")]
    pub command_burst: u32,
    /// …and how many more each minute gives back (0: no limit).
    #[serde(default = "default_commands_per_minute")]
    pub commands_per_minute: u32,
    /// Who may join the section rooms: members of the plan's Space (the default) or anyone
    /// of an admitted server.
    #[serde(default)]
    pub room_access: RoomAccess,
}

/// How people get into the section rooms. The server ACL applies either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum RoomAccess {
    /// Section rooms are `restricted` to members of the plan's Space: joining the Space is
    /// the one door.
    #[default]
    Space,
    /// Section rooms are public to every admitted server.
    Public,
}

fn default_max_title() -> usize {
    200
}

fn default_max_description() -> usize {
    5000
}

fn default_max_comment() -> usize {
    4000
}

fn default_command_burst() -> u32 {
    30
}

fn default_commands_per_minute() -> u32 {
    60
}

fn default_sync_timeout() -> u64 {
    30
}

/// What one file may cost `pspm index add`, in MiB; a file over a limit is skipped and
/// reported. Defaults: 64 MiB per file, 16 MiB per decompressed PDF stream, 16 MiB of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexConfig {
    /// Larger files are not read.
    #[serde(default = "default_max_file_mib")]
    pub max_file_mib: u64,
    /// Most one PDF stream may decompress to (a small file must not inflate to gigabytes).
    #[serde(default = "default_max_pdf_stream_mib")]
    pub max_pdf_stream_mib: u64,
    /// Most text kept from one file.
    #[serde(default = "default_max_text_mib")]
    pub max_text_mib: u64,
}

impl Default for IndexConfig {
    fn default() -> Self {
        IndexConfig {
            max_file_mib: default_max_file_mib(),
            max_pdf_stream_mib: default_max_pdf_stream_mib(),
            max_text_mib: default_max_text_mib(),
        }
    }
}

/// The largest value of an `[index]` limit: beyond it a limit protects nothing.
const MAX_INDEX_LIMIT_MIB: u64 = 4096;

fn default_max_file_mib() -> u64 {
    64
}

fn default_max_pdf_stream_mib() -> u64 {
    16
}

fn default_max_text_mib() -> u64 {
    16
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanRef {
    /// Relative to the config file.
    pub file: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    matrix: MatrixConfig,
    storage: StorageConfig,
    bot: BotConfig,
    #[serde(default)]
    organisations: BTreeMap<String, String>,
    plan: PlanRef,
    #[serde(default)]
    monitoring: RawMonitoringConfig,
    #[serde(default)]
    index: IndexConfig,
    #[serde(default)]
    publish: PublishConfig,
    #[serde(default)]
    http: http::HttpConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMonitoringConfig {
    #[serde(default = "default_reminder_time")]
    reminder_time: String,
    #[serde(default = "default_time_zone")]
    time_zone: String,
}

impl Default for RawMonitoringConfig {
    fn default() -> Self {
        RawMonitoringConfig {
            reminder_time: default_reminder_time(),
            time_zone: default_time_zone(),
        }
    }
}

fn default_reminder_time() -> String {
    "09:00".to_owned()
}

fn default_time_zone() -> String {
    "Europe/Rome".to_owned()
}

/// When the daily reminders go out, in the plan's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonitoringConfig {
    pub reminder_time: chrono::NaiveTime,
    pub time_zone: chrono_tz::Tz,
}

impl Default for MonitoringConfig {
    fn default() -> Self {
        MonitoringConfig {
            reminder_time: chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
            time_zone: chrono_tz::Europe::Rome,
        }
    }
}

/// The validated configuration, with paths resolved and the plan loaded.
#[derive(Debug, Clone)]
pub struct Config {
    pub path: PathBuf,
    pub matrix: MatrixConfig,
    pub storage: StorageConfig,
    pub bot: BotConfig,
    pub monitoring: MonitoringConfig,
    /// Limits of `pspm index add`.
    pub index: IndexConfig,
    /// The open-data package's metadata (`pspm publish`).
    pub publish: PublishConfig,
    /// Where `/health`, `/metrics` and the measurements' webhook are served, if anywhere.
    pub http_listen: Option<std::net::SocketAddr>,
    /// The source systems that may post measurements (`[[http.sources]]`).
    pub http_sources: Vec<http::HttpSource>,
    /// Public Body per homeserver name.
    pub organisations: BTreeMap<String, String>,
    pub plan_path: PathBuf,
    pub plan: Plan,
}

impl Config {
    /// Loads and validates the config file and the plan it points to.
    /// `PSPM_MATRIX_PASSWORD`, when set, overrides `matrix.password`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let password_env = std::env::var(PASSWORD_ENV).ok();
        Self::load_with_password(path, password_env)
    }

    /// As [`Config::load`], with the password override passed in (tests need no environment).
    pub fn load_with_password(
        path: &Path,
        password_override: Option<String>,
    ) -> Result<Config, ConfigError> {
        let raw: RawConfig = read_toml(path)?;
        let base = path.parent().unwrap_or(Path::new("."));
        let mut matrix = raw.matrix;
        if let Some(password) = password_override.filter(|p| !p.is_empty()) {
            matrix.password = Secret::new(password);
        }
        validate_matrix(path, &matrix)?;
        validate_bot(path, &raw.bot)?;
        validate_index(path, &raw.index)?;
        raw.publish.validate(path)?;
        let http_listen = raw.http.address(path)?;
        let http_sources = raw
            .http
            .sources(path, |variable| std::env::var(variable).ok())?;
        for server in raw.organisations.keys() {
            if !is_server_name(server) {
                return Err(ConfigError::invalid(
                    path,
                    format!("organisations.\"{server}\""),
                    "not a homeserver name",
                ));
            }
        }
        let monitoring = MonitoringConfig {
            reminder_time: chrono::NaiveTime::parse_from_str(
                raw.monitoring.reminder_time.trim(),
                "%H:%M",
            )
            .map_err(|_| {
                ConfigError::invalid(
                    path,
                    "monitoring.reminder_time",
                    format!(
                        "\"{}\" is not a time like 09:00",
                        raw.monitoring.reminder_time
                    ),
                )
            })?,
            time_zone: raw.monitoring.time_zone.trim().parse().map_err(|_| {
                ConfigError::invalid(
                    path,
                    "monitoring.time_zone",
                    format!(
                        "\"{}\" is not a time zone like Europe/Rome",
                        raw.monitoring.time_zone
                    ),
                )
            })?,
        };
        let mut storage = raw.storage;
        storage.data_dir = resolve(base, &storage.data_dir);
        let plan_path = resolve(base, &raw.plan.file);
        let plan = plan::load(&plan_path)?;
        Ok(Config {
            path: path.to_path_buf(),
            matrix,
            storage,
            bot: raw.bot,
            monitoring,
            index: raw.index,
            publish: raw.publish,
            http_listen,
            http_sources,
            organisations: raw.organisations,
            plan_path,
            plan,
        })
    }

    /// The server part of the bot's user ID, e.g. `mef.gov.it`.
    pub fn server_name(&self) -> &str {
        server_of(&self.matrix.user_id).unwrap_or_default()
    }

    /// The Public Body a homeserver belongs to: the `[organisations]` entry, else its name.
    pub fn organisation_of(&self, server: &str) -> String {
        self.organisations
            .get(server)
            .cloned()
            .unwrap_or_else(|| server.to_owned())
    }
}

/// A path of the config file, relative to its folder `base` (or absolute), without `.` and
/// `folder/..` steps, so that messages show it plainly and once. Lexical, like a shell's
/// `cd -L`: `..` goes back up the path as written.
pub(crate) fn resolve(base: &Path, path: &Path) -> PathBuf {
    let mut resolved = PathBuf::new();
    for component in base.join(path).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match resolved.components().next_back() {
                Some(Component::Normal(_)) => {
                    resolved.pop();
                }
                // Above the root is the root.
                Some(Component::RootDir | Component::Prefix(_)) => {}
                Some(Component::ParentDir | Component::CurDir) | None => resolved.push(".."),
            },
            other => resolved.push(other),
        }
    }
    if resolved.as_os_str().is_empty() {
        resolved.push(".");
    }
    resolved
}

/// Reads a TOML file into `T`, turning errors into one line with file, key and reason.
pub(crate) fn read_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, ConfigError> {
    parse_toml(path, &read_text(path)?)
}

/// A file's text, or the one-line error naming it.
pub(crate) fn read_text(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
        file: path.to_path_buf(),
        reason: e.to_string(),
    })
}

/// TOML text into `T`, as [`read_toml`] does for the file `path` holding it.
pub(crate) fn parse_toml<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
) -> Result<T, ConfigError> {
    let deserializer = toml::Deserializer::parse(text).map_err(|e| syntax_error(path, text, &e))?;
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let key = e.path().to_string();
        let inner = e.into_inner();
        let reason = inner.message().trim().to_owned();
        if key.is_empty() || key == "." {
            syntax_error(path, text, &inner)
        } else {
            ConfigError::invalid(path, key, reason)
        }
    })
}

fn syntax_error(path: &Path, text: &str, error: &toml::de::Error) -> ConfigError {
    let line = error
        .span()
        .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1)
        .unwrap_or(0);
    ConfigError::Syntax {
        file: path.to_path_buf(),
        line,
        reason: error.message().trim().to_owned(),
    }
}

fn validate_matrix(path: &Path, matrix: &MatrixConfig) -> Result<(), ConfigError> {
    let url = &matrix.homeserver_url;
    if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() < 10 {
        return Err(ConfigError::invalid(
            path,
            "matrix.homeserver_url",
            format!("\"{url}\" is not an http(s) URL"),
        ));
    }
    if !is_user_id(&matrix.user_id) {
        return Err(ConfigError::invalid(
            path,
            "matrix.user_id",
            format!(
                "\"{}\" is not a Matrix user ID like @pspm:example.org",
                matrix.user_id
            ),
        ));
    }
    if matrix.password.expose().is_empty() {
        return Err(ConfigError::invalid(
            path,
            "matrix.password",
            format!("missing: set it here or in the environment variable {PASSWORD_ENV}"),
        ));
    }
    Ok(())
}

fn validate_bot(path: &Path, bot: &BotConfig) -> Result<(), ConfigError> {
    if bot.commands_per_minute > 0 && bot.command_burst == 0 {
        return Err(ConfigError::invalid(
            path,
            "bot.command_burst",
            "must be at least 1 when bot.commands_per_minute is set (0 there: no limit)",
        ));
    }
    for (i, moderator) in bot.moderators.iter().enumerate() {
        if !is_user_id(moderator) {
            return Err(ConfigError::invalid(
                path,
                format!("bot.moderators[{i}]"),
                format!("\"{moderator}\" is not a Matrix user ID like @name:example.org"),
            ));
        }
    }
    if bot.allowed_servers.is_empty() {
        return Err(ConfigError::invalid(
            path,
            "bot.allowed_servers",
            "empty: list at least the bot's own homeserver",
        ));
    }
    for (i, server) in bot.allowed_servers.iter().enumerate() {
        if !is_server_name(server) {
            return Err(ConfigError::invalid(
                path,
                format!("bot.allowed_servers[{i}]"),
                format!("\"{server}\" is not a homeserver name"),
            ));
        }
    }
    if bot.sync_timeout_secs == 0 || bot.sync_timeout_secs > 300 {
        return Err(ConfigError::invalid(
            path,
            "bot.sync_timeout_secs",
            "must be between 1 and 300",
        ));
    }
    Ok(())
}

fn validate_index(path: &Path, index: &IndexConfig) -> Result<(), ConfigError> {
    for (key, value) in [
        ("index.max_file_mib", index.max_file_mib),
        ("index.max_pdf_stream_mib", index.max_pdf_stream_mib),
        ("index.max_text_mib", index.max_text_mib),
    ] {
        if value == 0 || value > MAX_INDEX_LIMIT_MIB {
            return Err(ConfigError::invalid(
                path,
                key,
                format!("must be between 1 and {MAX_INDEX_LIMIT_MIB} (MiB), not {value}"),
            ));
        }
    }
    Ok(())
}

/// `@localpart:server` with a non-empty localpart and a valid server name.
pub fn is_user_id(id: &str) -> bool {
    let Some(rest) = id.strip_prefix('@') else {
        return false;
    };
    let Some((local, server)) = rest.split_once(':') else {
        return false;
    };
    !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._=-/+".contains(c))
        && is_server_name(server)
}

/// The host of a server name, without its port (server ACLs match hosts only): `a.org:8448`
/// → `a.org`, `[::1]:8448` → `[::1]`.
pub fn host_of(server: &str) -> &str {
    if server.starts_with('[') {
        return server
            .split_once(']')
            .map_or(server, |(ip, _)| &server[..ip.len() + 1]);
    }
    server.split_once(':').map_or(server, |(host, _)| host)
}

/// Whether a host is an IP literal (`127.0.0.2`, `[::1]`) rather than a DNS name.
pub fn is_ip_literal(host: &str) -> bool {
    host.starts_with('[') || host.parse::<std::net::Ipv4Addr>().is_ok()
}

/// The server name of a Matrix ID (`@a:b`, `!r:b`, `$e:b`), if it has one.
pub fn server_of(id: &str) -> Option<&str> {
    id.split_once(':').map(|(_, server)| server)
}

/// A hostname or IP literal, optionally with a port (`example.org`, `localhost:8448`, `[::1]`).
pub fn is_server_name(name: &str) -> bool {
    let (host, port) = if let Some(rest) = name.strip_prefix('[') {
        let Some((ip, after)) = rest.split_once(']') else {
            return false;
        };
        if ip.is_empty()
            || !ip
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return false;
        }
        (ip, after.strip_prefix(':'))
    } else {
        match name.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (name, None),
        }
    };
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.chars().all(|c| c.is_ascii_digit()));
    port_ok
        && !host.is_empty()
        && host.len() <= 255
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-:".contains(c))
}

#[cfg(test)]
mod tests;
