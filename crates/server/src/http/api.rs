//! The JSON API under `/api/v1` (described by `/api/v1/openapi.json`). Bearer tokens from
//! `POST /api/v1/auth/login`; errors as `{"error": {"code", "message"}}`.

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use wani_bares_domain::lifecycle::Action;
use wani_bares_domain::role::Role;
use wani_bares_store::complaints::ListFilter;
use wani_bares_store::{agencies, notifications, outbox};

use crate::error::AppError;
use crate::services::auth::{self, Staff};
use crate::services::complaints as svc;
use crate::state::AppState;

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/me", get(me))
        .route("/api/v1/opds", get(opds))
        .route("/api/v1/categories", get(categories))
        .route("/api/v1/districts", get(districts))
        .route("/api/v1/complaints", get(list))
        .route("/api/v1/complaints/{ticket}", get(detail).patch(classify))
        .route("/api/v1/complaints/{ticket}/actions", post(action))
        .route("/api/v1/complaints/{ticket}/notes", post(note))
        .route("/api/v1/complaints/{ticket}/identity", post(identity))
        .route("/api/v1/attachments/{id}", get(attachment))
        .route("/api/v1/attachments/{id}/retry", post(attachment_retry))
        .route("/api/v1/stats/satisfaction", get(satisfaction))
        .route("/api/v1/reports", get(reports_list))
        .route("/api/v1/reports/monthly", get(report_monthly))
        .route("/api/v1/reports/{id}", get(report_stored))
        .route("/api/v1/notifications", get(notes_feed))
        .route("/api/v1/outbox", get(outbox_list))
        .route("/api/v1/outbox/{id}/retry", post(outbox_retry))
}

/// A JSON body whose rejections use the API's error format (400 for malformed JSON, 422
/// for well-formed JSON of the wrong shape).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // Read as a JSON value first: a NUL character in any string is refused (422)
        // before it reaches a query (PostgreSQL text cannot hold it).
        let value = match Json::<Value>::from_request(req, state).await {
            Ok(Json(v)) => v,
            Err(JsonRejection::JsonDataError(e)) => return Err(AppError::Invalid(e.body_text())),
            Err(JsonRejection::BytesRejection(_)) => return Err(AppError::TooLarge),
            Err(e) => return Err(AppError::BadRequest(e.body_text())),
        };
        if holds_nul(&value) {
            return Err(AppError::Invalid(
                "teks tidak boleh berisi karakter NUL (\\u0000)".into(),
            ));
        }
        serde_json::from_value(value)
            .map(ApiJson)
            .map_err(|e| AppError::Invalid(format!("invalid request body: {e}")))
    }
}

/// Whether any string or key in a JSON value holds a NUL character.
fn holds_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

/// A staff member authenticated by bearer token.
pub struct ApiStaff(pub Staff);

impl FromRequestParts<AppState> for ApiStaff {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .ok_or(AppError::Unauthorized)?;
        match auth::authenticate(&state.store, token.trim(), state.now_ms()).await? {
            Some(staff) => Ok(ApiStaff(staff)),
            None => Err(AppError::Unauthorized),
        }
    }
}

#[derive(Deserialize)]
struct LoginBody {
    username: String,
    password: String,
}

