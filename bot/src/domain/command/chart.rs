//! `!chart [section|all|results|participation]`: posts a PNG — progress of the section's
//! objectives and actions (of every section and objective with `all`), expected results over
//! time, or participation per organisation — with what it shows in words as its body.

use super::{Arguments, Ctx, Outcome, ParseError, Reach, Home, Spec};
use crate::domain::charts::{self, ChartKind};
use crate::domain::i18n::Msg;
use crate::domain::tracking;
use crate::domain::FilePost;
use crate::render::raster::render_png;

pub const SPEC: Spec = Spec {
    name: "chart",
    moderator_only: false,
    home: Home::Anywhere,
    usage: Msg::CmdChartUsage,
    summary: Msg::CmdChartSummary,
    help: Msg::CmdChartHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartCommand {
    pub kind: ChartKind,
    pub reach: Reach,
}

impl ChartCommand {
    pub fn parse(args: Arguments<'_>) -> Result<ChartCommand, ParseError> {
        let mut peek = args.clone();
        let kind = match peek.next().map(str::to_lowercase).as_deref() {
            Some("results" | "risultati") => Some(ChartKind::Results),
            Some("participation" | "partecipazione") => Some(ChartKind::Participation),
            _ => None,
        };
        // `results` and `participation` may be followed by `all`; progress takes the reach.
        let (kind, args) = match kind {
            Some(kind) => (kind, peek),
            None => (ChartKind::Progress, args),
        };
        Ok(ChartCommand {
            kind,
            reach: args.reach(&SPEC)?,
        })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let scope = ctx.scope(self.reach);
        let chart = charts::chart(ctx.settings, ctx.state, ctx.now, &scope, self.kind, ctx.catalogue);
        // The SVG is ours and its text escaped, so this fails only on a defect; the person
        // asking is told, rather than left waiting.
        let png = render_png(&chart).map_err(|_| ctx.catalogue.text(Msg::ChartFailed))?;
        let day = tracking::today(ctx.settings, ctx.now);
        let name = scope.section.as_deref().unwrap_or(&ctx.settings.plan_id);
        let kind = match self.kind {
            ChartKind::Progress => "",
            ChartKind::Results => "-results",
            ChartKind::Participation => "-participation",
        };
        ctx.files.push(FilePost {
            room_id: ctx.message.room_id.clone(),
            in_reply_to: ctx.message.event_id.clone(),
            filename: format!("{name}{kind}-{day}.png"),
            mimetype: "image/png".into(),
            content: png.bytes,
            image: Some((png.width, png.height)),
            caption: Some(chart.description),
        });
        Ok(ctx
            .catalogue
            .render(Msg::ChartPosted, &[("scope", &scope.label)]))
    }
}
