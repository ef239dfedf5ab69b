//! `!ping`: answers "pong" with the bot's processing lag, from the message's send time to now.

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::{Msg, Rendered};

pub const SPEC: Spec = Spec {
    name: "ping",
    moderator_only: false,
    home: Home::Anywhere,
    usage: Msg::CmdPingUsage,
    summary: Msg::CmdPingSummary,
    help: Msg::CmdPingHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ping;

impl Ping {
    pub fn parse(args: Arguments<'_>) -> Result<Ping, ParseError> {
        args.finish(&SPEC)?;
        Ok(Ping)
    }

    pub fn apply(self, request: &Ctx<'_>) -> Outcome {
        Ok(self.reply(request))
    }

    /// Never refused: the reply itself.
    fn reply(self, request: &Ctx<'_>) -> Rendered {
        // Clocks of different servers may disagree: a negative lag is shown as 0.
        let lag_ms = (request.now.timestamp_millis() - request.message.sent_at_ms).max(0);
        request
            .catalogue
            .render(Msg::PingReply, &[("lag_ms", &lag_ms.to_string())])
    }
}
