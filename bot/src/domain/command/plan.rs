//! `!plan [odt|html|md]` (moderators): uploads the consolidated plan, what `pspm plan export`
//! writes: the current text with the accepted amendments applied, the objectives, results
//! and actions, and the annex of what changed. OpenDocument by default, the format Italian
//! Public Bodies must use; HTML reads on a phone; Markdown for a repository.

use super::{Arguments, Ctx, Home, Outcome, ParseError, Spec};
use crate::domain::consolidated;
use crate::domain::i18n::Msg;
use crate::domain::FilePost;
use crate::render::plan::{render, PlanFormat};

pub const SPEC: Spec = Spec {
    name: "plan",
    moderator_only: true,
    home: Home::Anywhere,
    usage: Msg::CmdPlanUsage,
    summary: Msg::CmdPlanSummary,
    help: Msg::CmdPlanHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanCommand {
    pub format: PlanFormat,
}

impl PlanCommand {
    pub fn parse(mut args: Arguments<'_>) -> Result<PlanCommand, ParseError> {
        let format = match args.next() {
            None => PlanFormat::Odt,
            Some(word) => match word.to_lowercase().as_str() {
                "odt" => PlanFormat::Odt,
                "html" => PlanFormat::Html,
                "md" | "markdown" => PlanFormat::Markdown,
                _ => {
                    return Err(ParseError::Invalid {
                        spec: &SPEC,
                        given: word.to_owned(),
                    })
                }
            },
        };
        args.finish(&SPEC)?;
        Ok(PlanCommand { format })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let sections = ctx.settings.plan_sections();
        let plan = consolidated::build(ctx.settings, ctx.state, &sections);
        let content = render(&plan, self.format)
            .map_err(|error| ctx.catalogue.render(Msg::PlanFailed, &[("error", &error.to_string())]))?;
        let (extension, mimetype) = match self.format {
            PlanFormat::Odt => ("odt", "application/vnd.oasis.opendocument.text"),
            PlanFormat::Html => ("html", "text/html"),
            PlanFormat::Markdown => ("md", "text/markdown"),
        };
        let day = crate::domain::tracking::today(ctx.settings, ctx.now);
        ctx.files.push(FilePost {
            room_id: ctx.message.room_id.clone(),
            in_reply_to: ctx.message.event_id.clone(),
            filename: format!("{}-plan-{day}.{extension}", ctx.settings.plan_id),
            mimetype: mimetype.into(),
            content,
            image: None,
            caption: None,
        });
        Ok(ctx.catalogue.text(Msg::PlanPosted))
    }
}
