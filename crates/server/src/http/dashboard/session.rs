//! Logging in and out, the session cookie, CSRF, and the account page (password change).
//!
//! - The session cookie `wb_session` holds a fresh random token from
//!   `services::auth::login` (kind `web`): a new one at every login, so a token planted
//!   before login is worthless (session fixation). It is `HttpOnly`, `SameSite=Lax` (a
//!   link from a WhatsApp notification opens the dashboard logged in), `Path=/`, and
//!   `Secure` when `security.secure_cookies` is on.
//! - Writes need the session's CSRF token ([`Posted`]); the login form, before any
//!   session, uses a double-submit token: a random `wb_login_csrf` cookie
//!   (`SameSite=Strict`) and the same value in a hidden field, compared in constant time.
//! - Failed logins are throttled by `services::auth` (per account and per address); its
//!   messages are shown as they are.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use subtle::ConstantTimeEq;

use super::{Chrome, Fields, PageError, page, render, see_other};
use crate::error::AppError;
use crate::services::auth::{self, LoginError, Staff};
use crate::state::AppState;

/// The session cookie.
pub const SESSION_COOKIE: &str = "wb_session";
/// The login form's double-submit cookie.
pub const LOGIN_CSRF_COOKIE: &str = "wb_login_csrf";

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/akun", get(account))
        .route("/akun/sandi", post(change_password))
}

/// The value of a cookie in the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

fn set_cookie(state: &AppState, name: &str, value: &str, attrs: &str) -> HeaderValue {
    let secure = if state.config.security.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!("{name}={value}; {attrs}{secure}"))
        .unwrap_or_else(|_| HeaderValue::from_static("wb_invalid=1"))
}

/// Constant-time comparison of two tokens (false when either is empty).
pub fn tokens_match(a: &str, b: &str) -> bool {
    !a.is_empty() && !b.is_empty() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// The staff member behind the request's session cookie, if the session is live.
pub async fn session_staff(headers: &HeaderMap, state: &AppState) -> Option<Staff> {
    let token = cookie(headers, SESSION_COOKIE)?;
    match auth::authenticate(&state.store, token, state.now_ms()).await {
        Ok(staff) => staff,
        Err(e) => {
            tracing::error!(error = %e, "session lookup failed");
            None
        }
    }
}

fn login_redirect(parts: &Parts) -> Response {
    if super::is_htmx(&parts.headers) {
        // htmx follows this header with a full navigation.
        return (
            StatusCode::UNAUTHORIZED,
            [("hx-redirect", HeaderValue::from_static("/login"))],
        )
            .into_response();
    }
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", axum::http::uri::PathAndQuery::as_str);
    let to = if path == "/" {
        "/login".to_owned()
    } else {
        format!("/login?next={}", super::urlencode(path))
    };
    see_other(&to)
}

/// A logged-in staff member on a read (GET/HEAD) request. Without a session: a redirect
/// to `/login`. Any other method is refused: writes go through [`Posted`], which checks
/// the CSRF token.
pub struct WebStaff(pub Staff);

impl FromRequestParts<AppState> for WebStaff {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if parts.method != Method::GET && parts.method != Method::HEAD {
            return Err(PageError(AppError::Forbidden("permintaan ditolak".into())).into_response());
        }
        match session_staff(&parts.headers, state).await {
            Some(staff) => Ok(WebStaff(staff)),
            None => Err(login_redirect(parts)),
        }
    }
}

/// A logged-in staff member's form POST whose CSRF token matched: 401 without a session,
/// 403 with a wrong or missing token.
pub struct Posted {
    /// Who.
    pub staff: Staff,
    /// The form fields.
    pub form: Fields,
    /// The request came from htmx.
    pub htmx: bool,
}

impl FromRequest<AppState> for Posted {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let Some(staff) = session_staff(&parts.headers, state).await else {
            if super::is_htmx(&parts.headers) {
                return Err(login_redirect(&parts));
            }
            return Err(PageError(AppError::Unauthorized).into_response());
        };
        let header_token = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let htmx = super::is_htmx(&parts.headers);
        let req = Request::from_parts(parts, body);
        let form = match Form::<Vec<(String, String)>>::from_request(req, state).await {
            Ok(Form(pairs)) => Fields(pairs),
            // Too large: refused as such, not read as an empty form (which a handler could
            // act on when the CSRF token came in the header).
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(PageError(AppError::TooLarge).into_response());
            }
            Err(_) => Fields::default(),
        };
        let token = header_token.unwrap_or_else(|| form.get("csrf").to_owned());
        // PostgreSQL text cannot hold NUL, and no form field means one.
        if form
            .0
            .iter()
            .any(|(k, v)| k.contains('\0') || v.contains('\0'))
        {
            return Err(PageError(AppError::Invalid(
                "isian berisi karakter yang tidak sah".into(),
            ))
            .into_response());
        }
        if !tokens_match(&token, &staff.csrf) {
            return Err(PageError(AppError::Forbidden(
                "formulir kedaluwarsa atau tidak sah; muat ulang halaman lalu coba lagi".into(),
            ))
            .into_response());
        }
        Ok(Posted { staff, form, htmx })
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
    notice: Option<String>,
}

fn safe_next(next: Option<&str>) -> String {
    match next {
        // Only local paths: "/x", never "//host" or "/\host".
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

fn login_page(
    state: &AppState,
    status: StatusCode,
    next: &str,
    username: &str,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let csrf = auth::new_token();
    let mut resp = render(
        status,
        &LoginPage {
            csrf: csrf.clone(),
            next: next.to_owned(),
            username: username.to_owned(),
            error,
            notice,
        },
    );
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            state,
            LOGIN_CSRF_COOKIE,
            &csrf,
            "Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600",
        ),
    );
    resp
}

