//! The stored form of a state change: [`ChangeRecord`] mirrors [`Change`] variant for variant,
//! with the serde shape the log has always had (externally tagged, variant names as written).
//!
//! The conversions destructure every field without `..`, so a field added to the domain does
//! not compile until it is given a place here (and, if stored, a golden file).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::consultation::{AmendmentRecord, ItemCommentRecord, ItemRecord};
use super::iterations::VersionRecord;
use super::monitoring::{ActionRecord, MeasurementRecord, UpdateRecord};
use super::participation::{BallotRecord, CommentRecord, PhaseRecord, ProposalRecord};
use super::polls::{PollRecord, ResponseRecord};
use super::secret_ballot::SecretPollRecord;
use crate::domain::digest::{Period, Subscription};
use crate::domain::{Change, Language, PowerLevels};

/// A [`Change`] as the log stores it.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub enum ChangeRecord {
    PowerLevels {
        room_id: String,
        levels: PowerLevelsRecord,
    },
    BotJoined {
        room_id: String,
        at_ms: i64,
    },
    Proposal(ProposalRecord),
    Ballots {
        number: u32,
        user: String,
        organisation: String,
        ballots: Vec<BallotRecord>,
    },
    Comment(CommentRecord),
    Phase {
        section: String,
        phase: PhaseRecord,
    },
    Poll(PollRecord),
    /// A voter's one counted response, as stores kept it before responses had a history.
    PollResponse {
        poll: u32,
        user: String,
        response: ResponseRecord,
    },
    PollResponses {
        poll: u32,
        user: String,
        responses: Vec<ResponseRecord>,
    },
    /// Records of older stores (one per user) decode with empty fields.
    ToldServerNotAllowed {
        #[serde(default)]
        room_id: String,
        #[serde(default)]
        server: String,
    },
    Action(ActionRecord),
    ActionUpdate {
        code: String,
        update: UpdateRecord,
    },
    Measurement(MeasurementRecord),
    Reminded {
        room_id: String,
        day: NaiveDate,
    },
    ReplyLanguage {
        user: String,
        language: LanguageRecord,
    },
    CardShown {
        number: u32,
        text: u64,
    },
    Digest {
        user: String,
        subscription: Option<SubscriptionRecord>,
    },
    DirectRoom {
        user: String,
        room_id: String,
    },
    Digested {
        user: String,
        day: NaiveDate,
        at_ms: i64,
    },
    SecretPoll(SecretPollRecord),
    DraftItem(ItemRecord),
    ItemBallots {
        item: String,
        user: String,
        organisation: String,
        ballots: Vec<BallotRecord>,
    },
    ItemComment(ItemCommentRecord),
    Amendment(AmendmentRecord),
    IterationClosed(VersionRecord),
}

/// A digest subscription as stored; `sections` empty for all of them.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionRecord {
    pub period: PeriodRecord,
    pub sections: Vec<String>,
    pub since_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodRecord {
    Daily,
    Weekly,
}

impl From<Subscription> for SubscriptionRecord {
    fn from(subscription: Subscription) -> SubscriptionRecord {
        let Subscription {
            period,
            sections,
            since_ms,
        } = subscription;
        let period = match period {
            Period::Daily => PeriodRecord::Daily,
            Period::Weekly => PeriodRecord::Weekly,
        };
        SubscriptionRecord {
            period,
            sections,
            since_ms,
        }
    }
}

impl From<SubscriptionRecord> for Subscription {
    fn from(record: SubscriptionRecord) -> Subscription {
        let SubscriptionRecord {
            period,
            sections,
            since_ms,
        } = record;
        let period = match period {
            PeriodRecord::Daily => Period::Daily,
            PeriodRecord::Weekly => Period::Weekly,
        };
        Subscription {
            period,
            sections,
            since_ms,
        }
    }
}

/// A reply language as stored: `"it"` or `"en"`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LanguageRecord {
    It,
    En,
}

impl From<Language> for LanguageRecord {
    fn from(language: Language) -> LanguageRecord {
        match language {
            Language::It => LanguageRecord::It,
            Language::En => LanguageRecord::En,
        }
    }
}

