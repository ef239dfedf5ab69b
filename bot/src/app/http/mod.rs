//! The bot's HTTP endpoints, when `[http] listen` is set: for operators `GET /health` (200
//! when the bot is logged in, synced within twice its sync timeout and its outbox drains,
//! else 503 with the reason, both as JSON) and `GET /metrics` (the [`telemetry`] metrics in
//! the OpenMetrics text format, which Prometheus reads); for source systems
//! `POST /api/v1/measurements` (`measurements.rs`). The only code that imports axum.

mod measurements;

pub use measurements::Webhook;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use pspm_indexer::Index;
use serde_json::json;
use tokio::sync::watch;

use crate::store::Store;
use crate::telemetry::{metrics, Gauges};

const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// What the endpoints read.
#[derive(Clone)]
pub struct Endpoints {
    pub store: Arc<dyn Store>,
    pub index: Arc<Index>,
    pub sync_timeout: Duration,
}

/// Both sets of endpoints' state.
#[derive(Clone)]
struct Served {
    endpoints: Endpoints,
    webhook: Webhook,
}

impl axum::extract::FromRef<Served> for Endpoints {
    fn from_ref(served: &Served) -> Endpoints {
        served.endpoints.clone()
    }
}

impl axum::extract::FromRef<Served> for Webhook {
    fn from_ref(served: &Served) -> Webhook {
        served.webhook.clone()
    }
}

/// Binds `listen` now (a taken port stops the start with a clear error) and returns the
/// server, which runs until `shutdown`.
pub async fn bind(
    listen: SocketAddr,
    endpoints: Endpoints,
    webhook: Webhook,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<impl std::future::Future<Output = anyhow::Result<()>>> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen} (http.listen)"))?;
    tracing::info!(%listen, "serving /health, /metrics and /api/v1/measurements");
    let app = Router::new()
        .route("/health", get(health))
        .route("/metrics", get(scrape))
        .route(
            "/api/v1/measurements",
            post(measurements::post_measurement)
                .layer(DefaultBodyLimit::max(measurements::MAX_BODY_BYTES)),
        )
        .with_state(Served { endpoints, webhook });
    Ok(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = shutdown.wait_for(|stop| *stop).await;
            })
            .await
            .context("the HTTP endpoints stopped")
    })
}

async fn health(State(endpoints): State<Endpoints>) -> Response {
    let depth = match endpoints.store.outbox_len() {
        Ok(depth) => depth,
        Err(error) => {
            let reason = format!("the store cannot be read: {error}");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unhealthy", "reason": reason })),
            )
                .into_response();
        }
    };
    match metrics().unhealthy(endpoints.sync_timeout, depth) {
        None => (
            StatusCode::OK,
            Json(json!({ "status": "ok", "outbox_depth": depth })),
        )
            .into_response(),
        Some(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unhealthy", "reason": reason, "outbox_depth": depth })),
        )
            .into_response(),
    }
}

async fn scrape(State(endpoints): State<Endpoints>) -> Response {
    let gauges = Gauges {
        outbox_depth: endpoints.store.outbox_len().unwrap_or_default(),
        dead_letters: endpoints.store.dead_letter_count().unwrap_or_default(),
        index_documents: endpoints.index.documents(),
    };
    (
        [(header::CONTENT_TYPE, OPENMETRICS)],
        metrics().render(&gauges),
    )
        .into_response()
}
