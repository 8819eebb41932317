//! The WhatsApp webhook (https://developers.facebook.com/docs/graph-api/webhooks/getting-started):
//! `GET /webhooks/whatsapp` answers the verification handshake; `POST` checks
//! `X-Hub-Signature-256` on the raw bytes (constant time), stores the body durably in the
//! inbox and only then answers 200. Parsing and processing happen in the processor job.
//! Bodies above the configured limit get 413 before they are read in full.

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use subtle::ConstantTimeEq;
use tower_http::limit::RequestBodyLimitLayer;
use wani_bares_whatsapp::signature;

use crate::state::AppState;

/// Routes.
pub fn router(state: &AppState) -> Router<AppState> {
    let limit = state.config.whatsapp.max_body_bytes;
    Router::new()
        .route("/webhooks/whatsapp", get(verify).post(receive))
        .layer(DefaultBodyLimit::max(limit))
        .layer(RequestBodyLimitLayer::new(limit))
}

async fn verify(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let expected = state.config.whatsapp.verify_token.expose().as_bytes();
    let mode_ok = q.get("hub.mode").map(String::as_str) == Some("subscribe");
    let given = q.get("hub.verify_token").map_or(&b""[..], |t| t.as_bytes());
    let token_ok = !expected.is_empty() && bool::from(given.ct_eq(expected));
    match (mode_ok && token_ok, q.get("hub.challenge")) {
        (true, Some(challenge)) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            challenge.clone(),
        )
            .into_response(),
        _ => (StatusCode::FORBIDDEN, "forbidden").into_response(),
    }
}

async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let secret = state.config.whatsapp.app_secret.expose().as_bytes();
    if secret.is_empty() {
        // Not configured: Meta retries later, nothing is lost.
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "whatsapp is not configured",
        )
            .into_response();
    }
    let header_value = headers
        .get(signature::HEADER_NAME)
        .and_then(|v| v.to_str().ok());
    if let Err(e) = signature::verify(secret, &body, header_value) {
        metrics::counter!("webhook_rejected_total", "reason" => format!("{e:?}")).increment(1);
        tracing::warn!(reason = %e, bytes = body.len(), "webhook refused: bad signature");
        return (StatusCode::UNAUTHORIZED, "invalid signature").into_response();
    }
    match state.inbox.submit(body).await {
        Ok(()) => {
            metrics::counter!("webhook_accepted_total").increment(1);
            (StatusCode::OK, "EVENT_RECEIVED").into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "webhook not stored; answering 503 so Meta retries");
            (StatusCode::SERVICE_UNAVAILABLE, "try again").into_response()
        }
    }
}
