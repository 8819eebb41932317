//! HTTP: the router and its feature modules. Handlers are thin: extract, call a service,
//! render.

pub mod api;
pub mod dashboard;
pub mod health;
pub mod openapi;
pub mod webhook;

use axum::Router;
use axum::http::{HeaderValue, header};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::state::AppState;

/// The whole router.
pub fn router(state: AppState) -> Router {
    router_with(state, Router::new())
}

/// The whole router plus `extra` routes (the demo's simulator), under the same layers.
pub fn router_with(state: AppState, extra: Router) -> Router {
    let app = Router::new()
        .merge(health::router())
        .merge(api::router())
        .merge(dashboard::router())
        .merge(webhook::router(&state))
        .with_state(state)
        .merge(extra);
    app.layer(axum::middleware::from_fn(refuse_nul_in_uri))
        .layer(axum::middleware::from_fn(crate::metrics::track))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            ),
        ))
        .layer(TraceLayer::new_for_http().make_span_with(
            |req: &axum::http::Request<_>| {
                // The path only: query strings may carry tokens (the webhook handshake).
                tracing::info_span!("http", method = %req.method(), path = %req.uri().path())
            },
        ))
        .layer(CatchPanicLayer::new())
}

/// A NUL character (`%00`) in a path or query is refused with 400 before any handler runs:
/// it never carries meaning, and PostgreSQL text cannot hold it (a lookup by such a ticket
/// or agency code was a database error, 500). Bodies are checked by their extractors
/// (`api::ApiJson`, `dashboard::session`).
async fn refuse_nul_in_uri(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let uri = req.uri();
    let has_nul = |s: &str| s.contains("%00") || s.contains('\0');
    if has_nul(uri.path()) || uri.query().is_some_and(has_nul) {
        return crate::error::AppError::BadRequest("NUL character in the address".into())
            .into_response();
    }
    next.run(req).await
}
