//! `GET /healthz` (200 with a small JSON body when the database answers, 503 otherwise)
//! and `GET /metrics` (Prometheus text format, queue depths refreshed on scrape).

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use wani_bares_store::{attachments, inbox, outbox};

use crate::state::AppState;

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
}

async fn healthz(State(state): State<AppState>) -> Response {
    let check = tokio::time::timeout(std::time::Duration::from_secs(2), state.store.ping()).await;
    match check {
        Ok(Ok(())) => Json(json!({
            "status": "ok",
            "database": state.store.backend().as_str(),
            "version": env!("CARGO_PKG_VERSION"),
        }))
        .into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "health check: database error");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable", "database": "error"})),
            )
                .into_response()
        }
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "unavailable", "database": "timeout"})),
        )
            .into_response(),
    }
}

/// Refreshes the queue-depth gauges.
pub async fn refresh_gauges(state: &AppState) -> Result<(), wani_bares_store::StoreError> {
    let (pending, _done, poison) = {
        let mut ir = state.store.inbox_reader().await?;
        inbox::counts(&mut ir.conn()).await?
    };
    let mut r = state.store.reader().await?;
    metrics::gauge!("inbox_pending").set(pending as f64);
    metrics::gauge!("inbox_poison").set(poison as f64);
    let counts = outbox::counts(&mut r.conn()).await?;
    for st in ["pending", "sending", "sent", "dead", "unknown", "held"] {
        let n = counts.iter().find(|(s, _)| s == st).map_or(0, |(_, n)| *n);
        metrics::gauge!("outbox_rows", "state" => st).set(n as f64);
    }
    metrics::gauge!("media_failed")
        .set(attachments::failed(&mut r.conn(), 1000).await?.len() as f64);
    let (busy, idle) = state.store.pool_stats();
    metrics::gauge!("db_connections", "state" => "busy").set(f64::from(busy));
    metrics::gauge!("db_connections", "state" => "idle").set(f64::from(idle));
    Ok(())
}

async fn metrics(State(state): State<AppState>) -> Response {
    if let Err(e) = refresh_gauges(&state).await {
        tracing::warn!(error = %e, "metrics: could not read queue depths");
    }
    let body = crate::metrics::handle().render();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}