/// The login policy from the configuration.
pub fn policy(state: &AppState, kind: &str) -> auth::Policy {
    let sec = &state.config.security;
    auth::Policy {
        max_failures: i64::from(sec.max_failed_logins.max(1)),
        lockout_ms: i64::from(sec.lockout_minutes) * 60_000,
        lifetime_ms: i64::from(if kind == "api" {
            sec.api_token_hours
        } else {
            sec.session_hours
        }) * 3_600_000,
    }
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Response, AppError> {
    let result = auth::login(
        &state.store,
        &state.throttle,
        policy(&state, "api"),
        &body.username,
        &body.password,
        "api",
        addr.ip(),
        state.now_ms(),
    )
    .await;
    match result {
        Ok(ok) => Ok(Json(json!({
            "token": ok.token,
            "token_type": "Bearer",
            "role": ok.role.as_str(),
            "expires_at": jiff::Timestamp::from_millisecond(ok.expires_at).map(|t| t.to_string()).unwrap_or_default(),
            "user": {"username": ok.staff.username, "name": ok.staff.name, "opd": ok.staff.agency_code.map(|c| c.as_str().to_owned())}
        }))
        .into_response()),
        Err(auth::LoginError::Invalid | auth::LoginError::Locked) => Err(AppError::Unauthorized),
        Err(auth::LoginError::Throttled) => Err(AppError::TooManyRequests),
        Err(auth::LoginError::Store(e)) => Err(e.into()),
    }
}

async fn logout(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
) -> Result<StatusCode, AppError> {
    auth::logout(&state.store, &staff, state.now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn me(ApiStaff(staff): ApiStaff) -> Json<Value> {
    Json(
        json!({"username": staff.username, "name": staff.name, "role": staff.role.as_str(), "opd": staff.agency_code.map(|c| c.as_str().to_owned())}),
    )
}

async fn opds(
    State(state): State<AppState>,
    ApiStaff(_): ApiStaff,
) -> Result<Json<Value>, AppError> {
    let mut r = state.store.reader().await?;
    let list = agencies::list(&mut r.conn(), false).await?;
    Ok(Json(json!(
        list.iter()
            .map(|a| json!({"code": a.code, "name": a.name, "kind": a.kind, "active": a.active}))
            .collect::<Vec<_>>()
    )))
}

async fn categories(
    State(state): State<AppState>,
    ApiStaff(_): ApiStaff,
) -> Result<Json<Value>, AppError> {
    let mut r = state.store.reader().await?;
    Ok(Json(json!(
        agencies::categories(&mut r.conn(), false).await?
    )))
}

async fn districts(
    State(state): State<AppState>,
    ApiStaff(_): ApiStaff,
) -> Result<Json<Value>, AppError> {
    let mut r = state.store.reader().await?;
    Ok(Json(json!(agencies::districts(&mut r.conn()).await?)))
}

/// Turns list query parameters into a filter (shared with the dashboard).
pub async fn filter_from<S: std::hash::BuildHasher>(
    state: &AppState,
    q: &HashMap<String, String, S>,
) -> Result<ListFilter, AppError> {
    let cal = state.calendar.read().await.clone();
    let get = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let mut f = ListFilter {
        limit: 50,
        ..ListFilter::default()
    };
    if let Some(s) = get("status") {
        for st in s.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            wani_bares_domain::lifecycle::Status::parse(st)
                .map_err(|e| AppError::Invalid(e.to_string()))?;
            f.statuses.push(st.to_owned());
        }
    }
    let mut r = state.store.reader().await?;
    if let Some(code) = get("opd") {
        let agency = agencies::by_code(&mut r.conn(), &code.to_uppercase())
            .await?
            .ok_or_else(|| AppError::Invalid(format!("perangkat daerah {code} tidak dikenal")))?;
        f.agency_id = Some(agency.id);
    }
    if let Some(k) = get("category") {
        let cat = agencies::categories(&mut r.conn(), false)
            .await?
            .into_iter()
            .find(|c| c.code == k || c.id.to_string() == k)
            .ok_or_else(|| AppError::Invalid(format!("kategori {k} tidak dikenal")))?;
        f.category_id = Some(cat.id);
    }
    if let Some(q) = get("q") {
        match wani_bares_domain::ticket::Ticket::parse(q) {
            Ok(t) => f.ticket = Some(t.to_string()),
            Err(_) => f.q = Some(q.chars().take(200).collect()),
        }
    }
    if let Some(t) = get("ticket") {
        f.ticket = Some(t.to_uppercase());
    }
    if let Some(t) = get("from") {
        f.from = Some(crate::services::parse_instant(&cal, t).map_err(AppError::Invalid)?);
    }
    if let Some(t) = get("to") {
        let mut end = crate::services::parse_instant(&cal, t).map_err(AppError::Invalid)?;
        if t.len() == 10 {
            end += 86_400_000; // a date includes the whole day
        }
        f.to = Some(end);
    }
    if let Some(k) = get("kind") {
        if k != "aduan" && k != "pertanyaan" {
            return Err(AppError::Invalid("kind must be aduan or pertanyaan".into()));
        }
        f.kind = Some(k.to_owned());
    }
    if let Some(c) = get("cursor") {
        f.before_id = Some(
            c.parse()
                .map_err(|_| AppError::Invalid("cursor is not a number".into()))?,
        );
    }
    if let Some(l) = get("limit") {
        f.limit = l
            .parse::<i64>()
            .map_err(|_| AppError::Invalid("limit is not a number".into()))?
            .clamp(1, 200);
    }
    Ok(f)
}

fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

async fn list(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, AppError> {
    let filter = filter_from(&state, &q).await?;
    let limit = filter.limit;
    let items = svc::list(&state, &staff, filter).await?;
    let next = (items.len() as i64 == limit)
        .then(|| items.last().map(|i| i.id.to_string()))
        .flatten();
    Ok(Json(json!({
        "items": items.iter().map(|i| json!({
            "ticket": i.ticket, "status": i.status, "kind": i.kind,
            "created_at": rfc3339(i.created_at), "status_at": rfc3339(i.status_at),
            "category": i.category, "district": i.district, "summary": if staff.sees_all() { i.summary.clone() } else { crate::inbound::mask_identity_numbers(&i.summary) },
            "opds": i.opds,
        })).collect::<Vec<_>>(),
        "next_cursor": next,
    })))
}

/// The detail as JSON (times as RFC 3339 alongside the raw fields).
pub fn detail_json(d: &svc::Detail) -> Value {
    let mut v = serde_json::to_value(d).unwrap_or(Value::Null);
    if let Some(obj) = v.as_object_mut() {
        obj.insert("created_at".into(), json!(rfc3339(d.created_at)));
        obj.insert("status_at".into(), json!(rfc3339(d.status_at)));
    }
    v
}

async fn detail(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(ticket): Path<String>,
) -> Result<Json<Value>, AppError> {
    let complaint = svc::visible(&state, &staff, &ticket).await?;
    let d = svc::detail(&state, &staff, &complaint, false).await?;
    Ok(Json(detail_json(&d)))
}

async fn action(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(ticket): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Value>, AppError> {
    // Existence and visibility first: an agency user learns nothing about complaints
    // that are not theirs, whatever the body says.
    svc::visible(&state, &staff, &ticket).await?;
    let action: Action = serde_json::from_value(body)
        .map_err(|e| AppError::Invalid(format!("invalid action: {e}")))?;
    if matches!(
        action,
        Action::CitizenCompleted | Action::Withdraw | Action::Reopen { .. }
    ) {
        return Err(AppError::Forbidden(format!(
            "aksi {} hanya dilakukan oleh sistem atau pelapor",
            action.name()
        )));
    }
    let complaint = svc::act(&state, &staff, &ticket, &action).await?;
    let d = svc::detail(&state, &staff, &complaint, false).await?;
    Ok(Json(detail_json(&d)))
}

#[derive(Deserialize)]
struct ClassifyBody {
    category: Option<String>,
    district: Option<String>,
    summary: Option<String>,
}

async fn classify(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(ticket): Path<String>,
    ApiJson(body): ApiJson<ClassifyBody>,
) -> Result<Json<Value>, AppError> {
    svc::classify(
        &state,
        &staff,
        &ticket,
        body.category.as_deref(),
        body.district.as_deref(),
        body.summary.as_deref(),
    )
    .await?;
    let complaint = svc::visible(&state, &staff, &ticket).await?;
    Ok(Json(detail_json(
        &svc::detail(&state, &staff, &complaint, false).await?,
    )))
}

#[derive(Deserialize)]
struct NoteBody {
    text: String,
}

async fn note(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(ticket): Path<String>,
    ApiJson(body): ApiJson<NoteBody>,
) -> Result<StatusCode, AppError> {
    svc::add_note(&state, &staff, &ticket, &body.text).await?;
    Ok(StatusCode::CREATED)
}

#[derive(Deserialize)]
struct ReasonBody {
    reason: String,
}

async fn identity(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(ticket): Path<String>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> Result<Json<Value>, AppError> {
    let complaint = svc::visible(&state, &staff, &ticket).await?;
    svc::reveal_identity(&state, &staff, &complaint, &body.reason).await?;
    let d = svc::detail(&state, &staff, &complaint, true).await?;
    Ok(Json(json!({"ticket": d.ticket, "identity": d.identity})))
}

async fn attachment(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let (att, bytes) =
        svc::attachment_bytes(&state, &staff, id, q.get("reason").map(String::as_str)).await?;
    Ok(file_response(&att, bytes))
}

/// A stored file as a download; only safe image types are shown inline.
pub fn file_response(att: &wani_bares_store::attachments::Attachment, bytes: Vec<u8>) -> Response {
    let mime = att
        .mime_type
        .clone()
        .unwrap_or_else(|| "application/octet-stream".into());
    let inline = matches!(mime.as_str(), "image/jpeg" | "image/png" | "image/webp");
    let content_type = if inline {
        mime
    } else {
        "application/octet-stream".into()
    };
    let disposition = if inline {
        format!("inline; filename=\"lampiran-{}\"", att.id)
    } else {
        format!("attachment; filename=\"lampiran-{}\"", att.id)
    };
    let mut resp = (StatusCode::OK, bytes).into_response();
    let headers = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    resp
}

async fn satisfaction(
    State(state): State<AppState>,
    ApiStaff(_): ApiStaff,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, AppError> {
    let month = q.get("month").cloned().unwrap_or_else(|| {
        let local = state.calendar.try_read().map_or_else(
            |_| jiff::tz::TimeZone::UTC.to_datetime(state.clock.now()),
            |c| c.local(state.clock.now()),
        );
        format!("{:04}-{:02}", local.year(), local.month())
    });
    let figures = crate::services::satisfaction::month_stats(&state, &month).await?;
    Ok(Json(json!(figures)))
}

async fn notes_feed(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, AppError> {
    let after = q.get("after").and_then(|a| a.parse().ok()).unwrap_or(0);
    let mut r = state.store.reader().await?;
    let list = notifications::for_user(
        &mut r.conn(),
        staff.user_id,
        staff.role.as_str(),
        staff.agency_id,
        after,
        50,
    )
    .await?;
    Ok(Json(json!(list)))
}

fn require_admin(staff: &Staff) -> Result<(), AppError> {
    if matches!(staff.role, Role::Admin | Role::Superadmin) {
        Ok(())
    } else {
        Err(AppError::Forbidden("hanya admin".into()))
    }
}

async fn outbox_list(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, AppError> {
    require_admin(&staff)?;
    let states: Vec<&str> = q.get("state").map_or_else(
        || vec!["dead", "unknown", "held", "pending"],
        |s| s.split(',').map(str::trim).collect(),
    );
    for s in &states {
        if !["pending", "sending", "sent", "dead", "unknown", "held"].contains(s) {
            return Err(AppError::Invalid(format!("unknown outbox state {s}")));
        }
    }
    let mut r = state.store.reader().await?;
    let rows = outbox::in_states(&mut r.conn(), &states, 200).await?;
    let alerts = notifications::open_alerts(&mut r.conn()).await?;
    Ok(Json(json!({
        "alerts": alerts,
        "items": rows.iter().map(|o| json!({
            "id": o.id, "state": o.state, "kind": o.kind, "attempts": o.attempts,
            "last_error": o.last_error, "last_error_code": o.last_error_code,
            "created_at": rfc3339(o.created_at), "next_attempt_at": rfc3339(o.next_attempt_at),
            "to": o.to_phone.as_deref().and_then(|p| wani_bares_domain::phone::PhoneNumber::parse(p).ok()).map(|p| p.masked()),
            "complaint_id": o.complaint_id,
        })).collect::<Vec<_>>()
    })))
}

async fn outbox_retry(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    require_admin(&staff)?;
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    let ok = outbox::requeue(&mut tx.conn(), id, now).await?;
    wani_bares_store::audit::append(
        &mut tx.conn(),
        &wani_bares_store::audit::NewEvent {
            at: now,
            actor_user_id: Some(staff.user_id),
            actor: &staff.label(),
            action: "outbox_retry",
            complaint_id: None,
            before: None,
            after: Some(&id.to_string()),
            detail: None,
        },
    )
    .await?;
    tx.commit().await?;
    if !ok {
        return Err(AppError::Conflict(
            "pesan ini tidak dalam status gagal".into(),
        ));
    }
    state.wake.outbox.notify_one();
    Ok(StatusCode::NO_CONTENT)
}

async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::http::openapi::DOCUMENT,
    )
        .into_response()
}

fn may_read_reports(staff: &Staff) -> Result<(), AppError> {
    crate::services::reports::may_read(staff.role)
}

async fn report_monthly(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    may_read_reports(&staff)?;
    let month = q
        .get("month")
        .ok_or_else(|| AppError::Invalid("month=YYYY-MM is required".into()))?;
    let format: wani_bares_report::Format = q
        .get("format")
        .map_or("pdf", String::as_str)
        .parse()
        .map_err(|e| AppError::Invalid(format!("{e}")))?;
    wani_bares_report::input::Month::parse(month).map_err(|e| AppError::Invalid(e.to_string()))?;
    let rendered = crate::services::reports::render(&state, month, format).await?;
    Ok(download(
        rendered.content_type,
        &rendered.file_name,
        rendered.bytes,
    ))
}

/// A file download response.
pub fn download(content_type: &str, file_name: &str, bytes: Vec<u8>) -> Response {
    let mut resp = (StatusCode::OK, bytes).into_response();
    let headers = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    let safe: String = file_name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    resp
}

async fn reports_list(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
) -> Result<Json<Value>, AppError> {
    may_read_reports(&staff)?;
    let mut r = state.store.reader().await?;
    let list = wani_bares_store::reports::list(&mut r.conn(), 100).await?;
    Ok(Json(json!(list.iter().map(|x| json!({"id": x.id, "month": x.month, "format": x.format, "created_at": rfc3339(x.created_at), "size_bytes": x.size_bytes, "generated_by": x.generated_by})).collect::<Vec<_>>())))
}

async fn report_stored(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    may_read_reports(&staff)?;
    let report = crate::services::reports::stored(&state, id).await?;
    Ok(download(
        report.content_type,
        &report.file_name,
        report.bytes,
    ))
}

async fn attachment_retry(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    require_admin(&staff)?;
    let now = state.now_ms();
    let mut tx = state.store.begin().await?;
    let ok = wani_bares_store::attachments::retry(&mut tx.conn(), id, now).await?;
    tx.commit().await?;
    if !ok {
        return Err(AppError::Conflict(
            "lampiran ini tidak dalam status gagal".into(),
        ));
    }
    state.wake.media.notify_one();
    Ok(StatusCode::NO_CONTENT)
}
