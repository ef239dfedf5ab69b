//! Any `!word` that is not a command: a short reply pointing to `!help`, never an error.

use super::{Ctx, Outcome};
use crate::domain::i18n::{Msg, Rendered};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    pub name: String,
}

/// Longest command name echoed back, so a pasted wall of text is not repeated.
const MAX_ECHO: usize = 40;

impl Unknown {
    pub fn apply(self, request: &Ctx<'_>) -> Outcome {
        Ok(self.reply(request))
    }

    /// Never refused: the reply itself.
    fn reply(self, request: &Ctx<'_>) -> Rendered {
        let mut name: String = self.name.chars().take(MAX_ECHO).collect();
        if name.len() < self.name.len() {
            name.push('…');
        }
        request
            .catalogue
            .render(Msg::UnknownReply, &[("name", &format!("!{name}"))])
    }
}
