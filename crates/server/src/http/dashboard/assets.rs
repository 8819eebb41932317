//! Static files under `/static/…`, embedded in the binary: one line per file in [`FILES`]
//! (name, content type, bytes). Nothing is read from disk at run time, so a deployment is
//! the binary alone.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::state::AppState;

macro_rules! asset {
    ($name:literal, $mime:literal) => {
        (
            $name,
            $mime,
            include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/static/", $name)).as_slice(),
        )
    };
}

/// Every static file: (name under `/static/`, content type, bytes).
pub const FILES: &[(&str, &str, &[u8])] = &[
    asset!("app.css", "text/css; charset=utf-8"),
    asset!("app.js", "text/javascript; charset=utf-8"),
    asset!("htmx.min.js", "text/javascript; charset=utf-8"),
    asset!("htmx-LICENSE.txt", "text/plain; charset=utf-8"),
    asset!("icon.svg", "image/svg+xml"),
];

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/static/{name}", get(serve))
        .route("/favicon.ico", get(favicon))
}

fn respond(name: &str) -> Response {
    match FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, mime, bytes)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=3600"),
                ),
            ],
            *bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn serve(Path(name): Path<String>) -> Response {
    respond(&name)
}

async fn favicon() -> Response {
    respond("icon.svg")
}
