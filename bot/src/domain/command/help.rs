//! `!help [command]`: the commands available to the sender in this room, or one command's usage.

use super::{Arguments, Command, Ctx, Outcome, ParseError, Home, Spec, SPECS};
use crate::domain::i18n::{Msg, Rendered};

pub const SPEC: Spec = Spec {
    name: "help",
    moderator_only: false,
    home: Home::Anywhere,
    usage: Msg::CmdHelpUsage,
    summary: Msg::CmdHelpSummary,
    help: Msg::CmdHelpHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Help {
    pub topic: Option<String>,
}

impl Help {
    pub fn parse(mut args: Arguments<'_>) -> Result<Help, ParseError> {
        let topic = args
            .next()
            .map(|word| word.trim_start_matches('!').to_lowercase());
        args.finish(&SPEC)?;
        Ok(Help { topic })
    }

    pub fn apply(self, request: &Ctx<'_>) -> Outcome {
        Ok(self.reply(request))
    }

    /// Never refused: the reply itself.
    fn reply(self, request: &Ctx<'_>) -> Rendered {
        let catalogue = request.catalogue;
        match self.topic {
            None => {
                let mut lines = vec![catalogue.text(Msg::HelpHeader)];
                for spec in SPECS.iter().filter(|s| s.available_to(request.role)) {
                    lines.push(catalogue.render(
                        Msg::HelpLine,
                        &[
                            ("usage", catalogue.template(spec.usage)),
                            ("summary", catalogue.template(spec.summary)),
                        ],
                    ));
                }
                lines.push(catalogue.text(Msg::HelpFooter));
                Rendered::lines(lines)
            }
            Some(name) => match Command::spec_named(&name).filter(|s| s.available_to(request.role)) {
                Some(spec) => {
                    let mut help = catalogue.template(spec.help).to_owned();
                    if spec.moderator_only {
                        help = format!("{help} {}", catalogue.template(Msg::HelpModeratorOnly));
                    }
                    catalogue.render(
                        Msg::HelpDetail,
                        &[("usage", catalogue.template(spec.usage)), ("help", &help)],
                    )
                }
                None => catalogue.render(Msg::HelpNoSuchCommand, &[("name", &name)]),
            },
        }
    }
}
