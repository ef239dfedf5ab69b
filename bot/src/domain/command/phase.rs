//! `!phase <name> [all]` (moderators): move this section, or every section, to a phase.

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::Msg;
use crate::domain::participation::Phase;
use crate::domain::Change;

pub const SPEC: Spec = Spec {
    name: "phase",
    moderator_only: true,
    home: Home::Section,
    usage: Msg::CmdPhaseUsage,
    summary: Msg::CmdPhaseSummary,
    help: Msg::CmdPhaseHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhaseCommand {
    pub phase: Phase,
    pub all: bool,
}

impl PhaseCommand {
    pub fn parse(mut args: Arguments<'_>) -> Result<PhaseCommand, ParseError> {
        let word = args.next().ok_or(ParseError::Missing { spec: &SPEC })?;
        let phase = Phase::parse(word).ok_or_else(|| ParseError::Invalid {
            spec: &SPEC,
            given: word.to_owned(),
        })?;
        let all = match args.next() {
            None => false,
            Some(w) if matches!(w.to_lowercase().as_str(), "all" | "tutte") => true,
            Some(w) => {
                return Err(ParseError::Invalid {
                    spec: &SPEC,
                    given: w.to_owned(),
                })
            }
        };
        args.finish(&SPEC)?;
        Ok(PhaseCommand { phase, all })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let phase_name = ctx.phase_name(self.phase);
        if self.all {
            let mut sections: Vec<String> = ctx
                .settings
                .sections
                .values()
                .map(|s| s.id.clone())
                .collect();
            sections.sort();
            for section in sections {
                ctx.changes.push(Change::Phase {
                    section,
                    phase: self.phase,
                });
            }
            return Ok(ctx
                .catalogue
                .render(Msg::PhaseSetAll, &[("phase", phase_name)]));
        }
        let section = ctx.section()?;
        let title = section.title.clone();
        ctx.changes.push(Change::Phase {
            section: section.id.clone(),
            phase: self.phase,
        });
        Ok(ctx
            .catalogue
            .render(Msg::PhaseSet, &[("section", &title), ("phase", phase_name)]))
    }
}