impl From<LanguageRecord> for Language {
    fn from(record: LanguageRecord) -> Language {
        match record {
            LanguageRecord::It => Language::It,
            LanguageRecord::En => Language::En,
        }
    }
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct PowerLevelsRecord {
    pub users: BTreeMap<String, i64>,
    pub users_default: i64,
}

impl From<Change> for ChangeRecord {
    fn from(change: Change) -> ChangeRecord {
        match change {
            Change::PowerLevels { room_id, levels } => ChangeRecord::PowerLevels {
                room_id,
                levels: levels.into(),
            },
            Change::BotJoined { room_id, at_ms } => ChangeRecord::BotJoined { room_id, at_ms },
            Change::Proposal(proposal) => ChangeRecord::Proposal(proposal.into()),
            Change::Ballots {
                number,
                user,
                organisation,
                ballots,
            } => ChangeRecord::Ballots {
                number,
                user,
                organisation,
                ballots: ballots.into_iter().map(BallotRecord::from).collect(),
            },
            Change::Comment(comment) => ChangeRecord::Comment(comment.into()),
            Change::Phase { section, phase } => ChangeRecord::Phase {
                section,
                phase: phase.into(),
            },
            Change::Poll(poll) => ChangeRecord::Poll(poll.into()),
            Change::SecretPoll(poll) => ChangeRecord::SecretPoll(poll.into()),
            Change::PollResponses {
                poll,
                user,
                responses,
            } => ChangeRecord::PollResponses {
                poll,
                user,
                responses: responses.into_iter().map(ResponseRecord::from).collect(),
            },
            Change::ToldServerNotAllowed { room_id, server } => {
                ChangeRecord::ToldServerNotAllowed { room_id, server }
            }
            Change::Action(action) => ChangeRecord::Action(action.into()),
            Change::ActionUpdate { code, update } => ChangeRecord::ActionUpdate {
                code,
                update: update.into(),
            },
            Change::Measurement(measurement) => ChangeRecord::Measurement(measurement.into()),
            Change::Reminded { room_id, day } => ChangeRecord::Reminded { room_id, day },
            Change::CardShown { number, text } => ChangeRecord::CardShown { number, text },
            Change::ReplyLanguage { user, language } => ChangeRecord::ReplyLanguage {
                user,
                language: language.into(),
            },
            Change::Digest { user, subscription } => ChangeRecord::Digest {
                user,
                subscription: subscription.map(Into::into),
            },
            Change::DirectRoom { user, room_id } => ChangeRecord::DirectRoom { user, room_id },
            Change::Digested { user, day, at_ms } => ChangeRecord::Digested { user, day, at_ms },
            Change::DraftItem(item) => ChangeRecord::DraftItem(item.into()),
            Change::ItemBallots {
                item,
                user,
                organisation,
                ballots,
            } => ChangeRecord::ItemBallots {
                item,
                user,
                organisation,
                ballots: ballots.into_iter().map(BallotRecord::from).collect(),
            },
            Change::ItemComment(comment) => ChangeRecord::ItemComment(comment.into()),
            Change::Amendment(amendment) => ChangeRecord::Amendment(amendment.into()),
            Change::IterationClosed(version) => ChangeRecord::IterationClosed(version.into()),
        }
    }
}

impl From<ChangeRecord> for Change {
    fn from(record: ChangeRecord) -> Change {
        match record {
            ChangeRecord::PowerLevels { room_id, levels } => Change::PowerLevels {
                room_id,
                levels: levels.into(),
            },
            ChangeRecord::BotJoined { room_id, at_ms } => Change::BotJoined { room_id, at_ms },
            ChangeRecord::Proposal(proposal) => Change::Proposal(proposal.into()),
            ChangeRecord::Ballots {
                number,
                user,
                organisation,
                ballots,
            } => Change::Ballots {
                number,
                user,
                organisation,
                ballots: ballots.into_iter().map(Into::into).collect(),
            },
            ChangeRecord::Comment(comment) => Change::Comment(comment.into()),
            ChangeRecord::Phase { section, phase } => Change::Phase {
                section,
                phase: phase.into(),
            },
            ChangeRecord::Poll(poll) => Change::Poll(poll.into()),
            ChangeRecord::SecretPoll(poll) => Change::SecretPoll(poll.into()),
            ChangeRecord::PollResponse {
                poll,
                user,
                response,
            } => Change::PollResponses {
                poll,
                user,
                responses: vec![response.into()],
            },
            ChangeRecord::PollResponses {
                poll,
                user,
                responses,
            } => Change::PollResponses {
                poll,
                user,
                responses: responses.into_iter().map(Into::into).collect(),
            },
            ChangeRecord::ToldServerNotAllowed { room_id, server } => {
                Change::ToldServerNotAllowed { room_id, server }
            }
            ChangeRecord::Action(action) => Change::Action(action.into()),
            ChangeRecord::ActionUpdate { code, update } => Change::ActionUpdate {
                code,
                update: update.into(),
            },
            ChangeRecord::Measurement(measurement) => Change::Measurement(measurement.into()),
            ChangeRecord::Reminded { room_id, day } => Change::Reminded { room_id, day },
            ChangeRecord::CardShown { number, text } => Change::CardShown { number, text },
            ChangeRecord::ReplyLanguage { user, language } => Change::ReplyLanguage {
                user,
                language: language.into(),
            },
            ChangeRecord::Digest { user, subscription } => Change::Digest {
                user,
                subscription: subscription.map(Into::into),
            },
            ChangeRecord::DirectRoom { user, room_id } => Change::DirectRoom { user, room_id },
            ChangeRecord::Digested { user, day, at_ms } => Change::Digested { user, day, at_ms },
            ChangeRecord::DraftItem(item) => Change::DraftItem(item.into()),
            ChangeRecord::ItemBallots {
                item,
                user,
                organisation,
                ballots,
            } => Change::ItemBallots {
                item,
                user,
                organisation,
                ballots: ballots.into_iter().map(Into::into).collect(),
            },
            ChangeRecord::ItemComment(comment) => Change::ItemComment(comment.into()),
            ChangeRecord::Amendment(amendment) => Change::Amendment(amendment.into()),
            ChangeRecord::IterationClosed(version) => Change::IterationClosed(version.into()),
        }
    }
}

impl From<PowerLevels> for PowerLevelsRecord {
    fn from(levels: PowerLevels) -> PowerLevelsRecord {
        let PowerLevels {
            users,
            users_default,
        } = levels;
        PowerLevelsRecord {
            users,
            users_default,
        }
    }
}

impl From<PowerLevelsRecord> for PowerLevels {
    fn from(record: PowerLevelsRecord) -> PowerLevels {
        let PowerLevelsRecord {
            users,
            users_default,
        } = record;
        PowerLevels {
            users,
            users_default,
        }
    }
}
