//! `!report` (moderators): uploads the self-contained HTML monitoring report.

use crate::domain::tracking;
use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::Msg;
use crate::domain::FilePost;
use crate::render::report::render_html;

pub const SPEC: Spec = Spec {
    name: "report",
    moderator_only: true,
    home: Home::Anywhere,
    usage: Msg::CmdReportUsage,
    summary: Msg::CmdReportSummary,
    help: Msg::CmdReportHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportCommand;

impl ReportCommand {
    pub fn parse(args: Arguments<'_>) -> Result<ReportCommand, ParseError> {
        args.finish(&SPEC)?;
        Ok(ReportCommand)
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let html = render_html(&tracking::report(ctx.settings, ctx.state, ctx.now));
        let day = tracking::today(ctx.settings, ctx.now);
        ctx.files.push(FilePost {
            room_id: ctx.message.room_id.clone(),
            in_reply_to: ctx.message.event_id.clone(),
            filename: format!("{}-report-{day}.html", ctx.settings.plan_id),
            mimetype: "text/html".into(),
            content: html.into_bytes(),
            image: None,
            caption: None,
        });
        Ok(ctx.catalogue.text(Msg::ReportPosted))
    }
}
