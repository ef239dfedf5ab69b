//! Why a command's text could not be understood, rendered as a reply with the usage.

use super::Spec;
use crate::domain::i18n::{Catalogue, Msg, Rendered};

/// Why a command's text could not be understood; rendered as a reply with its usage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    TooManyArguments { spec: &'static Spec },
    Missing { spec: &'static Spec },
    Invalid { spec: &'static Spec, given: String },
}

impl ParseError {
    /// The command it is about.
    pub fn spec(&self) -> &'static Spec {
        match self {
            ParseError::TooManyArguments { spec }
            | ParseError::Missing { spec }
            | ParseError::Invalid { spec, .. } => spec,
        }
    }

    pub fn render(&self, catalogue: &Catalogue) -> Rendered {
        let (msg, spec, given) = match self {
            ParseError::TooManyArguments { spec } => (Msg::ParseTooManyArguments, spec, ""),
            ParseError::Missing { spec } => (Msg::ParseMissing, spec, ""),
            ParseError::Invalid { spec, given } => (Msg::ParseInvalid, spec, given.as_str()),
        };
        let given: String = given.chars().take(40).collect();
        catalogue.render(
            msg,
            &[
                ("command", spec.name),
                ("usage", catalogue.template(spec.usage)),
                ("given", &given),
            ],
        )
    }
}
