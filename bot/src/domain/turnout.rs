//! Participation per organisation (Public Body): how many proposals, voters, votes and
//! comments each one brought to a section. Hidden proposals, and what hangs on them, are not
//! public and do not count.

use std::collections::BTreeMap;

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

/// Per organisation, sorted by name, over the sections `in_scope` keeps (by section ID).
pub fn by_organisation(state: &State, in_scope: impl Fn(&str) -> bool) -> Vec<Turnout> {
    let participation = &state.participation;
    let counted = |number: u32| {
        participation
            .proposals
            .get(&number)
            .is_some_and(|p| p.hidden.is_none() && in_scope(&p.section))
    };
    let mut rows: BTreeMap<String, Turnout> = BTreeMap::new();
    fn row<'a>(rows: &'a mut BTreeMap<String, Turnout>, organisation: &str) -> &'a mut Turnout {
        rows.entry(organisation.to_owned())
            .or_insert_with(|| Turnout {
                organisation: organisation.to_owned(),
                ..Turnout::default()
            })
    }
    for proposal in participation.proposals.values() {
        if !counted(proposal.number) {
            continue;
        }
        row(&mut rows, &proposal.organisation).proposals += 1;
        for (organisation, counts) in &participation.tally(proposal.number).by_organisation {
            let entry = row(&mut rows, organisation);
            entry.supports += counts.support;
            entry.oppositions += counts.oppose;
        }
    }
    for comment in participation.comments.values() {
        let public = match comment.proposal {
            Some(number) => counted(number),
            None => in_scope(&comment.section),
        };
        if public {
            row(&mut rows, &comment.organisation).comments += 1;
        }
    }
    for (organisation, voters) in participation.voters_by_organisation(counted) {
        row(&mut rows, &organisation).voters = voters;
    }
    rows.into_values().collect()
}
