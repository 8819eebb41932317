//! The staff dashboard: server-rendered HTML (askama, auto-escaped) in Bahasa Indonesia,
//! enhanced with htmx where it helps (live refresh, "load more", identity reveal) and
//! working without it for everything that changes data (plain forms, post/redirect/get).
//!
//! Invariants:
//! - Every page needs a live `web` session cookie ([`session::WebStaff`] for reads,
//!   [`session::Posted`] for writes); a read without one redirects to `/login`, a write
//!   without one is 401. Every write carries the session's CSRF token (form field `csrf`
//!   or header `X-CSRF-Token`, compared in constant time); the login form uses a
//!   double-submit cookie. [`session::WebStaff`] refuses non-GET requests, so a handler
//!   that changes data cannot skip the CSRF check by taking the wrong extractor.
//! - Visibility and masking come from `services::complaints` (`visible`, `scope`,
//!   `detail`); nothing here decides what an agency may see.
//! - No inline script or style anywhere (the CSP forbids them): CSS and JS come from
//!   `/static`, embedded in the binary ([`assets`]).
//! - Pages carry `Cache-Control: no-store`: they hold personal data.

pub mod admin;
pub mod assets;
pub mod complaint;
pub mod inbox;
pub mod live;
pub mod outbox;
pub mod reports;
pub mod session;
pub mod stats;

use std::fmt::Write as _;

use askama::Template;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use tower_http::set_header::SetResponseHeaderLayer;
use wani_bares_domain::calendar::OfficeCalendar;
use wani_bares_domain::role::Role;

use crate::error::AppError;
use crate::services::auth::Staff;
use crate::state::AppState;

/// Every dashboard route.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(session::router())
        .merge(inbox::router())
        .merge(reports::router())
        .merge(complaint::router())
        .merge(admin::router())
        .merge(outbox::router())
        .merge(stats::router())
        .merge(live::router())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        // Static files set their own cache header, so they are merged after the layer.
        .merge(assets::router())
}

/// Renders a template with a status; a rendering failure is logged and answered 500.
pub fn render(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// A page as a 200 response.
pub fn page(template: &impl Template) -> Response {
    render(StatusCode::OK, template)
}

/// A standalone error page (no navigation needing the database).
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    title: String,
    message: String,
}

/// An error shown as an HTML page (the dashboard's counterpart of the API's JSON errors).
#[derive(Debug)]
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError(e)
    }
}

impl From<wani_bares_store::StoreError> for PageError {
    fn from(e: wani_bares_store::StoreError) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let err = self.0;
        if let AppError::Internal(e) = &err {
            tracing::error!(error = ?e, "internal error");
        }
        let status = err.status();
        let title = match status {
            StatusCode::NOT_FOUND => "Tidak ditemukan",
            StatusCode::FORBIDDEN => "Tidak diizinkan",
            StatusCode::UNAUTHORIZED => "Perlu masuk",
            StatusCode::CONFLICT => "Tidak dapat dilakukan sekarang",
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => "Isian tidak valid",
            StatusCode::TOO_MANY_REQUESTS => "Terlalu banyak percobaan",
            StatusCode::SERVICE_UNAVAILABLE => "Layanan belum tersedia",
            _ => "Terjadi kesalahan",
        };
        render(
            status,
            &ErrorPage {
                status: status.as_u16(),
                title: title.to_owned(),
                message: friendly(&err),
            },
        )
    }
}

