//! `!plan [odt|html|md] [<iteration>]` (moderators): uploads the consolidated plan, what
//! `pspm plan export` writes: the current text with the accepted amendments applied (or a
//! closed iteration's version, by name or number), the objectives, results and actions, and
//! the annex of what changed since the previous version. OpenDocument by default, the format
//! Italian Public Bodies must use; HTML reads on a phone; Markdown for a repository.

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
    /// The iteration as typed (a version's name or a number); `None`: the current one.
    pub iteration: Option<String>,
}

impl PlanCommand {
    pub fn parse(args: Arguments<'_>) -> Result<PlanCommand, ParseError> {
        let rest = args.rest().trim();
        let (first, after) = rest
            .split_once(char::is_whitespace)
            .map_or((rest, ""), |(first, after)| (first, after.trim()));
        let format = match first.to_lowercase().as_str() {
            "odt" => Some(PlanFormat::Odt),
            "html" => Some(PlanFormat::Html),
            "md" | "markdown" => Some(PlanFormat::Markdown),
            _ => None,
        };
        // A version's name may be any words: what is not a format names the iteration.
        let (format, iteration) = match format {
            Some(format) => (format, after),
            None => (PlanFormat::Odt, rest),
        };
        Ok(PlanCommand {
            format,
            iteration: (!iteration.is_empty()).then(|| iteration.to_owned()),
        })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let iteration = match &self.iteration {
            None => ctx.state.iterations.current(),
            Some(given) => ctx.iteration_named(given)?,
        };
        let plan = consolidated::build(ctx.settings, ctx.state, iteration);
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
