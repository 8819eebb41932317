//! The web layer's one error type. Every handler returns `Result<_, AppError>`; internal
//! errors are logged once with their cause chain and never shown to the client. API
//! clients get `{"error": {"code", "message"}}`; the dashboard gets a page.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error answered to an HTTP client.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// 401: not logged in, or the credentials are wrong.
    #[error("authentication required")]
    Unauthorized,
    /// 403: logged in but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// 404: no such thing (also used where revealing existence would leak).
    #[error("not found")]
    NotFound,
    /// 409: not allowed in the current state.
    #[error("{0}")]
    Conflict(String),
    /// 413: body too large.
    #[error("payload too large")]
    TooLarge,
    /// 422: well-formed but invalid input.
    #[error("{0}")]
    Invalid(String),
    /// 429: too many attempts.
    #[error("too many attempts; try again later")]
    TooManyRequests,
    /// 503: a dependency (database, WhatsApp) is not available.
    #[error("{0}")]
    Unavailable(String),
    /// 500: a bug or an infrastructure failure; logged, not shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A short machine code.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => "bad_request",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::TooLarge => "too_large",
            AppError::Invalid(_) => "invalid",
            AppError::TooManyRequests => "too_many_requests",
            AppError::Unavailable(_) => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    /// The message safe to show.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Internal(_) => "internal error".into(),
            other => other.to_string(),
        }
    }
}

impl From<wani_bares_store::StoreError> for AppError {
    fn from(err: wani_bares_store::StoreError) -> Self {
        match err {
            wani_bares_store::StoreError::NotFound => AppError::NotFound,
            wani_bares_store::StoreError::Conflict(what) => {
                AppError::Conflict(format!("already exists ({what})"))
            }
            other => AppError::Internal(other.into()),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(err) = &self {
            tracing::error!(error = ?err, "internal error");
        }
        let body = json!({"error": {"code": self.code(), "message": self.public_message()}});
        (self.status(), Json(body)).into_response()
    }
}
