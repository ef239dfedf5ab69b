//! `!rate <id> <1-5>`: one rating per person and practice; the latest replaces the earlier.

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::Msg;

pub const SPEC: Spec = Spec {
    name: "rate",
    moderator_only: false,
    home: Home::Plan,
    usage: Msg::CmdRateUsage,
    summary: Msg::CmdRateSummary,
    help: Msg::CmdRateHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rate {
    pub id: String,
    pub stars: u8,
}

impl Rate {
    pub fn parse(mut args: Arguments<'_>) -> Result<Rate, ParseError> {
        let id = args.practice_id(&SPEC)?;
        let word = args.next().ok_or(ParseError::Missing { spec: &SPEC })?;
        let stars = word
            .trim_end_matches("/5")
            .parse::<u8>()
            .ok()
            .filter(|s| (1..=5).contains(s))
            .ok_or_else(|| ParseError::Invalid {
                spec: &SPEC,
                given: word.to_owned(),
            })?;
        args.finish(&SPEC)?;
        Ok(Rate { id, stars })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let repository = ctx.repository()?;
        let practice = ctx.visible_practice(&self.id)?;
        let rating = repository
            .rate(&self.id, &ctx.message.sender, self.stars)
            .map_err(|e| ctx.repository_error(&e))?;
        Ok(ctx.catalogue.render(
            Msg::RateDone,
            &[
                ("stars", &self.stars.to_string()),
                ("title", &practice.title),
                ("average", &format!("{:.1}", rating.average)),
                ("count", &rating.count.to_string()),
            ],
        ))
    }
}
