//! `!language [it|en]` (`!lingua`): the language the bot answers you in. Replies are in the
//! plan's language (`bot.language`) until a person asks for the other one; notices to
//! everyone stay in the plan's language.

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::{Catalogue, Language, Msg};
use crate::domain::Change;

pub const SPEC: Spec = Spec {
    name: "language",
    moderator_only: false,
    home: Home::Anywhere,
    usage: Msg::CmdLanguageUsage,
    summary: Msg::CmdLanguageSummary,
    help: Msg::CmdLanguageHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguageCommand {
    /// `None` asks which language is in use.
    pub chosen: Option<Language>,
}

impl LanguageCommand {
    pub fn parse(mut args: Arguments<'_>) -> Result<LanguageCommand, ParseError> {
        let chosen = match args.next().map(str::to_lowercase).as_deref() {
            None => None,
            Some("it" | "ita" | "italiano" | "italian") => Some(Language::It),
            Some("en" | "eng" | "english" | "inglese") => Some(Language::En),
            Some(other) => {
                return Err(ParseError::Invalid {
                    spec: &SPEC,
                    given: other.to_owned(),
                })
            }
        };
        args.finish(&SPEC)?;
        Ok(LanguageCommand { chosen })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let Some(language) = self.chosen else {
            return Ok(ctx.catalogue.text(Msg::LanguageCurrent));
        };
        ctx.changes.push(Change::ReplyLanguage {
            user: ctx.message.sender.clone(),
            language,
        });
        // The confirmation is already in the language chosen.
        Ok(Catalogue::get(language).text(Msg::LanguageSet))
    }
}