async fn login_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    if session_staff(&headers, &state).await.is_some() {
        return see_other(&safe_next(q.get("next").map(String::as_str)));
    }
    let notice = match q.get("pesan").map(String::as_str) {
        Some("keluar") => Some("Anda telah keluar.".to_owned()),
        Some("sandi") => {
            Some("Kata sandi telah diganti. Silakan masuk dengan kata sandi baru.".to_owned())
        }
        _ => None,
    };
    login_page(
        &state,
        StatusCode::OK,
        &safe_next(q.get("next").map(String::as_str)),
        "",
        None,
        notice,
    )
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let form = Fields(pairs);
    let next = safe_next(form.opt("next"));
    let username = form.get("username").trim().to_owned();
    if username.contains('\0') || form.get("password").contains('\0') {
        // Never a valid account (and PostgreSQL text cannot hold NUL).
        return login_page(
            &state,
            StatusCode::UNAUTHORIZED,
            &next,
            "",
            Some(super::capitalize(&LoginError::Invalid.to_string())),
            None,
        );
    }
    let cookie_token = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    if !tokens_match(cookie_token, form.get("csrf")) {
        return login_page(
            &state,
            StatusCode::FORBIDDEN,
            &next,
            &username,
            Some("Formulir kedaluwarsa. Silakan coba masuk lagi.".into()),
            None,
        );
    }
    let result = auth::login(
        &state.store,
        &state.throttle,
        crate::http::api::policy(&state, "web"),
        &username,
        form.get("password"),
        "web",
        addr.ip(),
        state.now_ms(),
    )
    .await;
    match result {
        Ok(ok) => {
            // A session cookie from before (another account, or planted) is ended.
            if let Some(old) = session_staff(&headers, &state).await {
                let _ = auth::logout(&state.store, &old, state.now_ms()).await;
            }
            let max_age = (ok.expires_at - state.now_ms()) / 1000;
            let mut resp = see_other(&next);
            let h = resp.headers_mut();
            h.append(
                header::SET_COOKIE,
                set_cookie(
                    &state,
                    SESSION_COOKIE,
                    &ok.token,
                    &format!("Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}"),
                ),
            );
            h.append(
                header::SET_COOKIE,
                set_cookie(
                    &state,
                    LOGIN_CSRF_COOKIE,
                    "",
                    "Path=/login; HttpOnly; SameSite=Strict; Max-Age=0",
                ),
            );
            resp
        }
        Err(e @ (LoginError::Invalid | LoginError::Locked)) => login_page(
            &state,
            StatusCode::UNAUTHORIZED,
            &next,
            &username,
            Some(super::capitalize(&e.to_string())),
            None,
        ),
        Err(e @ LoginError::Throttled) => login_page(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            &next,
            &username,
            Some(super::capitalize(&e.to_string())),
            None,
        ),
        Err(LoginError::Store(e)) => PageError(e.into()).into_response(),
    }
}

fn clear_session_cookie(state: &AppState, resp: &mut Response) {
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            state,
            SESSION_COOKIE,
            "",
            "Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
        ),
    );
}

async fn logout(State(state): State<AppState>, posted: Posted) -> Response {
    if let Err(e) = auth::logout(&state.store, &posted.staff, state.now_ms()).await {
        return PageError(e.into()).into_response();
    }
    let mut resp = see_other("/login?pesan=keluar");
    clear_session_cookie(&state, &mut resp);
    resp
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    username: String,
    error: Option<String>,
}

async fn account(
    State(state): State<AppState>,
    WebStaff(staff): WebStaff,
) -> Result<Response, PageError> {
    let chrome = Chrome::build(&state, &staff, "account", None).await?;
    Ok(page(&AccountPage {
        chrome,
        username: staff.username.clone(),
        error: None,
    }))
}

async fn change_password(
    State(state): State<AppState>,
    posted: Posted,
) -> Result<Response, PageError> {
    let Posted { staff, form, .. } = posted;
    let new = form.get("new");
    let error = if new != form.get("repeat") {
        Some("Kata sandi baru dan ulangannya tidak sama.".to_owned())
    } else if new == form.get("current") {
        Some("Kata sandi baru harus berbeda dari yang lama.".to_owned())
    } else {
        auth::change_password(
            &state.store,
            &staff,
            form.get("current"),
            new,
            state.now_ms(),
        )
        .await
        .err()
        .map(|e| super::capitalize(&e))
    };
    if let Some(error) = error {
        let chrome = Chrome::build(&state, &staff, "account", None).await?;
        return Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &AccountPage {
                chrome,
                username: staff.username.clone(),
                error: Some(error),
            },
        ));
    }
    let mut resp = see_other("/login?pesan=sandi");
    clear_session_cookie(&state, &mut resp);
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(
            safe_next(Some("/aduan/WB-202611-0001")),
            "/aduan/WB-202611-0001"
        );
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn tokens_compare_equal_only_when_identical_and_present() {
        assert!(tokens_match("abc", "abc"));
        assert!(!tokens_match("abc", "abd"));
        assert!(!tokens_match("", ""));
    }

    #[test]
    fn cookies_are_read_by_name() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; wb_session=tok; b=2"),
        );
        assert_eq!(cookie(&h, "wb_session"), Some("tok"));
        assert_eq!(cookie(&h, "c"), None);
    }
}
