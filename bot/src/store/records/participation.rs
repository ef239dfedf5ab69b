//! The stored forms of proposals, ballots, comments and phases, as the log has always
//! written them (inside a [`super::ChangeRecord`]).

use serde::{Deserialize, Serialize};

use crate::domain::{Ballot, Comment, Phase, Proposal, ProposalState, Stance};

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct ProposalRecord {
    pub number: u32,
    pub section: String,
    pub room_id: String,
    pub title: String,
    pub description: String,
    pub author: String,
    pub organisation: String,
    pub state: ProposalStateRecord,
    pub answer: Option<String>,
    pub hidden: Option<String>,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub source_event: String,
    pub card_event: Option<String>,
    /// Absent before deletions were recorded, and while false.
    #[serde(default, skip_serializing_if = "is_false")]
    pub redacted: bool,
}

fn is_false(value: &bool) -> bool {
    !value
}

/// `{"state":"open"}`, `{"state":"merged","into":3}`.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "state", content = "into")]
pub enum ProposalStateRecord {
    Open,
    Evaluating,
    Accepted,
    Rejected,
    Withdrawn,
    Merged(u32),
}

/// Ballots are stored in the log's binary form; this JSON form is read from version 2 stores.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct BallotRecord {
    pub stance: Option<StanceRecord>,
    pub source: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StanceRecord {
    Support,
    Oppose,
}

/// Comments are stored in the log's binary form; this JSON form is read from version 2 stores.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct CommentRecord {
    pub event_id: String,
    pub section: String,
    pub proposal: Option<u32>,
    pub author: String,
    pub organisation: String,
    pub text: String,
    pub at_ms: i64,
    /// Absent before deletions were recorded, and while false (the log's binary form keeps
    /// only live comments; a deleted one is written as JSON).
    #[serde(default, skip_serializing_if = "is_false")]
    pub redacted: bool,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PhaseRecord {
    Consultation,
    Prioritisation,
    Consolidation,
    Monitoring,
    Closed,
}

impl From<Proposal> for ProposalRecord {
    fn from(proposal: Proposal) -> ProposalRecord {
        let Proposal {
            number,
            section,
            room_id,
            title,
            description,
            author,
            organisation,
            state,
            answer,
            hidden,
            created_ms,
            updated_ms,
            source_event,
            card_event,
            redacted,
        } = proposal;
        ProposalRecord {
            number,
            section,
            room_id,
            title,
            description,
            author,
            organisation,
            state: state.into(),
            answer,
            hidden,
            created_ms,
            updated_ms,
            source_event,
            card_event,
            redacted,
        }
    }
}

impl From<ProposalRecord> for Proposal {
    fn from(record: ProposalRecord) -> Proposal {
        let ProposalRecord {
            number,
            section,
            room_id,
            title,
            description,
            author,
            organisation,
            state,
            answer,
            hidden,
            created_ms,
            updated_ms,
            source_event,
            card_event,
            redacted,
        } = record;
        Proposal {
            number,
            section,
            room_id,
            title,
            description,
            author,
            organisation,
            state: state.into(),
            answer,
            hidden,
            created_ms,
            updated_ms,
            source_event,
            card_event,
            redacted,
        }
    }
}

impl From<ProposalState> for ProposalStateRecord {
    fn from(state: ProposalState) -> ProposalStateRecord {
        match state {
            ProposalState::Open => ProposalStateRecord::Open,
            ProposalState::Evaluating => ProposalStateRecord::Evaluating,
            ProposalState::Accepted => ProposalStateRecord::Accepted,
            ProposalState::Rejected => ProposalStateRecord::Rejected,
            ProposalState::Withdrawn => ProposalStateRecord::Withdrawn,
            ProposalState::Merged(into) => ProposalStateRecord::Merged(into),
        }
    }
}

impl From<ProposalStateRecord> for ProposalState {
    fn from(record: ProposalStateRecord) -> ProposalState {
        match record {
            ProposalStateRecord::Open => ProposalState::Open,
            ProposalStateRecord::Evaluating => ProposalState::Evaluating,
            ProposalStateRecord::Accepted => ProposalState::Accepted,
            ProposalStateRecord::Rejected => ProposalState::Rejected,
            ProposalStateRecord::Withdrawn => ProposalState::Withdrawn,
            ProposalStateRecord::Merged(into) => ProposalState::Merged(into),
        }
    }
}

impl From<Ballot> for BallotRecord {
    fn from(ballot: Ballot) -> BallotRecord {
        let Ballot { stance, source } = ballot;
        BallotRecord {
            stance: stance.map(StanceRecord::from),
            source,
        }
    }
}

impl From<BallotRecord> for Ballot {
    fn from(record: BallotRecord) -> Ballot {
        let BallotRecord { stance, source } = record;
        Ballot {
            stance: stance.map(Stance::from),
            source,
        }
    }
}

impl From<Stance> for StanceRecord {
    fn from(stance: Stance) -> StanceRecord {
        match stance {
            Stance::Support => StanceRecord::Support,
            Stance::Oppose => StanceRecord::Oppose,
        }
    }
}

impl From<StanceRecord> for Stance {
    fn from(record: StanceRecord) -> Stance {
        match record {
            StanceRecord::Support => Stance::Support,
            StanceRecord::Oppose => Stance::Oppose,
        }
    }
}

impl From<Comment> for CommentRecord {
    fn from(comment: Comment) -> CommentRecord {
        let Comment {
            event_id,
            section,
            proposal,
            author,
            organisation,
            text,
            at_ms,
            redacted,
        } = comment;
        CommentRecord {
            event_id,
            section,
            proposal,
            author,
            organisation,
            text,
            at_ms,
            redacted,
        }
    }
}

impl From<CommentRecord> for Comment {
    fn from(record: CommentRecord) -> Comment {
        let CommentRecord {
            event_id,
            section,
            proposal,
            author,
            organisation,
            text,
            at_ms,
            redacted,
        } = record;
        Comment {
            event_id,
            section,
            proposal,
            author,
            organisation,
            text,
            at_ms,
            redacted,
        }
    }
}

impl From<Phase> for PhaseRecord {
    fn from(phase: Phase) -> PhaseRecord {
        match phase {
            Phase::Consultation => PhaseRecord::Consultation,
            Phase::Prioritisation => PhaseRecord::Prioritisation,
            Phase::Consolidation => PhaseRecord::Consolidation,
            Phase::Monitoring => PhaseRecord::Monitoring,
            Phase::Closed => PhaseRecord::Closed,
        }
    }
}

impl From<PhaseRecord> for Phase {
    fn from(record: PhaseRecord) -> Phase {
        match record {
            PhaseRecord::Consultation => Phase::Consultation,
            PhaseRecord::Prioritisation => Phase::Prioritisation,
            PhaseRecord::Consolidation => Phase::Consolidation,
            PhaseRecord::Monitoring => Phase::Monitoring,
            PhaseRecord::Closed => Phase::Closed,
        }
    }
}
