//! Paragraph ids as people write them: `§2.3` is paragraph 3 of the plan's second section (in
//! plan-file order, from 1); in a section's own room `§3` is enough. `2.3` and `s2.3` are read
//! too, since not every keyboard has `§`; a bare `3` is not (it would be a proposal's number).

use std::fmt;

/// A paragraph of a section's draft: section position and paragraph number, both from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParagraphId {
    pub section: u32,
    pub paragraph: u32,
}

/// Why a text is no paragraph id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("\"{0}\" is not a paragraph id like §2.3")]
    Invalid(String),
    /// `§3` where there is no current section.
    #[error("\"{0}\" names no section: write §<section>.<paragraph>, e.g. §2.3")]
    NoSection(String),
}

impl fmt::Display for ParagraphId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "§{}.{}", self.section, self.paragraph)
    }
}

impl ParagraphId {
    pub fn new(section: u32, paragraph: u32) -> ParagraphId {
        ParagraphId { section, paragraph }
    }

    /// The short form, `§3`, for the section's own room.
    pub fn short(&self) -> String {
        format!("§{}", self.paragraph)
    }

    /// Reads `§2.3`, `2.3`, `s2.3` (any spaces around), or `§3` when `current_section` (the
    /// position of the room's section) says which section it is in.
    pub fn parse(text: &str, current_section: Option<u32>) -> Result<ParagraphId, IdError> {
        let given = text.trim();
        let invalid = || IdError::Invalid(given.to_owned());
        let (marked, rest) = match given.strip_prefix('§') {
            Some(rest) => (true, rest.trim_start()),
            None => match given.strip_prefix(['s', 'S']) {
                Some(rest) => (false, rest),
                None => (false, given),
            },
        };
        let number = |digits: &str| -> Result<u32, IdError> {
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid());
            }
            digits
                .parse::<u32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(invalid)
        };
        match rest.split_once('.') {
            Some((section, paragraph)) => Ok(ParagraphId {
                section: number(section)?,
                paragraph: number(paragraph)?,
            }),
            None if marked => {
                let paragraph = number(rest)?;
                let section = current_section
                    .filter(|s| *s > 0)
                    .ok_or_else(|| IdError::NoSection(given.to_owned()))?;
                Ok(ParagraphId { section, paragraph })
            }
            None => Err(invalid()),
        }
    }
}
