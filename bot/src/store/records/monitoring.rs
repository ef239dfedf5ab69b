//! The stored forms of monitoring: actions assigned from chat, progress updates and
//! measurements. Dates are chrono's `NaiveDate` (`"2026-12-01"`), numbers JSON numbers.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::monitoring::{Action, Measurement, Origin, Update};

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionRecord {
    pub code: String,
    pub section: String,
    pub objective: Option<String>,
    pub title: String,
    pub owner: Option<String>,
    pub owners: Vec<String>,
    pub start: Option<NaiveDate>,
    /// `null` for an open-ended action; a date in every record of older stores.
    pub due: Option<NaiveDate>,
    pub weight: f64,
    pub proposal: Option<u32>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct UpdateRecord {
    pub event_id: String,
    pub author: String,
    pub at_ms: i64,
    pub progress: u8,
    pub note: String,
    /// Absent from records of chat updates (and of stores older than imports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<OriginRecord>,
}

/// Where an imported update came from.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct OriginRecord {
    pub source: String,
    pub key: String,
}

impl From<Origin> for OriginRecord {
    fn from(Origin { source, key }: Origin) -> OriginRecord {
        OriginRecord { source, key }
    }
}

impl From<OriginRecord> for Origin {
    fn from(OriginRecord { source, key }: OriginRecord) -> Origin {
        Origin { source, key }
    }
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct MeasurementRecord {
    pub event_id: String,
    pub result: String,
    pub value: f64,
    pub date: NaiveDate,
    pub note: String,
    pub author: String,
    pub at_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<OriginRecord>,
}

impl From<Action> for ActionRecord {
    fn from(action: Action) -> ActionRecord {
        let Action {
            code,
            section,
            objective,
            title,
            owner,
            owners,
            start,
            due,
            weight,
            proposal,
        } = action;
        ActionRecord {
            code,
            section,
            objective,
            title,
            owner,
            owners,
            start,
            due,
            weight,
            proposal,
        }
    }
}

impl From<ActionRecord> for Action {
    fn from(record: ActionRecord) -> Action {
        let ActionRecord {
            code,
            section,
            objective,
            title,
            owner,
            owners,
            start,
            due,
            weight,
            proposal,
        } = record;
        Action {
            code,
            section,
            objective,
            title,
            owner,
            owners,
            start,
            due,
            weight,
            proposal,
        }
    }
}

impl From<Update> for UpdateRecord {
    fn from(update: Update) -> UpdateRecord {
        let Update {
            event_id,
            author,
            at_ms,
            progress,
            note,
            origin,
        } = update;
        UpdateRecord {
            event_id,
            author,
            at_ms,
            progress,
            note,
            origin: origin.map(OriginRecord::from),
        }
    }
}

impl From<UpdateRecord> for Update {
    fn from(record: UpdateRecord) -> Update {
        let UpdateRecord {
            event_id,
            author,
            at_ms,
            progress,
            note,
            origin,
        } = record;
        Update {
            event_id,
            author,
            at_ms,
            progress,
            note,
            origin: origin.map(Origin::from),
        }
    }
}

impl From<Measurement> for MeasurementRecord {
    fn from(measurement: Measurement) -> MeasurementRecord {
        let Measurement {
            event_id,
            result,
            value,
            date,
            note,
            author,
            at_ms,
            origin,
        } = measurement;
        MeasurementRecord {
            event_id,
            result,
            value,
            date,
            note,
            author,
            at_ms,
            origin: origin.map(OriginRecord::from),
        }
    }
}

impl From<MeasurementRecord> for Measurement {
    fn from(record: MeasurementRecord) -> Measurement {
        let MeasurementRecord {
            event_id,
            result,
            value,
            date,
            note,
            author,
            at_ms,
            origin,
        } = record;
        Measurement {
            event_id,
            result,
            value,
            date,
            note,
            author,
            at_ms,
            origin: origin.map(Origin::from),
        }
    }
}
