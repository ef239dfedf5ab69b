//! Chat commands: one [`Command`] enum, one file per command (parse + apply + help keys).
//!
//! Parsing is pure text work: `!name args…` → a command or a [`ParseError`] that becomes a
//! reply. Leftover arguments are refused, never ignored.

mod help;
mod ping;
mod unknown;

use chrono::{DateTime, Utc};

pub use help::Help;
pub use ping::Ping;
pub use unknown::Unknown;

use super::i18n::{Catalogue, Msg, Rendered};
use super::{Message, Role};

/// The prefix that makes a message a command.
pub const PREFIX: char = '!';

/// Static description of a command: name, who may use it, and its help texts (catalogue keys).
#[derive(Debug)]
pub struct Spec {
    pub name: &'static str,
    pub moderator_only: bool,
    pub usage: Msg,
    pub summary: Msg,
    pub help: Msg,
}

impl Spec {
    pub fn available_to(&self, role: Role) -> bool {
        !self.moderator_only || role == Role::Moderator
    }
}

/// Every command, in the order `!help` lists them.
pub const SPECS: &[&Spec] = &[&help::SPEC, &ping::SPEC];

pub fn spec(name: &str) -> Option<&'static Spec> {
    SPECS.iter().copied().find(|spec| spec.name == name)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Help(Help),
    Ping(Ping),
    Unknown(Unknown),
}

/// Why a command's text could not be understood; rendered as a reply with its usage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    TooManyArguments { spec: &'static Spec },
}

impl ParseError {
    pub fn render(&self, catalogue: &Catalogue) -> Rendered {
        match self {
            ParseError::TooManyArguments { spec } => catalogue.render(
                Msg::ParseTooManyArguments,
                &[
                    ("command", spec.name),
                    ("usage", catalogue.template(spec.usage)),
                ],
            ),
        }
    }
}

impl PartialEq for Spec {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
impl Eq for Spec {}

/// What a command needs to run.
pub struct Request<'a> {
    pub message: &'a Message,
    pub role: Role,
    pub now: DateTime<Utc>,
    pub catalogue: &'static Catalogue,
}

impl Command {
    /// `None` when the text is not a command at all (no `!` prefix, or a lone `!`).
    pub fn parse(text: &str) -> Option<Result<Command, ParseError>> {
        let rest = text.trim_start().strip_prefix(PREFIX)?;
        if rest.starts_with(char::is_whitespace) {
            return None;
        }
        let mut words = Arguments::new(rest);
        let name = words.next()?.to_lowercase();
        Some(match name.as_str() {
            "help" => Help::parse(words).map(Command::Help),
            "ping" => Ping::parse(words).map(Command::Ping),
            _ => Ok(Command::Unknown(Unknown { name })),
        })
    }

    pub fn apply(self, request: &Request<'_>) -> Rendered {
        match self {
            Command::Help(help) => help.apply(request),
            Command::Ping(ping) => ping.apply(request),
            Command::Unknown(unknown) => unknown.apply(request),
        }
    }
}

/// Whitespace-separated words of a command line, with access to the unparsed rest.
pub struct Arguments<'a> {
    rest: &'a str,
}

impl<'a> Arguments<'a> {
    pub fn new(text: &'a str) -> Self {
        Arguments { rest: text }
    }

    /// Fails with `TooManyArguments` when anything is left.
    pub fn finish(self, spec: &'static Spec) -> Result<(), ParseError> {
        if self.rest.trim().is_empty() {
            Ok(())
        } else {
            Err(ParseError::TooManyArguments { spec })
        }
    }
}

impl<'a> Iterator for Arguments<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let trimmed = self.rest.trim_start();
        if trimmed.is_empty() {
            self.rest = trimmed;
            return None;
        }
        let end = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
        let (word, rest) = trimmed.split_at(end);
        self.rest = rest;
        Some(word)
    }
}

#[cfg(test)]
mod tests;
