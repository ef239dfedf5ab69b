//! `!export [csv|json|md] [full] [iteration <name|number>]` (moderators): the consolidated
//! export, uploaded to the room. `full` keeps hidden proposals (with the reason); the default
//! is the public export. `iteration` limits it to one iteration's rows.

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::export::{Export, Format, Visibility};
use crate::domain::i18n::Msg;
use crate::domain::FilePost;

pub const SPEC: Spec = Spec {
    name: "export",
    moderator_only: true,
    home: Home::Anywhere,
    usage: Msg::CmdExportUsage,
    summary: Msg::CmdExportSummary,
    help: Msg::CmdExportHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportCommand {
    pub format: Format,
    pub visibility: Visibility,
    /// The iteration as typed (a version's name or a number); `None`: every iteration.
    pub iteration: Option<String>,
}

impl ExportCommand {
    pub fn parse(mut args: Arguments<'_>) -> Result<ExportCommand, ParseError> {
        let mut command = ExportCommand {
            format: Format::Csv,
            visibility: Visibility::Public,
            iteration: None,
        };
        while let Some(word) = args.next() {
            if matches!(word.to_lowercase().as_str(), "iteration" | "iterazione") {
                // A version's name may be any words: the rest of the line names it.
                let name = args.required_rest(&SPEC)?;
                command.iteration = Some(name.split_whitespace().collect::<Vec<_>>().join(" "));
                break;
            } else if let Some(format) = Format::parse(word) {
                command.format = format;
            } else if matches!(
                word.to_lowercase().as_str(),
                "full" | "completo" | "completa"
            ) {
                command.visibility = Visibility::Full;
            } else {
                return Err(ParseError::Invalid {
                    spec: &SPEC,
                    given: word.to_owned(),
                });
            }
        }
        Ok(command)
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let mut export = Export::build(ctx.settings, ctx.state, self.visibility, ctx.now);
        if let Some(given) = &self.iteration {
            export = export.of_iteration(ctx.iteration_named(given)?);
        }
        let files = export.render(self.format, ctx.catalogue);
        let names: Vec<&str> = files.iter().map(|f| f.filename.as_str()).collect();
        let reply = ctx.catalogue.render(
            Msg::ExportReady,
            &[
                ("proposals", &export.proposals.len().to_string()),
                ("comments", &export.comments.len().to_string()),
                ("files", &names.join(", ")),
            ],
        );
        for file in files {
            ctx.files.push(FilePost {
                room_id: ctx.message.room_id.clone(),
                in_reply_to: ctx.message.event_id.clone(),
                filename: file.filename,
                mimetype: file.mimetype.to_owned(),
                content: file.content.into_bytes(),
                image: None,
                caption: None,
            });
        }
        Ok(reply)
    }
}
