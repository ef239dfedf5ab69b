//! Participation per organisation (Public Body): how many proposals, voters, votes and
//! comments each one brought to each section and to the whole plan, counted in one pass.
//! Hidden proposals, and what hangs on them, are not public and do not count.

use std::collections::{BTreeMap, HashSet};

use super::State;

/// One organisation's participation in a section (or in the whole plan).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Turnout {
    pub organisation: String,
    pub proposals: u32,
    /// Distinct people with a live vote.
    pub voters: u32,
    pub supports: u32,
    pub oppositions: u32,
    /// Comments in proposal threads and feedback on the section.
    pub comments: u32,
}

impl Turnout {
    pub fn votes(&self) -> u32 {
        self.supports + self.oppositions
    }
}

/// Rows per organisation, sorted by name.
type Rows = BTreeMap<String, Turnout>;

/// Participation per section (by section ID) and for the whole plan.
#[derive(Debug, Default, PartialEq)]
pub struct Turnouts {
    sections: BTreeMap<String, Rows>,
    plan: Rows,
}

impl Turnouts {
    pub fn of(state: &State) -> Turnouts {
        let participation = &state.participation;
        let section_of = |number: u32| {
            participation
                .proposals
                .get(&number)
                .filter(|p| p.is_listed())
                .map(|p| p.section.as_str())
        };
        let mut turnouts = Turnouts::default();
        for proposal in participation.proposals.values() {
            let Some(section) = section_of(proposal.number) else {
                continue;
            };
            turnouts.add(section, &proposal.organisation, |t| t.proposals += 1);
            for (organisation, counts) in &participation.tally(proposal.number).by_organisation {
                turnouts.add(section, organisation, |t| {
                    t.supports += counts.support;
                    t.oppositions += counts.oppose;
                });
            }
        }
        for comment in participation.comments.values() {
            let public =
                !comment.redacted && comment.proposal.is_none_or(|n| section_of(n).is_some());
            if public {
                turnouts.add(&comment.section, &comment.organisation, |t| t.comments += 1);
            }
        }
        // A person counts once per section and once in the plan, however many votes.
        let mut in_section = HashSet::new();
        let mut in_plan = HashSet::new();
        for (number, voter, organisation) in participation.live_voters() {
            let Some(section) = section_of(number) else {
                continue;
            };
            if in_section.insert((section, voter)) {
                turnouts.row(section, organisation).voters += 1;
            }
            if in_plan.insert(voter) {
                row_in(&mut turnouts.plan, organisation).voters += 1;
            }
        }
        turnouts
    }

    /// One section's rows (none when nobody took part there).
    pub fn section(&self, section: &str) -> Vec<Turnout> {
        self.sections
            .get(section)
            .map(|rows| rows.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The whole plan's rows.
    pub fn plan(&self) -> Vec<Turnout> {
        self.plan.values().cloned().collect()
    }

    fn add(&mut self, section: &str, organisation: &str, count: impl Fn(&mut Turnout)) {
        count(self.row(section, organisation));
        count(row_in(&mut self.plan, organisation));
    }

    fn row(&mut self, section: &str, organisation: &str) -> &mut Turnout {
        row_in(
            self.sections.entry(section.to_owned()).or_default(),
            organisation,
        )
    }
}

fn row_in<'a>(rows: &'a mut Rows, organisation: &str) -> &'a mut Turnout {
    rows.entry(organisation.to_owned())
        .or_insert_with(|| Turnout {
            organisation: organisation.to_owned(),
            ..Turnout::default()
        })
}
