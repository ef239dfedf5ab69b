//! A loopback proxy in front of a homeserver that can hold back to-device messages: what a
//! client's room-key share looks like when it reaches the bot after the message it unlocks
//! (another server's delivery lagging). While holding, `PUT …/sendToDevice/…` is answered
//! at once (the client goes on and sends its message) and kept; `release` forwards what was
//! kept, unchanged (same access token, same transaction ID). Everything else passes through.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::task::JoinHandle;

use crate::Result;

/// One request held back.
#[derive(Clone)]
struct Held {
    method: Method,
    path: String,
    headers: HeaderMap,
    body: Vec<u8>,
}

#[derive(Clone)]
struct Shared {
    upstream: String,
    http: reqwest::Client,
    holding: Arc<AtomicBool>,
    held: Arc<Mutex<Vec<Held>>>,
}

/// The proxy, serving until dropped.
pub struct KeyDelay {
    pub url: String,
    shared: Shared,
    serving: JoinHandle<()>,
}

impl Drop for KeyDelay {
    fn drop(&mut self) {
        self.serving.abort();
    }
}

impl KeyDelay {
    /// A proxy on a free loopback port in front of `upstream` (a homeserver's URL).
    pub async fn start(upstream: &str) -> Result<KeyDelay> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let shared = Shared {
            upstream: upstream.trim_end_matches('/').to_owned(),
            http: reqwest::Client::new(),
            holding: Arc::new(AtomicBool::new(false)),
            held: Arc::new(Mutex::new(Vec::new())),
        };
        let app = axum::Router::new()
            .fallback(proxy)
            .with_state(shared.clone());
        let serving = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(KeyDelay {
            url,
            shared,
            serving,
        })
    }

    /// From now on, to-device messages are held back.
    pub fn hold(&self) {
        self.shared.holding.store(true, Ordering::SeqCst);
    }

    /// How many to-device requests are held back now.
    pub fn held(&self) -> usize {
        self.shared.held.lock().map(|h| h.len()).unwrap_or_default()
    }

    /// Stops holding and forwards what was held, in order; how many requests.
    pub async fn release(&self) -> Result<usize> {
        self.shared.holding.store(false, Ordering::SeqCst);
        let held = std::mem::take(
            &mut *self
                .shared
                .held
                .lock()
                .map_err(|_| anyhow::anyhow!("poisoned"))?,
        );
        for request in &held {
            let status = forward(&self.shared, request).await?.0;
            anyhow::ensure!(
                status.is_success(),
                "a released to-device request: {status}"
            );
        }
        Ok(held.len())
    }
}

async fn proxy(State(shared): State<Shared>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, usize::MAX).await else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let held = Held {
        method: parts.method,
        path: parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default(),
        headers: parts.headers,
        body: body.to_vec(),
    };
    if held.method == Method::PUT
        && held.path.contains("/sendToDevice/")
        && shared.holding.load(Ordering::SeqCst)
    {
        if let Ok(mut all) = shared.held.lock() {
            all.push(held);
        }
        return (StatusCode::OK, [("content-type", "application/json")], "{}").into_response();
    }
    match forward(&shared, &held).await {
        Ok((status, content_type, body)) if held.path.contains("/login") => {
            // The login's `well_known` would send the client to the homeserver directly.
            let mut login: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            if let Some(fields) = login.as_object_mut() {
                fields.remove("well_known");
            }
            (status, [("content-type", content_type)], login.to_string()).into_response()
        }
        Ok((status, content_type, body)) => {
            (status, [("content-type", content_type)], Body::from(body)).into_response()
        }
        Err(_) => StatusCode::BAD_GATEWAY.into_response(),
    }
}

async fn forward(shared: &Shared, request: &Held) -> Result<(StatusCode, String, Vec<u8>)> {
    let mut outgoing = shared.http.request(
        request.method.clone(),
        format!("{}{}", shared.upstream, request.path),
    );
    for name in ["authorization", "content-type"] {
        if let Some(value) = request.headers.get(name) {
            outgoing = outgoing.header(name, value.clone());
        }
    }
    let response = outgoing.body(request.body.clone()).send().await?;
    let status = StatusCode::from_u16(response.status().as_u16())?;
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_owned();
    Ok((status, content_type, response.bytes().await?.to_vec()))
}
