//! `!proposals [top|new|mine|accepted] [page]`: the section's proposals, ten per page
//! (`mine` outside a section room: the sender's own in every section).

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::i18n::{Msg, Rendered};
use crate::domain::participation::{Proposal, ProposalState};
use crate::domain::votes::state_msg;

pub const SPEC: Spec = Spec {
    name: "proposals",
    moderator_only: false,
    home: Home::Anywhere,
    usage: Msg::CmdProposalsUsage,
    summary: Msg::CmdProposalsSummary,
    help: Msg::CmdProposalsHelp,
};

const PAGE_SIZE: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Top,
    New,
    Mine,
    Accepted,
}

impl Order {
    fn name(self) -> &'static str {
        match self {
            Order::Top => "top",
            Order::New => "new",
            Order::Mine => "mine",
            Order::Accepted => "accepted",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposals {
    pub order: Order,
    pub page: usize,
}

impl Proposals {
    pub fn parse(args: Arguments<'_>) -> Result<Proposals, ParseError> {
        let mut order = Order::Top;
        let mut page = 1;
        let mut seen = 0;
        for word in args {
            seen += 1;
            if seen > 2 {
                return Err(ParseError::TooManyArguments { spec: &SPEC });
            }
            match word.to_lowercase().as_str() {
                "top" => order = Order::Top,
                "new" | "nuove" => order = Order::New,
                "mine" | "mie" => order = Order::Mine,
                "accepted" | "accettate" => order = Order::Accepted,
                other => {
                    page = other.parse().ok().filter(|p| *p > 0).ok_or_else(|| {
                        ParseError::Invalid {
                            spec: &SPEC,
                            given: word.to_owned(),
                        }
                    })?;
                }
            }
        }
        Ok(Proposals { order, page })
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        // Outside a section room (a DM), `mine` lists the sender's proposals in every section.
        let section = match (self.order, ctx.section()) {
            (_, Ok(section)) => Some(section),
            (Order::Mine, Err(_)) => None,
            (_, Err(refusal)) => return Err(refusal),
        };
        let participation = &ctx.state.participation;
        let mut rows: Vec<(&Proposal, i64, u32, u32)> = participation
            .proposals
            .values()
            .filter(|p| section.is_none_or(|s| p.section == s.id) && p.is_listed())
            .filter(|p| match self.order {
                Order::Top | Order::New => p.state.is_live() || p.state == ProposalState::Accepted,
                Order::Mine => p.author == ctx.message.sender,
                Order::Accepted => p.state == ProposalState::Accepted,
            })
            .map(|p| {
                let total = participation
                    .tallies
                    .get(&p.number)
                    .map(|t| t.total)
                    .unwrap_or_default();
                (
                    p,
                    i64::from(total.support) - i64::from(total.oppose),
                    total.support,
                    total.oppose,
                )
            })
            .collect();
        match self.order {
            Order::Top | Order::Accepted => {
                rows.sort_by(|a, b| {
                    b.1.cmp(&a.1)
                        .then(b.2.cmp(&a.2))
                        .then(a.0.number.cmp(&b.0.number))
                });
            }
            Order::New | Order::Mine => rows.sort_by_key(|r| std::cmp::Reverse(r.0.number)),
        }
        let catalogue = ctx.catalogue;
        if rows.is_empty() {
            return Ok(catalogue.text(Msg::ProposalsNone));
        }
        let pages = rows.len().div_ceil(PAGE_SIZE);
        let page = self.page.min(pages);
        let count = rows.len().to_string();
        let mut lines = vec![match section {
            Some(section) => catalogue.render(
                Msg::ProposalsHeader,
                &[("section", &section.title), ("count", &count)],
            ),
            None => catalogue.render(
                Msg::ProposalsMineHeader,
                &[("plan", &ctx.settings.plan_title), ("count", &count)],
            ),
        }];
        for (proposal, _, support, oppose) in
            rows.iter().skip((page - 1) * PAGE_SIZE).take(PAGE_SIZE)
        {
            lines.push(catalogue.render(
                Msg::ProposalsLine,
                &[
                    ("number", &proposal.number.to_string()),
                    ("title", &proposal.title),
                    ("support", &support.to_string()),
                    ("oppose", &oppose.to_string()),
                    ("state", catalogue.template(state_msg(proposal.state))),
                ],
            ));
        }
        if pages > 1 {
            let next = if page < pages { page + 1 } else { 1 };
            lines.push(catalogue.render(
                Msg::ProposalsPage,
                &[
                    ("page", &page.to_string()),
                    ("pages", &pages.to_string()),
                    ("order", self.order.name()),
                    ("next", &next.to_string()),
                ],
            ));
        }
        Ok(Rendered::lines(lines))
    }
}
