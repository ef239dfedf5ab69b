//! The words of a command line, taken one at a time, with the unparsed rest at hand.

use super::{ParseError, Spec};

/// Whitespace-separated words of a command line, with access to the unparsed rest. A clone
/// reads ahead without consuming.
#[derive(Clone)]
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

    /// A proposal number, `12` or `#12`.
    pub fn number(&mut self, spec: &'static Spec) -> Result<u32, ParseError> {
        let word = self.next().ok_or(ParseError::Missing { spec })?;
        word.trim_start_matches('#')
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| ParseError::Invalid {
                spec,
                given: word.to_owned(),
            })
    }

    /// `all` (the whole plan) or nothing (the room's section), and nothing after.
    pub fn reach(mut self, spec: &'static Spec) -> Result<Reach, ParseError> {
        let reach = match self.next().map(str::to_lowercase).as_deref() {
            None | Some("section" | "sezione") => Reach::Here,
            Some("all" | "tutto" | "tutte" | "piano" | "plan") => Reach::WholePlan,
            Some(other) => {
                return Err(ParseError::Invalid {
                    spec,
                    given: other.to_owned(),
                })
            }
        };
        self.finish(spec)?;
        Ok(reach)
    }

    /// A practice id: one word of letters, digits, `-`, `_` or `.`.
    pub fn practice_id(&mut self, spec: &'static Spec) -> Result<String, ParseError> {
        let word = self.next().ok_or(ParseError::Missing { spec })?;
        let word = word.trim_start_matches('#');
        if word.is_empty()
            || word.len() > 100
            || !word
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(ParseError::Invalid {
                spec,
                given: word.to_owned(),
            });
        }
        Ok(word.to_owned())
    }

    /// Everything left, trimmed (may span lines).
    pub fn rest(self) -> &'a str {
        self.rest.trim()
    }

    /// Everything left, which must not be empty.
    pub fn required_rest(self, spec: &'static Spec) -> Result<&'a str, ParseError> {
        let rest = self.rest();
        if rest.is_empty() {
            Err(ParseError::Missing { spec })
        } else {
            Ok(rest)
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

/// How far a monitoring command reaches: the room's own section, or the whole plan (`all`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Here,
    WholePlan,
}
