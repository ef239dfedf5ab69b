//! `POST /api/v1/measurements`: a source system (a statistics office's pipeline, a payments
//! platform) posts the value of an expected result's indicator, with its bearer token
//! (`[[http.sources]]`). 401 without a valid token, 422 with a JSON error on bad input, 202
//! when accepted: the measurement is then queued as an import message naming its source, and
//! applied when it comes back through the room. The same `idempotency_key` from the same
//! source is one measurement, however often it is posted.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use pspm_config::http::HttpSource;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::Notify;

use crate::app::import::{queue, ImportError};
use crate::domain::imports::Imported;
use crate::domain::{Settings, State as EngineState};
use crate::store::Store;
use crate::telemetry::metrics;

/// The largest body read: a measurement is a few hundred bytes.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
const MAX_KEY_CHARS: usize = 200;
/// Keys remembered before the memory starts afresh: forgetting costs at most a second import
/// message for a late repeat, which the engine then skips.
const REMEMBERED_KEYS: usize = 100_000;
const MAX_NOTE_CHARS: usize = 1000;

/// What the endpoint needs.
#[derive(Clone)]
pub struct Webhook {
    pub store: Arc<dyn Store>,
    pub settings: Arc<Settings>,
    pub sources: Arc<Vec<HttpSource>>,
    pub outbox_wake: Arc<Notify>,
    /// Keys accepted by this process: a repeat is answered without a second message (the
    /// engine counts each key once anyway, across restarts too).
    pub accepted: Arc<Mutex<HashSet<String>>>,
}

/// The body, as the README documents it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MeasurementIn {
    result: String,
    value: f64,
    /// `YYYY-MM-DD`; the day it arrives when absent.
    date: Option<String>,
    #[serde(default)]
    note: String,
    idempotency_key: String,
}

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    (status, Json(body)).into_response()
}

fn unprocessable(error: impl std::fmt::Display) -> Response {
    metrics().command("webhook", "invalid");
    answer(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({ "error": error.to_string() }),
    )
}

/// Compares without stopping at the first difference, so the time taken tells nothing of
/// how much of a token was right.
fn same_token(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len()
        && given
            .iter()
            .zip(expected)
            .fold(0u8, |differ, (a, b)| differ | (a ^ b))
            == 0
}

/// The source whose token the request bears.
fn source_of<'a>(sources: &'a [HttpSource], headers: &HeaderMap) -> Option<&'a HttpSource> {
    let given = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")?
        .trim();
    sources
        .iter()
        .find(|source| same_token(given.as_bytes(), source.token.expose().as_bytes()))
}

fn read(body: &[u8]) -> Result<(MeasurementIn, Option<NaiveDate>), String> {
    let input: MeasurementIn =
        serde_json::from_slice(body).map_err(|error| match error.classify() {
            serde_json::error::Category::Data => format!("{error}"),
            _ => format!("the body is not JSON: {error}"),
        })?;
    if input.result.trim().is_empty() {
        return Err("result: empty".into());
    }
    if !input.value.is_finite() {
        return Err("value: not a finite number".into());
    }
    let key_chars = input.idempotency_key.trim().chars().count();
    if !(1..=MAX_KEY_CHARS).contains(&key_chars) {
        return Err(format!(
            "idempotency_key: from 1 to {MAX_KEY_CHARS} characters"
        ));
    }
    if input.note.chars().count() > MAX_NOTE_CHARS {
        return Err(format!("note: longer than {MAX_NOTE_CHARS} characters"));
    }
    let date = input
        .date
        .as_deref()
        .map(|text| {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .map_err(|_| format!("date: \"{text}\" is not a date (YYYY-MM-DD)"))
        })
        .transpose()?;
    Ok((input, date))
}

pub async fn post_measurement(
    State(webhook): State<Webhook>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(source) = source_of(&webhook.sources, &headers) else {
        metrics().command("webhook", "unauthorised");
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            Json(json!({ "error": "a valid bearer token is needed (Authorization: Bearer <token>)" })),
        )
            .into_response();
    };
    let (input, date) = match read(&body) {
        Ok(read) => read,
        Err(error) => return unprocessable(error),
    };
    let origin = format!("webhook:{}", source.name);
    let key = format!("{origin}:{}", input.idempotency_key.trim());
    let first_time = {
        let mut accepted = webhook
            .accepted
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if accepted.len() >= REMEMBERED_KEYS {
            accepted.clear();
        }
        accepted.insert(key.clone())
    };
    if !first_time {
        metrics().command("webhook", "duplicate");
        return answer(
            StatusCode::ACCEPTED,
            json!({ "status": "duplicate", "idempotency_key": input.idempotency_key }),
        );
    }
    let update = Imported::Measurement {
        key: key.clone(),
        result: input.result.trim().to_owned(),
        value: input.value,
        date,
        note: input.note.trim().to_owned(),
    };
    let queued = {
        let webhook = webhook.clone();
        let origin = origin.clone();
        tokio::task::spawn_blocking(move || {
            // Measurements need no state: the plan's results are in the settings, and the
            // engine skips a key it applied before.
            queue(
                &webhook.settings,
                &EngineState::default(),
                webhook.store.as_ref(),
                &origin,
                vec![("the measurement".to_owned(), update)],
                Some(&webhook.outbox_wake),
            )
        })
        .await
    };
    let forget = || {
        webhook
            .accepted
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&key);
    };
    match queued {
        Ok(Ok(_)) => {
            tracing::info!(source = %source.name, result = %input.result, "measurement accepted");
            metrics().command("webhook", "accepted");
            answer(
                StatusCode::ACCEPTED,
                json!({
                    "status": "accepted",
                    "source": origin,
                    "result": input.result.trim(),
                    "idempotency_key": input.idempotency_key,
                }),
            )
        }
        Ok(Err(ImportError::Refused(errors))) => {
            forget();
            unprocessable(errors.join("; "))
        }
        Ok(Err(ImportError::Store(error))) => {
            forget();
            tracing::error!(%error, "cannot queue a measurement");
            answer(
                StatusCode::SERVICE_UNAVAILABLE,
                json!({ "error": "the bot cannot store it now; try again" }),
            )
        }
        Err(error) => {
            forget();
            tracing::error!(%error, "queueing a measurement failed");
            answer(
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({ "error": "internal error" }),
            )
        }
    }
}
