//! `!chart [section|all]`: posts a PNG with progress by action (by section for the plan) and
//! results against targets.

use crate::domain::tracking;
use super::{Arguments, Reach, Ctx, Outcome, ParseError, Spec};
use crate::domain::i18n::Msg;
use crate::domain::FilePost;
use crate::render::chart::render_png;

pub const SPEC: Spec = Spec {
    name: "chart",
    moderator_only: false,
    usage: Msg::CmdChartUsage,
    summary: Msg::CmdChartSummary,
    help: Msg::CmdChartHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartCommand {
    pub reach: Reach,
}

impl ChartCommand {
    pub fn parse(args: Arguments<'_>) -> Result<ChartCommand, ParseError> {
        Ok(ChartCommand {
            reach: args.reach(&SPEC)?,
        })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let scope = ctx.scope(self.reach);
        let chart = tracking::chart(ctx.settings, ctx.state, ctx.now, &scope);
        let png = render_png(&chart);
        let day = tracking::today(ctx.settings, ctx.now);
        let name = scope.section.as_deref().unwrap_or(&ctx.settings.plan_id);
        ctx.files.push(FilePost {
            room_id: ctx.message.room_id.clone(),
            in_reply_to: ctx.message.event_id.clone(),
            filename: format!("{name}-{day}.png"),
            mimetype: "image/png".into(),
            content: png.bytes,
            image: Some((png.width, png.height)),
        });
        Ok(ctx
            .catalogue
            .render(Msg::ChartPosted, &[("scope", &scope.label)]))
    }
}