/// The message staff read for an error (Bahasa Indonesia; internal details hidden).
pub fn friendly(err: &AppError) -> String {
    match err {
        AppError::NotFound => "Data tidak ditemukan atau tidak dapat Anda akses.".into(),
        AppError::Unauthorized => "Sesi Anda berakhir. Silakan masuk kembali.".into(),
        AppError::TooManyRequests => "Terlalu banyak percobaan. Coba lagi nanti.".into(),
        AppError::TooLarge => "Isian terlalu besar.".into(),
        AppError::Internal(_) => {
            "Terjadi kesalahan pada sistem. Coba lagi; bila berulang, hubungi pengelola.".into()
        }
        other => capitalize(&other.public_message()),
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

/// Short Indonesian month names.
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des",
];

/// "4 Nov 2026 09:15" in the office timezone.
pub fn fmt_time(cal: &OfficeCalendar, ms: i64) -> String {
    if ms == i64::MAX {
        return "—".into();
    }
    let dt = cal.local(wani_bares_store::timestamp(ms));
    format!(
        "{} {} {} {:02}:{:02}",
        dt.day(),
        MONTHS[(dt.month() as usize).saturating_sub(1).min(11)],
        dt.year(),
        dt.hour(),
        dt.minute()
    )
}

/// "4 Nov 2026" for a civil date.
pub fn fmt_date(d: jiff::civil::Date) -> String {
    format!(
        "{} {} {}",
        d.day(),
        MONTHS[(d.month() as usize).saturating_sub(1).min(11)],
        d.year()
    )
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay).
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A link in the queue bar.
#[derive(Clone, Debug)]
pub struct QueueLink {
    /// URL slug.
    pub slug: &'static str,
    /// Label.
    pub label: &'static str,
    /// Items waiting.
    pub count: i64,
    /// The page shows this queue.
    pub active: bool,
}

/// What every page's frame shows: who is logged in, the queues with their counts, the
/// navigation and the admins' alerts.
#[derive(Clone, Debug)]
pub struct Chrome {
    /// Display name.
    pub name: String,
    /// Role label.
    pub role_label: &'static str,
    /// The agency of an OPD user.
    pub agency: Option<String>,
    /// CSRF token for forms and htmx.
    pub csrf: String,
    /// Queues with counts.
    pub queues: Vec<QueueLink>,
    /// Active navigation item (`inbox`, `search`, `stats`, `canned`, `outbox`, `admin`,
    /// `account`).
    pub nav: &'static str,
    /// Admin or superadmin.
    pub is_admin: bool,
    /// Superadmin.
    pub is_superadmin: bool,
    /// May read the monthly reports (everyone but agency users).
    pub reports: bool,
    /// Open alerts (admins only).
    pub alerts: Vec<String>,
    /// The queue the page shows ("" for none), for the live queue bar.
    pub active_queue: String,
}

impl Chrome {
    /// Builds the frame for a staff member (a few indexed counts).
    pub async fn build(
        state: &AppState,
        staff: &Staff,
        nav: &'static str,
        active_queue: Option<&str>,
    ) -> Result<Chrome, AppError> {
        let queues = inbox::queue_links(state, staff, active_queue).await?;
        let is_admin = matches!(staff.role, Role::Admin | Role::Superadmin);
        let alerts = if is_admin {
            crate::services::admin::open_alerts(state)
                .await?
                .into_iter()
                .map(|a| alert_text(&a.kind, &a.message))
                .collect()
        } else {
            Vec::new()
        };
        Ok(Chrome {
            name: staff.name.clone(),
            role_label: staff.role.label_id(),
            agency: staff.agency_code.as_ref().map(|c| c.as_str().to_owned()),
            csrf: staff.csrf.clone(),
            queues,
            nav,
            is_admin,
            is_superadmin: staff.role == Role::Superadmin,
            reports: staff.role != Role::Opd,
            alerts,
            active_queue: active_queue.unwrap_or("").to_owned(),
        })
    }
}

fn alert_text(kind: &str, message: &str) -> String {
    match kind {
        "token_expired" => format!(
            "Token akses WhatsApp kedaluwarsa (kode 190): pesan keluar ditahan sampai token diperbarui. {message}"
        ),
        "template_config" => format!("Template WhatsApp bermasalah: {message}"),
        _ => message.to_owned(),
    }
}

/// Whether a request came from htmx (partial answers).
pub fn is_htmx(headers: &axum::http::HeaderMap) -> bool {
    headers.get("hx-request").is_some_and(|v| v == "true")
}

/// Reads one field of a posted form (all fields, repeated keys kept).
#[derive(Clone, Debug, Default)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The first value of `name`, trimmed, if not blank.
    pub fn opt(&self, name: &str) -> Option<&str> {
        Some(self.get(name).trim()).filter(|v| !v.is_empty())
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// A checkbox: present and not "false"/"0".
    pub fn checked(&self, name: &str) -> bool {
        self.0
            .iter()
            .any(|(k, v)| k == name && v != "false" && v != "0")
    }
}

/// See-other redirect (after a successful POST).
pub fn see_other(to: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            HeaderValue::from_str(to).unwrap_or_else(|_| HeaderValue::from_static("/")),
        )],
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_like_four_nov_2026_nine_fifteen_in_wib() {
        let cal = OfficeCalendar::new(
            wani_bares_domain::calendar::parse_timezone("Asia/Jakarta")
                .unwrap_or_else(|_| unreachable!("a known zone")),
        );
        let ms = "2026-11-04T02:15:00Z"
            .parse::<jiff::Timestamp>()
            .map(jiff::Timestamp::as_millisecond)
            .unwrap_or_default();
        assert_eq!(fmt_time(&cal, ms), "4 Nov 2026 09:15");
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(urlencode("cek data & KTP"), "cek%20data%20%26%20KTP");
    }
}
